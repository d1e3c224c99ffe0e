//! `GET /graphql/ws`: subscriptions over the graphql-transport-ws protocol (what the `graphql-ws` client speaks),
//! written out here rather than taken from async-graphql, whose transport departs from the protocol's close codes.
//!
//! One socket carries every subscription of a client (WeChat allows a mini-program five sockets). The protocol:
//! the client sends `connection_init` with `{"authorization": "Bearer <access token>"}` (or `{"token": …}`) within
//! `LINLI_WS_INIT_TIMEOUT_MS` (10 s) (the console sends none: its session cookie came with the upgrade, from its
//! own host only, and the socket closes when the session ends), the server answers `connection_ack`; then `subscribe` / `next` / `error` /
//! `complete` per subscription id, `ping` / `pong` both ways (the server pings every `LINLI_WS_PING_SECS`).
//!
//! Close codes: 4400 a message that is not the protocol's, 4401 `subscribe` before the ack, 4403 an init refused
//! (no token, a bad one) and an access token that ran out while the socket was open, 4406 the subprotocol was not
//! offered, 4408 no init in time, 4409 a second subscription under an id in use, 4429 a second `connection_init`,
//! 1001 the server is shutting down (the client reconnects, to another replica, with `after`).
//!
//! Limits: `LINLI_WS_MAX_SUBSCRIPTIONS` per socket (20) and `LINLI_WS_MAX_PER_USER` per user on a replica (50);
//! over them a subscription gets an `error` with `TOO_MANY_SUBSCRIPTIONS`. Every `subscribe` passes the document
//! limits and counts one read against the rate limits.
use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    extract::{
        State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    },
    http::HeaderMap,
    response::Response,
};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{HttpState, RequestContext, render_errors};
use crate::auth::actor::AuthState;
use crate::error::AppError;

const PROTOCOL: &str = "graphql-transport-ws";

/// The route's handler: upgrades, then serves the socket.
pub async fn upgrade(State(s): State<Arc<HttpState>>, cx: RequestContext, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let offered = headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim() == PROTOCOL));
    // tungstenite's defaults suit a file transfer, not a few small messages: a 128 KiB read buffer filled on the
    // first read held ~170 KB of RSS per socket (bench/fanout), and a 64 MiB message was accepted. A subscribe
    // message is a document and its variables (the document limits cap them far below 256 KiB).
    ws.protocols([PROTOCOL])
        .read_buffer_size(16 * 1024)
        .write_buffer_size(16 * 1024)
        .max_write_buffer_size(4 * 1024 * 1024)
        .max_message_size(256 * 1024)
        .max_frame_size(256 * 1024)
        .on_upgrade(move |socket| async move {
            s.app.metrics.websockets.add(&[], 1.0);
            Connection::new(s.clone(), cx).run(socket, offered).await;
            s.app.metrics.websockets.add(&[], -1.0);
        })
}

/// What the subscriptions' tasks hand to the socket's loop.
enum Out {
    Text(String),
    /// A subscription's stream ended (its own id, its generation).
    Done(String, u64),
}

struct Connection {
    s: Arc<HttpState>,
    cx: RequestContext,
    /// Whether `connection_init` was accepted (a refused one closes the socket, so a second init is one after an ack).
    acked: bool,
    expires: Option<tokio::time::Instant>,
    subs: HashMap<String, (u64, tokio::task::AbortHandle)>,
    generation: u64,
}

impl Connection {
    fn new(s: Arc<HttpState>, cx: RequestContext) -> Self {
        Connection { s, cx, acked: false, expires: None, subs: HashMap::new(), generation: 0 }
    }

