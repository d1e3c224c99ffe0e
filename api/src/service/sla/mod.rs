//! SLA clocks, durable timers and escalation up the grid.
//!
//! **Stages and clocks.** A report open for someone to act is in one SLA stage ([`stage_of`]): ACKNOWLEDGE
//! (submitted), HANDLE (acknowledged, or reopened before any dispatch: a head fixes or dispatches it), START
//! (dispatched, or reopened after the company's fix: the company starts) and RESOLVE (in progress). Each stage has a
//! target in hours per category and urgency ([`target_minutes`]), counted in the district's business time (its
//! work calendar: working hours, holidays, make-up days; urgent reports run round the clock). The **stage clock**
//! runs from the stage's start (`sla_stage_since`); the **overall clock** from submission, never reset
//! (`overall_minutes` banked + the running part since `overall_since`). Both pause while the report waits on the
//! resident (RESOLVED) and restart on reopen.
//!
//! **Timers.** The report row carries its timer: `sla_warn_at` (the stage's warning, by default at 75% of the
//! target), `sla_due_at` (the current holder's time is up) and `sla_fires_at`, the next of those the job must act
//! on (indexed: only reports with a timer are in the index). The row's status change and its timer are written by
//! the same UPDATE: a timer costs a write no statement. [`fire_due`] claims due rows (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so replicas never fire one twice; SQLite has one writer), in batches, each batch one transaction:
//! a warning goes to the current holder once; a breach escalates one level (skipping vacant ones). Because the time
//! is on the row, a timer that passed while every server was down fires at the first round of the first server
//! back.
//!
//! **Escalation.** Head stages climb neighbour head → group head → area head → community admin → street admin;
//! company stages climb property company → community admin → street admin. A level nobody holds is skipped at
//! once (also at submission: a vacant neighbourhood starts the report with the first staffed level). Each step is a
//! timeline event (ESCALATED, from, to, why), a notification to the new holders and to the previous ones, and gives
//! the new holder a fresh target for the same stage. A stage that breaches at the top stays there, breached. A new
//! head stage keeps the level that holds the report (who took it over keeps it); a company stage starts at the
//! company.
pub mod calendar;
pub mod edit;
pub mod overdue;

use chrono::{DateTime, Duration, Utc};
use entity::enums::{CalendarDayKind, EscalationReason, EventKind, GridLevel, Moderation, ReportStatus, SlaStage, Urgency};
use entity::{calendar_day, category, report, work_calendar};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockBehavior, LockType, SimpleExpr},
};
use serde::Serialize;
use uuid::Uuid;

pub use calendar::Calendar;

use crate::auth::Role;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::service::events::{Change, DomainEvent, ReportChange};
use crate::service::report::machine::Party;
use crate::state::AppState;

/// The calendar a district's stored hours and special days make (the office default where it has none).
pub fn calendar_of(hours: Option<&work_calendar::Model>, days: &[calendar_day::Model]) -> Calendar {
    let mut cal = Calendar::office();
    if let Some(h) = hours {
        cal.start_minute = Ord::max(h.work_start_minute, 0) as u32;
        cal.end_minute = Ord::max(h.work_end_minute, 0) as u32;
        cal.weekdays = weekdays_of(&h.weekdays);
        cal.warn_percent = h.warn_percent.clamp(1, 99) as u32;
    }
    let days: Vec<_> = days
        .iter()
        .map(|d| {
            let kind = match d.kind {
                CalendarDayKind::Holiday => calendar::DayKind::Holiday,
                CalendarDayKind::Workday => calendar::DayKind::Workday,
            };
            (d.day, kind)
        })
        .collect();
    cal.with_days(&days)
}

/// "1,2,3,4,5" → Monday..Friday.
pub fn weekdays_of(s: &str) -> [bool; 7] {
    let mut w = [false; 7];
    for d in s.split(',').filter_map(|x| x.trim().parse::<usize>().ok()) {
        if (1..=7).contains(&d) {
            w[d - 1] = true;
        }
    }
    w
}

