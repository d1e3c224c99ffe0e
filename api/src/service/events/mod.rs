//! Domain events: the one path every change takes.
//!
//! A service makes its change inside a [`Change`] (a write transaction) and says what happened with
//! [`Change::emit`]. The dispatcher then runs, in the same transaction and in this fixed order:
//!
//! 1. **timeline**: a report's own history (`report_event`), `service::report::timeline`;
//! 2. **notifications**: in-app notifications and the subscribe-message outbox, `service::notify`;
//! 3. **points**: what the change earns a head, `service::incentives::points`;
//! 4. **the audit log**: an admin action's row in the hash-chained `audit_log`, `service::audit`;
//! 5. **KPI facts**: the report's `report_fact` row, one UPSERT, `service::kpi::facts`;
//! 6. **the durable log**: the event appended to `domain_event` ([`log`]), last, so that it records only what
//!    every subscriber accepted.
//!
//! (SLA timers are not a subscriber: a status change writes its clocks in its own UPDATE.) A subscriber that fails fails the change: the
//! transaction rolls back and nothing of it is seen. After the commit, [`Change::commit`] runs the effects that
//! belong to this process (the role cache's generation, the local lookup caches) and wakes the sequencer, which
//! numbers the new log entries; every replica's followers ([`follow`]) then read them from the log, in order:
//! cache invalidation on every replica, durable consumers (the event export; next: live updates, webhooks,
//! Open311) from a cursor that survives restarts.
//!
//! Every subscriber matches every event exhaustively: a new event makes the compiler ask each one whether it
//! cares.
pub mod follow;
pub mod log;

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    ActorRole, ContentTarget, DomainEventKind, EventKind, GridLevel, Moderation, SlaStage, PackageStatus, RedemptionStatus, ReportStatus,
    ResidenceStatus, Role,
};
use entity::report;
use sea_orm::DatabaseTransaction;
use serde::{Serialize, Serializer};
use uuid::Uuid;

use crate::error::AppResult;
use crate::ids::Kind;
use crate::service::audit::Acted;
use crate::service::report::machine::Party;
use crate::state::AppState;

pub use log::Hub;

fn id_of_report<S: Serializer>(r: &report::Model, s: S) -> Result<S::Ok, S::Error> {
    r.id.serialize(s)
}

/// A report was submitted or moved on: what the timeline records, with the row as it is after the change.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportChange {
    /// The report after the change (in the log: its id).
    #[serde(rename = "report", serialize_with = "id_of_report")]
    pub report: report::Model,
    /// The timeline entry's id (`report.last_event_id`).
    pub event_id: Uuid,
    /// What happened.
    pub kind: EventKind,
    /// The status before (none for a new report).
    pub from: Option<ReportStatus>,
    /// The status after.
    pub to: ReportStatus,
    /// As whom the actor acted.
    pub party: Party,
    /// The role the timeline shows.
    pub role: ActorRole,
    /// Content safety of the note.
    pub note_moderation: Moderation,
    /// The note or reason given (not in the log: texts stay in their tables).
    #[serde(skip)]
    pub note: Option<String>,
    /// An escalation step: from, to, why, who is told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<crate::service::sla::Step>,
    /// Who holds the level the change leaves the report at, when the emitter has just read them (a submission
    /// reads its levels' holders to pass a vacant one on); none: a subscriber that needs them reads them.
    #[serde(skip)]
    pub holders: Option<Vec<Uuid>>,
}

/// A comment was added to a report.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentAdded {
    /// The report (in the log: its id).
    #[serde(serialize_with = "id_of_report")]
    pub report: report::Model,
    /// The comment.
    pub comment: Uuid,
    /// Who wrote it.
    pub author: Uuid,
    /// In which role.
    pub role: ActorRole,
    /// Content safety of the text.
    pub moderation: Moderation,
    /// The text (not in the log).
    #[serde(skip)]
    pub body: String,
}

/// An appointment was made or revoked.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentChange {
    /// The appointment.
    pub appointment: Uuid,
    /// Its holder.
    pub user: Uuid,
    /// The role.
    pub role: Role,
    /// The unit or company it is over.
    pub scope: Uuid,
    /// Who appointed or revoked, in which office, and the appointment before and after (the audit log's).
    #[serde(skip)]
    pub by: Acted,
}

