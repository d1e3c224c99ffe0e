//! Background exports (`requestExport`, `exportJob`): for a year of a whole district, made by the job system with
//! its progress on the job row, stored in the media store (local disk or the bucket, so any replica serves the
//! download), downloaded through a signed link that expires, removed after it expired.
//!
//! A job is QUEUED by the request (its row and its audit row in one transaction), claimed by one replica with a
//! conditional update (QUEUED, or RUNNING with an expired lease, to RUNNING with a new lease and one more attempt),
//! written a page at a time with `rows_done` and the lease moved on after every page (by the claimant only: a
//! replica that lost its lease stops), then DONE with its file and expiry, or FAILED. The expired are EXPIRED with
//! their file removed.
use chrono::{DateTime, Duration, Utc};
use entity::enums::{ExportFormat, ExportStatus};
use entity::export_job;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr};
use uuid::Uuid;

use super::xlsx::{self, TempPath};
use super::{Authorized, Rows, Spec, audit_entry, authorize};
use crate::auth::Actor;
use crate::auth::actor::AuthState;
use crate::error::{AppError, AppResult, Lang};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::service::authz::{ReadScope, ReaderOf};
use crate::service::events::Change;
use crate::service::media::{Object, sign};
use crate::service::{audit, places};
use crate::state::AppState;

/// How long a claim holds without a page written: another replica takes over a job whose runner died.
pub const LEASE: Duration = Duration::minutes(5);
/// A job claimed this often without finishing fails.
pub const MAX_ATTEMPTS: i32 = 3;
/// Jobs one round runs at most (each to its end).
const PER_ROUND: u64 = 2;

fn not_found() -> AppError {
    places::not_found(Kind::Export)
}

fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

/// Queues an export of `spec` in `format` for the caller (checked as a download is), and records it in the audit
/// log in the same transaction.
pub async fn request(state: &AppState, actor: &Actor, spec: Spec, format: ExportFormat) -> AppResult<export_job::Model> {
    let a: Authorized = authorize(state, actor, spec).await?;
    let user = actor.user_id()?;
    let now = state.clock.now();
    let id = new_id();
    let change = Change::begin_at(state, Some(user), now).await?;
    let row = export_job::ActiveModel {
        id: Set(id),
        created_at: Set(now),
        requester_id: Set(user),
        scope_kind: Set(a.reader.kind.audit()),
        scope_id: Set(a.reader.id),
        district_id: Set(a.reader.district),
        category_id: Set(a.spec.category),
        from_day: Set(a.spec.from),
        to_day: Set(a.spec.to),
        format: Set(format),
        lang: Set(lang_name(a.spec.lang).to_owned()),
        status: Set(ExportStatus::Queued),
        rows_done: Set(0),
        rows_total: Set(None),
        attempts: Set(0),
        lease_until: Set(None),
        file_key: Set(None),
        file_bytes: Set(None),
        finished_at: Set(None),
        expires_at: Set(None),
        error: Set(None),
    }
    .insert(change.db())
    .await?;
    audit::record(&change, audit_entry(&a, format, (Kind::Export, id))).await?;
    change.commit().await?;
    Ok(row)
}

/// One of the caller's export jobs (NOT_FOUND for anyone else's).
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<export_job::Model> {
    let user = actor.user_id()?;
    match export_job::Entity::find_by_id(id).one(&state.db).await? {
        Some(j) if j.requester_id == user => Ok(j),
        _ => Err(not_found()),
    }
}

/// The signed download link of a job, while its file can be downloaded.
pub fn download_url(state: &AppState, j: &export_job::Model) -> Option<String> {
    let exp = j.expires_at?;
    (j.status == ExportStatus::Done && exp > state.clock.now())
        .then(|| sign::export_url(&state.config, j.id, j.requester_id, exp.timestamp()))
}