/// The stage a report in `status` is in (none: it waits on the resident or is over).
pub fn stage_of(status: ReportStatus, has_company: bool) -> Option<SlaStage> {
    match status {
        ReportStatus::Submitted => Some(SlaStage::Acknowledge),
        ReportStatus::Acknowledged => Some(SlaStage::Handle),
        ReportStatus::Dispatched => Some(SlaStage::Start),
        ReportStatus::InProgress => Some(SlaStage::Resolve),
        ReportStatus::Reopened if has_company => Some(SlaStage::Start),
        ReportStatus::Reopened => Some(SlaStage::Handle),
        ReportStatus::Resolved
        | ReportStatus::Closed
        | ReportStatus::Rejected
        | ReportStatus::Duplicate
        | ReportStatus::Cancelled => None,
    }
}

/// The target of `stage` for a report of `cat` with `urgency`, in (business) minutes.
pub fn target_minutes(cat: &category::Model, urgency: Urgency, stage: SlaStage) -> i64 {
    let urgent = urgency == Urgency::Urgent;
    let hours = match (stage, urgent) {
        (SlaStage::Acknowledge, false) => cat.ack_hours_normal,
        (SlaStage::Acknowledge, true) => cat.ack_hours_urgent,
        (SlaStage::Handle, false) => cat.dispatch_hours_normal,
        (SlaStage::Handle, true) => cat.dispatch_hours_urgent,
        (SlaStage::Start, false) => cat.start_hours_normal,
        (SlaStage::Start, true) => cat.start_hours_urgent,
        (SlaStage::Resolve, false) => cat.resolve_hours_normal,
        (SlaStage::Resolve, true) => cat.resolve_hours_urgent,
    };
    i64::from(Ord::max(hours, 1)) * 60
}

/// The levels a stage climbs, lowest first.
pub fn ladder(stage: SlaStage, has_company: bool) -> &'static [GridLevel] {
    const HEADS: [GridLevel; 5] =
        [GridLevel::NeighbourHead, GridLevel::GroupHead, GridLevel::AreaHead, GridLevel::CommunityAdmin, GridLevel::StreetAdmin];
    const COMPANY: [GridLevel; 3] = [GridLevel::Property, GridLevel::CommunityAdmin, GridLevel::StreetAdmin];
    match stage {
        SlaStage::Start | SlaStage::Resolve if has_company => &COMPANY,
        SlaStage::Acknowledge | SlaStage::Handle | SlaStage::Start | SlaStage::Resolve => &HEADS,
    }
}

/// Whether a report is past its current due time: the timer job marks it breached, and until its next run the due
/// time says so (the report's clocks, and the inbox's `overdue` filter).
pub fn is_past_due(r: &report::Model, now: DateTime<Utc>) -> bool {
    r.sla_breached || r.sla_due_at.is_some_and(|d| d <= now)
}

/// The inbox and queue order key: an escalated report comes before every report that is not; within each, each
/// supporter counts as an hour more of waiting (at most 24), then the longest waiting first (`docs/sla.md`).
pub fn queue_key(waiting_since: DateTime<Utc>, escalated: bool, supporters: i32) -> DateTime<Utc> {
    let boost = Duration::hours(i64::from(supporters.clamp(0, 24))) + if escalated { Duration::days(3650) } else { Duration::zero() };
    waiting_since - boost
}

/// The units above a report, for finding who holds each level.
#[derive(Clone, Copy, Debug)]
pub struct Units {
    neighbourhood: Option<Uuid>,
    group: Option<Uuid>,
    area: Option<Uuid>,
    community: Uuid,
    street: Option<Uuid>,
    company: Option<Uuid>,
}

