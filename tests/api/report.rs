//! The report lifecycle over HTTP: every path, who may do what, concurrency, bad input, and the query count of
//! an inbox page.
use std::collections::HashMap;

use serde_json::{Value, json};

use crate::common::{Demo, Gql, TestApp};

const SUBMIT: &str = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id status version neighbourhood { id } availableActions } }";
const GET: &str = "query($id: ID!) { report(id: $id) { id status version rating autoClosed reopenCount availableActions
    milestones { submittedAt acknowledgedAt dispatchedAt startedAt resolvedAt closedAt firstReopenedAt confirmedAt }
    reporter { id name phone } assignedCompany { name }
    timeline(first: 50) { nodes { kind actorRole actorName fromStatus toStatus note } }
    comments { nodes { body authorRole } } } }";

/// Everyone the matrix needs, logged in.
struct Cast {
    tokens: HashMap<&'static str, String>,
    drain: String,
    lift: String,
}

impl Cast {
    async fn new(app: &TestApp) -> Cast {
        let mut tokens = HashMap::new();
        for who in [
            "resident", "neighbour", "resident-6", "head", "head-0-1-2", "group-head", "area-head", "staff", "staff-2",
            "community-admin", "admin",
        ] {
            tokens.insert(who, app.login(who).await);
        }
        // A community admin of another community (和谐社区).
        let ids = Demo::ids(app).await;
        let (t, _, id) = app.session("other-community-admin").await;
        app.gql(
            Some(&tokens["admin"]),
            "mutation($u: ID!, $s: ID!) { appoint(input: { userId: $u, role: COMMUNITY_ADMIN, scopeId: $s }) { id } }",
            json!({ "u": id, "s": ids.other_community }),
        )
        .await
        .ok();
        tokens.insert("other-community-admin", t);
        let cats = app.gql(Some(&tokens["resident"]), "{ categories { id code } }", json!({})).await;
        let find = |code: &str| {
            cats.ok()["categories"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        Cast { drain: find("DRAIN"), lift: find("LIFT"), tokens }
    }

    fn t(&self, who: &str) -> &str {
        &self.tokens[who]
    }
}

async fn submit(app: &TestApp, cast: &Cast, extra: Value) -> String {
    let mut input = json!({ "categoryId": cast.drain, "description": "厨房下水道堵了，水排不下去" });
    input.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    let r = app.gql(Some(cast.t("resident")), SUBMIT, json!({ "i": input })).await;
    r.ok()["submitReport"]["id"].as_str().unwrap().to_owned()
}

async fn act(app: &TestApp, token: &str, mutation: &str, id: &str) -> Gql {
    let q = match mutation {
        "confirmResolution" => "mutation($id: ID!) { confirmResolution(id: $id, rating: 5, comment: \"修得很好\") { id status } }".to_owned(),
        "reopenReport" => "mutation($id: ID!) { reopenReport(id: $id, reason: \"还是漏水\") { id status } }".to_owned(),
        "rejectReport" => "mutation($id: ID!) { rejectReport(id: $id, reason: \"不属于小区公共事务\") { id status } }".to_owned(),
        "cancelReport" => "mutation($id: ID!) { cancelReport(id: $id, reason: \"已自行解决\") { id status } }".to_owned(),
        "addComment" => "mutation($id: ID!) { addComment(id: $id, body: \"已联系物业\") { id } }".to_owned(),
        "urgeReport" => "mutation($id: ID!) { urgeReport(id: $id) { id status } }".to_owned(),
        m => format!("mutation($id: ID!) {{ {m}(id: $id, note: \"ok\") {{ id status }} }}"),
    };
    app.gql(Some(token), &q, json!({ "id": id })).await
}

/// Submits a report and drives it to `state` through the API, as the people who do that in life.
async fn drive(app: &TestApp, cast: &Cast, state: &str) -> String {
    let id = submit(app, cast, json!({})).await;
    let steps: &[(&str, &str)] = match state {
        "SUBMITTED" => &[],
        "ACKNOWLEDGED" => &[("head", "acknowledgeReport")],
        "DISPATCHED" => &[("head", "acknowledgeReport"), ("head", "dispatchReport")],
        "IN_PROGRESS" => &[("head", "acknowledgeReport"), ("head", "dispatchReport"), ("staff", "startWork")],
        "RESOLVED" => &[("head", "acknowledgeReport"), ("head", "dispatchReport"), ("staff", "startWork"), ("staff", "resolveReport")],
        "CONFIRMED" => &[
            ("head", "acknowledgeReport"),
            ("head", "dispatchReport"),
            ("staff", "startWork"),
            ("staff", "resolveReport"),
            ("resident", "confirmResolution"),
        ],
        other => panic!("no path to {other}"),
    };
    for (who, m) in steps {
        act(app, cast.t(who), m, &id).await.ok();
    }
    id
}

async fn get(app: &TestApp, token: &str, id: &str) -> Value {
    app.gql(Some(token), GET, json!({ "id": id })).await.ok()["report"].clone()
}

fn kinds(r: &Value) -> Vec<String> {
    r["timeline"]["nodes"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_whole_lifecycle_through_the_property_company() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let ids = Demo::ids(&app).await;
    let r = app
        .gql(Some(cast.t("resident")), SUBMIT, json!({ "i": { "categoryId": cast.drain, "description": "厨房下水道堵了", "urgency": "URGENT" } }))
        .await;
    let rep = r.ok()["submitReport"].clone();
    let id = rep["id"].as_str().unwrap().to_owned();
    assert_eq!(rep["status"], "SUBMITTED");
    assert_eq!(rep["neighbourhood"]["id"], ids.neighbourhood.as_str(), "from the reporter's verified home");
    assert_eq!(rep["availableActions"], json!(["CANCEL", "COMMENT", "URGE"]));

    // The head sees it in the inbox, with the right buttons.
    let inbox = app
        .gql(Some(cast.t("head")), "{ taskInbox { nodes { id availableActions reporter { name } lastEvent { kind } } } }", json!({}))
        .await;
    let card = &inbox.ok()["taskInbox"]["nodes"][0];
    assert_eq!(card["id"], id.as_str());
    assert_eq!(card["availableActions"], json!(["ACKNOWLEDGE", "REJECT", "MARK_DUPLICATE", "COMMENT"]));
    assert_eq!(card["lastEvent"]["kind"], "SUBMITTED");
    assert_eq!(card["reporter"]["name"], "陈阿姨", "heads see who reported");

    act(&app, cast.t("head"), "acknowledgeReport", &id).await.ok();
    act(&app, cast.t("head"), "dispatchReport", &id).await.ok();
    let queue = app.gql(Some(cast.t("staff")), "{ ticketQueue { nodes { id status reporter { name phone } } } }", json!({})).await;
    let ticket = &queue.ok()["ticketQueue"]["nodes"][0];
    assert_eq!((ticket["id"].as_str().unwrap(), ticket["status"].as_str().unwrap()), (id.as_str(), "DISPATCHED"));
    assert_eq!(ticket["reporter"]["name"], "陈**", "staff see the reporter masked");
    act(&app, cast.t("staff"), "startWork", &id).await.ok();
    act(&app, cast.t("staff"), "resolveReport", &id).await.ok();
    let r = act(&app, cast.t("staff"), "closeReport", &id).await;
    assert_eq!(r.code(), "CONFLICT", "the resident has not confirmed yet");
    act(&app, cast.t("resident"), "confirmResolution", &id).await.ok();
    let r = act(&app, cast.t("staff"), "closeReport", &id).await;
    assert_eq!(r.ok()["closeReport"]["status"], "CLOSED");

    let rep = get(&app, cast.t("resident"), &id).await;
    assert_eq!(kinds(&rep), ["SUBMITTED", "ACKNOWLEDGED", "DISPATCHED", "STARTED", "RESOLVED", "CONFIRMED", "CLOSED"]);
    let roles: Vec<&str> = rep["timeline"]["nodes"].as_array().unwrap().iter().map(|e| e["actorRole"].as_str().unwrap()).collect();
    assert_eq!(roles, ["REPORTER", "NEIGHBOUR_HEAD", "NEIGHBOUR_HEAD", "PROPERTY_STAFF", "PROPERTY_STAFF", "REPORTER", "PROPERTY_STAFF"]);
    assert_eq!(rep["timeline"]["nodes"][1]["fromStatus"], "SUBMITTED");
    assert_eq!(rep["timeline"]["nodes"][1]["toStatus"], "ACKNOWLEDGED");
    assert_eq!(rep["rating"], 5);
    assert_eq!(rep["assignedCompany"]["name"], "幸福物业");
    let m = &rep["milestones"];
    for k in ["submittedAt", "acknowledgedAt", "dispatchedAt", "startedAt", "resolvedAt", "closedAt", "confirmedAt"] {
        assert!(m[k].is_string(), "{k} is set");
    }
    assert!(m["firstReopenedAt"].is_null());
    assert_eq!(rep["availableActions"], json!(["COMMENT"]), "closed: only comments");
}

#[tokio::test]
async fn a_head_fixes_it_without_the_company_and_the_confirmation_closes_it() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let id = drive(&app, &cast, "ACKNOWLEDGED").await;
    act(&app, cast.t("head"), "resolveReport", &id).await.ok();
    let r = act(&app, cast.t("resident"), "confirmResolution", &id).await;
    assert_eq!(r.ok()["confirmResolution"]["status"], "CLOSED");
    let rep = get(&app, cast.t("resident"), &id).await;
    assert_eq!(kinds(&rep), ["SUBMITTED", "ACKNOWLEDGED", "RESOLVED", "CONFIRMED"]);
    assert!(rep["assignedCompany"].is_null());
    assert!(rep["milestones"]["dispatchedAt"].is_null());
}

#[tokio::test]
async fn a_reopened_report_goes_back_to_work() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let id = drive(&app, &cast, "RESOLVED").await;
    let r = app.gql(Some(cast.t("resident")), "mutation($id: ID!) { reopenReport(id: $id, reason: \" \") { id } }", json!({ "id": id })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("reason")), "a reason is required");
    assert_eq!(act(&app, cast.t("resident"), "reopenReport", &id).await.ok()["reopenReport"]["status"], "REOPENED");
    // The head could re-dispatch; the company may also pick it up again directly.
    let rep = get(&app, cast.t("head"), &id).await;
    assert_eq!(rep["availableActions"], json!(["DISPATCH", "COMMENT"]));
    assert_eq!(act(&app, cast.t("staff"), "startWork", &id).await.ok()["startWork"]["status"], "IN_PROGRESS");
    act(&app, cast.t("staff"), "resolveReport", &id).await.ok();
    let rep = get(&app, cast.t("resident"), &id).await;
    assert_eq!(rep["reopenCount"], 1);
    assert!(rep["milestones"]["firstReopenedAt"].is_string());
    assert_eq!(
        kinds(&rep),
        ["SUBMITTED", "ACKNOWLEDGED", "DISPATCHED", "STARTED", "RESOLVED", "REOPENED", "STARTED", "RESOLVED"]
    );
    assert_eq!(rep["timeline"]["nodes"][5]["note"], "还是漏水");
}

