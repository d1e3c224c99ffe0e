//! Residences: requested by residents, verified or rejected by the right head or a community admin only.
use serde_json::json;

use crate::common::{Demo, TestApp};

const REQUEST: &str = "mutation($b: ID!, $u: Int!, $r: String!) { requestResidence(buildingId: $b, unit: $u, room: $r) { id status neighbourhood { id } community { name } } }";
const VERIFY: &str = "mutation($i: ID!) { verifyResidence(id: $i) { id status } }";
const REJECT: &str = "mutation($i: ID!, $r: String!) { rejectResidence(id: $i, reason: $r) { id status rejectReason } }";

#[tokio::test]
async fn the_right_head_verifies_and_others_are_refused() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let newcomer = app.login("newcomer").await;

    let r = app.gql(Some(&newcomer), REQUEST, json!({ "b": ids.building, "u": 1, "r": "301" })).await;
    let res = r.ok()["requestResidence"].clone();
    assert_eq!(res["status"], "PENDING");
    assert_eq!(res["neighbourhood"]["id"], ids.neighbourhood.as_str(), "unit 1 of building 1 is dev:head's");
    assert_eq!(res["community"]["name"], "幸福社区");
    let id = res["id"].as_str().unwrap().to_owned();

    // The pending list of the head shows it, oldest first.
    let head = app.login("head").await;
    let pending = app
        .gql(Some(&head), "query($n: ID!) { residences(scopeId: $n, status: PENDING) { nodes { id room user { nickname } } } }", json!({ "n": ids.neighbourhood }))
        .await;
    assert_eq!(pending.ok()["residences"]["nodes"][0]["id"], id.as_str());

    // Refused: the resident themself, a neighbour, another neighbourhood's head, the group head (not a verifier),
    // the staff, and an admin of another community.
    let (other_admin, _, other_admin_id) = app.session("other-admin").await;
    let admin = app.login("admin").await;
    app.gql(
        Some(&admin),
        "mutation($u: ID!, $s: ID!) { appoint(input: { userId: $u, role: COMMUNITY_ADMIN, scopeId: $s }) { id } }",
        json!({ "u": other_admin_id, "s": ids.other_community }),
    )
    .await
    .ok();
    let other_head = app.login("head-0-1-2").await;
    for (who, token) in [
        ("the requester", newcomer.clone()),
        ("a neighbour", app.login("neighbour").await),
        ("another neighbourhood's head", other_head),
        ("the staff", app.login("staff").await),
        ("another community's admin", other_admin),
    ] {
        let before = app.snapshot().await;
        let r = app.gql(Some(&token), VERIFY, json!({ "i": id })).await;
        assert!(["FORBIDDEN", "NOT_FOUND"].contains(&r.code()), "{who}: {}", r.code());
        assert_eq!(app.snapshot().await, before, "{who}");
    }
    let check = app.gql(Some(&newcomer), "{ me { residences { status } } }", json!({})).await;
    assert_eq!(check.ok()["me"]["residences"][0]["status"], "PENDING");

    let r = app.gql(Some(&head), VERIFY, json!({ "i": id })).await;
    assert_eq!(r.ok()["verifyResidence"]["status"], "VERIFIED");
    let r = app.gql(Some(&head), VERIFY, json!({ "i": id })).await;
    assert_eq!(r.code(), "CONFLICT", "already reviewed");
    let check = app.gql(Some(&newcomer), "{ me { residences { status building { name } unit room } } }", json!({})).await;
    assert_eq!(check.ok()["me"]["residences"][0]["status"], "VERIFIED");
}

#[tokio::test]
async fn a_community_admin_rejects_with_a_reason() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let newcomer = app.login("newcomer").await;
    let r = app.gql(Some(&newcomer), REQUEST, json!({ "b": ids.building, "u": 2, "r": "502" })).await;
    let id = r.ok()["requestResidence"]["id"].as_str().unwrap().to_owned();
    let admin = app.login("community-admin").await;
    let r = app.gql(Some(&admin), REJECT, json!({ "i": id, "r": "" })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("reason")));
    let r = app.gql(Some(&admin), REJECT, json!({ "i": id, "r": "该房号不存在" })).await;
    assert_eq!(r.ok()["rejectResidence"]["rejectReason"], "该房号不存在");
    // After a rejection the resident may ask again.
    app.gql(Some(&newcomer), REQUEST, json!({ "b": ids.building, "u": 2, "r": "502" })).await.ok();
}

