//! Every action on an existing report. One path for all of them: load, work out the actor's standing, ask the
//! machine, check the action's own input, then one conditional UPDATE (on the version) and the change's domain
//! event in a single transaction; the event's subscribers write the timeline step, the notifications and the
//! points. Two actors at once: exactly one UPDATE matches, the other gets CONFLICT.
use chrono::{DateTime, Duration, Utc};
use entity::enums::{EscalationReason, EventKind};
use entity::{report, report_comment};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter,
    sea_query::{Expr, SimpleExpr},
};
use uuid::Uuid;

use super::machine::{self, Action, Facts, Party, Refusal, Status};
use super::view::ReportView;
use super::{Standing, role_label};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::service::events::{Change, CommentAdded, DomainEvent, ReportChange};
use crate::service::{content, media, property, sla, validate};
use crate::state::AppState;

/// The action-specific input.
#[derive(Clone, Debug, Default)]
pub struct Input {
    /// A note for the timeline (acknowledge, dispatch, start, resolve, close), ≤ 500 characters.
    pub note: Option<String>,
    /// The reason (reject, reopen: required; cancel: optional), ≤ 500 characters.
    pub reason: Option<String>,
    /// The rating, 1..=5 (confirm).
    pub rating: Option<i32>,
    /// The resident's comment on the fix (confirm), ≤ 500 characters.
    pub comment: Option<String>,
    /// The original report (markDuplicate).
    pub original: Option<Uuid>,
}

/// A report and the acting user's standing toward it; NOT_FOUND if they may not see it.
pub async fn load_visible(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ReportView> {
    let rows = crate::service::rows::raw(&state.db, &report::Entity::find_by_id(id)).await?;
    let r = crate::service::rows::one::<report::Model>(&rows)?.pop().ok_or_else(not_found)?;
    let view = ReportView::of(state, actor, std::sync::Arc::new(r)).await?;
    if !view.standing.can_view {
        return Err(not_found());
    }
    Ok(view)
}

/// NOT_FOUND for reports.
pub fn not_found() -> AppError {
    AppError::not_found("报告", "Report")
}

/// The facts the machine needs about `r` at `now`.
pub fn facts(r: &report::Model, now: DateTime<Utc>) -> Facts {
    Facts {
        has_company: r.company_id.is_some(),
        confirmed: r.confirmed_at.is_some(),
        urged_recently: r.last_urged_at.is_some_and(|t| now - t < Duration::hours(24)),
    }
}

fn refused(refusal: Refusal, current: Status, r: &report::Model) -> AppError {
    match refusal {
        Refusal::NotAllowed => AppError::denied(crate::error::Denied::NotAParty),
        Refusal::WrongStatus => {
            let current = current.to_value();
            AppError::StatusConflict {
                msg: msg!("报告当前状态为 {}，不能执行此操作", "The report is {} now; this action is not possible", current),
                current,
            }
        }
        Refusal::TooSoon => {
            let next = r.last_urged_at.map(|t| t + Duration::hours(24)).unwrap_or_else(Utc::now);
            AppError::RateLimited(msg!(
                "24 小时内只能催办一次，{} 后可再次催办",
                "You can urge once every 24 hours; next after {}",
                next.format("%Y-%m-%d %H:%M UTC")
            ))
        }
    }
}

fn note(field: &'static str, v: &Option<String>) -> AppResult<Option<String>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Ok(Some(validate::text_multiline(field, s, 1, 500)?)),
    }
}

/// Does `action` to report `id` as `actor`.
pub async fn act(state: &AppState, actor: &Actor, id: Uuid, action: Action, input: Input) -> AppResult<report::Model> {
    act_with_photos(state, actor, id, action, input, &[]).await
}

