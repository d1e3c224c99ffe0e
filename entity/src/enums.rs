//! Every status, kind and role the database stores, as Rust enums. Each is stored as its SCREAMING_SNAKE_CASE
//! name in a text column (the values the migrations always used), written and read through SeaORM's
//! `ActiveEnum`: reading a value that is not one of the variants is an error, never a silent default. Where an
//! enum is also part of the GraphQL contract it derives `async_graphql::Enum` here, so the row, the service and
//! the schema share one type; adding a variant makes the compiler list every `match` that must handle it.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[graphql(name = "Status")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReportStatus {
    /// Sent by the resident, waiting for the neighbour head.
    Submitted,
    /// A head has seen it and taken it up.
    Acknowledged,
    /// Sent to the compound's property company.
    Dispatched,
    /// The property company is working on it.
    InProgress,
    /// Reported fixed; waiting for the resident to confirm (or reopen).
    Resolved,
    /// Done.
    Closed,
    /// Refused by a head, with a reason.
    Rejected,
    /// The same problem as an earlier report.
    Duplicate,
    /// Withdrawn by the reporter.
    Cancelled,
    /// The resident says it is not fixed.
    Reopened,
}

/// Urgency of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Urgency {
    /// Ordinary.
    Normal,
    /// Needs attention within hours (a flooding leak, a stuck lift).
    Urgent,
}

/// Where a webhook stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WebhookStatus {
    /// Deliveries go out.
    Active,
    /// Stopped after repeated failures at one event; `resumeWebhook` goes on from it.
    Paused,
    /// Deleted by an admin: nothing more is sent, and it is no longer listed.
    Deleted,
}

/// Where a text stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Moderation {
    /// Shown to everyone who may see its report.
    Pass,
    /// WeChat asks for a person: hidden from other residents until a community admin approves.
    Review,
    /// Not checked yet (WeChat was unreachable): hidden from other residents until it is.
    Pending,
    /// Refused by a community admin or found risky later: hidden from all but its author and the admins.
    Rejected,
}

/// What happened on a report's timeline (`report_event.kind`, and `report.last_event_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventKind {
    /// The resident reported it.
    Submitted,
    /// A head took it up.
    Acknowledged,
    /// Sent to the property company.
    Dispatched,
    /// Work started.
    Started,
    /// Reported fixed.
    Resolved,
    /// The resident confirmed the fix (and rated it).
    Confirmed,
    /// Closed by the company.
    Closed,
    /// Closed by the system: the resident did not answer in time.
    AutoClosed,
    /// The resident said it is not fixed.
    Reopened,
    /// Withdrawn by the reporter.
    Cancelled,
    /// Refused by a head.
    Rejected,
    /// Marked as the same problem as another report.
    Duplicate,
    /// The reporter nudged it (催单).
    Urged,
    /// It went up the grid to the next level (its stage was overdue, the reporter urged a breached stage again,
    /// or the level was vacant).
    Escalated,
    /// Duplicates were merged into it.
    Merged,
}

/// The stage of a report its SLA clock measures (`report.sla_stage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SlaStage {
    /// Submitted: a head is to acknowledge it.
    Acknowledge,
    /// Acknowledged (or reopened, never dispatched): a head is to fix it or dispatch it.
    Handle,
    /// Dispatched (or reopened after the company's fix): the company is to start.
    Start,
    /// In progress: whoever works on it is to resolve it.
    Resolve,
}

/// Who holds a report on the grid (`report.sla_level`, the levels of an escalation step).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GridLevel {
    /// The compound's property company (a dispatched ticket).
    Property,
    /// The neighbour head (邻长).
    NeighbourHead,
    /// The group head (组长).
    GroupHead,
    /// The area head (片长).
    AreaHead,
    /// The community office.
    CommunityAdmin,
    /// The street office.
    StreetAdmin,
}

/// Why a report went up a level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EscalationReason {
    /// The holder's time was up.
    Overdue,
    /// The reporter urged again on a stage already past due.
    Urged,
    /// Nobody holds the level (skipped at once).
    Vacant,
}

