//! KPIs for the assessment (issue 15): `kpis` (a scope's figures per period and category) and `kpiRanking` (the
//! children of a unit ranked on one figure). The definitions of every figure are here, in the GraphQL schema and
//! in `docs/kpi.md`; they are computed from the `report_fact` rows ([`facts`]) and their monthly cells ([`cell`])
//! by one aggregate ([`aggregate`]).
//!
//! Which reports a figure counts:
//! - A report belongs to the period of its **submission's Beijing date** (UTC+8): a report submitted on 31 March
//!   and closed on 2 April counts in March, with its close. Its status and outcome are those of now.
//! - **Received** counts every report submitted in the period; **counted** leaves out merged duplicates (status
//!   DUPLICATE: the primary stands for them, and their reporters are its supporters). Every other figure is over
//!   the counted reports.
//! - Durations run from submission to the milestone: wall-clock minutes, and business minutes of the district's
//!   work calendar (working hours, holidays, make-up days; the same measure for every report, urgent included).
//!   Acknowledge and dispatch are the first; resolve and close the latest (after a reopen, the fix that stuck).
//!   Percentiles are continuous (PostgreSQL's `percentile_cont`), over the reports that reached the milestone.
pub mod aggregate;
pub mod cell;
pub mod facts;
pub mod ranking;

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use entity::enums::{GridLevel, ReportStatus};
use uuid::Uuid;

use self::aggregate::{Dur, Key, KeyValue, Spec, Sums};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::ids::Kind;
use crate::msg;
use crate::service::authz::{self, ReadScope, ReaderOf};
use crate::state::AppState;

/// The longest period a KPI or ranking covers.
pub const MAX_DAYS: i64 = 5 * 366;

/// How the rows of `kpis` are keyed (Beijing time).
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "KpiGroupBy")]
pub enum GroupBy {
    /// One row per day.
    Day,
    /// One row per week, Monday to Sunday.
    Week,
    /// One row per calendar month.
    Month,
    /// One row per quarter (January, April, July, October).
    Quarter,
    /// One row per calendar year.
    Year,
}

impl GroupBy {
    fn column(self) -> &'static str {
        match self {
            GroupBy::Day => "day",
            GroupBy::Week => "week",
            GroupBy::Month => "month",
            GroupBy::Quarter => "quarter",
            GroupBy::Year => "year",
        }
    }

    /// The first day of the period `d` falls in.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        let [week, month, quarter, year] = facts::period_keys(d);
        match self {
            GroupBy::Day => d,
            GroupBy::Week => week,
            GroupBy::Month => month,
            GroupBy::Quarter => quarter,
            GroupBy::Year => year,
        }
    }

    /// The first day of the period after the one starting at `start`.
    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            GroupBy::Day => start + Duration::days(1),
            GroupBy::Week => start + Duration::days(7),
            GroupBy::Month => start.checked_add_months(chrono::Months::new(1)).expect("in range"),
            GroupBy::Quarter => start.checked_add_months(chrono::Months::new(3)).expect("in range"),
            GroupBy::Year => start.checked_add_months(chrono::Months::new(12)).expect("in range"),
        }
    }
}

/// A period of submission days, both ends included (Beijing dates).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Period {
    /// BAD_USER_INPUT unless from ≤ to and the period is at most five years.
    pub fn parse(from: NaiveDate, to: NaiveDate) -> AppResult<Period> {
        if from > to {
            return Err(AppError::bad_input("to", msg!("结束日期不能早于开始日期", "to must not be before from")));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(AppError::bad_input("to", msg!("统计区间最长五年", "The period can be at most five years; ask for a shorter one")));
        }
        Ok(Period { from, to })
    }

    /// The period before: the same number of whole months if this one is whole months (1 March – 30 April gives
    /// 1 January – 28 February), else the same number of days.
    pub fn previous(self) -> Period {
        let whole_months = self.from.day() == 1 && (self.to + Duration::days(1)).day() == 1;
        if whole_months {
            let end = self.to + Duration::days(1);
            let months = (end.year() - self.from.year()) * 12 + end.month() as i32 - self.from.month() as i32;
            let from = self.from.checked_sub_months(chrono::Months::new(months as u32)).expect("in range");
            return Period { from, to: self.from - Duration::days(1) };
        }
        let len = (self.to - self.from).num_days() + 1;
        Period { from: self.from - Duration::days(len), to: self.from - Duration::days(1) }
    }
}