    async fn run(mut self, socket: WebSocket, offered: bool) {
        let (mut sink, mut stream) = socket.split();
        if !offered {
            close(&mut sink, 4406, "Subprotocol not acceptable").await;
            return;
        }
        let cfg = &self.s.app.config;
        let init_deadline = tokio::time::Instant::now() + cfg.ws.init_timeout;
        let mut ping = tokio::time::interval(cfg.ws.ping_every);
        ping.tick().await;
        let stop = self.s.app.background.token();
        let (tx, mut rx) = mpsc::channel::<Out>(256);
        loop {
            let expiry = self.expires;
            let outcome: Option<(u16, String)> = tokio::select! {
                _ = stop.cancelled() => Some((1001, "Server shutting down".into())),
                _ = tokio::time::sleep_until(init_deadline), if !self.acked => Some((4408, "Connection initialisation timeout".into())),
                _ = async { tokio::time::sleep_until(expiry.expect("guarded")).await }, if expiry.is_some() => {
                    Some((4403, "Forbidden: the access token expired".into()))
                }
                _ = ping.tick(), if self.acked => {
                    if sink.send(Message::Text(json!({ "type": "ping" }).to_string().into())).await.is_err() { break }
                    None
                }
                out = rx.recv() => match out {
                    Some(Out::Text(t)) => {
                        if sink.send(Message::Text(t.into())).await.is_err() { break }
                        None
                    }
                    Some(Out::Done(id, generation)) => {
                        if self.subs.get(&id).is_some_and(|(g, _)| *g == generation) {
                            self.subs.remove(&id);
                        }
                        None
                    }
                    None => None,
                },
                msg = stream.next() => match msg {
                    None | Some(Err(_)) => break,
                    Some(Ok(Message::Close(_))) => break,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
                    Some(Ok(Message::Binary(_))) => Some((4400, "Binary messages are not the protocol".into())),
                    Some(Ok(Message::Text(t))) => match self.on_message(t.as_str(), &tx).await {
                        Ok(Some(reply)) => {
                            if sink.send(Message::Text(reply.into())).await.is_err() { break }
                            None
                        }
                        Ok(None) => None,
                        Err(close) => Some(close),
                    },
                },
            };
            if let Some((code, reason)) = outcome {
                close(&mut sink, code, &reason).await;
                break;
            }
        }
        for (_, (_, task)) in self.subs.drain() {
            task.abort();
        }
    }

    /// Accepts the `connection_init`: the socket closes when its credential ends (`exp`, Unix seconds).
    fn ack_until(&mut self, exp: i64) -> String {
        let left = (exp - chrono::Utc::now().timestamp()).max(0) as u64;
        self.expires = Some(tokio::time::Instant::now() + Duration::from_secs(left));
        self.acked = true;
        json!({ "type": "connection_ack" }).to_string()
    }

    /// Handles one text message; Ok(a reply to send), or Err(the close code and reason).
    async fn on_message(&mut self, text: &str, tx: &mpsc::Sender<Out>) -> Result<Option<String>, (u16, String)> {
        let bad = |why: &str| (4400, why.to_owned());
        let msg: Value = serde_json::from_str(text).map_err(|_| bad("Invalid message received: not JSON"))?;
        let kind = msg["type"].as_str().ok_or_else(|| bad("Invalid message received: no type"))?;
        match kind {
            "connection_init" => {
                if self.acked {
                    return Err((4429, "Too many initialisation requests".into()));
                }
                let token = msg["payload"]["authorization"]
                    .as_str()
                    .or_else(|| msg["payload"]["Authorization"].as_str())
                    .map(|a| a.strip_prefix("Bearer ").unwrap_or(a))
                    .or_else(|| msg["payload"]["token"].as_str());
                let Some(token) = token else {
                    // The console: its session cookie came with the upgrade (same host only, `http.rs`).
                    if let AuthState::Console { expires_at, .. } = self.cx.auth {
                        return Ok(Some(self.ack_until(expires_at)));
                    }
                    return Err((4403, "Forbidden: connection_init needs an access token".into()));
                };
                match self.s.app.jwt.verify(token.trim()) {
                    Ok(c) => {
                        self.cx.auth = AuthState::User { id: c.sub, sid: c.sid };
                        Ok(Some(self.ack_until(c.exp)))
                    }
                    Err(_) => Err((4403, "Forbidden: the access token is invalid or expired".into())),
                }
            }
            "ping" => {
                let mut pong = json!({ "type": "pong" });
                if msg.get("payload").is_some_and(|p| !p.is_null()) {
                    pong["payload"] = msg["payload"].clone();
                }
                Ok(Some(pong.to_string()))
            }
            "pong" => Ok(None),
            "subscribe" => {
                let id = msg["id"].as_str().filter(|i| !i.is_empty()).ok_or_else(|| bad("Invalid message received: subscribe without id"))?;
                let payload = msg.get("payload").filter(|p| p.is_object()).ok_or_else(|| bad("Invalid message received: subscribe without payload"))?;
                if !self.acked {
                    return Err((4401, "Unauthorized".into()));
                }
                if self.subs.contains_key(id) {
                    return Err((4409, format!("Subscriber for {id} already exists")));
                }
                let req: async_graphql::Request =
                    serde_json::from_value(payload.clone()).map_err(|_| bad("Invalid message received: the payload is not a GraphQL request"))?;
                Ok(self.subscribe(id.to_owned(), req, tx).await)
            }
            "complete" => {
                let id = msg["id"].as_str().ok_or_else(|| bad("Invalid message received: complete without id"))?;
                if let Some((_, task)) = self.subs.remove(id) {
                    task.abort();
                }
                Ok(None)
            }
            other => Err(bad(&format!("Invalid message received: unknown type {other}"))),
        }
    }

