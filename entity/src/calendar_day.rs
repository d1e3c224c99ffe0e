//! A day off a district's usual week: a public holiday, or a make-up working day (调休).
use sea_orm::entity::prelude::*;

use crate::enums::CalendarDayKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_day")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub day: Date,
    pub kind: CalendarDayKind,
    pub name: String,
    pub district_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
