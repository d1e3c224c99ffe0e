//! Notifications: in-app for every event that concerns a user, subscribe messages through the transactional
//! outbox (quota, retries, 43101, 47003, one sender among replicas), all against the fake WeChat.
use sea_orm::ActiveEnum;
use serde_json::json;

use crate::common::TestApp;

const TEMPLATES: &str = r#"{
  "REPORT_ACKNOWLEDGED": {"templateId": "TPL_ACK", "page": "pages/report/detail", "data": {"thing1": "body", "phrase2": "status", "time3": "at"}},
  "NEW_TASK": {"templateId": "TPL_TASK", "data": {"thing1": "body", "date2": "body"}}
}"#;
const LIST: &str = "{ notifications { unreadCount nodes { id kind title body reportId read } } }";

async fn app() -> TestApp {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off"), ("LINLI_SUBSCRIBE_TEMPLATES", TEMPLATES)]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    app
}

async fn submit(app: &TestApp, token: &str) -> String {
    app.submit_drain_report(token, "厨房下水道堵了，水排不下去，已经三天了，请尽快派人来看看").await
}

async fn acknowledge(app: &TestApp, token: &str, id: &str) {
    let r = app.gql(Some(token), "mutation($id: ID!) { acknowledgeReport(id: $id) { status } }", json!({ "id": id })).await;
    assert_eq!(r.ok()["acknowledgeReport"]["status"], "ACKNOWLEDGED");
}

