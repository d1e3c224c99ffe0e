//! Live updates over `/graphql/ws` (graphql-transport-ws): the protocol's close codes, pushes that show what the
//! query shows, reconnecting with `after`, refusals, limits.
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use crate::common::TestApp;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect_with(app: &TestApp, protocol: Option<&str>) -> Ws {
    let url = format!("{}/graphql/ws", app.base.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    if let Some(p) = protocol {
        req.headers_mut().insert("sec-websocket-protocol", p.parse().unwrap());
    }
    tokio_tungstenite::connect_async(req).await.expect("websocket").0
}

async fn connect(app: &TestApp) -> Ws {
    connect_with(app, Some("graphql-transport-ws")).await
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// The next protocol message (pings answered and skipped); panics after 10 s.
async fn recv(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("a message within 10 s").expect("open").unwrap();
        if let Message::Text(t) = m {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == "ping" {
                send(ws, json!({ "type": "pong" })).await;
                continue;
            }
            return v;
        }
    }
}

/// Whether nothing arrives for `ms` (pings aside).
async fn quiet(ws: &mut Ws, ms: u64) -> bool {
    tokio::time::timeout(Duration::from_millis(ms), recv(ws)).await.is_err()
}

/// The close code and reason the server sent.
async fn closed(ws: &mut Ws) -> (u16, String) {
    loop {
        match tokio::time::timeout(Duration::from_secs(15), ws.next()).await.expect("closed within 15 s") {
            Some(Ok(Message::Close(Some(f)))) => return (u16::from(f.code), f.reason.to_string()),
            Some(Ok(Message::Close(None))) | None => return (1005, String::new()),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("socket error before a close frame: {e}"),
        }
    }
}

async fn init(ws: &mut Ws, token: &str) {
    send(ws, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    assert_eq!(recv(ws).await["type"], "connection_ack");
}

async fn subscribe(ws: &mut Ws, id: &str, query: &str, variables: Value) {
    send(ws, json!({ "type": "subscribe", "id": id, "payload": { "query": query, "variables": variables } })).await;
}

const REPORT_FIELDS: &str = "id status reporter { name phone } supportCount";

#[tokio::test]
async fn every_close_code_of_the_protocol() {
    let app = TestApp::demo_with(&[("LINLI_WS_INIT_TIMEOUT_MS", "300")]).await;
    let t = app.login("resident").await;

    let mut ws = connect_with(&app, None).await;
    assert_eq!(closed(&mut ws).await.0, 4406, "the subprotocol was not offered");

    let mut ws = connect(&app).await;
    send(&mut ws, json!("not a message")).await;
    assert_eq!(closed(&mut ws).await.0, 4400);
    let mut ws = connect(&app).await;
    ws.send(Message::Text("{ not json".into())).await.unwrap();
    assert_eq!(closed(&mut ws).await.0, 4400);

    let mut ws = connect(&app).await;
    subscribe(&mut ws, "1", "subscription { myReportsChanged { cursor } }", json!({})).await;
    assert_eq!(closed(&mut ws).await.0, 4401, "subscribe before the ack");

    let mut ws = connect(&app).await;
    send(&mut ws, json!({ "type": "connection_init", "payload": { "authorization": "Bearer forged.token.here" } })).await;
    assert_eq!(closed(&mut ws).await.0, 4403);
    let mut ws = connect(&app).await;
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(closed(&mut ws).await.0, 4403, "no token");

    let mut ws = connect(&app).await;
    let (code, reason) = closed(&mut ws).await;
    assert_eq!((code, reason.as_str()), (4408, "Connection initialisation timeout"));

    let mut ws = connect(&app).await;
    init(&mut ws, &t).await;
    send(&mut ws, json!({ "type": "connection_init", "payload": { "token": t } })).await;
    assert_eq!(closed(&mut ws).await.0, 4429);

    let mut ws = connect(&app).await;
    init(&mut ws, &t).await;
    send(&mut ws, json!({ "type": "ping", "payload": { "n": 1 } })).await;
    assert_eq!(recv(&mut ws).await, json!({ "type": "pong", "payload": { "n": 1 } }));
    subscribe(&mut ws, "a", "subscription { myReportsChanged { cursor } }", json!({})).await;
    subscribe(&mut ws, "a", "subscription { myReportsChanged { cursor } }", json!({})).await;
    let (code, reason) = closed(&mut ws).await;
    assert_eq!((code, reason.as_str()), (4409, "Subscriber for a already exists"));
}

#[tokio::test]
async fn a_head_sees_a_new_report_arrive_as_the_inbox_shows_it() {
    let app = TestApp::demo().await;
    let head = app.login("head").await;
    let resident = app.login("resident").await;
    let mut ws = connect(&app).await;
    init(&mut ws, &head).await;
    subscribe(&mut ws, "inbox", &format!("subscription {{ taskInboxChanged {{ cursor kind inList report {{ {REPORT_FIELDS} }} }} }}"), json!({})).await;
    assert!(quiet(&mut ws, 300).await, "nothing before a change");

    let id = app.submit_drain_report(&resident, "井盖松动，晚上很危险").await;
    let m = recv(&mut ws).await;
    assert_eq!((m["type"].as_str(), m["id"].as_str()), (Some("next"), Some("inbox")), "{m}");
    let change = &m["payload"]["data"]["taskInboxChanged"];
    assert_eq!(change["kind"], "REPORT_SUBMITTED");
    assert_eq!(change["inList"], true);
    // The push is what the query shows the head, field for field.
    let q = app.gql(Some(&head), &format!("query($id: ID!) {{ node(id: $id) {{ ... on Report {{ {REPORT_FIELDS} }} }} }}"), json!({ "id": id })).await;
    assert_eq!(change["report"], q.ok()["node"]);

    // The head acknowledges and dispatches: each change arrives, in order, and one that takes the report out of the
    // inbox says so.
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id) { id } }", json!({ "id": id })).await.ok();
    let ack = recv(&mut ws).await;
    let ack = &ack["payload"]["data"]["taskInboxChanged"];
    assert_eq!((ack["report"]["status"].as_str(), ack["inList"].as_bool()), (Some("ACKNOWLEDGED"), Some(true)));
    assert!(ack["cursor"].as_str().unwrap().parse::<i64>().unwrap() > change["cursor"].as_str().unwrap().parse::<i64>().unwrap());
}

