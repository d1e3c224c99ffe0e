//! The web console (issue 17): its pages, served from the binary (`console/dist`, embedded by `api/build.rs`), and
//! its session routes under `/console/api/`.
//!
//! Pages: `/console/assets/*` are content-hashed (`index-3fa9c1.js`), so cached for a year as immutable; everything
//! else under `/console/` that is not a file is the single page's `index.html`, answered `no-cache` (with an ETag,
//! so a reload costs a 304) so a new release is picked up on the next load. Text files go out gzip-compressed when
//! the browser accepts it (compressed once, on first use). Every answer carries the console's
//! Content-Security-Policy: scripts from this origin only, no inline script, nothing framed.
//!
//! Session routes (JSON `{"ok":true,…}` or `{"ok":false,"error":{…}}`; every POST needs `X-Linli-Console: 1` and a
//! same-host `Origin`, so no other site can log a browser in or out):
//! - `GET /console/api/config`: `{"mode":"dev"|"production","devLogins":[{"code","label"}]}`.
//! - `POST /console/api/dev-login` `{"code":"dev:staff"}`: a session (dev mode only).
//! - `POST /console/api/scan`: a scan-to-login attempt: `{"scene","expiresAt","imageUrl"}` and the page's secret
//!   as an HttpOnly cookie scoped to `/console/api/scan`.
//! - `GET /console/api/scan/{scene}/code`: the mini-program code to show (WeChat's image).
//! - `GET /console/api/scan/{scene}`: `{"status":"PENDING"|"APPROVED"|"EXPIRED"}`; APPROVED sets the session.
//! - `POST /console/api/logout`: ends the session and clears its cookie.
//! - `GET /console/api/grid-import-template.xlsx|.csv`: the grid import's template.
//!
//! The session cookie is `HttpOnly; SameSite=Strict; Path=/` (and `Secure` in production): scripts never see it,
//! other sites never send it.
use std::sync::{Arc, OnceLock};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;
use sha2::Digest;

use super::{HttpState, RequestContext, cookie, same_origin};
use crate::error::AppError;
use crate::msg;
use crate::service::console::{self, COOKIE, Poll, SCAN_COOKIE};
use crate::service::ratelimit::Class;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/console_assets.rs"));
}

/// The console's policy. Styles may be inline (Ant Design writes its styles at run time); scripts may not.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
                       font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
                       frame-ancestors 'none'";

/// The logins the dev picker offers: the demo district's (README), each with who it is.
const DEV_LOGINS: [(&str, &str, &str); 7] = [
    ("dev:staff", "幸福物业 调度员", "Dispatcher of 幸福物业"),
    ("dev:admin", "区管理员", "District admin"),
    ("dev:community-admin", "幸福社区 管理员", "Admin of 幸福社区"),
    ("dev:area-head", "片长", "Area head"),
    ("dev:group-head", "组长", "Group head"),
    ("dev:head", "邻长", "Neighbour head"),
    ("dev:resident", "居民（无管理权限）", "Resident (no console rights)"),
];

/// The routes.
pub(super) fn routes() -> Router<Arc<HttpState>> {
    Router::new()
        .route("/console", get(|| async { Redirect::permanent("/console/") }))
        .route("/console/", get(page_root))
        .route("/console/{*path}", get(page))
        .route("/console/api/config", get(config))
        .route("/console/api/dev-login", post(dev_login))
        .route("/console/api/scan", post(begin_scan))
        .route("/console/api/scan/{scene}", get(poll))
        .route("/console/api/scan/{scene}/code", get(scan_code))
        .route("/console/api/logout", post(logout))
        .route("/console/api/grid-import-template.xlsx", get(template_xlsx))
        .route("/console/api/grid-import-template.csv", get(template_csv))
}

/// One embedded file, with its gzip form made on first use.
struct Asset {
    path: &'static str,
    body: &'static [u8],
    gzip: OnceLock<Option<Vec<u8>>>,
    etag: String,
}

