//! Webhooks (issue 18; `docs/webhooks.md`): an admin registers an HTTPS endpoint for a scope (a community, a
//! property company's compounds, the district) and the report events it wants; deliveries come from the durable
//! event log after the webhook's own `cursor`, so a restart, a deploy or another replica continues where it
//! stopped.
//!
//! - **At least once, in order.** The job ([`deliver_due`], every `LINLI_WEBHOOK_INTERVAL_MS` in each replica)
//!   takes a due webhook by a lease (a conditional update of its `next_attempt_at`: one replica wins), reads the log
//!   after its cursor and posts each matching event in turn; the cursor moves past an event only once the receiver
//!   answered 2xx (or past events it does not want). An event is delivered again after a crash between the answer
//!   and the cursor's update: receivers deduplicate by `Linli-Event-Id`.
//! - **Signed.** `Linli-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the webhook's
//!   secret>`, in the style of Stripe's; the secret is shown once, when the webhook is made or its secret rotated
//!   ([`rotate_secret`]). For a day after a rotation the old secret signs too (a second `v1=`), so a receiver
//!   switches keys without refusing a delivery.
//! - **Managed** by the admins of its scope: its URL and events changed ([`update`], checked as at creation),
//!   deleted ([`delete`]: nothing more is sent; its row stays, DELETED, for the audit log's references).
//! - **Retried with backoff and jitter**, then **paused** after `LINLI_WEBHOOK_MAX_FAILURES` failures in a row;
//!   its admin resumes it (`resumeWebhook`) and it goes on from the event it stopped at.
//! - **What a delivery shows** is the Open311 view of the report (`service::open311`: nothing of the reporter;
//!   a text under review left out), never more than the public sees.
//! - **No SSRF.** In production a URL must be HTTPS and its host must resolve only to public addresses: loopback,
//!   private, link-local, CGNAT, unique-local and the like are refused when it is registered and again at every
//!   delivery (the connection is pinned to the address checked, so DNS cannot be switched in between). Redirects
//!   are not followed.
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use chrono::{DateTime, Duration, Utc};
use entity::enums::{AuditAction, DomainEventKind, Moderation, WebhookStatus};
use entity::{report, webhook, webhook_delivery};
use hmac::{Hmac, Mac};
use rand::Rng;
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, sea_query::Expr};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Acted, AuditEntry, Scope};
use super::events::Change;
use super::page::{Page, PageArgs};
use super::{authz, places};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, Lang};
use crate::ids::{Kind, encode, new_id};
use crate::msg;
use crate::state::AppState;

/// The events a webhook may ask for: those about one report.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookEvent {
    /// A report was submitted.
    ReportSubmitted,
    /// A report moved on (acknowledged, dispatched, started, resolved, closed, reopened, …).
    ReportActed,
    /// A report went up the grid.
    ReportEscalated,
    /// A resident said "me too".
    ReportSupported,
    /// A comment was added.
    CommentAdded,
    /// A report's SLA stage is near its due time.
    SlaWarned,
    /// A report's SLA stage passed its due time.
    SlaBreached,
}

impl WebhookEvent {
    fn kind(self) -> DomainEventKind {
        match self {
            WebhookEvent::ReportSubmitted => DomainEventKind::ReportSubmitted,
            WebhookEvent::ReportActed => DomainEventKind::ReportActed,
            WebhookEvent::ReportEscalated => DomainEventKind::ReportEscalated,
            WebhookEvent::ReportSupported => DomainEventKind::ReportSupported,
            WebhookEvent::CommentAdded => DomainEventKind::CommentAdded,
            WebhookEvent::SlaWarned => DomainEventKind::SlaWarned,
            WebhookEvent::SlaBreached => DomainEventKind::SlaBreached,
        }
    }

    const ALL: [WebhookEvent; 7] = [
        WebhookEvent::ReportSubmitted,
        WebhookEvent::ReportActed,
        WebhookEvent::ReportEscalated,
        WebhookEvent::ReportSupported,
        WebhookEvent::CommentAdded,
        WebhookEvent::SlaWarned,
        WebhookEvent::SlaBreached,
    ];

