//! Every action on an existing report. One path for all of them: load, work out the actor's standing, ask the
//! machine, check the action's own input, then one conditional UPDATE (on the version) plus its timeline event in
//! a single transaction. Two actors at once: exactly one UPDATE matches, the other gets CONFLICT.
use chrono::{DateTime, Duration, Utc};
use entity::{report, report_comment, report_event};
use sea_orm::{
    ActiveModelTrait, ExprTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, SimpleExpr},
};
use uuid::Uuid;

use super::machine::{self, Action, Facts, Party, Refusal, Status};
use super::{Standing, role_label};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::service::{content, media, notify, property, validate};
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
pub async fn load_visible(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<(report::Model, Standing)> {
    let rows = crate::service::rows::raw(&state.db, &report::Entity::find_by_id(id)).await?;
    let r = crate::service::rows::one::<report::Model>(&rows)?.pop().ok_or_else(not_found)?;
    let st = super::standing_of(state, actor, &r).await?;
    if !st.can_view {
        return Err(not_found());
    }
    Ok((r, st))
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

/// The current status of a stored report.
pub fn status_of(r: &report::Model) -> AppResult<Status> {
    Status::parse(&r.status).ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown report status {}", r.status)))
}

fn refused(refusal: Refusal, current: Status, r: &report::Model) -> AppError {
    match refusal {
        Refusal::NotAllowed => AppError::forbidden(),
        Refusal::WrongStatus => AppError::StatusConflict {
            current: current.as_str().to_owned(),
            msg: msg!("报告当前状态为 {}，不能执行此操作", "The report is {} now; this action is not possible", current.as_str()),
        },
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
        _ => {
            return Err(AppError::bad_input(
                "photoIds",
                msg!("只有处理完成或重新打开时可以附照片", "Photos go only with resolving or reopening a report"),
            ));
        }
    };
    let mut text = note("note", &input.note)?;
    match action {
        Action::Reject | Action::Reopen => {
            let reason = input.reason.as_deref().unwrap_or_default();
            text = Some(validate::text_multiline("reason", reason, 2, 500)?);
        }
        Action::Cancel => text = note("reason", &input.reason)?,
        Action::Confirm => {
            let rating = input.rating.unwrap_or(0);
            validate::range("rating", rating, 1, 5)?;
            text = note("comment", &input.comment)?;
        }
        _ => {}
    }
    let (r, st) = load_visible(state, actor, id).await?;
    let user = actor.user_id()?;
    let now = Utc::now();
    let current = status_of(&r)?;
    let (party, to) = machine::decide(current, action, &st.parties, facts(&r, now)).map_err(|e| refused(e, current, &r))?;
    // WeChat's content check once the action is known to be allowed (it is a call out).
    let field = match action {
        Action::Reject | Action::Reopen | Action::Cancel => "reason",
        Action::Confirm => "comment",
        _ => "note",
    };
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
            let (o, _) = load_visible(state, actor, original).await.map_err(|e| match e {
                AppError::NotFound(_) => AppError::bad_input("originalId", msg!("原报告不存在", "The original report does not exist")),
                other => other,
            })?;
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
        Action::Urge => sets.push((report::Column::LastUrgedAt, Expr::value(now))),
        Action::Reopen => {
            sets.push((report::Column::ReopenCount, Expr::col(report::Column::ReopenCount).add(1)));
            if r.first_reopened_at.is_none() {
                sets.push((report::Column::FirstReopenedAt, Expr::value(now)));
            }
        }
        Action::Comment => return Err(AppError::Internal(anyhow::anyhow!("comments go through add_comment"))),
        _ => {}
    }
    match to {
        _ if to == current => {}
        Status::Acknowledged => sets.push((report::Column::AcknowledgedAt, Expr::value(now))),
        Status::InProgress if r.started_at.is_none() => sets.push((report::Column::StartedAt, Expr::value(now))),
        Status::Resolved => sets.push((report::Column::ResolvedAt, Expr::value(now))),
        Status::Closed => sets.push((report::Column::ClosedAt, Expr::value(now))),
        Status::Cancelled | Status::Rejected => sets.push((report::Column::EndedAt, Expr::value(now))),
        _ => {}
    }
    let kind = event_kind(action, party);
    let photos = photo_phase.map(|phase| (actor, photos, media::Target::Report { report: r.id, phase }));
    let ev = Event { kind, party, lead: st, actor: Some(user), note: event_note, now, checked };
    apply_attaching(state, &r, current, to, sets, ev, photos).await
}

/// The timeline kind of an action.
pub fn event_kind(action: Action, party: Party) -> &'static str {
    match action {
        Action::Acknowledge => "ACKNOWLEDGED",
        Action::Dispatch => "DISPATCHED",
        Action::StartWork => "STARTED",
        Action::Resolve => "RESOLVED",
        Action::Close if party == Party::System => "AUTO_CLOSED",
        Action::Close => "CLOSED",
        Action::Confirm => "CONFIRMED",
        Action::Reopen => "REOPENED",
        Action::Cancel => "CANCELLED",
        Action::Reject => "REJECTED",
        Action::MarkDuplicate => "DUPLICATE",
        Action::Comment => "COMMENTED",
        Action::Urge => "URGED",
    }
}

