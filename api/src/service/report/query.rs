//! Reading reports: one report, my reports, a head's task inbox, a company's ticket queue, and a report's
//! timeline and comments. Each list is one indexed statement, which also brings the people the page shows beside
//! each item (the actor of an event, the author of a comment, a reporter whose phone is shown) through a join, so a
//! page costs one round trip. The reporter's name and the kind and time of a report's newest event are columns of
//! the report; a newest event shown in full is joined in too.
use entity::enums::Moderation;
use entity::{app_user, report, report_comment, report_event, report_support};
use sea_orm::{
    ActiveEnum,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    sea_query::Expr,
};
use uuid::Uuid;

use super::act::load_visible;
use super::machine::Status;
use super::view::ReportView;
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult, Denied};
use crate::service::page::{self, Page, PageArgs, TimeCursor};
use crate::service::rows;
use crate::state::AppState;

/// `report(id)`: the report as the caller may see it.
pub async fn one(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ReportView> {
    load_visible(state, actor, id).await
}

/// What a page of reports brings along in its one statement.
#[derive(Clone, Copy, Debug, Default)]
pub struct With {
    /// Each report's reporter. Only their phone needs it: the name is a column of the report (`reporter_name`).
    pub reporter: bool,
    /// Each report's newest timeline event in full. Not needed for its kind and time, which the report row carries
    /// (`last_event_kind`, `last_event_at`).
    pub last_event: bool,
}

/// A page of reports with the rows [`With`] asked for.
pub struct ReportPage {
    /// The reports.
    pub page: Page<report::Model>,
    /// Their reporters (when asked for).
    pub reporters: Vec<app_user::Model>,
    /// Their newest events (when asked for).
    pub last_events: Vec<report_event::Model>,
}

/// Runs a page query of reports, joining in what `with` asks for (many-to-one joins: the row count, and so the
/// `LIMIT`, is the reports'). Returns the reports in order and the joined rows.
async fn all_with(
    db: &impl ConnectionTrait,
    q: Select<report::Entity>,
    with: With,
) -> AppResult<(Vec<report::Model>, Vec<app_user::Model>, Vec<report_event::Model>)> {
    let (mut reports, mut users, mut events) = (Vec::new(), Vec::new(), Vec::new());
    // Rows are decoded by position (`service::rows`): by name, a joined page spent more time finding its columns
    // than PostgreSQL spent finding its rows.
    match (with.reporter, with.last_event) {
        (false, false) => reports = rows::one(&rows::raw(db, &q).await?)?,
        (true, false) => {
            for (r, u) in rows::two::<_, app_user::Model>(&rows::raw(db, &q.find_also_related(app_user::Entity)).await?)? {
                reports.push(r);
                users.extend(u);
            }
        }
        (false, true) => {
            let q = q.find_also_related(report_event::Entity);
            for (r, e) in rows::two::<_, report_event::Model>(&rows::raw(db, &q).await?)? {
                reports.push(r);
                events.extend(e);
            }
        }
        (true, true) => {
            let q = q.find_also_related(app_user::Entity).find_also_related(report_event::Entity);
            for (r, u, e) in rows::three::<_, app_user::Model, report_event::Model>(&rows::raw(db, &q).await?)? {
                reports.push(r);
                users.extend(u);
                events.extend(e);
            }
        }
    }
    Ok((reports, users, events))
}

async fn report_page(
    db: &impl ConnectionTrait,
    q: Select<report::Entity>,
    with: With,
    first: u64,
    has_previous: bool,
) -> AppResult<ReportPage> {
    let (mut items, reporters, last_events) = all_with(db, q.limit(first + 1), with).await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(ReportPage { page: Page { items, has_next, has_previous }, reporters, last_events })
}

/// `myReports`: the caller's reports, newest first.
pub async fn mine(
    state: &AppState,
    actor: &Actor,
    status: Option<Status>,
    args: PageArgs,
    with: With,
) -> AppResult<ReportPage> {
    let user = actor.user_id()?;
    let mut q = report::Entity::find().filter(report::Column::ReporterId.eq(user));
    if let Some(s) = status {
        q = q.filter(report::Column::Status.eq(s));
    }
    if let Some(after) = args.after {
        q = q.filter(report::Column::Id.lt(after));
    }
    report_page(&state.db, q.order_by_desc(report::Column::Id), with, args.first, args.after.is_some()).await
}

/// The statuses a head's inbox shows by default: those waiting for a head.
pub const NEEDS_HEAD: [Status; 3] = [Status::Submitted, Status::Acknowledged, Status::Reopened];
/// The statuses a company's queue shows by default: those waiting for the company.
pub const NEEDS_COMPANY: [Status; 4] = [Status::Dispatched, Status::InProgress, Status::Reopened, Status::Resolved];

/// The filters of an inbox or queue besides its scope.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// One status (else the list's default statuses).
    pub status: Option<Status>,
    /// One category.
    pub category: Option<Uuid>,
    /// Only reports that reached their level by escalation (true) or only those that did not (false).
    pub escalated: Option<bool>,
    /// One compound.
    pub compound: Option<Uuid>,
    /// Only reports past their current due time (true) or only those that are not (false).
    pub overdue: Option<bool>,
    /// Only reports that other residents support ("me too", true) or only those nobody does (false).
    pub supported: Option<bool>,
    /// Words the description contains (as `validate::search` made them: trimmed, lower case, at most 50
    /// characters); only descriptions that passed the content check are searched, so a search never
    /// tells what a text under review says.
    pub search: Option<String>,
}