    /// A stored webhook's events.
    pub fn of(stored: &str) -> Vec<WebhookEvent> {
        let kinds: Vec<&str> = stored.split(',').collect();
        WebhookEvent::ALL.into_iter().filter(|e| kinds.contains(&e.kind().to_value().as_str())).collect()
    }
}

/// Whether `ip` is an address a webhook may never reach in production.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // CGNAT 100.64/10
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF 192.0.0/24
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) // benchmarking 198.18/15
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64
        }
    }
}

fn refused_url(why: crate::error::Msg) -> AppError {
    AppError::bad_input("url", why)
}

/// Checks a webhook URL and resolves its host: in production HTTPS only and public addresses only (every address
/// the name resolves to). Returns the URL and the address to connect to.
pub async fn check_target(state: &AppState, raw: &str) -> AppResult<(reqwest::Url, SocketAddr)> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| refused_url(msg!("url 不是有效的网址", "url is not a valid URL")))?;
    let production = !state.config.is_dev();
    match url.scheme() {
        "https" => {}
        "http" if !production => {}
        _ => return Err(refused_url(msg!("url 必须以 https:// 开头", "url must start with https://"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused_url(msg!("url 不能包含用户名或密码", "url must not carry a user name or password")));
    }
    let host = url.host_str().ok_or_else(|| refused_url(msg!("url 缺少主机名", "url has no host")))?.to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let host_for_lookup = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host_for_lookup.as_str(), port))
        .await
        .map_err(|_| refused_url(msg!("无法解析 url 的主机名", "The url's host does not resolve")))?
        .collect();
    let first = *addrs.first().ok_or_else(|| refused_url(msg!("无法解析 url 的主机名", "The url's host does not resolve")))?;
    if production && addrs.iter().any(|a| is_internal(a.ip())) {
        return Err(refused_url(msg!(
            "url 指向内网、本机或保留地址，不允许",
            "url points at a loopback, private, link-local or reserved address, which is not allowed"
        )));
    }
    Ok((url, first))
}

/// Who may manage webhooks of `(kind, id)`: the admins over a community or the district, the admins where a
/// company works (and the district's). Returns the district and the audit scope.
async fn authorize(state: &AppState, actor: &Actor, kind: Kind, id: Uuid) -> AppResult<(Uuid, Acted)> {
    match kind {
        Kind::Community | Kind::District => {
            let of = authz::require_admin_of(state, actor, kind, id).await?;
            Ok((of.place.district, Acted::new(Some(of.level.role()), Scope::of(kind, id, &of.place))))
        }
        Kind::PropertyCompany => {
            let place = places::of(&state.db, kind, id).await?;
            let roles = actor.roles(state).await?;
            let m = authz::require_company_manager(&state.db, &roles, id, place.district).await?;
            Ok((place.district, Acted::new(Some(m.role), Scope::of(kind, id, &place))))
        }
        _ => Err(AppError::bad_input(
            "scopeId",
            msg!("请选择社区、物业公司或区", "Give a community, a property company or the district"),
        )),
    }
}

fn scope_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Community => "COMMUNITY",
        Kind::PropertyCompany => "COMPANY",
        _ => "DISTRICT",
    }
}

/// `createWebhook(scopeId, url, events)`: the webhook and its secret (shown this once). Deliveries start with the
/// next event.
pub async fn create(state: &AppState, actor: &Actor, kind: Kind, scope: Uuid, url: &str, events: &[WebhookEvent]) -> AppResult<(webhook::Model, String)> {
    let (district, acted) = authorize(state, actor, kind, scope).await?;
    let kinds = stored_events(events)?;
    let url = allowed_url(state, url).await?;
    let secret = crate::auth::tokens::new_secret("whsec_");
    let cursor = crate::service::events::log::newest(&state.db).await?;
    let change = Change::begin(state, Some(actor.user_id()?)).await?;
    let row = webhook::ActiveModel {
        id: Set(new_id()),
        created_at: Set(change.at()),
        scope_kind: Set(scope_name(kind).to_owned()),
        scope_id: Set(scope),
        district_id: Set(district),
        url: Set(url),
        events: Set(kinds.clone()),
        secret: Set(secret.clone()),
        created_by: Set(actor.user_id()?),
        status: Set(WebhookStatus::Active),
        cursor: Set(cursor),
        failures: Set(0),
        next_attempt_at: Set(change.at()),
        last_error: Set(None),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
    }
    .insert(change.db())
    .await?;
    let acted = acted.after(json!({ "url": row.url, "events": kinds.split(',').collect::<Vec<_>>() }));
    audit::record(&change, AuditEntry { action: AuditAction::WebhookCreated, object_kind: Kind::Webhook, object_id: row.id, acted }).await?;
    change.commit().await?;
    Ok((row, secret))
}

