//! The holes an authorization sweep found, closed: no admin reaches beyond their scope through a property company,
//! nobody appoints themself, and a refusal never confirms that an object the caller may not see exists.
use serde_json::json;

use crate::common::{Demo, TestApp};

const APPOINT: &str = "mutation($u: ID!, $r: Role!, $s: ID!) { appoint(input: { userId: $u, role: $r, scopeId: $s }) { id role } }";
const ASSIGN: &str = "mutation($co: ID!, $cp: ID!) { assignCompoundManagement(companyId: $co, compoundId: $cp) { id } }";

/// The company that manages a compound, read as the district admin.
async fn company_of(app: &TestApp, admin: &str, compound: &str) -> String {
    let q = "query($c: ID!) { node(id: $c) { ... on Compound { propertyCompany { id } } } }";
    app.gql(Some(admin), q, json!({ "c": compound })).await.ok()["node"]["propertyCompany"]["id"].as_str().unwrap().to_owned()
}

/// The chain of individually allowed steps from the sweep: a community admin creates a compound in their own
/// community, has a company that works elsewhere manage it, and appoints themself (or an accomplice) that
/// company's staff, to read and act on its tickets in other communities. Each step that would reach outside the
/// community is refused, with the rule that refused.
#[tokio::test]
async fn a_community_admin_cannot_become_staff_of_a_company_working_elsewhere() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let (community_admin, _, me) = app.session("community-admin").await;
    let (accomplice_token, _, accomplice) = app.session("accomplice").await;
    // 和谐物业 manages 和谐苑, in another community.
    let elsewhere = company_of(&app, &admin, &ids.other_compound).await;

    let r = app
        .gql(Some(&community_admin), "mutation($c: ID!) { createCompound(communityId: $c, name: \"新建小区\", address: \"幸福路 9 号\") { id } }", json!({ "c": ids.community }))
        .await;
    let mine = r.ok()["createCompound"]["id"].as_str().unwrap().to_owned();
    // Their own compound, their choice of company: allowed.
    app.gql(Some(&community_admin), ASSIGN, json!({ "co": elsewhere, "cp": mine })).await.ok();

    let r = app.gql(Some(&community_admin), APPOINT, json!({ "u": me, "r": "PROPERTY_STAFF", "s": elsewhere })).await;
    assert_eq!((r.code(), r.errors[0]["extensions"]["reason"].as_str()), ("FORBIDDEN", Some("SELF_APPOINTMENT")));
    let r = app.gql(Some(&community_admin), APPOINT, json!({ "u": accomplice, "r": "PROPERTY_STAFF", "s": elsewhere })).await;
    assert_eq!((r.code(), r.errors[0]["extensions"]["reason"].as_str()), ("FORBIDDEN", Some("NOT_ADMIN_WHERE_COMPANY_WORKS")));
    // So neither reaches the company's tickets.
    for t in [&community_admin, &accomplice_token] {
        assert_eq!(app.gql(Some(t), "{ ticketQueue { nodes { id } } }", json!({})).await.code(), "FORBIDDEN");
    }
    let staff = "query($c: ID!) { node(id: $c) { ... on PropertyCompany { staff { nodes { id } } } } }";
    assert_eq!(app.gql(Some(&community_admin), staff, json!({ "c": elsewhere })).await.code(), "FORBIDDEN");

    // A street admin over every compound the company manages may appoint its staff; once the company also works
    // in another street, only the district office may.
    let (street_admin, _, street_admin_id) = app.session("street-admin").await;
    app.gql(Some(&admin), APPOINT, json!({ "u": street_admin_id, "r": "STREET_ADMIN", "s": ids.street })).await.ok();
    let (_, _, worker) = app.session("worker").await;
    let r = app.gql(Some(&street_admin), APPOINT, json!({ "u": worker, "r": "PROPERTY_STAFF", "s": elsewhere })).await;
    assert_eq!(r.ok()["appoint"]["role"], "PROPERTY_STAFF");
    let q = "{ districts(first: 1) { nodes { streets(first: 5) { nodes { id communities(first: 5) { nodes { compounds(first: 5) { nodes { id } } } } } } } } }";
    let tree = app.gql(Some(&admin), q, json!({})).await;
    let streets = tree.ok()["districts"]["nodes"][0]["streets"]["nodes"].as_array().unwrap().clone();
    let other_street = streets.iter().find(|s| s["id"] != ids.street.as_str()).unwrap();
    let far = other_street["communities"]["nodes"][0]["compounds"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    app.gql(Some(&admin), ASSIGN, json!({ "co": elsewhere, "cp": far })).await.ok();
    let (_, _, worker2) = app.session("worker-2").await;
    let r = app.gql(Some(&street_admin), APPOINT, json!({ "u": worker2, "r": "PROPERTY_STAFF", "s": elsewhere })).await;
    assert_eq!(r.errors[0]["extensions"]["reason"], "NOT_ADMIN_WHERE_COMPANY_WORKS");
    let r = app.gql(Some(&admin), APPOINT, json!({ "u": worker2, "r": "PROPERTY_STAFF", "s": elsewhere })).await;
    assert_eq!(r.ok()["appoint"]["role"], "PROPERTY_STAFF");
}

