//! Incentive statistics for admins (`incentiveStatistics`, `GET /export/incentives.csv`): points earned and spent,
//! redemptions issued, used, cancelled and expired, over a period and within a district, street or community the
//! caller administers, per community, per merchant or per day, week or month.
//!
//! Every figure is an event counted when it happened (points when the ledger entry was written, a redemption as
//! issued when created, as used when verified, as cancelled or expired when it ended), so a redemption issued in
//! one period and verified in the next counts once in each, and the totals of consecutive periods add up.
//!
//! Which community a figure belongs to:
//! - points earned for a report (ACK_IN_SLA, RESOLUTION_CONFIRMED, FIVE_STAR; `source_id` is the report): the
//!   report's community, which never changes, even if the head has moved on since;
//! - other points earned (VOTE_WIN, …): the community of the earner's head appointment (neighbourhood, group or
//!   area) that was active when the points were written;
//! - a redemption, and the points it spent or gave back: the community of the redeemer's head appointment active
//!   when the redemption was issued.
//!
//! A head holding several appointments at that moment counts in the one that started first. A figure with no
//! community (no head appointment at the time) is in no scope and is left out. Merchants: a redemption belongs to
//! its package's merchant; points earned belong to no merchant (null in merchant rows, counted in the totals).
//!
//! Days, weeks (Monday to Sunday) and months are Beijing time (UTC+8, no daylight saving). The database sums per
//! Beijing day (a per-backend expression on the timestamp); weeks and months add up those days here.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, TimeZone, Utc};
use entity::enums::{PointsReason, RedemptionStatus};
use entity::{community, merchant};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement, Value};
use uuid::Uuid;

use crate::auth::{Actor, HEAD_ROLES, Role};
use crate::error::{AppError, AppResult};
use crate::ids::Kind;
use crate::msg;
use crate::service::authz;
use crate::state::AppState;

/// How the rows are keyed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// One row per community of the scope (all of them, zeros included).
    Community,
    /// One row per merchant with redemptions in the period.
    Merchant,
    /// One row per Beijing day with any figure.
    Day,
    /// One row per Monday-to-Sunday week (Beijing) with any figure.
    Week,
    /// One row per calendar month (Beijing) with any figure.
    Month,
}

impl GroupBy {
    /// The name used in the API and in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Community => "COMMUNITY",
            GroupBy::Merchant => "MERCHANT",
            GroupBy::Day => "DAY",
            GroupBy::Week => "WEEK",
            GroupBy::Month => "MONTH",
        }
    }

    /// Reads `COMMUNITY`, `MERCHANT`, `DAY`, `WEEK` or `MONTH`.
    pub fn parse(s: &str) -> Option<Self> {
        [GroupBy::Community, GroupBy::Merchant, GroupBy::Day, GroupBy::Week, GroupBy::Month].into_iter().find(|g| g.as_str() == s)
    }
}

// The figures of one row, or the totals; served as they are as the GraphQL type `IncentiveFigures`.
/// Points and redemptions counted when they happened within the period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, async_graphql::SimpleObject)]
#[graphql(name = "IncentiveFigures")]
pub struct Figures {
    /// Points earned by work and votes; null in merchant rows (points are not earned at a merchant).
    pub points_earned: Option<i64>,
    /// Points spent on redemptions, net of points given back by cancellations and expiries.
    pub points_spent: i64,
    /// Redemptions issued.
    pub issued: i64,
    /// Redemptions used (verified at the merchant).
    pub used: i64,
    /// Redemptions cancelled.
    pub cancelled: i64,
    /// Redemptions expired.
    pub expired: i64,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        self.points_earned = match (self.points_earned, o.points_earned) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        self.points_spent += o.points_spent;
        self.issued += o.issued;
        self.used += o.used;
        self.cancelled += o.cancelled;
        self.expired += o.expired;
    }

    fn zero() -> Self {
        Figures { points_earned: Some(0), ..Default::default() }
    }
}

/// What a row is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// A community.
    Community {
        /// Its id.
        id: Uuid,
        /// Its name.
        name: String,
    },
    /// A merchant.
    Merchant {
        /// Its id.
        id: Uuid,
        /// Its name.
        name: String,
    },
    /// A day, week or month: its first day (Beijing).
    Bucket(NaiveDate),
}

