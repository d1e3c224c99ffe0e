//! Incentives with real concurrency: stock, idempotency, balances that never go negative, per-person limits,
//! eligibility, one-time verification at the merchant, cancellation and expiry that give points and stock back,
//! and points for work awarded once.
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use api::ids::{Kind, decode};
use crate::common::{Demo, Gql, TestApp};

const REDEEM: &str = "mutation($p: ID!, $k: String!) { redeemPackage(packageId: $p, idempotencyKey: $k) { id code status points qrPayload } }";
const VERIFY: &str = "mutation($c: String!) { verifyRedemption(code: $c) { id status } }";
const CANCEL: &str = "mutation($id: ID!) { cancelRedemption(id: $id) { id status } }";
const POINTS: &str = "{ myPoints { balance earned spent ledger { nodes { delta reason balanceAfter } } } }";

struct World {
    app: TestApp,
    demo: Demo,
    admin: String,
    merchant: String,
    staff: Vec<String>,
    other_staff: String,
}

async fn world() -> World {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let demo = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let reg = "mutation($s: ID!, $n: String!) { registerMerchant(scopeId: $s, name: $n, address: \"幸福路 8 号\") { id } }";
    let m = app.gql(Some(&admin), reg, json!({ "s": demo.district, "n": "社区超市" })).await;
    let merchant = m.ok()["registerMerchant"]["id"].as_str().unwrap().to_owned();
    let m2 = app.gql(Some(&admin), reg, json!({ "s": demo.district, "n": "理发店" })).await;
    let other = m2.ok()["registerMerchant"]["id"].as_str().unwrap().to_owned();
    let appoint = "mutation($u: ID!, $s: ID!) { appoint(input: { userId: $u, role: MERCHANT_STAFF, scopeId: $s }) { id } }";
    let mut staff = Vec::new();
    for (name, scope) in [("clerk-1", &merchant), ("clerk-2", &merchant), ("barber", &other)] {
        let (t, _, uid) = app.session(name).await;
        app.gql(Some(&admin), appoint, json!({ "u": uid, "s": scope })).await.ok();
        staff.push(t);
    }
    let other_staff = staff.pop().unwrap();
    World { app, demo, admin, merchant, staff, other_staff }
}

/// `n` neighbour heads of fresh neighbourhoods in the demo group, each with `points`: (token, user id).
async fn heads(w: &World, n: usize, points: i32) -> Vec<(String, Uuid)> {
    let group = decode(&w.demo.group, Kind::Group, "g").unwrap();
    let compound = decode(&w.demo.compound, Kind::Compound, "c").unwrap();
    let mut out = Vec::new();
    for i in 0..n {
        let (t, uid) = w.app.neighbour_head(&format!("vh-{i}"), group, compound, Utc::now() - Duration::minutes(1)).await;
        if points > 0 {
            api::service::incentives::points::award(&w.app.state.db, uid, api::service::incentives::points::Reason::VoteWin, Uuid::now_v7(), points).await.unwrap();
        }
        out.push((t, uid));
    }
    out
}

async fn package(w: &World, extra: Value) -> String {
    let mut input = json!({
        "title": "三长专属理发券", "description": "凭码到店免费理发一次", "merchantId": w.merchant, "costPoints": 10,
        "totalStock": 50, "perPersonLimit": 1, "eligibleRoles": ["NEIGHBOUR_HEAD"],
        "validUntil": (Utc::now() + Duration::days(30)).to_rfc3339(), "scopeId": w.demo.district, "activate": true,
    });
    input.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    let r = w.app.gql(Some(&w.admin), "mutation($i: CreatePackageInput!) { createIncentivePackage(input: $i) { id } }", json!({ "i": input })).await;
    r.ok()["createIncentivePackage"]["id"].as_str().unwrap().to_owned()
}

async fn stock(w: &World, id: &str) -> i32 {
    let id = decode(id, Kind::Package, "p").unwrap();
    entity::incentive_package::Entity::find_by_id(id).one(&w.app.state.db).await.unwrap().unwrap().remaining_stock
}

