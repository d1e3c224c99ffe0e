//! `overdueReports`: the reports of a scope near or past their due time, soonest due first. Only warned stages are
//! on the board (the timer job warns at the warning time), so the statement reads a small partial index per scope
//! column.
use entity::{community, report, street};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::ids::Kind;
use crate::service::authz;
use crate::service::page::{self, Page, TimeCursor};
use crate::state::AppState;

/// Which part of the board.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverdueState {
    /// Warned, not yet past due.
    NearBreach,
    /// Past due (escalated, or breached at the top).
    Breached,
}

/// The condition selecting the reports of scope `(kind, id)`, if the caller may see that scope's board: a head of
/// the unit, an admin over it, staff of the company. NOT_FOUND for a unit that does not exist, FORBIDDEN (with its
/// reason) for one the caller has no standing over.
pub async fn scope_condition(state: &AppState, actor: &Actor, kind: Kind, id: Uuid) -> AppResult<Condition> {
    let roles = actor.roles(state).await?;
    let head = match kind {
        Kind::Neighbourhood => Some((Role::NeighbourHead, report::Column::NeighbourhoodId)),
        Kind::Group => Some((Role::GroupHead, report::Column::GroupId)),
        Kind::Area => Some((Role::AreaHead, report::Column::AreaId)),
        _ => None,
    };
    if let Some((role, col)) = head {
        if roles.has(role, id) {
            return Ok(Condition::all().add(col.eq(id)));
        }
    }
    if kind == Kind::PropertyCompany {
        if roles.has(Role::PropertyStaff, id) {
            return Ok(Condition::all().add(report::Column::CompanyId.eq(id)));
        }
        return Err(AppError::not_found("物业公司", "Company"));
    }
    // Proof of standing only: what it proved (the place) is not needed beyond the kind and id.
    authz::require_admin_of(state, actor, kind, id).await?;
    Ok(match kind {
        Kind::Neighbourhood => Condition::all().add(report::Column::NeighbourhoodId.eq(id)),
        Kind::Group => Condition::all().add(report::Column::GroupId.eq(id)),
        Kind::Area => Condition::all().add(report::Column::AreaId.eq(id)),
        Kind::Community => Condition::all().add(report::Column::CommunityId.eq(id)),
        Kind::Compound => Condition::all().add(report::Column::CompoundId.eq(id)),
        Kind::Street => Condition::all().add(report::Column::CommunityId.is_in(communities_of_streets(state, &[id]).await?)),
        Kind::District => {
            let streets: Vec<Uuid> = street::Entity::find()
                .select_only()
                .column(street::Column::Id)
                .filter(street::Column::DistrictId.eq(id))
                .into_tuple()
                .all(&state.db)
                .await?;
            Condition::all().add(report::Column::CommunityId.is_in(communities_of_streets(state, &streets).await?))
        }
        _ => return Err(AppError::bad_input("scopeId", crate::msg!("请选择一个区域、网格单元或物业公司", "Name a unit of the org tree or grid, or a company"))),
    })
}

/// The communities of `streets`.
pub async fn communities_of_streets(state: &AppState, streets: &[Uuid]) -> AppResult<Vec<Uuid>> {
    Ok(community::Entity::find()
        .select_only()
        .column(community::Column::Id)
        .filter(community::Column::StreetId.is_in(streets.to_vec()))
        .into_tuple()
        .all(&state.db)
        .await?)
}

/// The board page: (reports, has next).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    id: Uuid,
    which: OverdueState,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<Page<report::Model>> {
    let first = page::first_only(first)?;
    let after = after.map(TimeCursor::decode).transpose()?;
    let scope = scope_condition(state, actor, kind, id).await?;
    // The partial indexes' own predicate, written as they are so both databases match them.
    let mut q = report::Entity::find()
        .filter(scope)
        .filter(Expr::cust("sla_warned = true AND sla_stage IS NOT NULL"))
        .filter(report::Column::SlaBreached.eq(which == OverdueState::Breached));
    if let Some(c) = after {
        q = q.filter(
            Condition::any()
                .add(report::Column::SlaDueAt.gt(c.at))
                .add(Condition::all().add(report::Column::SlaDueAt.eq(c.at)).add(report::Column::Id.gt(c.id))),
        );
    }
    let mut items = q
        .order_by_asc(report::Column::SlaDueAt)
        .order_by_asc(report::Column::Id)
        .limit(first + 1)
        .all(&state.db)
        .await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(Page { items, has_next, has_previous: after.is_some() })
}

/// The cursor of a report on the board.
pub fn cursor(r: &report::Model) -> String {
    TimeCursor { at: r.sla_due_at.unwrap_or(r.queue_at), id: r.id }.encode()
}
