//! The named permission checks. Every service function that reads or changes something protected calls one of
//! these; nothing else decides who may do what.
use entity::{compound_management, street};
use sea_orm::{ColumnTrait, ExprTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::places::Place;
use crate::auth::{Role, Roles};
use crate::error::{AppError, AppResult};
use crate::ids::Kind;

/// An administrator whose scope covers `place`: its district's, its street's or its community's admin.
pub fn is_admin_over(roles: &Roles, place: &Place) -> bool {
    roles.has(Role::DistrictAdmin, place.district)
        || place.street.is_some_and(|s| roles.has(Role::StreetAdmin, s))
        || place.community.is_some_and(|c| roles.has(Role::CommunityAdmin, c))
}

/// FORBIDDEN unless [`is_admin_over`].
pub fn require_admin_over(roles: &Roles, place: &Place) -> AppResult<()> {
    if is_admin_over(roles, place) { Ok(()) } else { Err(AppError::forbidden()) }
}

/// Who may create a unit under `parent` (a unit of kind `parent_kind`): an admin over the parent. So streets are
/// made by district admins, communities by street admins (or above), compounds, buildings and grid units by
/// community admins (or above).
pub fn require_can_create_under(roles: &Roles, parent: &Place) -> AppResult<()> {
    require_admin_over(roles, parent)
}

/// Who may rename a unit: an admin over its parent (a community admin renames the compounds and grid units of the
/// community, but not the community itself). A district is renamed by its own admins.
pub fn require_can_rename(roles: &Roles, kind: Kind, place: &Place) -> AppResult<()> {
    let parent = match kind {
        Kind::District => place.clone(),
        Kind::Street => Place { district: place.district, ..Default::default() },
        Kind::Community => Place { district: place.district, street: place.street, ..Default::default() },
        _ => place.clone(),
    };
    require_admin_over(roles, &parent)
}

/// Who may appoint (or revoke) `role` over the unit at `place`: heads by an admin over their unit; community admins
/// by a street admin or above; street admins and district admins by a district admin. Property staff go through
/// [`can_manage_company`].
pub fn can_appoint(roles: &Roles, role: Role, place: &Place) -> bool {
    match role {
        Role::NeighbourHead | Role::GroupHead | Role::AreaHead => is_admin_over(roles, place),
        Role::CommunityAdmin => {
            is_admin_over(roles, &Place { district: place.district, street: place.street, ..Default::default() })
        }
        Role::StreetAdmin | Role::DistrictAdmin => roles.has(Role::DistrictAdmin, place.district),
        Role::PropertyStaff => false,
        // A merchant's staff are appointed by the admins over the place the merchant was registered for.
        Role::MerchantStaff => is_admin_over(roles, place),
    }
}

/// Who may register property companies in a district: its district admins and the admins of its streets.
pub async fn is_district_or_street_admin<C: ConnectionTrait>(db: &C, roles: &Roles, district: Uuid) -> AppResult<bool> {
    if roles.has(Role::DistrictAdmin, district) {
        return Ok(true);
    }
    let my_streets: Vec<Uuid> = roles.scopes(Role::StreetAdmin).collect();
    if my_streets.is_empty() {
        return Ok(false);
    }
    let n = street::Entity::find()
        .filter(street::Column::Id.is_in(my_streets))
        .filter(street::Column::DistrictId.eq(district))
        .count(db)
        .await?;
    Ok(n > 0)
}

/// Who may manage a property company (appoint its staff): the district and street admins of its district, or a
/// community admin of a community where the company manages a compound now.
pub async fn can_manage_company<C: ConnectionTrait>(
    db: &C,
    roles: &Roles,
    company: Uuid,
    district: Uuid,
) -> AppResult<bool> {
    if is_district_or_street_admin(db, roles, district).await? {
        return Ok(true);
    }
    let my_communities: Vec<Uuid> = roles.scopes(Role::CommunityAdmin).collect();
    if !my_communities.is_empty() {
        let today = chrono::Utc::now().date_naive();
        let managed = compound_management::Entity::find()
            .filter(compound_management::Column::CompanyId.eq(company))
            .filter(compound_management::Column::StartsOn.lte(today))
            .filter(
                compound_management::Column::EndsOn.is_null().or(compound_management::Column::EndsOn.gt(today)),
            )
            .select_only()
            .column(compound_management::Column::CompoundId)
            .into_tuple::<Uuid>()
            .all(db)
            .await?;
        if !managed.is_empty() {
            let n = entity::compound::Entity::find()
                .filter(entity::compound::Column::Id.is_in(managed))
                .filter(entity::compound::Column::CommunityId.is_in(my_communities))
                .count(db)
                .await?;
            if n > 0 {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Who may verify or reject a residence: the head of its neighbourhood, or an admin over its community.
pub fn can_review_residence(roles: &Roles, neighbourhood: Option<Uuid>, community_place: &Place) -> bool {
    neighbourhood.is_some_and(|n| roles.has(Role::NeighbourHead, n)) || is_admin_over(roles, community_place)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Grant;

    fn roles(grants: &[(Role, Uuid)]) -> Roles {
        Roles { grants: grants.iter().map(|(r, s)| Grant { role: *r, scope: *s, ends_at: None }).collect() }
    }

    #[test]
    fn community_admin_rules_its_community_only() {
        let (d, s, c, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let place = Place { district: d, street: Some(s), community: Some(c), ..Default::default() };
        let elsewhere = Place { district: d, street: Some(s), community: Some(other), ..Default::default() };
        let r = roles(&[(Role::CommunityAdmin, c)]);
        assert!(is_admin_over(&r, &place));
        assert!(!is_admin_over(&r, &elsewhere));
        assert!(can_appoint(&r, Role::NeighbourHead, &place));
        assert!(!can_appoint(&r, Role::CommunityAdmin, &place), "may not appoint peers");
        assert!(require_can_rename(&r, Kind::Community, &place).is_err(), "may not rename own community");
        assert!(require_can_rename(&r, Kind::Compound, &place).is_ok());
    }

    #[test]
    fn district_admin_rules_everything_below() {
        let (d, s, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let place = Place { district: d, street: Some(s), community: Some(c), ..Default::default() };
        let r = roles(&[(Role::DistrictAdmin, d)]);
        assert!(can_appoint(&r, Role::StreetAdmin, &place));
        assert!(can_appoint(&r, Role::CommunityAdmin, &place));
        assert!(!is_admin_over(&roles(&[(Role::DistrictAdmin, Uuid::now_v7())]), &place));
    }

    #[test]
    fn heads_are_not_admins() {
        let n = Uuid::now_v7();
        let place = Place { district: Uuid::now_v7(), neighbourhood: Some(n), ..Default::default() };
        let r = roles(&[(Role::NeighbourHead, n)]);
        assert!(!is_admin_over(&r, &place));
        assert!(can_review_residence(&r, Some(n), &place));
        assert!(!can_review_residence(&r, Some(Uuid::now_v7()), &place));
    }
}
