//! The aggregate behind every KPI: the counts and durations of one scope's reports over a date range, grouped by
//! the keys asked for (periods, category, child unit, previous-period flag).
//!
//! Where it reads: a month wholly inside the range (or the month of `to` when `to` is today or later: no report is
//! submitted after today) of an org scope (district, street, community, compound), grouped by month, quarter or
//! year, comes from the scope's KPI cells (`cell.rs`: one row per compound and month, each category's counts and
//! sorted durations); the days of a month cut by the range, a grouping by day or week, the grid's units,
//! companies and heads, and the cells not yet rebuilt since their last change come from the `report_fact` rows.
//! Both are added up by the same [`cell::Acc`], so the figures are the same whichever way a report is read; the
//! percentiles are PostgreSQL's `percentile_cont` computed here ([`cell::percentile_cont`]), on both databases.
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use super::cell::{self, Acc, Fact};
use crate::error::AppResult;
use crate::service::authz::ReadScope;
use crate::service::rows::col;

/// The `report_fact` column that holds a unit of `scope`'s kind.
fn fact_column(scope: ReadScope) -> &'static str {
    match scope {
        ReadScope::District => "district_id",
        ReadScope::Street => "street_id",
        ReadScope::Community => "community_id",
        ReadScope::Compound => "compound_id",
        ReadScope::Area => "area_id",
        ReadScope::Group => "group_id",
        ReadScope::Neighbourhood => "neighbourhood_id",
        ReadScope::Company => "company_id",
    }
}

/// A grouping key of the statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// A period column: `day`, `week`, `month`, `quarter` or `year`.
    Period(&'static str),
    /// The category.
    Category,
    /// A unit or person column (`compound_id`, `community_id`, `company_id`, `ack_by`).
    Child(&'static str),
    /// 1 for rows before this day (the previous period of a ranking), else 0.
    Before(NaiveDate),
}

/// A key's value in one result row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyValue {
    /// A date.
    Date(NaiveDate),
    /// An id (none: the column was null).
    Id(Option<Uuid>),
    /// The previous-period flag.
    Flag(i64),
}

/// A duration measured per report, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dur {
    /// Submission to acknowledgement, wall clock.
    AckWall,
    /// … business time.
    AckBiz,
    /// Submission to dispatch.
    DispatchWall,
    /// …
    DispatchBiz,
    /// Submission to resolution (the latest).
    ResolveWall,
    /// …
    ResolveBiz,
    /// Submission to close.
    CloseWall,
    /// …
    CloseBiz,
}

impl Dur {
    /// All of them.
    pub const ALL: [Dur; 8] =
        [Dur::AckWall, Dur::AckBiz, Dur::DispatchWall, Dur::DispatchBiz, Dur::ResolveWall, Dur::ResolveBiz, Dur::CloseWall, Dur::CloseBiz];

    /// Its place in [`Dur::ALL`] (and in a fact's and a cell's durations).
    pub fn index(self) -> usize {
        Dur::ALL.iter().position(|d| *d == self).expect("in ALL")
    }
}

/// What is asked of the aggregate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The scope column and its value.
    pub scope: (ReadScope, Uuid),
    /// Submission days from (inclusive).
    pub from: NaiveDate,
    /// … to (inclusive).
    pub to: NaiveDate,
    /// Today's Beijing date: no report is submitted after it, so a month that ends later is whole when `to` is
    /// today or after.
    pub today: NaiveDate,
    /// Only this category.
    pub category: Option<Uuid>,
    /// Group by these.
    pub keys: Vec<Key>,
    /// The percentiles (p50, p90) of these durations.
    pub durations: Vec<Dur>,
}

/// The counts and sums of one group, by name (`cell::NAMES`).
#[derive(Clone, Debug, PartialEq)]
pub struct Sums {
    /// The counts, in `cell::NAMES` order.
    pub n: [i64; cell::N],
    /// (duration, p50, p90) in minutes (none: no report reached it).
    pub pct: HashMap<Dur, (Option<f64>, Option<f64>)>,
}

impl Default for Sums {
    fn default() -> Self {
        Sums { n: [0; cell::N], pct: HashMap::new() }
    }
}