/// [`act`] with the caller's uploaded `photos` attached in the same transaction: AFTER photos on resolve, BEFORE
/// photos on reopen (the problem as it still is). Other actions take no photos.
pub async fn act_with_photos(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    action: Action,
    input: Input,
    photos: &[Uuid],
) -> AppResult<report::Model> {
    // Input first: a malformed call changes nothing and reveals nothing.
    media::check_ids(photos)?;
    let photo_phase = match action {
        _ if photos.is_empty() => None,
        Action::Resolve => Some(media::Phase::After),
        Action::Reopen => Some(media::Phase::Before),
        Action::Acknowledge
        | Action::Dispatch
        | Action::StartWork
        | Action::Close
        | Action::Confirm
        | Action::Cancel
        | Action::Reject
        | Action::MarkDuplicate
        | Action::Comment
        | Action::Urge => {
            return Err(AppError::bad_input(
                "photoIds",
                msg!("只有处理完成或重新打开时可以附照片", "Photos go only with resolving or reopening a report"),
            ));
        }
    };
    // The text an action carries, checked for its length, and the argument it came in.
    let (text, field) = match action {
        Action::Reject | Action::Reopen => {
            let reason = input.reason.as_deref().unwrap_or_default();
            (Some(validate::text_multiline("reason", reason, 2, 500)?), "reason")
        }
        Action::Cancel => (note("reason", &input.reason)?, "reason"),
        Action::Confirm => {
            validate::range("rating", input.rating.unwrap_or(0), 1, 5)?;
            (note("comment", &input.comment)?, "comment")
        }
        Action::Acknowledge
        | Action::Dispatch
        | Action::StartWork
        | Action::Resolve
        | Action::Close
        | Action::MarkDuplicate
        | Action::Urge => (note("note", &input.note)?, "note"),
        Action::Comment => return Err(AppError::internal(anyhow::anyhow!("comments go through add_comment"))),
    };
    let view = load_visible(state, actor, id).await?;
    let (r, st) = (&view.row, &view.standing);
    let user = actor.user_id()?;
    let now = state.clock.now();
    let current = r.status;
    let (party, to) = machine::decide(current, action, &st.parties, facts(r, now)).map_err(|e| refused(e, current, r))?;
    // WeChat's content check once the action is known to be allowed (it is a call out).
    let checked = content::check(state, actor, field, text.as_deref(), crate::wechat::Scene::Comment).await?;

    let mut sets: Vec<(report::Column, SimpleExpr)> = Vec::new();
    let mut event_note = text.clone();
    match action {
        Action::Dispatch => {
            let company = property::current_manager(state, r.compound_id).await?.ok_or_else(|| {
                AppError::Conflict(msg!(
                    "该小区目前没有物业公司，无法派单",
                    "No property company manages this compound now; the report cannot be dispatched"
                ))
            })?;
            sets.push((report::Column::CompanyId, Expr::value(company.id)));
            if r.dispatched_at.is_none() {
                sets.push((report::Column::DispatchedAt, Expr::value(now)));
            }
        }
        Action::MarkDuplicate => {
            let original = input.original.ok_or_else(|| {
                AppError::bad_input("originalId", msg!("请指明原报告", "Name the original report"))
            })?;
            let o = load_visible(state, actor, original).await.map_err(|e| match e {
                AppError::NotFound(_) => AppError::bad_input("originalId", msg!("原报告不存在", "The original report does not exist")),
                other => other,
            })?;
            let o = &o.row;
            if o.id == r.id || o.compound_id != r.compound_id || o.duplicate_of.is_some() {
                return Err(AppError::bad_input(
                    "originalId",
                    msg!("原报告必须是同一小区的另一份报告", "The original must be another report of the same compound"),
                ));
            }
            sets.push((report::Column::DuplicateOf, Expr::value(o.id)));
            sets.push((report::Column::EndedAt, Expr::value(now)));
            event_note = Some(crate::ids::encode(Kind::Report, o.id).0);
        }
        Action::Confirm => {
            sets.push((report::Column::ConfirmedAt, Expr::value(now)));
            sets.push((report::Column::Rating, Expr::value(input.rating)));
            sets.push((report::Column::RatingComment, Expr::value(text.clone())));
            event_note = Some(format!("{}★{}", input.rating.unwrap_or(0), text.map(|t| format!(" {t}")).unwrap_or_default()));
        }
        Action::Urge => {
            sets.push((report::Column::LastUrgedAt, Expr::value(now)));
            sets.push((report::Column::SlaUrges, Expr::col(report::Column::SlaUrges).add(1)));
        }
        Action::Reopen => {
            sets.push((report::Column::ReopenCount, Expr::col(report::Column::ReopenCount).add(1)));
            if r.first_reopened_at.is_none() {
                sets.push((report::Column::FirstReopenedAt, Expr::value(now)));
            }
        }
        Action::Acknowledge
        | Action::StartWork
        | Action::Resolve
        | Action::Close
        | Action::Cancel
        | Action::Reject
        | Action::Comment => {}
    }
    if to != current {
        match to {
            Status::Acknowledged => sets.push((report::Column::AcknowledgedAt, Expr::value(now))),
            Status::InProgress if r.started_at.is_none() => sets.push((report::Column::StartedAt, Expr::value(now))),
            Status::Resolved => sets.push((report::Column::ResolvedAt, Expr::value(now))),
            Status::Closed => sets.push((report::Column::ClosedAt, Expr::value(now))),
            Status::Cancelled | Status::Rejected => sets.push((report::Column::EndedAt, Expr::value(now))),
            Status::InProgress | Status::Submitted | Status::Dispatched | Status::Duplicate | Status::Reopened => {}
        }
    }
    if to != current {
        // The clocks of the new stage, written by the same UPDATE as the status.
        let policy = sla::Policy::of(state, &state.db, r.category_id, r.urgency, r.community_id).await?;
        sets.extend(sla::on_status(&policy, r, to, now));
    }
    // A second urge on a stage already past due takes it up a level at once.
    let escalate = (action == Action::Urge && r.sla_breached && r.sla_urges >= 1).then_some(EscalationReason::Urged);
    let kind = event_kind(action, party).ok_or_else(|| AppError::internal(anyhow::anyhow!("{action:?} is no timeline step")))?;
    let step = Step { kind, party, lead: st.clone(), note: event_note, checked, escalate };
    let photos = photo_phase.map(|phase| (actor, photos, media::Target::Report { report: r.id, phase }));
    apply(state, r, to, sets, step, Some(user), now, photos).await
}