/// p50 and p90 of a duration, in hours.
#[derive(async_graphql::SimpleObject, Clone, Debug, Default, PartialEq)]
#[graphql(name = "KpiDuration")]
pub struct Durations {
    /// How many counted reports reached the milestone (the percentiles are over these).
    pub reports: i64,
    /// Median wall-clock hours from submission to the milestone (continuous percentile, like PostgreSQL's
    /// `percentile_cont(0.5)`), rounded to 0.01 h; null when no report reached it.
    pub p50_hours: Option<f64>,
    /// 90th percentile of the wall-clock hours.
    pub p90_hours: Option<f64>,
    /// Median business hours: only the working hours of the district's work calendar count (holidays and
    /// weekends not, make-up working days yes), for every report, urgent ones included.
    pub p50_business_hours: Option<f64>,
    /// 90th percentile of the business hours.
    pub p90_business_hours: Option<f64>,
}

/// Share of the counted reports whose stage went past its first due time (the SLA target, in business time; see
/// docs/sla.md), per stage, over the reports that entered the stage. Null when none did.
#[derive(async_graphql::SimpleObject, Clone, Debug, Default, PartialEq)]
#[graphql(name = "KpiStageBreaches")]
pub struct StageBreaches {
    /// ACKNOWLEDGE: over every counted report.
    pub acknowledge: Option<f64>,
    /// HANDLE (fix or dispatch): over the acknowledged ones.
    pub handle: Option<f64>,
    /// START (the company starts): over the dispatched ones.
    pub start: Option<f64>,
    /// RESOLVE: over the ones work was started on.
    pub resolve: Option<f64>,
    /// Any stage: share of the counted reports with at least one stage past due.
    pub any: Option<f64>,
}

/// How many counted reports were escalated to a level.
#[derive(async_graphql::SimpleObject, Clone, Debug, PartialEq)]
#[graphql(name = "KpiLevelReached")]
pub struct LevelReached {
    /// The level.
    pub level: GridLevel,
    /// Counted reports escalated to this level at least once (overdue, urged, or skipping a vacant level).
    pub reports: i64,
    /// Their share of the counted reports.
    pub share: Option<f64>,
}

/// Reports of one status now.
#[derive(async_graphql::SimpleObject, Clone, Debug, PartialEq)]
#[graphql(name = "KpiStatusCount")]
pub struct StatusCount {
    /// The status now.
    pub status: ReportStatus,
    /// Reports received in the period that have it now (merged duplicates included, as DUPLICATE).
    pub reports: i64,
}

/// The figures of one period (and category), or of the whole period asked for. Definitions: docs/kpi.md.
#[derive(async_graphql::SimpleObject, Clone, Debug, Default, PartialEq)]
#[graphql(name = "KpiFigures")]
pub struct Figures {
    /// Reports submitted in the period (by the Beijing date of submission), merged duplicates included.
    pub received: i64,
    /// Received minus merged duplicates: what every other figure counts.
    pub counted: i64,
    /// The received reports by their status now.
    pub by_status: Vec<StatusCount>,
    /// "Me too"s on the counted reports now (a merged duplicate's reporter and supporters count on its primary).
    pub supports: i64,
    /// Counted reports with at least one "me too".
    pub supported_reports: i64,
    /// Submission to acknowledgement (the first).
    pub time_to_acknowledge: Durations,
    /// Submission to dispatch to the property company (the first).
    pub time_to_dispatch: Durations,
    /// Submission to resolution (the latest: after a reopen, the fix that stuck).
    pub time_to_resolve: Durations,
    /// Submission to close (by a head, the company, or the auto-close).
    pub time_to_close: Durations,
    /// SLA breach rate per stage.
    pub breach_rate: StageBreaches,
    /// Escalation steps per counted report (all steps: overdue, urged, vacant levels skipped).
    pub escalations_per_report: Option<f64>,
    /// Share of the counted reports escalated at least once.
    pub escalated_share: Option<f64>,
    /// Counted reports escalated to each level, lowest first.
    pub levels_reached: Vec<LevelReached>,
    /// Counted reports resolved at least once.
    pub resolved: i64,
    /// Reopened at least once, over the resolved.
    pub reopen_rate: Option<f64>,
    /// Confirmed by the resident (confirmResolution, with a rating), over the resolved.
    pub confirmation_rate: Option<f64>,
    /// Closed automatically after 72 h without the resident's answer, over the resolved.
    pub auto_close_rate: Option<f64>,
    /// Resolved with no stage past due, over the counted reports.
    pub resolved_within_sla_rate: Option<f64>,
    /// Counted reports with a rating.
    pub rated: i64,
    /// Mean rating (1–5) of the rated reports.
    pub average_rating: Option<f64>,
    /// How many rated 1, 2, 3, 4 and 5 stars (five numbers).
    pub ratings: Vec<i64>,
    /// Heads: acknowledged before the ACKNOWLEDGE stage went past due, over the counted reports.
    pub acknowledged_within_sla_rate: Option<f64>,
    /// Heads: resolved by the heads themselves, never dispatched.
    pub handled_by_heads: i64,
    /// Heads: dispatched to the property company.
    pub dispatched: i64,
    /// Companies: resolved and never reopened, over the dispatched reports that were resolved ("first-time fix").
    pub first_time_fix_rate: Option<f64>,
}

