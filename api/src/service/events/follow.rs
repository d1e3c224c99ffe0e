//! Consumers of the event log outside the writing transactions.
//!
//! - **Per replica** ([`spawn_cache_follower`]): every replica follows the log from the newest entry at its start
//!   and drops from its in-process caches what any replica changed (a renamed compound, an edited category).
//! - **Durable** ([`Consumer`], [`spawn_durable`]): a consumer with a cursor in `event_consumer`, run by one replica
//!   at a time (a lease renewed each round). It handles a batch, then moves its cursor past it; stopped or killed
//!   at any point, it resumes after the last batch it finished, so it loses nothing (a batch cut short is handled
//!   again: at least once, and in order). The first is the event export ([`Export`], `LINLI_EVENT_EXPORT`); live
//!   updates, webhooks and Open311 follow the same way.
use std::io::{BufRead, Seek, Write};
use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use entity::{domain_event, event_consumer};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Set, sea_query::{Expr, OnConflict}};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::log::{COALESCE, TICK, kinds_between, read_after};
use crate::error::{AppError, AppResult};
use crate::service::lookup::Lookup;
use crate::state::AppState;

/// How many entries a follower reads at once.
const READ_BATCH: u64 = 500;
/// How long a durable consumer's lease lasts without renewal (it is renewed every round, at least every
/// [`TICK`]); a replica that died holding it delays the consumer this long at most.
const LEASE: Duration = Duration::from_secs(10);

/// Waits until the log may have grown (this process announced a new number, another replica's did, or a tick
/// passed), and at least `coalesce` since the last pass ([`COALESCE`] for the durable consumers and caches).
/// Returns false once `stop` is cancelled.
pub(crate) async fn wait_for_log(rx: &mut tokio::sync::watch::Receiver<i64>, stop: &CancellationToken, coalesce: Duration) -> bool {
    tokio::select! {
        _ = stop.cancelled() => return false,
        _ = tokio::time::sleep(coalesce) => {}
    }
    tokio::select! {
        _ = stop.cancelled() => false,
        _ = rx.changed() => true,
        _ = tokio::time::sleep(TICK) => true,
    }
}

/// Every replica: drops cached lookups that an event in the log made stale, whichever replica wrote it. `from` is
/// the newest number when the process started, read before it served anything: its caches were empty then, so
/// only later entries can make them stale, and none of those is missed however late the task gets going. Each
/// pass reads only the kinds the caches care about, up to the newest number.
pub fn spawn_cache_follower(state: AppState, from: i64, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rx = state.events.subscribe();
        let mut cursor = from;
        loop {
            let pass = async {
                let upto = super::log::newest(&state.log_db).await?;
                if upto > cursor {
                    for (_, kind, subject) in kinds_between(&state.log_db, cursor, upto, Lookup::STALE_AFTER).await? {
                        state.lookup.on_event(kind, subject);
                    }
                }
                Ok::<_, AppError>(upto)
            };
            match pass.await {
                Ok(upto) => cursor = cursor.max(upto),
                Err(e) => tracing::warn!(error = ?e, "cache follower failed to read the log"),
            }
            if !wait_for_log(&mut rx, &stop, COALESCE).await {
                return;
            }
        }
    })
}

/// A consumer of the log that keeps its place across restarts.
#[async_trait::async_trait]
pub trait Consumer: Send + 'static {
    /// Its name, the key of its cursor.
    fn name(&self) -> String;
    /// Where to resume, given the stored cursor (a consumer whose output records positions itself may know better).
    async fn resume(&mut self, stored: i64) -> AppResult<i64> {
        Ok(stored)
    }
    /// Handles entries in order; on error the batch is handled again later.
    async fn handle(&mut self, state: &AppState, batch: &[domain_event::Model]) -> AppResult<()>;
}

