//! Notifications. Every event that concerns a user writes an in-app notification in the same transaction as the
//! event; when the event's kind has a subscribe-message template (`LINLI_SUBSCRIBE_TEMPLATES`) and the user has
//! quota for it (one per accept in wx.requestSubscribeMessage), a message goes into the outbox in that same
//! transaction. A background worker delivers the outbox: at least once, retried with backoff on transient errors,
//! 43101 marks the quota spent without a retry, 47003 is logged as a template misconfiguration. Rows are leased
//! with a conditional update, so with several replicas each message is sent by one of them. A mutation never
//! waits on WeChat.
use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::enums::{EventKind, Moderation, OutboxStatus};
use entity::{app_user, appointment, notification, outbox, report, subscription_quota};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::auth::{Actor, Role};
use crate::config::Config;
use crate::service::events::{Cx, DomainEvent};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::msg;
use crate::service::page::{self, Page, PageArgs};
use crate::state::AppState;
use crate::wechat::{SubscribeMessage, WechatErr};

/// What a notification is about (stored in `notification.kind`; the key of `LINLI_SUBSCRIBE_TEMPLATES`).
pub use entity::enums::NotificationKind as Kind;

/// The title shown in the list and in a subscribe message's `title`.
fn title(k: Kind) -> &'static str {
    match k {
        Kind::ReportAcknowledged => "您的报告已受理",
        Kind::ReportDispatched => "您的报告已派给物业",
        Kind::ReportResolved => "您的报告已处理，请确认",
        Kind::ReportRejected => "您的报告未被受理",
        Kind::ReportClosed => "您的报告已结单",
        Kind::NewTask => "有新的居民报告待处理",
        Kind::NewTicket => "有新的工单",
        Kind::ReportUrged => "居民催办了一份报告",
        Kind::NewComment => "您的报告有新留言",
        Kind::SlaWarning => "有报告即将超时",
        Kind::ReportEscalated => "有超时报告升级到您",
        Kind::EscalatedAway => "您的一份报告已超时升级",
        Kind::ReportMerged => "您的报告已与同类报告合并",
    }
}

/// A status phrase of at most five characters (WeChat's `phrase` rule).
fn phrase(k: Kind) -> &'static str {
    match k {
        Kind::ReportAcknowledged => "已受理",
        Kind::ReportDispatched => "已派单",
        Kind::ReportResolved => "待确认",
        Kind::ReportRejected => "未受理",
        Kind::ReportClosed => "已结单",
        Kind::NewTask => "待受理",
        Kind::NewTicket => "待处理",
        Kind::ReportUrged => "催办",
        Kind::NewComment => "新留言",
        Kind::SlaWarning => "即将超时",
        Kind::ReportEscalated => "已升级",
        Kind::EscalatedAway => "已升级",
        Kind::ReportMerged => "已合并",
    }
}

