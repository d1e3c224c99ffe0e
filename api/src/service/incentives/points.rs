//! The points ledger: append-only entries, one balance row per user that can never go below zero (a CHECK in the
//! database and conditional updates here), and awards that happen once per (user, reason, source) however often
//! the event that earns them is retried. Everything runs inside the caller's transaction.
use chrono::Utc;
use entity::{points_account, points_entry, report_event};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{AppError, AppResult, Refusal};
use crate::service::events::{Cx, DomainEvent};
use crate::ids::new_id;
use crate::msg;
use crate::service::page::{Page, PageArgs};
use crate::state::AppState;

/// Why points moved (stored in `points_entry.reason`; each is once per source).
pub use entity::enums::PointsReason as Reason;

/// Adds `delta` (may be negative) to `user`'s balance, creating the account when it has none, and returns the new
/// balance. One statement on PostgreSQL (an upsert with RETURNING), two on SQLite. The upsert also holds the
/// account row until the transaction ends, so one user's changes queue up (on SQLite write transactions are serial
/// anyway).
async fn credit<C: ConnectionTrait>(db: &C, user: Uuid, delta: i32, earned: i32, spent: i32) -> AppResult<i32> {
    let now = Utc::now();
    let am = points_account::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        balance: Set(delta),
        earned: Set(earned),
        spent: Set(spent),
        updated_at: Set(now),
        user_id: Set(user),
    };
    let insert = points_account::Entity::insert(am).on_conflict(
        OnConflict::column(points_account::Column::UserId)
            .value(points_account::Column::Balance, Expr::col((points_account::Entity, points_account::Column::Balance)).add(delta))
            .value(points_account::Column::Earned, Expr::col((points_account::Entity, points_account::Column::Earned)).add(earned))
            .value(points_account::Column::Spent, Expr::col((points_account::Entity, points_account::Column::Spent)).add(spent))
            .value(points_account::Column::UpdatedAt, Expr::value(now))
            .to_owned(),
    );
    if db.support_returning() {
        return Ok(insert.exec_with_returning(db).await?.balance);
    }
    insert.exec_without_returning(db).await?;
    balance_of(db, user).await
}

