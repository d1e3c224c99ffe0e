//! Background report exports in GraphQL: `requestExport` and `exportJob`. Adapters only: the rules are in
//! `service::export`.
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{ExportFormat, ExportStatus};
use entity::export_job;

use super::{actor, arg_id, state};
use crate::error::Lang;
use crate::ids::{Kind, decode_any, encode};
use crate::service::export::{self, job};

/// Input of `requestExport`: the same scope and period as `GET /export/reports.csv`.
#[derive(InputObject)]
pub struct RequestExportInput {
    /// A district, street, community, compound, area, group, neighbourhood or property company.
    pub scope_id: ID,
    /// The first day of submission (Beijing time), inclusive.
    pub from: NaiveDate,
    /// The last day of submission (Beijing time), inclusive.
    pub to: NaiveDate,
    /// Only reports of this category.
    pub category_id: Option<ID>,
    /// CSV or XLSX.
    pub format: ExportFormat,
}

/// A background export of reports, seen by the one who asked for it.
pub struct ExportJob(pub export_job::Model);

#[Object]
impl ExportJob {
    /// Its id.
    async fn id(&self) -> ID {
        encode(Kind::Export, self.0.id)
    }
    /// QUEUED, RUNNING, DONE, FAILED, or EXPIRED (done, and its file removed).
    async fn status(&self) -> ExportStatus {
        self.0.status
    }
    /// CSV or XLSX.
    async fn format(&self) -> ExportFormat {
        self.0.format
    }
    /// Rows written so far.
    async fn rows_done(&self) -> i64 {
        self.0.rows_done
    }
    /// Rows it holds (known once it runs).
    async fn rows_total(&self) -> Option<i64> {
        self.0.rows_total
    }
    /// When it was asked for.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was done (or failed).
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// The signed download link, while the file can be downloaded (DONE and not expired). It needs the
    /// requester's token too (`Authorization: Bearer`, e.g. `wx.downloadFile({ url, header })`).
    async fn download_url(&self, ctx: &Context<'_>) -> Option<String> {
        job::download_url(state(ctx), &self.0)
    }
    /// When the link stops working and the file is removed.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// The size of the file in bytes, once done.
    async fn file_bytes(&self) -> Option<i64> {
        self.0.file_bytes
    }
}

/// Export queries.
#[derive(Default)]
pub struct ExportQuery;

#[Object]
impl ExportQuery {
    /// One of the caller's exports (NOT_FOUND for anyone else's): poll it for progress and the download link.
    async fn export_job(&self, ctx: &Context<'_>, id: ID) -> Result<ExportJob> {
        let id = arg_id(&id, Kind::Export, "id")?;
        Ok(ExportJob(job::get(state(ctx), actor(ctx), id).await?))
    }
}

/// Export mutations.
#[derive(Default)]
pub struct ExportMutation;

#[Object]
impl ExportMutation {
    /// Exports the reports of a scope and period in the background (a year of a whole district, say), for those
    /// who may read the scope (as `GET /export/reports.csv`). Headers in the request's language
    /// (`Accept-Language`). Poll `exportJob` for progress; its `downloadUrl` works until `expiresAt`.
    async fn request_export(&self, ctx: &Context<'_>, input: RequestExportInput) -> Result<ExportJob> {
        let (scope_kind, scope) = decode_any(&input.scope_id, "scopeId")?;
        let spec = export::Spec {
            scope_kind,
            scope,
            from: input.from,
            to: input.to,
            category: input.category_id.map(|c| arg_id(&c, Kind::Category, "categoryId")).transpose()?,
            lang: ctx.data_opt::<Lang>().copied().unwrap_or_default(),
        };
        Ok(ExportJob(job::request(state(ctx), actor(ctx), spec, input.format).await?))
    }
}
