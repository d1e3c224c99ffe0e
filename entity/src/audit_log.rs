//! One row of the append-only audit log of admin actions (migration 000017). Rows are chained: `hash` is SHA-256
//! over `prev_hash` and the row's fields (`service::audit::hash_of`), and `seq` is the row's place in the chain.
use sea_orm::entity::prelude::*;

use crate::enums::{AuditAction, AuditScope, Role};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The position in the chain: 1, 2, … without gaps, in the order the rows committed.
    pub seq: i64,
    pub at: DateTimeUtc,
    /// Who acted (none: the system).
    pub actor_id: Option<Uuid>,
    /// In which office (none: the system).
    pub actor_role: Option<Role>,
    /// The unit the action is over.
    pub scope_kind: AuditScope,
    pub scope_id: Uuid,
    /// The scope's district, street and community (itself, when it is one), so that the log of a unit and
    /// everything below it is one indexed statement.
    pub district_id: Uuid,
    pub street_id: Option<Uuid>,
    pub community_id: Option<Uuid>,
    pub action: AuditAction,
    /// What kind of object was acted on (`COMPOUND`, `APPOINTMENT`, …).
    pub object_kind: String,
    pub object_id: Uuid,
    /// The object before and after, as JSON text.
    #[sea_orm(column_type = "Text", nullable)]
    pub before: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub after: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    /// The request that made the change (none outside a request: jobs, the command line).
    pub request_id: Option<String>,
    /// The previous row's hash (64 zeros for the first).
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
