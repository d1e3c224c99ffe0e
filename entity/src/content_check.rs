//! A text accepted while WeChat's content check could not answer, to be checked again by a background job.
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content_check")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    /// REPORT, COMMENT or EVENT.
    pub target_kind: ContentTarget,
    pub target_id: Uuid,
    pub author_id: Uuid,
    /// msg_sec_check's scene.
    pub scene: i16,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub attempts: i32,
    pub next_at: DateTimeUtc,
    pub leased_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