/// The kind of unit a webhook's stored scope is.
pub fn scope_kind(w: &webhook::Model) -> Kind {
    match w.scope_kind.as_str() {
        "COMMUNITY" => Kind::Community,
        "COMPANY" => Kind::PropertyCompany,
        _ => Kind::District,
    }
}

/// One webhook, for those who manage its scope (NOT_FOUND for anyone else).
async fn managed(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<(webhook::Model, Acted)> {
    let not_found = || places::not_found(Kind::Webhook);
    let w = webhook::Entity::find_by_id(id)
        .filter(webhook::Column::Status.ne(WebhookStatus::Deleted))
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?;
    let (_, acted) = authorize(state, actor, scope_kind(&w), w.scope_id).await.map_err(|e| e.hiding(not_found))?;
    Ok((w, acted))
}

/// `webhooks(scopeId)`: a scope's webhooks, newest first.
pub async fn list(state: &AppState, actor: &Actor, kind: Kind, scope: Uuid, args: PageArgs) -> AppResult<Page<webhook::Model>> {
    authorize(state, actor, kind, scope).await?;
    let q = webhook::Entity::find().filter(webhook::Column::ScopeId.eq(scope)).filter(webhook::Column::Status.ne(WebhookStatus::Deleted));
    crate::service::page::fetch_newest(&state.db, q, webhook::Column::Id, args).await
}

/// `webhookDeliveries(webhookId)`: its attempts, newest first.
pub async fn deliveries(state: &AppState, actor: &Actor, id: Uuid, args: PageArgs) -> AppResult<Page<webhook_delivery::Model>> {
    managed(state, actor, id).await?;
    let q = webhook_delivery::Entity::find().filter(webhook_delivery::Column::WebhookId.eq(id));
    crate::service::page::fetch_newest(&state.db, q, webhook_delivery::Column::Id, args).await
}

/// `resumeWebhook(id)`: a paused webhook goes on from the event it stopped at. Resuming an active one changes
/// nothing.
pub async fn resume(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<webhook::Model> {
    let (w, acted) = managed(state, actor, id).await?;
    if w.status == WebhookStatus::Active {
        return Ok(w);
    }
    let change = Change::begin(state, Some(actor.user_id()?)).await?;
    let done = webhook::Entity::update_many()
        .col_expr(webhook::Column::Status, Expr::value(WebhookStatus::Active.to_value()))
        .col_expr(webhook::Column::Failures, Expr::value(0))
        .col_expr(webhook::Column::NextAttemptAt, Expr::value(change.at()))
        .filter(webhook::Column::Id.eq(id))
        .filter(webhook::Column::Status.eq(WebhookStatus::Paused))
        .exec(change.db())
        .await?;
    if done.rows_affected == 1 {
        let acted = acted.before(json!({ "status": "PAUSED" })).after(json!({ "status": "ACTIVE" }));
        audit::record(&change, AuditEntry { action: AuditAction::WebhookResumed, object_kind: Kind::Webhook, object_id: id, acted }).await?;
    }
    change.commit().await?;
    reread(state, id).await
}

/// How long the secret before a rotation still signs.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

/// The events a webhook stores, checked: at least one, each once, in a stable order.
fn stored_events(events: &[WebhookEvent]) -> AppResult<String> {
    if events.is_empty() {
        return Err(AppError::bad_input("events", msg!("请至少选择一种事件", "Give at least one event")));
    }
    let mut kinds: Vec<String> = events.iter().map(|e| e.kind().to_value()).collect();
    kinds.sort();
    kinds.dedup();
    Ok(kinds.join(","))
}

/// A URL a webhook may have: at most 500 characters, and a target [`check_target`] allows.
async fn allowed_url(state: &AppState, url: &str) -> AppResult<String> {
    if url.trim().chars().count() > 500 {
        return Err(refused_url(msg!("url 最多 500 个字符", "url is at most 500 characters")));
    }
    Ok(check_target(state, url).await?.0.to_string())
}

/// `updateWebhook(id, url, events)`: a new URL (checked as at creation) or new events, or both. Deliveries go on
/// from the same place in the log; the failures in a row start again at none, for the new receiver.
pub async fn update(state: &AppState, actor: &Actor, id: Uuid, url: Option<&str>, events: Option<&[WebhookEvent]>) -> AppResult<webhook::Model> {
    let (w, acted) = managed(state, actor, id).await?;
    let new_url = match url {
        Some(u) => Some(allowed_url(state, u).await?),
        None => None,
    };
    let new_events = events.map(stored_events).transpose()?;
    let url = new_url.unwrap_or_else(|| w.url.clone());
    let events = new_events.unwrap_or_else(|| w.events.clone());
    if url == w.url && events == w.events {
        return Ok(w);
    }
    let change = Change::begin(state, Some(actor.user_id()?)).await?;
    let mut q = webhook::Entity::update_many()
        .col_expr(webhook::Column::Url, Expr::value(url.clone()))
        .col_expr(webhook::Column::Events, Expr::value(events.clone()));
    if url != w.url {
        q = q.col_expr(webhook::Column::Failures, Expr::value(0)).col_expr(webhook::Column::LastError, Expr::value(Option::<String>::None));
    }
    let done = q.filter(webhook::Column::Id.eq(id)).filter(webhook::Column::Status.ne(WebhookStatus::Deleted)).exec(change.db()).await?;
    if done.rows_affected != 1 {
        return Err(places::not_found(Kind::Webhook));
    }
    let acted = acted
        .before(json!({ "url": w.url, "events": w.events.split(',').collect::<Vec<_>>() }))
        .after(json!({ "url": url, "events": events.split(',').collect::<Vec<_>>() }));
    audit::record(&change, AuditEntry { action: AuditAction::WebhookUpdated, object_kind: Kind::Webhook, object_id: id, acted }).await?;
    change.commit().await?;
    reread(state, id).await
}

/// `rotateWebhookSecret(id)`: a new secret, shown this once. The old one signs beside it for
/// [`ROTATION_OVERLAP`] (a secret rotated twice within it keeps only the one just replaced).
pub async fn rotate_secret(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<(webhook::Model, String)> {
    let (w, acted) = managed(state, actor, id).await?;
    let secret = crate::auth::tokens::new_secret("whsec_");
    let change = Change::begin(state, Some(actor.user_id()?)).await?;
    let until = change.at() + ROTATION_OVERLAP;
    // Conditional on the secret it replaces: of two rotations at once, one wins and the other is told to retry.
    let done = webhook::Entity::update_many()
        .col_expr(webhook::Column::Secret, Expr::value(secret.clone()))
        .col_expr(webhook::Column::PreviousSecret, Expr::value(w.secret.clone()))
        .col_expr(webhook::Column::PreviousSecretUntil, Expr::value(until))
        .filter(webhook::Column::Id.eq(id))
        .filter(webhook::Column::Secret.eq(w.secret.clone()))
        .filter(webhook::Column::Status.ne(WebhookStatus::Deleted))
        .exec(change.db())
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict(msg!("密钥刚被另一次操作轮换，请刷新后重试", "The secret was just rotated by someone else: reload and try again")));
    }
    // The secrets themselves never go into the log.
    let acted = acted.after(json!({ "previousSecretValidUntil": until }));
    audit::record(&change, AuditEntry { action: AuditAction::WebhookSecretRotated, object_kind: Kind::Webhook, object_id: id, acted }).await?;
    change.commit().await?;
    Ok((reread(state, id).await?, secret))
}

/// `deleteWebhook(id)`: nothing more is delivered and it leaves the list; its delivery log goes with it from
/// view. Deleting it again is NOT_FOUND.
pub async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<webhook::Model> {
    let (w, acted) = managed(state, actor, id).await?;
    let change = Change::begin(state, Some(actor.user_id()?)).await?;
    let done = webhook::Entity::update_many()
        .col_expr(webhook::Column::Status, Expr::value(WebhookStatus::Deleted.to_value()))
        .filter(webhook::Column::Id.eq(id))
        .filter(webhook::Column::Status.ne(WebhookStatus::Deleted))
        .exec(change.db())
        .await?;
    if done.rows_affected != 1 {
        return Err(places::not_found(Kind::Webhook));
    }
    let acted = acted
        .before(json!({ "url": w.url, "events": w.events.split(',').collect::<Vec<_>>(), "status": w.status }))
        .after(json!({ "status": WebhookStatus::Deleted }));
    audit::record(&change, AuditEntry { action: AuditAction::WebhookDeleted, object_kind: Kind::Webhook, object_id: id, acted }).await?;
    change.commit().await?;
    Ok(webhook::Model { status: WebhookStatus::Deleted, ..w })
}

async fn reread(state: &AppState, id: Uuid) -> AppResult<webhook::Model> {
    webhook::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| places::not_found(Kind::Webhook))
}