/// Nobody appoints themself to anything, however high their office.
#[tokio::test]
async fn nobody_appoints_themself() {
    let app = TestApp::demo().await;
    let ids = Demo::ids(&app).await;
    let (admin, _, admin_id) = app.session("admin").await;
    for (role, scope) in [("STREET_ADMIN", &ids.street), ("COMMUNITY_ADMIN", &ids.community), ("NEIGHBOUR_HEAD", &ids.other_neighbourhood)] {
        let r = app.gql(Some(&admin), APPOINT, json!({ "u": admin_id, "r": role, "s": scope })).await;
        assert_eq!(r.errors[0]["extensions"]["reason"], "SELF_APPOINTMENT", "{role}");
    }
}

/// `mutation($id: ID!)` refuses a stranger the real object `real` exactly as the made-up `fake` (NOT_FOUND), and
/// refuses `seer`, who may see `real`, with FORBIDDEN.
async fn refusals(app: &TestApp, mutation: &str, real: &str, fake: &str, stranger: &str, seer: &str) {
    assert_eq!(app.gql(Some(stranger), mutation, json!({ "id": real })).await.code(), "NOT_FOUND", "{mutation}");
    assert_eq!(app.gql(Some(stranger), mutation, json!({ "id": fake })).await.code(), "NOT_FOUND", "{mutation}");
    assert_eq!(app.gql(Some(seer), mutation, json!({ "id": real })).await.code(), "FORBIDDEN", "{mutation}: they see it");
}

/// `moderateContent`, `revokeAppointment` and `setIncentivePackageStatus` answer NOT_FOUND for a real object the
/// caller may not see, exactly as for a made-up id; FORBIDDEN only for one they can see.
#[tokio::test]
async fn refusals_never_confirm_that_an_unseen_object_exists() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let ids = Demo::ids(&app).await;
    let admin = app.login("admin").await;
    let head = app.login("head").await;
    let resident = app.login("resident").await;
    let (other_admin, _, other_admin_id) = app.session("other-community-admin").await;
    app.gql(Some(&admin), APPOINT, json!({ "u": other_admin_id, "r": "COMMUNITY_ADMIN", "s": ids.other_community })).await.ok();
    let made_up = |prefix: &str| format!("{prefix}_{}", uuid::Uuid::now_v7().simple());

    // A comment under review on a report of 幸福社区.
    let report = app.submit_drain_report(&resident, "厨房下水道堵了，水排不下去").await;
    let c = app.gql(Some(&resident), "mutation($id: ID!) { addComment(id: $id, body: \"补充一下\") { id } }", json!({ "id": report })).await;
    let comment = c.ok()["addComment"]["id"].as_str().unwrap().to_owned();
    let moderate = "mutation($id: ID!) { moderateContent(id: $id, approve: false) }";
    refusals(&app, moderate, &comment, &made_up("cmt"), &other_admin, &head).await;

    // dev:head's appointment: the other community's admin may not see it; dev:head sees (and may not revoke) it.
    let list = app.gql(Some(&admin), "query($s: ID!) { appointments(scopeId: $s) { nodes { id } } }", json!({ "s": ids.neighbourhood })).await;
    let appt = list.ok()["appointments"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let revoke = "mutation($id: ID!) { revokeAppointment(id: $id) { id } }";
    refusals(&app, revoke, &appt, &made_up("apt"), &other_admin, &head).await;

    // A package of 幸福社区: the other community's admin may not see it; a head it is offered to may not end it.
    let community_admin = app.login("community-admin").await;
    let m = app
        .gql(Some(&community_admin), "mutation($s: ID!) { registerMerchant(scopeId: $s, name: \"社区超市\", address: \"幸福路 8 号\") { id } }", json!({ "s": ids.community }))
        .await;
    let merchant = m.ok()["registerMerchant"]["id"].as_str().unwrap().to_owned();
    let input = json!({
        "title": "三长专属券", "merchantId": merchant, "costPoints": 0, "totalStock": 5, "eligibleRoles": ["NEIGHBOUR_HEAD"],
        "validUntil": (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339(), "scopeId": ids.community, "activate": true,
    });
    let p = app.gql(Some(&community_admin), "mutation($i: CreatePackageInput!) { createIncentivePackage(input: $i) { id } }", json!({ "i": input })).await;
    let package = p.ok()["createIncentivePackage"]["id"].as_str().unwrap().to_owned();
    let set = "mutation($id: ID!) { setIncentivePackageStatus(id: $id, status: ENDED) { status } }";
    refusals(&app, set, &package, &made_up("pkg"), &other_admin, &head).await;
    assert_eq!(app.gql(Some(&community_admin), set, json!({ "id": package })).await.ok()["setIncentivePackageStatus"]["status"], "ENDED");
}
