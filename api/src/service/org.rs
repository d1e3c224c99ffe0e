//! The organisation tree: streets, communities, compounds and buildings, created and renamed by admins in scope.
use chrono::Utc;
use entity::{building, community, compound, district, grid_area, grid_group, neighbourhood, street};
use sea_orm::{ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, Set, SqlErr};
use uuid::Uuid;

use super::{authz, page, places, validate};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// Turns a unique-name violation into a field error on `name`.
pub(crate) fn name_taken(e: DbErr) -> AppError {
    if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        AppError::bad_input("name", msg!("同一上级下已有同名单位", "A unit with this name already exists here"))
    } else {
        e.into()
    }
}

/// `createStreet`: by an admin of the district.
pub async fn create_street(state: &AppState, actor: &Actor, district_id: Uuid, name: &str) -> AppResult<street::Model> {
    let name = validate::name(name)?;
    let roles = actor.roles(state).await?;
    let parent = places::of(&state.db, Kind::District, district_id).await?;
    authz::require_can_create_under(&roles, &parent)?;
    street::ActiveModel { id: Set(new_id()), created_at: Set(Utc::now()), name: Set(name), district_id: Set(district_id) }
        .insert(&state.db)
        .await
        .map_err(name_taken)
}

/// `createCommunity`: by an admin of the street or district.
pub async fn create_community(state: &AppState, actor: &Actor, street_id: Uuid, name: &str) -> AppResult<community::Model> {
    let name = validate::name(name)?;
    let roles = actor.roles(state).await?;
    let parent = places::of(&state.db, Kind::Street, street_id).await?;
    authz::require_can_create_under(&roles, &parent)?;
    community::ActiveModel { id: Set(new_id()), created_at: Set(Utc::now()), name: Set(name), street_id: Set(street_id) }
        .insert(&state.db)
        .await
        .map_err(name_taken)
}

/// `createCompound`: by an admin over the community.
pub async fn create_compound(
    state: &AppState,
    actor: &Actor,
    community_id: Uuid,
    name: &str,
    address: &str,
) -> AppResult<compound::Model> {
    let name = validate::name(name)?;
    let address = validate::text("address", address, 200)?;
    let roles = actor.roles(state).await?;
    let parent = places::of(&state.db, Kind::Community, community_id).await?;
    authz::require_can_create_under(&roles, &parent)?;
    compound::ActiveModel {
        id: Set(new_id()),
        created_at: Set(Utc::now()),
        name: Set(name),
        address: Set(address),
        community_id: Set(community_id),
    }
    .insert(&state.db)
    .await
    .map_err(name_taken)
}

/// `createBuilding`: by an admin over the compound's community. `unit_count` is 1..=50.
pub async fn create_building(
    state: &AppState,
    actor: &Actor,
    compound_id: Uuid,
    name: &str,
    unit_count: i32,
) -> AppResult<building::Model> {
    let name = validate::name(name)?;
    let unit_count = validate::range("unitCount", unit_count, 1, 50)?;
    let roles = actor.roles(state).await?;
    let parent = places::of(&state.db, Kind::Compound, compound_id).await?;
    authz::require_can_create_under(&roles, &parent)?;
    building::ActiveModel {
        id: Set(new_id()),
        created_at: Set(Utc::now()),
        name: Set(name),
        unit_count: Set(unit_count),
        compound_id: Set(compound_id),
    }
    .insert(&state.db)
    .await
    .map_err(name_taken)
}

/// `renameUnit`: renames any org or grid unit; see [`authz::require_can_rename`] for who may.
pub async fn rename(state: &AppState, actor: &Actor, kind: Kind, id: Uuid, name: &str) -> AppResult<()> {
    let name = validate::name(name)?;
    let roles = actor.roles(state).await?;
    let place = places::of(&state.db, kind, id).await?;
    authz::require_can_rename(&roles, kind, &place)?;
    macro_rules! rename_in {
        ($m:ident) => {{
            let row = $m::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| places::not_found(kind))?;
            let mut am: $m::ActiveModel = row.into();
            am.name = Set(name);
            am.update(&state.db).await.map_err(name_taken)?;
        }};
    }
    match kind {
        Kind::District => rename_in!(district),
        Kind::Street => rename_in!(street),
        Kind::Community => rename_in!(community),
        Kind::Compound => rename_in!(compound),
        Kind::Building => rename_in!(building),
        Kind::Area => rename_in!(grid_area),
        Kind::Group => rename_in!(grid_group),
        Kind::Neighbourhood => rename_in!(neighbourhood),
        _ => {
            return Err(AppError::bad_input("id", msg!("该对象不能改名", "This kind of object cannot be renamed")));
        }
    }
    Ok(())
}

