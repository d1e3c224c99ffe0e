//! The audit log of admin actions (`audit_log`, migration 000017; issue 15): who did what, in which office, over
//! which unit, to which object, with the object before and after, the reason and the request id.
//!
//! One place writes it: [`on_event`], an in-transaction subscriber of [`Change::emit`], maps the admin events to
//! rows; what it needs beyond the event (the office, the scope, before and after) the service that proved the
//! office says in the event's [`Acted`]. A change that is no domain event (an export) records itself with
//! [`record`]. Either way the row is written in the change's transaction: no action without its row, no row
//! without its action.
//!
//! The rows form one hash chain: each row's `hash` is SHA-256 over the previous row's hash and the row's own fields
//! ([`hash_of`]). Appends are serialized by locking the one-row `audit_head` (`FOR UPDATE` on PostgreSQL, so
//! every replica appends to the same chain; SQLite has one writer), which also holds the newest position and hash,
//! so that [`verify`] finds rows changed, removed or cut from the end. Only admin actions take that lock, and
//! only at the end of their transaction; the hot paths (submitting, acknowledging) never do.
use chrono::{DateTime, Utc};
use entity::audit_log;
use entity::enums::{ActorRole, AuditAction, AuditScope, Role};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::events::{Change, Cx, DomainEvent};
use super::page::{Page, PageArgs};
use super::places::{self, Place};
use super::{authz, report::machine::Party};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The unit an action is over, with its district, street and community (itself when it is one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// What kind of unit.
    pub kind: AuditScope,
    /// Its id.
    pub id: Uuid,
    /// Its district.
    pub district: Uuid,
    /// Its street, at or below one.
    pub street: Option<Uuid>,
    /// Its community, at or below one.
    pub community: Option<Uuid>,
}

impl Scope {
    /// The scope of the unit of `kind` with id `id` at `place` (as [`places::of`] found it). A building's actions
    /// are over its compound; a merchant's over the place it was registered for.
    pub fn of(kind: Kind, id: Uuid, place: &Place) -> Scope {
        let at = |kind, id| Scope { kind, id, district: place.district, street: place.street, community: place.community };
        match kind {
            Kind::District => at(AuditScope::District, id),
            Kind::Street => at(AuditScope::Street, id),
            Kind::Community => at(AuditScope::Community, id),
            Kind::Compound => at(AuditScope::Compound, id),
            Kind::Building => at(AuditScope::Compound, place.compound.unwrap_or(id)),
            Kind::Area => at(AuditScope::Area, id),
            Kind::Group => at(AuditScope::Group, id),
            Kind::Neighbourhood => at(AuditScope::Neighbourhood, id),
            Kind::PropertyCompany => at(AuditScope::Company, id),
            _ => Scope::lowest(place),
        }
    }

    /// The lowest org unit of `place`: its community, else its street, else its district.
    pub fn lowest(place: &Place) -> Scope {
        let (kind, id) = match (place.community, place.street) {
            (Some(c), _) => (AuditScope::Community, c),
            (None, Some(s)) => (AuditScope::Street, s),
            (None, None) => (AuditScope::District, place.district),
        };
        Scope { kind, id, district: place.district, street: place.street, community: place.community }
    }
}

/// What the audit log records of an admin event beyond the event itself: in which office the actor acted, over
/// which unit, and the object before and after. Said by the service that made the change, which has just proved
/// the office with a named check of `authz`; never in the event log's payload (before and after may hold names).
#[derive(Clone, Debug)]
pub struct Acted {
    /// The office (none: the system, e.g. `linli bootstrap`).
    pub role: Option<Role>,
    /// The unit the action is over.
    pub scope: Scope,
    /// The object before (none: it did not exist).
    pub before: Option<Value>,
    /// The object after.
    pub after: Option<Value>,
    /// The reason given.
    pub reason: Option<String>,
}

impl Acted {
    /// An action in office `role` over `scope`.
    pub fn new(role: Option<Role>, scope: Scope) -> Acted {
        Acted { role, scope, before: None, after: None, reason: None }
    }

    /// With the object before.
    pub fn before(mut self, v: Value) -> Acted {
        self.before = Some(v);
        self
    }

