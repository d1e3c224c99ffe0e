//! Content safety through the fake WeChat: a risky text is refused and nothing is written; a text WeChat wants
//! reviewed is kept but hidden from other residents until a community admin approves it; when WeChat cannot be
//! reached the text is accepted, hidden the same way, and checked again later.
use serde_json::{Value, json};

use crate::common::{Demo, TestApp};

const SUBMIT: &str = "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id moderation } }";
const VIEW: &str = "query($id: ID!) { report(id: $id) { id description moderation
    comments { nodes { body moderation } } timeline { nodes { kind note moderation } } } }";
const QUEUE: &str = "{ moderationQueue { nodes { id kind text moderation reportId } } }";
const MODERATE: &str = "mutation($id: ID!, $ok: Boolean!) { moderateContent(id: $id, approve: $ok) }";

async fn submit(app: &TestApp, token: &str, description: &str) -> crate::common::Gql {
    let cat = app.category_id(token, "DRAIN").await;
    app.gql(Some(token), SUBMIT, json!({ "i": { "categoryId": cat, "description": description } })).await
}

#[tokio::test]
async fn a_risky_description_is_refused_and_nothing_is_written() {
    let app = TestApp::demo().await;
    let t = app.login("resident").await;
    let before = app.snapshot().await;
    let r = submit(&app, &t, "这是一段 RISKY 的违规内容").await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("description")));
    assert!(r.message().contains("违规"), "{}", r.message());
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.wechat.calls_of("msg_sec_check"), 1);
}

#[tokio::test]
async fn a_description_for_review_is_hidden_from_neighbours_until_an_admin_approves() {
    let app = TestApp::demo().await;
    let (resident, neighbour, head, admin) =
        (app.login("resident").await, app.login("neighbour").await, app.login("head").await, app.login("community-admin").await);
    let r = submit(&app, &resident, "楼下有人 REVIEW 需要人工看看").await;
    let id = r.ok()["submitReport"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.ok()["submitReport"]["moderation"], "REVIEW");

    // The reporter and the head see it; the neighbour does not (yet).
    assert_eq!(app.gql(Some(&resident), VIEW, json!({ "id": id })).await.ok()["report"]["moderation"], "REVIEW");
    assert_eq!(app.gql(Some(&head), VIEW, json!({ "id": id })).await.ok()["report"]["id"], id.as_str());
    assert_eq!(app.gql(Some(&neighbour), VIEW, json!({ "id": id })).await.code(), "NOT_FOUND");

    // It waits in the community admin's queue; heads and residents have none and may not decide.
    let q = app.gql(Some(&admin), QUEUE, json!({})).await;
    let items = q.ok()["moderationQueue"]["nodes"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!((items[0]["id"].as_str(), items[0]["kind"].as_str()), (Some(id.as_str()), Some("REPORT")));
    assert_eq!(app.gql(Some(&head), QUEUE, json!({})).await.code(), "FORBIDDEN");
    for who in [&head, &resident] {
        assert_eq!(app.gql(Some(who), MODERATE, json!({ "id": id, "ok": true })).await.code(), "FORBIDDEN");
    }
    // Those who may not see the text at all learn nothing of it, not even that it exists.
    assert_eq!(app.gql(Some(&neighbour), MODERATE, json!({ "id": id, "ok": true })).await.code(), "NOT_FOUND");
    let other = other_community_admin(&app).await;
    assert_eq!(app.gql(Some(&other), MODERATE, json!({ "id": id, "ok": true })).await.code(), "NOT_FOUND");
    assert_eq!(app.gql(Some(&neighbour), VIEW, json!({ "id": id })).await.code(), "NOT_FOUND", "refusals changed nothing");

    // Approved: everyone who may see the report sees it, and the queue is empty.
    assert_eq!(app.gql(Some(&admin), MODERATE, json!({ "id": id, "ok": true })).await.ok()["moderateContent"], "PASS");
    assert_eq!(app.gql(Some(&neighbour), VIEW, json!({ "id": id })).await.ok()["report"]["moderation"], "PASS");
    assert!(app.gql(Some(&admin), QUEUE, json!({})).await.ok()["moderationQueue"]["nodes"].as_array().unwrap().is_empty());
}

async fn other_community_admin(app: &TestApp) -> String {
    let ids = Demo::ids(app).await;
    let admin = app.login("admin").await;
    let (t, _, uid) = app.session("other-community-admin").await;
    app.gql(
        Some(&admin),
        "mutation($u: ID!, $s: ID!) { appoint(input: { userId: $u, role: COMMUNITY_ADMIN, scopeId: $s }) { id } }",
        json!({ "u": uid, "s": ids.other_community }),
    )
    .await
    .ok();
    t
}

#[tokio::test]
async fn comments_and_reasons_under_review_are_hidden_from_other_residents() {
    let app = TestApp::demo().await;
    let (resident, head, admin) = (app.login("resident").await, app.login("head").await, app.login("community-admin").await);
    let id = submit(&app, &resident, "厨房下水道堵了，水排不下去").await.ok()["submitReport"]["id"].as_str().unwrap().to_owned();
    // The head comments with a text WeChat wants reviewed.
    let c = app.gql(Some(&head), "mutation($id: ID!) { addComment(id: $id, body: \"REVIEW 这条需要看看\") { id moderation } }", json!({ "id": id })).await;
    assert_eq!(c.ok()["addComment"]["moderation"], "REVIEW");
    let comment = c.ok()["addComment"]["id"].as_str().unwrap().to_owned();
    // A risky reason is refused and the report does not move.
    let reject = "mutation($id: ID!, $r: String!) { rejectReport(id: $id, reason: $r) { status } }";
    let r = app.gql(Some(&head), reject, json!({ "id": id, "r": "RISKY 理由" })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("reason")));
    // A note for review is kept on the timeline, hidden from the reporter.
    let ack = "mutation($id: ID!) { acknowledgeReport(id: $id, note: \"REVIEW 马上来\") { status } }";
    assert_eq!(app.gql(Some(&head), ack, json!({ "id": id })).await.ok()["acknowledgeReport"]["status"], "ACKNOWLEDGED");

    let seen = |v: &Value| {
        let comments: Vec<String> = v["report"]["comments"]["nodes"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap().to_owned()).collect();
        let note = v["report"]["timeline"]["nodes"].as_array().unwrap().iter().find(|e| e["kind"] == "ACKNOWLEDGED").unwrap()["note"].clone();
        (comments, note)
    };
    let as_reporter = app.gql(Some(&resident), VIEW, json!({ "id": id })).await;
    assert_eq!(seen(as_reporter.ok()), (vec![], Value::Null), "the reporter sees neither yet");
    let as_head = app.gql(Some(&head), VIEW, json!({ "id": id })).await;
    assert_eq!(seen(as_head.ok()), (vec!["REVIEW 这条需要看看".to_owned()], json!("REVIEW 马上来")));
    let as_admin = app.gql(Some(&admin), VIEW, json!({ "id": id })).await;
    assert_eq!(seen(as_admin.ok()).0.len(), 1);

    // Both wait in the queue; the admin approves the comment and rejects the note.
    let q = app.gql(Some(&admin), QUEUE, json!({})).await;
    let items = q.ok()["moderationQueue"]["nodes"].as_array().unwrap().clone();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["COMMENT", "EVENT"]);
    app.gql(Some(&admin), MODERATE, json!({ "id": comment, "ok": true })).await.ok();
    app.gql(Some(&admin), MODERATE, json!({ "id": items[1]["id"], "ok": false })).await.ok();
    let as_reporter = app.gql(Some(&resident), VIEW, json!({ "id": id })).await;
    assert_eq!(seen(as_reporter.ok()), (vec!["REVIEW 这条需要看看".to_owned()], Value::Null));
}

