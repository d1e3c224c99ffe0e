//! Open311 GeoReport v2 (`docs/open311.md`; issue 18): the district's service requests as the civic standard shows
//! them, for a 12345 platform, an open-data portal, or a property company's work-order system. The routes are in
//! `http/open311.rs`; this module decides what is shown.
//!
//! **What is public.** Only reports past moderation (a description that passed the content check), in the
//! district named by `jurisdiction_id`. Nothing of the reporter at all: no name, phone, user id, room or unit, so
//! an anonymous report looks like any other. The address is the compound and building. A description has phone
//! numbers and its reporter's own name masked (a resident writes "我是302的张三，电话139…" more often than one
//! would think). Photos are signed URLs of the report's photos that are not hidden, valid for the media lifetime.
//!
//! **Statuses.** `closed` is a report that ended (CLOSED, REJECTED, DUPLICATE, CANCELLED); everything else is
//! `open`, RESOLVED included (the resident has not confirmed the fix yet); `status_notes` says which in words.
use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use entity::enums::{Moderation, PhotoPhase, ReportStatus};
use entity::{building, category, community, district, photo, property_company, report, street};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult, Lang};
use crate::ids::{Kind, decode, encode};
use crate::msg;
use crate::service::export::{level_label, status_label};
use crate::service::media::sign::{self, Variant};
use crate::service::report::machine::is_terminal;
use crate::state::AppState;

/// The longest window `GET requests` takes (the spec's 90 days).
pub const MAX_WINDOW_DAYS: i64 = 90;
/// Requests per page by default, and at most (`page_size`).
pub const PAGE_SIZE: u64 = 100;
/// The largest `page_size`.
pub const MAX_PAGE_SIZE: u64 = 1000;
/// The most ids one `service_request_id` takes.
pub const MAX_IDS: usize = 100;

/// Beijing time, in which every datetime is written (W3C format with its offset).
fn beijing(t: DateTime<Utc>) -> String {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).expect("a valid offset")).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The district a request names: `jurisdiction_id` (the district's ID, `dst_…`), or the only district when it
/// names none. NOT_FOUND for an unknown one; BAD_USER_INPUT when there are several and none is named.
pub async fn jurisdiction(state: &AppState, id: Option<&str>) -> AppResult<district::Model> {
    match id.filter(|s| !s.is_empty()) {
        Some(id) => {
            let id = decode(id, Kind::District, "jurisdiction_id").map_err(|_| unknown_jurisdiction())?;
            district::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(unknown_jurisdiction)
        }
        None => {
            let mut all = district::Entity::find().order_by_asc(district::Column::Id).limit(2).all(&state.db).await?;
            match all.len() {
                1 => Ok(all.remove(0)),
                0 => Err(unknown_jurisdiction()),
                _ => Err(AppError::bad_input(
                    "jurisdiction_id",
                    msg!("本服务有多个辖区，请给出 jurisdiction_id", "This server has several jurisdictions: give jurisdiction_id"),
                )),
            }
        }
    }
}

fn unknown_jurisdiction() -> AppError {
    AppError::not_found("没有这个辖区 (jurisdiction_id)", "No such jurisdiction (jurisdiction_id)")
}

/// One service: a report category.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    /// Every service has a definition (its attributes).
    pub metadata: bool,
    /// Reports go to a person, not a system that answers at once.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    pub group: String,
}

fn service_of(c: &category::Model, lang: Lang) -> Service {
    let (name, group) = match (lang, c.to_property) {
        (Lang::En, true) => (c.name_en.clone(), "Property"),
        (Lang::En, false) => (c.name_en.clone(), "Community"),
        (_, true) => (c.name_zh.clone(), "物业"),
        (_, false) => (c.name_zh.clone(), "社区"),
    };
    let other = if lang == Lang::En { &c.name_zh } else { &c.name_en };
    let description = match lang {
        Lang::En => format!("{name}: reported by residents, handled by the neighbourhood grid{}", if c.to_property { " and the property company" } else { "" }),
        _ => format!("{name}：居民上报，由网格{}处理", if c.to_property { "派物业" } else { "" }),
    };
    Service {
        service_code: c.code.clone(),
        service_name: name,
        description,
        metadata: true,
        kind: "realtime",
        keywords: format!("{},{}", c.code.to_lowercase(), other),
        group: group.to_owned(),
    }
}

