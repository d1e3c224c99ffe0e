//! The grid takes over what stalls: SLA clocks on business time, durable timers fired once, escalation up the grid,
//! urging, the overdue board, "me too" and merging. Time moves by the server's own clock (`state.clock`), never by
//! sleeping; the timer job's round is called as the job calls it.
use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::common::process::{Server, SharedDb};
use crate::common::{Demo, TestApp};

const REPORT: &str = r#"query($id: ID!) { report(id: $id) { id status supportCount supportedByMe
  sla { stage dueAt warnAt breached stageBusinessMinutes overallBusinessMinutes paused }
  escalation { level escalated steps holder since dueAt }
  timeline(first: 50) { nodes { kind note escalation { fromLevel toLevel reason } } } } }"#;

async fn app() -> TestApp {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    app
}

async fn report(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app.gql(Some(token), REPORT, json!({ "id": id })).await;
    r.ok()["report"].clone()
}

/// Moves the server's clock and runs one round of the timer job, as the job would: returns how many timers fired.
async fn after(app: &TestApp, by: Duration) -> usize {
    app.state.clock.advance(by);
    api::service::sla::fire_due(&app.state).await.unwrap()
}

async fn kinds_for(app: &TestApp, token: &str, report: &str) -> Vec<String> {
    let r = app.gql(Some(token), "{ notifications(first: 100) { nodes { kind reportId } } }", json!({})).await;
    r.ok()["notifications"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["reportId"] == report)
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn escalations(r: &Value) -> Vec<(String, String, String)> {
    r["timeline"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "ESCALATED")
        .map(|e| {
            let x = &e["escalation"];
            (x["fromLevel"].as_str().unwrap().into(), x["toLevel"].as_str().unwrap().into(), x["reason"].as_str().unwrap().into())
        })
        .collect()
}

fn uuid_of(id: &str) -> uuid::Uuid {
    api::ids::decode(id, api::ids::Kind::Report, "id").unwrap()
}

async fn row(app: &TestApp, id: &str) -> entity::report::Model {
    entity::report::Entity::find_by_id(uuid_of(id)).one(&app.state.db).await.unwrap().unwrap()
}

/// Ends `login`'s appointments now (as a revocation does), so their level is vacant.
async fn vacate(app: &TestApp, login: &str) {
    let user = entity::app_user::Entity::find()
        .filter(entity::app_user::Column::Openid.eq(format!("dev:{login}")))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    entity::appointment::Entity::update_many()
        .col_expr(entity::appointment::Column::EndsAt, sea_orm::sea_query::Expr::value(app.state.clock.now() - Duration::seconds(1)))
        .filter(entity::appointment::Column::UserId.eq(user.id))
        .exec(&app.state.db)
        .await
        .unwrap();
    api::service::roles::invalidate(&app.state, user.id).await;
}

#[tokio::test]
async fn a_report_ignored_at_every_level_climbs_the_grid_once_per_step() {
    let app = app().await;
    let resident = app.login("resident").await;
    let id = app.submit_drain_report(&resident, "1单元下水管堵了，一楼厨房返水，已经两天了").await;
    let head = app.login("head").await;
    let r = report(&app, &head, &id).await;
    assert_eq!(r["sla"]["stage"], "ACKNOWLEDGE");
    assert_eq!(r["escalation"]["level"], "NEIGHBOUR_HEAD");
    assert_eq!(r["escalation"]["escalated"], false);
    assert_eq!(r["escalation"]["holder"], json!(["张邻长"]));
    assert!(r["sla"]["warnAt"].as_str().unwrap() < r["sla"]["dueAt"].as_str().unwrap());

    let ladder = [
        ("NEIGHBOUR_HEAD", "GROUP_HEAD", "head", "group-head"),
        ("GROUP_HEAD", "AREA_HEAD", "group-head", "area-head"),
        ("AREA_HEAD", "COMMUNITY_ADMIN", "area-head", "community-admin"),
        ("COMMUNITY_ADMIN", "STREET_ADMIN", "community-admin", "street"),
    ];
    for (i, (from, to, old, new)) in ladder.iter().enumerate() {
        // A month of waiting is past any target: the job takes it up exactly one level per round.
        assert_eq!(after(&app, Duration::days(30)).await, 1, "one timer fires at step {i}");
        let (old, new) = (app.login(old).await, app.login(new).await);
        let r = report(&app, &new, &id).await;
        assert_eq!(r["escalation"]["level"], *to);
        assert_eq!(r["escalation"]["escalated"], true);
        assert_eq!(r["escalation"]["steps"], i as i64 + 1);
        assert_eq!(r["sla"]["breached"], true);
        assert_eq!(escalations(&r).last().unwrap(), &((*from).into(), (*to).into(), "OVERDUE".into()));
        assert_eq!(escalations(&r).len(), i + 1, "each step once");
        assert!(kinds_for(&app, &new, &id).await.contains(&"REPORT_ESCALATED".to_owned()), "{to} is told");
        assert!(kinds_for(&app, &old, &id).await.contains(&"ESCALATED_AWAY".to_owned()), "{from} is told");
        // The new holder finds it at the top of their escalated inbox.
        let inbox = app.gql(Some(&new), "{ taskInbox(escalated: true, first: 5) { nodes { id } } }", json!({})).await;
        assert_eq!(inbox.ok()["taskInbox"]["nodes"][0]["id"], id.as_str());
    }
    // Nowhere above the street office: the stage stays there, breached, with no timer left.
    assert_eq!(after(&app, Duration::days(30)).await, 1);
    assert_eq!(after(&app, Duration::days(30)).await, 0, "no timer left");
    let street = app.login("street").await;
    let r = report(&app, &street, &id).await;
    assert_eq!(r["escalation"]["level"], "STREET_ADMIN");
    assert_eq!(escalations(&r).len(), 4);
    assert!(row(&app, &id).await.sla_fires_at.is_none());
    // Every firing is in the log: four escalations and the breach at the top.
    use entity::enums::DomainEventKind as K;
    let logged = entity::domain_event::Entity::find()
        .filter(entity::domain_event::Column::SubjectId.eq(uuid_of(&id)))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(logged.iter().filter(|e| e.kind == K::ReportEscalated).count(), 4);
    assert_eq!(logged.iter().filter(|e| e.kind == K::SlaBreached).count(), 1);
    // The street office acts on it as the community office does.
    let ack = app.gql(Some(&street), "mutation($id: ID!) { acknowledgeReport(id: $id) { status } }", json!({ "id": id })).await;
    assert_eq!(ack.ok()["acknowledgeReport"]["status"], "ACKNOWLEDGED");
}

#[tokio::test]
async fn a_vacant_level_is_skipped_and_acknowledging_stops_the_climb() {
    let app = app().await;
    let resident = app.login("resident").await;
    vacate(&app, "group-head").await;
    let id = app.submit_drain_report(&resident, "楼道里的下水管漏水，地上全是水").await;
    assert_eq!(after(&app, Duration::days(30)).await, 1);
    let area = app.login("area-head").await;
    let r = report(&app, &area, &id).await;
    assert_eq!(r["escalation"]["level"], "AREA_HEAD", "the vacant group level is skipped");
    assert_eq!(escalations(&r), vec![("NEIGHBOUR_HEAD".into(), "AREA_HEAD".into(), "OVERDUE".into())]);
    let note = r["timeline"]["nodes"].as_array().unwrap().iter().rev().find(|e| e["kind"] == "ESCALATED").unwrap()["note"].clone();
    assert!(note.as_str().unwrap().contains("组长暂无人员"), "the skip is said: {note}");

    // The area head takes it up: a new stage with a fresh clock, and no more climbing while it is in time.
    let ack = app.gql(Some(&area), "mutation($id: ID!) { acknowledgeReport(id: $id) { status } }", json!({ "id": id })).await;
    ack.ok();
    let r = report(&app, &area, &id).await;
    assert_eq!(r["sla"]["stage"], "HANDLE");
    assert_eq!(r["sla"]["breached"], false);
    assert_eq!(r["escalation"]["level"], "AREA_HEAD", "who took it over keeps it");
    assert_eq!(after(&app, Duration::minutes(30)).await, 0);
    assert_eq!(report(&app, &area, &id).await["escalation"]["steps"], 1);

    // A neighbourhood without its head: the report goes at once to the first level somebody holds.
    vacate(&app, "head").await;
    let id2 = app.submit_drain_report(&resident, "一楼厨房下水道返水，味道很大").await;
    let r = report(&app, &area, &id2).await;
    assert_eq!(r["escalation"]["level"], "AREA_HEAD");
    assert_eq!(escalations(&r), vec![("NEIGHBOUR_HEAD".into(), "AREA_HEAD".into(), "VACANT".into())]);
    assert_eq!(r["sla"]["breached"], false, "a vacancy is not a breach");
    assert!(kinds_for(&app, &area, &id2).await.contains(&"REPORT_ESCALATED".to_owned()));
}

#[tokio::test]
async fn a_stalled_ticket_goes_to_the_community_and_the_clocks_pause_while_the_resident_decides() {
    let app = app().await;
    let (resident, head, staff, admin) =
        (app.login("resident").await, app.login("head").await, app.login("staff").await, app.login("community-admin").await);
    let id = app.submit_drain_report(&resident, "主下水管堵塞，整个单元都排不下水").await;
    for m in ["acknowledgeReport", "dispatchReport"] {
        app.gql(Some(&head), &format!("mutation($id: ID!) {{ {m}(id: $id) {{ status }} }}"), json!({ "id": id })).await.ok();
    }
    let r = report(&app, &staff, &id).await;
    assert_eq!((r["sla"]["stage"].as_str(), r["escalation"]["level"].as_str()), (Some("START"), Some("PROPERTY")));
    assert_eq!(after(&app, Duration::days(30)).await, 1);
    let r = report(&app, &admin, &id).await;
    assert_eq!(r["escalation"]["level"], "COMMUNITY_ADMIN");
    assert_eq!(escalations(&r), vec![("PROPERTY".into(), "COMMUNITY_ADMIN".into(), "OVERDUE".into())]);
    assert!(kinds_for(&app, &staff, &id).await.contains(&"ESCALATED_AWAY".to_owned()), "the company is told");
    let board = app
        .gql(Some(&admin), "query($s: ID!) { overdueReports(scopeId: $s, state: BREACHED) { nodes { id } } }",
            json!({ "s": Demo::ids(&app).await.community }))
        .await;
    assert_eq!(board.ok()["overdueReports"]["nodes"][0]["id"], id.as_str());

    // Another company's staff cannot read this company's board.
    let company = app.gql(Some(&staff), "query($id: ID!) { report(id: $id) { assignedCompany { id } } }", json!({ "id": id })).await;
    let company = company.ok()["report"]["assignedCompany"]["id"].as_str().unwrap().to_owned();
    let other = app.login("staff-2").await;
    let q = "query($s: ID!) { overdueReports(scopeId: $s, state: BREACHED) { nodes { id } } }";
    assert_eq!(app.gql(Some(&other), q, json!({ "s": company })).await.code(), "NOT_FOUND");
    assert_eq!(app.gql(Some(&staff), q, json!({ "s": company })).await.ok()["overdueReports"]["nodes"][0]["id"], id.as_str());
    // The company starts: its own stage, held by it again.
    app.gql(Some(&staff), "mutation($id: ID!) { startWork(id: $id) { status } }", json!({ "id": id })).await.ok();
    let r = report(&app, &staff, &id).await;
    assert_eq!((r["sla"]["stage"].as_str(), r["escalation"]["level"].as_str()), (Some("RESOLVE"), Some("PROPERTY")));
    app.state.clock.advance(Duration::hours(2));
    app.gql(Some(&staff), "mutation($id: ID!) { resolveReport(id: $id) { status } }", json!({ "id": id })).await.ok();
    let paused = report(&app, &resident, &id).await;
    assert_eq!(paused["sla"]["paused"], true);
    assert_eq!(paused["sla"]["stage"], Value::Null);
    assert!(paused["escalation"].is_null());
    let overall = paused["sla"]["overallBusinessMinutes"].as_i64().unwrap();
    // Days waiting on the resident do not count.
    app.state.clock.advance(Duration::days(2));
    assert_eq!(report(&app, &resident, &id).await["sla"]["overallBusinessMinutes"].as_i64().unwrap(), overall);
    let reopen = app
        .gql(Some(&resident), "mutation($id: ID!) { reopenReport(id: $id, reason: \"还是堵\") { status } }", json!({ "id": id }))
        .await;
    reopen.ok();
    let r = report(&app, &resident, &id).await;
    assert_eq!((r["sla"]["stage"].as_str(), r["sla"]["paused"].as_bool()), (Some("START"), Some(false)));
    assert_eq!(r["sla"]["stageBusinessMinutes"], 0, "the stage clock restarts");
    assert_eq!(r["sla"]["overallBusinessMinutes"].as_i64().unwrap(), overall, "the overall clock goes on from where it stopped");
}

#[tokio::test]
async fn holidays_and_make_up_days_move_due_times_as_the_calendar_says() {
    let app = app().await;
    let d = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let set = r#"mutation($d: ID!, $days: [CalendarDayInput!]!) { setCalendarDays(districtId: $d, year: 2027, days: $days) {
        workStart workEnd days { date kind name } } }"#;
    let days = json!([
        { "date": "2027-03-01", "kind": "HOLIDAY", "name": "测试假日" },
        { "date": "2027-03-07", "kind": "WORKDAY", "name": "测试调休上班" },
    ]);
    // Only the district's admins edit it; a bad date changes nothing.
    let community = app.login("community-admin").await;
    assert_eq!(app.gql(Some(&community), set, json!({ "d": d.district, "days": days })).await.code(), "FORBIDDEN");
    let bad = json!([{ "date": "2026-03-01", "kind": "HOLIDAY", "name": "错年" }]);
    let r = app.gql(Some(&admin), set, json!({ "d": d.district, "days": bad })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("days")));
    let r = app.gql(Some(&admin), set, json!({ "d": d.district, "days": days })).await;
    assert_eq!(r.ok()["setCalendarDays"]["workStart"], "08:30");
    assert_eq!(r.ok()["setCalendarDays"]["days"].as_array().unwrap().len(), 2);
    // A 4-hour acknowledgement target for blocked drains.
    let cat = app.category_id(&admin, "DRAIN").await;
    app.gql(Some(&admin), "mutation($id: ID!) { updateCategory(id: $id, input: { ackHoursNormal: 4 }) { id } }", json!({ "id": cat }))
        .await
        .ok();
    app.state.lookup.forget_categories();

    let beijing = |y, m, d, h, min| chrono::FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc);
    let resident = app.login("resident").await;
    let due = |r: &Value| r["sla"]["dueAt"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    // Friday evening, with the Monday a holiday: due Tuesday at 12:30 (08:30 + 4 h).
    app.state.clock.set_to(beijing(2027, 2, 26, 18, 0));
    let id = app.submit_drain_report(&resident, "周五晚上厨房下水道堵了").await;
    assert_eq!(due(&report(&app, &resident, &id).await), beijing(2027, 3, 2, 12, 30));
    // Saturday morning before a make-up Sunday: due Sunday at 12:30.
    app.state.clock.set_to(beijing(2027, 3, 6, 10, 0));
    let id = app.submit_drain_report(&resident, "周六早上厨房下水道又堵了").await;
    assert_eq!(due(&report(&app, &resident, &id).await), beijing(2027, 3, 7, 12, 30));
    // The same Friday evening without the calendar's special days: due Monday.
    let r = app.gql(Some(&admin), set, json!({ "d": d.district, "days": [] })).await;
    r.ok();
    app.state.clock.set_to(beijing(2027, 2, 26, 18, 0));
    let id = app.submit_drain_report(&resident, "周五晚上卫生间下水道堵了").await;
    assert_eq!(due(&report(&app, &resident, &id).await), beijing(2027, 3, 1, 12, 30));
}

