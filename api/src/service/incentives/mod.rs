//! Incentives for the three heads: points earned by real work ([`points`]), partner merchants, incentive packages
//! (三长专属优惠包) with stock and per-person limits, and redemptions verified at the merchant. Every change of
//! points or stock is a conditional update inside one transaction, so nobody redeems what they did not earn, no
//! package goes beyond its stock, and a retried request changes nothing twice.
pub mod points;
pub mod stats;
pub mod vote;

use chrono::{DateTime, Duration, Utc};
use entity::enums::{PackageStatus, RedemptionStatus, ScopeKind};
use entity::{incentive_package, merchant, redemption};
use rand::Rng;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, Condition, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::auth::{Actor, Role, RoleScope, Roles};
use crate::error::{AppError, AppResult, Constraint, Denied, Refusal};
use crate::service::audit::{Acted, Scope};
use crate::service::events::{self, Change, DomainEvent};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::service::page::{Page, PageArgs};
use crate::service::{authz, jobs, places, validate};
use crate::state::AppState;

/// The roles a package may be offered to.
pub use crate::auth::HEAD_ROLES;

/// The redemptions a head holds (counted against the per-person limit).
const HELD: [RedemptionStatus; 2] = [RedemptionStatus::Issued, RedemptionStatus::Used];

/// One redemption per holder and idempotency key (migration 000010).
const ONE_PER_KEY: Constraint =
    Constraint { name: "ux_redemption_user_id_idempotency_key", columns: "redemption.user_id, redemption.idempotency_key" };

/// Characters of a redemption code: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, so it can be read out over a counter.
const CODE_ALPHABET: &[u8] = b"34679ACDEFGHJKMNPQRTUVWXY";
const CODE_LEN: usize = 8;

