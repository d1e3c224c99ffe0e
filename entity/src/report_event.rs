//! One step on a report's timeline: who (in which role) moved it from which status to which, with a note.
use sea_orm::entity::prelude::*;

use crate::enums::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub kind: EventKind,
    pub actor_role: ActorRole,
    pub from_status: Option<ReportStatus>,
    pub to_status: Option<ReportStatus>,
    pub note: Option<String>,
    pub report_id: Uuid,
    pub actor_id: Option<Uuid>,
    /// Content safety: PASS, REVIEW, PENDING or REJECTED (migration 000006).
    pub moderation: Moderation,
    /// An escalation step: from which level (migration 000016).
    pub from_level: Option<GridLevel>,
    /// To which level.
    pub to_level: Option<GridLevel>,
    /// Why.
    pub reason: Option<EscalationReason>,
}

/// The join a timeline or comment page uses to bring the people's names in the same statement.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Who acted (none for the system).
    #[sea_orm(belongs_to = "super::app_user::Entity", from = "Column::ActorId", to = "super::app_user::Column::Id")]
    Actor,
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Actor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
