//! The KPI facts subscriber: keeps one `report_fact` row per report, in the transaction of every change to it, so
//! that a KPI is one indexed aggregate over these rows (`kpi::query`).
//!
//! A row is a function of the report row after the change (its units, period keys, status, milestone durations,
//! outcome) plus what only the events say and the row forgets: who acknowledged it, which stages went past due
//! (the row's `sla_breached` is reset when a stage starts) and which levels it was escalated to. Those are
//! accumulated (`OR` of bits), everything else is overwritten. One statement per change: an UPSERT, or for a
//! "me too" and a breach at the top, an UPDATE of one column. No lookups: the street, district and calendar come
//! from `state.lookup`'s caches.
//!
//! Business minutes use the district's work calendar (`sla/calendar.rs`) for every report, urgent ones included
//! (an urgent report's SLA clock runs round the clock; the KPI's business figure is the same working-time measure
//! for all reports, so that they can be compared). A calendar edit applies to the changes after it.
use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::enums::{EventKind, GridLevel, ReportStatus, SlaStage, Urgency};
use entity::{category, report, report_event, report_fact};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::cell;
use crate::error::{AppError, AppResult};
use crate::service::events::{Cx, DomainEvent};
use crate::service::sla::calendar::Calendar;

/// The bit of a grid level in `report_fact.levels`.
pub fn level_bit(l: GridLevel) -> i32 {
    1 << match l {
        GridLevel::Property => 0,
        GridLevel::NeighbourHead => 1,
        GridLevel::GroupHead => 2,
        GridLevel::AreaHead => 3,
        GridLevel::CommunityAdmin => 4,
        GridLevel::StreetAdmin => 5,
    }
}

/// Beijing date of an instant (UTC+8, no daylight saving).
pub fn beijing_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(8)).date_naive()
}

/// The first days of the week (Monday), month, quarter and year of `d`.
pub fn period_keys(d: NaiveDate) -> [NaiveDate; 4] {
    let week = d - Duration::days(d.weekday().num_days_from_monday() as i64);
    let first = |m: u32| NaiveDate::from_ymd_opt(d.year(), m, 1).expect("first of month");
    [week, first(d.month()), first((d.month() - 1) / 3 * 3 + 1), first(1)]
}

/// `t` with its seconds dropped.
fn minute_of(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp().div_euclid(60) * 60, 0).expect("in range")
}

/// What the events add to a fact row: accumulated, never taken back.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seen {
    /// Who acknowledged.
    pub ack_by: Option<Uuid>,
    /// Stages past due: bit 0 ACKNOWLEDGE, 1 HANDLE, 2 START, 3 RESOLVE.
    pub breaches: i32,
    /// Levels escalated to ([`level_bit`]).
    pub levels: i32,
}

fn stage_bit(s: SlaStage) -> i32 {
    1 << match s {
        SlaStage::Acknowledge => 0,
        SlaStage::Handle => 1,
        SlaStage::Start => 2,
        SlaStage::Resolve => 3,
    }
}

