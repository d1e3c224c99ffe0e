//! The audit log (issue 15): admin actions recorded in their own transaction with who, office, scope, before and
//! after; read by the admins over the scope only; one hash chain that survives concurrent admins and shows
//! tampering; on PostgreSQL rows cannot be changed at all.
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::common::{Demo, TestApp};

const LOG: &str = r#"query($s: ID!, $a: ID, $act: AuditAction, $o: ID, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
    auditLog(scopeId: $s, actorId: $a, action: $act, objectId: $o, from: $from, to: $to, first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { seq at actor { id nickname } actorRole scopeKind scopeId action objectKind objectId before after reason requestId hash }
    } }"#;

/// The log of `scope` as `token` sees it, with extra variables.
async fn log(app: &TestApp, token: &str, scope: &str, vars: Value) -> Vec<Value> {
    let mut v = json!({ "s": scope });
    v.as_object_mut().unwrap().extend(vars.as_object().unwrap().clone());
    let r = app.gql(Some(token), LOG, v).await;
    r.ok()["auditLog"]["nodes"].as_array().unwrap().clone()
}

/// The newest row of `action` in `scope`.
async fn newest(app: &TestApp, token: &str, scope: &str, action: &str) -> Value {
    let rows = log(app, token, scope, json!({ "act": action, "first": 1 })).await;
    rows.first().unwrap_or_else(|| panic!("no {action} row in {scope}")).clone()
}

fn parsed(v: &Value) -> Value {
    serde_json::from_str(v.as_str().unwrap_or("null")).unwrap()
}

/// Runs `sql` on the test's database, raw.
async fn raw(app: &TestApp, sql: &str) -> Result<sea_orm::ExecResult, sea_orm::DbErr> {
    let db = &app.state.db;
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await
}

