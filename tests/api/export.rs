//! Report exports: `GET /export/reports.csv` and `.xlsx` (content, headers in both languages, formula-safe cells,
//! filters, who may export what, what never reaches a sheet), the background path (`requestExport`, progress, the
//! signed link and its expiry), the audit rows, and (ignored by default: run it alone) memory that stays flat
//! under a 100,000-report export.
use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::enums::{ActorRole, EscalationReason, EventKind, GridLevel, Moderation, ReportStatus, SlaStage, Urgency};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{Demo, TestApp};

const REQUEST: &str = "mutation($i: RequestExportInput!) { requestExport(input: $i) { id status rowsDone rowsTotal downloadUrl expiresAt } }";
const JOB: &str = "query($id: ID!) { exportJob(id: $id) { id status rowsDone rowsTotal downloadUrl expiresAt fileBytes } }";

/// The demo's units as row ids, for reports written straight to the database.
struct Fx {
    d: Demo,
    community: Uuid,
    other_community: Uuid,
    compound: Uuid,
    other_compound: Uuid,
    building: Uuid,
    nbh: Uuid,
    other_nbh: Uuid,
    group: Uuid,
    area: Uuid,
    resident: Uuid,
    drain: Uuid,
    leak: Uuid,
    company: Uuid,
}

fn id_of(id: &str) -> Uuid {
    api::ids::decode_any(id, "id").unwrap().1
}

