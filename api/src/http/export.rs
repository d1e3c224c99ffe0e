//! The export routes, for the offices' spreadsheets (`Authorization: Bearer` on every one). Files are UTF-8 CSV
//! with a byte-order mark (so Excel as used in China opens the Chinese correctly) or XLSX; headers in Chinese,
//! English with `Accept-Language: en`; cells that start like a formula are quoted away. Refusals are JSON
//! `{"ok":false,"error":{"code","message","field"}}` with 401, 403, 404 or 400, rendered by `AppError::render`.
//!
//! - `GET /export/incentives.csv?scopeId=…&from=…&to=…&groupBy=…`: the admins' incentive statistics (the same
//!   checks as `incentiveStatistics`), with a last row of totals.
//! - `GET /export/reports.csv` and `GET /export/reports.xlsx` `?scopeId=…&from=YYYY-MM-DD&to=YYYY-MM-DD[&categoryId=…]`:
//!   a scope's reports submitted from `from` to `to` (Beijing dates, both inclusive), for those who may read the
//!   scope (the same check as the KPIs), streamed: the CSV page by page as it is read, the XLSX from a
//!   constant-memory workbook in a temporary file (`docs/export.md`).
//! - `GET /export/files/{exp_…}?exp=…&sig=…`: the file of a background export (`requestExport`), by its signed link
//!   and its requester's token.
use std::collections::HashMap;
use std::sync::Arc;

use axum::{
    Router,
    body::Body,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use entity::enums::ExportFormat;
use futures::StreamExt;

use super::{HttpState, RequestContext};
use crate::error::{AppError, Lang};
use crate::ids::{Kind, decode, decode_any, encode};
use crate::msg;
use crate::service::export::{self, Spec, job, xlsx};
use crate::service::incentives::stats::{self, GroupBy, Key, Statistics};

/// The export routes.
pub(super) fn routes() -> Router<Arc<HttpState>> {
    Router::new()
        .route("/export/incentives.csv", get(incentives_csv))
        .route("/export/reports.csv", get(reports_csv))
        .route("/export/reports.xlsx", get(reports_xlsx))
        .route("/export/files/{id}", get(export_file))
}

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Reads the query string of a reports export (BAD_USER_INPUT naming the parameter).
fn report_spec(q: &HashMap<String, String>, lang: Lang) -> Result<Spec, AppError> {
    let scope_id = q.get("scopeId").ok_or_else(|| AppError::bad_input("scopeId", msg!("缺少 scopeId", "scopeId is missing")))?;
    let (scope_kind, scope) = decode_any(scope_id, "scopeId")?;
    let from = export::parse_day("from", q.get("from").map(String::as_str))?;
    let to = export::parse_day("to", q.get("to").map(String::as_str))?;
    let category = q.get("categoryId").filter(|c| !c.is_empty()).map(|c| decode(c, Kind::Category, "categoryId")).transpose()?;
    Ok(Spec { scope_kind, scope, from, to, category, lang })
}

/// A file answer: its type, its name and its body.
fn file_response(content_type: &str, filename: &str, length: Option<u64>, body: Body) -> Response {
    let mut b = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\""))
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if let Some(n) = length {
        b = b.header(header::CONTENT_LENGTH, n);
    }
    b.body(body).unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn report_file_name(spec: &Spec, ext: &str) -> String {
    format!("reports-{}-{}.{ext}", spec.from.format("%Y%m%d"), spec.to.format("%Y%m%d"))
}

/// An error in the middle of a stream: logged; the client sees the transfer cut off.
fn stream_error(e: AppError) -> std::io::Error {
    tracing::error!(error = ?e, "export stream failed");
    std::io::Error::other("export failed")
}