/// The fact row of report `r` (in the street and district given) with what the events said.
pub fn fact_of(r: &report::Model, street: Uuid, district: Uuid, cal: &Calendar, seen: Seen) -> report_fact::Model {
    let day = beijing_date(r.submitted_at);
    let [week, month, quarter, year] = period_keys(day);
    // Whole minutes between the minutes of the two timestamps (their seconds dropped).
    let submitted = minute_of(r.submitted_at);
    let wall = |t: Option<DateTime<Utc>>| t.map(|t| (minute_of(t) - submitted).num_minutes().max(0) as i32);
    let biz = |t: Option<DateTime<Utc>>| t.map(|t| cal.minutes_between(submitted, minute_of(t), false) as i32);
    let mut breaches = seen.breaches;
    if let (Some(stage), true) = (r.sla_stage, r.sla_breached) {
        breaches |= stage_bit(stage);
    }
    let bit = |b: i32| i32::from(breaches & b != 0);
    let fact = report_fact::Model {
        report_id: r.id,
        district_id: district,
        street_id: street,
        community_id: r.community_id,
        compound_id: r.compound_id,
        area_id: r.area_id,
        group_id: r.group_id,
        neighbourhood_id: r.neighbourhood_id,
        company_id: r.company_id,
        category_id: r.category_id,
        ack_by: seen.ack_by,
        day,
        week,
        month,
        quarter,
        year,
        status: r.status.to_value(),
        support_count: r.support_count,
        ack_wall: wall(r.acknowledged_at),
        ack_biz: biz(r.acknowledged_at),
        dispatch_wall: wall(r.dispatched_at),
        dispatch_biz: biz(r.dispatched_at),
        resolve_wall: wall(r.resolved_at),
        resolve_biz: biz(r.resolved_at),
        close_wall: wall(r.closed_at),
        close_biz: biz(r.closed_at),
        started: i32::from(r.started_at.is_some()),
        breach_ack: bit(stage_bit(SlaStage::Acknowledge)),
        breach_handle: bit(stage_bit(SlaStage::Handle)),
        breach_start: bit(stage_bit(SlaStage::Start)),
        breach_resolve: bit(stage_bit(SlaStage::Resolve)),
        escalations: r.escalations,
        levels: seen.levels,
        reopened: i32::from(r.reopen_count > 0),
        confirmed: i32::from(r.confirmed_at.is_some()),
        auto_closed: i32::from(r.auto_closed),
        rating: r.rating,
        counted: 1,
    };
    if counted(r.status) { fact } else { uncounted(fact) }
}

/// A merged duplicate's row: its units, period and status, every figure zero or null (the primary counts).
fn uncounted(f: report_fact::Model) -> report_fact::Model {
    report_fact::Model {
        counted: 0,
        support_count: 0,
        ack_wall: None,
        ack_biz: None,
        dispatch_wall: None,
        dispatch_biz: None,
        resolve_wall: None,
        resolve_biz: None,
        close_wall: None,
        close_biz: None,
        started: 0,
        breach_ack: 0,
        breach_handle: 0,
        breach_start: 0,
        breach_resolve: 0,
        escalations: 0,
        levels: 0,
        reopened: 0,
        confirmed: 0,
        auto_closed: 0,
        rating: None,
        ..f
    }
}

/// The stages of `r` that lasted longer than their target, measured from its milestone columns as the SLA clock
/// measures them (business time, urgent reports round the clock): what [`backfill`] knows of past breaches of a
/// report whose events were not seen.
pub fn past_breaches(r: &report::Model, cat: &category::Model, cal: &Calendar) -> i32 {
    let urgent = r.urgency == Urgency::Urgent;
    let stages = [
        (SlaStage::Acknowledge, Some(r.submitted_at), r.acknowledged_at),
        (SlaStage::Handle, r.acknowledged_at, r.dispatched_at.or(r.resolved_at)),
        (SlaStage::Start, r.dispatched_at, r.started_at),
        (SlaStage::Resolve, r.started_at, r.resolved_at),
    ];
    let mut bits = 0;
    for (stage, from, to) in stages {
        if let (Some(a), Some(b)) = (from, to) {
            if cal.minutes_between(a, b, urgent) > crate::service::sla::target_minutes(cat, r.urgency, stage) {
                bits |= stage_bit(stage);
            }
        }
    }
    bits
}

