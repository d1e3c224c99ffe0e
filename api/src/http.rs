//! The HTTP surface: `POST/GET /graphql`, GraphiQL in dev mode, `/healthz`, and photos (`POST /upload`,
//! `GET /media/{id}`, in `http/media.rs`). Every GraphQL answer is JSON in the
//! GraphQL shape, including refusals that happen before the query runs (body too large, malformed JSON).
use std::sync::Arc;

use axum::{
    Json, Router,
    body::Body,
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use sea_orm::ConnectionTrait;
use serde_json::json;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::auth::actor::AuthState;
use crate::auth::Actor;
use crate::error::{AppError, Lang};
use crate::graphql::{AppSchema, Loaders};
use crate::state::AppState;

mod console;
mod export;
mod media;
mod graphiql;
mod open311;
mod ops;
mod ws;
mod wechat_push;

/// What the router's handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// Application state.
    pub app: AppState,
    /// The schema.
    pub schema: AppSchema,
    /// Query texts already parsed.
    pub parsed: Arc<crate::graphql::parsed::ParsedQueries>,
    /// Admission of GraphQL operations (`LINLI_MAX_IN_FLIGHT`; None: no limit). Tokio's semaphore is fair, so
    /// operations start in the order they arrived.
    pub in_flight: Option<Arc<tokio::sync::Semaphore>>,
    /// The operation names the metrics count apart.
    pub operation_names: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// Builds the router: what production serves is what the tests build.
pub fn router(app: AppState, schema: AppSchema) -> Router {
    let dev = app.config.is_dev();
    let limit = app.config.max_in_flight;
    let in_flight = (limit > 0).then(|| Arc::new(tokio::sync::Semaphore::new(limit)));
    let state = Arc::new(HttpState { app, schema, parsed: Default::default(), in_flight, operation_names: Default::default() });
    let mut r = Router::new()
        .route("/graphql", get(graphql).post(graphql))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/healthz", get(healthz))
        .merge(media::routes(&state))
        .merge(export::routes())
        .merge(ops::routes())
        .merge(wechat_push::routes())
        .merge(console::routes())
        .merge(open311::routes());
    if dev {
        r = r.merge(graphiql::routes());
    }
    r.with_state(state)
        .layer(axum::middleware::from_fn(scope_request_id))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let rid = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            // The path only: query strings and headers (tokens) stay out of logs.
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %rid)
        }))
        .layer(SetRequestIdLayer::x_request_id(FromTraceparent))
}

/// The request id: a client's own `x-request-id` is kept; else the trace id of a W3C `traceparent` (so our logs
/// join the caller's trace); else a new UUID. Returned to the client in `x-request-id`.
#[derive(Clone, Copy)]
struct FromTraceparent;

impl tower_http::request_id::MakeRequestId for FromTraceparent {
    fn make_request_id<B>(&mut self, req: &axum::http::Request<B>) -> Option<tower_http::request_id::RequestId> {
        let traced = req.headers().get("traceparent").and_then(|v| v.to_str().ok()).and_then(trace_id_of);
        match traced {
            Some(id) => axum::http::HeaderValue::from_str(&id).ok().map(tower_http::request_id::RequestId::new),
            None => MakeRequestUuid.make_request_id(req),
        }
    }
}

/// The trace id of a `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`), if it is one.
fn trace_id_of(tp: &str) -> Option<String> {
    let parts: Vec<&str> = tp.trim().split('-').collect();
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    let ok = parts.len() == 4 && hex(parts[0], 2) && parts[0] != "ff" && hex(parts[1], 32) && hex(parts[2], 16) && hex(parts[3], 2);
    (ok && parts[1].bytes().any(|b| b != b'0')).then(|| parts[1].to_owned())
}

/// Runs the request with its id in [`REQUEST_ID`](crate::service::events::REQUEST_ID), so that every change it
/// makes carries the id (the audit log records it).
async fn scope_request_id(req: Request, next: axum::middleware::Next) -> Response {
    let rid = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    crate::service::events::REQUEST_ID.scope(rid, next.run(req)).await
}


