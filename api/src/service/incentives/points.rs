//! The points ledger: append-only entries, one balance row per user that can never go below zero (a CHECK in the
//! database and conditional updates here), and awards that happen once per (user, reason, source) however often
//! the event that earns them is retried. Everything runs inside the caller's transaction.
use chrono::Utc;
use entity::{points_account, points_entry};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{AppError, AppResult, Refusal};
use crate::ids::new_id;
use crate::msg;
use crate::service::page::{Page, PageArgs};
use crate::state::AppState;

/// Why points moved (stored; each is once per source).
pub mod reason {
    /// A head acknowledged a report within its SLA.
    pub const ACK_IN_SLA: &str = "ACK_IN_SLA";
    /// The resident confirmed the fix of a report the head handled.
    pub const RESOLUTION_CONFIRMED: &str = "RESOLUTION_CONFIRMED";
    /// The resident rated the fix 5 stars.
    pub const FIVE_STAR: &str = "FIVE_STAR";
    /// Won a best-neighbour-head vote.
    pub const VOTE_WIN: &str = "VOTE_WIN";
    /// Spent on a redemption.
    pub const REDEMPTION: &str = "REDEMPTION";
    /// Given back when a redemption was cancelled or expired.
    pub const REDEMPTION_RETURNED: &str = "REDEMPTION_RETURNED";
}

/// Makes sure `user` has an account row (a no-op when it exists, also when two transactions race).
async fn ensure_account<C: ConnectionTrait>(db: &C, user: Uuid) -> AppResult<()> {
    let now = Utc::now();
    let am = points_account::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        balance: Set(0),
        earned: Set(0),
        spent: Set(0),
        updated_at: Set(now),
        user_id: Set(user),
    };
    points_account::Entity::insert(am)
        .on_conflict(OnConflict::column(points_account::Column::UserId).do_nothing().to_owned())
        .exec_without_returning(db)
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

/// Writes the entry for (user, reason, source) unless it exists. Returns the new entry's id, or None when this
/// source already moved this user's points for this reason.
async fn entry_once<C: ConnectionTrait>(db: &C, user: Uuid, reason: &str, source: Uuid, delta: i32) -> AppResult<Option<Uuid>> {
    let id = new_id();
    let am = points_entry::ActiveModel {
        id: Set(id),
        created_at: Set(Utc::now()),
        delta: Set(delta),
        reason: Set(reason.to_owned()),
        source_id: Set(source),
        balance_after: Set(0),
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
    Ok((n == 1).then_some(id))
}

async fn settle_entry<C: ConnectionTrait>(db: &C, entry: Uuid, user: Uuid) -> AppResult<i32> {
    let balance = balance_of(db, user).await?;
    points_entry::Entity::update_many()
        .col_expr(points_entry::Column::BalanceAfter, Expr::value(balance))
        .filter(points_entry::Column::Id.eq(entry))
        .exec(db)
        .await?;
    Ok(balance)
}

/// Awards `points` (> 0) to `user` for `reason` from `source`, once: a second call for the same source changes
/// nothing. Returns whether it awarded.
pub async fn award<C: ConnectionTrait>(db: &C, user: Uuid, reason: &str, source: Uuid, points: i32) -> AppResult<bool> {
    if points <= 0 {
        return Ok(false);
    }
    ensure_account(db, user).await?;
    let Some(entry) = entry_once(db, user, reason, source, points).await? else { return Ok(false) };
    points_account::Entity::update_many()
        .col_expr(points_account::Column::Balance, Expr::col(points_account::Column::Balance).add(points))
        .col_expr(points_account::Column::Earned, Expr::col(points_account::Column::Earned).add(points))
        .col_expr(points_account::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(points_account::Column::UserId.eq(user))
        .exec(db)
        .await?;
    settle_entry(db, entry, user).await?;
    Ok(true)
}

/// Takes `points` (≥ 0) from `user` for `source`: INSUFFICIENT_POINTS when the balance is lower, and nothing
/// changes. The conditional update also locks the user's account row until the transaction ends, so one user's
/// parallel spendings queue up (on SQLite, write transactions are serial anyway).
pub async fn spend<C: ConnectionTrait>(db: &C, user: Uuid, source: Uuid, points: i32) -> AppResult<()> {
    ensure_account(db, user).await?;
    let n = points_account::Entity::update_many()
        .col_expr(points_account::Column::Balance, Expr::col(points_account::Column::Balance).sub(points))
        .col_expr(points_account::Column::Spent, Expr::col(points_account::Column::Spent).add(points))
        .col_expr(points_account::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(points_account::Column::UserId.eq(user))
        .filter(points_account::Column::Balance.gte(points))
        .exec(db)
        .await?;
    if n.rows_affected != 1 {
        return Err(AppError::Refused(
            Refusal::InsufficientPoints,
            msg!("积分不足，需要 {} 分", "Not enough points: {} needed", points),
        ));
    }
    if points > 0 {
        let entry = entry_once(db, user, reason::REDEMPTION, source, -points)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("redemption {source} was already paid")))?;
        settle_entry(db, entry, user).await?;
    }
    Ok(())
}

/// Gives back what `source` (a redemption) spent, once.
pub async fn refund<C: ConnectionTrait>(db: &C, user: Uuid, source: Uuid, points: i32) -> AppResult<()> {
    if points <= 0 {
        return Ok(());
    }
    ensure_account(db, user).await?;
    let Some(entry) = entry_once(db, user, reason::REDEMPTION_RETURNED, source, points).await? else { return Ok(()) };
    points_account::Entity::update_many()
        .col_expr(points_account::Column::Balance, Expr::col(points_account::Column::Balance).add(points))
        .col_expr(points_account::Column::Spent, Expr::col(points_account::Column::Spent).sub(points))
        .col_expr(points_account::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(points_account::Column::UserId.eq(user))
        .exec(db)
        .await?;
    settle_entry(db, entry, user).await?;
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
    let mut q = points_entry::Entity::find().filter(points_entry::Column::UserId.eq(user));
    if let Some(after) = args.after {
        q = q.filter(points_entry::Column::Id.lt(after));
    }
    let mut items = q.order_by_desc(points_entry::Column::Id).limit(args.first + 1).all(&state.db).await?;
    let has_next = items.len() as u64 > args.first;
    items.truncate(args.first as usize);
    Ok(Page { items, has_next, has_previous: args.after.is_some() })
}
