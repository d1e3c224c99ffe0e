//! KPIs and rankings (issue 15): every figure of a hand-built fixture (known timestamps, a holiday, a reopen, an
//! escalation, an auto-close, a merged duplicate) against figures worked out by hand below; grouping by week,
//! month and category; who may read what; the ranking's minimum sample, ties and previous period. Time moves by
//! the server's clock; the timer and auto-close jobs are run as the jobs run them.
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::common::{Demo, TestApp};

/// A Beijing wall-clock time.
fn bj(m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2027, m, d, h, mi, 0).unwrap().with_timezone(&Utc)
}

async fn app() -> TestApp {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    app
}

async fn submit(app: &TestApp, token: &str, code: &str, text: &str) -> String {
    let cat = app.category_id(token, code).await;
    let r = app
        .gql(Some(token), "mutation($i: SubmitReportInput!) { submitReport(input: $i) { id } }",
            json!({ "i": { "categoryId": cat, "description": text } }))
        .await;
    r.ok()["submitReport"]["id"].as_str().unwrap().to_owned()
}

/// Runs `mutation { <m>(id: $id <args>) { id } }` as `token` at Beijing time `t` (and 30 s: the test clock runs on
/// with real time between steps, and durations are whole minutes rounded down).
async fn act(app: &TestApp, t: DateTime<Utc>, token: &str, m: &str, id: &str, args: &str) {
    app.state.clock.set_to(t + chrono::Duration::seconds(30));
    let q = format!("mutation($id: ID!) {{ {m}(id: $id{args}) {{ id }} }}");
    app.gql(Some(token), &q, json!({ "id": id })).await.ok();
}

const FIGURES: &str = "fragment F on KpiFigures { received counted byStatus { status reports } supports supportedReports
  timeToAcknowledge { ...D } timeToDispatch { ...D } timeToResolve { ...D } timeToClose { ...D }
  breachRate { acknowledge handle start resolve any } escalationsPerReport escalatedShare
  levelsReached { level reports share } resolved reopenRate confirmationRate autoCloseRate resolvedWithinSlaRate
  rated averageRating ratings acknowledgedWithinSlaRate handledByHeads dispatched firstTimeFixRate }
  fragment D on KpiDuration { reports p50Hours p90Hours p50BusinessHours p90BusinessHours }";

async fn kpis(app: &TestApp, token: &str, scope: &str, from: &str, to: &str, group_by: &str, by_category: bool) -> crate::common::Gql {
    let q = format!(
        "query($s: ID!, $f: NaiveDate!, $t: NaiveDate!, $g: KpiGroupBy!, $c: Boolean!) {{ kpis(scopeId: $s, from: $f, to: $t, groupBy: $g, byCategory: $c) {{
           rows {{ period categoryId figures {{ ...F }} }} total {{ ...F }} }} }} {FIGURES}"
    );
    app.gql(Some(token), &q, json!({ "s": scope, "f": from, "t": to, "g": group_by, "c": by_category })).await
}

/// The statuses with reports, as a map.
fn statuses(f: &Value) -> Value {
    let mut m = serde_json::Map::new();
    for s in f["byStatus"].as_array().unwrap() {
        if s["reports"].as_i64().unwrap() > 0 {
            m.insert(s["status"].as_str().unwrap().to_owned(), s["reports"].clone());
        }
    }
    Value::Object(m)
}

fn level(f: &Value, l: &str) -> Value {
    f["levelsReached"].as_array().unwrap().iter().find(|x| x["level"] == l).unwrap().clone()
}

