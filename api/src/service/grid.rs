//! The grid: areas, groups and neighbourhoods, and which building units each neighbourhood covers.
use std::collections::HashSet;

use chrono::Utc;
use entity::{building, neighbourhood, neighbourhood_unit};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::audit::{Acted, Scope};
use super::events::{Change, DomainEvent};
use super::org::{name_taken, names};
use super::{authz, places, validate};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, Constraint};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// A building unit is covered by one neighbourhood at most (migration 000002).
const ONE_NEIGHBOURHOOD_PER_UNIT: Constraint = Constraint {
    name: "ux_neighbourhood_unit_building_id_unit",
    columns: "neighbourhood_unit.building_id, neighbourhood_unit.unit",
};

/// One building unit a neighbourhood covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnitRef {
    /// The building's row id.
    pub building: Uuid,
    /// The unit number, 1..=the building's unit count.
    pub unit: i32,
}

pub use super::org::{create_area, create_group};

/// `createNeighbourhood`: a neighbourhood in `group_id` covering `units` of buildings in `compound_id`, which must
/// lie in the same community as the group.
pub async fn create_neighbourhood(
    state: &AppState,
    actor: &Actor,
    group_id: Uuid,
    compound_id: Uuid,
    name: &str,
    units: &[UnitRef],
) -> AppResult<neighbourhood::Model> {
    let name = validate::name(name)?;
    let of = authz::require_admin_of(state, actor, Kind::Group, group_id).await?;
    let group_place = of.place.clone();
    let compound_place = places::of(&state.db, Kind::Compound, compound_id).await?;
    if compound_place.community != group_place.community {
        return Err(AppError::bad_input(
            "compoundId",
            msg!("小区必须与该组位于同一社区", "The compound must be in the same community as the group"),
        ));
    }
    check_units(state, compound_id, units).await?;
    let by = Acted::new(Some(of.level.role()), Scope::of(Kind::Group, group_id, &of.place))
        .after(serde_json::json!({ "name": name, "compound": compound_id, "units": units_json(units) }));
    let mut change = Change::begin(state, Some(actor.user_id()?)).await?;
    let n = neighbourhood::ActiveModel {
        id: Set(new_id()),
        created_at: Set(change.at()),
        name: Set(name),
        group_id: Set(group_id),
        compound_id: Set(compound_id),
    }
    .insert(change.db())
    .await
    .map_err(name_taken(&names::NEIGHBOURHOOD))?;
    insert_units(change.db(), n.id, units).await?;
    change.emit(DomainEvent::UnitCreated { unit: Kind::Neighbourhood, id: n.id, parent: Some(group_id), by }).await?;
    change.commit().await?;
    Ok(n)
}

/// `setNeighbourhoodUnits`: replaces the units a neighbourhood covers.
pub async fn set_units(state: &AppState, actor: &Actor, id: Uuid, units: &[UnitRef]) -> AppResult<neighbourhood::Model> {
    let of = authz::require_admin_of(state, actor, Kind::Neighbourhood, id).await?;
    let n = neighbourhood::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| places::not_found(Kind::Neighbourhood))?;
    check_units(state, n.compound_id, units).await?;
    let mut change = Change::begin(state, Some(actor.user_id()?)).await?;
    let before: Vec<UnitRef> = neighbourhood_unit::Entity::find()
        .filter(neighbourhood_unit::Column::NeighbourhoodId.eq(id))
        .all(change.db())
        .await?
        .into_iter()
        .map(|r| UnitRef { building: r.building_id, unit: r.unit })
        .collect();
    let by = Acted::new(Some(of.level.role()), Scope::of(Kind::Neighbourhood, id, &of.place))
        .before(serde_json::json!({ "units": units_json(&before) }))
        .after(serde_json::json!({ "units": units_json(units) }));
    neighbourhood_unit::Entity::delete_many()
        .filter(neighbourhood_unit::Column::NeighbourhoodId.eq(id))
        .exec(change.db())
        .await?;
    insert_units(change.db(), id, units).await?;
    change.emit(DomainEvent::NeighbourhoodUnitsSet { neighbourhood: id, by }).await?;
    change.commit().await?;
    Ok(n)
}

/// Units as the audit log shows them: `[{"building": id, "unit": n}, …]`.
pub(super) fn units_json(units: &[UnitRef]) -> serde_json::Value {
    units.iter().map(|u| serde_json::json!({ "building": u.building, "unit": u.unit })).collect()
}

async fn check_units(state: &AppState, compound_id: Uuid, units: &[UnitRef]) -> AppResult<()> {
    if units.len() > 50 {
        return Err(AppError::bad_input("units", msg!("一个邻最多覆盖 50 个单元", "A neighbourhood covers at most 50 units")));
    }
    let distinct: HashSet<_> = units.iter().collect();
    if distinct.len() != units.len() {
        return Err(AppError::bad_input("units", msg!("单元重复", "A unit is listed twice")));
    }
    let ids: Vec<Uuid> = units.iter().map(|u| u.building).collect::<HashSet<_>>().into_iter().collect();
    let buildings = building::Entity::find().filter(building::Column::Id.is_in(ids.clone())).all(&state.db).await?;
    for u in units {
        let b = buildings.iter().find(|b| b.id == u.building).ok_or_else(|| places::not_found(Kind::Building))?;
        if b.compound_id != compound_id {
            return Err(AppError::bad_input("units", msg!("楼栋不属于该小区", "A building is not in this compound")));
        }
        validate::range("units.unit", u.unit, 1, b.unit_count)?;
    }
    Ok(())
}

async fn insert_units<C: sea_orm::ConnectionTrait>(db: &C, neighbourhood: Uuid, units: &[UnitRef]) -> AppResult<()> {
    if units.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = units.iter().map(|u| neighbourhood_unit::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        unit: Set(u.unit),
        neighbourhood_id: Set(neighbourhood),
        building_id: Set(u.building),
    });
    neighbourhood_unit::Entity::insert_many(rows).exec(db).await.map_err(|e| {
        AppError::on_constraint(e, &ONE_NEIGHBOURHOOD_PER_UNIT, || {
            AppError::Conflict(msg!("该单元已属于另一个邻", "A unit is already covered by another neighbourhood"))
        })
    })?;
    Ok(())
}


/// The building units a neighbourhood covers, in the order they were set (the grid's structure is shown to every
/// logged-in user).
pub async fn units_of(state: &AppState, actor: &Actor, neighbourhood: Uuid) -> AppResult<Vec<UnitRef>> {
    use sea_orm::QueryOrder;
    actor.user_id()?;
    let rows = neighbourhood_unit::Entity::find()
        .filter(neighbourhood_unit::Column::NeighbourhoodId.eq(neighbourhood))
        .order_by_asc(neighbourhood_unit::Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(|r| UnitRef { building: r.building_id, unit: r.unit }).collect())
}