async fn healthz(State(s): State<Arc<HttpState>>) -> Response {
    let db_ok = s.app.db.execute_unprepared("SELECT 1").await.is_ok();
    let backend = format!("{:?}", s.app.db.get_database_backend()).to_lowercase();
    let body = json!({
        "status": if db_ok { "ok" } else { "degraded" },
        "database": backend,
        "cache": s.app.cache.backend(),
        "mode": if s.app.config.is_dev() { "dev" } else { "production" },
    });
    let code = if db_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(body)).into_response()
}

/// What every handler knows about its request before it does anything: who is calling (from the bearer token),
/// in which language they read messages, and the request's id (for INTERNAL errors and the logs). An axum
/// extractor, so no handler reads these headers itself.
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// What the `Authorization` header said.
    pub auth: AuthState,
    /// The language of messages (`Accept-Language`).
    pub lang: Lang,
    /// The `x-request-id` the request id layer set.
    pub request_id: String,
    /// The client's address: the peer's, or the last entry of `LINLI_CLIENT_IP_HEADER` behind a load balancer.
    pub addr: String,
}

impl RequestContext {
    /// The caller of this request.
    pub fn actor(&self) -> Actor {
        Actor::new(self.auth.clone())
    }

    /// Takes one request of `class` from the caller's allowances (`service/ratelimit.rs`).
    pub async fn allow(&self, s: &HttpState, class: crate::service::ratelimit::Class) -> Result<(), AppError> {
        let who = crate::service::ratelimit::Caller { user: self.auth.user(), addr: &self.addr };
        s.app.limiter.take(class, &who, 1).await
    }

    /// The one rendering of an error on the routes that answer plain JSON: `{"ok":false,"error":{…}}` with the
    /// error's HTTP status.
    pub fn error(&self, e: &AppError) -> Response {
        let r = e.render(self.lang, &self.request_id);
        let mut resp = (r.status, [(header::CACHE_CONTROL, "no-store")], Json(r.json_body())).into_response();
        if let AppError::Throttled { retry_after, .. } = e {
            resp.headers_mut().insert(header::RETRY_AFTER, retry_after.to_string().parse().expect("digits"));
        }
        resp
    }
}

impl FromRequestParts<Arc<HttpState>> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &Arc<HttpState>) -> Result<Self, Self::Rejection> {
        Ok(RequestContext {
            auth: authenticate_request(s, parts).await,
            lang: lang_of(&parts.headers),
            request_id: parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned(),
            addr: client_addr(parts, s.app.config.client_ip_header.as_deref()),
        })
    }
}

/// The client's address (see [`RequestContext::addr`]).
fn client_addr(parts: &Parts, header_name: Option<&str>) -> String {
    if let Some(h) = header_name {
        if let Some(v) = parts.headers.get(h).and_then(|v| v.to_str().ok()) {
            if let Some(last) = v.rsplit(',').next().map(str::trim).filter(|s| !s.is_empty()) {
                return last.to_owned();
            }
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "-".to_owned())
}

/// The language the client asked for: English when `Accept-Language` starts with `en`.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    let english = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("en"));
    if english { Lang::En } else { Lang::Zh }
}

/// A GraphQL-shaped error answer for requests refused before execution.
fn refuse(status: StatusCode, lang: Lang, zh: &str, en: &str) -> Response {
    let message = match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    (status, Json(json!({ "data": null, "errors": [{ "message": message, "extensions": { "code": "BAD_USER_INPUT" } }] })))
        .into_response()
}