/// A filtered inbox hears of a report that stops passing its filter (a neighbour said "me too") with `inList:
/// false`, so the console takes it out; a search too long is refused before the subscription starts.
#[tokio::test]
async fn a_filtered_inbox_hears_when_a_report_leaves_its_filter() {
    let app = TestApp::demo().await;
    let head = app.login("head").await;
    let resident = app.login("resident").await;
    let neighbour = app.login("neighbour").await;
    let mut ws = connect(&app).await;
    init(&mut ws, &head).await;
    subscribe(&mut ws, "s", "subscription { taskInboxChanged(supported: false, search: \"井盖\") { inList report { id supportCount } } }", json!({})).await;
    let id = app.submit_drain_report(&resident, "井盖松动，晚上很危险").await;
    let m = recv(&mut ws).await;
    assert_eq!(m["payload"]["data"]["taskInboxChanged"]["inList"], true, "{m}");
    app.gql(Some(&neighbour), "mutation($id: ID!) { supportReport(id: $id) { id } }", json!({ "id": id })).await.ok();
    let m = recv(&mut ws).await;
    let c = &m["payload"]["data"]["taskInboxChanged"];
    assert_eq!((c["report"]["id"].as_str(), c["report"]["supportCount"].as_i64(), c["inList"].as_bool()), (Some(id.as_str()), Some(1), Some(false)), "{m}");

    let long = "井".repeat(51);
    subscribe(&mut ws, "long", "subscription($s: String) { taskInboxChanged(search: $s) { inList } }", json!({ "s": long })).await;
    let m = recv(&mut ws).await;
    assert_eq!((m["type"].as_str(), m["payload"][0]["extensions"]["code"].as_str()), (Some("error"), Some("BAD_USER_INPUT")), "{m}");
}

