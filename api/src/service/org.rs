//! The organisation tree: streets, communities, compounds and buildings, created and renamed by admins in scope.
use chrono::Utc;
use entity::{building, community, compound, district, grid_area, grid_group, neighbourhood, street};
use sea_orm::{ActiveModelBehavior, ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, Set};
use uuid::Uuid;

use super::audit::{Acted, Scope};
use super::events::{self, AppointmentChange, Change, DomainEvent};
use super::{authz, page, places, validate};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, Constraint};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// The unique names under each parent (migrations 000001 and 000002).
pub mod names {
    use crate::error::Constraint;

    macro_rules! unique_name {
        ($($c:ident: $table:literal, $parent:literal;)*) => {$(
            #[doc = concat!("A name is unique among the `", $table, "` rows of one `", $parent, "`.")]
            pub const $c: Constraint = Constraint {
                name: concat!("ux_", $table, "_", $parent, "_name"),
                columns: concat!($table, ".", $parent, ", ", $table, ".name"),
            };
        )*};
    }
    unique_name! {
        STREET: "street", "district_id";
        COMMUNITY: "community", "street_id";
        COMPOUND: "compound", "community_id";
        BUILDING: "building", "compound_id";
        AREA: "grid_area", "community_id";
        GROUP: "grid_group", "area_id";
        NEIGHBOURHOOD: "neighbourhood", "group_id";
    }
}

/// Turns a violation of the unique name `c` into a field error on `name`.
pub(crate) fn name_taken(c: &'static Constraint) -> impl Fn(DbErr) -> AppError {
    move |e| {
        AppError::on_constraint(e, c, || {
            AppError::bad_input("name", msg!("同一上级下已有同名单位", "A unit with this name already exists here"))
        })
    }
}

/// Inserts the row `am` of a new unit `id` under `parent` and says so, in one change by `actor` (`by`: in which
/// office, over which unit, what was created).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn create<A>(
    state: &AppState,
    actor: &Actor,
    unit: Kind,
    id: Uuid,
    parent: Option<Uuid>,
    name: &'static Constraint,
    am: A,
    by: Acted,
) -> AppResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    events::insert_new(state, Some(actor.user_id()?), am, name_taken(name), |_| DomainEvent::UnitCreated { unit, id, parent, by }).await
}

