//! The counts every KPI figure is made of, how one fact adds to them, and the KPI cells (migration 000020): one
//! compound's month of facts pre-aggregated per category, kept fresh by a version bumped in the write's transaction
//! and a builder job.
//!
//! There is one definition of each count: [`Acc::add`] (what a fact adds) and [`NAMES`] (the figure it feeds,
//! `kpi::Figures::of`). A cell holds per category an [`Acc`]: the counts, and each duration's values sorted, so
//! that the cells of a street's year merge into exact percentiles (the same `percentile_cont` as before: no
//! sketch, no bucket).
//!
//! Freshness: the facts subscriber bumps `kpi_cell.version` with every change to a fact ([`mark_sql`]); the
//! builder ([`build_dirty`]) reads a dirty cell's version, rebuilds `data` from its facts, and stores it with
//! `built = version` only if the version has not moved meanwhile (a change committed during the build leaves the
//! cell dirty; one in flight holds the cell's row until it commits, and the builder's conditional UPDATE then sees
//! the new version). A query uses a cell only when `built = version` and reads the facts of the others.
use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use uuid::Uuid;

use super::aggregate::{Dur, STATUSES};
use crate::error::{AppError, AppResult};
use crate::service::rows::col;

/// The counts, in the order of [`Acc::n`]; each is a column of the old aggregate and a name `Figures::of` reads.
pub const NAMES: [&str; N] = [
    "received",
    "counted",
    "st_submitted",
    "st_acknowledged",
    "st_dispatched",
    "st_in_progress",
    "st_resolved",
    "st_closed",
    "st_rejected",
    "st_duplicate",
    "st_cancelled",
    "st_reopened",
    "supports",
    "supported",
    "acked",
    "dispatched",
    "started",
    "resolved",
    "closed",
    "breach_ack",
    "breach_handle",
    "breach_start",
    "breach_resolve",
    "any_breach",
    "escalations",
    "escalated",
    "lvl_property",
    "lvl_neighbour_head",
    "lvl_group_head",
    "lvl_area_head",
    "lvl_community_admin",
    "lvl_street_admin",
    "reopened",
    "confirmed",
    "auto_closed",
    "rated",
    "rating_sum",
    "r1",
    "r2",
    "r3",
    "r4",
    "r5",
    "ack_in_sla",
    "head_handled",
    "dispatched_resolved",
    "first_time_fix",
    "resolved_in_sla",
    "resolved_after_reopen",
    "cancelled_or_rejected",
];

/// How many counts.
pub const N: usize = 49;

/// The `report_fact` columns a KPI reads, in the order [`Fact::decode`] reads them.
pub const FACT_COLUMNS: &str = "day, category_id, compound_id, community_id, company_id, ack_by, status, support_count, counted, \
    ack_wall, ack_biz, dispatch_wall, dispatch_biz, resolve_wall, resolve_biz, close_wall, close_biz, started, breach_ack, \
    breach_handle, breach_start, breach_resolve, escalations, levels, reopened, confirmed, auto_closed, rating";

/// One fact row as a KPI reads it.
#[derive(Clone, Debug, Default)]
pub struct Fact {
    /// Beijing date of submission.
    pub day: NaiveDate,
    /// Its category, compound, community, company (if dispatched) and acknowledger.
    pub category: Uuid,
    /// …
    pub compound: Uuid,
    /// …
    pub community: Uuid,
    /// …
    pub company: Option<Uuid>,
    /// …
    pub ack_by: Option<Uuid>,
    /// Stored status.
    pub status: String,
    /// "Me too"s.
    pub support_count: i32,
    /// 0 for a merged duplicate.
    pub counted: i32,
    /// Minutes, in [`Dur::ALL`] order.
    pub durs: [Option<i32>; 8],
    /// 0/1.
    pub started: i32,
    /// Stages past due: acknowledge, handle, start, resolve (0/1 each).
    pub breaches: [i32; 4],
    /// Escalation steps.
    pub escalations: i32,
    /// Levels escalated to (bits).
    pub levels: i32,
    /// 0/1 outcomes.
    pub reopened: i32,
    /// …
    pub confirmed: i32,
    /// …
    pub auto_closed: i32,
    /// 1–5.
    pub rating: Option<i32>,
}

