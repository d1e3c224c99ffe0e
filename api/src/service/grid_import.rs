//! The grid import (issue 17): a community's grid from the spreadsheet its office already keeps, one row per
//! building unit: 片区 (area), 组 (group), 邻 (neighbourhood), 小区 (compound, needed only where two compounds of
//! the community have a building of the same name), 楼栋 (building), 单元 (unit), 邻长姓名 and 邻长手机 (the head).
//!
//! `previewGridImport` reads the file on the server (XLSX, XLS or ODS through calamine; CSV in UTF-8 or in the
//! GB18030 that Excel in China saves), and says for every row what importing would do (create, move a unit,
//! nothing) or what is wrong with it, changing nothing. `applyGridImport` reads the same file again inside one
//! transaction and either does all of it or, if any row has an error, nothing. Matching is by name within the
//! parent (areas in the community, groups in their area, neighbourhoods in their group), so importing the same file
//! again finds everything there and changes nothing.
//!
//! A head is the user who bound that phone in the mini-program; one not registered yet is a warning (the row
//! imports without a head, appointed later from the grid page), not an error. A neighbourhood that already has
//! another head is an error: revoke first, as `appoint` says. Every creation is the same event (and so the same
//! audit entry) as its mutation makes: `UnitCreated`, `NeighbourhoodUnitsSet`, `AppointmentMade`.
use std::collections::{HashMap, HashSet};

use entity::enums::Role;
use entity::{app_user, appointment, building, compound, grid_area, grid_group, neighbourhood, neighbourhood_unit};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::{Expr, ExprTrait}};
use uuid::Uuid;

use super::audit::{Acted, Scope};
use super::events::{AppointmentChange, Change, DomainEvent};
use super::{authz, validate};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, Lang, Msg};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// The largest file read (decoded).
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// The most rows one import takes (a community has a few hundred units).
pub const MAX_ROWS: usize = 5_000;

/// What importing a row would do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "GridImportOutcome")]
pub enum Outcome {
    /// Creates something (an area, a group, a neighbourhood, the unit's place in it, a head's appointment).
    Create,
    /// Moves the unit from another neighbourhood into this one.
    Update,
    /// Everything in the row is there already.
    Unchanged,
    /// The row is wrong; the file cannot be imported until it is fixed.
    Error,
}

/// How serious a row's message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "GridImportSeverity")]
pub enum Severity {
    /// Stops the import.
    Error,
    /// Worth reading; does not stop the import.
    Warning,
}

/// One thing said about a row.
#[derive(Clone, Debug)]
pub struct Note {
    /// The column it is about (`area`, `group`, `neighbourhood`, `compound`, `building`, `unit`, `headName`,
    /// `headPhone`), if one.
    pub column: Option<&'static str>,
    /// How serious.
    pub severity: Severity,
    /// A stable code (`REQUIRED`, `UNKNOWN_BUILDING`, `UNIT_OUT_OF_RANGE`, …).
    pub code: &'static str,
    /// For people.
    pub text: Msg,
}

/// One row of the file and what importing it would do.
#[derive(Clone, Debug)]
pub struct Row {
    /// Its line in the file (1 is the header).
    pub line: u32,
    pub area: String,
    pub group: String,
    pub neighbourhood: String,
    pub compound: String,
    pub building: String,
    pub unit: Option<i32>,
    pub head_name: Option<String>,
    /// The head's phone as the preview shows it: masked but for its last four digits.
    pub head_phone: Option<String>,
    pub outcome: Outcome,
    pub notes: Vec<Note>,
}

/// The dry run's answer.
#[derive(Clone, Debug)]
pub struct Preview {
    pub rows: Vec<Row>,
}

impl Preview {
    /// Whether the file imports (no row has an error).
    pub fn valid(&self) -> bool {
        self.count(Outcome::Error) == 0
    }
    /// Rows with this outcome.
    pub fn count(&self, o: Outcome) -> usize {
        self.rows.iter().filter(|r| r.outcome == o).count()
    }
    /// Rows with at least one warning.
    pub fn warnings(&self) -> usize {
        self.rows.iter().filter(|r| r.notes.iter().any(|n| n.severity == Severity::Warning)).count()
    }
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub areas_created: usize,
    pub groups_created: usize,
    pub neighbourhoods_created: usize,
    /// Units placed in a neighbourhood (new or moved).
    pub units_assigned: usize,
    pub heads_appointed: usize,
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the file

/// The columns, each with the headers it is known by (lower-cased, spaces removed).
const COLUMNS: [(&str, &[&str]); 8] = [
    ("area", &["片区", "片", "网格片区", "area"]),
    ("group", &["组", "网格组", "group"]),
    ("neighbourhood", &["邻", "邻名称", "网格邻", "neighbourhood", "neighborhood"]),
    ("compound", &["小区", "compound"]),
    ("building", &["楼栋", "楼", "楼号", "building"]),
    ("unit", &["单元", "单元号", "unit"]),
    ("headName", &["邻长姓名", "邻长", "headname", "head"]),
    ("headPhone", &["邻长手机", "邻长电话", "手机", "电话", "手机号", "headphone", "phone"]),
];
const REQUIRED: [&str; 5] = ["area", "group", "neighbourhood", "building", "unit"];

/// The template's header row.
fn template_header(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::Zh => ["片区", "组", "邻", "小区", "楼栋", "单元", "邻长姓名", "邻长手机"],
        Lang::En => ["area", "group", "neighbourhood", "compound", "building", "unit", "headName", "headPhone"],
    }
}

