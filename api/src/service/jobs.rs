//! The background jobs' runner: each job is a function that does one round of work and says how much it did;
//! it runs every interval in each replica whose `LINLI_JOBS` is on. Jobs are safe to run in several replicas at
//! once (each guards its rows with a conditional update or a unique claim), so no leader election is needed.
//!
//! Every background task (jobs, the event sequencer, the log's followers) is registered in [`Background`], so a
//! shutdown can stop them all: a round in progress finishes, no new round starts.
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::error::AppResult;
use crate::state::AppState;

/// One round's work for a job: the rows of `select` whose `due` time is at or before `at`, oldest first, at most
/// `limit` (the job then claims each with a conditional update, so replicas never do one twice).
pub async fn due<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    due: E::Column,
    at: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<E::Model>> {
    Ok(select.filter(due.lte(at)).order_by_asc(due).limit(limit).all(db).await?)
}

/// The process's background tasks and the token that stops them.
#[derive(Default)]
pub struct Background {
    stop: CancellationToken,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Background {
    /// The token tasks watch; cancelled by [`Background::stop`].
    pub fn token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Registers a task to wait for on shutdown.
    pub fn keep(&self, task: JoinHandle<()>) {
        self.tasks.lock().expect("background lock").push(task);
    }

    /// Asks every task to stop and waits for them, at most `grace`. Returns whether all stopped in time (those
    /// still running are aborted).
    pub async fn stop(&self, grace: Duration) -> bool {
        self.stop.cancel();
        let tasks: Vec<JoinHandle<()>> = std::mem::take(&mut *self.tasks.lock().expect("background lock"));
        let aborts: Vec<_> = tasks.iter().map(|t| t.abort_handle()).collect();
        let all = futures::future::join_all(tasks);
        match tokio::time::timeout(grace, all).await {
            Ok(_) => true,
            Err(_) => {
                aborts.iter().for_each(|a| a.abort());
                false
            }
        }
    }
}

/// Runs `round` every `interval` until the process stops, logging what it did (`what`: "auto-closed reports") and
/// its failures. A round in progress when the stop comes finishes first.
pub fn every<F, Fut>(state: AppState, interval: Duration, what: &'static str, round: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = AppResult<usize>> + Send,
{
    let stop = state.background.token();
    let bg = state.background.clone();
    bg.keep(tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {}
            }
            let m = state.metrics.clone();
            match round(state.clone()).await {
                Ok(n) => {
                    m.job_runs.inc(&[what, "ok"]);
                    if n > 0 {
                        m.job_rows.add(&[what], n as f64);
                        tracing::info!(count = n, "{what}");
                    }
                }
                Err(e) => {
                    m.job_runs.inc(&[what, "failed"]);
                    tracing::warn!(error = ?e, "job failed: {what}");
                }
            }
        }
    }));
}
