//! The GraphQL object types: thin wrappers over entity rows whose relations go through the loaders and whose
//! lists go through the service layer (which checks who may see them).
use async_graphql::Result;
use async_graphql::{ComplexObject, Context, ID, Interface, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    app_user, appointment, building, community, compound, compound_management, district, grid_area, grid_group,
    neighbourhood, property_company, residence, street,
};
use uuid::Uuid;

use super::{Conn, actor, connection, loaders, page_args, state};
use crate::auth::{Role, RoleScope};
use crate::error::AppError;
use crate::ids::{Kind, encode};
use crate::service::{org::lists, people, places, property};

/// Anything with a global ID that `node(id)` can fetch.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The opaque global ID."))]
pub enum Node {
    /// 区
    District(District),
    /// 镇街
    Street(Street),
    /// 社区
    Community(Community),
    /// 小区
    Compound(Compound),
    /// 楼栋
    Building(Building),
    /// 片
    Area(Area),
    /// 组
    Group(Group),
    /// 邻
    Neighbourhood(Neighbourhood),
    /// 物业公司
    PropertyCompany(PropertyCompany),
    /// An appointment.
    Appointment(Appointment),
    /// A residence.
    Residence(Residence),
    /// A problem report.
    Report(super::report::Report),
    /// A partner merchant.
    Merchant(super::incentives::Merchant),
}

macro_rules! load_one {
    ($ctx:expr, $loader:ident, $id:expr, $kind:expr) => {{
        loaders($ctx).$loader.load_one($id).await.map_err(AppError::from)?.ok_or_else(|| places::not_found($kind))?
    }};
}

/// A district (区).
pub struct District(pub district::Model);

#[Object]
impl District {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::District, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Streets and towns of the district.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn streets(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Street>> {
        let p = lists::streets(state(ctx), actor(ctx), self.0.id, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Street))
    }
    /// Property companies registered in the district.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn property_companies(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<PropertyCompany>> {
        let p = property::companies(state(ctx), actor(ctx), self.0.id, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, PropertyCompany))
    }
}

/// A street or town (镇街).
pub struct Street(pub street::Model);

#[Object]
impl Street {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Street, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The district above.
    async fn district(&self, ctx: &Context<'_>) -> Result<District> {
        Ok(District(load_one!(ctx, district, self.0.district_id, Kind::District)))
    }
    /// Communities of the street.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn communities(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Community>> {
        let p = lists::communities(state(ctx), actor(ctx), self.0.id, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Community))
    }
}

/// A community (社区).
pub struct Community(pub community::Model);

#[Object]
impl Community {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Community, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The street above.
    async fn street(&self, ctx: &Context<'_>) -> Result<Street> {
        Ok(Street(load_one!(ctx, street, self.0.street_id, Kind::Street)))
    }
    /// Compounds of the community.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn compounds(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Compound>> {
        let p = lists::compounds(state(ctx), actor(ctx), self.0.id, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Compound))
    }
    /// Grid areas of the community.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn areas(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Area>> {
        let p = lists::areas(state(ctx), actor(ctx), self.0.id, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Area))
    }
}

/// A residential compound (小区).
pub struct Compound(pub compound::Model);

#[Object]
impl Compound {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Compound, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Street address.
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// The community above.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(load_one!(ctx, community, self.0.community_id, Kind::Community)))
    }
    /// Buildings of the compound.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn buildings(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Building>> {
        let p = lists::buildings(state(ctx), actor(ctx), self.0.id, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Building))
    }
    /// The property company managing the compound today.
    async fn property_company(&self, ctx: &Context<'_>) -> Result<Option<PropertyCompany>> {
        actor(ctx).user_id()?;
        Ok(property::current_manager(state(ctx), self.0.id).await?.map(PropertyCompany))
    }
    /// Every management period of the compound, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn management_history(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<CompoundManagement>> {
        let p = property::managements(state(ctx), actor(ctx), Some(self.0.id), None, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, CompoundManagement))
    }
}

/// A building (楼栋).
pub struct Building(pub building::Model);

#[Object]
impl Building {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Building, self.0.id)
    }
    /// Name, such as `3号楼`.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// How many units (单元) it has; units are numbered 1..=unitCount.
    async fn unit_count(&self) -> i32 {
        self.0.unit_count
    }
    /// The compound it stands in.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Compound> {
        Ok(Compound(load_one!(ctx, compound, self.0.compound_id, Kind::Compound)))
    }
}

/// A public view of a user: what other users may see.
pub struct UserSummary(pub app_user::Model);