/// Takes back a credit just made in this transaction (the account row exists and is held): a plain update, because
/// an upsert would check its would-be new row, with a negative balance, against the CHECK first.
async fn uncredit<C: ConnectionTrait>(db: &C, user: Uuid, delta: i32, earned: i32, spent: i32) -> AppResult<()> {
    points_account::Entity::update_many()
        .col_expr(points_account::Column::Balance, Expr::col(points_account::Column::Balance).sub(delta))
        .col_expr(points_account::Column::Earned, Expr::col(points_account::Column::Earned).sub(earned))
        .col_expr(points_account::Column::Spent, Expr::col(points_account::Column::Spent).sub(spent))
        .filter(points_account::Column::UserId.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

async fn balance_of<C: ConnectionTrait>(db: &C, user: Uuid) -> AppResult<i32> {
    Ok(points_account::Entity::find()
        .select_only()
        .column(points_account::Column::Balance)
        .filter(points_account::Column::UserId.eq(user))
        .into_tuple::<i32>()
        .one(db)
        .await?
        .unwrap_or(0))
}

/// Writes the entry for (user, reason, source) unless it exists. Returns whether it wrote it (false: this source
/// already moved this user's points for this reason).
async fn entry_once<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    reason: Reason,
    source: Uuid,
    delta: i32,
    balance_after: i32,
) -> AppResult<bool> {
    let am = points_entry::ActiveModel {
        id: Set(new_id()),
        created_at: Set(Utc::now()),
        delta: Set(delta),
        reason: Set(reason),
        source_id: Set(source),
        balance_after: Set(balance_after),
        user_id: Set(user),
    };
    let n = points_entry::Entity::insert(am)
        .on_conflict(
            OnConflict::columns([points_entry::Column::UserId, points_entry::Column::Reason, points_entry::Column::SourceId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(n == 1)
}

/// Awards `points` (> 0) to `user` for `reason` from `source`, once: a second call for the same source changes
/// nothing. Returns whether it awarded. Two statements in the usual case: credit (holding the account row), then
/// the entry with the balance after it; when the entry exists already, the credit is taken back.
pub async fn award<C: ConnectionTrait>(db: &C, user: Uuid, reason: Reason, source: Uuid, points: i32) -> AppResult<bool> {
    if points <= 0 {
        return Ok(false);
    }
    let balance = credit(db, user, points, points, 0).await?;
    if entry_once(db, user, reason, source, points, balance).await? {
        return Ok(true);
    }
    uncredit(db, user, points, points, 0).await?;
    Ok(false)
}

/// Takes `points` (≥ 0) from `user` for `source`: INSUFFICIENT_POINTS when the balance is lower, and nothing
/// changes. The conditional update holds the user's account row until the transaction ends, so one user's
/// parallel spendings queue up and each sees the balance the previous one left.
pub async fn spend<C: ConnectionTrait>(db: &C, user: Uuid, source: Uuid, points: i32) -> AppResult<()> {
    let update = || {
        points_account::Entity::update_many()
            .col_expr(points_account::Column::Balance, Expr::col(points_account::Column::Balance).sub(points))
            .col_expr(points_account::Column::Spent, Expr::col(points_account::Column::Spent).add(points))
            .col_expr(points_account::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(points_account::Column::UserId.eq(user))
            .filter(points_account::Column::Balance.gte(points))
    };
    let mut balance = if db.support_returning() {
        update().exec_with_returning(db).await?.pop().map(|a| a.balance)
    } else if update().exec(db).await?.rows_affected == 1 {
        Some(balance_of(db, user).await?)
    } else {
        None
    };
    if balance.is_none() && points == 0 {
        // A free package for someone without an account yet: create it (which also holds the row).
        balance = Some(credit(db, user, 0, 0, 0).await?);
    }
    let Some(balance) = balance else {
        return Err(AppError::Refused(
            Refusal::InsufficientPoints,
            msg!("积分不足，需要 {} 分", "Not enough points: {} needed", points),
        ));
    };
    if points > 0 && !entry_once(db, user, Reason::Redemption, source, -points, balance).await? {
        return Err(AppError::internal(anyhow::anyhow!("redemption {source} was already paid")));
    }
    Ok(())
}

/// Gives back what `source` (a redemption) spent, once.
pub async fn refund<C: ConnectionTrait>(db: &C, user: Uuid, source: Uuid, points: i32) -> AppResult<()> {
    if points <= 0 {
        return Ok(());
    }
    let balance = credit(db, user, points, 0, -points).await?;
    if !entry_once(db, user, Reason::RedemptionReturned, source, points, balance).await? {
        uncredit(db, user, points, 0, -points).await?;
    }
    Ok(())
}

/// `myPoints`: the caller's account (zeros before the first points).
pub async fn account(state: &AppState, actor: &Actor) -> AppResult<(i32, i32, i32)> {
    let user = actor.user_id()?;
    let a = points_account::Entity::find().filter(points_account::Column::UserId.eq(user)).one(&state.db).await?;
    Ok(a.map(|a| (a.balance, a.earned, a.spent)).unwrap_or((0, 0, 0)))
}

/// The caller's ledger, newest first.
pub async fn ledger(state: &AppState, actor: &Actor, args: PageArgs) -> AppResult<Page<points_entry::Model>> {
    let user = actor.user_id()?;
    let q = points_entry::Entity::find().filter(points_entry::Column::UserId.eq(user));
    crate::service::page::fetch_newest(&state.db, q, points_entry::Column::Id, args).await
}

/// The points subscriber: what a change earns, in its transaction, once per source and reason however often the
/// change is retried. Every statement goes through the change's transaction (`cx.db`), never through the pool.
pub async fn on_event(cx: &Cx<'_>, e: &DomainEvent) -> AppResult<()> {
    let rule = |r: Reason| cx.state.config.points_rules.get(&r).copied().unwrap_or(0);
    match e {
        DomainEvent::ReportActed(c) => {
            use entity::enums::EventKind;
            let r = &c.report;
            match c.kind {
                // A head (not an admin) who acknowledged within the category's time.
                EventKind::Acknowledged if c.party == crate::service::report::machine::Party::Head => {
                    let Some(head) = cx.actor else { return Ok(()) };
                    // In time: before the acknowledgement's due time in the district's business time (the first due
                    // time the report was given; an escalation does not move it for the head who was first asked).
                    let policy = crate::service::sla::Policy::of(cx.state, cx.db, r.category_id, r.urgency, r.community_id).await?;
                    let (_, due) = policy.times(entity::enums::SlaStage::Acknowledge, r.submitted_at);
                    let in_time = r.acknowledged_at.is_some_and(|at| at <= due);
                    if in_time {
                        award(cx.db, head, Reason::AckInSla, r.id, rule(Reason::AckInSla)).await?;
                    }
                }
                EventKind::Confirmed => {
                    // The head who took the report up is the one rewarded for its confirmed fix.
                    let head = report_event::Entity::find()
                        .filter(report_event::Column::ReportId.eq(r.id))
                        .filter(report_event::Column::Kind.eq(EventKind::Acknowledged))
                        .order_by_asc(report_event::Column::Id)
                        .one(cx.db)
                        .await?
                        .and_then(|e| e.actor_id);
                    if let Some(head) = head {
                        award(cx.db, head, Reason::ResolutionConfirmed, r.id, rule(Reason::ResolutionConfirmed)).await?;
                        if r.rating == Some(5) {
                            award(cx.db, head, Reason::FiveStar, r.id, rule(Reason::FiveStar)).await?;
                        }
                    }
                }
                EventKind::Acknowledged
                | EventKind::Submitted
                | EventKind::Dispatched
                | EventKind::Started
                | EventKind::Resolved
                | EventKind::Closed
                | EventKind::AutoClosed
                | EventKind::Reopened
                | EventKind::Cancelled
                | EventKind::Rejected
                | EventKind::Duplicate
                | EventKind::Urged
                | EventKind::Escalated
                | EventKind::Merged => {}
            }
        }
        DomainEvent::VotePeriodClosed { period, winners, .. } => {
            for head in winners {
                award(cx.db, *head, Reason::VoteWin, *period, rule(Reason::VoteWin)).await?;
            }
        }
        // Nothing else earns points.
        _ => {}
    }
    Ok(())
}