/// The file of job `id` for a download: the caller must be its requester (their token: NOT_FOUND for anyone
/// else), and the link's signature and expiry valid (FORBIDDEN: not valid, or expired).
pub async fn download(state: &AppState, actor: &Actor, id: Uuid, exp: i64, sig: &str) -> AppResult<(export_job::Model, Object)> {
    let user = actor.user_id()?;
    let now = state.clock.now();
    let j = get(state, actor, id).await?;
    match sign::verify_export(&state.config, id, user, exp, sig, now.timestamp()) {
        Ok(()) => {}
        Err(sign::Invalid::BadSignature) => {
            return Err(AppError::forbidden_msg(msg!("导出文件的下载链接无效", "This export's download link is not valid")));
        }
        Err(sign::Invalid::Expired) => return Err(expired()),
    }
    let (Some(key), true) = (j.file_key.clone(), j.status == ExportStatus::Done && j.expires_at.is_some_and(|e| e > now)) else {
        return Err(expired());
    };
    let object = state.media.get(&key).await.map_err(|e| if e.code() == "NOT_FOUND" { expired() } else { e })?;
    Ok((j, object))
}

fn expired() -> AppError {
    AppError::forbidden_msg(msg!("导出文件的下载链接已过期，请重新导出", "This export's download link has expired; export again"))
}

/// The file name a job's file is downloaded as.
pub fn file_name(j: &export_job::Model) -> String {
    let ext = match j.format {
        ExportFormat::Csv => "csv",
        ExportFormat::Xlsx => "xlsx",
    };
    format!("reports-{}-{}.{ext}", j.from_day.format("%Y%m%d"), j.to_day.format("%Y%m%d"))
}

/// One round of the export job: removes the files of expired exports, then runs queued exports (and those whose
/// runner's lease ran out). Returns how many it finished or removed.
pub async fn run_due(state: &AppState) -> AppResult<usize> {
    let mut n = remove_expired(state).await?;
    let now = state.clock.now();
    let due = export_job::Entity::find()
        .filter(
            Condition::any()
                .add(export_job::Column::Status.eq(ExportStatus::Queued))
                .add(
                    Condition::all()
                        .add(export_job::Column::Status.eq(ExportStatus::Running))
                        .add(export_job::Column::LeaseUntil.lt(now)),
                ),
        )
        .order_by_asc(export_job::Column::CreatedAt)
        .limit(PER_ROUND)
        .all(&state.db)
        .await?;
    for j in due {
        if j.attempts >= MAX_ATTEMPTS {
            fail(state, &j, j.attempts, "gave up after repeated attempts").await?;
            continue;
        }
        let Some(attempt) = claim(state, &j, now).await? else { continue };
        match run(state, &j, attempt).await {
            Ok(()) => n += 1,
            Err(e) => {
                tracing::warn!(job = %j.id, error = ?e, "export failed");
                fail(state, &j, attempt, &format!("{e:?}")).await?;
            }
        }
    }
    Ok(n)
}

/// Claims `j` for this replica: one conditional update. Returns the attempt it runs as (none: another replica
/// claimed it first).
async fn claim(state: &AppState, j: &export_job::Model, now: DateTime<Utc>) -> AppResult<Option<i32>> {
    use export_job::Column as C;
    let res = export_job::Entity::update_many()
        .col_expr(C::Status, Expr::value(ExportStatus::Running))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .col_expr(C::LeaseUntil, Expr::value(now + LEASE))
        .filter(C::Id.eq(j.id))
        .filter(C::Attempts.eq(j.attempts))
        .filter(
            Condition::any()
                .add(C::Status.eq(ExportStatus::Queued))
                .add(Condition::all().add(C::Status.eq(ExportStatus::Running)).add(C::LeaseUntil.lt(now))),
        )
        .exec(&state.db)
        .await?;
    Ok((res.rows_affected == 1).then_some(j.attempts + 1))
}

/// An update of job `j` by the replica running it as `attempt` (ignored once another replica took it over).
fn by_runner(j: &export_job::Model, attempt: i32) -> sea_orm::UpdateMany<export_job::Entity> {
    export_job::Entity::update_many()
        .filter(export_job::Column::Id.eq(j.id))
        .filter(export_job::Column::Status.eq(ExportStatus::Running))
        .filter(export_job::Column::Attempts.eq(attempt))
}