    /// Starts a subscription (or answers its error at once).
    async fn subscribe(&mut self, id: String, mut req: async_graphql::Request, tx: &mpsc::Sender<Out>) -> Option<String> {
        let s = self.s.clone();
        let cx = self.cx.clone();
        let error = |e: AppError| Some(json!({ "type": "error", "id": id, "payload": super::refusal_response(e, &cx).errors }).to_string());
        if self.subs.len() >= s.app.config.ws.max_subscriptions {
            return error(too_many(s.app.config.ws.max_subscriptions));
        }
        if let Err(e) = super::shaped(&s, &mut req) {
            return error(e);
        }
        if let Err(e) = cx.allow(&s, crate::service::ratelimit::Class::Read).await {
            return error(e);
        }
        let user = cx.auth.user().expect("acked sockets have a user");
        let Some(slot) = s.app.live.admit(user, s.app.config.ws.max_per_user) else {
            return error(too_many(s.app.config.ws.max_per_user));
        };
        self.generation += 1;
        let generation = self.generation;
        let tx = tx.clone();
        let sub_id = id.clone();
        let req = super::with_context(req, &s, &cx);
        let task = tokio::spawn(async move {
            let _slot = slot;
            let mut stream = s.schema.execute_stream(req);
            let mut first = true;
            while let Some(mut resp) = stream.next().await {
                render_errors(&mut resp, &cx);
                let msg = if first && resp.data == async_graphql::Value::Null && !resp.errors.is_empty() {
                    // Refused before it started (validation, NOT_FOUND, FORBIDDEN): `error`, and no `complete`.
                    let m = json!({ "type": "error", "id": sub_id, "payload": resp.errors }).to_string();
                    let _ = tx.send(Out::Text(m)).await;
                    let _ = tx.send(Out::Done(sub_id, generation)).await;
                    return;
                } else {
                    json!({ "type": "next", "id": sub_id, "payload": resp }).to_string()
                };
                first = false;
                if tx.send(Out::Text(msg)).await.is_err() {
                    return;
                }
            }
            let _ = tx.send(Out::Text(json!({ "type": "complete", "id": sub_id }).to_string())).await;
            let _ = tx.send(Out::Done(sub_id, generation)).await;
        });
        self.subs.insert(id, (generation, task.abort_handle()));
        None
    }
}

fn too_many(max: usize) -> AppError {
    AppError::Limit(crate::error::Limit::Subscriptions { max })
}

async fn close(sink: &mut futures::stream::SplitSink<WebSocket, Message>, code: u16, reason: &str) {
    let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: reason.to_owned().into() }))).await;
    let _ = sink.close().await;
}
