//! The best-neighbour-head vote: one vote per resident per period (also when tapped twice at once), only for a
//! head of their own community, a live leaderboard, results frozen at the close with the winners' points awarded
//! once, and who may open, see and close a vote.
use chrono::{Duration, Utc};
use sea_orm::{EntityTrait, sea_query::Expr};
use serde_json::json;

use crate::common::{Demo, Gql, TestApp};

const OPEN: &str = "mutation($s: ID!, $c: DateTime!) { openVotePeriod(scopeId: $s, title: \"2026 年度最美邻长\", closesAt: $c, winners: 1) { id status } }";
const VOTE: &str = "mutation($p: ID!, $h: ID!) { voteForHead(periodId: $p, headId: $h) { myVote } }";
const BOARD: &str = "query($p: ID!) { votePeriod(id: $p) { status leaderboard { headName votes rank winner } } }";
const CLOSE: &str = "mutation($p: ID!) { closeVotePeriod(id: $p) { status } }";

async fn user_id(app: &TestApp, token: &str) -> String {
    app.gql(Some(token), "{ me { id } }", json!({})).await.ok()["me"]["id"].as_str().unwrap().to_owned()
}

fn code(g: &Gql) -> String {
    if g.errors.is_empty() { "OK".into() } else { g.code().into() }
}

#[tokio::test]
async fn residents_vote_once_for_a_head_of_their_community_and_the_winner_is_rewarded() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let demo = Demo::ids(&app).await;
    let (admin, resident, neighbour, head) =
        (app.login("community-admin").await, app.login("resident").await, app.login("neighbour").await, app.login("head").await);
    let closes = (Utc::now() + Duration::days(7)).to_rfc3339();

    // Who may open one: the community's admins, not a head, not another community.
    assert_eq!(app.gql(Some(&head), OPEN, json!({ "s": demo.community, "c": closes })).await.code(), "FORBIDDEN");
    assert_eq!(app.gql(Some(&admin), OPEN, json!({ "s": demo.other_community, "c": closes })).await.code(), "FORBIDDEN");
    let bad = app.gql(Some(&admin), OPEN, json!({ "s": demo.community, "c": (Utc::now() - Duration::hours(1)).to_rfc3339() })).await;
    assert_eq!((bad.code(), bad.field()), ("BAD_USER_INPUT", Some("closesAt")));
    let p = app.gql(Some(&admin), OPEN, json!({ "s": demo.community, "c": closes })).await;
    let period = p.ok()["openVotePeriod"]["id"].as_str().unwrap().to_owned();

    let head_id = user_id(&app, &head).await;
    let group_head_id = user_id(&app, &app.login("group-head").await).await;
    let elsewhere = user_id(&app, &app.login("area-head-3").await).await; // a head of 和谐社区

    // Only for a head of one's own community; a resident who does not live there does not even see the vote.
    let r = app.gql(Some(&neighbour), VOTE, json!({ "p": period, "h": elsewhere })).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("headId")));
    let outsider = app.login("resident-10").await; // lives in 和谐社区
    assert_eq!(app.gql(Some(&outsider), VOTE, json!({ "p": period, "h": head_id })).await.code(), "NOT_FOUND");
    assert_eq!(app.gql(Some(&outsider), BOARD, json!({ "p": period })).await.code(), "NOT_FOUND");

    // A double tap: two votes at once, one counts.
    let (a, b) = tokio::join!(
        app.gql(Some(&neighbour), VOTE, json!({ "p": period, "h": head_id })),
        app.gql(Some(&neighbour), VOTE, json!({ "p": period, "h": head_id }))
    );
    let mut codes = vec![code(&a), code(&b)];
    codes.sort();
    assert_eq!(codes, vec!["ALREADY_VOTED", "OK"]);
    let r = app.gql(Some(&resident), VOTE, json!({ "p": period, "h": head_id })).await;
    assert_eq!(r.ok()["voteForHead"]["myVote"], head_id.as_str());
    assert_eq!(app.gql(Some(&resident), VOTE, json!({ "p": period, "h": group_head_id })).await.code(), "ALREADY_VOTED");
    assert_eq!(app.count("vote").await, 2);

    // The live leaderboard.
    let board = app.gql(Some(&resident), BOARD, json!({ "p": period })).await;
    let first = &board.ok()["votePeriod"]["leaderboard"][0];
    assert!(first["votes"].as_i64().unwrap() >= 1);
    assert_eq!(first["winner"], false, "nobody has won while it is open");

    // Closing: a resident may not; the admin does; the results are frozen and the winner rewarded once.
    assert_eq!(app.gql(Some(&resident), CLOSE, json!({ "p": period })).await.code(), "FORBIDDEN");
    assert_eq!(app.gql(Some(&admin), CLOSE, json!({ "p": period })).await.ok()["closeVotePeriod"]["status"], "CLOSED");
    assert_eq!(app.gql(Some(&admin), CLOSE, json!({ "p": period })).await.code(), "CONFLICT");
    assert_eq!(api::service::incentives::vote::close_due(&app.state).await.unwrap(), 0);
    let board = app.gql(Some(&resident), BOARD, json!({ "p": period })).await;
    let lines = board.ok()["votePeriod"]["leaderboard"].as_array().unwrap().clone();
    let winners: Vec<_> = lines.iter().filter(|l| l["winner"] == true).collect();
    assert_eq!(winners.len(), 1, "{lines:?}");
    assert_eq!(winners[0]["headName"], "张邻长");
    assert_eq!(winners[0]["votes"], 2);
    let pts = app.gql(Some(&head), "{ myPoints { balance ledger { nodes { reason delta } } } }", json!({})).await;
    assert_eq!(pts.ok()["myPoints"]["ledger"]["nodes"], json!([{ "reason": "VOTE_WIN", "delta": 50 }]));
    assert_eq!(app.gql(Some(&outsider), VOTE, json!({ "p": period, "h": head_id })).await.code(), "NOT_FOUND");
    assert_eq!(app.gql(Some(&resident), VOTE, json!({ "p": period, "h": group_head_id })).await.code(), "VOTING_CLOSED");
}

#[tokio::test]
async fn a_due_period_is_closed_once_by_two_replicas() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    linli_tools::demo::load_district_if_empty(&app.state).await.unwrap();
    let demo = Demo::ids(&app).await;
    let (admin, resident, head) = (app.login("community-admin").await, app.login("resident").await, app.login("head").await);
    let p = app.gql(Some(&admin), OPEN, json!({ "s": demo.community, "c": (Utc::now() + Duration::days(1)).to_rfc3339() })).await;
    let period = p.ok()["openVotePeriod"]["id"].as_str().unwrap().to_owned();
    app.gql(Some(&resident), VOTE, json!({ "p": period, "h": user_id(&app, &head).await })).await.ok();
    entity::vote_period::Entity::update_many()
        .col_expr(entity::vote_period::Column::ClosesAt, Expr::value(Utc::now() - Duration::minutes(1)))
        .exec(&app.state.db)
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        api::service::incentives::vote::close_due(&app.state),
        api::service::incentives::vote::close_due(&app.state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(app.count("vote_result").await, 1);
    assert_eq!(app.gql(Some(&head), "{ myPoints { balance } }", json!({})).await.ok()["myPoints"]["balance"], 50);
    let list = app.gql(Some(&resident), "{ votePeriods { nodes { id status } } }", json!({})).await;
    assert_eq!(list.ok()["votePeriods"]["nodes"], json!([{ "id": period, "status": "CLOSED" }]));
}
