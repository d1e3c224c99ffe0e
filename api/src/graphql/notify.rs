//! Notifications in GraphQL: the caller's list with its unread count, marking them read, and recording the
//! subscribe-message templates the user accepted. Adapters only: the rules are in `service::notify`.
use async_graphql::{Context, ID, Object, Result, SimpleObject, connection::Connection};
use chrono::{DateTime, Utc};
use entity::notification;

use super::{actor, page_args, state};
use crate::ids::{Kind, encode};
use crate::service::{notify, page};

/// Something that concerns the user.
pub struct Notification(pub(crate) notification::Model);

#[Object]
impl Notification {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Notification, self.0.id)
    }
    /// REPORT_ACKNOWLEDGED, REPORT_DISPATCHED, REPORT_RESOLVED, REPORT_REJECTED, REPORT_CLOSED, NEW_TASK,
    /// NEW_TICKET, REPORT_URGED or NEW_COMMENT.
    async fn kind(&self) -> String {
        sea_orm::ActiveEnum::to_value(&self.0.kind)
    }
    /// A short headline.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The report's description, the reason or note given, or the comment.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The report it is about (open it with `report(id)`).
    async fn report_id(&self) -> Option<ID> {
        self.0.report_id.map(|r| encode(Kind::Report, r))
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Read yet.
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }
}

/// The unread count beside a page of notifications.
#[derive(SimpleObject)]
pub struct NotificationsExtra {
    /// How many of the user's notifications are unread (all of them, not only this page).
    unread_count: u64,
}

/// One subscribe-message template and the sends the user has left.
#[derive(SimpleObject)]
pub struct SubscriptionQuota {
    /// The template id.
    template_id: String,
    /// Sends left (each accept in wx.requestSubscribeMessage adds one; each message sent uses one).
    remaining: i32,
}

/// Notification queries.
#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The caller's notifications, newest first, with the unread count.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default)] unread_only: bool,
    ) -> Result<Connection<String, Notification, NotificationsExtra>> {
        let (s, a) = (state(ctx), actor(ctx));
        let p = notify::mine(s, a, page_args(first, after)?, unread_only).await?;
        let unread_count = notify::unread_count(s, a).await?;
        let mut c = Connection::with_additional_fields(p.has_previous, p.has_next, NotificationsExtra { unread_count });
        c.edges.extend(
            p.items.into_iter().map(|n| async_graphql::connection::Edge::new(page::encode_cursor(n.id), Notification(n))),
        );
        Ok(c)
    }
}

/// Notification mutations.
#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks the caller's notifications read (ids of others' notifications are ignored); returns the unread count.
    async fn mark_notifications_read(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<u64> {
        let ids = ids.iter().map(|i| super::arg_id(i, Kind::Notification, "ids")).collect::<Result<Vec<_>, _>>()?;
        Ok(notify::mark_read(state(ctx), actor(ctx), Some(ids)).await?)
    }

    /// Marks all the caller's notifications read; returns the unread count (0).
    async fn mark_all_notifications_read(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(notify::mark_read(state(ctx), actor(ctx), None).await?)
    }

    /// Records the templates the user accepted in wx.requestSubscribeMessage (the `accept` keys of its result);
    /// each accept is one send. Returns the user's quotas.
    async fn record_subscriptions(&self, ctx: &Context<'_>, template_ids: Vec<String>) -> Result<Vec<SubscriptionQuota>> {
        let q = notify::record_subscriptions(state(ctx), actor(ctx), &template_ids).await?;
        Ok(q.into_iter().map(|(template_id, remaining)| SubscriptionQuota { template_id, remaining }).collect())
    }
}
