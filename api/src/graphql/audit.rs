//! The audit log in GraphQL: `auditLog`, for the admins over a unit. Adapters only: the rules are in
//! `service::audit`.
use async_graphql::{Context, ID, Object, Result, connection::Edge};
use chrono::{DateTime, Utc};
use entity::audit_log;
use entity::enums::{AuditAction, AuditScope, Role};

use super::types::UserSummary;
use super::{Conn, actor, loaders, state};
use crate::error::AppError;
use crate::ids::{Kind, decode_any, encode};
use crate::service::audit;

/// One admin action, as the audit log recorded it.
pub struct AuditEntry(pub audit_log::Model);

#[Object]
impl AuditEntry {
    /// The row's place in the hash chain (1, 2, …).
    async fn seq(&self) -> i64 {
        self.0.seq
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Who acted (none: the system).
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<UserSummary>> {
        let Some(id) = self.0.actor_id else { return Ok(None) };
        Ok(loaders(ctx).user.load_one(id).await?.map(UserSummary))
    }
    /// In which office (none: the system).
    async fn actor_role(&self) -> Option<Role> {
        self.0.actor_role
    }
    /// The kind of unit the action was over.
    async fn scope_kind(&self) -> AuditScope {
        self.0.scope_kind
    }
    /// The unit the action was over.
    async fn scope_id(&self) -> ID {
        let kind = match self.0.scope_kind {
            AuditScope::District => Kind::District,
            AuditScope::Street => Kind::Street,
            AuditScope::Community => Kind::Community,
            AuditScope::Compound => Kind::Compound,
            AuditScope::Area => Kind::Area,
            AuditScope::Group => Kind::Group,
            AuditScope::Neighbourhood => Kind::Neighbourhood,
            AuditScope::Company => Kind::PropertyCompany,
        };
        encode(kind, self.0.scope_id)
    }
    /// What was done.
    async fn action(&self) -> AuditAction {
        self.0.action
    }
    /// The kind of object acted on (`COMPOUND`, `APPOINTMENT`, …).
    async fn object_kind(&self) -> &str {
        &self.0.object_kind
    }
    /// The object acted on.
    async fn object_id(&self) -> Result<ID> {
        let kind = Kind::from_name(&self.0.object_kind)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("audit row {} has object kind {}", self.0.id, self.0.object_kind)))?;
        Ok(encode(kind, self.0.object_id))
    }
    /// The object before, as JSON text (none: it did not exist).
    async fn before(&self) -> Option<&str> {
        self.0.before.as_deref()
    }
    /// The object after, as JSON text.
    async fn after(&self) -> Option<&str> {
        self.0.after.as_deref()
    }
    /// The reason given.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The id of the request that made the change (`x-request-id`; none outside a request).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// SHA-256 over the previous row's hash and this row's fields (`linli audit verify` checks the chain).
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}

/// Audit queries.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The admin actions over a unit and everything below it (a street's log holds its communities' and
    /// compounds'), or over a property company, newest first; for the admins over that unit (NOT_FOUND for a unit
    /// that does not exist, FORBIDDEN for anyone else). `from` is inclusive, `to` exclusive.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        scope_id: ID,
        actor_id: Option<ID>,
        action: Option<AuditAction>,
        object_id: Option<ID>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<AuditEntry>> {
        let (kind, scope) = decode_any(&scope_id, "scopeId")?;
        let filter = audit::Filter {
            actor: actor_id.map(|a| crate::ids::decode(&a, Kind::User, "actorId")).transpose()?,
            action,
            object: object_id.map(|o| decode_any(&o, "objectId").map(|(_, u)| u)).transpose()?,
            from,
            to,
        };
        let p = audit::query(state(ctx), actor(ctx), kind, scope, filter, first, after.as_deref()).await?;
        let mut c = Conn::new(p.has_previous, p.has_next);
        c.edges.extend(p.items.into_iter().map(|r| Edge::new(audit::cursor(r.seq), AuditEntry(r))));
        Ok(c)
    }
}
