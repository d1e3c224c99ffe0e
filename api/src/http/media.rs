//! `POST /upload` (wx.uploadFile) and `GET /media/{id}` (signed photo URLs).
//!
//! wx.uploadFile calls its `success` callback for every HTTP status and hands the page the body as a string, so
//! every answer here is JSON that says itself whether it worked: `{"ok":true,"mediaId":…}` or
//! `{"ok":false,"error":{"code":…,"message":…}}`, with a matching HTTP status for everyone else.
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::{
    Json, Router,
    body::Body,
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State, rejection::QueryRejection},
    http::{StatusCode, header},
    middleware::{Next, from_fn_with_state},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use futures::StreamExt;
use serde_json::{Value, json};
use tower_http::limit::RequestBodyLimitLayer;

use super::{HttpState, RequestContext};
use crate::error::{AppError, Msg};
use crate::ids::{Kind, decode, encode};
use crate::msg;
use crate::service::media::{self, Refusal, sign};

/// The upload and media routes. The upload route alone accepts large bodies: up to twice the file limit is read
/// to the end (so the client gets the JSON refusal instead of a reset connection), anything larger is cut off.
pub(super) fn routes(state: &Arc<HttpState>) -> Router<Arc<HttpState>> {
    let max = state.app.config.media.max_upload_bytes;
    let cap = max.saturating_mul(2).saturating_add(1024 * 1024);
    Router::new()
        .route(
            "/upload",
            post(upload)
                .layer::<_, Infallible>(DefaultBodyLimit::disable())
                .layer::<_, Infallible>(RequestBodyLimitLayer::new(cap))
                .layer::<_, Infallible>(from_fn_with_state(state.clone(), json_refusal_of_oversized_bodies)),
        )
        .route("/media/{id}", get(serve))
}

/// A JSON answer with status `status`.
fn answer(status: StatusCode, body: Value) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// Bodies that declare a length above the route's cap are refused by the limit layer before the handler runs;
/// this turns its plain-text 413 into the JSON the client reads.
async fn json_refusal_of_oversized_bodies(State(s): State<Arc<HttpState>>, cx: RequestContext, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let is_json =
        resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if resp.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return cx.error(&Refusal::TooLarge { max: s.app.config.media.max_upload_bytes }.into());
    }
    resp
}

/// Reads and discards a body, so that an early refusal reaches the client instead of a reset connection.
async fn drain(body: Body) {
    let mut stream = body.into_data_stream();
    while let Some(Ok(_)) = stream.next().await {}
}

/// Reads the form to its end and returns the one file in it (kept only when `keep`; at most `max` bytes). The
/// file is the part with a file name (wx.uploadFile always sends one) or a non-text content type; other parts
/// (wx.uploadFile's `formData`) are read and ignored.
async fn read_form(form: &mut Multipart, max: usize, keep: bool) -> Result<Vec<u8>, Refusal> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE { Refusal::TooLarge { max } } else { Refusal::Malformed }
    };
    let (mut file, mut files, mut too_large) = (Vec::new(), 0usize, false);
    while let Some(mut field) = form.next_field().await.map_err(broken)? {
        let is_file = field.file_name().is_some() || field.content_type().is_some_and(|ct| !ct.starts_with("text/"));
        if is_file {
            files += 1;
        }
        let collect = is_file && files == 1 && keep;
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            if collect && !too_large {
                if file.len() + chunk.len() > max {
                    too_large = true;
                    file = Vec::new();
                } else {
                    file.extend_from_slice(&chunk);
                }
            }
        }
    }
    match files {
        _ if too_large => Err(Refusal::TooLarge { max }),
        0 => Err(Refusal::NoFile),
        1 => Ok(file),
        _ => Err(Refusal::SeveralFiles),
    }
}