/// One row of the statistics.
#[derive(Clone, Debug)]
pub struct Row {
    /// What it is about.
    pub key: Key,
    /// Its figures.
    pub figures: Figures,
}

/// The answer: rows in a stable order (communities and merchants by name, buckets by date) and the totals.
#[derive(Clone, Debug)]
pub struct Statistics {
    /// The rows.
    pub rows: Vec<Row>,
    /// The totals over the whole scope and period (also what no merchant row shows: points earned).
    pub totals: Figures,
}

/// What an admin asks for.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    /// District, street or community.
    pub scope_kind: Kind,
    /// Its id.
    pub scope: Uuid,
    /// From (inclusive).
    pub from: DateTime<Utc>,
    /// To (exclusive).
    pub to: DateTime<Utc>,
    /// How rows are keyed.
    pub group_by: GroupBy,
}

/// Beijing time: UTC+8 all year.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The first instant (UTC) of a Beijing date.
pub fn beijing_midnight(d: NaiveDate) -> DateTime<Utc> {
    beijing().from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")).single().expect("fixed offset").with_timezone(&Utc)
}

/// Checks the request's own values (BAD_USER_INPUT naming the field).
pub fn validate(r: &Request) -> AppResult<()> {
    if !matches!(r.scope_kind, Kind::District | Kind::Street | Kind::Community) {
        return Err(AppError::bad_input("scopeId", msg!("请选择区、街道或社区", "Give a district, street or community")));
    }
    if r.to <= r.from {
        return Err(AppError::bad_input("to", msg!("结束时间必须晚于开始时间", "to must be after from")));
    }
    if r.from.checked_add_months(Months::new(24)).is_none_or(|limit| r.to > limit) {
        return Err(AppError::bad_input("to", msg!("统计区间最长两年", "The period can be at most two years")));
    }
    Ok(())
}

/// `incentiveStatistics`: community, street and district admins, within a scope they administer.
pub async fn statistics(state: &AppState, actor: &Actor, r: Request) -> AppResult<Statistics> {
    actor.user_id()?;
    validate(&r)?;
    authz::require_admin_of(state, actor, r.scope_kind, r.scope).await?;
    compute(&state.db, r).await
}

/// The stored values of `vs` as an SQL list of literals (`'A', 'B'`): the enums' own constants, never user text.
fn literals<E: ActiveEnum<Value = String>>(vs: impl IntoIterator<Item = E>) -> String {
    vs.into_iter().map(|v| format!("'{}'", v.to_value())).collect::<Vec<_>>().join(", ")
}

/// Joins that give `{p}ar.community_id`: the community of the head appointment of `user` active at `at` (the
/// earliest started, if several). One indexed lookup on appointment(user_id, …) per row.
fn head_community(p: &str, user: &str, at: &str) -> String {
    let (heads, nh, gh, ah) = (
        literals(HEAD_ROLES),
        literals([Role::NeighbourHead]),
        literals([Role::GroupHead]),
        literals([Role::AreaHead]),
    );
    format!(
        "LEFT JOIN appointment {p}a ON {p}a.id = (
             SELECT x.id FROM appointment x
             WHERE x.user_id = {user} AND x.role IN ({heads})
               AND x.starts_at <= {at} AND (x.ends_at IS NULL OR x.ends_at > {at})
             ORDER BY x.starts_at, x.id LIMIT 1)
         LEFT JOIN neighbourhood {p}n ON {p}a.role = {nh} AND {p}n.id = {p}a.scope_id
         LEFT JOIN grid_group {p}g ON {p}g.id = CASE WHEN {p}a.role = {gh} THEN {p}a.scope_id ELSE {p}n.group_id END
         LEFT JOIN grid_area {p}ar ON {p}ar.id = CASE WHEN {p}a.role = {ah} THEN {p}a.scope_id ELSE {p}g.area_id END"
    )
}

/// The communities of the scope ($3).
fn scope_communities(kind: Kind) -> &'static str {
    match kind {
        Kind::Community => "SELECT id FROM community WHERE id = $3",
        Kind::Street => "SELECT id FROM community WHERE street_id = $3",
        _ => "SELECT c.id FROM community c JOIN street s ON s.id = c.street_id WHERE s.district_id = $3",
    }
}

