//! Report exports (`docs/export.md`): a scope's reports of a period as CSV or XLSX, for the offices' own
//! spreadsheets. Who may export a scope is who may read it ([`authz::require_reader_of`], the same check as the
//! KPIs); every export is recorded in the audit log (`DATA_EXPORTED`).
//!
//! **Memory stays flat.** Rows are read in keyset pages of [`BATCH`] reports, one community (or company) at a
//! time in `(submitted_at, id)` order (`report::scope::segments`: one index range per statement), each page
//! turned into cells and written out before the next is read: a CSV page goes straight to the response body, an
//! XLSX page to rust_xlsxwriter's constant-memory worksheet, which flushes every row to a temporary file. A page
//! costs its report statement, one for its escalation steps, and one for the names of units first seen in it;
//! compounds and categories come from the lookup caches.
//!
//! **What a row shows.** Nothing of the reporter: no name, phone, user id or room (an office's sheet travels by
//! mail and USB stick; an anonymous report's room would name its household). Building and unit stay. A
//! description that failed the content check is replaced by a placeholder. Every text cell that starts like a
//! formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'` ([`safe`]), in both formats.
pub mod job;
pub mod xlsx;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::{EscalationReason, EventKind, ExportFormat, GridLevel, Moderation, ReportStatus, SlaStage, Urgency};
use entity::{category, report, report_event};
use sea_orm::sea_query::{Alias, Expr as SqExpr, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Acted, AuditEntry};
use super::authz::{self, ReaderOf};
use super::events::Change;
use super::incentives::stats::{beijing, beijing_midnight};
use super::places::{self, Place};
use super::report::scope;
use super::sla::{self, Calendar};
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult, Lang};
use crate::ids::{Kind, encode};
use crate::msg;
use crate::state::AppState;

/// Reports per statement.
pub const BATCH: u64 = 1000;

/// What to export: a scope, a period of submission days and optionally a category.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The kind of the scope's public id.
    pub scope_kind: Kind,
    /// The scope.
    pub scope: Uuid,
    /// The first day of submission (Beijing time), inclusive.
    pub from: NaiveDate,
    /// The last day of submission (Beijing time), inclusive.
    pub to: NaiveDate,
    /// Only this category.
    pub category: Option<Uuid>,
    /// Headers and labels in this language.
    pub lang: Lang,
}

impl Spec {
    /// The period as instants: from the first day's Beijing midnight to the midnight after the last day.
    pub fn range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (beijing_midnight(self.from), beijing_midnight(self.to + Duration::days(1)))
    }
}

/// Reads a Beijing date `YYYY-MM-DD` (BAD_USER_INPUT naming `field`).
pub fn parse_day(field: &'static str, value: Option<&str>) -> AppResult<NaiveDate> {
    let bad = || AppError::bad_input(field, msg!("{} 须为日期，如 2026-01-31", "{} must be a date such as 2026-01-31", field));
    let v = value.ok_or_else(bad)?;
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| bad())
}

/// Checks the period: `from` not after `to`.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    if from > to {
        return Err(AppError::bad_input("to", msg!("结束日期不能早于开始日期", "`to` must not be before `from`")));
    }
    Ok(())
}

/// An export the caller may make: the scope proved readable, with its place and the office the audit log records.
#[derive(Clone, Debug)]
pub struct Authorized {
    /// What the caller may read.
    pub reader: ReaderOf,
    /// Where the scope is.
    pub place: Place,
    /// The office in which the caller reads it.
    pub role: Option<Role>,
    /// The export.
    pub spec: Spec,
}