/// `GET services`: the active categories, in display order.
pub async fn services(state: &AppState, lang: Lang) -> AppResult<Vec<Service>> {
    Ok(crate::service::report::category::all(state, false).await?.iter().map(|c| service_of(c, lang)).collect())
}

/// One value of a list attribute.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

/// One attribute of a service definition, with the spec's datatypes.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Attribute {
    pub variable: bool,
    pub code: &'static str,
    pub datatype: &'static str,
    pub required: bool,
    pub datatype_description: String,
    pub order: u32,
    pub description: String,
    pub values: Vec<AttributeValue>,
}

/// `GET services/{code}`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Definition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// The attributes every service takes: where (building, unit) and how urgent. A POST is checked against these.
pub fn attributes(lang: Lang) -> Vec<Attribute> {
    let t = |zh: &str, en: &str| if lang == Lang::En { en.to_owned() } else { zh.to_owned() };
    vec![
        Attribute {
            variable: true,
            code: "building",
            datatype: "string",
            required: true,
            datatype_description: t("楼栋 ID（bld_…），见 docs/open311.md", "A building ID (bld_…); see docs/open311.md"),
            order: 1,
            description: t("所在楼栋", "The building"),
            values: vec![],
        },
        Attribute {
            variable: true,
            code: "unit",
            datatype: "number",
            required: false,
            datatype_description: t("单元号，1 起", "The unit (entrance) number, from 1"),
            order: 2,
            description: t("单元", "Unit"),
            values: vec![],
        },
        Attribute {
            variable: true,
            code: "urgency",
            datatype: "singlevaluelist",
            required: false,
            datatype_description: t("默认 NORMAL", "NORMAL unless given"),
            order: 3,
            description: t("紧急程度", "Urgency"),
            values: vec![
                AttributeValue { key: "NORMAL".into(), name: t("一般", "Normal") },
                AttributeValue { key: "URGENT".into(), name: t("紧急", "Urgent") },
            ],
        },
    ]
}

/// `GET services/{code}`: NOT_FOUND for a code that is not an active service.
pub async fn definition(state: &AppState, code: &str, lang: Lang) -> AppResult<(category::Model, Definition)> {
    let c = crate::service::report::category::all(state, false)
        .await?
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| AppError::not_found("没有这个 service_code", "No such service_code"))?;
    let d = Definition { service_code: c.code.clone(), attributes: attributes(lang) };
    Ok((c, d))
}

/// `open` or `closed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open311Status {
    Open,
    Closed,
}

impl Open311Status {
    fn of(s: ReportStatus) -> Open311Status {
        if is_terminal(s) { Open311Status::Closed } else { Open311Status::Open }
    }

    fn as_str(self) -> &'static str {
        match self {
            Open311Status::Open => "open",
            Open311Status::Closed => "closed",
        }
    }
}

/// The filters of `GET requests`, read and checked (`http/open311.rs` parses the query string into this).
#[derive(Clone, Debug, Default)]
pub struct RequestsQuery {
    /// `service_request_id`: these reports only (the other filters are then ignored, as the spec says).
    pub ids: Vec<Uuid>,
    /// `service_code`.
    pub service_code: Option<String>,
    /// `start_date`, `end_date`.
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// `status`: open, closed or both (empty: both).
    pub statuses: Vec<Open311Status>,
    /// `updated_after` (extension): changed since; the list is then in the order of change, oldest first.
    pub updated_after: Option<DateTime<Utc>>,
    /// `page_size` (extension).
    pub page_size: u64,
    /// `page_token` (extension): where the previous page ended.
    pub page_token: Option<String>,
}