    /// With the object after.
    pub fn after(mut self, v: Value) -> Acted {
        self.after = Some(v);
        self
    }

    /// With the reason given.
    pub fn reason(mut self, r: Option<String>) -> Acted {
        self.reason = r;
        self
    }
}

/// One row to append: the action and its object, with the [`Acted`] that says who and where.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    /// What was done.
    pub action: AuditAction,
    /// The kind of object acted on.
    pub object_kind: Kind,
    /// Its id.
    pub object_id: Uuid,
    /// Who, where, before and after, why.
    pub acted: Acted,
}

/// Records `entry` in `change`'s transaction, by the change's actor at the change's time, with the request's id:
/// for an admin action that is not a domain event (an export). Everything the domain events say is recorded by
/// [`on_event`]; do not record those twice. The row is appended to the chain under its lock, so call this at the
/// end of the change, just before committing.
pub async fn record(change: &Change<'_>, entry: AuditEntry) -> AppResult<()> {
    append(&change.cx(), entry).await
}

/// The subscriber: the audit row of an admin event, if it is one.
pub async fn on_event(cx: &Cx<'_>, e: &DomainEvent) -> AppResult<()> {
    if let Some(entry) = entry_of(cx, e).await? {
        append(cx, entry).await?;
    }
    Ok(())
}

/// The row an event asks for (none for what residents, heads, staff and the system do on their own).
async fn entry_of(cx: &Cx<'_>, e: &DomainEvent) -> AppResult<Option<AuditEntry>> {
    use AuditAction as A;
    use DomainEvent as E;
    let entry = |action, object_kind, object_id, acted: &Acted| {
        Some(AuditEntry { action, object_kind, object_id, acted: acted.clone() })
    };
    Ok(match e {
        E::UnitCreated { unit, id, by, .. } => entry(A::UnitCreated, *unit, *id, by),
        E::UnitRenamed { unit, id, by } => entry(A::UnitRenamed, *unit, *id, by),
        E::NeighbourhoodUnitsSet { neighbourhood, by } => entry(A::NeighbourhoodUnitsSet, Kind::Neighbourhood, *neighbourhood, by),
        E::CategoryUpdated { category, by } => entry(A::CategoryUpdated, Kind::Category, *category, by),
        E::CalendarUpdated { district, by } => entry(A::CalendarUpdated, Kind::District, *district, by),
        E::AppointmentMade(a) => entry(A::AppointmentMade, Kind::Appointment, a.appointment, &a.by),
        E::AppointmentRevoked(a) => entry(A::AppointmentRevoked, Kind::Appointment, a.appointment, &a.by),
        E::ResidenceReviewed { residence, status, by, .. } => {
            let action = if *status == entity::enums::ResidenceStatus::Verified { A::ResidenceVerified } else { A::ResidenceRejected };
            entry(action, Kind::Residence, *residence, by)
        }
        E::CompanyRegistered { company, by, .. } => entry(A::CompanyRegistered, Kind::PropertyCompany, *company, by),
        E::ManagementAssigned { management, by, .. } => entry(A::ManagementAssigned, Kind::CompoundManagement, *management, by),
        E::MerchantRegistered { merchant, by } => entry(A::MerchantRegistered, Kind::Merchant, *merchant, by),
        E::ApiKeyCreated { key, by } => entry(A::ApiKeyCreated, Kind::ApiKey, *key, by),
        E::ApiKeyRevoked { key, by } => entry(A::ApiKeyRevoked, Kind::ApiKey, *key, by),
        E::PackageCreated { package, by } => entry(A::PackageCreated, Kind::Package, *package, by),
        E::PackageStatusChanged { package, by, .. } => entry(A::PackageStatusChanged, Kind::Package, *package, by),
        E::RedemptionReleased { redemption, by: Some(by), .. } => entry(A::RedemptionCancelled, Kind::Redemption, *redemption, by),
        E::VotePeriodOpened { period, by } => entry(A::VotePeriodOpened, Kind::VotePeriod, *period, by),
        E::VotePeriodClosed { period, by: Some(by), .. } => entry(A::VotePeriodClosed, Kind::VotePeriod, *period, by),
        E::ContentModerated { id, target, by: Some(by), .. } => {
            let kind = match target {
                entity::enums::ContentTarget::Report => Kind::Report,
                entity::enums::ContentTarget::Comment => Kind::Comment,
                entity::enums::ContentTarget::Event => Kind::ReportEvent,
            };
            entry(A::ContentModerated, kind, *id, by)
        }
        E::ReportsMerged { primary, by: Some(by), .. } => entry(A::ReportsMerged, Kind::Report, primary.id, by),
        // A merge's own step is the REPORTS_MERGED row, which lists the duplicates.
        E::ReportActed(c) if c.party == Party::Admin && c.kind != entity::enums::EventKind::Merged => {
            // A report is over its community, whose street and district never change (the lookup cache holds
            // them); the office is the one the timeline shows.
            let community = c.report.community_id;
            let (street, district) = cx
                .state
                .lookup
                .street_and_district(cx.db, community)
                .await?
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("community {community} without a street")))?;
            let scope = Scope { kind: AuditScope::Community, id: community, district, street: Some(street), community: Some(community) };
            let role = match c.role {
                ActorRole::NeighbourHead => Role::NeighbourHead,
                ActorRole::GroupHead => Role::GroupHead,
                ActorRole::AreaHead => Role::AreaHead,
                ActorRole::PropertyStaff => Role::PropertyStaff,
                ActorRole::CommunityAdmin | ActorRole::Reporter | ActorRole::System => Role::CommunityAdmin,
            };
            let acted = Acted::new(Some(role), scope)
                .before(json!({ "status": c.from }))
                .after(json!({ "status": c.to, "step": c.kind }))
                .reason(c.note.clone());
            entry(A::ReportActed, Kind::Report, c.report.id, &acted)
        }
        E::RedemptionReleased { by: None, .. }
        | E::VotePeriodClosed { by: None, .. }
        | E::ContentModerated { by: None, .. }
        | E::ReportsMerged { by: None, .. }
        | E::ReportActed(_)
        | E::ReportSubmitted(_)
        | E::ReportEscalated(_)
        | E::SlaWarned { .. }
        | E::SlaBreached { .. }
        | E::ReportSupported { .. }
        | E::SupportWithdrawn { .. }
        | E::CommentAdded(_)
        | E::PhotoJudged { .. }
        | E::ResidenceRequested { .. }
        | E::PhoneBound { .. }
        | E::PackageRedeemed { .. }
        | E::RedemptionVerified { .. }
        | E::VoteCast { .. } => None,
    })
}