/// Lists of children, ordered by creation, for any logged-in user (the structure is not secret).
pub mod lists {
    use super::*;

    /// All districts.
    pub async fn districts(state: &AppState, actor: &Actor, args: page::PageArgs) -> AppResult<page::Page<district::Model>> {
        actor.user_id()?;
        page::fetch(&state.db, district::Entity::find(), district::Column::Id, args).await
    }

    /// Streets of a district.
    pub async fn streets(state: &AppState, actor: &Actor, of: Uuid, args: page::PageArgs) -> AppResult<page::Page<street::Model>> {
        actor.user_id()?;
        page::fetch(&state.db, street::Entity::find().filter(street::Column::DistrictId.eq(of)), street::Column::Id, args).await
    }

    /// Communities of a street.
    pub async fn communities(state: &AppState, actor: &Actor, of: Uuid, args: page::PageArgs) -> AppResult<page::Page<community::Model>> {
        actor.user_id()?;
        let q = community::Entity::find().filter(community::Column::StreetId.eq(of));
        page::fetch(&state.db, q, community::Column::Id, args).await
    }

    /// Compounds of a community.
    pub async fn compounds(state: &AppState, actor: &Actor, of: Uuid, args: page::PageArgs) -> AppResult<page::Page<compound::Model>> {
        actor.user_id()?;
        let q = compound::Entity::find().filter(compound::Column::CommunityId.eq(of));
        page::fetch(&state.db, q, compound::Column::Id, args).await
    }

    /// Buildings of a compound.
    pub async fn buildings(state: &AppState, actor: &Actor, of: Uuid, args: page::PageArgs) -> AppResult<page::Page<building::Model>> {
        actor.user_id()?;
        let q = building::Entity::find().filter(building::Column::CompoundId.eq(of));
        page::fetch(&state.db, q, building::Column::Id, args).await
    }

    /// Grid areas of a community.
    pub async fn areas(state: &AppState, actor: &Actor, of: Uuid, args: page::PageArgs) -> AppResult<page::Page<grid_area::Model>> {
        actor.user_id()?;
        let q = grid_area::Entity::find().filter(grid_area::Column::CommunityId.eq(of));
        page::fetch(&state.db, q, grid_area::Column::Id, args).await
    }

    /// Grid groups of an area.
    pub async fn groups(state: &AppState, actor: &Actor, of: Uuid, args: page::PageArgs) -> AppResult<page::Page<grid_group::Model>> {
        actor.user_id()?;
        let q = grid_group::Entity::find().filter(grid_group::Column::AreaId.eq(of));
        page::fetch(&state.db, q, grid_group::Column::Id, args).await
    }

    /// Neighbourhoods of a group.
    pub async fn neighbourhoods(state: &AppState, actor: &Actor, of: Uuid, args: page::PageArgs) -> AppResult<page::Page<neighbourhood::Model>> {
        actor.user_id()?;
        let q = neighbourhood::Entity::find().filter(neighbourhood::Column::GroupId.eq(of));
        page::fetch(&state.db, q, neighbourhood::Column::Id, args).await
    }
}

/// `linli bootstrap`: the district named `name` (created if absent) gets the user with `openid` (created if they
/// have not logged in yet) as a district admin. Idempotent.
pub async fn bootstrap(db: &sea_orm::DatabaseConnection, name: &str, openid: &str) -> AppResult<(Uuid, Uuid)> {
    use entity::{app_user, appointment};
    let name = validate::name(name)?;
    let openid = validate::text("openid", openid, 128)?;
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let d = match district::Entity::find().filter(district::Column::Name.eq(name.clone())).one(&txn).await? {
        Some(d) => d.id,
        None => district::ActiveModel { id: Set(new_id()), created_at: Set(now), name: Set(name) }.insert(&txn).await?.id,
    };
    let u = match app_user::Entity::find().filter(app_user::Column::Openid.eq(openid.clone())).one(&txn).await? {
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
            .insert(&txn)
            .await?
            .id
        }
    };
    let held = appointment::Entity::find()
        .filter(appointment::Column::UserId.eq(u))
        .filter(appointment::Column::ScopeId.eq(d))
        .filter(appointment::Column::Role.eq(crate::auth::Role::DistrictAdmin.as_str()))
        .filter(appointment::Column::EndsAt.is_null())
        .one(&txn)
        .await?;
    if held.is_none() {
        appointment::ActiveModel {
            id: Set(new_id()),
            created_at: Set(now),
            role: Set(crate::auth::Role::DistrictAdmin.as_str().into()),
            scope_id: Set(d),
            starts_at: Set(now),
            ends_at: Set(None),
            user_id: Set(u),
            appointed_by: Set(None),
            revoked_by: Set(None),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok((d, u))
}