async fn fail(state: &AppState, j: &export_job::Model, attempt: i32, why: &str) -> AppResult<()> {
    use export_job::Column as C;
    let why: String = why.chars().take(2000).collect();
    export_job::Entity::update_many()
        .col_expr(C::Status, Expr::value(ExportStatus::Failed))
        .col_expr(C::Error, Expr::value(why))
        .col_expr(C::FinishedAt, Expr::value(state.clock.now()))
        .col_expr(C::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(C::Id.eq(j.id))
        .filter(C::Attempts.eq(attempt))
        .filter(C::Status.is_in([ExportStatus::Running, ExportStatus::Queued]))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// Writes job `j`'s file as `attempt` and stores it.
async fn run(state: &AppState, j: &export_job::Model, attempt: i32) -> AppResult<()> {
    use export_job::Column as C;
    let kind = ReadScope::ALL.into_iter().find(|k| k.audit() == j.scope_kind).ok_or_else(not_found)?;
    // Checked again as it starts: a requester who lost their office since asking gets nothing.
    let actor = Actor::new(AuthState::User { id: j.requester_id, sid: Uuid::nil() });
    let reader: ReaderOf = crate::service::authz::require_reader_of(state, &actor, j.scope_id).await?;
    if reader.kind != kind {
        return Err(not_found());
    }
    let spec = Spec {
        scope_kind: kind.kind(),
        scope: j.scope_id,
        from: j.from_day,
        to: j.to_day,
        category: j.category_id,
        lang: if j.lang == "en" { Lang::En } else { Lang::Zh },
    };
    let rows = Rows::open(state, &reader, &spec).await?;
    let total = rows.count().await? as i64;
    by_runner(j, attempt).col_expr(C::RowsTotal, Expr::value(total)).col_expr(C::RowsDone, Expr::value(0i64)).exec(&state.db).await?;
    let xlsx = j.format == ExportFormat::Xlsx;
    let tmp_dir = state.config.export.tmp_dir.clone();
    let out = TempPath::new(&tmp_dir, if xlsx { "xlsx" } else { "csv" });
    let done = xlsx::write_file(rows, xlsx, &out, &tmp_dir, |n| async move {
        let res = by_runner(j, attempt)
            .col_expr(C::RowsDone, Expr::value(n as i64))
            .col_expr(C::LeaseUntil, Expr::value(state.clock.now() + LEASE))
            .exec(&state.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(AppError::Conflict(msg!("导出任务已由其他实例接手", "Another replica took the export over")));
        }
        Ok(())
    })
    .await?;
    let key = format!("exports/{}.{}", j.id.simple(), if xlsx { "xlsx" } else { "csv" });
    let bytes = state.media.put_file(&key, out.path()).await?;
    drop(out);
    let now = state.clock.now();
    let expires = now + Duration::from_std(state.config.export.file_ttl).unwrap_or(Duration::days(1));
    let res = by_runner(j, attempt)
        .col_expr(C::Status, Expr::value(ExportStatus::Done))
        .col_expr(C::RowsDone, Expr::value(done as i64))
        .col_expr(C::FileKey, Expr::value(key.clone()))
        .col_expr(C::FileBytes, Expr::value(bytes as i64))
        .col_expr(C::FinishedAt, Expr::value(now))
        .col_expr(C::ExpiresAt, Expr::value(expires))
        .col_expr(C::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .exec(&state.db)
        .await?;
    if res.rows_affected == 0 {
        // Another replica took over meanwhile: its file is the one kept.
        state.media.delete(&key).await;
    }
    Ok(())
}

/// Marks the exports whose links expired EXPIRED and removes their files. Returns how many.
async fn remove_expired(state: &AppState) -> AppResult<usize> {
    use export_job::Column as C;
    let now = state.clock.now();
    let expired: Vec<(Uuid, Option<String>)> = export_job::Entity::find()
        .select_only()
        .columns([C::Id, C::FileKey])
        .filter(C::Status.eq(ExportStatus::Done))
        .filter(C::ExpiresAt.lte(now))
        .order_by_asc(C::ExpiresAt)
        .limit(100)
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut n = 0;
    for (id, key) in expired {
        let res = export_job::Entity::update_many()
            .col_expr(C::Status, Expr::value(ExportStatus::Expired))
            .col_expr(C::FileKey, Expr::value(Option::<String>::None))
            .filter(C::Id.eq(id))
            .filter(C::Status.eq(ExportStatus::Done))
            .exec(&state.db)
            .await?;
        // Only the replica that moved it removes the file.
        if res.rows_affected == 1 {
            if let Some(k) = key {
                state.media.delete(&k).await;
            }
            n += 1;
        }
    }
    Ok(n)
}

/// Runs the export job every `LINLI_EXPORT_INTERVAL_MS`.
pub fn spawn(state: AppState) {
    let every = state.config.export.interval;
    crate::service::jobs::every(state, every, "exports written or removed", |s| async move { run_due(&s).await });
}
