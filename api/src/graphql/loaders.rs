//! DataLoaders: every relation a resolver follows goes through one, so a page of N objects costs one query per
//! relation, not N. The loaders call the service layer's batch reads (`service::batch`) and report its errors as
//! they are: a NOT_FOUND stays NOT_FOUND, an internal error stays internal.
use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use uuid::Uuid;

use crate::error::AppError;
use crate::service::batch;

/// The error a loader reports: the service error itself (cloneable, as DataLoader requires).
pub type LoadError = AppError;

macro_rules! by_id_loaders {
    ($($(#[$doc:meta])* $name:ident: $m:ident;)*) => {$(
        $(#[$doc])*
        pub struct $name(pub sea_orm::DatabaseConnection);

        impl Loader<Uuid> for $name {
            type Value = entity::$m::Model;
            type Error = LoadError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
                Ok(batch::by_ids::<entity::$m::Entity>(&self.0, keys).await?.into_iter().map(|r| (r.id, r)).collect())
            }
        }
    )*};
}

by_id_loaders! {
    /// Districts by id.
    DistrictById: district;
    /// Streets by id.
    StreetById: street;
    /// Communities by id.
    CommunityById: community;
    /// Buildings by id.
    BuildingById: building;
    /// Grid areas by id.
    AreaById: grid_area;
    /// Grid groups by id.
    GroupById: grid_group;
    /// Neighbourhoods by id.
    NeighbourhoodById: neighbourhood;
    /// Users by id.
    UserById: app_user;
    /// Property companies by id.
    CompanyById: property_company;
    /// Report timeline events by id (a report's newest one is `report.last_event_id`).
    ReportEventById: report_event;
    /// Partner merchants by id.
    MerchantById: merchant;
}

/// Report categories by id, served from the process's category cache.
pub struct CategoryById(pub crate::state::AppState);

impl Loader<Uuid> for CategoryById {
    type Value = entity::category::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let all = self.0.lookup.categories(&self.0.db).await?;
        Ok(all.iter().filter(|c| keys.contains(&c.id)).map(|c| (c.id, c.clone())).collect())
    }
}

/// Compounds by id, served from the process's cache (a compound's row never changes once created).
pub struct CompoundById(pub crate::state::AppState);

impl Loader<Uuid> for CompoundById {
    type Value = entity::compound::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = self.0.lookup.compounds(&self.0.db, keys).await?;
        Ok(rows.into_iter().map(|c| (c.id, c)).collect())
    }
}

/// The current head (neighbour, group or area head) of a unit, keyed by the unit's id.
pub struct HeadOf(pub sea_orm::DatabaseConnection);

impl Loader<Uuid> for HeadOf {
    type Value = entity::app_user::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        batch::heads_of(&self.0, keys).await
    }
}

/// Whether a user supports a report ("me too"), keyed by (user, report): a page asking `supportedByMe` costs one
/// statement per user (in practice one: the caller), not one per report.
pub struct SupportedBy(pub sea_orm::DatabaseConnection);

impl Loader<(Uuid, Uuid)> for SupportedBy {
    type Value = bool;
    type Error = LoadError;

    async fn load(&self, keys: &[(Uuid, Uuid)]) -> Result<HashMap<(Uuid, Uuid), bool>, Self::Error> {
        let mut by_user: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (user, report) in keys {
            by_user.entry(*user).or_default().push(*report);
        }
        let mut out: HashMap<(Uuid, Uuid), bool> = keys.iter().map(|k| (*k, false)).collect();
        for (user, reports) in by_user {
            for r in crate::service::support::supported_among(&self.0, user, &reports).await? {
                out.insert((user, r), true);
            }
        }
        Ok(out)
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
    /// Merchants.
    pub merchant: Cached<MerchantById>,
    /// "Me too"s.
    pub supported: DataLoader<SupportedBy, HashMapCache>,
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
            merchant: DataLoader::with_cache(MerchantById(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
            supported: DataLoader::with_cache(SupportedBy(d()), tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loader whose keys are never there to see.
    struct Refusing;

    impl Loader<Uuid> for Refusing {
        type Value = ();
        type Error = LoadError;

        async fn load(&self, _: &[Uuid]) -> Result<HashMap<Uuid, ()>, LoadError> {
            Err(AppError::not_found("报告", "Report"))
        }
    }

    #[tokio::test]
    async fn a_not_found_inside_a_loader_stays_not_found() {
        let l = DataLoader::with_cache(Refusing, tokio::spawn, HashMapCache::default());
        let e: AppError = l.load_one(Uuid::now_v7()).await.unwrap_err();
        assert_eq!(e.code(), "NOT_FOUND");
        let gql: async_graphql::Error = e.into();
        let server = gql.into_server_error(async_graphql::Pos::default());
        assert_eq!(server.source::<AppError>().map(AppError::code), Some("NOT_FOUND"), "and reaches the client as such");
    }
}
