//! A district's working hours (Beijing time) and working weekdays, and the share of a target at which the holder is
//! warned.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_calendar")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    /// Minutes after midnight the working day starts.
    pub work_start_minute: i32,
    /// Minutes after midnight it ends.
    pub work_end_minute: i32,
    /// ISO weekdays that are working days ("1,2,3,4,5").
    pub weekdays: String,
    /// Warn at this percentage of a stage's target.
    pub warn_percent: i32,
    pub updated_at: DateTimeUtc,
    pub district_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