/// The fixture: the week of Monday 1 March 2027 (Wednesday 3 March made a holiday), working hours 08:30–17:30,
/// and one report the week after. Every time is Beijing time. R1..R4 and R7 are DRAIN, R5 and R6 LEAK.
///
/// - R1 (resident) Mon 09:00; "me too" by supporter-2 at 09:45; R4 merged into it at 10:00; acknowledged by the
///   head Mon 11:00, dispatched 14:00, started by the company Tue 09:00, resolved Tue 10:00, confirmed 5★ Tue
///   11:00, closed by the company Tue 12:00.
/// - R4 (neighbour) Mon 09:30, merged into R1 at Mon 10:00: DUPLICATE (received, not counted; its reporter is R1's
///   second supporter).
/// - R3 (resident) Mon 10:00: its 12 business hours to acknowledge end Tue 13:00 (Mon 450 min + Tue 270); the job
///   at Tue 13:30 escalates it to the group head, who acknowledges it Tue 14:00 and dispatches it Tue 15:00; the
///   company starts Thu 09:00, resolves Thu 10:00; nobody answers, the auto-close at Sun 10:30 closes it.
/// - R2 (neighbour) Tue 16:00; acknowledged by the head Thu 09:00 (across the holiday), resolved by the head Thu
///   10:00, reopened 11:00, work started again 11:30, resolved Thu 14:00, confirmed 3★ Thu 15:00 (closed).
/// - R5 (supporter-3, LEAK) Wed 10:00 (the holiday), cancelled Wed 11:00.
/// - R6 (supporter-4, LEAK) Sun 09:00, still SUBMITTED.
/// - R7 (resident) Mon 8 March 09:00, acknowledged 09:30, resolved by the head 10:00, confirmed 4★ 10:30.
async fn fixture(app: &TestApp) -> Demo {
    let ids = Demo::ids(app).await;
    let admin = app.login("admin").await;
    app.gql(Some(&admin),
        "mutation($d: ID!) { setCalendarDays(districtId: $d, year: 2027, days: [{ date: \"2027-03-03\", kind: HOLIDAY, name: \"测试假日\" }]) { workStart } }",
        json!({ "d": ids.district })).await.ok();
    let (resident, neighbour, head, group_head, staff) = (
        app.login("resident").await,
        app.login("neighbour").await,
        app.login("head").await,
        app.login("group-head").await,
        app.login("staff").await,
    );
    let (s2, s3, s4) = (app.login("supporter-2").await, app.login("supporter-3").await, app.login("supporter-4").await);
    let at = |t| app.state.clock.set_to(t);

    at(bj(3, 1, 9, 0));
    let r1 = submit(app, &resident, "DRAIN", "1单元下水管堵了，一楼厨房返水，已经两天了").await;
    at(bj(3, 1, 9, 30));
    let r4 = submit(app, &neighbour, "DRAIN", "一楼厨房下水道往上冒污水，应该是主管堵了").await;
    act(app, bj(3, 1, 9, 45), &s2, "supportReport", &r1, "").await;
    at(bj(3, 1, 10, 0));
    app.gql(Some(&head), "mutation($p: ID!, $d: [ID!]!) { mergeReports(primaryId: $p, duplicateIds: $d) { id } }",
        json!({ "p": r1, "d": [r4] })).await.ok();
    let r3 = submit(app, &resident, "DRAIN", "楼前雨水井盖被堵，下雨积水严重，车都过不去").await;
    act(app, bj(3, 1, 11, 0), &head, "acknowledgeReport", &r1, "").await;
    act(app, bj(3, 1, 14, 0), &head, "dispatchReport", &r1, "").await;
    act(app, bj(3, 2, 9, 0), &staff, "startWork", &r1, "").await;
    act(app, bj(3, 2, 10, 0), &staff, "resolveReport", &r1, "").await;
    act(app, bj(3, 2, 11, 0), &resident, "confirmResolution", &r1, ", rating: 5").await;
    act(app, bj(3, 2, 12, 0), &staff, "closeReport", &r1, "").await;
    app.state.clock.set_to(bj(3, 2, 13, 30) + chrono::Duration::seconds(30));
    assert_eq!(api::service::sla::fire_due(&app.state).await.unwrap(), 1, "R3 goes up to the group head");
    act(app, bj(3, 2, 14, 0), &group_head, "acknowledgeReport", &r3, "").await;
    act(app, bj(3, 2, 15, 0), &group_head, "dispatchReport", &r3, "").await;
    at(bj(3, 2, 16, 0));
    let r2 = submit(app, &neighbour, "DRAIN", "二楼卫生间地漏返臭水，楼下邻居也说堵了").await;
    at(bj(3, 3, 10, 0));
    let r5 = submit(app, &s3, "WATER_LEAK", "顶楼天花板漏水，下雨就滴到床上").await;
    act(app, bj(3, 3, 11, 0), &s3, "cancelReport", &r5, "").await;
    act(app, bj(3, 4, 9, 0), &head, "acknowledgeReport", &r2, "").await;
    act(app, bj(3, 4, 9, 0), &staff, "startWork", &r3, "").await;
    act(app, bj(3, 4, 10, 0), &head, "resolveReport", &r2, "").await;
    act(app, bj(3, 4, 10, 0), &staff, "resolveReport", &r3, "").await;
    act(app, bj(3, 4, 11, 0), &neighbour, "reopenReport", &r2, ", reason: \"还是堵，水下不去\"").await;
    act(app, bj(3, 4, 11, 30), &head, "startWork", &r2, "").await;
    act(app, bj(3, 4, 14, 0), &head, "resolveReport", &r2, "").await;
    act(app, bj(3, 4, 15, 0), &neighbour, "confirmResolution", &r2, ", rating: 3").await;
    at(bj(3, 7, 9, 0));
    submit(app, &s4, "WATER_LEAK", "厨房水管接头漏水，橱柜都泡了").await;
    app.state.clock.set_to(bj(3, 7, 10, 30) + chrono::Duration::seconds(30));
    assert_eq!(api::service::report::jobs::auto_close_due(&app.state).await.unwrap(), 1, "R3 closes by itself");
    at(bj(3, 8, 9, 0));
    let r7 = submit(app, &resident, "DRAIN", "单元门口下水道盖板松了，踩上去会翻").await;
    act(app, bj(3, 8, 9, 30), &head, "acknowledgeReport", &r7, "").await;
    act(app, bj(3, 8, 10, 0), &head, "resolveReport", &r7, "").await;
    act(app, bj(3, 8, 10, 30), &resident, "confirmResolution", &r7, ", rating: 4").await;
    ids
}

