//! Linli: the backend of the neighbourhood-grid mini-program. `build_app` assembles what production serves and
//! what the tests drive; `serve` runs it until SIGTERM or Ctrl-C. The tools that mint tokens, seed data or measure
//! (scale generator, benchmark ceiling, demo fixtures) live in the `linli-tools` crate, not here.
pub mod auth;
pub mod cache;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod metrics;
pub mod server;
pub mod service;
pub mod state;
pub mod wechat;

use std::sync::Arc;

use axum::Router;

use crate::auth::tokens::JwtKeys;
use crate::cache::{Cache, MemoryCache, RedisCache};
use crate::config::Config;
use crate::service::events;
use crate::state::AppState;
use crate::wechat::HttpWechat;

pub use server::serve;

/// Connects everything (database with migrations applied, cache, WeChat client) from `config` and starts the
/// background tasks: the event sequencer and the log's followers always (they are part of every write), the jobs
/// when `LINLI_JOBS` is on.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let mut db = db::connect_and_migrate(&config.database_url, config.database_max_connections).await?;
    // Reports from before the KPI facts (migration 000018) get their rows once; afterwards this finds none.
    let backfilled = service::kpi::facts::refresh(&db, service::kpi::facts::Which::Missing).await?;
    if backfilled > 0 {
        tracing::info!(backfilled, "wrote the KPI facts of reports from before them");
    }
    let log_db = db::connect(&config.database_url, 2).await?;
    let sql_statements = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = sql_statements.clone();
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // `LINLI_LOG=linli::sql=trace` shows every statement (the SQL only: values may hold personal data).
        tracing::trace!(target: "linli::sql", elapsed_us = info.elapsed.as_micros() as u64, sql = %info.statement.sql);
    });
    let cache: Arc<dyn Cache> = match &config.redis_url {
        Some(url) => Arc::new(RedisCache::connect(url).await?),
        None => Arc::new(MemoryCache::default()),
    };
    let wechat = Arc::new(HttpWechat::new(&config, cache.clone())?);
    let lookup = Arc::new(service::lookup::Lookup::default());
    let media = Arc::new(service::media::MediaStore::from_config(&config.media)?);
    let metrics = Arc::new(metrics::Metrics::default());
    let limiter = Arc::new(service::ratelimit::Limiter::new(config.rate_limits.clone(), cache.clone(), metrics.rate_limited.clone()));
    let state = AppState {
        metrics,
        limiter,
        live: Default::default(),
        jwt: JwtKeys::new(&config),
        config: Arc::new(config),
        db,
        log_db,
        cache,
        wechat,
        lookup,
        sql_statements,
        media,
        events: Default::default(),
        background: Default::default(),
        clock: Default::default(),
    };
    let (bg, stop) = (&state.background, state.background.token());
    bg.keep(events::log::spawn_sequencer(state.clone(), stop.clone()));
    if let Some(listener) = events::log::spawn_listener(state.clone(), stop.clone()) {
        bg.keep(listener);
    }
    let from = events::log::newest(&state.log_db).await?;
    bg.keep(events::follow::spawn_cache_follower(state.clone(), from, stop.clone()));
    bg.keep(service::live::spawn_follower(state.clone(), from, stop.clone()));
    if let Some(path) = &state.config.event_export {
        bg.keep(events::follow::spawn_durable(state.clone(), events::follow::Export::new(path.clone()), stop.clone()));
    }
    if state.config.jobs_enabled {
        service::report::jobs::spawn(state.clone(), state.config.job_interval);
        service::sla::spawn(state.clone(), state.config.sla_interval);
        if state.config.content_check {
            service::content::spawn(state.clone(), state.config.job_interval);
            service::media_check::spawn(state.clone(), state.config.job_interval);
        }
        service::notify::spawn(state.clone(), state.config.outbox_interval);
        service::export::job::spawn(state.clone());
        service::jobs::every(state.clone(), state.config.kpi_cell_interval, "built KPI cells", |s| async move {
            service::kpi::cell::build_all(&s.db).await
        });
        service::jobs::every(state.clone(), state.config.job_interval, "expired redemptions", |s| async move {
            service::incentives::expire_due(&s).await
        });
        service::jobs::every(state.clone(), state.config.job_interval, "closed voting periods", |s| async move {
            service::incentives::vote::close_due(&s).await
        });
        service::jobs::every(state.clone(), state.config.webhooks.interval, "delivered webhook events", |s| async move {
            service::webhooks::deliver_due(&s).await
        });
        service::jobs::every(state.clone(), state.config.job_interval, "forgot ended console logins and sessions", |s| async move {
            service::console::forget_ended(&s).await
        });
    }
    Ok(state)
}

/// The router for `state`.
pub fn build_router(state: AppState) -> Router {
    let schema = graphql::build_schema(Some(state.clone()), &state.config);
    http::router(state, schema)
}

/// Connects and builds the router in one step.
pub async fn build_app(config: Config) -> anyhow::Result<(Router, AppState)> {
    let state = build_state(config).await?;
    Ok((build_router(state.clone()), state))
}