#[tokio::test]
async fn when_wechat_is_unreachable_text_is_accepted_and_checked_later() {
    let app = TestApp::demo().await;
    let (resident, neighbour) = (app.login("resident").await, app.login("neighbour").await);
    // Busy on every try of this call (the first try and its two retries).
    app.wechat.fail_next_on("msg_sec_check", &[-1, -1, -1]);
    let r = submit(&app, &resident, "楼道灯坏了，晚上回家很不方便").await;
    assert_eq!(r.ok()["submitReport"]["moderation"], "PENDING");
    let id = r.ok()["submitReport"]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.count("content_check").await, 1);
    assert_eq!(app.gql(Some(&neighbour), VIEW, json!({ "id": id })).await.code(), "NOT_FOUND");

    // Not due yet: nothing happens. Once due, the job checks it and it passes.
    assert_eq!(api::service::content::recheck_due(&app.state).await.unwrap(), 0);
    make_due(&app).await;
    assert_eq!(api::service::content::recheck_due(&app.state).await.unwrap(), 1);
    assert_eq!(app.count("content_check").await, 0);
    assert_eq!(app.gql(Some(&neighbour), VIEW, json!({ "id": id })).await.ok()["report"]["moderation"], "PASS");

    // A text found risky on the later check is hidden from everyone but its author and the admins.
    app.wechat.fail_next_on("msg_sec_check", &[-1, -1, -1]);
    let id2 = submit(&app, &resident, "后来才查出 RISKY 的内容").await.ok()["submitReport"]["id"].as_str().unwrap().to_owned();
    make_due(&app).await;
    // Two replicas' jobs at once: the row is checked once.
    let (a, b) = tokio::join!(api::service::content::recheck_due(&app.state), api::service::content::recheck_due(&app.state));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(app.gql(Some(&resident), VIEW, json!({ "id": id2 })).await.ok()["report"]["moderation"], "REJECTED");
    assert_eq!(app.gql(Some(&neighbour), VIEW, json!({ "id": id2 })).await.code(), "NOT_FOUND");
}

async fn make_due(app: &TestApp) {
    use sea_orm::{EntityTrait, sea_query::Expr};
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    entity::content_check::Entity::update_many()
        .col_expr(entity::content_check::Column::NextAt, Expr::value(past))
        .exec(&app.state.db)
        .await
        .unwrap();
}
