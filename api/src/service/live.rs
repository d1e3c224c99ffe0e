//! Live updates: the durable event log, followed by every replica and fanned out to its subscriptions.
//!
//! **The log is the truth, the broadcast a shortcut.** Each replica runs one follower ([`spawn_follower`]) that
//! reads the numbered entries after its cursor (woken by the sequencer of this process, by `NOTIFY linli_events`
//! from another replica's, or by a tick), loads in two statements per batch the reports and notifications the
//! entries are about, and broadcasts them in order. A subscription ([`events`]) first reads the log itself from
//! the position the client gave (`after`), then takes the broadcast, skipping what it has already delivered; when
//! it falls behind the broadcast (a slow client), it reads the log again from its own position. So a client that
//! reconnects to any replica with the last position it saw gets what it missed, in order, and nothing twice.
//!
//! What a subscriber may see is decided per event, by the same service-level view as every read
//! ([`ReportView`](crate::service::report::view::ReportView)): the subscription's scope is only a cheap filter in
//! front of it.
use std::sync::Arc;
use std::collections::HashMap;

use entity::{domain_event, enums::DomainEventKind, notification, report};
use futures::Stream;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::error::AppResult;
use crate::state::AppState;

/// The least time between two passes of the live follower: shorter than the durable consumers' (50 ms), since a
/// person is watching; a pass under a stream of writes still carries what several sequencer runs numbered (the
/// fan-out benchmark, bench/fanout/, measures commit to client).
const LIVE_COALESCE: std::time::Duration = std::time::Duration::from_millis(10);

/// How many events the broadcast holds for a slow subscriber before it must read the log instead.
const CAPACITY: usize = 4096;
/// How many entries the follower and a catching-up subscription read at once.
const BATCH: u64 = 500;

/// One numbered event with what subscriptions need to decide about it.
#[derive(Debug)]
pub struct LiveEvent {
    /// Its position in the log (what a client passes back as `after`).
    pub seq: i64,
    /// What happened.
    pub kind: DomainEventKind,
    /// What it is about.
    pub subject: Uuid,
    /// The report it is about (as it is now), if it is about one.
    pub report: Option<Arc<report::Model>>,
    /// The notifications the change wrote.
    pub notifications: Vec<Arc<notification::Model>>,
}

/// The replica's fan-out.
pub struct Live {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    /// Open subscriptions per user on this replica (the per-user limit).
    per_user: std::sync::Mutex<HashMap<Uuid, usize>>,
}

impl Default for Live {
    fn default() -> Self {
        Live { tx: broadcast::channel(CAPACITY).0, per_user: Default::default() }
    }
}

impl Live {
    /// Counts a subscription of `user` against `max`; None when the user has `max` open already. The slot is given
    /// back when the returned guard is dropped.
    pub fn admit(self: &Arc<Self>, user: Uuid, max: usize) -> Option<Slot> {
        let mut m = self.per_user.lock().unwrap_or_else(|e| e.into_inner());
        let n = m.entry(user).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot { live: self.clone(), user })
    }
}

/// One subscription's place in the per-user count.
pub struct Slot {
    live: Arc<Live>,
    user: Uuid,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut m = self.live.per_user.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.user);
            }
        }
    }
}

/// The entries after `after` (at most [`BATCH`]) with their reports and notifications.
pub async fn load_after(db: &DatabaseConnection, after: i64) -> AppResult<Vec<LiveEvent>> {
    let entries = crate::service::events::log::read_after(db, after, BATCH).await?;
    load(db, entries).await
}

async fn load(db: &DatabaseConnection, entries: Vec<domain_event::Model>) -> AppResult<Vec<LiveEvent>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut subjects: Vec<Uuid> = entries.iter().map(|e| e.subject_id).collect();
    subjects.sort_unstable();
    subjects.dedup();
    let reports: HashMap<Uuid, Arc<report::Model>> = {
        let q = report::Entity::find().filter(report::Column::Id.is_in(subjects.clone()));
        let rows = crate::service::rows::raw(db, &q).await?;
        crate::service::rows::one::<report::Model>(&rows)?.into_iter().map(|r| (r.id, Arc::new(r))).collect()
    };
    // A change's notifications carry its time and its report: exactly the rows the change wrote about that report.
    let mut notes: HashMap<(Uuid, chrono::DateTime<chrono::Utc>), Vec<Arc<notification::Model>>> = HashMap::new();
    if !reports.is_empty() {
        let ids: Vec<Uuid> = reports.keys().copied().collect();
        let oldest = entries.iter().map(|e| e.occurred_at).min().expect("not empty");
        for n in notification::Entity::find()
            .filter(notification::Column::ReportId.is_in(ids))
            .filter(notification::Column::CreatedAt.gte(oldest))
            .all(db)
            .await?
        {
            if let Some(r) = n.report_id {
                notes.entry((r, n.created_at)).or_default().push(Arc::new(n));
            }
        }
    }
    let mut seen_notes = std::collections::HashSet::new();
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let seq = e.seq?;
            let report = reports.get(&e.subject_id).cloned();
            // Two events of one change about one report share its notifications: the first carries them.
            let notifications = notes
                .get(&(e.subject_id, e.occurred_at))
                .map(|v| v.iter().filter(|n| seen_notes.insert(n.id)).cloned().collect())
                .unwrap_or_default();
            Some(LiveEvent { seq, kind: e.kind, subject: e.subject_id, report, notifications })
        })
        .collect())
}

