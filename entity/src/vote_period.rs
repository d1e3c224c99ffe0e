//! A best-neighbour-head voting period for a community or street.
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vote_period")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub title: String,
    /// COMMUNITY or STREET.
    pub scope_kind: ScopeKind,
    pub scope_id: Uuid,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    /// How many heads win.
    pub winners: i32,
    /// OPEN or CLOSED.
    pub status: VoteStatus,
    pub closed_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