/// `GET /export/reports.csv`: the header at once, then each page of rows as it is read.
async fn reports_csv(State(s): State<Arc<HttpState>>, cx: RequestContext, Query(q): Query<HashMap<String, String>>) -> Response {
    let actor = cx.actor();
    if let Err(e) = cx.allow(&s, crate::service::ratelimit::Class::Export).await {
        return cx.error(&e);
    }
    let spec = match report_spec(&q, cx.lang) {
        Ok(r) => r,
        Err(e) => return cx.error(&e),
    };
    let rows = match export::start_download(&s.app, &actor, spec.clone(), ExportFormat::Csv).await {
        Ok(r) => r,
        Err(e) => return cx.error(&e),
    };
    let head = match export::csv_head(spec.lang) {
        Ok(h) => h,
        Err(e) => return cx.error(&e),
    };
    let pages = futures::stream::unfold(Some(rows), |rows| async move {
        let mut rows = rows?;
        match rows.next_batch().await.and_then(|b| b.map(|b| export::csv_batch(&b)).transpose()) {
            Ok(Some(bytes)) => Some((Ok(Bytes::from(bytes)), Some(rows))),
            Ok(None) => None,
            Err(e) => Some((Err(stream_error(e)), None)),
        }
    });
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) }).chain(pages);
    file_response("text/csv; charset=utf-8", &report_file_name(&spec, "csv"), None, Body::from_stream(body))
}

/// `GET /export/reports.xlsx`: the workbook is written to a temporary file (constant memory), then streamed.
async fn reports_xlsx(State(s): State<Arc<HttpState>>, cx: RequestContext, Query(q): Query<HashMap<String, String>>) -> Response {
    let actor = cx.actor();
    if let Err(e) = cx.allow(&s, crate::service::ratelimit::Class::Export).await {
        return cx.error(&e);
    }
    let spec = match report_spec(&q, cx.lang) {
        Ok(r) => r,
        Err(e) => return cx.error(&e),
    };
    let rows = match export::start_download(&s.app, &actor, spec.clone(), ExportFormat::Xlsx).await {
        Ok(r) => r,
        Err(e) => return cx.error(&e),
    };
    let dir = s.app.config.export.tmp_dir.clone();
    let out = xlsx::TempPath::new(&dir, "xlsx");
    if let Err(e) = xlsx::write_file(rows, true, &out, &dir, |_| async { Ok(()) }).await {
        return cx.error(&e);
    }
    let file = match tokio::fs::File::open(out.path()).await {
        Ok(f) => f,
        Err(e) => return cx.error(&AppError::internal(e)),
    };
    let length = file.metadata().await.ok().map(|m| m.len());
    // The open file is read to the end; its name goes now.
    drop(out);
    file_response(XLSX_TYPE, &report_file_name(&spec, "xlsx"), length, Body::from_stream(xlsx::file_stream(file)))
}

/// `GET /export/files/{id}?exp=…&sig=…`: a background export's file, for its requester.
async fn export_file(
    State(s): State<Arc<HttpState>>,
    cx: RequestContext,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let actor = cx.actor();
    if let Err(e) = actor.user_id() {
        return cx.error(&e);
    }
    let Ok(id) = decode(&id, Kind::Export, "id") else {
        return cx.error(&crate::service::places::not_found(Kind::Export));
    };
    let (Some(exp), Some(sig)) = (q.get("exp").and_then(|e| e.parse::<i64>().ok()), q.get("sig")) else {
        return cx.error(&AppError::forbidden_msg(msg!("导出文件的下载链接无效", "This export's download link is not valid")));
    };
    let (j, object) = match job::download(&s.app, &actor, id, exp, sig).await {
        Ok(x) => x,
        Err(e) => return cx.error(&e),
    };
    let content_type = match j.format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => XLSX_TYPE,
    };
    let stream = object.stream.map(|r| r.map_err(std::io::Error::other));
    file_response(content_type, &job::file_name(&j), Some(object.size), Body::from_stream(stream))
}

fn time_param(q: &HashMap<String, String>, field: &'static str) -> Result<DateTime<Utc>, AppError> {
    let bad = || AppError::bad_input(field, msg!("{} 须为 RFC 3339 时间，如 2026-11-01T00:00:00+08:00", "{} must be an RFC 3339 time, e.g. 2026-11-01T00:00:00+08:00", field));
    let v = q.get(field).ok_or_else(bad)?;
    DateTime::parse_from_rfc3339(v).map(|t| t.with_timezone(&Utc)).map_err(|_| bad())
}

