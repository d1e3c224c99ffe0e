//! Incentives in GraphQL: points, merchants, incentive packages and redemptions. Adapters only: the rules are in
//! `service::incentives`.
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::enums::{PointsReason, RedemptionStatus};
use entity::{merchant, points_entry, redemption};
use sea_orm::ActiveEnum;

use super::{Conn, actor, arg_id, connection, loaders, page_args, state};
use crate::auth::Role;
use crate::error::{AppError, Refusal};
use crate::ids::{Kind, decode_any, encode};
use crate::msg;
use crate::service::incentives::{self, NewPackage, PackageView, points};
use crate::service::places;

/// A partner merchant.
pub struct Merchant(pub merchant::Model);

#[Object]
impl Merchant {
    /// The opaque global ID.
    pub async fn id(&self) -> ID {
        encode(Kind::Merchant, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Where to go.
    async fn address(&self) -> &str {
        &self.0.address
    }
}

/// The caller's points.
pub struct MyPoints {
    balance: i32,
    earned: i32,
    spent: i32,
}

#[Object]
impl MyPoints {
    /// What can be spent now (never below zero).
    async fn balance(&self) -> i32 {
        self.balance
    }
    /// Earned in all.
    async fn earned(&self) -> i32 {
        self.earned
    }
    /// Spent in all (net of what came back).
    async fn spent(&self) -> i32 {
        self.spent
    }
    /// Every change, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn ledger(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<PointsEntry>> {
        let p = points::ledger(state(ctx), actor(ctx), page_args(first, after)?).await?;
        Ok(connection(p, |e| e.id, PointsEntry))
    }
}

/// One change of a balance.
pub struct PointsEntry(points_entry::Model);

#[Object]
impl PointsEntry {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::PointsEntry, self.0.id)
    }
    /// + earned, − spent.
    async fn delta(&self) -> i32 {
        self.0.delta
    }
    /// ACK_IN_SLA, RESOLUTION_CONFIRMED, FIVE_STAR, VOTE_WIN, REDEMPTION or REDEMPTION_RETURNED.
    async fn reason(&self) -> String {
        self.0.reason.to_value()
    }
    /// The report, vote period or redemption it came from.
    async fn source_id(&self) -> ID {
        let kind = match self.0.reason {
            PointsReason::Redemption | PointsReason::RedemptionReturned => Kind::Redemption,
            PointsReason::VoteWin => Kind::VotePeriod,
            PointsReason::AckInSla | PointsReason::ResolutionConfirmed | PointsReason::FiveStar => Kind::Report,
        };
        encode(kind, self.0.source_id)
    }
    /// The balance after it.
    async fn balance_after(&self) -> i32 {
        self.0.balance_after
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Why a package cannot be redeemed now.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum NotRedeemable {
    /// The caller's roles or place do not qualify.
    NotEligible,
    /// Not open yet.
    NotYetOpen,
    /// The per-person limit is used up.
    LimitReached,
    /// No stock left.
    SoldOut,
    /// Not enough points.
    InsufficientPoints,
}

/// An incentive package as the caller sees it.
pub struct Package(PackageView);

#[Object]
impl Package {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Package, self.0.package.id)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.package.title
    }
    /// What it is and how to use it.
    async fn description(&self) -> &str {
        &self.0.package.description
    }
    /// Where it is redeemed.
    async fn merchant(&self, ctx: &Context<'_>) -> Result<Merchant> {
        // Through the request's loader: a page of packages costs one statement for its merchants.
        let m = loaders(ctx).merchant.load_one(self.0.package.merchant_id).await.map_err(AppError::from)?;
        Ok(Merchant(m.ok_or_else(|| places::not_found(Kind::Merchant))?))
    }
    /// Points it costs (0: free for eligible heads).
    async fn cost_points(&self) -> i32 {
        self.0.package.cost_points
    }
    /// How many there were.
    async fn total_stock(&self) -> i32 {
        self.0.package.total_stock
    }
    /// How many are left.
    async fn remaining_stock(&self) -> i32 {
        self.0.package.remaining_stock
    }
    /// How many one person may hold.
    async fn per_person_limit(&self) -> i32 {
        self.0.package.per_person_limit
    }
    /// Who may redeem it.
    async fn eligible_roles(&self) -> Result<Vec<Role>> {
        Ok(incentives::eligible_roles(&self.0.package)?)
    }
    /// Redeemable from.
    async fn valid_from(&self) -> DateTime<Utc> {
        self.0.package.valid_from
    }
    /// Redeemable until.
    async fn valid_until(&self) -> DateTime<Utc> {
        self.0.package.valid_until
    }
    /// DRAFT, ACTIVE or ENDED.
    async fn status(&self) -> String {
        self.0.package.status.to_value()
    }
    /// Whether the caller may redeem it now.
    async fn redeemable(&self) -> bool {
        self.0.blocked.is_none()
    }
    /// Why not, when not.
    async fn not_redeemable_reason(&self) -> Option<NotRedeemable> {
        self.0.blocked.map(|r| match r {
            Refusal::NotEligible => NotRedeemable::NotEligible,
            Refusal::OutsideValidity => NotRedeemable::NotYetOpen,
            Refusal::LimitReached => NotRedeemable::LimitReached,
            Refusal::SoldOut => NotRedeemable::SoldOut,
            _ => NotRedeemable::InsufficientPoints,
        })
    }
}

