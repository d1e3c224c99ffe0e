//! The one statement behind every KPI: an aggregate over the `report_fact` rows of one scope and date range,
//! grouped by the keys asked for, with the counts and sums every figure is made of. Percentiles: PostgreSQL
//! computes them in the same statement (`percentile_cont`); SQLite has none, so a second statement over the same
//! index returns the durations and [`percentile_cont`] computes them here with PostgreSQL's own formula, so the
//! figures are the same on both databases.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use uuid::Uuid;

use crate::error::AppResult;
use crate::service::authz::ReadScope;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

    fn col(self) -> &'static str {
        match self {
            Dur::AckWall => "ack_wall",
            Dur::AckBiz => "ack_biz",
            Dur::DispatchWall => "dispatch_wall",
            Dur::DispatchBiz => "dispatch_biz",
            Dur::ResolveWall => "resolve_wall",
            Dur::ResolveBiz => "resolve_biz",
            Dur::CloseWall => "close_wall",
            Dur::CloseBiz => "close_biz",
        }
    }
}

/// What is asked of the statement.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The scope column and its value.
    pub scope: (ReadScope, Uuid),
    /// Submission days from (inclusive).
    pub from: NaiveDate,
    /// … to (inclusive).
    pub to: NaiveDate,
    /// Only this category.
    pub category: Option<Uuid>,
    /// Group by these.
    pub keys: Vec<Key>,
    /// The percentiles (p50, p90) of these durations.
    pub durations: Vec<Dur>,
}

/// The counts and sums of one group. Field names are the statement's column names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sums {
    /// column → value.
    pub n: HashMap<&'static str, i64>,
    /// (duration, p50, p90) in minutes (none: no report reached it).
    pub pct: HashMap<Dur, (Option<f64>, Option<f64>)>,
}

impl Sums {
    /// A count or sum (0 when absent).
    pub fn get(&self, c: &str) -> i64 {
        self.n.get(c).copied().unwrap_or(0)
    }
}