impl Fact {
    /// Decodes a row of `SELECT` [`FACT_COLUMNS`].
    pub fn decode(row: &QueryResult) -> AppResult<Fact> {
        let mut durs = [None; 8];
        for (i, d) in durs.iter_mut().enumerate() {
            *d = col(row, 9 + i)?;
        }
        Ok(Fact {
            day: col(row, 0)?,
            category: col(row, 1)?,
            compound: col(row, 2)?,
            community: col(row, 3)?,
            company: col(row, 4)?,
            ack_by: col(row, 5)?,
            status: col(row, 6)?,
            support_count: col(row, 7)?,
            counted: col(row, 8)?,
            durs,
            started: col(row, 17)?,
            breaches: [col(row, 18)?, col(row, 19)?, col(row, 20)?, col(row, 21)?],
            escalations: col(row, 22)?,
            levels: col(row, 23)?,
            reopened: col(row, 24)?,
            confirmed: col(row, 25)?,
            auto_closed: col(row, 26)?,
            rating: col(row, 27)?,
        })
    }
}

/// The counts and durations of a set of facts.
#[derive(Clone, Debug, PartialEq)]
pub struct Acc {
    /// The counts, in [`NAMES`] order.
    pub n: [i64; N],
    /// Each duration's values (in [`Dur::ALL`] order); sorted in a stored cell, in any order while merging.
    pub durs: [Vec<i32>; 8],
}

impl Default for Acc {
    fn default() -> Self {
        Acc { n: [0; N], durs: Default::default() }
    }
}

impl Acc {
    /// Adds one fact. A merged duplicate's figures are zero or null (`facts.rs`): only `received` and its status
    /// count it.
    pub fn add(&mut self, f: &Fact) {
        let n = &mut self.n;
        let b = |x: bool| i64::from(x);
        let [ack, _, dispatch, _, resolve, _, close, _] = f.durs.map(|d| d.is_some());
        let any_breach = f.breaches.iter().sum::<i32>() > 0;
        n[0] += 1;
        n[1] += i64::from(f.counted);
        if let Some(i) = STATUSES.iter().position(|(_, s)| *s == f.status) {
            n[2 + i] += 1;
        }
        n[12] += i64::from(f.support_count);
        n[13] += b(f.support_count > 0);
        n[14] += b(ack);
        n[15] += b(dispatch);
        n[16] += i64::from(f.started);
        n[17] += b(resolve);
        n[18] += b(close);
        for i in 0..4 {
            n[19 + i] += i64::from(f.breaches[i]);
        }
        n[23] += b(any_breach);
        n[24] += i64::from(f.escalations);
        n[25] += b(f.escalations > 0);
        for bit in 0..6 {
            n[26 + bit] += b(f.levels & (1 << bit) != 0);
        }
        n[32] += i64::from(f.reopened);
        n[33] += i64::from(f.confirmed);
        n[34] += i64::from(f.auto_closed);
        if let Some(r) = f.rating {
            n[35] += 1;
            n[36] += i64::from(r);
            if (1..=5).contains(&r) {
                n[36 + r as usize] += 1;
            }
        }
        n[42] += b(ack && f.breaches[0] == 0);
        n[43] += b(resolve && !dispatch);
        n[44] += b(dispatch && resolve);
        n[45] += b(dispatch && resolve && f.reopened == 0);
        n[46] += b(resolve && !any_breach);
        n[47] += b(resolve && f.reopened == 1);
        n[48] += b(f.status == "CANCELLED" || f.status == "REJECTED");
        for (i, d) in f.durs.iter().enumerate() {
            if let Some(m) = d {
                self.durs[i].push(*m);
            }
        }
    }

