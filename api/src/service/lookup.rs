//! In-process caches for data that is small and (nearly) never changes, so hot paths skip a round trip:
//! - the tree's parent links (building → compound → community, neighbourhood → group → area) and a compound's row
//!   (its name and address, shown on every report) never change once a unit exists, so they are cached for the
//!   life of the process with no invalidation needed;
//! - categories change only when a district admin edits one: cached for [`CATEGORY_TTL`], dropped at once on this
//!   replica when edited here (other replicas see the edit within the TTL).
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use entity::{building, category, compound, grid_group, neighbourhood};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppResult;

/// How long categories are served from memory.
pub const CATEGORY_TTL: Duration = Duration::from_secs(30);

/// The caches (one per process, shared by requests).
#[derive(Default)]
pub struct Lookup {
    categories: RwLock<Option<(Instant, Arc<Vec<category::Model>>)>>,
    /// building → compound
    building_compound: RwLock<HashMap<Uuid, Uuid>>,
    /// compound → community
    compound_community: RwLock<HashMap<Uuid, Uuid>>,
    /// neighbourhood → (group, area)
    neighbourhood_grid: RwLock<HashMap<Uuid, (Uuid, Uuid)>>,
    /// compound id → its row
    compounds: RwLock<HashMap<Uuid, compound::Model>>,
}

const MAX_ENTRIES: usize = 500_000;

fn remember<K: std::hash::Hash + Eq, V>(map: &RwLock<HashMap<K, V>>, k: K, v: V) {
    let mut m = map.write().expect("lookup lock");
    if m.len() >= MAX_ENTRIES {
        m.clear();
    }
    m.insert(k, v);
}

impl Lookup {
    /// All categories in display order.
    pub async fn categories(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Vec<category::Model>>> {
        if let Some((at, list)) = &*self.categories.read().expect("lookup lock") {
            if at.elapsed() < CATEGORY_TTL {
                return Ok(list.clone());
            }
        }
        let list = Arc::new(category::Entity::find().order_by_asc(category::Column::SortOrder).all(db).await?);
        *self.categories.write().expect("lookup lock") = Some((Instant::now(), list.clone()));
        Ok(list)
    }

    /// Forgets the cached categories (after an edit on this replica).
    pub fn forget_categories(&self) {
        *self.categories.write().expect("lookup lock") = None;
    }

    /// The compounds with these ids (those that exist, in no particular order): from memory, the others in one
    /// statement.
    pub async fn compounds(&self, db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<compound::Model>> {
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let m = self.compounds.read().expect("lookup lock");
            for id in ids {
                match m.get(id) {
                    Some(c) => found.push(c.clone()),
                    None => missing.push(*id),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        for c in compound::Entity::find().filter(compound::Column::Id.is_in(missing)).all(db).await? {
            remember(&self.compounds, c.id, c.clone());
            found.push(c);
        }
        Ok(found)
    }

    /// The compound a building stands in.
    pub async fn compound_of_building(&self, db: &DatabaseConnection, b: Uuid) -> AppResult<Option<Uuid>> {
        if let Some(c) = self.building_compound.read().expect("lookup lock").get(&b) {
            return Ok(Some(*c));
        }
        let Some(row) = building::Entity::find_by_id(b).one(db).await? else { return Ok(None) };
        remember(&self.building_compound, b, row.compound_id);
        Ok(Some(row.compound_id))
    }

    /// The community of a compound.
    pub async fn community_of_compound(&self, db: &DatabaseConnection, c: Uuid) -> AppResult<Option<Uuid>> {
        if let Some(x) = self.compound_community.read().expect("lookup lock").get(&c) {
            return Ok(Some(*x));
        }
        let Some(row) = compound::Entity::find_by_id(c).one(db).await? else { return Ok(None) };
        remember(&self.compound_community, c, row.community_id);
        Ok(Some(row.community_id))
    }

    /// The group and area above a neighbourhood (one statement on a miss).
    pub async fn grid_of_neighbourhood(&self, db: &DatabaseConnection, n: Uuid) -> AppResult<Option<(Uuid, Uuid)>> {
        if let Some(x) = self.neighbourhood_grid.read().expect("lookup lock").get(&n) {
            return Ok(Some(*x));
        }
        let Some(nb) = neighbourhood::Entity::find_by_id(n).one(db).await? else { return Ok(None) };
        let g = grid_group::Entity::find()
            .filter(grid_group::Column::Id.eq(nb.group_id))
            .one(db)
            .await?;
        let Some(g) = g else { return Ok(None) };
        remember(&self.neighbourhood_grid, n, (g.id, g.area_id));
        Ok(Some((g.id, g.area_id)))
    }
}
