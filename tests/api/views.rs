//! What a caller may see of a report and of the people on it, decided in one place: the reporter's name and
//! phone never reach a neighbour or a company's staff member through any field; and a page's relations cost the
//! same number of statements whatever its size.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::common::{Demo, TestApp};

/// Every field of a report that can carry a person, as deep as the API goes.
const EVERYTHING: &str = r#"query($id: ID!) { report(id: $id) { id description anonymous
    reporter { id name phone }
    lastEvent { kind actorRole actorName note }
    timeline(first: 50) { nodes { kind actorRole actorName note fromStatus toStatus } }
    comments(first: 50) { nodes { body authorRole authorName photos { id } } }
    photos { id } availableActions } }"#;

/// The reporter (dev:neighbour, 赵先生, with a phone) files an anonymous report and a named one, comments on
/// both and urges them; the head takes them up and sends them to the company. Returns the two report ids.
async fn scene(app: &TestApp) -> (String, String) {
    let reporter = app.login("neighbour").await;
    let head = app.login("head").await;
    let r = app.gql(Some(&reporter), "mutation { bindPhone(code: \"dev:13912345678\") { phone } }", json!({})).await;
    assert_eq!(r.ok()["bindPhone"]["phone"], "13912345678");
    let cat = app.category_id(&reporter, "DRAIN").await;
    let submit = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }";
    let mut ids = Vec::new();
    for anonymous in [true, false] {
        let r = app
            .gql(Some(&reporter), submit, json!({ "i": { "categoryId": cat, "description": "厨房下水道堵了，水排不下去", "anonymous": anonymous } }))
            .await;
        let id = r.ok()["submitReport"]["id"].as_str().unwrap().to_owned();
        for m in ["acknowledgeReport", "dispatchReport"] {
            app.gql(Some(&head), &format!("mutation($id: ID!) {{ {m}(id: $id, note: \"好的\") {{ id }} }}"), json!({ "id": id })).await.ok();
        }
        app.gql(Some(&reporter), "mutation($id: ID!) { addComment(id: $id, body: \"楼下也有异味，麻烦尽快\") { id } }", json!({ "id": id }))
            .await
            .ok();
        app.gql(Some(&reporter), "mutation($id: ID!) { urgeReport(id: $id) { id } }", json!({ "id": id })).await.ok();
        ids.push(id);
    }
    (ids[0].clone(), ids[1].clone())
}

/// The raw text of every answer `token` gets about the reports: by id, through `node`, in their lists and
/// notifications.
async fn everything_seen_by(app: &TestApp, token: &str, ids: &[&str]) -> String {
    let mut seen = String::new();
    for id in ids {
        seen.push_str(&app.gql(Some(token), EVERYTHING, json!({ "id": id })).await.data.to_string());
        let node = "query($id: ID!) { node(id: $id) { ... on Report { reporter { id name phone } comments { nodes { authorName } } timeline { nodes { actorName } } } } }";
        seen.push_str(&app.gql(Some(token), node, json!({ "id": id })).await.data.to_string());
    }
    for list in [
        "{ ticketQueue(first: 50) { nodes { reporter { id name phone } lastEvent { actorName } comments { nodes { authorName } } } } }",
        "{ taskInbox(first: 50) { nodes { reporter { id name phone } } } }",
        "{ myReports(first: 50) { nodes { reporter { id name phone } } } }",
        "{ notifications(first: 50) { nodes { kind title body } } }",
    ] {
        seen.push_str(&app.gql(Some(token), list, json!({})).await.data.to_string());
    }
    seen
}

#[tokio::test]
async fn the_reporters_name_and_phone_reach_neither_a_neighbour_nor_the_company() {
    let app = TestApp::demo().await;
    let (anonymous, named) = scene(&app).await;
    let reporter_id = app.session("neighbour").await.2;

    // A neighbour in the same neighbourhood: the named report shows a masked name, the anonymous one nothing.
    let neighbour = app.login("resident").await;
    let seen = everything_seen_by(&app, &neighbour, &[&anonymous, &named]).await;
    for secret in ["赵先生", "13912345678", "139****5678", reporter_id.as_str()] {
        assert!(!seen.contains(secret), "a neighbour sees {secret}: {seen}");
    }
    let r = app.gql(Some(&neighbour), EVERYTHING, json!({ "id": anonymous })).await;
    assert!(r.ok()["report"]["reporter"].is_null());
    let comments = r.ok()["report"]["comments"]["nodes"].as_array().unwrap().clone();
    assert_eq!(comments[0]["authorName"], "匿名居民", "the reporter's own comment does not unmask them");
    assert_eq!(app.gql(Some(&neighbour), EVERYTHING, json!({ "id": named })).await.ok()["report"]["reporter"]["name"], "赵**");

    // The company's staff: a masked name on both, the same on the reporter's comments and steps; never a phone.
    let staff = app.login("staff").await;
    let seen = everything_seen_by(&app, &staff, &[&anonymous, &named]).await;
    for secret in ["赵先生", "13912345678", "139****5678", reporter_id.as_str()] {
        assert!(!seen.contains(secret), "the company sees {secret}: {seen}");
    }
    let r = app.gql(Some(&staff), EVERYTHING, json!({ "id": anonymous })).await;
    let rep = &r.ok()["report"];
    assert_eq!(rep["reporter"]["name"], "赵**");
    assert_eq!(rep["comments"]["nodes"][0]["authorName"], "赵**");
    let urged = rep["timeline"]["nodes"].as_array().unwrap().iter().find(|e| e["kind"] == "URGED").unwrap().clone();
    assert_eq!(urged["actorName"], "赵**");

    // Those who may know who reported still do: the head sees the name and a masked phone, the reporter all.
    let head = app.login("head").await;
    let r = app.gql(Some(&head), EVERYTHING, json!({ "id": anonymous })).await;
    assert_eq!(r.ok()["report"]["reporter"]["name"], "赵先生");
    assert_eq!(r.ok()["report"]["reporter"]["phone"], "139****5678");
    assert_eq!(r.ok()["report"]["comments"]["nodes"][0]["authorName"], "赵先生");
    let own = app.gql(Some(&app.login("neighbour").await), EVERYTHING, json!({ "id": anonymous })).await;
    assert_eq!(own.ok()["report"]["reporter"]["phone"], "13912345678");
}