#[tokio::test]
async fn bad_requests_write_nothing() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let newcomer = app.login("newcomer").await;
    app.gql(Some(&newcomer), REQUEST, json!({ "b": ids.building, "u": 1, "r": "301" })).await.ok();
    let before = app.snapshot().await;
    let cases = [
        (json!({ "b": ids.building, "u": 1, "r": "301" }), "CONFLICT", None),
        (json!({ "b": ids.building, "u": 3, "r": "301" }), "BAD_USER_INPUT", Some("unit")),
        (json!({ "b": ids.building, "u": 1, "r": "" }), "BAD_USER_INPUT", Some("room")),
        (json!({ "b": ids.building, "u": 1, "r": "3".repeat(17) }), "BAD_USER_INPUT", Some("room")),
        (json!({ "b": ids.building, "u": 1, "r": "<script>" }), "BAD_USER_INPUT", Some("room")),
        (json!({ "b": ids.compound, "u": 1, "r": "301" }), "BAD_USER_INPUT", Some("buildingId")),
        (json!({ "b": "bld_not-an-id", "u": 1, "r": "301" }), "BAD_USER_INPUT", Some("buildingId")),
        (json!({ "b": "bld_0190a0b27c1a70008000000000000000", "u": 1, "r": "301" }), "NOT_FOUND", None),
    ];
    for (vars, code, field) in cases {
        let r = app.gql(Some(&newcomer), REQUEST, vars.clone()).await;
        assert_eq!(r.code(), code, "{vars}");
        if field.is_some() {
            assert_eq!(r.field(), field, "{vars}");
        }
    }
    let r = app.gql(None, REQUEST, json!({ "b": ids.building, "u": 1, "r": "999" })).await;
    assert_eq!(r.code(), "UNAUTHENTICATED");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_verify_and_a_reject_at_once_leave_one_decision() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let newcomer = app.login("newcomer").await;
    let r = app.gql(Some(&newcomer), REQUEST, json!({ "b": ids.building, "u": 1, "r": "401" })).await;
    let id = r.ok()["requestResidence"]["id"].as_str().unwrap().to_owned();
    let head = app.login("head").await;
    let admin = app.login("community-admin").await;
    let app = &app;
    let mut calls = Vec::new();
    for i in 0..10 {
        let (token, q, vars) = if i % 2 == 0 {
            (head.clone(), VERIFY, json!({ "i": id }))
        } else {
            (admin.clone(), REJECT, json!({ "i": id, "r": "重复登记" }))
        };
        calls.push(async move { app.gql(Some(&token), q, vars).await });
    }
    let results = futures::future::join_all(calls).await;
    assert_eq!(results.iter().filter(|r| r.errors.is_empty()).count(), 1, "{results:#?}");
    assert!(results.iter().filter(|r| !r.errors.is_empty()).all(|r| r.code() == "CONFLICT"));
}

#[tokio::test]
async fn residences_are_visible_only_to_their_owner_and_reviewers() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let newcomer = app.login("newcomer").await;
    let r = app.gql(Some(&newcomer), REQUEST, json!({ "b": ids.building, "u": 1, "r": "601" })).await;
    let id = r.ok()["requestResidence"]["id"].as_str().unwrap().to_owned();
    let node = "query($i: ID!) { node(id: $i) { id ... on Residence { room } } }";
    for who in ["newcomer", "head", "community-admin", "admin"] {
        let t = app.login(who).await;
        assert_eq!(app.gql(Some(&t), node, json!({ "i": id })).await.ok()["node"]["room"], "601", "{who}");
    }
    for who in ["neighbour", "resident", "staff", "head-0-1-2"] {
        let t = app.login(who).await;
        assert_eq!(app.gql(Some(&t), node, json!({ "i": id })).await.code(), "NOT_FOUND", "{who}");
    }
    // Listing another neighbourhood's residences is refused.
    let other_head = app.login("head-0-1-2").await;
    let r = app
        .gql(Some(&other_head), "query($n: ID!) { residences(scopeId: $n) { nodes { id } } }", json!({ "n": ids.neighbourhood }))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
}

/// An admin finds the person to appoint among the community's residents: by any part of the nickname, or by the
/// whole bound phone, never by part of a phone; the search stays in the admin's scope.
#[tokio::test]
async fn an_admin_finds_a_resident_by_nickname_or_whole_phone() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let newcomer = app.login("newcomer-zhang").await;
    app.gql(Some(&newcomer), "mutation { bindPhone(code: \"dev:13922223333\") { phone } }", json!({})).await.ok();
    let r = app.gql(Some(&newcomer), REQUEST, json!({ "b": ids.building, "u": 1, "r": "502" })).await;
    let id = r.ok()["requestResidence"]["id"].as_str().unwrap().to_owned();
    let admin = app.login("community-admin").await;
    let q = "query($s: ID!, $q: String) { residences(scopeId: $s, search: $q, first: 50) { nodes { id user { nickname } } } }";
    let find = |token: String, scope: String, text: &'static str| {
        let app = &app;
        async move {
            let r = app.gql(Some(&token), q, json!({ "s": scope, "q": text })).await;
            r.ok()["residences"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    let all = find(admin.clone(), ids.community.clone(), "").await;
    assert!(all.len() > 1 && all.contains(&id), "a blank search lists everyone");
    assert_eq!(find(admin.clone(), ids.community.clone(), "newcomer-zh").await, [id.clone()]);
    assert_eq!(find(admin.clone(), ids.community.clone(), "NEWCOMER-ZHANG").await, [id.clone()], "case does not matter");
    assert_eq!(find(admin.clone(), ids.community.clone(), " 13922223333 ").await, [id.clone()]);
    assert!(find(admin.clone(), ids.community.clone(), "1392222333").await.is_empty(), "no part of a phone");
    assert!(find(admin.clone(), ids.community.clone(), "3333").await.is_empty(), "no part of a phone");
    // Another community's admin, or a head outside the neighbourhood, cannot search this community.
    let (other_admin, _, other_admin_id) = app.session("other-admin").await;
    let district = app.login("admin").await;
    app.gql(
        Some(&district),
        "mutation($u: ID!, $s: ID!) { appoint(input: { userId: $u, role: COMMUNITY_ADMIN, scopeId: $s }) { id } }",
        json!({ "u": other_admin_id, "s": ids.other_community }),
    )
    .await
    .ok();
    let r = app.gql(Some(&other_admin), q, json!({ "s": ids.community, "q": "newcomer" })).await;
    assert!(["FORBIDDEN", "NOT_FOUND"].contains(&r.code()), "{}", r.code());
    let r = app.gql(Some(&admin), q, json!({ "s": ids.community, "q": "长".repeat(51) })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("search")));
}