/// A day off a district's usual week (`calendar_day.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CalendarDayKind {
    /// A public holiday: no business time, whatever the weekday.
    Holiday,
    /// A make-up working day (调休): business time, whatever the weekday.
    Workday,
}

/// In which role someone acted on a report (`report_event.actor_role`, `report_comment.author_role`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActorRole {
    /// The resident who reported it.
    Reporter,
    /// The neighbour head of its neighbourhood.
    NeighbourHead,
    /// The group head above.
    GroupHead,
    /// The area head above.
    AreaHead,
    /// A community admin of its community.
    CommunityAdmin,
    /// Staff of the company it was dispatched to.
    PropertyStaff,
    /// The server itself.
    System,
}

/// A role a user can be appointed to. The scope it applies to is implied by the role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// 邻长: head of one neighbourhood.
    NeighbourHead,
    /// 组长: head of one grid group.
    GroupHead,
    /// 片长: head of one grid area.
    AreaHead,
    /// Administrator of one community.
    CommunityAdmin,
    /// Administrator of one street.
    StreetAdmin,
    /// Administrator of one district.
    DistrictAdmin,
    /// Staff of one property company.
    PropertyStaff,
    /// Staff of one partner merchant (verifies redemptions).
    MerchantStaff,
}

/// Where a residence claim stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResidenceStatus {
    /// Waiting for the neighbour head or a community admin.
    Pending,
    /// Confirmed.
    Verified,
    /// Refused.
    Rejected,
}

/// What an in-app notification is about (also the key of `LINLI_SUBSCRIBE_TEMPLATES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationKind {
    /// Your report was acknowledged.
    ReportAcknowledged,
    /// Your report went to the property company.
    ReportDispatched,
    /// Your report was fixed: confirm it.
    ReportResolved,
    /// Your report was rejected.
    ReportRejected,
    /// Your report was closed.
    ReportClosed,
    /// A new report in your neighbourhood (heads) or reopened.
    NewTask,
    /// A report dispatched to your company.
    NewTicket,
    /// The reporter urged a report waiting for you.
    ReportUrged,
    /// A comment on your report.
    NewComment,
    /// A report you hold is about to be overdue.
    SlaWarning,
    /// A report went up the grid to you.
    ReportEscalated,
    /// A report you held went up the grid (or your company's ticket went to the community).
    EscalatedAway,
    /// Your report was merged into another one: you follow that one now.
    ReportMerged,
}

/// Where a subscribe message in the outbox stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OutboxStatus {
    /// Waiting to be sent (or to be retried).
    Pending,
    /// Delivered to WeChat.
    Sent,
    /// WeChat said the user has no quota left (43101): not retried.
    NoQuota,
    /// WeChat refused the template or its data (40037, 47003): a configuration error.
    Misconfigured,
    /// Given up after the last retry.
    Failed,
}

/// Where an incentive package stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PackageStatus {
    /// Being prepared: not offered yet.
    Draft,
    /// Open for redemption.
    Active,
    /// Closed for good.
    Ended,
}

/// The kind of place a package or a vote is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScopeKind {
    /// A district (区).
    District,
    /// A street or town (镇街).
    Street,
    /// A community (社区).
    Community,
}

/// Where a redemption stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RedemptionStatus {
    /// A code to show at the merchant.
    Issued,
    /// Verified at the merchant.
    Used,
    /// Cancelled by the holder or an admin (points and stock given back).
    Cancelled,
    /// Not used in time (points and stock given back).
    Expired,
}

/// Why points moved (each once per source).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PointsReason {
    /// A head acknowledged a report within its SLA.
    AckInSla,
    /// The resident confirmed the fix of a report the head handled.
    ResolutionConfirmed,
    /// The resident rated the fix 5 stars.
    FiveStar,
    /// Won a best-neighbour-head vote.
    VoteWin,
    /// Spent on a redemption.
    Redemption,
    /// Given back when a redemption was cancelled or expired.
    RedemptionReturned,
}

/// Which stored text a queued content check is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContentTarget {
    /// `report.description`.
    Report,
    /// `report_comment.body`.
    Comment,
    /// `report_event.note`.
    Event,
}

