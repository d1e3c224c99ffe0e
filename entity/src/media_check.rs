//! A photo sent to WeChat's media_check_async, and the verdict pushed back.
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media_check")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    /// Set once WeChat accepted the request.
    pub trace_id: Option<String>,
    /// REQUESTED, PASS, REVIEW or RISKY.
    pub status: MediaCheckStatus,
    pub label: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub photo_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
