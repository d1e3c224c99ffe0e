//! Admin operations: building the org tree and grid, appointing and revoking, property companies — each allowed
//! in scope and refused outside it, with bad input refused and nothing written.
use serde_json::json;

use crate::common::{Demo, TestApp};

const CREATE_STREET: &str = "mutation($p: ID!, $n: String!) { createStreet(districtId: $p, name: $n) { id name } }";
const CREATE_COMMUNITY: &str = "mutation($p: ID!, $n: String!) { createCommunity(streetId: $p, name: $n) { id name } }";
const CREATE_COMPOUND: &str =
    "mutation($p: ID!, $n: String!) { createCompound(communityId: $p, name: $n, address: \"某路 1 号\") { id name } }";
const CREATE_BUILDING: &str =
    "mutation($p: ID!, $n: String!) { createBuilding(compoundId: $p, name: $n, unitCount: 3) { id name unitCount } }";
const CREATE_AREA: &str = "mutation($p: ID!, $n: String!) { createArea(communityId: $p, name: $n) { id } }";
const APPOINT: &str = "mutation($u: ID!, $r: Role!, $s: ID!) { appoint(input: { userId: $u, role: $r, scopeId: $s }) { id role active user { id } } }";

#[tokio::test]
async fn each_level_creates_below_itself_and_nowhere_else() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let community_admin = app.login("community-admin").await;
    let head = app.login("head").await;
    let resident = app.login("resident").await;

    // The district admin creates streets; nobody below may.
    let r = app.gql(Some(&admin), CREATE_STREET, json!({ "p": ids.district, "n": "东风街道" })).await;
    assert_eq!(r.ok()["createStreet"]["name"], "东风街道");
    for who in [&community_admin, &head, &resident] {
        let before = app.snapshot().await;
        let r = app.gql(Some(who), CREATE_STREET, json!({ "p": ids.district, "n": "西风街道" })).await;
        assert_eq!(r.code(), "FORBIDDEN");
        assert_eq!(app.snapshot().await, before);
    }

    // A community admin creates compounds, buildings and grid units in its own community only.
    let r = app.gql(Some(&community_admin), CREATE_COMPOUND, json!({ "p": ids.community, "n": "新建小区" })).await;
    let compound = r.ok()["createCompound"]["id"].as_str().unwrap().to_owned();
    let r = app.gql(Some(&community_admin), CREATE_BUILDING, json!({ "p": compound, "n": "9号楼" })).await;
    assert_eq!(r.ok()["createBuilding"]["unitCount"], 3);
    app.gql(Some(&community_admin), CREATE_AREA, json!({ "p": ids.community, "n": "新片" })).await.ok();

    let before = app.snapshot().await;
    for (q, parent) in [
        (CREATE_COMPOUND, &ids.other_community),
        (CREATE_AREA, &ids.other_community),
        (CREATE_BUILDING, &ids.other_compound),
        (CREATE_COMMUNITY, &ids.street),
    ] {
        let r = app.gql(Some(&community_admin), q, json!({ "p": parent, "n": "越权" })).await;
        assert_eq!(r.code(), "FORBIDDEN", "{q}");
    }
    let r = app.gql(Some(&head), CREATE_BUILDING, json!({ "p": ids.compound, "n": "邻长建楼" })).await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(app.snapshot().await, before, "refused calls wrote nothing");
}