/// Every replica: follows the log from `from` (the newest position at start-up) and broadcasts each entry.
pub fn spawn_follower(state: AppState, from: i64, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rx = state.events.subscribe();
        let mut cursor = from;
        loop {
            // Nobody subscribed on this replica: follow the log's number only, without loading its reports (a write
            // paid for that: bench/RESULTS.md, round 12). A subscription reads the log itself from where it starts,
            // and reads it again when what is broadcast skips a number.
            while state.live.tx.receiver_count() == 0 {
                match crate::service::events::log::newest(&state.log_db).await {
                    Ok(n) => cursor = cursor.max(n),
                    Err(e) => tracing::warn!(error = ?e, "live follower failed to read the log's position"),
                }
                if !crate::service::events::follow::wait_for_log(&mut rx, &stop, LIVE_COALESCE).await {
                    return;
                }
            }
            loop {
                match load_after(&state.log_db, cursor).await {
                    Ok(batch) => {
                        let full = batch.len() as u64 >= BATCH;
                        for ev in batch {
                            cursor = ev.seq;
                            // No receiver is not an error: nobody is subscribed on this replica.
                            let _ = state.live.tx.send(Arc::new(ev));
                        }
                        if !full {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = ?e, "live follower failed to read the log");
                        break;
                    }
                }
            }
            if !crate::service::events::follow::wait_for_log(&mut rx, &stop, LIVE_COALESCE).await {
                return;
            }
        }
    })
}