#[tokio::test]
async fn the_warning_is_sent_once_and_a_second_urge_on_a_breached_stage_escalates() {
    let app = app().await;
    let (resident, head) = (app.login("resident").await, app.login("head").await);
    let id = app.submit_drain_report(&resident, "下水道堵了，厨房的水排不出去").await;
    let warn = report(&app, &head, &id).await["sla"]["warnAt"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    app.state.clock.set_to(warn + Duration::minutes(1));
    assert_eq!(api::service::sla::fire_due(&app.state).await.unwrap(), 1);
    assert_eq!(api::service::sla::fire_due(&app.state).await.unwrap(), 0);
    let warned = kinds_for(&app, &head, &id).await.iter().filter(|k| *k == "SLA_WARNING").count();
    assert_eq!(warned, 1, "warned once");
    let n = Demo::ids(&app).await.neighbourhood;
    let board = |state: &'static str| {
        let (app, head, n) = (&app, head.clone(), n.clone());
        async move {
            let q = format!("query($s: ID!) {{ overdueReports(scopeId: $s, state: {state}) {{ nodes {{ id }} }} }}");
            let r = app.gql(Some(&head), &q, json!({ "s": n })).await;
            r.ok()["overdueReports"]["nodes"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(board("NEAR_BREACH").await, vec![id.clone()]);
    assert!(board("BREACHED").await.is_empty());
    // The board is the scope's heads' and admins': a resident is refused.
    let r = app.gql(Some(&resident), "query($s: ID!) { overdueReports(scopeId: $s, state: BREACHED) { nodes { id } } }", json!({ "s": n })).await;
    assert_eq!(r.code(), "FORBIDDEN");

    // Urging tells the holder; on a stage not yet past due it does nothing more.
    let urge = "mutation($id: ID!) { urgeReport(id: $id) { id } }";
    app.gql(Some(&resident), urge, json!({ "id": id })).await.ok();
    assert!(kinds_for(&app, &head, &id).await.contains(&"REPORT_URGED".to_owned()));
    assert_eq!(report(&app, &head, &id).await["escalation"]["level"], "NEIGHBOUR_HEAD");
    // Past due: the group head takes over; the reporter urges twice more, a day apart: the second of them on the
    // breached stage takes it up again at once.
    assert_eq!(after(&app, Duration::days(30)).await, 1);
    let group = app.login("group-head").await;
    assert_eq!(report(&app, &group, &id).await["escalation"]["level"], "GROUP_HEAD");
    app.state.clock.advance(Duration::hours(25));
    app.gql(Some(&resident), urge, json!({ "id": id })).await.ok();
    assert!(kinds_for(&app, &group, &id).await.contains(&"REPORT_URGED".to_owned()), "the current holder hears the urge");
    let area = app.login("area-head").await;
    let r = report(&app, &area, &id).await;
    assert_eq!(r["escalation"]["level"], "AREA_HEAD");
    assert_eq!(escalations(&r).last().unwrap(), &("GROUP_HEAD".into(), "AREA_HEAD".into(), "URGED".into()));
    assert_eq!(board("BREACHED").await, vec![id.clone()]);
}

/// 500 reports with their timers due, three server processes with the job on: each timer fires exactly once.
#[tokio::test]
async fn three_servers_fire_each_of_500_due_timers_exactly_once() {
    let db = SharedDb::create().await;
    let seed = Server::start(&db, &["--demo"], &[("LINLI_JOBS", "off")]).await;
    let resident = seed.login("resident").await;
    let r = seed
        .gql(Some(&resident), "{ myReports(first: 1, status: SUBMITTED) { nodes { id } } }", json!({}))
        .await;
    let sample = r.ok()["myReports"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    drop(seed);
    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    let model = entity::report::Entity::find_by_id(uuid_of(&sample)).one(&conn).await.unwrap().unwrap();
    let past = Utc::now() - Duration::minutes(5);
    let mut ids = Vec::new();
    for chunk in 0..5 {
        let rows: Vec<entity::report::ActiveModel> = (0..100)
            .map(|i| {
                let mut m = model.clone();
                m.id = uuid::Uuid::now_v7();
                m.idempotency_key = Some(format!("sla-{chunk}-{i}"));
                m.sla_level = Some(entity::enums::GridLevel::NeighbourHead);
                (m.sla_warned, m.sla_due_at, m.sla_fires_at, m.last_event_id) = (true, Some(past), Some(past), None);
                ids.push(m.id);
                let mut am: entity::report::ActiveModel = m.into();
                am.id = Set(am.id.unwrap());
                am
            })
            .collect();
        entity::report::Entity::insert_many(rows).exec_without_returning(&conn).await.unwrap();
    }
    let env = [("LINLI_JOBS", "on"), ("LINLI_SLA_INTERVAL_MS", "20")];
    let servers = futures::future::join_all((0..3).map(|_| Server::start(&db, &[], &env))).await;
    let escalated = || async {
        entity::report_event::Entity::find()
            .filter(entity::report_event::Column::Kind.eq(entity::enums::EventKind::Escalated))
            .filter(entity::report_event::Column::ReportId.is_in(ids.clone()))
            .all(&conn)
            .await
            .unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while escalated().await.len() < 500 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // A few more rounds of all three, to let any double firing show.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let events = escalated().await;
    let mut per: std::collections::HashMap<uuid::Uuid, usize> = Default::default();
    for e in &events {
        *per.entry(e.report_id).or_default() += 1;
    }
    assert_eq!(per.len(), 500, "every timer fired");
    assert!(per.values().all(|n| *n == 1), "none fired twice: {:?}", per.values().filter(|n| **n > 1).count());
    let rows = entity::report::Entity::find().filter(entity::report::Column::Id.is_in(ids.clone())).all(&conn).await.unwrap();
    assert!(rows.iter().all(|r| r.sla_level == Some(entity::enums::GridLevel::GroupHead)));
    drop(servers);
}

/// Every server down past a due time; the first one back fires it, once.
#[tokio::test]
async fn a_timer_that_came_due_while_every_server_was_down_fires_once_when_one_comes_back() {
    let db = SharedDb::create().await;
    let a = Server::start(&db, &["--demo"], &[("LINLI_JOBS", "off")]).await;
    let resident = a.login("resident").await;
    let r = a
        .gql(Some(&resident), "{ myReports(first: 1, status: SUBMITTED) { nodes { id } } }", json!({}))
        .await;
    let id = uuid_of(r.ok()["myReports"]["nodes"][0]["id"].as_str().unwrap());
    a.terminate();
    drop(a);
    // While nobody runs, its due time passes.
    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    let past = Utc::now() - Duration::hours(1);
    entity::report::Entity::update_many()
        .col_expr(entity::report::Column::SlaDueAt, sea_orm::sea_query::Expr::value(past))
        .col_expr(entity::report::Column::SlaFiresAt, sea_orm::sea_query::Expr::value(past))
        .col_expr(entity::report::Column::SlaWarned, sea_orm::sea_query::Expr::value(true))
        .filter(entity::report::Column::Id.eq(id))
        .exec(&conn)
        .await
        .unwrap();
    let _b = Server::start(&db, &[], &[("LINLI_JOBS", "on"), ("LINLI_SLA_INTERVAL_MS", "20")]).await;
    let count = || async {
        entity::report_event::Entity::find()
            .filter(entity::report_event::Column::ReportId.eq(id))
            .filter(entity::report_event::Column::Kind.eq(entity::enums::EventKind::Escalated))
            .all(&conn)
            .await
            .unwrap()
            .len()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count().await == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(count().await, 1);
}

/// Logs in `n` new residents of dev:head's neighbourhood (verified, written straight to the database).
async fn residents(app: &TestApp, n: usize) -> Vec<String> {
    let d = Demo::ids(app).await;
    let nbh = api::ids::decode(&d.neighbourhood, api::ids::Kind::Neighbourhood, "n").unwrap();
    let building = api::ids::decode(&d.building, api::ids::Kind::Building, "b").unwrap();
    let community = api::ids::decode(&d.community, api::ids::Kind::Community, "c").unwrap();
    let mut tokens = Vec::new();
    for i in 0..n {
        let (token, _, uid) = app.session(&format!("me-too-{i}")).await;
        let user = api::ids::decode(&uid, api::ids::Kind::User, "u").unwrap();
        entity::residence::Entity::insert(entity::residence::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            created_at: Set(Utc::now()),
            unit: Set(1),
            room: Set(format!("{}", 1000 + i)),
            status: Set(entity::enums::ResidenceStatus::Verified),
            reviewed_at: Set(Some(Utc::now())),
            reject_reason: Set(None),
            user_id: Set(user),
            building_id: Set(building),
            neighbourhood_id: Set(Some(nbh)),
            community_id: Set(community),
            reviewed_by: Set(None),
        })
        .exec(&app.state.db)
        .await
        .unwrap();
        tokens.push(token);
    }
    tokens
}

#[tokio::test]
async fn me_too_counts_once_per_resident_under_parallel_taps_and_raises_the_report() {
    let app = app().await;
    let (resident, neighbour, head) = (app.login("resident").await, app.login("neighbour").await, app.login("head").await);
    let older = app.submit_drain_report(&neighbour, "二楼卫生间地漏返味，好几天了").await;
    app.state.clock.advance(Duration::hours(2));
    let id = app.submit_drain_report(&resident, "1单元主下水管堵了，一楼返水").await;
    let support = "mutation($id: ID!) { supportReport(id: $id) { supportCount supportedByMe } }";
    // Twenty taps by one resident at once: one support.
    let taps = (0..20).map(|_| app.gql(Some(&neighbour), support, json!({ "id": id })));
    for r in futures::future::join_all(taps).await {
        assert_eq!(r.ok()["supportReport"]["supportedByMe"], true);
    }
    assert_eq!(report(&app, &head, &id).await["supportCount"], 1);
    // Twenty residents at once: twenty.
    let others = residents(&app, 20).await;
    let taps = others.iter().map(|t| app.gql(Some(t), support, json!({ "id": id })));
    futures::future::join_all(taps).await.iter().for_each(|r| {
        r.ok();
    });
    assert_eq!(report(&app, &head, &id).await["supportCount"], 21);
    assert_eq!(row(&app, &id).await.support_count, 21);
    // Its own reporter is no supporter; taking a support back counts down, twice counts once.
    assert_eq!(app.gql(Some(&resident), support, json!({ "id": id })).await.code(), "CONFLICT");
    let withdraw = "mutation($id: ID!) { withdrawSupport(id: $id) { supportCount supportedByMe } }";
    for _ in 0..2 {
        let r = app.gql(Some(&others[0]), withdraw, json!({ "id": id })).await;
        assert_eq!(r.ok()["withdrawSupport"], json!({ "supportCount": 20, "supportedByMe": false }));
    }
    // Twenty supporters count as twenty hours of waiting: it comes before the report two hours older.
    let inbox = app.gql(Some(&head), "{ taskInbox(first: 10) { nodes { id } } }", json!({})).await;
    let order: Vec<&str> = inbox.ok()["taskInbox"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    let (a, b) = (order.iter().position(|x| *x == id).unwrap(), order.iter().position(|x| *x == older).unwrap());
    assert!(a < b, "supported first: {order:?}");
    // Supporters follow the report's status.
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id) { status } }", json!({ "id": id })).await.ok();
    assert!(kinds_for(&app, &others[1], &id).await.contains(&"REPORT_ACKNOWLEDGED".to_owned()));
    assert!(!kinds_for(&app, &others[0], &id).await.contains(&"REPORT_ACKNOWLEDGED".to_owned()), "not after withdrawing");
    // A resident of another compound cannot even see it.
    let far = app.login("resident-10").await;
    assert_eq!(app.gql(Some(&far), support, json!({ "id": id })).await.code(), "NOT_FOUND");
}

#[tokio::test]
async fn merging_moves_reporters_and_supporters_to_the_primary_and_is_refused_across_compounds() {
    let app = app().await;
    let (resident, neighbour, head) = (app.login("resident").await, app.login("neighbour").await, app.login("head").await);
    let primary = app.submit_drain_report(&resident, "1单元下水管堵了，一楼厨房返水").await;
    let dup = app.submit_drain_report(&neighbour, "一楼厨房下水道往上冒污水").await;
    let fan = residents(&app, 1).await.pop().unwrap();
    app.gql(Some(&fan), "mutation($id: ID!) { supportReport(id: $id) { id } }", json!({ "id": dup })).await.ok();
    let merge = "mutation($p: ID!, $d: [ID!]!) { mergeReports(primaryId: $p, duplicateIds: $d) { supportCount timeline { nodes { kind note } } } }";
    // Not a head or admin over them: refused, nothing changes.
    assert_eq!(app.gql(Some(&neighbour), merge, json!({ "p": primary, "d": [dup] })).await.code(), "FORBIDDEN");
    // Across compounds (the street admin is over both): refused.
    let far = app.login("resident-10").await;
    let elsewhere = app.submit_drain_report(&far, "和谐苑下水道堵塞，厨房返水").await;
    let street = app.login("street").await;
    let r = app.gql(Some(&street), merge, json!({ "p": primary, "d": [elsewhere] })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("duplicateIds")));
    assert_eq!(row(&app, &elsewhere).await.status, entity::enums::ReportStatus::Submitted);

    let r = app.gql(Some(&head), merge, json!({ "p": primary, "d": [dup] })).await;
    let m = &r.ok()["mergeReports"];
    assert_eq!(m["supportCount"], 2, "the duplicate's reporter and its supporter");
    assert!(m["timeline"]["nodes"].as_array().unwrap().iter().any(|e| e["kind"] == "MERGED" && e["note"].as_str().unwrap().contains(&dup)));
    let d = row(&app, &dup).await;
    assert_eq!((d.status, d.duplicate_of), (entity::enums::ReportStatus::Duplicate, Some(uuid_of(&primary))));
    assert!(kinds_for(&app, &neighbour, &dup).await.contains(&"REPORT_MERGED".to_owned()));
    assert!(kinds_for(&app, &fan, &primary).await.contains(&"REPORT_MERGED".to_owned()));
    // They follow the primary now.
    assert_eq!(report(&app, &neighbour, &primary).await["supportedByMe"], true);
    app.gql(Some(&head), "mutation($id: ID!) { acknowledgeReport(id: $id) { status } }", json!({ "id": primary })).await.ok();
    assert!(kinds_for(&app, &neighbour, &primary).await.contains(&"REPORT_ACKNOWLEDGED".to_owned()));
    // Merged from another neighbourhood of the compound (by the group head over both): its reporter, who could not
    // see the primary, follows it now.
    let across = app.login("resident-3").await;
    let dup2 = app.submit_drain_report(&across, "1号楼2单元厨房下水道也返水了").await;
    assert_eq!(app.gql(Some(&across), REPORT, json!({ "id": primary })).await.code(), "NOT_FOUND");
    let group = app.login("group-head").await;
    app.gql(Some(&group), merge, json!({ "p": primary, "d": [dup2] })).await.ok();
    let seen = report(&app, &across, &primary).await;
    assert_eq!((seen["supportedByMe"].as_bool(), seen["supportCount"].as_i64()), (Some(true), Some(3)));
    // A merged report cannot be merged again.
    let third = app.submit_drain_report(&neighbour, "厨房又返水了").await;
    let r = app.gql(Some(&head), merge, json!({ "p": dup, "d": [third] })).await;
    assert_eq!(r.code(), "CONFLICT");
}

#[tokio::test]
async fn similar_reports_show_the_same_problem_the_caller_may_see() {
    let app = app().await;
    let (resident, neighbour) = (app.login("resident").await, app.login("neighbour").await);
    let d = Demo::ids(&app).await;
    let same = app.submit_drain_report(&resident, "1单元下水管堵了，一楼厨房返水").await;
    let other = app.submit_drain_report(&resident, "楼顶的雨水管掉下来了，下雨就淋到门口").await;
    let q = r#"query($i: SimilarReportsInput!) { similarReports(input: $i) { score report { id status supportCount } } }"#;
    let cat = app.category_id(&neighbour, "DRAIN").await;
    let input = json!({ "categoryId": cat, "buildingId": d.building, "unit": 1, "description": "厨房下水道堵了，污水往上冒" });
    let r = app.gql(Some(&neighbour), q, json!({ "i": input })).await;
    let found = r.ok()["similarReports"].as_array().unwrap().clone();
    assert_eq!(found[0]["report"]["id"], same.as_str(), "{found:?}");
    assert!(found.iter().all(|f| f["report"]["id"] != other.as_str()), "a different problem is not shown");
    assert!(found.len() <= 5);
    // Someone who may not see the compound's reports is shown none of them.
    let far = app.login("resident-10").await;
    let r = app.gql(Some(&far), q, json!({ "i": input })).await;
    assert!(r.ok()["similarReports"].as_array().unwrap().is_empty());
    let r = app.gql(Some(&neighbour), q, json!({ "i": { "categoryId": cat, "description": "x" } })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("compoundId")));
}

/// `supportedByMe` on a page costs one statement, not one per report with supporters (the request's loader).
#[tokio::test]
async fn supported_by_me_on_a_page_costs_one_statement() {
    let app = app().await;
    let (resident, neighbour, head) = (app.login("resident").await, app.login("neighbour").await, app.login("head").await);
    let support = "mutation($id: ID!) { supportReport(id: $id) { supportCount } }";
    for i in 0..8 {
        let id = app.submit_drain_report(&resident, &format!("{}号楼道的灯坏了，晚上看不见路", i + 1)).await;
        app.state.clock.advance(Duration::minutes(1));
        assert_eq!(app.gql(Some(&neighbour), support, json!({ "id": id })).await.ok()["supportReport"]["supportCount"], 1);
    }
    let with = "query($n: Int!) { taskInbox(first: $n) { nodes { id supportCount supportedByMe } } }";
    let without = "query($n: Int!) { taskInbox(first: $n) { nodes { id supportCount } } }";
    for n in [2, 8] {
        app.gql(Some(&head), with, json!({ "n": 1 })).await.ok();
        let (r, with_count) = app.gql_counted(Some(&head), with, json!({ "n": n })).await;
        let nodes = r.ok()["taskInbox"]["nodes"].as_array().unwrap().clone();
        let supported = nodes.iter().filter(|x| x["supportCount"].as_i64().unwrap() > 0).count();
        assert!(supported >= 2, "the page shows supported reports: {nodes:?}");
        assert!(nodes.iter().all(|x| x["supportedByMe"] == false), "the head supports none");
        let (_, without_count) = app.gql_counted(Some(&head), without, json!({ "n": n })).await;
        assert_eq!(with_count, without_count + 1, "{n} reports: one statement for supportedByMe");
    }
}

/// Who said "me too": the head sees every supporter by name, the company's staff see them masked, a supporter
/// sees only their own support, and the reporter (not a head) none of the others.
#[tokio::test]
async fn supporters_are_shown_as_each_viewer_may_see_them() {
    let app = app().await;
    let (resident, neighbour, head, staff) =
        (app.login("resident").await, app.login("neighbour").await, app.login("head").await, app.login("staff").await);
    let id = app.submit_drain_report(&resident, "3号楼门口的雨水箅子堵了").await;
    let others = residents(&app, 2).await;
    for t in [&neighbour, &others[0], &others[1]] {
        app.gql(Some(t), "mutation($id: ID!) { supportReport(id: $id) { id } }", json!({ "id": id })).await.ok();
    }
    for m in ["acknowledgeReport", "dispatchReport"] {
        app.gql(Some(&head), &format!("mutation($id: ID!) {{ {m}(id: $id, note: \"ok\") {{ id }} }}"), json!({ "id": id })).await.ok();
    }
    let q = "query($id: ID!) { report(id: $id) { supporters(first: 10) { nodes { name isMe } } } }";
    let names = |token: String| {
        let (app, id) = (&app, id.clone());
        async move {
            let r = app.gql(Some(&token), q, json!({ "id": id })).await;
            r.ok()["report"]["supporters"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| (n["name"].as_str().unwrap().to_owned(), n["isMe"].as_bool().unwrap()))
                .collect::<Vec<_>>()
        }
    };
    let by_head = names(head.clone()).await;
    assert_eq!(by_head.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["赵先生", "me-too-0", "me-too-1"], "oldest first, by name");
    let by_staff = names(staff.clone()).await;
    assert_eq!(by_staff.len(), 3);
    assert_eq!(by_staff[0], ("赵**".to_owned(), false));
    assert!(by_staff.iter().all(|(n, me)| n.ends_with("**") && !me), "{by_staff:?}");
    assert_eq!(names(neighbour.clone()).await, [("赵先生".to_owned(), true)]);
    assert!(names(resident.clone()).await.is_empty(), "the reporter does not see who the others are");
}
