//! A key an integrating system (a 12345 platform, a work-order system) uses on Open311: made by a district admin,
//! shown once, kept only as the SHA-256 of its secret.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    /// What it is for ("12345 热线").
    pub name: String,
    /// Its scopes, comma-separated (`OPEN311_POST`).
    pub scopes: String,
    /// SHA-256 of the secret, lower-case hex.
    pub secret_hash: String,
    /// The secret's last four characters, to tell keys apart in a list.
    pub hint: String,
    pub district_id: Uuid,
    pub created_by: Uuid,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