#[tokio::test]
async fn every_figure_of_the_fixture_is_what_was_worked_out_by_hand() {
    let app = app().await;
    let ids = fixture(&app).await;
    let admin = app.login("community-admin").await;
    let r = kpis(&app, &admin, &ids.compound, "2027-03-01", "2027-03-14", "WEEK", false).await;
    let rows = r.ok()["kpis"]["rows"].as_array().unwrap().clone();
    assert_eq!(rows.iter().map(|r| r["period"].as_str().unwrap()).collect::<Vec<_>>(), ["2027-03-01", "2027-03-08"]);
    let w = &rows[0]["figures"];
    // Received R1..R6; counted without the duplicate R4.
    assert_eq!((w["received"].as_i64(), w["counted"].as_i64()), (Some(6), Some(5)));
    assert_eq!(statuses(w), json!({ "CLOSED": 3, "DUPLICATE": 1, "CANCELLED": 1, "SUBMITTED": 1 }));
    // R1: supporter-2 and R4's reporter.
    assert_eq!((w["supports"].as_i64(), w["supportedReports"].as_i64()), (Some(2), Some(1)));
    // Acknowledge, minutes (wall / business): R1 120/120, R2 2460/120 (Tue 16:00 → Thu 09:00: 90 + holiday 0 + 30),
    // R3 1680/780 (Mon 450 + Tue 330). Wall sorted 120, 1680, 2460: p50 1680 = 28 h; p90 at 0.9·2 = 1.8:
    // 1680 + 0.8·780 = 2304 = 38.4 h. Business 120, 120, 780: p50 2 h; p90 120 + 0.8·660 = 648 = 10.8 h.
    assert_eq!(w["timeToAcknowledge"], json!({ "reports": 3, "p50Hours": 28.0, "p90Hours": 38.4, "p50BusinessHours": 2.0, "p90BusinessHours": 10.8 }));
    // Dispatch: R1 300/300, R3 1740/840 (450 + 390). p50 = midpoints 1020 = 17 h, 570 = 9.5 h; p90 = 300 + 0.9·1440
    // = 1596 = 26.6 h, 300 + 0.9·540 = 786 = 13.1 h.
    assert_eq!(w["timeToDispatch"], json!({ "reports": 2, "p50Hours": 17.0, "p90Hours": 26.6, "p50BusinessHours": 9.5, "p90BusinessHours": 13.1 }));
    // Resolve (the latest resolution): R1 1500/600 (510 + 90), R2 2760/420 (90 + 0 + 330), R3 4320/1080
    // (450 + 540 + 0 + 90). Wall 1500, 2760, 4320: p50 46 h, p90 2760 + 0.8·1560 = 4008 = 66.8 h. Business 420,
    // 600, 1080: p50 10 h, p90 600 + 0.8·480 = 984 = 16.4 h.
    assert_eq!(w["timeToResolve"], json!({ "reports": 3, "p50Hours": 46.0, "p90Hours": 66.8, "p50BusinessHours": 10.0, "p90BusinessHours": 16.4 }));
    // Close: R1 1620/720, R2 2820/480, R3 (auto-closed Sun 10:30) 8670/2070 (450 + 540 + 0 + 540 + 540). Wall p50
    // 47 h, p90 2820 + 0.8·5850 = 7500 = 125 h; business 480, 720, 2070: p50 12 h, p90 720 + 0.8·1350 = 1800 = 30 h.
    assert_eq!(w["timeToClose"], json!({ "reports": 3, "p50Hours": 47.0, "p90Hours": 125.0, "p50BusinessHours": 12.0, "p90BusinessHours": 30.0 }));
    // Only R3's acknowledge stage went past due: 1 of 5 counted; handle 0 of 3 acknowledged, start 0 of 2
    // dispatched, resolve 0 of 3 started.
    assert_eq!(w["breachRate"], json!({ "acknowledge": 0.2, "handle": 0.0, "start": 0.0, "resolve": 0.0, "any": 0.2 }));
    assert_eq!((w["escalationsPerReport"].as_f64(), w["escalatedShare"].as_f64()), (Some(0.2), Some(0.2)));
    assert_eq!(level(w, "GROUP_HEAD"), json!({ "level": "GROUP_HEAD", "reports": 1, "share": 0.2 }));
    assert_eq!(level(w, "PROPERTY")["reports"], 0, "a company stage is no escalation");
    // Resolved: R1, R2, R3. Reopened R2 (1/3), confirmed R1 and R2 (2/3), auto-closed R3 (1/3); resolved with no
    // stage past due: R1, R2 of 5.
    assert_eq!(w["resolved"], 3);
    assert_eq!((w["reopenRate"].as_f64(), w["confirmationRate"].as_f64(), w["autoCloseRate"].as_f64()), (Some(0.3333), Some(0.6667), Some(0.3333)));
    assert_eq!(w["resolvedWithinSlaRate"], 0.4);
    assert_eq!((w["rated"].as_i64(), w["averageRating"].as_f64()), (Some(2), Some(4.0)));
    assert_eq!(w["ratings"], json!([0, 0, 1, 0, 1]));
    // Heads: R1, R2 acknowledged in time (2/5); R2 handled by the head, R1 and R3 dispatched.
    assert_eq!(w["acknowledgedWithinSlaRate"], 0.4);
    assert_eq!((w["handledByHeads"].as_i64(), w["dispatched"].as_i64()), (Some(1), Some(2)));
    // Company: R1 and R3 resolved after dispatch, neither reopened.
    assert_eq!(w["firstTimeFixRate"], 1.0);

    // The second week: R7 alone, 30, 60 and 90 minutes, all in working hours.
    let w2 = &rows[1]["figures"];
    assert_eq!((w2["received"].as_i64(), w2["counted"].as_i64()), (Some(1), Some(1)));
    assert_eq!(w2["timeToAcknowledge"], json!({ "reports": 1, "p50Hours": 0.5, "p90Hours": 0.5, "p50BusinessHours": 0.5, "p90BusinessHours": 0.5 }));
    assert_eq!(w2["timeToDispatch"]["p50Hours"], Value::Null);
    assert_eq!(w2["timeToClose"]["p90BusinessHours"], 1.5);
    assert_eq!((w2["averageRating"].as_f64(), w2["firstTimeFixRate"].as_f64()), (Some(4.0), None));

    // The total is over all seven, not a sum of rows: acknowledge wall 30, 120, 1680, 2460: p50 = 900 = 15 h.
    let total = &r.ok()["kpis"]["total"];
    assert_eq!((total["received"].as_i64(), total["counted"].as_i64()), (Some(7), Some(6)));
    assert_eq!(total["timeToAcknowledge"]["p50Hours"], 15.0);
    assert_eq!(total["averageRating"], 4.0);

    // By month: one row for March with everything; the street sees the same.
    let street = app.login("street").await;
    let m = kpis(&app, &street, &ids.street, "2027-03-01", "2027-03-31", "MONTH", false).await;
    let m = m.ok()["kpis"]["rows"].as_array().unwrap().clone();
    assert_eq!(m.len(), 1);
    assert_eq!((m[0]["period"].as_str(), m[0]["figures"]["received"].as_i64()), (Some("2027-03-01"), Some(7)));
    assert_eq!(m[0]["figures"], *total);

    // Read from the month's KPI cells once they are built (the job's work: jobs are off here), the figures are the
    // same, by month and by category; made dirty again, the month is read from its facts again.
    assert!(api::service::kpi::cell::build_all(&app.state.db).await.unwrap() >= 1);
    let monthly = |by_category: bool| {
        let q = format!(
            "query($s: ID!, $c: Boolean!) {{ kpis(scopeId: $s, from: \"2027-03-01\", to: \"2027-03-31\", groupBy: MONTH, byCategory: $c) {{
               rows {{ period categoryId figures {{ ...F }} }} total {{ ...F }} }} }} {FIGURES}"
        );
        let (app, street, s) = (&app, street.clone(), ids.street.clone());
        async move { app.gql_counted(Some(&street), &q, json!({ "s": s, "c": by_category })).await }
    };
    let (cells, from_memory) = monthly(false).await;
    assert_eq!(cells.ok()["kpis"]["rows"].as_array().unwrap(), &m, "the cells give what the facts gave");
    let (cells_by_category, _) = monthly(true).await;
    // Made dirty, the scope's fingerprint moves: the next read computes again, its dirty cells from their facts (more
    // statements than a read of what is kept), and is kept in turn.
    app.state.db.execute_unprepared("UPDATE kpi_cell SET version = version + 1").await.unwrap();
    let before = app.state.sql_statements.load(std::sync::atomic::Ordering::SeqCst);
    let (facts, _) = monthly(false).await;
    let computed = app.state.sql_statements.load(std::sync::atomic::Ordering::SeqCst) - before;
    assert_eq!(facts.ok(), cells.ok());
    assert!(computed > 3 * from_memory, "dirty cells are read from their facts ({computed} statements in three reads, {from_memory} a read kept)");
    let (again, kept) = monthly(false).await;
    assert_eq!((again.ok(), kept), (facts.ok(), from_memory), "then kept");
    assert_eq!(monthly(true).await.0.ok(), cells_by_category.ok());

    // By category in the first week: DRAIN R1–R4 (3 counted), LEAK R5, R6.
    let c = kpis(&app, &admin, &ids.community, "2027-03-01", "2027-03-07", "WEEK", true).await;
    let c = c.ok()["kpis"]["rows"].as_array().unwrap().clone();
    let drain = app.category_id(&admin, "DRAIN").await;
    let leak = app.category_id(&admin, "WATER_LEAK").await;
    let of = |cat: &str| c.iter().find(|r| r["categoryId"] == cat).unwrap()["figures"].clone();
    assert_eq!(c.len(), 2);
    assert_eq!((of(&drain)["received"].as_i64(), of(&drain)["counted"].as_i64()), (Some(4), Some(3)));
    assert_eq!(statuses(&of(&leak)), json!({ "CANCELLED": 1, "SUBMITTED": 1 }));
    assert_eq!(of(&leak)["timeToAcknowledge"]["reports"], 0);

    // The group head's view of R3's neighbourhood, and the company's of its tickets (R1 and R3).
    let group_head = app.login("group-head").await;
    let n = kpis(&app, &group_head, &ids.neighbourhood, "2027-03-01", "2027-03-07", "WEEK", false).await;
    assert_eq!(n.ok()["kpis"]["total"]["counted"], 5);
    let staff = app.login("staff").await;
    let company = company_id(&app, "幸福物业").await;
    let co = kpis(&app, &staff, &company, "2027-03-01", "2027-03-07", "WEEK", false).await;
    let co = &co.ok()["kpis"]["total"];
    assert_eq!((co["counted"].as_i64(), co["firstTimeFixRate"].as_f64()), (Some(2), Some(1.0)));
    assert_eq!(co["timeToResolve"]["p50BusinessHours"], 14.0, "(600 + 1080) / 2 minutes");
}

