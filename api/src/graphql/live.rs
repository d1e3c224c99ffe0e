//! Subscriptions (over `/graphql/ws`, `http/ws.rs`): adapters over `service::live`. Each one checks at the start
//! what the matching query checks (NOT_FOUND for a report the caller may not see, FORBIDDEN without an inbox or a
//! queue), then sends each change as the caller may see it then: the report through the one service-level view,
//! so masking and anonymity hold in pushes as in reads.
use async_graphql::{Context, ID, Result, SimpleObject, Subscription};
use futures::{Stream, StreamExt};

use super::notify::Notification;
use super::report::Report;
use super::{actor, arg_id, state};
use crate::error::AppError;
use crate::ids::Kind;
use crate::service::live::{self, Watch};
use crate::service::report::machine::Status;
use super::report::{ListArgs, list_filter};

/// A change to a report.
#[derive(SimpleObject)]
pub struct ReportChange {
    /// The change's position in the event log: pass the last one seen as `after` when reconnecting.
    pub cursor: String,
    /// What happened (`REPORT_ACTED`, `REPORT_ESCALATED`, `REPORT_SUPPORTED`, …).
    pub kind: String,
    /// The report as it is now, as the caller may see it.
    pub report: Report,
    /// For `taskInboxChanged` and `ticketQueueChanged`: whether the report belongs in the list now (false: take
    /// it out). Null for the other subscriptions.
    pub in_list: Option<bool>,
}

/// A notification that was just written for the caller.
#[derive(SimpleObject)]
pub struct NotificationChange {
    /// The position in the event log (for `after`).
    pub cursor: String,
    /// The notification.
    pub notification: Notification,
}

/// The live updates.
#[derive(Default)]
pub struct SubscriptionRoot;

fn now_of(clock: &crate::clock::Clock) -> chrono::DateTime<chrono::Utc> {
    clock.now()
}

fn after_arg(after: Option<String>) -> Result<Option<i64>, AppError> {
    after
        .map(|a| {
            a.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                AppError::bad_input("after", crate::msg!("after 应为此前收到的 cursor", "after must be a cursor received earlier"))
            })
        })
        .transpose()
}

/// The stream of report changes a watch lets through, each shown as the caller may see it (with `inList` for an
/// inbox or a queue).
fn report_changes(ctx: &Context<'_>, watch: Watch, after: Option<i64>) -> impl Stream<Item = ReportChange> + Send + 'static {
    let st = state(ctx).clone();
    let auth = actor(ctx).auth.clone();
    let lists = watch.clone();
    let clock = st.clock.clone();
    live::events(st.clone(), after)
        .filter(move |ev| futures::future::ready(watch.concerns(ev)))
        .filter_map(move |ev| {
            let (st, auth) = (st.clone(), auth.clone());
            async move {
                let r = ev.report.clone()?;
                match live::visible(&st, &auth, r).await {
                    Ok(Some(view)) => {
                        st.metrics.pushes.inc(&["report"]);
                        Some((ev, view))
                    }
                    Ok(None) => None,
                    Err(e) => {
                        tracing::warn!(error = ?e, "could not build a pushed report's view");
                        None
                    }
                }
            }
        })
        .map(move |(ev, view)| ReportChange {
            cursor: ev.seq.to_string(),
            kind: sea_orm::ActiveEnum::to_value(&ev.kind),
            in_list: lists.in_list(&view.row, now_of(&clock)),
            report: Report::seen(view),
        })
}

#[Subscription]
impl SubscriptionRoot {
    /// Every change to one report the caller may see (NOT_FOUND otherwise), from now or after `after`.
    async fn report_updated(&self, ctx: &Context<'_>, id: ID, after: Option<String>) -> Result<impl Stream<Item = ReportChange>> {
        let id = arg_id(&id, Kind::Report, "id")?;
        let after = after_arg(after)?;
        let watch = Watch::report(state(ctx), actor(ctx), id).await?;
        Ok(report_changes(ctx, watch, after))
    }

    /// Changes to the reports the caller submitted.
    async fn my_reports_changed(&self, ctx: &Context<'_>, after: Option<String>) -> Result<impl Stream<Item = ReportChange>> {
        let after = after_arg(after)?;
        let watch = Watch::mine(actor(ctx))?;
        Ok(report_changes(ctx, watch, after))
    }

    /// Changes to reports in the caller's task inbox (the units `taskInbox` covers, with its filters). `inList` says
    /// whether the report belongs in the list now (with `status`, that it has that status; without, that it waits
    /// for a head). FORBIDDEN (`NOT_A_HEAD_OR_ADMIN`) for someone without an inbox.
    #[allow(clippy::too_many_arguments)]
    async fn task_inbox_changed(
        &self,
        ctx: &Context<'_>,
        status: Option<Status>,
        category: Option<ID>,
        compound: Option<ID>,
        escalated: Option<bool>,
        overdue: Option<bool>,
        supported: Option<bool>,
        search: Option<String>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = ReportChange>> {
        let filter = list_filter(ListArgs { status, category, compound, escalated, overdue, supported, search })?;
        let after = after_arg(after)?;
        let watch = Watch::inbox(state(ctx), actor(ctx), filter).await?;
        Ok(report_changes(ctx, watch, after))
    }

    /// Changes to reports in the caller's company's ticket queue (`ticketQueue`'s filters; `inList` as in
    /// `taskInboxChanged`). FORBIDDEN (`NOT_PROPERTY_STAFF`) for anyone else.
    #[allow(clippy::too_many_arguments)]
    async fn ticket_queue_changed(
        &self,
        ctx: &Context<'_>,
        status: Option<Status>,
        category: Option<ID>,
        compound: Option<ID>,
        escalated: Option<bool>,
        overdue: Option<bool>,
        supported: Option<bool>,
        search: Option<String>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = ReportChange>> {
        let filter = list_filter(ListArgs { status, category, compound, escalated, overdue, supported, search })?;
        let after = after_arg(after)?;
        let watch = Watch::queue(state(ctx), actor(ctx), filter).await?;
        Ok(report_changes(ctx, watch, after))
    }

    /// The caller's new notifications, as they are written.
    async fn notification_added(&self, ctx: &Context<'_>, after: Option<String>) -> Result<impl Stream<Item = NotificationChange>> {
        let after = after_arg(after)?;
        let me = actor(ctx).user_id()?;
        let st = state(ctx).clone();
        Ok(live::events(st.clone(), after).flat_map(move |ev| {
            let mine: Vec<NotificationChange> = ev
                .notifications
                .iter()
                .filter(|n| n.user_id == me)
                .map(|n| NotificationChange { cursor: ev.seq.to_string(), notification: Notification((**n).clone()) })
                .collect();
            if !mine.is_empty() {
                st.metrics.pushes.add(&["notification"], mine.len() as f64);
            }
            futures::stream::iter(mine)
        }))
    }
}
