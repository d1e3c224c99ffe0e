//! Incentive statistics for admins: figures checked against a scenario built here (points for an acknowledgement
//! and for awards, redemptions issued, used, cancelled and expired, in two communities at two merchants), per
//! community, merchant and Beijing day; the CSV export; who is refused; which inputs are refused.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use api::ids::{Kind, decode};
use api::service::incentives::stats::beijing_midnight;
use crate::common::{Demo, TestApp};

const STATS: &str = "query($s: ID!, $f: DateTime!, $t: DateTime!, $g: StatisticsGroupBy!) {
  incentiveStatistics(scopeId: $s, from: $f, to: $t, groupBy: $g) {
    rows { id name bucketStart figures { pointsEarned pointsSpent issued used cancelled expired } }
    totals { pointsEarned pointsSpent issued used cancelled expired } } }";
const REDEEM: &str = "mutation($p: ID!, $k: String!) { redeemPackage(packageId: $p, idempotencyKey: $k) { id code } }";
const BARBER: &str = "老王理发, \"好剪\"店";

/// The scenario, built once per test (each test has its own database).
struct World {
    app: TestApp,
    demo: Demo,
    admin: String,
    /// The period asked for: from Beijing midnight of D-1 to an hour from now.
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// The Beijing day three days ago (D), and today.
    d: NaiveDate,
    today: NaiveDate,
    shop: String,
    barber: String,
}

fn uid(id: &str) -> Uuid {
    decode(id, Kind::User, "u").unwrap()
}

/// A neighbour head of a new neighbourhood in `group` (of `compound`), appointed since `since`: (token, user id).
async fn head(app: &TestApp, name: &str, group: Uuid, compound: Uuid, since: DateTime<Utc>) -> (String, Uuid) {
    app.neighbour_head(name, group, compound, since).await
}

/// A grid area and group in `community`.
async fn group_in(app: &TestApp, community: Uuid) -> Uuid {
    let (area, group, now) = (Uuid::now_v7(), Uuid::now_v7(), Utc::now());
    entity::grid_area::Entity::insert(entity::grid_area::ActiveModel {
        id: sea_orm::Set(area),
        created_at: sea_orm::Set(now),
        name: sea_orm::Set("统计片".into()),
        community_id: sea_orm::Set(community),
    })
    .exec(&app.state.db)
    .await
    .unwrap();
    entity::grid_group::Entity::insert(entity::grid_group::ActiveModel {
        id: sea_orm::Set(group),
        created_at: sea_orm::Set(now),
        name: sea_orm::Set("统计组".into()),
        area_id: sea_orm::Set(area),
    })
    .exec(&app.state.db)
    .await
    .unwrap();
    group
}

async fn set_entry_time(app: &TestApp, user: Uuid, reason: &str, at: DateTime<Utc>) {
    entity::points_entry::Entity::update_many()
        .col_expr(entity::points_entry::Column::CreatedAt, Expr::value(at))
        .filter(entity::points_entry::Column::UserId.eq(user))
        .filter(entity::points_entry::Column::Reason.eq(reason))
        .exec(&app.state.db)
        .await
        .unwrap();
}

async fn package(app: &TestApp, admin: &str, demo: &Demo, merchant: &str, cost: i32) -> String {
    let input = json!({
        "title": "三长专属券", "description": "", "merchantId": merchant, "costPoints": cost, "totalStock": 50,
        "perPersonLimit": 5, "eligibleRoles": ["NEIGHBOUR_HEAD"], "scopeId": demo.district, "activate": true,
        "validUntil": (Utc::now() + Duration::days(30)).to_rfc3339(),
    });
    let r = app.gql(Some(admin), "mutation($i: CreatePackageInput!) { createIncentivePackage(input: $i) { id } }", json!({ "i": input })).await;
    r.ok()["createIncentivePackage"]["id"].as_str().unwrap().to_owned()
}

async fn redeem(app: &TestApp, token: &str, package: &str, key: &str) -> Value {
    app.gql(Some(token), REDEEM, json!({ "p": package, "k": key })).await.ok()["redeemPackage"].clone()
}

