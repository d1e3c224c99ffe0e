//! `linli bench-ceiling`: the ceiling the load harness compares against. It runs, for each scenario, the same
//! indexed statements the API request runs (same tables, filters, order and limits, built with the same query
//! builders), straight through a pool configured like the server's, from N concurrent tasks, with no HTTP, no
//! GraphQL, no authentication. The API's throughput is then quoted as a ratio of this, measured in the same run.
use std::time::{Duration, Instant};

use chrono::Utc;
use entity::{app_user, appointment, report, report_comment, report_event, residence};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::seed::Manifest;
use crate::service::report::machine::Status;
use crate::service::report::{Urgency, query};
use crate::service::rows;
use crate::service::report::submit::{NewRow, Placement, new_event, new_row};

/// The server's defaults (no subscribe templates: notifications are in-app, as in the benchmark's server).
static CONFIG: std::sync::LazyLock<crate::config::Config> =
    std::sync::LazyLock::new(|| crate::config::Config::from_lookup(|_| None).expect("default configuration"));

/// Parameters the statements need, looked up once before the clock starts.
pub struct Inputs {
    residents: Vec<Uuid>,
    /// (head user, neighbourhood)
    heads: Vec<(Uuid, Uuid)>,
    /// (area head user, area)
    area_heads: Vec<(Uuid, Uuid)>,
    /// companies with staff
    companies: Vec<Uuid>,
    /// (report, reader)
    reports: Vec<(Uuid, Uuid)>,
    /// fresh reports to acknowledge (report, head)
    acks: Vec<(Uuid, Uuid)>,
    /// category ids
    categories: Vec<Uuid>,
    /// a resident's verified home: (user, building, neighbourhood, group, area, community, compound)
    homes: Vec<(Uuid, Uuid, Uuid, Uuid, Uuid, Uuid, Uuid)>,
}

/// Looks up the scopes behind the manifest's users (not timed).
pub async fn inputs(db: &DatabaseConnection, m: &Manifest) -> anyhow::Result<Inputs> {
    let scope_of = |role: &'static str, users: Vec<Uuid>| async move {
        let rows = appointment::Entity::find()
            .filter(appointment::Column::Role.eq(role))
            .filter(appointment::Column::UserId.is_in(users))
            .all(db)
            .await?;
        Ok::<_, anyhow::Error>(rows.into_iter().map(|a| (a.user_id, a.scope_id)).collect::<Vec<_>>())
    };
    let heads = scope_of("NEIGHBOUR_HEAD", m.neighbour_heads.clone()).await?;
    let area_heads = scope_of("AREA_HEAD", m.area_heads.clone()).await?;
    let companies = scope_of("PROPERTY_STAFF", m.busy_staff.clone()).await?.into_iter().map(|(_, c)| c).collect();
    let mut homes = Vec::new();
    let rows = residence::Entity::find()
        .filter(residence::Column::UserId.is_in(m.residents.iter().take(500).copied().collect::<Vec<_>>()))
        .all(db)
        .await?;
    for r in rows {
        let Some(n) = r.neighbourhood_id else { continue };
        let Some(nb) = entity::neighbourhood::Entity::find_by_id(n).one(db).await? else { continue };
        let Some(g) = entity::grid_group::Entity::find_by_id(nb.group_id).one(db).await? else { continue };
        homes.push((r.user_id, r.building_id, n, g.id, g.area_id, r.community_id, nb.compound_id));
    }
    Ok(Inputs {
        residents: m.residents.clone(),
        heads,
        area_heads,
        companies,
        reports: m.reports.clone(),
        acks: m.to_acknowledge.clone(),
        categories: m.categories.clone(),
        homes,
    })
}

/// Throughput and latency of one ceiling run.
#[derive(Debug, serde::Serialize)]
pub struct Outcome {
    /// Completed iterations.
    pub requests: u64,
    /// Iterations per second.
    pub rps: f64,
    /// Median latency.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Failed iterations.
    pub errors: u64,
}

