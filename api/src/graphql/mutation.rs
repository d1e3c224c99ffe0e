//! The mutation root.
use async_graphql::Result;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, NaiveDate, Utc};

use super::types::*;
use super::{actor, arg_id, load_node, state};
use crate::auth::{Role, RoleScope};
use crate::ids::{Kind, decode_any};
use crate::service::{auth, grid, org, people, property};

/// One building unit, as input.
#[derive(InputObject)]
pub struct UnitInput {
    /// A building of the neighbourhood's compound.
    pub building_id: ID,
    /// Unit number, 1..=the building's unitCount.
    pub unit: i32,
}

/// Input of `createNeighbourhood`.
#[derive(InputObject)]
pub struct CreateNeighbourhoodInput {
    /// The grid group it belongs to.
    pub group_id: ID,
    /// The compound its households live in (same community as the group).
    pub compound_id: ID,
    /// Name, 1..64 characters.
    pub name: String,
    /// The building units it covers (at most 50).
    #[graphql(default)]
    pub units: Vec<UnitInput>,
}

/// Input of `appoint`.
#[derive(InputObject)]
pub struct AppointInput {
    /// Who.
    pub user_id: ID,
    /// Which role.
    pub role: Role,
    /// Over what: a neighbourhood, group, area, community, street, district or property company, as the role needs.
    pub scope_id: ID,
    /// From when (default now).
    pub starts_at: Option<DateTime<Utc>>,
    /// Until when (default open-ended).
    pub ends_at: Option<DateTime<Utc>>,
}

fn units(input: &[UnitInput]) -> Result<Vec<grid::UnitRef>> {
    input
        .iter()
        .map(|u| Ok(grid::UnitRef { building: arg_id(&u.building_id, Kind::Building, "units.buildingId")?, unit: u.unit }))
        .collect()
}

/// Mutations.
#[derive(Default)]
pub struct Mutation;

#[Object]
impl Mutation {
    /// Logs in with the code from wx.login (in dev mode also `dev:<name>`), creating the user on first login.
    async fn login_with_wechat(&self, ctx: &Context<'_>, code: String) -> Result<AuthPayload> {
        Ok(auth::login(state(ctx), &code).await?.into())
    }

    /// Exchanges a refresh token for a new pair. Each refresh token works once.
    async fn refresh_token(&self, ctx: &Context<'_>, token: String) -> Result<AuthPayload> {
        Ok(auth::refresh(state(ctx), &token).await?.into())
    }

    /// Stores the caller's phone number from the code of the mini-program's getPhoneNumber button (in dev mode also
    /// `dev:<digits>`). Shown in full to its owner only, masked to the heads and admins who see their reports.
    async fn bind_phone(&self, ctx: &Context<'_>, code: String) -> Result<Me> {
        Ok(Me(auth::bind_phone(state(ctx), actor(ctx), &code).await?))
    }