/// The stored form of a timestamp, as hashed: microseconds (what PostgreSQL keeps), UTC.
fn stamp(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// The hash of a row: SHA-256, in lower-case hex, over a JSON array of `prev_hash` and every other field in a fixed
/// order (ids hyphenated, enums as stored, the time as RFC 3339 with microseconds, before and after as their stored
/// text). A JSON array of strings and nulls has one serialization, so the same row always hashes the same.
pub fn hash_of(r: &audit_log::Model) -> String {
    use sea_orm::ActiveEnum;
    let canonical = json!([
        r.prev_hash,
        r.seq,
        r.id.to_string(),
        stamp(r.at).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        r.actor_id.map(|u| u.to_string()),
        r.actor_role.map(|x| x.to_value()),
        r.scope_kind.to_value(),
        r.scope_id.to_string(),
        r.district_id.to_string(),
        r.street_id.map(|u| u.to_string()),
        r.community_id.map(|u| u.to_string()),
        r.action.to_value(),
        r.object_kind,
        r.object_id.to_string(),
        r.before,
        r.after,
        r.reason,
        r.request_id,
    ]);
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends one row to the chain in the change's transaction: locks the head, links the row to it, moves it.
async fn append(cx: &Cx<'_>, entry: AuditEntry) -> AppResult<()> {
    let backend = cx.db.get_database_backend();
    // On SQLite the change's BEGIN IMMEDIATE already made it the only writer.
    let lock = if backend == DbBackend::Postgres { " FOR UPDATE" } else { "" };
    let head = cx
        .db
        .query_one_raw(Statement::from_string(backend, format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}")))
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("audit_head has no row")))?;
    let (seq, prev_hash): (i64, String) = (head.try_get_by_index(0)?, head.try_get_by_index(1)?);
    let text = |v: &Option<Value>| v.as_ref().map(Value::to_string);
    let a = &entry.acted;
    let mut row = audit_log::Model {
        id: new_id(),
        seq: seq + 1,
        at: stamp(cx.at),
        actor_id: cx.actor,
        actor_role: a.role,
        scope_kind: a.scope.kind,
        scope_id: a.scope.id,
        district_id: a.scope.district,
        street_id: a.scope.street,
        community_id: a.scope.community,
        action: entry.action,
        object_kind: entry.object_kind.name(),
        object_id: entry.object_id,
        before: text(&a.before),
        after: text(&a.after),
        reason: a.reason.clone(),
        request_id: cx.request_id.map(str::to_owned),
        prev_hash,
        hash: String::new(),
    };
    row.hash = hash_of(&row);
    let (new_seq, new_hash) = (row.seq, row.hash.clone());
    let am: audit_log::ActiveModel = row.into();
    audit_log::Entity::insert(am).exec_without_returning(cx.db).await?;
    cx.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            if backend == DbBackend::Postgres {
                "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1"
            } else {
                "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"
            },
            [new_seq.into(), new_hash.into()],
        ))
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Reading.

