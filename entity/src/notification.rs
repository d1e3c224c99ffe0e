//! An in-app notification: something that concerns a user (their report moved, a new task, a comment).
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub kind: NotificationKind,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub report_id: Option<Uuid>,
    pub read_at: Option<DateTimeUtc>,
    pub user_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