#[tokio::test]
async fn bad_inputs_are_refused_with_the_field_and_nothing_is_written() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let before = app.snapshot().await;

    let long = "街".repeat(65);
    let cases: Vec<(&str, serde_json::Value, &str, Option<&str>)> = vec![
        (CREATE_STREET, json!({ "p": ids.district, "n": "" }), "BAD_USER_INPUT", Some("name")),
        (CREATE_STREET, json!({ "p": ids.district, "n": "   " }), "BAD_USER_INPUT", Some("name")),
        (CREATE_STREET, json!({ "p": ids.district, "n": long }), "BAD_USER_INPUT", Some("name")),
        (CREATE_STREET, json!({ "p": ids.district, "n": "长安街道" }), "BAD_USER_INPUT", Some("name")),
        (CREATE_STREET, json!({ "p": "dst_0000", "n": "x" }), "BAD_USER_INPUT", Some("districtId")),
        (CREATE_STREET, json!({ "p": "1", "n": "x" }), "BAD_USER_INPUT", Some("districtId")),
        (CREATE_STREET, json!({ "p": ids.street, "n": "x" }), "BAD_USER_INPUT", Some("districtId")),
        (CREATE_STREET, json!({ "p": "dst_0190a0b27c1a70008000000000000000", "n": "x" }), "NOT_FOUND", None),
        (CREATE_BUILDING, json!({ "p": ids.compound, "n": "" }), "BAD_USER_INPUT", Some("name")),
        (
            "mutation($p: ID!, $n: String!) { createBuilding(compoundId: $p, name: $n, unitCount: 0) { id } }",
            json!({ "p": ids.compound, "n": "零单元楼" }),
            "BAD_USER_INPUT",
            Some("unitCount"),
        ),
        (
            "mutation($p: ID!, $n: String!) { createCompound(communityId: $p, name: $n, address: \"\") { id } }",
            json!({ "p": ids.community, "n": "无地址" }),
            "BAD_USER_INPUT",
            Some("address"),
        ),
    ];
    for (q, vars, code, field) in cases {
        let r = app.gql(Some(&admin), q, vars.clone()).await;
        assert_eq!(r.code(), code, "{vars}");
        if field.is_some() {
            assert_eq!(r.field(), field, "{vars}");
        }
    }
    let r = app.gql(Some(&admin), "{ districts(first: 101) { nodes { id } } }", json!({})).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("first")));
    let r = app.gql(Some(&admin), "{ districts(first: 0) { nodes { id } } }", json!({})).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    let r = app.gql(Some(&admin), "{ districts(after: \"garbage\") { nodes { id } } }", json!({})).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("after")));
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn lists_page_with_cursors() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    for i in 0..5 {
        app.gql(Some(&admin), CREATE_STREET, json!({ "p": ids.district, "n": format!("街道{i}") })).await.ok();
    }
    let q = "query($d: ID!, $a: String) { node(id: $d) { ... on District { streets(first: 3, after: $a) {
        edges { cursor node { name } } pageInfo { hasNextPage endCursor } } } } }";
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app.gql(Some(&admin), q, json!({ "d": ids.district, "a": after })).await;
        let s = &r.ok()["node"]["streets"];
        for e in s["edges"].as_array().unwrap() {
            names.push(e["node"]["name"].as_str().unwrap().to_owned());
        }
        if !s["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = s["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(names.len(), 7, "2 demo streets + 5 new, each once: {names:?}");
    assert_eq!(names[2..], ["街道0", "街道1", "街道2", "街道3", "街道4"]);
}

#[tokio::test]
async fn appointments_are_scoped_and_revocation_takes_effect_at_once() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let community_admin = app.login("community-admin").await;
    let (new_head, _, new_head_id) = app.session("new-head").await;

    // A community admin of 幸福社区 cannot appoint heads in 和谐社区.
    let q = "query($c: ID!) { node(id: $c) { ... on Community { areas(first: 1) { nodes { id groups(first: 1) { nodes { neighbourhoods(first: 1) { nodes { id } } } } } } } } }";
    let r = app.gql(Some(&admin), q, json!({ "c": ids.other_community })).await;
    let foreign_nbh = r.ok()["node"]["areas"]["nodes"][0]["groups"]["nodes"][0]["neighbourhoods"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.snapshot().await;
    let r = app
        .gql(Some(&community_admin), APPOINT, json!({ "u": new_head_id, "r": "NEIGHBOUR_HEAD", "s": foreign_nbh }))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql(Some(&community_admin), APPOINT, json!({ "u": new_head_id, "r": "COMMUNITY_ADMIN", "s": ids.community }))
        .await;
    assert_eq!(r.code(), "FORBIDDEN", "a community admin cannot make peers");
    let r = app.gql(Some(&new_head), APPOINT, json!({ "u": new_head_id, "r": "DISTRICT_ADMIN", "s": ids.district })).await;
    assert_eq!(r.code(), "FORBIDDEN", "nobody appoints themselves");
    assert_eq!(app.snapshot().await, before);

    // One head per neighbourhood: the occupied one answers CONFLICT.
    let r = app
        .gql(Some(&community_admin), APPOINT, json!({ "u": new_head_id, "r": "NEIGHBOUR_HEAD", "s": ids.neighbourhood }))
        .await;
    assert_eq!(r.code(), "CONFLICT");
    // The scope must match the role.
    let r = app.gql(Some(&community_admin), APPOINT, json!({ "u": new_head_id, "r": "NEIGHBOUR_HEAD", "s": ids.group })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("scopeId")));

    // Revoke dev:head, appoint the new head; the old head loses access on the very next request.
    let head = app.login("head").await;
    let pending = "query($n: ID!) { residences(scopeId: $n, status: PENDING) { nodes { id } } }";
    app.gql(Some(&head), pending, json!({ "n": ids.neighbourhood })).await.ok();
    let list = app
        .gql(Some(&community_admin), "query($s: ID!) { appointments(scopeId: $s) { nodes { id role user { nickname } } } }", json!({ "s": ids.neighbourhood }))
        .await;
    let appt = list.ok()["appointments"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let r = app.gql(Some(&community_admin), "mutation($a: ID!) { revokeAppointment(id: $a) { active endsAt } }", json!({ "a": appt })).await;
    assert_eq!(r.ok()["revokeAppointment"]["active"], false);
    let r = app.gql(Some(&head), pending, json!({ "n": ids.neighbourhood })).await;
    assert_eq!(r.code(), "FORBIDDEN", "revocation is immediate");
    let r = app.gql(Some(&community_admin), "mutation($a: ID!) { revokeAppointment(id: $a) { active } }", json!({ "a": appt })).await;
    assert_eq!(r.code(), "CONFLICT", "already ended");

    let r = app
        .gql(Some(&community_admin), APPOINT, json!({ "u": new_head_id, "r": "NEIGHBOUR_HEAD", "s": ids.neighbourhood }))
        .await;
    assert_eq!(r.ok()["appoint"]["active"], true);
    app.gql(Some(&new_head), pending, json!({ "n": ids.neighbourhood })).await.ok();
    let me = app.gql(Some(&new_head), "{ me { roles { role scope { id } } } }", json!({})).await;
    assert_eq!(me.ok()["me"]["roles"][0]["role"], "NEIGHBOUR_HEAD");
    assert_eq!(me.data["me"]["roles"][0]["scope"]["id"], ids.neighbourhood.as_str());
}