#[tokio::test]
async fn unanswered_resolutions_close_themselves() {
    let app = TestApp::spawn_with(&[("LINLI_AUTO_CLOSE_SECS", "1"), ("LINLI_JOB_INTERVAL_MS", "200")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let cast = Cast::new(&app).await;
    let id = drive(&app, &cast, "RESOLVED").await;
    let mut rep = get(&app, cast.t("resident"), &id).await;
    for _ in 0..50 {
        if rep["status"] == "CLOSED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        rep = get(&app, cast.t("resident"), &id).await;
    }
    assert_eq!(rep["status"], "CLOSED");
    assert_eq!(rep["autoClosed"], true);
    let last = rep["timeline"]["nodes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["actorRole"].as_str()), (Some("AUTO_CLOSED"), Some("SYSTEM")));
    assert_eq!(kinds(&rep).iter().filter(|k| *k == "AUTO_CLOSED").count(), 1, "closed once");
}

/// Who may do what. For each action: a report in the state the action needs; every refused role tries first
/// (and must change nothing), then each allowed role succeeds on a report of its own.
#[tokio::test]
async fn authorization_matrix() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    const EVERYONE: [&str; 12] = [
        "resident", "neighbour", "resident-6", "head", "head-0-1-2", "group-head", "area-head", "staff", "staff-2",
        "community-admin", "other-community-admin", "admin",
    ];
    const LEADS: &[&str] = &["head", "group-head", "area-head", "community-admin"];
    let matrix: &[(&str, &str, &[&str])] = &[
        ("acknowledgeReport", "SUBMITTED", LEADS),
        ("dispatchReport", "ACKNOWLEDGED", LEADS),
        ("resolveReport", "ACKNOWLEDGED", LEADS),
        ("rejectReport", "SUBMITTED", LEADS),
        ("startWork", "DISPATCHED", &["staff"]),
        ("resolveReport", "IN_PROGRESS", &["staff"]),
        ("closeReport", "CONFIRMED", &["staff"]),
        ("confirmResolution", "RESOLVED", &["resident"]),
        ("reopenReport", "RESOLVED", &["resident"]),
        ("cancelReport", "SUBMITTED", &["resident"]),
        ("urgeReport", "SUBMITTED", &["resident"]),
        ("addComment", "DISPATCHED", &["resident", "head", "group-head", "area-head", "community-admin", "staff"]),
    ];
    // Who can see a report at all: the others get NOT_FOUND, not FORBIDDEN, so ids reveal nothing.
    let viewers = |state: &str| -> Vec<&str> {
        let mut v = vec!["resident", "neighbour", "head", "group-head", "area-head", "community-admin"];
        if state != "SUBMITTED" && state != "ACKNOWLEDGED" {
            v.push("staff");
        }
        v
    };
    for (mutation, state, allowed) in matrix {
        let id = drive(&app, &cast, state).await;
        let before = get(&app, cast.t("resident"), &id).await;
        for who in EVERYONE.iter().filter(|w| !allowed.contains(w)) {
            let r = act(&app, cast.t(who), mutation, &id).await;
            let expected = if viewers(state).contains(who) { "FORBIDDEN" } else { "NOT_FOUND" };
            assert_eq!(r.code(), expected, "{who} {mutation} on {state}");
            let after = get(&app, cast.t("resident"), &id).await;
            assert_eq!(after, before, "{who}'s refused {mutation} changed nothing");
        }
        for who in *allowed {
            let id = drive(&app, &cast, state).await;
            let r = act(&app, cast.t(who), mutation, &id).await;
            assert!(r.errors.is_empty(), "{who} may {mutation} on {state}: {:?}", r.errors);
        }
    }

    // markDuplicate: the leads only, pointing at another report of the compound.
    let original = submit(&app, &cast, json!({})).await;
    let dup = "mutation($id: ID!, $o: ID!) { markDuplicate(id: $id, originalId: $o) { status duplicateOf } }";
    let id = submit(&app, &cast, json!({})).await;
    for who in EVERYONE.iter().filter(|w| !LEADS.contains(w)) {
        let r = app.gql(Some(cast.t(who)), dup, json!({ "id": id, "o": original })).await;
        assert!(["FORBIDDEN", "NOT_FOUND"].contains(&r.code()), "{who} markDuplicate");
    }
    for who in LEADS {
        let id = submit(&app, &cast, json!({})).await;
        let r = app.gql(Some(cast.t(who)), dup, json!({ "id": id, "o": original })).await;
        assert_eq!(r.ok()["markDuplicate"]["status"], "DUPLICATE", "{who}");
    }

    // Reading: report(id) for viewers only; inboxes and queues for their owners only.
    let id = drive(&app, &cast, "DISPATCHED").await;
    for who in EVERYONE {
        let r = app.gql(Some(cast.t(who)), "query($id: ID!) { report(id: $id) { id } }", json!({ "id": id })).await;
        if viewers("DISPATCHED").contains(&who) {
            r.ok();
        } else {
            assert_eq!(r.code(), "NOT_FOUND", "{who} reads the report");
        }
        let node = app.gql(Some(cast.t(who)), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(node.errors.is_empty(), viewers("DISPATCHED").contains(&who), "{who} node()");
    }
    let inbox_q = "{ taskInbox(status: DISPATCHED, first: 100) { nodes { id } } }";
    for who in EVERYONE {
        let r = app.gql(Some(cast.t(who)), inbox_q, json!({})).await;
        match who {
            "head" | "group-head" | "area-head" | "community-admin" => {
                assert!(r.ok()["taskInbox"]["nodes"].as_array().unwrap().iter().any(|n| n["id"] == id.as_str()), "{who}");
            }
            "head-0-1-2" | "other-community-admin" => {
                assert!(!r.ok()["taskInbox"]["nodes"].as_array().unwrap().iter().any(|n| n["id"] == id.as_str()), "{who}");
            }
            _ => assert_eq!(r.code(), "FORBIDDEN", "{who} taskInbox"),
        }
        let r = app.gql(Some(cast.t(who)), "{ ticketQueue(first: 100) { nodes { id } } }", json!({})).await;
        match who {
            "staff" => assert!(r.ok()["ticketQueue"]["nodes"].as_array().unwrap().iter().any(|n| n["id"] == id.as_str())),
            "staff-2" => assert!(r.ok()["ticketQueue"]["nodes"].as_array().unwrap().is_empty()),
            _ => assert_eq!(r.code(), "FORBIDDEN", "{who} ticketQueue"),
        }
        let r = app.gql(Some(cast.t(who)), "{ myReports(first: 100) { nodes { id } } }", json!({})).await;
        let mine = r.ok()["myReports"]["nodes"].as_array().unwrap().iter().any(|n| n["id"] == id.as_str());
        assert_eq!(mine, who == "resident", "{who} myReports");
    }
}

#[tokio::test]
async fn twenty_parallel_acknowledges_by_two_heads_make_one() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let id = submit(&app, &cast, json!({})).await;
    let calls = (0..20).map(|i| {
        let who = if i % 2 == 0 { "head" } else { "group-head" };
        act(&app, cast.t(who), "acknowledgeReport", &id)
    });
    let results = futures::future::join_all(calls).await;
    assert_eq!(results.iter().filter(|r| r.errors.is_empty()).count(), 1, "{results:#?}");
    for r in results.iter().filter(|r| !r.errors.is_empty()) {
        assert_eq!(r.code(), "CONFLICT");
        assert_eq!(r.errors[0]["extensions"]["currentStatus"], "ACKNOWLEDGED", "the loser learns the status now");
    }
    let rep = get(&app, cast.t("resident"), &id).await;
    assert_eq!(kinds(&rep), ["SUBMITTED", "ACKNOWLEDGED"]);
    assert_eq!(rep["version"], 2);
}

#[tokio::test]
async fn bad_input_for_every_mutation_writes_nothing() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let ids = Demo::ids(&app).await;
    let id = drive(&app, &cast, "RESOLVED").await;
    let other = submit(&app, &cast, json!({})).await;
    let rpt_unknown = "rpt_0190a0b27c1a70008000000000000000";
    let before = (app.count("report").await, app.count("report_event").await, app.count("report_comment").await);
    let base = json!({ "categoryId": cast.drain, "description": "下水道堵塞很久了" });
    let with = |extra: Value| {
        let mut v = base.clone();
        v.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap());
        json!({ "i": v })
    };
    let resident = cast.t("resident");
    let cases: Vec<(&str, &str, Value, &str, Option<&str>)> = vec![
        ("resident", SUBMIT, with(json!({ "description": "堵了" })), "BAD_USER_INPUT", Some("description")),
        ("resident", SUBMIT, with(json!({ "description": "很".repeat(2001) })), "BAD_USER_INPUT", Some("description")),
        ("resident", SUBMIT, with(json!({ "categoryId": "cat_0190a0b27c1a70008000000000000999" })), "BAD_USER_INPUT", Some("categoryId")),
        ("resident", SUBMIT, with(json!({ "categoryId": "DRAIN" })), "BAD_USER_INPUT", Some("categoryId")),
        ("resident", SUBMIT, with(json!({ "latitude": 91.0 })), "BAD_USER_INPUT", Some("latitude")),
        ("resident", SUBMIT, with(json!({ "longitude": -180.5 })), "BAD_USER_INPUT", Some("longitude")),
        ("resident", SUBMIT, with(json!({ "compoundId": ids.compound })), "BAD_USER_INPUT", Some("publicArea")),
        ("resident", SUBMIT, with(json!({ "buildingId": ids.building, "unit": 9 })), "BAD_USER_INPUT", Some("unit")),
        ("resident", SUBMIT, with(json!({ "buildingId": ids.other_building })), "FORBIDDEN", None),
        ("resident", SUBMIT, with(json!({ "urgency": "SOON" })), "BAD_USER_INPUT", None),
        ("resident-6", SUBMIT, with(json!({ "compoundId": ids.compound, "publicArea": "北门" })), "FORBIDDEN", None),
        (
            "resident",
            "mutation($id: ID!) { confirmResolution(id: $id, rating: 0) { id } }",
            json!({ "id": id }),
            "BAD_USER_INPUT",
            Some("rating"),
        ),
        (
            "resident",
            "mutation($id: ID!) { confirmResolution(id: $id, rating: 6) { id } }",
            json!({ "id": id }),
            "BAD_USER_INPUT",
            Some("rating"),
        ),
        (
            "resident",
            "mutation($id: ID!) { confirmResolution(id: $id, rating: 4, comment: $c) { id } }",
            json!({ "id": id, "c": "好".repeat(501) }),
            "BAD_USER_INPUT",
            None,
        ),
        ("resident", "mutation($id: ID!) { reopenReport(id: $id, reason: \"\") { id } }", json!({ "id": id }), "BAD_USER_INPUT", Some("reason")),
        ("resident", "mutation($id: ID!) { addComment(id: $id, body: \"\") { id } }", json!({ "id": id }), "BAD_USER_INPUT", Some("body")),
        (
            "resident",
            "mutation($id: ID!, $b: String!) { addComment(id: $id, body: $b) { id } }",
            json!({ "id": id, "b": "长".repeat(1001) }),
            "BAD_USER_INPUT",
            Some("body"),
        ),
        ("head", "mutation($id: ID!) { rejectReport(id: $id, reason: \"\") { id } }", json!({ "id": other }), "BAD_USER_INPUT", Some("reason")),
        (
            "head",
            "mutation($id: ID!, $n: String!) { acknowledgeReport(id: $id, note: $n) { id } }",
            json!({ "id": other, "n": "注".repeat(501) }),
            "BAD_USER_INPUT",
            Some("note"),
        ),
        ("head", "mutation($id: ID!) { markDuplicate(id: $id, originalId: $id) { id } }", json!({ "id": other }), "BAD_USER_INPUT", Some("originalId")),
        (
            "head",
            "mutation($id: ID!, $o: ID!) { markDuplicate(id: $id, originalId: $o) { id } }",
            json!({ "id": other, "o": rpt_unknown }),
            "BAD_USER_INPUT",
            Some("originalId"),
        ),
        ("head", "mutation($id: ID!) { acknowledgeReport(id: $id) { id } }", json!({ "id": rpt_unknown }), "NOT_FOUND", None),
        ("head", "mutation($id: ID!) { acknowledgeReport(id: $id) { id } }", json!({ "id": "rpt_xyz" }), "BAD_USER_INPUT", Some("id")),
        ("head", "mutation($id: ID!) { acknowledgeReport(id: $id) { id } }", json!({ "id": ids.compound }), "BAD_USER_INPUT", Some("id")),
        ("resident-6", "mutation($id: ID!) { cancelReport(id: $id) { id } }", json!({ "id": other }), "NOT_FOUND", None),
        ("resident", "mutation($id: ID!) { urgeReport(id: $id) { id } }", json!({ "id": id }), "CONFLICT", None),
    ];
    for (who, q, vars, code, field) in cases {
        let token = if who == "resident" { resident } else { cast.t(who) };
        let r = app.gql(Some(token), q, vars.clone()).await;
        assert_eq!(r.code(), code, "{who}: {q} {vars}");
        if field.is_some() {
            assert_eq!(r.field(), field, "{q} {vars}");
        }
    }
    let after = (app.count("report").await, app.count("report_event").await, app.count("report_comment").await);
    assert_eq!(after, before, "nothing was written");
    let r = app.gql(Some(resident), "{ myReports(first: 0) { nodes { id } } }", json!({})).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("first")));
    let r = app.gql(Some(cast.t("head")), "{ taskInbox(after: \"nope\") { nodes { id } } }", json!({})).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("after")));
}

