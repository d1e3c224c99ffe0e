//! In-process caches for data that is small and changes rarely, so hot paths skip a round trip. Every cache is
//! bounded (moka: least recently used entries are evicted when it is full, instead of everything being dropped):
//! - the tree's parent links (building → compound → community, neighbourhood → group → area) never change once a
//!   unit exists;
//! - a compound's row (its name and address, shown on every report) changes when it is renamed: the replica that
//!   renames drops it after the commit, every other replica when its follower reads the `UNIT_RENAMED` event from
//!   the log (milliseconds later); entries also expire after [`COMPOUND_TTL`], in case a replica misses a wake-up;
//! - categories change when a district admin edits one: dropped the same way (`CATEGORY_UPDATED`), and cached for
//!   at most [`CATEGORY_TTL`] anyway.
use std::sync::Arc;
use std::time::Duration;

use entity::enums::DomainEventKind;
use entity::{building, calendar_day, category, community, compound, grid_group, neighbourhood, street, work_calendar};
use moka::sync::Cache;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::AppResult;

/// How long categories are served from memory at most.
pub const CATEGORY_TTL: Duration = Duration::from_secs(30);
/// How long a compound's row is served from memory at most.
pub const COMPOUND_TTL: Duration = Duration::from_secs(600);
/// At most this many entries per cache (a district has 400 compounds and 13,752 neighbourhoods; a province
/// 100 times that).
const MAX_ENTRIES: u64 = 500_000;

/// The caches (one per process, shared by requests).
pub struct Lookup {
    categories: Cache<(), Arc<Vec<category::Model>>>,
    /// building → compound
    building_compound: Cache<Uuid, Uuid>,
    /// compound → community
    compound_community: Cache<Uuid, Uuid>,
    /// neighbourhood → (group, area)
    neighbourhood_grid: Cache<Uuid, (Uuid, Uuid)>,
    /// compound id → its row
    compounds: Cache<Uuid, compound::Model>,
    /// community → street
    community_street: Cache<Uuid, Uuid>,
    /// street → district
    street_district: Cache<Uuid, Uuid>,
    /// district → its work calendar
    calendars: Cache<Uuid, Arc<crate::service::sla::calendar::Calendar>>,
}

impl Default for Lookup {
    fn default() -> Self {
        Lookup::with_capacity(MAX_ENTRIES)
    }
}

impl Lookup {
    /// Caches of at most `max` entries each.
    pub fn with_capacity(max: u64) -> Self {
        Lookup {
            categories: Cache::builder().max_capacity(1).time_to_live(CATEGORY_TTL).build(),
            building_compound: Cache::new(max),
            compound_community: Cache::new(max),
            neighbourhood_grid: Cache::new(max),
            compounds: Cache::builder().max_capacity(max).time_to_live(COMPOUND_TTL).build(),
            community_street: Cache::new(max),
            street_district: Cache::new(max),
            calendars: Cache::builder().max_capacity(10_000).time_to_live(COMPOUND_TTL).build(),
        }
    }

    /// The kinds of event after which a cached entry may be stale (what [`Lookup::on_event`] acts on).
    pub const STALE_AFTER: &'static [DomainEventKind] =
        &[DomainEventKind::UnitRenamed, DomainEventKind::CategoryUpdated, DomainEventKind::CalendarUpdated];

    /// Drops what a change made stale: called after a commit on this replica, and by the log's follower for the
    /// changes of every replica.
    pub fn on_event(&self, kind: DomainEventKind, subject: Uuid) {
        match kind {
            DomainEventKind::UnitRenamed => self.compounds.invalidate(&subject),
            DomainEventKind::CategoryUpdated => self.categories.invalidate(&()),
            DomainEventKind::CalendarUpdated => self.calendars.invalidate(&subject),
            // Nothing else changes what these caches hold.
            _ => {}
        }
    }

    /// Forgets the cached categories (the next read goes to the database).
    pub fn forget_categories(&self) {
        self.categories.invalidate(&());
    }

