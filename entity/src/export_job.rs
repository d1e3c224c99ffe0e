//! A background export of a scope's reports (migration 000019): requested by one user, run by one replica at a
//! time (the claim is `status` with `lease_until`), its file kept in the media store until `expires_at`.
use sea_orm::entity::prelude::*;

use crate::enums::{AuditScope, ExportFormat, ExportStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "export_job")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    /// Who asked for it (the only one who may see it and download its file).
    pub requester_id: Uuid,
    /// The scope whose reports it holds (the same kinds as the audit log's scopes).
    pub scope_kind: AuditScope,
    pub scope_id: Uuid,
    /// The scope's district (its work calendar gives the business hours).
    pub district_id: Uuid,
    /// Only reports of this category.
    pub category_id: Option<Uuid>,
    /// The first and the last day (Beijing time, both inclusive) of submission.
    pub from_day: Date,
    pub to_day: Date,
    pub format: ExportFormat,
    /// The language of the headers and labels: `zh` or `en`.
    pub lang: String,
    pub status: ExportStatus,
    /// Rows written so far.
    pub rows_done: i64,
    /// Rows it will hold (counted when it starts).
    pub rows_total: Option<i64>,
    /// How often a replica claimed it.
    pub attempts: i32,
    /// Until when the replica running it holds it (extended every batch).
    pub lease_until: Option<DateTimeUtc>,
    /// Where the file is in the media store (none: not done, or removed after expiry).
    pub file_key: Option<String>,
    pub file_bytes: Option<i64>,
    pub finished_at: Option<DateTimeUtc>,
    /// When the download link stops working and the file is removed.
    pub expires_at: Option<DateTimeUtc>,
    /// Why it failed (for the logs; clients see a generic message).
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