/// The signature header of `body` signed at `t` with `secret`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    signatures(&[secret], t, body)
}

/// The signature header of `body` signed at `t` with each of `secrets` (one `v1=` each, the current first), as
/// Stripe signs while an old secret is still valid: a receiver accepts the delivery if any `v1` is its key's.
pub fn signatures(secrets: &[&str], t: i64, body: &str) -> String {
    let mut out = format!("t={t}");
    for secret in secrets {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
        mac.update(format!("{t}.{body}").as_bytes());
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(",v1=");
        out.push_str(&hex);
    }
    out
}

/// The secrets that sign a delivery at `now`: the current one, and the one before a rotation while it is valid.
fn signing_secrets(w: &webhook::Model, now: DateTime<Utc>) -> Vec<&str> {
    let mut out = vec![w.secret.as_str()];
    if let (Some(old), Some(until)) = (&w.previous_secret, w.previous_secret_until)
        && now < until
    {
        out.push(old.as_str());
    }
    out
}

/// The wait after `failures` failures in a row: the base doubled each time, at most an hour, ±20 % jitter.
pub fn backoff(base: std::time::Duration, failures: i32) -> Duration {
    let exp = (failures.max(1) - 1).min(20) as u32;
    let ms = (base.as_millis() as u64).saturating_mul(1u64 << exp).min(3_600_000);
    let jitter = rand::rng().random_range(0.8..1.2);
    Duration::milliseconds((ms as f64 * jitter) as i64)
}