/// Takes (or renews) the consumer's lease for `owner`; false when another process holds it.
async fn lease(state: &AppState, name: &str, owner: Uuid) -> AppResult<bool> {
    let now = Utc::now();
    event_consumer::Entity::insert(event_consumer::ActiveModel {
        name: Set(name.to_owned()),
        position: Set(0),
        updated_at: Set(now),
        lease_owner: Set(None),
        lease_until: Set(None),
    })
    .on_conflict(OnConflict::column(event_consumer::Column::Name).do_nothing().to_owned())
    .exec_without_returning(&state.log_db)
    .await?;
    let taken = event_consumer::Entity::update_many()
        .col_expr(event_consumer::Column::LeaseOwner, Expr::value(owner))
        .col_expr(event_consumer::Column::LeaseUntil, Expr::value(now + chrono::Duration::from_std(LEASE).unwrap_or_default()))
        .filter(event_consumer::Column::Name.eq(name))
        .filter(
            Condition::any()
                .add(event_consumer::Column::LeaseOwner.is_null())
                .add(event_consumer::Column::LeaseOwner.eq(owner))
                .add(event_consumer::Column::LeaseUntil.lt(now)),
        )
        .exec(&state.log_db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// The stored cursor of `name`.
pub async fn position(state: &AppState, name: &str) -> AppResult<i64> {
    Ok(event_consumer::Entity::find_by_id(name.to_owned()).one(&state.log_db).await?.map(|c| c.position).unwrap_or(0))
}

async fn store(state: &AppState, name: &str, owner: Uuid, position: i64) -> AppResult<()> {
    event_consumer::Entity::update_many()
        .col_expr(event_consumer::Column::Position, Expr::value(position))
        .col_expr(event_consumer::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(event_consumer::Column::Name.eq(name))
        .filter(event_consumer::Column::LeaseOwner.eq(owner))
        .exec(&state.log_db)
        .await?;
    Ok(())
}

/// Gives the lease up (on a clean stop), so another replica need not wait for it to run out.
async fn release(state: &AppState, name: &str, owner: Uuid) {
    let r = event_consumer::Entity::update_many()
        .col_expr(event_consumer::Column::LeaseOwner, Expr::value(Option::<Uuid>::None))
        .col_expr(event_consumer::Column::LeaseUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .filter(event_consumer::Column::Name.eq(name))
        .filter(event_consumer::Column::LeaseOwner.eq(owner))
        .exec(&state.log_db)
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, consumer = name, "could not release the consumer's lease");
    }
}

/// One round of a durable consumer: handle what follows its cursor, then move the cursor. Returns whether there
/// may be more right away.
async fn round<C: Consumer>(state: &AppState, c: &mut C, name: &str, owner: Uuid, cursor: &mut Option<i64>) -> AppResult<bool> {
    if !lease(state, name, owner).await? {
        *cursor = None; // another replica runs it; read the cursor again if the lease comes back
        return Ok(false);
    }
    let from = match *cursor {
        Some(c) => c,
        None => {
            let stored = position(state, name).await?;
            let at = c.resume(stored).await?;
            if at != stored {
                store(state, name, owner, at).await?;
            }
            *cursor = Some(at);
            at
        }
    };
    let batch = read_after(&state.log_db, from, READ_BATCH).await?;
    let Some(last) = batch.last().and_then(|e| e.seq) else { return Ok(false) };
    c.handle(state, &batch).await?;
    store(state, name, owner, last).await?;
    *cursor = Some(last);
    Ok(batch.len() as u64 == READ_BATCH)
}

/// Runs a durable consumer until `stop`.
pub fn spawn_durable<C: Consumer>(state: AppState, mut c: C, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let name = c.name();
        let owner = Uuid::new_v4();
        let mut rx = state.events.subscribe();
        let mut cursor = None;
        loop {
            match round(&state, &mut c, &name, owner, &mut cursor).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = ?e, consumer = %name, "event consumer failed; retrying from its cursor");
                    cursor = None;
                }
            }
            if !wait_for_log(&mut rx, &stop, COALESCE).await {
                break;
            }
        }
        release(&state, &name, owner).await;
    })
}

/// The event export (`LINLI_EVENT_EXPORT=<file>`): every entry of the log, once and in order, as one JSON line
/// (`seq`, `id`, `kind`, `occurredAt`, `subjectId`, `actorId`, `payload`), appended and synced to disk before the
/// cursor moves: a feed for the district's archive or data platform. The file itself records how far it got, so
/// a batch written just before a crash is not written twice.
pub struct Export {
    path: PathBuf,
}

impl Export {
    /// An export to `path`.
    pub fn new(path: PathBuf) -> Self {
        Export { path }
    }

    /// The `seq` of the last complete line of the file (0 for none); a line cut short by a crash is dropped.
    fn last_written(&self) -> std::io::Result<i64> {
        let Ok(file) = std::fs::OpenOptions::new().read(true).write(true).open(&self.path) else { return Ok(0) };
        let mut last = 0;
        let mut good_len = 0u64;
        let mut reader = std::io::BufReader::new(&file);
        let mut line = String::new();
        let mut offset = 0u64;
        loop {
            line.clear();
            let n = reader.read_line(&mut line)?;
            if n == 0 {
                break;
            }
            offset += n as u64;
            if !line.ends_with('\n') {
                break;
            }
            match serde_json::from_str::<serde_json::Value>(&line).ok().and_then(|v| v["seq"].as_i64()) {
                Some(seq) => {
                    last = seq;
                    good_len = offset;
                }
                None => break,
            }
        }
        if good_len < file.metadata()?.len() {
            file.set_len(good_len)?;
        }
        Ok(last)
    }
}

#[async_trait::async_trait]
impl Consumer for Export {
    fn name(&self) -> String {
        "export".into()
    }

    async fn resume(&mut self, stored: i64) -> AppResult<i64> {
        let written = self.last_written().map_err(AppError::internal)?;
        Ok(stored.max(written))
    }

    async fn handle(&mut self, _state: &AppState, batch: &[domain_event::Model]) -> AppResult<()> {
        let mut out = Vec::new();
        for e in batch {
            let payload: serde_json::Value = serde_json::from_str(&e.payload).map_err(AppError::internal)?;
            let line = json!({
                "seq": e.seq, "id": e.id, "kind": e.kind, "occurredAt": e.occurred_at, "subjectId": e.subject_id,
                "actorId": e.actor_id, "payload": payload,
            });
            serde_json::to_writer(&mut out, &line).map_err(AppError::internal)?;
            out.push(b'\n');
        }
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
            f.seek(std::io::SeekFrom::End(0))?;
            f.write_all(&out)?;
            f.sync_data()
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
    }
}