/// A name's place in `cell::NAMES` (a `match`, not a hash: `Figures::of` asks ~45 names of every group, and a
/// ranking has 800 groups; a test holds it to `NAMES`).
fn place(c: &str) -> Option<usize> {
    match c {
        "received" => Some(0),
        "counted" => Some(1),
        "st_submitted" => Some(2),
        "st_acknowledged" => Some(3),
        "st_dispatched" => Some(4),
        "st_in_progress" => Some(5),
        "st_resolved" => Some(6),
        "st_closed" => Some(7),
        "st_rejected" => Some(8),
        "st_duplicate" => Some(9),
        "st_cancelled" => Some(10),
        "st_reopened" => Some(11),
        "supports" => Some(12),
        "supported" => Some(13),
        "acked" => Some(14),
        "dispatched" => Some(15),
        "started" => Some(16),
        "resolved" => Some(17),
        "closed" => Some(18),
        "breach_ack" => Some(19),
        "breach_handle" => Some(20),
        "breach_start" => Some(21),
        "breach_resolve" => Some(22),
        "any_breach" => Some(23),
        "escalations" => Some(24),
        "escalated" => Some(25),
        "lvl_property" => Some(26),
        "lvl_neighbour_head" => Some(27),
        "lvl_group_head" => Some(28),
        "lvl_area_head" => Some(29),
        "lvl_community_admin" => Some(30),
        "lvl_street_admin" => Some(31),
        "reopened" => Some(32),
        "confirmed" => Some(33),
        "auto_closed" => Some(34),
        "rated" => Some(35),
        "rating_sum" => Some(36),
        "r1" => Some(37),
        "r2" => Some(38),
        "r3" => Some(39),
        "r4" => Some(40),
        "r5" => Some(41),
        "ack_in_sla" => Some(42),
        "head_handled" => Some(43),
        "dispatched_resolved" => Some(44),
        "first_time_fix" => Some(45),
        "resolved_in_sla" => Some(46),
        "resolved_after_reopen" => Some(47),
        "cancelled_or_rejected" => Some(48),
        _ => None,
    }
}

impl Sums {
    /// A count or sum (0 for a name that is none).
    pub fn get(&self, c: &str) -> i64 {
        place(c).map(|i| self.n[i]).unwrap_or(0)
    }

    fn of(mut acc: Acc, durations: &[Dur]) -> Sums {
        let pct = durations.iter().map(|d| (*d, acc.percentiles(*d))).collect();
        Sums { n: acc.n, pct }
    }
}

/// (column, stored status) of the `byStatus` counts.
pub const STATUSES: [(&str, &str); 10] = [
    ("st_submitted", "SUBMITTED"),
    ("st_acknowledged", "ACKNOWLEDGED"),
    ("st_dispatched", "DISPATCHED"),
    ("st_in_progress", "IN_PROGRESS"),
    ("st_resolved", "RESOLVED"),
    ("st_closed", "CLOSED"),
    ("st_rejected", "REJECTED"),
    ("st_duplicate", "DUPLICATE"),
    ("st_cancelled", "CANCELLED"),
    ("st_reopened", "REOPENED"),
];

/// The `kpi_cell` column of an org scope (none: the grid and companies have no cells).
fn cell_column(scope: ReadScope) -> Option<&'static str> {
    match scope {
        ReadScope::District => Some("district_id"),
        ReadScope::Street => Some("street_id"),
        ReadScope::Community => Some("community_id"),
        ReadScope::Compound => Some("compound_id"),
        _ => None,
    }
}

/// Where the aggregate reads: the months from the cells, the day ranges from the facts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// First days of the months read from cells (ascending, contiguous).
    pub months: Vec<NaiveDate>,
    /// Day ranges (both ends included) read from the facts.
    pub days: Vec<(NaiveDate, NaiveDate)>,
}

/// Whether a cell (a compound's month) can give a key's value.
fn cell_keyed(k: &Key) -> bool {
    match k {
        Key::Period(p) => matches!(*p, "month" | "quarter" | "year"),
        Key::Category | Key::Child("compound_id" | "community_id") => true,
        Key::Child(_) => false,
        Key::Before(d) => d.day() == 1,
    }
}