#[tokio::test]
async fn urging_is_once_a_day_and_on_the_timeline() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let id = submit(&app, &cast, json!({})).await;
    act(&app, cast.t("resident"), "urgeReport", &id).await.ok();
    let r = act(&app, cast.t("resident"), "urgeReport", &id).await;
    assert_eq!(r.code(), "RATE_LIMITED");
    let rep = get(&app, cast.t("head"), &id).await;
    assert_eq!(kinds(&rep), ["SUBMITTED", "URGED"]);
    assert_eq!(rep["status"], "SUBMITTED", "urging changes no status");
    assert!(!rep["availableActions"].as_array().unwrap().contains(&json!("URGE")));
}

#[tokio::test]
async fn a_retried_submit_makes_one_report() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let input = json!({ "i": { "categoryId": cast.lift, "description": "3号楼电梯困人了！", "urgency": "URGENT", "idempotencyKey": "phone-42-0001" } });
    let calls = (0..6).map(|_| app.gql(Some(cast.t("resident")), SUBMIT, input.clone()));
    let results = futures::future::join_all(calls).await;
    let ids: std::collections::HashSet<String> =
        results.iter().map(|r| r.ok()["submitReport"]["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 1, "six tries, one report");
    assert_eq!(app.count("report").await, 1);
    assert_eq!(app.count("report_event").await, 1);
}

#[tokio::test]
async fn who_sees_the_reporter() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let q = "query($id: ID!) { report(id: $id) { reporter { id name phone } timeline { nodes { actorName } } } }";
    let plain = drive(&app, &cast, "DISPATCHED").await;
    let anon = submit(&app, &cast, json!({ "anonymous": true })).await;
    let view = |who: &'static str, id: String| {
        let app = &app;
        let cast = &cast;
        async move { app.gql(Some(cast.t(who)), q, json!({ "id": id })).await.ok()["report"].clone() }
    };
    assert_eq!(view("head", plain.clone()).await["reporter"]["name"], "陈阿姨");
    assert_eq!(view("community-admin", anon.clone()).await["reporter"]["name"], "陈阿姨", "anonymity is toward residents");
    let staff = view("staff", plain.clone()).await;
    assert_eq!((staff["reporter"]["name"].as_str(), staff["reporter"]["id"].is_null()), (Some("陈**"), true));
    let neighbour = view("neighbour", plain.clone()).await;
    assert_eq!(neighbour["reporter"]["name"], "陈**");
    assert!(neighbour["reporter"]["phone"].is_null());
    assert_eq!(neighbour["timeline"]["nodes"][0]["actorName"], "陈**");
    let neighbour_anon = view("neighbour", anon.clone()).await;
    assert!(neighbour_anon["reporter"].is_null(), "hidden entirely from other residents");
    assert!(neighbour_anon["timeline"]["nodes"][0]["actorName"].is_null());
}

