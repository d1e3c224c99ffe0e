//! A report category with its SLA targets (hours to acknowledge and resolve, per urgency).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "category")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub to_property: bool,
    pub ack_hours_normal: i32,
    pub resolve_hours_normal: i32,
    pub ack_hours_urgent: i32,
    pub resolve_hours_urgent: i32,
    pub active: bool,
    pub sort_order: i32,
    /// Hours for a head to handle (dispatch or fix) an acknowledged report (migration 000016).
    pub dispatch_hours_normal: i32,
    /// The same, urgent.
    pub dispatch_hours_urgent: i32,
    /// Hours for the company to start dispatched work.
    pub start_hours_normal: i32,
    /// The same, urgent.
    pub start_hours_urgent: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
