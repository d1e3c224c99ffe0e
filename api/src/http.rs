//! The HTTP surface: `POST/GET /graphql`, GraphiQL in dev mode, `/healthz`, and photos (`POST /upload`,
//! `GET /media/{id}`, in `http/media.rs`). Every GraphQL answer is JSON in the
//! GraphQL shape, including refusals that happen before the query runs (body too large, malformed JSON).
use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use axum::{
    Json, Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode, header},
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
use crate::error::{AppError, EN_MESSAGE_KEY};
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
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let rid = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            // The path only: query strings and headers (tokens) stay out of logs.
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %rid)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
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

/// The HTTP status of an error on the routes that answer plain JSON (uploads, exports). An internal error is logged
/// here, inside the request span that carries the request id; the client sees a generic message.
fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
        AppError::Conflict(_) | AppError::StatusConflict { .. } | AppError::Refused(..) => StatusCode::CONFLICT,
        AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(inner) => {
            tracing::error!(error = %format!("{inner:#}"), "internal error");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Whether the client asked for English.
fn wants_english(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("en"))
}

/// A GraphQL-shaped error answer for requests refused before execution.
fn refuse(status: StatusCode, english: bool, zh: &str, en: &str) -> Response {
    let message = if english { en } else { zh };
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

async fn graphql(State(s): State<Arc<HttpState>>, req: Request) -> Response {
    let english = wants_english(req.headers());
    let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let auth = authenticate(&s, req.headers());
    let method = req.method().clone();

    let gql_req = if method == Method::GET {
        match async_graphql::http::parse_query_string(req.uri().query().unwrap_or_default()) {
            Ok(r) => r,
            Err(_) => return refuse(StatusCode::BAD_REQUEST, english, "GET 请求参数无效", "Malformed GET query string"),
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
                english,
                "请求必须是 application/json",
                "The request must be application/json",
            );
        }
        let bytes = match axum::body::to_bytes(req.into_body(), s.app.config.max_body_bytes).await {
            Ok(b) => b,
            Err(_) => {
                return refuse(StatusCode::PAYLOAD_TOO_LARGE, english, "请求体过大", "The request body is too large");
            }
        };
        match serde_json::from_slice::<async_graphql::Request>(&bytes) {
            Ok(r) => r,
            Err(_) => return refuse(StatusCode::BAD_REQUEST, english, "请求体不是有效的 GraphQL JSON", "The body is not a GraphQL JSON request"),
        }
    };
    if method == Method::GET && is_mutation(&gql_req) {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, english, "变更操作必须使用 POST", "Mutations must be sent with POST");
    }

    let mut gql_req = gql_req;
    s.parsed.attach(&mut gql_req);
    let gql_req = gql_req.data(Actor::new(auth)).data(Loaders::new(&s.app));
    let gql_req = gql_req.data(crate::graphql::media::PhotoLoaders::new(&s.app));
    // Held while the operation executes; reading the body and writing the answer do not count.
    let _permit = match &s.in_flight {
        Some(sem) => Some(sem.clone().acquire_owned().await.expect("semaphore never closed")),
        None => None,
    };
    let mut resp = s.schema.execute(gql_req).await;
    for e in resp.errors.iter_mut() {
        let ext = e.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            // Parse, validation, limit and argument-coercion errors from the GraphQL engine itself.
            ext.set("code", "BAD_USER_INPUT");
        }
        if let Some(async_graphql::Value::String(en)) = ext.get(EN_MESSAGE_KEY).cloned() {
            if english {
                e.message = en;
            }
        }
        ext.unset(EN_MESSAGE_KEY);
        if matches!(ext.get("code"), Some(async_graphql::Value::String(c)) if c == "INTERNAL") {
            ext.set("requestId", request_id.clone());
        }
    }
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