    /// Adds another accumulator's counts and durations.
    pub fn merge(&mut self, o: &Acc) {
        for (a, b) in self.n.iter_mut().zip(o.n.iter()) {
            *a += b;
        }
        for (a, b) in self.durs.iter_mut().zip(o.durs.iter()) {
            a.extend_from_slice(b);
        }
    }

    /// Adds another accumulator's counts, and of its durations only those of `durations` (the percentiles asked
    /// for: a ranking on one figure copies one list, not eight).
    pub fn merge_only(&mut self, o: &Acc, durations: &[Dur]) {
        for (a, b) in self.n.iter_mut().zip(o.n.iter()) {
            *a += b;
        }
        for d in durations {
            self.durs[d.index()].extend_from_slice(&o.durs[d.index()]);
        }
    }

    /// A count by name (0 for a name that is none).
    pub fn get(&self, name: &str) -> i64 {
        NAMES.iter().position(|n| *n == name).map(|i| self.n[i]).unwrap_or(0)
    }

    /// p50 and p90 (minutes) of a duration: PostgreSQL's `percentile_cont`, in linear time.
    pub fn percentiles(&mut self, d: Dur) -> (Option<f64>, Option<f64>) {
        let v = &mut self.durs[d.index()];
        (percentile_cont(v, 0.5), percentile_cont(v, 0.9))
    }
}

/// PostgreSQL's `percentile_cont` (continuous: linear between the two nearest values) of `v` in any order, in the
/// same floating-point steps, so the figures are those PostgreSQL would compute. Reorders `v`.
pub fn percentile_cont(v: &mut [i32], p: f64) -> Option<f64> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let pos = p * (n - 1) as f64;
    let (first, second) = (pos.floor(), pos.ceil());
    let (_, lo, rest) = v.select_nth_unstable(first as usize);
    let lo = *lo as f64;
    if second > first {
        let hi = *rest.iter().min().expect("a value above the floor") as f64;
        Some(lo + (hi - lo) * (pos - first))
    } else {
        Some(lo)
    }
}

// ---- The cell's bytes: a version byte, then per category its id, the counts and the sorted durations, all
// LEB128 (durations as the first value and the gaps between sorted values, so a cell is ~2 bytes a duration).

const FORMAT: u8 = 1;

