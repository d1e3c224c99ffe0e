//! The HTTP surface: `POST/GET /graphql`, GraphiQL in dev mode, `/healthz`, and photos (`POST /upload`,
//! `GET /media/{id}`, in `http/media.rs`). Every GraphQL answer is JSON in the
//! GraphQL shape, including refusals that happen before the query runs (body too large, malformed JSON).
use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use axum::{
    Json, Router,
    body::Body,
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, Method, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Response},
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

mod export;
mod media;
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
}

/// Builds the router: what production serves is what the tests build.
pub fn router(app: AppState, schema: AppSchema) -> Router {
    let dev = app.config.is_dev();
    let limit = app.config.max_in_flight;
    let in_flight = (limit > 0).then(|| Arc::new(tokio::sync::Semaphore::new(limit)));
    let state = Arc::new(HttpState { app, schema, parsed: Default::default(), in_flight });
    let mut r = Router::new()
        .route("/graphql", get(graphql).post(graphql))
        .route("/healthz", get(healthz))
        .merge(media::routes(&state))
        .merge(export::routes())
        .merge(wechat_push::routes());
    if dev {
        r = r.route("/graphiql", get(graphiql));
    }
    r.with_state(state)
        .layer(axum::middleware::from_fn(scope_request_id))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let rid = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            // The path only: query strings and headers (tokens) stay out of logs.
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %rid)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Runs the request with its id in [`REQUEST_ID`](crate::service::events::REQUEST_ID), so that every change it
/// makes carries the id (the audit log records it).
async fn scope_request_id(req: Request, next: axum::middleware::Next) -> Response {
    let rid = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    crate::service::events::REQUEST_ID.scope(rid, next.run(req)).await
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").title("Linli GraphiQL").finish())
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
}

impl RequestContext {
    /// The caller of this request.
    pub fn actor(&self) -> Actor {
        Actor::new(self.auth.clone())
    }

    /// The one rendering of an error on the routes that answer plain JSON: `{"ok":false,"error":{…}}` with the
    /// error's HTTP status.
    pub fn error(&self, e: &AppError) -> Response {
        let r = e.render(self.lang, &self.request_id);
        (r.status, [(header::CACHE_CONTROL, "no-store")], Json(r.json_body())).into_response()
    }
}

impl FromRequestParts<Arc<HttpState>> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &Arc<HttpState>) -> Result<Self, Self::Rejection> {
        Ok(RequestContext {
            auth: authenticate(s, &parts.headers),
            lang: lang_of(&parts.headers),
            request_id: parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned(),
        })
    }
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

async fn graphql(State(s): State<Arc<HttpState>>, cx: RequestContext, req: Request) -> Response {
    let lang = cx.lang;
    let method = req.method().clone();

    let gql_req = if method == Method::GET {
        match async_graphql::http::parse_query_string(req.uri().query().unwrap_or_default()) {
            Ok(r) => r,
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
        let bytes = match axum::body::to_bytes(req.into_body(), s.app.config.max_body_bytes).await {
            Ok(b) => b,
            Err(_) => {
                return refuse(StatusCode::PAYLOAD_TOO_LARGE, lang, "请求体过大", "The request body is too large");
            }
        };
        match serde_json::from_slice::<async_graphql::Request>(&bytes) {
            Ok(r) => r,
            Err(_) => return refuse(StatusCode::BAD_REQUEST, lang, "请求体不是有效的 GraphQL JSON", "The body is not a GraphQL JSON request"),
        }
    };
    if method == Method::GET && is_mutation(&gql_req) {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, lang, "变更操作必须使用 POST", "Mutations must be sent with POST");
    }

    let mut gql_req = gql_req;
    s.parsed.attach(&mut gql_req);
    let gql_req = gql_req.data(cx.actor()).data(cx.lang).data(Loaders::new(&s.app));
    let gql_req = gql_req.data(crate::graphql::media::PhotoLoaders::new(&s.app));
    // Held while the operation executes; reading the body and writing the answer do not count.
    let _permit = match &s.in_flight {
        Some(sem) => Some(sem.clone().acquire_owned().await.expect("semaphore never closed")),
        None => None,
    };
    let mut resp = s.schema.execute(gql_req).await;
    render_errors(&mut resp, &cx);
    let body = serde_json::to_vec(&resp).unwrap_or_else(|_| b"{\"errors\":[{\"message\":\"serialization\"}]}".to_vec());
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("static response parts")
}

/// Whether the operation a GET request would run is a mutation (refused: GET must be safe).
fn is_mutation(req: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(doc) = async_graphql::parser::parse_query(&req.query) else { return false };
    let is_mut = |t: OperationType| t == OperationType::Mutation;
    match &doc.operations {
        DocumentOperations::Single(op) => is_mut(op.node.ty),
        DocumentOperations::Multiple(ops) => match &req.operation_name {
            Some(name) => ops.get(name.as_str()).is_some_and(|op| is_mut(op.node.ty)),
            None => ops.values().any(|op| is_mut(op.node.ty)),
        },
    }
}
