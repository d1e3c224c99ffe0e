//! The named permission checks. Every service function that reads or changes something protected calls one of
//! these; nothing else decides who may do what. A `require_…` check returns what it proved (an [`AdminOf`] carries
//! the place and the level the caller administers it at), or refuses: NOT_FOUND when the object does not exist,
//! FORBIDDEN with the rule that said no (`extensions.reason`) when it does and the caller may see it.
use entity::{community, compound, compound_management, street};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::places::{self, Place};
use crate::auth::{Actor, Role, Roles};
use crate::error::{AppError, AppResult, Denied};
use crate::ids::Kind;
use crate::state::AppState;

/// The level at which someone administers a place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AdminLevel {
    /// A community admin of the place's community.
    Community,
    /// A street admin of the place's street.
    Street,
    /// A district admin of the place's district.
    District,
}

impl AdminLevel {
    /// The office held at this level (what the audit log records as the actor's role).
    pub fn role(self) -> Role {
        match self {
            AdminLevel::Community => Role::CommunityAdmin,
            AdminLevel::Street => Role::StreetAdmin,
            AdminLevel::District => Role::DistrictAdmin,
        }
    }
}

/// Proof that the caller administers a place: what [`require_admin_of`] returns.
#[derive(Clone, Debug)]
pub struct AdminOf {
    /// The place (and everything above it).
    pub place: Place,
    /// The highest level at which the caller administers it.
    pub level: AdminLevel,
}

/// The highest level at which `roles` administer `place` (its district's, its street's or its community's admin).
pub fn admin_level(roles: &Roles, place: &Place) -> Option<AdminLevel> {
    if roles.has(Role::DistrictAdmin, place.district) {
        Some(AdminLevel::District)
    } else if place.street.is_some_and(|s| roles.has(Role::StreetAdmin, s)) {
        Some(AdminLevel::Street)
    } else if place.community.is_some_and(|c| roles.has(Role::CommunityAdmin, c)) {
        Some(AdminLevel::Community)
    } else {
        None
    }
}

/// An administrator whose scope covers `place`.
pub fn is_admin_over(roles: &Roles, place: &Place) -> bool {
    admin_level(roles, place).is_some()
}

/// The rule that refuses a non-admin over `place`: named after the lowest office that could have done it.
fn not_admin(place: &Place) -> AppError {
    AppError::denied(match (place.street, place.community) {
        (_, Some(_)) => Denied::NotAdminOfCommunity,
        (Some(_), None) => Denied::NotAdminOfStreet,
        (None, None) => Denied::NotAdminOfDistrict,
    })
}

/// FORBIDDEN unless the caller administers `place`; returns the level.
pub fn require_admin_over(roles: &Roles, place: &Place) -> AppResult<AdminLevel> {
    admin_level(roles, place).ok_or_else(|| not_admin(place))
}

/// The place of the unit of `kind` with id `id` (NOT_FOUND if there is none), if the caller administers it.
pub async fn require_admin_of(state: &AppState, actor: &Actor, kind: Kind, id: Uuid) -> AppResult<AdminOf> {
    let place = places::of(&state.db, kind, id).await?;
    let level = require_admin_over(&*actor.roles(state).await?, &place)?;
    Ok(AdminOf { place, level })
}

/// Who may create a unit under `parent`: an admin over the parent. So streets are made by district admins,
/// communities by street admins (or above), compounds, buildings and grid units by community admins (or above).
pub fn require_can_create_under(roles: &Roles, parent: &Place) -> AppResult<AdminLevel> {
    require_admin_over(roles, parent)
}

/// Who may rename a unit: an admin over its parent (a community admin renames the compounds and grid units of the
/// community, but not the community itself). A district is renamed by its own admins.
pub fn require_can_rename(roles: &Roles, kind: Kind, place: &Place) -> AppResult<AdminLevel> {
    let parent = match kind {
        Kind::Street => Place { district: place.district, ..Default::default() },
        Kind::Community => Place { district: place.district, street: place.street, ..Default::default() },
        _ => place.clone(),
    };
    require_admin_over(roles, &parent)
}

/// Who may appoint (or revoke) `role` over the unit at `place`: heads by an admin over their unit; community admins
/// by a street admin or above; street admins and district admins by a district admin; a merchant's staff by the
/// admins over the place the merchant was registered for. Property staff go through [`require_company_manager`].
/// Returns the level at which the caller appoints.
pub fn require_can_appoint(roles: &Roles, role: Role, place: &Place) -> AppResult<AdminLevel> {
    let over = match role {
        Role::NeighbourHead | Role::GroupHead | Role::AreaHead | Role::MerchantStaff => place.clone(),
        Role::CommunityAdmin => Place { district: place.district, street: place.street, ..Default::default() },
        Role::StreetAdmin | Role::DistrictAdmin => Place { district: place.district, ..Default::default() },
        Role::PropertyStaff => return Err(AppError::denied(Denied::NotAdminWhereCompanyWorks)),
    };
    require_admin_over(roles, &over)
}