/// The Beijing date of timestamp column `col`, as `YYYY-MM-DD` text.
fn beijing_day(backend: DbBackend, col: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("to_char(({col} AT TIME ZONE 'UTC') + INTERVAL '8 hours', 'YYYY-MM-DD')"),
        _ => format!("strftime('%Y-%m-%d', {col}, '+8 hours')"),
    }
}

/// One statement: every event of the period as a fact row (community, merchant, when, figures), filtered to the
/// scope's communities and summed per key.
fn statement(backend: DbBackend, r: &Request) -> Statement {
    let rc = head_community("r", "rd.user_id", "rd.created_at");
    let ec = head_community("e", "pe.user_id", "pe.created_at");
    use PointsReason as P;
    use RedemptionStatus as R;
    let from_reports = literals([P::AckInSla, P::ResolutionConfirmed, P::FiveStar]);
    let spending = literals([P::Redemption, P::RedemptionReturned]);
    let (used, cancelled, expired) = (literals([R::Used]), literals([R::Cancelled]), literals([R::Expired]));
    let facts = format!(
        "SELECT COALESCE(rep.community_id, ear.community_id) AS community_id, NULL AS merchant_id, pe.created_at AS at,
                pe.delta AS earned, 0 AS spent, 0 AS issued, 0 AS used, 0 AS cancelled, 0 AS expired
           FROM points_entry pe
           LEFT JOIN report rep ON rep.id = pe.source_id AND pe.reason IN ({from_reports})
           {ec}
          WHERE pe.created_at >= $1 AND pe.created_at < $2 AND pe.delta > 0 AND pe.reason NOT IN ({spending})
         UNION ALL
         SELECT rar.community_id, pk.merchant_id, pe.created_at, 0, -pe.delta, 0, 0, 0, 0
           FROM points_entry pe
           JOIN redemption rd ON rd.id = pe.source_id
           JOIN incentive_package pk ON pk.id = rd.package_id
           {rc}
          WHERE pe.created_at >= $1 AND pe.created_at < $2 AND pe.reason IN ({spending})
         UNION ALL
         SELECT rar.community_id, pk.merchant_id, rd.created_at, 0, 0, 1, 0, 0, 0
           FROM redemption rd JOIN incentive_package pk ON pk.id = rd.package_id {rc}
          WHERE rd.created_at >= $1 AND rd.created_at < $2
         UNION ALL
         SELECT rar.community_id, pk.merchant_id, rd.used_at, 0, 0, 0, 1, 0, 0
           FROM redemption rd JOIN incentive_package pk ON pk.id = rd.package_id {rc}
          WHERE rd.used_at >= $1 AND rd.used_at < $2 AND rd.status = {used}
         UNION ALL
         SELECT rar.community_id, pk.merchant_id, rd.ended_at, 0, 0, 0, 0,
                CASE WHEN rd.status = {cancelled} THEN 1 ELSE 0 END, CASE WHEN rd.status = {expired} THEN 1 ELSE 0 END
           FROM redemption rd JOIN incentive_package pk ON pk.id = rd.package_id {rc}
          WHERE rd.ended_at >= $1 AND rd.ended_at < $2 AND rd.status IN ({cancelled}, {expired})"
    );
    let key = match r.group_by {
        GroupBy::Community => "f.community_id".to_owned(),
        GroupBy::Merchant => "f.merchant_id".to_owned(),
        GroupBy::Day | GroupBy::Week | GroupBy::Month => beijing_day(backend, "f.at"),
    };
    let sql = format!(
        "SELECT {key} AS k,
                CAST(SUM(f.earned) AS BIGINT) AS earned, CAST(SUM(f.spent) AS BIGINT) AS spent,
                CAST(SUM(f.issued) AS BIGINT) AS issued, CAST(SUM(f.used) AS BIGINT) AS used,
                CAST(SUM(f.cancelled) AS BIGINT) AS cancelled, CAST(SUM(f.expired) AS BIGINT) AS expired
           FROM ({facts}) f
          WHERE f.community_id IN ({scope})
          GROUP BY {key}",
        scope = scope_communities(r.scope_kind),
    );
    Statement::from_sql_and_values(backend, sql, [Value::from(r.from), Value::from(r.to), Value::from(r.scope)])
}