/// `POST /upload`: one photo as multipart/form-data, authenticated by `Authorization: Bearer <access token>`.
async fn upload(State(s): State<Arc<HttpState>>, cx: RequestContext, req: Request) -> Response {
    let actor = cx.actor();
    if let Err(e) = cx.allow(&s, crate::service::ratelimit::Class::Upload).await {
        drain(req.into_body()).await;
        return cx.error(&e);
    }
    let max = s.app.config.media.max_upload_bytes;
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_form {
        drain(req.into_body()).await;
        return match actor.user_id() {
            Err(e) => cx.error(&e),
            Ok(_) => cx.error(&Refusal::Malformed.into()),
        };
    }
    let Ok(mut form) = Multipart::from_request(req, &()).await else {
        return cx.error(&Refusal::Malformed.into());
    };
    // The whole form is read even when the token is missing, so the client reads the answer.
    let read = read_form(&mut form, max, actor.user_id().is_ok()).await;
    if let Err(e) = actor.user_id() {
        return cx.error(&e);
    }
    let bytes = match read {
        Ok(b) => b,
        Err(r) => return cx.error(&r.into()),
    };
    match media::store(&s.app, &actor, bytes).await {
        Ok(p) => {
            let cfg = &s.app.config;
            answer(
                StatusCode::OK,
                json!({
                    "ok": true,
                    "mediaId": encode(Kind::Photo, p.id).0,
                    "width": p.width,
                    "height": p.height,
                    "thumbnailWidth": p.thumb_width,
                    "thumbnailHeight": p.thumb_height,
                    "contentType": p.content_type,
                    "size": p.byte_size,
                    "url": sign::url(cfg, p.id, sign::Variant::Full, true),
                    "thumbnailUrl": sign::url(cfg, p.id, sign::Variant::Thumb, true),
                }),
            )
        }
        Err(e) => cx.error(&e),
    }
}

/// `GET /media/{id}?v=f|t&exp=…&sig=…`: the bytes of a photo, for a URL a resolver signed.
async fn serve(
    State(s): State<Arc<HttpState>>,
    cx: RequestContext,
    Path(id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let not_found = || cx.error(&AppError::not_found("照片", "Photo"));
    let Ok(id) = decode(&id, Kind::Photo, "id") else {
        return not_found();
    };
    let params = query.map(|Query(q)| q).unwrap_or_default();
    let param = |k: &str| params.get(k).map(String::as_str);
    let bad_link = |m: Msg| cx.error(&AppError::forbidden_msg(m));
    let Some(variant) = sign::Variant::parse(param("v")) else {
        return not_found();
    };
    let (Some(exp), Some(sig)) = (param("exp").and_then(|e| e.parse::<i64>().ok()), param("sig")) else {
        return bad_link(msg!("照片链接无效", "This photo link is not valid"));
    };
    let hidden_ok = param("h") == Some("1");
    let now = chrono::Utc::now().timestamp();
    match sign::verify(&s.app.config, id, variant, exp, hidden_ok, sig, now) {
        Ok(()) => {}
        Err(sign::Invalid::BadSignature) => return bad_link(msg!("照片链接无效", "This photo link is not valid")),
        Err(sign::Invalid::Expired) => {
            return bad_link(msg!("照片链接已过期，请刷新页面", "This photo link has expired; reload the page"));
        }
    }
    let p = match media::for_serving(&s.app, id, hidden_ok).await {
        Ok(p) => p,
        Err(e) => return cx.error(&e),
    };
    let key = match variant {
        sign::Variant::Full => &p.storage_key,
        sign::Variant::Thumb => &p.thumb_key,
    };
    let object = match s.app.media.get(key).await {
        Ok(o) => o,
        Err(e) => return cx.error(&e),
    };
    let max_age = (exp - now).clamp(0, s.app.config.media.url_ttl.as_secs() as i64);
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, &p.content_type)
        .header(header::CONTENT_LENGTH, object.size)
        .header(header::CACHE_CONTROL, format!("private, max-age={max_age}"))
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(Body::from_stream(object.stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