impl Units {
    /// The units of a report placed under these.
    pub fn new(
        neighbourhood: Option<Uuid>,
        group: Option<Uuid>,
        area: Option<Uuid>,
        community: Uuid,
        street: Option<Uuid>,
        company: Option<Uuid>,
    ) -> Units {
        Units { neighbourhood, group, area, community, street, company }
    }

    /// The units of `r` (the street from the lookup cache).
    pub async fn of(state: &AppState, db: &impl ConnectionTrait, r: &report::Model) -> AppResult<Units> {
        let street = state.lookup.street_and_district(db, r.community_id).await?.map(|(s, _)| s);
        Ok(Units::new(r.neighbourhood_id, r.group_id, r.area_id, r.community_id, street, r.company_id))
    }

    /// The appointment (role, scope) that holds `level`.
    pub fn role_scope(&self, level: GridLevel) -> Option<(Role, Uuid)> {
        match level {
            GridLevel::Property => self.company.map(|c| (Role::PropertyStaff, c)),
            GridLevel::NeighbourHead => self.neighbourhood.map(|n| (Role::NeighbourHead, n)),
            GridLevel::GroupHead => self.group.map(|g| (Role::GroupHead, g)),
            GridLevel::AreaHead => self.area.map(|a| (Role::AreaHead, a)),
            GridLevel::CommunityAdmin => Some((Role::CommunityAdmin, self.community)),
            GridLevel::StreetAdmin => self.street.map(|s| (Role::StreetAdmin, s)),
        }
    }
}

/// Who holds each level of a report now.
#[derive(Clone, Debug, Default)]
pub struct Holders(Vec<(GridLevel, Uuid)>);

impl Holders {
    /// The holders of `level`.
    pub fn of(&self, level: GridLevel) -> Vec<Uuid> {
        self.0.iter().filter(|(l, _)| *l == level).map(|(_, u)| *u).collect()
    }

    /// Nobody holds `level`.
    pub fn vacant(&self, level: GridLevel) -> bool {
        !self.0.iter().any(|(l, _)| *l == level)
    }
}

/// The holders of every level of `units` in force at `now`, in one statement.
///
/// Written as SQL text rather than built with sea_query: it runs on every submission and every escalation, and
/// building its five-way OR through the query builder cost more instructions than running it (callgrind,
/// bench/RESULTS.md round 9). The shape is that of `people::in_force` over the `(scope_id, role)` index.
pub async fn holders(db: &impl ConnectionTrait, units: &Units, levels: &[GridLevel], now: DateTime<Utc>) -> AppResult<Holders> {
    use sea_orm::ActiveEnum;
    let pairs: Vec<(GridLevel, Role, Uuid)> =
        levels.iter().filter_map(|l| units.role_scope(*l).map(|(role, scope)| (*l, role, scope))).collect();
    if pairs.is_empty() {
        return Ok(Holders::default());
    }
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(2 + 2 * pairs.len());
    let mut sql = String::with_capacity(160 + 40 * pairs.len());
    let mut param = |sql: &mut String, v: sea_orm::Value| {
        values.push(v);
        if backend == sea_orm::DbBackend::Postgres {
            sql.push('$');
            sql.push_str(&values.len().to_string());
        } else {
            sql.push('?');
        }
    };
    sql.push_str("SELECT role, scope_id, user_id FROM appointment WHERE starts_at <= ");
    param(&mut sql, now.into());
    sql.push_str(" AND (ends_at IS NULL OR ends_at > ");
    param(&mut sql, now.into());
    sql.push_str(") AND (");
    for (i, (_, role, scope)) in pairs.iter().enumerate() {
        sql.push_str(if i == 0 { "(scope_id = " } else { " OR (scope_id = " });
        param(&mut sql, (*scope).into());
        sql.push_str(" AND role = ");
        param(&mut sql, role.to_value().into());
        sql.push(')');
    }
    sql.push(')');
    let rows = db.query_all_raw(sea_orm::Statement::from_sql_and_values(backend, sql, values)).await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in &rows {
        let role = Role::try_from_value(&crate::service::rows::col::<String>(row, 0)?)?;
        found.push((role, crate::service::rows::col::<Uuid>(row, 1)?, crate::service::rows::col::<Uuid>(row, 2)?));
    }
    let mut out = Vec::new();
    for (level, role, scope) in pairs {
        out.extend(found.iter().filter(|(r, s, _)| *r == role && *s == scope).map(|(_, _, u)| (level, *u)));
    }
    Ok(Holders(out))
}