/// Checks that the caller may export `spec`: logged in, the scope readable (as the KPIs: NOT_FOUND or FORBIDDEN
/// as [`authz::require_reader_of`] says), the period in order, the category one that exists.
pub async fn authorize(state: &AppState, actor: &Actor, spec: Spec) -> AppResult<Authorized> {
    actor.user_id()?;
    check_period(spec.from, spec.to)?;
    let reader = scope::require_reader(state, actor, spec.scope_kind, spec.scope, "scopeId").await?;
    if let Some(c) = spec.category
        && !state.lookup.categories(&state.db).await?.iter().any(|x| x.id == c)
    {
        return Err(places::not_found(Kind::Category));
    }
    let place = places::of(&state.db, reader.kind.kind(), reader.id).await?;
    let role = authz::reading_office(state, actor, &reader, &place).await?;
    Ok(Authorized { reader, place, role, spec })
}

/// The audit row of an export of `a` in `format`, on `object` (the scope for a download, the job for a
/// background export).
fn audit_entry(a: &Authorized, format: ExportFormat, object: (Kind, Uuid)) -> AuditEntry {
    let s = &a.spec;
    let after = json!({
        "format": format,
        "from": s.from.to_string(),
        "to": s.to.to_string(),
        "categoryId": s.category.map(|c| encode(Kind::Category, c).0),
        "scopeId": encode(a.reader.kind.kind(), a.reader.id).0,
    });
    AuditEntry {
        action: entity::enums::AuditAction::DataExported,
        object_kind: object.0,
        object_id: object.1,
        acted: Acted::new(a.role, audit::Scope::of(a.reader.kind.kind(), a.reader.id, &a.place)).after(after),
    }
}

/// Starts a download: checks the caller, records the export in the audit log (a small transaction of its own,
/// committed before the first byte is sent), and opens the rows.
pub async fn start_download(state: &AppState, actor: &Actor, spec: Spec, format: ExportFormat) -> AppResult<Rows> {
    let a = authorize(state, actor, spec).await?;
    let change = Change::begin_at(state, Some(actor.user_id()?), state.clock.now()).await?;
    audit::record(&change, audit_entry(&a, format, (a.reader.kind.kind(), a.reader.id))).await?;
    change.commit().await?;
    Rows::open(state, &a.reader, &a.spec).await
}

// ---------------------------------------------------------------------------------------------------------------
// Cells.

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text, already made safe ([`safe`]).
    Text(String),
    /// A whole number.
    Int(i64),
    /// Hours, to one decimal.
    Hours(f64),
    /// Nothing.
    Empty,
}

impl Cell {
    /// A text cell, made safe.
    pub fn text(s: &str) -> Cell {
        Cell::Text(safe(s))
    }

    /// The cell as CSV text.
    pub fn to_csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Hours(h) => format!("{h:.1}"),
            Cell::Empty => String::new(),
        }
    }
}

/// A text as a spreadsheet cell: one that starts like a formula (`=`, `+`, `-`, `@`) or with a tab or carriage
/// return gets a leading `'`, so the spreadsheet shows it instead of evaluating it (OWASP, "CSV injection").
pub fn safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

/// The columns, in order: (Chinese header, English header).
pub const COLUMNS: [(&str, &str); 35] = [
    ("编号", "id"),
    ("分类", "category"),
    ("问题描述", "description"),
    ("状态", "status"),
    ("紧急程度", "urgency"),
    ("社区", "community"),
    ("小区", "compound"),
    ("楼栋", "building"),
    ("单元", "unit"),
    ("公共区域", "public_area"),
    ("片区", "area"),
    ("组", "group"),
    ("邻", "neighbourhood"),
    ("物业公司", "company"),
    ("提交时间", "submitted_at"),
    ("受理时间", "acknowledged_at"),
    ("派单时间", "dispatched_at"),
    ("开工时间", "started_at"),
    ("办结时间", "resolved_at"),
    ("关闭时间", "closed_at"),
    ("受理用时（小时）", "hours_to_acknowledge"),
    ("办结用时（小时）", "hours_to_resolve"),
    ("受理用时（工作小时）", "business_hours_to_acknowledge"),
    ("办结用时（工作小时）", "business_hours_to_resolve"),
    ("受理超时", "acknowledge_breached"),
    ("处置超时", "handle_breached"),
    ("开工超时", "start_breached"),
    ("办结超时", "resolve_breached"),
    ("当前层级", "escalation_level"),
    ("升级次数", "escalations"),
    ("评分", "rating"),
    ("评价", "rating_comment"),
    ("重开次数", "reopen_count"),
    ("附议人数", "supporters"),
    ("重复于", "duplicate_of"),
];

