//! Open311 GeoReport v2 (`docs/open311.md`): every endpoint in JSON and XML with the spec's fields, its error
//! format and statuses, the 90-day window, paging, and nothing private in any answer.
use serde_json::{Value, json};

use crate::common::{Demo, TestApp};

/// GETs `path`: (status, headers, body).
async fn get(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let resp = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

/// The demo district with its reports in every status (the timer job off, so that nothing moves by itself).
async fn full_demo() -> TestApp {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    assert!(linli_tools::demo::load_if_empty(&app.state).await.unwrap());
    app
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let (status, headers, body) = get(app, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"), "{path}");
    serde_json::from_str(&body).unwrap()
}

/// The spec's fields of a service request.
const REQUEST_FIELDS: [&str; 14] = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "address", "address_id",
    "zipcode", "expected_datetime",
];

#[tokio::test]
async fn discovery_services_and_definitions_in_json_and_xml() {
    let app = TestApp::demo().await;
    let d = json_of(&app, "/open311/v2/discovery.json").await;
    let ep = &d["endpoints"][0];
    assert_eq!(ep["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert!(ep["url"].as_str().unwrap().ends_with("/open311/v2"));
    assert_eq!(ep["formats"], json!(["application/json", "text/xml"]));
    let (status, headers, xml) = get(&app, "/open311/v2/discovery.xml").await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/xml"));
    assert!(xml.contains("<discovery>") && xml.contains("<endpoints><endpoint>") && xml.contains("<format>text/xml</format>"), "{xml}");

    let services = json_of(&app, "/open311/v2/services.json").await;
    let list = services.as_array().unwrap();
    let drain = list.iter().find(|s| s["service_code"] == "DRAIN").expect("the drain category is a service");
    for f in ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"] {
        assert!(!drain[f].is_null(), "services: {f}");
    }
    assert_eq!((drain["metadata"].as_bool(), drain["type"].as_str()), (Some(true), Some("realtime")));
    let (_, _, xml) = get(&app, "/open311/v2/services.xml").await;
    assert!(xml.contains("<services><service>") && xml.contains("<service_code>DRAIN</service_code>"), "{xml}");
    assert_eq!(xml.matches("<service>").count(), list.len());
    let en = app.http.get(format!("{}/open311/v2/services.json", app.base)).header("accept-language", "en").send().await.unwrap();
    let en: Value = en.json().await.unwrap();
    assert!(en.as_array().unwrap().iter().any(|s| s["service_code"] == "DRAIN" && s["service_name"].as_str().unwrap().is_ascii()));

    let def = json_of(&app, "/open311/v2/services/DRAIN.json").await;
    assert_eq!(def["service_code"], "DRAIN");
    let attrs = def["attributes"].as_array().unwrap();
    let by_code = |c: &str| attrs.iter().find(|a| a["code"] == c).unwrap().clone();
    assert_eq!((by_code("building")["datatype"].as_str(), by_code("building")["required"].as_bool()), (Some("string"), Some(true)));
    assert_eq!(by_code("unit")["datatype"], "number");
    assert_eq!(by_code("urgency")["datatype"], "singlevaluelist");
    assert_eq!(by_code("urgency")["values"][1]["key"], "URGENT");
    for a in attrs {
        for f in ["variable", "code", "datatype", "required", "datatype_description", "order", "description"] {
            assert!(!a[f].is_null(), "attribute {}: {f}", a["code"]);
        }
    }
    let (_, _, xml) = get(&app, "/open311/v2/services/DRAIN.xml").await;
    assert!(xml.contains("<service_definition>") && xml.contains("<attributes><attribute>") && xml.contains("<values><value><key>NORMAL</key>"), "{xml}");

    // Errors in the spec's form, JSON and XML.
    let (status, _, body) = get(&app, "/open311/v2/services/NOPE.json").await;
    assert_eq!(status, 404);
    let e: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e[0]["code"], 404);
    assert!(!e[0]["description"].as_str().unwrap().is_empty());
    let (status, _, body) = get(&app, "/open311/v2/services/NOPE.xml").await;
    assert_eq!(status, 404);
    assert!(body.contains("<errors><error><code>404</code><description>"), "{body}");
    let (status, _, _) = get(&app, "/open311/v2/services.yaml").await;
    assert_eq!(status, 404);
    let (status, _, body) = get(&app, "/open311/v2/services.json?jurisdiction_id=dst_nope").await;
    assert_eq!(status, 404, "{body}");
    let ids = Demo::ids(&app).await;
    let (status, _, _) = get(&app, &format!("/open311/v2/services.json?jurisdiction_id={}", ids.district)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn requests_show_the_spec_fields_and_only_what_passed_moderation() {
    let app = full_demo().await;
    let resident = app.login("resident").await;
    let head = app.login("head").await;
    let id = app.submit_drain_report(&resident, "2单元门口下水道堵了，污水漫到路上").await;
    let hidden = app.submit_drain_report(&resident, "REVIEW 楼下有人乱扔垃圾").await;
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id, note: \"ok\") { id } }", json!({ "id": id })).await.ok();

    let list = json_of(&app, "/open311/v2/requests.json").await;
    let list = list.as_array().unwrap();
    let mine = list.iter().find(|r| r["service_request_id"] == id.as_str()).expect("the new report is listed");
    for f in REQUEST_FIELDS {
        assert!(mine.get(f).is_some(), "requests: {f} in {mine}");
    }
    assert_eq!((mine["status"].as_str(), mine["service_code"].as_str()), (Some("open"), Some("DRAIN")));
    assert!(mine["requested_datetime"].as_str().unwrap().ends_with("+08:00"));
    assert!(mine.get("lat").is_none() && mine.get("long").is_none(), "no coordinates unless the report has them");
    assert!(!mine["address"].as_str().unwrap().is_empty());
    assert!(!list.iter().any(|r| r["service_request_id"] == hidden.as_str()), "a text under review is not public");
    assert!(list.iter().all(|r| ["open", "closed"].contains(&r["status"].as_str().unwrap())));
    // The demo has closed reports too, and status filters them.
    let closed = json_of(&app, "/open311/v2/requests.json?status=closed").await;
    assert!(!closed.as_array().unwrap().is_empty() && closed.as_array().unwrap().iter().all(|r| r["status"] == "closed"));
    assert!(closed.as_array().unwrap().iter().all(|r| r.get("expected_datetime").is_none()), "a closed report expects nothing");
    let open = json_of(&app, "/open311/v2/requests.json?status=open&service_code=DRAIN").await;
    assert!(open.as_array().unwrap().iter().all(|r| r["status"] == "open" && r["service_code"] == "DRAIN"));

    // One request, as a list of one; ids listed; the hidden one and a malformed one are not found.
    let one = json_of(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0], *mine);
    let (_, _, xml) = get(&app, &format!("/open311/v2/requests/{id}.xml")).await;
    assert!(xml.contains("<service_requests><request>") && xml.contains(&format!("<service_request_id>{id}</service_request_id>")), "{xml}");
    for bad in [hidden.as_str(), "rpt_nope", "nope"] {
        let (status, _, body) = get(&app, &format!("/open311/v2/requests/{bad}.json")).await;
        assert_eq!(status, 404, "{bad}: {body}");
    }
    let two = json_of(&app, &format!("/open311/v2/requests.json?service_request_id={id},{hidden}")).await;
    assert_eq!(two.as_array().unwrap().len(), 1);

    // Bad filters: 400 with the spec's error.
    for q in ["status=pending", "start_date=yesterday", "service_code=NOPE", "page_size=0", "service_request_id=nope", "page_token=xyz"] {
        let (status, _, body) = get(&app, &format!("/open311/v2/requests.json?{q}")).await;
        assert_eq!(status, 400, "{q}: {body}");
        let e: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(e[0]["code"], 400, "{q}");
    }
}

#[tokio::test]
async fn the_window_is_at_most_ninety_days_and_pages_follow_their_links() {
    let app = TestApp::demo().await;
    let resident = app.login("resident").await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(app.submit_drain_report(&resident, &format!("第{i}个：化粪池盖板松动")).await);
    }
    let (status, _, body) = get(&app, "/open311/v2/requests.json?start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-04-02T00:00:00%2B08:00").await;
    assert_eq!(status, 400, "91 days: {body}");
    let (status, _, body) = get(&app, "/open311/v2/requests.json?start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-03-31T00:00:00%2B08:00").await;
    assert_eq!(status, 200, "89 days: {body}");
    let (status, _, _) = get(&app, "/open311/v2/requests.json?start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z").await;
    assert_eq!(status, 400, "start after end");

    // Paging: two at a time, following Link, every request once, newest first.
    let all = json_of(&app, "/open311/v2/requests.json?page_size=1000").await;
    let all: Vec<String> = all.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap().to_owned()).collect();
    assert!(made.iter().all(|m| all.contains(m)));
    let mut seen = Vec::new();
    let mut path = "/open311/v2/requests.json?page_size=2".to_owned();
    loop {
        let (status, headers, body) = get(&app, &path).await;
        assert_eq!(status, 200, "{body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        assert!(page.as_array().unwrap().len() <= 2);
        seen.extend(page.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap().to_owned()));
        let Some(link) = headers.get("link") else { break };
        let link = link.to_str().unwrap();
        assert!(link.ends_with("rel=\"next\""), "{link}");
        path = link[1..link.find('>').unwrap()].to_owned();
    }
    assert_eq!(seen, all, "pages in order, none twice, none missed");
    assert_eq!(&seen[..5], &made.iter().rev().cloned().collect::<Vec<_>>()[..], "newest first");

    // updated_after: what changed since, oldest change first.
    let since = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let head = app.login("head").await;
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id, note: \"ok\") { id } }", json!({ "id": made[1] })).await.ok();
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id, note: \"ok\") { id } }", json!({ "id": made[0] })).await.ok();
    let q = format!("/open311/v2/requests.json?updated_after={}", since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    let changed = json_of(&app, &q).await;
    let changed: Vec<&str> = changed.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap()).collect();
    assert_eq!(changed, [made[1].as_str(), made[0].as_str()]);
}