/// The caller of a request: the bearer token when there is one; else the console's session cookie, taken only
/// from the console's own pages: a request that could change something (any method but GET and HEAD) must carry
/// `X-Linli-Console: 1`, which a cross-site form cannot send and a cross-site script cannot without a CORS
/// preflight we never grant; and a request whose `Origin` is another host is not served with the cookie at all
/// (this covers the websocket upgrade, which browsers send with cookies and an `Origin`). With `SameSite=Strict`
/// the browser does not send the cookie cross-site to begin with: these checks are the second lock.
async fn authenticate_request(s: &HttpState, parts: &Parts) -> AuthState {
    let headers = &parts.headers;
    if headers.contains_key(header::AUTHORIZATION) {
        return authenticate(s, headers);
    }
    let Some(token) = cookie(headers, crate::service::console::COOKIE) else { return AuthState::Anonymous };
    let safe_method = parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD;
    if !safe_method && headers.get("x-linli-console").and_then(|v| v.to_str().ok()) != Some("1") {
        return AuthState::Anonymous;
    }
    if !same_origin(headers) {
        return AuthState::Anonymous;
    }
    match crate::service::console::authenticate(&s.app, &token).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "a console session could not be looked up");
            AuthState::Anonymous
        }
    }
}

/// A cookie's value from the `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name).then(|| v.trim().to_owned())
    })
}

/// Whether the request's `Origin`, when it has one, is the host it was sent to.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let authority = origin.split_once("://").map(|(_, a)| a).unwrap_or(origin);
    !host.is_empty() && authority.eq_ignore_ascii_case(host)
}

fn authenticate(s: &HttpState, headers: &HeaderMap) -> AuthState {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return AuthState::Anonymous };
    let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
        return AuthState::Invalid(crate::auth::tokens::TokenError::Invalid);
    };
    match s.app.jwt.verify(token.trim()) {
        Ok(c) => AuthState::User { id: c.sub, sid: c.sid },
        Err(e) => AuthState::Invalid(e),
    }
}

/// Renders the errors of a GraphQL answer: an error a resolver raised carries its [`AppError`], rendered here the
/// way every route renders it (message in the client's language, `code` and the rest in `extensions`); errors of
/// the engine itself (parse, validation, limits, argument coercion) are BAD_USER_INPUT.
fn render_errors(resp: &mut async_graphql::Response, cx: &RequestContext) {
    for e in resp.errors.iter_mut() {
        let rendered = match (e.source::<AppError>(), e.source.is_some()) {
            (Some(app), _) => Some(app.render(cx.lang, &cx.request_id)),
            // Any other error a resolver let through is a bug: logged, never shown.
            (None, true) => Some(AppError::internal(anyhow::anyhow!("{}", e.message)).render(cx.lang, &cx.request_id)),
            (None, false) => None,
        };
        let ext = e.extensions.get_or_insert_with(Default::default);
        match rendered {
            Some(r) => {
                e.message = r.message;
                for (k, v) in r.extensions {
                    if let Ok(v) = async_graphql::Value::from_json(v) {
                        ext.set(k, v);
                    }
                }
            }
            None => {
                if ext.get("code").is_none() {
                    ext.set("code", "BAD_USER_INPUT");
                }
            }
        }
    }
}

/// What the client asked the answer to be: `application/graphql-response+json` (GraphQL over HTTP: status codes
/// say whether the request was refused before execution) when its `Accept` prefers it, `application/json`
/// otherwise (always 200, as every GraphQL client before the spec expects).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Json,
    GraphqlResponse,
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn flavour(headers: &HeaderMap) -> Flavour {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else { return Flavour::Json };
    // The first of the two named (a client that lists both puts its preference first); `*/*` alone is JSON.
    for part in accept.split(',') {
        let media = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if media == GRAPHQL_RESPONSE {
            return Flavour::GraphqlResponse;
        }
        if media == "application/json" {
            return Flavour::Json;
        }
    }
    Flavour::Json
}

/// A GraphQL answer that holds one error and no data (a refusal before execution), rendered for `cx`.
fn refusal_response(e: AppError, cx: &RequestContext) -> async_graphql::Response {
    let gql: async_graphql::Error = e.into();
    let mut resp = async_graphql::Response::from_errors(vec![gql.into_server_error(async_graphql::Pos::default())]);
    render_errors(&mut resp, cx);
    resp
}