/// The header row in `lang`.
pub fn header(lang: Lang) -> Vec<&'static str> {
    COLUMNS.iter().map(|(zh, en)| if lang == Lang::En { *en } else { *zh }).collect()
}

pub(crate) fn status_label(s: ReportStatus, lang: Lang) -> &'static str {
    use ReportStatus as S;
    if lang == Lang::En {
        return match s {
            S::Submitted => "SUBMITTED",
            S::Acknowledged => "ACKNOWLEDGED",
            S::Dispatched => "DISPATCHED",
            S::InProgress => "IN_PROGRESS",
            S::Resolved => "RESOLVED",
            S::Closed => "CLOSED",
            S::Rejected => "REJECTED",
            S::Duplicate => "DUPLICATE",
            S::Cancelled => "CANCELLED",
            S::Reopened => "REOPENED",
        };
    }
    match s {
        S::Submitted => "待受理",
        S::Acknowledged => "已受理",
        S::Dispatched => "已派单",
        S::InProgress => "处理中",
        S::Resolved => "待确认",
        S::Closed => "已关闭",
        S::Rejected => "已驳回",
        S::Duplicate => "重复",
        S::Cancelled => "已撤销",
        S::Reopened => "已重开",
    }
}

pub(crate) fn level_label(l: GridLevel, lang: Lang) -> &'static str {
    use GridLevel as L;
    match (l, lang) {
        (L::Property, Lang::Zh) => "物业公司",
        (L::NeighbourHead, Lang::Zh) => "邻长",
        (L::GroupHead, Lang::Zh) => "组长",
        (L::AreaHead, Lang::Zh) => "片长",
        (L::CommunityAdmin, Lang::Zh) => "社区",
        (L::StreetAdmin, Lang::Zh) => "街道",
        (L::Property, Lang::En) => "PROPERTY",
        (L::NeighbourHead, Lang::En) => "NEIGHBOUR_HEAD",
        (L::GroupHead, Lang::En) => "GROUP_HEAD",
        (L::AreaHead, Lang::En) => "AREA_HEAD",
        (L::CommunityAdmin, Lang::En) => "COMMUNITY_ADMIN",
        (L::StreetAdmin, Lang::En) => "STREET_ADMIN",
    }
}

/// What replaces a description that failed the content check.
fn hidden_text(lang: Lang) -> &'static str {
    if lang == Lang::En { "(hidden: failed the content check)" } else { "（未通过内容审核，已隐藏）" }
}

/// A Beijing time as `YYYY-MM-DD HH:MM:SS`.
fn time_cell(t: Option<DateTime<Utc>>) -> Cell {
    t.map(|t| Cell::Text(t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string())).unwrap_or(Cell::Empty)
}

fn hours(minutes: i64) -> Cell {
    Cell::Hours((minutes as f64 / 6.0).round() / 10.0)
}

// ---------------------------------------------------------------------------------------------------------------
// Rows.

/// The rows of an export, read a page at a time ([`Rows::next_batch`]).
pub struct Rows {
    state: AppState,
    segments: Vec<Condition>,
    segment: usize,
    after: Option<(DateTime<Utc>, Uuid)>,
    range: (DateTime<Utc>, DateTime<Utc>),
    category: Option<Uuid>,
    lang: Lang,
    /// Names of communities, buildings, grid units and companies seen so far (ids are unique across tables).
    names: HashMap<Uuid, String>,
    categories: Arc<Vec<category::Model>>,
    calendar: Arc<Calendar>,
}