async fn user_id(app: &TestApp, login: &str) -> Uuid {
    entity::app_user::Entity::find()
        .filter(entity::app_user::Column::Openid.eq(format!("dev:{login}")))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

impl Fx {
    async fn of(app: &TestApp) -> Fx {
        let d = Demo::ids(app).await;
        let cats = app.state.lookup.categories(&app.state.db).await.unwrap();
        let cat = |code: &str| cats.iter().find(|c| c.code == code).unwrap().id;
        let company = entity::property_company::Entity::find()
            .filter(entity::property_company::Column::Name.eq("幸福物业"))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let other_compound = id_of(&d.other_compound);
        Fx {
            community: id_of(&d.community),
            other_community: id_of(&d.other_community),
            compound: id_of(&d.compound),
            other_compound,
            building: id_of(&d.building),
            nbh: id_of(&d.neighbourhood),
            other_nbh: id_of(&d.other_neighbourhood),
            group: id_of(&d.group),
            area: id_of(&d.area),
            resident: user_id(app, "resident").await,
            drain: cat("DRAIN"),
            leak: cat("WATER_LEAK"),
            company,
            d,
        }
    }

    /// A report submitted at `at` in dev:head's neighbourhood, waiting to be acknowledged, with no timer.
    fn report(&self, at: DateTime<Utc>, description: &str) -> entity::report::Model {
        entity::report::Model {
            id: Uuid::now_v7(),
            created_at: at,
            description: description.into(),
            urgency: Urgency::Normal,
            unit: Some(1),
            room: Some("1101".into()),
            public_area: None,
            latitude: None,
            longitude: None,
            anonymous: false,
            status: ReportStatus::Submitted,
            version: 1,
            waiting_since: at,
            submitted_at: at,
            acknowledged_at: None,
            dispatched_at: None,
            started_at: None,
            resolved_at: None,
            closed_at: None,
            first_reopened_at: None,
            ended_at: None,
            confirmed_at: None,
            rating: None,
            rating_comment: None,
            auto_closed: false,
            reopen_count: 0,
            last_urged_at: None,
            idempotency_key: None,
            category_id: self.drain,
            reporter_id: self.resident,
            compound_id: self.compound,
            building_id: Some(self.building),
            neighbourhood_id: Some(self.nbh),
            group_id: Some(self.group),
            area_id: Some(self.area),
            community_id: self.community,
            company_id: None,
            duplicate_of: None,
            last_event_id: None,
            moderation: Moderation::Pass,
            last_event_kind: None,
            last_event_at: None,
            reporter_name: "王秀英".into(),
            sla_stage: Some(SlaStage::Acknowledge),
            sla_level: Some(GridLevel::NeighbourHead),
            sla_stage_since: Some(at),
            sla_warn_at: None,
            sla_due_at: None,
            sla_fires_at: None,
            sla_warned: false,
            sla_breached: false,
            sla_urges: 0,
            overall_minutes: 0,
            overall_since: Some(at),
            escalated_at: None,
            escalations: 0,
            support_count: 0,
            queue_at: at,
        }
    }
}

/// Writes reports straight to the database: multi-row INSERTs in one transaction.
async fn insert(app: &TestApp, rows: Vec<entity::report::Model>) {
    let txn = app.state.db.begin().await.unwrap();
    for chunk in rows.chunks(300) {
        let models: Vec<entity::report::ActiveModel> = chunk.iter().cloned().map(Into::into).collect();
        entity::report::Entity::insert_many(models).exec_without_returning(&txn).await.unwrap();
    }
    txn.commit().await.unwrap();
}

/// A Beijing time.
fn beijing(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

/// Makes `login` hold `role` over `scope` from now on (straight to the database); returns their token.
async fn appoint(app: &TestApp, login: &str, role: api::auth::Role, scope: Uuid) -> String {
    let token = app.login(login).await;
    let user = user_id(app, login).await;
    entity::appointment::Entity::insert(entity::appointment::ActiveModel {
        id: Set(Uuid::now_v7()),
        created_at: Set(Utc::now()),
        role: Set(role),
        scope_id: Set(scope),
        starts_at: Set(Utc::now() - Duration::hours(1)),
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

/// A GET with an optional token and `Accept-Language`: (status, content type, body).
async fn get(app: &TestApp, path: &str, token: Option<&str>, lang: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut req = app.http.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (status, ct, resp.bytes().await.expect("body").to_vec())
}

fn path(ext: &str, scope: &str, from: &str, to: &str) -> String {
    format!("/export/reports.{ext}?scopeId={scope}&from={from}&to={to}")
}

/// A CSV body as rows of strings (the BOM checked and dropped).
fn parse_csv(body: &[u8]) -> Vec<Vec<String>> {
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a byte-order mark");
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(&body[3..]);
    r.records().map(|x| x.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// An XLSX body's first sheet as rows of strings, numbers as the CSV writes them.
fn parse_xlsx(body: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body.to_vec())).expect("a workbook");
    let range = wb.worksheet_range_at(0).expect("a sheet").expect("readable");
    let width = range.width();
    range
        .rows()
        .map(|row| {
            (0..width)
                .map(|i| match row.get(i) {
                    Some(Data::String(s)) => s.clone(),
                    Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Some(Data::Float(f)) => format!("{f:.1}"),
                    Some(Data::Int(n)) => n.to_string(),
                    Some(Data::Empty) | None => String::new(),
                    Some(other) => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[tokio::test]
async fn a_community_admin_gets_its_reports_as_csv_with_chinese_headers_and_english_on_request() {
    let app = TestApp::demo().await;
    let fx = Fx::of(&app).await;
    // Arrange: two reports in March 2025 (one escalated and acknowledged late, resolved next day, rated), one the
    // day before the period, one the day after.
    let mon9 = beijing(2025, 3, 3, 9, 0);
    let mut late = fx.report(mon9, "=HYPERLINK(\"http://evil.example\",\"点我\")");
    late.status = ReportStatus::Resolved;
    late.acknowledged_at = Some(mon9 + Duration::hours(2));
    late.dispatched_at = Some(mon9 + Duration::hours(3));
    late.resolved_at = Some(mon9 + Duration::hours(24));
    late.company_id = Some(fx.company);
    late.escalations = 1;
    late.sla_level = Some(GridLevel::Property);
    late.sla_stage = None;
    late.rating = Some(4);
    late.rating_comment = Some("@SUM(1+1) 修得不错".into());
    late.support_count = 3;
    late.reopen_count = 1;
    let mut plain = fx.report(beijing(2025, 3, 10, 8, 0), "楼道灯不亮，已经三天了");
    plain.category_id = fx.leak;
    plain.public_area = Some("3号楼北侧, \"停车场\"".into());
    plain.sla_breached = true;
    let before = fx.report(beijing(2025, 2, 28, 23, 59), "二月的报告");
    let after = fx.report(beijing(2025, 4, 1, 0, 0), "四月的报告");
    insert(&app, vec![late.clone(), plain.clone(), before, after]).await;
    entity::report_event::Entity::insert(entity::report_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        created_at: Set(mon9 + Duration::hours(1)),
        kind: Set(EventKind::Escalated),
        actor_role: Set(ActorRole::System),
        from_status: Set(Some(ReportStatus::Submitted)),
        to_status: Set(Some(ReportStatus::Submitted)),
        note: Set(None),
        report_id: Set(late.id),
        actor_id: Set(None),
        moderation: Set(Moderation::Pass),
        from_level: Set(Some(GridLevel::NeighbourHead)),
        to_level: Set(Some(GridLevel::GroupHead)),
        reason: Set(Some(EscalationReason::Overdue)),
    })
    .exec(&app.state.db)
    .await
    .unwrap();
    let admin = app.login("community-admin").await;

    // Act
    let (status, ct, body) = get(&app, &path("csv", &fx.d.community, "2025-03-01", "2025-03-31"), Some(&admin), None).await;

    // Assert
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(ct.starts_with("text/csv"));
    let rows = parse_csv(&body);
    let h = &rows[0];
    assert_eq!(&h[..4], ["编号", "分类", "问题描述", "状态"]);
    assert_eq!(rows.len(), 3, "the header and the two reports of March (from and to are inclusive Beijing days)");
    let r = &rows[1];
    let c = |name: &str| r[col(h, name)].as_str();
    assert_eq!(c("编号"), api::ids::encode(api::ids::Kind::Report, late.id).0);
    assert_eq!(c("问题描述"), "'=HYPERLINK(\"http://evil.example\",\"点我\")", "a formula is shown, not run");
    assert_eq!(c("评价"), "'@SUM(1+1) 修得不错");
    assert_eq!(c("状态"), "待确认");
    assert_eq!((c("社区"), c("小区"), c("物业公司")), ("幸福社区", "幸福家园", "幸福物业"));
    assert!(!c("楼栋").is_empty() && !c("邻").is_empty() && !c("组").is_empty() && !c("片区").is_empty(), "the grid path");
    assert_eq!(c("单元"), "1");
    assert_eq!(c("提交时间"), "2025-03-03 09:00:00", "Beijing time");
    assert_eq!(c("受理时间"), "2025-03-03 11:00:00");
    assert_eq!((c("受理用时（小时）"), c("办结用时（小时）")), ("2.0", "24.0"));
    assert_eq!(c("受理用时（工作小时）"), "2.0");
    assert_eq!(c("办结用时（工作小时）"), "9.0", "Monday 09:00 to 17:30 and Tuesday 08:30 to 09:00");
    assert_eq!((c("受理超时"), c("处置超时"), c("开工超时"), c("办结超时")), ("是", "否", "否", "否"));
    assert_eq!((c("当前层级"), c("升级次数"), c("评分"), c("重开次数"), c("附议人数")), ("物业公司", "1", "4", "1", "3"));
    let p = &rows[2];
    assert_eq!(p[col(h, "公共区域")], "3号楼北侧, \"停车场\"", "quoted and read back whole");
    assert_eq!(p[col(h, "受理超时")], "是", "the current stage is breached");
    assert_ne!(p[col(h, "分类")], r[col(h, "分类")]);

    let (status, _, body) = get(&app, &path("csv", &fx.d.community, "2025-03-01", "2025-03-31"), Some(&admin), Some("en-US,en;q=0.9")).await;
    assert_eq!(status, 200);
    let en = parse_csv(&body);
    assert_eq!(&en[0][..4], ["id", "category", "description", "status"]);
    assert_eq!(en[1][col(&en[0], "status")], "RESOLVED");
    assert_eq!(en[1][col(&en[0], "acknowledge_breached")], "yes");
    assert_eq!(en.len(), 3);
}

#[tokio::test]
async fn the_xlsx_holds_the_same_rows_as_the_csv() {
    let app = TestApp::demo().await;
    let fx = Fx::of(&app).await;
    let mut rows = Vec::new();
    for i in 0..25 {
        let mut r = fx.report(beijing(2025, 5, 1 + i % 20, 10, i), &format!("第{i}号：下水道堵塞"));
        if i == 3 {
            r.description = "-1+2 看起来像公式".into();
        }
        if i == 4 {
            r.rating = Some(5);
            r.acknowledged_at = Some(r.submitted_at + Duration::minutes(45));
        }
        rows.push(r);
    }
    insert(&app, rows).await;
    let admin = app.login("admin").await;

    let (s1, _, csv) = get(&app, &path("csv", &fx.d.district, "2025-05-01", "2025-05-31"), Some(&admin), None).await;
    let (s2, ct, xlsx) = get(&app, &path("xlsx", &fx.d.district, "2025-05-01", "2025-05-31"), Some(&admin), None).await;

    assert_eq!((s1, s2), (200, 200), "{}", String::from_utf8_lossy(&xlsx));
    assert!(ct.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    let (csv, xlsx) = (parse_csv(&csv), parse_xlsx(&xlsx));
    assert_eq!(csv.len(), 26);
    assert_eq!(csv, xlsx, "the same header and cells, row by row");
    assert!(xlsx.iter().any(|r| r[col(&xlsx[0], "问题描述")] == "'-1+2 看起来像公式"), "made safe in the workbook too");
    assert!(xlsx.iter().any(|r| r[col(&xlsx[0], "受理用时（小时）")] == "0.8"));
}

#[tokio::test]
async fn filters_by_scope_period_and_category() {
    let app = TestApp::demo().await;
    let fx = Fx::of(&app).await;
    let at = beijing(2025, 6, 15, 12, 0);
    let a = fx.report(at, "本邻下水道");
    let mut b = fx.report(at, "本邻漏水");
    b.category_id = fx.leak;
    let mut c = fx.report(at, "隔壁邻");
    c.neighbourhood_id = Some(fx.other_nbh);
    let mut d = fx.report(at, "和谐苑的报告");
    d.community_id = fx.other_community;
    d.compound_id = fx.other_compound;
    d.building_id = None;
    d.neighbourhood_id = None;
    d.group_id = None;
    d.area_id = None;
    let late = fx.report(beijing(2025, 6, 16, 0, 0), "第二天的");
    insert(&app, vec![a.clone(), b.clone(), c.clone(), d.clone(), late.clone()]).await;
    let admin = app.login("admin").await;
    let ids = |body: &[u8]| -> Vec<Uuid> {
        let rows = parse_csv(body);
        let mut v: Vec<Uuid> = rows[1..].iter().map(|r| id_of(&r[0])).collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<Uuid>| {
        v.sort();
        v
    };
    let day = |scope: &str| path("csv", scope, "2025-06-15", "2025-06-15");

    let (_, _, nbh) = get(&app, &day(&fx.d.neighbourhood), Some(&admin), None).await;
    let (_, _, community) = get(&app, &day(&fx.d.community), Some(&admin), None).await;
    let (_, _, district) = get(&app, &day(&fx.d.district), Some(&admin), None).await;
    let (_, _, two_days) = get(&app, &path("csv", &fx.d.compound, "2025-06-15", "2025-06-16"), Some(&admin), None).await;
    let leak = api::ids::encode(api::ids::Kind::Category, fx.leak).0;
    let (_, _, leaks) = get(&app, &format!("{}&categoryId={leak}", day(&fx.d.district)), Some(&admin), None).await;
    let (_, _, other) = get(&app, &day(&fx.d.other_compound), Some(&admin), None).await;

    assert_eq!(ids(&nbh), sorted(vec![a.id, b.id]));
    assert_eq!(ids(&community), sorted(vec![a.id, b.id, c.id]));
    assert_eq!(ids(&district), sorted(vec![a.id, b.id, c.id, d.id]));
    assert_eq!(ids(&two_days), sorted(vec![a.id, b.id, c.id, late.id]));
    assert_eq!(ids(&leaks), vec![b.id]);
    assert_eq!(ids(&other), vec![d.id]);

    let (s, _, body) = get(&app, &path("csv", &fx.d.district, "2025-06-16", "2025-06-15"), Some(&admin), None).await;
    assert_eq!(s, 400);
    let e: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((e["error"]["code"].as_str(), e["error"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some("to")));
    let (s, _, body) = get(&app, &path("csv", &fx.d.district, "2025/06/15", "2025-06-15"), Some(&admin), None).await;
    assert_eq!(s, 400);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["error"]["field"], "from");
}

#[tokio::test]
async fn an_export_is_refused_as_the_kpis_are() {
    let app = TestApp::demo().await;
    let fx = Fx::of(&app).await;
    let other_admin = appoint(&app, "other-admin", api::auth::Role::CommunityAdmin, fx.other_community).await;
    let other_staff = app.login("staff-3").await; // 和谐物业's
    let staff = app.login("staff").await; // 幸福物业's
    let resident = app.login("resident").await;
    let head = app.login("head").await;
    let area_head = app.login("area-head").await;
    let company = api::ids::encode(api::ids::Kind::PropertyCompany, fx.company).0;
    let day = |scope: &str, ext: &str| path(ext, scope, "2025-01-01", "2025-01-31");
    let code = |body: &[u8]| serde_json::from_slice::<Value>(body).unwrap()["error"]["code"].as_str().unwrap().to_owned();

    for ext in ["csv", "xlsx"] {
        // Another community's admin: a compound of this community is not theirs.
        let (s, ct, body) = get(&app, &day(&fx.d.compound, ext), Some(&other_admin), None).await;
        assert_eq!((s, code(&body).as_str()), (403, "FORBIDDEN"), "{ext}");
        assert!(ct.starts_with("application/json"));
        // Their own compound is.
        assert_eq!(get(&app, &day(&fx.d.other_compound, ext), Some(&other_admin), None).await.0, 200);
        // Another company's staff do not learn that this company exists.
        let (s, _, body) = get(&app, &day(&company, ext), Some(&other_staff), None).await;
        assert_eq!((s, code(&body).as_str()), (404, "NOT_FOUND"), "{ext}");
        assert_eq!(get(&app, &day(&company, ext), Some(&staff), None).await.0, 200, "its own staff may");
        // A resident is no reader of their neighbourhood.
        let (s, _, body) = get(&app, &day(&fx.d.neighbourhood, ext), Some(&resident), None).await;
        assert_eq!((s, code(&body).as_str()), (403, "FORBIDDEN"));
        // Heads read their unit and what is below it, nothing beside it.
        assert_eq!(get(&app, &day(&fx.d.neighbourhood, ext), Some(&head), None).await.0, 200);
        assert_eq!(get(&app, &day(&fx.d.other_neighbourhood, ext), Some(&head), None).await.0, 403);
        assert_eq!(get(&app, &day(&fx.d.neighbourhood, ext), Some(&area_head), None).await.0, 200);
        // No token.
        let (s, _, body) = get(&app, &day(&fx.d.community, ext), None, None).await;
        assert_eq!((s, code(&body).as_str()), (401, "UNAUTHENTICATED"));
        // Not a unit at all, and a unit that does not exist.
        let report = api::ids::encode(api::ids::Kind::Report, Uuid::now_v7()).0;
        assert_eq!(get(&app, &day(&report, ext), Some(&other_admin), None).await.0, 400);
        let nowhere = api::ids::encode(api::ids::Kind::Community, Uuid::now_v7()).0;
        assert_eq!(get(&app, &day(&nowhere, ext), Some(&other_admin), None).await.0, 404);
        // A compound's id passed off as a community's.
        let disguised = api::ids::encode(api::ids::Kind::Community, fx.other_compound).0;
        assert_eq!(get(&app, &day(&disguised, ext), Some(&other_admin), None).await.0, 404);
    }
    let q = json!({ "i": { "scopeId": fx.d.compound, "from": "2025-01-01", "to": "2025-01-31", "format": "CSV" } });
    assert_eq!(app.gql(Some(&other_admin), REQUEST, q.clone()).await.code(), "FORBIDDEN", "the background path too");
    assert_eq!(app.gql(None, REQUEST, q).await.code(), "UNAUTHENTICATED");
    assert_eq!(app.count("export_job").await, 0);
}

#[tokio::test]
async fn no_reporter_reaches_a_sheet_and_anonymous_reports_stay_anonymous() {
    let app = TestApp::demo().await;
    let fx = Fx::of(&app).await;
    let mut anon = fx.report(beijing(2025, 7, 1, 9, 0), "匿名：楼上漏水到我家");
    anon.anonymous = true;
    anon.reporter_name = "李建国".into();
    anon.room = Some("0707".into());
    anon.company_id = Some(fx.company);
    let mut named = fx.report(beijing(2025, 7, 1, 10, 0), "实名：楼道堆放杂物");
    named.reporter_name = "陈阿姨".into();
    named.room = Some("0808".into());
    named.company_id = Some(fx.company);
    let mut rejected = fx.report(beijing(2025, 7, 1, 11, 0), "这是一段未通过审核的敏感内容");
    rejected.moderation = Moderation::Rejected;
    rejected.company_id = Some(fx.company);
    insert(&app, vec![anon, named, rejected]).await;
    let company = api::ids::encode(api::ids::Kind::PropertyCompany, fx.company).0;

    for (who, scope) in [("community-admin", fx.d.community.as_str()), ("head", &fx.d.neighbourhood), ("staff", &company)] {
        let token = app.login(who).await;
        for ext in ["csv", "xlsx"] {
            let (s, _, body) = get(&app, &path(ext, scope, "2025-07-01", "2025-07-01"), Some(&token), None).await;
            assert_eq!(s, 200);
            let rows = if ext == "csv" { parse_csv(&body) } else { parse_xlsx(&body) };
            let text = rows.iter().flatten().cloned().collect::<Vec<_>>().join("|");
            for secret in ["李建国", "陈阿姨", "李**", "陈**", "0707", "0808", "匿名居民", "敏感内容"] {
                assert!(!text.contains(secret), "{who} {ext}: {secret} leaked");
            }
            assert!(text.contains("楼上漏水到我家"), "{who} {ext}: the description is there");
            assert!(text.contains("未通过内容审核"), "a rejected text is replaced");
        }
    }
}

#[tokio::test]
async fn a_background_export_runs_to_done_and_its_link_works_for_its_requester_until_it_expires() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    assert!(linli_tools::demo::load_district_if_empty(&app.state).await.unwrap());
    let fx = Fx::of(&app).await;
    let rows: Vec<_> = (0..2_345).map(|i| fx.report(beijing(2025, 8, 1, 8, 0) + Duration::minutes(i), "下水道又堵了")).collect();
    insert(&app, rows).await;
    let admin = app.login("community-admin").await;
    let q = json!({ "i": { "scopeId": fx.d.community, "from": "2025-08-01", "to": "2025-08-31", "format": "XLSX" } });

    // Queued.
    let r = app.gql(Some(&admin), REQUEST, q).await;
    let job = r.ok()["requestExport"].clone();
    assert_eq!((job["status"].as_str(), job["rowsDone"].as_i64(), job["downloadUrl"].as_str()), (Some("QUEUED"), Some(0), None));
    let id = job["id"].as_str().unwrap().to_owned();
    let other = app.login("admin").await;
    assert_eq!(app.gql(Some(&other), JOB, json!({ "id": id })).await.code(), "NOT_FOUND", "only its requester sees it");

    // Run by the job: one round claims and writes it.
    assert_eq!(api::service::export::job::run_due(&app.state).await.unwrap(), 1);
    assert_eq!(api::service::export::job::run_due(&app.state).await.unwrap(), 0, "claimed once");
    let done = app.gql(Some(&admin), JOB, json!({ "id": id })).await.ok()["exportJob"].clone();
    assert_eq!(done["status"], "DONE");
    assert_eq!((done["rowsDone"].as_i64(), done["rowsTotal"].as_i64()), (Some(2_345), Some(2_345)));
    let url = done["downloadUrl"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("/export/files/{id}?exp=")));

    // The link, with the requester's token.
    let (s, ct, body) = get(&app, &url, Some(&admin), None).await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("application/vnd.openxmlformats"));
    assert_eq!(done["fileBytes"].as_i64(), Some(body.len() as i64));
    let sheet = parse_xlsx(&body);
    assert_eq!(sheet.len(), 2_346);
    assert_eq!(sheet[0][0], "编号");
    // Not for anyone else, not without a token, not tampered with.
    assert_eq!(get(&app, &url, Some(&other), None).await.0, 404);
    assert_eq!(get(&app, &url, None, None).await.0, 401);
    let tampered = url.replace("sig=", "sig=x");
    assert_eq!(get(&app, &tampered, Some(&admin), None).await.0, 403);

    assert_eq!(app.stored_keys("exports").await.len(), 1, "the file is in the media store");

    // A day later the link has expired and the file goes.
    app.state.clock.advance(Duration::hours(24) + Duration::minutes(1));
    let (s, _, body) = get(&app, &url, Some(&admin), None).await;
    assert_eq!(s, 403, "{}", String::from_utf8_lossy(&body));
    assert_eq!(api::service::export::job::run_due(&app.state).await.unwrap(), 1);
    let gone = app.gql(Some(&admin), JOB, json!({ "id": id })).await.ok()["exportJob"].clone();
    assert_eq!((gone["status"].as_str(), gone["downloadUrl"].as_str()), (Some("EXPIRED"), None));
    assert_eq!(app.stored_keys("exports").await, Vec::<String>::new(), "the file is removed");
}

#[tokio::test]
async fn a_csv_job_in_english_and_a_lost_runner_taken_over() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    assert!(linli_tools::demo::load_district_if_empty(&app.state).await.unwrap());
    let fx = Fx::of(&app).await;
    insert(&app, vec![fx.report(beijing(2025, 9, 1, 8, 0), "楼道灯坏了")]).await;
    let admin = app.login("community-admin").await;
    let q = json!({ "i": { "scopeId": fx.d.compound, "from": "2025-09-01", "to": "2025-09-01", "format": "CSV" } });
    let r = app.gql_with(Some(&admin), REQUEST, q, &[("accept-language", "en")]).await;
    let id = r.ok()["requestExport"]["id"].as_str().unwrap().to_owned();
    // A replica claimed it and died: its lease runs out, another takes it over.
    let uuid = api::ids::decode(&id, api::ids::Kind::Export, "id").unwrap();
    entity::export_job::Entity::update_many()
        .col_expr(entity::export_job::Column::Status, sea_orm::sea_query::Expr::value(entity::enums::ExportStatus::Running))
        .col_expr(entity::export_job::Column::Attempts, sea_orm::sea_query::Expr::value(1))
        .col_expr(entity::export_job::Column::LeaseUntil, sea_orm::sea_query::Expr::value(app.state.clock.now() + Duration::minutes(5)))
        .filter(entity::export_job::Column::Id.eq(uuid))
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(api::service::export::job::run_due(&app.state).await.unwrap(), 0, "its lease still holds");
    app.state.clock.advance(Duration::minutes(6));
    assert_eq!(api::service::export::job::run_due(&app.state).await.unwrap(), 1);
    let done = app.gql(Some(&admin), JOB, json!({ "id": id })).await.ok()["exportJob"].clone();
    assert_eq!(done["status"], "DONE");
    let (s, _, body) = get(&app, done["downloadUrl"].as_str().unwrap(), Some(&admin), None).await;
    assert_eq!(s, 200);
    let rows = parse_csv(&body);
    assert_eq!(rows[0][0], "id");
    assert_eq!(rows.len(), 2);
}

#[tokio::test]
async fn every_export_is_in_the_audit_log() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    assert!(linli_tools::demo::load_district_if_empty(&app.state).await.unwrap());
    let fx = Fx::of(&app).await;
    let admin = app.login("community-admin").await;
    let me = user_id(&app, "community-admin").await;
    let before = app.count("audit_log").await;

    assert_eq!(get(&app, &path("csv", &fx.d.compound, "2025-01-01", "2025-12-31"), Some(&admin), None).await.0, 200);
    assert_eq!(get(&app, &path("xlsx", &fx.d.community, "2025-01-01", "2025-12-31"), Some(&admin), None).await.0, 200);
    let q = json!({ "i": { "scopeId": fx.d.community, "from": "2025-01-01", "to": "2025-12-31", "format": "XLSX" } });
    let job = app.gql(Some(&admin), REQUEST, q).await.ok()["requestExport"]["id"].as_str().unwrap().to_owned();
    // A refused export is not recorded.
    let resident = app.login("resident").await;
    assert_eq!(get(&app, &path("csv", &fx.d.community, "2025-01-01", "2025-12-31"), Some(&resident), None).await.0, 403);

    let rows = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(entity::enums::AuditAction::DataExported))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(app.count("audit_log").await, before + 3);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.actor_id == Some(me) && r.actor_role == Some(api::auth::Role::CommunityAdmin)));
    assert!(rows.iter().all(|r| r.community_id == Some(fx.community)));
    let csv = rows.iter().find(|r| r.after.as_deref().unwrap().contains("\"CSV\"")).unwrap();
    assert_eq!((csv.scope_kind, csv.object_id), (entity::enums::AuditScope::Compound, fx.compound));
    let queued = rows.iter().find(|r| r.object_kind == "EXPORT").unwrap();
    assert_eq!(api::ids::encode(api::ids::Kind::Export, queued.object_id).0, job);
    assert!(queued.after.as_deref().unwrap().contains("2025-12-31"));
    // The chain still verifies.
    assert_eq!(api::service::audit::verify(&app.state.db).await.unwrap().broken, None);
}

/// This process's resident set size, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// Downloads `path`, reading the body chunk by chunk (nothing kept), and returns (bytes, highest RSS seen).
async fn stream_and_watch(app: &TestApp, path: &str, token: &str) -> (u64, u64) {
    let mut resp = app.http.get(format!("{}{path}", app.base)).bearer_auth(token).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let (mut bytes, mut peak) = (0u64, rss());
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len() as u64;
        peak = peak.max(rss());
    }
    (bytes, peak.max(rss()))
}

/// 100,000 reports exported as CSV and as XLSX with the server's memory (this process: the test server runs in
/// it) staying under idle + 100 MB. Ignored by default: parallel tests in the same process would move the figure.
/// Run it alone: `cargo test --release --test api export::memory -- --ignored --nocapture`.
#[tokio::test]
#[ignore]
async fn memory_stays_flat_for_100000_reports() {
    let app = TestApp::spawn_with(&[("LINLI_JOBS", "off")]).await;
    assert!(linli_tools::demo::load_district_if_empty(&app.state).await.unwrap());
    let fx = Fx::of(&app).await;
    let start = beijing(2025, 1, 1, 0, 0);
    for part in 0..10 {
        let rows: Vec<_> = (0..10_000)
            .map(|i| {
                let n = part * 10_000 + i;
                let mut r = fx.report(start + Duration::minutes(n as i64 * 5), &format!("第{n}号：三单元下水道堵塞，污水漫到楼道里，已经两天了，请尽快处理"));
                r.acknowledged_at = Some(r.submitted_at + Duration::minutes(37));
                r
            })
            .collect();
        insert(&app, rows).await;
    }
    let admin = app.login("admin").await;
    // Warm up (caches, pools, the allocator's arenas) with a small export, then take the idle figure.
    let warm = path("csv", &fx.d.district, "2025-01-01", "2025-01-02");
    stream_and_watch(&app, &warm, &admin).await;
    let idle = rss();

    // A tenth of the rows first, then all of them: flat memory means the same peak for both.
    let tenth = |ext: &str| path(ext, &fx.d.district, "2025-01-01", "2025-02-04");
    let all = |ext: &str| path(ext, &fx.d.district, "2025-01-01", "2025-12-31");
    let (_, csv_tenth) = stream_and_watch(&app, &tenth("csv"), &admin).await;
    let (csv_bytes, csv_peak) = stream_and_watch(&app, &all("csv"), &admin).await;
    let (_, xlsx_tenth) = stream_and_watch(&app, &tenth("xlsx"), &admin).await;
    let (xlsx_bytes, xlsx_peak) = stream_and_watch(&app, &all("xlsx"), &admin).await;

    let mb = |b: u64| b as f64 / 1_048_576.0;
    let rise = |b: u64| mb(b.saturating_sub(idle));
    println!(
        "idle {:.1} MB; CSV of 10,000: peak +{:.1} MB; CSV of 100,000 ({:.1} MB): peak +{:.1} MB; \
         XLSX of 10,000: peak +{:.1} MB; XLSX of 100,000 ({:.1} MB): peak +{:.1} MB",
        mb(idle),
        rise(csv_tenth),
        mb(csv_bytes),
        rise(csv_peak),
        rise(xlsx_tenth),
        mb(xlsx_bytes),
        rise(xlsx_peak)
    );
    assert!(csv_bytes > 20_000_000, "100,000 rows of CSV");
    assert!(csv_peak < idle + 100 * 1_048_576, "CSV: RSS rose {:.1} MB", mb(csv_peak - idle));
    assert!(xlsx_peak < idle + 100 * 1_048_576, "XLSX: RSS rose {:.1} MB", mb(xlsx_peak - idle));
}