#[tokio::test]
async fn admin_actions_are_recorded_with_office_scope_before_and_after() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let (admin, _, admin_id) = app.session("admin").await;
    let community_admin = app.login("community-admin").await;
    let street = app.login("street").await;

    // A unit renamed, with the request's id.
    let r = app
        .gql_with(Some(&admin), "mutation($i: ID!) { renameUnit(id: $i, name: \"幸福家园（新）\") { __typename } }", json!({ "i": ids.compound }), &[("x-request-id", "req-audit-rename")])
        .await;
    r.ok();
    let row = newest(&app, &community_admin, &ids.community, "UNIT_RENAMED").await;
    assert_eq!(row["objectId"], ids.compound.as_str());
    assert_eq!((row["objectKind"].as_str(), row["scopeKind"].as_str()), (Some("COMPOUND"), Some("COMPOUND")));
    assert_eq!(parsed(&row["before"]), json!({ "name": "幸福家园" }));
    assert_eq!(parsed(&row["after"]), json!({ "name": "幸福家园（新）" }));
    assert_eq!((row["actor"]["id"].as_str(), row["actorRole"].as_str()), (Some(admin_id.as_str()), Some("DISTRICT_ADMIN")));
    assert_eq!(row["requestId"], "req-audit-rename");
    assert_eq!(row["hash"].as_str().unwrap().len(), 64);
    // The street's log holds its communities' and compounds' rows too.
    assert_eq!(newest(&app, &street, &ids.street, "UNIT_RENAMED").await["seq"], row["seq"]);

    // An appointment made and revoked.
    let (_, _, newcomer_id) = app.session("newcomer").await;
    let made = app
        .gql(Some(&street), "mutation($u: ID!, $s: ID!) { appoint(input: { userId: $u, role: COMMUNITY_ADMIN, scopeId: $s }) { id } }", json!({ "u": newcomer_id, "s": ids.community }))
        .await;
    let appointment = made.ok()["appoint"]["id"].as_str().unwrap().to_owned();
    let row = newest(&app, &community_admin, &ids.community, "APPOINTMENT_MADE").await;
    assert_eq!((row["objectId"].as_str(), row["actorRole"].as_str()), (Some(appointment.as_str()), Some("STREET_ADMIN")));
    assert_eq!(row["before"], Value::Null);
    let after = parsed(&row["after"]);
    assert_eq!((after["role"].as_str(), after["endsAt"].clone()), (Some("COMMUNITY_ADMIN"), Value::Null));
    app.gql(Some(&street), "mutation($i: ID!) { revokeAppointment(id: $i) { id } }", json!({ "i": appointment })).await.ok();
    let row = newest(&app, &street, &ids.street, "APPOINTMENT_REVOKED").await;
    assert_eq!(row["objectId"], appointment.as_str());
    assert_eq!(parsed(&row["before"])["endsAt"], Value::Null);
    assert!(parsed(&row["after"])["endsAt"].is_string(), "the revocation ended it");

    // Residences reviewed: rejected by the community admin with a reason, verified by the head.
    let request = "mutation($b: ID!, $r: String!) { requestResidence(buildingId: $b, unit: 1, room: $r) { id } }";
    let first = app.gql(Some(&app.login("newcomer").await), request, json!({ "b": ids.building, "r": "1101" })).await;
    let first = first.ok()["requestResidence"]["id"].as_str().unwrap().to_owned();
    app.gql(Some(&community_admin), "mutation($i: ID!) { rejectResidence(id: $i, reason: \"查无此房\") { id } }", json!({ "i": first })).await.ok();
    let row = newest(&app, &community_admin, &ids.community, "RESIDENCE_REJECTED").await;
    assert_eq!((row["objectId"].as_str(), row["actorRole"].as_str()), (Some(first.as_str()), Some("COMMUNITY_ADMIN")));
    assert_eq!(row["reason"], "查无此房");
    assert_eq!(parsed(&row["before"]), json!({ "status": "PENDING" }));
    assert_eq!(parsed(&row["after"]), json!({ "status": "REJECTED", "rejectReason": "查无此房" }));
    let second = app.gql(Some(&app.login("newcomer").await), request, json!({ "b": ids.building, "r": "1102" })).await;
    let second = second.ok()["requestResidence"]["id"].as_str().unwrap().to_owned();
    app.gql(Some(&app.login("head").await), "mutation($i: ID!) { verifyResidence(id: $i) { id } }", json!({ "i": second })).await.ok();
    let row = newest(&app, &community_admin, &ids.community, "RESIDENCE_VERIFIED").await;
    assert_eq!((row["objectId"].as_str(), row["actorRole"].as_str()), (Some(second.as_str()), Some("NEIGHBOUR_HEAD")));

    // A category edited.
    let cat = app.category_id(&admin, "DRAIN").await;
    app.gql(Some(&admin), "mutation($id: ID!) { updateCategory(id: $id, input: { ackHoursNormal: 5 }) { id } }", json!({ "id": cat })).await.ok();
    let row = newest(&app, &admin, &ids.district, "CATEGORY_UPDATED").await;
    assert_eq!(row["objectId"], cat.as_str());
    let (before, after) = (parsed(&row["before"]), parsed(&row["after"]));
    assert_ne!(before["ackHoursNormal"], 5);
    assert_eq!(after["ackHoursNormal"], 5);
    assert_eq!(before["resolveHoursNormal"], after["resolveHoursNormal"], "what did not change is the same on both sides");

    // The calendar edited: working hours, then special days.
    let hours = r#"mutation($d: ID!) { setWorkHours(districtId: $d, input: { workStart: "09:00", workEnd: "18:00", weekdays: [1, 2, 3, 4, 5] }) { workStart } }"#;
    app.gql(Some(&admin), hours, json!({ "d": ids.district })).await.ok();
    let row = newest(&app, &admin, &ids.district, "CALENDAR_UPDATED").await;
    assert_eq!(parsed(&row["after"]), json!({ "startMinute": 540, "endMinute": 1080, "weekdays": "1,2,3,4,5", "warnPercent": 75 }));
    let days = r#"mutation($d: ID!) { setCalendarDays(districtId: $d, year: 2027, days: [{ date: "2027-03-01", kind: HOLIDAY, name: "测试假日" }]) { workStart } }"#;
    app.gql(Some(&admin), days, json!({ "d": ids.district })).await.ok();
    let row = newest(&app, &admin, &ids.district, "CALENDAR_UPDATED").await;
    assert_eq!(parsed(&row["before"]), json!({ "year": 2027, "days": [] }));
    assert_eq!(parsed(&row["after"]), json!({ "year": 2027, "days": [{ "day": "2027-03-01", "kind": "HOLIDAY", "name": "测试假日" }] }));

    // A report rejected by the community admin: in the log, and on the report's timeline as before.
    let resident = app.login("resident").await;
    let report = app.submit_drain_report(&resident, "楼道里堆满了杂物，消防通道被堵").await;
    app.gql(Some(&community_admin), "mutation($i: ID!) { rejectReport(id: $i, reason: \"不属于本社区\") { id } }", json!({ "i": report })).await.ok();
    let row = newest(&app, &community_admin, &ids.community, "REPORT_ACTED").await;
    assert_eq!((row["objectId"].as_str(), row["reason"].as_str()), (Some(report.as_str()), Some("不属于本社区")));
    assert_eq!(parsed(&row["before"]), json!({ "status": "SUBMITTED" }));
    assert_eq!(parsed(&row["after"]), json!({ "status": "REJECTED", "step": "REJECTED" }));

    // What residents and heads do on their own is not an admin action.
    let actions: Vec<String> = log(&app, &admin, &ids.district, json!({ "first": 100 })).await.iter().map(|r| r["action"].as_str().unwrap().to_owned()).collect();
    assert!(!actions.iter().any(|a| a.contains("SUBMITTED") || a.contains("REQUESTED")), "{actions:?}");
    let v = api::service::audit::verify(&app.state.db).await.unwrap();
    assert_eq!(v.broken, None);
    assert_eq!(v.rows as i64, app.count("audit_log").await);
}