#[Object]
impl UserSummary {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::User, self.0.id)
    }
    /// Display name.
    async fn nickname(&self) -> &str {
        crate::service::report::view::public_name(&self.0)
    }
}

/// A grid area (片).
pub struct Area(pub grid_area::Model);

#[Object]
impl Area {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Area, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The community it belongs to.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(load_one!(ctx, community, self.0.community_id, Kind::Community)))
    }
    /// The area head (片长), if appointed.
    async fn head(&self, ctx: &Context<'_>) -> Result<Option<UserSummary>> {
        actor(ctx).user_id()?;
        Ok(loaders(ctx).head.load_one(self.0.id).await.map_err(AppError::from)?.map(UserSummary))
    }
    /// Groups of the area.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn groups(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Group>> {
        let p = lists::groups(state(ctx), actor(ctx), self.0.id, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Group))
    }
}

/// A grid group (组).
pub struct Group(pub grid_group::Model);

#[Object]
impl Group {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Group, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The area above.
    async fn area(&self, ctx: &Context<'_>) -> Result<Area> {
        Ok(Area(load_one!(ctx, area, self.0.area_id, Kind::Area)))
    }
    /// The group head (组长), if appointed.
    async fn head(&self, ctx: &Context<'_>) -> Result<Option<UserSummary>> {
        actor(ctx).user_id()?;
        Ok(loaders(ctx).head.load_one(self.0.id).await.map_err(AppError::from)?.map(UserSummary))
    }
    /// Neighbourhoods of the group.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn neighbourhoods(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Neighbourhood>> {
        let p = lists::neighbourhoods(state(ctx), actor(ctx), self.0.id, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Neighbourhood))
    }
}

/// One building unit covered by a neighbourhood.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct NeighbourhoodUnit {
    #[graphql(skip)]
    building_id: Uuid,
    /// The unit number.
    unit: i32,
}

#[ComplexObject]
impl NeighbourhoodUnit {
    /// The building.
    async fn building(&self, ctx: &Context<'_>) -> Result<Building> {
        Ok(Building(load_one!(ctx, building, self.building_id, Kind::Building)))
    }
}

/// A neighbourhood (邻): about ten households in one compound.
pub struct Neighbourhood(pub neighbourhood::Model);

#[Object]
impl Neighbourhood {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Neighbourhood, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The group above.
    async fn group(&self, ctx: &Context<'_>) -> Result<Group> {
        Ok(Group(load_one!(ctx, group, self.0.group_id, Kind::Group)))
    }
    /// The compound its households live in.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Compound> {
        Ok(Compound(load_one!(ctx, compound, self.0.compound_id, Kind::Compound)))
    }
    /// The neighbour head (邻长), if appointed.
    async fn head(&self, ctx: &Context<'_>) -> Result<Option<UserSummary>> {
        actor(ctx).user_id()?;
        Ok(loaders(ctx).head.load_one(self.0.id).await.map_err(AppError::from)?.map(UserSummary))
    }
    /// The building units it covers.
    async fn units(&self, ctx: &Context<'_>) -> Result<Vec<NeighbourhoodUnit>> {
        let rows = crate::service::grid::units_of(state(ctx), actor(ctx), self.0.id).await?;
        Ok(rows.into_iter().map(|u| NeighbourhoodUnit { building_id: u.building, unit: u.unit }).collect())
    }
}

/// A property-management company (物业公司).
pub struct PropertyCompany(pub property_company::Model);

#[Object]
impl PropertyCompany {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::PropertyCompany, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The district it is registered in.
    async fn district(&self, ctx: &Context<'_>) -> Result<District> {
        Ok(District(load_one!(ctx, district, self.0.district_id, Kind::District)))
    }
    /// The compounds it manages or managed, with dates.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn managements(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<CompoundManagement>> {
        let p = property::managements(state(ctx), actor(ctx), None, Some(self.0.id), page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, CompoundManagement))
    }
    /// Its staff (active appointments), for admins who may manage the company.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn staff(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Appointment>> {
        let p = people::appointments_of(state(ctx), actor(ctx), Kind::PropertyCompany, self.0.id, true, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Appointment))
    }
}

/// A period during which a company manages a compound.
pub struct CompoundManagement(pub compound_management::Model);

