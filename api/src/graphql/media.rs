//! Photos in GraphQL: the `Photo` type with short-lived signed URLs, the `photo(id)` query, and the loaders that
//! bring the photos of a page of reports (or of comments) in one statement. Adapters only: who may see what is
//! decided in `service::media`.
use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::{photo, report_comment};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{actor, arg_id, state};
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, encode};
use crate::service::batch;
use crate::service::media::{self, Phase, sign};
use crate::service::report::view::ReportView;

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
        self.row.phase
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

/// The photos of reports (not those of their comments), oldest first, keyed by report id.
pub struct PhotosByReport(DatabaseConnection);

impl Loader<Uuid> for PhotosByReport {
    type Value = Vec<photo::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        batch::photos_of_reports(&self.0, keys).await
    }
}

/// The photos of comments, oldest first, keyed by comment id.
pub struct PhotosByComment(DatabaseConnection);

impl Loader<Uuid> for PhotosByComment {
    type Value = Vec<photo::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        batch::photos_of_comments(&self.0, keys).await
    }
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
        .map_err(|_| AppError::internal(anyhow::anyhow!("photo loaders missing from the request")))
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
pub async fn of_report(ctx: &Context<'_>, view: &ReportView, phase: Option<Phase>) -> AppResult<Vec<Photo>> {
    let rows = loaders(ctx)?.by_report.load_one(view.row.id).await?.unwrap_or_default();
    let rows: Vec<_> = rows.into_iter().filter(|p| phase.is_none_or(|ph| p.phase == Some(ph))).collect();
    Ok(visible(view, rows))
}

/// `Comment.photos`.
pub async fn of_comment(ctx: &Context<'_>, c: &report_comment::Model, view: &ReportView) -> AppResult<Vec<Photo>> {
    let rows = loaders(ctx)?.by_comment.load_one(c.id).await?.unwrap_or_default();
    Ok(visible(view, rows))
}

/// Leaves out hidden photos the caller may not see.
fn visible(view: &ReportView, rows: Vec<photo::Model>) -> Vec<Photo> {
    rows.into_iter()
        .filter_map(|p| {
            let may_see_hidden = media::sees_hidden(view.viewer, Some(&view.standing), &p);
            (!p.hidden || may_see_hidden).then(|| Photo::new(p, may_see_hidden))
        })
        .collect()
}