/// The timeline kind of an action (none for a comment: comments are not timeline steps).
pub fn event_kind(action: Action, party: Party) -> Option<EventKind> {
    Some(match action {
        Action::Acknowledge => EventKind::Acknowledged,
        Action::Dispatch => EventKind::Dispatched,
        Action::StartWork => EventKind::Started,
        Action::Resolve => EventKind::Resolved,
        Action::Close if party == Party::System => EventKind::AutoClosed,
        Action::Close => EventKind::Closed,
        Action::Confirm => EventKind::Confirmed,
        Action::Reopen => EventKind::Reopened,
        Action::Cancel => EventKind::Cancelled,
        Action::Reject => EventKind::Rejected,
        Action::MarkDuplicate => EventKind::Duplicate,
        Action::Urge => EventKind::Urged,
        Action::Comment => return None,
    })
}

/// What goes on the timeline with a change.
pub struct Step {
    /// Timeline kind.
    pub kind: EventKind,
    /// As whom.
    pub party: Party,
    /// The actor's standing (for the head/admin role label).
    pub lead: Standing,
    /// A note.
    pub note: Option<String>,
    /// The content check of the note.
    pub checked: content::Checked,
    /// Escalate in the same change, after the step (a second urge on a breached stage).
    pub escalate: Option<EscalationReason>,
}

