//! A receiver an admin registered for a scope's report events (issue 18): deliveries come from the durable event
//! log after its `cursor`, signed with its `secret`, retried with backoff, paused after repeated failures.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    /// `COMMUNITY`, `COMPANY` or `DISTRICT`.
    pub scope_kind: String,
    pub scope_id: Uuid,
    pub district_id: Uuid,
    pub url: String,
    /// The event kinds it receives, comma-separated (`REPORT_SUBMITTED,REPORT_ACTED`).
    pub events: String,
    /// The HMAC key of its signatures (shown once at creation; kept to sign).
    pub secret: String,
    pub created_by: Uuid,
    pub status: crate::enums::WebhookStatus,
    /// The last event log position it has been given or skipped.
    pub cursor: i64,
    /// Failures in a row of the delivery at its cursor.
    pub failures: i32,
    /// When to try next (also the lease of the replica delivering now).
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    /// The secret before the last rotation: it still signs, beside `secret`, until `previous_secret_until`.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