/// A redeemed package.
pub struct Redemption(pub redemption::Model);

#[Object]
impl Redemption {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Redemption, self.0.id)
    }
    /// The code to read out at the merchant, grouped for reading (`K7MQ-3XRT`; no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
    async fn code(&self) -> String {
        let (a, b) = self.0.code.split_at(self.0.code.len() / 2);
        format!("{a}-{b}")
    }
    /// What the merchant's scanner reads: the code in a URI the mini-program recognises.
    async fn qr_payload(&self) -> String {
        format!("linli://redeem/{}", self.0.code)
    }
    /// ISSUED, USED, CANCELLED or EXPIRED.
    async fn status(&self) -> String {
        self.0.status.to_value()
    }
    /// Points it cost.
    async fn points(&self) -> i32 {
        self.0.points
    }
    /// Use it before then.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When the merchant took it.
    async fn used_at(&self) -> Option<DateTime<Utc>> {
        self.0.used_at
    }
    /// The package.
    async fn package_id(&self) -> ID {
        encode(Kind::Package, self.0.package_id)
    }
    /// When issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A redemption as the admins over its package see it: never its code (its holder's to show at the merchant) nor
/// who holds it.
pub struct IssuedRedemption(pub redemption::Model);

#[Object]
impl IssuedRedemption {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Redemption, self.0.id)
    }
    /// ISSUED, USED, CANCELLED or EXPIRED.
    async fn status(&self) -> String {
        self.0.status.to_value()
    }
    /// Points it cost.
    async fn points(&self) -> i32 {
        self.0.points
    }
    /// The package.
    async fn package_id(&self) -> ID {
        encode(Kind::Package, self.0.package_id)
    }
    /// When issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Use it before then.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When the merchant took it.
    async fn used_at(&self) -> Option<DateTime<Utc>> {
        self.0.used_at
    }
    /// When it was cancelled or expired.
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended_at
    }
}

/// A redemption status argument.
fn redemption_status(status: Option<String>) -> Result<Option<RedemptionStatus>, AppError> {
    status
        .map(|s| {
            RedemptionStatus::try_from_value(&s).map_err(|_| {
                AppError::bad_input("status", msg!("状态只能是 ISSUED、USED、CANCELLED 或 EXPIRED", "status is ISSUED, USED, CANCELLED or EXPIRED"))
            })
        })
        .transpose()
}

/// A best-neighbour-head voting period.
pub struct VotePeriod(pub entity::vote_period::Model);

/// One head on a leaderboard.
#[derive(async_graphql::SimpleObject)]
pub struct LeaderboardLine {
    /// The head's user ID.
    head_id: ID,
    /// The head's display name.
    head_name: String,
    /// Votes.
    votes: i64,
    /// 1 = most votes; ties share a rank.
    rank: i64,
    /// Won (once the period is closed).
    winner: bool,
}