/// The first level of `ladder` at or above `from` that somebody holds (none: all vacant).
pub fn first_staffed(ladder: &[GridLevel], from: usize, h: &Holders) -> Option<GridLevel> {
    ladder.iter().skip(from).find(|l| !h.vacant(**l)).copied()
}

/// What planning a report's SLA needs: its category's targets and its district's calendar.
pub struct Policy {
    /// The calendar.
    pub cal: std::sync::Arc<Calendar>,
    /// The category.
    pub cat: category::Model,
    /// Round the clock (urgent).
    pub urgent: bool,
    /// Its urgency.
    pub urgency: Urgency,
}

impl Policy {
    /// The policy for a report of `category` with `urgency` in `community`.
    pub async fn of(state: &AppState, db: &impl ConnectionTrait, category: Uuid, urgency: Urgency, community: Uuid) -> AppResult<Policy> {
        let cat = crate::service::report::category::get(state, db, category)
            .await?
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("report category {category} is missing")))?;
        let cal = match state.lookup.street_and_district(db, community).await? {
            Some((_, district)) => state.lookup.calendar(db, district).await?,
            None => std::sync::Arc::new(Calendar::office()),
        };
        Ok(Policy { cal, cat, urgent: urgency == Urgency::Urgent, urgency })
    }

    /// (warn at, due at) for a stage that starts (or a holder that takes it over) at `from`.
    pub fn times(&self, stage: SlaStage, from: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let target = target_minutes(&self.cat, self.urgency, stage);
        let warn = self.cal.add(from, self.cal.warn_minutes(target), self.urgent);
        (warn, self.cal.add(from, target, self.urgent))
    }

    /// Business minutes from `a` to `b`.
    pub fn minutes(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.cal.minutes_between(a, b, self.urgent)
    }
}

/// The SLA columns of a new report at `now`, held by `level`.
pub fn for_new(p: &Policy, level: GridLevel, now: DateTime<Utc>) -> Vec<(report::Column, SimpleExpr)> {
    let (warn, due) = p.times(SlaStage::Acknowledge, now);
    vec![
        (report::Column::SlaStage, Expr::value(SlaStage::Acknowledge)),
        (report::Column::SlaLevel, Expr::value(level)),
        (report::Column::SlaStageSince, Expr::value(now)),
        (report::Column::SlaWarnAt, Expr::value(warn)),
        (report::Column::SlaDueAt, Expr::value(due)),
        (report::Column::SlaFiresAt, Expr::value(warn)),
        (report::Column::OverallSince, Expr::value(now)),
    ]
}