fn assets() -> &'static [Asset] {
    static ALL: OnceLock<Vec<Asset>> = OnceLock::new();
    ALL.get_or_init(|| {
        embedded::ASSETS
            .iter()
            .map(|(path, body)| {
                let digest = sha2::Sha256::digest(body);
                let etag = format!("\"{}\"", digest.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>());
                Asset { path, body, gzip: OnceLock::new(), etag }
            })
            .collect()
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn compressible(path: &str) -> bool {
    matches!(path.rsplit('.').next().unwrap_or_default(), "html" | "js" | "mjs" | "css" | "json" | "svg" | "txt" | "map")
}

fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::best());
    enc.write_all(body).ok()?;
    enc.finish().ok()
}

/// The headers every console answer carries.
fn secure(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    resp
}

async fn page_root(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn page(Path(path): Path<String>, headers: HeaderMap) -> Response {
    if path.starts_with("api/") {
        return secure((StatusCode::NOT_FOUND, Json(json!({ "ok": false, "error": { "code": "NOT_FOUND" } }))).into_response());
    }
    if assets().iter().any(|a| a.path == path) {
        return serve(&path, &headers);
    }
    // A file that is not there (a stale hashed asset, a typo) is a 404; any other path is a page of the app.
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return secure((StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-cache")], "not found").into_response());
    }
    serve("index.html", &headers)
}

fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(a) = assets().iter().find(|a| a.path == path) else {
        let body = "The console is not built into this binary: run `npm ci && npm run build` in console/ and build again.";
        return secure((StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-cache")], body).into_response());
    };
    let immutable = path.starts_with("assets/");
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == a.etag)) {
        return secure((StatusCode::NOT_MODIFIED, [(header::CACHE_CONTROL, cache), (header::ETAG, a.etag.as_str())]).into_response());
    }
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().split(';').next() == Some("gzip")));
    let gz = if compressible(path) && accepts_gzip { a.gzip.get_or_init(|| gzip(a.body)).as_deref() } else { None };
    let mut resp = match gz {
        Some(gz) => ([(header::CONTENT_ENCODING, "gzip")], gz.to_vec()).into_response(),
        None => a.body.into_response(),
    };
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::ETAG, HeaderValue::from_str(&a.etag).expect("hex"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    secure(resp)
}

/// The guard of every POST: the console's header and a same-host origin.
fn console_request(cx: &RequestContext, headers: &HeaderMap) -> Result<(), Response> {
    let header_ok = headers.get("x-linli-console").and_then(|v| v.to_str().ok()) == Some("1");
    if header_ok && same_origin(headers) {
        return Ok(());
    }
    Err(cx.error(&AppError::forbidden_msg(msg!(
        "请求不是来自管理后台页面",
        "This request did not come from the console's own pages"
    ))))
}

fn ok(body: serde_json::Value) -> Response {
    let mut body = body;
    body["ok"] = json!(true);
    secure(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

fn set_cookie(resp: &mut Response, value: String) {
    resp.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&value).expect("cookie is ASCII"));
}

/// An HttpOnly, SameSite=Strict cookie (and Secure in production); `max_age` 0 clears it.
fn cookie_header(s: &HttpState, name: &str, value: &str, path: &str, max_age: u64) -> String {
    let secure = if s.app.config.is_dev() { "" } else { "; Secure" };
    format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

fn session_cookie(s: &HttpState, token: &str, max_age: u64) -> String {
    cookie_header(s, COOKIE, token, "/", max_age)
}

fn scan_cookie(s: &HttpState, secret: &str, max_age: u64) -> String {
    cookie_header(s, SCAN_COOKIE, secret, "/console/api/scan", max_age)
}

fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok())
}

async fn config(State(s): State<Arc<HttpState>>, cx: RequestContext) -> Response {
    let dev = s.app.config.is_dev();
    let logins: Vec<_> = if dev {
        DEV_LOGINS
            .iter()
            .map(|(code, zh, en)| json!({ "code": code, "label": if cx.lang == crate::error::Lang::En { *en } else { *zh } }))
            .collect()
    } else {
        Vec::new()
    };
    ok(json!({ "mode": if dev { "dev" } else { "production" }, "devLogins": logins }))
}

#[derive(Deserialize)]
struct DevLogin {
    code: String,
}