/// The scenario (D = the Beijing day three days ago):
/// - dev:head (幸福社区) acknowledges a resident's report in time: 2 points, moved to D 00:00 Beijing;
/// - head A (幸福社区) wins 100 points now; head B (和谐社区) wins 50, moved to D-1 23:59:59 Beijing (the same UTC
///   day as dev:head's 2 points, another Beijing day), and gets 7 for dev:head's report (so they count in the
///   report's community, 幸福社区); head C (幸福社区, appointed only now) wins 40 moved to two days ago, when C
///   was no head: in no community, left out;
/// - A redeems three 10-point packages at the shop: one used, one cancelled, one expired; B redeems one
///   20-point package at the barber's (a name with a comma and quotes), still issued.
async fn build() -> World {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let demo = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let db = &app.state.db;
    let now = Utc::now();
    let today = now.with_timezone(&api::service::incentives::stats::beijing()).date_naive();
    let d = today - Duration::days(3);

    // Merchants, their staff, packages.
    let reg = "mutation($s: ID!, $n: String!) { registerMerchant(scopeId: $s, name: $n, address: \"幸福路 8 号\") { id } }";
    let shop = app.gql(Some(&admin), reg, json!({ "s": demo.district, "n": "社区超市" })).await.ok()["registerMerchant"]["id"]
        .as_str().unwrap().to_owned();
    let barber = app.gql(Some(&admin), reg, json!({ "s": demo.district, "n": BARBER })).await.ok()["registerMerchant"]["id"]
        .as_str().unwrap().to_owned();
    let (clerk, _, clerk_id) = app.session("clerk").await;
    let appoint = "mutation($u: ID!, $s: ID!) { appoint(input: { userId: $u, role: MERCHANT_STAFF, scopeId: $s }) { id } }";
    app.gql(Some(&admin), appoint, json!({ "u": clerk_id, "s": shop })).await.ok();
    let p_shop = package(&app, &admin, &demo, &shop, 10).await;
    let p_barber = package(&app, &admin, &demo, &barber, 20).await;

    // Heads.
    let xf_group = decode(&demo.group, Kind::Group, "g").unwrap();
    let xf_compound = decode(&demo.compound, Kind::Compound, "c").unwrap();
    let hx_group = group_in(&app, decode(&demo.other_community, Kind::Community, "c").unwrap()).await;
    let hx_compound = decode(&demo.other_compound, Kind::Compound, "c").unwrap();
    let long_ago = now - Duration::days(30);
    let (a_tok, a) = head(&app, "stat-a", xf_group, xf_compound, long_ago).await;
    let (b_tok, b) = head(&app, "stat-b", hx_group, hx_compound, long_ago).await;
    let (_, c) = head(&app, "stat-c", xf_group, xf_compound, now - Duration::minutes(1)).await;

    // dev:head acknowledges a report in time: ACK_IN_SLA, 2 points.
    let (resident, dev_head) = (app.login("resident").await, app.login("head").await);
    let report = app.submit_drain_report(&resident, "厨房下水道堵了，水排不下去").await;
    app.gql(Some(&dev_head), "mutation($id: ID!) { acknowledgeReport(id: $id) { status } }", json!({ "id": report })).await.ok();
    let dev_head_id = uid(app.gql(Some(&dev_head), "{ me { id } }", json!({})).await.ok()["me"]["id"].as_str().unwrap());
    set_entry_time(&app, dev_head_id, "ACK_IN_SLA", beijing_midnight(d)).await;

    // Awards.
    let award = api::service::incentives::points::award;
    use api::service::incentives::points::Reason;
    award(db, a, Reason::VoteWin, Uuid::now_v7(), 100).await.unwrap();
    award(db, b, Reason::VoteWin, Uuid::now_v7(), 50).await.unwrap();
    set_entry_time(&app, b, "VOTE_WIN", beijing_midnight(d) - Duration::seconds(1)).await;
    award(db, b, Reason::AckInSla, decode(&report, Kind::Report, "r").unwrap(), 7).await.unwrap();
    award(db, c, Reason::VoteWin, Uuid::now_v7(), 40).await.unwrap();
    set_entry_time(&app, c, "VOTE_WIN", now - Duration::days(2)).await;

    // Redemptions.
    let used = redeem(&app, &a_tok, &p_shop, "1").await;
    let cancelled = redeem(&app, &a_tok, &p_shop, "2").await;
    let expired = redeem(&app, &a_tok, &p_shop, "3").await;
    redeem(&app, &b_tok, &p_barber, "4").await;
    app.gql(Some(&clerk), "mutation($c: String!) { verifyRedemption(code: $c) { status } }", json!({ "c": used["code"] })).await.ok();
    app.gql(Some(&a_tok), "mutation($id: ID!) { cancelRedemption(id: $id) { status } }", json!({ "id": cancelled["id"] })).await.ok();
    entity::redemption::Entity::update_many()
        .col_expr(entity::redemption::Column::ExpiresAt, Expr::value(Utc::now() - Duration::minutes(1)))
        .filter(entity::redemption::Column::Id.eq(decode(expired["id"].as_str().unwrap(), Kind::Redemption, "r").unwrap()))
        .exec(db)
        .await
        .unwrap();
    assert_eq!(api::service::incentives::expire_due(&app.state).await.unwrap(), 1);

    let from = beijing_midnight(d - Duration::days(1));
    let to = Utc::now() + Duration::hours(1);
    World { app, demo, admin, from, to, d, today, shop, barber }
}

