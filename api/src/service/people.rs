//! Appointments (who holds which role where) and residences (who lives where, verified by whom).
use chrono::{DateTime, Utc};
use entity::enums::ResidenceStatus;
use entity::{app_user, appointment, building, neighbourhood_unit, residence};
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, sea_query::Expr,
};
use uuid::Uuid;

use super::audit::{Acted, Scope};
use super::events::{AppointmentChange, Change, DomainEvent};
use super::{authz, page, places, validate};
use crate::auth::{Actor, Role, RoleScope};
use crate::error::{AppError, AppResult, Constraint};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// Appointments in force at `now`: started, and not ended.
pub fn in_force(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::all().add(appointment::Column::StartsAt.lte(now)).add(
        sea_orm::Condition::any().add(appointment::Column::EndsAt.is_null()).add(appointment::Column::EndsAt.gt(now)),
    )
}

/// FORBIDDEN unless `actor` may appoint or revoke `role` over `scope` (NOT_FOUND when the scope does not exist).
/// Returns who acts, in which office, over which unit (for the audit log).
async fn require_may_appoint(state: &AppState, actor: &Actor, role: Role, scope: Uuid) -> AppResult<Acted> {
    let roles = actor.roles(state).await?;
    let place = places::of(&state.db, role.scope_kind(), scope).await?;
    let office = if role == Role::PropertyStaff {
        authz::require_company_manager(&state.db, &roles, scope, place.district).await?.role
    } else {
        authz::require_can_appoint(&roles, role, &place)?.role()
    };
    Ok(Acted::new(Some(office), Scope::of(role.scope_kind(), scope, &place)))
}

/// An appointment as the audit log shows it.
pub(super) fn appointment_json(a: &appointment::Model) -> serde_json::Value {
    serde_json::json!({
        "user": a.user_id, "role": a.role, "scope": a.scope_id, "startsAt": a.starts_at, "endsAt": a.ends_at,
    })
}

/// `appoint`: gives `user` the `role` over `scope` from `starts_at` (default now) until `ends_at` (default open).
/// Nobody appoints themself.
pub async fn appoint(
    state: &AppState,
    actor: &Actor,
    user: Uuid,
    role: Role,
    scope: Uuid,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
) -> AppResult<appointment::Model> {
    let me = actor.user_id()?;
    let now = Utc::now();
    let starts_at = starts_at.unwrap_or(now);
    if ends_at.is_some_and(|e| e <= starts_at || e <= now) {
        return Err(AppError::bad_input("endsAt", msg!("结束时间必须晚于开始时间和当前时间", "endsAt must be after startsAt and now")));
    }
    authz::require_not_self(me, user)?;
    let by = require_may_appoint(state, actor, role, scope).await?;
    app_user::Entity::find_by_id(user).one(&state.db).await?.ok_or_else(|| places::not_found(Kind::User))?;

    let mut change = Change::begin_at(state, Some(me), now).await?;
    let active = || {
        Expr::col(appointment::Column::EndsAt).is_null().or(appointment::Column::EndsAt.gt(now))
    };
    let same = appointment::Entity::find()
        .filter(appointment::Column::ScopeId.eq(scope))
        .filter(appointment::Column::Role.eq(role))
        .filter(active());
    let held = || AppError::Conflict(msg!("该用户已担任此职务", "This user already holds this role here"));
    if same.clone().filter(appointment::Column::UserId.eq(user)).count(change.db()).await? > 0 {
        return Err(held());
    }
    let head_taken = || AppError::Conflict(msg!("该单元已有负责人，请先撤销现任", "This unit already has a head; revoke the current one first"));
    if role.is_head() && same.count(change.db()).await? > 0 {
        return Err(head_taken());
    }
    let row = appointment::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        role: Set(role),
        scope_id: Set(scope),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        user_id: Set(user),
        appointed_by: Set(Some(me)),
        revoked_by: Set(None),
    }
    .insert(change.db())
    .await
    // Two appointments at once: the unique indexes settle it.
    .map_err(|e| if ONE_HEAD.matches(&e) { head_taken() } else { AppError::on_constraint(e, &ONE_HOLDER, held) })?;
    let by = by.after(appointment_json(&row));
    change.emit(DomainEvent::AppointmentMade(AppointmentChange { appointment: row.id, user, role, scope, by })).await?;
    change.commit().await?;
    Ok(row)
}

