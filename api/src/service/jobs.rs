//! The background jobs' runner: each job is a function that does one round of work and says how much it did;
//! it runs every interval in each replica whose `LINLI_JOBS` is on. Jobs are safe to run in several replicas at
//! once (each guards its rows with a conditional update or a unique claim), so no leader election is needed.
use std::future::Future;
use std::time::Duration;

use crate::error::AppResult;
use crate::state::AppState;

/// Runs `round` every `interval` until the process ends, logging what it did (`what`: "auto-closed reports") and
/// its failures.
pub fn every<F, Fut>(state: AppState, interval: Duration, what: &'static str, round: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = AppResult<usize>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match round(state.clone()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "{what}"),
                Err(e) => tracing::warn!(error = ?e, "job failed: {what}"),
            }
        }
    });
}