impl World {
    async fn stats(&self, token: &str, scope: &str, group_by: &str) -> crate::common::Gql {
        let vars = json!({ "s": scope, "f": self.from.to_rfc3339(), "t": self.to.to_rfc3339(), "g": group_by });
        self.app.gql(Some(token), STATS, vars).await
    }
}

fn figures(earned: Option<i64>, spent: i64, issued: i64, used: i64, cancelled: i64, expired: i64) -> Value {
    json!({ "pointsEarned": earned, "pointsSpent": spent, "issued": issued, "used": used, "cancelled": cancelled, "expired": expired })
}

fn row<'a>(rows: &'a Value, name: &str) -> &'a Value {
    rows.as_array().unwrap().iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no row {name} in {rows}"))
}

#[tokio::test]
async fn figures_per_community_merchant_and_beijing_day() {
    let w = build().await;
    let xf = figures(Some(2 + 100 + 7), 30 - 20, 3, 1, 1, 1);
    let hx = figures(Some(50), 20, 1, 0, 0, 0);
    let total = figures(Some(159), 30, 4, 1, 1, 1);

    // Per community, over the district: every community listed, zeros included.
    let r = w.stats(&w.admin, &w.demo.district, "COMMUNITY").await;
    let s = &r.ok()["incentiveStatistics"];
    assert_eq!(row(&s["rows"], "幸福社区")["figures"], xf);
    assert_eq!(row(&s["rows"], "幸福社区")["id"], json!(w.demo.community));
    assert_eq!(row(&s["rows"], "和谐社区")["figures"], hx);
    for other in s["rows"].as_array().unwrap().iter().filter(|r| r["name"] != "幸福社区" && r["name"] != "和谐社区") {
        assert_eq!(other["figures"], figures(Some(0), 0, 0, 0, 0, 0));
    }
    assert_eq!(s["totals"], total);

    // The street admin's view (the same two communities are in the first street) and the community admin's.
    let street = w.stats(&w.admin, &w.demo.street, "COMMUNITY").await;
    assert_eq!(street.ok()["incentiveStatistics"]["totals"], total);
    let ca = w.app.login("community-admin").await;
    let mine = w.stats(&ca, &w.demo.community, "COMMUNITY").await;
    let mine = &mine.ok()["incentiveStatistics"];
    assert_eq!(mine["rows"].as_array().unwrap().len(), 1);
    assert_eq!(mine["rows"][0]["figures"], xf);
    assert_eq!(mine["totals"], xf);

    // Per merchant: redemptions and spent points; earned points belong to no merchant (totals only).
    let r = w.stats(&w.admin, &w.demo.district, "MERCHANT").await;
    let s = &r.ok()["incentiveStatistics"];
    assert_eq!(s["rows"].as_array().unwrap().len(), 2);
    assert_eq!(row(&s["rows"], "社区超市")["figures"], figures(None, 10, 3, 1, 1, 1));
    assert_eq!(row(&s["rows"], "社区超市")["id"], json!(w.shop));
    assert_eq!(row(&s["rows"], BARBER)["figures"], figures(None, 20, 1, 0, 0, 0));
    assert_eq!(row(&s["rows"], BARBER)["id"], json!(w.barber));
    assert_eq!(s["totals"], total);

    // Per Beijing day: 23:59:59 and 00:00 Beijing fall on two days although they are the same UTC day.
    let r = w.stats(&w.admin, &w.demo.district, "DAY").await;
    let s = &r.ok()["incentiveStatistics"];
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let rows = s["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0]["name"], day(w.d - Duration::days(1)));
    assert_eq!(rows[0]["bucketStart"], json!(beijing_midnight(w.d - Duration::days(1)).to_rfc3339()));
    assert_eq!(rows[0]["id"], Value::Null);
    assert_eq!(rows[0]["figures"], figures(Some(50), 0, 0, 0, 0, 0));
    assert_eq!(rows[1]["name"], day(w.d));
    assert_eq!(rows[1]["figures"], figures(Some(2), 0, 0, 0, 0, 0));
    assert_eq!(rows[2]["name"], day(w.today));
    assert_eq!(rows[2]["figures"], figures(Some(107), 30, 4, 1, 1, 1));
    assert_eq!(s["totals"], total);

    // Weeks and months add up to the same totals.
    for g in ["WEEK", "MONTH"] {
        let r = w.stats(&w.admin, &w.demo.district, g).await;
        let s = &r.ok()["incentiveStatistics"];
        let earned: i64 = s["rows"].as_array().unwrap().iter().map(|r| r["figures"]["pointsEarned"].as_i64().unwrap()).sum();
        assert_eq!(earned, 159, "{g}");
        assert_eq!(s["totals"], total, "{g}");
    }

    // A period that ends before today's events: only the earlier days.
    let vars = json!({ "s": w.demo.district, "f": w.from.to_rfc3339(), "t": beijing_midnight(w.today).to_rfc3339(), "g": "COMMUNITY" });
    let r = w.app.gql(Some(&w.admin), STATS, vars).await;
    assert_eq!(r.ok()["incentiveStatistics"]["totals"], figures(Some(52), 0, 0, 0, 0, 0));
}

async fn csv_get(w: &World, token: Option<&str>, query: &[(&str, &str)], lang: Option<&str>) -> reqwest::Response {
    let mut req = w.app.http.get(format!("{}/export/incentives.csv", w.app.base)).query(query);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn the_csv_has_a_bom_a_header_quoted_names_and_the_totals() {
    let w = build().await;
    let (from, to) = (w.from.to_rfc3339(), w.to.to_rfc3339());
    let q = [("scopeId", w.demo.district.as_str()), ("from", from.as_str()), ("to", to.as_str()), ("groupBy", "MERCHANT")];
    let resp = csv_get(&w, Some(&w.admin), &q, None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let cd = resp.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(cd.starts_with("attachment; filename=\"incentives-merchant-") && cd.ends_with(".csv\""), "{cd}");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    // The name with a comma and quotes is one quoted field with its quotes doubled.
    assert!(text.contains("\"老王理发, \"\"好剪\"\"店\",,20,1,0,0,0"), "{text}");

    let mut rd = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(rd.headers().unwrap().iter().collect::<Vec<_>>(), ["商户ID", "商户", "获得积分", "消耗积分", "发放", "核销", "取消", "过期"]);
    let mut rows: Vec<Vec<String>> = rd.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    let totals = rows.pop().unwrap();
    assert_eq!(totals, ["", "合计", "159", "30", "4", "1", "1", "1"]);
    rows.sort();
    assert_eq!(rows, vec![
        vec![w.shop.clone(), "社区超市".into(), "".into(), "10".into(), "3".into(), "1".into(), "1".into(), "1".into()],
        vec![w.barber.clone(), BARBER.into(), "".into(), "20".into(), "1".into(), "0".into(), "0".into(), "0".into()],
    ]);

    // English headers on request; days as the first column.
    let q = [("scopeId", w.demo.district.as_str()), ("from", from.as_str()), ("to", to.as_str()), ("groupBy", "DAY")];
    let bytes = csv_get(&w, Some(&w.admin), &q, Some("en")).await.bytes().await.unwrap();
    let mut rd = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(rd.headers().unwrap().iter().collect::<Vec<_>>(), ["period_start", "points_earned", "points_spent", "issued", "used", "cancelled", "expired"]);
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[1][0], w.d.format("%Y-%m-%d").to_string());
    assert_eq!(rows[3].iter().collect::<Vec<_>>(), ["Total", "159", "30", "4", "1", "1", "1"]);
}

async fn refused(resp: reqwest::Response, status: u16, code: &str, field: Option<&str>) {
    assert_eq!(resp.status().as_u16(), status);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["ok"], false);
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["field"].as_str(), field, "{body}");
}

