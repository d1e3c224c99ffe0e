//! The durable event log (`domain_event`, migration 000015): appended in each change's transaction, numbered by the
//! sequencer once committed, read by followers from a cursor.
//!
//! Why a sequencer: a number drawn inside the writing transaction (a `bigserial`) is not safe for readers, because
//! transactions commit in another order than they draw: one that drew 9 may commit after one that drew 10 was
//! read, and a reader at 10 would never see 9. A counter row updated at the end of each transaction would be safe,
//! but it makes every write in the system wait for the previous one's commit (its WAL flush), one at a time. So
//! writers insert with `seq` NULL, and the sequencer, one at a time across every replica (a PostgreSQL advisory
//! lock held for its transaction; on SQLite the single writer), numbers the rows it can see, which are exactly
//! the committed ones, as the largest number given so far + 1, 2, … in one statement, and commits. A number is
//! therefore given only to a committed row, never twice, never below one given before and without gaps: a reader
//! that has read up to N will find every later entry above N.
//!
//! Each write wakes this process's sequencer; the sequencer then wakes this process's followers directly and
//! every other replica's through PostgreSQL's `NOTIFY linli_events` (sent in its transaction, so on commit). A
//! periodic tick catches whatever a lost wake-up or a crashed replica left behind.
use std::time::Duration;

use entity::domain_event;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};
use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;

use super::{Cx, DomainEvent};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::state::AppState;

/// The PostgreSQL channel on which the sequencer announces the newest number.
pub const CHANNEL: &str = "linli_events";
/// The advisory lock key the sequencer holds while it numbers (`'linli_seq'` as an integer).
const SEQUENCER_LOCK: i64 = 0x6c69_6e6c_695f_7365;
/// How many entries one sequencer statement numbers.
const BATCH: u64 = 1000;
/// How often the sequencer and the followers look even when nothing woke them.
pub const TICK: Duration = Duration::from_secs(1);
/// The least time between two passes of a follower: under a stream of writes, one pass reads what many sequencer
/// runs numbered, instead of one pass per run.
pub const COALESCE: Duration = Duration::from_millis(50);
/// The least time between two runs of the sequencer: under a stream of writes, one run (a transaction of its own:
/// BEGIN, lock, one statement, COMMIT) numbers what many changes appended, instead of one run per change. An
/// entry waits about this long for its number (its own replica's caches are dropped at once, without waiting).
pub const SEQUENCE_COALESCE: Duration = Duration::from_millis(20);

/// This process's wake-ups between writers, the sequencer and followers.
pub struct Hub {
    sequencer: Notify,
    newest: watch::Sender<i64>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub { sequencer: Notify::new(), newest: watch::channel(0).0 }
    }
}

impl Hub {
    /// A change with events has committed: the sequencer has work.
    pub fn wake_sequencer(&self) {
        self.sequencer.notify_one();
    }

    /// The newest number known to this process has changed.
    pub fn announce(&self, seq: i64) {
        self.newest.send_if_modified(|n| {
            let newer = seq > *n;
            if newer {
                *n = seq;
            }
            newer
        });
    }

    /// A receiver that sees every announcement.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.newest.subscribe()
    }
}

/// Appends `e` to the log in the change's transaction (unnumbered until the sequencer sees it committed).
pub async fn append(cx: &Cx<'_>, e: &DomainEvent) -> AppResult<()> {
    let payload = serde_json::to_string(e).map_err(AppError::internal)?;
    let entry = domain_event::ActiveModel {
        id: Set(new_id()),
        seq: Set(None),
        occurred_at: Set(cx.at),
        kind: Set(e.kind()),
        subject_id: Set(e.subject()),
        actor_id: Set(cx.actor),
        payload: Set(payload),
    };
    domain_event::Entity::insert(entry).exec_without_returning(cx.db).await?;
    Ok(())
}