/// Reads the query string into a statistics request (BAD_USER_INPUT naming the parameter).
fn request(q: &HashMap<String, String>) -> Result<stats::Request, AppError> {
    let scope_id = q.get("scopeId").ok_or_else(|| AppError::bad_input("scopeId", msg!("缺少 scopeId", "scopeId is missing")))?;
    let (scope_kind, scope) = decode_any(scope_id, "scopeId")?;
    let from = time_param(q, "from")?;
    let to = time_param(q, "to")?;
    let group_by = q.get("groupBy").and_then(|g| GroupBy::parse(g)).ok_or_else(|| {
        AppError::bad_input("groupBy", msg!("groupBy 只能是 COMMUNITY、MERCHANT、DAY、WEEK 或 MONTH", "groupBy is COMMUNITY, MERCHANT, DAY, WEEK or MONTH"))
    })?;
    Ok(stats::Request { scope_kind, scope, from, to, group_by })
}

async fn incentives_csv(State(s): State<Arc<HttpState>>, cx: RequestContext, Query(q): Query<HashMap<String, String>>) -> Response {
    let actor = cx.actor();
    if let Err(e) = cx.allow(&s, crate::service::ratelimit::Class::Export).await {
        return cx.error(&e);
    }
    if let Err(e) = actor.user_id() {
        return cx.error(&e);
    }
    let r = match request(&q) {
        Ok(r) => r,
        Err(e) => return cx.error(&e),
    };
    let data = match stats::statistics(&s.app, &actor, r).await {
        Ok(d) => d,
        Err(e) => return cx.error(&e),
    };
    let body = match to_csv(&data, r.group_by, cx.lang == Lang::En) {
        Ok(b) => b,
        Err(e) => return cx.error(&AppError::from(e)),
    };
    let day = |t: DateTime<Utc>| t.with_timezone(&stats::beijing()).format("%Y%m%d").to_string();
    let filename = format!("incentives-{}-{}-{}.csv", r.group_by.as_str().to_lowercase(), day(r.from), day(r.to));
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// A name as a cell, made safe as every export's cells are ([`export::safe`]).
fn cell(name: &str) -> String {
    export::safe(name)
}

/// The CSV bytes: BOM, header, one line per row, then the totals.
pub fn to_csv(data: &Statistics, group_by: GroupBy, english: bool) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::from(*b"\xEF\xBB\xBF");
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let (id_col, name_col) = match (group_by, english) {
            (GroupBy::Community, false) => ("社区ID", "社区"),
            (GroupBy::Community, true) => ("community_id", "community"),
            (GroupBy::Merchant, false) => ("商户ID", "商户"),
            (GroupBy::Merchant, true) => ("merchant_id", "merchant"),
            (_, false) => ("", "起始日期"),
            (_, true) => ("", "period_start"),
        };
        let figures: [&str; 6] = if english {
            ["points_earned", "points_spent", "issued", "used", "cancelled", "expired"]
        } else {
            ["获得积分", "消耗积分", "发放", "核销", "取消", "过期"]
        };
        let mut header: Vec<&str> = Vec::new();
        if !id_col.is_empty() {
            header.push(id_col);
        }
        header.push(name_col);
        header.extend(figures);
        w.write_record(&header)?;
        let nums = |f: &stats::Figures| {
            vec![
                f.points_earned.map(|v| v.to_string()).unwrap_or_default(),
                f.points_spent.to_string(),
                f.issued.to_string(),
                f.used.to_string(),
                f.cancelled.to_string(),
                f.expired.to_string(),
            ]
        };
        for row in &data.rows {
            let mut rec: Vec<String> = match &row.key {
                Key::Community { id, name } => vec![encode(Kind::Community, *id).to_string(), cell(name)],
                Key::Merchant { id, name } => vec![encode(Kind::Merchant, *id).to_string(), cell(name)],
                Key::Bucket(d) => vec![d.format("%Y-%m-%d").to_string()],
            };
            rec.extend(nums(&row.figures));
            w.write_record(&rec)?;
        }
        let mut total: Vec<String> = Vec::new();
        if !id_col.is_empty() {
            total.push(String::new());
        }
        total.push(if english { "Total" } else { "合计" }.to_owned());
        total.extend(nums(&data.totals));
        w.write_record(&total)?;
        w.flush()?;
    }
    Ok(out)
}
