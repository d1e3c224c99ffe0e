//! `GET/POST /wechat/push`: WeChat's message push (plain JSON mode). GET answers the URL verification with
//! `echostr`; POST carries events, of which `wxa_media_check` (a photo's verdict) is handled. Every request must
//! carry WeChat's signature over `WECHAT_PUSH_TOKEN`; anything else is refused with 403 and changes nothing.
use std::collections::HashMap;
use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::Value;

use super::HttpState;
use crate::service::media_check;

pub(super) fn routes() -> Router<Arc<HttpState>> {
    Router::new().route("/wechat/push", get(verify).post(push))
}

/// Whether the query carries a valid signature.
fn signed(s: &HttpState, q: &HashMap<String, String>) -> bool {
    let Some(token) = &s.app.config.wechat_push_token else {
        tracing::warn!("a WeChat push arrived but WECHAT_PUSH_TOKEN is not set");
        return false;
    };
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    media_check::signature_ok(token.expose(), get("timestamp"), get("nonce"), get("signature"))
}

fn refused() -> Response {
    (StatusCode::FORBIDDEN, "invalid signature").into_response()
}

async fn verify(State(s): State<Arc<HttpState>>, Query(q): Query<HashMap<String, String>>) -> Response {
    if !signed(&s, &q) {
        return refused();
    }
    q.get("echostr").cloned().unwrap_or_default().into_response()
}

async fn push(State(s): State<Arc<HttpState>>, Query(q): Query<HashMap<String, String>>, body: Bytes) -> Response {
    if !signed(&s, &q) {
        tracing::warn!("refused a WeChat push with a bad signature");
        return refused();
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    if v["Event"] == "wxa_media_check" {
        let trace = v["trace_id"].as_str().unwrap_or_default();
        let suggest = v["result"]["suggest"].as_str().unwrap_or_default();
        // The label arrives as a string or a number.
        let label = match &v["result"]["label"] {
            Value::String(l) => Some(l.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match media_check::record_verdict(&s.app, trace, suggest, label).await {
            Ok(true) => {}
            Ok(false) => tracing::info!("a media check verdict for an unknown trace_id"),
            // WeChat retries a push that fails: answer an error so the verdict comes again.
            Err(e) => {
                tracing::warn!(error = ?e, "could not record a media check verdict");
                return (StatusCode::INTERNAL_SERVER_ERROR, "retry").into_response();
            }
        }
    }
    // WeChat expects "success" (or an empty body) for anything it pushed.
    "success".into_response()
}