#[Object]
impl CompoundManagement {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::CompoundManagement, self.0.id)
    }
    /// The company.
    async fn company(&self, ctx: &Context<'_>) -> Result<PropertyCompany> {
        Ok(PropertyCompany(load_one!(ctx, company, self.0.company_id, Kind::PropertyCompany)))
    }
    /// The compound.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Compound> {
        Ok(Compound(load_one!(ctx, compound, self.0.compound_id, Kind::Compound)))
    }
    /// First day.
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    /// Day it ended (exclusive), if it has.
    async fn ends_on(&self) -> Option<NaiveDate> {
        self.0.ends_on
    }
}

/// A user holding a role over a unit or company.
pub struct Appointment(pub appointment::Model);

#[Object]
impl Appointment {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Appointment, self.0.id)
    }
    /// The role.
    async fn role(&self) -> Role {
        self.0.role
    }
    /// What the role applies to.
    async fn scope(&self, ctx: &Context<'_>) -> Result<Node> {
        Ok(super::load_node(ctx, self.0.role.scope_kind(), self.0.scope_id).await?)
    }
    /// Who holds it.
    async fn user(&self, ctx: &Context<'_>) -> Result<UserSummary> {
        Ok(UserSummary(load_one!(ctx, user, self.0.user_id, Kind::User)))
    }
    /// From when.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// Until when (a term end or the revocation), if set.
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }
    /// Whether it is in force now.
    async fn active(&self) -> bool {
        let now = Utc::now();
        self.0.starts_at <= now && self.0.ends_at.is_none_or(|e| e > now)
    }
}

/// Where a residence claim stands (the GraphQL enum `ResidenceStatus`).
pub use entity::enums::ResidenceStatus;

/// A user's claim to live in a room of a building unit.
pub struct Residence(pub residence::Model);

#[Object]
impl Residence {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Residence, self.0.id)
    }
    /// Where the claim stands.
    async fn status(&self) -> ResidenceStatus {
        self.0.status
    }
    /// The building.
    async fn building(&self, ctx: &Context<'_>) -> Result<Building> {
        Ok(Building(load_one!(ctx, building, self.0.building_id, Kind::Building)))
    }
    /// The unit number.
    async fn unit(&self) -> i32 {
        self.0.unit
    }
    /// The room.
    async fn room(&self) -> &str {
        &self.0.room
    }
    /// The neighbourhood covering that unit, if the grid covers it yet.
    async fn neighbourhood(&self, ctx: &Context<'_>) -> Result<Option<Neighbourhood>> {
        match self.0.neighbourhood_id {
            Some(id) => Ok(Some(Neighbourhood(load_one!(ctx, neighbourhood, id, Kind::Neighbourhood)))),
            None => Ok(None),
        }
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(load_one!(ctx, community, self.0.community_id, Kind::Community)))
    }
    /// Who claims to live there.
    async fn user(&self, ctx: &Context<'_>) -> Result<UserSummary> {
        Ok(UserSummary(load_one!(ctx, user, self.0.user_id, Kind::User)))
    }
    /// When it was requested.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was verified or rejected.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }
    /// Why it was rejected.
    async fn reject_reason(&self) -> Option<&str> {
        self.0.reject_reason.as_deref()
    }
}

/// The logged-in user, with everything they are.
pub struct Me(pub app_user::Model);

#[Object]
impl Me {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::User, self.0.id)
    }
    /// Display name.
    async fn nickname(&self) -> &str {
        &self.0.nickname
    }
    /// The phone number, in full (only ever shown to its owner).
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// First login.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The roles the user holds now.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Appointment>> {
        Ok(people::my_appointments(state(ctx), self.0.id).await?.into_iter().map(Appointment).collect())
    }
    /// The user's residences, newest first.
    async fn residences(&self, ctx: &Context<'_>) -> Result<Vec<Residence>> {
        Ok(people::my_residences(state(ctx), self.0.id).await?.into_iter().map(Residence).collect())
    }
}

/// What login and refresh return.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Keep safely; exchange with `refreshToken` for a new pair. Each one works once.
    pub refresh_token: String,
    /// The user.
    pub user: MeRef,
}

/// The user a token pair belongs to.
#[derive(SimpleObject)]
pub struct MeRef {
    /// The opaque global ID.
    pub id: ID,
    /// Display name.
    pub nickname: String,
}

impl From<crate::service::auth::Session> for AuthPayload {
    fn from(s: crate::service::auth::Session) -> Self {
        AuthPayload {
            access_token: s.access_token,
            expires_in: s.expires_in,
            refresh_token: s.refresh_token,
            user: MeRef { id: encode(Kind::User, s.user.id), nickname: s.user.nickname },
        }
    }
}