/// Writes the change (guarded by the version the decision was made on, `r.version`) and says what happened, in
/// one transaction: the event's subscribers write the timeline step, the notifications and the points. `actor`
/// is who did it (none: the system), `photos` the caller's photos to attach with it.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    state: &AppState,
    r: &report::Model,
    to: Status,
    mut sets: Vec<(report::Column, SimpleExpr)>,
    step: Step,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
    photos: Option<(&Actor, &[Uuid], media::Target)>,
) -> AppResult<report::Model> {
    let from = r.status;
    let event_id = new_id();
    sets.push((report::Column::Version, Expr::value(r.version + 1)));
    sets.push((report::Column::LastEventId, Expr::value(event_id)));
    sets.push((report::Column::LastEventKind, Expr::value(step.kind)));
    sets.push((report::Column::LastEventAt, Expr::value(now)));
    if to != from {
        sets.push((report::Column::Status, Expr::value(to)));
        sets.push((report::Column::WaitingSince, Expr::value(now)));
    }
    let mut change = Change::begin_at(state, actor, now).await?;
    let mut update = report::Entity::update_many()
        .filter(report::Column::Id.eq(r.id))
        .filter(report::Column::Version.eq(r.version));
    for (c, v) in sets {
        update = update.col_expr(c, v);
    }
    // PostgreSQL returns the new row with the update (one round trip fewer); SQLite reads it back in the
    // transaction.
    let returning = state.db.support_returning();
    let updated = if returning {
        crate::service::rows::update_returning(change.db(), update).await?.pop()
    } else if update.exec(change.db()).await?.rows_affected == 1 {
        Some(r.clone())
    } else {
        None
    };
    if updated.is_none() {
        drop(change);
        let now = report::Entity::find_by_id(r.id).one(&state.db).await?.ok_or_else(not_found)?;
        let current = now.status.to_value();
        return Err(AppError::StatusConflict {
            msg: msg!(
                "报告刚刚被他人更新（当前状态 {}），请刷新后重试",
                "Someone else just updated this report (now {}); refresh and try again",
                current
            ),
            current,
        });
    }
    if let Some((actor, ids, target)) = photos {
        media::attach(change.db(), actor, ids, target).await?;
    }
    step.checked.enqueue(change.db(), content::Target::Event, event_id).await?;
    let row = match updated {
        Some(row) if returning => row,
        _ => report::Entity::find_by_id(r.id).one(change.db()).await?.ok_or_else(not_found)?,
    };
    let note_moderation = step.checked.moderation;
    let event = ReportChange {
        report: row,
        event_id,
        kind: step.kind,
        from: Some(from),
        to,
        party: step.party,
        role: role_label(step.party, step.lead.lead_role),
        note_moderation,
        note: step.note,
        escalation: None,
        holders: None,
    };
    change.emit(DomainEvent::ReportActed(event.clone())).await?;
    let mut row = event.report;
    if let Some(reason) = step.escalate {
        if let Some(up) = sla::escalate(&mut change, state, &row, reason, now).await? {
            row = up;
        }
    }
    change.commit().await?;
    Ok(row)
}

/// `addComment`: the reporter, the heads above, a community admin and the assigned company's staff may comment.
pub async fn add_comment(state: &AppState, actor: &Actor, id: Uuid, body: &str) -> AppResult<(report_comment::Model, ReportView)> {
    add_comment_with_photos(state, actor, id, body, &[]).await
}

/// [`add_comment`] with the caller's uploaded `photos` attached to the comment in the same transaction. Returns the
/// comment with the report as the caller sees it.
pub async fn add_comment_with_photos(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    body: &str,
    photos: &[Uuid],
) -> AppResult<(report_comment::Model, ReportView)> {
    let body = validate::text_multiline("body", body, 1, 1000)?;
    media::check_ids(photos)?;
    let view = load_visible(state, actor, id).await?;
    let (r, st) = (&view.row, &view.standing);
    let current = r.status;
    let (party, _) = machine::decide(current, Action::Comment, &st.parties, facts(r, Utc::now()))
        .map_err(|e| refused(e, current, r))?;
    let checked = content::check(state, actor, "body", Some(&body), crate::wechat::Scene::Comment).await?;
    let (id, author) = (new_id(), actor.user_id()?);
    let mut change = Change::begin(state, Some(author)).await?;
    let comment = report_comment::Model {
        id,
        created_at: change.at(),
        author_role: role_label(party, st.lead_role),
        body,
        report_id: r.id,
        author_id: author,
        moderation: checked.moderation,
    };
    let am: report_comment::ActiveModel = comment.clone().into();
    report_comment::Entity::insert(am).exec_without_returning(change.db()).await?;
    checked.enqueue(change.db(), content::Target::Comment, id).await?;
    media::attach(change.db(), actor, photos, media::Target::Comment { report: r.id, comment: id }).await?;
    change
        .emit(DomainEvent::CommentAdded(CommentAdded {
            report: (**r).clone(),
            comment: id,
            author,
            role: comment.author_role,
            moderation: checked.moderation,
            body: comment.body.clone(),
        }))
        .await?;
    change.commit().await?;
    Ok((comment, view))
}

