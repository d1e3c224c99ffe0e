//! One entry of the durable log of domain events (migration 000015). `seq` is given by the sequencer once the
//! writing transaction has committed; until then it is NULL and readers do not see the entry.
use sea_orm::entity::prelude::*;

use crate::enums::DomainEventKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The position in the log: strictly increasing in the order readers may see entries.
    pub seq: Option<i64>,
    pub occurred_at: DateTimeUtc,
    pub kind: DomainEventKind,
    /// The object the event is about (a report, an appointment, a unit, a package …).
    pub subject_id: Uuid,
    pub actor_id: Option<Uuid>,
    /// The event as JSON (ids, kinds and statuses; never a name, a phone or a text).
    #[sea_orm(column_type = "Text")]
    pub payload: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