impl Rows {
    /// The rows of `spec` in the scope `reader` proved readable.
    pub async fn open(state: &AppState, reader: &ReaderOf, spec: &Spec) -> AppResult<Rows> {
        Ok(Rows {
            state: state.clone(),
            segments: scope::segments(state, reader).await?,
            segment: 0,
            after: None,
            range: spec.range(),
            category: spec.category,
            lang: spec.lang,
            names: HashMap::new(),
            categories: state.lookup.categories(&state.db).await?,
            calendar: state.lookup.calendar(&state.db, reader.district).await?,
        })
    }

    /// The headers in the export's language.
    pub fn header(&self) -> Vec<&'static str> {
        header(self.lang)
    }

    fn select(&self, segment: &Condition) -> sea_orm::Select<report::Entity> {
        use report::Column as C;
        let mut q = report::Entity::find()
            .filter(segment.clone())
            .filter(C::SubmittedAt.gte(self.range.0))
            .filter(C::SubmittedAt.lt(self.range.1));
        if let Some(c) = self.category {
            q = q.filter(C::CategoryId.eq(c));
        }
        q
    }

    /// How many rows the export holds (one count per segment).
    pub async fn count(&self) -> AppResult<u64> {
        use sea_orm::PaginatorTrait;
        let mut n = 0;
        for s in &self.segments {
            n += self.select(s).count(&self.state.db).await?;
        }
        Ok(n)
    }

    /// The next page of rows (none: done).
    pub async fn next_batch(&mut self) -> AppResult<Option<Vec<Vec<Cell>>>> {
        use report::Column as C;
        while self.segment < self.segments.len() {
            let mut q = self.select(&self.segments[self.segment]);
            if let Some((at, id)) = self.after {
                q = q.filter(
                    Condition::any()
                        .add(C::SubmittedAt.gt(at))
                        .add(Condition::all().add(C::SubmittedAt.eq(at)).add(C::Id.gt(id))),
                );
            }
            let page = q.order_by_asc(C::SubmittedAt).order_by_asc(C::Id).limit(BATCH).all(&self.state.db).await?;
            if (page.len() as u64) < BATCH {
                self.segment += 1;
                self.after = None;
            } else if let Some(last) = page.last() {
                self.after = Some((last.submitted_at, last.id));
            }
            if !page.is_empty() {
                return Ok(Some(self.cells(&page).await?));
            }
        }
        Ok(None)
    }

    /// The page's rows as cells (its escalation steps and the names not seen yet loaded first).
    async fn cells(&mut self, page: &[report::Model]) -> AppResult<Vec<Vec<Cell>>> {
        let breaches = breaches_of(&self.state, page).await?;
        self.load_names(page).await?;
        let mut compounds: Vec<Uuid> = page.iter().map(|r| r.compound_id).collect();
        compounds.sort_unstable();
        compounds.dedup();
        let compounds: HashMap<Uuid, String> =
            self.state.lookup.compounds(&self.state.db, &compounds).await?.into_iter().map(|c| (c.id, c.name)).collect();
        Ok(page.iter().map(|r| self.row(r, &compounds, breaches.get(&r.id))).collect())
    }

    /// Loads the names of the page's communities, buildings, grid units and companies not seen yet: one statement.
    async fn load_names(&mut self, page: &[report::Model]) -> AppResult<()> {
        let mut wanted: [(&'static str, HashSet<Uuid>); 6] = Default::default();
        let tables = ["community", "building", "grid_area", "grid_group", "neighbourhood", "property_company"];
        for (slot, t) in wanted.iter_mut().zip(tables) {
            slot.0 = t;
        }
        for r in page {
            let ids = [Some(r.community_id), r.building_id, r.area_id, r.group_id, r.neighbourhood_id, r.company_id];
            for (slot, id) in wanted.iter_mut().zip(ids) {
                if let Some(id) = id
                    && !self.names.contains_key(&id)
                {
                    slot.1.insert(id);
                }
            }
        }
        let mut q: Option<SelectStatement> = None;
        for (table, ids) in wanted {
            if ids.is_empty() {
                continue;
            }
            let s = Query::select()
                .columns([Alias::new("id"), Alias::new("name")])
                .from(Alias::new(table))
                .and_where(SqExpr::col(Alias::new("id")).is_in(ids))
                .to_owned();
            match q.as_mut() {
                None => q = Some(s),
                Some(u) => {
                    u.union(UnionType::All, s);
                }
            }
        }
        let Some(q) = q else { return Ok(()) };
        let db = &self.state.db;
        for row in db.query_all_raw(db.get_database_backend().build(&q)).await? {
            let (id, name): (Uuid, String) = (row.try_get_by_index(0)?, row.try_get_by_index(1)?);
            self.names.insert(id, name);
        }
        Ok(())
    }

    fn name(&self, id: Option<Uuid>) -> Cell {
        id.and_then(|id| self.names.get(&id)).map(|n| Cell::text(n)).unwrap_or(Cell::Empty)
    }

    /// One report's row.
    fn row(&self, r: &report::Model, compounds: &HashMap<Uuid, String>, breached: Option<&HashSet<SlaStage>>) -> Vec<Cell> {
        let lang = self.lang;
        let category = self.categories.iter().find(|c| c.id == r.category_id);
        let urgent = r.urgency == Urgency::Urgent;
        let wall = |t: Option<DateTime<Utc>>| t.map(|t| hours((t - r.submitted_at).num_minutes())).unwrap_or(Cell::Empty);
        let business = |t: Option<DateTime<Utc>>| {
            t.map(|t| hours(self.calendar.minutes_between(r.submitted_at, t, urgent))).unwrap_or(Cell::Empty)
        };
        let stage_breached = |s: SlaStage| {
            let b = breached.is_some_and(|set| set.contains(&s)) || (r.sla_breached && r.sla_stage == Some(s));
            Cell::Text(match (b, lang) {
                (true, Lang::Zh) => "是".into(),
                (false, Lang::Zh) => "否".into(),
                (true, Lang::En) => "yes".into(),
                (false, Lang::En) => "no".into(),
            })
        };
        let description = if r.moderation == Moderation::Rejected { hidden_text(lang).to_owned() } else { safe(&r.description) };
        vec![
            Cell::Text(encode(Kind::Report, r.id).0),
            category.map(|c| Cell::text(if lang == Lang::En { &c.name_en } else { &c.name_zh })).unwrap_or(Cell::Empty),
            Cell::Text(description),
            Cell::Text(status_label(r.status, lang).into()),
            Cell::Text(match (r.urgency, lang) {
                (Urgency::Normal, Lang::Zh) => "一般".into(),
                (Urgency::Urgent, Lang::Zh) => "紧急".into(),
                (Urgency::Normal, Lang::En) => "NORMAL".into(),
                (Urgency::Urgent, Lang::En) => "URGENT".into(),
            }),
            self.name(Some(r.community_id)),
            compounds.get(&r.compound_id).map(|n| Cell::text(n)).unwrap_or(Cell::Empty),
            self.name(r.building_id),
            r.unit.map(|u| Cell::Int(i64::from(u))).unwrap_or(Cell::Empty),
            r.public_area.as_deref().map(Cell::text).unwrap_or(Cell::Empty),
            self.name(r.area_id),
            self.name(r.group_id),
            self.name(r.neighbourhood_id),
            self.name(r.company_id),
            time_cell(Some(r.submitted_at)),
            time_cell(r.acknowledged_at),
            time_cell(r.dispatched_at),
            time_cell(r.started_at),
            time_cell(r.resolved_at),
            time_cell(r.closed_at),
            wall(r.acknowledged_at),
            wall(r.resolved_at),
            business(r.acknowledged_at),
            business(r.resolved_at),
            stage_breached(SlaStage::Acknowledge),
            stage_breached(SlaStage::Handle),
            stage_breached(SlaStage::Start),
            stage_breached(SlaStage::Resolve),
            r.sla_level.map(|l| Cell::Text(level_label(l, lang).into())).unwrap_or(Cell::Empty),
            Cell::Int(i64::from(r.escalations)),
            r.rating.map(|n| Cell::Int(i64::from(n))).unwrap_or(Cell::Empty),
            r.rating_comment.as_deref().map(Cell::text).unwrap_or(Cell::Empty),
            Cell::Int(i64::from(r.reopen_count)),
            Cell::Int(i64::from(r.support_count)),
            r.duplicate_of.map(|d| Cell::Text(encode(Kind::Report, d).0)).unwrap_or(Cell::Empty),
        ]
    }
}

/// The stages each report of the page breached before its current one: its escalation steps for a missed due time
/// or a second urge past due (one statement). The stage of a step is the stage of the status it was taken in.
async fn breaches_of(state: &AppState, page: &[report::Model]) -> AppResult<HashMap<Uuid, HashSet<SlaStage>>> {
    let ids: Vec<Uuid> = page.iter().filter(|r| r.escalations > 0).map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let company: HashMap<Uuid, bool> = page.iter().map(|r| (r.id, r.company_id.is_some())).collect();
    let steps: Vec<(Uuid, Option<ReportStatus>)> = report_event::Entity::find()
        .select_only()
        .columns([report_event::Column::ReportId, report_event::Column::FromStatus])
        .filter(report_event::Column::ReportId.is_in(ids))
        .filter(report_event::Column::Kind.eq(EventKind::Escalated))
        .filter(report_event::Column::Reason.is_in([EscalationReason::Overdue, EscalationReason::Urged]))
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut out: HashMap<Uuid, HashSet<SlaStage>> = HashMap::new();
    for (report, status) in steps {
        let Some(stage) = status.and_then(|s| sla::stage_of(s, company.get(&report).copied().unwrap_or(false))) else { continue };
        out.entry(report).or_default().insert(stage);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------------------
// CSV.

/// The byte-order mark that makes Excel read the file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// CSV lines (RFC 4180: CRLF, fields quoted when they hold a comma, quote or line break) of `rows`.
pub fn csv_lines<S: AsRef<str>>(rows: impl IntoIterator<Item = Vec<S>>) -> AppResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for r in rows {
        w.write_record(r.iter().map(|c| c.as_ref())).map_err(AppError::internal)?;
    }
    w.into_inner().map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))
}