/// The filters of `auditLog` besides its scope.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Rows by this actor.
    pub actor: Option<Uuid>,
    /// Rows of this action.
    pub action: Option<AuditAction>,
    /// Rows about this object.
    pub object: Option<Uuid>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

/// The cursor of a row: its chain position.
pub fn cursor(seq: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(seq.to_be_bytes())
}

fn decode_cursor(s: &str) -> AppResult<i64> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map(i64::from_be_bytes)
        .ok_or_else(|| AppError::bad_input("after", msg!("分页游标无效", "The `after` cursor is not valid")))
}

/// `auditLog(scopeId, …)`: the admin actions over a unit and everything below it (a street's log holds its
/// communities', compounds' and grid units' rows), or over a property company, newest first; for the admins over
/// that unit (`authz::require_admin_of`) or those who manage the company's staff (`authz::require_company_manager`).
/// One indexed statement per page.
pub async fn query(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    scope: Uuid,
    filter: Filter,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<Page<audit_log::Model>> {
    let args = PageArgs::parse(first, None)?;
    let after = after.map(decode_cursor).transpose()?;
    let in_scope = match kind {
        Kind::PropertyCompany => {
            let place = places::of(&state.db, kind, scope).await?;
            authz::require_company_manager(&state.db, &*actor.roles(state).await?, scope, place.district).await?;
            audit_log::Column::ScopeId.eq(scope)
        }
        Kind::District | Kind::Street | Kind::Community | Kind::Compound | Kind::Area | Kind::Group | Kind::Neighbourhood => {
            authz::require_admin_of(state, actor, kind, scope).await?;
            match kind {
                Kind::District => audit_log::Column::DistrictId.eq(scope),
                Kind::Street => audit_log::Column::StreetId.eq(scope),
                Kind::Community => audit_log::Column::CommunityId.eq(scope),
                _ => audit_log::Column::ScopeId.eq(scope),
            }
        }
        _ => {
            return Err(AppError::bad_input(
                "scopeId",
                msg!("请给出区、街道、社区、小区、网格单元或物业公司", "Give a district, street, community, compound, grid unit or property company"),
            ));
        }
    };
    let mut q = audit_log::Entity::find().filter(in_scope);
    if let Some(a) = filter.actor {
        q = q.filter(audit_log::Column::ActorId.eq(a));
    }
    if let Some(a) = filter.action {
        q = q.filter(audit_log::Column::Action.eq(a));
    }
    if let Some(o) = filter.object {
        q = q.filter(audit_log::Column::ObjectId.eq(o));
    }
    if let Some(f) = filter.from {
        q = q.filter(audit_log::Column::At.gte(f));
    }
    if let Some(t) = filter.to {
        q = q.filter(audit_log::Column::At.lt(t));
    }
    if let Some(s) = after {
        q = q.filter(audit_log::Column::Seq.lt(s));
    }
    let mut items = q.order_by_desc(audit_log::Column::Seq).limit(args.first + 1).all(&state.db).await?;
    let has_next = items.len() as u64 > args.first;
    items.truncate(args.first as usize);
    Ok(Page { items, has_next, has_previous: after.is_some() })
}

// ---------------------------------------------------------------------------------------------------------------
// Verifying.

/// What [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Rows checked.
    pub rows: u64,
    /// The first row that breaks the chain, if one does.
    pub broken: Option<Broken>,
}

