//! Photos: uploaded through `POST /upload` (checked, stripped of metadata, thumbnailed and stored), then attached
//! by a report mutation in its own transaction: BEFORE photos on submit and reopen, AFTER photos on resolve, and
//! photos of a comment. Who may see a photo follows who may see its report; an unattached photo is its owner's
//! alone, and one hidden by a content-safety verdict is shown only to its owner and the community admin.
pub mod process;
pub mod sign;
mod store;

use std::collections::HashSet;

use chrono::Utc;
use entity::{photo, report};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

pub use store::{MediaStore, Object};

use super::report::Standing;
use super::report::machine::Party;
use crate::auth::Actor;
use crate::error::{AppError, AppResult, Msg};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// At most this many photos go with one submit, resolve, reopen or comment.
pub const MAX_PER_CALL: usize = 9;

/// When a photo was taken, as far as the report is concerned (stored in `photo.phase`; the GraphQL enum
/// `PhotoPhase`).
pub use entity::enums::PhotoPhase as Phase;

/// What photos are attached to.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// A report, as BEFORE or AFTER photos.
    Report {
        /// The report.
        report: Uuid,
        /// BEFORE or AFTER.
        phase: Phase,
    },
    /// A comment on a report.
    Comment {
        /// The report commented on.
        report: Uuid,
        /// The comment.
        comment: Uuid,
    },
}

/// Why an upload was refused: each has its HTTP status and stable code in the `/upload` answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The form had no file part.
    NoFile,
    /// The form had more than one file part.
    SeveralFiles,
    /// Larger than `LINLI_UPLOAD_MAX_BYTES`.
    TooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// Not JPEG, PNG, WebP (or HEIC) by its magic bytes.
    NotAnImage,
    /// HEIC/HEIF: recognised, but it cannot be re-encoded here, so its metadata could not be removed.
    Heic,
    /// More pixels than `LINLI_UPLOAD_MAX_PIXELS` (a decompression bomb, or simply too big).
    TooManyPixels,
    /// Has the right magic bytes but does not decode.
    Unreadable,
    /// Not `multipart/form-data`, or a broken form.
    Malformed,
}

impl Refusal {
    /// The HTTP status of the answer.
    pub fn status(self) -> u16 {
        match self {
            Refusal::TooLarge { .. } => 413,
            Refusal::NotAnImage | Refusal::Heic => 415,
            _ => 400,
        }
    }
    /// The stable code in the answer's `error.code`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::TooLarge { .. } => "PAYLOAD_TOO_LARGE",
            Refusal::NotAnImage | Refusal::Heic => "UNSUPPORTED_MEDIA_TYPE",
            _ => "BAD_USER_INPUT",
        }
    }
    /// What went wrong and what to do, for people.
    pub fn message(self) -> Msg {
        match self {
            Refusal::NoFile => msg!("请求中没有文件", "The request carries no file"),
            Refusal::SeveralFiles => msg!("每次只能上传一张照片", "Upload one photo per request"),
            Refusal::TooLarge { max } => msg!(
                "照片过大：最大 {} MB，请压缩后再上传",
                "The photo is too large: at most {} MB; compress it and try again",
                max / (1024 * 1024)
            ),
            Refusal::NotAnImage => {
                msg!("只支持 JPEG、PNG 或 WebP 格式的照片", "Only JPEG, PNG and WebP photos are accepted")
            }
            Refusal::Heic => msg!(
                "暂不支持 HEIC 格式的照片，请改用 JPEG 上传（wx.chooseMedia 设置 sizeType: ['compressed'] 即得到 JPEG）",
                "HEIC photos are not supported yet; send JPEG instead (wx.chooseMedia with sizeType ['compressed'] gives JPEG)"
            ),
            Refusal::TooManyPixels => {
                msg!("照片分辨率过高，请缩小后再上传", "The photo has too many pixels; scale it down and try again")
            }
            Refusal::Unreadable => msg!("照片已损坏或无法读取", "The photo is damaged or cannot be read"),
            Refusal::Malformed => msg!(
                "请求必须是 multipart/form-data 格式（wx.uploadFile）",
                "The request must be multipart/form-data (wx.uploadFile)"
            ),
        }
    }
}