#[tokio::test]
async fn the_csv_refuses_with_json_and_a_status() {
    let w = build().await;
    let (from, to) = (w.from.to_rfc3339(), w.to.to_rfc3339());
    let ok = [("scopeId", w.demo.district.as_str()), ("from", from.as_str()), ("to", to.as_str()), ("groupBy", "COMMUNITY")];
    refused(csv_get(&w, None, &ok, None).await, 401, "UNAUTHENTICATED", None).await;
    refused(csv_get(&w, Some("not-a-token"), &ok, None).await, 401, "UNAUTHENTICATED", None).await;
    let head = w.app.login("head").await;
    refused(csv_get(&w, Some(&head), &ok, None).await, 403, "FORBIDDEN", None).await;
    let ca = w.app.login("community-admin").await;
    refused(csv_get(&w, Some(&ca), &ok, None).await, 403, "FORBIDDEN", None).await;
    let bad_group = [("scopeId", w.demo.district.as_str()), ("from", from.as_str()), ("to", to.as_str()), ("groupBy", "YEAR")];
    refused(csv_get(&w, Some(&w.admin), &bad_group, None).await, 400, "BAD_USER_INPUT", Some("groupBy")).await;
    let backwards = [("scopeId", w.demo.district.as_str()), ("from", to.as_str()), ("to", from.as_str()), ("groupBy", "DAY")];
    refused(csv_get(&w, Some(&w.admin), &backwards, None).await, 400, "BAD_USER_INPUT", Some("to")).await;
    let no_time = [("scopeId", w.demo.district.as_str()), ("from", "yesterday"), ("to", to.as_str()), ("groupBy", "DAY")];
    refused(csv_get(&w, Some(&w.admin), &no_time, None).await, 400, "BAD_USER_INPUT", Some("from")).await;
    let nbh = [("scopeId", w.demo.neighbourhood.as_str()), ("from", from.as_str()), ("to", to.as_str()), ("groupBy", "DAY")];
    refused(csv_get(&w, Some(&w.admin), &nbh, None).await, 400, "BAD_USER_INPUT", Some("scopeId")).await;
}