/// How long a replica holds a webhook for one delivery: its timeout and a margin. A replica that dies holding it
/// delays the next attempt by at most this much.
fn lease(state: &AppState) -> Duration {
    Duration::from_std(state.config.webhooks.timeout).unwrap_or_default() + Duration::seconds(5)
}
/// Events read from the log per round and webhook.
const READ_BATCH: u64 = 200;
/// Deliveries per round and webhook.
const PER_ROUND: usize = 20;

/// The job: every due webhook, leased by one replica. Returns how many events were delivered.
pub async fn deliver_due(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let due = webhook::Entity::find()
        .filter(webhook::Column::Status.eq(WebhookStatus::Active))
        .filter(webhook::Column::NextAttemptAt.lte(now))
        .limit(50)
        .all(&state.db)
        .await?;
    let mut delivered = 0;
    for w in due {
        let leased = webhook::Entity::update_many()
            .col_expr(webhook::Column::NextAttemptAt, Expr::value(now + lease(state)))
            .filter(webhook::Column::Id.eq(w.id))
            .filter(webhook::Column::NextAttemptAt.eq(w.next_attempt_at))
            .filter(webhook::Column::Status.eq(WebhookStatus::Active))
            .exec(&state.db)
            .await?;
        if leased.rows_affected == 1 {
            delivered += run(state, w).await?;
        }
    }
    Ok(delivered)
}