fn rate(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| round(n as f64 / d as f64, 4))
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn hours(minutes: Option<f64>) -> Option<f64> {
    minutes.map(|m| round(m / 60.0, 2))
}

const LEVELS: [(GridLevel, &str); 6] = [
    (GridLevel::Property, "lvl_property"),
    (GridLevel::NeighbourHead, "lvl_neighbour_head"),
    (GridLevel::GroupHead, "lvl_group_head"),
    (GridLevel::AreaHead, "lvl_area_head"),
    (GridLevel::CommunityAdmin, "lvl_community_admin"),
    (GridLevel::StreetAdmin, "lvl_street_admin"),
];

const STATUS_OF: [ReportStatus; 10] = [
    ReportStatus::Submitted,
    ReportStatus::Acknowledged,
    ReportStatus::Dispatched,
    ReportStatus::InProgress,
    ReportStatus::Resolved,
    ReportStatus::Closed,
    ReportStatus::Rejected,
    ReportStatus::Duplicate,
    ReportStatus::Cancelled,
    ReportStatus::Reopened,
];

impl Figures {
    /// The figures of one group's sums.
    pub fn of(s: &Sums) -> Figures {
        let g = |c: &str| s.get(c);
        let counted = g("counted");
        let dur = |wall: Dur, biz: Dur, reached: &str| {
            let (w50, w90) = s.pct.get(&wall).copied().unwrap_or((None, None));
            let (b50, b90) = s.pct.get(&biz).copied().unwrap_or((None, None));
            Durations {
                reports: g(reached),
                p50_hours: hours(w50),
                p90_hours: hours(w90),
                p50_business_hours: hours(b50),
                p90_business_hours: hours(b90),
            }
        };
        Figures {
            received: g("received"),
            counted,
            by_status: aggregate::STATUSES
                .iter()
                .zip(STATUS_OF)
                .map(|((c, _), status)| StatusCount { status, reports: g(c) })
                .collect(),
            supports: g("supports"),
            supported_reports: g("supported"),
            time_to_acknowledge: dur(Dur::AckWall, Dur::AckBiz, "acked"),
            time_to_dispatch: dur(Dur::DispatchWall, Dur::DispatchBiz, "dispatched"),
            time_to_resolve: dur(Dur::ResolveWall, Dur::ResolveBiz, "resolved"),
            time_to_close: dur(Dur::CloseWall, Dur::CloseBiz, "closed"),
            breach_rate: StageBreaches {
                acknowledge: rate(g("breach_ack"), counted),
                handle: rate(g("breach_handle"), g("acked")),
                start: rate(g("breach_start"), g("dispatched")),
                resolve: rate(g("breach_resolve"), g("started")),
                any: rate(g("any_breach"), counted),
            },
            escalations_per_report: rate(g("escalations"), counted),
            escalated_share: rate(g("escalated"), counted),
            levels_reached: LEVELS
                .iter()
                .map(|(level, c)| LevelReached { level: *level, reports: g(c), share: rate(g(c), counted) })
                .collect(),
            resolved: g("resolved"),
            reopen_rate: rate(g("reopened"), g("resolved")),
            confirmation_rate: rate(g("confirmed"), g("resolved")),
            auto_close_rate: rate(g("auto_closed"), g("resolved")),
            resolved_within_sla_rate: rate(g("resolved_in_sla"), counted),
            rated: g("rated"),
            average_rating: (g("rated") > 0).then(|| round(g("rating_sum") as f64 / g("rated") as f64, 2)),
            ratings: ["r1", "r2", "r3", "r4", "r5"].iter().map(|c| g(c)).collect(),
            acknowledged_within_sla_rate: rate(g("ack_in_sla"), counted),
            handled_by_heads: g("head_handled"),
            dispatched: g("dispatched"),
            first_time_fix_rate: rate(g("first_time_fix"), g("dispatched_resolved")),
        }
    }
}