const TEMPLATE_EXAMPLE: [&str; 8] = ["第一片区", "第一组", "1号楼1单元邻", "幸福家园", "1号楼", "1", "张三", "13800000000"];

/// The template as CSV (UTF-8 with a byte-order mark, so Excel opens the Chinese right).
pub fn template_csv(lang: Lang) -> String {
    format!("\u{feff}{}\n{}\n", template_header(lang).join(","), TEMPLATE_EXAMPLE.join(","))
}

/// The template as XLSX: the header row and one example row.
pub fn template_xlsx(lang: Lang) -> AppResult<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in template_header(lang).iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(anyhow::Error::from)?;
        sheet.write_string(1, c as u16, TEMPLATE_EXAMPLE[c]).map_err(anyhow::Error::from)?;
        sheet.set_column_width(c as u16, 16).map_err(anyhow::Error::from)?;
    }
    Ok(wb.save_to_buffer().map_err(anyhow::Error::from)?)
}

fn bad_file(text: Msg) -> AppError {
    AppError::bad_input("input.contentBase64", text)
}

/// The file's cells, row by row, as text.
fn read_table(file_name: &str, bytes: &[u8]) -> AppResult<Vec<Vec<String>>> {
    let ext = file_name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" => {
            let text = match std::str::from_utf8(bytes) {
                Ok(t) => t.trim_start_matches('\u{feff}').to_owned(),
                Err(_) => {
                    let (t, _, had_errors) = encoding_rs::GB18030.decode(bytes);
                    if had_errors {
                        return Err(bad_file(msg!("CSV 文件编码无法识别（应为 UTF-8 或 GBK）", "The CSV is neither UTF-8 nor GBK text")));
                    }
                    t.into_owned()
                }
            };
            let mut rows = Vec::new();
            let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            for rec in r.records() {
                let rec = rec.map_err(|_| bad_file(msg!("CSV 文件格式不正确", "The CSV file is malformed")))?;
                rows.push(rec.iter().map(|c| c.trim().to_owned()).collect());
            }
            Ok(rows)
        }
        "xlsx" | "xlsm" | "xls" | "ods" => {
            use calamine::Reader;
            let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
                .map_err(|_| bad_file(msg!("无法读取该表格文件", "The spreadsheet cannot be read")))?;
            let range = wb
                .worksheet_range_at(0)
                .ok_or_else(|| bad_file(msg!("表格中没有工作表", "The spreadsheet has no sheet")))?
                .map_err(|_| bad_file(msg!("无法读取第一个工作表", "The first sheet cannot be read")))?;
            Ok(range.rows().map(|r| r.iter().map(|c| c.to_string().trim().to_owned()).collect()).collect())
        }
        _ => Err(AppError::bad_input(
            "input.fileName",
            msg!("只支持 .xlsx、.xls、.ods 或 .csv 文件", "Only .xlsx, .xls, .ods and .csv files can be imported"),
        )),
    }
}

/// One row as read, before it is looked up.
#[derive(Clone, Debug, Default)]
struct Raw {
    line: u32,
    cells: HashMap<&'static str, String>,
}

impl Raw {
    fn get(&self, col: &str) -> String {
        self.cells.get(col).cloned().unwrap_or_default()
    }
}

fn normalise_header(h: &str) -> String {
    h.chars().filter(|c| !c.is_whitespace() && *c != '*').collect::<String>().to_lowercase()
}