/// Whether a report is in a webhook's scope.
async fn in_scope(state: &AppState, w: &webhook::Model, r: &report::Model) -> AppResult<bool> {
    Ok(match scope_kind(w) {
        Kind::Community => r.community_id == w.scope_id,
        Kind::PropertyCompany => r.company_id == Some(w.scope_id),
        _ => state.lookup.street_and_district(&state.db, r.community_id).await?.is_some_and(|(_, d)| d == w.district_id),
    })
}

/// One leased webhook's round: its events after the cursor, delivered in order until one fails. The reports of a
/// round's events are read in one statement and shown in one Open311 view (its lookups batched), not per event.
async fn run(state: &AppState, w: webhook::Model) -> AppResult<usize> {
    let wanted = WebhookEvent::of(&w.events);
    let kinds: Vec<DomainEventKind> = wanted.iter().map(|e| e.kind()).collect();
    let batch = crate::service::events::log::read_after(&state.log_db, w.cursor, READ_BATCH).await?;
    let full = batch.len() as u64 == READ_BATCH;
    // Not wanted, or older than the webhook (committed before it, numbered after: the sequencer runs behind).
    let candidate = |ev: &entity::domain_event::Model| kinds.contains(&ev.kind) && ev.occurred_at >= w.created_at;
    let mut ids: Vec<Uuid> = batch.iter().filter(|ev| ev.seq.is_some() && candidate(ev)).map(|ev| ev.subject_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let reports: HashMap<Uuid, report::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        report::Entity::find().filter(report::Column::Id.is_in(ids)).all(&state.db).await?.into_iter().map(|r| (r.id, r)).collect()
    };
    // The round's plan, in log order: each event skipped (its position passed) or delivered, up to PER_ROUND.
    let mut plan: Vec<(i64, Option<(&entity::domain_event::Model, Uuid)>)> = Vec::new();
    let mut to_deliver = 0;
    let mut stopped = false;
    for ev in &batch {
        let Some(seq) = ev.seq else {
            stopped = true;
            break;
        };
        let deliver = match reports.get(&ev.subject_id) {
            Some(r) if candidate(ev) && in_scope(state, &w, r).await? => Some((ev, r.id)),
            _ => None,
        };
        if deliver.is_some() {
            if to_deliver >= PER_ROUND {
                stopped = true;
                break;
            }
            to_deliver += 1;
        }
        plan.push((seq, deliver));
    }
    let mut shown_ids: Vec<Uuid> = plan.iter().filter_map(|(_, d)| d.map(|(_, id)| id)).collect();
    shown_ids.sort_unstable();
    shown_ids.dedup();
    let rows: Vec<report::Model> = shown_ids.iter().filter_map(|id| reports.get(id).cloned()).collect();
    let views: HashMap<String, crate::service::open311::Request> = crate::service::open311::view(state, rows, Lang::Zh)
        .await?
        .into_iter()
        .map(|v| (v.service_request_id.clone(), v))
        .collect();

    let mut cursor = w.cursor;
    let mut failures = w.failures;
    let mut delivered = 0;
    for (seq, deliver) in plan {
        let Some((ev, report_id)) = deliver else {
            cursor = seq;
            continue;
        };
        let r = &reports[&report_id];
        let Some(mut view) = views.get(&encode(Kind::Report, report_id).0).cloned() else {
            cursor = seq;
            continue;
        };
        if r.moderation != Moderation::Pass {
            // A text under review is not shown, as Open311 does not show the report at all.
            view.description = String::new();
        }
        let body = json!({
            "id": format!("evt_{seq}"),
            "type": ev.kind.to_value(),
            "occurredAt": ev.occurred_at,
            "webhookId": encode(Kind::Webhook, w.id).0,
            "data": { "serviceRequest": view },
        })
        .to_string();
        let attempt = failures + 1;
        if delivered > 0 {
            // Each further delivery of the round renews the lease.
            webhook::Entity::update_many()
                .col_expr(webhook::Column::NextAttemptAt, Expr::value(state.clock.now() + lease(state)))
                .filter(webhook::Column::Id.eq(w.id))
                .exec(&state.db)
                .await?;
        }
        let started = std::time::Instant::now();
        let outcome = post(state, &w, seq, &body).await;
        let ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let (ok, code, error) = match &outcome {
            Ok(code) => ((200..300).contains(code), Some(*code as i32), (!(200..300).contains(code)).then(|| format!("HTTP {code}"))),
            Err(e) => (false, None, Some(e.clone())),
        };
        webhook_delivery::ActiveModel {
            id: Set(new_id()),
            created_at: Set(Utc::now()),
            webhook_id: Set(w.id),
            event_seq: Set(seq),
            event_kind: Set(ev.kind.to_value()),
            attempt: Set(attempt),
            ok: Set(ok),
            status_code: Set(code),
            error: Set(error.clone()),
            duration_ms: Set(ms),
        }
        .insert(&state.db)
        .await?;
        if !ok {
            failures += 1;
            let paused = failures >= state.config.webhooks.max_failures;
            let next: DateTime<Utc> = state.clock.now() + backoff(state.config.webhooks.backoff, failures);
            save(state, &w, cursor, failures, next, paused, error).await?;
            return Ok(delivered);
        }
        cursor = seq;
        delivered += 1;
        // The next event's first attempt.
        failures = 0;
    }
    let more = full || stopped;
    let next = if more { state.clock.now() } else { state.clock.now() + chrono::Duration::from_std(state.config.webhooks.interval).unwrap_or_default() };
    save(state, &w, cursor, 0, next, false, None).await?;
    Ok(delivered)
}