/// A new redemption code, e.g. `K7MQ-3XRT` is shown; stored without the hyphen.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// Reads a code as a person typed it: case, spaces and hyphens do not matter.
pub fn normalise_code(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Merchants.

/// `registerMerchant`: an admin registers a merchant for their district, street or community.
pub async fn register_merchant(state: &AppState, actor: &Actor, scope_kind: Kind, scope: Uuid, name: &str, address: &str) -> AppResult<merchant::Model> {
    let name = validate::text("name", name, 64)?;
    let address = validate::text("address", address, 200)?;
    scope_of(scope_kind)?;
    let of = authz::require_admin_of(state, actor, scope_kind, scope).await?;
    let place = of.place.clone();
    let by = Acted::new(Some(of.level.role()), Scope::of(scope_kind, scope, &of.place))
        .after(serde_json::json!({ "name": name, "address": address }));
    let am = merchant::ActiveModel {
        id: Set(new_id()),
        created_at: Set(Utc::now()),
        name: Set(name),
        address: Set(address),
        active: Set(true),
        district_id: Set(place.district),
        street_id: Set(place.street),
        community_id: Set(place.community),
    };
    let event = |m: &merchant::Model| DomainEvent::MerchantRegistered { merchant: m.id, by };
    events::insert_new(state, Some(actor.user_id()?), am, AppError::from, event).await
}

// ---------------------------------------------------------------------------------------------------------------
// Packages.

/// What an admin gives to create a package.
pub struct NewPackage {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The merchant.
    pub merchant: Uuid,
    /// Points it costs (0: free for eligible heads).
    pub cost_points: i32,
    /// How many there are.
    pub total_stock: i32,
    /// How many one person may hold (issued or used).
    pub per_person_limit: i32,
    /// Who may redeem it.
    pub eligible_roles: Vec<Role>,
    /// Redeemable from.
    pub valid_from: DateTime<Utc>,
    /// Redeemable until.
    pub valid_until: DateTime<Utc>,
    /// How long an issued code stays valid.
    pub redeem_valid_hours: i32,
    /// Whose heads: a district, street or community.
    pub scope_kind: Kind,
    /// Its id.
    pub scope: Uuid,
    /// Start ACTIVE rather than DRAFT.
    pub active: bool,
}

/// The stored scope kind of a package's or a merchant's place: a district, street or community, else BAD_USER_INPUT.
fn scope_of(k: Kind) -> AppResult<ScopeKind> {
    match k {
        Kind::District => Ok(ScopeKind::District),
        Kind::Street => Ok(ScopeKind::Street),
        Kind::Community => Ok(ScopeKind::Community),
        _ => Err(AppError::bad_input("scopeId", msg!("请选择区、街道或社区", "Give a district, street or community"))),
    }
}

/// The kind of unit a stored scope kind is.
pub fn unit_of(k: ScopeKind) -> Kind {
    match k {
        ScopeKind::District => Kind::District,
        ScopeKind::Street => Kind::Street,
        ScopeKind::Community => Kind::Community,
    }
}

/// `createIncentivePackage`: community, street or district admins, within their scope, for a merchant of the same
/// district.
pub async fn create_package(state: &AppState, actor: &Actor, p: NewPackage) -> AppResult<incentive_package::Model> {
    let user = actor.user_id()?;
    let title = validate::text("title", &p.title, 64)?;
    let description = validate::text_multiline("description", &p.description, 0, 2000)?;
    validate::range("costPoints", p.cost_points, 0, 1_000_000)?;
    validate::range("totalStock", p.total_stock, 1, 1_000_000)?;
    validate::range("perPersonLimit", p.per_person_limit, 1, 1000)?;
    validate::range("redeemValidHours", p.redeem_valid_hours, 1, 24 * 90)?;
    if p.eligible_roles.is_empty() || p.eligible_roles.iter().any(|r| !HEAD_ROLES.contains(r)) {
        return Err(AppError::bad_input(
            "eligibleRoles",
            msg!("可领取的角色只能是邻长、组长、片长", "Eligible roles are NEIGHBOUR_HEAD, GROUP_HEAD and AREA_HEAD"),
        ));
    }
    if p.valid_until <= p.valid_from || p.valid_until <= Utc::now() {
        return Err(AppError::bad_input("validUntil", msg!("结束时间必须晚于开始时间和当前时间", "validUntil must be after validFrom and now")));
    }
    let scope_kind = scope_of(p.scope_kind)?;
    let of = authz::require_admin_of(state, actor, p.scope_kind, p.scope).await?;
    let place = of.place.clone();
    let by = Acted::new(Some(of.level.role()), Scope::of(p.scope_kind, p.scope, &of.place));
    let m = merchant::Entity::find_by_id(p.merchant)
        .one(&state.db)
        .await?
        .filter(|m| m.active && m.district_id == place.district)
        .ok_or_else(|| AppError::bad_input("merchantId", msg!("没有这个商户（须在同一区）", "No such merchant in this district")))?;
    let mut roles_list: Vec<String> = p.eligible_roles.iter().map(|r| r.to_value()).collect();
    roles_list.sort_unstable();
    roles_list.dedup();
    let am = incentive_package::ActiveModel {
        id: Set(new_id()),
        created_at: Set(Utc::now()),
        title: Set(title),
        description: Set(description),
        cost_points: Set(p.cost_points),
        total_stock: Set(p.total_stock),
        remaining_stock: Set(p.total_stock),
        per_person_limit: Set(p.per_person_limit),
        eligible_roles: Set(roles_list.join(",")),
        valid_from: Set(p.valid_from),
        valid_until: Set(p.valid_until),
        redeem_valid_hours: Set(p.redeem_valid_hours),
        status: Set(if p.active { PackageStatus::Active } else { PackageStatus::Draft }),
        scope_kind: Set(scope_kind),
        scope_id: Set(p.scope),
        merchant_id: Set(m.id),
        district_id: Set(place.district),
        created_by: Set(user),
    };
    let event = |p: &incentive_package::Model| DomainEvent::PackageCreated {
        package: p.id,
        by: by.after(serde_json::json!({
            "title": p.title, "merchant": p.merchant_id, "costPoints": p.cost_points, "totalStock": p.total_stock,
            "perPersonLimit": p.per_person_limit, "eligibleRoles": p.eligible_roles, "validFrom": p.valid_from,
            "validUntil": p.valid_until, "status": p.status,
        })),
    };
    events::insert_new(state, Some(user), am, AppError::from, event).await
}

/// The roles a package is offered to (`incentive_package.eligible_roles`, a comma-separated list); an unknown name
/// in the row is an error.
pub fn eligible_roles(p: &incentive_package::Model) -> AppResult<Vec<Role>> {
    p.eligible_roles
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| Role::try_from_value(&r.to_owned()).map_err(AppError::from))
        .collect()
}