/// The events after `after` (or, without it, from now on), in order, each once: the log read first, then the
/// broadcast; the log again whenever the broadcast went on without this subscriber.
pub fn events(state: AppState, after: Option<i64>) -> impl Stream<Item = Arc<LiveEvent>> + Send + 'static {
    // Subscribed before the log is read, so that nothing broadcast after the read is lost.
    let rx = state.live.tx.subscribe();
    let pending: std::collections::VecDeque<Arc<LiveEvent>> = Default::default();
    futures::stream::unfold((state, rx, after, pending, true), |(state, mut rx, cursor, mut pending, mut from_log)| async move {
        // Without `after`: from the newest numbered entry now (the follower's broadcast may be a moment behind it).
        // Subscriptions read with the request pool: the log's own small pool is the sequencer's and the followers'.
        let mut cursor = match cursor {
            Some(c) => c,
            None => loop {
                match crate::service::events::log::newest(&state.db).await {
                    Ok(n) => break n,
                    Err(e) => {
                        tracing::warn!(error = ?e, "a subscription could not read the log's position; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    }
                }
            },
        };
        loop {
            if let Some(ev) = pending.pop_front() {
                if ev.seq > cursor {
                    cursor = ev.seq;
                    return Some((ev, (state, rx, Some(cursor), pending, from_log)));
                }
                continue;
            }
            if from_log {
                match load_after(&state.db, cursor).await {
                    Ok(batch) if !batch.is_empty() => {
                        pending.extend(batch.into_iter().map(Arc::new));
                        continue;
                    }
                    Ok(_) => from_log = false,
                    Err(e) => {
                        tracing::warn!(error = ?e, "a subscription failed to read the log; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        continue;
                    }
                }
            }
            match rx.recv().await {
                // A number skipped (the follower passed entries while nobody here was subscribed): the log has them,
                // this one included.
                Ok(ev) if ev.seq > cursor + 1 => from_log = true,
                Ok(ev) => pending.push_back(ev),
                Err(broadcast::error::RecvError::Lagged(_)) => from_log = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

/// What a subscription follows, decided (and authorized) when it starts. [`Watch::concerns`] is a cheap filter in
/// front of the view: every event it lets through is still shown only as [`visible`] allows.
#[derive(Clone, Debug)]
pub enum Watch {
    /// One report (`reportUpdated`).
    Report(Uuid),
    /// The reports a resident submitted (`myReportsChanged`).
    Mine(Uuid),
    /// A head's or admin's inbox (`taskInboxChanged`): the units it covers and its filters.
    Inbox {
        /// The report columns and the ids whose reports are in the inbox.
        units: Vec<(Unit, Uuid)>,
        /// The filters of `taskInbox` (status: whether a report is in the list now, not whether it is sent).
        filter: crate::service::report::query::Filter,
    },
    /// A company's queue (`ticketQueueChanged`).
    Queue {
        /// The caller's companies.
        companies: Vec<Uuid>,
        /// The filters of `ticketQueue`.
        filter: crate::service::report::query::Filter,
    },
}

/// Which column of a report places it in an inbox's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// `neighbourhood_id`
    Neighbourhood,
    /// `group_id`
    Group,
    /// `area_id`
    Area,
    /// `community_id`
    Community,
}

impl Watch {
    /// `reportUpdated(id)`: the report must be visible to the caller now (else NOT_FOUND).
    pub async fn report(state: &AppState, actor: &crate::auth::Actor, id: Uuid) -> AppResult<Watch> {
        crate::service::report::query::one(state, actor, id).await?;
        Ok(Watch::Report(id))
    }

    /// `myReportsChanged`.
    pub fn mine(actor: &crate::auth::Actor) -> AppResult<Watch> {
        Ok(Watch::Mine(actor.user_id()?))
    }

    /// `taskInboxChanged`: the same units as `taskInbox`, the same refusal for someone without an inbox.
    pub async fn inbox(state: &AppState, actor: &crate::auth::Actor, filter: crate::service::report::query::Filter) -> AppResult<Watch> {
        use crate::auth::Role;
        let roles = actor.roles(state).await?;
        let mut units = Vec::new();
        for (role, unit) in [
            (Role::NeighbourHead, Unit::Neighbourhood),
            (Role::GroupHead, Unit::Group),
            (Role::AreaHead, Unit::Area),
            (Role::CommunityAdmin, Unit::Community),
        ] {
            units.extend(roles.scopes(role).map(|id| (unit, id)));
        }
        let streets: Vec<Uuid> = roles.scopes(Role::StreetAdmin).collect();
        if !streets.is_empty() {
            let communities = crate::service::report::scope::communities_of_streets(state, &streets).await?;
            units.extend(communities.into_iter().map(|c| (Unit::Community, c)));
        }
        if units.is_empty() {
            return Err(crate::error::AppError::denied(crate::error::Denied::NotAHeadOrAdmin));
        }
        Ok(Watch::Inbox { units, filter })
    }

    /// `ticketQueueChanged`: property staff only.
    pub async fn queue(state: &AppState, actor: &crate::auth::Actor, filter: crate::service::report::query::Filter) -> AppResult<Watch> {
        let roles = actor.roles(state).await?;
        let companies: Vec<Uuid> = roles.scopes(crate::auth::Role::PropertyStaff).collect();
        if companies.is_empty() {
            return Err(crate::error::AppError::denied(crate::error::Denied::NotPropertyStaff));
        }
        Ok(Watch::Queue { companies, filter })
    }

    /// Whether the event may matter to this subscription (before the view decides what the caller sees of it).
    pub fn concerns(&self, ev: &LiveEvent) -> bool {
        let Some(r) = ev.report.as_deref() else { return false };
        match self {
            Watch::Report(id) => r.id == *id,
            Watch::Mine(user) => r.reporter_id == *user,
            Watch::Inbox { units, .. } => {
                units.iter().any(|(unit, id)| {
                    let col = match unit {
                        Unit::Neighbourhood => r.neighbourhood_id,
                        Unit::Group => r.group_id,
                        Unit::Area => r.area_id,
                        Unit::Community => Some(r.community_id),
                    };
                    col == Some(*id)
                })
            }
            Watch::Queue { companies, .. } => r.company_id.is_some_and(|c| companies.contains(&c)),
        }
    }

    /// For an inbox or a queue: whether the report belongs in the list now (its status is one the list shows and
    /// it passes the list's other filters at `now`), so that a client can add it or take it out: a report of the
    /// inbox's units is sent whether or not it passes, so that one which stops passing (it escalated, a resident
    /// supported it) is taken out. None for the other subscriptions.
    pub fn in_list(&self, r: &report::Model, now: chrono::DateTime<chrono::Utc>) -> Option<bool> {
        use crate::service::report::query::{NEEDS_COMPANY, NEEDS_HEAD};
        let (filter, default): (&crate::service::report::query::Filter, &[entity::enums::ReportStatus]) = match self {
            Watch::Inbox { filter, .. } => (filter, &NEEDS_HEAD),
            Watch::Queue { filter, .. } => (filter, &NEEDS_COMPANY),
            _ => return None,
        };
        let status = match filter.status {
            Some(s) => r.status == s,
            None => default.contains(&r.status),
        };
        Some(status && filter.matches(r, now))
    }
}

/// The report as `auth`'s user may see it now, or None when they may not (a revoked head stops seeing pushes as
/// soon as their roles are read again). A fresh actor per event: roles come from the role cache, which an
/// appointment or a revocation invalidates on every replica.
pub async fn visible(
    state: &AppState,
    auth: &crate::auth::actor::AuthState,
    r: Arc<report::Model>,
) -> AppResult<Option<crate::service::report::view::ReportView>> {
    let actor = crate::auth::Actor::new(auth.clone());
    let view = crate::service::report::view::ReportView::of(state, &actor, r).await?;
    Ok(view.standing.can_view.then_some(view))
}
