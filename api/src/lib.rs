//! Linli: the backend of the neighbourhood-grid mini-program. `build_app` assembles what production serves and
//! what the tests drive.
pub mod auth;
pub mod bench_ceiling;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod seed;
pub mod service;
pub mod state;
pub mod wechat;

use std::sync::Arc;

use axum::Router;

use crate::auth::tokens::JwtKeys;
use crate::cache::{Cache, MemoryCache, RedisCache};
use crate::config::Config;
use crate::state::AppState;
use crate::wechat::HttpWechat;

/// Connects everything (database with migrations applied, cache, WeChat client) from `config`.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let mut db = db::connect_and_migrate(&config.database_url, config.database_max_connections).await?;
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
    let state = AppState { jwt: JwtKeys::new(&config), config: Arc::new(config), db, cache, wechat, lookup, sql_statements, media };
    if state.config.jobs_enabled {
        service::report::jobs::spawn(state.clone(), state.config.job_interval);
        if state.config.content_check {
            service::content::spawn(state.clone(), state.config.job_interval);
            service::media_check::spawn(state.clone(), state.config.job_interval);
        }
        service::notify::spawn(state.clone(), state.config.outbox_interval);
        service::jobs::every(state.clone(), state.config.job_interval, "expired redemptions", |s| async move {
            service::incentives::expire_due(&s).await
        });
        service::jobs::every(state.clone(), state.config.job_interval, "closed voting periods", |s| async move {
            service::incentives::vote::close_due(&s).await
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