#[tokio::test]
async fn the_log_filters_and_pages_newest_first() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let (admin, _, admin_id) = app.session("admin").await;
    let (street, _, street_id) = app.session("street").await;
    let create = "mutation($p: ID!, $n: String!) { createCommunity(streetId: $p, name: $n) { id } }";
    let mut made = Vec::new();
    for (i, token) in [&admin, &street, &admin, &street, &admin].into_iter().enumerate() {
        let r = app.gql(Some(token), create, json!({ "p": ids.street, "n": format!("审计社区{i}") })).await;
        made.push(r.ok()["createCommunity"]["id"].as_str().unwrap().to_owned());
    }

    // Newest first, in pages.
    let page = |after: Option<String>| {
        let app = &app;
        let admin = &admin;
        let scope = ids.street.clone();
        async move {
            let v = json!({ "s": scope, "act": "UNIT_CREATED", "first": 2, "after": after });
            app.gql(Some(admin), LOG, v).await.ok()["auditLog"].clone()
        }
    };
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let p = page(after).await;
        seen.extend(p["nodes"].as_array().unwrap().iter().map(|n| n["objectId"].as_str().unwrap().to_owned()));
        if !p["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = p["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first, "every created community once, newest first");

    // By actor, by object, by time.
    let by_street = log(&app, &admin, &ids.street, json!({ "a": street_id, "act": "UNIT_CREATED" })).await;
    assert_eq!(by_street.len(), 2);
    assert!(by_street.iter().all(|r| r["actorRole"] == "STREET_ADMIN"));
    let by_admin = log(&app, &admin, &ids.street, json!({ "a": admin_id, "act": "UNIT_CREATED" })).await;
    assert_eq!(by_admin.len(), 3);
    let one = log(&app, &admin, &ids.district, json!({ "o": made[1] })).await;
    assert_eq!(one.len(), 1);
    assert_eq!((one[0]["scopeKind"].as_str(), one[0]["scopeId"].as_str()), (Some("STREET"), Some(ids.street.as_str())));
    let at = one[0]["at"].as_str().unwrap().to_owned();
    let since = log(&app, &admin, &ids.street, json!({ "act": "UNIT_CREATED", "from": at })).await;
    assert_eq!(since.len(), 4, "from is inclusive");
    let before = log(&app, &admin, &ids.street, json!({ "act": "UNIT_CREATED", "to": at })).await;
    assert_eq!(before.len(), 1, "to is exclusive");
    // A community's log does not hold its street's rows.
    assert!(log(&app, &admin, &ids.community, json!({ "act": "UNIT_CREATED" })).await.is_empty());
}