/// One notification to write.
pub struct Note {
    /// To whom.
    pub user: Uuid,
    /// About what.
    pub kind: Kind,
    /// The report's description, a reason or the comment.
    pub body: String,
    /// The report.
    pub report: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Trims a template value to WeChat's rules for its key kind (`thing` ≤ 20 characters, `phrase` ≤ 5, …).
pub fn trim_value(key: &str, value: &str) -> String {
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    let max = match kind {
        "thing" => 20,
        "phrase" => 5,
        "name" => 10,
        "character_string" | "number" => 32,
        "phone_number" => 17,
        "car_number" => 8,
        _ => 20,
    };
    let value = value.trim();
    if value.chars().count() <= max {
        return value.to_owned();
    }
    // Leave room for an ellipsis where a sentence is cut (not for codes and numbers).
    if matches!(kind, "thing" | "name") {
        value.chars().take(max - 1).chain(std::iter::once('…')).collect()
    } else {
        value.chars().take(max).collect()
    }
}

/// Writes `notes` and, where a template and quota allow, their subscribe messages, in the caller's transaction.
pub async fn write<C: ConnectionTrait>(db: &C, config: &Config, notes: Vec<Note>) -> AppResult<()> {
    for n in notes {
        let id = new_id();
        notification::ActiveModel {
            id: Set(id),
            created_at: Set(n.at),
            kind: Set(n.kind),
            title: Set(title(n.kind).into()),
            body: Set(n.body.chars().take(500).collect()),
            report_id: Set(n.report),
            read_at: Set(None),
            user_id: Set(n.user),
        }
        .insert(db)
        .await?;
        let Some(spec) = config.subscribe_templates.get(&n.kind) else { continue };
        // Use one unit of quota, if there is one (never below zero, also when two events race).
        let used = subscription_quota::Entity::update_many()
            .col_expr(subscription_quota::Column::Remaining, Expr::col(subscription_quota::Column::Remaining).sub(1))
            .col_expr(subscription_quota::Column::UpdatedAt, Expr::value(n.at))
            .filter(subscription_quota::Column::UserId.eq(n.user))
            .filter(subscription_quota::Column::TemplateId.eq(spec.template_id.as_str()))
            .filter(subscription_quota::Column::Remaining.gt(0))
            .exec(db)
            .await?;
        if used.rows_affected != 1 {
            continue;
        }
        let report = n.report.map(|r| crate::ids::encode(crate::ids::Kind::Report, r).0).unwrap_or_default();
        let data: BTreeMap<String, String> = spec
            .data
            .iter()
            .map(|(key, what)| {
                let v = match what.as_str() {
                    "title" => title(n.kind).to_owned(),
                    "status" => phrase(n.kind).to_owned(),
                    "at" => (n.at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string(),
                    "report" => report.clone(),
                    _ => n.body.clone(),
                };
                (key.clone(), trim_value(key, &v))
            })
            .collect();
        let page = spec.page.as_ref().map(|p| if report.is_empty() { p.clone() } else { format!("{p}?id={report}") });
        outbox::ActiveModel {
            id: Set(new_id()),
            created_at: Set(n.at),
            notification_id: Set(id),
            template_id: Set(spec.template_id.clone()),
            page: Set(page),
            data: Set(serde_json::to_string(&data).map_err(anyhow::Error::from)?),
            status: Set(OutboxStatus::Pending),
            attempts: Set(0),
            next_at: Set(n.at),
            leased_until: Set(None),
            last_error: Set(None),
            user_id: Set(n.user),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The current holders of `role` over `scope` (heads of a neighbourhood, staff of a company).
pub async fn holders<C: ConnectionTrait>(db: &C, role: Role, scope: Uuid) -> AppResult<Vec<Uuid>> {
    let now = Utc::now();
    Ok(appointment::Entity::find()
        .select_only()
        .column(appointment::Column::UserId)
        .filter(appointment::Column::Role.eq(role))
        .filter(appointment::Column::ScopeId.eq(scope))
        .filter(crate::service::people::in_force(now))
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// What the reporter is told about a step of their report, if anything.
fn for_reporter(kind: EventKind) -> Option<Kind> {
    match kind {
        EventKind::Acknowledged => Some(Kind::ReportAcknowledged),
        EventKind::Dispatched => Some(Kind::ReportDispatched),
        EventKind::Resolved => Some(Kind::ReportResolved),
        EventKind::Rejected => Some(Kind::ReportRejected),
        // The same problem as another report: the reporter follows that one now.
        EventKind::Duplicate => Some(Kind::ReportMerged),
        EventKind::Closed | EventKind::AutoClosed => Some(Kind::ReportClosed),
        EventKind::Submitted
        | EventKind::Started
        | EventKind::Confirmed
        | EventKind::Reopened
        | EventKind::Cancelled
        | EventKind::Urged
        | EventKind::Escalated
        | EventKind::Merged => None,
    }
}

/// Who must act on a reopened or urged report now: the holders of the level that holds it (the company's staff,
/// a head, an office), else, for a report from before the SLA clocks, the company's staff or the neighbour head.
async fn holders_of(cx: &Cx<'_>, r: &report::Model) -> AppResult<Vec<Uuid>> {
    if let Some(level) = r.sla_level {
        let units = crate::service::sla::Units::of(cx.state, cx.db, r).await?;
        return Ok(crate::service::sla::holders(cx.db, &units, &[level], cx.at).await?.of(level));
    }
    Ok(match (r.company_id, r.neighbourhood_id) {
        (Some(c), _) => holders(cx.db, Role::PropertyStaff, c).await?,
        (None, Some(n)) => holders(cx.db, Role::NeighbourHead, n).await?,
        (None, None) => Vec::new(),
    })
}

/// The residents who said "me too" on `r` (none read when it has none).
async fn supporters(cx: &Cx<'_>, r: &report::Model) -> AppResult<Vec<Uuid>> {
    if r.support_count == 0 {
        return Ok(Vec::new());
    }
    Ok(entity::report_support::Entity::find()
        .select_only()
        .column(entity::report_support::Column::UserId)
        .filter(entity::report_support::Column::ReportId.eq(r.id))
        .into_tuple::<Uuid>()
        .all(cx.db)
        .await?)
}

/// The notifications subscriber: who is told what about a change, written in its transaction. Nobody is told
/// about what they did themselves; a text still under review is not passed on.
pub async fn on_event(cx: &Cx<'_>, e: &DomainEvent) -> AppResult<()> {
    let mut notes = Vec::new();
    let mut tell = |user: Uuid, kind: Kind, body: &str, report: Uuid| {
        if Some(user) != cx.actor {
            notes.push(Note { user, kind, body: body.to_owned(), report: Some(report), at: cx.at });
        }
    };
    match e {
        DomainEvent::ReportEscalated(c) => {
            let r = &c.report;
            if let Some(step) = &c.escalation {
                let body = c.note.as_deref().unwrap_or(&r.description);
                for u in &step.new_holders {
                    tell(*u, Kind::ReportEscalated, body, r.id);
                }
                for u in &step.old_holders {
                    tell(*u, Kind::EscalatedAway, body, r.id);
                }
            }
        }
        DomainEvent::SlaWarned { report: r, holders, .. } => {
            for u in holders {
                tell(*u, Kind::SlaWarning, &r.description, r.id);
            }
        }
        DomainEvent::ReportsMerged { primary, moved, .. } => {
            for u in moved {
                tell(*u, Kind::ReportMerged, &primary.description, primary.id);
            }
        }
        DomainEvent::ReportSubmitted(c) | DomainEvent::ReportActed(c) => {
            let r = &c.report;
            let note = c.note.as_deref().filter(|_| c.note_moderation == Moderation::Pass);
            let body = note.unwrap_or(&r.description);
            if let Some(k) = for_reporter(c.kind) {
                tell(r.reporter_id, k, body, r.id);
                // Supporters follow the report's status as its reporter does.
                for u in supporters(cx, r).await? {
                    tell(u, k, body, r.id);
                }
            }
            match c.kind {
                EventKind::Submitted => {
                    // The level that holds it (a vacant neighbourhood's report is told to the next level by its
                    // ESCALATED step).
                    if let (Some(n), Some(entity::enums::GridLevel::NeighbourHead)) = (r.neighbourhood_id, r.sla_level) {
                        let heads = match &c.holders {
                            Some(known) => known.clone(),
                            None => holders(cx.db, Role::NeighbourHead, n).await?,
                        };
                        for h in heads {
                            tell(h, Kind::NewTask, &r.description, r.id);
                        }
                    }
                }
                EventKind::Dispatched => {
                    if let Some(co) = r.company_id {
                        for s in holders(cx.db, Role::PropertyStaff, co).await? {
                            tell(s, Kind::NewTicket, &r.description, r.id);
                        }
                    }
                }
                EventKind::Reopened => {
                    for u in holders_of(cx, r).await? {
                        tell(u, Kind::NewTask, body, r.id);
                    }
                }
                EventKind::Urged => {
                    for u in holders_of(cx, r).await? {
                        tell(u, Kind::ReportUrged, body, r.id);
                    }
                }
                EventKind::Acknowledged
                | EventKind::Started
                | EventKind::Resolved
                | EventKind::Confirmed
                | EventKind::Closed
                | EventKind::AutoClosed
                | EventKind::Cancelled
                | EventKind::Rejected
                | EventKind::Duplicate
                | EventKind::Escalated
                | EventKind::Merged => {}
            }
        }
        DomainEvent::CommentAdded(c) => {
            let body = if c.moderation == Moderation::Pass { c.body.as_str() } else { "" };
            tell(c.report.reporter_id, Kind::NewComment, body, c.report.id);
        }
        // Nobody else is told of the other changes in-app.
        _ => {}
    }
    write(cx.db, &cx.state.config, notes).await
}

/// `notifications(first, after, unreadOnly)`: the caller's notifications, newest first.
pub async fn mine(state: &AppState, actor: &Actor, args: PageArgs, unread_only: bool) -> AppResult<Page<notification::Model>> {
    let user = actor.user_id()?;
    let mut q = notification::Entity::find().filter(notification::Column::UserId.eq(user));
    if unread_only {
        q = q.filter(notification::Column::ReadAt.is_null());
    }
    crate::service::page::fetch_newest(&state.db, q, notification::Column::Id, args).await
}

/// How many of the caller's notifications are unread.
pub async fn unread_count(state: &AppState, actor: &Actor) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id()?))
        .filter(notification::Column::ReadAt.is_null())
        .count(&state.db)
        .await?)
}

/// Marks the caller's notifications read: `ids`, or all of them. Others' ids are ignored (they are not the
/// caller's to mark). Returns the unread count after.
pub async fn mark_read(state: &AppState, actor: &Actor, ids: Option<Vec<Uuid>>) -> AppResult<u64> {
    let user = actor.user_id()?;
    if let Some(ids) = &ids {
        if ids.len() > page::MAX_PAGE as usize {
            return Err(AppError::bad_input("ids", msg!("一次最多标记 100 条", "Mark at most 100 at a time")));
        }
    }
    let mut q = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(user))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(ids) = ids {
        q = q.filter(notification::Column::Id.is_in(ids));
    }
    q.exec(&state.db).await?;
    unread_count(state, actor).await
}

/// `recordSubscriptions(templateIds)`: the templates the user accepted in wx.requestSubscribeMessage; each accept
/// is one send. Unknown template ids are refused (nothing recorded).
pub async fn record_subscriptions(state: &AppState, actor: &Actor, template_ids: &[String]) -> AppResult<Vec<(String, i32)>> {
    let user = actor.user_id()?;
    let known: Vec<&str> = state.config.subscribe_templates.values().map(|t| t.template_id.as_str()).collect();
    if template_ids.is_empty() || template_ids.len() > 20 {
        return Err(AppError::bad_input("templateIds", msg!("请给出 1 到 20 个模板", "Give 1 to 20 template ids")));
    }
    if let Some(bad) = template_ids.iter().find(|t| !known.contains(&t.as_str())) {
        return Err(AppError::bad_input(
            "templateIds",
            msg!("没有这个订阅消息模板：{}", "There is no such subscribe-message template: {}", bad.chars().take(64).collect::<String>()),
        ));
    }
    let now = Utc::now();
    let txn = crate::db::begin_write(&state.db).await?;
    for t in template_ids {
        let added = subscription_quota::Entity::update_many()
            .col_expr(subscription_quota::Column::Remaining, Expr::col(subscription_quota::Column::Remaining).add(1))
            .col_expr(subscription_quota::Column::UpdatedAt, Expr::value(now))
            .filter(subscription_quota::Column::UserId.eq(user))
            .filter(subscription_quota::Column::TemplateId.eq(t.as_str()))
            .exec(&*txn)
            .await?;
        if added.rows_affected == 0 {
            subscription_quota::ActiveModel {
                id: Set(new_id()),
                created_at: Set(now),
                template_id: Set(t.clone()),
                remaining: Set(1),
                updated_at: Set(now),
                user_id: Set(user),
            }
            .insert(&*txn)
            .await?;
        }
    }
    txn.commit().await?;
    let rows = subscription_quota::Entity::find()
        .filter(subscription_quota::Column::UserId.eq(user))
        .order_by_asc(subscription_quota::Column::TemplateId)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(|q| (q.template_id, q.remaining)).collect())
}

/// How many times a message is tried before it is given up.
const MAX_ATTEMPTS: i32 = 8;

/// Delivers due outbox messages. Returns how many were sent.
pub async fn deliver_due(state: &AppState) -> AppResult<usize> {
    let now = Utc::now();
    let pending = outbox::Entity::find().filter(outbox::Column::Status.eq(OutboxStatus::Pending));
    let due = crate::service::jobs::due(&state.db, pending, outbox::Column::NextAt, now, 50).await?;
    let mut sent = 0;
    for m in due {
        // Lease it: only the replica whose update matched sends it (a lease that ran out may be taken over).
        let lease = outbox::Entity::update_many()
            .col_expr(outbox::Column::LeasedUntil, Expr::value(now + chrono::Duration::seconds(60)))
            .filter(outbox::Column::Id.eq(m.id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .filter(Condition::any().add(outbox::Column::LeasedUntil.is_null()).add(outbox::Column::LeasedUntil.lt(now)))
            .exec(&state.db)
            .await?;
        if lease.rows_affected != 1 {
            continue;
        }
        let Some(openid) = app_user::Entity::find_by_id(m.user_id).one(&state.db).await?.map(|u| u.openid) else { continue };
        let data: BTreeMap<String, String> = serde_json::from_str(&m.data).unwrap_or_default();
        let msg = SubscribeMessage {
            touser: openid,
            template_id: m.template_id.clone(),
            page: m.page.clone(),
            data,
            state: state.config.miniprogram_state.clone(),
        };
        let outcome = state.wechat.send_subscribe(&msg).await;
        let (status, next_at, error): (OutboxStatus, DateTime<Utc>, Option<String>) = match outcome {
            Ok(()) => (OutboxStatus::Sent, now, None),
            Err(WechatErr::NoQuota) => {
                // The user's one-time quota is used up on WeChat's side: ours is spent too. No retry.
                subscription_quota::Entity::update_many()
                    .col_expr(subscription_quota::Column::Remaining, Expr::value(0))
                    .filter(subscription_quota::Column::UserId.eq(m.user_id))
                    .filter(subscription_quota::Column::TemplateId.eq(m.template_id.as_str()))
                    .exec(&state.db)
                    .await?;
                (OutboxStatus::NoQuota, now, Some("43101".into()))
            }
            Err(e @ (WechatErr::BadParameter | WechatErr::BadTemplate)) => {
                tracing::error!(template = %m.template_id, error = ?e, "subscribe message refused: check LINLI_SUBSCRIBE_TEMPLATES");
                (OutboxStatus::Misconfigured, now, Some(format!("{e:?}")))
            }
            Err(e) if e.is_transient() && m.attempts + 1 < MAX_ATTEMPTS => {
                // 30 s, 1 min, 2 min, … at most an hour.
                let wait = chrono::Duration::seconds(std::cmp::min(30i64 << m.attempts.clamp(0, 7), 3600));
                (OutboxStatus::Pending, now + wait, Some(format!("{e:?}")))
            }
            Err(e) => (OutboxStatus::Failed, now, Some(format!("{e:?}"))),
        };
        if status == OutboxStatus::Sent {
            sent += 1;
        }
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(status))
            .col_expr(outbox::Column::Attempts, Expr::value(m.attempts + 1))
            .col_expr(outbox::Column::NextAt, Expr::value(next_at))
            .col_expr(outbox::Column::LeasedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(outbox::Column::LastError, Expr::value(error))
            .filter(outbox::Column::Id.eq(m.id))
            .exec(&state.db)
            .await?;
    }
    Ok(sent)
}

/// Runs the outbox worker every `interval`.
pub fn spawn(state: AppState, interval: Duration) {
    crate::service::jobs::every(state, interval, "delivered subscribe messages", |s| async move { deliver_due(&s).await });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_trimmed_to_wechats_rules() {
        assert_eq!(trim_value("thing1", "短"), "短");
        let long = "厨房下水道堵了，水排不下去，已经三天了，请尽快处理谢谢";
        let t = trim_value("thing1", long);
        assert_eq!(t.chars().count(), 20);
        assert!(t.ends_with('…'));
        assert_eq!(trim_value("phrase3", "已受理了吗还没"), "已受理了吗");
        assert_eq!(trim_value("character_string9", &"a".repeat(40)).len(), 32);
        use sea_orm::Iterable;
        for kind in Kind::iter() {
            assert!(phrase(kind).chars().count() <= 5, "{kind:?}");
        }
    }
}
