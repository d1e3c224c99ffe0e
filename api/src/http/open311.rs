//! Open311 GeoReport v2 under `/open311/v2/` (`docs/open311.md`), in JSON and XML as the spec's URLs say
//! (`services.json`, `requests/rpt_….xml`). What is shown is decided in `service::open311`; this file reads the
//! query string, picks the format, and writes errors in the spec's form (`[{"code":400,"description":…}]`, or
//! `<errors><error>…</error></errors>`) with the HTTP status the spec names (400, 403, 404; 429 when rate
//! limited). Reading is public, rate-limited per address like any read; answers may be cached for a minute and read
//! from any origin (an open-data page can fetch them).
//!
//! Paging (an extension): `page_size` (default 100, at most 1000) and `page_token`; a page that has a next one
//! says so in a `Link: <…>; rel="next"` header, so the body stays the spec's bare list.
use std::collections::HashMap;
use std::sync::Arc;

use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};

use super::{HttpState, RequestContext};
use crate::error::{AppError, Lang};
use crate::ids::{Kind, decode};
use crate::msg;
use crate::service::open311::{self, RequestsQuery};
use crate::service::ratelimit::Class;

/// The Open311 routes.
pub(super) fn routes() -> Router<Arc<HttpState>> {
    Router::new()
        .route("/open311/v2/{file}", get(top).post(post_request))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
}

/// The two formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `name.json` or `name.xml`: (name, format); None for anything else.
fn split(file: &str) -> Option<(&str, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    let f = match ext.to_ascii_lowercase().as_str() {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return None,
    };
    (!name.is_empty()).then_some((name, f))
}

/// The spec's HTTP status for an error.
fn status_of(e: &AppError) -> StatusCode {
    match e.code() {
        "BAD_USER_INPUT" => StatusCode::BAD_REQUEST,
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "UNAUTHENTICATED" | "FORBIDDEN" => StatusCode::FORBIDDEN,
        "RATE_LIMITED" => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error in the spec's form.
fn error(format: Format, lang: Lang, e: &AppError) -> Response {
    let status = status_of(e);
    let description = if status == StatusCode::INTERNAL_SERVER_ERROR {
        if lang == Lang::En { "Internal error".to_owned() } else { "内部错误".to_owned() }
    } else {
        e.message().text(lang).to_owned()
    };
    let body = json!([{ "code": status.as_u16(), "description": description }]);
    let mut resp = render(format, "errors", &body, "no-store");
    *resp.status_mut() = status;
    if let AppError::Throttled { retry_after, .. } = e {
        resp.headers_mut().insert(header::RETRY_AFTER, retry_after.to_string().parse().expect("digits"));
    }
    resp
}

/// A body in `format`: JSON as is, XML under `root` (each list item named as its list's singular).
fn render<T: serde::Serialize + ?Sized>(format: Format, root: &str, body: &T, cache: &'static str) -> Response {
    // JSON straight from the values (a page of 1,000 requests is not built twice); XML through a JSON tree.
    let (ty, bytes) = match format {
        Format::Json => ("application/json; charset=utf-8", serde_json::to_vec(body).expect("Open311 bodies serialize")),
        Format::Xml => ("text/xml; charset=utf-8", xml(root, &serde_json::to_value(body).expect("Open311 bodies serialize")).into_bytes()),
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ty)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
        ],
        bytes,
    )
        .into_response()
}

/// The element name of one item of the list `list` (the spec's names).
fn singular(list: &str) -> &str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "errors" => "error",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        other => other,
    }
}

/// The spec's XML for a JSON value: objects as elements (in name order: the spec's XML names its elements, their
/// order carries nothing), lists as repeated items, nulls left out.
pub fn xml(root: &str, v: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    element(&mut out, root, v);
    out
}