/// Something that changed, said by the service that changed it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum DomainEvent {
    /// A resident reported a problem.
    ReportSubmitted(ReportChange),
    /// Someone moved a report on.
    ReportActed(ReportChange),
    /// A report went up the grid (or skipped a vacant level).
    ReportEscalated(ReportChange),
    /// A report's holder is warned: its stage will be overdue at `due_at`.
    SlaWarned {
        /// The report (in the log: its id).
        #[serde(serialize_with = "id_of_report")]
        report: report::Model,
        /// The stage.
        stage: SlaStage,
        /// The level holding it.
        level: GridLevel,
        /// When it will be overdue.
        due_at: DateTime<Utc>,
        /// Who is warned.
        holders: Vec<Uuid>,
    },
    /// A stage went past due at the top of its ladder (nowhere left to escalate).
    SlaBreached {
        /// The report.
        report: Uuid,
        /// The stage.
        stage: SlaStage,
        /// The level holding it.
        level: GridLevel,
    },
    /// A resident said "me too".
    ReportSupported {
        /// The report.
        report: Uuid,
        /// Who.
        user: Uuid,
        /// Supporters now.
        count: i32,
    },
    /// A resident took back their "me too".
    SupportWithdrawn {
        /// The report.
        report: Uuid,
        /// Who.
        user: Uuid,
        /// Supporters now.
        count: i32,
    },
    /// Duplicates were merged into a report.
    ReportsMerged {
        /// The primary report (in the log: its id).
        #[serde(serialize_with = "id_of_report")]
        primary: report::Model,
        /// The reports merged into it.
        duplicates: Vec<Uuid>,
        /// Their reporters and supporters, who follow the primary now.
        moved: Vec<Uuid>,
        /// Who did it, in which office, before and after, when an admin did (the audit log's; not in the event log).
        #[serde(skip)]
        by: Option<Acted>,
    },
    /// A district's work calendar was edited.
    CalendarUpdated {
        /// The district.
        district: Uuid,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// A comment was added.
    CommentAdded(CommentAdded),
    /// A text passed or failed moderation (an admin's decision or a late check).
    ContentModerated {
        /// What kind of text.
        target: ContentTarget,
        /// Its row.
        id: Uuid,
        /// The report it belongs to.
        report: Uuid,
        /// The verdict.
        moderation: Moderation,
        /// Who did it, in which office, before and after, when an admin did (the audit log's; not in the event log).
        #[serde(skip)]
        by: Option<Acted>,
    },
    /// WeChat's verdict on a photo arrived.
    PhotoJudged {
        /// The photo.
        photo: Uuid,
        /// Hidden now.
        hidden: bool,
    },
    /// A unit was created.
    UnitCreated {
        /// What kind (a district, street, community, compound, building, area, group or neighbourhood).
        unit: Kind,
        /// Its id.
        id: Uuid,
        /// The unit it was created under (none for a district).
        parent: Option<Uuid>,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// A unit was renamed.
    UnitRenamed {
        /// What kind.
        unit: Kind,
        /// Its id.
        id: Uuid,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// The building units a neighbourhood covers were set.
    NeighbourhoodUnitsSet {
        /// The neighbourhood.
        neighbourhood: Uuid,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// A report category was edited.
    CategoryUpdated {
        /// The category.
        category: Uuid,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// Someone was appointed.
    AppointmentMade(AppointmentChange),
    /// An appointment was revoked.
    AppointmentRevoked(AppointmentChange),
    /// A resident registered a home.
    ResidenceRequested {
        /// The residence.
        residence: Uuid,
        /// Who.
        user: Uuid,
        /// Its community.
        community: Uuid,
    },
    /// A residence was verified or rejected.
    ResidenceReviewed {
        /// The residence.
        residence: Uuid,
        /// Whose.
        user: Uuid,
        /// VERIFIED or REJECTED.
        status: ResidenceStatus,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// A user bound their phone number.
    PhoneBound {
        /// Who.
        user: Uuid,
    },
    /// A property company was registered.
    CompanyRegistered {
        /// The company.
        company: Uuid,
        /// Its district.
        district: Uuid,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// A company took over a compound.
    ManagementAssigned {
        /// The management period.
        management: Uuid,
        /// The company.
        company: Uuid,
        /// The compound.
        compound: Uuid,
        /// From.
        starts_on: NaiveDate,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// An API key was created.
    ApiKeyCreated {
        /// The key.
        key: Uuid,
        /// Who did it (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// An API key was revoked.
    ApiKeyRevoked {
        /// The key.
        key: Uuid,
        /// Who did it (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// A merchant was registered.
    MerchantRegistered {
        /// The merchant.
        merchant: Uuid,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// An incentive package was created.
    PackageCreated {
        /// The package.
        package: Uuid,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// A package was published or ended.
    PackageStatusChanged {
        /// The package.
        package: Uuid,
        /// Before.
        from: PackageStatus,
        /// After.
        to: PackageStatus,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// A head redeemed a package.
    PackageRedeemed {
        /// The redemption.
        redemption: Uuid,
        /// The package.
        package: Uuid,
        /// Who.
        user: Uuid,
        /// Points spent.
        points: i32,
    },
    /// A merchant verified a code.
    RedemptionVerified {
        /// The redemption.
        redemption: Uuid,
        /// The package.
        package: Uuid,
    },
    /// A redemption was cancelled or expired; its points and stock went back.
    RedemptionReleased {
        /// The redemption.
        redemption: Uuid,
        /// The package.
        package: Uuid,
        /// Whose.
        user: Uuid,
        /// CANCELLED or EXPIRED.
        to: RedemptionStatus,
        /// Points given back.
        points: i32,
        /// Who did it, in which office, before and after, when an admin did (the audit log's; not in the event log).
        #[serde(skip)]
        by: Option<Acted>,
    },
    /// A vote was opened.
    VotePeriodOpened {
        /// The period.
        period: Uuid,
        /// Who did it, in which office, before and after (the audit log's; not in the event log).
        #[serde(skip)]
        by: Acted,
    },
    /// A resident voted.
    VoteCast {
        /// The period.
        period: Uuid,
        /// For whom.
        head: Uuid,
    },
    /// A vote closed; its winners.
    VotePeriodClosed {
        /// The period.
        period: Uuid,
        /// The heads who won (ties at the last winning rank all win).
        winners: Vec<Uuid>,
        /// Who did it, in which office, before and after, when an admin did (the audit log's; not in the event log).
        #[serde(skip)]
        by: Option<Acted>,
    },
}

impl DomainEvent {
    /// The report change, for a report submitted or moved on.
    pub fn report_change(&self) -> Option<&ReportChange> {
        match self {
            DomainEvent::ReportSubmitted(c) | DomainEvent::ReportActed(c) | DomainEvent::ReportEscalated(c) => Some(c),
            _ => None,
        }
    }

    /// The kind stored in the log.
    pub fn kind(&self) -> DomainEventKind {
        use DomainEventKind as K;
        match self {
            DomainEvent::ReportSubmitted(_) => K::ReportSubmitted,
            DomainEvent::ReportActed(_) => K::ReportActed,
            DomainEvent::ReportEscalated(_) => K::ReportEscalated,
            DomainEvent::SlaWarned { .. } => K::SlaWarned,
            DomainEvent::SlaBreached { .. } => K::SlaBreached,
            DomainEvent::ReportSupported { .. } => K::ReportSupported,
            DomainEvent::SupportWithdrawn { .. } => K::SupportWithdrawn,
            DomainEvent::ReportsMerged { .. } => K::ReportsMerged,
            DomainEvent::CalendarUpdated { .. } => K::CalendarUpdated,
            DomainEvent::CommentAdded(_) => K::CommentAdded,
            DomainEvent::ContentModerated { .. } => K::ContentModerated,
            DomainEvent::PhotoJudged { .. } => K::PhotoJudged,
            DomainEvent::UnitCreated { .. } => K::UnitCreated,
            DomainEvent::UnitRenamed { .. } => K::UnitRenamed,
            DomainEvent::NeighbourhoodUnitsSet { .. } => K::NeighbourhoodUnitsSet,
            DomainEvent::CategoryUpdated { .. } => K::CategoryUpdated,
            DomainEvent::AppointmentMade(_) => K::AppointmentMade,
            DomainEvent::AppointmentRevoked(_) => K::AppointmentRevoked,
            DomainEvent::ResidenceRequested { .. } => K::ResidenceRequested,
            DomainEvent::ResidenceReviewed { .. } => K::ResidenceReviewed,
            DomainEvent::PhoneBound { .. } => K::PhoneBound,
            DomainEvent::CompanyRegistered { .. } => K::CompanyRegistered,
            DomainEvent::ManagementAssigned { .. } => K::ManagementAssigned,
            DomainEvent::MerchantRegistered { .. } => K::MerchantRegistered,
            DomainEvent::ApiKeyCreated { .. } => K::ApiKeyCreated,
            DomainEvent::ApiKeyRevoked { .. } => K::ApiKeyRevoked,
            DomainEvent::PackageCreated { .. } => K::PackageCreated,
            DomainEvent::PackageStatusChanged { .. } => K::PackageStatusChanged,
            DomainEvent::PackageRedeemed { .. } => K::PackageRedeemed,
            DomainEvent::RedemptionVerified { .. } => K::RedemptionVerified,
            DomainEvent::RedemptionReleased { .. } => K::RedemptionReleased,
            DomainEvent::VotePeriodOpened { .. } => K::VotePeriodOpened,
            DomainEvent::VoteCast { .. } => K::VoteCast,
            DomainEvent::VotePeriodClosed { .. } => K::VotePeriodClosed,
        }
    }

    /// The object the event is about (the log's `subject_id`).
    pub fn subject(&self) -> Uuid {
        match self {
            DomainEvent::ReportSubmitted(c) | DomainEvent::ReportActed(c) | DomainEvent::ReportEscalated(c) => c.report.id,
            DomainEvent::SlaWarned { report, .. } => report.id,
            DomainEvent::SlaBreached { report, .. }
            | DomainEvent::ReportSupported { report, .. }
            | DomainEvent::SupportWithdrawn { report, .. } => *report,
            DomainEvent::ReportsMerged { primary, .. } => primary.id,
            DomainEvent::CalendarUpdated { district, .. } => *district,
            DomainEvent::CommentAdded(c) => c.report.id,
            DomainEvent::ContentModerated { report, .. } => *report,
            DomainEvent::PhotoJudged { photo, .. } => *photo,
            DomainEvent::UnitCreated { id, .. } | DomainEvent::UnitRenamed { id, .. } => *id,
            DomainEvent::NeighbourhoodUnitsSet { neighbourhood, .. } => *neighbourhood,
            DomainEvent::CategoryUpdated { category, .. } => *category,
            DomainEvent::AppointmentMade(a) | DomainEvent::AppointmentRevoked(a) => a.appointment,
            DomainEvent::ResidenceRequested { residence, .. } | DomainEvent::ResidenceReviewed { residence, .. } => *residence,
            DomainEvent::PhoneBound { user } => *user,
            DomainEvent::CompanyRegistered { company, .. } => *company,
            DomainEvent::ManagementAssigned { compound, .. } => *compound,
            DomainEvent::MerchantRegistered { merchant, .. } => *merchant,
            DomainEvent::ApiKeyCreated { key, .. } | DomainEvent::ApiKeyRevoked { key, .. } => *key,
            DomainEvent::PackageCreated { package, .. } | DomainEvent::PackageStatusChanged { package, .. } => *package,
            DomainEvent::PackageRedeemed { redemption, .. }
            | DomainEvent::RedemptionVerified { redemption, .. }
            | DomainEvent::RedemptionReleased { redemption, .. } => *redemption,
            DomainEvent::VotePeriodOpened { period, .. } | DomainEvent::VoteCast { period, .. } | DomainEvent::VotePeriodClosed { period, .. } => *period,
        }
    }
}

/// What an in-transaction subscriber is given besides the event.
pub struct Cx<'c> {
    /// Application state (configuration, caches).
    pub state: &'c AppState,
    /// The change's transaction: every statement of a subscriber goes through it, never through the pool (a
    /// transaction waiting for a second connection while it holds one deadlocks the pool under load).
    pub db: &'c DatabaseTransaction,
    /// Who made the change (none: the system).
    pub actor: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
    /// The id of the request that made the change (none outside a request: jobs, the command line).
    pub request_id: Option<&'c str>,
}

tokio::task_local! {
    /// The id of the request being served (`x-request-id`), set around each request by the HTTP layer
    /// (`http.rs`), so that a change made while serving it knows it without every service passing it down.
    pub static REQUEST_ID: String;
}

/// A change in progress: a write transaction and the events said so far. Dropped without [`Change::commit`], it
/// rolls back and nothing of it (nor of its subscribers) is written.
pub struct Change<'s> {
    state: &'s AppState,
    txn: crate::db::WriteTxn,
    actor: Option<Uuid>,
    at: DateTime<Utc>,
    request_id: Option<String>,
    emitted: Vec<DomainEvent>,
}

impl<'s> Change<'s> {
    /// Begins a change by `actor` (none: the system) at this moment.
    pub async fn begin(state: &'s AppState, actor: Option<Uuid>) -> AppResult<Change<'s>> {
        Change::begin_at(state, actor, Utc::now()).await
    }

    /// Begins a change by `actor` at `at` (the time its rows and events carry).
    pub async fn begin_at(state: &'s AppState, actor: Option<Uuid>, at: DateTime<Utc>) -> AppResult<Change<'s>> {
        let txn = crate::db::begin_write(&state.db).await?;
        let request_id = REQUEST_ID.try_with(Clone::clone).ok();
        Ok(Change { state, txn, actor, at, request_id, emitted: Vec::new() })
    }

    /// The transaction the change's own statements go through.
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// When the change happens.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// What a subscriber is given: the change's state, transaction, actor, time and request id.
    pub fn cx(&self) -> Cx<'_> {
        Cx { state: self.state, db: &self.txn, actor: self.actor, at: self.at, request_id: self.request_id.as_deref() }
    }

    /// Says what happened: runs the in-transaction subscribers in their order, then appends the event to the log.
    pub async fn emit(&mut self, event: DomainEvent) -> AppResult<()> {
        let cx = self.cx();
        crate::service::report::timeline::on_event(&cx, &event).await?;
        crate::service::notify::on_event(&cx, &event).await?;
        crate::service::incentives::points::on_event(&cx, &event).await?;
        crate::service::audit::on_event(&cx, &event).await?;
        crate::service::kpi::facts::on_event(&cx, &event).await?;
        log::append(&cx, &event).await?;
        self.emitted.push(event);
        Ok(())
    }

    /// Commits, then runs this process's after-commit effects and wakes the sequencer.
    pub async fn commit(self) -> AppResult<()> {
        let Change { state, txn, emitted, .. } = self;
        txn.commit().await?;
        for e in &emitted {
            after_commit(state, e).await;
        }
        if !emitted.is_empty() {
            state.events.wake_sequencer();
        }
        Ok(())
    }
}

/// One change that inserts a new row and says so: `am` inserted (a unique violation turned into a field error by
/// `on_conflict`), then `event(&row)` emitted, then committed. The shape of every "create" or "register" that has
/// nothing else to check inside its transaction.
pub async fn insert_new<A>(
    state: &AppState,
    actor: Option<Uuid>,
    am: A,
    on_conflict: impl FnOnce(sea_orm::DbErr) -> crate::error::AppError,
    event: impl FnOnce(&<A::Entity as sea_orm::EntityTrait>::Model) -> DomainEvent,
) -> AppResult<<A::Entity as sea_orm::EntityTrait>::Model>
where
    A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as sea_orm::EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    let mut change = Change::begin(state, actor).await?;
    let row = am.insert(change.db()).await.map_err(on_conflict)?;
    change.emit(event(&row)).await?;
    change.commit().await?;
    Ok(row)
}

/// What this process does once a change has committed (a failure here is logged, the change stands): the role
/// cache's generation is shared by every replica (Redis), the lookup caches are this replica's own (the others
/// drop theirs when they read the event from the log).
async fn after_commit(state: &AppState, e: &DomainEvent) {
    match e {
        DomainEvent::AppointmentMade(a) | DomainEvent::AppointmentRevoked(a) => {
            crate::service::roles::invalidate(state, a.user).await;
        }
        other => state.lookup.on_event(other.kind(), other.subject()),
    }
}