/// One open head per unit (migration 000004).
const ONE_HEAD: Constraint = Constraint { name: "ux_appointment_open_head", columns: "appointment.role, appointment.scope_id" };
/// One open appointment per holder, role and unit (migration 000004).
const ONE_HOLDER: Constraint =
    Constraint { name: "ux_appointment_open_holder", columns: "appointment.user_id, appointment.role, appointment.scope_id" };

/// `revokeAppointment`: ends an appointment now; the user loses the role on their very next request. NOT_FOUND for
/// an appointment the caller may not see; FORBIDDEN for one they see (their own) but may not revoke.
pub async fn revoke(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<appointment::Model> {
    let me = actor.user_id()?;
    let row = appointment(state, actor, id).await?;
    let by = require_may_appoint(state, actor, row.role, row.scope_id).await?;
    let mut change = Change::begin(state, Some(me)).await?;
    let now = change.at();
    let changed = appointment::Entity::update_many()
        .col_expr(appointment::Column::EndsAt, Expr::value(now))
        .col_expr(appointment::Column::RevokedBy, Expr::value(me))
        .filter(appointment::Column::Id.eq(id))
        .filter(Expr::col(appointment::Column::EndsAt).is_null().or(appointment::Column::EndsAt.gt(now)))
        .exec(change.db())
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::Conflict(msg!("该任命已经结束", "This appointment has already ended")));
    }
    let after = appointment::Entity::find_by_id(id).one(change.db()).await?.ok_or_else(|| places::not_found(Kind::Appointment))?;
    let (user, role, scope) = (row.user_id, row.role, row.scope_id);
    let by = by.before(appointment_json(&row)).after(appointment_json(&after));
    change.emit(DomainEvent::AppointmentRevoked(AppointmentChange { appointment: id, user, role, scope, by })).await?;
    change.commit().await?;
    Ok(after)
}

/// `appointments(scopeId)`: the appointments over one unit or company, for those who may change them.
pub async fn appointments_of(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    scope: Uuid,
    active_only: bool,
    args: page::PageArgs,
) -> AppResult<page::Page<appointment::Model>> {
    let roles = actor.roles(state).await?;
    let place = places::of(&state.db, kind, scope).await?;
    if kind == Kind::PropertyCompany {
        authz::require_company_manager(&state.db, &roles, scope, place.district).await?;
    } else {
        authz::require_admin_over(&roles, &place)?;
    }
    let mut q = appointment::Entity::find().filter(appointment::Column::ScopeId.eq(scope));
    if active_only {
        let now = Utc::now();
        q = q.filter(Expr::col(appointment::Column::EndsAt).is_null().or(appointment::Column::EndsAt.gt(now)));
    }
    page::fetch(&state.db, q, appointment::Column::Id, args).await
}

/// An appointment, for the appointee or anyone who may change it; NOT_FOUND for everyone else.
pub async fn appointment(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<appointment::Model> {
    let me = actor.user_id()?;
    let row = appointment::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| places::not_found(Kind::Appointment))?;
    if row.user_id == me || require_may_appoint(state, actor, row.role, row.scope_id).await.is_ok() {
        Ok(row)
    } else {
        Err(places::not_found(Kind::Appointment))
    }
}

/// The user's active appointments (for `me.roles`).
pub async fn my_appointments(state: &AppState, user: Uuid) -> AppResult<Vec<appointment::Model>> {
    let now = Utc::now();
    Ok(appointment::Entity::find()
        .filter(appointment::Column::UserId.eq(user))
        .filter(appointment::Column::StartsAt.lte(now))
        .filter(Expr::col(appointment::Column::EndsAt).is_null().or(appointment::Column::EndsAt.gt(now)))
        .order_by_asc(appointment::Column::Id)
        .all(&state.db)
        .await?)
}