#[tokio::test]
async fn lists_page_and_filter() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(submit(&app, &cast, json!({})).await);
    }
    act(&app, cast.t("head"), "acknowledgeReport", &made[0]).await.ok();
    // myReports: newest first, paged.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app
            .gql(Some(cast.t("resident")), "query($a: String) { myReports(first: 2, after: $a) { nodes { id } pageInfo { hasNextPage endCursor } } }", json!({ "a": after }))
            .await;
        let p = &r.ok()["myReports"];
        seen.extend(p["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()));
        if !p["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = p["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let mut newest_first = made.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    // taskInbox: oldest waiting first; the acknowledged one waits since its acknowledgement, so it comes last.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app
            .gql(Some(cast.t("area-head")), "query($a: String) { taskInbox(first: 2, after: $a) { nodes { id } pageInfo { hasNextPage endCursor } } }", json!({ "a": after }))
            .await;
        let p = &r.ok()["taskInbox"];
        seen.extend(p["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()));
        if !p["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = p["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, [&made[1..], &made[..1]].concat());
    let r = app.gql(Some(cast.t("head")), "{ taskInbox(status: ACKNOWLEDGED) { nodes { id } } }", json!({})).await;
    assert_eq!(r.ok()["taskInbox"]["nodes"].as_array().unwrap().len(), 1);
    let r = app
        .gql(Some(cast.t("head")), "query($c: ID!) { taskInbox(category: $c) { nodes { id } } }", json!({ "c": cast.lift }))
        .await;
    assert!(r.ok()["taskInbox"]["nodes"].as_array().unwrap().is_empty());
    let r = app.gql(Some(cast.t("resident")), "{ myReports(status: ACKNOWLEDGED) { nodes { id } } }", json!({})).await;
    assert_eq!(r.ok()["myReports"]["nodes"][0]["id"], made[0].as_str());
}

/// A dispatcher with 500 tickets filters on the server: by compound, category, overdue, supported and words of the
/// description, in the queue and in the inbox; a search is literal (`%` is a character) and never finds a text
/// under review; a search too long is refused.
#[tokio::test]
async fn queues_filter_on_the_server() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let ids = Demo::ids(&app).await;
    let made = |desc: &'static str| {
        let (app, cast) = (&app, &cast);
        async move {
            let id = submit(app, cast, json!({ "description": desc })).await;
            for m in ["acknowledgeReport", "dispatchReport"] {
                act(app, cast.t("head"), m, &id).await.ok();
            }
            id
        }
    };
    let noisy = made("电梯井里有异响，晚上特别明显").await;
    let plain = made("楼道灯不亮了，晚上看不清台阶").await;
    let percent = made("排水沟堵了100%，一下雨就积水").await;
    let review = made("REVIEW 楼下有人乱扔垃圾，异响不断").await;
    app.gql(Some(cast.t("neighbour")), "mutation($id: ID!) { supportReport(id: $id) { id } }", json!({ "id": plain })).await.ok();
    let mine = [&noisy, &plain, &percent, &review];

    let queue = |args: &'static str, who: &'static str, vars: Value| {
        let (app, cast) = (&app, &cast);
        async move {
            let list = if who == "staff" { "ticketQueue" } else { "taskInbox" };
            let decl = if args.contains("$c") { "($c: ID)" } else { "" };
            let q = format!("query{decl} {{ {list}(first: 100{args}) {{ nodes {{ id }} }} }}");
            let r = app.gql(Some(cast.t(who)), &q, vars).await;
            r.ok()[list]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    let ours = |got: Vec<String>| mine.iter().filter(|m| got.contains(m)).map(|m| m.to_string()).collect::<Vec<_>>();

    assert_eq!(ours(queue("", "staff", json!({})).await).len(), 4);
    assert_eq!(ours(queue(", search: \"异响\"", "staff", json!({})).await), [noisy.clone()], "a text under review is not searched");
    assert_eq!(ours(queue(", search: \"  100%  \"", "staff", json!({})).await), [percent.clone()]);
    assert!(ours(queue(", search: \"0%\"", "staff", json!({})).await).len() == 1);
    assert!(queue(", search: \"_\"", "staff", json!({})).await.is_empty(), "_ is a character, not a wildcard");
    assert_eq!(ours(queue(", supported: true", "staff", json!({})).await), [plain.clone()]);
    assert_eq!(ours(queue(", supported: false", "staff", json!({})).await).len(), 3);
    assert_eq!(ours(queue(", compound: $c", "staff", json!({ "c": ids.compound })).await).len(), 4);
    assert!(queue(", compound: $c", "staff", json!({ "c": ids.other_compound })).await.is_empty());
    assert_eq!(ours(queue(", category: $c", "staff", json!({ "c": cast.drain })).await).len(), 4);
    assert!(ours(queue(", category: $c", "staff", json!({ "c": cast.lift })).await).is_empty());
    // The inbox takes the same filters (the dispatched reports are in a head's inbox with status DISPATCHED).
    assert_eq!(ours(queue(", status: DISPATCHED, search: \"异响\"", "head", json!({})).await), [noisy.clone()]);
    assert_eq!(ours(queue(", status: DISPATCHED, supported: true", "area-head", json!({})).await), [plain.clone()]);

    // Overdue: none yet; past the company's due time, all four, before the timer job has even run.
    assert!(ours(queue(", overdue: true", "staff", json!({})).await).is_empty());
    app.state.clock.advance(chrono::Duration::days(30));
    assert_eq!(ours(queue(", overdue: true", "staff", json!({})).await).len(), 4);
    assert!(ours(queue(", overdue: false", "staff", json!({})).await).is_empty());

    let long = "堵".repeat(51);
    let r = app.gql(Some(cast.t("staff")), "query($s: String) { ticketQueue(search: $s) { nodes { id } } }", json!({ "s": long })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("search")));
    let r = app.gql(Some(cast.t("staff")), "{ ticketQueue(compound: \"nope\") { nodes { id } } }", json!({})).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
}

/// An inbox page with reporter, compound, category and last event costs one statement, for 5 reports as for 50:
/// roles, categories and compounds come from the process's caches, the reporter's name and the newest event's kind
/// and time from the report row, and a newest event shown in full or the reporter's phone is joined into that
/// statement.
#[tokio::test]
async fn an_inbox_page_costs_a_fixed_number_of_statements() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let cast = Cast::new(&app).await;
    for _ in 0..55 {
        submit(&app, &cast, json!({})).await;
    }
    // The reporter's name is on the report; their phone (which can change) is joined in when asked for.
    for (event, reporter) in [("kind at", "name"), ("kind at actorRole", "name"), ("kind at", "name phone")] {
        let q = format!(
            "query($n: Int!) {{ taskInbox(first: $n) {{ nodes {{ id status description reporter {{ {reporter} }} compound {{ name }}
            category {{ code nameZh }} lastEvent {{ {event} }} availableActions }} }} }}"
        );
        let mut counts = Vec::new();
        for n in [5, 50] {
            // Warm the caches so both runs start alike.
            app.gql(Some(cast.t("head")), &q, json!({ "n": 1 }))
                .await
                .ok();
            let (r, statements) = app.gql_counted(Some(cast.t("head")), &q, json!({ "n": n })).await;
            let nodes = r.ok()["taskInbox"]["nodes"].as_array().unwrap().clone();
            assert_eq!(nodes.len(), n as usize);
            for node in &nodes {
                // The rows land on the right reports.
                assert_eq!(node["lastEvent"]["kind"], "SUBMITTED", "{node}");
                assert!(node["lastEvent"]["at"].is_string(), "{node}");
                if event.contains("actorRole") {
                    assert_eq!(node["lastEvent"]["actorRole"], "REPORTER", "{node}");
                }
                assert_eq!(node["reporter"]["name"], "陈阿姨", "{node}");
                if reporter.contains("phone") {
                    assert!(node["reporter"].get("phone").is_some(), "{node}");
                }
                assert!(
                    !node["compound"]["name"].as_str().unwrap().is_empty(),
                    "{node}"
                );
            }
            counts.push(statements);
        }
        assert_eq!(
            counts,
            vec![1, 1],
            "statements for 5 and for 50 reports, with lastEvent {{ {event} }} and reporter {{ {reporter} }}"
        );
    }
}

