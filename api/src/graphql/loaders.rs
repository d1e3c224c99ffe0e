//! DataLoaders: every relation a resolver follows goes through one, so a page of N objects costs one query per
//! relation, not N.
use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use chrono::Utc;
use entity::{app_user, appointment};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppError;

/// The error a loader reports (cloneable, as DataLoader requires).
#[derive(Clone, Debug)]
pub struct LoadError(Arc<sea_orm::DbErr>);

impl LoadError {
    /// A service error met by a loader that reads through the process's caches.
    fn from_app(e: AppError) -> Self {
        LoadError(Arc::new(sea_orm::DbErr::Custom(format!("{e:?}"))))
    }
}

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
by_id_loader!(/// Report timeline events by id (a report's newest one is `report.last_event_id`).
    ReportEventById, report_event);

/// Report categories by id, served from the process's category cache.
pub struct CategoryById(pub crate::state::AppState);

impl Loader<Uuid> for CategoryById {
    type Value = entity::category::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let all = self.0.lookup.categories(&self.0.db).await.map_err(LoadError::from_app)?;
        Ok(all.iter().filter(|c| keys.contains(&c.id)).map(|c| (c.id, c.clone())).collect())
    }
}

/// Compounds by id, served from the process's cache (a compound's row never changes once created).
pub struct CompoundById(pub crate::state::AppState);

impl Loader<Uuid> for CompoundById {
    type Value = entity::compound::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = self.0.lookup.compounds(&self.0.db, keys).await.map_err(LoadError::from_app)?;
        Ok(rows.into_iter().map(|c| (c.id, c)).collect())
    }
}

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
            .filter(crate::service::people::in_force(now))
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

/// A per-request, caching DataLoader.
pub type Cached<T> = DataLoader<T, HashMapCache>;

/// Loads `keys` straight through `l`'s loader and keeps the rows for the rest of the request. For a page, which
/// knows every key up front: it skips the DataLoader's batching wait (a timer on another thread) and its spawned
/// task.
pub async fn prime<T>(l: &Cached<T>, mut keys: Vec<Uuid>) -> Result<(), LoadError>
where
    T: Loader<Uuid, Error = LoadError>,
{
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return Ok(());
    }
    let rows = l.loader().load(&keys).await?;
    l.feed_many(rows).await;
    Ok(())
}

/// Keeps rows a page's statement already brought (through a join) for the rest of the request.
pub async fn feed<T, V>(l: &Cached<T>, rows: Vec<V>, id: fn(&V) -> Uuid)
where
    T: Loader<Uuid, Value = V>,
{
    l.feed_many(rows.into_iter().map(|r| (id(&r), r))).await;
}

/// All loaders of one request. Each caches what it loaded for that request only, so a relation primed for a whole
/// page is not fetched again per object.
pub struct Loaders {
    /// Districts.
    pub district: Cached<DistrictById>,
    /// Streets.
    pub street: Cached<StreetById>,
    /// Communities.
    pub community: Cached<CommunityById>,
    /// Compounds.
    pub compound: Cached<CompoundById>,
    /// Buildings.
    pub building: Cached<BuildingById>,
    /// Areas.
    pub area: Cached<AreaById>,
    /// Groups.
    pub group: Cached<GroupById>,
    /// Neighbourhoods.
    pub neighbourhood: Cached<NeighbourhoodById>,
    /// Users.
    pub user: Cached<UserById>,
    /// Property companies.
    pub company: Cached<CompanyById>,
    /// Heads of units.
    pub head: Cached<HeadOf>,
    /// Report categories.
    pub category: Cached<CategoryById>,
    /// Timeline events.
    pub report_event: Cached<ReportEventById>,
}

/// How long a loader waits to collect keys before loading. Siblings in a list ask in the same poll, so a short
/// wait batches them as well as the default 1 ms while adding far less latency per level.
const BATCH_DELAY: std::time::Duration = std::time::Duration::from_micros(100);

impl Loaders {
    /// Fresh loaders for one request.
    pub fn new(state: &crate::state::AppState) -> Self {
        let db = &state.db;
        let d = || db.clone();
        Self {
            district: DataLoader::with_cache(DistrictById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            street: DataLoader::with_cache(StreetById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            community: DataLoader::with_cache(CommunityById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            compound: DataLoader::with_cache(CompoundById(state.clone()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            building: DataLoader::with_cache(BuildingById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            area: DataLoader::with_cache(AreaById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            group: DataLoader::with_cache(GroupById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            neighbourhood: DataLoader::with_cache(NeighbourhoodById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            user: DataLoader::with_cache(UserById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            company: DataLoader::with_cache(CompanyById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            head: DataLoader::with_cache(HeadOf(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            category: DataLoader::with_cache(CategoryById(state.clone()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            report_event: DataLoader::with_cache(ReportEventById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
        }
    }
}
