//! `overdueReports`: the reports of a scope near or past their due time, soonest due first. Only warned stages are
//! on the board (the timer job warns at the warning time), so the statement reads a small partial index per scope
//! column.
use entity::report;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::ids::Kind;
use crate::service::report::scope;
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
/// (`authz::require_reader_of`: its heads, the admins over it, the company's staff and managers). NOT_FOUND for a
/// unit that does not exist (and a company the caller has no standing at), FORBIDDEN (with its reason) for a unit
/// the caller has no standing over.
pub async fn scope_condition(state: &AppState, actor: &Actor, kind: Kind, id: Uuid) -> AppResult<Condition> {
    let reader = scope::require_reader(state, actor, kind, id, "scopeId").await?;
    scope::condition(state, &reader).await
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