async fn outbox(app: &TestApp) -> Vec<entity::outbox::Model> {
    use sea_orm::{EntityTrait, QueryOrder};
    entity::outbox::Entity::find().order_by_asc(entity::outbox::Column::Id).all(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn events_notify_in_app_and_send_a_subscribe_message_when_there_is_quota() {
    let app = app().await;
    let (resident, head) = (app.login("resident").await, app.login("head").await);
    let id = submit(&app, &resident).await;
    // The head hears of the new report; the reporter is not told of their own act.
    let h = app.gql(Some(&head), LIST, json!({})).await;
    assert_eq!(h.ok()["notifications"]["unreadCount"], 1);
    assert_eq!(h.ok()["notifications"]["nodes"][0]["kind"], "NEW_TASK");
    assert_eq!(h.ok()["notifications"]["nodes"][0]["reportId"], id.as_str());
    assert_eq!(app.gql(Some(&resident), LIST, json!({})).await.ok()["notifications"]["unreadCount"], 0);
    assert!(outbox(&app).await.is_empty(), "the head accepted no template: in-app only");

    // The resident accepts the acknowledgement template once (in WeChat and with us).
    let q = app.gql(Some(&resident), "mutation { recordSubscriptions(templateIds: [\"TPL_ACK\"]) { templateId remaining } }", json!({})).await;
    assert_eq!(q.ok()["recordSubscriptions"], json!([{ "templateId": "TPL_ACK", "remaining": 1 }]));
    app.wechat.grant("dev:resident", "TPL_ACK", 1);
    acknowledge(&app, &head, &id).await;

    let r = app.gql(Some(&resident), LIST, json!({})).await;
    assert_eq!(r.ok()["notifications"]["unreadCount"], 1);
    assert_eq!(r.ok()["notifications"]["nodes"][0]["kind"], "REPORT_ACKNOWLEDGED");
    // The mutation did not wait on WeChat: the message sits in the outbox until the worker runs.
    assert!(app.wechat.sent().is_empty());
    assert_eq!(outbox(&app).await.len(), 1);
    assert_eq!(api::service::notify::deliver_due(&app.state).await.unwrap(), 1);
    let sent = app.wechat.sent();
    assert_eq!(sent.len(), 1);
    let m = &sent[0];
    assert_eq!((m["touser"].as_str(), m["template_id"].as_str()), (Some("dev:resident"), Some("TPL_ACK")));
    assert!(m["page"].as_str().unwrap().starts_with("pages/report/detail?id=rpt_"), "{m}");
    let thing = m["data"]["thing1"]["value"].as_str().unwrap();
    assert_eq!(thing.chars().count(), 20, "thing values are cut to 20 characters: {thing}");
    assert_eq!(m["data"]["phrase2"]["value"], "已受理");
    assert_eq!(outbox(&app).await[0].status.to_value(), "SENT");
    // Quota spent: the next event is in-app only.
    let q = app.gql(Some(&resident), "mutation { recordSubscriptions(templateIds: [\"TPL_ACK\"]) { remaining } }", json!({})).await;
    assert_eq!(q.ok()["recordSubscriptions"][0]["remaining"], 1, "0 left after the send, plus this accept");

    // Marking read: the resident's own ids only.
    let nid = r.ok()["notifications"]["nodes"][0]["id"].clone();
    let hid = h.ok()["notifications"]["nodes"][0]["id"].clone();
    let m = app.gql(Some(&resident), "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }", json!({ "ids": [nid, hid] })).await;
    assert_eq!(m.ok()["markNotificationsRead"], 0);
    assert_eq!(app.gql(Some(&head), LIST, json!({})).await.ok()["notifications"]["unreadCount"], 1, "not the resident's to mark");
    let unread = app.gql(Some(&head), "{ notifications(unreadOnly: true) { nodes { id } } }", json!({})).await;
    assert_eq!(unread.ok()["notifications"]["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(app.gql(Some(&head), "mutation { markAllNotificationsRead }", json!({})).await.ok()["markAllNotificationsRead"], 0);
}

#[tokio::test]
async fn unknown_templates_are_refused_and_nothing_is_recorded() {
    let app = app().await;
    let t = app.login("resident").await;
    let r = app.gql(Some(&t), "mutation { recordSubscriptions(templateIds: [\"TPL_ACK\", \"NOPE\"]) { remaining } }", json!({})).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("templateIds")));
    assert_eq!(app.count("subscription_quota").await, 0);
    assert_eq!(app.gql(None, "{ notifications { unreadCount } }", json!({})).await.code(), "UNAUTHENTICATED");
}

/// Two notifications with quota waiting in the outbox.
async fn two_messages(app: &TestApp) -> (String, String) {
    let (resident, head) = (app.login("resident").await, app.login("head").await);
    app.gql(Some(&resident), "mutation { recordSubscriptions(templateIds: [\"TPL_ACK\", \"TPL_ACK\"]) { remaining } }", json!({}))
        .await
        .ok();
    let (a, b) = (submit(app, &resident).await, submit(app, &resident).await);
    acknowledge(app, &head, &a).await;
    acknowledge(app, &head, &b).await;
    assert_eq!(outbox(app).await.len(), 2);
    (a, b)
}

#[tokio::test]
async fn busy_answers_are_retried_and_two_workers_send_each_message_once() {
    let app = app().await;
    two_messages(&app).await;
    app.wechat.grant("dev:resident", "TPL_ACK", 2);
    // The first message meets two -1 answers and is still delivered in this pass.
    app.wechat.fail_next_on("subscribe_send", &[-1, -1]);
    // Two replicas' workers at once.
    let (x, y) = tokio::join!(api::service::notify::deliver_due(&app.state), api::service::notify::deliver_due(&app.state));
    assert_eq!(x.unwrap() + y.unwrap(), 2);
    assert_eq!(app.wechat.sent().len(), 2, "each message sent once");
    assert_eq!(app.wechat.calls_of("subscribe_send"), 4, "two messages, two busy answers");
    assert!(outbox(&app).await.iter().all(|m| m.status.to_value() == "SENT"));
}

#[tokio::test]
async fn a_message_still_busy_is_rescheduled_then_delivered() {
    let app = app().await;
    let (resident, head) = (app.login("resident").await, app.login("head").await);
    app.gql(Some(&resident), "mutation { recordSubscriptions(templateIds: [\"TPL_ACK\"]) { remaining } }", json!({})).await.ok();
    app.wechat.grant("dev:resident", "TPL_ACK", 1);
    let id = submit(&app, &resident).await;
    acknowledge(&app, &head, &id).await;
    app.wechat.fail_next_on("subscribe_send", &[-1, -1, -1]);
    assert_eq!(api::service::notify::deliver_due(&app.state).await.unwrap(), 0);
    let m = &outbox(&app).await[0];
    assert_eq!((m.status.to_value().as_str(), m.attempts), ("PENDING", 1));
    assert!(m.next_at > chrono::Utc::now(), "backed off");
    // Not due yet: nothing is sent.
    assert_eq!(api::service::notify::deliver_due(&app.state).await.unwrap(), 0);
    make_due(&app).await;
    assert_eq!(api::service::notify::deliver_due(&app.state).await.unwrap(), 1);
    assert_eq!(app.wechat.sent().len(), 1);
}

#[tokio::test]
async fn quota_used_up_on_wechats_side_is_not_retried_and_a_bad_template_is_marked() {
    let app = app().await;
    two_messages(&app).await;
    // WeChat has no quota for this user (they never accepted there): 43101 once, no retry, quota spent here too.
    assert_eq!(api::service::notify::deliver_due(&app.state).await.unwrap(), 0);
    assert_eq!(app.wechat.calls_of("subscribe_send"), 2, "one call per message, no retries");
    let rows = outbox(&app).await;
    assert!(rows.iter().all(|m| m.status.to_value() == "NO_QUOTA"), "{rows:?}");
    make_due(&app).await;
    api::service::notify::deliver_due(&app.state).await.unwrap();
    assert_eq!(app.wechat.calls_of("subscribe_send"), 2, "never tried again");
    let q = app.gql(Some(&app.login("resident").await), "mutation { recordSubscriptions(templateIds: [\"TPL_ACK\"]) { remaining } }", json!({})).await;
    assert_eq!(q.ok()["recordSubscriptions"][0]["remaining"], 1, "the spent quota was set to 0 before this accept");

    // NEW_TASK's template maps a sentence into a date field: WeChat answers 47003, marked as misconfigured.
    let head = app.login("head").await;
    app.gql(Some(&head), "mutation { recordSubscriptions(templateIds: [\"TPL_TASK\"]) { remaining } }", json!({})).await.ok();
    app.wechat.grant("dev:head", "TPL_TASK", 1);
    submit(&app, &app.login("resident").await).await;
    api::service::notify::deliver_due(&app.state).await.unwrap();
    let last = outbox(&app).await.pop().unwrap();
    assert_eq!((last.template_id.as_str(), last.status.to_value().as_str()), ("TPL_TASK", "MISCONFIGURED"));
    assert!(app.wechat.sent().is_empty());
}

async fn make_due(app: &TestApp) {
    use sea_orm::{EntityTrait, sea_query::Expr};
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    entity::outbox::Entity::update_many()
        .col_expr(entity::outbox::Column::NextAt, Expr::value(past))
        .exec(&app.state.db)
        .await
        .unwrap();
}