/// The unit-creating mutations: each checks the name (and its own fields), requires an admin over the parent,
/// then inserts the row and says so in one change ([`create`]).
macro_rules! creators {
    ($($(#[$doc:meta])* $f:ident($parent:ident: $pkind:ident $(, $arg:ident: $ty:ty => $check:expr)*) -> $m:ident as $kind:ident, $names:ident;)*) => {$(
        $(#[$doc])*
        pub async fn $f(state: &AppState, actor: &Actor, $parent: Uuid, name: &str $(, $arg: $ty)*) -> AppResult<$m::Model> {
            let name = validate::name(name)?;
            $(let $arg = $check;)*
            let of = authz::require_admin_of(state, actor, Kind::$pkind, $parent).await?;
            let id = new_id();
            let by = Acted::new(Some(of.level.role()), Scope::of(Kind::$pkind, $parent, &of.place))
                .after(serde_json::json!({ "name": name $(, stringify!($arg): $arg)* }));
            let am = $m::ActiveModel { id: Set(id), created_at: Set(Utc::now()), name: Set(name), $parent: Set($parent) $(, $arg: Set($arg))* };
            create(state, actor, Kind::$kind, id, Some($parent), &names::$names, am, by).await
        }
    )*};
}

creators! {
    /// `createStreet`: by an admin of the district.
    create_street(district_id: District) -> street as Street, STREET;
    /// `createCommunity`: by an admin of the street or district.
    create_community(street_id: Street) -> community as Community, COMMUNITY;
    /// `createCompound`: by an admin over the community.
    create_compound(community_id: Community, address: &str => validate::text("address", address, 200)?) -> compound as Compound, COMPOUND;
    /// `createBuilding`: by an admin over the compound's community. `unit_count` is 1..=50.
    create_building(compound_id: Compound, unit_count: i32 => validate::range("unitCount", unit_count, 1, 50)?) -> building as Building, BUILDING;
    /// `createArea`: by an admin over the community.
    create_area(community_id: Community) -> grid_area as Area, AREA;
    /// `createGroup`: by an admin over the area's community.
    create_group(area_id: Area) -> grid_group as Group, GROUP;
}

/// `renameUnit`: renames any org or grid unit; see [`authz::require_can_rename`] for who may. Every replica shows
/// the new name from its next request on: this one drops its cached copy after the commit, the others when they
/// read the event from the log.
pub async fn rename(state: &AppState, actor: &Actor, kind: Kind, id: Uuid, name: &str) -> AppResult<()> {
    let name = validate::name(name)?;
    let roles = actor.roles(state).await?;
    let place = places::of(&state.db, kind, id).await?;
    let level = authz::require_can_rename(&roles, kind, &place)?;
    let mut change = Change::begin(state, Some(actor.user_id()?)).await?;
    let new_name = name.clone();
    let old_name: Option<String>;
    macro_rules! rename_in {
        ($m:ident, $names:expr) => {{
            old_name = $m::Entity::find_by_id(id).one(change.db()).await?.map(|r| r.name);
            let n = $m::Entity::update_many()
                .col_expr($m::Column::Name, sea_orm::sea_query::Expr::value(name))
                .filter($m::Column::Id.eq(id))
                .exec(change.db())
                .await
                .map_err(name_taken($names))?;
            if n.rows_affected != 1 {
                return Err(places::not_found(kind));
            }
        }};
    }
    match kind {
        Kind::District => {
            old_name = district::Entity::find_by_id(id).one(change.db()).await?.map(|r| r.name);
            let n = district::Entity::update_many()
                .col_expr(district::Column::Name, sea_orm::sea_query::Expr::value(name))
                .filter(district::Column::Id.eq(id))
                .exec(change.db())
                .await?;
            if n.rows_affected != 1 {
                return Err(places::not_found(kind));
            }
        }
        Kind::Street => rename_in!(street, &names::STREET),
        Kind::Community => rename_in!(community, &names::COMMUNITY),
        Kind::Compound => rename_in!(compound, &names::COMPOUND),
        Kind::Building => rename_in!(building, &names::BUILDING),
        Kind::Area => rename_in!(grid_area, &names::AREA),
        Kind::Group => rename_in!(grid_group, &names::GROUP),
        Kind::Neighbourhood => rename_in!(neighbourhood, &names::NEIGHBOURHOOD),
        _ => {
            return Err(AppError::bad_input("id", msg!("该对象不能改名", "This kind of object cannot be renamed")));
        }
    }
    let by = Acted::new(Some(level.role()), Scope::of(kind, id, &place))
        .before(serde_json::json!({ "name": old_name }))
        .after(serde_json::json!({ "name": new_name }));
    change.emit(DomainEvent::UnitRenamed { unit: kind, id, by }).await?;
    change.commit().await
}

/// Lists of children, ordered by creation, for any logged-in user (the structure is not secret).
pub mod lists {
    use super::*;

    /// All districts.
    pub async fn districts(state: &AppState, actor: &Actor, args: page::PageArgs) -> AppResult<page::Page<district::Model>> {
        actor.user_id()?;
        page::fetch(&state.db, district::Entity::find(), district::Column::Id, args).await
    }

    macro_rules! children {
        ($($(#[$doc:meta])* $name:ident: $m:ident by $parent:ident;)*) => {$(
            $(#[$doc])*
            pub async fn $name(state: &AppState, actor: &Actor, of: Uuid, args: page::PageArgs) -> AppResult<page::Page<$m::Model>> {
                actor.user_id()?;
                let q = $m::Entity::find().filter($m::Column::$parent.eq(of));
                page::fetch(&state.db, q, $m::Column::Id, args).await
            }
        )*};
    }

    children! {
        /// Streets of a district.
        streets: street by DistrictId;
        /// Communities of a street.
        communities: community by StreetId;
        /// Compounds of a community.
        compounds: compound by CommunityId;
        /// Buildings of a compound.
        buildings: building by CompoundId;
        /// Grid areas of a community.
        areas: grid_area by CommunityId;
        /// Grid groups of an area.
        groups: grid_group by AreaId;
        /// Neighbourhoods of a group.
        neighbourhoods: neighbourhood by GroupId;
    }
}

/// `linli bootstrap`: the district named `name` (created if absent) gets the user with `openid` (created if they
/// have not logged in yet) as a district admin. Idempotent.
pub async fn bootstrap(state: &AppState, name: &str, openid: &str) -> AppResult<(Uuid, Uuid)> {
    use entity::{app_user, appointment};
    let name = validate::name(name)?;
    let openid = validate::text("openid", openid, 128)?;
    let mut change = Change::begin(state, None).await?;
    let now = change.at();
    let existing = district::Entity::find().filter(district::Column::Name.eq(name.clone())).one(change.db()).await?;
    let d = match existing {
        Some(d) => d.id,
        None => {
            let after = serde_json::json!({ "name": name });
            let d = district::ActiveModel { id: Set(new_id()), created_at: Set(now), name: Set(name) }.insert(change.db()).await?.id;
            let by = Acted::new(None, Scope::of(Kind::District, d, &places::Place { district: d, ..Default::default() })).after(after);
            change.emit(DomainEvent::UnitCreated { unit: Kind::District, id: d, parent: None, by }).await?;
            d
        }
    };
    // The system acts here (`linli bootstrap`): no office.
    let system = Acted::new(None, Scope::of(Kind::District, d, &places::Place { district: d, ..Default::default() }));
    let u = match app_user::Entity::find().filter(app_user::Column::Openid.eq(openid.clone())).one(change.db()).await? {
        Some(u) => u.id,
        None => {
            app_user::ActiveModel {
                id: Set(new_id()),
                created_at: Set(now),
                openid: Set(openid),
                unionid: Set(None),
                nickname: Set("区管理员".into()),
                phone: Set(None),
                last_seen_at: Set(now),
            }
            .insert(change.db())
            .await?
            .id
        }
    };
    let held = appointment::Entity::find()
        .filter(appointment::Column::UserId.eq(u))
        .filter(appointment::Column::ScopeId.eq(d))
        .filter(appointment::Column::Role.eq(crate::auth::Role::DistrictAdmin))
        .filter(appointment::Column::EndsAt.is_null())
        .one(change.db())
        .await?;
    if held.is_none() {
        let a = appointment::ActiveModel {
            id: Set(new_id()),
            created_at: Set(now),
            role: Set(crate::auth::Role::DistrictAdmin),
            scope_id: Set(d),
            starts_at: Set(now),
            ends_at: Set(None),
            user_id: Set(u),
            appointed_by: Set(None),
            revoked_by: Set(None),
        }
        .insert(change.db())
        .await?;
        let by = system.after(serde_json::json!({ "user": u, "role": a.role, "scope": d, "startsAt": a.starts_at, "endsAt": a.ends_at }));
        let made = AppointmentChange { appointment: a.id, user: u, role: crate::auth::Role::DistrictAdmin, scope: d, by };
        change.emit(DomainEvent::AppointmentMade(made)).await?;
    }
    change.commit().await?;
    Ok((d, u))
}