/// Numbers the committed entries that have no number yet, oldest first, at most [`BATCH`] of them; one sequencer
/// at a time. Returns how many it numbered and, when it numbered any, the newest number after. On PostgreSQL the
/// numbering, the count and the `NOTIFY` are one statement after the lock: four round trips with BEGIN and COMMIT.
pub async fn sequence(db: &DatabaseConnection) -> AppResult<(u64, Option<i64>)> {
    let backend = db.get_database_backend();
    let txn = crate::db::begin_write(db).await?;
    // The largest number so far is read after the lock is held, in the same statement as the rows to number
    // (read committed: a fresh snapshot per statement), so it includes every earlier sequencer's commit.
    let update = format!(
        "WITH todo AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM domain_event WHERE seq IS NULL \
           ORDER BY id LIMIT {BATCH}), \
         base AS (SELECT COALESCE(MAX(seq), 0) AS b FROM domain_event) \
         UPDATE domain_event SET seq = (SELECT b FROM base) + todo.n FROM todo WHERE domain_event.id = todo.id \
         RETURNING seq"
    );
    let (numbered, newest) = if backend == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(backend, "SELECT pg_advisory_xact_lock($1)", [SEQUENCER_LOCK.into()]))
            .await?;
        // Counted and announced in the same statement; no row comes back when nothing was numbered.
        let sql = format!(
            "WITH numbered AS ({update}) SELECT x.n, x.m, pg_notify('{CHANNEL}', x.m::text) \
             FROM (SELECT COUNT(*) AS n, MAX(seq) AS m FROM numbered) x WHERE x.n > 0"
        );
        match txn.query_one_raw(Statement::from_string(backend, sql)).await? {
            Some(row) => (row.try_get_by_index::<i64>(0)? as u64, row.try_get_by_index::<Option<i64>>(1)?),
            None => (0, None),
        }
    } else {
        // SQLite: the write lock taken by BEGIN IMMEDIATE makes this the only sequencer.
        let rows = txn.query_all_raw(Statement::from_string(backend, update)).await?;
        let seqs = rows.iter().map(|r| r.try_get_by_index::<i64>(0)).collect::<Result<Vec<_>, _>>()?;
        (seqs.len() as u64, seqs.into_iter().max())
    };
    txn.commit().await?;
    Ok((numbered, newest))
}

async fn newest_in(db: &impl ConnectionTrait) -> AppResult<i64> {
    Ok(domain_event::Entity::find()
        .select_only()
        .column_as(domain_event::Column::Seq.max(), "m")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten()
        .unwrap_or(0))
}

/// The newest number given so far (0: none).
pub async fn newest(db: &DatabaseConnection) -> AppResult<i64> {
    newest_in(db).await
}

/// The numbered entries after `after`, in order, at most `limit`.
pub async fn read_after(db: &impl ConnectionTrait, after: i64, limit: u64) -> AppResult<Vec<domain_event::Model>> {
    Ok(domain_event::Entity::find()
        .filter(domain_event::Column::Seq.gt(after))
        .order_by_asc(domain_event::Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}

/// `(seq, kind, subject)` of the numbered entries in `(after, upto]` whose kind is one of `kinds`: the narrow
/// read of a follower that cares about a few kinds (no payload, and only the newest rows of the index).
pub async fn kinds_between(
    db: &impl ConnectionTrait,
    after: i64,
    upto: i64,
    kinds: &[entity::enums::DomainEventKind],
) -> AppResult<Vec<(i64, entity::enums::DomainEventKind, uuid::Uuid)>> {
    Ok(domain_event::Entity::find()
        .select_only()
        .columns([domain_event::Column::Seq, domain_event::Column::Kind, domain_event::Column::SubjectId])
        .filter(domain_event::Column::Seq.gt(after))
        .filter(domain_event::Column::Seq.lte(upto))
        .filter(domain_event::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(domain_event::Column::Seq)
        .into_tuple()
        .all(db)
        .await?)
}

/// Runs the sequencer until `stop`: on start-up (entries a killed process committed but never numbered), then
/// [`SEQUENCE_COALESCE`] after a change of this process has committed or a tick has passed (what commits in that
/// pause is numbered by the same run; a wake-up during a run is kept, not lost).
pub fn spawn_sequencer(state: AppState, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            sequence_all(&state).await;
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = state.events.sequencer.notified() => {}
                _ = tokio::time::sleep(TICK) => {}
            }
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(SEQUENCE_COALESCE) => {}
            }
        }
        // Shutting down: number what this process's last changes appended rather than leave it to the next tick
        // of another replica (or to this one's restart).
        sequence_all(&state).await;
    })
}

/// Runs the sequencer until nothing is left to number, announcing the newest number.
async fn sequence_all(state: &AppState) {
    loop {
        match sequence(&state.log_db).await {
            Ok((n, newest)) => {
                if let Some(newest) = newest {
                    state.events.announce(newest);
                }
                if n < BATCH {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = ?e, "event sequencer failed; retrying on the next tick");
                return;
            }
        }
    }
}

/// On PostgreSQL, listens for other replicas' sequencers and announces what they numbered to this process's
/// followers (a dedicated connection, reconnected when it drops; the followers' tick covers the gap).
pub fn spawn_listener(state: AppState, stop: CancellationToken) -> Option<tokio::task::JoinHandle<()>> {
    if state.log_db.get_database_backend() != DbBackend::Postgres {
        return None;
    }
    let url = state.config.database_url.clone();
    Some(tokio::spawn(async move {
        use sea_orm::sqlx::postgres::PgListener;
        while !stop.is_cancelled() {
            let mut listener = match PgListener::connect(&url).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for events; retrying");
                    tokio::select! { _ = stop.cancelled() => break, _ = tokio::time::sleep(TICK) => continue }
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "cannot listen for events; retrying");
                continue;
            }
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    n = listener.recv() => match n {
                        Ok(n) => {
                            if let Ok(seq) = n.payload().parse::<i64>() {
                                state.events.announce(seq);
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "event listener lost its connection; reconnecting");
                            break;
                        }
                    }
                }
            }
        }
    }))
}