/// `setIncentivePackageStatus`: DRAFT → ACTIVE → ENDED (ENDED is final), by the admins over its scope. NOT_FOUND
/// for a package the caller may not see (a draft, or one not offered where they are a head); FORBIDDEN for one
/// offered to them that they may not change.
pub async fn set_status(state: &AppState, actor: &Actor, id: Uuid, status: PackageStatus) -> AppResult<incentive_package::Model> {
    let nf = || places::not_found(Kind::Package);
    let p = incentive_package::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(nf)?;
    let roles = actor.roles(state).await?;
    let place = places::of(&state.db, unit_of(p.scope_kind), p.scope_id).await?;
    let level = match authz::require_admin_over(&roles, &place) {
        Ok(level) => level,
        Err(refusal) => {
            let heads = head_places(state, &roles).await?;
            let offered = p.status != PackageStatus::Draft && heads.iter().any(|(_, place)| covers(&p, place));
            return Err(if offered { refusal } else { nf() });
        }
    };
    let allowed_from: &[PackageStatus] = match status {
        PackageStatus::Active => &[PackageStatus::Draft],
        PackageStatus::Ended => &[PackageStatus::Draft, PackageStatus::Active],
        PackageStatus::Draft => {
            return Err(AppError::bad_input("status", msg!("只能改为 ACTIVE 或 ENDED", "Status can only become ACTIVE or ENDED")));
        }
    };
    let mut change = Change::begin(state, Some(actor.user_id()?)).await?;
    let n = incentive_package::Entity::update_many()
        .col_expr(incentive_package::Column::Status, Expr::value(status))
        .filter(incentive_package::Column::Id.eq(id))
        .filter(incentive_package::Column::Status.is_in(allowed_from.iter().copied()))
        .exec(change.db())
        .await?;
    if n.rows_affected != 1 {
        let current = p.status.to_value();
        return Err(AppError::StatusConflict {
            msg: msg!("优惠包当前状态为 {}，不能改为 {}", "The package is {}; it cannot become {}", current, status.to_value()),
            current,
        });
    }
    let after = incentive_package::Entity::find_by_id(id).one(change.db()).await?.ok_or_else(nf)?;
    let by = Acted::new(Some(level.role()), Scope::of(unit_of(p.scope_kind), p.scope_id, &place))
        .before(serde_json::json!({ "status": p.status }))
        .after(serde_json::json!({ "status": status }));
    change.emit(DomainEvent::PackageStatusChanged { package: id, from: p.status, to: status, by }).await?;
    change.commit().await?;
    Ok(after)
}

/// The places (district, streets, communities) the caller's head roles lie in, with the roles held there.
async fn head_places(state: &AppState, roles: &Roles) -> AppResult<Vec<(Role, places::Place)>> {
    let mut out = Vec::new();
    for g in &roles.grants {
        if HEAD_ROLES.contains(&g.role) {
            out.push((g.role, places::of(&state.db, g.role.scope_kind(), g.scope).await?));
        }
    }
    Ok(out)
}