/// The newest event's kind and time on a list (carried by the report row) move with every step and agree with the
/// event itself, whichever of its fields the client asks for.
#[tokio::test]
async fn the_newest_event_on_a_list_follows_each_step() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let id = submit(&app, &cast, json!({})).await;
    let short = "{ myReports(first: 1) { nodes { id lastEvent { id kind at } } } }";
    let full = "{ myReports(first: 1) { nodes { id lastEvent { id kind at actorRole note } } } }";
    let newest = |r: Gql| r.ok()["myReports"]["nodes"][0]["lastEvent"].clone();
    let first = newest(app.gql(Some(cast.t("resident")), short, json!({})).await);
    assert_eq!(first["kind"], "SUBMITTED");
    act(&app, cast.t("head"), "acknowledgeReport", &id)
        .await
        .ok();
    let s = newest(app.gql(Some(cast.t("resident")), short, json!({})).await);
    let f = newest(app.gql(Some(cast.t("resident")), full, json!({})).await);
    assert_eq!(s["kind"], "ACKNOWLEDGED");
    assert_ne!(s["id"], first["id"]);
    assert_eq!(
        (&s["id"], &s["kind"], &s["at"]),
        (&f["id"], &f["kind"], &f["at"]),
        "summary {s} against the event {f}"
    );
    assert_eq!(f["actorRole"], "NEIGHBOUR_HEAD");
    assert_eq!(f["note"], "ok");
    // The same through report(id).
    let r = app
        .gql(
            Some(cast.t("resident")),
            "query($id: ID!) { report(id: $id) { lastEvent { id kind at } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.ok()["report"]["lastEvent"], s);
}