/// A head reading a timeline whose notes are still under review sees them, and the page costs the same number of
/// statements for 2 steps as for 8: the caller's standing is worked out once for the report, not once per step.
#[tokio::test]
async fn notes_under_review_cost_no_statement_per_step() {
    let app = TestApp::demo().await;
    let (resident, head) = (app.login("resident").await, app.login("head").await);
    let mut counts = Vec::new();
    for urges in [1, 7] {
        let id = app.submit_drain_report(&resident, "楼道灯坏了，晚上很黑").await;
        let uuid = api::ids::decode(&id, api::ids::Kind::Report, "id").unwrap();
        for _ in 0..urges {
            app.gql(Some(&resident), "mutation($id: ID!) { urgeReport(id: $id) { id } }", json!({ "id": id })).await;
            // Urging is once a day: move the last one back.
            entity::report::Entity::update_many()
                .col_expr(entity::report::Column::LastUrgedAt, Expr::value(Utc::now() - Duration::days(2)))
                .filter(entity::report::Column::Id.eq(uuid))
                .exec(&app.state.db)
                .await
                .unwrap();
        }
        // Every step's note is under review, and written by someone else than the head.
        entity::report_event::Entity::update_many()
            .col_expr(entity::report_event::Column::Note, Expr::value("审核中的说明"))
            .col_expr(entity::report_event::Column::Moderation, Expr::value("REVIEW"))
            .filter(entity::report_event::Column::ReportId.eq(uuid))
            .exec(&app.state.db)
            .await
            .unwrap();
        let q = "query($id: ID!) { report(id: $id) { timeline(first: 50) { nodes { kind note } } } }";
        app.gql(Some(&head), q, json!({ "id": id })).await.ok();
        let (r, statements) = app.gql_counted(Some(&head), q, json!({ "id": id })).await;
        let steps = r.ok()["report"]["timeline"]["nodes"].as_array().unwrap().clone();
        assert_eq!(steps.len(), 1 + urges);
        assert!(steps.iter().all(|s| s["note"] == "审核中的说明"), "the head sees notes under review");
        counts.push(statements);
        // A neighbour does not.
        let r = app.gql(Some(&app.login("neighbour").await), "query($id: ID!) { report(id: $id) { timeline { nodes { note } } } }", json!({ "id": id })).await;
        assert!(r.ok()["report"]["timeline"]["nodes"].as_array().unwrap().iter().all(|s| s["note"].is_null()));
    }
    assert_eq!(counts[0], counts[1], "statements for 2 and for 8 steps");
}

/// A page of incentive packages brings their merchants in one statement, whatever the page's size.
#[tokio::test]
async fn a_page_of_packages_loads_its_merchants_at_once() {
    let app = TestApp::demo().await;
    let demo = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let head = app.login("head").await;
    let reg = "mutation($s: ID!, $n: String!) { registerMerchant(scopeId: $s, name: $n, address: \"幸福路 8 号\") { id } }";
    let create = "mutation($i: CreatePackageInput!) { createIncentivePackage(input: $i) { id } }";
    let q = "query($n: Int!) { incentivePackages(first: $n) { nodes { title merchant { name } } } }";
    let mut counts = Vec::new();
    let mut made = 0;
    for n in [2, 6] {
        while made < n {
            let m = app.gql(Some(&admin), reg, json!({ "s": demo.district, "n": format!("商户{made}") })).await;
            let merchant = m.ok()["registerMerchant"]["id"].as_str().unwrap().to_owned();
            let input = json!({
                "title": format!("券{made}"), "merchantId": merchant, "costPoints": 0, "totalStock": 5,
                "eligibleRoles": ["NEIGHBOUR_HEAD"], "validUntil": (Utc::now() + Duration::days(3)).to_rfc3339(),
                "scopeId": demo.district, "activate": true,
            });
            app.gql(Some(&admin), create, json!({ "i": input })).await.ok();
            made += 1;
        }
        app.gql(Some(&head), q, json!({ "n": n })).await.ok();
        let (r, statements) = app.gql_counted(Some(&head), q, json!({ "n": n })).await;
        let nodes: Vec<Value> = r.ok()["incentivePackages"]["nodes"].as_array().unwrap().clone();
        assert_eq!(nodes.len(), n);
        assert!(nodes.iter().all(|p| p["merchant"]["name"].as_str().unwrap().starts_with("商户")));
        counts.push(statements);
    }
    assert_eq!(counts[0], counts[1], "statements for 2 and for 6 packages");
}