/// Which months come from cells and which days from facts.
pub fn plan(spec: &Spec) -> Plan {
    let mut p = Plan::default();
    if cell_column(spec.scope.0).is_none() || !spec.keys.iter().all(cell_keyed) {
        p.days.push((spec.from, spec.to));
        return p;
    }
    let mut m = super::facts::period_keys(spec.from)[1];
    while m <= spec.to {
        let (first, last) = cell::month_days(m);
        if spec.from <= first && (last <= spec.to || spec.to >= spec.today) {
            p.months.push(m);
        } else {
            let range = (spec.from.max(first), spec.to.min(last));
            match p.days.last_mut() {
                Some(prev) if prev.1.succ_opt() == Some(range.0) => prev.1 = range.1,
                _ => p.days.push(range),
            }
        }
        m = last.succ_opt().expect("in range");
    }
    p
}

/// The statement of a scope's cells over `months`: their place and freshness, not their bytes (a clean cell this
/// process has decoded is not read again; [`cell_data_statement`] reads the others). For the benchmark's ceiling too.
pub fn cells_statement(backend: DbBackend, spec: &Spec, months: &[NaiveDate]) -> Option<Statement> {
    let (first, last) = (months.first()?, months.last()?);
    let col = cell_column(spec.scope.0)?;
    let sql = format!("SELECT compound_id, community_id, month, version, built FROM kpi_cell WHERE {col} = $1 AND month >= $2 AND month <= $3");
    Some(Statement::from_sql_and_values(backend, sql, [Value::from(spec.scope.1), Value::from(*first), Value::from(*last)]))
}

/// The bytes of the cells `cells` (compound, month), with their freshness as it is now.
fn cell_data_statement(backend: DbBackend, cells: &[(Uuid, NaiveDate)]) -> Statement {
    let mut values: Vec<Value> = Vec::with_capacity(cells.len() * 2);
    let mut ors = Vec::with_capacity(cells.len());
    for (compound, month) in cells {
        values.extend([Value::from(*compound), Value::from(*month)]);
        ors.push(format!("(compound_id = ${} AND month = ${})", values.len() - 1, values.len()));
    }
    let sql = format!("SELECT compound_id, month, version, built, data FROM kpi_cell WHERE {}", ors.join(" OR "));
    Statement::from_sql_and_values(backend, sql, values)
}

/// The statement of a scope's facts over a day range (for the benchmark's ceiling too).
pub fn facts_statement(backend: DbBackend, spec: &Spec, (from, to): (NaiveDate, NaiveDate)) -> Statement {
    let mut sql = format!("SELECT {} FROM report_fact WHERE {} = $1 AND day >= $2 AND day <= $3", cell::FACT_COLUMNS, fact_column(spec.scope.0));
    let mut values = vec![Value::from(spec.scope.1), Value::from(from), Value::from(to)];
    if let Some(c) = spec.category {
        sql.push_str(" AND category_id = $4");
        values.push(Value::from(c));
    }
    Statement::from_sql_and_values(backend, sql, values)
}

/// The statements of a spec's plan, as they would run with every cell clean and nothing changed since the last
/// read (the benchmark's ceiling): the fingerprint alone when the answer is read wholly from cells, else the cells'
/// (or spans') statement and the facts'.
pub fn statements(backend: DbBackend, spec: &Spec) -> Vec<Statement> {
    let p = plan(spec);
    if p.days.is_empty() {
        if let Some(stmt) = fingerprint_statement(backend, spec, &p.months) {
            return vec![stmt];
        }
    }
    let months = match spans(spec) {
        Some(split) => spans_statement(backend, spec, &p.months, split),
        None => cells_statement(backend, spec, &p.months),
    };
    let mut v: Vec<Statement> = months.into_iter().collect();
    v.extend(p.days.iter().map(|r| facts_statement(backend, spec, *r)));
    v
}