/// Parses the request's document (from the cache) and checks the document limits. The operation's shape and name
/// when it parses; None when it does not (the engine refuses it then, with its position).
fn shaped(s: &HttpState, req: &mut async_graphql::Request) -> Result<Option<(crate::graphql::limits::Shape, Option<String>)>, AppError> {
    s.parsed.attach(req);
    let asked = req.operation_name.clone();
    let Ok(doc) = req.parsed_query() else { return Ok(None) };
    match crate::graphql::limits::check(doc, asked.as_deref(), s.app.config.doc_limits) {
        Ok(shape) => Ok(Some((shape, operation_name(doc, asked.as_deref())))),
        Err(limit) => {
            s.app.metrics.limited.inc(&[limit.code()]);
            Err(AppError::Limit(limit))
        }
    }
}

/// The request with what its resolvers read from the context: the caller, the language, the DataLoaders.
fn with_context(req: async_graphql::Request, s: &HttpState, cx: &RequestContext) -> async_graphql::Request {
    req.data(cx.actor())
        .data(cx.lang)
        .data(Loaders::new(&s.app))
        .data(crate::graphql::media::PhotoLoaders::new(&s.app))
}

/// The HTTP status of an answer: always 200 for `application/json`; for `application/graphql-response+json`, 200
/// once execution started (data present), else the status of the refusal (400 for a document the engine refused,
/// 429 when rate-limited, …).
fn status_of(resp: &async_graphql::Response, flavour: Flavour, refused: Option<StatusCode>) -> StatusCode {
    // A mutation over GET is refused with 405 whatever the client reads (GET must be safe).
    if refused == Some(StatusCode::METHOD_NOT_ALLOWED) {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    if flavour == Flavour::Json || resp.data != async_graphql::Value::Null && refused.is_none() {
        return StatusCode::OK;
    }
    refused.unwrap_or(StatusCode::BAD_REQUEST)
}

async fn graphql(State(s): State<Arc<HttpState>>, cx: RequestContext, req: Request) -> Response {
    let lang = cx.lang;
    let method = req.method().clone();
    let flavour = flavour(req.headers());

    let batch = if method == Method::GET {
        match async_graphql::http::parse_query_string(req.uri().query().unwrap_or_default()) {
            Ok(r) => async_graphql::BatchRequest::Single(r),
            Err(_) => return refuse(StatusCode::BAD_REQUEST, lang, "GET 请求参数无效", "Malformed GET query string"),
        }
    } else {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !json {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                lang,
                "请求必须是 application/json",
                "The request must be application/json",
            );
        }
        // A signed-in caller may send more (a grid import's spreadsheet travels base64 in its variables); an
        // anonymous one no more than any query needs.
        let limit = if cx.auth.user().is_some() { s.app.config.max_body_bytes_signed_in } else { s.app.config.max_body_bytes };
        let bytes = match axum::body::to_bytes(req.into_body(), limit).await {
            Ok(b) => b,
            Err(_) => {
                return refuse(StatusCode::PAYLOAD_TOO_LARGE, lang, "请求体过大", "The request body is too large");
            }
        };
        match serde_json::from_slice::<async_graphql::BatchRequest>(&bytes) {
            Ok(r) => r,
            Err(_) => return refuse(StatusCode::BAD_REQUEST, lang, "请求体不是有效的 GraphQL JSON", "The body is not a GraphQL JSON request"),
        }
    };

    let mut cache_control = None;
    let (body, status, retry_after) = match batch {
        async_graphql::BatchRequest::Single(r) => {
            let (resp, refused) = run_one(&s, &cx, r, method == Method::GET).await;
            let retry = retry_after_of(&resp);
            let status = status_of(&resp, flavour, refused);
            if method == Method::GET {
                // Public only when nobody signed in asked, nothing failed, and every field said it may be cached.
                let anonymous = matches!(cx.auth, crate::auth::actor::AuthState::Anonymous);
                let public = resp.cache_control.value().filter(|v| anonymous && resp.errors.is_empty() && !v.contains("private"));
                cache_control = Some(public.map(|v| format!("public, {v}")).unwrap_or_else(|| "no-store".into()));
            }
            // GraphQL over HTTP: a request refused before execution has no `data` entry at all.
            let body = if flavour == Flavour::GraphqlResponse && resp.data == async_graphql::Value::Null {
                serde_json::to_value(&resp).map(|mut v| {
                    if let Some(o) = v.as_object_mut() {
                        o.remove("data");
                    }
                    v
                })
                .and_then(|v| serde_json::to_vec(&v))
            } else {
                serde_json::to_vec(&resp)
            };
            (body, status, retry)
        }
        async_graphql::BatchRequest::Batch(reqs) => {
            let max = s.app.config.max_batch;
            if reqs.len() > max || reqs.is_empty() {
                let e = if reqs.is_empty() {
                    AppError::bad_input("query", crate::msg!("批量请求不能为空", "A batch must hold at least one operation"))
                } else {
                    s.app.metrics.limited.inc(&["BATCH_TOO_LARGE"]);
                    AppError::Limit(crate::error::Limit::Batch { max })
                };
                let resp = refusal_response(e, &cx);
                (serde_json::to_vec(&resp), status_of(&resp, flavour, Some(StatusCode::BAD_REQUEST)), None)
            } else {
                // One after another: each takes its own admission and its own allowance.
                let mut out = Vec::with_capacity(reqs.len());
                let mut retry = None;
                for r in reqs {
                    let (resp, _) = run_one(&s, &cx, r, false).await;
                    retry = retry.or(retry_after_of(&resp));
                    out.push(resp);
                }
                (serde_json::to_vec(&out), StatusCode::OK, retry)
            }
        }
    };
    let body = body.unwrap_or_else(|_| b"{\"errors\":[{\"message\":\"serialization\"}]}".to_vec());
    let mut b = Response::builder().status(status).header(
        header::CONTENT_TYPE,
        if flavour == Flavour::GraphqlResponse { GRAPHQL_RESPONSE } else { "application/json" },
    );
    if let Some(secs) = retry_after {
        b = b.header(header::RETRY_AFTER, secs.to_string());
    }
    if let Some(v) = cache_control {
        b = b.header(header::CACHE_CONTROL, v).header(header::VARY, "authorization, accept");
    }
    b.body(Body::from(body)).expect("static response parts")
}