impl Filter {
    /// Whether a report passes the filters other than its status (the status says whether it is in the list at
    /// all, see `live::Watch::in_list`), read from the row as the list's statement reads it, at `now`.
    pub fn matches(&self, r: &report::Model, now: chrono::DateTime<chrono::Utc>) -> bool {
        let yes = |want: Option<bool>, is: bool| want.is_none_or(|w| w == is);
        self.category.is_none_or(|c| r.category_id == c)
            && self.compound.is_none_or(|c| r.compound_id == c)
            && yes(self.escalated, r.escalated_at.is_some())
            && yes(self.overdue, crate::service::sla::is_past_due(r, now))
            && yes(self.supported, r.support_count > 0)
            && self.search.as_deref().is_none_or(|t| {
                r.moderation == Moderation::Pass && r.description.to_lowercase().contains(t)
            })
    }

    /// The filters other than the status, as conditions on the statement.
    fn apply(&self, mut q: Select<report::Entity>, now: chrono::DateTime<chrono::Utc>) -> Select<report::Entity> {
        if let Some(c) = self.category {
            q = q.filter(report::Column::CategoryId.eq(c));
        }
        if let Some(c) = self.compound {
            q = q.filter(report::Column::CompoundId.eq(c));
        }
        match self.escalated {
            Some(true) => q = q.filter(report::Column::EscalatedAt.is_not_null()),
            Some(false) => q = q.filter(report::Column::EscalatedAt.is_null()),
            None => {}
        }
        let overdue = Condition::any()
            .add(report::Column::SlaBreached.eq(true))
            .add(report::Column::SlaDueAt.lte(now));
        match self.overdue {
            Some(true) => q = q.filter(overdue),
            Some(false) => q = q.filter(overdue.not()),
            None => {}
        }
        match self.supported {
            Some(true) => q = q.filter(report::Column::SupportCount.gt(0)),
            Some(false) => q = q.filter(report::Column::SupportCount.eq(0)),
            None => {}
        }
        if let Some(t) = &self.search {
            q = q
                .filter(report::Column::Moderation.eq(Moderation::Pass))
                .filter(crate::service::validate::contains((report::Entity, report::Column::Description), t));
        }
        q
    }
}

/// `taskInbox`: reports in the caller's neighbourhoods (neighbour head), groups or areas (their whole subtree),
/// communities (community admin) and streets (street admin), in queue order: escalated first, then the longest
/// waiting, each supporter counting as an hour more (`sla::queue_key`). Default statuses: [`NEEDS_HEAD`].
pub async fn inbox(
    state: &AppState,
    actor: &Actor,
    filter: Filter,
    first: Option<i32>,
    after: Option<&str>,
    with: With,
) -> AppResult<ReportPage> {
    let roles = actor.roles(state).await?;
    let mut scope = Condition::any();
    let mut any = false;
    for (role, col) in [
        (Role::NeighbourHead, report::Column::NeighbourhoodId),
        (Role::GroupHead, report::Column::GroupId),
        (Role::AreaHead, report::Column::AreaId),
        (Role::CommunityAdmin, report::Column::CommunityId),
    ] {
        let ids: Vec<Uuid> = roles.scopes(role).collect();
        if !ids.is_empty() {
            any = true;
            scope = scope.add(col.is_in(ids));
        }
    }
    let streets: Vec<Uuid> = roles.scopes(Role::StreetAdmin).collect();
    if !streets.is_empty() {
        any = true;
        let communities = crate::service::report::scope::communities_of_streets(state, &streets).await?;
        scope = scope.add(report::Column::CommunityId.is_in(communities));
    }
    if !any {
        return Err(AppError::denied(Denied::NotAHeadOrAdmin));
    }
    waiting_list(state, scope, filter, &NEEDS_HEAD, first, after, with).await
}