/// The SLA columns a status change of `r` to `to` at `now` writes, with the report's new inbox key. Called only
/// when the status changes; an action that keeps the status (a comment, an urge) keeps the clocks.
pub fn on_status(p: &Policy, r: &report::Model, to: ReportStatus, now: DateTime<Utc>) -> Vec<(report::Column, SimpleExpr)> {
    use report::Column as C;
    let mut sets = Vec::new();
    let has_company = r.company_id.is_some() || to == ReportStatus::Dispatched;
    let running = |since: Option<DateTime<Utc>>| since.map(|s| p.minutes(s, now)).unwrap_or(0);
    let mut escalated = r.escalated_at.is_some();
    match stage_of(to, has_company) {
        Some(stage) => {
            let (warn, due) = p.times(stage, now);
            sets.push((C::SlaStage, Expr::value(stage)));
            sets.push((C::SlaStageSince, Expr::value(now)));
            sets.push((C::SlaWarnAt, Expr::value(warn)));
            sets.push((C::SlaDueAt, Expr::value(due)));
            sets.push((C::SlaFiresAt, Expr::value(warn)));
            sets.push((C::SlaWarned, Expr::value(false)));
            sets.push((C::SlaBreached, Expr::value(false)));
            sets.push((C::SlaUrges, Expr::value(0)));
            if ladder(stage, has_company)[0] == GridLevel::Property {
                // The company holds a stage of its own from the start.
                sets.push((C::SlaLevel, Expr::value(GridLevel::Property)));
                sets.push((C::EscalatedAt, Expr::value(Option::<DateTime<Utc>>::None)));
                escalated = false;
            } else if r.sla_level.is_none_or(|l| l == GridLevel::Property) {
                // Back with the heads (a reopened report no company worked on, or one from before the clocks).
                sets.push((C::SlaLevel, Expr::value(GridLevel::NeighbourHead)));
            }
            if r.overall_since.is_none() {
                // Reopened: the overall clock runs again.
                sets.push((C::OverallSince, Expr::value(now)));
            }
        }
        None => {
            // Waiting on the resident, or over: no timer, both clocks stop (the overall one banks what it ran).
            sets.push((C::SlaStage, Expr::value(Option::<String>::None)));
            for c in [C::SlaStageSince, C::SlaWarnAt, C::SlaDueAt, C::SlaFiresAt] {
                sets.push((c, Expr::value(Option::<DateTime<Utc>>::None)));
            }
            sets.push((C::OverallMinutes, Expr::value(r.overall_minutes + running(r.overall_since) as i32)));
            sets.push((C::OverallSince, Expr::value(Option::<DateTime<Utc>>::None)));
        }
    }
    sets.push((C::QueueAt, Expr::value(queue_key(now, escalated, r.support_count))));
    sets
}

/// A report's clocks as a caller sees them.
#[derive(Clone, Debug)]
pub struct Clocks {
    /// The stage (none: paused or over).
    pub stage: Option<SlaStage>,
    /// When the current holder's time is up.
    pub due_at: Option<DateTime<Utc>>,
    /// When the holder is (or was) warned.
    pub warn_at: Option<DateTime<Utc>>,
    /// The stage went past its due time.
    pub breached: bool,
    /// Business minutes in this stage.
    pub stage_minutes: i64,
    /// Business minutes since submission, pauses left out.
    pub overall_minutes: i64,
    /// Waiting on the resident.
    pub paused: bool,
}

/// The clocks of `r` at `now`.
pub fn clocks(p: &Policy, r: &report::Model, now: DateTime<Utc>) -> Clocks {
    let stage_minutes = match (r.sla_stage, r.sla_stage_since) {
        (Some(_), Some(since)) => p.minutes(since, now),
        _ => 0,
    };
    let overall = i64::from(r.overall_minutes) + r.overall_since.map(|s| p.minutes(s, now)).unwrap_or(0);
    Clocks {
        stage: r.sla_stage,
        due_at: r.sla_due_at,
        warn_at: r.sla_warn_at,
        breached: is_past_due(r, now),
        stage_minutes,
        overall_minutes: overall,
        paused: r.status == ReportStatus::Resolved,
    }
}

/// One escalation step, as the timeline, the notifications and the log record it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// From which level.
    pub from: GridLevel,
    /// To which.
    pub to: GridLevel,
    /// Why.
    pub reason: EscalationReason,
    /// The levels skipped because nobody holds them.
    pub skipped: Vec<GridLevel>,
    /// Who holds the new level (told).
    pub new_holders: Vec<Uuid>,
    /// Who held the old one (told).
    pub old_holders: Vec<Uuid>,
}