#[tokio::test]
async fn the_log_is_refused_to_anyone_but_the_admins_over_the_scope() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    // An admin of the other community.
    let (other_admin, _, other_admin_id) = app.session("other-admin").await;
    let appoint = "mutation($u: ID!, $s: ID!) { appoint(input: { userId: $u, role: COMMUNITY_ADMIN, scopeId: $s }) { id } }";
    app.gql(Some(&admin), appoint, json!({ "u": other_admin_id, "s": ids.other_community })).await.ok();
    // An admin of another street.
    let other_street = app.gql(Some(&admin), "mutation($d: ID!) { createStreet(districtId: $d, name: \"别的街道\") { id } }", json!({ "d": ids.district })).await;
    let other_street = other_street.ok()["createStreet"]["id"].as_str().unwrap().to_owned();
    let (other_street_admin, _, osa_id) = app.session("other-street-admin").await;
    let appoint_street = "mutation($u: ID!, $s: ID!) { appoint(input: { userId: $u, role: STREET_ADMIN, scopeId: $s }) { id } }";
    app.gql(Some(&admin), appoint_street, json!({ "u": osa_id, "s": other_street })).await.ok();
    let community_admin = app.login("community-admin").await;

    let cases = [
        ("a resident", app.login("resident").await, ids.community.clone(), "FORBIDDEN"),
        ("the head, over their own neighbourhood", app.login("head").await, ids.neighbourhood.clone(), "FORBIDDEN"),
        ("the area head", app.login("area-head").await, ids.area.clone(), "FORBIDDEN"),
        ("the staff", app.login("staff").await, ids.compound.clone(), "FORBIDDEN"),
        ("another community's admin", other_admin, ids.community.clone(), "FORBIDDEN"),
        ("another street's admin", other_street_admin.clone(), ids.street.clone(), "FORBIDDEN"),
        ("another street's admin, below it", other_street_admin, ids.community.clone(), "FORBIDDEN"),
        ("a community admin, over their street", community_admin.clone(), ids.street.clone(), "FORBIDDEN"),
        ("a community admin, over the district", community_admin.clone(), ids.district.clone(), "FORBIDDEN"),
        ("an admin, over a community that does not exist", admin.clone(), api::ids::encode(api::ids::Kind::Community, uuid::Uuid::now_v7()).0, "NOT_FOUND"),
    ];
    for (who, token, scope, code) in cases {
        let r = app.gql(Some(&token), LOG, json!({ "s": scope })).await;
        assert_eq!(r.code(), code, "{who}");
        assert_eq!(r.data, Value::Null, "{who} sees nothing");
    }
    let anonymous = app.gql(None, LOG, json!({ "s": ids.community })).await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    let building = app.gql(Some(&admin), LOG, json!({ "s": ids.building })).await;
    assert_eq!((building.code(), building.field()), ("BAD_USER_INPUT", Some("scopeId")));

    // The admins over it read it: the community's own, the street's and the district's.
    for token in [&community_admin, &app.login("street").await, &admin] {
        app.gql(Some(token), LOG, json!({ "s": ids.community })).await.ok();
    }
}

#[tokio::test]
async fn concurrent_admins_append_to_one_unbroken_chain() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let street = app.login("street").await;
    let community_admin = app.login("community-admin").await;
    let before = app.count("audit_log").await;

    // Three admins at once, twenty changes in all (creations and renames under the same parents).
    let mut calls = Vec::new();
    for i in 0..20 {
        let (token, query, vars) = match i % 4 {
            0 => (&admin, "mutation($p: ID!, $n: String!) { createStreet(districtId: $p, name: $n) { id } }", json!({ "p": ids.district, "n": format!("并发街道{i}") })),
            1 => (&street, "mutation($p: ID!, $n: String!) { createCommunity(streetId: $p, name: $n) { id } }", json!({ "p": ids.street, "n": format!("并发社区{i}") })),
            2 => (&community_admin, "mutation($p: ID!, $n: String!) { createArea(communityId: $p, name: $n) { id } }", json!({ "p": ids.community, "n": format!("并发片{i}") })),
            _ => (&community_admin, "mutation($p: ID!, $n: String!) { renameUnit(id: $p, name: $n) { __typename } }", json!({ "p": ids.compound, "n": format!("并发小区{i}") })),
        };
        calls.push(app.gql(Some(token), query, vars));
    }
    for r in futures::future::join_all(calls).await {
        r.ok();
    }

    assert_eq!(app.count("audit_log").await, before + 20);
    let v = api::service::audit::verify(&app.state.db).await.unwrap();
    assert_eq!(v.broken, None, "one chain, no gaps, every link right");
    assert_eq!(v.rows as i64, before + 20);
}

