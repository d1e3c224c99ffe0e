//! The best-neighbour-head vote (最美邻长评选). An admin opens a period for a community or street; each verified
//! resident living there votes once for a head of their own community (a unique key settles a double tap); the
//! leaderboard is live while the period is open and frozen into `vote_result` when it closes (by the admin, or by
//! the job once it is due, whichever comes first, exactly once); the winners get the VOTE_WIN points in the same
//! transaction. Heads tied at the last winning place all win.
use chrono::{DateTime, Utc};
use entity::enums::{ScopeKind, VoteStatus};
use entity::{app_user, appointment, residence, vote, vote_period, vote_result};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::auth::{Actor, HEAD_ROLES, Role, RoleScope};
use crate::error::{AppError, AppResult, Constraint, Refusal};
use crate::service::audit::{Acted, Scope};
use crate::service::events::{self, Change, DomainEvent};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::service::page::{Page, PageArgs};
use crate::service::{authz, places, validate};
use crate::state::AppState;

/// One line of a leaderboard.
#[derive(Clone, Debug)]
pub struct Standing {
    /// The head.
    pub head: app_user::Model,
    /// Votes.
    pub votes: i64,
    /// 1 = most votes (ties share a rank).
    pub rank: i64,
    /// Won (only once the period is closed).
    pub winner: bool,
}

/// One vote per resident and period (migration 000011).
const ONE_VOTE: Constraint = Constraint { name: "ux_vote_period_id_voter_id", columns: "vote.period_id, vote.voter_id" };

fn nf() -> AppError {
    places::not_found(Kind::VotePeriod)
}

fn scope_kind(p: &vote_period::Model) -> Kind {
    super::unit_of(p.scope_kind)
}

/// Whether `community` lies in the period's scope.
async fn in_scope<C: ConnectionTrait>(db: &C, p: &vote_period::Model, community: Uuid) -> AppResult<bool> {
    match p.scope_kind {
        ScopeKind::Community => Ok(community == p.scope_id),
        ScopeKind::Street => Ok(places::of(db, Kind::Community, community).await?.street == Some(p.scope_id)),
        ScopeKind::District => Ok(places::of(db, Kind::Community, community).await?.district == p.scope_id),
    }
}

/// `openVotePeriod`: admins over a community or street open a period until `closes_at`.
pub async fn open(
    state: &AppState,
    actor: &Actor,
    scope_kind: Kind,
    scope: Uuid,
    title: &str,
    closes_at: DateTime<Utc>,
    winners: i32,
) -> AppResult<vote_period::Model> {
    let user = actor.user_id()?;
    let title = validate::text("title", title, 64)?;
    validate::range("winners", winners, 1, 100)?;
    let now = Utc::now();
    if closes_at <= now + chrono::Duration::minutes(1) || closes_at > now + chrono::Duration::days(366) {
        return Err(AppError::bad_input("closesAt", msg!("结束时间须在一分钟后、一年以内", "closesAt must be between a minute and a year from now")));
    }
    let stored = match scope_kind {
        Kind::Community => ScopeKind::Community,
        Kind::Street => ScopeKind::Street,
        _ => return Err(AppError::bad_input("scopeId", msg!("评选范围只能是社区或街道", "A vote is for a community or a street"))),
    };
    let of = authz::require_admin_of(state, actor, scope_kind, scope).await?;
    let by = Acted::new(Some(of.level.role()), Scope::of(scope_kind, scope, &of.place))
        .after(serde_json::json!({ "title": title, "closesAt": closes_at, "winners": winners }));
    let am = vote_period::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        title: Set(title),
        scope_kind: Set(stored),
        scope_id: Set(scope),
        opens_at: Set(now),
        closes_at: Set(closes_at),
        winners: Set(winners),
        status: Set(VoteStatus::Open),
        closed_at: Set(None),
        created_by: Set(user),
    };
    let event = |p: &vote_period::Model| DomainEvent::VotePeriodOpened { period: p.id, by };
    events::insert_new(state, Some(user), am, AppError::from, event).await
}

/// The communities the caller lives in (verified homes).
async fn home_communities(state: &AppState, user: Uuid) -> AppResult<Vec<Uuid>> {
    crate::service::people::verified(state, user, residence::Column::CommunityId).await
}

/// The communities where `head` is a head now.
async fn head_communities(state: &AppState, head: Uuid) -> AppResult<Vec<Uuid>> {
    let now = Utc::now();
    let grants = appointment::Entity::find()
        .filter(appointment::Column::UserId.eq(head))
        .filter(appointment::Column::Role.is_in(HEAD_ROLES))
        .filter(crate::service::people::in_force(now))
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for g in grants {
        out.extend(places::of(&state.db, g.role.scope_kind(), g.scope_id).await?.community);
    }
    Ok(out)
}