/// What goes on the timeline with a change.
pub struct Event {
    /// Timeline kind.
    pub kind: &'static str,
    /// As whom.
    pub party: Party,
    /// The actor's standing (for the head/admin role label).
    pub lead: Standing,
    /// Who (None: the system).
    pub actor: Option<Uuid>,
    /// A note.
    pub note: Option<String>,
    /// When.
    pub now: DateTime<Utc>,
    /// The content check of the note.
    pub checked: content::Checked,
}

/// Writes the change (guarded by the version the decision was made on) and its event in one transaction.
pub async fn apply(
    state: &AppState,
    r: &report::Model,
    from: Status,
    to: Status,
    sets: Vec<(report::Column, SimpleExpr)>,
    ev: Event,
) -> AppResult<report::Model> {
    apply_attaching(state, r, from, to, sets, ev, None).await
}

/// [`apply`], also attaching the actor's photos to the report in the same transaction.
pub async fn apply_attaching(
    state: &AppState,
    r: &report::Model,
    from: Status,
    to: Status,
    mut sets: Vec<(report::Column, SimpleExpr)>,
    ev: Event,
    photos: Option<(&Actor, &[Uuid], media::Target)>,
) -> AppResult<report::Model> {
    let event_id = new_id();
    sets.push((report::Column::Version, Expr::value(r.version + 1)));
    sets.push((report::Column::LastEventId, Expr::value(event_id)));
    sets.push((report::Column::LastEventKind, Expr::value(ev.kind)));
    sets.push((report::Column::LastEventAt, Expr::value(ev.now)));
    if to != from {
        sets.push((report::Column::Status, Expr::value(to.as_str())));
        sets.push((report::Column::WaitingSince, Expr::value(ev.now)));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut update = report::Entity::update_many()
        .filter(report::Column::Id.eq(r.id))
        .filter(report::Column::Version.eq(r.version));
    for (c, v) in sets {
        update = update.col_expr(c, v);
    }
    // PostgreSQL returns the new row with the update (one round trip fewer); SQLite reads it back after commit.
    let returning = state.db.support_returning();
    let updated = if returning {
        update.exec_with_returning(&txn).await?.pop()
    } else if update.exec(&txn).await?.rows_affected == 1 {
        Some(r.clone())
    } else {
        None
    };
    if updated.is_none() {
        drop(txn);
        let now = report::Entity::find_by_id(r.id).one(&state.db).await?.ok_or_else(not_found)?;
        return Err(AppError::StatusConflict {
            msg: msg!(
                "报告刚刚被他人更新（当前状态 {}），请刷新后重试",
                "Someone else just updated this report (now {}); refresh and try again",
                now.status
            ),
            current: now.status,
        });
    }
    insert_event(&txn, event_id, r.id, &ev, from, to).await?;
    if let Some((actor, ids, target)) = photos {
        media::attach(&txn, actor, ids, target).await?;
    }
    ev.checked.enqueue(&txn, content::Target::Event, event_id).await?;
    // The row after the change (PostgreSQL returned it; SQLite reads it inside the transaction).
    let row = match updated {
        Some(row) if returning => row,
        _ => report::Entity::find_by_id(r.id).one(&txn).await?.ok_or_else(not_found)?,
    };
    // Whoever the change concerns is told, in the same transaction (a text still under review is not passed on).
    let note = ev.note.as_deref().filter(|_| ev.checked.moderation == content::Moderation::Pass);
    notify::for_event(&txn, &state.config, &row, ev.kind, ev.actor, note, ev.now).await?;
    // Points the change earns (once per report and reason, however often it is retried).
    crate::service::incentives::on_report_event(&txn, state, &row, ev.kind, ev.actor, ev.party == machine::Party::Head).await?;
    txn.commit().await?;
    Ok(row)
}

async fn insert_event<C: ConnectionTrait>(db: &C, id: Uuid, report: Uuid, ev: &Event, from: Status, to: Status) -> AppResult<()> {
    let changed = from != to;
    report_event::ActiveModel {
        id: Set(id),
        created_at: Set(ev.now),
        kind: Set(ev.kind.into()),
        actor_role: Set(role_label(ev.party, ev.lead.lead_role).into()),
        from_status: Set(changed.then(|| from.as_str().to_owned())),
        to_status: Set(changed.then(|| to.as_str().to_owned())),
        note: Set(ev.note.clone()),
        report_id: Set(report),
        actor_id: Set(ev.actor),
        moderation: Set(ev.checked.moderation.as_str().into()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// `addComment`: the reporter, the heads above, a community admin and the assigned company's staff may comment.
pub async fn add_comment(state: &AppState, actor: &Actor, id: Uuid, body: &str) -> AppResult<report_comment::Model> {
    add_comment_with_photos(state, actor, id, body, &[]).await
}

/// [`add_comment`] with the caller's uploaded `photos` attached to the comment in the same transaction.
pub async fn add_comment_with_photos(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    body: &str,
    photos: &[Uuid],
) -> AppResult<report_comment::Model> {
    let body = validate::text_multiline("body", body, 1, 1000)?;
    media::check_ids(photos)?;
    let (r, st) = load_visible(state, actor, id).await?;
    let current = status_of(&r)?;
    let (party, _) = machine::decide(current, Action::Comment, &st.parties, facts(&r, Utc::now()))
        .map_err(|e| refused(e, current, &r))?;
    let checked = content::check(state, actor, "body", Some(&body), crate::wechat::Scene::Comment).await?;
    let id = new_id();
    let txn = crate::db::begin_write(&state.db).await?;
    let comment = report_comment::ActiveModel {
        id: Set(id),
        created_at: Set(Utc::now()),
        author_role: Set(role_label(party, st.lead_role).into()),
        body: Set(body),
        report_id: Set(r.id),
        author_id: Set(actor.user_id()?),
        moderation: Set(checked.moderation.as_str().into()),
    }
    .insert(&txn)
    .await?;
    checked.enqueue(&txn, content::Target::Comment, id).await?;
    media::attach(&txn, actor, photos, media::Target::Comment { report: r.id, comment: id }).await?;
    if comment.author_id != r.reporter_id {
        let body = if checked.moderation == content::Moderation::Pass { comment.body.clone() } else { String::new() };
        let note = notify::Note { user: r.reporter_id, kind: notify::Kind::NewComment, body, report: Some(r.id), at: comment.created_at };
        notify::write(&txn, &state.config, vec![note]).await?;
    }
    txn.commit().await?;
    Ok(comment)
}