#[tokio::test]
async fn no_answer_carries_a_residents_name_or_phone() {
    let app = full_demo().await;
    let resident = app.login("resident").await;
    app.gql(Some(&resident), "mutation { bindPhone(code: \"dev:13912345678\") { phone } }", json!({})).await.ok();
    let me = app.gql(Some(&resident), "{ me { nickname } }", json!({})).await;
    let name = me.ok()["me"]["nickname"].as_str().unwrap().to_owned();
    // A resident who writes their own name and phone into the description, and an anonymous report.
    let id = app.submit_drain_report(&resident, &format!("我是{name}，电话13912345678，厨房下水道堵了")).await;
    let cat = app.category_id(&resident, "DRAIN").await;
    let anon = app
        .gql(Some(&resident), "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }", json!({ "i": { "categoryId": cat, "description": "楼道堆满杂物，消防通道被堵", "anonymous": true } }))
        .await;
    let anon = anon.ok()["submitReport"]["id"].as_str().unwrap().to_owned();

    // Every seeded person's name and phone.
    let users = entity::app_user::Entity::find().all(&app.state.db).await.unwrap();
    use sea_orm::EntityTrait;
    let secrets: Vec<String> = users
        .iter()
        .flat_map(|u| [Some(u.nickname.clone()).filter(|n| n.chars().count() >= 2 && !n.is_ascii()), u.phone.clone()])
        .flatten()
        .collect();
    assert!(secrets.contains(&"13912345678".to_owned()) && secrets.contains(&name), "{secrets:?}");
    let mut bodies = Vec::new();
    for path in [
        "/open311/v2/requests.json?page_size=1000".to_owned(),
        "/open311/v2/requests.xml?page_size=1000".to_owned(),
        "/open311/v2/requests.json?status=closed&page_size=1000".to_owned(),
        format!("/open311/v2/requests/{id}.json"),
        format!("/open311/v2/requests/{id}.xml"),
        format!("/open311/v2/requests/{anon}.json"),
        "/open311/v2/services.json".to_owned(),
        "/open311/v2/discovery.xml".to_owned(),
    ] {
        let (status, _, body) = get(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        bodies.push((path, body));
    }
    for (path, body) in &bodies {
        for s in &secrets {
            assert!(!body.contains(s.as_str()), "{path} shows {s}");
        }
    }
    // The anonymous report has exactly the fields every other one has.
    let one = json_of(&app, &format!("/open311/v2/requests/{id}.json")).await;
    let anon = json_of(&app, &format!("/open311/v2/requests/{anon}.json")).await;
    let keys = |v: &Value| v[0].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&one), keys(&anon));
    assert!(one[0]["description"].as_str().unwrap().contains("厨房下水道堵了"));
}


