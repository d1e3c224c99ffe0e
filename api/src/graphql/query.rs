//! The query root.
use async_graphql::Result;
use async_graphql::{Context, ID, Object};

use super::types::*;
use super::{Conn, actor, arg_id, connection, load_node, page_args, state};
use crate::ids::{Kind, decode_any};
use crate::service::{org::lists, people};

/// Queries.
#[derive(Default)]
pub struct Query;

#[Object]
impl Query {
    /// The logged-in user, with roles and residences.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        Ok(Me(people::me(state(ctx), actor(ctx)).await?))
    }

    /// Any object by its global ID, if the caller may see it (NOT_FOUND otherwise).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Node> {
        let (kind, uuid) = decode_any(&id, "id")?;
        Ok(load_node(ctx, kind, uuid).await?)
    }

    /// All districts.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn districts(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<District>> {
        let p = lists::districts(state(ctx), actor(ctx), page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, District))
    }

    /// Appointments over one unit or property company, for the admins who may change them.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn appointments(
        &self,
        ctx: &Context<'_>,
        scope_id: ID,
        #[graphql(default = true)] active_only: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Appointment>> {
        let (kind, scope) = decode_any(&scope_id, "scopeId")?;
        let p = people::appointments_of(state(ctx), actor(ctx), kind, scope, active_only, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Appointment))
    }

    /// Residences of a neighbourhood (its head and admins) or a community (its admins), oldest first; pass
    /// `status: PENDING` for the ones waiting for verification. `search` finds residents by nickname (any part)
    /// or by their bound phone (all 11 digits): how an admin finds the person to appoint.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn residences(
        &self,
        ctx: &Context<'_>,
        scope_id: ID,
        status: Option<ResidenceStatus>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Residence>> {
        let (kind, scope) = decode_any(&scope_id, "scopeId")?;
        let search = crate::service::validate::search(search.as_deref())?;
        let args = page_args(first, after)?;
        let p = people::residences_in(state(ctx), actor(ctx), kind, scope, status, search.as_deref(), args).await?;
        Ok(connection(p, |m| m.id, Residence))
    }

    /// A building, for residents choosing where they live.
    async fn building(&self, ctx: &Context<'_>, id: ID) -> Result<Building> {
        match load_node(ctx, Kind::Building, arg_id(&id, Kind::Building, "id")?).await? {
            Node::Building(b) => Ok(b),
            _ => unreachable!("load_node returns the kind asked for"),
        }
    }
}