/// A period key's value for a submission day (or a cell's month).
fn period(col: &str, day: NaiveDate) -> NaiveDate {
    let [week, month, quarter, year] = super::facts::period_keys(day);
    match col {
        "week" => week,
        "month" => month,
        "quarter" => quarter,
        "year" => year,
        _ => day,
    }
}

fn fact_key(keys: &[Key], f: &Fact) -> Vec<KeyValue> {
    keys.iter()
        .map(|k| match k {
            Key::Period(c) => KeyValue::Date(period(c, f.day)),
            Key::Category => KeyValue::Id(Some(f.category)),
            Key::Child("compound_id") => KeyValue::Id(Some(f.compound)),
            Key::Child("community_id") => KeyValue::Id(Some(f.community)),
            Key::Child("company_id") => KeyValue::Id(f.company),
            Key::Child(_) => KeyValue::Id(f.ack_by),
            Key::Before(d) => KeyValue::Flag(i64::from(f.day < *d)),
        })
        .collect()
}

fn cell_key(keys: &[Key], (compound, community, month): (Uuid, Uuid, NaiveDate), category: Uuid) -> Vec<KeyValue> {
    keys.iter()
        .map(|k| match k {
            Key::Period(c) => KeyValue::Date(period(c, month)),
            Key::Category => KeyValue::Id(Some(category)),
            Key::Child("community_id") => KeyValue::Id(Some(community)),
            Key::Child(_) => KeyValue::Id(Some(compound)),
            Key::Before(d) => KeyValue::Flag(i64::from(month < *d)),
        })
        .collect()
}

/// How many dirty cells one statement reads the facts of.
const DIRTY_BATCH: usize = 50;

/// How many compounds one statement reads the cells of, when their spans are not in memory.
const SPAN_BATCH: usize = 200;

/// A cell as [`read_cells`] finds it: clean (its version and decoded contents), or to be read from its facts.
enum Seen<'a> {
    Clean((Uuid, Uuid, NaiveDate), i64, &'a cell::Cell),
    Dirty((Uuid, Uuid, NaiveDate)),
}