fn element(out: &mut String, name: &str, v: &Value) {
    match v {
        Value::Null => {}
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            for item in items {
                element(out, singular(name), item);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Object(fields) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in fields {
                element(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s))),
        Value::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
        Value::Number(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// This server's base URL for discovery: `LINLI_PUBLIC_URL` when set, else the request's host.
fn base_url(s: &HttpState, headers: &HeaderMap) -> String {
    if let Some(u) = s.app.config.media.public_url.as_deref().filter(|u| !u.is_empty()) {
        return format!("{u}/open311/v2");
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}/open311/v2")
}

/// `discovery`, `services` and `GET requests`.
async fn top(
    State(s): State<Arc<HttpState>>,
    cx: RequestContext,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some((name, format)) = split(&file) else { return not_found(Format::Json, cx.lang) };
    if let Err(e) = cx.allow(&s, Class::Read).await {
        return error(format, cx.lang, &e);
    }
    let answer = match name {
        "discovery" => Ok(discovery(&s, &headers, format)),
        "services" => services(&s, &cx, &q, format).await,
        "requests" => requests(&s, &cx, &q, format).await,
        _ => return not_found(format, cx.lang),
    };
    answer.unwrap_or_else(|e| error(format, cx.lang, &e))
}

fn not_found(format: Format, lang: Lang) -> Response {
    error(format, lang, &AppError::not_found("没有这个 Open311 地址", "No such Open311 endpoint"))
}

fn discovery(s: &HttpState, headers: &HeaderMap, format: Format) -> Response {
    let body = json!({
        "changeset": "2026-12-03T00:00:00+08:00",
        "contact": "区网格服务中心 / the district's grid service centre",
        "key_service": "API keys are issued by the district admins (createApiKey in the console).",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": base_url(s, headers),
            "changeset": "2026-12-03T00:00:00+08:00",
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    });
    render(format, "discovery", &body, "public, max-age=300")
}

async fn services(s: &HttpState, cx: &RequestContext, q: &HashMap<String, String>, format: Format) -> Result<Response, AppError> {
    open311::jurisdiction(&s.app, q.get("jurisdiction_id").map(String::as_str)).await?;
    let list = open311::services(&s.app, cx.lang).await?;
    Ok(render(format, "services", &list, "public, max-age=300"))
}

/// Reads the query string of `GET requests`.
fn requests_query(q: &HashMap<String, String>) -> Result<RequestsQuery, AppError> {
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let page_size = match get("page_size") {
        None => open311::PAGE_SIZE,
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=open311::MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| AppError::bad_input("page_size", msg!("page_size 应为 1 到 1000", "page_size must be 1 to 1000")))?,
    };
    Ok(RequestsQuery {
        ids: get("service_request_id").map(open311::ids).transpose()?.unwrap_or_default(),
        service_code: get("service_code").map(str::to_owned),
        start: get("start_date").map(|v| open311::datetime("start_date", v)).transpose()?,
        end: get("end_date").map(|v| open311::datetime("end_date", v)).transpose()?,
        statuses: get("status").map(open311::statuses).transpose()?.unwrap_or_default(),
        updated_after: get("updated_after").map(|v| open311::datetime("updated_after", v)).transpose()?,
        page_size,
        page_token: get("page_token").map(str::to_owned),
    })
}

async fn requests(s: &HttpState, cx: &RequestContext, q: &HashMap<String, String>, format: Format) -> Result<Response, AppError> {
    let district = open311::jurisdiction(&s.app, q.get("jurisdiction_id").map(String::as_str)).await?;
    let query = requests_query(q)?;
    let page = open311::requests(&s.app, &district, &query, cx.lang).await?;
    let mut resp = render(format, "service_requests", &page.requests, "public, max-age=60");
    if let Some(next) = page.next {
        // The same query with the next page's token.
        let mut params: Vec<(String, String)> = q.iter().filter(|(k, _)| *k != "page_token").map(|(k, v)| (k.clone(), v.clone())).collect();
        params.sort();
        params.push(("page_token".into(), next));
        let qs = serde_urlencoded::to_string(&params).map_err(AppError::internal)?;
        let ext = if format == Format::Xml { "xml" } else { "json" };
        let link = format!("</open311/v2/requests.{ext}?{qs}>; rel=\"next\"");
        resp.headers_mut().insert(header::LINK, link.parse().map_err(AppError::internal)?);
    }
    Ok(resp)
}

/// `POST requests.{format}`: an integrating system files a service request with its `api_key` (a form field, as
/// the spec has it, or in the query string). 403 for a missing, unknown or revoked key, 404 for an unknown
/// service code, 400 for an attribute the definition refuses (`service::open311::post`).
async fn post_request(
    State(s): State<Arc<HttpState>>,
    cx: RequestContext,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    let Some((name, format)) = split(&file) else { return not_found(Format::Json, cx.lang) };
    if name != "requests" {
        return not_found(format, cx.lang);
    }
    let form: HashMap<String, String> = match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
        Ok(pairs) => pairs.into_iter().collect(),
        Err(_) => {
            let e = AppError::bad_input("body", msg!("请以 application/x-www-form-urlencoded 提交", "Send the request as application/x-www-form-urlencoded"));
            return error(format, cx.lang, &e);
        }
    };
    let get = |k: &str| form.get(k).or_else(|| q.get(k)).cloned();
    let answer = async {
        open311::jurisdiction(&s.app, get("jurisdiction_id").as_deref()).await?;
        let req = open311::NewRequest {
            service_code: get("service_code"),
            description: get("description"),
            building: get("attribute[building]"),
            unit: get("attribute[unit]"),
            urgency: get("attribute[urgency]"),
            lat: get("lat"),
            long: get("long"),
            phone: get("phone"),
            idempotency_key: get("idempotency_key"),
        };
        let r = open311::post(&s.app, get("api_key").as_deref(), &cx.addr, req).await?;
        let body = json!([{ "service_request_id": crate::ids::encode(Kind::Report, r.id).0, "service_notice": "", "account_id": null }]);
        Ok::<_, AppError>(render(format, "service_requests", &body, "no-store"))
    };
    answer.await.unwrap_or_else(|e| error(format, cx.lang, &e))
}

/// `GET services/{code}.{format}`.
async fn service_definition(
    State(s): State<Arc<HttpState>>,
    cx: RequestContext,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((code, format)) = split(&file) else { return not_found(Format::Json, cx.lang) };
    if let Err(e) = cx.allow(&s, Class::Read).await {
        return error(format, cx.lang, &e);
    }
    let answer = async {
        open311::jurisdiction(&s.app, q.get("jurisdiction_id").map(String::as_str)).await?;
        let (_, d) = open311::definition(&s.app, code, cx.lang).await?;
        Ok::<_, AppError>(render(format, "service_definition", &d, "public, max-age=300"))
    };
    answer.await.unwrap_or_else(|e| error(format, cx.lang, &e))
}

/// `GET requests/{id}.{format}`: a list of one, as the spec says.
async fn one_request(
    State(s): State<Arc<HttpState>>,
    cx: RequestContext,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((id, format)) = split(&file) else { return not_found(Format::Json, cx.lang) };
    if let Err(e) = cx.allow(&s, Class::Read).await {
        return error(format, cx.lang, &e);
    }
    let answer = async {
        let district = open311::jurisdiction(&s.app, q.get("jurisdiction_id").map(String::as_str)).await?;
        // A malformed id is as unknown as a missing one.
        let id = decode(id, Kind::Report, "service_request_id")
            .map_err(|_| AppError::not_found("没有这个 service_request_id", "No such service_request_id"))?;
        let r = open311::request(&s.app, &district, id, cx.lang).await?;
        Ok::<_, AppError>(render(format, "service_requests", &json!([r]), "public, max-age=60"))
    };
    answer.await.unwrap_or_else(|e| error(format, cx.lang, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_is_the_specs_shape() {
        let v = json!([{ "service_code": "DRAIN", "metadata": true, "lat": null, "n": 3, "values": [{ "key": "A&B", "name": "<x>" }] }]);
        assert_eq!(
            xml("services", &v),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><metadata>true</metadata><n>3</n>\
             <service_code>DRAIN</service_code><values><value><key>A&amp;B</key><name>&lt;x&gt;</name></value></values></service></services>"
        );
    }

    #[test]
    fn files_name_their_format() {
        assert_eq!(split("services.json"), Some(("services", Format::Json)));
        assert_eq!(split("rpt_abc.XML"), Some(("rpt_abc", Format::Xml)));
        assert_eq!(split("services"), None);
        assert_eq!(split("services.yaml"), None);
    }
}