fn covers(p: &incentive_package::Model, place: &places::Place) -> bool {
    match p.scope_kind {
        ScopeKind::District => place.district == p.scope_id,
        ScopeKind::Street => place.street == Some(p.scope_id),
        ScopeKind::Community => place.community == Some(p.scope_id),
    }
}

/// Whether someone with these head places may redeem `p` by role and place.
fn eligible(p: &incentive_package::Model, heads: &[(Role, places::Place)]) -> AppResult<bool> {
    let roles = eligible_roles(p)?;
    Ok(heads.iter().any(|(role, place)| roles.contains(role) && covers(p, place)))
}

/// A package as the caller sees it: may they redeem it now, and if not, why.
pub struct PackageView {
    /// The package.
    pub package: incentive_package::Model,
    /// None when redeemable now; else the refusal they would get.
    pub blocked: Option<Refusal>,
}

/// `incentivePackages`: the active packages offered where the caller is a head (their district, streets and
/// communities), newest first, each with whether they may redeem it now and why not.
pub async fn offered(state: &AppState, actor: &Actor, args: PageArgs) -> AppResult<Page<PackageView>> {
    actor.user_id()?;
    let roles = actor.roles(state).await?;
    let heads = head_places(state, &roles).await?;
    let mut scopes: Vec<Uuid> = Vec::new();
    for (_, p) in &heads {
        scopes.push(p.district);
        scopes.extend(p.street);
        scopes.extend(p.community);
    }
    scopes.sort_unstable();
    scopes.dedup();
    if scopes.is_empty() {
        return Ok(Page { items: Vec::new(), has_next: false, has_previous: args.after.is_some() });
    }
    let now = Utc::now();
    let mut q = incentive_package::Entity::find()
        .filter(incentive_package::Column::ScopeId.is_in(scopes))
        .filter(incentive_package::Column::Status.eq(PackageStatus::Active))
        .filter(incentive_package::Column::ValidUntil.gt(now));
    if let Some(after) = args.after {
        q = q.filter(incentive_package::Column::Id.lt(after));
    }
    let mut items = q.order_by_desc(incentive_package::Column::Id).limit(args.first + 1).all(&state.db).await?;
    let has_next = items.len() as u64 > args.first;
    items.truncate(args.first as usize);
    let items = views(state, actor, &heads, items, now).await?;
    Ok(Page { items, has_next, has_previous: args.after.is_some() })
}