/// The global id of the company named `name`.
async fn company_id(app: &TestApp, name: &str) -> String {
    let all = entity::property_company::Entity::find().all(&app.state.db).await.unwrap();
    api::ids::encode(api::ids::Kind::PropertyCompany, all.iter().find(|c| c.name == name).unwrap().id).0
}

/// Makes `login` a community admin of `community` (written straight to the table, as the demo does).
async fn community_admin_of(app: &TestApp, login: &str, community: &str) -> String {
    let (token, _, id) = app.session(login).await;
    let user = api::ids::decode(&id, api::ids::Kind::User, "user").unwrap();
    let community = api::ids::decode(community, api::ids::Kind::Community, "c").unwrap();
    entity::appointment::Entity::insert(entity::appointment::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        created_at: Set(Utc::now()),
        role: Set(api::auth::Role::CommunityAdmin),
        scope_id: Set(community),
        starts_at: Set(Utc::now() - chrono::Duration::days(1)),
        ends_at: Set(None),
        user_id: Set(user),
        appointed_by: Set(None),
        revoked_by: Set(None),
    })
    .exec(&app.state.db)
    .await
    .unwrap();
    api::service::roles::invalidate(&app.state, user).await;
    token
}

#[tokio::test]
async fn kpis_are_refused_beyond_the_callers_scope_and_periods_are_checked() {
    let app = app().await;
    let ids = Demo::ids(&app).await;
    let q = "query($s: ID!, $f: NaiveDate!, $t: NaiveDate!) { kpis(scopeId: $s, from: $f, to: $t) { total { received } } }";
    let ask = |token: String, scope: String, f: &'static str, t: &'static str| {
        let app = &app;
        async move { app.gql(Some(&token), q, json!({ "s": scope, "f": f, "t": t })).await }
    };
    // An admin of another community may not read this compound's KPIs.
    let other = community_admin_of(&app, "other-admin", &ids.other_community).await;
    let r = ask(other.clone(), ids.compound.clone(), "2027-01-01", "2027-12-31").await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(r.errors[0]["extensions"]["reason"], "NOT_ADMIN_OF_COMMUNITY");
    assert_eq!(ask(other, ids.other_compound.clone(), "2027-01-01", "2027-12-31").await.ok()["kpis"]["total"]["received"], 0);
    // A neighbour head reads their neighbourhood, not its neighbour nor the compound.
    let head = app.login("head").await;
    ask(head.clone(), ids.neighbourhood.clone(), "2027-01-01", "2027-12-31").await.ok();
    assert_eq!(ask(head.clone(), ids.other_neighbourhood.clone(), "2027-01-01", "2027-12-31").await.code(), "FORBIDDEN");
    assert_eq!(ask(head, ids.compound.clone(), "2027-01-01", "2027-12-31").await.code(), "FORBIDDEN");
    // A company's KPIs: its staff yes, another company's staff no (NOT_FOUND, as the overdue board), the district
    // admin yes.
    let staff = app.login("staff").await;
    let xf = company_id(&app, "幸福物业").await;
    ask(staff, xf.clone(), "2027-01-01", "2027-12-31").await.ok();
    let r = ask(app.login("staff-2").await, xf.clone(), "2027-01-01", "2027-12-31").await;
    assert_eq!(r.code(), "NOT_FOUND");
    ask(app.login("admin").await, xf, "2027-01-01", "2027-12-31").await.ok();
    // Periods: to before from, and more than five years.
    let admin = app.login("admin").await;
    let r = ask(admin.clone(), ids.district.clone(), "2027-02-01", "2027-01-31").await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("to")));
    let r = ask(admin, ids.district.clone(), "2020-01-01", "2027-01-01").await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    assert!(r.message().contains("five years") || r.message().contains("五年"), "{}", r.message());
}