#[tokio::test]
async fn district_admins_edit_categories() {
    let app = TestApp::demo().await;
    let cast = Cast::new(&app).await;
    let q = "mutation($id: ID!, $i: UpdateCategoryInput!) { updateCategory(id: $id, input: $i) { code ackHoursUrgent resolveHoursUrgent active } }";
    let r = app.gql(Some(cast.t("community-admin")), q, json!({ "id": cast.lift, "i": { "ackHoursUrgent": 2 } })).await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app.gql(Some(cast.t("admin")), q, json!({ "id": cast.lift, "i": { "ackHoursUrgent": 0 } })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("ackHoursUrgent")));
    let r = app.gql(Some(cast.t("admin")), q, json!({ "id": cast.lift, "i": { "ackHoursUrgent": 48 } })).await;
    assert_eq!(r.code(), "BAD_USER_INPUT", "acknowledging cannot take longer than resolving");
    let r = app.gql(Some(cast.t("admin")), q, json!({ "id": cast.lift, "i": { "ackHoursUrgent": 2, "active": false } })).await;
    assert_eq!(r.ok()["updateCategory"]["ackHoursUrgent"], 2);
    let cats = app.gql(Some(cast.t("resident")), "{ categories { code } }", json!({})).await;
    assert!(!cats.ok()["categories"].as_array().unwrap().iter().any(|c| c["code"] == "LIFT"), "inactive ones are not offered");
    let r = app
        .gql(Some(cast.t("resident")), SUBMIT, json!({ "i": { "categoryId": cast.lift, "description": "电梯坏了好几天" } }))
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn the_demo_district_has_reports_in_every_status() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    assert!(linli_tools::demo::load_if_empty(&app.state).await.unwrap());
    assert!(!linli_tools::demo::load_if_empty(&app.state).await.unwrap(), "loads once");
    let admin = app.login("community-admin").await;
    for status in ["SUBMITTED", "ACKNOWLEDGED", "DISPATCHED", "IN_PROGRESS", "RESOLVED", "CLOSED", "REJECTED", "DUPLICATE", "CANCELLED", "REOPENED"] {
        let r = app.gql(Some(&admin), &format!("{{ taskInbox(status: {status}, first: 100) {{ nodes {{ id }} }} }}"), json!({})).await;
        assert!(!r.ok()["taskInbox"]["nodes"].as_array().unwrap().is_empty(), "a {status} report");
    }
    let me = app.login("resident").await;
    let r = app.gql(Some(&me), "{ myReports(first: 50) { nodes { status supportCount timeline { nodes { kind } } } } }", json!({})).await;
    let mine = r.ok()["myReports"]["nodes"].as_array().unwrap().clone();
    // Six rounds of three walked through the lifecycle, and the four of the grid at work (the fifth is the
    // neighbour's).
    assert_eq!(mine.len(), 22);
    assert!(mine.iter().any(|n| n["supportCount"] == 5), "one with five supporters");
    let merged = mine.iter().any(|n| n["timeline"]["nodes"].as_array().unwrap().iter().any(|e| e["kind"] == "MERGED"));
    assert!(merged, "a merged pair");
    let group = app.login("group-head").await;
    let r = app.gql(Some(&group), "{ taskInbox(escalated: true) { nodes { escalation { level } } } }", json!({})).await;
    assert_eq!(r.ok()["taskInbox"]["nodes"][0]["escalation"]["level"], "GROUP_HEAD", "an overdue report at the group head");
    let ids = crate::common::Demo::ids(&app).await;
    let head = app.login("head").await;
    let q = "query($s: ID!) { overdueReports(scopeId: $s, state: NEAR_BREACH) { nodes { id } } }";
    let r = app.gql(Some(&head), q, json!({ "s": ids.neighbourhood })).await;
    assert_eq!(r.ok()["overdueReports"]["nodes"].as_array().unwrap().len(), 1, "one near breach");
}