    /// Signs out the login the refresh token belongs to.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> Result<bool> {
        Ok(auth::logout(state(ctx), &refresh_token).await?)
    }

    /// Creates a street in a district (district admins).
    async fn create_street(&self, ctx: &Context<'_>, district_id: ID, name: String) -> Result<Street> {
        let d = arg_id(&district_id, Kind::District, "districtId")?;
        Ok(Street(org::create_street(state(ctx), actor(ctx), d, &name).await?))
    }

    /// Creates a community in a street (street or district admins).
    async fn create_community(&self, ctx: &Context<'_>, street_id: ID, name: String) -> Result<Community> {
        let s = arg_id(&street_id, Kind::Street, "streetId")?;
        Ok(Community(org::create_community(state(ctx), actor(ctx), s, &name).await?))
    }

    /// Creates a compound in a community (its admins and above).
    async fn create_compound(&self, ctx: &Context<'_>, community_id: ID, name: String, address: String) -> Result<Compound> {
        let c = arg_id(&community_id, Kind::Community, "communityId")?;
        Ok(Compound(org::create_compound(state(ctx), actor(ctx), c, &name, &address).await?))
    }

    /// Creates a building in a compound (community admins and above).
    async fn create_building(&self, ctx: &Context<'_>, compound_id: ID, name: String, unit_count: i32) -> Result<Building> {
        let c = arg_id(&compound_id, Kind::Compound, "compoundId")?;
        Ok(Building(org::create_building(state(ctx), actor(ctx), c, &name, unit_count).await?))
    }

    /// Creates a grid area in a community (community admins and above).
    async fn create_area(&self, ctx: &Context<'_>, community_id: ID, name: String) -> Result<Area> {
        let c = arg_id(&community_id, Kind::Community, "communityId")?;
        Ok(Area(grid::create_area(state(ctx), actor(ctx), c, &name).await?))
    }

    /// Creates a grid group in an area (community admins and above).
    async fn create_group(&self, ctx: &Context<'_>, area_id: ID, name: String) -> Result<Group> {
        let a = arg_id(&area_id, Kind::Area, "areaId")?;
        Ok(Group(grid::create_group(state(ctx), actor(ctx), a, &name).await?))
    }

    /// Creates a neighbourhood in a group, covering units of one compound (community admins and above).
    async fn create_neighbourhood(&self, ctx: &Context<'_>, input: CreateNeighbourhoodInput) -> Result<Neighbourhood> {
        let g = arg_id(&input.group_id, Kind::Group, "groupId")?;
        let c = arg_id(&input.compound_id, Kind::Compound, "compoundId")?;
        let u = units(&input.units)?;
        Ok(Neighbourhood(grid::create_neighbourhood(state(ctx), actor(ctx), g, c, &input.name, &u).await?))
    }

    /// Replaces the building units a neighbourhood covers.
    async fn set_neighbourhood_units(&self, ctx: &Context<'_>, id: ID, units: Vec<UnitInput>) -> Result<Neighbourhood> {
        let n = arg_id(&id, Kind::Neighbourhood, "id")?;
        let u = self::units(&units)?;
        Ok(Neighbourhood(grid::set_units(state(ctx), actor(ctx), n, &u).await?))
    }

    /// Renames any org or grid unit (admins over its parent).
    async fn rename_unit(&self, ctx: &Context<'_>, id: ID, name: String) -> Result<Node> {
        let (kind, uuid) = decode_any(&id, "id")?;
        org::rename(state(ctx), actor(ctx), kind, uuid, &name).await?;
        Ok(load_node(ctx, kind, uuid).await?)
    }

    /// Appoints a user to a role over a unit or company.
    async fn appoint(&self, ctx: &Context<'_>, input: AppointInput) -> Result<Appointment> {
        let user = arg_id(&input.user_id, Kind::User, "userId")?;
        let scope = arg_id(&input.scope_id, input.role.scope_kind(), "scopeId")?;
        let a = people::appoint(state(ctx), actor(ctx), user, input.role, scope, input.starts_at, input.ends_at).await?;
        Ok(Appointment(a))
    }

    /// Ends an appointment now; it stops working on the holder's next request.
    async fn revoke_appointment(&self, ctx: &Context<'_>, id: ID) -> Result<Appointment> {
        let a = arg_id(&id, Kind::Appointment, "id")?;
        Ok(Appointment(people::revoke(state(ctx), actor(ctx), a).await?))
    }

    /// Registers a property company in a district (district admins and its street admins).
    async fn register_property_company(&self, ctx: &Context<'_>, district_id: ID, name: String) -> Result<PropertyCompany> {
        let d = arg_id(&district_id, Kind::District, "districtId")?;
        Ok(PropertyCompany(property::register(state(ctx), actor(ctx), d, &name).await?))
    }

    /// From `startsOn` (default today) the company manages the compound; the previous company's period ends.
    async fn assign_compound_management(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        compound_id: ID,
        starts_on: Option<NaiveDate>,
    ) -> Result<CompoundManagement> {
        let co = arg_id(&company_id, Kind::PropertyCompany, "companyId")?;
        let cp = arg_id(&compound_id, Kind::Compound, "compoundId")?;
        Ok(CompoundManagement(property::assign(state(ctx), actor(ctx), co, cp, starts_on).await?))
    }

    /// Says the caller lives in `room` of `unit` in a building; the neighbour head or a community admin verifies.
    async fn request_residence(&self, ctx: &Context<'_>, building_id: ID, unit: i32, room: String) -> Result<Residence> {
        let b = arg_id(&building_id, Kind::Building, "buildingId")?;
        Ok(Residence(people::request_residence(state(ctx), actor(ctx), b, unit, &room).await?))
    }

    /// Confirms a pending residence (its neighbour head or a community admin).
    async fn verify_residence(&self, ctx: &Context<'_>, id: ID) -> Result<Residence> {
        let r = arg_id(&id, Kind::Residence, "id")?;
        Ok(Residence(people::review_residence(state(ctx), actor(ctx), r, true, None).await?))
    }

    /// Refuses a pending residence, with a reason the resident will see.
    async fn reject_residence(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Residence> {
        let r = arg_id(&id, Kind::Residence, "id")?;
        Ok(Residence(people::review_residence(state(ctx), actor(ctx), r, false, Some(&reason)).await?))
    }
}
