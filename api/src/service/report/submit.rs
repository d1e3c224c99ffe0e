//! `submitReport`: a verified resident reports a problem in their compound.
use chrono::Utc;
use entity::enums::{ActorRole, EventKind, GridLevel, Moderation, ResidenceStatus, SlaStage};
use entity::{app_user, building, neighbourhood_unit, report, residence};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QuerySelect, Select, Set, SqlErr, TryIntoModel,
};
use uuid::Uuid;

use super::Urgency;
use super::machine::{Party, Status};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::service::events::{Change, DomainEvent, ReportChange};
use crate::service::{media, places, sla, validate};
use crate::state::AppState;

/// Where the problem is.
#[derive(Clone, Debug, Default)]
pub struct Location {
    /// A building (with optional unit and room), or
    pub building: Option<Uuid>,
    /// the unit number in that building,
    pub unit: Option<i32>,
    /// the room,
    pub room: Option<String>,
    /// or a compound and
    pub compound: Option<Uuid>,
    /// a public area of it ("北门停车场"). With none of these, the reporter's own verified home is meant.
    pub public_area: Option<String>,
    /// Optional GPS latitude, -90..90.
    pub latitude: Option<f64>,
    /// Optional GPS longitude, -180..180.
    pub longitude: Option<f64>,
}

/// What a resident submits.
#[derive(Clone, Debug)]
pub struct NewReport {
    /// The category.
    pub category: Uuid,
    /// 5..2000 characters.
    pub description: String,
    /// NORMAL or URGENT.
    pub urgency: Urgency,
    /// Where.
    pub location: Location,
    /// Hide the reporter from other residents.
    pub anonymous: bool,
    /// A key the client picks per report, so a retry after a lost response returns the same report.
    pub idempotency_key: Option<String>,
    /// An intake report: filed by an integrating system (Open311 `POST requests` from a 12345 platform) for
    /// someone who is no verified resident. Its reporter is the system's own user; it needs no verified home, and
    /// it is held by the community (no neighbourhood: the grid's vacant levels pass it on to the community admin
    /// at once).
    pub intake: bool,
}

/// Checks and stores a new report with its SUBMITTED event, in one transaction. A retry with the same
/// idempotency key returns the report created the first time.
pub async fn submit(state: &AppState, actor: &Actor, input: NewReport) -> AppResult<report::Model> {
    submit_with_photos(state, actor, input, &[]).await
}