#[tokio::test]
async fn a_compound_with_three_reports_is_insufficient_data_not_first_and_ties_share_a_rank() {
    let app = app().await;
    let ids = Demo::ids(&app).await;
    let (resident, head) = (app.login("resident").await, app.login("head").await);
    let (sunny, sunny_head) = (app.login("resident-6").await, app.login("head-1-1-1").await);
    let (harmony, harmony_head) = (app.login("resident-10").await, app.login("head-2-1-1").await);
    // The week before: one report of 幸福家园, acknowledged after two hours.
    app.state.clock.set_to(bj(3, 8, 9, 0));
    let p = submit(&app, &resident, "DRAIN", "楼道下水管滴水，地面一直是湿的").await;
    act(&app, bj(3, 8, 11, 0), &head, "acknowledgeReport", &p, "").await;
    // This week (15–21 March): 幸福家园 3 reports acknowledged in 6 minutes; 阳光花园 20 in an hour; 和谐苑 2 in an
    // hour.
    app.state.clock.set_to(bj(3, 15, 9, 0));
    let mut mine = Vec::new();
    for i in 0..3 {
        mine.push(submit(&app, &resident, "DRAIN", &format!("厨房下水道堵了第{i}次，水排不下去")).await);
    }
    let mut theirs = Vec::new();
    for i in 0..20 {
        theirs.push(submit(&app, &sunny, "DRAIN", &format!("阳光花园{i}号下水井堵塞，污水外溢")).await);
    }
    let mut harmonies = Vec::new();
    for i in 0..2 {
        harmonies.push(submit(&app, &harmony, "DRAIN", &format!("和谐苑{i}号楼前下水道返水")).await);
    }
    for id in &mine {
        act(&app, bj(3, 15, 9, 6), &head, "acknowledgeReport", id, "").await;
    }
    for id in &theirs {
        act(&app, bj(3, 15, 10, 0), &sunny_head, "acknowledgeReport", id, "").await;
    }
    for id in &harmonies {
        act(&app, bj(3, 15, 10, 0), &harmony_head, "acknowledgeReport", id, "").await;
    }
    let admin = app.login("admin").await;
    let q = "query($d: ID!, $m: Int!) { kpiRanking(scope: COMPOUND, childrenOf: $d, metric: MEDIAN_HOURS_TO_ACKNOWLEDGE,
        from: \"2027-03-15\", to: \"2027-03-21\", minimumSample: $m) { direction previousFrom previousTo minimumSample
        entries { name sample value rank insufficientData previousRank previousValue change } } }";
    let r = app.gql(Some(&admin), q, json!({ "d": ids.district, "m": 20 })).await;
    let k = &r.ok()["kpiRanking"];
    assert_eq!((k["direction"].as_str(), k["previousFrom"].as_str(), k["previousTo"].as_str()), (Some("LOWER_IS_BETTER"), Some("2027-03-08"), Some("2027-03-14")));
    let e = k["entries"].as_array().unwrap();
    let names: Vec<&str> = e.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names[0], "阳光花园", "the only compound with 20 reports ranks first");
    assert_eq!((e[0]["rank"].as_i64(), e[0]["value"].as_f64(), e[0]["sample"].as_i64()), (Some(1), Some(1.0), Some(20)));
    let xf = e.iter().find(|x| x["name"] == "幸福家园").unwrap();
    assert_eq!((xf["rank"].clone(), xf["insufficientData"].clone(), xf["sample"].clone(), xf["value"].clone()), (Value::Null, json!(true), json!(3), json!(0.1)));
    assert_eq!(e.len(), 4, "every compound of the district is listed");

    // With a sample of one: 幸福家园 first; 阳光花园 and 和谐苑 tie at 1 h and share rank 2; 新华里 has no reports.
    let r = app.gql(Some(&admin), q, json!({ "d": ids.district, "m": 1 })).await;
    let e = r.ok()["kpiRanking"]["entries"].as_array().unwrap().clone();
    let by = |n: &str| e.iter().find(|x| x["name"] == n).unwrap().clone();
    assert_eq!(by("幸福家园")["rank"], 1);
    assert_eq!((by("阳光花园")["rank"].as_i64(), by("和谐苑")["rank"].as_i64()), (Some(2), Some(2)));
    assert_eq!((by("新华里")["rank"].clone(), by("新华里")["insufficientData"].clone()), (Value::Null, json!(true)));
    // The week before, 幸福家园 alone had a report (2 h): rank 1 then and now, no change.
    assert_eq!((by("幸福家园")["previousRank"].as_i64(), by("幸福家园")["previousValue"].as_f64(), by("幸福家园")["change"].as_i64()), (Some(1), Some(2.0), Some(0)));
    assert_eq!(by("阳光花园")["previousRank"], Value::Null);

    // The heads of 幸福社区, by their public names; a community admin of another community may not rank them.
    let ca = app.login("community-admin").await;
    let hq = "query($c: ID!) { kpiRanking(scope: HEAD, childrenOf: $c, metric: ACKNOWLEDGED_WITHIN_SLA_RATE, from: \"2027-03-15\", to: \"2027-03-21\", minimumSample: 3) { entries { name sample rank } } }";
    let r = app.gql(Some(&ca), hq, json!({ "c": ids.community })).await;
    let e = r.ok()["kpiRanking"]["entries"].as_array().unwrap().clone();
    let zhang = e.iter().find(|x| x["name"] == "张邻长").unwrap();
    assert_eq!((zhang["sample"].as_i64(), zhang["rank"].as_i64()), (Some(3), Some(1)));
    assert_eq!(e.iter().find(|x| x["name"] == "李组长").unwrap()["rank"], Value::Null);
    let other = community_admin_of(&app, "other-admin", &ids.other_community).await;
    assert_eq!(app.gql(Some(&other), hq, json!({ "c": ids.community })).await.code(), "FORBIDDEN");
    // Companies are ranked in a district, not in a compound.
    let bad = "query($c: ID!) { kpiRanking(scope: COMPANY, childrenOf: $c, metric: FIRST_TIME_FIX_RATE, from: \"2027-03-15\", to: \"2027-03-21\") { minimumSample } }";
    let r = app.gql(Some(&admin), bad, json!({ "c": ids.compound })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("childrenOf")));
}

