//! Everything a request handler needs, built once at start-up and shared.
use std::sync::{Arc, atomic::AtomicU64};

use sea_orm::DatabaseConnection;

use crate::auth::tokens::JwtKeys;
use crate::cache::Cache;
use crate::config::Config;
use crate::wechat::WechatApi;

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    /// The configuration.
    pub config: Arc<Config>,
    /// The database pool requests use.
    pub db: DatabaseConnection,
    /// A small pool of its own for the event log's background tasks (sequencer, followers, consumers), so they
    /// never take a connection a request is waiting for (and are not counted in `sql_statements`).
    pub log_db: DatabaseConnection,
    /// The cache (in-process or Redis).
    pub cache: Arc<dyn Cache>,
    /// The WeChat client.
    pub wechat: Arc<dyn WechatApi>,
    /// Access-token keys.
    pub jwt: JwtKeys,
    /// In-process caches of small, (nearly) immutable data.
    pub lookup: Arc<crate::service::lookup::Lookup>,
    /// SQL statements run so far (tests use it to prove a page's query count does not grow with its size).
    pub sql_statements: Arc<AtomicU64>,
    /// Photo storage (local disk or S3).
    pub media: Arc<crate::service::media::MediaStore>,
    /// Wake-ups between writers, the event sequencer and the log's followers in this process.
    pub events: Arc<crate::service::events::Hub>,
    /// The background tasks (jobs, sequencer, followers) and the signal that stops them.
    pub background: Arc<crate::service::jobs::Background>,
    /// The clock SLA timers and report actions read (tests move it forward).
    pub clock: Arc<crate::clock::Clock>,
    /// The process's metrics (`GET /metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Live updates: the log followed and fanned out to this replica's subscriptions (`service/live.rs`).
    pub live: Arc<crate::service::live::Live>,
    /// Rate limits per user and address (`service/ratelimit.rs`).
    pub limiter: Arc<crate::service::ratelimit::Limiter>,
}