/// Reads a W3C datetime parameter (BAD_USER_INPUT naming it).
pub fn datetime(field: &'static str, raw: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        AppError::bad_input(field, msg!("{} 应为 W3C 时间，如 2026-12-01T08:00:00+08:00", "{} must be a W3C datetime such as 2026-12-01T08:00:00+08:00", field))
    })
}

/// Reads `service_request_id`: a comma-separated list of report IDs.
pub fn ids(raw: &str) -> AppResult<Vec<Uuid>> {
    let ids: Vec<Uuid> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| decode(s, Kind::Report, "service_request_id"))
        .collect::<AppResult<_>>()?;
    if ids.len() > MAX_IDS {
        return Err(AppError::bad_input("service_request_id", msg!("一次最多 100 个 service_request_id", "At most 100 service_request_id at once")));
    }
    Ok(ids)
}

/// Reads `status`: `open`, `closed`, or both comma-separated.
pub fn statuses(raw: &str) -> AppResult<Vec<Open311Status>> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.to_ascii_lowercase().as_str() {
            "open" => Ok(Open311Status::Open),
            "closed" => Ok(Open311Status::Closed),
            _ => Err(AppError::bad_input("status", msg!("status 只能是 open 或 closed", "status is open or closed"))),
        })
        .collect()
}

/// One service request as Open311 shows it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Request {
    pub service_request_id: String,
    pub status: &'static str,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_datetime: Option<String>,
    pub address: String,
    pub address_id: String,
    pub zipcode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "long")]
    pub long: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
}

/// A page of requests and the token of the next page, if any.
pub struct RequestsPage {
    pub requests: Vec<Request>,
    pub next: Option<String>,
}

/// The communities of a district.
async fn communities_of(state: &AppState, district: Uuid) -> AppResult<Vec<Uuid>> {
    let streets: Vec<Uuid> = street::Entity::find()
        .select_only()
        .column(street::Column::Id)
        .filter(street::Column::DistrictId.eq(district))
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(community::Entity::find()
        .select_only()
        .column(community::Column::Id)
        .filter(community::Column::StreetId.is_in(streets))
        .into_tuple()
        .all(&state.db)
        .await?)
}

/// What every public statement selects: the district's reports past moderation.
fn public(communities: Vec<Uuid>) -> Condition {
    Condition::all()
        .add(report::Column::CommunityId.is_in(communities))
        .add(report::Column::Moderation.eq(Moderation::Pass))
}

/// A page token: the sort key and id where a page ended.
fn token(at: DateTime<Utc>, id: Uuid) -> String {
    crate::service::page::TimeCursor { at, id }.encode()
}

/// `(column, id)` as a row value, to compare with a page token's.
fn keyset(column: report::Column) -> Expr {
    Expr::tuple([Expr::col((report::Entity, column)).into(), Expr::col((report::Entity, report::Column::Id)).into()])
}