impl From<Refusal> for AppError {
    /// A refused upload as the one error type: 413 and 415 keep their own codes, the rest are bad input on `file`.
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::TooLarge { .. } => AppError::Refused(crate::error::Refusal::PayloadTooLarge, r.message()),
            Refusal::NotAnImage | Refusal::Heic => AppError::Refused(crate::error::Refusal::UnsupportedMediaType, r.message()),
            Refusal::NoFile | Refusal::SeveralFiles | Refusal::TooManyPixels | Refusal::Unreadable | Refusal::Malformed => {
                AppError::bad_input("file", r.message())
            }
        }
    }
}

/// Checks, re-encodes and stores an uploaded file for the actor; the new photo is unattached.
pub async fn store(state: &AppState, actor: &Actor, bytes: Vec<u8>) -> AppResult<photo::Model> {
    let user = actor.user_id()?;
    let cfg = &state.config.media;
    if bytes.len() > cfg.max_upload_bytes {
        return Err(Refusal::TooLarge { max: cfg.max_upload_bytes }.into());
    }
    // Cheap refusals first, without waiting for a decoding slot.
    match process::sniff(&bytes) {
        None => return Err(Refusal::NotAnImage.into()),
        Some(process::Sniffed::Heic) => return Err(Refusal::Heic.into()),
        Some(_) => {}
    }
    // The slot goes with the work, so a client that hangs up does not free it while its photo still decodes.
    let slot = state.media.decoding.clone().acquire_owned().await.map_err(|e| AppError::internal(e))?;
    let max_pixels = cfg.max_pixels;
    let p = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        process::process(&bytes, max_pixels)
    })
    .await
    .map_err(|e| AppError::internal(anyhow::anyhow!("photo processing panicked: {e}")))??;
    let id = new_id();
    let key = format!("photos/{}.{}", id.simple(), p.ext);
    let thumb_key = format!("photos/{}.thumb.{}", id.simple(), p.ext);
    let size = p.bytes.len() as i64;
    state.media.put(&key, p.bytes).await?;
    if let Err(e) = state.media.put(&thumb_key, p.thumb).await {
        state.media.delete(&key).await;
        return Err(e.into());
    }
    let row = photo::ActiveModel {
        id: Set(id),
        created_at: Set(Utc::now()),
        content_type: Set(p.content_type.into()),
        width: Set(p.width as i32),
        height: Set(p.height as i32),
        byte_size: Set(size),
        storage_key: Set(key.clone()),
        thumb_key: Set(thumb_key.clone()),
        thumb_width: Set(p.thumb_width as i32),
        thumb_height: Set(p.thumb_height as i32),
        phase: Set(None),
        attached_at: Set(None),
        hidden: Set(false),
        owner_id: Set(user),
        report_id: Set(None),
        comment_id: Set(None),
    }
    .insert(&state.db)
    .await;
    match row {
        Ok(row) => Ok(row),
        Err(e) => {
            state.media.delete(&key).await;
            state.media.delete(&thumb_key).await;
            Err(AppError::from(e))
        }
    }
}

/// BAD_USER_INPUT on `photoIds` when `n` photos are more than [`MAX_PER_CALL`].
pub fn check_count(n: usize) -> AppResult<()> {
    if n > MAX_PER_CALL {
        return Err(AppError::bad_input(
            "photoIds",
            msg!("最多附 {} 张照片，现有 {}", "At most {} photos, got {}", MAX_PER_CALL, n),
        ));
    }
    Ok(())
}

/// Checks a list of photo ids before anything is written: at most [`MAX_PER_CALL`], no repeats.
pub fn check_ids(ids: &[Uuid]) -> AppResult<()> {
    check_count(ids.len())?;
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err(AppError::bad_input("photoIds", msg!("照片重复", "The same photo is given twice")));
    }
    Ok(())
}