/// Runs `scenario` from `concurrency` tasks for `duration`. `ack_slice` = (k, n): use the k-th of n slices of the
/// fresh reports, as the HTTP run of the same scenario does with a different slice.
pub async fn run(
    db: &DatabaseConnection,
    inputs: std::sync::Arc<Inputs>,
    scenario: &str,
    concurrency: usize,
    duration: Duration,
    ack_slice: (usize, usize),
) -> anyhow::Result<Outcome> {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let db = db.clone();
        let inputs = inputs.clone();
        let scenario = scenario.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(w as u64 + 1);
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let per = inputs.acks.len() / ack_slice.1.max(1);
            let mut ack_i = (ack_slice.0 - 1) * per + w;
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = match scenario.as_str() {
                    "acknowledge" => {
                        let i = ack_i.min(inputs.acks.len().saturating_sub(1));
                        ack_i += concurrency;
                        acknowledge(&db, inputs.acks[i].0, inputs.acks[i].1).await
                    }
                    s => once(&db, &inputs, s, &mut rng).await,
                };
                if ok.is_err() {
                    errors += 1;
                }
                lat.push(t.elapsed());
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await?;
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i].as_secs_f64() * 1000.0
    };
    Ok(Outcome {
        requests: all.len() as u64,
        rps: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        errors,
    })
}

fn pick<'a, T>(rng: &mut StdRng, v: &'a [T]) -> &'a T {
    &v[rng.random_range(0..v.len())]
}


/// The statements of one request of `scenario`.
async fn once(db: &DatabaseConnection, i: &Inputs, scenario: &str, rng: &mut StdRng) -> anyhow::Result<()> {
    match scenario {
        "my_reports" => {
            let user = *pick(rng, &i.residents);
            let q = report::Entity::find()
                .filter(report::Column::ReporterId.eq(user))
                .order_by_desc(report::Column::Id)
                .limit(21);
            rows::one::<report::Model>(&rows::raw(db, &q).await?)?;
        }
        "inbox" | "area_inbox" | "area_inbox_closed" | "queue" => {
            let (col, scope, statuses): (report::Column, Uuid, &[Status]) = match scenario {
                "inbox" => (report::Column::NeighbourhoodId, pick(rng, &i.heads).1, &query::NEEDS_HEAD),
                "area_inbox" => (report::Column::AreaId, pick(rng, &i.area_heads).1, &query::NEEDS_HEAD),
                "area_inbox_closed" => (report::Column::AreaId, pick(rng, &i.area_heads).1, &[Status::Closed]),
                _ => (report::Column::CompanyId, *pick(rng, &i.companies), &query::NEEDS_COMPANY),
            };
            // One statement, the server's own: the page of reports. The reporter's name and the newest event's kind
            // and time are columns of the report, categories come from the server's in-process cache, and the
            // caller is a party to every report in their inbox, so none of them costs a statement.
            let q = query::waiting_select(Condition::all().add(col.is_in([scope])), statuses)
                .order_by_asc(report::Column::WaitingSince)
                .order_by_asc(report::Column::Id)
                .limit(21);
            rows::one::<report::Model>(&rows::raw(db, &q).await?)?;
        }
        "report" => {
            let (id, reader) = *pick(rng, &i.reports);
            rows::one::<report::Model>(&rows::raw(db, &report::Entity::find_by_id(id)).await?)?
                .pop()
                .ok_or_else(|| anyhow::anyhow!("missing report"))?;
            let _ = reader; // the reporter reads it: a party, so no home lookup
            // The timeline with each event's actor joined in, and the comments (the client shows no author). The
            // compound comes from the server's in-process cache.
            let q = report_event::Entity::find()
                .filter(report_event::Column::ReportId.eq(id))
                .order_by_asc(report_event::Column::Id)
                .limit(21)
                .find_also_related(app_user::Entity);
            rows::two::<report_event::Model, app_user::Model>(&rows::raw(db, &q).await?)?;
            let q = report_comment::Entity::find()
                .filter(report_comment::Column::ReportId.eq(id))
                .order_by_asc(report_comment::Column::Id)
                .limit(21);
            rows::one::<report_comment::Model>(&rows::raw(db, &q).await?)?;
        }
        "submit" => {
            let h = *pick(rng, &i.homes);
            let cat = *pick(rng, &i.categories);
            submit(db, h, cat).await?;
        }
        other => anyhow::bail!("unknown scenario {other}"),
    }
    Ok(())
}