fn level_zh(l: GridLevel) -> &'static str {
    match l {
        GridLevel::Property => "物业公司",
        GridLevel::NeighbourHead => "邻长",
        GridLevel::GroupHead => "组长",
        GridLevel::AreaHead => "片长",
        GridLevel::CommunityAdmin => "社区",
        GridLevel::StreetAdmin => "街道",
    }
}

fn stage_zh(s: SlaStage) -> &'static str {
    match s {
        SlaStage::Acknowledge => "受理",
        SlaStage::Handle => "处置",
        SlaStage::Start => "开工",
        SlaStage::Resolve => "办结",
    }
}

/// The note of an escalation step (the timeline shows it; the structured fields carry the same).
fn step_note(s: &Step, stage: SlaStage) -> String {
    let why = match s.reason {
        EscalationReason::Overdue => format!("{}超时", stage_zh(stage)),
        EscalationReason::Urged => "居民再次催办，已超时".to_owned(),
        EscalationReason::Vacant => format!("{}暂无人员", level_zh(s.from)),
    };
    let skipped: Vec<&str> = s.skipped.iter().map(|l| level_zh(*l)).collect();
    let skipped = if skipped.is_empty() { String::new() } else { format!("（{}暂无人员，已跳过）", skipped.join("、")) };
    format!("{why}，由{}升级至{}{skipped}", level_zh(s.from), level_zh(s.to))
}