#[tokio::test]
async fn the_demo_district_has_figures_for_every_kpi_and_a_ranking() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    assert!(linli_tools::demo::load_if_empty(&app.state).await.unwrap());
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
    let from = (today - chrono::Duration::days(30)).to_string();
    let r = kpis(&app, &admin, &ids.district, &from, &today.to_string(), "WEEK", false).await;
    let t = r.ok()["kpis"]["total"].clone();
    assert!(t["counted"].as_i64().unwrap() >= 20, "{t}");
    for d in ["timeToAcknowledge", "timeToDispatch", "timeToResolve", "timeToClose"] {
        assert!(t[d]["p50Hours"].as_f64().unwrap() > 0.0, "{d}: {}", t[d]);
        assert!(t[d]["p90BusinessHours"].as_f64().is_some(), "{d}: {}", t[d]);
    }
    for f in ["reopenRate", "confirmationRate", "averageRating", "acknowledgedWithinSlaRate", "firstTimeFixRate", "escalationsPerReport"] {
        assert!(t[f].as_f64().unwrap() > 0.0, "{f}: {t}");
    }
    assert!(t["supports"].as_i64().unwrap() > 0 && t["dispatched"].as_i64().unwrap() > 0 && t["handledByHeads"].as_i64().unwrap() > 0, "{t}");
    let q = "query($d: ID!, $f: NaiveDate!, $t: NaiveDate!) { kpiRanking(scope: COMPOUND, childrenOf: $d, metric: MEDIAN_HOURS_TO_ACKNOWLEDGE, from: $f, to: $t, minimumSample: 3) { entries { name rank value } } }";
    let r = app.gql(Some(&admin), q, json!({ "d": ids.district, "f": from, "t": today.to_string() })).await;
    let e = r.ok()["kpiRanking"]["entries"].as_array().unwrap().clone();
    assert!(e.iter().filter(|x| x["rank"].is_number()).count() >= 2, "{e:?}");

    // Three months of history: every month of the last 90 days has reports, and the quarter's ranking at the
    // default minimum sample (20) ranks the compounds with reports.
    let from = (today - chrono::Duration::days(89)).to_string();
    let r = kpis(&app, &admin, &ids.district, &from, &today.to_string(), "MONTH", false).await;
    let rows = r.ok()["kpis"]["rows"].as_array().unwrap().clone();
    assert!(rows.len() >= 3 && rows.iter().all(|m| m["figures"]["counted"].as_i64().unwrap() > 0), "{rows:?}");
    let q = "query($d: ID!, $f: NaiveDate!, $t: NaiveDate!) { kpiRanking(scope: COMPOUND, childrenOf: $d, metric: RESOLVED_WITHIN_SLA_RATE, from: $f, to: $t) { minimumSample entries { name rank sample } } }";
    let r = app.gql(Some(&admin), q, json!({ "d": ids.district, "f": from, "t": today.to_string() })).await;
    let k = &r.ok()["kpiRanking"];
    assert_eq!(k["minimumSample"], 20);
    let ranked = k["entries"].as_array().unwrap().iter().filter(|x| x["rank"].is_number()).count();
    assert!(ranked >= 3, "{k}");

    // The same figures and ranks whichever way a month is read: its cells' bytes decoded, this process's decoded
    // copies of them (the second read), or its facts (every cell made dirty).
    api::service::kpi::cell::build_all(&app.state.db).await.unwrap();
    let first = (chrono::Datelike::with_day(&today, 1).unwrap() - chrono::Months::new(2)).to_string();
    let q = "query($d: ID!, $f: NaiveDate!, $t: NaiveDate!) { kpiRanking(scope: COMPOUND, childrenOf: $d, metric: MEDIAN_HOURS_TO_RESOLVE, from: $f, to: $t, minimumSample: 3) {
        entries { id sample value rank previousSample previousValue previousRank } } }";
    let read = || async {
        let k = kpis(&app, &admin, &ids.district, &first, &today.to_string(), "MONTH", false).await.ok().clone();
        let r = app.gql(Some(&admin), q, json!({ "d": ids.district, "f": first, "t": today.to_string() })).await.ok().clone();
        (k, r)
    };
    let decoded = read().await;
    assert!(decoded.1["kpiRanking"]["entries"].as_array().unwrap().iter().any(|x| x["rank"].is_number()), "{:?}", decoded.1);
    assert_eq!(read().await, decoded);
    app.state.db.execute_unprepared("UPDATE kpi_cell SET version = version + 1").await.unwrap();
    assert_eq!(read().await, decoded);
}

