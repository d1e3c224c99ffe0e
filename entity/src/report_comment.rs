//! A comment on a report.
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_comment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub author_role: ActorRole,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub report_id: Uuid,
    pub author_id: Uuid,
    /// Content safety: PASS, REVIEW, PENDING or REJECTED (migration 000006).
    pub moderation: Moderation,
}

/// The join a timeline or comment page uses to bring the people's names in the same statement.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Who wrote it.
    #[sea_orm(belongs_to = "super::app_user::Entity", from = "Column::AuthorId", to = "super::app_user::Column::Id")]
    Author,
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