/// Whether the caller may see the period: residents living in its scope and admins over it.
async fn visible(state: &AppState, actor: &Actor, p: &vote_period::Model) -> AppResult<bool> {
    let user = actor.user_id()?;
    for c in home_communities(state, user).await? {
        if in_scope(&state.db, p, c).await? {
            return Ok(true);
        }
    }
    let place = places::of(&state.db, scope_kind(p), p.scope_id).await?;
    Ok(authz::is_admin_over(&*actor.roles(state).await?, &place))
}

/// A period the caller may see.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<vote_period::Model> {
    let p = vote_period::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(nf)?;
    if !visible(state, actor, &p).await? {
        return Err(nf());
    }
    Ok(p)
}

/// `voteForHead`: a verified resident living in the period's scope votes for a head of their own community, once.
pub async fn cast(state: &AppState, actor: &Actor, period: Uuid, head: Uuid) -> AppResult<vote::Model> {
    let user = actor.user_id()?;
    let p = get(state, actor, period).await?;
    let now = Utc::now();
    if p.status != VoteStatus::Open || now >= p.closes_at {
        return Err(AppError::Refused(Refusal::VotingClosed, msg!("投票已结束", "Voting has closed")));
    }
    let mut mine = Vec::new();
    for c in home_communities(state, user).await? {
        if in_scope(&state.db, &p, c).await? {
            mine.push(c);
        }
    }
    let Some(community) = head_communities(state, head).await?.into_iter().find(|c| mine.contains(c)) else {
        return Err(AppError::bad_input(
            "headId",
            msg!("只能投给您所在社区的邻长、组长或片长", "You can vote only for a head of your own community"),
        ));
    };
    let mut change = Change::begin_at(state, Some(user), now).await?;
    let row = vote::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        community_id: Set(community),
        period_id: Set(p.id),
        voter_id: Set(user),
        head_id: Set(head),
    }
    .insert(change.db())
    .await
    .map_err(|e| {
        AppError::on_constraint(e, &ONE_VOTE, || {
            AppError::Refused(Refusal::AlreadyVoted, msg!("本期您已经投过票了", "You have already voted in this period"))
        })
    })?;
    change.emit(DomainEvent::VoteCast { period: p.id, head }).await?;
    change.commit().await?;
    Ok(row)
}

/// The caller's vote in a period, if any.
pub async fn my_vote(state: &AppState, actor: &Actor, period: Uuid) -> AppResult<Option<vote::Model>> {
    Ok(vote::Entity::find()
        .filter(vote::Column::PeriodId.eq(period))
        .filter(vote::Column::VoterId.eq(actor.user_id()?))
        .one(&state.db)
        .await?)
}

async fn live_counts<C: ConnectionTrait>(db: &C, period: Uuid, limit: u64) -> AppResult<Vec<(Uuid, i64)>> {
    Ok(vote::Entity::find()
        .select_only()
        .column(vote::Column::HeadId)
        .column_as(vote::Column::Id.count(), "n")
        .filter(vote::Column::PeriodId.eq(period))
        .group_by(vote::Column::HeadId)
        .order_by_desc(Expr::col(vote::Column::Id).count())
        .order_by_asc(vote::Column::HeadId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// Ranks sorted counts: equal counts share a rank (1, 1, 3, …).
fn ranked(counts: &[(Uuid, i64)]) -> Vec<(Uuid, i64, i64)> {
    let mut out = Vec::with_capacity(counts.len());
    for (i, (head, n)) in counts.iter().enumerate() {
        let rank = match out.last() {
            Some((_, prev_n, prev_rank)) if prev_n == n => *prev_rank,
            _ => i as i64 + 1,
        };
        out.push((*head, *n, rank));
    }
    out
}

/// The leaderboard: live counts while open, the frozen results once closed. Top `first`.
pub async fn leaderboard(state: &AppState, p: &vote_period::Model, first: u64) -> AppResult<Vec<Standing>> {
    let rows: Vec<(Uuid, i64, i64, bool)> = if p.status == VoteStatus::Closed {
        vote_result::Entity::find()
            .filter(vote_result::Column::PeriodId.eq(p.id))
            .order_by_asc(vote_result::Column::Rank)
            .order_by_asc(vote_result::Column::HeadId)
            .limit(first)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|r| (r.head_id, r.votes as i64, r.rank as i64, r.winner))
            .collect()
    } else {
        ranked(&live_counts(&state.db, p.id, first).await?).into_iter().map(|(h, n, r)| (h, n, r, false)).collect()
    };
    let users = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(rows.iter().map(|r| r.0).collect::<Vec<_>>()))
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(h, votes, rank, winner)| {
            users.iter().find(|u| u.id == h).map(|u| Standing { head: u.clone(), votes, rank, winner })
        })
        .collect())
}

