//! Photos in GraphQL: the `Photo` type with short-lived signed URLs, the `photo(id)` query, and the loaders that
//! bring the photos of a page of reports (or of comments) in one statement. Adapters only: who may see what is
//! decided in `service::media`.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::{photo, report, report_comment};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{actor, arg_id, state};
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, encode};
use crate::service::media::{self, Phase, sign};

/// A photo of a report or a comment.
pub struct Photo {
    row: photo::Model,
    /// The caller may see it even while it is hidden (its owner, a community admin): their URLs say so.
    hidden_ok: bool,
}

impl Photo {
    /// Wraps a row the caller may see; `may_see_hidden` is whether they could see it if it were hidden.
    pub fn new(row: photo::Model, may_see_hidden: bool) -> Self {
        let hidden_ok = row.hidden && may_see_hidden;
        Self { row, hidden_ok }
    }
}

#[Object]
impl Photo {
    /// The opaque global ID (`pho_…`), as `POST /upload` returned it.
    async fn id(&self) -> ID {
        encode(Kind::Photo, self.row.id)
    }
    /// Width in pixels (upright, as shown).
    async fn width(&self) -> i32 {
        self.row.width
    }
    /// Height in pixels.
    async fn height(&self) -> i32 {
        self.row.height
    }
    /// `image/jpeg` or `image/png`.
    async fn content_type(&self) -> &str {
        &self.row.content_type
    }
    /// BEFORE (submit, reopen), AFTER (resolve) or COMMENT; null while not attached.
    async fn phase(&self) -> Option<Phase> {
        self.row.phase.as_deref().and_then(Phase::parse)
    }
    /// Hidden by a content-safety check (only its owner and the community admin see such a photo at all).
    async fn hidden(&self) -> bool {
        self.row.hidden
    }
    /// When it was uploaded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    /// A signed URL of the photo, valid until `urlExpiresAt`; needs no token (for `<image src>`).
    async fn url(&self, ctx: &Context<'_>) -> String {
        sign::url(&state(ctx).config, self.row.id, sign::Variant::Full, self.hidden_ok)
    }
    /// A signed URL of the thumbnail (longest side 320 px).
    async fn thumbnail_url(&self, ctx: &Context<'_>) -> String {
        sign::url(&state(ctx).config, self.row.id, sign::Variant::Thumb, self.hidden_ok)
    }
    /// Thumbnail width.
    async fn thumbnail_width(&self) -> i32 {
        self.row.thumb_width
    }
    /// Thumbnail height.
    async fn thumbnail_height(&self) -> i32 {
        self.row.thumb_height
    }
    /// When `url` and `thumbnailUrl` stop working; fetch the photo again after that.
    async fn url_expires_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(sign::expiry(&state(ctx).config, Utc::now().timestamp()), 0)
    }
}

/// Photo queries.
#[derive(Default)]
pub struct MediaQuery;

#[Object]
impl MediaQuery {
    /// One photo: the caller's own (attached or not yet), or one of a report the caller may see.
    async fn photo(&self, ctx: &Context<'_>, id: ID) -> Result<Photo> {
        let id = arg_id(&id, Kind::Photo, "id")?;
        let (row, may_see_hidden) = media::load_visible(state(ctx), actor(ctx), id).await?;
        Ok(Photo::new(row, may_see_hidden))
    }
}

/// Reads a `photoIds` argument: `pho_…` ids, at most nine, no repeats.
pub fn photo_ids(ids: Option<Vec<ID>>) -> AppResult<Vec<Uuid>> {
    let ids = ids.unwrap_or_default();
    media::check_count(ids.len())?;
    let ids = ids.iter().map(|i| arg_id(i, Kind::Photo, "photoIds")).collect::<AppResult<Vec<_>>>()?;
    media::check_ids(&ids)?;
    Ok(ids)
}

/// The error a photo loader reports (cloneable, as DataLoader requires).
#[derive(Clone, Debug)]
pub struct PhotoLoadError(Arc<sea_orm::DbErr>);

impl From<PhotoLoadError> for AppError {
    fn from(e: PhotoLoadError) -> Self {
        AppError::Internal(anyhow::anyhow!("photo loader: {}", e.0))
    }
}

/// The photos of reports (not those of their comments), oldest first, keyed by report id. Every key gets an
/// entry, empty when the report has no photos, so a primed page never asks again.
pub struct PhotosByReport(DatabaseConnection);