/// Where a photo's content check stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaCheckStatus {
    /// Sent to WeChat; the verdict is pushed later.
    Requested,
    /// Fine.
    Pass,
    /// WeChat asks for a person.
    Review,
    /// Refused: the photo is hidden.
    Risky,
}

/// When a photo was taken, as far as the report is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PhotoPhase {
    /// The problem as reported (submit) or as it still is (reopen).
    Before,
    /// The fix (resolve).
    After,
    /// With a comment.
    Comment,
}

/// Where a best-neighbour-head vote stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VoteStatus {
    /// Residents may vote.
    Open,
    /// Results are frozen.
    Closed,
}

/// What kind of change a domain event records (`domain_event.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DomainEventKind {
    /// A resident reported a problem.
    ReportSubmitted,
    /// Someone moved a report on (acknowledged, dispatched, … urged).
    ReportActed,
    /// A comment was added to a report.
    CommentAdded,
    /// A text (a description, a comment, a note) passed or failed moderation.
    ContentModerated,
    /// WeChat's verdict on a photo arrived.
    PhotoJudged,
    /// An org or grid unit was created.
    UnitCreated,
    /// An org or grid unit was renamed.
    UnitRenamed,
    /// The building units a neighbourhood covers were set.
    NeighbourhoodUnitsSet,
    /// A district admin edited a report category.
    CategoryUpdated,
    /// Someone was appointed to a role.
    AppointmentMade,
    /// An appointment was revoked.
    AppointmentRevoked,
    /// A resident asked to be verified at a home.
    ResidenceRequested,
    /// A residence was verified or rejected.
    ResidenceReviewed,
    /// A user bound their phone number.
    PhoneBound,
    /// A property company was registered.
    CompanyRegistered,
    /// A company took over the management of a compound.
    ManagementAssigned,
    /// A partner merchant was registered.
    MerchantRegistered,
    /// An API key was created.
    ApiKeyCreated,
    /// An API key was revoked.
    ApiKeyRevoked,
    /// An incentive package was created.
    PackageCreated,
    /// A package was published or ended.
    PackageStatusChanged,
    /// A head redeemed a package.
    PackageRedeemed,
    /// A merchant verified a redemption code.
    RedemptionVerified,
    /// A redemption was cancelled or expired, its points and stock given back.
    RedemptionReleased,
    /// A best-neighbour-head vote was opened.
    VotePeriodOpened,
    /// A resident voted.
    VoteCast,
    /// A vote was closed and its winners rewarded.
    VotePeriodClosed,
    /// A report's holder was warned that its stage is about to be overdue.
    SlaWarned,
    /// A report went up the grid.
    ReportEscalated,
    /// A stage went past due with no level left above.
    SlaBreached,
    /// A resident said "me too".
    ReportSupported,
    /// A resident took back a "me too".
    SupportWithdrawn,
    /// Duplicates were merged into a report.
    ReportsMerged,
    /// A district's work calendar was edited.
    CalendarUpdated,
}

/// What an admin did, as the audit log records it (`audit_log.action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuditAction {
    /// An org or grid unit was created.
    UnitCreated,
    /// An org or grid unit was renamed.
    UnitRenamed,
    /// The building units a neighbourhood covers were set.
    NeighbourhoodUnitsSet,
    /// A report category was edited.
    CategoryUpdated,
    /// A district's working hours or special days were edited.
    CalendarUpdated,
    /// Someone was appointed to a role.
    AppointmentMade,
    /// An appointment was revoked.
    AppointmentRevoked,
    /// A residence was verified.
    ResidenceVerified,
    /// A residence was rejected.
    ResidenceRejected,
    /// A property company was registered.
    CompanyRegistered,
    /// A company was given the management of a compound.
    ManagementAssigned,
    /// A partner merchant was registered.
    MerchantRegistered,
    /// An API key was created (its secret shown once).
    ApiKeyCreated,
    /// An API key was revoked.
    ApiKeyRevoked,
    /// An integrating system used its API key (Open311 `POST requests`).
    ApiKeyUsed,
    /// A webhook was registered.
    WebhookCreated,
    /// A paused webhook was resumed.
    WebhookResumed,
    /// A webhook's URL or events were changed.
    WebhookUpdated,
    /// A webhook's signing secret was rotated (the old one signs beside it for a day).
    WebhookSecretRotated,
    /// A webhook was deleted.
    WebhookDeleted,
    /// An incentive package was created.
    PackageCreated,
    /// A package was published or ended.
    PackageStatusChanged,
    /// An admin cancelled a head's redemption.
    RedemptionCancelled,
    /// A best-neighbour-head vote was opened.
    VotePeriodOpened,
    /// A vote was closed by an admin.
    VotePeriodClosed,
    /// A person approved or rejected a text under review.
    ContentModerated,
    /// Duplicates were merged into a report.
    ReportsMerged,
    /// An admin moved a report on (rejected it, marked it a duplicate, closed it …).
    ReportActed,
    /// Data was exported.
    DataExported,
}