/// The KPI cells under concurrent writes: reports submitted, supported and acknowledged in parallel while the cell
/// builder runs over and over; afterwards every cell is clean and the month read from the cells is what its facts
/// say, and what was written.
#[tokio::test]
async fn cells_built_while_reports_change_in_parallel_end_up_as_the_facts() {
    let app = app().await;
    let ids = Demo::ids(&app).await;
    let (resident, neighbour, head) = (app.login("resident").await, app.login("neighbour").await, app.login("head").await);
    let supporters = [app.login("supporter-2").await, app.login("supporter-3").await];
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let builder = {
        let (db, stop) = (app.state.db.clone(), stop.clone());
        tokio::spawn(async move {
            let mut rounds = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                api::service::kpi::cell::build_dirty(&db).await.unwrap();
                rounds += 1;
                tokio::task::yield_now().await;
            }
            rounds
        })
    };
    let writers = (0..12).map(|i| {
        let app = &app;
        let (resident, neighbour, head, supporter) = (&resident, &neighbour, &head, &supporters[i % 2]);
        async move {
            let who = if i % 2 == 0 { resident } else { neighbour };
            let id = submit(app, who, if i % 3 == 0 { "WATER_LEAK" } else { "DRAIN" }, &format!("并发测试{i}号：楼道下水管漏水，地面积水")).await;
            app.gql(Some(supporter), "mutation($id: ID!) { supportReport(id: $id) { id } }", json!({ "id": id })).await.ok();
            if i % 3 != 2 {
                app.gql(Some(head), "mutation($id: ID!) { acknowledgeReport(id: $id) { id } }", json!({ "id": id })).await.ok();
            }
        }
    });
    futures::future::join_all(writers).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(builder.await.unwrap() > 0);
    api::service::kpi::cell::build_all(&app.state.db).await.unwrap();
    let dirty = app.state.db.query_one_raw(sea_orm::Statement::from_string(app.state.db.get_database_backend(),
        "SELECT COUNT(*) FROM kpi_cell WHERE version <> built")).await.unwrap().unwrap();
    assert_eq!(dirty.try_get_by_index::<i64>(0).unwrap(), 0);

    let admin = app.login("admin").await;
    let today = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive();
    let month = today.format("%Y-%m-01").to_string();
    let last = (chrono::NaiveDate::parse_from_str(&month, "%Y-%m-%d").unwrap() + chrono::Months::new(1) - chrono::Duration::days(1)).to_string();
    let from_cells = kpis(&app, &admin, &ids.district, &month, &last, "MONTH", true).await;
    let t = from_cells.ok()["kpis"]["total"].clone();
    assert_eq!((t["received"].as_i64(), t["supports"].as_i64(), t["timeToAcknowledge"]["reports"].as_i64()), (Some(12), Some(12), Some(8)));
    app.state.db.execute_unprepared("UPDATE kpi_cell SET version = version + 1").await.unwrap();
    assert_eq!(kpis(&app, &admin, &ids.district, &month, &last, "MONTH", true).await.ok(), from_cells.ok());
}

