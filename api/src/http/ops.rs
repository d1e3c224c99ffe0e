//! What operators and load balancers ask: `GET /readyz` (ready to take traffic: the database answers, every
//! migration applied, not stopping; whether Redis answers is reported, and its absence is `degraded`, not unready)
//! next to `/healthz` (the process is alive), and `GET /metrics` in Prometheus's text format
//! (`LINLI_METRICS_TOKEN`, when set, must be sent as a bearer token: operation names and counts are not for the
//! public).
use std::sync::Arc;

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

use super::HttpState;
use crate::metrics::Metrics;

/// The routes.
pub fn routes() -> Router<Arc<HttpState>> {
    Router::new().route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

/// Each dependency and whether it answered within a second.
async fn readyz(State(s): State<Arc<HttpState>>) -> Response {
    let second = std::time::Duration::from_secs(1);
    let within = |ok: Option<bool>| ok.unwrap_or(false);
    let db = within(tokio::time::timeout(second, s.app.db.execute_unprepared("SELECT 1")).await.ok().map(|r| r.is_ok()));
    let cache = within(tokio::time::timeout(second, s.app.cache.get("readyz")).await.ok().map(|r| r.is_ok()));
    let pending = match tokio::time::timeout(second, migration::Migrator::get_pending_migrations(&s.app.db)).await {
        Ok(Ok(p)) => Some(p.len()),
        _ => None,
    };
    let migrations = pending == Some(0);
    // A replica serves without Redis (README, "When Redis is down"): were its absence to make every replica unready,
    // a load balancer checking /readyz would turn a cache outage into a full one.
    let ready = db && migrations && !s.app.background.token().is_cancelled();
    let body = json!({
        "ready": ready,
        "degraded": !cache,
        "database": db,
        "cache": { "backend": s.app.cache.backend(), "ok": cache },
        "migrations": { "applied": migrations, "pending": pending },
        "stopping": s.app.background.token().is_cancelled(),
    });
    let code = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

async fn metrics(State(s): State<Arc<HttpState>>, headers: HeaderMap) -> Response {
    if let Some(token) = &s.app.config.metrics_token {
        let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if given.map(str::trim) != Some(token.expose()) {
            return (StatusCode::UNAUTHORIZED, "metrics need the bearer token LINLI_METRICS_TOKEN\n").into_response();
        }
    }
    let mut out = String::with_capacity(16 * 1024);
    s.app.metrics.render(&mut out);
    pool_lines(&mut out, &s.app.db);
    if let Some(sem) = &s.in_flight {
        let free = sem.available_permits() as f64;
        Metrics::gauge_line(&mut out, "linli_admission_free", "GraphQL admission permits free (LINLI_MAX_IN_FLIGHT)", &[(vec![], free)]);
    }
    // A scrape is a request: it reads with the request pool, not the log's (the sequencer's and the followers').
    lag_lines(&mut out, &s.app.db).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4"), (header::CACHE_CONTROL, "no-store")], out).into_response()
}

/// Connections of the request pool: open, idle and in use.
fn pool_lines(out: &mut String, db: &DatabaseConnection) {
    let (size, idle) = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle())
        }
        _ => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle())
        }
    };
    let in_use = f64::from(size) - idle as f64;
    Metrics::gauge_line(
        out,
        "linli_db_pool_connections",
        "Connections of the request pool, by state",
        &[(vec![("state", "open".into())], f64::from(size)), (vec![("state", "idle".into())], idle as f64), (vec![("state", "in_use".into())], in_use)],
    );
}

/// How far each durable consumer of the event log is behind the newest numbered event.
async fn lag_lines(out: &mut String, db: &DatabaseConnection) {
    let newest = crate::service::events::log::newest(db).await.unwrap_or(0);
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT name, position FROM event_consumer ORDER BY name"))
        .await
        .unwrap_or_default();
    let series: Vec<_> = rows
        .iter()
        .filter_map(|r| {
            let name: String = r.try_get_by_index(0).ok()?;
            let pos: i64 = r.try_get_by_index(1).ok()?;
            Some((vec![("consumer", name)], (newest - pos).max(0) as f64))
        })
        .collect();
    Metrics::gauge_line(out, "linli_event_log_newest", "The newest numbered event of the log", &[(vec![], newest as f64)]);
    Metrics::gauge_line(out, "linli_event_consumer_lag", "Events a durable consumer has still to handle", &series);
}