/// The kind of unit an audited action is over (`audit_log.scope_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuditScope {
    /// A district.
    District,
    /// A street.
    Street,
    /// A community.
    Community,
    /// A compound (and its buildings).
    Compound,
    /// A grid area.
    Area,
    /// A grid group.
    Group,
    /// A neighbourhood.
    Neighbourhood,
    /// A property company.
    Company,
}

/// Where a background export stands (`export_job.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExportStatus {
    /// Waiting for a replica to take it.
    Queued,
    /// Being written.
    Running,
    /// Written: the file can be downloaded until it expires.
    Done,
    /// It could not be written.
    Failed,
    /// Done, and its file removed after the link expired.
    Expired,
}

/// The file format of an export (`export_job.format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8 with a byte-order mark.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// How a console session was opened (`console_session.via`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsoleVia {
    /// A dev login code (dev mode only).
    Dev,
    /// A mini-program code scanned and approved in the mini-program.
    Scan,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    fn round_trips<E: ActiveEnum<Value = String> + Iterable + PartialEq + std::fmt::Debug>() {
        for v in E::iter() {
            assert_eq!(E::try_from_value(&v.to_value()).unwrap(), v);
        }
        assert!(E::try_from_value(&"NOT_A_VALUE".to_owned()).is_err(), "an unknown stored value is an error");
    }

    #[test]
    fn stored_forms_round_trip_and_unknown_values_are_errors() {
        round_trips::<AuditAction>();
        round_trips::<AuditScope>();
        round_trips::<ReportStatus>();
        round_trips::<Urgency>();
        round_trips::<Moderation>();
        round_trips::<WebhookStatus>();
        round_trips::<EventKind>();
        round_trips::<ActorRole>();
        round_trips::<Role>();
        round_trips::<ResidenceStatus>();
        round_trips::<NotificationKind>();
        round_trips::<OutboxStatus>();
        round_trips::<PackageStatus>();
        round_trips::<ScopeKind>();
        round_trips::<RedemptionStatus>();
        round_trips::<PointsReason>();
        round_trips::<ContentTarget>();
        round_trips::<MediaCheckStatus>();
        round_trips::<PhotoPhase>();
        round_trips::<VoteStatus>();
        round_trips::<DomainEventKind>();
        round_trips::<SlaStage>();
        round_trips::<GridLevel>();
        round_trips::<EscalationReason>();
        round_trips::<CalendarDayKind>();
        round_trips::<ExportStatus>();
        round_trips::<ExportFormat>();
        round_trips::<ConsoleVia>();
    }

    #[test]
    fn stored_forms_are_the_names_the_migrations_used() {
        assert_eq!(ReportStatus::InProgress.to_value(), "IN_PROGRESS");
        assert_eq!(EventKind::AutoClosed.to_value(), "AUTO_CLOSED");
        assert_eq!(Role::NeighbourHead.to_value(), "NEIGHBOUR_HEAD");
        assert_eq!(PointsReason::AckInSla.to_value(), "ACK_IN_SLA");
        assert_eq!(NotificationKind::NewTask.to_value(), "NEW_TASK");
        assert_eq!(OutboxStatus::NoQuota.to_value(), "NO_QUOTA");
    }
}