#[tokio::test]
async fn two_admins_appointing_heads_to_one_neighbourhood_at_once_make_one_head() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    // An empty neighbourhood: create one.
    let r = app
        .gql(
            Some(&admin),
            "mutation($g: ID!, $c: ID!) { createNeighbourhood(input: { groupId: $g, compoundId: $c, name: \"新邻\" }) { id head { id } } }",
            json!({ "g": ids.group, "c": ids.compound }),
        )
        .await;
    let nbh = r.ok()["createNeighbourhood"]["id"].as_str().unwrap().to_owned();
    assert!(r.data["createNeighbourhood"]["head"].is_null());
    let mut candidates = Vec::new();
    for i in 0..10 {
        candidates.push(app.session(&format!("candidate-{i}")).await.2);
    }
    let calls = candidates.iter().map(|u| app.gql(Some(&admin), APPOINT, json!({ "u": u, "r": "NEIGHBOUR_HEAD", "s": nbh })));
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r.errors.is_empty()).count();
    assert_eq!(ok, 1, "exactly one appointment wins: {results:#?}");
    assert!(results.iter().filter(|r| !r.errors.is_empty()).all(|r| r.code() == "CONFLICT"));
}

#[tokio::test]
async fn grid_units_and_renames_follow_scope() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let community_admin = app.login("community-admin").await;
    let head = app.login("head").await;

    // A neighbourhood must cover units of a compound in the group's community, each unit once.
    let create = "mutation($g: ID!, $c: ID!, $u: [UnitInput!]!) { createNeighbourhood(input: { groupId: $g, compoundId: $c, name: \"测试邻\", units: $u }) { id units { unit building { id } } } }";
    let r = app.gql(Some(&community_admin), create, json!({ "g": ids.group, "c": ids.other_compound, "u": [] })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("compoundId")));
    let r = app
        .gql(Some(&community_admin), create, json!({ "g": ids.group, "c": ids.compound, "u": [{ "buildingId": ids.building, "unit": 1 }] }))
        .await;
    assert_eq!(r.code(), "CONFLICT", "unit 1 is dev:head's neighbourhood's");
    let r = app
        .gql(Some(&community_admin), create, json!({ "g": ids.group, "c": ids.compound, "u": [{ "buildingId": ids.building, "unit": 7 }] }))
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT", "the building has 2 units");
    let r = app
        .gql(Some(&community_admin), create, json!({ "g": ids.group, "c": ids.compound, "u": [{ "buildingId": ids.other_building, "unit": 1 }] }))
        .await;
    assert_eq!(r.code(), "BAD_USER_INPUT", "a building of another compound");

    let rename = "mutation($i: ID!, $n: String!) { renameUnit(id: $i, name: $n) { id ... on Neighbourhood { name } } }";
    let r = app.gql(Some(&community_admin), rename, json!({ "i": ids.neighbourhood, "n": "一号邻" })).await;
    assert_eq!(r.ok()["renameUnit"]["name"], "一号邻");
    let r = app.gql(Some(&head), rename, json!({ "i": ids.neighbourhood, "n": "我的邻" })).await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app.gql(Some(&community_admin), rename, json!({ "i": ids.community, "n": "改名社区" })).await;
    assert_eq!(r.code(), "FORBIDDEN", "a community is renamed from the street up");
    let r = app.gql(Some(&community_admin), rename, json!({ "i": ids.other_compound, "n": "别人的小区" })).await;
    assert_eq!(r.code(), "FORBIDDEN");
}

