//! Which reports belong to a unit a caller may read ([`authz::require_reader_of`]): as one condition (the overdue
//! board), or as segments each of which one index serves in submission order (exports, which page through them
//! by `(submitted_at, id)`).
use entity::{community, report, street};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::authz::{ReadScope, ReaderOf};
use crate::service::places;
use crate::state::AppState;

/// The communities of `streets`, in id order.
pub async fn communities_of_streets(state: &AppState, streets: &[Uuid]) -> AppResult<Vec<Uuid>> {
    Ok(community::Entity::find()
        .select_only()
        .column(community::Column::Id)
        .filter(community::Column::StreetId.is_in(streets.to_vec()))
        .order_by_asc(community::Column::Id)
        .into_tuple()
        .all(&state.db)
        .await?)
}

/// The communities of a street or a district (none for other kinds).
async fn communities(state: &AppState, r: &ReaderOf) -> AppResult<Vec<Uuid>> {
    match r.kind {
        ReadScope::Street => communities_of_streets(state, &[r.id]).await,
        ReadScope::District => {
            let streets: Vec<Uuid> = street::Entity::find()
                .select_only()
                .column(street::Column::Id)
                .filter(street::Column::DistrictId.eq(r.id))
                .into_tuple()
                .all(&state.db)
                .await?;
            communities_of_streets(state, &streets).await
        }
        _ => Ok(Vec::new()),
    }
}

/// The reports of `r`'s unit as segments, each led by one community (or the company) so that the index
/// `(community_id | company_id, submitted_at, id)` serves it as one range: a street or district is its
/// communities in id order; a compound or grid unit is its community narrowed to the unit.
pub async fn segments(state: &AppState, r: &ReaderOf) -> AppResult<Vec<Condition>> {
    use report::Column as C;
    let one = |c: Condition| Ok(vec![c]);
    match r.kind {
        ReadScope::Company => one(Condition::all().add(C::CompanyId.eq(r.id))),
        ReadScope::Community => one(Condition::all().add(C::CommunityId.eq(r.id))),
        ReadScope::Compound | ReadScope::Area | ReadScope::Group | ReadScope::Neighbourhood => {
            let place = places::of(&state.db, r.kind.kind(), r.id).await?;
            let community = place
                .community
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("{:?} {} has no community", r.kind, r.id)))?;
            let col = match r.kind {
                ReadScope::Compound => C::CompoundId,
                ReadScope::Area => C::AreaId,
                ReadScope::Group => C::GroupId,
                _ => C::NeighbourhoodId,
            };
            one(Condition::all().add(C::CommunityId.eq(community)).add(col.eq(r.id)))
        }
        ReadScope::Street | ReadScope::District => Ok(communities(state, r)
            .await?
            .into_iter()
            .map(|c| Condition::all().add(C::CommunityId.eq(c)))
            .collect()),
    }
}

/// The reports of `r`'s unit as one condition.
pub async fn condition(state: &AppState, r: &ReaderOf) -> AppResult<Condition> {
    use report::Column as C;
    Ok(match r.kind {
        ReadScope::Street | ReadScope::District => Condition::all().add(C::CommunityId.is_in(communities(state, r).await?)),
        ReadScope::Company => Condition::all().add(C::CompanyId.eq(r.id)),
        ReadScope::Community => Condition::all().add(C::CommunityId.eq(r.id)),
        ReadScope::Compound => Condition::all().add(C::CompoundId.eq(r.id)),
        ReadScope::Area => Condition::all().add(C::AreaId.eq(r.id)),
        ReadScope::Group => Condition::all().add(C::GroupId.eq(r.id)),
        ReadScope::Neighbourhood => Condition::all().add(C::NeighbourhoodId.eq(r.id)),
    })
}

/// The unit `(kind, id)` named by a public id, if the caller may read its reports: BAD_USER_INPUT on `field` for
/// an id that names no such unit kind, NOT_FOUND when the id's kind is not the unit's, else as
/// [`authz::require_reader_of`].
pub async fn require_reader(
    state: &AppState,
    actor: &crate::auth::Actor,
    kind: crate::ids::Kind,
    id: Uuid,
    field: &'static str,
) -> AppResult<ReaderOf> {
    let Some(wanted) = ReadScope::of_kind(kind) else {
        return Err(AppError::bad_input(field, crate::msg!("请选择一个区域、网格单元或物业公司", "Name a unit of the org tree or grid, or a company")));
    };
    let r = crate::service::authz::require_reader_of(state, actor, id).await?;
    if r.kind != wanted {
        return Err(places::not_found(kind));
    }
    Ok(r)
}