async fn dev_login(State(s): State<Arc<HttpState>>, cx: RequestContext, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = console_request(&cx, &headers) {
        return r;
    }
    if let Err(e) = cx.allow(&s, Class::Login).await {
        return cx.error(&e);
    }
    let Ok(req) = serde_json::from_slice::<DevLogin>(&body) else {
        return cx.error(&AppError::bad_input("code", msg!("请求体应为 {\"code\": \"dev:…\"}", "The body must be {\"code\": \"dev:…\"}")));
    };
    match console::dev_login(&s.app, &req.code, user_agent(&headers)).await {
        Ok(o) => {
            let mut resp = ok(json!({}));
            set_cookie(&mut resp, session_cookie(&s, &o.token, s.app.config.console.session_ttl.as_secs()));
            resp
        }
        Err(e) => cx.error(&e),
    }
}

async fn begin_scan(State(s): State<Arc<HttpState>>, cx: RequestContext, headers: HeaderMap) -> Response {
    if let Err(r) = console_request(&cx, &headers) {
        return r;
    }
    if let Err(e) = cx.allow(&s, Class::Login).await {
        return cx.error(&e);
    }
    match console::begin_scan(&s.app).await {
        Ok(scan) => {
            let mut resp = ok(json!({
                "scene": scan.scene,
                "expiresAt": scan.expires_at.to_rfc3339(),
                "imageUrl": format!("/console/api/scan/{}/code", scan.scene),
            }));
            set_cookie(&mut resp, scan_cookie(&s, &scan.secret, s.app.config.console.scan_ttl.as_secs()));
            resp
        }
        Err(e) => cx.error(&e),
    }
}

async fn scan_code(State(s): State<Arc<HttpState>>, cx: RequestContext, headers: HeaderMap, Path(scene): Path<String>) -> Response {
    let secret = cookie(&headers, SCAN_COOKIE).unwrap_or_default();
    if let Err(e) = cx.allow(&s, Class::Read).await {
        return cx.error(&e);
    }
    match console::scan_code(&s.app, &scene, &secret).await {
        Ok(image) => {
            let ty = if image.starts_with(&[0xff, 0xd8]) { "image/jpeg" } else { "image/png" };
            secure(([(header::CONTENT_TYPE, ty), (header::CACHE_CONTROL, "private, no-store")], image).into_response())
        }
        Err(e) => cx.error(&e),
    }
}

async fn poll(State(s): State<Arc<HttpState>>, cx: RequestContext, headers: HeaderMap, Path(scene): Path<String>) -> Response {
    let secret = cookie(&headers, SCAN_COOKIE).unwrap_or_default();
    if let Err(e) = cx.allow(&s, Class::Read).await {
        return cx.error(&e);
    }
    match console::poll(&s.app, &scene, &secret, user_agent(&headers)).await {
        Ok(Poll::Pending) => ok(json!({ "status": "PENDING" })),
        Ok(Poll::Expired) => ok(json!({ "status": "EXPIRED" })),
        Ok(Poll::Approved(o)) => {
            let mut resp = ok(json!({ "status": "APPROVED" }));
            set_cookie(&mut resp, session_cookie(&s, &o.token, s.app.config.console.session_ttl.as_secs()));
            set_cookie(&mut resp, scan_cookie(&s, "", 0));
            resp
        }
        Err(e) => cx.error(&e),
    }
}

async fn logout(State(s): State<Arc<HttpState>>, cx: RequestContext, headers: HeaderMap) -> Response {
    if let Err(r) = console_request(&cx, &headers) {
        return r;
    }
    if let Some(token) = cookie(&headers, COOKIE) {
        if let Err(e) = console::logout(&s.app, &token).await {
            return cx.error(&e);
        }
    }
    let mut resp = ok(json!({}));
    set_cookie(&mut resp, session_cookie(&s, "", 0));
    resp
}

async fn template_xlsx(cx: RequestContext) -> Response {
    match crate::service::grid_import::template_xlsx(cx.lang) {
        Ok(bytes) => attachment(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "grid-import-template.xlsx"),
        Err(e) => cx.error(&e),
    }
}

async fn template_csv(cx: RequestContext) -> Response {
    attachment(crate::service::grid_import::template_csv(cx.lang).into_bytes(), "text/csv; charset=utf-8", "grid-import-template.csv")
}

fn attachment(bytes: Vec<u8>, ty: &'static str, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    secure(
        ([(header::CONTENT_TYPE, ty.to_owned()), (header::CONTENT_DISPOSITION, disposition), (header::CACHE_CONTROL, "no-cache".into())], bytes)
            .into_response(),
    )
}