/// The chain's second row, as stored.
async fn second_row(app: &TestApp) -> entity::audit_log::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::audit_log::Entity::find().filter(entity::audit_log::Column::Seq.eq(2)).one(&app.state.db).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_changed_or_removed_row_breaks_the_chain() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    for n in ["篡改测试一", "篡改测试二", "篡改测试三"] {
        let r = app.gql(Some(&admin), "mutation($p: ID!, $n: String!) { createStreet(districtId: $p, name: $n) { id } }", json!({ "p": ids.district, "n": n })).await;
        r.ok();
    }
    assert_eq!(api::service::audit::verify(&app.state.db).await.unwrap().broken, None);
    let postgres = app.state.db.get_database_backend() == DbBackend::Postgres;
    if postgres {
        // Only the owner of the table can do this, outside the application: the test's superuser.
        raw(&app, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change").await.unwrap();
    }

    let original = second_row(&app).await;
    // A row's `after` rewritten: found at that row.
    raw(&app, r#"UPDATE audit_log SET after = '{"name":"别的名字"}' WHERE seq = 2"#).await.unwrap();
    let v = api::service::audit::verify(&app.state.db).await.unwrap();
    let broken = v.broken.expect("the change is found");
    assert_eq!((broken.seq, v.rows), (2, 1));
    assert!(broken.why.contains("hash"), "{}", broken.why);

    // Its hash recomputed to match: the next row's link is wrong then.
    let tampered = second_row(&app).await;
    let forged = api::service::audit::hash_of(&tampered);
    raw(&app, &format!("UPDATE audit_log SET hash = '{forged}' WHERE seq = 2")).await.unwrap();
    let broken = api::service::audit::verify(&app.state.db).await.unwrap().broken.expect("the forged row is found");
    assert_eq!(broken.seq, 3);
    assert!(broken.why.contains("prev_hash"), "{}", broken.why);

    // Restored, then the last row removed: the head still remembers it.
    raw(&app, &format!("UPDATE audit_log SET hash = '{}' WHERE seq = 2", original.hash)).await.unwrap();
    raw(&app, &format!("UPDATE audit_log SET after = '{}' WHERE seq = 2", original.after.unwrap())).await.unwrap();
    assert_eq!(api::service::audit::verify(&app.state.db).await.unwrap().broken, None, "restored");
    let last = app.count("audit_log").await;
    raw(&app, &format!("DELETE FROM audit_log WHERE seq = {last}")).await.unwrap();
    let broken = api::service::audit::verify(&app.state.db).await.unwrap().broken.expect("the cut is found");
    assert_eq!(broken.seq, last);
    assert!(broken.why.contains("head"), "{}", broken.why);
    if postgres {
        raw(&app, "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change").await.unwrap();
    }
}

#[tokio::test]
async fn on_postgres_a_trigger_refuses_to_change_or_remove_rows() {
    let app = TestApp::demo().await;
    if app.state.db.get_database_backend() != DbBackend::Postgres {
        return; // SQLite has no such trigger: `linli audit verify` is what finds a change there.
    }
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let r = app.gql(Some(&admin), "mutation($p: ID!) { createStreet(districtId: $p, name: \"触发器测试\") { id } }", json!({ "p": ids.district })).await;
    r.ok();
    for sql in [
        r#"UPDATE audit_log SET after = '{"name":"x"}' WHERE seq = 1"#,
        "DELETE FROM audit_log WHERE seq = 1",
        "TRUNCATE audit_log",
    ] {
        let e = raw(&app, sql).await.expect_err(sql);
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    assert_eq!(api::service::audit::verify(&app.state.db).await.unwrap().broken, None);
}