/// A submit: the reporter's verified homes, then the report and its first event in one transaction.
async fn submit(db: &DatabaseConnection, h: (Uuid, Uuid, Uuid, Uuid, Uuid, Uuid, Uuid), cat: Uuid) -> anyhow::Result<()> {
    let (user, building, nbh, group, area, community, compound_id) = h;
    let homes = crate::service::report::submit::home_rows(db, user).await?;
    let reporter_name = homes.into_iter().next().map(|h| h.reporter_name).unwrap_or_default();
    let now = Utc::now();
    let (id, ev) = (Uuid::now_v7(), Uuid::now_v7());
    let txn = db.begin().await?;
    let placement = Placement {
        compound: compound_id,
        building: Some(building),
        unit: Some(1),
        room: Some("101".into()),
        public_area: None,
        latitude: None,
        longitude: None,
        neighbourhood: Some(nbh),
        group: Some(group),
        area: Some(area),
        community,
    };
    let row = new_row(NewRow {
        id,
        event_id: ev,
        now,
        reporter: user,
        reporter_name,
        category: cat,
        description: "楼道灯坏了，晚上回家很不方便".into(),
        urgency: Urgency::Normal,
        anonymous: false,
        idempotency_key: None,
        placement,
    })
    .insert(&txn)
    .await?;
    new_event(ev, id, user, now).insert(&txn).await?;
    // The neighbour head's notification, as the server writes it in the same transaction.
    crate::service::notify::for_event(&txn, &CONFIG, &row, "SUBMITTED", Some(user), None, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    txn.commit().await?;
    Ok(())
}

async fn event(
    txn: &sea_orm::DatabaseTransaction,
    id: Uuid,
    report_id: Uuid,
    kind: &str,
    role: &str,
    from: Option<&str>,
    actor: Option<Uuid>,
) -> anyhow::Result<()> {
    report_event::ActiveModel {
        id: Set(id),
        created_at: Set(Utc::now()),
        kind: Set(kind.into()),
        actor_role: Set(role.into()),
        from_status: Set(from.map(Into::into)),
        to_status: Set(Some(kind.into())),
        note: Set(None),
        report_id: Set(report_id),
        actor_id: Set(actor),
        moderation: Set("PASS".into()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The statements of an acknowledge: read the report, then the version-guarded update and its event.
async fn acknowledge(db: &DatabaseConnection, id: Uuid, head: Uuid) -> anyhow::Result<()> {
    let r = report::Entity::find_by_id(id).one(db).await?.ok_or_else(|| anyhow::anyhow!("missing report"))?;
    let now = Utc::now();
    let ev = Uuid::now_v7();
    let txn = db.begin().await?;
    let n = report::Entity::update_many()
        .col_expr(report::Column::Status, Expr::value("ACKNOWLEDGED"))
        .col_expr(report::Column::AcknowledgedAt, Expr::value(now))
        .col_expr(report::Column::WaitingSince, Expr::value(now))
        .col_expr(report::Column::Version, Expr::value(r.version + 1))
        .col_expr(report::Column::LastEventId, Expr::value(ev))
        .col_expr(report::Column::LastEventKind, Expr::value("ACKNOWLEDGED"))
        .col_expr(report::Column::LastEventAt, Expr::value(now))
        .filter(report::Column::Id.eq(id))
        .filter(report::Column::Version.eq(r.version))
        .exec_with_returning(&txn)
        .await?;
    let Some(row) = n.into_iter().next() else {
        anyhow::bail!("already acknowledged");
    };
    event(&txn, ev, id, "ACKNOWLEDGED", "NEIGHBOUR_HEAD", Some("SUBMITTED"), Some(head)).await?;
    // The reporter's notification, as the server writes it in the same transaction.
    crate::service::notify::for_event(&txn, &CONFIG, &row, "ACKNOWLEDGED", Some(head), None, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // The head's points for acknowledging within the SLA, as the server awards them (fresh reports are in time).
    crate::service::incentives::points::award(&txn, head, "ACK_IN_SLA", id, 2).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    txn.commit().await?;
    Ok(())
}