#[tokio::test]
async fn property_companies_staff_and_compound_management() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let community_admin = app.login("community-admin").await;
    let (_, _, worker) = app.session("new-worker").await;

    let register = "mutation($d: ID!, $n: String!) { registerPropertyCompany(districtId: $d, name: $n) { id name } }";
    let r = app.gql(Some(&community_admin), register, json!({ "d": ids.district, "n": "越权物业" })).await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app.gql(Some(&admin), register, json!({ "d": ids.district, "n": "安居物业" })).await;
    let company = r.ok()["registerPropertyCompany"]["id"].as_str().unwrap().to_owned();
    // A street admin of the district may register companies too.
    let (street_admin, _, street_admin_id) = app.session("street-admin").await;
    app.gql(Some(&admin), APPOINT, json!({ "u": street_admin_id, "r": "STREET_ADMIN", "s": ids.street })).await.ok();
    let r = app.gql(Some(&street_admin), register, json!({ "d": ids.district, "n": "街道推荐物业" })).await;
    assert_eq!(r.ok()["registerPropertyCompany"]["name"], "街道推荐物业");

    let assign = "mutation($co: ID!, $cp: ID!, $d: NaiveDate) { assignCompoundManagement(companyId: $co, compoundId: $cp, startsOn: $d) { id startsOn endsOn company { name } } }";
    let r = app.gql(Some(&community_admin), assign, json!({ "co": company, "cp": ids.other_compound, "d": null })).await;
    assert_eq!(r.code(), "FORBIDDEN", "not their community's compound");
    let r = app.gql(Some(&community_admin), assign, json!({ "co": company, "cp": ids.compound, "d": "2020-01-01" })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("startsOn")), "before the current company's start");
    let r = app.gql(Some(&community_admin), assign, json!({ "co": company, "cp": ids.compound, "d": null })).await;
    assert_eq!(r.ok()["assignCompoundManagement"]["company"]["name"], "安居物业");

    let q = "query($c: ID!) { node(id: $c) { ... on Compound { propertyCompany { name } managementHistory { nodes { startsOn endsOn company { name } } } } } }";
    let r = app.gql(Some(&admin), q, json!({ "c": ids.compound })).await;
    let c = &r.ok()["node"];
    assert_eq!(c["propertyCompany"]["name"], "安居物业");
    let history = c["managementHistory"]["nodes"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["company"]["name"], "幸福物业");
    assert!(!history[0]["endsOn"].is_null(), "the previous company's period ended");

    // The community admin of a compound the company now manages may appoint its staff; another may not.
    let r = app.gql(Some(&community_admin), APPOINT, json!({ "u": worker, "r": "PROPERTY_STAFF", "s": company })).await;
    assert_eq!(r.ok()["appoint"]["role"], "PROPERTY_STAFF");
    let (other_admin, _, other_admin_id) = app.session("other-community-admin").await;
    app.gql(Some(&admin), APPOINT, json!({ "u": other_admin_id, "r": "COMMUNITY_ADMIN", "s": ids.other_community })).await.ok();
    let r = app.gql(Some(&other_admin), APPOINT, json!({ "u": other_admin_id, "r": "PROPERTY_STAFF", "s": company })).await;
    assert_eq!(r.code(), "FORBIDDEN");
    let staff = app.gql(Some(&admin), "query($c: ID!) { node(id: $c) { ... on PropertyCompany { staff { nodes { user { id } } } } } }", json!({ "c": company })).await;
    assert_eq!(staff.ok()["node"]["staff"]["nodes"][0]["user"]["id"], worker.as_str());
}

#[tokio::test]
async fn bootstrap_makes_the_first_district_admin_once() {
    let app = TestApp::spawn().await;
    let (d1, u1) = api::service::org::bootstrap(&app.state, "示范区", "oFirstAdmin").await.unwrap();
    let (d2, u2) = api::service::org::bootstrap(&app.state, "示范区", "oFirstAdmin").await.unwrap();
    assert_eq!((d1, u1), (d2, u2), "idempotent");
    assert_eq!(app.count("appointment").await, 1);
    // The admin logs in with WeChat later and can work at once.
    let r = app
        .gql(None, "mutation($c: String!) { loginWithWechat(code: $c) { accessToken } }", json!({ "c": app.wechat.code_for("oFirstAdmin") }))
        .await;
    let token = r.ok()["loginWithWechat"]["accessToken"].as_str().unwrap().to_owned();
    let district = api::ids::encode(api::ids::Kind::District, d1).0;
    let r = app.gql(Some(&token), CREATE_STREET, json!({ "p": district, "n": "第一街道" })).await;
    assert_eq!(r.ok()["createStreet"]["name"], "第一街道");
}