/// `INSERT … ON CONFLICT (report_id) DO UPDATE`: the accumulated columns OR-ed with what was there, the others
/// overwritten.
fn upsert(rows: Vec<report_fact::Model>) -> sea_orm::InsertMany<report_fact::ActiveModel> {
    use report_fact::Column as F;
    let overwrite = [
        // The period keys: a report's submission never moves in the service, but the demo and the scale generator
        // backdate reports and then `refresh` their facts.
        F::Day,
        F::Week,
        F::Month,
        F::Quarter,
        F::Year,
        F::CompanyId,
        F::Status,
        F::SupportCount,
        F::AreaId,
        F::GroupId,
        F::NeighbourhoodId,
        F::AckWall,
        F::AckBiz,
        F::DispatchWall,
        F::DispatchBiz,
        F::ResolveWall,
        F::ResolveBiz,
        F::CloseWall,
        F::CloseBiz,
        F::Started,
        F::Escalations,
        F::Reopened,
        F::Confirmed,
        F::AutoClosed,
        F::Rating,
        F::Counted,
    ];
    let mut oc = OnConflict::column(F::ReportId);
    oc.update_columns(overwrite);
    for c in ["breach_ack", "breach_handle", "breach_start", "breach_resolve", "levels"] {
        oc.value(sea_orm::sea_query::Alias::new(c), Expr::cust(format!("CASE WHEN excluded.counted = 1 THEN report_fact.{c} | excluded.{c} ELSE 0 END")));
    }
    oc.value(F::AckBy, Expr::cust("COALESCE(excluded.ack_by, report_fact.ack_by)"));
    report_fact::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model)).on_conflict(oc.to_owned())
}

async fn write_one(cx: &Cx<'_>, r: &report::Model, seen: Seen) -> AppResult<()> {
    let lookup = &cx.state.lookup;
    let (street, district) = lookup
        .street_and_district(cx.db, r.community_id)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("community {} has no street", r.community_id)))?;
    let cal = lookup.calendar(cx.db, district).await?;
    let fact = fact_of(r, street, district, &cal, seen);
    let backend = cx.db.get_database_backend();
    if backend == sea_orm::DbBackend::Postgres {
        // One statement: the fact's UPSERT and its cell's version (the cell's values are the fact's $5, $14, $2, $3, $4).
        cx.db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, one_row_sql(backend), values(&fact))).await?;
    } else {
        cx.db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, one_row_sql(backend), values(&fact))).await?;
        cx.db.execute_raw(cell::mark(backend, fact.compound_id, fact.month, district, street, fact.community_id)).await?;
    }
    Ok(())
}

/// Sets one column of report `id`'s fact (if counted) and makes its cell dirty: one statement on PostgreSQL.
async fn set_column(cx: &Cx<'_>, id: Uuid, column: &str, value: i32) -> AppResult<()> {
    let backend = cx.db.get_database_backend();
    let update = format!("UPDATE report_fact SET {column} = $1 WHERE report_id = $2 AND counted = 1");
    let values = [sea_orm::Value::from(value), sea_orm::Value::from(id)];
    if backend == sea_orm::DbBackend::Postgres {
        let sql = format!(
            "WITH f AS ({update} RETURNING compound_id, month) UPDATE kpi_cell SET version = kpi_cell.version + 1 FROM f \
             WHERE kpi_cell.compound_id = f.compound_id AND kpi_cell.month = f.month"
        );
        cx.db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, values)).await?;
    } else if cx.db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, update, values)).await?.rows_affected() > 0 {
        cx.db.execute_raw(sea_orm::Statement::from_sql_and_values(backend, cell::MARK_OF_REPORT_SQL, [sea_orm::Value::from(id)])).await?;
    }
    Ok(())
}

/// The one-row UPSERT's SQL, built once per backend (building it for every change was a third of the subscriber's
/// instructions); [`values`] binds a row in the same column order (a test compares both with sea-query's).
fn one_row_sql(backend: sea_orm::DbBackend) -> &'static str {
    static SQL: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
    let sql = SQL.get_or_init(|| {
        let build = |b: sea_orm::DbBackend| sea_orm::QueryTrait::build(&upsert(vec![report_fact::Model::default()]), b).sql;
        // On PostgreSQL the cell's version goes in the same statement (a data-modifying WITH runs to completion).
        let pg = format!(
            "WITH f AS ({}) {}",
            build(sea_orm::DbBackend::Postgres),
            cell::MARK_SQL.replace("$1, $2, $3, $4, $5", "$5, $14, $2, $3, $4")
        );
        [pg, build(sea_orm::DbBackend::Sqlite)]
    });
    if backend == sea_orm::DbBackend::Postgres { &sql[0] } else { &sql[1] }
}