/// Each package as `actor` sees it (`heads`: where they are a head): whether they may redeem it now and why not.
/// Two statements for the page: what they hold of each, and their balance.
async fn views(
    state: &AppState,
    actor: &Actor,
    heads: &[(Role, places::Place)],
    items: Vec<incentive_package::Model>,
    now: DateTime<Utc>,
) -> AppResult<Vec<PackageView>> {
    let user = actor.user_id()?;
    let ids: Vec<Uuid> = items.iter().map(|p| p.id).collect();
    let held: Vec<(Uuid, i64)> = redemption::Entity::find()
        .select_only()
        .column(redemption::Column::PackageId)
        .column_as(redemption::Column::Id.count(), "n")
        .filter(redemption::Column::UserId.eq(user))
        .filter(redemption::Column::PackageId.is_in(ids))
        .filter(redemption::Column::Status.is_in(HELD))
        .group_by(redemption::Column::PackageId)
        .into_tuple()
        .all(&state.db)
        .await?;
    let (balance, _, _) = points::account(state, actor).await?;
    items
        .into_iter()
        .map(|p| {
            let n = held.iter().find(|(id, _)| *id == p.id).map(|(_, n)| *n).unwrap_or(0);
            let blocked = if !eligible(&p, heads)? {
                Some(Refusal::NotEligible)
            } else if p.status != PackageStatus::Active || p.valid_from > now || p.valid_until <= now {
                Some(Refusal::OutsideValidity)
            } else if n >= p.per_person_limit as i64 {
                Some(Refusal::LimitReached)
            } else if p.remaining_stock <= 0 {
                Some(Refusal::SoldOut)
            } else if balance < p.cost_points {
                Some(Refusal::InsufficientPoints)
            } else {
                None
            };
            Ok(PackageView { package: p, blocked })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// What an admin manages: the merchants, packages and redemptions of their unit.

/// `merchants(scopeId)`: the merchants registered for a district, street or community (for a district, all of
/// its merchants), newest first, for the admins over it.
pub async fn merchants_in(state: &AppState, actor: &Actor, kind: Kind, scope: Uuid, args: PageArgs) -> AppResult<Page<merchant::Model>> {
    scope_of(kind)?;
    authz::require_admin_of(state, actor, kind, scope).await?;
    let col = match kind {
        Kind::District => merchant::Column::DistrictId,
        Kind::Street => merchant::Column::StreetId,
        _ => merchant::Column::CommunityId,
    };
    crate::service::page::fetch_newest(&state.db, merchant::Entity::find().filter(col.eq(scope)), merchant::Column::Id, args).await
}

/// The packages within an admin's unit: a district's all, a street's own and its communities', a community's own.
async fn packages_within(state: &AppState, actor: &Actor, kind: Kind, scope: Uuid) -> AppResult<Condition> {
    scope_of(kind)?;
    authz::require_admin_of(state, actor, kind, scope).await?;
    Ok(match kind {
        Kind::District => Condition::all().add(incentive_package::Column::DistrictId.eq(scope)),
        Kind::Street => {
            let communities = crate::service::report::scope::communities_of_streets(state, &[scope]).await?;
            Condition::any()
                .add(incentive_package::Column::ScopeId.eq(scope))
                .add(incentive_package::Column::ScopeId.is_in(communities))
        }
        _ => Condition::all().add(incentive_package::Column::ScopeId.eq(scope)),
    })
}

/// `managedPackages(scopeId, status)`: the packages within an admin's unit (drafts, paused and ended ones too),
/// newest first, each with whether the admin themself may redeem it.
pub async fn packages_in(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    scope: Uuid,
    status: Option<PackageStatus>,
    args: PageArgs,
) -> AppResult<Page<PackageView>> {
    let mut q = incentive_package::Entity::find().filter(packages_within(state, actor, kind, scope).await?);
    if let Some(s) = status {
        q = q.filter(incentive_package::Column::Status.eq(s));
    }
    let page = crate::service::page::fetch_newest(&state.db, q, incentive_package::Column::Id, args).await?;
    let heads = head_places(state, &*actor.roles(state).await?).await?;
    let items = views(state, actor, &heads, page.items, Utc::now()).await?;
    Ok(Page { items, has_next: page.has_next, has_previous: page.has_previous })
}

/// `issuedRedemptions(scopeId, status)`: the redemptions of the packages within an admin's unit, newest first.
/// Never their codes (a code is its holder's to show at the merchant) nor who holds them.
pub async fn redemptions_in(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    scope: Uuid,
    status: Option<RedemptionStatus>,
    args: PageArgs,
) -> AppResult<Page<redemption::Model>> {
    use sea_orm::sea_query::Query;
    let within = packages_within(state, actor, kind, scope).await?;
    let packages = Query::select().column(incentive_package::Column::Id).from(incentive_package::Entity).cond_where(within).to_owned();
    let mut q = redemption::Entity::find().filter(redemption::Column::PackageId.in_subquery(packages));
    if let Some(s) = status {
        q = q.filter(redemption::Column::Status.eq(s));
    }
    crate::service::page::fetch_newest(&state.db, q, redemption::Column::Id, args).await
}

// ---------------------------------------------------------------------------------------------------------------
// Redemptions.

/// `redeemPackage(packageId, idempotencyKey)`. The same key returns the same redemption (also when sent many times
/// at once); the checks that depend on others (stock, the caller's own parallel requests) are conditional updates
/// inside the transaction.
pub async fn redeem(state: &AppState, actor: &Actor, package: Uuid, key: &str) -> AppResult<redemption::Model> {
    let user = actor.user_id()?;
    let key = validate::text("idempotencyKey", key, 64)?;
    if let Some(r) = by_key(state, user, &key).await? {
        return same_package(r, package);
    }
    let nf = || places::not_found(Kind::Package);
    let p = incentive_package::Entity::find_by_id(package).one(&state.db).await?.ok_or_else(nf)?;
    let roles = actor.roles(state).await?;
    let heads = head_places(state, &roles).await?;
    if !heads.iter().any(|(_, place)| covers(&p, place)) && p.status == PackageStatus::Draft {
        return Err(nf());
    }
    if !eligible(&p, &heads)? {
        return Err(AppError::Refused(Refusal::NotEligible, msg!("您的角色不能领取这个优惠包", "Your role may not redeem this package")));
    }
    if p.status != PackageStatus::Active {
        return Err(AppError::Refused(Refusal::PackageEnded, msg!("这个优惠包已结束或尚未发布", "This package has ended or is not out yet")));
    }
    let now = Utc::now();
    if now < p.valid_from || now >= p.valid_until {
        return Err(AppError::Refused(
            Refusal::OutsideValidity,
            msg!("不在领取时间内（{} 至 {}）", "Outside the redemption window ({} to {})", p.valid_from.format("%Y-%m-%d %H:%M"), p.valid_until.format("%Y-%m-%d %H:%M")),
        ));
    }

    let id = new_id();
    let mut change = Change::begin_at(state, Some(user), now).await?;
    let txn = change.db();
    // 1. Points first: this also holds the caller's account row, so their own parallel requests queue here.
    points::spend(txn, user, id, p.cost_points).await?;
    // 2. The per-person limit, counted while that row is held.
    let held = redemption::Entity::find()
        .filter(redemption::Column::UserId.eq(user))
        .filter(redemption::Column::PackageId.eq(p.id))
        .filter(redemption::Column::Status.is_in(HELD))
        .count(txn)
        .await?;
    if held >= p.per_person_limit as u64 {
        return Err(AppError::Refused(
            Refusal::LimitReached,
            msg!("每人限领 {} 份，您已领满", "At most {} per person; you have them all", p.per_person_limit),
        ));
    }
    // 3. Stock: one conditional decrement; the database refuses a negative stock anyway.
    let took = incentive_package::Entity::update_many()
        .col_expr(incentive_package::Column::RemainingStock, Expr::col(incentive_package::Column::RemainingStock).sub(1))
        .filter(incentive_package::Column::Id.eq(p.id))
        .filter(incentive_package::Column::Status.eq(PackageStatus::Active))
        .filter(incentive_package::Column::RemainingStock.gt(0))
        .exec(txn)
        .await?;
    if took.rows_affected != 1 {
        return Err(AppError::Refused(Refusal::SoldOut, msg!("已经领完了", "Sold out")));
    }
    let row = redemption::ActiveModel {
        id: Set(id),
        created_at: Set(now),
        code: Set(new_code()),
        status: Set(RedemptionStatus::Issued),
        points: Set(p.cost_points),
        expires_at: Set(std::cmp::min(now + Duration::hours(p.redeem_valid_hours as i64), p.valid_until + Duration::days(1))),
        used_at: Set(None),
        ended_at: Set(None),
        idempotency_key: Set(key.clone()),
        package_id: Set(p.id),
        user_id: Set(user),
        verified_by: Set(None),
    }
    .insert(txn)
    .await;
    match row {
        Ok(row) => {
            change
                .emit(DomainEvent::PackageRedeemed { redemption: row.id, package: p.id, user, points: p.cost_points })
                .await?;
            change.commit().await?;
            Ok(row)
        }
        Err(e) if ONE_PER_KEY.matches(&e) => {
            // The same key won in a parallel request: roll this one back and answer with that one.
            drop(change);
            let r = by_key(state, user, &key).await?.ok_or_else(|| AppError::internal(e))?;
            same_package(r, package)
        }
        Err(e) => Err(e.into()),
    }
}

fn same_package(r: redemption::Model, package: Uuid) -> AppResult<redemption::Model> {
    if r.package_id != package {
        return Err(AppError::bad_input(
            "idempotencyKey",
            msg!("这个 idempotencyKey 已用于另一个优惠包", "This idempotencyKey was used for another package"),
        ));
    }
    Ok(r)
}

async fn by_key(state: &AppState, user: Uuid, key: &str) -> AppResult<Option<redemption::Model>> {
    Ok(redemption::Entity::find()
        .filter(redemption::Column::UserId.eq(user))
        .filter(redemption::Column::IdempotencyKey.eq(key))
        .one(&state.db)
        .await?)
}

/// `verifyRedemption(code)`: staff of the package's merchant mark an issued, unexpired code USED, once.
pub async fn verify(state: &AppState, actor: &Actor, code: &str) -> AppResult<redemption::Model> {
    let user = actor.user_id()?;
    let code = normalise_code(code);
    if code.len() != CODE_LEN {
        return Err(AppError::bad_input("code", msg!("兑换码是 8 位字母数字", "A redemption code has 8 letters and digits")));
    }
    let roles = actor.roles(state).await?;
    if !roles.any(Role::MerchantStaff) {
        return Err(AppError::denied(Denied::NotMerchantStaff));
    }
    let nf = || places::not_found(Kind::Redemption);
    let r = redemption::Entity::find().filter(redemption::Column::Code.eq(&code)).one(&state.db).await?.ok_or_else(nf)?;
    let p = incentive_package::Entity::find_by_id(r.package_id).one(&state.db).await?.ok_or_else(nf)?;
    if !roles.has(Role::MerchantStaff, p.merchant_id) {
        // A code of another merchant: not theirs to see.
        return Err(nf());
    }
    let mut change = Change::begin(state, Some(user)).await?;
    let now = change.at();
    let n = redemption::Entity::update_many()
        .col_expr(redemption::Column::Status, Expr::value(RedemptionStatus::Used))
        .col_expr(redemption::Column::UsedAt, Expr::value(now))
        .col_expr(redemption::Column::VerifiedBy, Expr::value(user))
        .filter(redemption::Column::Id.eq(r.id))
        .filter(redemption::Column::Status.eq(RedemptionStatus::Issued))
        .filter(redemption::Column::ExpiresAt.gt(now))
        .exec(change.db())
        .await?;
    let after = redemption::Entity::find_by_id(r.id).one(change.db()).await?.ok_or_else(nf)?;
    if n.rows_affected != 1 {
        // Still ISSUED but past its time: expired (the job will give back its points).
        let current =
            if after.status == RedemptionStatus::Issued { RedemptionStatus::Expired } else { after.status }.to_value();
        return Err(AppError::StatusConflict {
            msg: msg!("兑换码当前状态为 {}，不能核销", "This code is {}; it cannot be used", current),
            current,
        });
    }
    change.emit(DomainEvent::RedemptionVerified { redemption: r.id, package: p.id }).await?;
    change.commit().await?;
    Ok(after)
}

/// Ends an issued redemption (`CANCELLED` or `EXPIRED`) and gives back its points and stock, once, in one
/// transaction. Returns the redemption after the change, or None when it was no longer issued.
/// `by`: the admin who cancelled it (none: its holder did, or it expired).
async fn release(
    state: &AppState,
    actor: Option<Uuid>,
    r: &redemption::Model,
    to: RedemptionStatus,
    by: Option<Acted>,
) -> AppResult<Option<redemption::Model>> {
    let mut change = Change::begin(state, actor).await?;
    let txn = change.db();
    let n = redemption::Entity::update_many()
        .col_expr(redemption::Column::Status, Expr::value(to))
        .col_expr(redemption::Column::EndedAt, Expr::value(change.at()))
        .filter(redemption::Column::Id.eq(r.id))
        .filter(redemption::Column::Status.eq(RedemptionStatus::Issued))
        .exec(txn)
        .await?;
    if n.rows_affected != 1 {
        return Ok(None);
    }
    points::refund(txn, r.user_id, r.id, r.points).await?;
    incentive_package::Entity::update_many()
        .col_expr(incentive_package::Column::RemainingStock, Expr::col(incentive_package::Column::RemainingStock).add(1))
        .filter(incentive_package::Column::Id.eq(r.package_id))
        .exec(txn)
        .await?;
    let after = redemption::Entity::find_by_id(r.id).one(txn).await?;
    let by = by.map(|b| {
        b.before(serde_json::json!({ "status": r.status, "points": r.points }))
            .after(serde_json::json!({ "status": to, "pointsRefunded": r.points }))
    });
    let event = DomainEvent::RedemptionReleased { redemption: r.id, package: r.package_id, user: r.user_id, to, points: r.points, by };
    change.emit(event).await?;
    change.commit().await?;
    Ok(after)
}

/// `cancelRedemption(id)`: the holder, or an admin over the package's scope, cancels an issued redemption.
pub async fn cancel(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<redemption::Model> {
    let user = actor.user_id()?;
    let nf = || places::not_found(Kind::Redemption);
    let r = redemption::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(nf)?;
    let mut by = None;
    if r.user_id != user {
        let p = incentive_package::Entity::find_by_id(r.package_id).one(&state.db).await?.ok_or_else(nf)?;
        let place = places::of(&state.db, unit_of(p.scope_kind), p.scope_id).await?;
        let Some(level) = authz::admin_level(&*actor.roles(state).await?, &place) else {
            return Err(nf());
        };
        by = Some(Acted::new(Some(level.role()), Scope::of(unit_of(p.scope_kind), p.scope_id, &place)));
    }
    match release(state, Some(user), &r, RedemptionStatus::Cancelled, by).await? {
        Some(after) => Ok(after),
        None => {
            let now = redemption::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(nf)?;
            let current = now.status.to_value();
            Err(AppError::StatusConflict {
                msg: msg!("兑换记录当前状态为 {}，不能取消", "This redemption is {}; it cannot be cancelled", current),
                current,
            })
        }
    }
}

/// Expires issued redemptions past their time, giving back points and stock; each once, whichever replica's job
/// gets there first. Returns how many it expired.
pub async fn expire_due(state: &AppState) -> AppResult<usize> {
    let issued = redemption::Entity::find().filter(redemption::Column::Status.eq(RedemptionStatus::Issued));
    let due = jobs::due(&state.db, issued, redemption::Column::ExpiresAt, Utc::now(), 200).await?;
    let mut n = 0;
    for r in due {
        if release(state, None, &r, RedemptionStatus::Expired, None).await?.is_some() {
            n += 1;
        }
    }
    Ok(n)
}

/// `myRedemptions(first, after, status)`: newest first.
pub async fn mine(state: &AppState, actor: &Actor, status: Option<RedemptionStatus>, args: PageArgs) -> AppResult<Page<redemption::Model>> {
    let user = actor.user_id()?;
    let mut q = redemption::Entity::find().filter(redemption::Column::UserId.eq(user));
    if let Some(s) = status {
        q = q.filter(redemption::Column::Status.eq(s));
    }
    crate::service::page::fetch_newest(&state.db, q, redemption::Column::Id, args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_out_loud() {
        for _ in 0..200 {
            let c = new_code();
            assert_eq!(c.len(), CODE_LEN);
            assert!(c.chars().all(|ch| !"01258BILOSZ".contains(ch)), "{c}");
        }
        assert_eq!(normalise_code("k7mq-3xrt "), "K7MQ3XRT");
    }
}