/// `GET requests`.
pub async fn requests(state: &AppState, district: &district::Model, q: &RequestsQuery, lang: Lang) -> AppResult<RequestsPage> {
    let communities = communities_of(state, district.id).await?;
    let mut select = report::Entity::find().filter(public(communities));
    let size = q.page_size.clamp(1, MAX_PAGE_SIZE);
    if !q.ids.is_empty() {
        let rows = select.filter(report::Column::Id.is_in(q.ids.clone())).order_by_desc(report::Column::Id).all(&state.db).await?;
        // In the order asked for.
        let mut rows: Vec<report::Model> = q.ids.iter().filter_map(|id| rows.iter().find(|r| r.id == *id).cloned()).collect();
        rows.dedup_by_key(|r| r.id);
        return Ok(RequestsPage { requests: shown(state, rows, lang).await?, next: None });
    }
    if let Some(code) = &q.service_code {
        let c = crate::service::report::category::all(state, true)
            .await?
            .into_iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| AppError::bad_input("service_code", msg!("没有这个 service_code", "No such service_code")))?;
        select = select.filter(report::Column::CategoryId.eq(c.id));
    }
    let statuses: Vec<ReportStatus> = crate::service::report::machine::ALL_STATUSES
        .into_iter()
        .filter(|s| q.statuses.is_empty() || q.statuses.contains(&Open311Status::of(*s)))
        .collect();
    select = select.filter(report::Column::Status.is_in(statuses));
    let after = q.page_token.as_deref().map(crate::service::page::TimeCursor::decode).transpose().map_err(|_| {
        AppError::bad_input("page_token", msg!("page_token 应为上一页给出的值", "page_token must be one a previous page gave"))
    })?;
    let rows = if let Some(since) = q.updated_after {
        // The order of change, oldest first: a client that syncs keeps the last token and asks again.
        select = select.filter(report::Column::LastEventAt.gt(since));
        if let Some(c) = after {
            // A row comparison, so that the index on (last_event_at, id) starts at the token instead of reading the
            // pages before it again.
            select = select.filter(ExprTrait::gt(keyset(report::Column::LastEventAt), Expr::tuple([Expr::val(c.at), Expr::val(c.id)])));
        }
        select.order_by_asc(report::Column::LastEventAt).order_by_asc(report::Column::Id).limit(size + 1).all(&state.db).await?
    } else {
        let end = q.end.unwrap_or_else(|| state.clock.now());
        let start = q.start.unwrap_or(end - Duration::days(MAX_WINDOW_DAYS));
        if start > end {
            return Err(AppError::bad_input("start_date", msg!("start_date 不能晚于 end_date", "start_date must not be after end_date")));
        }
        if end - start > Duration::days(MAX_WINDOW_DAYS) {
            return Err(AppError::bad_input(
                "end_date",
                msg!("start_date 与 end_date 最多相隔 90 天", "start_date and end_date are at most 90 days apart"),
            ));
        }
        select = select.filter(report::Column::SubmittedAt.gte(start)).filter(report::Column::SubmittedAt.lte(end));
        if let Some(c) = after {
            select = select.filter(ExprTrait::lt(keyset(report::Column::SubmittedAt), Expr::tuple([Expr::val(c.at), Expr::val(c.id)])));
        }
        select.order_by_desc(report::Column::SubmittedAt).order_by_desc(report::Column::Id).limit(size + 1).all(&state.db).await?
    };
    let mut rows = rows;
    let next = (rows.len() as u64 > size).then(|| {
        rows.truncate(size as usize);
        let last = rows.last().expect("a full page");
        match q.updated_after {
            Some(_) => token(last.last_event_at.unwrap_or(last.submitted_at), last.id),
            None => token(last.submitted_at, last.id),
        }
    });
    Ok(RequestsPage { requests: shown(state, rows, lang).await?, next })
}

/// `GET requests/{id}`: NOT_FOUND for a report that is not public (or not in the district).
pub async fn request(state: &AppState, district: &district::Model, id: Uuid, lang: Lang) -> AppResult<Request> {
    let communities = communities_of(state, district.id).await?;
    let row = report::Entity::find_by_id(id)
        .filter(public(communities))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("没有这个 service_request_id", "No such service_request_id"))?;
    Ok(shown(state, vec![row], lang).await?.remove(0))
}

/// Reports as Open311 shows them (for webhooks' deliveries; the caller decides which reports).
pub async fn view(state: &AppState, rows: Vec<report::Model>, lang: Lang) -> AppResult<Vec<Request>> {
    shown(state, rows, lang).await
}

