//! Connecting to the database (SQLite file or PostgreSQL), migrating, and write transactions that behave the
//! same on both.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

/// Opens a pool on `url` (creating the SQLite file and its directory if absent) and applies pending migrations.
pub async fn connect_and_migrate(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url, max_connections).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Opens a pool on `url` without migrating.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file_path(url) {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DbErr::Custom(format!("cannot create directory {}: {e}", dir.display())))?;
            }
        }
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // sqlx pings a pooled connection on every acquire by default: a second round trip for every statement.
        // Ping only a connection that sat idle long enough to have been dropped by the server or a proxy.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        // The hot statements are short index lookups whose plan does not depend on the values bound (statuses
        // are inlined as literals where partial indexes need them). PostgreSQL's default plans every execution
        // afresh when it guesses a custom plan might be cheaper, and planning then cost more than running the
        // statement (see bench/RESULTS.md). The generic plan of each hot statement is in bench/explain/.
        .map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_generic_plan")]))
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(15))
                .foreign_keys(true)
        });
    Database::connect(opts).await
}

/// The file behind a `sqlite://path?…` URL, if it is one.
fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// A transaction begun by [`begin_write`]: commit it, or it is rolled back as soon as it is dropped.
///
/// On PostgreSQL sqlx rolls a dropped transaction back lazily, on its connection's next use, and gives the
/// connection back to the pool meanwhile, its row locks still held until the pool happens to hand that connection
/// out again. This one sends the ROLLBACK at once, from a task; the connection returns to the pool after it. (On
/// SQLite sqlx's connection worker is sent the rollback at once already, and it is left to do it.)
pub struct WriteTxn(Option<DatabaseTransaction>);

impl WriteTxn {
    /// Commits.
    pub async fn commit(mut self) -> Result<(), DbErr> {
        self.0.take().expect("a transaction not yet ended").commit().await
    }

    /// Rolls back.
    pub async fn rollback(mut self) -> Result<(), DbErr> {
        self.0.take().expect("a transaction not yet ended").rollback().await
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        self.0.as_ref().expect("a transaction not yet ended")
    }
}

impl Drop for WriteTxn {
    fn drop(&mut self) {
        if let Some(txn) = self.0.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(rt) if sea_orm::ConnectionTrait::get_database_backend(&txn) == DbBackend::Postgres => {
                    rt.spawn(async move {
                        let _ = txn.rollback().await;
                    });
                }
                // SQLite, or no runtime to send it from: sqlx's own rollback.
                _ => drop(txn),
            }
        }
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`), so two
/// concurrent writers queue on the busy timeout instead of one failing when it upgrades a read lock.
///
/// The BEGIN runs in a task of its own, so that it always completes. sqlx's is not cancel-safe: a caller dropped
/// after BEGIN was sent and before its answer came (a request whose client hung up, a timeout) left the connection
/// inside a transaction sqlx did not know of and gave it back to the pool; whatever ran on it next ran inside that
/// transaction, holding its locks until some later COMMIT (the KPI cell builder's row locks stalled submissions
/// for minutes in the benchmark), its writes lost if a later user rolled back; on SQLite it held the write lock.
/// Begun in a task, a transaction whose caller has gone is rolled back by the task at once.
/// (`tests/api/faults.rs`: `a_transaction_abandoned_while_it_begins_leaves_no_connection_inside_it`.)
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let db = db.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        // Wrapped before it is sent: one the caller no longer waits for, in the channel or refused by it, is dropped
        // as a WriteTxn and so rolled back at once.
        let _ = tx.send(begin_now(&db).await.map(|t| WriteTxn(Some(t))));
    });
    rx.await.map_err(|_| DbErr::Custom("beginning a transaction: the task ended".into()))?
}

async fn begin_now(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
    } else {
        db.begin().await
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_file_path;

    #[test]
    fn finds_sqlite_paths() {
        assert_eq!(sqlite_file_path("sqlite://./data/linli.db?mode=rwc").as_deref(), Some("./data/linli.db"));
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://x"), None);
    }
}