/// The answers kept in memory (a whole ranking, a street's months, each compound's span of months) are given back
/// only while no cell of their scope has changed: a report submitted and acknowledged between two reads shows in
/// the next read, while its cell waits to be rebuilt and after, and a read that changed nothing is the same again.
#[tokio::test]
async fn a_change_between_two_reads_shows_in_the_second_whatever_is_kept_in_memory() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    assert!(linli_tools::demo::load_if_empty(&app.state).await.unwrap());
    api::service::kpi::cell::build_all(&app.state.db).await.unwrap();
    let ids = Demo::ids(&app).await;
    let (admin, resident, head) = (app.login("admin").await, app.login("resident").await, app.login("head").await);
    let today = (app.state.clock.now() + chrono::Duration::hours(8)).date_naive();
    // This month and the one before (a ranking of spans of one month), and the last three months (of three).
    let month = chrono::Datelike::with_day(&today, 1).unwrap();
    let three = (month - chrono::Months::new(2)).to_string();
    let q = "query($d: ID!, $f: NaiveDate!, $t: NaiveDate!) { kpiRanking(scope: COMPOUND, childrenOf: $d, metric: MEDIAN_HOURS_TO_ACKNOWLEDGE, from: $f, to: $t, minimumSample: 1) {
        entries { name sample value rank previousSample } } }";
    let read = |from: String| {
        let (app, admin, ids) = (&app, &admin, &ids);
        async move {
            let r = app.gql(Some(admin), q, json!({ "d": ids.district, "f": from, "t": today.to_string() })).await.ok().clone();
            let e = r["kpiRanking"]["entries"].as_array().unwrap().iter().find(|x| x["name"] == "幸福家园").unwrap().clone();
            let k = kpis(app, admin, &ids.district, &from, &today.to_string(), "MONTH", false).await.ok()["kpis"]["total"].clone();
            (r, e["sample"].as_i64().unwrap(), k["received"].as_i64().unwrap(), k["timeToAcknowledge"]["reports"].as_i64().unwrap())
        }
    };
    let (month_before, three_before) = (read(month.to_string()).await, read(three.clone()).await);
    assert_eq!(read(month.to_string()).await, month_before, "nothing changed, nothing moves");
    assert_eq!(read(three.clone()).await, three_before);

    let id = submit(&app, &resident, "DRAIN", "三号楼门口下水道堵了，污水漫到路上").await;
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id) { id } }", json!({ "id": id })).await.ok();
    for (before, from) in [(&month_before, month.to_string()), (&three_before, three.clone())] {
        let dirty = read(from.clone()).await;
        assert_eq!((dirty.1, dirty.2, dirty.3), (before.1 + 1, before.2 + 1, before.3 + 1), "from {from}, the cell not rebuilt yet");
        api::service::kpi::cell::build_all(&app.state.db).await.unwrap();
        let built = read(from.clone()).await;
        assert_eq!(built, dirty, "from {from}, the cell rebuilt");
        assert_eq!(read(from).await, built, "and kept");
    }
}