/// Masks what could name a person in a description: runs of 7 or more digits (phones, ID numbers) and the
/// reporter's own name.
pub fn scrub(description: &str, reporter_name: &str) -> String {
    let mut out = String::with_capacity(description.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        // A separator after the last digit is not part of the number.
        let number = digits.trim_end_matches(['-', ' ']);
        let tail = &digits[number.len()..];
        if number.chars().filter(|c| !matches!(c, '-' | ' ')).count() >= 7 {
            out.extend(std::iter::repeat_n('*', number.chars().count()));
        } else {
            out.push_str(number);
        }
        out.push_str(tail);
        digits.clear();
    };
    for ch in description.chars() {
        if ch.is_ascii_digit() || ('０'..='９').contains(&ch) {
            digits.push(ch);
        } else if !digits.is_empty() && (ch == '-' || ch == ' ') && digits.chars().count() >= 3 {
            // 139-1234-5678 and 139 1234 5678 are one number.
            digits.push(ch);
        } else {
            flush(&mut digits, &mut out);
            out.push(ch);
        }
    }
    flush(&mut digits, &mut out);
    let name = reporter_name.trim();
    if name.chars().count() >= 2 {
        out = out.replace(name, &"*".repeat(name.chars().count()));
    }
    out
}

/// The page's reports as Open311 shows them: categories and compounds from the caches, then one statement each
/// for the page's buildings, companies and photos.
fn distinct(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

async fn shown(state: &AppState, rows: Vec<report::Model>, lang: Lang) -> AppResult<Vec<Request>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let cats = state.lookup.categories(&state.db).await?;
    let compound_ids = distinct(rows.iter().map(|r| r.compound_id));
    let compounds: HashMap<Uuid, String> =
        state.lookup.compounds(&state.db, &compound_ids).await?.into_iter().map(|c| (c.id, c.name)).collect();
    // Each once: a page of 1,000 reports has a few dozen buildings and companies, and a statement with 1,000
    // parameters costs its binding whether they repeat or not.
    let building_ids: Vec<Uuid> = distinct(rows.iter().filter_map(|r| r.building_id));
    let buildings: HashMap<Uuid, String> = if building_ids.is_empty() {
        HashMap::new()
    } else {
        building::Entity::find().filter(building::Column::Id.is_in(building_ids)).all(&state.db).await?.into_iter().map(|b| (b.id, b.name)).collect()
    };
    let company_ids: Vec<Uuid> = distinct(rows.iter().filter_map(|r| r.company_id));
    let companies: HashMap<Uuid, String> = if company_ids.is_empty() {
        HashMap::new()
    } else {
        property_company::Entity::find()
            .filter(property_company::Column::Id.is_in(company_ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    };
    // The first photo of each report that is not hidden: the problem as reported, else the fix.
    let photos = photo::Entity::find()
        .filter(photo::Column::ReportId.is_in(rows.iter().map(|r| r.id).collect::<Vec<_>>()))
        .filter(photo::Column::Hidden.eq(false))
        .filter(photo::Column::Phase.is_in([PhotoPhase::Before, PhotoPhase::After]))
        .order_by_asc(photo::Column::Id)
        .all(&state.db)
        .await?;
    let mut first_photo: HashMap<Uuid, Uuid> = HashMap::new();
    for p in photos.iter().filter(|p| p.phase == Some(PhotoPhase::Before)).chain(photos.iter().filter(|p| p.phase == Some(PhotoPhase::After))) {
        if let Some(r) = p.report_id {
            first_photo.entry(r).or_insert(p.id);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let c = cats.iter().find(|c| c.id == r.category_id);
            let status = Open311Status::of(r.status);
            let agency = match (r.company_id.and_then(|id| companies.get(&id)), r.sla_level) {
                (Some(name), _) if is_company_status(r.status) => name.clone(),
                (_, Some(level)) => level_label(level, lang).to_owned(),
                _ => compounds.get(&r.compound_id).cloned().unwrap_or_default(),
            };
            let compound = compounds.get(&r.compound_id).cloned().unwrap_or_default();
            let address = match r.building_id.and_then(|b| buildings.get(&b)) {
                Some(b) => format!("{compound} {b}"),
                None => compound,
            };
            Request {
                service_request_id: encode(Kind::Report, r.id).0,
                status: status.as_str(),
                status_notes: notes(&r, lang),
                service_name: c.map(|c| if lang == Lang::En { c.name_en.clone() } else { c.name_zh.clone() }).unwrap_or_default(),
                service_code: c.map(|c| c.code.clone()).unwrap_or_default(),
                description: scrub(&r.description, &r.reporter_name),
                agency_responsible: agency,
                service_notice: String::new(),
                requested_datetime: beijing(r.submitted_at),
                updated_datetime: beijing(r.last_event_at.unwrap_or(r.submitted_at)),
                expected_datetime: (status == Open311Status::Open).then_some(r.sla_due_at).flatten().map(beijing),
                address,
                address_id: r.building_id.map(|b| encode(Kind::Building, b).0).unwrap_or_default(),
                zipcode: String::new(),
                lat: r.latitude.filter(|_| r.longitude.is_some()),
                long: r.longitude.filter(|_| r.latitude.is_some()),
                media_url: first_photo.get(&r.id).map(|p| sign::url(&state.config, *p, Variant::Full, false)),
            }
        })
        .collect())
}

/// Whether a report in `s` is with its property company.
fn is_company_status(s: ReportStatus) -> bool {
    matches!(s, ReportStatus::Dispatched | ReportStatus::InProgress | ReportStatus::Resolved)
}

/// `status_notes`: the status in words, and what a closed report ended as.
fn notes(r: &report::Model, lang: Lang) -> String {
    let label = status_label(r.status, lang);
    match (r.status, lang) {
        (ReportStatus::Resolved, Lang::En) => "RESOLVED: fixed, waiting for the resident to confirm".to_owned(),
        (ReportStatus::Resolved, _) => "已处理，待居民确认".to_owned(),
        (ReportStatus::Duplicate, Lang::En) => match r.duplicate_of {
            Some(p) => format!("DUPLICATE of {}", encode(Kind::Report, p).0),
            None => label.to_owned(),
        },
        (ReportStatus::Duplicate, _) => match r.duplicate_of {
            Some(p) => format!("重复，已并入 {}", encode(Kind::Report, p).0),
            None => label.to_owned(),
        },
        (ReportStatus::Closed, Lang::En) if r.auto_closed => "CLOSED: no answer from the resident after the fix".to_owned(),
        (ReportStatus::Closed, _) if r.auto_closed => "已关闭（居民未回复，自动确认）".to_owned(),
        _ => label.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_loses_its_phones_and_its_reporters_name() {
        assert_eq!(scrub("我是张三，电话13912345678，302室漏水", "张三"), "我是**，电话***********，302室漏水");
        assert_eq!(scrub("call 139-1234-5678 or 139 1234 5678", "x"), "call ************* or *************");
        assert_eq!(scrub("3号楼2单元 302 漏水，已经 3 天", "李四"), "3号楼2单元 302 漏水，已经 3 天");
        assert_eq!(scrub("１３９１２３４５６７８", ""), "***********");
    }

    #[test]
    fn statuses_map_to_open_and_closed() {
        assert_eq!(Open311Status::of(ReportStatus::Resolved), Open311Status::Open);
        assert_eq!(Open311Status::of(ReportStatus::Submitted), Open311Status::Open);
        for s in [ReportStatus::Closed, ReportStatus::Rejected, ReportStatus::Duplicate, ReportStatus::Cancelled] {
            assert_eq!(Open311Status::of(s), Open311Status::Closed);
        }
        assert!(statuses("open,CLOSED").unwrap().len() == 2);
        assert!(statuses("pending").is_err());
    }
}

/// What `POST requests` sends (the form's fields; `attribute[…]` as the service definition names them).
#[derive(Clone, Debug, Default)]
pub struct NewRequest {
    pub service_code: Option<String>,
    pub description: Option<String>,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub urgency: Option<String>,
    pub lat: Option<String>,
    pub long: Option<String>,
    /// The caller's phone: a verified resident's bound phone files the report as theirs.
    pub phone: Option<String>,
    /// An extension: the same key again returns the same request (a retry after a lost answer).
    pub idempotency_key: Option<String>,
}

/// `POST requests` with the key `secret`: the key must be in force with `OPEN311_POST` (FORBIDDEN otherwise); the
/// key is rate-limited (the `write` class, counted per key); then [`file`]. Every use of a key is in the audit log
/// (`API_KEY_USED`, with what it filed or why it was refused), in a transaction of its own right after the
/// request's (the submit path commits its own).
pub async fn post(state: &AppState, secret: Option<&str>, addr: &str, req: NewRequest) -> AppResult<report::Model> {
    use crate::service::api_keys::{self, ApiScope};
    let key = api_keys::authenticate(state, secret, ApiScope::Open311Post).await?;
    let who = crate::service::ratelimit::Caller { user: Some(key.id), addr };
    state.limiter.take(crate::service::ratelimit::Class::Write, &who, 1).await?;
    let outcome = file(state, &key, req).await;
    let what = match &outcome {
        Ok((r, for_resident)) => serde_json::json!({
            "endpoint": "POST requests",
            "serviceRequestId": encode(Kind::Report, r.id).0,
            "onBehalfOfResident": for_resident,
        }),
        Err(e) => serde_json::json!({ "endpoint": "POST requests", "refused": e.code() }),
    };
    let change = crate::service::events::Change::begin(state, None).await?;
    api_keys::record_use(&change, &key, what).await?;
    change.commit().await?;
    Ok(outcome?.0)
}

/// The user an API key files intake reports as: one per key, named as the key (`12345 热线`), created at its
/// first intake. It has no WeChat identity (its openid says it is a key's), so nobody can log in as it.
async fn intake_user(state: &AppState, key: &entity::api_key::Model) -> AppResult<Uuid> {
    use entity::app_user;
    use sea_orm::{ActiveModelTrait, Set};
    let openid = format!("apikey:{}", key.id);
    if let Some(u) = app_user::Entity::find().filter(app_user::Column::Openid.eq(&openid)).one(&state.db).await? {
        return Ok(u.id);
    }
    let am = app_user::ActiveModel {
        id: Set(crate::ids::new_id()),
        created_at: Set(Utc::now()),
        openid: Set(openid.clone()),
        unionid: Set(None),
        nickname: Set(key.name.clone()),
        phone: Set(None),
        last_seen_at: Set(Utc::now()),
    };
    match am.insert(&state.db).await {
        Ok(u) => Ok(u.id),
        // Two first intakes at once: the other made it.
        Err(_) => app_user::Entity::find()
            .filter(app_user::Column::Openid.eq(&openid))
            .one(&state.db)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("the intake user of key {} could not be made", key.id))),
    }
}