async fn balance(w: &World, token: &str) -> i64 {
    w.app.gql(Some(token), POINTS, json!({})).await.ok()["myPoints"]["balance"].as_i64().unwrap()
}

async fn redemption_entries(w: &World) -> usize {
    entity::points_entry::Entity::find()
        .filter(entity::points_entry::Column::Reason.eq("REDEMPTION"))
        .all(&w.app.state.db)
        .await
        .unwrap()
        .len()
}

fn codes(answers: &[Gql]) -> Vec<String> {
    answers.iter().map(|a| if a.errors.is_empty() { "OK".to_owned() } else { a.code().to_owned() }).collect()
}

#[tokio::test]
async fn two_hundred_heads_race_for_fifty() {
    let w = world().await;
    let hs = heads(&w, 200, 10).await;
    let p = package(&w, json!({})).await;
    let app = &w.app;
    let answers = futures::future::join_all(
        hs.iter().enumerate().map(|(i, (t, _))| {
            let p = p.clone();
            async move { app.gql(Some(t), REDEEM, json!({ "p": p, "k": format!("k-{i}") })).await }
        }),
    )
    .await;
    let c = codes(&answers);
    assert_eq!(c.iter().filter(|c| *c == "OK").count(), 50, "{c:?}");
    assert_eq!(c.iter().filter(|c| *c == "SOLD_OUT").count(), 150, "{c:?}");
    assert_eq!(stock(&w, &p).await, 0);
    assert_eq!(redemption_entries(&w).await, 50, "points debited exactly 50 times");
    let accounts = entity::points_account::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(accounts.iter().map(|a| a.balance).sum::<i32>(), 150 * 10);
    assert!(accounts.iter().all(|a| a.balance >= 0));
}

#[tokio::test]
async fn the_same_key_ten_times_at_once_is_one_redemption() {
    let w = world().await;
    let hs = heads(&w, 1, 100).await;
    let p = package(&w, json!({ "perPersonLimit": 5 })).await;
    let (t, app) = (&hs[0].0, &w.app);
    let answers = futures::future::join_all((0..10).map(|_| {
        let p = p.clone();
        async move { app.gql(Some(t), REDEEM, json!({ "p": p, "k": "same-key" })).await }
    }))
    .await;
    let ids: Vec<Value> = answers.iter().map(|a| a.ok()["redeemPackage"].clone()).collect();
    assert!(ids.iter().all(|r| *r == ids[0]), "the same answer to all ten: {ids:?}");
    assert_eq!(app.count("redemption").await, 1);
    assert_eq!(balance(&w, t).await, 90);
    assert_eq!(stock(&w, &p).await, 49);
    // The key names this redemption: reusing it for another package is a mistake, not a new redemption.
    let other = package(&w, json!({})).await;
    let r = app.gql(Some(t), REDEEM, json!({ "p": other, "k": "same-key" })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("idempotencyKey")));
}

#[tokio::test]
async fn a_head_with_points_for_three_gets_exactly_three() {
    let w = world().await;
    let hs = heads(&w, 1, 30).await;
    let p = package(&w, json!({ "perPersonLimit": 10, "totalStock": 100 })).await;
    let (t, app) = (&hs[0].0, &w.app);
    let answers = futures::future::join_all((0..8).map(|i| {
        let p = p.clone();
        async move { app.gql(Some(t), REDEEM, json!({ "p": p, "k": format!("k-{i}") })).await }
    }))
    .await;
    let c = codes(&answers);
    assert_eq!(c.iter().filter(|c| *c == "OK").count(), 3, "{c:?}");
    assert_eq!(c.iter().filter(|c| *c == "INSUFFICIENT_POINTS").count(), 5, "{c:?}");
    let pts = app.gql(Some(t), POINTS, json!({})).await;
    assert_eq!(pts.ok()["myPoints"]["balance"], 0);
    assert_eq!(pts.ok()["myPoints"]["spent"], 30);
    let after: Vec<i64> = pts.ok()["myPoints"]["ledger"]["nodes"].as_array().unwrap().iter().map(|e| e["balanceAfter"].as_i64().unwrap()).collect();
    assert!(after.iter().all(|b| *b >= 0), "never below zero: {after:?}");
    assert_eq!(stock(&w, &p).await, 97);
}