impl Loader<Uuid> for PhotosByReport {
    type Value = Vec<photo::Model>;
    type Error = PhotoLoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = photo::Entity::find()
            .filter(photo::Column::ReportId.is_in(keys.to_vec()))
            .filter(photo::Column::CommentId.is_null())
            .order_by_asc(photo::Column::Id)
            .all(&self.0)
            .await
            .map_err(|e| PhotoLoadError(Arc::new(e)))?;
        Ok(group(keys, rows, |p| p.report_id))
    }
}

/// The photos of comments, oldest first, keyed by comment id.
pub struct PhotosByComment(DatabaseConnection);

impl Loader<Uuid> for PhotosByComment {
    type Value = Vec<photo::Model>;
    type Error = PhotoLoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = photo::Entity::find()
            .filter(photo::Column::CommentId.is_in(keys.to_vec()))
            .order_by_asc(photo::Column::Id)
            .all(&self.0)
            .await
            .map_err(|e| PhotoLoadError(Arc::new(e)))?;
        Ok(group(keys, rows, |p| p.comment_id))
    }
}

fn group(
    keys: &[Uuid],
    rows: Vec<photo::Model>,
    key: fn(&photo::Model) -> Option<Uuid>,
) -> HashMap<Uuid, Vec<photo::Model>> {
    let mut out: HashMap<Uuid, Vec<photo::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for p in rows {
        if let Some(k) = key(&p) {
            out.entry(k).or_default().push(p);
        }
    }
    out
}

/// The photo loaders of one request.
pub struct PhotoLoaders {
    /// Photos by report.
    pub by_report: DataLoader<PhotosByReport, HashMapCache>,
    /// Photos by comment.
    pub by_comment: DataLoader<PhotosByComment, HashMapCache>,
}

impl PhotoLoaders {
    /// Fresh loaders for one request.
    pub fn new(state: &crate::state::AppState) -> Self {
        let delay = std::time::Duration::from_micros(100);
        Self {
            by_report: DataLoader::with_cache(PhotosByReport(state.db.clone()), tokio::spawn, HashMapCache::default())
                .delay(delay),
            by_comment: DataLoader::with_cache(
                PhotosByComment(state.db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(delay),
        }
    }
}

fn loaders<'a>(ctx: &Context<'a>) -> AppResult<&'a PhotoLoaders> {
    ctx.data::<PhotoLoaders>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("photo loaders missing from the request")))
}

/// Loads the photos of a page of reports in one statement, so resolving `photos` per report costs nothing more.
pub async fn prime_reports(ctx: &Context<'_>, mut ids: Vec<Uuid>) -> AppResult<()> {
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let l = &loaders(ctx)?.by_report;
    let rows = l.loader().load(&ids).await?;
    l.feed_many(rows).await;
    Ok(())
}

/// `Report.photos`: what the caller may see of a report's photos (the report itself they may see already).
pub async fn of_report(ctx: &Context<'_>, r: &report::Model, phase: Option<Phase>) -> AppResult<Vec<Photo>> {
    let rows = loaders(ctx)?.by_report.load_one(r.id).await?.unwrap_or_default();
    let rows: Vec<_> =
        rows.into_iter().filter(|p| phase.is_none_or(|ph| p.phase.as_deref() == Some(ph.as_str()))).collect();
    visible(ctx, rows, || async { Ok(r.clone()) }).await
}

/// `Comment.photos`.
pub async fn of_comment(ctx: &Context<'_>, c: &report_comment::Model) -> AppResult<Vec<Photo>> {
    let rows = loaders(ctx)?.by_comment.load_one(c.id).await?.unwrap_or_default();
    let report_id = c.report_id;
    visible(ctx, rows, || async move {
        let s = state(ctx);
        report::Entity::find_by_id(report_id).one(&s.db).await?.ok_or_else(crate::service::report::act::not_found)
    })
    .await
}

/// Filters out hidden photos the caller may not see. The caller's standing toward the report is worked out only
/// when there is a hidden photo of someone else (roles are cached per request).
async fn visible<F, Fut>(ctx: &Context<'_>, rows: Vec<photo::Model>, report: F) -> AppResult<Vec<Photo>>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<report::Model>>,
{
    let user = actor(ctx).user_id()?;
    let standing = if rows.iter().any(|p| p.hidden && p.owner_id != user) {
        let r = report().await?;
        Some(crate::service::report::standing_of(state(ctx), actor(ctx), &r).await?)
    } else {
        None
    };
    Ok(rows
        .into_iter()
        .filter_map(|p| {
            let may_see_hidden = media::sees_hidden(user, standing.as_ref(), &p);
            (!p.hidden || may_see_hidden).then(|| Photo::new(p, may_see_hidden))
        })
        .collect())
}