/// `POST requests` by an integrating system with `key`: the attributes checked as the service definition says
/// (BAD_USER_INPUT naming the attribute; NOT_FOUND for an unknown service code), then the report filed through
/// the one submit path: as the verified resident whose bound phone the caller names (a resident of the building's
/// compound), else as an intake report by the key's own user, held by the community. Returns the report and
/// whether it was filed for a resident.
pub async fn file(state: &AppState, key: &entity::api_key::Model, req: NewRequest) -> AppResult<(report::Model, bool)> {
    use crate::service::report::{Urgency, submit};
    let field = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let code = field(&req.service_code)
        .ok_or_else(|| AppError::bad_input("service_code", msg!("缺少 service_code", "service_code is missing")))?;
    let (cat, _) = definition(state, &code, Lang::Zh).await?;
    let description = field(&req.description)
        .ok_or_else(|| AppError::bad_input("description", msg!("缺少 description", "description is missing")))?;
    let building_id = field(&req.building)
        .ok_or_else(|| AppError::bad_input("attribute[building]", msg!("缺少 attribute[building]（楼栋 ID）", "attribute[building] (a building ID) is missing")))?;
    let bad_building = || AppError::bad_input("attribute[building]", msg!("没有这个楼栋", "No such building"));
    let building = decode(&building_id, Kind::Building, "attribute[building]").map_err(|_| bad_building())?;
    let b = building::Entity::find_by_id(building).one(&state.db).await?.ok_or_else(bad_building)?;
    // A building of another district is as unknown as a missing one.
    let community = state.lookup.community_of_compound(&state.db, b.compound_id).await?.ok_or_else(bad_building)?;
    let (_, district) = state.lookup.street_and_district(&state.db, community).await?.ok_or_else(bad_building)?;
    if district != key.district_id {
        return Err(bad_building());
    }
    let unit = field(&req.unit)
        .map(|u| {
            u.parse::<i32>().ok().filter(|n| (1..=b.unit_count).contains(n)).ok_or_else(|| {
                AppError::bad_input("attribute[unit]", msg!("单元号应为 1 到 {}", "attribute[unit] must be 1 to {}", b.unit_count))
            })
        })
        .transpose()?;
    let urgency = match field(&req.urgency).as_deref().map(str::to_ascii_uppercase).as_deref() {
        None | Some("NORMAL") => Urgency::Normal,
        Some("URGENT") => Urgency::Urgent,
        Some(_) => return Err(AppError::bad_input("attribute[urgency]", msg!("紧急程度只能是 NORMAL 或 URGENT", "attribute[urgency] is NORMAL or URGENT"))),
    };
    let coord = |name: &'static str, v: &Option<String>| {
        field(v)
            .map(|s| s.parse::<f64>().map_err(|_| AppError::bad_input(name, msg!("{} 应为数字", "{} must be a number", name))))
            .transpose()
    };
    let (latitude, longitude) = (coord("lat", &req.lat)?, coord("long", &req.long)?);
    // The resident the caller names: a bound phone with a verified home in the building's compound (one statement;
    // of several such people, the first by ID, the same every time).
    let resident = match field(&req.phone) {
        Some(phone) => {
            use entity::{app_user, residence};
            use sea_orm::sea_query::Query;
            residence::Entity::find()
                .select_only()
                .column(residence::Column::UserId)
                .filter(residence::Column::Status.eq(entity::enums::ResidenceStatus::Verified))
                .filter(residence::Column::UserId.in_subquery(
                    Query::select().column(app_user::Column::Id).from(app_user::Entity).and_where(app_user::Column::Phone.eq(phone)).to_owned(),
                ))
                .filter(residence::Column::BuildingId.in_subquery(
                    Query::select().column(building::Column::Id).from(building::Entity).and_where(building::Column::CompoundId.eq(b.compound_id)).to_owned(),
                ))
                .order_by_asc(residence::Column::UserId)
                .into_tuple::<Uuid>()
                .one(&state.db)
                .await?
        }
        None => None,
    };
    let (user, intake) = match resident {
        Some(u) => (u, false),
        None => (intake_user(state, key).await?, true),
    };
    let idempotency_key = field(&req.idempotency_key)
        .map(|k| validate_key(&k).map(|k| format!("o311:{}:{k}", crate::ids::encode(Kind::ApiKey, key.id).0)))
        .transpose()?;
    let new = submit::NewReport {
        category: cat.id,
        description,
        urgency,
        location: submit::Location { building: Some(b.id), unit, room: None, compound: None, public_area: None, latitude, longitude },
        anonymous: false,
        idempotency_key,
        intake,
    };
    let actor = crate::auth::Actor::new(crate::auth::actor::AuthState::User { id: user, sid: Uuid::nil() });
    let r = submit::submit(state, &actor, new).await?;
    Ok((r, !intake))
}

/// An `idempotency_key`: 1..=24 letters, digits, `-` or `_` (it is stored with the key's ID before it).
fn validate_key(k: &str) -> AppResult<String> {
    if k.len() <= 24 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Ok(k.to_owned())
    } else {
        Err(AppError::bad_input("idempotency_key", msg!("idempotency_key 最多 24 个字母、数字、- 或 _", "idempotency_key is at most 24 letters, digits, - or _")))
    }
}