/// The counts and sums: (column, SQL aggregate). A merged duplicate's row has zeros and nulls (`facts.rs`), so only
/// `received` and the statuses see it and no aggregate tests the status to leave it out.
pub fn sums() -> Vec<(&'static str, String)> {
    let n = |cond: &str| format!("COUNT(*) FILTER (WHERE {cond})");
    let sum = |col: &str| format!("CAST(SUM({col}) AS BIGINT)");
    let count = |col: &str| format!("COUNT({col})");
    let mut v: Vec<(&'static str, String)> = vec![("received", "COUNT(*)".into()), ("counted", sum("counted"))];
    for (c, st) in STATUSES {
        v.push((c, format!("COUNT(*) FILTER (WHERE status = '{st}')")));
    }
    let rows: [(&'static str, String); 37] = [
        ("supports", sum("support_count")),
        ("supported", n("support_count > 0")),
        ("acked", count("ack_wall")),
        ("dispatched", count("dispatch_wall")),
        ("started", sum("started")),
        ("resolved", count("resolve_wall")),
        ("closed", count("close_wall")),
        ("breach_ack", sum("breach_ack")),
        ("breach_handle", sum("breach_handle")),
        ("breach_start", sum("breach_start")),
        ("breach_resolve", sum("breach_resolve")),
        ("any_breach", n("breach_ack + breach_handle + breach_start + breach_resolve > 0")),
        ("escalations", sum("escalations")),
        ("escalated", n("escalations > 0")),
        ("lvl_property", n("(levels & 1) <> 0")),
        ("lvl_neighbour_head", n("(levels & 2) <> 0")),
        ("lvl_group_head", n("(levels & 4) <> 0")),
        ("lvl_area_head", n("(levels & 8) <> 0")),
        ("lvl_community_admin", n("(levels & 16) <> 0")),
        ("lvl_street_admin", n("(levels & 32) <> 0")),
        ("reopened", sum("reopened")),
        ("confirmed", sum("confirmed")),
        ("auto_closed", sum("auto_closed")),
        ("rated", count("rating")),
        ("rating_sum", sum("rating")),
        ("r1", n("rating = 1")),
        ("r2", n("rating = 2")),
        ("r3", n("rating = 3")),
        ("r4", n("rating = 4")),
        ("r5", n("rating = 5")),
        ("ack_in_sla", n("ack_wall IS NOT NULL AND breach_ack = 0")),
        ("head_handled", n("resolve_wall IS NOT NULL AND dispatch_wall IS NULL")),
        ("dispatched_resolved", n("dispatch_wall IS NOT NULL AND resolve_wall IS NOT NULL")),
        ("first_time_fix", n("dispatch_wall IS NOT NULL AND resolve_wall IS NOT NULL AND reopened = 0")),
        ("resolved_in_sla", n("resolve_wall IS NOT NULL AND breach_ack + breach_handle + breach_start + breach_resolve = 0")),
        ("resolved_after_reopen", n("resolve_wall IS NOT NULL AND reopened = 1")),
        ("cancelled_or_rejected", n("status IN ('CANCELLED', 'REJECTED')")),
    ];
    v.extend(rows);
    v
}

/// (column, stored status).
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

fn key_sql(k: Key, i: usize, values: &mut Vec<Value>) -> String {
    match k {
        Key::Period(c) | Key::Child(c) => format!("{c} AS k{i}"),
        Key::Category => format!("category_id AS k{i}"),
        Key::Before(d) => {
            values.push(Value::from(d));
            format!("CASE WHEN day < ${} THEN 1 ELSE 0 END AS k{i}", values.len())
        }
    }
}

fn where_sql(spec: &Spec, values: &mut Vec<Value>) -> String {
    values.push(Value::from(spec.scope.1));
    values.push(Value::from(spec.from));
    values.push(Value::from(spec.to));
    let mut w = format!("{} = $1 AND day >= $2 AND day <= $3", fact_column(spec.scope.0));
    if let Some(c) = spec.category {
        values.push(Value::from(c));
        w.push_str(&format!(" AND category_id = ${}", values.len()));
    }
    w
}

/// The aggregate statement (for the benchmark's ceiling too: the same SQL run bare).
pub fn statement(backend: DbBackend, spec: &Spec) -> Statement {
    let mut values = Vec::new();
    let w = where_sql(spec, &mut values);
    let keys: Vec<String> = spec.keys.iter().enumerate().map(|(i, k)| key_sql(*k, i, &mut values)).collect();
    let mut cols: Vec<String> = keys.clone();
    cols.extend(sums().into_iter().map(|(c, e)| format!("{e} AS {c}")));
    if backend == DbBackend::Postgres {
        for d in &spec.durations {
            for (p, name) in [(0.5, "p50"), (0.9, "p90")] {
                cols.push(format!("percentile_cont({p}) WITHIN GROUP (ORDER BY {c}) AS {c}_{name}", c = d.col()));
            }
        }
    }
    let group = (0..spec.keys.len()).map(|i| format!("k{i}")).collect::<Vec<_>>();
    let group = if group.is_empty() { String::new() } else { format!(" GROUP BY {}", group.join(", ")) };
    let sql = format!("SELECT {} FROM report_fact WHERE {w}{group}", cols.join(", "));
    Statement::from_sql_and_values(backend, sql, values)
}

/// SQLite's second statement: the durations of the counted reports (a duplicate's are null), with their keys.
fn durations_statement(backend: DbBackend, spec: &Spec) -> Statement {
    let mut values = Vec::new();
    let w = where_sql(spec, &mut values);
    let mut cols: Vec<String> = spec.keys.iter().enumerate().map(|(i, k)| key_sql(*k, i, &mut values)).collect();
    cols.extend(spec.durations.iter().map(|d| d.col().to_owned()));
    Statement::from_sql_and_values(backend, format!("SELECT {} FROM report_fact WHERE {w} AND counted = 1", cols.join(", ")), values)
}

fn key_values(row: &QueryResult, keys: &[Key]) -> AppResult<Vec<KeyValue>> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            let c = format!("k{i}");
            Ok(match k {
                Key::Period(_) => KeyValue::Date(row.try_get("", &c)?),
                Key::Category | Key::Child(_) => KeyValue::Id(row.try_get("", &c)?),
                Key::Before(_) => KeyValue::Flag(row.try_get::<i64>("", &c).or_else(|_| row.try_get::<i32>("", &c).map(i64::from))?),
            })
        })
        .collect()
}