fn put(out: &mut Vec<u8>, mut x: u64) {
    loop {
        let byte = (x & 0x7f) as u8;
        x >>= 7;
        if x == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn zigzag(x: i64) -> u64 {
    ((x << 1) ^ (x >> 63)) as u64
}

fn unzigzag(x: u64) -> i64 {
    ((x >> 1) as i64) ^ -((x & 1) as i64)
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn get(&mut self) -> AppResult<u64> {
        let mut x = 0u64;
        let mut shift = 0;
        loop {
            let byte = *self.b.get(self.at).ok_or_else(corrupt)?;
            self.at += 1;
            x |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(x);
            }
            shift += 7;
            if shift > 63 {
                return Err(corrupt());
            }
        }
    }
}

fn corrupt() -> AppError {
    AppError::internal(anyhow::anyhow!("a KPI cell's data is cut short or not of format {FORMAT}"))
}

/// The bytes of a cell: its categories' accumulators (durations sorted here).
pub fn encode(sections: &mut BTreeMap<Uuid, Acc>) -> Vec<u8> {
    let mut out = vec![FORMAT];
    put(&mut out, sections.len() as u64);
    for (cat, acc) in sections.iter_mut() {
        out.extend_from_slice(cat.as_bytes());
        for c in acc.n {
            put(&mut out, zigzag(c));
        }
        for d in acc.durs.iter_mut() {
            d.sort_unstable();
            put(&mut out, d.len() as u64);
            let mut prev = 0i64;
            for (i, v) in d.iter().enumerate() {
                let v = i64::from(*v);
                put(&mut out, if i == 0 { zigzag(v) } else { (v - prev) as u64 });
                prev = v;
            }
        }
    }
    out
}

/// Reads a cell's bytes: `each(category, accumulator)` per category (the accumulator is reused between calls).
pub fn decode(data: &[u8], mut each: impl FnMut(Uuid, &Acc)) -> AppResult<()> {
    if data.first() != Some(&FORMAT) {
        return Err(corrupt());
    }
    let mut r = Reader { b: data, at: 1 };
    let sections = r.get()?;
    let mut acc = Acc::default();
    for _ in 0..sections {
        let id = data.get(r.at..r.at + 16).ok_or_else(corrupt)?;
        let cat = Uuid::from_slice(id).map_err(|_| corrupt())?;
        r.at += 16;
        for c in acc.n.iter_mut() {
            *c = unzigzag(r.get()?);
        }
        for d in acc.durs.iter_mut() {
            d.clear();
            let len = r.get()?;
            let mut prev = 0i64;
            for i in 0..len {
                let x = r.get()?;
                let v = if i == 0 { unzigzag(x) } else { prev + x as i64 };
                d.push(i32::try_from(v).map_err(|_| corrupt())?);
                prev = v;
            }
        }
        each(cat, &acc);
    }
    Ok(())
}

/// A clean cell, decoded: each category's accumulator, and all of them merged (what a figure over every category
/// reads: one merge per cell instead of one per category).
#[derive(Debug)]
pub struct Cell {
    /// (category, its counts and durations).
    pub categories: Vec<(Uuid, Acc)>,
    /// The categories merged.
    pub total: Acc,
}

/// A decoded cell, shared.
pub type Decoded = std::sync::Arc<Cell>;

/// Clean cells already decoded in this process, by (compound, month, version). A cell's bytes never change under a
/// version (every write to its facts bumps it, and only a build at that version stores bytes), so a cell is
/// decoded once per replica instead of once per request: at scale 1, decoding was 14 ms of a street's year and
/// 34 ms of the district's ranking (bench/RESULTS.md, round 11). Bounded by the values held (~64 MiB).
static DECODED: std::sync::LazyLock<moka::sync::Cache<(Uuid, NaiveDate, i64), Decoded>> = std::sync::LazyLock::new(|| {
    moka::sync::Cache::builder()
        .weigher(|_, v: &Decoded| {
            let weight = |a: &Acc| a.durs.iter().map(Vec::len).sum::<usize>() + N * 2;
            let values: usize = v.categories.iter().map(|(_, a)| weight(a)).sum::<usize>() + weight(&v.total);
            u32::try_from(values * 4 + 64).unwrap_or(u32::MAX)
        })
        .max_capacity(64 * 1024 * 1024)
        .build()
});

/// The clean cell (`compound`, `month`) at `version`, if this process has decoded it.
pub fn cached(compound: Uuid, month: NaiveDate, version: i64) -> Option<Decoded> {
    DECODED.get(&(compound, month, version))
}

/// The clean cell (`compound`, `month`) at `version`, decoded from `data` unless this process already holds it.
pub fn decoded(compound: Uuid, month: NaiveDate, version: i64, data: &[u8]) -> AppResult<Decoded> {
    let key = (compound, month, version);
    if let Some(d) = DECODED.get(&key) {
        return Ok(d);
    }
    let mut categories = Vec::new();
    let mut total = Acc::default();
    decode(data, |category, acc| {
        total.merge(acc);
        categories.push((category, acc.clone()));
    })?;
    let d = std::sync::Arc::new(Cell { categories, total });
    DECODED.insert(key, d.clone());
    Ok(d)
}

// ---- Freshness and the builder.

/// The first and last day of `month` (its first day).
pub fn month_days(month: NaiveDate) -> (NaiveDate, NaiveDate) {
    let next = month.checked_add_months(chrono::Months::new(1)).expect("in range");
    (month, next - Duration::days(1))
}

/// `INSERT … ON CONFLICT DO UPDATE` of a cell's version: the cell of a new fact is created dirty, a changed fact's
/// cell made dirty. Values: compound, month, district, street, community.
pub const MARK_SQL: &str = "INSERT INTO kpi_cell (compound_id, month, district_id, street_id, community_id, version, built) \
    VALUES ($1, $2, $3, $4, $5, 1, 0) ON CONFLICT (compound_id, month) DO UPDATE SET version = kpi_cell.version + 1";

/// [`MARK_SQL`]'s statement.
pub fn mark(backend: DbBackend, compound: Uuid, month: NaiveDate, district: Uuid, street: Uuid, community: Uuid) -> Statement {
    let values: Vec<Value> = vec![compound.into(), month.into(), district.into(), street.into(), community.into()];
    Statement::from_sql_and_values(backend, MARK_SQL, values)
}

/// Marks the cell of report `$1`'s fact dirty (for the changes that update a fact column in place).
pub const MARK_OF_REPORT_SQL: &str =
    "UPDATE kpi_cell SET version = version + 1 WHERE (compound_id, month) IN (SELECT compound_id, month FROM report_fact WHERE report_id = $1)";

/// How many dirty cells one round of the builder takes.
pub const ROUND: u64 = 500;

/// Builds up to [`ROUND`] dirty cells from their facts; returns how many it stored. Several replicas may run it at
/// once: a cell built twice is stored once per version.
pub async fn build_dirty<C: ConnectionTrait>(db: &C) -> AppResult<usize> {
    let backend = db.get_database_backend();
    let dirty = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            "SELECT compound_id, month, version FROM kpi_cell WHERE version <> built ORDER BY compound_id, month LIMIT $1",
            [Value::from(ROUND as i64)],
        ))
        .await?;
    let mut built = 0;
    for row in &dirty {
        let (compound, month, version): (Uuid, NaiveDate, i64) = (col(row, 0)?, col(row, 1)?, col(row, 2)?);
        let mut sections: BTreeMap<Uuid, Acc> = BTreeMap::new();
        for f in facts_of_cell(db, compound, month, None).await? {
            sections.entry(f.category).or_default().add(&f);
        }
        let data = encode(&mut sections);
        let done = db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE kpi_cell SET data = $1, built = $2 WHERE compound_id = $3 AND month = $4 AND version = $5",
                [Value::from(data), Value::from(version), Value::from(compound), Value::from(month), Value::from(version)],
            ))
            .await?;
        built += done.rows_affected() as usize;
    }
    Ok(built)
}

