//! A report's KPI facts (migration 000018): what the assessment counts of it, kept by the facts subscriber.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_fact")]
pub struct Model {
    /// The report.
    #[sea_orm(primary_key, auto_increment = false)]
    pub report_id: Uuid,
    pub district_id: Uuid,
    pub street_id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    pub area_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub neighbourhood_id: Option<Uuid>,
    /// The company it was dispatched to.
    pub company_id: Option<Uuid>,
    pub category_id: Uuid,
    /// Who acknowledged it.
    pub ack_by: Option<Uuid>,
    /// The Beijing date of its submission, and the first days of that date's week (Monday), month, quarter, year.
    pub day: Date,
    pub week: Date,
    pub month: Date,
    pub quarter: Date,
    pub year: Date,
    /// Its status now (the stored value of `ReportStatus`).
    pub status: String,
    pub support_count: i32,
    /// 1, or 0 for a merged duplicate (whose figures below are all zero or null).
    pub counted: i32,
    /// Minutes from submission to the milestone, wall-clock and business (none: not reached).
    pub ack_wall: Option<i32>,
    pub ack_biz: Option<i32>,
    pub dispatch_wall: Option<i32>,
    pub dispatch_biz: Option<i32>,
    pub resolve_wall: Option<i32>,
    pub resolve_biz: Option<i32>,
    pub close_wall: Option<i32>,
    pub close_biz: Option<i32>,
    /// 1: work was started.
    pub started: i32,
    /// 1: the stage went past its first due time.
    pub breach_ack: i32,
    pub breach_handle: i32,
    pub breach_start: i32,
    pub breach_resolve: i32,
    /// Escalation steps taken.
    pub escalations: i32,
    /// The levels it was escalated to, a bit per `GridLevel` (`kpi::facts::level_bit`).
    pub levels: i32,
    /// 0/1 outcomes.
    pub reopened: i32,
    pub confirmed: i32,
    pub auto_closed: i32,
    pub rating: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