/// PostgreSQL's `percentile_cont` (continuous, linear interpolation between the two nearest rows) over sorted
/// values, in the same floating-point steps, so both databases give the same figure.
pub fn percentile_cont(sorted: &[i64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let pos = p * (n - 1) as f64;
    let (first, second) = (pos.floor(), pos.ceil());
    let lo = sorted[first as usize] as f64;
    if second > first {
        let hi = sorted[second as usize] as f64;
        Some(lo + (hi - lo) * (pos - first))
    } else {
        Some(lo)
    }
}

/// Runs the aggregate: one row of sums per group (one or two statements).
pub async fn run<C: ConnectionTrait>(db: &C, spec: &Spec) -> AppResult<Vec<(Vec<KeyValue>, Sums)>> {
    let backend = db.get_database_backend();
    let rows = db.query_all_raw(statement(backend, spec)).await?;
    let names = sums();
    let mut out: Vec<(Vec<KeyValue>, Sums)> = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut s = Sums::default();
        for (c, _) in &names {
            s.n.insert(c, row.try_get::<Option<i64>>("", c)?.unwrap_or(0));
        }
        if backend == DbBackend::Postgres {
            for d in &spec.durations {
                let p50: Option<f64> = row.try_get("", &format!("{}_p50", d.col()))?;
                let p90: Option<f64> = row.try_get("", &format!("{}_p90", d.col()))?;
                s.pct.insert(*d, (p50, p90));
            }
        }
        out.push((key_values(row, &spec.keys)?, s));
    }
    if backend != DbBackend::Postgres && !spec.durations.is_empty() {
        let mut values: HashMap<Vec<KeyValue>, Vec<Vec<i64>>> = HashMap::new();
        for row in db.query_all_raw(durations_statement(backend, spec)).await? {
            let k = key_values(&row, &spec.keys)?;
            let e = values.entry(k).or_insert_with(|| vec![Vec::new(); spec.durations.len()]);
            for (i, d) in spec.durations.iter().enumerate() {
                if let Some(v) = row.try_get::<Option<i64>>("", d.col())? {
                    e[i].push(v);
                }
            }
        }
        for (k, s) in &mut out {
            let mut lists = values.remove(k).unwrap_or_else(|| vec![Vec::new(); spec.durations.len()]);
            for (i, d) in spec.durations.iter().enumerate() {
                lists[i].sort_unstable();
                s.pct.insert(*d, (percentile_cont(&lists[i], 0.5), percentile_cont(&lists[i], 0.9)));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::percentile_cont;

    #[test]
    fn percentile_cont_interpolates_as_postgresql_does() {
        assert_eq!(percentile_cont(&[], 0.5), None);
        assert_eq!(percentile_cont(&[7], 0.9), Some(7.0));
        assert_eq!(percentile_cont(&[10, 20], 0.5), Some(15.0));
        // 0.9 * 3 = 2.7: 30 + 0.7 * (40 - 30)
        assert_eq!(percentile_cont(&[10, 20, 30, 40], 0.9), Some(30.0 + (40.0 - 30.0) * (0.9f64 * 3.0 - 2.0)));
        assert_eq!(percentile_cont(&[1, 2, 3, 4, 5], 0.5), Some(3.0));
    }
}
