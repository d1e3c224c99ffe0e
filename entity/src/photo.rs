//! An uploaded photo: re-encoded without metadata, with a thumbnail, stored in object storage under
//! `storage_key` / `thumb_key`, and attached to at most one report (and then possibly one of its comments).
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photo")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    /// `image/jpeg` or `image/png` (what is stored, not what was uploaded).
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    /// Size of the stored image in bytes.
    pub byte_size: i64,
    pub storage_key: String,
    pub thumb_key: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    /// BEFORE, AFTER or COMMENT once attached.
    pub phase: Option<PhotoPhase>,
    pub attached_at: Option<DateTimeUtc>,
    /// Hidden by a content-safety verdict.
    pub hidden: bool,
    pub owner_id: Uuid,
    pub report_id: Option<Uuid>,
    pub comment_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