/// The start of the CSV file: the BOM and the header line.
pub fn csv_head(lang: Lang) -> AppResult<Vec<u8>> {
    let mut out = BOM.to_vec();
    out.extend(csv_lines([header(lang)])?);
    Ok(out)
}

/// A page of rows as CSV lines.
pub fn csv_batch(batch: &[Vec<Cell>]) -> AppResult<Vec<u8>> {
    csv_lines(batch.iter().map(|r| r.iter().map(Cell::to_csv).collect::<Vec<_>>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_like_formulas_are_quoted_away() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(safe(bad), format!("'{bad}"));
        }
        for fine in ["下水道堵塞", "1-2", "a=b", ""] {
            assert_eq!(safe(fine), fine);
        }
    }

    #[test]
    fn csv_quotes_as_rfc_4180_says() {
        let out = csv_batch(&[vec![Cell::text("a,b"), Cell::text("say \"hi\""), Cell::text("two\nlines"), Cell::Hours(1.25), Cell::Int(3), Cell::Empty]]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",1.2,3,\r\n");
    }

    #[test]
    fn headers_in_both_languages_and_a_bom() {
        let zh = csv_head(Lang::Zh).unwrap();
        assert!(zh.starts_with(BOM));
        assert!(String::from_utf8_lossy(&zh[3..]).starts_with("编号,分类,问题描述,状态"));
        assert!(String::from_utf8_lossy(&csv_head(Lang::En).unwrap()).contains("id,category,description,status"));
        assert_eq!(header(Lang::Zh).len(), COLUMNS.len());
    }

    #[test]
    fn hours_have_one_decimal() {
        assert_eq!(hours(90), Cell::Hours(1.5));
        assert_eq!(hours(100), Cell::Hours(1.7));
        assert_eq!(hours(0), Cell::Hours(0.0));
    }
}
