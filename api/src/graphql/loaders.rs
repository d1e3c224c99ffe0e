//! DataLoaders: every relation a resolver follows goes through one, so a page of N objects costs one query per
//! relation, not N.
use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::Utc;
use entity::{app_user, appointment};
use sea_orm::ExprTrait;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::error::AppError;

/// The error a loader reports (cloneable, as DataLoader requires).
#[derive(Clone, Debug)]
pub struct LoadError(Arc<sea_orm::DbErr>);

impl From<LoadError> for AppError {
    fn from(e: LoadError) -> Self {
        AppError::Internal(anyhow::anyhow!("loader: {}", e.0))
    }
}

macro_rules! by_id_loader {
    ($(#[$doc:meta])* $name:ident, $m:ident) => {
        $(#[$doc])*
        pub struct $name(pub DatabaseConnection);

        impl Loader<Uuid> for $name {
            type Value = entity::$m::Model;
            type Error = LoadError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
                let rows = entity::$m::Entity::find()
                    .filter(entity::$m::Column::Id.is_in(keys.to_vec()))
                    .all(&self.0)
                    .await
                    .map_err(|e| LoadError(Arc::new(e)))?;
                Ok(rows.into_iter().map(|r| (r.id, r)).collect())
            }
        }
    };
}

by_id_loader!(/// Districts by id.
    DistrictById, district);
by_id_loader!(/// Streets by id.
    StreetById, street);
by_id_loader!(/// Communities by id.
    CommunityById, community);
by_id_loader!(/// Compounds by id.
    CompoundById, compound);
by_id_loader!(/// Buildings by id.
    BuildingById, building);
by_id_loader!(/// Grid areas by id.
    AreaById, grid_area);
by_id_loader!(/// Grid groups by id.
    GroupById, grid_group);
by_id_loader!(/// Neighbourhoods by id.
    NeighbourhoodById, neighbourhood);
by_id_loader!(/// Users by id.
    UserById, app_user);
by_id_loader!(/// Property companies by id.
    CompanyById, property_company);
by_id_loader!(/// Report categories by id.
    CategoryById, category);
by_id_loader!(/// Report timeline events by id (a report's newest one is `report.last_event_id`).
    ReportEventById, report_event);

/// The current head (neighbour, group or area head) of a unit, keyed by the unit's id.
pub struct HeadOf(pub DatabaseConnection);

impl Loader<Uuid> for HeadOf {
    type Value = app_user::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let now = Utc::now();
        let rows = appointment::Entity::find()
            .filter(appointment::Column::ScopeId.is_in(keys.to_vec()))
            .filter(appointment::Column::Role.is_in(["NEIGHBOUR_HEAD", "GROUP_HEAD", "AREA_HEAD"]))
            .filter(appointment::Column::StartsAt.lte(now))
            .filter(Expr::col(appointment::Column::EndsAt).is_null().or(appointment::Column::EndsAt.gt(now)))
            .all(&self.0)
            .await
            .map_err(|e| LoadError(Arc::new(e)))?;
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        let users: HashMap<Uuid, app_user::Model> = app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(rows.iter().map(|a| a.user_id).collect::<Vec<_>>()))
            .all(&self.0)
            .await
            .map_err(|e| LoadError(Arc::new(e)))?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        Ok(rows.into_iter().filter_map(|a| users.get(&a.user_id).cloned().map(|u| (a.scope_id, u))).collect())
    }
}

/// All loaders of one request (each caches for that request only).
pub struct Loaders {
    /// Districts.
    pub district: DataLoader<DistrictById>,
    /// Streets.
    pub street: DataLoader<StreetById>,
    /// Communities.
    pub community: DataLoader<CommunityById>,
    /// Compounds.
    pub compound: DataLoader<CompoundById>,
    /// Buildings.
    pub building: DataLoader<BuildingById>,
    /// Areas.
    pub area: DataLoader<AreaById>,
    /// Groups.
    pub group: DataLoader<GroupById>,
    /// Neighbourhoods.
    pub neighbourhood: DataLoader<NeighbourhoodById>,
    /// Users.
    pub user: DataLoader<UserById>,
    /// Property companies.
    pub company: DataLoader<CompanyById>,
    /// Heads of units.
    pub head: DataLoader<HeadOf>,
    /// Report categories.
    pub category: DataLoader<CategoryById>,
    /// Timeline events.
    pub report_event: DataLoader<ReportEventById>,
}

impl Loaders {
    /// Fresh loaders for one request.
    pub fn new(db: &DatabaseConnection) -> Self {
        let d = || db.clone();
        Self {
            district: DataLoader::new(DistrictById(d()), tokio::spawn),
            street: DataLoader::new(StreetById(d()), tokio::spawn),
            community: DataLoader::new(CommunityById(d()), tokio::spawn),
            compound: DataLoader::new(CompoundById(d()), tokio::spawn),
            building: DataLoader::new(BuildingById(d()), tokio::spawn),
            area: DataLoader::new(AreaById(d()), tokio::spawn),
            group: DataLoader::new(GroupById(d()), tokio::spawn),
            neighbourhood: DataLoader::new(NeighbourhoodById(d()), tokio::spawn),
            user: DataLoader::new(UserById(d()), tokio::spawn),
            company: DataLoader::new(CompanyById(d()), tokio::spawn),
            head: DataLoader::new(HeadOf(d()), tokio::spawn),
            category: DataLoader::new(CategoryById(d()), tokio::spawn),
            report_event: DataLoader::new(ReportEventById(d()), tokio::spawn),
        }
    }
}