#[tokio::test]
async fn limit_role_ended_and_window_each_have_their_code_and_change_nothing() {
    let w = world().await;
    let hs = heads(&w, 1, 100).await;
    let (t, app) = (&hs[0].0, &w.app);
    let p = package(&w, json!({})).await;
    app.gql(Some(t), REDEEM, json!({ "p": p, "k": "first" })).await.ok();
    let check = |r: Gql, code: &'static str| async move {
        assert_eq!(r.code(), code, "{:?}", r.errors);
    };
    check(app.gql(Some(t), REDEEM, json!({ "p": p, "k": "second" })).await, "LIMIT_REACHED").await;
    let area_only = package(&w, json!({ "eligibleRoles": ["AREA_HEAD"] })).await;
    check(app.gql(Some(t), REDEEM, json!({ "p": area_only, "k": "a" })).await, "NOT_ELIGIBLE").await;
    let ended = package(&w, json!({})).await;
    let set = "mutation($id: ID!) { setIncentivePackageStatus(id: $id, status: ENDED) { status } }";
    assert_eq!(app.gql(Some(&w.admin), set, json!({ "id": ended })).await.ok()["setIncentivePackageStatus"]["status"], "ENDED");
    check(app.gql(Some(t), REDEEM, json!({ "p": ended, "k": "e" })).await, "PACKAGE_ENDED").await;
    let expired = package(&w, json!({})).await;
    entity::incentive_package::Entity::update_many()
        .col_expr(entity::incentive_package::Column::ValidUntil, Expr::value(Utc::now() - Duration::hours(1)))
        .filter(entity::incentive_package::Column::Id.eq(decode(&expired, Kind::Package, "p").unwrap()))
        .exec(&app.state.db)
        .await
        .unwrap();
    check(app.gql(Some(t), REDEEM, json!({ "p": expired, "k": "x" })).await, "OUTSIDE_VALIDITY").await;
    // Only the first redemption happened.
    assert_eq!(balance(&w, t).await, 90);
    assert_eq!(app.count("redemption").await, 1);
    for id in [&area_only, &ended, &expired] {
        assert_eq!(stock(&w, id).await, 50);
    }
    // The list says why.
    let list = app.gql(Some(t), "{ incentivePackages { nodes { id redeemable notRedeemableReason remainingStock } } }", json!({})).await;
    let nodes = list.ok()["incentivePackages"]["nodes"].as_array().unwrap().clone();
    let reason = |id: &str| nodes.iter().find(|n| n["id"] == id).map(|n| n["notRedeemableReason"].clone());
    assert_eq!(reason(&p), Some(json!("LIMIT_REACHED")));
    assert_eq!(reason(&area_only), Some(json!("NOT_ELIGIBLE")));
    assert_eq!(reason(&ended), None, "ended packages are not offered");
    // Only admins over the scope create packages.
    let resident = app.login("resident").await;
    let r = app.gql(Some(&resident), "mutation($i: CreatePackageInput!) { createIncentivePackage(input: $i) { id } }", json!({ "i": {
        "title": "x", "merchantId": w.merchant, "costPoints": 0, "totalStock": 1, "eligibleRoles": ["NEIGHBOUR_HEAD"],
        "validUntil": (Utc::now() + Duration::days(1)).to_rfc3339(), "scopeId": w.demo.district } })).await;
    assert_eq!(r.code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_code_is_used_once_and_only_at_its_merchant() {
    let w = world().await;
    let hs = heads(&w, 1, 100).await;
    let (t, app) = (&hs[0].0, &w.app);
    let p = package(&w, json!({})).await;
    let r = app.gql(Some(t), REDEEM, json!({ "p": p, "k": "v" })).await;
    let code = r.ok()["redeemPackage"]["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 9, "read out in two groups: {code}");
    // Another merchant's staff, and a resident, are refused; nothing changes.
    assert_eq!(app.gql(Some(&w.other_staff), VERIFY, json!({ "c": code })).await.code(), "NOT_FOUND");
    assert_eq!(app.gql(Some(&app.login("resident").await), VERIFY, json!({ "c": code })).await.code(), "FORBIDDEN");
    // Two clerks at once, one typing it in lower case without the hyphen.
    let typed = code.replace('-', "").to_lowercase();
    let (a, b) = tokio::join!(
        app.gql(Some(&w.staff[0]), VERIFY, json!({ "c": code })),
        app.gql(Some(&w.staff[1]), VERIFY, json!({ "c": typed }))
    );
    let mut c = codes(&[a, b]);
    c.sort();
    assert_eq!(c, vec!["CONFLICT", "OK"]);
    // Used: it cannot be cancelled for points back.
    let id = r.ok()["redeemPackage"]["id"].clone();
    assert_eq!(app.gql(Some(t), CANCEL, json!({ "id": id })).await.code(), "CONFLICT");
    assert_eq!(balance(&w, t).await, 90);
}

#[tokio::test]
async fn cancelling_and_expiring_give_points_and_stock_back_once() {
    let w = world().await;
    let hs = heads(&w, 2, 100).await;
    let app = &w.app;
    let p = package(&w, json!({ "perPersonLimit": 3 })).await;
    let r = app.gql(Some(&hs[0].0), REDEEM, json!({ "p": p, "k": "c" })).await;
    let id = r.ok()["redeemPackage"]["id"].clone();
    // Someone else cannot cancel it (nor learn it exists).
    assert_eq!(app.gql(Some(&hs[1].0), CANCEL, json!({ "id": id })).await.code(), "NOT_FOUND");
    let (a, b) = tokio::join!(app.gql(Some(&hs[0].0), CANCEL, json!({ "id": id })), app.gql(Some(&hs[0].0), CANCEL, json!({ "id": id })));
    let mut c = codes(&[a, b]);
    c.sort();
    assert_eq!(c, vec!["CONFLICT", "OK"]);
    assert_eq!(balance(&w, &hs[0].0).await, 100);
    assert_eq!(stock(&w, &p).await, 50);

    // An issued code past its time is released by the job, once even with two replicas.
    app.gql(Some(&hs[1].0), REDEEM, json!({ "p": p, "k": "e" })).await.ok();
    assert_eq!(stock(&w, &p).await, 49);
    entity::redemption::Entity::update_many()
        .col_expr(entity::redemption::Column::ExpiresAt, Expr::value(Utc::now() - Duration::minutes(1)))
        .filter(entity::redemption::Column::Status.eq("ISSUED"))
        .exec(&app.state.db)
        .await
        .unwrap();
    let (x, y) = tokio::join!(api::service::incentives::expire_due(&app.state), api::service::incentives::expire_due(&app.state));
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(balance(&w, &hs[1].0).await, 100);
    assert_eq!(stock(&w, &p).await, 50);
    let mine = app.gql(Some(&hs[1].0), "{ myRedemptions(status: \"EXPIRED\") { nodes { status } } }", json!({})).await;
    assert_eq!(mine.ok()["myRedemptions"]["nodes"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn points_for_work_are_awarded_once_even_when_the_event_is_retried() {
    let w = world().await;
    let app = &w.app;
    let (resident, head) = (app.login("resident").await, app.login("head").await);
    let id = app.submit_drain_report(&resident, "厨房下水道堵了，水排不下去").await;
    // The head's acknowledge is sent five times at once (a flaky connection retrying): one wins, one award.
    let ack = "mutation($id: ID!) { acknowledgeReport(id: $id) { status } }";
    let answers = futures::future::join_all((0..5).map(|_| app.gql(Some(&head), ack, json!({ "id": id })))).await;
    assert_eq!(codes(&answers).iter().filter(|c| *c == "OK").count(), 1);
    let pts = app.gql(Some(&head), POINTS, json!({})).await;
    assert_eq!(pts.ok()["myPoints"]["balance"], 2);
    assert_eq!(pts.ok()["myPoints"]["ledger"]["nodes"], json!([{ "delta": 2, "reason": "ACK_IN_SLA", "balanceAfter": 2 }]));
    // Fixed by the head and confirmed with five stars: the confirmation and the rating earn once each.
    app.gql(Some(&head), "mutation($id: ID!) { resolveReport(id: $id) { status } }", json!({ "id": id })).await.ok();
    let confirm = "mutation($id: ID!) { confirmResolution(id: $id, rating: 5) { status } }";
    let answers = futures::future::join_all((0..3).map(|_| app.gql(Some(&resident), confirm, json!({ "id": id })))).await;
    assert_eq!(codes(&answers).iter().filter(|c| *c == "OK").count(), 1);
    assert_eq!(balance(&w, &head).await, 2 + 5 + 3);
    assert_eq!(balance(&w, &resident).await, 0, "residents earn nothing for reporting");
}

#[tokio::test]
async fn an_award_or_refund_for_the_same_source_twice_changes_nothing_the_second_time() {
    // Found by the benchmark: re-awarding an existing entry must neither fail nor move the balance (the event that
    // earns it may come round again, e.g. a report acknowledged anew).
    let w = world().await;
    let hs = heads(&w, 1, 0).await;
    let (t, uid) = (&hs[0].0, hs[0].1);
    let db = &w.app.state.db;
    let source = Uuid::now_v7();
    use api::service::incentives::points;
    assert!(points::award(db, uid, points::Reason::AckInSla, source, 2).await.unwrap());
    assert!(!points::award(db, uid, points::Reason::AckInSla, source, 2).await.unwrap());
    assert_eq!(balance(&w, t).await, 2);
    points::refund(db, uid, source, 5).await.unwrap();
    points::refund(db, uid, source, 5).await.unwrap();
    assert_eq!(balance(&w, t).await, 7);
    let pts = w.app.gql(Some(t), POINTS, json!({})).await;
    assert_eq!(pts.ok()["myPoints"]["earned"], 2);
    assert_eq!(pts.ok()["myPoints"]["ledger"]["nodes"].as_array().unwrap().len(), 2);
}

/// An acknowledgement reads the category's SLA inside its own transaction. With the category cache just expired
/// and every pooled connection held by such transactions (here: a pool of one), it must still go through: read
/// through the pool instead, each transaction waited for a connection that only a transaction could give back, and
/// under load every acknowledgement stalled for the pool's whole acquire timeout.
#[tokio::test]
async fn an_acknowledgement_never_waits_for_a_second_connection() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off"), ("DATABASE_MAX_CONNECTIONS", "1")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let (resident, head) = (app.login("resident").await, app.login("head").await);
    let id = app.submit_drain_report(&resident, "厨房下水道堵了，水排不下去").await;
    app.state.lookup.forget_categories();
    let started = std::time::Instant::now();
    let r = app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id) { status } }", json!({ "id": id })).await;
    assert_eq!(r.ok()["acknowledgeReport"]["status"], "ACKNOWLEDGED");
    // Waiting out the pool's acquire timeout (10 s) would have been the symptom.
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(app.gql(Some(&head), POINTS, json!({})).await.ok()["myPoints"]["balance"], 2);
}

/// The console's incentives page: an admin lists the merchants, packages (drafts too) and redemptions of the
/// units they administer, never a redemption's code; a community admin sees their community's packages and not
/// the district's, and nobody else sees these lists.
#[tokio::test]
async fn admins_list_their_merchants_packages_and_redemptions() {
    let w = world().await;
    let app = &w.app;
    let [(head, _)] = heads(&w, 1, 50).await.try_into().unwrap();
    let district = package(&w, json!({})).await;
    let draft = package(&w, json!({ "title": "草稿券", "activate": false })).await;
    let community_admin = app.login("community-admin").await;
    let community = app
        .gql(Some(&community_admin), "mutation($s: ID!) { registerMerchant(scopeId: $s, name: \"社区书店\", address: \"幸福路 9 号\") { id } }", json!({ "s": w.demo.community }))
        .await;
    let community_merchant = community.ok()["registerMerchant"]["id"].as_str().unwrap().to_owned();
    let r = app.gql(Some(&head), REDEEM, json!({ "p": district, "k": "admin-list-1" })).await;
    let code = r.ok()["redeemPackage"]["code"].as_str().unwrap().to_owned();

    let ids = |r: &Gql, field: &str| -> Vec<String> {
        r.ok()[field]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect()
    };
    let merchants = "query($s: ID!) { merchants(scopeId: $s) { nodes { id name } } }";
    let r = app.gql(Some(&w.admin), merchants, json!({ "s": w.demo.district })).await;
    let all = ids(&r, "merchants");
    assert!(all.contains(&w.merchant) && all.contains(&community_merchant), "a district's merchants are all of them");
    let r = app.gql(Some(&community_admin), merchants, json!({ "s": w.demo.community })).await;
    assert_eq!(ids(&r, "merchants"), [community_merchant.clone()]);

    let packages = "query($s: ID!, $st: String) { managedPackages(scopeId: $s, status: $st) { nodes { id status remainingStock redeemable } } }";
    let r = app.gql(Some(&w.admin), packages, json!({ "s": w.demo.district })).await;
    assert_eq!(ids(&r, "managedPackages"), [draft.clone(), district.clone()], "newest first, drafts too");
    assert_eq!(r.ok()["managedPackages"]["nodes"][0]["redeemable"], false);
    let r = app.gql(Some(&w.admin), packages, json!({ "s": w.demo.district, "st": "DRAFT" })).await;
    assert_eq!(ids(&r, "managedPackages"), [draft.clone()]);
    let r = app.gql(Some(&w.admin), packages, json!({ "s": w.demo.district, "st": "SOMETIMES" })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("status")));
    let r = app.gql(Some(&community_admin), packages, json!({ "s": w.demo.community })).await;
    assert!(ids(&r, "managedPackages").is_empty(), "the district's packages are not the community's");

    let redemptions = "query($s: ID!) { issuedRedemptions(scopeId: $s) { nodes { id status points packageId } } }";
    let r = app.gql(Some(&w.admin), redemptions, json!({ "s": w.demo.district })).await;
    let nodes = r.ok()["issuedRedemptions"]["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), 1);
    assert_eq!((nodes[0]["status"].as_str(), nodes[0]["packageId"].as_str()), (Some("ISSUED"), Some(district.as_str())));
    let body = r.data.to_string();
    assert!(!body.contains(&code.replace('-', "")) && !body.contains(&code), "no code");
    let r = app.gql(Some(&w.admin), "query($s: ID!) { issuedRedemptions(scopeId: $s) { nodes { code } } }", json!({ "s": w.demo.district })).await;
    assert!(!r.errors.is_empty() && r.message().contains("code"), "there is no code field to ask for: {:?}", r.errors);

    // Refused: the head, a merchant's clerk, a community admin for the district, an admin of another place.
    for (who, token, scope) in [
        ("a head", head.clone(), w.demo.district.clone()),
        ("a clerk", w.staff[0].clone(), w.demo.district.clone()),
        ("a community admin", community_admin.clone(), w.demo.district.clone()),
        ("a community admin elsewhere", community_admin.clone(), w.demo.other_community.clone()),
    ] {
        for q in [merchants, packages, redemptions] {
            let r = app.gql(Some(&token), q, json!({ "s": scope })).await;
            assert!(["FORBIDDEN", "NOT_FOUND"].contains(&r.code()), "{who}: {}", r.code());
        }
    }
    let r = app.gql(Some(&w.admin), merchants, json!({ "s": w.demo.compound })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("scopeId")));
}