/// `requestResidence`: the caller says they live in `room` of `unit` in `building`. The neighbourhood is the one
/// covering that unit (if any); the head of it or a community admin verifies.
pub async fn request_residence(
    state: &AppState,
    actor: &Actor,
    building_id: Uuid,
    unit: i32,
    room: &str,
) -> AppResult<residence::Model> {
    let user = actor.user_id()?;
    let room = validate::room(room)?;
    let b = building::Entity::find_by_id(building_id).one(&state.db).await?.ok_or_else(|| places::not_found(Kind::Building))?;
    let unit = validate::range("unit", unit, 1, b.unit_count)?;
    let place = places::of(&state.db, Kind::Compound, b.compound_id).await?;
    let community = place.community.ok_or_else(|| AppError::internal(anyhow::anyhow!("compound without community")))?;
    let neighbourhood = neighbourhood_unit::Entity::find()
        .filter(neighbourhood_unit::Column::BuildingId.eq(building_id))
        .filter(neighbourhood_unit::Column::Unit.eq(unit))
        .one(&state.db)
        .await?
        .map(|n| n.neighbourhood_id);

    let mut change = Change::begin(state, Some(user)).await?;
    let txn = change.db();
    let live = residence::Entity::find()
        .filter(residence::Column::UserId.eq(user))
        .filter(residence::Column::Status.ne(ResidenceStatus::Rejected));
    if live.clone()
        .filter(residence::Column::BuildingId.eq(building_id))
        .filter(residence::Column::Unit.eq(unit))
        .filter(residence::Column::Room.eq(room.clone()))
        .count(txn)
        .await?
        > 0
    {
        return Err(AppError::Conflict(msg!("您已登记过这个住址", "You have already registered this home")));
    }
    if live.count(txn).await? >= 5 {
        return Err(AppError::Conflict(msg!("最多登记 5 处住址", "You may register at most 5 homes")));
    }
    let row = residence::ActiveModel {
        id: Set(new_id()),
        created_at: Set(Utc::now()),
        unit: Set(unit),
        room: Set(room),
        status: Set(ResidenceStatus::Pending),
        reviewed_at: Set(None),
        reject_reason: Set(None),
        user_id: Set(user),
        building_id: Set(building_id),
        neighbourhood_id: Set(neighbourhood),
        community_id: Set(community),
        reviewed_by: Set(None),
    }
    .insert(txn)
    .await?;
    change.emit(DomainEvent::ResidenceRequested { residence: row.id, user, community }).await?;
    change.commit().await?;
    Ok(row)
}

/// `verifyResidence` / `rejectResidence`: by the neighbourhood's head or an admin over the community; only a
/// pending residence can be reviewed, and two reviewers at once → one wins, the other gets CONFLICT.
pub async fn review_residence(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    verify: bool,
    reason: Option<&str>,
) -> AppResult<residence::Model> {
    let me = actor.user_id()?;
    let reason = if verify { None } else { Some(validate::text("reason", reason.unwrap_or_default(), 200)?) };
    let (row, reviewer) = residence_access(state, actor, id).await?;
    let Some(by) = reviewer else {
        return Err(AppError::forbidden());
    };
    let mut change = Change::begin(state, Some(me)).await?;
    let now = change.at();
    let new_status = if verify { ResidenceStatus::Verified } else { ResidenceStatus::Rejected };
    let changed = residence::Entity::update_many()
        .col_expr(residence::Column::Status, Expr::value(new_status))
        .col_expr(residence::Column::ReviewedAt, Expr::value(now))
        .col_expr(residence::Column::ReviewedBy, Expr::value(me))
        .col_expr(residence::Column::RejectReason, Expr::value(reason))
        .filter(residence::Column::Id.eq(id))
        .filter(residence::Column::Status.eq(ResidenceStatus::Pending))
        .exec(change.db())
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::Conflict(msg!("该登记已被审核过", "This residence has already been reviewed")));
    }
    let after = residence::Entity::find_by_id(id).one(change.db()).await?.ok_or_else(|| places::not_found(Kind::Residence))?;
    let by = by
        .before(serde_json::json!({ "status": row.status }))
        .after(serde_json::json!({ "status": after.status, "rejectReason": after.reject_reason }))
        .reason(after.reject_reason.clone());
    change.emit(DomainEvent::ResidenceReviewed { residence: id, user: row.user_id, status: new_status, by }).await?;
    change.commit().await?;
    Ok(after)
}