/// `ticketQueue`: reports dispatched to the caller's company, oldest waiting first. Default statuses:
/// [`NEEDS_COMPANY`].
pub async fn queue(
    state: &AppState,
    actor: &Actor,
    filter: Filter,
    first: Option<i32>,
    after: Option<&str>,
    with: With,
) -> AppResult<ReportPage> {
    let roles = actor.roles(state).await?;
    let companies: Vec<Uuid> = roles.scopes(Role::PropertyStaff).collect();
    if companies.is_empty() {
        return Err(AppError::denied(Denied::NotPropertyStaff));
    }
    let scope = Condition::all().add(report::Column::CompanyId.is_in(companies));
    waiting_list(state, scope, filter, &NEEDS_COMPANY, first, after, with).await
}

async fn waiting_list(
    state: &AppState,
    scope: Condition,
    filter: Filter,
    default_statuses: &[Status],
    first: Option<i32>,
    after: Option<&str>,
    with: With,
) -> AppResult<ReportPage> {
    let first = page::first_only(first)?;
    let after = after.map(TimeCursor::decode).transpose()?;
    let statuses: Vec<Status> = match filter.status {
        Some(s) => vec![s],
        None => default_statuses.to_vec(),
    };
    let mut q = filter.apply(waiting_select(scope, &statuses), state.clock.now());
    if let Some(c) = after {
        q = q.filter(
            Condition::any()
                .add(report::Column::QueueAt.gt(c.at))
                .add(Condition::all().add(report::Column::QueueAt.eq(c.at)).add(report::Column::Id.gt(c.id))),
        );
    }
    let q = q.order_by_asc(report::Column::QueueAt).order_by_asc(report::Column::Id);
    report_page(&state.db, q, with, first, after.is_some()).await
}

/// The reports in `scope` with one of `statuses`, before paging: the statement behind the inbox and the queue (the
/// benchmark's ceiling runs it too).
pub fn waiting_select(scope: Condition, statuses: &[Status]) -> Select<report::Entity> {
    // The statuses go in as literals (they are the enum's own constants, never user text) so that PostgreSQL
    // matches the partial indexes of the default views in the generic plan it caches for the statement.
    let list = statuses.iter().map(|s| format!("'{}'", s.to_value())).collect::<Vec<_>>().join(", ");
    report::Entity::find().filter(scope).filter(Expr::cust(format!("\"report\".\"status\" IN ({list})")))
}

/// The cursor of a report in a waiting list.
pub fn waiting_cursor(r: &report::Model) -> String {
    TimeCursor { at: r.queue_at, id: r.id }.encode()
}

/// A report's timeline, oldest first (the caller has already been shown the report), with each event's actor
/// when `with_actors`.
pub async fn timeline(
    state: &AppState,
    report: Uuid,
    args: PageArgs,
    with_actors: bool,
) -> AppResult<(Page<report_event::Model>, Vec<app_user::Model>)> {
    let q = report_event::Entity::find().filter(report_event::Column::ReportId.eq(report));
    page::fetch_with_user(&state.db, q, report_event::Column::Id, args, with_actors).await
}

/// A report's comments as `view`'s caller may see them, oldest first, with each comment's author when
/// `with_authors`: comments not passed by the content check only for their author and for those who see texts
/// under review.
pub async fn comments(
    state: &AppState,
    view: &ReportView,
    args: PageArgs,
    with_authors: bool,
) -> AppResult<(Page<report_comment::Model>, Vec<app_user::Model>)> {
    let mut q = report_comment::Entity::find().filter(report_comment::Column::ReportId.eq(view.row.id));
    if !view.sees_unchecked() {
        q = q.filter(
            Condition::any()
                .add(report_comment::Column::Moderation.eq(Moderation::Pass))
                .add(report_comment::Column::AuthorId.eq(view.viewer)),
        );
    }
    page::fetch_with_user(&state.db, q, report_comment::Column::Id, args, with_authors).await
}

/// A report's supporters ("me too") as `view`'s caller may see them, oldest first: all of them for its heads,
/// company and admins (`ReportView::sees_supporters`), else only the caller's own support.
pub async fn supporters(state: &AppState, view: &ReportView, args: PageArgs) -> AppResult<Page<report_support::Model>> {
    let mut q = report_support::Entity::find().filter(report_support::Column::ReportId.eq(view.row.id));
    if !view.sees_supporters() {
        q = q.filter(report_support::Column::UserId.eq(view.viewer));
    }
    page::fetch(&state.db, q, report_support::Column::Id, args).await
}
