//! A redeemed package: a short code to read out at the merchant, ISSUED until used, cancelled or expired.
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "redemption")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub code: String,
    /// ISSUED, USED, CANCELLED or EXPIRED.
    pub status: RedemptionStatus,
    /// Points it cost.
    pub points: i32,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub idempotency_key: String,
    pub package_id: Uuid,
    pub user_id: Uuid,
    pub verified_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