/// Attaches `ids` to `target` inside the caller's transaction `txn`: each must be the actor's own and not yet
/// attached, or nothing is attached and BAD_USER_INPUT names `photoIds` (the caller's transaction then rolls back,
/// so the report change is not written either). One conditional UPDATE: two attaches of the same photo at once
/// cannot both succeed.
pub async fn attach<C: ConnectionTrait>(txn: &C, actor: &Actor, ids: &[Uuid], target: Target) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    check_ids(ids)?;
    let user = actor.user_id()?;
    let (report, comment, phase) = match target {
        Target::Report { report, phase } => (report, None, phase),
        Target::Comment { report, comment } => (report, Some(comment), Phase::Comment),
    };
    let res = photo::Entity::update_many()
        .col_expr(photo::Column::ReportId, Expr::value(Some(report)))
        .col_expr(photo::Column::CommentId, Expr::value(comment))
        .col_expr(photo::Column::Phase, Expr::value(phase))
        .col_expr(photo::Column::AttachedAt, Expr::value(Utc::now()))
        .filter(photo::Column::Id.is_in(ids.to_vec()))
        .filter(photo::Column::OwnerId.eq(user))
        .filter(photo::Column::ReportId.is_null())
        .exec(txn)
        .await?;
    if res.rows_affected != ids.len() as u64 {
        return Err(AppError::bad_input(
            "photoIds",
            msg!(
                "有照片不存在、不是您上传的或已被使用；请重新上传",
                "A photo does not exist, was not uploaded by you, or is already attached; upload it again"
            ),
        ));
    }
    Ok(())
}

/// Whether a viewer who may see a photo's report may also see this photo: not hidden, or the viewer is its owner
/// or an admin of the report's community (who decides on content-safety reviews).
pub fn can_list(user: Uuid, standing: &Standing, p: &photo::Model) -> bool {
    !p.hidden || p.owner_id == user || standing.parties.contains(&Party::Admin)
}

/// Whether signed URLs made for this viewer may show the photo even while it is hidden.
pub fn sees_hidden(user: Uuid, standing: Option<&Standing>, p: &photo::Model) -> bool {
    p.owner_id == user || standing.is_some_and(|s| s.parties.contains(&Party::Admin))
}

/// `photo(id)`: a photo the actor may see (their own, attached or not, or one of a report they may see), with
/// whether their URLs may show it hidden. NOT_FOUND otherwise.
pub async fn load_visible(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<(photo::Model, bool)> {
    let user = actor.user_id()?;
    let nf = || super::places::not_found(Kind::Photo);
    let p = photo::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(nf)?;
    if p.owner_id == user {
        return Ok((p, true));
    }
    let Some(report_id) = p.report_id else { return Err(nf()) };
    let r = report::Entity::find_by_id(report_id).one(&state.db).await?.ok_or_else(nf)?;
    let st = super::report::standing_of(state, actor, &r).await?;
    if !st.can_view || !can_list(user, &st, &p) {
        return Err(nf());
    }
    let hidden_ok = sees_hidden(user, Some(&st), &p);
    Ok((p, hidden_ok))
}

/// Hides or shows a photo (a content-safety verdict). Returns whether the photo exists.
pub async fn set_hidden<C: ConnectionTrait>(db: &C, id: Uuid, hidden: bool) -> AppResult<bool> {
    let res = photo::Entity::update_many()
        .col_expr(photo::Column::Hidden, Expr::value(hidden))
        .filter(photo::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// A photo for serving a signed URL: NOT_FOUND when it does not exist, or is hidden and the URL was not made for
/// someone who may see it hidden.
pub async fn for_serving(state: &AppState, id: Uuid, hidden_ok: bool) -> AppResult<photo::Model> {
    let nf = || super::places::not_found(Kind::Photo);
    let p = photo::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(nf)?;
    if p.hidden && !hidden_ok {
        return Err(nf());
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_are_bounded_and_without_repeats() {
        let ids: Vec<Uuid> = (0..10).map(|_| new_id()).collect();
        assert!(check_ids(&ids[..9]).is_ok());
        assert_eq!(check_ids(&ids).unwrap_err().code(), "BAD_USER_INPUT");
        assert!(check_ids(&[ids[0], ids[1], ids[0]]).is_err());
        assert!(check_ids(&[]).is_ok());
    }

    #[test]
    fn every_refusal_has_a_status_and_both_languages() {
        for r in [
            Refusal::NoFile,
            Refusal::SeveralFiles,
            Refusal::TooLarge { max: 10 * 1024 * 1024 },
            Refusal::NotAnImage,
            Refusal::Heic,
            Refusal::TooManyPixels,
            Refusal::Unreadable,
            Refusal::Malformed,
        ] {
            assert!((400..500).contains(&r.status()));
            let m = r.message();
            assert!(!m.zh.is_empty() && !m.en.is_empty());
        }
        assert!(Refusal::TooLarge { max: 10 * 1024 * 1024 }.message().en.contains("10 MB"));
    }
}