/// `extensions.retryAfter` of a rate-limited answer.
fn retry_after_of(resp: &async_graphql::Response) -> Option<u64> {
    resp.errors.iter().find_map(|e| match e.extensions.as_ref()?.get("retryAfter")? {
        async_graphql::Value::Number(n) => n.as_u64(),
        _ => None,
    })
}

/// Runs one operation: the document limits, the rate limits, admission, execution, metrics. Returns the rendered
/// answer and, when it was refused before execution, the refusal's HTTP status.
async fn run_one(s: &HttpState, cx: &RequestContext, mut gql_req: async_graphql::Request, get: bool) -> (async_graphql::Response, Option<StatusCode>) {
    let started = std::time::Instant::now();
    if let Err(e) = crate::graphql::apq::resolve(s.app.cache.as_ref(), &mut gql_req).await {
        // Not found is the first half of the protocol, not a client error: 200 for every flavour.
        let status = (!matches!(e, AppError::PersistedQuery(crate::graphql::apq::PqError::NotFound))).then(|| e.status());
        let resp = refusal_response(e, cx);
        s.metrics_of(None, &resp, started);
        return (resp, status);
    }
    let shape = match shaped(s, &mut gql_req) {
        Ok(shape) => shape,
        Err(e) => return (refusal_response(e, cx), Some(StatusCode::BAD_REQUEST)),
    };
    let op = shape.as_ref().and_then(|(_, name)| name.clone());
    if let Some((shape, _)) = &shape {
        if get && shape.mutation {
            let e = AppError::bad_input("query", crate::msg!("变更操作必须使用 POST", "Mutations must be sent with POST"));
            return (refusal_response(e, cx), Some(StatusCode::METHOD_NOT_ALLOWED));
        }
        if let Err(e) = take_allowance(s, cx, shape).await {
            let status = e.status();
            let resp = refusal_response(e, cx);
            s.metrics_of(op.as_deref(), &resp, started);
            return (resp, Some(status));
        }
    }
    let gql_req = with_context(gql_req, s, cx);
    // Held while the operation executes; reading the body and writing the answer do not count.
    let _permit = match &s.in_flight {
        Some(sem) => Some(sem.clone().acquire_owned().await.expect("semaphore never closed")),
        None => None,
    };
    let mut resp = s.schema.execute(gql_req).await;
    for e in resp.errors.iter_mut() {
        // The engine's own limits get codes of their own.
        if e.source.is_none() {
            if let Some(l) = crate::error::Limit::of_engine_message(&e.message) {
                s.app.metrics.limited.inc(&[l.code()]);
                let gql: async_graphql::Error = AppError::Limit(l).into();
                *e = gql.into_server_error(async_graphql::Pos::default());
            }
        }
    }
    render_errors(&mut resp, cx);
    s.metrics_of(op.as_deref(), &resp, started);
    (resp, None)
}

