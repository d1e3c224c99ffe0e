//! `linli bench-sla`: the escalation job at district scale. Arms `timers` SUBMITTED reports of the seeded district
//! with a timer already past due, has the job work through them (`sla::fire_due`, the round every replica runs),
//! and quotes timers per second against the same statements run bare: the claim (`FOR UPDATE SKIP LOCKED`), the
//! holders' lookup, the report's UPDATE, the timeline row, the two notifications and the log entry, per batch of
//! the same size in one transaction, written out as SQL with no service code around them, on a second set of as
//! many reports. PostgreSQL only (the benchmark's database).
use std::time::Instant;

use api::state::AppState;
use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait, Value};
use uuid::Uuid;

/// What one run measured.
#[derive(Debug, serde::Serialize)]
pub struct Outcome {
    /// Timers armed for each side.
    pub timers: usize,
    /// Fired by the job.
    pub fired: usize,
    /// The job's rate.
    pub job_per_s: f64,
    /// Escalated by the bare statements.
    pub bare: usize,
    /// Their rate.
    pub bare_per_s: f64,
}

/// Gives `n` SUBMITTED reports (after the first `skip` of them, by id) a timer due a minute ago, at the
/// neighbour-head level of the ACKNOWLEDGE stage: what a district looks like after its heads ignored them.
async fn arm(db: &impl ConnectionTrait, skip: usize, n: usize) -> anyhow::Result<Vec<Uuid>> {
    let past = Utc::now() - Duration::minutes(1);
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE report SET sla_stage = 'ACKNOWLEDGE', sla_level = 'NEIGHBOUR_HEAD', sla_stage_since = $1, \
             sla_warn_at = $1, sla_due_at = $1, sla_fires_at = $1, sla_warned = true, sla_breached = false, \
             overall_since = $1, escalated_at = NULL, escalations = 0 \
             WHERE id IN (SELECT id FROM report WHERE status = 'SUBMITTED' ORDER BY id OFFSET $2 LIMIT $3) RETURNING id",
            [Value::from(past), Value::from(skip as i64), Value::from(n as i64)],
        ))
        .await?;
    Ok(rows.iter().filter_map(|r| r.try_get::<Uuid>("", "id").ok()).collect())
}

/// Takes the armed timers off again (so the other side's claim does not see them).
async fn disarm(db: &impl ConnectionTrait, ids: &[Uuid]) -> anyhow::Result<()> {
    for chunk in ids.chunks(10_000) {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE report SET sla_fires_at = NULL WHERE id = ANY($1)",
            [Value::from(chunk.to_vec())],
        ))
        .await?;
    }
    Ok(())
}

