//! An incentive package (三长专属优惠包): offered by a merchant to eligible heads within an admin's scope.
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incentive_package")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub cost_points: i32,
    pub total_stock: i32,
    pub remaining_stock: i32,
    pub per_person_limit: i32,
    /// Comma-separated roles (NEIGHBOUR_HEAD,GROUP_HEAD,AREA_HEAD).
    pub eligible_roles: String,
    pub valid_from: DateTimeUtc,
    pub valid_until: DateTimeUtc,
    /// How long an issued redemption stays valid.
    pub redeem_valid_hours: i32,
    /// DRAFT, ACTIVE or ENDED.
    pub status: PackageStatus,
    /// DISTRICT, STREET or COMMUNITY: whose heads may redeem it.
    pub scope_kind: ScopeKind,
    pub scope_id: Uuid,
    pub merchant_id: Uuid,
    pub district_id: Uuid,
    pub created_by: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