#[Object]
impl VotePeriod {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::VotePeriod, self.0.id)
    }
    /// Title, e.g. 2026 年度最美邻长.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The community or street it is for.
    async fn scope_id(&self) -> ID {
        encode(incentives::unit_of(self.0.scope_kind), self.0.scope_id)
    }
    /// OPEN or CLOSED.
    async fn status(&self) -> String {
        self.0.status.to_value()
    }
    /// Opened.
    async fn opens_at(&self) -> DateTime<Utc> {
        self.0.opens_at
    }
    /// Closes (or closed) then.
    async fn closes_at(&self) -> DateTime<Utc> {
        self.0.closes_at
    }
    /// How many heads win.
    async fn winners(&self) -> i32 {
        self.0.winners
    }
    /// The head the caller voted for, if they did.
    async fn my_vote(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        let v = incentives::vote::my_vote(state(ctx), actor(ctx), self.0.id).await?;
        Ok(v.map(|v| encode(Kind::User, v.head_id)))
    }
    /// The top heads: live while the period is open, frozen once it is closed.
    async fn leaderboard(&self, ctx: &Context<'_>, #[graphql(default = 10)] first: i32) -> Result<Vec<LeaderboardLine>> {
        if !(1..=100).contains(&first) {
            return Err(AppError::bad_input("first", msg!("first 必须在 1 到 100 之间", "first must be between 1 and 100")).into());
        }
        let rows = incentives::vote::leaderboard(state(ctx), &self.0, first as u64).await?;
        Ok(rows
            .into_iter()
            .map(|r| LeaderboardLine {
                head_id: encode(Kind::User, r.head.id),
                head_name: crate::service::report::view::public_name(&r.head).to_owned(),
                votes: r.votes,
                rank: r.rank,
                winner: r.winner,
            })
            .collect())
    }
}

/// Input of `createIncentivePackage`.
#[derive(InputObject)]
pub struct CreatePackageInput {
    /// Title, ≤ 64 characters.
    pub title: String,
    /// Description, ≤ 2000 characters.
    #[graphql(default)]
    pub description: String,
    /// The merchant (in the same district).
    pub merchant_id: ID,
    /// Points it costs; 0 = free for eligible heads.
    pub cost_points: i32,
    /// Stock.
    pub total_stock: i32,
    /// How many one person may hold (issued or used), default 1.
    #[graphql(default = 1)]
    pub per_person_limit: i32,
    /// Who may redeem it (heads).
    pub eligible_roles: Vec<Role>,
    /// Redeemable from (default now).
    pub valid_from: Option<DateTime<Utc>>,
    /// Redeemable until.
    pub valid_until: DateTime<Utc>,
    /// How long an issued code stays valid, default 72 hours.
    #[graphql(default = 72)]
    pub redeem_valid_hours: i32,
    /// Whose heads: a district, street or community.
    pub scope_id: ID,
    /// Publish at once (ACTIVE) instead of DRAFT.
    #[graphql(default)]
    pub activate: bool,
}

/// Status an admin may set.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PackageStatus {
    /// Open for redemption.
    Active,
    /// Closed for good.
    Ended,
}

/// Incentive queries.
#[derive(Default)]
pub struct IncentiveQuery;

#[Object]
impl IncentiveQuery {
    /// The caller's points and ledger.
    async fn my_points(&self, ctx: &Context<'_>) -> Result<MyPoints> {
        let (balance, earned, spent) = points::account(state(ctx), actor(ctx)).await?;
        Ok(MyPoints { balance, earned, spent })
    }