/// [`submit`] with the caller's uploaded `photos` attached as BEFORE photos in the same transaction (so a refused
/// photo leaves no report behind, and a refused report attaches no photo).
pub async fn submit_with_photos(
    state: &AppState,
    actor: &Actor,
    input: NewReport,
    photos: &[Uuid],
) -> AppResult<report::Model> {
    let user = actor.user_id()?;
    media::check_ids(photos)?;
    let description = validate::text_multiline("description", &input.description, 5, 2000)?;
    let key = match &input.idempotency_key {
        Some(k) => Some(validate::text("idempotencyKey", k, 64)?),
        None => None,
    };
    let loc = &input.location;
    if let Some(lat) = loc.latitude {
        if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() {
            return Err(AppError::bad_input("latitude", msg!("纬度必须在 -90 到 90 之间", "latitude must be between -90 and 90")));
        }
    }
    if let Some(lng) = loc.longitude {
        if !(-180.0..=180.0).contains(&lng) || !lng.is_finite() {
            return Err(AppError::bad_input("longitude", msg!("经度必须在 -180 到 180 之间", "longitude must be between -180 and 180")));
        }
    }
    if let Some(k) = &key {
        if let Some(existing) = find_by_key(state, user, k).await? {
            return Ok(existing);
        }
    }
    let cat = super::category::get(state, &state.db, input.category)
        .await?
        .filter(|c| c.active)
        .ok_or_else(|| AppError::bad_input("categoryId", msg!("没有这个问题分类", "There is no such category")))?;

    // Where: a building unit, a public area of a compound, or the reporter's home.
    let (homes, reporter_name) = verified_homes(state, user).await?;
    let (compound, building, unit, room, public_area, nbh_of_location) = if let Some(b) = loc.building {
        let b = building::Entity::find_by_id(b).one(&state.db).await?.ok_or_else(|| places::not_found(Kind::Building))?;
        let unit = match loc.unit {
            Some(u) => Some(validate::range("unit", u, 1, b.unit_count)?),
            None => None,
        };
        let room = loc.room.as_deref().map(validate::room).transpose()?;
        let nbh = match unit {
            Some(u) => neighbourhood_unit::Entity::find()
                .filter(neighbourhood_unit::Column::BuildingId.eq(b.id))
                .filter(neighbourhood_unit::Column::Unit.eq(u))
                .one(&state.db)
                .await?
                .map(|n| n.neighbourhood_id),
            None => None,
        };
        (b.compound_id, Some(b.id), unit, room, None, nbh)
    } else if let Some(c) = loc.compound {
        let area = loc.public_area.as_deref().ok_or_else(|| {
            AppError::bad_input("publicArea", msg!("请说明小区内的具体位置", "Say where in the compound the problem is"))
        })?;
        let area = validate::text("publicArea", area, 100)?;
        state.lookup.community_of_compound(&state.db, c).await?.ok_or_else(|| places::not_found(Kind::Compound))?;
        (c, None, None, None, Some(area), None)
    } else {
        let home = homes.first().ok_or_else(no_home)?;
        (home.compound, Some(home.building), Some(home.unit), Some(home.room.clone()), None, home.neighbourhood)
    };
    let (neighbourhood_id, community, reporter_name) = if input.intake {
        let community =
            state.lookup.community_of_compound(&state.db, compound).await?.ok_or_else(|| places::not_found(Kind::Compound))?;
        let name = entity::app_user::Entity::find_by_id(user).one(&state.db).await?.map(|u| u.nickname).unwrap_or_default();
        (None, community, name)
    } else {
        // Only verified residents of the compound report there: keeps the grid's inboxes free of drive-by reports.
        let home_here = homes.iter().find(|h| h.compound == compound).ok_or_else(|| {
            AppError::forbidden_msg(msg!(
                "只能报告您已认证住址所在小区的问题；请先登记住址并等待邻长认证",
                "You can report problems only in the compound of your verified home; register your home and wait for your neighbour head to verify it"
            ))
        })?;
        (nbh_of_location.or(home_here.neighbourhood), home_here.community, reporter_name)
    };
    let (group_id, area_id) = match neighbourhood_id {
        Some(n) => {
            let (g, a) = state
                .lookup
                .grid_of_neighbourhood(&state.db, n)
                .await?
                .ok_or_else(|| places::not_found(Kind::Neighbourhood))?;
            (Some(g), Some(a))
        }
        None => (None, None),
    };
    // WeChat's content check last, once everything else is known to be fine (it is a call out).
    let checked =
        crate::service::content::check(state, actor, "description", Some(&description), crate::wechat::Scene::Forum).await?;

    let now = state.clock.now();
    let id = new_id();
    let event_id = new_id();
    // Who holds each head level (one statement), for a vacant neighbourhood to pass the report on at once; the
    // targets and the calendar come from the process's caches.
    let policy = sla::Policy::of(state, &state.db, cat.id, input.urgency, community).await?;
    let street = state.lookup.street_and_district(&state.db, community).await?.map(|(s, _)| s);
    let units = sla::Units::new(neighbourhood_id, group_id, area_id, community, street, None);
    let ladder = sla::ladder(SlaStage::Acknowledge, false);
    let mut change = Change::begin_at(state, Some(user), now).await?;
    // On the transaction's connection: a statement through the pool costs a checkout more (callgrind).
    let holders = sla::holders(change.db(), &units, ladder, now).await?;
    let placement = Placement {
        compound,
        building,
        unit,
        room,
        public_area,
        latitude: loc.latitude,
        longitude: loc.longitude,
        neighbourhood: neighbourhood_id,
        group: group_id,
        area: area_id,
        community,
    };
    let mut new = new_row(NewRow {
        id,
        event_id,
        now,
        reporter: user,
        reporter_name,
        category: cat.id,
        description,
        urgency: input.urgency,
        anonymous: input.anonymous,
        idempotency_key: key.clone(),
        placement,
    });
    new.moderation = Set(checked.moderation);
    let (warn, due) = policy.times(SlaStage::Acknowledge, now);
    new.sla_stage = Set(Some(SlaStage::Acknowledge));
    new.sla_level = Set(Some(GridLevel::NeighbourHead));
    new.sla_stage_since = Set(Some(now));
    new.sla_warn_at = Set(Some(warn));
    new.sla_due_at = Set(Some(due));
    new.sla_fires_at = Set(Some(warn));
    new.overall_since = Set(Some(now));
    // Every column is set here, so the row is known without reading it back (a RETURNING of the report's ~60
    // columns, decoded through SeaORM, cost the submission ~50,000 instructions: bench/RESULTS.md round 9).
    let row = new.clone().try_into_model()?;
    let row = match report::Entity::insert(new).exec_without_returning(change.db()).await {
        Ok(_) => row,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) && key.is_some() => {
            // The same submit arrived twice at once: the other one stored it.
            drop(change);
            return find_by_key(state, user, key.as_deref().unwrap_or_default())
                .await?
                .ok_or_else(|| AppError::internal(e));
        }
        Err(e) => return Err(e.into()),
    };
    checked.enqueue(change.db(), crate::service::content::Target::Report, id).await?;
    media::attach(change.db(), actor, photos, media::Target::Report { report: id, phase: media::Phase::Before }).await?;
    // The timeline's SUBMITTED step and the neighbour head's notification are the event's subscribers.
    change
        .emit(DomainEvent::ReportSubmitted(ReportChange {
            report: row.clone(),
            event_id,
            kind: EventKind::Submitted,
            from: None,
            to: Status::Submitted,
            party: Party::Reporter,
            role: ActorRole::Reporter,
            note_moderation: Moderation::Pass,
            note: None,
            escalation: None,
            holders: Some(holders.of(GridLevel::NeighbourHead)),
        }))
        .await?;
    let mut row = row;
    if let Some(to) = sla::first_staffed(ladder, 0, &holders).filter(|l| *l != GridLevel::NeighbourHead) {
        row = sla::skip_vacant_at_submit(&mut change, &row, GridLevel::NeighbourHead, to, &holders, &policy, now).await?;
    }
    change.commit().await?;
    Ok(row)
}