/// Where the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// The chain position (of the row, or where a row is missing).
    pub seq: i64,
    /// The row's id, when there is a row.
    pub id: Option<Uuid>,
    /// What is wrong.
    pub why: String,
}

/// `linli audit verify`: walks the chain from the first row, in pages of 1,000, and reports the first row whose
/// position, link or hash is not what the chain says, or a head that does not match the last row (rows cut from
/// the end).
pub async fn verify(db: &DatabaseConnection) -> AppResult<Verified> {
    let (mut expected_seq, mut prev) = (1i64, GENESIS.to_owned());
    let mut rows = 0u64;
    let broken = |rows, seq, id, why: String| Ok(Verified { rows, broken: Some(Broken { seq, id, why }) });
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if page.is_empty() {
            break;
        }
        for r in page {
            if r.seq != expected_seq {
                return broken(rows, expected_seq, None, format!("row {expected_seq} is missing (next is {})", r.seq));
            }
            if r.prev_hash != prev {
                return broken(rows, r.seq, Some(r.id), "its prev_hash is not the previous row's hash".into());
            }
            if hash_of(&r) != r.hash {
                return broken(rows, r.seq, Some(r.id), "its fields do not match its hash (the row was changed)".into());
            }
            prev = r.hash;
            expected_seq += 1;
            rows += 1;
        }
    }
    let head = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT seq, hash FROM audit_head WHERE id = 1"))
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("audit_head has no row")))?;
    let (head_seq, head_hash): (i64, String) = (head.try_get_by_index(0)?, head.try_get_by_index(1)?);
    if head_seq != expected_seq - 1 || head_hash != prev {
        return broken(rows, expected_seq, None, format!("the head says the chain ends at {head_seq}, the rows end at {}", expected_seq - 1));
    }
    Ok(Verified { rows, broken: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> audit_log::Model {
        audit_log::Model {
            id: Uuid::now_v7(),
            seq: 1,
            at: Utc::now(),
            actor_id: Some(Uuid::now_v7()),
            actor_role: Some(Role::DistrictAdmin),
            scope_kind: AuditScope::District,
            scope_id: Uuid::now_v7(),
            district_id: Uuid::now_v7(),
            street_id: None,
            community_id: None,
            action: AuditAction::UnitRenamed,
            object_kind: "STREET".into(),
            object_id: Uuid::now_v7(),
            before: Some(r#"{"name":"a"}"#.into()),
            after: Some(r#"{"name":"b"}"#.into()),
            reason: None,
            request_id: Some("req".into()),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn every_field_is_in_the_hash() {
        let r = row();
        let h = hash_of(&r);
        assert_eq!(h.len(), 64);
        assert_eq!(h, hash_of(&r.clone()), "the same row hashes the same");
        let changed = [
            audit_log::Model { after: Some(r#"{"name":"c"}"#.into()), ..r.clone() },
            audit_log::Model { actor_role: Some(Role::StreetAdmin), ..r.clone() },
            audit_log::Model { prev_hash: "1".repeat(64), ..r.clone() },
            audit_log::Model { seq: 2, ..r.clone() },
            audit_log::Model { request_id: None, ..r.clone() },
        ];
        for c in changed {
            assert_ne!(hash_of(&c), h);
        }
        assert_eq!(hash_of(&audit_log::Model { hash: "x".into(), ..r.clone() }), h, "the hash is not part of itself");
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&cursor(42)).unwrap(), 42);
        assert!(decode_cursor("!!").is_err());
    }
}