#[tokio::test]
async fn pushes_mask_what_the_view_masks_and_refuse_what_the_query_refuses() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    let neighbour = app.login("neighbour").await;
    let staff = app.login("staff").await;
    let id = app.submit_drain_report(&resident, "楼道灯不亮").await;

    // Whoever may not see the report is refused at the start, as `node` refuses them.
    let mut ws = connect(&app).await;
    init(&mut ws, &staff).await;
    subscribe(&mut ws, "r", "subscription($id: ID!) { reportUpdated(id: $id) { cursor } }", json!({ "id": id })).await;
    let node = app.gql(Some(&staff), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(node.code(), "NOT_FOUND", "a report not yet dispatched is not the company's");
    let m = recv(&mut ws).await;
    assert_eq!((m["type"].as_str(), m["id"].as_str(), m["payload"][0]["extensions"]["code"].as_str()), (Some("error"), Some("r"), Some("NOT_FOUND")));

    // A resident without an inbox is refused the inbox; one who is not property staff the queue.
    let mut ws2 = connect(&app).await;
    init(&mut ws2, &neighbour).await;
    subscribe(&mut ws2, "i", "subscription { taskInboxChanged { cursor } }", json!({})).await;
    let m = recv(&mut ws2).await;
    assert_eq!((m["type"].as_str(), m["payload"][0]["extensions"]["code"].as_str()), (Some("error"), Some("FORBIDDEN")));
    subscribe(&mut ws2, "q", "subscription { ticketQueueChanged { cursor } }", json!({})).await;
    let m = recv(&mut ws2).await;
    assert_eq!(m["payload"][0]["extensions"]["reason"], "NOT_PROPERTY_STAFF");

    // The neighbour who may see the report sees in pushes exactly what the query shows them (the reporter masked).
    let seen = app.gql(Some(&neighbour), &format!("query($id: ID!) {{ node(id: $id) {{ ... on Report {{ {REPORT_FIELDS} }} }} }}"), json!({ "id": id })).await;
    if seen.errors.is_empty() {
        subscribe(&mut ws2, "r", &format!("subscription($id: ID!) {{ reportUpdated(id: $id) {{ report {{ {REPORT_FIELDS} }} }} }}"), json!({ "id": id })).await;
        // (The submission itself may still arrive: it was numbered in the log a moment after its answer.)
        app.gql(Some(&neighbour), "mutation($id: ID!) { supportReport(id: $id) { id } }", json!({ "id": id })).await.ok();
        let mut m = recv(&mut ws2).await;
        if m["payload"]["data"]["reportUpdated"]["report"]["supportCount"] == 0 {
            m = recv(&mut ws2).await;
        }
        let pushed = &m["payload"]["data"]["reportUpdated"]["report"];
        let now = app.gql(Some(&neighbour), &format!("query($id: ID!) {{ node(id: $id) {{ ... on Report {{ {REPORT_FIELDS} }} }} }}"), json!({ "id": id })).await;
        assert_eq!(pushed, &now.ok()["node"]);
        assert_eq!(pushed["supportCount"], 1);
        // The demo reporter is 陈阿姨: a neighbour sees her masked and never her phone, in pushes as in reads.
        assert_ne!(pushed["reporter"]["name"], "陈阿姨");
        assert!(pushed["reporter"]["phone"].is_null());
    }
}

#[tokio::test]
async fn reconnecting_with_after_gets_what_was_missed_in_order_and_nothing_twice() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    let head = app.login("head").await;
    let q = "subscription($after: String) { myReportsChanged(after: $after) { cursor kind report { id status } } }";

    let mut ws = connect(&app).await;
    init(&mut ws, &resident).await;
    subscribe(&mut ws, "mine", q, json!({})).await;
    let id = app.submit_drain_report(&resident, "下水道堵了").await;
    let first = recv(&mut ws).await;
    let cursor = first["payload"]["data"]["myReportsChanged"]["cursor"].as_str().unwrap().to_owned();
    drop(ws);

    // While the resident is away: acknowledged, then urged.
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id) { id } }", json!({ "id": id })).await.ok();
    app.gql(Some(&head), "mutation($id: ID!) { urgeReport(id: $id) { id } }", json!({ "id": id })).await;
    app.gql(Some(&resident), "mutation($id: ID!) { urgeReport(id: $id) { id } }", json!({ "id": id })).await;

    let mut ws = connect(&app).await;
    init(&mut ws, &resident).await;
    subscribe(&mut ws, "mine", q, json!({ "after": cursor })).await;
    let mut cursors = vec![cursor.parse::<i64>().unwrap()];
    let mut kinds = Vec::new();
    loop {
        let next = tokio::time::timeout(Duration::from_millis(1500), recv(&mut ws)).await;
        let Ok(m) = next else { break };
        let c = &m["payload"]["data"]["myReportsChanged"];
        cursors.push(c["cursor"].as_str().unwrap().parse().unwrap());
        kinds.push(c["kind"].as_str().unwrap().to_owned());
    }
    assert!(!kinds.is_empty(), "the missed changes arrive");
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "in order, each once: {cursors:?}");
    assert_eq!(kinds[0], "REPORT_ACTED");
}

#[tokio::test]
async fn an_expired_token_closes_the_socket_and_limits_hold() {
    let app = TestApp::demo_with(&[("LINLI_ACCESS_TOKEN_TTL_SECS", "2"), ("LINLI_WS_MAX_SUBSCRIPTIONS", "2")]).await;
    let t = app.login("resident").await;
    let mut ws = connect(&app).await;
    init(&mut ws, &t).await;
    for id in ["1", "2", "3"] {
        subscribe(&mut ws, id, "subscription { notificationAdded { cursor } }", json!({})).await;
    }
    let m = recv(&mut ws).await;
    assert_eq!((m["id"].as_str(), m["payload"][0]["extensions"]["code"].as_str()), (Some("3"), Some("TOO_MANY_SUBSCRIPTIONS")));
    let (code, _) = closed(&mut ws).await;
    assert_eq!(code, 4403, "closed when the access token ran out");
}