/// The values of a row in the entity's column order (the order sea-query's INSERT lists them).
fn values(f: &report_fact::Model) -> Vec<sea_orm::Value> {
    use sea_orm::Value as V;
    vec![
        V::from(f.report_id),
        V::from(f.district_id),
        V::from(f.street_id),
        V::from(f.community_id),
        V::from(f.compound_id),
        V::from(f.area_id),
        V::from(f.group_id),
        V::from(f.neighbourhood_id),
        V::from(f.company_id),
        V::from(f.category_id),
        V::from(f.ack_by),
        V::from(f.day),
        V::from(f.week),
        V::from(f.month),
        V::from(f.quarter),
        V::from(f.year),
        V::from(f.status.clone()),
        V::from(f.support_count),
        V::from(f.counted),
        V::from(f.ack_wall),
        V::from(f.ack_biz),
        V::from(f.dispatch_wall),
        V::from(f.dispatch_biz),
        V::from(f.resolve_wall),
        V::from(f.resolve_biz),
        V::from(f.close_wall),
        V::from(f.close_biz),
        V::from(f.started),
        V::from(f.breach_ack),
        V::from(f.breach_handle),
        V::from(f.breach_start),
        V::from(f.breach_resolve),
        V::from(f.escalations),
        V::from(f.levels),
        V::from(f.reopened),
        V::from(f.confirmed),
        V::from(f.auto_closed),
        V::from(f.rating),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cached_upsert_binds_what_sea_query_would() {
        let mut f = report_fact::Model::default();
        (f.district_id, f.street_id, f.community_id, f.compound_id) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        f.month = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        f.ack_wall = Some(12);
        f.status = "CLOSED".into();
        f.rating = Some(4);
        f.levels = 4;
        for b in [sea_orm::DbBackend::Postgres, sea_orm::DbBackend::Sqlite] {
            let built = sea_orm::QueryTrait::build(&upsert(vec![f.clone()]), b);
            let cached = one_row_sql(b);
            if b == sea_orm::DbBackend::Postgres {
                assert!(cached.starts_with(&format!("WITH f AS ({}) INSERT INTO kpi_cell", built.sql)), "{cached}");
                assert!(cached.contains("VALUES ($5, $14, $2, $3, $4, 1, 0)"), "the cell is the fact's compound, month, district, street, community");
                let v = values(&f);
                assert_eq!(
                    [&v[4], &v[13], &v[1], &v[2], &v[3]],
                    [&f.compound_id.into(), &f.month.into(), &f.district_id.into(), &f.street_id.into(), &f.community_id.into()]
                );
            } else {
                assert_eq!(built.sql, cached);
            }
            assert_eq!(built.values.unwrap().0, values(&f));
        }
    }
}

/// The subscriber: one statement per event that changes a report.
pub async fn on_event(cx: &Cx<'_>, e: &DomainEvent) -> AppResult<()> {
    match e {
        DomainEvent::ReportSubmitted(c) | DomainEvent::ReportActed(c) | DomainEvent::ReportEscalated(c) => {
            let seen = Seen {
                ack_by: if c.kind == EventKind::Acknowledged { cx.actor } else { None },
                breaches: 0,
                levels: match (c.kind, c.escalation.as_ref()) {
                    (EventKind::Escalated, Some(step)) => level_bit(step.to),
                    _ => 0,
                },
            };
            write_one(cx, &c.report, seen).await
        }
        DomainEvent::ReportsMerged { primary, .. } => write_one(cx, primary, Seen::default()).await,
        DomainEvent::SlaBreached { report, stage, .. } => {
            let col = match stage {
                SlaStage::Acknowledge => "breach_ack",
                SlaStage::Handle => "breach_handle",
                SlaStage::Start => "breach_start",
                SlaStage::Resolve => "breach_resolve",
            };
            set_column(cx, *report, col, 1).await
        }
        DomainEvent::ReportSupported { report, count, .. } | DomainEvent::SupportWithdrawn { report, count, .. } => {
            set_column(cx, *report, "support_count", *count).await
        }
        DomainEvent::SlaWarned { .. }
        | DomainEvent::CalendarUpdated { .. }
        | DomainEvent::CommentAdded(_)
        | DomainEvent::ContentModerated { .. }
        | DomainEvent::PhotoJudged { .. }
        | DomainEvent::UnitCreated { .. }
        | DomainEvent::UnitRenamed { .. }
        | DomainEvent::NeighbourhoodUnitsSet { .. }
        | DomainEvent::CategoryUpdated { .. }
        | DomainEvent::AppointmentMade(_)
        | DomainEvent::AppointmentRevoked(_)
        | DomainEvent::ResidenceRequested { .. }
        | DomainEvent::ResidenceReviewed { .. }
        | DomainEvent::PhoneBound { .. }
        | DomainEvent::CompanyRegistered { .. }
        | DomainEvent::ManagementAssigned { .. }
        | DomainEvent::MerchantRegistered { .. }
        | DomainEvent::ApiKeyCreated { .. }
        | DomainEvent::ApiKeyRevoked { .. }
        | DomainEvent::PackageCreated { .. }
        | DomainEvent::PackageStatusChanged { .. }
        | DomainEvent::PackageRedeemed { .. }
        | DomainEvent::RedemptionVerified { .. }
        | DomainEvent::RedemptionReleased { .. }
        | DomainEvent::VotePeriodOpened { .. }
        | DomainEvent::VoteCast { .. }
        | DomainEvent::VotePeriodClosed { .. } => Ok(()),
    }
}

/// How many reports one backfill statement reads and writes (below both databases' bound-parameter limits).
const BATCH: u64 = 500;

/// Reports to (re)compute: all, those without facts, or these.
pub enum Which<'a> {
    /// Every report.
    All,
    /// Reports with no fact row yet (start-up: rows from before migration 000018).
    Missing,
    /// These reports.
    Only(&'a [Uuid]),
}

/// Writes the fact rows of reports from their stored columns, in batches of one read and one multi-row UPSERT:
/// start-up (`Which::Missing`), the scale generator and the demo, which write reports straight to their table
/// (`Which::All` / `Only`). What only events say is taken from what is stored: who acknowledged from the timeline,
/// the stages past due from the milestones against the category's targets ([`past_breaches`]) and the current
/// stage's flag, the level escalated to from the level that holds it. Returns how many rows it wrote.
pub async fn refresh<C: ConnectionTrait>(db: &C, which: Which<'_>) -> AppResult<usize> {
    let cats: HashMap<Uuid, category::Model> = category::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c)).collect();
    let mut places: HashMap<Uuid, (Uuid, Uuid)> = HashMap::new();
    let mut cals: HashMap<Uuid, Calendar> = HashMap::new();
    let mut after: Option<Uuid> = None;
    let mut written = 0;
    let mut cells: std::collections::BTreeSet<(Uuid, NaiveDate, Uuid, Uuid, Uuid)> = Default::default();
    let only: Vec<Uuid> = match &which {
        Which::Only(ids) => ids.to_vec(),
        _ => Vec::new(),
    };
    // With no facts at all yet (the scale generator's first pass) no report has an old cell to mark. Asking anyway
    // cost a scan per batch: the table's statistics said "empty" while it filled, so PostgreSQL kept scanning it
    // (scale 1 took hours, not minutes).
    let had_facts = report_fact::Entity::find().one(db).await?.is_some();
    loop {
        let mut q = report::Entity::find().order_by_asc(report::Column::Id).limit(BATCH);
        if let Some(a) = after {
            q = q.filter(report::Column::Id.gt(a));
        }
        match which {
            Which::All => {}
            Which::Missing => {
                q = q.filter(Expr::cust("NOT EXISTS (SELECT 1 FROM report_fact f WHERE f.report_id = report.id)"));
            }
            Which::Only(_) => q = q.filter(report::Column::Id.is_in(only.clone())),
        }
        let rows = q.all(db).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let acks: HashMap<Uuid, Uuid> = report_event::Entity::find()
            .select_only()
            .columns([report_event::Column::ReportId, report_event::Column::ActorId])
            .filter(report_event::Column::ReportId.is_in(ids.clone()))
            .filter(report_event::Column::Kind.eq(EventKind::Acknowledged))
            .into_tuple::<(Uuid, Option<Uuid>)>()
            .all(db)
            .await?
            .into_iter()
            .filter_map(|(r, a)| Some((r, a?)))
            .collect();
        // The cells the batch's facts are in now: a backdated report's fact moves to another month's cell (reports
        // without facts have none).
        let before = if matches!(which, Which::Missing) || !had_facts { Vec::new() } else { db
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                format!(
                    "SELECT compound_id, month, district_id, street_id, community_id FROM report_fact WHERE report_id IN ({})",
                    (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
                ),
                ids.iter().map(|id| sea_orm::Value::from(*id)).collect::<Vec<_>>(),
            ))
            .await? };
        for row in &before {
            use crate::service::rows::col;
            cells.insert((col(row, 0)?, col(row, 1)?, col(row, 2)?, col(row, 3)?, col(row, 4)?));
        }
        let mut facts = Vec::with_capacity(rows.len());
        for r in &rows {
            let (street, district) = match places.get(&r.community_id) {
                Some(p) => *p,
                None => {
                    let c = entity::community::Entity::find_by_id(r.community_id).one(db).await?;
                    let s = match c {
                        Some(c) => entity::street::Entity::find_by_id(c.street_id).one(db).await?,
                        None => None,
                    };
                    let Some(s) = s else { continue };
                    places.insert(r.community_id, (s.id, s.district_id));
                    (s.id, s.district_id)
                }
            };
            if !cals.contains_key(&district) {
                let hours = entity::work_calendar::Entity::find()
                    .filter(entity::work_calendar::Column::DistrictId.eq(district))
                    .one(db)
                    .await?;
                let days = entity::calendar_day::Entity::find().filter(entity::calendar_day::Column::DistrictId.eq(district)).all(db).await?;
                cals.insert(district, crate::service::sla::calendar_of(hours.as_ref(), &days));
            }
            let cal = &cals[&district];
            let breaches = cats.get(&r.category_id).map(|c| past_breaches(r, c, cal)).unwrap_or(0);
            // The level it holds now, if it got there by escalation (reset when a company stage starts).
            let levels = if r.escalated_at.is_some() { r.sla_level.map(level_bit).unwrap_or(0) } else { 0 };
            facts.push(fact_of(r, street, district, cal, Seen { ack_by: acks.get(&r.id).copied(), breaches, levels }));
        }
        written += facts.len();
        if !facts.is_empty() {
            cells.extend(facts.iter().map(|f| (f.compound_id, f.month, f.district_id, f.street_id, f.community_id)));
            upsert(facts).exec_without_returning(db).await?;
        }
        if (rows.len() as u64) < BATCH {
            break;
        }
    }
    // The cells of the facts written, made dirty once each (the cell builder rebuilds them).
    for (compound, month, district, street, community) in cells {
        db.execute_raw(cell::mark(db.get_database_backend(), compound, month, district, street, community)).await?;
    }
    Ok(written)
}

/// Whether a status is counted by the assessment (a merged duplicate is counted once, as its primary).
pub fn counted(s: ReportStatus) -> bool {
    s != ReportStatus::Duplicate
}