fn figures(row: &sea_orm::QueryResult, with_earned: bool) -> AppResult<Figures> {
    let g = |c: &str| row.try_get::<Option<i64>>("", c).map(|v| v.unwrap_or(0));
    Ok(Figures {
        points_earned: if with_earned { Some(g("earned")?) } else { None },
        points_spent: g("spent")?,
        issued: g("issued")?,
        used: g("used")?,
        cancelled: g("cancelled")?,
        expired: g("expired")?,
    })
}

/// The first day of the bucket `d` falls in.
fn bucket_of(g: GroupBy, d: NaiveDate) -> NaiveDate {
    match g {
        GroupBy::Week => d - Duration::days(d.weekday().num_days_from_monday() as i64),
        GroupBy::Month => d.with_day(1).expect("day 1 exists"),
        _ => d,
    }
}

/// Runs the statistics (no permission check: [`statistics`] does that).
pub async fn compute<C: ConnectionTrait>(db: &C, r: Request) -> AppResult<Statistics> {
    let backend = db.get_database_backend();
    let result = db.query_all_raw(statement(backend, &r)).await?;
    let mut totals = Figures::zero();
    let rows = match r.group_by {
        GroupBy::Community => {
            let mut by: HashMap<Uuid, Figures> = HashMap::new();
            for row in &result {
                let f = figures(row, true)?;
                totals.add(&f);
                if let Some(id) = row.try_get::<Option<Uuid>>("", "k")? {
                    by.insert(id, f);
                }
            }
            // Every community of the scope, those with nothing included.
            let mut q = community::Entity::find();
            q = match r.scope_kind {
                Kind::Community => q.filter(community::Column::Id.eq(r.scope)),
                Kind::Street => q.filter(community::Column::StreetId.eq(r.scope)),
                _ => q.filter(
                    community::Column::StreetId.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(entity::street::Column::Id)
                            .from(entity::street::Entity)
                            .and_where(entity::street::Column::DistrictId.eq(r.scope))
                            .to_owned(),
                    ),
                ),
            };
            let mut comms = q.all(db).await?;
            comms.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
            comms
                .into_iter()
                .map(|c| Row { figures: by.get(&c.id).copied().unwrap_or_else(Figures::zero), key: Key::Community { id: c.id, name: c.name } })
                .collect()
        }
        GroupBy::Merchant => {
            let mut by: HashMap<Uuid, Figures> = HashMap::new();
            for row in &result {
                let f = figures(row, true)?;
                totals.add(&f);
                if let Some(id) = row.try_get::<Option<Uuid>>("", "k")? {
                    by.insert(id, Figures { points_earned: None, ..f });
                }
            }
            let mut ms = merchant::Entity::find().filter(merchant::Column::Id.is_in(by.keys().copied())).all(db).await?;
            ms.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
            ms.into_iter().map(|m| Row { figures: by[&m.id], key: Key::Merchant { id: m.id, name: m.name } }).collect()
        }
        g => {
            let mut by: BTreeMap<NaiveDate, Figures> = BTreeMap::new();
            for row in &result {
                let f = figures(row, true)?;
                totals.add(&f);
                let day: Option<String> = row.try_get("", "k")?;
                let Some(day) = day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()) else { continue };
                by.entry(bucket_of(g, day)).or_insert_with(Figures::zero).add(&f);
            }
            by.into_iter().map(|(d, figures)| Row { key: Key::Bucket(d), figures }).collect()
        }
    };
    Ok(Statistics { rows, totals })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(); // a Sunday
        assert_eq!(bucket_of(GroupBy::Week, d), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(bucket_of(GroupBy::Month, d), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(bucket_of(GroupBy::Day, d), d);
    }

    #[test]
    fn beijing_midnight_is_four_in_the_afternoon_utc() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(beijing_midnight(d).to_rfc3339(), "2026-11-25T16:00:00+00:00");
    }

    #[test]
    fn periods_are_checked() {
        let t = Utc::now();
        let r = |from, to, kind| Request { scope_kind: kind, scope: Uuid::nil(), from, to, group_by: GroupBy::Day };
        assert!(validate(&r(t, t + Duration::days(1), Kind::Street)).is_ok());
        assert!(validate(&r(t, t, Kind::Street)).is_err());
        assert!(validate(&r(t, t + Duration::days(800), Kind::Street)).is_err());
        assert!(validate(&r(t, t + Duration::days(1), Kind::Neighbourhood)).is_err());
    }
}