/// Reads the cells `stmt` lists (compound, community, month, version, built): a clean cell this process has decoded
/// comes from memory, the bytes of the other clean ones are read in a second statement that checks their freshness
/// again (a write may have made one dirty since).
async fn read_cells<C: ConnectionTrait>(db: &C, stmt: Statement, mut on: impl FnMut(Seen<'_>)) -> AppResult<()> {
    let backend = db.get_database_backend();
    let mut unread: HashMap<(Uuid, NaiveDate), Uuid> = HashMap::new();
    for row in db.query_all_raw(stmt).await? {
        let place: (Uuid, Uuid, NaiveDate) = (col(&row, 0)?, col(&row, 1)?, col(&row, 2)?);
        let (version, built): (i64, i64) = (col(&row, 3)?, col(&row, 4)?);
        if version != built {
            on(Seen::Dirty(place));
            continue;
        }
        match cell::cached(place.0, place.2, version) {
            Some(c) => on(Seen::Clean(place, version, &c)),
            None => {
                unread.insert((place.0, place.2), place.1);
            }
        }
    }
    let unread_list: Vec<(Uuid, NaiveDate)> = unread.keys().copied().collect();
    for chunk in unread_list.chunks(DIRTY_BATCH * 2) {
        for row in db.query_all_raw(cell_data_statement(backend, chunk)).await? {
            let (compound, month): (Uuid, NaiveDate) = (col(&row, 0)?, col(&row, 1)?);
            let (version, built, data): (i64, i64, Option<Vec<u8>>) = (col(&row, 2)?, col(&row, 3)?, col(&row, 4)?);
            let Some(community) = unread.remove(&(compound, month)) else { continue };
            match data {
                Some(data) if version == built => {
                    let c = cell::decoded(compound, month, version, &data)?;
                    on(Seen::Clean((compound, community, month), version, &c));
                }
                _ => on(Seen::Dirty((compound, community, month))),
            }
        }
    }
    // None is ever deleted; were one to be, its facts are read.
    for ((compound, month), community) in unread {
        on(Seen::Dirty((compound, community, month)));
    }
    Ok(())
}

/// Calls `into` with a cell's accumulators as a spec counts them: without a category key or filter, its categories
/// merged once, when it was decoded; else each category the filter lets through.
fn cell_accs(spec: &Spec, c: &cell::Cell, mut into: impl FnMut(Uuid, &Acc)) {
    if spec.category.is_none() && !spec.keys.contains(&Key::Category) {
        into(Uuid::nil(), &c.total);
        return;
    }
    for (category, acc) in &c.categories {
        if spec.category.is_none_or(|c| c == *category) {
            into(*category, acc);
        }
    }
}

// ---- Spans: a compound's months that fall in one group.
//
// A ranking groups a compound's cells by compound (or community) and previous-period flag only: its 24 months make
// two groups. Read cell by cell, a year's ranking of the district's 400 compounds is 9,600 rows and 9,600 merges
// (a month's, measured in bench/RESULTS.md rounds 12 and 13, is 800). A span is the cells of one compound and community whose months fall on the same
// side of the split: the database adds up their count and versions, and a span this process has merged before, at
// the same versions, comes from memory. It is exact: a cell's version only grows and no cell is ever deleted, so
// the same count and sum of versions over the same months means the same versions of the same cells, whose bytes
// never change under a version; a span with a dirty cell is never kept.

/// A span kept in memory: (compound, community, first month, last month, category filter, durations copied (bits of
/// `Dur::ALL`), cells, sum of their versions).
type SpanKey = (Uuid, Uuid, NaiveDate, NaiveDate, Option<Uuid>, u8, i64, i64);

static SPANS: std::sync::LazyLock<moka::sync::Cache<SpanKey, std::sync::Arc<Acc>>> = std::sync::LazyLock::new(|| {
    moka::sync::Cache::builder()
        .weigher(|_, a: &std::sync::Arc<Acc>| {
            u32::try_from(a.durs.iter().map(Vec::len).sum::<usize>() * 4 + cell::N * 8 + 96).unwrap_or(u32::MAX)
        })
        .max_capacity(32 * 1024 * 1024)
        .build()
});

/// Whether a spec's groups can be read by spans, and where it splits its months (the previous period's end).
fn spans(spec: &Spec) -> Option<Option<NaiveDate>> {
    let mut split = None;
    for k in &spec.keys {
        match k {
            Key::Child("compound_id" | "community_id") => {}
            Key::Before(d) if split.is_none() && d.day() == 1 => split = Some(*d),
            _ => return None,
        }
    }
    cell_column(spec.scope.0)?;
    Some(split)
}

/// The statement of a scope's spans over `months` split at `split`: (compound, community, side (1 before the
/// split), cells, sum of versions, dirty cells).
fn spans_statement(backend: DbBackend, spec: &Spec, months: &[NaiveDate], split: Option<NaiveDate>) -> Option<Statement> {
    let (first, last) = (months.first()?, months.last()?);
    let col = cell_column(spec.scope.0)?;
    let mut values = vec![Value::from(spec.scope.1), Value::from(*first), Value::from(*last)];
    let (side, group) = match split {
        Some(d) => {
            values.push(Value::from(d));
            ("CASE WHEN month < $4 THEN 1 ELSE 0 END", ", side")
        }
        None => ("0", ""),
    };
    let sql = format!(
        "SELECT compound_id, community_id, {side} AS side, COUNT(*), CAST(SUM(version) AS BIGINT), \
         CAST(SUM(CASE WHEN version = built THEN 0 ELSE 1 END) AS BIGINT) FROM kpi_cell \
         WHERE {col} = $1 AND month >= $2 AND month <= $3 GROUP BY compound_id, community_id{group}"
    );
    Some(Statement::from_sql_and_values(backend, sql, values))
}

/// A span being merged from its cells.
#[derive(Default)]
struct Fill {
    acc: Acc,
    cells: i64,
    versions: i64,
    dirty: bool,
}

/// The durations a spec copies, as bits of `Dur::ALL` (part of the keys of what is kept in memory).
fn dur_bits(durations: &[Dur]) -> u8 {
    durations.iter().fold(0u8, |b, d| b | (1 << d.index()))
}

/// Reads a spec's months by spans into `groups`; the dirty cells' places go to `dirty` (their facts are read).
async fn read_spans<C: ConnectionTrait>(
    db: &C,
    spec: &Spec,
    months: &[NaiveDate],
    split: Option<NaiveDate>,
    groups: &mut HashMap<Vec<KeyValue>, Acc>,
    dirty: &mut Vec<(Uuid, NaiveDate)>,
) -> AppResult<()> {
    let backend = db.get_database_backend();
    let Some(stmt) = spans_statement(backend, spec, months, split) else { return Ok(()) };
    let side = |m: NaiveDate| i64::from(split.is_some_and(|d| m < d));
    // Each side's months: (first, last).
    let range = |s: i64| {
        let mut it = months.iter().filter(|m| side(**m) == s);
        let first = it.next().copied();
        first.map(|f| (f, it.last().copied().unwrap_or(f)))
    };
    let ranges = [range(0), range(1)];
    let durs = dur_bits(&spec.durations);
    let key = |(compound, community, s): (Uuid, Uuid, i64), cells: i64, versions: i64| {
        let (first, last) = ranges[s as usize].expect("a side with cells has months");
        (compound, community, first, last, spec.category, durs, cells, versions)
    };
    let merge = |groups: &mut HashMap<Vec<KeyValue>, Acc>, (compound, community, s): (Uuid, Uuid, i64), acc: &Acc| {
        let first = ranges[s as usize].expect("a side with cells has months").0;
        groups.entry(cell_key(&spec.keys, (compound, community, first), Uuid::nil())).or_default().merge_only(acc, &spec.durations);
    };
    let mut missing: std::collections::HashSet<(Uuid, Uuid, i64)> = std::collections::HashSet::new();
    for row in db.query_all_raw(stmt).await? {
        let id: (Uuid, Uuid, i64) = (col(&row, 0)?, col(&row, 1)?, col(&row, 2)?);
        let (cells, versions, unbuilt): (i64, i64, i64) = (col(&row, 3)?, col(&row, 4)?, col(&row, 5)?);
        match (unbuilt == 0).then(|| SPANS.get(&key(id, cells, versions))).flatten() {
            Some(acc) => merge(groups, id, &acc),
            None => {
                missing.insert(id);
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    // The spans not in memory: their cells, one by one.
    let mut compounds: Vec<Uuid> = missing.iter().map(|m| m.0).collect();
    compounds.sort();
    compounds.dedup();
    let mut fills: HashMap<(Uuid, Uuid, i64), Fill> = HashMap::new();
    for chunk in compounds.chunks(SPAN_BATCH) {
        let mut values: Vec<Value> = vec![Value::from(months[0]), Value::from(months[months.len() - 1])];
        values.extend(chunk.iter().map(|c| Value::from(*c)));
        let list: Vec<String> = (3..=values.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT compound_id, community_id, month, version, built FROM kpi_cell WHERE month >= $1 AND month <= $2 AND compound_id IN ({})",
            list.join(", ")
        );
        read_cells(db, Statement::from_sql_and_values(backend, sql, values), |seen| {
            let place = match seen {
                Seen::Clean(p, ..) | Seen::Dirty(p) => p,
            };
            let id = (place.0, place.1, side(place.2));
            if !missing.contains(&id) {
                return;
            }
            let fill = fills.entry(id).or_default();
            match seen {
                Seen::Clean(_, version, c) => {
                    cell_accs(spec, c, |_, acc| fill.acc.merge_only(acc, &spec.durations));
                    fill.cells += 1;
                    fill.versions += version;
                }
                Seen::Dirty(_) => {
                    fill.dirty = true;
                    dirty.push((place.0, place.2));
                }
            }
        })
        .await?;
    }
    for (id, fill) in fills {
        if !fill.dirty {
            let acc = std::sync::Arc::new(fill.acc);
            SPANS.insert(key(id, fill.cells, fill.versions), acc.clone());
            merge(groups, id, &acc);
        } else {
            merge(groups, id, &fill.acc);
        }
    }
    Ok(())
}

// Whole answers. An aggregate read wholly from cells (no day range from the facts) depends on nothing but the
// versions of the scope's cells over its months: every change to a fact bumps its cell's version in the change's
// transaction (which is what makes a clean cell trustworthy at all), a dirty cell is read from facts that are fixed
// while its version holds, and a clean one from bytes that are. So its answer is kept in memory under the scope's
// fingerprint (cells, sum of versions), read first by one one-row statement, and given back as long as the
// fingerprint holds, dirty cells or not: the district's ranking of its compounds is then one short statement and
// no merging or percentile at all, and a change anywhere in the scope costs one computation per replica. Exact for
// the reason the spans are: versions only grow and cells are never deleted, so a fingerprint never comes back once
// the scope has changed. A read under a fingerprint that a change overtook meanwhile is kept under that old
// fingerprint, which only a reader that read it before the change sees again (and gets a newer answer).

/// An answer kept in memory: (scope, first month, last month, category filter, keys, durations (bits of
/// `Dur::ALL`), cells, sum of their versions).
type MemoKey = (ReadScope, Uuid, NaiveDate, NaiveDate, Option<Uuid>, Vec<Key>, u8, i64, i64);

/// The groups of an answer.
pub type Answer = std::sync::Arc<Vec<(Vec<KeyValue>, Sums)>>;

static MEMO: std::sync::LazyLock<moka::sync::Cache<MemoKey, Answer>> = std::sync::LazyLock::new(|| {
    moka::sync::Cache::builder()
        .weigher(|_, a: &Answer| u32::try_from(a.len() * (cell::N * 8 + 200) + 64).unwrap_or(u32::MAX))
        .max_capacity(16 * 1024 * 1024)
        .build()
});

/// The one-row statement of a scope's fingerprint over `months`: (cells, sum of versions).
fn fingerprint_statement(backend: DbBackend, spec: &Spec, months: &[NaiveDate]) -> Option<Statement> {
    let (first, last) = (months.first()?, months.last()?);
    let col = cell_column(spec.scope.0)?;
    let sql = format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM kpi_cell WHERE {col} = $1 AND month >= $2 AND month <= $3"
    );
    Some(Statement::from_sql_and_values(backend, sql, [Value::from(spec.scope.1), Value::from(*first), Value::from(*last)]))
}

/// Runs the aggregate: one group of sums per key seen (none when the scope has no report in the range).
pub async fn run<C: ConnectionTrait>(db: &C, spec: &Spec) -> AppResult<Answer> {
    let plan = plan(spec);
    let memo_key = match (plan.days.is_empty(), fingerprint_statement(db.get_database_backend(), spec, &plan.months)) {
        (true, Some(stmt)) => match db.query_one_raw(stmt).await? {
            Some(row) => {
                let (cells, versions): (i64, i64) = (col(&row, 0)?, col(&row, 1)?);
                let (first, last) = (plan.months[0], plan.months[plan.months.len() - 1]);
                let key = (spec.scope.0, spec.scope.1, first, last, spec.category, spec.keys.clone(), dur_bits(&spec.durations), cells, versions);
                if let Some(answer) = MEMO.get(&key) {
                    return Ok(answer);
                }
                Some(key)
            }
            None => None,
        },
        _ => None,
    };
    let answer: Answer = std::sync::Arc::new(compute(db, spec, &plan).await?);
    if let Some(key) = memo_key {
        MEMO.insert(key, answer.clone());
    }
    Ok(answer)
}

/// Computes the aggregate.
async fn compute<C: ConnectionTrait>(db: &C, spec: &Spec, plan: &Plan) -> AppResult<Vec<(Vec<KeyValue>, Sums)>> {
    let backend = db.get_database_backend();
    let mut groups: HashMap<Vec<KeyValue>, Acc> = HashMap::new();
    let mut dirty: Vec<(Uuid, NaiveDate)> = Vec::new();
    match spans(spec) {
        Some(split) => read_spans(db, spec, &plan.months, split, &mut groups, &mut dirty).await?,
        None => {
            if let Some(stmt) = cells_statement(backend, spec, &plan.months) {
                read_cells(db, stmt, |seen| match seen {
                    Seen::Clean(place, _, c) => cell_accs(spec, c, |category, acc| {
                        groups.entry(cell_key(&spec.keys, place, category)).or_default().merge_only(acc, &spec.durations)
                    }),
                    Seen::Dirty(place) => dirty.push((place.0, place.2)),
                })
                .await?;
            }
        }
    }
    let mut add = |rows: Vec<sea_orm::QueryResult>| -> AppResult<()> {
        for row in &rows {
            let f = Fact::decode(row)?;
            groups.entry(fact_key(&spec.keys, &f)).or_default().add(&f);
        }
        Ok(())
    };
    for range in &plan.days {
        add(db.query_all_raw(facts_statement(backend, spec, *range)).await?)?;
    }
    for chunk in dirty.chunks(DIRTY_BATCH) {
        // The facts of cells changed since they were last built: one compound and month each.
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3 + 1);
        let mut ors = Vec::with_capacity(chunk.len());
        for (compound, month) in chunk {
            let (first, last) = cell::month_days(*month);
            values.extend([Value::from(*compound), Value::from(first), Value::from(last)]);
            let i = values.len();
            ors.push(format!("(compound_id = ${} AND day >= ${} AND day <= ${})", i - 2, i - 1, i));
        }
        let mut sql = format!("SELECT {} FROM report_fact WHERE ({})", cell::FACT_COLUMNS, ors.join(" OR "));
        if let Some(c) = spec.category {
            values.push(Value::from(c));
            sql.push_str(&format!(" AND category_id = ${}", values.len()));
        }
        add(db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?)?;
    }
    Ok(groups.into_iter().map(|(k, acc)| (k, Sums::of(acc, &spec.durations))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn spec(scope: ReadScope, from: &str, to: &str, today: &str, keys: Vec<Key>) -> Spec {
        Spec { scope: (scope, Uuid::nil()), from: d(from), to: d(to), today: d(today), category: None, keys, durations: vec![] }
    }

    #[test]
    fn every_name_has_its_place() {
        for (i, n) in cell::NAMES.iter().enumerate() {
            assert_eq!(place(n), Some(i), "{n}");
        }
        assert_eq!(place("no such count"), None);
    }

    #[test]
    fn whole_months_of_org_scopes_come_from_cells_and_the_rest_from_facts() {
        let month = || vec![Key::Period("month")];
        // A year of whole months.
        let p = plan(&spec(ReadScope::Street, "2026-01-01", "2026-12-31", "2027-02-01", month()));
        assert_eq!((p.months.len(), p.days.len()), (12, 0));
        // Cut at both ends: the cut months' days from facts.
        let p = plan(&spec(ReadScope::Street, "2026-01-15", "2026-03-10", "2027-02-01", month()));
        assert_eq!(p.months, vec![d("2026-02-01")]);
        assert_eq!(p.days, vec![(d("2026-01-15"), d("2026-01-31")), (d("2026-03-01"), d("2026-03-10"))]);
        // The month so far is whole when `to` is today.
        let p = plan(&spec(ReadScope::District, "2026-03-01", "2026-03-10", "2026-03-10", month()));
        assert_eq!((p.months, p.days), (vec![d("2026-03-01")], vec![]));
        // Weeks, the grid, companies and heads read facts.
        for (scope, keys) in [
            (ReadScope::Street, vec![Key::Period("week")]),
            (ReadScope::Area, month()),
            (ReadScope::Company, month()),
            (ReadScope::Community, vec![Key::Child("ack_by")]),
            (ReadScope::District, vec![Key::Child("compound_id"), Key::Before(d("2026-02-15"))]),
        ] {
            let p = plan(&spec(scope, "2026-01-01", "2026-03-31", "2027-01-01", keys));
            assert_eq!((p.months.len(), p.days), (0, vec![(d("2026-01-01"), d("2026-03-31"))]));
        }
        // A ranking of whole months: the previous period's boundary is a month's first day.
        let p = plan(&spec(ReadScope::District, "2026-01-01", "2026-02-28", "2027-01-01", vec![Key::Child("compound_id"), Key::Before(d("2026-02-01"))]));
        assert_eq!(p.months.len(), 2);
    }
}
