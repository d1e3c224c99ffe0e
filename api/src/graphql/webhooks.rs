//! Webhooks in GraphQL: adapters over `service::webhooks`.
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::WebhookStatus;
use entity::{webhook, webhook_delivery};

use super::{Conn, actor, arg_id, connection, page_args, state};
use crate::ids::{Kind, decode_any, encode};
use crate::service::webhooks::{self, WebhookEvent};

/// A registered receiver of a scope's report events.
pub struct Webhook(pub webhook::Model);

#[Object]
impl Webhook {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Webhook, self.0.id)
    }
    /// The community, property company or district whose reports it receives.
    async fn scope_id(&self) -> ID {
        encode(webhooks::scope_kind(&self.0), self.0.scope_id)
    }
    /// Where deliveries go.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// What it receives.
    async fn events(&self) -> Vec<WebhookEvent> {
        WebhookEvent::of(&self.0.events)
    }
    /// ACTIVE; PAUSED after repeated failures (resume with `resumeWebhook`); DELETED in the answer of
    /// `deleteWebhook`.
    async fn status(&self) -> WebhookStatus {
        self.0.status
    }
    /// Until when the secret before the last rotation still signs beside the current one (a second `v1=`).
    async fn previous_secret_valid_until(&self) -> Option<DateTime<Utc>> {
        self.0.previous_secret_until.filter(|until| *until > Utc::now())
    }
    /// Failures in a row of the delivery it is at.
    async fn failures(&self) -> i32 {
        self.0.failures
    }
    /// When it is tried next.
    async fn next_attempt_at(&self) -> DateTime<Utc> {
        self.0.next_attempt_at
    }
    /// The last failure.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One delivery attempt.
pub struct WebhookDelivery(pub webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    /// The event's ID, as the `Linli-Event-Id` header said (`evt_…`).
    async fn event_id(&self) -> String {
        format!("evt_{}", self.0.event_seq)
    }
    /// The event's type.
    async fn event_type(&self) -> &str {
        &self.0.event_kind
    }
    /// 1 for the first attempt at this event.
    async fn attempt(&self) -> i32 {
        self.0.attempt
    }
    /// Whether the receiver answered 2xx.
    async fn ok(&self) -> bool {
        self.0.ok
    }
    /// The receiver's HTTP status, if it answered.
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }
    /// Why it failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// How long it took.
    async fn duration_ms(&self) -> i32 {
        self.0.duration_ms
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A new webhook with its signing secret.
#[derive(SimpleObject)]
pub struct CreatedWebhook {
    /// The webhook.
    pub webhook: Webhook,
    /// The HMAC-SHA256 key of its `Linli-Signature` header: shown this once.
    pub secret: String,
}

/// Webhook queries.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The webhooks of a community, property company or district the caller administers, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn webhooks(&self, ctx: &Context<'_>, scope_id: ID, first: Option<i32>, after: Option<String>) -> Result<Conn<Webhook>> {
        let (kind, scope) = decode_any(&scope_id, "scopeId")?;
        let p = webhooks::list(state(ctx), actor(ctx), kind, scope, page_args(first, after)?).await?;
        Ok(connection(p, |w| w.id, Webhook))
    }

    /// A webhook's delivery log, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn webhook_deliveries(&self, ctx: &Context<'_>, webhook_id: ID, first: Option<i32>, after: Option<String>) -> Result<Conn<WebhookDelivery>> {
        let id = arg_id(&webhook_id, Kind::Webhook, "webhookId")?;
        let p = webhooks::deliveries(state(ctx), actor(ctx), id, page_args(first, after)?).await?;
        Ok(connection(p, |d| d.id, WebhookDelivery))
    }
}

/// Webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an HTTPS endpoint for a scope's report events (admins over a community or the district, admins
    /// where a company works). Deliveries start with the next event; the secret is in this answer only.
    async fn create_webhook(&self, ctx: &Context<'_>, scope_id: ID, url: String, events: Vec<WebhookEvent>) -> Result<CreatedWebhook> {
        let (kind, scope) = decode_any(&scope_id, "scopeId")?;
        let (w, secret) = webhooks::create(state(ctx), actor(ctx), kind, scope, &url, &events).await?;
        Ok(CreatedWebhook { webhook: Webhook(w), secret })
    }

    /// Resumes a paused webhook: it goes on from the event it stopped at.
    async fn resume_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<Webhook> {
        let id = arg_id(&id, Kind::Webhook, "id")?;
        Ok(Webhook(webhooks::resume(state(ctx), actor(ctx), id).await?))
    }

    /// Changes a webhook's URL (checked as at registration) or events, or both; what is not given stays.
    /// Deliveries go on from the same event.
    async fn update_webhook(&self, ctx: &Context<'_>, id: ID, url: Option<String>, events: Option<Vec<WebhookEvent>>) -> Result<Webhook> {
        let id = arg_id(&id, Kind::Webhook, "id")?;
        Ok(Webhook(webhooks::update(state(ctx), actor(ctx), id, url.as_deref(), events.as_deref()).await?))
    }

    /// A new signing secret, in this answer only. For a day the old one signs beside it (a second `v1=` in
    /// `Linli-Signature`), so the receiver can switch without refusing a delivery.
    async fn rotate_webhook_secret(&self, ctx: &Context<'_>, id: ID) -> Result<CreatedWebhook> {
        let id = arg_id(&id, Kind::Webhook, "id")?;
        let (w, secret) = webhooks::rotate_secret(state(ctx), actor(ctx), id).await?;
        Ok(CreatedWebhook { webhook: Webhook(w), secret })
    }

    /// Deletes a webhook: nothing more is sent, and it leaves the list and its delivery log.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<Webhook> {
        let id = arg_id(&id, Kind::Webhook, "id")?;
        Ok(Webhook(webhooks::delete(state(ctx), actor(ctx), id).await?))
    }
}