/// Builds every dirty cell (the scale generator and the demo, after writing facts in bulk).
pub async fn build_all<C: ConnectionTrait>(db: &C) -> AppResult<usize> {
    let mut total = 0;
    loop {
        let n = build_dirty(db).await?;
        total += n;
        if n == 0 {
            return Ok(total);
        }
    }
}

/// The facts of one compound's month (and category).
pub async fn facts_of_cell<C: ConnectionTrait>(db: &C, compound: Uuid, month: NaiveDate, category: Option<Uuid>) -> AppResult<Vec<Fact>> {
    let (from, to) = month_days(month);
    let mut sql = format!("SELECT {FACT_COLUMNS} FROM report_fact WHERE compound_id = $1 AND day >= $2 AND day <= $3");
    let mut values: Vec<Value> = vec![compound.into(), from.into(), to.into()];
    if let Some(c) = category {
        sql.push_str(" AND category_id = $4");
        values.push(c.into());
    }
    let rows = db.query_all_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
    rows.iter().map(Fact::decode).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(status: &str, durs: [Option<i32>; 8], rating: Option<i32>) -> Fact {
        Fact { status: status.into(), counted: 1, durs, rating, support_count: 2, levels: 4, escalations: 1, ..Default::default() }
    }

    #[test]
    fn a_cell_reads_back_what_was_written() {
        let mut acc = Acc::default();
        acc.add(&fact("CLOSED", [Some(120), Some(60), None, None, Some(1500), Some(600), Some(1620), Some(720)], Some(5)));
        acc.add(&fact("SUBMITTED", [None; 8], None));
        acc.add(&fact("RESOLVED", [Some(0), Some(0), Some(3), Some(2), Some(99_999_999), Some(7), None, None], Some(1)));
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let mut sections = BTreeMap::from([(a, acc.clone()), (b, Acc::default())]);
        let bytes = encode(&mut sections);
        let mut back = Vec::new();
        decode(&bytes, |c, x| back.push((c, x.clone()))).unwrap();
        for d in acc.durs.iter_mut() {
            d.sort_unstable();
        }
        assert_eq!(back, vec![(a, acc.clone()), (b, Acc::default())]);
        assert_eq!(acc.get("received"), 3);
        assert_eq!(acc.get("st_closed"), 1);
        assert_eq!(acc.get("lvl_group_head"), 3);
        assert_eq!((acc.get("rated"), acc.get("rating_sum"), acc.get("r5"), acc.get("r1")), (2, 6, 1, 1));
        assert!(decode(&bytes[..bytes.len() - 1], |_, _| {}).is_err(), "a cut-off cell is an error, not a figure");
    }

    #[test]
    fn a_clean_cell_is_decoded_once_per_version() {
        let mut acc = Acc::default();
        acc.add(&fact("CLOSED", [Some(120), Some(60), None, None, Some(1500), Some(600), Some(1620), Some(720)], Some(5)));
        let (compound, category) = (Uuid::now_v7(), Uuid::now_v7());
        let month = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let bytes = encode(&mut BTreeMap::from([(category, acc.clone())]));
        assert!(cached(compound, month, 7).is_none());
        let first = decoded(compound, month, 7, &bytes).unwrap();
        assert_eq!(first.categories[0].0, category);
        assert_eq!(first.categories[0].1.n, acc.n);
        assert_eq!(first.total.n, acc.n, "one category: the total is it");
        assert!(std::sync::Arc::ptr_eq(&first, &decoded(compound, month, 7, &bytes).unwrap()), "the same version: no decoding");
        assert!(std::sync::Arc::ptr_eq(&first, &cached(compound, month, 7).unwrap()), "held without its bytes");
        // A new version is decoded again (here from other bytes: an empty cell).
        assert!(cached(compound, month, 8).is_none());
        let empty = encode(&mut BTreeMap::new());
        let e = decoded(compound, month, 8, &empty).unwrap();
        assert!(e.categories.is_empty() && e.total == Acc::default());
    }

    #[test]
    fn percentile_cont_interpolates_as_postgresql_does() {
        assert_eq!(percentile_cont(&mut [], 0.5), None);
        assert_eq!(percentile_cont(&mut [7], 0.9), Some(7.0));
        assert_eq!(percentile_cont(&mut [20, 10], 0.5), Some(15.0));
        // 0.9 * 3 = 2.7: 30 + 0.7 * (40 - 30)
        assert_eq!(percentile_cont(&mut [40, 10, 30, 20], 0.9), Some(30.0 + (40.0 - 30.0) * (0.9f64 * 3.0 - 2.0)));
        assert_eq!(percentile_cont(&mut [5, 1, 4, 2, 3], 0.5), Some(3.0));
    }

    #[test]
    fn every_count_has_a_name() {
        assert_eq!(NAMES.len(), N);
        // `Acc::add` counts a status at 2 + its place in STATUSES.
        assert_eq!(NAMES[2..12].to_vec(), STATUSES.map(|(name, _)| name).to_vec());
        let mut seen = std::collections::HashSet::new();
        assert!(NAMES.iter().all(|n| seen.insert(*n)));
    }
}