/// The job's statements for one batch, bare.
async fn bare_batch(db: &sea_orm::DatabaseConnection, limit: u64) -> anyhow::Result<usize> {
    let now = Utc::now();
    let txn = db.begin().await?;
    let claimed = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id, neighbourhood_id, group_id, area_id, community_id, waiting_since FROM report \
             WHERE sla_fires_at <= $1 ORDER BY sla_fires_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            [Value::from(now), Value::from(limit as i64)],
        ))
        .await?;
    for r in &claimed {
        let id: Uuid = r.try_get("", "id")?;
        let (n, g, a, c): (Option<Uuid>, Option<Uuid>, Option<Uuid>, Uuid) =
            (r.try_get("", "neighbourhood_id")?, r.try_get("", "group_id")?, r.try_get("", "area_id")?, r.try_get("", "community_id")?);
        let holders = txn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT role, scope_id, user_id FROM appointment WHERE ((role = 'NEIGHBOUR_HEAD' AND scope_id = $1) \
                 OR (role = 'GROUP_HEAD' AND scope_id = $2) OR (role = 'AREA_HEAD' AND scope_id = $3) \
                 OR (role = 'COMMUNITY_ADMIN' AND scope_id = $4) OR (role = 'STREET_ADMIN' AND scope_id = $4)) \
                 AND starts_at <= $5 AND (ends_at IS NULL OR ends_at > $5)",
                [n.into(), g.into(), a.into(), c.into(), now.into()],
            ))
            .await?;
        let user_of = |role: &str| holders.iter().find(|h| h.try_get::<String>("", "role").ok().as_deref() == Some(role)).and_then(|h| h.try_get::<Uuid>("", "user_id").ok());
        let event = Uuid::now_v7();
        let due = now + Duration::hours(12);
        txn.query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE report SET sla_level = 'GROUP_HEAD', sla_due_at = $2, sla_fires_at = $2, sla_warned = true, \
             sla_breached = true, escalated_at = $3, escalations = escalations + 1, queue_at = $4, last_event_id = $5, \
             last_event_kind = 'ESCALATED', last_event_at = $3 WHERE id = $1 RETURNING *",
            [id.into(), due.into(), now.into(), (now - Duration::days(3650)).into(), event.into()],
        ))
        .await?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO report_event (id, created_at, kind, actor_role, from_status, to_status, note, report_id, actor_id, \
             moderation, from_level, to_level, reason) VALUES ($1, $2, 'ESCALATED', 'SYSTEM', NULL, NULL, $3, $4, NULL, \
             'PASS', 'NEIGHBOUR_HEAD', 'GROUP_HEAD', 'OVERDUE')",
            [event.into(), now.into(), "受理超时，由邻长升级至组长".into(), id.into()],
        ))
        .await?;
        for (user, kind, title) in [(user_of("GROUP_HEAD"), "REPORT_ESCALATED", "有超时报告升级到您"), (user_of("NEIGHBOUR_HEAD"), "ESCALATED_AWAY", "您的一份报告已超时升级")] {
            let Some(user) = user else { continue };
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO notification (id, created_at, kind, title, body, report_id, read_at, user_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
                [Uuid::now_v7().into(), now.into(), kind.into(), title.into(), "受理超时，由邻长升级至组长".into(), id.into(), user.into()],
            ))
            .await?;
        }
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO domain_event (id, seq, occurred_at, kind, subject_id, actor_id, payload) \
             VALUES ($1, NULL, $2, 'REPORT_ESCALATED', $3, NULL, $4)",
            [Uuid::now_v7().into(), now.into(), id.into(), format!("{{\"type\":\"REPORT_ESCALATED\",\"report\":\"{id}\"}}").into()],
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(claimed.len())
}

/// Arms two sets of `timers` reports; the job works through the first, the bare statements through the second.
pub async fn run(state: &AppState, timers: usize) -> anyhow::Result<Outcome> {
    anyhow::ensure!(state.db.get_database_backend() == DbBackend::Postgres, "bench-sla runs on PostgreSQL");
    let for_bare = arm(&state.db, timers, timers).await?;
    disarm(&state.db, &for_bare).await?;
    let for_job = arm(&state.db, 0, timers).await?;
    let t0 = Instant::now();
    let fired = api::service::sla::fire_due(state).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let job_s = t0.elapsed().as_secs_f64();
    disarm(&state.db, &for_job).await?;
    // The bare side: the same reports' kind of rows, the same batch size.
    let past = Utc::now() - Duration::minutes(1);
    for chunk in for_bare.chunks(10_000) {
        state
            .db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "UPDATE report SET sla_fires_at = $2 WHERE id = ANY($1)",
                [Value::from(chunk.to_vec()), past.into()],
            ))
            .await?;
    }
    let t0 = Instant::now();
    let mut bare = 0;
    loop {
        let n = bare_batch(&state.db, api::service::sla::BATCH).await?;
        bare += n;
        if n < api::service::sla::BATCH as usize {
            break;
        }
    }
    let bare_s = t0.elapsed().as_secs_f64();
    disarm(&state.db, &for_bare).await?;
    Ok(Outcome {
        timers: for_job.len(),
        fired,
        job_per_s: fired as f64 / job_s,
        bare,
        bare_per_s: bare as f64 / bare_s,
    })
}