    /// Active packages offered where the caller is a head, newest first, with whether each is redeemable now.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn incentive_packages(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Package>> {
        let p = incentives::offered(state(ctx), actor(ctx), page_args(first, after)?).await?;
        Ok(connection(p, |v| v.package.id, Package))
    }

    /// Admins: the merchants registered for a district, street or community they administer (for a district, all
    /// of its merchants), newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn merchants(&self, ctx: &Context<'_>, scope_id: ID, first: Option<i32>, after: Option<String>) -> Result<Conn<Merchant>> {
        let (kind, scope) = decode_any(&scope_id, "scopeId")?;
        let p = incentives::merchants_in(state(ctx), actor(ctx), kind, scope, page_args(first, after)?).await?;
        Ok(connection(p, |m| m.id, Merchant))
    }

    /// Admins: the packages within a district, street or community they administer (a street's own and its
    /// communities'), drafts and ended ones too, newest first; `status`: DRAFT, ACTIVE or ENDED.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn managed_packages(
        &self,
        ctx: &Context<'_>,
        scope_id: ID,
        status: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Package>> {
        let (kind, scope) = decode_any(&scope_id, "scopeId")?;
        let status = status
            .map(|s| {
                entity::enums::PackageStatus::try_from_value(&s).map_err(|_| {
                    AppError::bad_input("status", msg!("状态只能是 DRAFT、ACTIVE 或 ENDED", "status is DRAFT, ACTIVE or ENDED"))
                })
            })
            .transpose()?;
        let p = incentives::packages_in(state(ctx), actor(ctx), kind, scope, status, page_args(first, after)?).await?;
        Ok(connection(p, |v| v.package.id, Package))
    }

    /// Admins: the redemptions of the packages within a unit they administer, newest first, without their codes
    /// or holders; `status`: ISSUED, USED, CANCELLED or EXPIRED.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn issued_redemptions(
        &self,
        ctx: &Context<'_>,
        scope_id: ID,
        status: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<IssuedRedemption>> {
        let (kind, scope) = decode_any(&scope_id, "scopeId")?;
        let status = redemption_status(status)?;
        let p = incentives::redemptions_in(state(ctx), actor(ctx), kind, scope, status, page_args(first, after)?).await?;
        Ok(connection(p, |r| r.id, IssuedRedemption))
    }

    /// Best-neighbour-head votes where the caller lives (or which they administer), newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn vote_periods(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<VotePeriod>> {
        let p = incentives::vote::periods(state(ctx), actor(ctx), page_args(first, after)?).await?;
        Ok(connection(p, |v| v.id, VotePeriod))
    }

    /// One voting period, if the caller lives in its scope or administers it.
    async fn vote_period(&self, ctx: &Context<'_>, id: ID) -> Result<VotePeriod> {
        let id = arg_id(&id, Kind::VotePeriod, "id")?;
        Ok(VotePeriod(incentives::vote::get(state(ctx), actor(ctx), id).await?))
    }

    /// The caller's redemptions, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn my_redemptions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<String>,
    ) -> Result<Conn<Redemption>> {
        let status = redemption_status(status)?;
        let p = incentives::mine(state(ctx), actor(ctx), status, page_args(first, after)?).await?;
        Ok(connection(p, |r| r.id, Redemption))
    }
}

/// Incentive mutations.
#[derive(Default)]
pub struct IncentiveMutation;

fn scope_arg(id: &ID) -> Result<(Kind, uuid::Uuid)> {
    let (kind, uuid) = decode_any(id, "scopeId")?;
    if !matches!(kind, Kind::District | Kind::Street | Kind::Community) {
        return Err(AppError::bad_input("scopeId", msg!("请选择区、街道或社区", "Give a district, street or community")).into());
    }
    Ok((kind, uuid))
}

#[Object]
impl IncentiveMutation {
    /// An admin registers a partner merchant for their district, street or community; then appoints its staff
    /// with `appoint(role: MERCHANT_STAFF, scopeId: <merchant>)`.
    async fn register_merchant(&self, ctx: &Context<'_>, scope_id: ID, name: String, address: String) -> Result<Merchant> {
        let (kind, scope) = scope_arg(&scope_id)?;
        Ok(Merchant(incentives::register_merchant(state(ctx), actor(ctx), kind, scope, &name, &address).await?))
    }