fn no_home() -> AppError {
    AppError::forbidden_msg(msg!(
        "请先登记住址并等待邻长认证后再报告问题",
        "Register your home and wait for your neighbour head to verify it before reporting"
    ))
}

async fn find_by_key(state: &AppState, user: Uuid, key: &str) -> AppResult<Option<report::Model>> {
    Ok(report::Entity::find()
        .filter(report::Column::ReporterId.eq(user))
        .filter(report::Column::IdempotencyKey.eq(key))
        .one(&state.db)
        .await?)
}

struct Home {
    compound: Uuid,
    community: Uuid,
    building: Uuid,
    unit: i32,
    room: String,
    neighbourhood: Option<Uuid>,
}

/// A verified residence of the reporter, with the reporter's name.
#[derive(FromQueryResult)]
struct HomeRow {
    building_id: Uuid,
    community_id: Uuid,
    unit: i32,
    room: String,
    neighbourhood_id: Option<Uuid>,
    /// The reporter's name.
    reporter_name: String,
}

/// The statement a submit starts with: the reporter's verified residences, each with the reporter's name (copied
/// onto the report, so lists show it without reading users).
async fn home_rows(db: &impl ConnectionTrait, user: Uuid) -> Result<Vec<HomeRow>, DbErr> {
    homes_select(user).into_model::<HomeRow>().all(db).await
}

fn homes_select(user: Uuid) -> Select<residence::Entity> {
    let reporter = residence::Entity::belongs_to(app_user::Entity)
        .from(residence::Column::UserId)
        .to(app_user::Column::Id)
        .into();
    residence::Entity::find()
        .select_only()
        .columns([
            residence::Column::BuildingId,
            residence::Column::CommunityId,
            residence::Column::Unit,
            residence::Column::Room,
            residence::Column::NeighbourhoodId,
        ])
        .column_as(app_user::Column::Nickname, "reporter_name")
        .join(JoinType::InnerJoin, reporter)
        .filter(residence::Column::UserId.eq(user))
        .filter(residence::Column::Status.eq(ResidenceStatus::Verified))
}

