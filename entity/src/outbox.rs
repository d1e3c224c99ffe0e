//! A subscribe message to deliver, written in the same transaction as the event it announces.
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub notification_id: Uuid,
    pub template_id: String,
    pub page: Option<String>,
    /// JSON object: template key → value (already trimmed).
    #[sea_orm(column_type = "Text")]
    pub data: String,
    /// PENDING, SENT, NO_QUOTA, MISCONFIGURED or FAILED.
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_at: DateTimeUtc,
    pub leased_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub user_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
