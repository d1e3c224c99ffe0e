//! `GET /export/incentives.csv?scopeId=…&from=…&to=…&groupBy=…`: the admins' incentive statistics as a CSV file
//! (`Authorization: Bearer`, the same checks as `incentiveStatistics`). UTF-8 with a byte-order mark, so Excel
//! as used in China opens the Chinese names correctly; headers in Chinese, English with `Accept-Language: en`;
//! a last row with the totals. Refusals are JSON `{"ok":false,"error":{"code","message","field"}}` with 401,
//! 403, 404 or 400.
use std::collections::HashMap;
use std::sync::Arc;

use axum::{
    Router,
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};

use super::{HttpState, RequestContext};
use crate::error::{AppError, Lang};
use crate::ids::{Kind, decode_any, encode};
use crate::msg;
use crate::service::incentives::stats::{self, GroupBy, Key, Statistics};

/// The export routes.
pub(super) fn routes() -> Router<Arc<HttpState>> {
    Router::new().route("/export/incentives.csv", get(incentives_csv))
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

/// A name as a cell: one that starts like a formula (`=`, `+`, `-`, `@`) gets a leading `'`, so a spreadsheet
/// shows it instead of evaluating it.
fn cell(name: &str) -> String {
    if name.starts_with(['=', '+', '-', '@']) { format!("'{name}") } else { name.to_owned() }
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