    /// A community, street or district admin creates a package for the heads of their scope.
    async fn create_incentive_package(&self, ctx: &Context<'_>, input: CreatePackageInput) -> Result<Package> {
        let (scope_kind, scope) = scope_arg(&input.scope_id)?;
        let p = NewPackage {
            title: input.title,
            description: input.description,
            merchant: arg_id(&input.merchant_id, Kind::Merchant, "merchantId")?,
            cost_points: input.cost_points,
            total_stock: input.total_stock,
            per_person_limit: input.per_person_limit,
            eligible_roles: input.eligible_roles,
            valid_from: input.valid_from.unwrap_or_else(Utc::now),
            valid_until: input.valid_until,
            redeem_valid_hours: input.redeem_valid_hours,
            scope_kind,
            scope,
            active: input.activate,
        };
        let package = incentives::create_package(state(ctx), actor(ctx), p).await?;
        Ok(Package(PackageView { package, blocked: None }))
    }

    /// Publishes (ACTIVE) or ends (ENDED) a package.
    async fn set_incentive_package_status(&self, ctx: &Context<'_>, id: ID, status: PackageStatus) -> Result<Package> {
        let id = arg_id(&id, Kind::Package, "id")?;
        let s = match status {
            PackageStatus::Active => entity::enums::PackageStatus::Active,
            PackageStatus::Ended => entity::enums::PackageStatus::Ended,
        };
        let package = incentives::set_status(state(ctx), actor(ctx), id, s).await?;
        Ok(Package(PackageView { package, blocked: None }))
    }

    /// Redeems a package: a code to read out at the merchant. Send the same `idempotencyKey` when retrying: the
    /// answer is the same redemption.
    async fn redeem_package(&self, ctx: &Context<'_>, package_id: ID, idempotency_key: String) -> Result<Redemption> {
        let id = arg_id(&package_id, Kind::Package, "packageId")?;
        Ok(Redemption(incentives::redeem(state(ctx), actor(ctx), id, &idempotency_key).await?))
    }

    /// Merchant staff take a code (case, spaces and hyphens do not matter): USED, once.
    async fn verify_redemption(&self, ctx: &Context<'_>, code: String) -> Result<Redemption> {
        Ok(Redemption(incentives::verify(state(ctx), actor(ctx), &code).await?))
    }

    /// An admin over a community or street opens a best-neighbour-head vote until `closesAt`.
    async fn open_vote_period(
        &self,
        ctx: &Context<'_>,
        scope_id: ID,
        title: String,
        closes_at: DateTime<Utc>,
        #[graphql(default = 3)] winners: i32,
    ) -> Result<VotePeriod> {
        let (kind, scope) = decode_any(&scope_id, "scopeId")?;
        let p = incentives::vote::open(state(ctx), actor(ctx), kind, scope, &title, closes_at, winners).await?;
        Ok(VotePeriod(p))
    }

    /// A verified resident votes once per period for a head of their own community.
    async fn vote_for_head(&self, ctx: &Context<'_>, period_id: ID, head_id: ID) -> Result<VotePeriod> {
        let period = arg_id(&period_id, Kind::VotePeriod, "periodId")?;
        let head = arg_id(&head_id, Kind::User, "headId")?;
        incentives::vote::cast(state(ctx), actor(ctx), period, head).await?;
        Ok(VotePeriod(incentives::vote::get(state(ctx), actor(ctx), period).await?))
    }

    /// The admins over its scope close a vote: results are frozen and the winners get their points.
    async fn close_vote_period(&self, ctx: &Context<'_>, id: ID) -> Result<VotePeriod> {
        let id = arg_id(&id, Kind::VotePeriod, "id")?;
        Ok(VotePeriod(incentives::vote::close(state(ctx), actor(ctx), id).await?))
    }

    /// The holder (or an admin over the package) cancels an issued redemption: points and stock come back.
    async fn cancel_redemption(&self, ctx: &Context<'_>, id: ID) -> Result<Redemption> {
        let id = arg_id(&id, Kind::Redemption, "id")?;
        Ok(Redemption(incentives::cancel(state(ctx), actor(ctx), id).await?))
    }
}