async fn save(
    state: &AppState,
    w: &webhook::Model,
    cursor: i64,
    failures: i32,
    next: DateTime<Utc>,
    paused: bool,
    error: Option<String>,
) -> AppResult<()> {
    // Only while it is still active: a webhook its admin deleted during the round stays deleted.
    let mut q = webhook::Entity::update_many()
        .col_expr(webhook::Column::Cursor, Expr::value(cursor))
        .col_expr(webhook::Column::Failures, Expr::value(failures))
        .col_expr(webhook::Column::NextAttemptAt, Expr::value(next));
    if paused {
        q = q.col_expr(webhook::Column::Status, Expr::value(WebhookStatus::Paused.to_value()));
    }
    if let Some(e) = error {
        q = q.col_expr(webhook::Column::LastError, Expr::value(e.chars().take(500).collect::<String>()));
    }
    q.filter(webhook::Column::Id.eq(w.id)).filter(webhook::Column::Status.eq(WebhookStatus::Active)).exec(&state.db).await?;
    Ok(())
}

/// Posts one delivery: the HTTP status, or why it could not be sent.
async fn post(state: &AppState, w: &webhook::Model, seq: i64, body: &str) -> Result<u16, String> {
    let (url, addr) = check_target(state, &w.url).await.map_err(|e| e.message().text(Lang::En).to_owned())?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(state.config.webhooks.timeout)
        .resolve(&host, addr)
        .build()
        .map_err(|e| e.to_string())?;
    let t = Utc::now().timestamp();
    let resp = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "Linli-Webhooks/1")
        .header("linli-event-id", format!("evt_{seq}"))
        .header("linli-signature", signatures(&signing_secrets(w, state.clock.now()), t, body))
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| if e.is_timeout() { "timed out".to_owned() } else { "could not connect".to_owned() })?;
    Ok(resp.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused() {
        for a in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1"] {
            assert!(is_internal(a.parse().unwrap()), "{a}");
        }
        for a in ["8.8.8.8", "1.1.1.1", "2400:3200::1"] {
            assert!(!is_internal(a.parse().unwrap()), "{a}");
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_time_and_body() {
        // Python: hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest()
        let s = signature("whsec_test", 1_700_000_000, "{}");
        assert!(s.starts_with("t=1700000000,v1=") && s.len() == "t=1700000000,v1=".len() + 64, "{s}");
        assert_ne!(s, signature("whsec_other", 1_700_000_000, "{}"));
        assert_ne!(s, signature("whsec_test", 1_700_000_001, "{}"));
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_an_hour() {
        let base = std::time::Duration::from_secs(10);
        let first = backoff(base, 1).num_milliseconds();
        assert!((8_000..=12_000).contains(&first), "{first}");
        let fourth = backoff(base, 4).num_milliseconds();
        assert!((64_000..=96_000).contains(&fourth), "{fourth}");
        assert!(backoff(base, 30).num_milliseconds() <= 4_320_000);
    }
}