/// The reporter's verified homes and name (the name is empty when there is no home: no report is stored then).
async fn verified_homes(state: &AppState, user: Uuid) -> AppResult<(Vec<Home>, String)> {
    let rows = home_rows(&state.db, user).await?;
    let name = rows.first().map(|r| r.reporter_name.clone()).unwrap_or_default();
    let mut homes = Vec::with_capacity(rows.len());
    for r in rows {
        // Building → compound never changes: served from the process's lookup cache after the first time.
        let Some(compound) = state.lookup.compound_of_building(&state.db, r.building_id).await? else { continue };
        homes.push(Home {
            compound,
            community: r.community_id,
            building: r.building_id,
            unit: r.unit,
            room: r.room,
            neighbourhood: r.neighbourhood_id,
        });
    }
    Ok((homes, name))
}

/// Where a new report sits, resolved from its location.
struct Placement {
    /// Compound.
    pub compound: Uuid,
    /// Building, if given.
    pub building: Option<Uuid>,
    /// Unit, if given.
    pub unit: Option<i32>,
    /// Room, if given.
    pub room: Option<String>,
    /// Public area of the compound, if that is where.
    pub public_area: Option<String>,
    /// GPS latitude.
    pub latitude: Option<f64>,
    /// GPS longitude.
    pub longitude: Option<f64>,
    /// Neighbourhood, group and area above, when the grid covers the spot.
    pub neighbourhood: Option<Uuid>,
    /// Group.
    pub group: Option<Uuid>,
    /// Area.
    pub area: Option<Uuid>,
    /// Community.
    pub community: Uuid,
}

/// Everything a newly submitted report's row is made of.
struct NewRow {
    /// Row id.
    pub id: Uuid,
    /// Id of its SUBMITTED event.
    pub event_id: Uuid,
    /// Submission time.
    pub now: chrono::DateTime<Utc>,
    /// Reporter.
    pub reporter: Uuid,
    /// The reporter's name.
    pub reporter_name: String,
    /// Category.
    pub category: Uuid,
    /// Checked description.
    pub description: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Hidden from other residents.
    pub anonymous: bool,
    /// Client's retry key.
    pub idempotency_key: Option<String>,
    /// Where.
    pub placement: Placement,
}

/// The row of a newly submitted report.
fn new_row(n: NewRow) -> report::ActiveModel {
    let p = n.placement;
    report::ActiveModel {
        id: Set(n.id),
        created_at: Set(n.now),
        description: Set(n.description),
        urgency: Set(n.urgency),
        unit: Set(p.unit),
        room: Set(p.room),
        public_area: Set(p.public_area),
        latitude: Set(p.latitude),
        longitude: Set(p.longitude),
        anonymous: Set(n.anonymous),
        status: Set(Status::Submitted),
        version: Set(1),
        waiting_since: Set(n.now),
        submitted_at: Set(n.now),
        acknowledged_at: Set(None),
        dispatched_at: Set(None),
        started_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        first_reopened_at: Set(None),
        ended_at: Set(None),
        confirmed_at: Set(None),
        rating: Set(None),
        rating_comment: Set(None),
        auto_closed: Set(false),
        reopen_count: Set(0),
        last_urged_at: Set(None),
        idempotency_key: Set(n.idempotency_key),
        category_id: Set(n.category),
        reporter_id: Set(n.reporter),
        compound_id: Set(p.compound),
        building_id: Set(p.building),
        neighbourhood_id: Set(p.neighbourhood),
        group_id: Set(p.group),
        area_id: Set(p.area),
        community_id: Set(p.community),
        company_id: Set(None),
        duplicate_of: Set(None),
        last_event_id: Set(Some(n.event_id)),
        moderation: Set(Moderation::Pass),
        last_event_kind: Set(Some(EventKind::Submitted)),
        last_event_at: Set(Some(n.now)),
        reporter_name: Set(n.reporter_name),
        sla_stage: Set(None),
        sla_level: Set(None),
        sla_stage_since: Set(None),
        sla_warn_at: Set(None),
        sla_due_at: Set(None),
        sla_fires_at: Set(None),
        sla_warned: Set(false),
        sla_breached: Set(false),
        sla_urges: Set(0),
        overall_minutes: Set(0),
        overall_since: Set(None),
        escalated_at: Set(None),
        escalations: Set(0),
        support_count: Set(0),
        queue_at: Set(n.now),
    }
}