/// The rows under the header (the first non-empty row); BAD_USER_INPUT when a required column is missing.
fn rows_of(table: Vec<Vec<String>>) -> AppResult<Vec<Raw>> {
    let mut it = table.into_iter().enumerate().skip_while(|(_, r)| r.iter().all(String::is_empty));
    let Some((_, header)) = it.next() else {
        return Err(bad_file(msg!("文件是空的", "The file is empty")));
    };
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = normalise_header(h);
        if let Some((name, _)) = COLUMNS.iter().find(|(_, aliases)| aliases.contains(&h.as_str())) {
            at.entry(name).or_insert(i);
        }
    }
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !at.contains_key(c)).collect();
    if !missing.is_empty() {
        let zh: Vec<&str> = missing.iter().map(|m| template_header(Lang::Zh)[COLUMNS.iter().position(|(n, _)| n == m).unwrap()]).collect();
        return Err(bad_file(Msg::new(
            format!("缺少列：{}（请下载模板对照）", zh.join("、")),
            format!("Missing columns: {} (compare with the template)", missing.join(", ")),
        )));
    }
    let mut rows = Vec::new();
    for (i, r) in it {
        if r.iter().all(String::is_empty) {
            continue;
        }
        let cells = at.iter().map(|(name, idx)| (*name, r.get(*idx).cloned().unwrap_or_default())).collect();
        rows.push(Raw { line: i as u32 + 1, cells });
        if rows.len() > MAX_ROWS {
            return Err(bad_file(msg!("一次最多导入 {} 行", "At most {} rows can be imported at once", MAX_ROWS)));
        }
    }
    if rows.is_empty() {
        return Err(bad_file(msg!("文件中只有表头，没有数据行", "The file has a header but no rows")));
    }
    Ok(rows)
}

/// A mainland mobile number from what a spreadsheet holds (`138 0000 0000`, `+86-13800000000`, `13800000000.0`).
fn phone(raw: &str) -> Option<String> {
    let raw = raw.strip_suffix(".0").unwrap_or(raw);
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = if digits.len() == 13 && digits.starts_with("86") { digits[2..].to_owned() } else { digits };
    let ok = digits.len() == 11 && digits.starts_with('1') && raw.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c));
    ok.then_some(digits)
}

/// A unit number from `1`, `1.0`, `1单元`, `01`.
fn unit_number(raw: &str) -> Option<i32> {
    let raw = raw.strip_suffix(".0").unwrap_or(raw).trim_end_matches("单元").trim();
    raw.parse::<i32>().ok()
}

fn mask(phone: &str) -> String {
    format!("{}****{}", &phone[..3], &phone[phone.len() - 4..])
}

// ---------------------------------------------------------------------------------------------------------------
// The community as it is

/// What the community's grid holds now, read once.
#[derive(Default)]
struct Existing {
    areas: HashMap<String, Uuid>,
    groups: HashMap<(Uuid, String), Uuid>,
    /// (group, name) → (neighbourhood, its compound).
    neighbourhoods: HashMap<(Uuid, String), (Uuid, Uuid)>,
    /// Compound name → id.
    compounds: HashMap<String, Uuid>,
    compound_names: HashMap<Uuid, String>,
    /// Building name → [(building, compound, unit count)].
    buildings: HashMap<String, Vec<(Uuid, Uuid, i32)>>,
    /// (building, unit) → neighbourhood.
    units: HashMap<(Uuid, i32), Uuid>,
    /// Neighbourhood → its open head.
    heads: HashMap<Uuid, Uuid>,
    /// Phone → user.
    users: HashMap<String, Uuid>,
}

async fn existing<C: ConnectionTrait>(db: &C, community: Uuid, phones: &[String]) -> AppResult<Existing> {
    let mut e = Existing::default();
    let areas = grid_area::Entity::find().filter(grid_area::Column::CommunityId.eq(community)).all(db).await?;
    let area_ids: Vec<Uuid> = areas.iter().map(|a| a.id).collect();
    e.areas = areas.into_iter().map(|a| (a.name, a.id)).collect();
    let groups = grid_group::Entity::find().filter(grid_group::Column::AreaId.is_in(area_ids)).all(db).await?;
    let group_ids: Vec<Uuid> = groups.iter().map(|g| g.id).collect();
    e.groups = groups.into_iter().map(|g| ((g.area_id, g.name), g.id)).collect();
    let ns = neighbourhood::Entity::find().filter(neighbourhood::Column::GroupId.is_in(group_ids)).all(db).await?;
    let n_ids: Vec<Uuid> = ns.iter().map(|n| n.id).collect();
    e.neighbourhoods = ns.into_iter().map(|n| ((n.group_id, n.name), (n.id, n.compound_id))).collect();
    let compounds = compound::Entity::find().filter(compound::Column::CommunityId.eq(community)).all(db).await?;
    let c_ids: Vec<Uuid> = compounds.iter().map(|c| c.id).collect();
    for c in compounds {
        e.compound_names.insert(c.id, c.name.clone());
        e.compounds.insert(c.name, c.id);
    }
    let buildings = building::Entity::find().filter(building::Column::CompoundId.is_in(c_ids)).all(db).await?;
    let b_ids: Vec<Uuid> = buildings.iter().map(|b| b.id).collect();
    for b in buildings {
        e.buildings.entry(b.name).or_default().push((b.id, b.compound_id, b.unit_count));
    }
    for u in neighbourhood_unit::Entity::find().filter(neighbourhood_unit::Column::BuildingId.is_in(b_ids)).all(db).await? {
        e.units.insert((u.building_id, u.unit), u.neighbourhood_id);
    }
    let now = chrono::Utc::now();
    let heads = appointment::Entity::find()
        .filter(appointment::Column::Role.eq(Role::NeighbourHead))
        .filter(appointment::Column::ScopeId.is_in(n_ids))
        .filter(Expr::col(appointment::Column::EndsAt).is_null().or(appointment::Column::EndsAt.gt(now)))
        .all(db)
        .await?;
    e.heads = heads.into_iter().map(|a| (a.scope_id, a.user_id)).collect();
    if !phones.is_empty() {
        let users = app_user::Entity::find().filter(app_user::Column::Phone.is_in(phones.to_vec())).all(db).await?;
        // Two accounts with one phone: the one seen last is taken (a phone is bound once in practice).
        let mut users = users;
        users.sort_by_key(|u| u.last_seen_at);
        e.users = users.into_iter().filter_map(|u| Some((u.phone?, u.id))).collect();
    }
    Ok(e)
}

