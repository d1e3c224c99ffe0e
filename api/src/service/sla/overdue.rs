//! `overdueReports`: the reports of a scope near or past their due time, soonest due first. Only warned stages are
//! on the board (the timer job warns at the warning time), so the statement reads a small partial index per scope
//! column.
use entity::{community, report, street};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::ids::Kind;
use crate::service::authz::{self, ReadScope};
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

/// The condition selecting the reports of scope `(kind, id)`, if the caller may read that scope
/// ([`authz::require_reader_of_kind`]: its heads, the admins over it, the company's staff and admins). NOT_FOUND for a
/// unit that does not exist or a company the caller has no standing over, FORBIDDEN (with its reason) for a unit
/// the caller has no standing over.
pub async fn scope_condition(state: &AppState, actor: &Actor, kind: Kind, id: Uuid) -> AppResult<Condition> {
    let scope = ReadScope::of_kind(kind).ok_or_else(|| {
        AppError::bad_input("scopeId", crate::msg!("请选择一个区域、网格单元或物业公司", "Name a unit of the org tree or grid, or a company"))
    })?;
    authz::require_reader_of_kind(state, actor, scope, id).await?;
    Ok(match scope {
        ReadScope::Neighbourhood => Condition::all().add(report::Column::NeighbourhoodId.eq(id)),
        ReadScope::Group => Condition::all().add(report::Column::GroupId.eq(id)),
        ReadScope::Area => Condition::all().add(report::Column::AreaId.eq(id)),
        ReadScope::Community => Condition::all().add(report::Column::CommunityId.eq(id)),
        ReadScope::Compound => Condition::all().add(report::Column::CompoundId.eq(id)),
        ReadScope::Company => Condition::all().add(report::Column::CompanyId.eq(id)),
        ReadScope::Street => Condition::all().add(report::Column::CommunityId.is_in(communities_of_streets(state, &[id]).await?)),
        ReadScope::District => {
            let streets: Vec<Uuid> = street::Entity::find()
                .select_only()
                .column(street::Column::Id)
                .filter(street::Column::DistrictId.eq(id))
                .into_tuple()
                .all(&state.db)
                .await?;
            Condition::all().add(report::Column::CommunityId.is_in(communities_of_streets(state, &streets).await?))
        }
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