/// POSTs a form to `path`: (status, body as JSON).
async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let body = serde_urlencoded::to_string(form).unwrap();
    let resp = app
        .http
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A 12345 platform files calls with its API key: on behalf of the verified resident whose phone it names, else
/// as an intake report the community holds; attributes checked as the definition says; a bad or revoked key is
/// a 403; keys are made, listed and revoked by district admins only; every use is in the audit log.
#[tokio::test]
async fn an_integrating_system_files_requests_with_its_key() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    assert!(linli_tools::demo::load_district_if_empty(&app.state).await.unwrap());
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let community_admin = app.login("community-admin").await;
    let create = "mutation($d: ID!) { createApiKey(districtId: $d, name: \"12345 热线\", scopes: [OPEN311_POST]) { secret key { id name hint scopes revokedAt } } }";
    let r = app.gql(Some(&community_admin), create, json!({ "d": ids.district })).await;
    assert_eq!(r.code(), "FORBIDDEN", "a community admin makes no keys: {:?}", r.errors);
    let r = app.gql(Some(&admin), create, json!({ "d": ids.district })).await;
    let created = r.ok()["createApiKey"].clone();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let key_id = created["key"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("lk_") && secret.len() == 43);
    assert_eq!(created["key"]["hint"].as_str().unwrap(), &secret[secret.len() - 4..]);
    let list = app.gql(Some(&admin), "query($d: ID!) { apiKeys(districtId: $d) { nodes { id name lastUsedAt } } }", json!({ "d": ids.district })).await;
    assert_eq!(list.ok()["apiKeys"]["nodes"][0]["id"], key_id.as_str());
    let r = app.gql(Some(&community_admin), "query($d: ID!) { apiKeys(districtId: $d) { nodes { id } } }", json!({ "d": ids.district })).await;
    assert_eq!(r.code(), "FORBIDDEN");
    use sea_orm::EntityTrait;
    let stored = entity::api_key::Entity::find().all(&app.state.db).await.unwrap();
    assert!(stored.iter().all(|k| k.secret_hash != secret && k.secret_hash.len() == 64), "only a hash is kept");

    let resident = app.login("resident").await;
    app.gql(Some(&resident), "mutation { bindPhone(code: \"dev:13955556666\") { phone } }", json!({})).await.ok();
    let path = "/open311/v2/requests.json";
    let base = [("service_code", "DRAIN"), ("description", "市民来电：小区北门下水道堵塞，污水外溢"), ("attribute[building]", ids.building.as_str())];
    let with = |extra: &[(&'static str, &'static str)], key: &str| {
        let mut f: Vec<(&str, String)> = base.iter().map(|(k, v)| (*k, v.to_string())).collect();
        f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        f.push(("api_key", key.to_owned()));
        f
    };
    let send = |form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(app, path, &pairs).await
        }
    };
    // Refused: no key, a wrong key; bad attributes; an unknown service.
    let (status, body) = send(with(&[], "")).await;
    assert_eq!((status, body[0]["code"].as_i64()), (403, Some(403)), "{body}");
    let (status, _) = send(with(&[], "lk_wrong")).await;
    assert_eq!(status, 403);
    let before = app.count("report").await;
    for (extra, want) in [
        (vec![("attribute[unit]", "99")], 400),
        (vec![("attribute[urgency]", "SOON")], 400),
        (vec![("lat", "north")], 400),
        (vec![("service_code", "NOPE")], 404),
    ] {
        let mut form = with(&[], &secret);
        for (k, v) in &extra {
            form.retain(|(fk, _)| fk != k);
            form.push((k, v.to_string()));
        }
        let (status, body) = send(form).await;
        assert_eq!(status, want, "{extra:?}: {body}");
        assert_eq!(body[0]["code"].as_i64(), Some(want as i64));
    }
    let mut no_building = with(&[], &secret);
    no_building.retain(|(k, _)| *k != "attribute[building]");
    let (status, body) = send(no_building).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(app.count("report").await, before, "refusals file nothing");

    // On behalf of the resident whose phone the caller names.
    let (status, body) = send(with(&[("phone", "13955556666"), ("attribute[urgency]", "URGENT"), ("idempotency_key", "call-001")], &secret)).await;
    assert_eq!(status, 200, "{body}");
    let id = body[0]["service_request_id"].as_str().unwrap().to_owned();
    let mine = app.gql(Some(&resident), "{ myReports(first: 5) { nodes { id urgency } } }", json!({})).await;
    assert_eq!(mine.ok()["myReports"]["nodes"][0]["id"], id.as_str(), "the resident sees it as theirs");
    assert_eq!(mine.ok()["myReports"]["nodes"][0]["urgency"], "URGENT");
    let (_, again) = send(with(&[("phone", "13955556666"), ("idempotency_key", "call-001")], &secret)).await;
    assert_eq!(again[0]["service_request_id"], id.as_str(), "a retry is the same request");

    // An intake report: no resident named; the community holds it, no neighbour head does.
    let (status, body) = send(with(&[("phone", "13000000000")], &secret)).await;
    assert_eq!(status, 200, "{body}");
    let intake = body[0]["service_request_id"].as_str().unwrap().to_owned();
    let r = app.gql(Some(&community_admin), "query($id: ID!) { report(id: $id) { reporter { name } neighbourhood { id } } }", json!({ "id": intake })).await;
    assert_eq!(r.ok()["report"]["reporter"]["name"], "12345 热线");
    assert!(r.ok()["report"]["neighbourhood"].is_null());
    let head = app.login("head").await;
    let inbox = app.gql(Some(&head), "{ taskInbox(first: 100) { nodes { id } } }", json!({})).await;
    assert!(!inbox.ok()["taskInbox"]["nodes"].as_array().unwrap().iter().any(|n| n["id"] == intake.as_str()), "not a neighbour head's");
    let inbox = app.gql(Some(&community_admin), "{ taskInbox(first: 100) { nodes { id } } }", json!({})).await;
    assert!(inbox.ok()["taskInbox"]["nodes"].as_array().unwrap().iter().any(|n| n["id"] == intake.as_str()), "the community's");

    // Revoked: refused from the next request on; only the district's admins may revoke.
    let revoke = "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }";
    let r = app.gql(Some(&community_admin), revoke, json!({ "id": key_id })).await;
    assert_eq!(r.code(), "NOT_FOUND");
    let r = app.gql(Some(&admin), revoke, json!({ "id": key_id })).await;
    assert!(r.ok()["revokeApiKey"]["revokedAt"].is_string());
    let (status, _) = send(with(&[], &secret)).await;
    assert_eq!(status, 403, "a revoked key");

    // The audit log: the key's creation, its revocation, and each use with a valid key (7: four refused, one
    // without a building, two filed, the retry).
    let q = "query($s: ID!, $a: AuditAction) { auditLog(scopeId: $s, action: $a, first: 50) { nodes { action after } } }";
    let count = |action: &'static str| {
        let (app, admin, d) = (&app, &admin, ids.district.clone());
        async move { app.gql(Some(admin), q, json!({ "s": d, "a": action })).await.ok()["auditLog"]["nodes"].as_array().unwrap().len() }
    };
    assert_eq!(count("API_KEY_CREATED").await, 1);
    assert_eq!(count("API_KEY_REVOKED").await, 1);
    assert_eq!(count("API_KEY_USED").await, 8);
}