/// Moves `r` up one staffed level in `change` for `reason` (the timeline step, the notifications and the log are
/// the event's subscribers). At the top (or with every level above vacant) the stage stays where it is, breached,
/// without a timer. Returns the row after, or none when it could not move.
pub async fn escalate(
    change: &mut Change<'_>,
    state: &AppState,
    r: &report::Model,
    reason: EscalationReason,
    now: DateTime<Utc>,
) -> AppResult<Option<report::Model>> {
    let (Some(stage), Some(level)) = (r.sla_stage, r.sla_level) else { return Ok(None) };
    let steps = ladder(stage, r.company_id.is_some());
    let pos = steps.iter().position(|l| *l == level).unwrap_or(0);
    let units = Units::of(state, change.db(), r).await?;
    let h = holders(change.db(), &units, steps, now).await?;
    let policy = Policy::of(state, change.db(), r.category_id, r.urgency, r.community_id).await?;
    let Some(to) = first_staffed(steps, pos + 1, &h) else {
        // Nowhere to go: breached where it is, no more timer.
        report::Entity::update_many()
            .col_expr(report::Column::SlaBreached, Expr::value(true))
            .col_expr(report::Column::SlaWarned, Expr::value(true))
            .col_expr(report::Column::SlaFiresAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(report::Column::Id.eq(r.id))
            .exec(change.db())
            .await?;
        change.emit(DomainEvent::SlaBreached { report: r.id, stage, level }).await?;
        return Ok(None);
    };
    let skipped = steps[pos + 1..].iter().take_while(|l| **l != to).copied().collect();
    let step = Step { from: level, to, reason, skipped, new_holders: h.of(to), old_holders: h.of(level) };
    let (_, due) = policy.times(stage, now);
    Ok(Some(move_to(change, r, stage, step, due, now).await?))
}

/// Writes an escalation step of `r` (already decided) and emits it.
async fn move_to(
    change: &mut Change<'_>,
    r: &report::Model,
    stage: SlaStage,
    step: Step,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<report::Model> {
    let event_id = new_id();
    let breached = step.reason != EscalationReason::Vacant;
    let rows = report::Entity::update_many()
        .col_expr(report::Column::SlaLevel, Expr::value(step.to))
        .col_expr(report::Column::SlaDueAt, Expr::value(due))
        .col_expr(report::Column::SlaFiresAt, Expr::value(due))
        // After a breach the stage stays on the overdue board; the new holder's alarm is the escalation itself.
        .col_expr(report::Column::SlaWarned, Expr::value(breached || r.sla_warned))
        .col_expr(report::Column::SlaBreached, Expr::value(breached || r.sla_breached))
        .col_expr(report::Column::EscalatedAt, Expr::value(now))
        .col_expr(report::Column::Escalations, Expr::col(report::Column::Escalations).add(1))
        .col_expr(report::Column::QueueAt, Expr::value(queue_key(r.waiting_since, true, r.support_count)))
        .col_expr(report::Column::LastEventId, Expr::value(event_id))
        .col_expr(report::Column::LastEventKind, Expr::value(EventKind::Escalated))
        .col_expr(report::Column::LastEventAt, Expr::value(now))
        .filter(report::Column::Id.eq(r.id));
    let row = returning(change.db(), rows, r.id).await?;
    let note = step_note(&step, stage);
    let event = ReportChange {
        report: row.clone(),
        event_id,
        kind: EventKind::Escalated,
        from: Some(r.status),
        to: r.status,
        party: Party::System,
        role: entity::enums::ActorRole::System,
        note_moderation: Moderation::Pass,
        note: Some(note),
        escalation: Some(step),
        holders: None,
    };
    change.emit(DomainEvent::ReportEscalated(event)).await?;
    Ok(row)
}

/// Runs `update` (of report `id`) and returns the row after it: from the UPDATE itself on PostgreSQL, read back in
/// the transaction on SQLite.
pub async fn returning(
    db: &sea_orm::DatabaseTransaction,
    update: sea_orm::UpdateMany<report::Entity>,
    id: Uuid,
) -> AppResult<report::Model> {
    if db.support_returning() {
        return crate::service::rows::update_returning(db, update).await?.pop().ok_or_else(crate::service::report::act::not_found);
    }
    update.exec(db).await?;
    report::Entity::find_by_id(id).one(db).await?.ok_or_else(crate::service::report::act::not_found)
}

/// At submission: when nobody holds the neighbour-head level, the report goes at once to the first level that
/// somebody holds (an ESCALATED step, reason VACANT). `level` is the level [`for_new`] was given.
pub async fn skip_vacant_at_submit(
    change: &mut Change<'_>,
    r: &report::Model,
    from: GridLevel,
    step_to: GridLevel,
    h: &Holders,
    p: &Policy,
    now: DateTime<Utc>,
) -> AppResult<report::Model> {
    let steps = ladder(SlaStage::Acknowledge, false);
    let skipped = steps.iter().skip(1).take_while(|l| **l != step_to).copied().collect();
    let step = Step { from, to: step_to, reason: EscalationReason::Vacant, skipped, new_holders: h.of(step_to), old_holders: Vec::new() };
    let (_, due) = p.times(SlaStage::Acknowledge, now);
    move_to(change, r, SlaStage::Acknowledge, step, due, now).await
}

/// How many due timers one transaction claims.
pub const BATCH: u64 = 100;

/// One round of the timer job: claims the reports whose timer is due at the clock's now and fires each (a warning
/// or a breach), a batch per transaction, until none is due. Returns how many it fired.
pub async fn fire_due(state: &AppState) -> AppResult<usize> {
    let mut fired = 0;
    loop {
        let (n, claimed) = fire_batch(state, BATCH).await?;
        fired += n;
        if claimed < BATCH as usize {
            return Ok(fired);
        }
    }
}

/// Claims at most `limit` due timers in one transaction and fires them: (fired, claimed).
pub async fn fire_batch(state: &AppState, limit: u64) -> AppResult<(usize, usize)> {
    let now = state.clock.now();
    let mut change = Change::begin_at(state, None, now).await?;
    let mut q = report::Entity::find()
        .filter(report::Column::SlaFiresAt.lte(now))
        .order_by_asc(report::Column::SlaFiresAt)
        .limit(limit);
    if state.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Rows another replica has claimed are skipped, not waited for: each timer fires in one replica.
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = q.all(change.db()).await?;
    let claimed = due.len();
    let mut fired = 0;
    for r in due {
        if fire_one(&mut change, state, &r, now).await? {
            fired += 1;
        }
    }
    change.commit().await?;
    Ok((fired, claimed))
}

/// Fires `r`'s timer: the warning if it is not given yet and the due time is still ahead, else the breach.
async fn fire_one(change: &mut Change<'_>, state: &AppState, r: &report::Model, now: DateTime<Utc>) -> AppResult<bool> {
    let (Some(stage), Some(level), Some(due)) = (r.sla_stage, r.sla_level, r.sla_due_at) else {
        // A timer without a stage (cannot happen through the service): drop it.
        clear_timer(change, r.id).await?;
        return Ok(false);
    };
    if !r.sla_warned && now < due {
        report::Entity::update_many()
            .col_expr(report::Column::SlaWarned, Expr::value(true))
            .col_expr(report::Column::SlaFiresAt, Expr::value(due))
            .filter(report::Column::Id.eq(r.id))
            .exec(change.db())
            .await?;
        let units = Units::of(state, change.db(), r).await?;
        let holders = holders(change.db(), &units, &[level], now).await?.of(level);
        change.emit(DomainEvent::SlaWarned { report: r.clone(), stage, level, due_at: due, holders }).await?;
        return Ok(true);
    }
    escalate(change, state, r, EscalationReason::Overdue, now).await?;
    Ok(true)
}

async fn clear_timer(change: &Change<'_>, id: Uuid) -> AppResult<()> {
    report::Entity::update_many()
        .col_expr(report::Column::SlaFiresAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(report::Column::Id.eq(id))
        .exec(change.db())
        .await?;
    Ok(())
}

/// Runs the timer job every `interval` (with the other jobs, in each replica whose `LINLI_JOBS` is on).
pub fn spawn(state: AppState, interval: std::time::Duration) {
    crate::service::jobs::every(state, interval, "fired SLA timers", |s| async move { fire_due(&s).await });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_open_status_has_a_stage_and_waiting_on_the_resident_has_none() {
        use crate::service::report::machine::ALL_STATUSES;
        for s in ALL_STATUSES {
            let open = !crate::service::report::machine::is_terminal(s) && s != ReportStatus::Resolved;
            assert_eq!(stage_of(s, false).is_some(), open, "{s:?}");
        }
        assert_eq!(stage_of(ReportStatus::Reopened, true), Some(SlaStage::Start));
        assert_eq!(stage_of(ReportStatus::Reopened, false), Some(SlaStage::Handle));
    }

    #[test]
    fn the_inbox_key_puts_escalated_first_and_supporters_raise_a_report_by_hours() {
        let t = Utc::now();
        let older = t - Duration::hours(3);
        assert!(queue_key(t, true, 0) < queue_key(older, false, 0), "escalated beats waiting longer");
        assert!(queue_key(t, false, 5) < queue_key(older, false, 0), "five supporters beat three hours");
        assert!(queue_key(t, false, 2) > queue_key(older, false, 0), "two supporters do not");
        assert_eq!(queue_key(t, false, 100), queue_key(t, false, 24), "capped at a day");
    }

    #[test]
    fn a_company_stage_climbs_to_the_community_and_a_head_stage_through_every_head() {
        assert_eq!(ladder(SlaStage::Start, true)[1], GridLevel::CommunityAdmin);
        assert_eq!(ladder(SlaStage::Acknowledge, false).len(), 5);
        let h = Holders(vec![(GridLevel::AreaHead, Uuid::nil())]);
        assert_eq!(first_staffed(ladder(SlaStage::Acknowledge, false), 1, &h), Some(GridLevel::AreaHead));
        assert_eq!(first_staffed(ladder(SlaStage::Acknowledge, false), 3, &h), None);
    }
}