/// Nobody appoints themself to anything (the first district admin is made by `linli bootstrap`).
pub fn require_not_self(me: Uuid, appointee: Uuid) -> AppResult<()> {
    if me == appointee { Err(AppError::denied(Denied::SelfAppointment)) } else { Ok(()) }
}

/// Whether `roles` hold a district admin role over `district`, or a street admin role for one of its streets:
/// who may register property companies there.
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

/// `(id, parent)` of the rows of `E` with these ids: one indexed lookup.
async fn parents<E: EntityTrait, C: ConnectionTrait>(db: &C, id: E::Column, parent: E::Column, mut ids: Vec<Uuid>) -> AppResult<Vec<(Uuid, Uuid)>> {
    ids.sort_unstable();
    ids.dedup();
    Ok(E::find().select_only().columns([id, parent]).filter(id.is_in(ids)).into_tuple().all(db).await?)
}

/// The places of the compounds a company manages today (four indexed lookups).
async fn places_where_company_works<C: ConnectionTrait>(db: &C, company: Uuid) -> AppResult<Vec<Place>> {
    let today = chrono::Utc::now().date_naive();
    let managed: Vec<Uuid> = compound_management::Entity::find()
        .select_only()
        .column(compound_management::Column::CompoundId)
        .filter(compound_management::Column::CompanyId.eq(company))
        .filter(compound_management::Column::StartsOn.lte(today))
        .filter(compound_management::Column::EndsOn.is_null().or(compound_management::Column::EndsOn.gt(today)))
        .into_tuple()
        .all(db)
        .await?;
    if managed.is_empty() {
        return Ok(Vec::new());
    }
    let up = |pairs: &[(Uuid, Uuid)]| pairs.iter().map(|(_, p)| *p).collect::<Vec<_>>();
    let compounds = parents::<compound::Entity, _>(db, compound::Column::Id, compound::Column::CommunityId, managed).await?;
    let communities = parents::<community::Entity, _>(db, community::Column::Id, community::Column::StreetId, up(&compounds)).await?;
    let streets = parents::<street::Entity, _>(db, street::Column::Id, street::Column::DistrictId, up(&communities)).await?;
    Ok(compounds
        .into_iter()
        .filter_map(|(cp, cm)| {
            let (_, s) = communities.iter().find(|(c, _)| *c == cm)?;
            let (_, d) = streets.iter().find(|(x, _)| x == s)?;
            Some(Place { district: *d, street: Some(*s), community: Some(cm), compound: Some(cp), ..Default::default() })
        })
        .collect())
}

/// Proof that the caller may manage a company's staff.
#[derive(Clone, Copy, Debug)]
pub struct CompanyManager {
    /// The company.
    pub company: Uuid,
    /// The office the caller manages it in: a district admin, else the highest of the offices in which the caller
    /// administers its compounds (a street admin, for a company that manages nothing yet).
    pub role: Role,
}

/// Who may manage a property company's staff (appoint, revoke, list them): an admin over **every** compound the
/// company manages now (a district admin of its district always is). Appointing staff gives access to every
/// ticket of the company, so an admin whose scope does not cover all of them would reach beyond their scope: a
/// community admin manages the staff of a company that works only in their community, a street admin of one
/// that works only in their street. A company that manages nothing yet is managed by those who may register
/// companies in its district.
pub async fn require_company_manager<C: ConnectionTrait>(
    db: &C,
    roles: &Roles,
    company: Uuid,
    district: Uuid,
) -> AppResult<CompanyManager> {
    if roles.has(Role::DistrictAdmin, district) {
        return Ok(CompanyManager { company, role: Role::DistrictAdmin });
    }
    let places = places_where_company_works(db, company).await?;
    let level = if places.is_empty() {
        is_district_or_street_admin(db, roles, district).await?.then_some(AdminLevel::Street)
    } else {
        places.iter().map(|p| admin_level(roles, p)).collect::<Option<Vec<_>>>().and_then(|l| l.into_iter().max())
    };
    match level {
        Some(level) => Ok(CompanyManager { company, role: level.role() }),
        None => Err(AppError::denied(Denied::NotAdminWhereCompanyWorks)),
    }
}

/// Who may verify or reject a residence: the head of its neighbourhood, or an admin over its community.
pub fn can_review_residence(roles: &Roles, neighbourhood: Option<Uuid>, community_place: &Place) -> bool {
    neighbourhood.is_some_and(|n| roles.has(Role::NeighbourHead, n)) || is_admin_over(roles, community_place)
}