// ---------------------------------------------------------------------------------------------------------------
// The plan: pure, from the rows and the community as it is

/// A unit of the grid by where it will be: existing (its id) or new (its key in the plan).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Ref {
    Have(Uuid),
    New(usize),
}

#[derive(Default)]
struct Plan {
    rows: Vec<Row>,
    new_areas: Vec<String>,
    /// (area, name)
    new_groups: Vec<(Ref, String)>,
    /// (group, name, compound)
    new_neighbourhoods: Vec<(Ref, String, Uuid)>,
    /// (neighbourhood, building, unit, moved from)
    units: Vec<(Ref, Uuid, i32, Option<Uuid>)>,
    /// (neighbourhood, user)
    heads: Vec<(Ref, Uuid)>,
}

fn note(column: Option<&'static str>, code: &'static str, text: Msg) -> Note {
    Note { column, severity: Severity::Error, code, text }
}

fn plan(raws: &[Raw], e: &Existing, importer: Uuid) -> Plan {
    let mut p = Plan::default();
    let mut areas: HashMap<String, Ref> = e.areas.iter().map(|(k, v)| (k.clone(), Ref::Have(*v))).collect();
    let mut groups: HashMap<(Ref, String), Ref> = e.groups.iter().map(|((a, n), g)| ((Ref::Have(*a), n.clone()), Ref::Have(*g))).collect();
    let mut hoods: HashMap<(Ref, String), (Ref, Uuid)> =
        e.neighbourhoods.iter().map(|((g, n), (id, c))| ((Ref::Have(*g), n.clone()), (Ref::Have(*id), *c))).collect();
    // Units placed by this file (and the line that placed each), heads named by it per neighbourhood.
    let mut placed: HashMap<(Uuid, i32), u32> = HashMap::new();
    let mut named_head: HashMap<Ref, (String, u32)> = HashMap::new();
    let mut appointed: HashSet<Ref> = HashSet::new();

    for raw in raws {
        let mut notes = Vec::new();
        let mut created = false;
        let mut moved = false;
        let (area, group, hood, comp, bld) =
            (raw.get("area"), raw.get("group"), raw.get("neighbourhood"), raw.get("compound"), raw.get("building"));
        let (unit_raw, name, phone_raw) = (raw.get("unit"), raw.get("headName"), raw.get("headPhone"));
        for (col, v) in [("area", &area), ("group", &group), ("neighbourhood", &hood), ("building", &bld), ("unit", &unit_raw)] {
            if v.is_empty() {
                notes.push(note(Some(col), "REQUIRED", msg!("此列不能为空", "This column must not be empty")));
            }
        }
        for (col, v) in [("area", &area), ("group", &group), ("neighbourhood", &hood)] {
            if !v.is_empty() && validate::name(v).is_err() {
                notes.push(note(Some(col), "NAME_TOO_LONG", msg!("名称最长 64 个字", "A name is at most 64 characters")));
            }
        }
        // The building, and so the compound.
        let mut building: Option<(Uuid, Uuid, i32)> = None;
        if !bld.is_empty() {
            let candidates: Vec<(Uuid, Uuid, i32)> = e
                .buildings
                .get(&bld)
                .or_else(|| e.buildings.get(&format!("{bld}号楼")))
                .or_else(|| e.buildings.get(&format!("{bld}栋")))
                .cloned()
                .unwrap_or_default();
            let in_compound: Vec<_> = if comp.is_empty() {
                candidates.clone()
            } else {
                match e.compounds.get(&comp) {
                    Some(c) => candidates.iter().copied().filter(|(_, bc, _)| bc == c).collect(),
                    None => {
                        notes.push(note(Some("compound"), "UNKNOWN_COMPOUND", msg!("本社区没有小区“{}”", "This community has no compound \"{}\"", comp)));
                        Vec::new()
                    }
                }
            };
            match in_compound.len() {
                1 => building = Some(in_compound[0]),
                0 if comp.is_empty() || e.compounds.contains_key(&comp) => notes.push(note(
                    Some("building"),
                    "UNKNOWN_BUILDING",
                    msg!("本社区没有楼栋“{}”", "This community has no building \"{}\"", bld),
                )),
                0 => {}
                _ => notes.push(note(
                    Some("compound"),
                    "AMBIGUOUS_BUILDING",
                    msg!("多个小区都有“{}”，请填写小区", "Several compounds have a \"{}\": fill in the compound", bld),
                )),
            }
        }
        let unit = unit_number(&unit_raw);
        if !unit_raw.is_empty() && unit.is_none() {
            notes.push(note(Some("unit"), "NOT_A_NUMBER", msg!("单元应为数字，如 1", "The unit must be a number such as 1")));
        }
        if let (Some((_, _, count)), Some(u)) = (building, unit) {
            if !(1..=count).contains(&u) {
                notes.push(note(Some("unit"), "UNIT_OUT_OF_RANGE", msg!("该楼只有 1–{} 单元", "This building has units 1-{} only", count)));
            }
        }
        // The head.
        let phone = if phone_raw.is_empty() { None } else { phone(&phone_raw) };
        if !phone_raw.is_empty() && phone.is_none() {
            notes.push(note(Some("headPhone"), "BAD_PHONE", msg!("手机号应为 11 位数字", "A mobile number has 11 digits")));
        }
        if phone.is_some() && name.is_empty() {
            notes.push(note(Some("headName"), "REQUIRED", msg!("填写了手机号时，姓名不能为空", "A head with a phone needs a name")));
        }
        if name.chars().count() > 32 {
            notes.push(note(Some("headName"), "NAME_TOO_LONG", msg!("姓名最长 32 个字", "A name is at most 32 characters")));
        }

        let row_ok = notes.is_empty();
        let mut row = Row {
            line: raw.line,
            area: area.clone(),
            group: group.clone(),
            neighbourhood: hood.clone(),
            compound: building.map(|(_, c, _)| e.compound_names.get(&c).cloned().unwrap_or_default()).unwrap_or(comp.clone()),
            building: bld.clone(),
            unit,
            head_name: (!name.is_empty()).then(|| name.clone()),
            head_phone: phone.as_deref().map(mask),
            outcome: Outcome::Unchanged,
            notes,
        };
        if !row_ok {
            row.outcome = Outcome::Error;
            p.rows.push(row);
            continue;
        }
        let (b, compound_id, _) = building.expect("checked");
        let u = unit.expect("checked");

        // Where the row's neighbourhood is: found by name under its group, else planned.
        let area_ref = areas.entry(area.clone()).or_insert_with(|| {
            p.new_areas.push(area.clone());
            created = true;
            Ref::New(p.new_areas.len() - 1)
        });
        let area_ref = area_ref.clone();
        let group_ref = groups.entry((area_ref.clone(), group.clone())).or_insert_with(|| {
            p.new_groups.push((area_ref.clone(), group.clone()));
            created = true;
            Ref::New(p.new_groups.len() - 1)
        });
        let group_ref = group_ref.clone();
        let (hood_ref, hood_compound) = hoods
            .entry((group_ref.clone(), hood.clone()))
            .or_insert_with(|| {
                p.new_neighbourhoods.push((group_ref.clone(), hood.clone(), compound_id));
                created = true;
                (Ref::New(p.new_neighbourhoods.len() - 1), compound_id)
            })
            .clone();
        let mut errors = Vec::new();
        if hood_compound != compound_id {
            let other = e.compound_names.get(&hood_compound).cloned().unwrap_or_default();
            errors.push(note(
                Some("building"),
                "OTHER_COMPOUND",
                msg!("邻“{}”在{}，不能包含其他小区的楼栋", "Neighbourhood \"{}\" is in {}: it cannot cover a building of another compound", hood, other),
            ));
        }
        if let Some(first) = placed.get(&(b, u)) {
            errors.push(note(Some("unit"), "DUPLICATE_UNIT", msg!("该单元已在第 {} 行出现", "This unit is already on line {}", first)));
        }
        // The unit's place.
        let now_in = e.units.get(&(b, u)).copied();
        let mut unit_change = None;
        match (now_in, &hood_ref) {
            (Some(n), Ref::Have(h)) if n == *h => {}
            (from, _) => {
                unit_change = Some((hood_ref.clone(), b, u, from));
                if from.is_some() {
                    moved = true;
                    row.notes.push(Note {
                        column: Some("unit"),
                        severity: Severity::Warning,
                        code: "UNIT_MOVED",
                        text: msg!("该单元将从原来的邻移到此邻", "This unit moves here from the neighbourhood that covers it now"),
                    });
                } else {
                    created = true;
                }
            }
        }
        // The head.
        let mut head = None;
        if let Some(ph) = &phone {
            match named_head.get(&hood_ref) {
                Some((other, line)) if other != ph => errors.push(note(
                    Some("headPhone"),
                    "CONFLICTING_HEAD",
                    msg!("第 {} 行为此邻填写了另一位邻长", "Line {} names another head for this neighbourhood", line),
                )),
                Some(_) => {}
                None => {
                    named_head.insert(hood_ref.clone(), (ph.clone(), raw.line));
                    match e.users.get(ph) {
                        None => row.notes.push(Note {
                            column: Some("headPhone"),
                            severity: Severity::Warning,
                            code: "HEAD_NOT_REGISTERED",
                            text: msg!(
                                "该手机号尚未在小程序中绑定：此邻先不设邻长，待其登录绑定后在网格页任命",
                                "Nobody has bound this phone in the mini-program yet: the neighbourhood imports without a head; appoint them from the grid page once they have"
                            ),
                        }),
                        Some(user) if *user == importer => errors.push(note(
                            Some("headPhone"),
                            "SELF_APPOINTMENT",
                            msg!("不能任命自己", "Nobody appoints themself"),
                        )),
                        Some(user) => {
                            let current = match &hood_ref {
                                Ref::Have(h) => e.heads.get(h).copied(),
                                Ref::New(_) => None,
                            };
                            match current {
                                Some(c) if c == *user => {}
                                Some(_) => errors.push(note(
                                    Some("headPhone"),
                                    "HEAD_TAKEN",
                                    msg!("此邻已有另一位邻长，请先在网格页撤销", "This neighbourhood has another head; revoke them on the grid page first"),
                                )),
                                None => {
                                    if appointed.insert(hood_ref.clone()) {
                                        head = Some((hood_ref.clone(), *user));
                                        created = true;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if !errors.is_empty() {
            row.notes.extend(errors);
            row.outcome = Outcome::Error;
            p.rows.push(row);
            continue;
        }
        placed.insert((b, u), raw.line);
        if let Some(c) = unit_change {
            p.units.push(c);
        }
        if let Some(h) = head {
            p.heads.push(h);
        }
        row.outcome = if created {
            Outcome::Create
        } else if moved {
            Outcome::Update
        } else {
            Outcome::Unchanged
        };
        p.rows.push(row);
    }
    p
}

// ---------------------------------------------------------------------------------------------------------------
// The service functions

/// A unique index said no: another import (or an admin on the grid page) changed the same part of the grid
/// between this one's reading and its writing. Nothing of this import is written; its preview, run again, shows
/// the grid as it is now.
fn raced(e: sea_orm::DbErr) -> AppError {
    use sea_orm::SqlErr;
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(msg!(
            "网格刚被其他操作修改，未导入任何内容；请重新预览后再导入",
            "The grid was changed meanwhile (another import?); nothing was imported: preview again, then import"
        )),
        _ => e.into(),
    }
}

fn decode_file(content_base64: &str) -> AppResult<Vec<u8>> {
    use base64::Engine;
    if content_base64.len() > MAX_FILE_BYTES / 3 * 4 + 8 {
        return Err(bad_file(msg!("文件不能超过 2 MB", "The file must be at most 2 MB")));
    }
    let cleaned: String = content_base64.chars().filter(|c| !c.is_whitespace()).collect();
    let cleaned = cleaned.split_once("base64,").map(|(_, b)| b.to_owned()).unwrap_or(cleaned);
    base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .map_err(|_| bad_file(msg!("文件内容不是有效的 base64", "The file's content is not valid base64")))
}

async fn read(state: &AppState, actor: &Actor, community: Uuid, file_name: &str, content_base64: &str) -> AppResult<(authz::AdminOf, Vec<Raw>, Vec<String>)> {
    let of = authz::require_admin_of(state, actor, Kind::Community, community).await?;
    let bytes = decode_file(content_base64)?;
    let raws = rows_of(read_table(file_name, &bytes)?)?;
    let phones: Vec<String> = raws.iter().filter_map(|r| phone(&r.get("headPhone"))).collect::<HashSet<_>>().into_iter().collect();
    Ok((of, raws, phones))
}

/// `previewGridImport`: every row's outcome and errors; changes nothing. For admins over the community (others:
/// FORBIDDEN naming the rule; an unknown community NOT_FOUND).
pub async fn preview(state: &AppState, actor: &Actor, community: Uuid, file_name: &str, content_base64: &str) -> AppResult<Preview> {
    let me = actor.user_id()?;
    let (_, raws, phones) = read(state, actor, community, file_name, content_base64).await?;
    let e = existing(&state.db, community, &phones).await?;
    Ok(Preview { rows: plan(&raws, &e, me).rows })
}

/// `applyGridImport`: the preview again, in one transaction, and all of it or, if a row has an error, nothing
/// (BAD_USER_INPUT saying how many rows and the first of them).
pub async fn apply(state: &AppState, actor: &Actor, community: Uuid, file_name: &str, content_base64: &str) -> AppResult<Applied> {
    let me = actor.user_id()?;
    let (of, raws, phones) = read(state, actor, community, file_name, content_base64).await?;
    let mut change = Change::begin(state, Some(me)).await?;
    let e = existing(change.db(), community, &phones).await?;
    let p = plan(&raws, &e, me);
    let bad: Vec<&Row> = p.rows.iter().filter(|r| r.outcome == Outcome::Error).collect();
    if let Some(first) = bad.first() {
        return Err(bad_file(msg!(
            "有 {} 行存在错误（第一处在第 {} 行），未导入任何内容",
            "{} rows have errors (the first on line {}); nothing was imported",
            bad.len(),
            first.line
        )));
    }
    let role = Some(of.level.role());
    let place = of.place.clone();
    let now = change.at();
    let mut done = Applied::default();

    let mut area_ids = Vec::new();
    for name in &p.new_areas {
        let id = new_id();
        grid_area::ActiveModel { id: Set(id), created_at: Set(now), name: Set(name.clone()), community_id: Set(community) }
            .insert(change.db())
            .await
            .map_err(raced)?;
        let by = Acted::new(role, Scope::of(Kind::Community, community, &place)).after(serde_json::json!({ "name": name }));
        change.emit(DomainEvent::UnitCreated { unit: Kind::Area, id, parent: Some(community), by }).await?;
        area_ids.push(id);
        done.areas_created += 1;
    }
    let resolve = |r: &Ref, news: &[Uuid]| match r {
        Ref::Have(id) => *id,
        Ref::New(i) => news[*i],
    };
    let mut group_ids = Vec::new();
    for (area, name) in &p.new_groups {
        let id = new_id();
        let area = resolve(area, &area_ids);
        grid_group::ActiveModel { id: Set(id), created_at: Set(now), name: Set(name.clone()), area_id: Set(area) }
            .insert(change.db())
            .await
            .map_err(raced)?;
        let by = Acted::new(role, Scope::of(Kind::Area, area, &place)).after(serde_json::json!({ "name": name }));
        change.emit(DomainEvent::UnitCreated { unit: Kind::Group, id, parent: Some(area), by }).await?;
        group_ids.push(id);
        done.groups_created += 1;
    }
    let mut hood_ids = Vec::new();
    for (group, name, compound_id) in &p.new_neighbourhoods {
        let id = new_id();
        let group = resolve(group, &group_ids);
        neighbourhood::ActiveModel {
            id: Set(id),
            created_at: Set(now),
            name: Set(name.clone()),
            group_id: Set(group),
            compound_id: Set(*compound_id),
        }
        .insert(change.db())
        .await
        .map_err(raced)?;
        let by = Acted::new(role, Scope::of(Kind::Group, group, &place)).after(serde_json::json!({ "name": name, "compound": compound_id }));
        change.emit(DomainEvent::UnitCreated { unit: Kind::Neighbourhood, id, parent: Some(group), by }).await?;
        hood_ids.push(id);
        done.neighbourhoods_created += 1;
    }
    // Units: out of the neighbourhoods they leave, then into their new ones; one NeighbourhoodUnitsSet per
    // neighbourhood whose units changed.
    let mut touched: Vec<Uuid> = Vec::new();
    for (hood, b, u, from) in &p.units {
        if let Some(from) = from {
            neighbourhood_unit::Entity::delete_many()
                .filter(neighbourhood_unit::Column::BuildingId.eq(*b))
                .filter(neighbourhood_unit::Column::Unit.eq(*u))
                .exec(change.db())
                .await?;
            if !touched.contains(from) {
                touched.push(*from);
            }
        }
        let hood = resolve(hood, &hood_ids);
        neighbourhood_unit::ActiveModel { id: Set(new_id()), created_at: Set(now), unit: Set(*u), neighbourhood_id: Set(hood), building_id: Set(*b) }
            .insert(change.db())
            .await
            .map_err(raced)?;
        if !touched.contains(&hood) {
            touched.push(hood);
        }
        done.units_assigned += 1;
    }
    for hood in touched {
        let units: Vec<super::grid::UnitRef> = neighbourhood_unit::Entity::find()
            .filter(neighbourhood_unit::Column::NeighbourhoodId.eq(hood))
            .all(change.db())
            .await?
            .into_iter()
            .map(|r| super::grid::UnitRef { building: r.building_id, unit: r.unit })
            .collect();
        let by = Acted::new(role, Scope::of(Kind::Neighbourhood, hood, &place))
            .after(serde_json::json!({ "units": super::grid::units_json(&units) }));
        change.emit(DomainEvent::NeighbourhoodUnitsSet { neighbourhood: hood, by }).await?;
    }
    for (hood, user) in &p.heads {
        let hood = resolve(hood, &hood_ids);
        let row = appointment::ActiveModel {
            id: Set(new_id()),
            created_at: Set(now),
            role: Set(Role::NeighbourHead),
            scope_id: Set(hood),
            starts_at: Set(now),
            ends_at: Set(None),
            user_id: Set(*user),
            appointed_by: Set(Some(me)),
            revoked_by: Set(None),
        }
        .insert(change.db())
        .await
        .map_err(raced)?;
        let by = Acted::new(role, Scope::of(Kind::Neighbourhood, hood, &place)).after(super::people::appointment_json(&row));
        change
            .emit(DomainEvent::AppointmentMade(AppointmentChange { appointment: row.id, user: *user, role: Role::NeighbourHead, scope: hood, by }))
            .await?;
        done.heads_appointed += 1;
    }
    change.commit().await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_as_spreadsheets_hold_them() {
        assert_eq!(phone("13800000000").as_deref(), Some("13800000000"));
        assert_eq!(phone("138 0000 0000").as_deref(), Some("13800000000"));
        assert_eq!(phone("+86-13800000000").as_deref(), Some("13800000000"));
        assert_eq!(phone("13800000000.0").as_deref(), Some("13800000000"));
        assert_eq!(phone("1380000000"), None);
        assert_eq!(phone("23800000000"), None);
        assert_eq!(phone("138O0000000"), None);
        assert_eq!(mask("13812345678"), "138****5678");
    }

    #[test]
    fn unit_numbers_as_spreadsheets_hold_them() {
        assert_eq!(unit_number("1"), Some(1));
        assert_eq!(unit_number("2.0"), Some(2));
        assert_eq!(unit_number("3单元"), Some(3));
        assert_eq!(unit_number("一"), None);
    }

    #[test]
    fn headers_are_found_by_any_of_their_names_and_missing_ones_are_named() {
        let t = vec![vec!["".into()], vec!["片区".into(), "组".into(), "邻".into(), "楼栋 ".into(), "单元*".into()], vec!["a".into(), "g".into(), "n".into(), "1号楼".into(), "1".into()]];
        let rows = rows_of(t).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 3);
        assert_eq!(rows[0].get("building"), "1号楼");
        let e = rows_of(vec![vec!["area".into(), "group".into()], vec!["a".into(), "g".into()]]).unwrap_err();
        assert_eq!(e.code(), "BAD_USER_INPUT");
        assert!(e.message().en.contains("neighbourhood, building, unit"), "{:?}", e.message().en);
    }

    fn existing_one() -> (Existing, Uuid, Uuid) {
        let mut e = Existing::default();
        let c = Uuid::now_v7();
        let b = Uuid::now_v7();
        e.compounds.insert("幸福家园".into(), c);
        e.compound_names.insert(c, "幸福家园".into());
        e.buildings.insert("1号楼".into(), vec![(b, c, 2)]);
        (e, c, b)
    }

    fn raw(line: u32, cells: &[(&'static str, &str)]) -> Raw {
        Raw { line, cells: cells.iter().map(|(k, v)| (*k, v.to_string())).collect() }
    }

    #[test]
    fn a_new_grid_is_planned_once_per_name_and_bad_rows_say_why() {
        let (e, _, _) = existing_one();
        let me = Uuid::now_v7();
        let base = [("area", "一片"), ("group", "一组"), ("neighbourhood", "一邻"), ("building", "1号楼")];
        let rows = vec![
            raw(2, &[base[0], base[1], base[2], base[3], ("unit", "1")]),
            raw(3, &[base[0], base[1], base[2], base[3], ("unit", "2")]),
            raw(4, &[base[0], base[1], base[2], base[3], ("unit", "3")]),
            raw(5, &[base[0], base[1], base[2], ("building", "9号楼"), ("unit", "1")]),
            raw(6, &[base[0], base[1], base[2], base[3], ("unit", "1")]),
        ];
        let p = plan(&rows, &e, me);
        assert_eq!((p.new_areas.len(), p.new_groups.len(), p.new_neighbourhoods.len(), p.units.len()), (1, 1, 1, 2));
        let codes: Vec<Vec<&str>> = p.rows.iter().map(|r| r.notes.iter().map(|n| n.code).collect()).collect();
        assert_eq!(codes, vec![vec![], vec![], vec!["UNIT_OUT_OF_RANGE"], vec!["UNKNOWN_BUILDING"], vec!["DUPLICATE_UNIT"]]);
        assert_eq!(p.rows.iter().map(|r| r.outcome).collect::<Vec<_>>(), vec![Outcome::Create, Outcome::Create, Outcome::Error, Outcome::Error, Outcome::Error]);
    }
}