    /// All categories in display order.
    pub async fn categories(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Vec<category::Model>>> {
        if let Some(list) = self.categories.get(&()) {
            return Ok(list);
        }
        let list = Arc::new(category::Entity::find().order_by_asc(category::Column::SortOrder).all(db).await?);
        self.categories.insert((), list.clone());
        Ok(list)
    }

    /// The compounds with these ids (those that exist, in no particular order): from memory, the others in one
    /// statement.
    pub async fn compounds(&self, db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<compound::Model>> {
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match self.compounds.get(id) {
                Some(c) => found.push(c),
                None => missing.push(*id),
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        for c in compound::Entity::find().filter(compound::Column::Id.is_in(missing)).all(db).await? {
            self.compounds.insert(c.id, c.clone());
            found.push(c);
        }
        Ok(found)
    }

    /// The street and district above a community (each parent link read once, then from memory).
    pub async fn street_and_district(&self, db: &impl ConnectionTrait, c: Uuid) -> AppResult<Option<(Uuid, Uuid)>> {
        let Some(s) = parent::<community::Entity>(&self.community_street, db, c, |r| r.street_id).await? else { return Ok(None) };
        let Some(d) = parent::<street::Entity>(&self.street_district, db, s, |r| r.district_id).await? else { return Ok(None) };
        Ok(Some((s, d)))
    }

    /// A district's work calendar: its hours and special days, or the office default when it has none.
    pub async fn calendar(&self, db: &impl ConnectionTrait, district: Uuid) -> AppResult<Arc<crate::service::sla::calendar::Calendar>> {
        if let Some(c) = self.calendars.get(&district) {
            return Ok(c);
        }
        let hours = work_calendar::Entity::find().filter(work_calendar::Column::DistrictId.eq(district)).one(db).await?;
        let days = calendar_day::Entity::find().filter(calendar_day::Column::DistrictId.eq(district)).all(db).await?;
        let cal = Arc::new(crate::service::sla::calendar_of(hours.as_ref(), &days));
        self.calendars.insert(district, cal.clone());
        Ok(cal)
    }

    /// The compound a building stands in.
    pub async fn compound_of_building(&self, db: &DatabaseConnection, b: Uuid) -> AppResult<Option<Uuid>> {
        parent::<building::Entity>(&self.building_compound, db, b, |r| r.compound_id).await
    }

    /// The community of a compound.
    pub async fn community_of_compound(&self, db: &DatabaseConnection, c: Uuid) -> AppResult<Option<Uuid>> {
        parent::<compound::Entity>(&self.compound_community, db, c, |r| r.community_id).await
    }

    /// The group and area above a neighbourhood (one statement on a miss).
    pub async fn grid_of_neighbourhood(&self, db: &DatabaseConnection, n: Uuid) -> AppResult<Option<(Uuid, Uuid)>> {
        if let Some(x) = self.neighbourhood_grid.get(&n) {
            return Ok(Some(x));
        }
        let Some(nb) = neighbourhood::Entity::find_by_id(n).one(db).await? else { return Ok(None) };
        let g = grid_group::Entity::find().filter(grid_group::Column::Id.eq(nb.group_id)).one(db).await?;
        let Some(g) = g else { return Ok(None) };
        self.neighbourhood_grid.insert(n, (g.id, g.area_id));
        Ok(Some((g.id, g.area_id)))
    }
}

/// A unit's parent (which never changes): from `cache`, else from its row.
async fn parent<E>(cache: &Cache<Uuid, Uuid>, db: &impl ConnectionTrait, id: Uuid, of: fn(&E::Model) -> Uuid) -> AppResult<Option<Uuid>>
where
    E: EntityTrait,
    E::PrimaryKey: sea_orm::PrimaryKeyTrait<ValueType = Uuid>,
{
    if let Some(p) = cache.get(&id) {
        return Ok(Some(p));
    }
    let Some(row) = E::find_by_id(id).one(db).await? else { return Ok(None) };
    cache.insert(id, of(&row));
    Ok(Some(of(&row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cache_evicts_some_entries_instead_of_forgetting_all() {
        let l = Lookup::with_capacity(100);
        let keys: Vec<Uuid> = (0..1000).map(|_| Uuid::now_v7()).collect();
        for k in &keys {
            l.building_compound.insert(*k, *k);
        }
        l.building_compound.run_pending_tasks();
        let kept = keys.iter().filter(|k| l.building_compound.get(*k).is_some()).count();
        assert!(kept > 0 && kept <= 100, "bounded and not emptied: {kept} kept");
    }

    #[test]
    fn a_rename_or_a_category_edit_drops_the_cached_copy() {
        let l = Lookup::with_capacity(100);
        let id = Uuid::now_v7();
        let c = compound::Model { id, created_at: chrono::Utc::now(), name: "旧名".into(), address: "-".into(), community_id: id };
        l.compounds.insert(id, c);
        l.categories.insert((), Arc::new(Vec::new()));
        l.on_event(DomainEventKind::ReportActed, id);
        assert!(l.compounds.get(&id).is_some());
        l.on_event(DomainEventKind::UnitRenamed, id);
        assert!(l.compounds.get(&id).is_none());
        l.on_event(DomainEventKind::CategoryUpdated, Uuid::now_v7());
        assert!(l.categories.get(&()).is_none());
    }
}
