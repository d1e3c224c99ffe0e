//! The console's sessions (issue 17): the dev login, scan-to-login with the mini-program (the fake's
//! getwxacodeunlimit answering an image, or JSON on error), the cookie's attributes and the checks that keep other
//! sites from using it, `mySessions` and revocation, the websocket with the cookie, and the pages' caching and CSP.
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use crate::common::TestApp;

const PROD: [(&str, &str); 2] = [("LINLI_MODE", "production"), ("LINLI_JWT_SECRET", "a-real-production-secret-of-enough-length")];

/// The `name=value` of a Set-Cookie header named `name`, and the whole header.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<(String, String)> {
    resp.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|h| {
        let first = h.split(';').next()?.trim();
        first.starts_with(&format!("{name}=")).then(|| (first.to_owned(), h.to_owned()))
    })
}

async fn post(app: &TestApp, path: &str, body: Value, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.http.post(format!("{}{path}", app.base)).json(&body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.http.get(format!("{}{path}", app.base));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

/// Logs in from the console's picker and returns the cookie (`linli_console=…`).
async fn console_login(app: &TestApp, code: &str) -> String {
    let r = post(app, "/console/api/dev-login", json!({ "code": code }), &[("x-linli-console", "1")]).await;
    assert_eq!(r.status(), 200);
    set_cookie(&r, "linli_console").expect("a session cookie").0
}

async fn me_with_cookie(app: &TestApp, cookie: &str, extra: &[(&str, &str)]) -> crate::common::Gql {
    let mut headers = vec![("cookie", cookie), ("x-linli-console", "1")];
    headers.extend_from_slice(extra);
    app.gql_with(None, "{ me { nickname } }", json!({}), &headers).await
}

#[tokio::test]
async fn the_dev_login_gives_an_httponly_strict_cookie_that_only_the_consoles_own_requests_can_use() {
    let app = TestApp::demo().await;
    let cfg: Value = get(&app, "/console/api/config", &[]).await.json().await.unwrap();
    assert_eq!(cfg["mode"], "dev");
    assert!(cfg["devLogins"].as_array().unwrap().iter().any(|l| l["code"] == "dev:staff"));

    // Without the console's header (what a form on another site would send) the login is refused.
    let r = post(&app, "/console/api/dev-login", json!({ "code": "dev:staff" }), &[]).await;
    assert_eq!(r.status(), 403);
    assert!(set_cookie(&r, "linli_console").is_none());
    // From a page of another site, also refused.
    let r = post(&app, "/console/api/dev-login", json!({ "code": "dev:staff" }), &[("x-linli-console", "1"), ("origin", "https://evil.example")]).await;
    assert_eq!(r.status(), 403);

    let r = post(&app, "/console/api/dev-login", json!({ "code": "dev:staff" }), &[("x-linli-console", "1")]).await;
    assert_eq!(r.status(), 200);
    let (cookie, header) = set_cookie(&r, "linli_console").unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(header.contains(attr), "{attr} in {header}");
    }
    assert!(!header.contains("Secure"), "plain http in dev mode: {header}");

    assert_eq!(me_with_cookie(&app, &cookie, &[]).await.ok()["me"]["nickname"], "幸福物业小刘");
    // A POST with the cookie but without the header is as if anonymous (a cross-site form cannot set it).
    let r = app.gql_with(None, "{ me { nickname } }", json!({}), &[("cookie", &cookie)]).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    // From a page of another origin (a script there with the header would need a CORS preflight we never grant).
    let r = me_with_cookie(&app, &cookie, &[("origin", "https://evil.example")]).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    // The same host's own origin is fine.
    let host = app.base.trim_start_matches("http://").to_owned();
    let origin = format!("http://{host}");
    assert!(me_with_cookie(&app, &cookie, &[("origin", &origin)]).await.errors.is_empty());
    // A GET (a query: GET never mutates) with the cookie works without the header, e.g. an export link.
    let r = get(&app, "/graphql?query=%7Bme%7Bnickname%7D%7D", &[("cookie", &cookie)]).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["data"]["me"]["nickname"], "幸福物业小刘");
    // A made-up cookie is UNAUTHENTICATED.
    let r = me_with_cookie(&app, "linli_console=forged", &[]).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    // Only its hash is stored.
    let token = cookie.trim_start_matches("linli_console=");
    let stored: Vec<String> = {
        use sea_orm::EntityTrait;
        entity::console_session::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|s| s.token_hash).collect()
    };
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_at_once_and_nobody_revokes_anothers() {
    let app = TestApp::demo().await;
    let first = console_login(&app, "dev:staff").await;
    let second = console_login(&app, "dev:staff").await;
    const LIST: &str = "{ mySessions(first: 10) { nodes { id via active current userAgent } } }";
    let r = app.gql_with(None, LIST, json!({}), &[("cookie", &second), ("x-linli-console", "1")]).await;
    let nodes = r.ok()["mySessions"]["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[0]["current"], true, "newest first, and this request's own: {nodes:?}");
    assert_eq!(nodes[1]["current"], false);
    assert!(nodes.iter().all(|n| n["via"] == "DEV" && n["active"] == true));
    let first_id = nodes[1]["id"].as_str().unwrap().to_owned();

    // Another user, from the mini-program or the console, cannot revoke it: NOT_FOUND, nothing changes.
    const REVOKE: &str = "mutation($id: ID!) { revokeSession(id: $id) { id active revokedAt } }";
    let other = app.login("head").await;
    let r = app.gql(Some(&other), REVOKE, json!({ "id": first_id })).await;
    assert_eq!(r.code(), "NOT_FOUND");
    assert!(me_with_cookie(&app, &first, &[]).await.errors.is_empty());

    // The owner revokes the first from the second: its very next request is refused.
    let r = app.gql_with(None, REVOKE, json!({ "id": first_id }), &[("cookie", &second), ("x-linli-console", "1")]).await;
    assert_eq!(r.ok()["revokeSession"]["active"], false);
    assert_eq!(me_with_cookie(&app, &first, &[]).await.code(), "UNAUTHENTICATED");
    assert!(me_with_cookie(&app, &second, &[]).await.errors.is_empty());

    // Logging out ends the second and clears the cookie.
    let r = post(&app, "/console/api/logout", json!({}), &[("cookie", &second), ("x-linli-console", "1")]).await;
    assert_eq!(r.status(), 200);
    assert!(set_cookie(&r, "linli_console").unwrap().1.contains("Max-Age=0"));
    assert_eq!(me_with_cookie(&app, &second, &[]).await.code(), "UNAUTHENTICATED");

    // The mini-program's own token is untouched by all this, and sees the same list.
    let staff = app.login("staff").await;
    let r = app.gql(Some(&staff), LIST, json!({})).await;
    assert_eq!(r.ok()["mySessions"]["nodes"].as_array().unwrap().len(), 2);
    assert!(r.ok()["mySessions"]["nodes"].as_array().unwrap().iter().all(|n| n["active"] == false && n["current"] == false));
}

#[tokio::test]
async fn a_session_expires_by_itself() {
    let app = TestApp::demo_with(&[("LINLI_CONSOLE_SESSION_SECS", "3600")]).await;
    let cookie = console_login(&app, "dev:staff").await;
    assert!(me_with_cookie(&app, &cookie, &[]).await.errors.is_empty());
    app.state.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(me_with_cookie(&app, &cookie, &[]).await.code(), "UNAUTHENTICATED");
}

/// Ended sessions stay listed for a month, then go; scan attempts go a day after they expired; a session in force
/// and an attempt still on a screen are never touched.
#[tokio::test]
async fn ended_sessions_and_old_scan_codes_are_forgotten() {
    let app = TestApp::demo_with(&[("LINLI_CONSOLE_SESSION_SECS", "3600"), ("LINLI_JOBS", "off")]).await;
    let old = console_login(&app, "dev:staff").await;
    begin_scan(&app).await;
    assert_eq!(api::service::console::forget_ended(&app.state).await.unwrap(), 0, "nothing has ended yet");
    app.state.clock.advance(chrono::Duration::days(2));
    let fresh = console_login(&app, "dev:staff").await;
    begin_scan(&app).await;
    assert_eq!(api::service::console::forget_ended(&app.state).await.unwrap(), 1, "the first scan code, a day past its expiry");
    let listed = me_with_cookie(&app, &fresh, &[]).await;
    assert!(listed.errors.is_empty());
    let r = app.gql_with(None, "{ mySessions(first: 10) { nodes { id current } } }", json!({}), &[("cookie", &fresh), ("x-linli-console", "1")]).await;
    assert_eq!(r.ok()["mySessions"]["nodes"].as_array().unwrap().len(), 2, "the ended session is still listed");
    app.state.clock.advance(chrono::Duration::days(31));
    let newest = console_login(&app, "dev:staff").await;
    assert_eq!(api::service::console::forget_ended(&app.state).await.unwrap(), 3, "both ended sessions and the second code");
    assert_eq!(app.count("console_session").await, 1);
    assert_eq!(app.count("console_login").await, 0);
    assert!(me_with_cookie(&app, &newest, &[]).await.errors.is_empty(), "the session in force works");
    assert_eq!(me_with_cookie(&app, &old, &[]).await.code(), "UNAUTHENTICATED");
}

/// A login page's scan attempt: its JSON and its secret cookie.
async fn begin_scan(app: &TestApp) -> (Value, String) {
    let r = post(app, "/console/api/scan", json!({}), &[("x-linli-console", "1")]).await;
    assert_eq!(r.status(), 200);
    let (secret, header) = set_cookie(&r, "linli_console_scan").expect("the page's secret");
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Strict") && header.contains("Path=/console/api/scan"), "{header}");
    (r.json().await.unwrap(), secret)
}

const APPROVE: &str = "mutation($s: String!) { approveConsoleLogin(scene: $s) }";

#[tokio::test]
async fn scan_to_login_the_page_gets_one_session_once_its_code_is_approved_in_the_mini_program() {
    let app = TestApp::demo_with(&PROD).await;
    // Production: no dev logins offered, none accepted.
    let cfg: Value = get(&app, "/console/api/config", &[]).await.json().await.unwrap();
    assert_eq!(cfg["mode"], "production");
    assert_eq!(cfg["devLogins"], json!([]));
    let r = post(&app, "/console/api/dev-login", json!({ "code": "dev:staff" }), &[("x-linli-console", "1")]).await;
    assert_eq!(r.status(), 403);

    let (scan, secret) = begin_scan(&app).await;
    let scene = scan["scene"].as_str().unwrap().to_owned();
    assert!(scene.len() <= 32 && scene.chars().all(|c| c.is_ascii_alphanumeric()), "{scene}");
    // The code is WeChat's image, drawn for the login page of the released mini-program.
    let r = get(&app, scan["imageUrl"].as_str().unwrap(), &[("cookie", &secret)]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r.bytes().await.unwrap().starts_with(b"\x89PNG"));
    assert_eq!(app.wechat.wxacodes(), vec![(scene.clone(), "pages/console-login/index".to_owned(), "release".to_owned())]);
    // Without the page's secret, neither the image nor the poll.
    assert_eq!(get(&app, scan["imageUrl"].as_str().unwrap(), &[]).await.status(), 404);
    let poll_path = format!("/console/api/scan/{scene}");
    assert_eq!(get(&app, &poll_path, &[]).await.status(), 404);
    assert_eq!(get(&app, &poll_path, &[("cookie", "linli_console_scan=guess")]).await.status(), 404);

    let poll = |cookie: String| {
        let app = &app;
        let path = poll_path.clone();
        async move { get(app, &path, &[("cookie", &cookie)]).await }
    };
    let r: Value = poll(secret.clone()).await.json().await.unwrap();
    assert_eq!(r["status"], "PENDING");

    // A resident has no console; an unknown scene is NOT_FOUND.
    let resident = app.gql(None, "mutation($c: String!) { loginWithWechat(code: $c) { accessToken } }", json!({ "c": app.wechat.code_for("oResident") })).await;
    let resident = resident.ok()["loginWithWechat"]["accessToken"].as_str().unwrap().to_owned();
    let r = app.gql(Some(&resident), APPROVE, json!({ "s": scene })).await;
    assert_eq!((r.code(), r.errors[0]["extensions"]["reason"].as_str()), ("FORBIDDEN", Some("NO_CONSOLE_ROLE")));
    let staff = staff_token(&app).await;
    let r = app.gql(Some(&staff), APPROVE, json!({ "s": "NoSuchScene123" })).await;
    assert_eq!(r.code(), "NOT_FOUND");
    let r: Value = poll(secret.clone()).await.json().await.unwrap();
    assert_eq!(r["status"], "PENDING");

    // The staff member approves from the mini-program; approving twice is a CONFLICT.
    assert_eq!(app.gql(Some(&staff), APPROVE, json!({ "s": scene })).await.ok()["approveConsoleLogin"], true);
    assert_eq!(app.gql(Some(&staff), APPROVE, json!({ "s": scene })).await.code(), "CONFLICT");

    // Two polls at once (two tabs, two replicas): one session, handed to one of them.
    let (a, b) = tokio::join!(poll(secret.clone()), poll(secret.clone()));
    let mut sessions = Vec::new();
    let mut statuses = Vec::new();
    for r in [a, b] {
        let cookie = set_cookie(&r, "linli_console");
        let body: Value = r.json().await.unwrap();
        statuses.push(body["status"].as_str().unwrap().to_owned());
        if let Some((c, header)) = cookie {
            assert!(header.contains("Secure"), "production cookies are Secure: {header}");
            sessions.push(c);
        }
    }
    statuses.sort();
    assert_eq!(statuses, ["APPROVED", "EXPIRED"]);
    assert_eq!(sessions.len(), 1);
    assert_eq!(me_with_cookie(&app, &sessions[0], &[]).await.ok()["me"]["nickname"], "微信用户");
    let r = app.gql_with(None, "{ mySessions { nodes { via current } } }", json!({}), &[("cookie", &sessions[0]), ("x-linli-console", "1")]).await;
    assert_eq!(r.ok()["mySessions"]["nodes"], json!([{ "via": "SCAN", "current": true }]));
    let r: Value = poll(secret.clone()).await.json().await.unwrap();
    assert_eq!(r["status"], "EXPIRED", "collected once");

    // A console session cannot approve another login (the phone must be in hand).
    let (scan2, _) = begin_scan(&app).await;
    let r = app.gql_with(None, APPROVE, json!({ "s": scan2["scene"] }), &[("cookie", &sessions[0]), ("x-linli-console", "1")]).await;
    assert_eq!(r.code(), "FORBIDDEN");
}

/// The mini-program token of a production user (a real WeChat login through the fake) who is staff of 幸福物业.
async fn staff_token(app: &TestApp) -> String {
    let r = app.gql(None, "mutation($c: String!) { loginWithWechat(code: $c) { accessToken user { id } } }", json!({ "c": app.wechat.code_for("oStaff") })).await;
    let token = r.ok()["loginWithWechat"]["accessToken"].as_str().unwrap().to_owned();
    let id = r.ok()["loginWithWechat"]["user"]["id"].as_str().unwrap().to_owned();
    // Appointed directly in the database (production mode has no dev admin to do it over the API).
    use sea_orm::{ActiveModelTrait, EntityTrait, QueryFilter, ColumnTrait, Set};
    let company = entity::property_company::Entity::find()
        .filter(entity::property_company::Column::Name.eq("幸福物业"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let user = uuid::Uuid::parse_str(id.split_once('_').unwrap().1).unwrap();
    entity::appointment::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        created_at: Set(chrono::Utc::now()),
        role: Set(entity::enums::Role::PropertyStaff),
        scope_id: Set(company.id),
        starts_at: Set(chrono::Utc::now() - chrono::Duration::minutes(1)),
        ends_at: Set(None),
        user_id: Set(user),
        appointed_by: Set(None),
        revoked_by: Set(None),
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    api::service::roles::invalidate(&app.state, user).await;
    token
}

#[tokio::test]
async fn a_scan_code_expires_in_minutes_and_a_wechat_error_is_never_shown_as_an_image() {
    let app = TestApp::demo_with(&PROD).await;
    let staff = staff_token(&app).await;

    // WeChat's per-minute limit: JSON instead of an image; the page gets UNAVAILABLE, not a broken picture.
    let (scan, secret) = begin_scan(&app).await;
    app.wechat.fail_next_on("getwxacodeunlimit", &[45009]);
    let r = get(&app, scan["imageUrl"].as_str().unwrap(), &[("cookie", &secret)]).await;
    assert_eq!(r.status(), 503);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "UNAVAILABLE");
    // Asked again, WeChat draws it.
    let r = get(&app, scan["imageUrl"].as_str().unwrap(), &[("cookie", &secret)]).await;
    assert_eq!(r.headers()["content-type"], "image/png");

    // Five minutes on, the code is dead: approving is a CONFLICT and the page is told to draw a new one.
    app.state.clock.advance(chrono::Duration::seconds(301));
    let r = app.gql(Some(&staff), APPROVE, json!({ "s": scan["scene"] })).await;
    assert_eq!(r.code(), "CONFLICT");
    let r: Value = get(&app, &format!("/console/api/scan/{}", scan["scene"].as_str().unwrap()), &[("cookie", &secret)]).await.json().await.unwrap();
    assert_eq!(r["status"], "EXPIRED");
    assert_eq!(get(&app, scan["imageUrl"].as_str().unwrap(), &[("cookie", &secret)]).await.status(), 409);
}

#[tokio::test]
async fn the_consoles_websocket_takes_the_cookie_from_its_own_host_only() {
    let app = TestApp::demo().await;
    let cookie = console_login(&app, "dev:staff").await;
    let host = app.base.trim_start_matches("http://").to_owned();
    let connect = |origin: String| {
        let url = format!("ws://{host}/graphql/ws");
        let cookie = cookie.clone();
        async move {
            let mut req = url.into_client_request().unwrap();
            req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
            req.headers_mut().insert("cookie", cookie.parse().unwrap());
            req.headers_mut().insert("origin", origin.parse().unwrap());
            let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
            ws.send(Message::Text(json!({ "type": "connection_init", "payload": { "console": true } }).to_string().into())).await.unwrap();
            match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.unwrap().unwrap().unwrap() {
                Message::Text(t) => serde_json::from_str::<Value>(t.as_str()).unwrap()["type"].as_str().unwrap().to_owned(),
                Message::Close(Some(f)) => format!("close {}", u16::from(f.code)),
                other => format!("{other:?}"),
            }
        }
    };
    assert_eq!(connect(format!("http://{host}")).await, "connection_ack");
    assert_eq!(connect("https://evil.example".into()).await, "close 4403", "cross-site websocket hijacking is refused");
}

#[tokio::test]
async fn the_console_is_served_with_immutable_assets_a_no_cache_page_and_a_strict_policy() {
    let app = TestApp::spawn().await;
    let r = app.http.get(format!("{}/console", app.base)).send().await.unwrap();
    assert_eq!(r.url().path(), "/console/", "redirected to the app's root");
    let index = get(&app, "/console/", &[]).await;
    assert_eq!(index.status(), 200, "the console is built into the binary (console/dist)");
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let csp = index.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe-inline'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let etag = index.headers()["etag"].to_str().unwrap().to_owned();
    let html = index.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.to_lowercase().contains("<script type=\"module\">"), "no inline script: {html}");

    // A page of the app (a deep link) is the same document.
    let deep = get(&app, "/console/reports/rpt_0193e0b27c1a70008000000000000000", &[]).await;
    assert_eq!(deep.status(), 200);
    assert_eq!(deep.text().await.unwrap(), html);
    // A reload costs a 304.
    assert_eq!(get(&app, "/console/", &[("if-none-match", &etag)]).await.status(), 304);

    // Every script and style the page names is a hashed asset, cached for a year, compressed on request.
    let mut assets: Vec<String> = html.split(['"', '\'']).filter(|s| s.starts_with("/console/assets/")).map(str::to_owned).collect();
    assets.dedup();
    assert!(assets.iter().any(|a| a.ends_with(".js")), "{html}");
    for a in &assets {
        let r = get(&app, a, &[("accept-encoding", "gzip")]).await;
        assert_eq!(r.status(), 200, "{a}");
        assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable", "{a}");
        assert_eq!(r.headers()["content-encoding"], "gzip", "{a}");
    }
    // A stale asset is a 404, not the page (a script tag must never get HTML).
    assert_eq!(get(&app, "/console/assets/index-00000000.js", &[]).await.status(), 404);
    // The secrets of the server are not in what it ships.
    for a in &assets {
        let body = get(&app, a, &[]).await.text().await.unwrap();
        assert!(!body.contains(api::config::DEV_JWT_SECRET) && !body.contains("test-secret"), "{a}");
    }
}
