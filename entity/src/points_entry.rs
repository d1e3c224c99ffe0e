//! One change of a points balance: append-only, unique per (user, reason, source).
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "points_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub delta: i32,
    /// ACK_IN_SLA, RESOLUTION_CONFIRMED, FIVE_STAR, VOTE_WIN, REDEMPTION, REDEMPTION_RETURNED, …
    pub reason: PointsReason,
    /// The report, vote period or redemption it came from.
    pub source_id: Uuid,
    pub balance_after: i32,
    pub user_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
