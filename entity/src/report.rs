//! A problem report, with a timestamp per milestone and the ids of every unit above it.
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "report")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub urgency: Urgency,
    pub unit: Option<i32>,
    pub room: Option<String>,
    pub public_area: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub anonymous: bool,
    pub status: ReportStatus,
    pub version: i32,
    pub waiting_since: DateTimeUtc,
    pub submitted_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub dispatched_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub first_reopened_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub auto_closed: bool,
    pub reopen_count: i32,
    pub last_urged_at: Option<DateTimeUtc>,
    pub idempotency_key: Option<String>,
    pub category_id: Uuid,
    pub reporter_id: Uuid,
    pub compound_id: Uuid,
    pub building_id: Option<Uuid>,
    pub neighbourhood_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
    pub community_id: Uuid,
    pub company_id: Option<Uuid>,
    pub duplicate_of: Option<Uuid>,
    pub last_event_id: Option<Uuid>,
    /// Content safety: PASS, REVIEW, PENDING or REJECTED (migration 000006).
    pub moderation: Moderation,
    /// The kind of the newest timeline event, written with `last_event_id` (migration 000013).
    pub last_event_kind: Option<EventKind>,
    /// When the newest timeline event happened, written with `last_event_id` (migration 000013).
    pub last_event_at: Option<DateTimeUtc>,
    /// The reporter's name, copied when the report is submitted (a user's name never changes): lists show it
    /// without reading the users table.
    pub reporter_name: String,
    /// The SLA stage the report is in (none: it waits on the resident, or is over). Migration 000016 adds this
    /// and the columns below.
    pub sla_stage: Option<SlaStage>,
    /// The grid level that holds the report now.
    pub sla_level: Option<GridLevel>,
    /// When the current stage started (its clock runs from here, in business time).
    pub sla_stage_since: Option<DateTimeUtc>,
    /// When the current holder is warned (a share of the stage's target, in business time).
    pub sla_warn_at: Option<DateTimeUtc>,
    /// When the current holder's time is up.
    pub sla_due_at: Option<DateTimeUtc>,
    /// The next moment the timer job must look at this report (the warning or the due time); none: no timer.
    pub sla_fires_at: Option<DateTimeUtc>,
    /// The current holder has been warned (or the stage is past due).
    pub sla_warned: bool,
    /// The stage went past its first due time.
    pub sla_breached: bool,
    /// How often the reporter urged in this stage.
    pub sla_urges: i32,
    /// Business minutes on the overall clock up to `overall_since`.
    pub overall_minutes: i32,
    /// Since when the overall clock runs again (none: paused or stopped).
    pub overall_since: Option<DateTimeUtc>,
    /// When the report reached its current level by escalation (none: it is with its first holder).
    pub escalated_at: Option<DateTimeUtc>,
    /// How many escalation steps it took.
    pub escalations: i32,
    /// How many residents said "me too".
    pub support_count: i32,
    /// The inbox and queue order key: `waiting_since` moved earlier for escalated and supported reports.
    pub queue_at: DateTimeUtc,
}

/// Joins a page of reports uses to bring the reporter and the newest event in the same statement.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Who reported it.
    #[sea_orm(belongs_to = "super::app_user::Entity", from = "Column::ReporterId", to = "super::app_user::Column::Id")]
    Reporter,
    /// Its newest timeline event.
    #[sea_orm(belongs_to = "super::report_event::Entity", from = "Column::LastEventId", to = "super::report_event::Column::Id")]
    LastEvent,
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Reporter.def()
    }
}

impl Related<super::report_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LastEvent.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