/// The kinds of unit whose reports can be read as a whole (exported, counted for the assessment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadScope {
    /// 区
    District,
    /// 镇街
    Street,
    /// 社区
    Community,
    /// 小区
    Compound,
    /// 片
    Area,
    /// 组
    Group,
    /// 邻
    Neighbourhood,
    /// A property company: the reports dispatched to it.
    Company,
}

impl ReadScope {
    /// All of them, in the order [`require_reader_of`] looks a unit up.
    pub const ALL: [ReadScope; 8] = [
        ReadScope::District,
        ReadScope::Street,
        ReadScope::Community,
        ReadScope::Compound,
        ReadScope::Area,
        ReadScope::Group,
        ReadScope::Neighbourhood,
        ReadScope::Company,
    ];

    /// The kind of its public id.
    pub fn kind(self) -> Kind {
        match self {
            ReadScope::District => Kind::District,
            ReadScope::Street => Kind::Street,
            ReadScope::Community => Kind::Community,
            ReadScope::Compound => Kind::Compound,
            ReadScope::Area => Kind::Area,
            ReadScope::Group => Kind::Group,
            ReadScope::Neighbourhood => Kind::Neighbourhood,
            ReadScope::Company => Kind::PropertyCompany,
        }
    }

    /// The scope of a public id's kind (none: not a unit whose reports can be read).
    pub fn of_kind(kind: Kind) -> Option<ReadScope> {
        ReadScope::ALL.into_iter().find(|s| s.kind() == kind)
    }

    /// The same kind as the audit log stores it.
    pub fn audit(self) -> entity::enums::AuditScope {
        use entity::enums::AuditScope as A;
        match self {
            ReadScope::District => A::District,
            ReadScope::Street => A::Street,
            ReadScope::Community => A::Community,
            ReadScope::Compound => A::Compound,
            ReadScope::Area => A::Area,
            ReadScope::Group => A::Group,
            ReadScope::Neighbourhood => A::Neighbourhood,
            ReadScope::Company => A::Company,
        }
    }

    /// The table its units are rows of.
    fn table(self) -> &'static str {
        match self {
            ReadScope::District => "district",
            ReadScope::Street => "street",
            ReadScope::Community => "community",
            ReadScope::Compound => "compound",
            ReadScope::Area => "grid_area",
            ReadScope::Group => "grid_group",
            ReadScope::Neighbourhood => "neighbourhood",
            ReadScope::Company => "property_company",
        }
    }
}

/// Proof that the caller may read every report of a unit: what [`require_reader_of`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderOf {
    /// What kind of unit.
    pub kind: ReadScope,
    /// The unit.
    pub id: Uuid,
    /// Its district (whose work calendar counts its business hours).
    pub district: Uuid,
}

/// Which kind of unit `id` is (none: no unit has it). One statement over the unit tables: ids are UUIDv7, unique
/// across tables.
async fn kind_of_unit<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Option<ReadScope>> {
    use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement, UnionType};
    let select = |s: ReadScope, n: i32| -> SelectStatement {
        Query::select().expr(Expr::val(n)).from(Alias::new(s.table())).and_where(Expr::col(Alias::new("id")).eq(id)).to_owned()
    };
    let mut q = select(ReadScope::ALL[0], 0);
    for (n, s) in ReadScope::ALL.iter().enumerate().skip(1) {
        q.union(UnionType::All, select(*s, n as i32));
    }
    let stmt = db.get_database_backend().build(&q);
    let Some(row) = db.query_one_raw(stmt).await? else { return Ok(None) };
    let n: i32 = row.try_get_by_index(0)?;
    Ok(ReadScope::ALL.get(n as usize).copied())
}

/// Whether `roles` make the caller a head of the grid unit at `place` or of one above it (a group head reads the
/// group and its neighbourhoods, an area head the area and everything in it).
fn heads_over(roles: &Roles, place: &Place) -> bool {
    place.neighbourhood.is_some_and(|n| roles.has(Role::NeighbourHead, n))
        || place.group.is_some_and(|g| roles.has(Role::GroupHead, g))
        || place.area.is_some_and(|a| roles.has(Role::AreaHead, a))
}