/// A residence, for its owner and those who may review it; NOT_FOUND for everyone else.
pub async fn readable_residence(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<residence::Model> {
    Ok(residence_access(state, actor, id).await?.0)
}

/// A residence the caller may see, and, if they may review it, in which office (NOT_FOUND when they may do
/// neither). A reviewer who is both the head and an admin reviews as the admin.
async fn residence_access(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<(residence::Model, Option<Acted>)> {
    let me = actor.user_id()?;
    let row = residence::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| places::not_found(Kind::Residence))?;
    let roles = actor.roles(state).await?;
    let place = places::of(&state.db, Kind::Community, row.community_id).await?;
    let reviewer = authz::can_review_residence(&roles, row.neighbourhood_id, &place).then(|| {
        let office = authz::admin_level(&roles, &place).map_or(Role::NeighbourHead, |l| l.role());
        Acted::new(Some(office), Scope::of(Kind::Community, row.community_id, &place))
    });
    if reviewer.is_some() || row.user_id == me { Ok((row, reviewer)) } else { Err(places::not_found(Kind::Residence)) }
}

/// `residences(scopeId, status, search)`: residences of a neighbourhood (for its head and admins) or of a
/// community (for its admins), oldest first so the longest-waiting request is seen first. `search` (as
/// `validate::search` made it) finds the residents whose nickname contains it, or whose bound phone it is (all 11
/// digits: a phone is never matched in part, so a search cannot read one out digit by digit): how an admin finds
/// the person to appoint.
pub async fn residences_in(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    scope: Uuid,
    status: Option<ResidenceStatus>,
    search: Option<&str>,
    args: page::PageArgs,
) -> AppResult<page::Page<residence::Model>> {
    let roles = actor.roles(state).await?;
    let place = places::of(&state.db, kind, scope).await?;
    let mut q = residence::Entity::find();
    match kind {
        Kind::Neighbourhood => {
            if !roles.has(Role::NeighbourHead, scope) {
                authz::require_admin_over(&roles, &place)?;
            }
            q = q.filter(residence::Column::NeighbourhoodId.eq(scope));
        }
        Kind::Community => {
            authz::require_admin_over(&roles, &place)?;
            q = q.filter(residence::Column::CommunityId.eq(scope));
        }
        _ => {
            return Err(AppError::bad_input(
                "scopeId",
                msg!("只能按邻或社区查看住户登记", "Residences are listed per neighbourhood or community"),
            ));
        }
    }
    if let Some(s) = status {
        q = q.filter(residence::Column::Status.eq(s));
    }
    if let Some(t) = search {
        use sea_orm::sea_query::{Expr, Query};
        let mut who = sea_orm::Condition::any().add(crate::service::validate::contains((app_user::Entity, app_user::Column::Nickname), t));
        if t.len() == 11 && t.bytes().all(|b| b.is_ascii_digit()) {
            who = who.add(app_user::Column::Phone.eq(t));
        }
        // One resident at a time, by primary key, from the scope's own residences (a semi-join the planner runs
        // from the residence side: the scope's index narrows first).
        q = q.filter(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(app_user::Entity)
                .and_where(Expr::col((app_user::Entity, app_user::Column::Id)).equals((residence::Entity, residence::Column::UserId)))
                .cond_where(who)
                .to_owned(),
        ));
    }
    page::fetch(&state.db, q, residence::Column::Id, args).await
}

/// The caller's own residences, newest first.
pub async fn my_residences(state: &AppState, user: Uuid) -> AppResult<Vec<residence::Model>> {
    Ok(residence::Entity::find()
        .filter(residence::Column::UserId.eq(user))
        .order_by_desc(residence::Column::Id)
        .all(&state.db)
        .await?)
}

/// The caller's user row.
pub async fn me(state: &AppState, actor: &Actor) -> AppResult<app_user::Model> {
    let id = actor.user_id()?;
    app_user::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(AppError::login_required)
}

/// The neighbourhoods in which `user` is a verified resident.
pub async fn verified_neighbourhoods(state: &AppState, user: Uuid) -> AppResult<Vec<Uuid>> {
    let rows: Vec<Option<Uuid>> = verified(state, user, residence::Column::NeighbourhoodId).await?;
    Ok(rows.into_iter().flatten().collect())
}

/// One column (`NeighbourhoodId`, `CommunityId`, `BuildingId`) of `user`'s verified residences.
pub async fn verified<T: sea_orm::TryGetableMany + Send + Sync>(
    state: &AppState,
    user: Uuid,
    column: residence::Column,
) -> AppResult<Vec<T>> {
    use sea_orm::QuerySelect;
    Ok(residence::Entity::find()
        .filter(residence::Column::UserId.eq(user))
        .filter(residence::Column::Status.eq(ResidenceStatus::Verified))
        .select_only()
        .column(column)
        .into_tuple()
        .all(&state.db)
        .await?)
}