#[tokio::test]
async fn heads_residents_and_admins_of_elsewhere_are_forbidden() {
    let w = build().await;
    for who in ["head", "group-head", "area-head", "resident", "staff"] {
        let t = w.app.login(who).await;
        let r = w.stats(&t, &w.demo.community, "COMMUNITY").await;
        assert_eq!(r.code(), "FORBIDDEN", "{who}");
    }
    let ca = w.app.login("community-admin").await;
    for scope in [&w.demo.other_community, &w.demo.street, &w.demo.district] {
        let r = w.stats(&ca, scope, "COMMUNITY").await;
        assert_eq!(r.code(), "FORBIDDEN", "{scope}");
    }
    let anon = w.app.gql(None, STATS, json!({ "s": w.demo.district, "f": w.from.to_rfc3339(), "t": w.to.to_rfc3339(), "g": "DAY" })).await;
    assert_eq!(anon.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn bad_inputs_name_their_field() {
    let w = build().await;
    let q = |s: &str, f: DateTime<Utc>, t: DateTime<Utc>, g: &str| {
        json!({ "s": s, "f": f.to_rfc3339(), "t": t.to_rfc3339(), "g": g })
    };
    let d = &w.demo.district;
    let cases = [
        (q(d, w.to, w.from, "DAY"), Some("to")),
        (q(d, w.from, w.from, "DAY"), Some("to")),
        (q(d, w.from, w.from + Duration::days(2 * 366), "MONTH"), Some("to")),
        (q(&w.demo.neighbourhood, w.from, w.to, "DAY"), Some("scopeId")),
        (q(&w.demo.compound, w.from, w.to, "DAY"), Some("scopeId")),
        (q("dst_nonsense", w.from, w.to, "DAY"), Some("scopeId")),
        (q(d, w.from, w.to, "YEAR"), None),
    ];
    for (vars, field) in cases {
        let r = w.app.gql(Some(&w.admin), STATS, vars.clone()).await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{vars}");
        if field.is_some() {
            assert_eq!(r.field(), field, "{vars}");
        }
    }
    // Exactly two years is allowed; the English message names what to do.
    let r = w.app.gql(Some(&w.admin), STATS, q(d, w.to - Duration::days(730), w.to, "MONTH")).await;
    r.ok();
    let r = w.app.gql_with(Some(&w.admin), STATS, q(d, w.to, w.from, "DAY"), &[("accept-language", "en")]).await;
    assert_eq!(r.message(), "to must be after from");
}
