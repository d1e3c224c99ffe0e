//! Content safety in GraphQL: the community admin's moderation queue and their decision. Adapters only: the rules
//! are in `service::content`.
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{Conn, actor, connection, page_args, state};
use crate::error::AppError;
use crate::ids::{Kind, decode_any, encode};
use crate::msg;
use crate::service::content::{self, Moderation, QueueItem, Target};

/// A text waiting for a community admin.
#[derive(SimpleObject)]
pub struct ModerationItem {
    /// The report (`rpt_…`), comment (`cmt_…`) or timeline event (`evt_…`) that holds the text; pass it to
    /// `moderateContent`.
    id: ID,
    /// REPORT (its description), COMMENT or EVENT (a reason or note).
    kind: &'static str,
    /// The report it belongs to.
    report_id: ID,
    /// The text.
    text: String,
    /// REVIEW (WeChat asks for a person) or PENDING (WeChat could not be reached yet).
    moderation: Moderation,
    /// When it was written.
    at: DateTime<Utc>,
}

impl From<QueueItem> for ModerationItem {
    fn from(i: QueueItem) -> Self {
        let (kind, k) = match i.kind {
            Target::Report => ("REPORT", Kind::Report),
            Target::Comment => ("COMMENT", Kind::Comment),
            Target::Event => ("EVENT", Kind::ReportEvent),
        };
        ModerationItem {
            id: encode(k, i.id),
            kind,
            report_id: encode(Kind::Report, i.report_id),
            text: i.text,
            moderation: i.moderation,
            at: i.at,
        }
    }
}

/// Moderation queries.
#[derive(Default)]
pub struct ModerationQuery;

#[Object]
impl ModerationQuery {
    /// Community admins: texts in their communities under review or not yet checked, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn moderation_queue(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<ModerationItem>> {
        let p = content::queue(state(ctx), actor(ctx), page_args(first, after)?).await?;
        Ok(connection(p, |i| i.id, ModerationItem::from))
    }
}

/// Moderation mutations.
#[derive(Default)]
pub struct ModerationMutation;

#[Object]
impl ModerationMutation {
    /// A community admin (or a street or district admin above) approves a text under review (shown to everyone
    /// who may see its report) or rejects it (hidden from all but its author and the admins). `id` is the report,
    /// comment or timeline event that holds it.
    async fn moderate_content(&self, ctx: &Context<'_>, id: ID, approve: bool) -> Result<Moderation> {
        let (kind, uuid) = decode_any(&id, "id")?;
        let target = match kind {
            Kind::Report => Target::Report,
            Kind::Comment => Target::Comment,
            Kind::ReportEvent => Target::Event,
            _ => {
                return Err(AppError::bad_input(
                    "id",
                    msg!("只能审核报告、评论或进展记录", "Only a report, a comment or a timeline event can be moderated"),
                )
                .into());
            }
        };
        Ok(content::moderate(state(ctx), actor(ctx), target, uuid, approve).await?)
    }
}
