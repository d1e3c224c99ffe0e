//! The grid import (issue 17): a community's spreadsheet read on the server, a dry run with every row's outcome,
//! one all-or-nothing import, the same file again changing nothing, heads found by their bound phone, the
//! template, and who may.
use base64::Engine;
use serde_json::{Value, json};

use crate::common::{Demo, TestApp};

const PREVIEW: &str = "mutation($i: GridImportInput!) { previewGridImport(input: $i) {
    valid creates unchanged errors warnings
    rows { line area group neighbourhood compound building unit headName headPhone outcome messages { column severity code message } } } }";
const APPLY: &str = "mutation($i: GridImportInput!) { applyGridImport(input: $i) {
    areasCreated groupsCreated neighbourhoodsCreated unitsAssigned headsAppointed } }";

fn input(community: &str, name: &str, bytes: &[u8]) -> Value {
    json!({ "i": { "communityId": community, "fileName": name, "contentBase64": base64::engine::general_purpose::STANDARD.encode(bytes) } })
}

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from("片区,组,邻,小区,楼栋,单元,邻长姓名,邻长手机\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

fn xlsx(rows: &[[&str; 8]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, h) in ["片区", "组", "邻", "小区", "楼栋", "单元", "邻长姓名", "邻长手机"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            // Units and phones as numbers, the way a spreadsheet holds them.
            match (c, v.parse::<f64>()) {
                (5 | 7, Ok(n)) => sheet.write_number(r as u32 + 1, c as u16, n).unwrap(),
                _ => sheet.write_string(r as u32 + 1, c as u16, *v).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The demo's 幸福社区 with a new building 幸福家园 3号楼 of three units and a registered future head.
async fn setup() -> (TestApp, Demo, String) {
    let app = TestApp::demo().await;
    let demo = Demo::ids(&app).await;
    let admin = app.login("community-admin").await;
    let r = app.gql(Some(&admin), "mutation($c: ID!) { createBuilding(compoundId: $c, name: \"3号楼\", unitCount: 3) { id } }", json!({ "c": demo.compound })).await;
    r.ok();
    let future_head = app.login("future-head").await;
    app.gql(Some(&future_head), "mutation { bindPhone(code: \"dev:13911112222\") { phone } }", json!({})).await.ok();
    (app, demo, admin)
}

fn codes(row: &Value) -> Vec<&str> {
    row["messages"].as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_file_with_one_bad_row_shows_the_error_and_imports_nothing_then_the_fixed_file_imports_once() {
    let (app, demo, admin) = setup().await;
    let bad = csv(&[
        "三号楼片,第一组,3号楼1单元邻,幸福家园,3号楼,1,孙邻长,13911112222",
        "三号楼片,第一组,3号楼1单元邻,幸福家园,3号楼,2,孙邻长,13911112222",
        "三号楼片,第一组,3号楼3单元邻,幸福家园,3号楼,4,,",
        "三号楼片,第二组,3号楼3单元邻,,3号楼,3,周邻长,13800009999",
    ]);
    let before = app.snapshot().await;
    let p = app.gql(Some(&admin), PREVIEW, input(&demo.community, "网格.csv", &bad)).await;
    let p = &p.ok()["previewGridImport"];
    assert_eq!(p["valid"], false);
    assert_eq!((p["creates"].as_i64(), p["errors"].as_i64(), p["warnings"].as_i64()), (Some(3), Some(1), Some(1)));
    let rows = p["rows"].as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["line"].as_i64().unwrap()).collect::<Vec<_>>(), [2, 3, 4, 5]);
    assert_eq!(rows[2]["outcome"], "ERROR");
    assert_eq!(codes(&rows[2]), ["UNIT_OUT_OF_RANGE"]);
    assert_eq!(rows[2]["messages"][0]["column"], "unit");
    assert_eq!(rows[2]["messages"][0]["message"], "该楼只有 1–3 单元");
    assert_eq!(rows[0]["outcome"], "CREATE");
    assert_eq!(rows[0]["headPhone"], "139****2222", "the phone comes back masked");
    // Without a 小区 the building is found by name where it is unique; an unregistered head is a warning.
    assert_eq!(rows[3]["compound"], "幸福家园");
    assert_eq!(codes(&rows[3]), ["HEAD_NOT_REGISTERED"]);
    assert_eq!(rows[3]["messages"][0]["severity"], "WARNING");
    assert_eq!(app.snapshot().await, before, "the dry run changes nothing");

    // Applying the bad file: refused, nothing imported.
    let r = app.gql(Some(&admin), APPLY, input(&demo.community, "网格.csv", &bad)).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
    assert!(r.message().contains("第一处在第 4 行"), "{}", r.message());
    assert_eq!(app.snapshot().await, before, "all or nothing");
    let audit_before = app.count("audit_log").await;

    // The fixed file (the bad unit corrected) imports, all of it.
    let fixed = csv(&[
        "三号楼片,第一组,3号楼1单元邻,幸福家园,3号楼,1,孙邻长,13911112222",
        "三号楼片,第一组,3号楼1单元邻,幸福家园,3号楼,2,孙邻长,13911112222",
        "三号楼片,第一组,3号楼3单元邻,幸福家园,3号楼,3,,",
    ]);
    let r = app.gql(Some(&admin), APPLY, input(&demo.community, "网格.csv", &fixed)).await;
    assert_eq!(
        r.ok()["applyGridImport"],
        json!({ "areasCreated": 1, "groupsCreated": 1, "neighbourhoodsCreated": 2, "unitsAssigned": 3, "headsAppointed": 1 })
    );
    // 1 area + 1 group + 2 neighbourhoods created, 2 neighbourhoods' units set, 1 appointment: the same audit
    // entries the mutations make one at a time.
    assert_eq!(app.count("audit_log").await - audit_before, 7);
    // The head holds the role: the task inbox is theirs now.
    let head = app.login("future-head").await;
    let r = app.gql(Some(&head), "{ taskInbox(first: 1) { nodes { id } } }", json!({})).await;
    assert!(r.errors.is_empty(), "{:?}", r.errors);

    // The same file again: everything is there, nothing changes.
    let after = app.snapshot().await;
    let p = app.gql(Some(&admin), PREVIEW, input(&demo.community, "网格.csv", &fixed)).await;
    let p = &p.ok()["previewGridImport"];
    assert_eq!((p["valid"].as_bool(), p["creates"].as_i64(), p["unchanged"].as_i64()), (Some(true), Some(0), Some(3)));
    let r = app.gql(Some(&admin), APPLY, input(&demo.community, "网格.csv", &fixed)).await;
    assert_eq!(
        r.ok()["applyGridImport"],
        json!({ "areasCreated": 0, "groupsCreated": 0, "neighbourhoodsCreated": 0, "unitsAssigned": 0, "headsAppointed": 0 })
    );
    assert_eq!(app.snapshot().await, after);
    assert_eq!(app.count("audit_log").await - audit_before, 7, "re-importing writes no audit entry either");
}

#[tokio::test]
async fn xlsx_as_offices_keep_it_and_gbk_csv_as_excel_saves_it_read_the_same() {
    let (app, demo, admin) = setup().await;
    let book = xlsx(&[
        ["三号楼片", "第一组", "3号楼1单元邻", "幸福家园", "3号楼", "1", "孙邻长", "13911112222"],
        ["三号楼片", "第一组", "3号楼2单元邻", "", "3号楼", "2", "", ""],
    ]);
    let p = app.gql(Some(&admin), PREVIEW, input(&demo.community, "grid.xlsx", &book)).await;
    let rows = p.ok()["previewGridImport"]["rows"].as_array().unwrap().clone();
    assert_eq!(rows.iter().map(|r| (r["unit"].as_i64(), r["outcome"].as_str())).collect::<Vec<_>>(), [(Some(1), Some("CREATE")), (Some(2), Some("CREATE"))]);
    assert_eq!(rows[0]["headPhone"], "139****2222", "a phone stored as a number is read as the number");

    let text = "片区,组,邻,楼栋,单元\n三号楼片,第一组,3号楼1单元邻,3号楼,1\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let p = app.gql(Some(&admin), PREVIEW, input(&demo.community, "grid.csv", &gbk)).await;
    let rows = p.ok()["previewGridImport"]["rows"].as_array().unwrap().clone();
    assert_eq!(rows[0]["area"], "三号楼片");
    assert_eq!(rows[0]["outcome"], "CREATE");

    // 1号楼 is in both of 幸福社区's compounds: without 小区 the row says so.
    let p = app.gql(Some(&admin), PREVIEW, input(&demo.community, "grid.csv", text.replace("3号楼,1", "1号楼,1").as_bytes())).await;
    assert_eq!(codes(&p.ok()["previewGridImport"]["rows"][0]), ["AMBIGUOUS_BUILDING"]);

    // Files that are not the grid: a clear error naming what is wrong.
    let r = app.gql(Some(&admin), PREVIEW, input(&demo.community, "grid.csv", "名字,电话\n张三,1\n".as_bytes())).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("input.contentBase64")));
    assert!(r.message().contains("缺少列"), "{}", r.message());
    let r = app.gql(Some(&admin), PREVIEW, input(&demo.community, "grid.pdf", b"%PDF")).await;
    assert_eq!((r.code(), r.field()), ("BAD_USER_INPUT", Some("input.fileName")));
    let r = app.gql(Some(&admin), PREVIEW, input(&demo.community, "grid.xlsx", b"not a workbook")).await;
    assert_eq!(r.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn the_template_downloads_in_both_forms_and_reads_back_as_a_file_the_import_understands() {
    let (app, demo, admin) = setup().await;
    let r = app.http.get(format!("{}/console/api/grid-import-template.xlsx", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("grid-import-template.xlsx"));
    let book = r.bytes().await.unwrap().to_vec();
    let p = app.gql(Some(&admin), PREVIEW, input(&demo.community, "template.xlsx", &book)).await;
    let row = &p.ok()["previewGridImport"]["rows"][0];
    assert_eq!((row["area"].as_str(), row["building"].as_str(), row["unit"].as_i64()), (Some("第一片区"), Some("1号楼"), Some(1)));

    let r = app.http.get(format!("{}/console/api/grid-import-template.csv", app.base)).header("accept-language", "en").send().await.unwrap();
    let text = r.text().await.unwrap();
    assert!(text.trim_start_matches('\u{feff}').starts_with("area,group,neighbourhood,compound,building,unit,headName,headPhone"), "{text}");
    let p = app.gql(Some(&admin), PREVIEW, input(&demo.community, "template.csv", text.as_bytes())).await;
    assert_eq!(p.ok()["previewGridImport"]["rows"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn only_admins_over_the_community_import_and_an_import_never_reaches_another_community() {
    let (app, demo, admin) = setup().await;
    let file = csv(&["三号楼片,第一组,3号楼1单元邻,幸福家园,3号楼,1,,"]);
    let before = app.snapshot().await;
    for who in ["staff", "head", "group-head", "area-head", "resident"] {
        let t = app.login(who).await;
        for q in [PREVIEW, APPLY] {
            let r = app.gql(Some(&t), q, input(&demo.community, "g.csv", &file)).await;
            assert_eq!(r.code(), "FORBIDDEN", "{who}");
        }
    }
    // 幸福社区's admin over 和谐社区: refused; and 和谐社区's buildings are not found from 幸福社区.
    let r = app.gql(Some(&admin), APPLY, input(&demo.other_community, "g.csv", &file)).await;
    assert_eq!(r.code(), "FORBIDDEN");
    let other = csv(&["和谐片,第一组,新邻,和谐苑,1号楼,1,,"]);
    let p = app.gql(Some(&admin), PREVIEW, input(&demo.community, "g.csv", &other)).await;
    assert_eq!(codes(&p.ok()["previewGridImport"]["rows"][0]), ["UNKNOWN_COMPOUND"]);
    // Nobody appoints themself through a file.
    app.gql(Some(&admin), "mutation { bindPhone(code: \"dev:13700001111\") { phone } }", json!({})).await.ok();
    let me = csv(&["三号楼片,第一组,3号楼1单元邻,幸福家园,3号楼,1,社区管理员,13700001111"]);
    let p = app.gql(Some(&admin), PREVIEW, input(&demo.community, "g.csv", &me)).await;
    assert_eq!(codes(&p.ok()["previewGridImport"]["rows"][0]), ["SELF_APPOINTMENT"]);
    // A district admin may import into any of its communities.
    let district = app.login("admin").await;
    let p = app.gql(Some(&district), PREVIEW, input(&demo.community, "g.csv", &file)).await;
    assert_eq!(p.ok()["previewGridImport"]["valid"], true);
    assert_eq!(app.snapshot().await.into_iter().filter(|(t, _)| t != "app_user").collect::<Vec<_>>(),
        before.into_iter().filter(|(t, _)| t != "app_user").collect::<Vec<_>>());
}

#[tokio::test]
async fn two_imports_of_one_file_at_once_leave_one_grid() {
    let (app, demo, admin) = setup().await;
    let file = csv(&[
        "三号楼片,第一组,3号楼1单元邻,幸福家园,3号楼,1,孙邻长,13911112222",
        "三号楼片,第一组,3号楼2单元邻,幸福家园,3号楼,2,,",
    ]);
    let v = input(&demo.community, "g.csv", &file);
    let (a, b) = tokio::join!(app.gql(Some(&admin), APPLY, v.clone()), app.gql(Some(&admin), APPLY, v.clone()));
    let created: Vec<i64> = [&a, &b]
        .iter()
        .filter(|r| r.errors.is_empty())
        .map(|r| r.data["applyGridImport"]["neighbourhoodsCreated"].as_i64().unwrap())
        .collect();
    for r in [&a, &b] {
        if !r.errors.is_empty() {
            assert_eq!(r.code(), "CONFLICT", "the loser is told the grid changed meanwhile: {:?}", r.errors);
        }
    }
    assert_eq!(created.iter().sum::<i64>(), 2, "one of them created both neighbourhoods: {created:?}");
    assert_eq!(app.count("grid_area").await, 4 + 1);
    let p = app.gql(Some(&admin), PREVIEW, v).await;
    assert_eq!(p.ok()["previewGridImport"]["unchanged"], 2);
}