/// A checked `kpis` request: the caller may read the scope, the period is valid.
#[derive(Clone, Debug)]
pub struct Request {
    /// What the caller proved.
    pub scope: ReaderOf,
    /// The period.
    pub period: Period,
    /// Rows per period of this kind.
    pub group_by: GroupBy,
    /// Rows per category too.
    pub by_category: bool,
    /// Only this category.
    pub category: Option<Uuid>,
}

/// The scope of a decoded scope id the caller may read (NOT_FOUND / FORBIDDEN as [`authz::require_reader_of`];
/// BAD_USER_INPUT for an id that is no unit or company).
pub async fn reader(state: &AppState, actor: &Actor, kind: Kind, id: Uuid) -> AppResult<ReaderOf> {
    actor.user_id()?;
    let scope = ReadScope::of_kind(kind).ok_or_else(|| {
        AppError::bad_input("scopeId", msg!("请选择一个区域、网格单元或物业公司", "Name a unit of the org tree or grid, or a company"))
    })?;
    authz::require_reader_of_kind(state, actor, scope, id).await
}

/// Checks a `kpis` request: the caller reads the scope, the period is at most five years.
pub async fn request(
    state: &AppState,
    actor: &Actor,
    (kind, id): (Kind, Uuid),
    period: (NaiveDate, NaiveDate),
    group_by: GroupBy,
    by_category: bool,
    category: Option<Uuid>,
) -> AppResult<Request> {
    let period = Period::parse(period.0, period.1)?;
    let scope = reader(state, actor, kind, id).await?;
    Ok(Request { scope, period, group_by, by_category, category })
}

/// One row of `kpis`.
#[derive(Clone, Debug)]
pub struct Row {
    /// The first day of the period (may be before `from`: the row covers the part within from..to).
    pub period: NaiveDate,
    /// The category (when grouped by category).
    pub category: Option<Uuid>,
    /// Its figures.
    pub figures: Figures,
}

/// Today's Beijing date.
pub fn today(state: &AppState) -> NaiveDate {
    facts::beijing_date(state.clock.now())
}

/// The aggregate's spec for a request, grouped (`rows`) or not (`total`), on `today` (Beijing).
pub fn spec(r: &Request, grouped: bool, today: NaiveDate) -> Spec {
    let mut keys = Vec::new();
    if grouped {
        keys.push(Key::Period(r.group_by.column()));
        if r.by_category {
            keys.push(Key::Category);
        }
    }
    Spec {
        scope: (r.scope.kind, r.scope.id),
        from: r.period.from,
        to: r.period.to,
        today,
        category: r.category,
        keys,
        durations: Dur::ALL.to_vec(),
    }
}

/// The rows: one per period of the range (zeros included) or, by category, one per period and category with
/// reports; oldest first.
pub async fn rows(state: &AppState, r: &Request) -> AppResult<Vec<Row>> {
    let found = aggregate::run(&state.db, &spec(r, true, today(state))).await?;
    let mut by: BTreeMap<(NaiveDate, Option<Uuid>), Figures> = BTreeMap::new();
    for (k, s) in found.iter() {
        let period = match k.first() {
            Some(KeyValue::Date(d)) => *d,
            _ => continue,
        };
        let category = match k.get(1) {
            Some(KeyValue::Id(c)) => *c,
            _ => None,
        };
        by.insert((period, category), Figures::of(s));
    }
    if !r.by_category {
        let mut p = r.group_by.start_of(r.period.from);
        while p <= r.period.to {
            by.entry((p, None)).or_insert_with(|| Figures::of(&Sums::default()));
            p = r.group_by.next(p);
        }
    }
    Ok(by.into_iter().map(|((period, category), figures)| Row { period, category, figures }).collect())
}

/// The figures of the whole period.
pub async fn total(state: &AppState, r: &Request) -> AppResult<Figures> {
    let found = aggregate::run(&state.db, &spec(r, false, today(state))).await?;
    Ok(found.first().map(|(_, s)| Figures::of(s)).unwrap_or_else(|| Figures::of(&Sums::default())))
}