/// Who may read every report of the unit `scope` (export them, see its figures): the admins over it (a district's,
/// street's or community's admins over what is below them), the heads of a grid unit or of one above it, and for a
/// property company its staff and those who manage its staff ([`require_company_manager`]: an admin over every
/// compound it manages, so nobody reads another community's tickets through a company). NOT_FOUND when no unit
/// has that id, and for a company the caller has no standing at (another company's staff never learn it exists);
/// FORBIDDEN with the rule that refused for an org or grid unit (the tree itself is not secret).
pub async fn require_reader_of(state: &AppState, actor: &Actor, scope: Uuid) -> AppResult<ReaderOf> {
    let Some(kind) = kind_of_unit(&state.db, scope).await? else {
        return Err(AppError::not_found("单位", "Unit"));
    };
    require_reader_of_kind(state, actor, kind, scope).await
}

/// [`require_reader_of`] for a unit whose kind the caller already knows (a decoded global id's): no statement to
/// find the kind. The same rules and refusals.
pub async fn require_reader_of_kind(state: &AppState, actor: &Actor, kind: ReadScope, scope: Uuid) -> AppResult<ReaderOf> {
    let roles = actor.roles(state).await?;
    let place = places::of(&state.db, kind.kind(), scope).await?;
    let proof = ReaderOf { kind, id: scope, district: place.district };
    if kind == ReadScope::Company {
        if roles.has(Role::PropertyStaff, scope) {
            return Ok(proof);
        }
        return match require_company_manager(&state.db, &roles, scope, place.district).await {
            Ok(_) => Ok(proof),
            Err(AppError::Forbidden { .. }) => Err(places::not_found(Kind::PropertyCompany)),
            Err(e) => Err(e),
        };
    }
    if heads_over(&roles, &place) {
        return Ok(proof);
    }
    require_admin_over(&roles, &place)?;
    Ok(proof)
}

/// The office in which the caller reads `place` (as the audit log records it): the highest admin level over it,
/// else the head role over it, else property staff or the office that manages the company.
pub async fn reading_office(state: &AppState, actor: &Actor, reader: &ReaderOf, place: &Place) -> AppResult<Option<Role>> {
    let roles = actor.roles(state).await?;
    if reader.kind == ReadScope::Company {
        if roles.has(Role::PropertyStaff, reader.id) {
            return Ok(Some(Role::PropertyStaff));
        }
        return Ok(require_company_manager(&state.db, &roles, reader.id, reader.district).await.ok().map(|m| m.role));
    }
    if let Some(level) = admin_level(&roles, place) {
        return Ok(Some(level.role()));
    }
    Ok([
        (place.area, Role::AreaHead),
        (place.group, Role::GroupHead),
        (place.neighbourhood, Role::NeighbourHead),
    ]
    .into_iter()
    .find(|(unit, role)| unit.is_some_and(|u| roles.has(*role, u)))
    .map(|(_, role)| role))
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
        assert_eq!(admin_level(&r, &place), Some(AdminLevel::Community));
        assert!(!is_admin_over(&r, &elsewhere));
        assert!(require_can_appoint(&r, Role::NeighbourHead, &place).is_ok());
        let peers = require_can_appoint(&r, Role::CommunityAdmin, &place).unwrap_err();
        assert_eq!(peers.render(crate::error::Lang::En, "-").extensions["reason"], "NOT_ADMIN_OF_STREET", "may not appoint peers");
        assert!(require_can_rename(&r, Kind::Community, &place).is_err(), "may not rename own community");
        assert!(require_can_rename(&r, Kind::Compound, &place).is_ok());
        let e = require_admin_over(&r, &elsewhere).unwrap_err();
        assert_eq!(e.render(crate::error::Lang::En, "-").extensions["reason"], "NOT_ADMIN_OF_COMMUNITY");
    }

    #[test]
    fn district_admin_rules_everything_below() {
        let (d, s, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let place = Place { district: d, street: Some(s), community: Some(c), ..Default::default() };
        let r = roles(&[(Role::DistrictAdmin, d)]);
        assert!(require_can_appoint(&r, Role::StreetAdmin, &place).is_ok());
        assert!(require_can_appoint(&r, Role::CommunityAdmin, &place).is_ok());
        assert_eq!(admin_level(&r, &place), Some(AdminLevel::District));
        assert!(!is_admin_over(&roles(&[(Role::DistrictAdmin, Uuid::now_v7())]), &place));
    }

    #[test]
    fn heads_are_not_admins_and_nobody_appoints_themself() {
        let n = Uuid::now_v7();
        let place = Place { district: Uuid::now_v7(), neighbourhood: Some(n), ..Default::default() };
        let r = roles(&[(Role::NeighbourHead, n)]);
        assert!(!is_admin_over(&r, &place));
        assert!(can_review_residence(&r, Some(n), &place));
        assert!(!can_review_residence(&r, Some(Uuid::now_v7()), &place));
        let me = Uuid::now_v7();
        assert!(require_not_self(me, me).is_err());
        assert!(require_not_self(me, Uuid::now_v7()).is_ok());
    }
}