/// Closes `p` once (whoever gets there first): freezes every head's count and rank, marks the winners (ties at
/// the last winning rank all win) and gives them their points, in one transaction. Returns whether it closed it.
/// `by`: the admin who closed it (none: it closed on time).
async fn close_once(state: &AppState, actor: Option<Uuid>, p: &vote_period::Model, by: Option<Acted>) -> AppResult<bool> {
    let mut change = Change::begin(state, actor).await?;
    let now = change.at();
    let txn = change.db();
    let n = vote_period::Entity::update_many()
        .col_expr(vote_period::Column::Status, Expr::value(VoteStatus::Closed))
        .col_expr(vote_period::Column::ClosedAt, Expr::value(now))
        .filter(vote_period::Column::Id.eq(p.id))
        .filter(vote_period::Column::Status.eq(VoteStatus::Open))
        .exec(txn)
        .await?;
    if n.rows_affected != 1 {
        return Ok(false);
    }
    let counts = live_counts(txn, p.id, u64::MAX >> 1).await?;
    let mut winners = Vec::new();
    for (head, votes, rank) in ranked(&counts) {
        let winner = rank <= p.winners as i64;
        vote_result::ActiveModel {
            id: Set(new_id()),
            created_at: Set(now),
            votes: Set(votes as i32),
            rank: Set(rank as i32),
            winner: Set(winner),
            period_id: Set(p.id),
            head_id: Set(head),
        }
        .insert(txn)
        .await?;
        if winner {
            winners.push(head);
        }
    }
    // The winners' points are the event's points subscriber.
    let by = by.map(|b| {
        b.before(serde_json::json!({ "status": p.status, "closesAt": p.closes_at }))
            .after(serde_json::json!({ "status": VoteStatus::Closed, "closedAt": now, "winners": winners }))
    });
    change.emit(DomainEvent::VotePeriodClosed { period: p.id, winners, by }).await?;
    change.commit().await?;
    Ok(true)
}

/// `closeVotePeriod`: the admins over the scope close a period early (or on time).
pub async fn close(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<vote_period::Model> {
    let p = vote_period::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(nf)?;
    let place = places::of(&state.db, scope_kind(&p), p.scope_id).await?;
    let level = match authz::require_admin_over(&*actor.roles(state).await?, &place) {
        Ok(level) => level,
        Err(refusal) => return Err(if visible(state, actor, &p).await? { refusal } else { nf() }),
    };
    let by = Acted::new(Some(level.role()), Scope::of(scope_kind(&p), p.scope_id, &place));
    if !close_once(state, Some(actor.user_id()?), &p, Some(by)).await? {
        return Err(AppError::StatusConflict { msg: msg!("评选已经结束", "The vote is already closed"), current: "CLOSED".into() });
    }
    vote_period::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(nf)
}

/// Closes the periods that are due. Returns how many this call closed.
pub async fn close_due(state: &AppState) -> AppResult<usize> {
    let open = vote_period::Entity::find().filter(vote_period::Column::Status.eq(VoteStatus::Open));
    let due = crate::service::jobs::due(&state.db, open, vote_period::Column::ClosesAt, Utc::now(), 50).await?;
    let mut n = 0;
    for p in due {
        if close_once(state, None, &p, None).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// `votePeriods`: periods where the caller lives, newest first.
pub async fn periods(state: &AppState, actor: &Actor, args: PageArgs) -> AppResult<Page<vote_period::Model>> {
    let user = actor.user_id()?;
    let mut scopes: Vec<Uuid> = Vec::new();
    for c in home_communities(state, user).await? {
        scopes.push(c);
        scopes.extend(places::of(&state.db, Kind::Community, c).await?.street);
    }
    let roles = actor.roles(state).await?;
    scopes.extend(roles.scopes(Role::CommunityAdmin));
    scopes.extend(roles.scopes(Role::StreetAdmin));
    scopes.sort_unstable();
    scopes.dedup();
    let q = vote_period::Entity::find().filter(vote_period::Column::ScopeId.is_in(scopes));
    crate::service::page::fetch_newest(&state.db, q, vote_period::Column::Id, args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_rank() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let r = ranked(&[(ids[0], 9), (ids[1], 7), (ids[2], 7), (ids[3], 3), (ids[4], 3)]);
        assert_eq!(r.iter().map(|x| x.2).collect::<Vec<_>>(), vec![1, 2, 2, 4, 4]);
    }
}