/// Takes the operation's cost from the caller's allowances: a query is one read; a mutation's root fields are one
/// write each (a login or a token refresh one login, `requestExport` one export), so 100 aliased mutations cost 100.
async fn take_allowance(s: &HttpState, cx: &RequestContext, shape: &crate::graphql::limits::Shape) -> Result<(), AppError> {
    use crate::service::ratelimit::{Caller, Class};
    let who = Caller { user: cx.auth.user(), addr: &cx.addr };
    if !shape.mutation {
        return s.app.limiter.take(Class::Read, &who, 1).await;
    }
    let (mut login, mut export, mut write) = (0, 0, 0);
    for root in &shape.roots {
        match root.as_str() {
            "loginWithWechat" | "refreshToken" | "devLogin" => login += 1,
            "requestExport" => export += 1,
            _ => write += 1,
        }
    }
    s.app.limiter.take(Class::Login, &who, login).await?;
    s.app.limiter.take(Class::Export, &who, export).await?;
    s.app.limiter.take(Class::Write, &who, write).await
}

/// The name of the operation that runs (for metrics).
fn operation_name(doc: &async_graphql::parser::types::ExecutableDocument, asked: Option<&str>) -> Option<String> {
    use async_graphql::parser::types::{DocumentOperations, Selection};
    if let Some(name) = asked {
        return Some(name.to_owned());
    }
    match &doc.operations {
        // A named operation alone in its document (the parser keeps named operations in a map).
        DocumentOperations::Multiple(ops) if ops.len() == 1 => ops.keys().next().map(|n| n.to_string()),
        DocumentOperations::Multiple(_) => None,
        // An anonymous operation is named by its first root field (`{ me { … } }` is `me`).
        DocumentOperations::Single(op) => op.node.selection_set.node.items.first().and_then(|i| match &i.node {
            Selection::Field(f) => Some(f.node.name.node.to_string()),
            _ => None,
        }),
    }
}

impl HttpState {
    /// Counts an answer under its operation's name (at most [`MAX_OPERATION_NAMES`] names are kept; later names
    /// are counted as `other`, so a client inventing names cannot grow the metrics without bound).
    fn metrics_of(&self, op: Option<&str>, resp: &async_graphql::Response, started: std::time::Instant) {
        let name = match op {
            None => "anonymous".to_owned(),
            Some(n) => {
                let mut names = self.operation_names.lock().unwrap_or_else(|e| e.into_inner());
                if names.contains(n) || names.len() < MAX_OPERATION_NAMES && n.len() <= 64 {
                    names.insert(n.to_owned());
                    n.to_owned()
                } else {
                    "other".to_owned()
                }
            }
        };
        let m = &self.app.metrics;
        m.requests.inc(&[&name]);
        for e in &resp.errors {
            let code = e.extensions.as_ref().and_then(|x| match x.get("code") {
                Some(async_graphql::Value::String(c)) => Some(c.clone()),
                _ => None,
            });
            m.errors.inc(&[&name, code.as_deref().unwrap_or("BAD_USER_INPUT")]);
        }
        m.latency.observe(&[&name], started.elapsed().as_secs_f64());
    }
}

/// How many operation names the metrics keep apart.
const MAX_OPERATION_NAMES: usize = 256;

