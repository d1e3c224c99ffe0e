//! The cursor of a consumer of the domain event log that runs outside the writing transactions (migration 000015).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_consumer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The `seq` of the last event the consumer finished.
    pub position: i64,
    pub updated_at: DateTimeUtc,
    /// The process running the consumer now (a random id per process), while its lease lasts.
    pub lease_owner: Option<Uuid>,
    pub lease_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
