//! `linli seed-scale`: fills a database with a district of the real shape (see `shared/DOMAIN.md`), deterministic
//! from a seed, for benchmarks. Scale 1 is one district: 8 streets, 80 communities, 400 compounds, 689 areas,
//! 2,753 groups, 13,752 neighbourhoods (17,194 heads), 137,000 households, 200,000 residents and 1,000,000 reports
//! over three years with their timelines. Scale 100 is a province; scale 0.01 a sliver for CI.
//!
//! Rows go in with `COPY … FROM STDIN` on PostgreSQL and multi-row INSERTs in one transaction on SQLite: never one
//! ORM insert per row.
use std::collections::HashMap;
use std::io::Write;

use api::auth::Role;
use api::service::report::Urgency;
use api::service::report::machine::Status;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::enums::{ActorRole, EventKind, ResidenceStatus};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::{Alias, Query, Value};
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait};
use serde::Serialize;
use uuid::Uuid;

/// Full-district figures.
const STREETS: usize = 8;
const COMMUNITIES: usize = 80;
const COMPOUNDS: usize = 400;
const AREAS: usize = 689;
const GROUPS: usize = 2_753;
const NEIGHBOURHOODS: usize = 13_752;
const HOUSEHOLDS: usize = 137_000;
const RESIDENTS: usize = 200_000;
const REPORTS: usize = 1_000_000;
const COMPANIES: usize = 60;
const STAFF_PER_COMPANY: usize = 3;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SeedOptions {
    /// 1.0 = one district; 100 = a province; 0.01 = a sliver.
    pub scale: f64,
    /// RNG seed: the same seed gives the same data.
    pub seed: u64,
    /// Extra SUBMITTED reports from the last hours, for the acknowledge benchmark (per district at scale 1).
    pub fresh_reports: usize,
    /// The moment "now" of the generated history (fixed for determinism).
    pub now: DateTime<Utc>,
}

/// Users and objects the load harness picks from (written as JSON next to the results).
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct Manifest {
    /// Residents who have reports.
    pub residents: Vec<Uuid>,
    /// Neighbour heads.
    pub neighbour_heads: Vec<Uuid>,
    /// Area heads (thousands of reports below each).
    pub area_heads: Vec<Uuid>,
    /// Staff of the company with the most open tickets.
    pub busy_staff: Vec<Uuid>,
    /// Reports to read, with their reporter.
    pub reports: Vec<(Uuid, Uuid)>,
    /// Fresh SUBMITTED reports with the user id of their neighbour head, to acknowledge.
    pub to_acknowledge: Vec<(Uuid, Uuid)>,
    /// Category ids.
    pub categories: Vec<Uuid>,
    /// `similarReports` probes: a resident, with the category, building, unit and description of a report of
    /// theirs (the probe asks what else is like it).
    #[serde(default)]
    pub probes: Vec<(Uuid, Uuid, Uuid, i32, String)>,
    /// Row counts per table.
    pub counts: HashMap<String, usize>,
    /// The KPI scenarios' scopes: a street admin with their street, the district admin with the district, and the
    /// last day of the generated history (Beijing).
    #[serde(default)]
    pub kpi: Option<KpiScopes>,
    /// The Open311 scenario's days: windows of the first district's history that each hold a district day's
    /// requests (`OPEN311_DAY`, or all of a small seed's), as `start_date`/`end_date`.
    #[serde(default)]
    pub open311: Option<Open311Days>,
}

/// The requests of a busy district day (the Open311 benchmark reads windows of this many).
pub const OPEN311_DAY: usize = 5_000;

/// Where the Open311 scenario reads.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct Open311Days {
    /// The district (`jurisdiction_id`).
    pub district: Uuid,
    /// The requests each window holds.
    pub per_day: usize,
    /// The windows: the first and last submission of each.
    pub days: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Who asks for KPIs in the benchmark, over what.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct KpiScopes {
    /// A street admin.
    pub street_admin: Uuid,
    /// Their street.
    pub street: Uuid,
    /// The district admin.
    pub district_admin: Uuid,
    /// The district.
    pub district: Uuid,
    /// The last day of the history before the fresh reports.
    pub to: chrono::NaiveDate,
}

struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Value>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Rows { table, columns, rows: Vec::new() }
    }
}

/// Writes batches of rows: COPY on PostgreSQL, multi-row INSERT on SQLite.
struct Sink<'a> {
    db: &'a DatabaseConnection,
    counts: HashMap<String, usize>,
}

fn csv_field(v: &Value, out: &mut Vec<u8>) {
    let quoted = |s: &str, out: &mut Vec<u8>| {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    };
    match v {
        Value::Uuid(Some(u)) => {
            let _ = write!(out, "{u}");
        }
        Value::ChronoDateTimeUtc(Some(t)) => {
            let _ = write!(out, "{}", t.to_rfc3339());
        }
        Value::ChronoDate(Some(d)) => {
            let _ = write!(out, "{d}");
        }
        Value::String(Some(s)) => quoted(s, out),
        Value::Int(Some(i)) => {
            let _ = write!(out, "{i}");
        }
        Value::BigInt(Some(i)) => {
            let _ = write!(out, "{i}");
        }
        Value::Double(Some(d)) => {
            let _ = write!(out, "{d}");
        }
        Value::Bool(Some(b)) => out.push(if *b { b't' } else { b'f' }),
        _ => {} // NULL: an unquoted empty field
    }
}

impl Sink<'_> {
    async fn write(&mut self, batch: &mut Rows) -> anyhow::Result<()> {
        if batch.rows.is_empty() {
            return Ok(());
        }
        *self.counts.entry(batch.table.to_owned()).or_default() += batch.rows.len();
        match self.db.get_database_backend() {
            DbBackend::Postgres => {
                use sea_orm::sqlx::postgres::PgPoolCopyExt;
                let mut buf = Vec::with_capacity(batch.rows.len() * 256);
                for row in &batch.rows {
                    for (i, v) in row.iter().enumerate() {
                        if i > 0 {
                            buf.push(b',');
                        }
                        csv_field(v, &mut buf);
                    }
                    buf.push(b'\n');
                }
                let pool = self.db.get_postgres_connection_pool();
                let stmt = format!("COPY {} ({}) FROM STDIN WITH (FORMAT csv)", batch.table, batch.columns.join(", "));
                let mut copy = pool.copy_in_raw(&stmt).await?;
                copy.send(buf).await?;
                copy.finish().await?;
            }
            _ => {
                // SQLite allows 32,766 bound values per statement.
                let per = (30_000 / batch.columns.len()).max(1);
                for chunk in batch.rows.chunks(per) {
                    let mut q = Query::insert();
                    q.into_table(Alias::new(batch.table)).columns(batch.columns.iter().map(|c| Alias::new(*c)));
                    for row in chunk {
                        q.values_panic(row.iter().cloned().map(Into::into));
                    }
                    self.db.execute(&q).await?;
                }
            }
        }
        batch.rows.clear();
        Ok(())
    }
}

/// A UUIDv7 for a moment, with random bits from the seeded RNG: ids stay time-ordered and deterministic.
fn id_at(rng: &mut StdRng, at: DateTime<Utc>) -> Uuid {
    let bytes: [u8; 10] = rng.random();
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &bytes).into_uuid()
}

fn scaled(full: usize, f: f64) -> usize {
    ((full as f64 * f).round() as usize).max(1)
}

/// Fills `db` (migrated, with no district yet). Returns what the load harness needs.
pub async fn seed(db: &DatabaseConnection, opts: &SeedOptions) -> anyhow::Result<Manifest> {
    if entity::district::Entity::find().count(db).await? > 0 {
        anyhow::bail!("the database already has data: seed-scale needs an empty (migrated) database");
    }
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let now = opts.now;
    let districts = opts.scale.ceil().max(1.0) as usize;
    let f = opts.scale / districts as f64;
    let mut sink = Sink { db, counts: HashMap::new() };
    let mut m = Manifest::default();
    let categories: Vec<Uuid> = entity::category::Entity::find().all(db).await?.into_iter().map(|c| c.id).collect();
    m.categories = categories.clone();
    let t0 = now - Duration::days(3 * 365 + 30);

    for d in 0..districts {
        let mut out = DistrictSeed::default();
        build_district(&mut rng, &mut sink, &mut out, d, f, t0, opts, &categories).await?;
        if d == 0 {
            m.residents = out.residents_with_reports.into_iter().take(2_000).collect();
            m.neighbour_heads = out.neighbour_heads.into_iter().take(2_000).collect();
            m.area_heads = out.area_heads;
            m.busy_staff = out.busy_staff;
            m.reports = out.sample_reports;
            m.to_acknowledge = out.to_acknowledge;
            m.probes = out.probes;
            if let (Some((street_admin, street)), Some((district_admin, district))) = (out.kpi_street, out.kpi_district) {
                // The day before the fresh reports (the last six hours): the KPI scenarios read the history.
                let to = api::service::kpi::facts::beijing_date(now - Duration::hours(6)) - Duration::days(1);
                m.kpi = Some(KpiScopes { street_admin, street, district_admin, district, to });
                m.open311 = Some(Open311Days { district, per_day: out.open311_per_day, days: out.open311_days });
            }
        }
    }
    // Statistics first: the facts pass looks events up by report, and without statistics on the freshly COPY-ed
    // tables PostgreSQL planned that as a scan of every event per batch (scale 1 took 9,823 s instead of minutes).
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await?;
    }
    let started = std::time::Instant::now();
    // The KPI facts of every generated report (they went in with COPY, not through the facts subscriber).
    let facts = api::service::kpi::facts::refresh(db, api::service::kpi::facts::Which::All).await?;
    sink.counts.insert("report_fact".into(), facts);
    eprintln!("facts: {facts} in {:.1} s", started.elapsed().as_secs_f64());
    let started = std::time::Instant::now();
    let cells = api::service::kpi::cell::build_all(db).await?;
    sink.counts.insert("kpi_cell".into(), cells);
    eprintln!("cells: {cells} in {:.1} s", started.elapsed().as_secs_f64());
    m.counts = sink.counts;
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(m)
}

#[derive(Default)]
struct DistrictSeed {
    residents_with_reports: Vec<Uuid>,
    neighbour_heads: Vec<Uuid>,
    area_heads: Vec<Uuid>,
    busy_staff: Vec<Uuid>,
    sample_reports: Vec<(Uuid, Uuid)>,
    to_acknowledge: Vec<(Uuid, Uuid)>,
    probes: Vec<(Uuid, Uuid, Uuid, i32, String)>,
    kpi_street: Option<(Uuid, Uuid)>,
    kpi_district: Option<(Uuid, Uuid)>,
    open311_days: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    open311_per_day: usize,
}

/// One neighbourhood's place in the tree, for reports.
#[derive(Clone, Copy)]
struct Nbh {
    id: Uuid,
    group: Uuid,
    area: Uuid,
    community: Uuid,
    compound: Uuid,
    building: Uuid,
    unit: i32,
    head: Uuid,
}

#[allow(clippy::too_many_arguments)]
async fn build_district(
    rng: &mut StdRng,
    sink: &mut Sink<'_>,
    out: &mut DistrictSeed,
    d: usize,
    f: f64,
    t0: DateTime<Utc>,
    opts: &SeedOptions,
    categories: &[Uuid],
) -> anyhow::Result<()> {
    let now = opts.now;
    let ts = |v: DateTime<Utc>| Value::ChronoDateTimeUtc(Some(v));
    let u = |v: Uuid| Value::Uuid(Some(v));
    let s = |v: String| Value::String(Some(v));
    let created = t0;

    let mut users = Rows::new("app_user", &["id", "created_at", "openid", "unionid", "nickname", "phone", "last_seen_at"]);
    let mut appts = Rows::new(
        "appointment",
        &["id", "created_at", "role", "scope_id", "starts_at", "ends_at", "user_id", "appointed_by", "revoked_by"],
    );
    let mut user_n = 0usize;
    let mut new_user = |rng: &mut StdRng, users: &mut Rows, nickname: String| {
        let id = id_at(rng, created);
        user_n += 1;
        users.rows.push(vec![
            u(id),
            ts(created),
            s(format!("seed:{d}:{user_n}")),
            Value::String(None),
            s(nickname),
            s(format!("13{:09}", rng.random_range(0..1_000_000_000u64))),
            ts(now),
        ]);
        id
    };
    let appoint = |rng: &mut StdRng, appts: &mut Rows, user: Uuid, role: Role, scope: Uuid| {
        appts.rows.push(vec![
            u(id_at(rng, created)),
            ts(created),
            s(role.to_value()),
            u(scope),
            ts(created),
            Value::ChronoDateTimeUtc(None),
            u(user),
            Value::Uuid(None),
            Value::Uuid(None),
        ]);
    };

    // Org tree.
    let district = id_at(rng, created);
    let mut rows = Rows::new("district", &["id", "created_at", "name"]);
    rows.rows.push(vec![u(district), ts(created), s(format!("区{d}"))]);
    sink.write(&mut rows).await?;
    let admin = new_user(rng, &mut users, format!("区管理员{d}"));
    appoint(rng, &mut appts, admin, Role::DistrictAdmin, district);
    out.kpi_district = Some((admin, district));

    let n_streets = scaled(STREETS, f);
    let n_communities = scaled(COMMUNITIES, f).max(n_streets);
    let n_compounds = scaled(COMPOUNDS, f).max(n_communities);
    let n_areas = scaled(AREAS, f).max(n_communities);
    let n_groups = scaled(GROUPS, f).max(n_areas);
    let n_nbh = scaled(NEIGHBOURHOODS, f).max(n_groups);
    let n_households = scaled(HOUSEHOLDS, f).max(n_nbh);
    let n_residents = scaled(RESIDENTS, f).max(1);
    let n_reports = scaled(REPORTS, f);
    let n_companies = scaled(COMPANIES, f).min(n_compounds);

    let mut rows = Rows::new("street", &["id", "created_at", "name", "district_id"]);
    let streets: Vec<Uuid> = (0..n_streets)
        .map(|i| {
            let id = id_at(rng, created);
            rows.rows.push(vec![u(id), ts(created), s(format!("街道{i}")), u(district)]);
            id
        })
        .collect();
    sink.write(&mut rows).await?;
    for st in &streets {
        let a = new_user(rng, &mut users, "街道管理员".into());
        appoint(rng, &mut appts, a, Role::StreetAdmin, *st);
        out.kpi_street.get_or_insert((a, *st));
    }

    let mut rows = Rows::new("community", &["id", "created_at", "name", "street_id"]);
    let communities: Vec<Uuid> = (0..n_communities)
        .map(|i| {
            let id = id_at(rng, created);
            rows.rows.push(vec![u(id), ts(created), s(format!("社区{i}")), u(streets[i % n_streets])]);
            id
        })
        .collect();
    sink.write(&mut rows).await?;
    for c in &communities {
        let a = new_user(rng, &mut users, "社区管理员".into());
        appoint(rng, &mut appts, a, Role::CommunityAdmin, *c);
    }

    let mut rows = Rows::new("compound", &["id", "created_at", "name", "address", "community_id"]);
    let compounds: Vec<(Uuid, usize)> = (0..n_compounds)
        .map(|i| {
            let id = id_at(rng, created);
            let c = i % n_communities;
            rows.rows.push(vec![u(id), ts(created), s(format!("小区{i}")), s(format!("幸福路{i}号")), u(communities[c])]);
            (id, c)
        })
        .collect();
    sink.write(&mut rows).await?;

    // Property companies: compound i is managed by company i % n; three staff each.
    let mut rows = Rows::new("property_company", &["id", "created_at", "name", "district_id"]);
    let companies: Vec<Uuid> = (0..n_companies)
        .map(|i| {
            let id = id_at(rng, created);
            rows.rows.push(vec![u(id), ts(created), s(format!("物业公司{d}-{i}")), u(district)]);
            id
        })
        .collect();
    sink.write(&mut rows).await?;
    let mut rows = Rows::new("compound_management", &["id", "created_at", "starts_on", "ends_on", "company_id", "compound_id"]);
    for (i, (c, _)) in compounds.iter().enumerate() {
        rows.rows.push(vec![
            u(id_at(rng, created)),
            ts(created),
            Value::ChronoDate(Some(created.date_naive())),
            Value::ChronoDate(None),
            u(companies[i % n_companies]),
            u(*c),
        ]);
    }
    sink.write(&mut rows).await?;
    let mut staff: Vec<Vec<Uuid>> = Vec::new();
    for c in &companies {
        let mut list = Vec::new();
        for _ in 0..STAFF_PER_COMPANY {
            let st = new_user(rng, &mut users, "物业员工".into());
            appoint(rng, &mut appts, st, Role::PropertyStaff, *c);
            list.push(st);
        }
        staff.push(list);
    }

    // The grid: areas spread over communities; groups over areas; neighbourhoods over groups, each in a compound
    // of its area's community and covering one unit of a three-unit building.
    let mut rows = Rows::new("grid_area", &["id", "created_at", "name", "community_id"]);
    let areas: Vec<(Uuid, usize)> = (0..n_areas)
        .map(|i| {
            let id = id_at(rng, created);
            let c = i % n_communities;
            rows.rows.push(vec![u(id), ts(created), s(format!("片{i}")), u(communities[c])]);
            (id, c)
        })
        .collect();
    sink.write(&mut rows).await?;
    let mut rows = Rows::new("grid_group", &["id", "created_at", "name", "area_id"]);
    let groups: Vec<(Uuid, usize)> = (0..n_groups)
        .map(|i| {
            let id = id_at(rng, created);
            let a = i % n_areas;
            rows.rows.push(vec![u(id), ts(created), s(format!("组{i}")), u(areas[a].0)]);
            (id, a)
        })
        .collect();
    sink.write(&mut rows).await?;
    for (a, _) in &areas {
        let h = new_user(rng, &mut users, "片长".into());
        appoint(rng, &mut appts, h, Role::AreaHead, *a);
        out.area_heads.push(h);
    }
    for (g, _) in &groups {
        let h = new_user(rng, &mut users, "组长".into());
        appoint(rng, &mut appts, h, Role::GroupHead, *g);
    }
    // Compounds of each community, to place neighbourhoods.
    let mut compounds_of: Vec<Vec<usize>> = vec![Vec::new(); n_communities];
    for (i, (_, c)) in compounds.iter().enumerate() {
        compounds_of[*c].push(i);
    }
    let mut nbh_rows = Rows::new("neighbourhood", &["id", "created_at", "name", "group_id", "compound_id"]);
    let mut unit_rows = Rows::new("neighbourhood_unit", &["id", "created_at", "unit", "neighbourhood_id", "building_id"]);
    let mut building_rows = Rows::new("building", &["id", "created_at", "name", "unit_count", "compound_id"]);
    // The building currently being filled per compound: (id, units used).
    let mut open_building: HashMap<usize, (Uuid, i32, usize)> = HashMap::new();
    let mut nbhs: Vec<Nbh> = Vec::with_capacity(n_nbh);
    for i in 0..n_nbh {
        let (group, a) = groups[i % n_groups];
        let (area, community) = areas[a];
        let list = &compounds_of[community];
        let ci = list[(i / n_groups) % list.len()];
        let compound = compounds[ci].0;
        let entry = open_building.entry(ci).or_insert((Uuid::nil(), 3, 0));
        if entry.1 == 3 {
            let b = id_at(rng, created);
            entry.2 += 1;
            building_rows.rows.push(vec![u(b), ts(created), s(format!("{}号楼", entry.2)), Value::Int(Some(3)), u(compound)]);
            *entry = (b, 0, entry.2);
        }
        entry.1 += 1;
        let (building, unit) = (entry.0, entry.1);
        let id = id_at(rng, created);
        nbh_rows.rows.push(vec![u(id), ts(created), s(format!("邻{i}")), u(group), u(compound)]);
        unit_rows.rows.push(vec![u(id_at(rng, created)), ts(created), Value::Int(Some(unit)), u(id), u(building)]);
        let head = new_user(rng, &mut users, "邻长".into());
        appoint(rng, &mut appts, head, Role::NeighbourHead, id);
        out.neighbour_heads.push(head);
        nbhs.push(Nbh { id, group, area, community: communities[community], compound, building, unit, head });
    }
    sink.write(&mut building_rows).await?;
    sink.write(&mut nbh_rows).await?;
    sink.write(&mut unit_rows).await?;

    // Residents: each verified in a household of some neighbourhood.
    let mut res_rows = Rows::new(
        "residence",
        &[
            "id", "created_at", "unit", "room", "status", "reviewed_at", "reject_reason", "user_id", "building_id",
            "neighbourhood_id", "community_id", "reviewed_by",
        ],
    );
    let mut residents: Vec<(Uuid, usize, String, String)> = Vec::with_capacity(n_residents);
    for i in 0..n_residents {
        let household = i % n_households;
        let n = household % n_nbh;
        let nb = nbhs[n];
        let room = format!("{}{:02}", 1 + (household / n_nbh) % 18, 1 + household % 4);
        let name = format!("居民{i}");
        let user = new_user(rng, &mut users, name.clone());
        res_rows.rows.push(vec![
            u(id_at(rng, created)),
            ts(created),
            Value::Int(Some(nb.unit)),
            s(room.clone()),
            s(ResidenceStatus::Verified.to_value()),
            ts(created),
            Value::String(None),
            u(user),
            u(nb.building),
            u(nb.id),
            u(nb.community),
            u(nb.head),
        ]);
        residents.push((user, n, room, name));
        if res_rows.rows.len() >= 20_000 {
            // Users first: residences reference them.
            sink.write(&mut users).await?;
            sink.write(&mut res_rows).await?;
        }
    }
    sink.write(&mut users).await?;
    sink.write(&mut appts).await?;
    sink.write(&mut res_rows).await?;

    // Reports over three years, each with the timeline its status implies.
    let company_of = |compound: Uuid| -> usize { compounds.iter().position(|(c, _)| *c == compound).unwrap_or(0) % n_companies };
    let compound_company: HashMap<Uuid, usize> = compounds.iter().map(|(c, _)| (*c, company_of(*c))).collect();
    let mut open_per_company = vec![0usize; n_companies];
    let mut reports = Rows::new("report", REPORT_COLUMNS);
    let mut events = Rows::new(
        "report_event",
        &["id", "created_at", "kind", "actor_role", "from_status", "to_status", "note", "report_id", "actor_id"],
    );
    let span = (now - t0 - Duration::days(30)).num_seconds();
    let total = n_reports + scaled(opts.fresh_reports, f);
    let mut submitted: Vec<DateTime<Utc>> = (0..total)
        .map(|i| {
            if i < n_reports {
                t0 + Duration::seconds(rng.random_range(0..span + 30 * 86_400))
            } else {
                now - Duration::seconds(rng.random_range(60..6 * 3600))
            }
        })
        .collect();
    // In time order, so ids (UUIDv7) grow with submission like in production.
    let fresh_from = n_reports;
    submitted[..fresh_from].sort();
    // Windows of a district day's requests at random places in the history (an RNG of their own, so the rest of
    // the data is what it was before they were drawn).
    {
        let per = OPEN311_DAY.min(fresh_from);
        let mut wrng = StdRng::seed_from_u64(opts.seed ^ 0x0311);
        if per > 0 {
            out.open311_per_day = per;
            out.open311_days = (0..32)
                .map(|_| {
                    let i = wrng.random_range(0..=fresh_from - per);
                    // A small seed's day spans its whole history: cut it to the 90 days Open311 allows.
                    (submitted[i], submitted[i + per - 1].min(submitted[i] + Duration::days(89)))
                })
                .collect();
        }
    }
    let mut with_reports = std::collections::HashSet::new();
    for (i, at) in submitted.into_iter().enumerate() {
        let fresh = i >= fresh_from;
        let (reporter, n, room, reporter_name) = residents[rng.random_range(0..residents.len())].clone();
        let nb = nbhs[n];
        let company = companies[compound_company[&nb.compound]];
        let company_idx = compound_company[&nb.compound];
        let staff_user = staff[company_idx][rng.random_range(0..STAFF_PER_COMPANY)];
        let story = if fresh { Story::Submitted } else { Story::pick(rng, now - at) };
        let r = story.write(
            rng,
            &mut events,
            StoryCtx { at, now, reporter, head: nb.head, staff: staff_user },
        );
        if matches!(r.status, Status::Dispatched | Status::InProgress | Status::Resolved | Status::Reopened) {
            open_per_company[company_idx] += 1;
        }
        let id = r.id;
        reports.rows.push(vec![
            u(id),
            ts(at),
            s(DESCRIPTIONS[i % DESCRIPTIONS.len()].into()),
            s(if i % 9 == 0 { Urgency::Urgent } else { Urgency::Normal }.to_value()),
            Value::Int(Some(nb.unit)),
            s(room),
            Value::String(None),
            Value::Double(None),
            Value::Double(None),
            Value::Bool(Some(i % 13 == 0)),
            s(r.status.to_value()),
            Value::Int(Some(r.version)),
            ts(r.waiting_since),
            ts(at),
            Value::ChronoDateTimeUtc(r.acknowledged),
            Value::ChronoDateTimeUtc(r.dispatched),
            Value::ChronoDateTimeUtc(r.started),
            Value::ChronoDateTimeUtc(r.resolved),
            Value::ChronoDateTimeUtc(r.closed),
            Value::ChronoDateTimeUtc(r.reopened),
            Value::ChronoDateTimeUtc(r.ended),
            Value::ChronoDateTimeUtc(r.confirmed),
            Value::Int(r.rating),
            Value::String(None),
            Value::Bool(Some(r.auto_closed)),
            Value::Int(Some(r.reopened.is_some() as i32)),
            Value::ChronoDateTimeUtc(None),
            Value::String(None),
            u(categories[i % categories.len()]),
            u(reporter),
            u(nb.compound),
            u(nb.building),
            u(nb.id),
            u(nb.group),
            u(nb.area),
            u(nb.community),
            Value::Uuid(r.dispatched.map(|_| company)),
            Value::Uuid(None),
            Value::Uuid(Some(r.last_event)),
            s(r.last_kind.to_value()),
            ts(r.last_at),
            s(reporter_name),
            ts(r.waiting_since),
        ]);
        if fresh {
            out.to_acknowledge.push((id, nb.head));
        } else if out.sample_reports.len() < 5_000 && rng.random_range(0..100) == 0 {
            out.sample_reports.push((id, reporter));
            let text = DESCRIPTIONS[i % DESCRIPTIONS.len()].to_owned();
            out.probes.push((reporter, categories[i % categories.len()], nb.building, nb.unit, text));
        }
        if with_reports.len() < 5_000 {
            with_reports.insert(reporter);
        }
        if reports.rows.len() >= 10_000 {
            sink.write(&mut reports).await?;
            sink.write(&mut events).await?;
        }
    }
    sink.write(&mut reports).await?;
    sink.write(&mut events).await?;
    out.residents_with_reports = with_reports.into_iter().collect();
    out.residents_with_reports.sort();
    let busiest = (0..n_companies).max_by_key(|c| open_per_company[*c]).unwrap_or(0);
    out.busy_staff = staff[busiest].clone();
    Ok(())
}

const REPORT_COLUMNS: &[&str] = &[
    "id", "created_at", "description", "urgency", "unit", "room", "public_area", "latitude", "longitude", "anonymous",
    "status", "version", "waiting_since", "submitted_at", "acknowledged_at", "dispatched_at", "started_at",
    "resolved_at", "closed_at", "first_reopened_at", "ended_at", "confirmed_at", "rating", "rating_comment",
    "auto_closed", "reopen_count", "last_urged_at", "idempotency_key", "category_id", "reporter_id", "compound_id",
    "building_id", "neighbourhood_id", "group_id", "area_id", "community_id", "company_id", "duplicate_of",
    "last_event_id",
    "last_event_kind",
    "last_event_at",
    "reporter_name",
    "queue_at",
];

const DESCRIPTIONS: [&str; 6] = [
    "厨房下水道堵了，水排不下去",
    "卫生间天花板漏水，楼上水管可能破裂",
    "消防通道被私家车占用",
    "电梯按钮失灵，到不了高层",
    "单元门口路灯坏了，晚上很黑",
    "垃圾桶满了没人清运，气味很大",
];

/// How a generated report's life went.
#[derive(Clone, Copy, Debug)]
enum Story {
    Submitted,
    Acknowledged,
    Dispatched,
    InProgress,
    Resolved,
    Reopened,
    ClosedByCompany,
    AutoClosed,
    FixedByHead,
    Rejected,
    Cancelled,
    Duplicate,
}

struct StoryCtx {
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    reporter: Uuid,
    head: Uuid,
    staff: Uuid,
}

struct Generated {
    id: Uuid,
    status: Status,
    version: i32,
    waiting_since: DateTime<Utc>,
    acknowledged: Option<DateTime<Utc>>,
    dispatched: Option<DateTime<Utc>>,
    started: Option<DateTime<Utc>>,
    resolved: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    reopened: Option<DateTime<Utc>>,
    ended: Option<DateTime<Utc>>,
    confirmed: Option<DateTime<Utc>>,
    rating: Option<i32>,
    auto_closed: bool,
    last_event: Uuid,
    last_kind: EventKind,
    last_at: DateTime<Utc>,
}

impl Story {
    /// Old reports are finished; the last month holds every open status.
    fn pick(rng: &mut StdRng, age: Duration) -> Story {
        let x = rng.random_range(0..100);
        if age > Duration::days(30) {
            match x {
                0..=59 => Story::ClosedByCompany,
                60..=69 => Story::AutoClosed,
                70..=85 => Story::FixedByHead,
                86..=90 => Story::Rejected,
                91..=95 => Story::Cancelled,
                _ => Story::Duplicate,
            }
        } else {
            match x {
                0..=9 => Story::Submitted,
                10..=19 => Story::Acknowledged,
                20..=29 => Story::Dispatched,
                30..=39 => Story::InProgress,
                40..=49 => Story::Resolved,
                50..=54 => Story::Reopened,
                55..=79 => Story::ClosedByCompany,
                80..=89 => Story::FixedByHead,
                90..=94 => Story::Rejected,
                _ => Story::Cancelled,
            }
        }
    }

    fn write(self, rng: &mut StdRng, events: &mut Rows, c: StoryCtx) -> Generated {
        use Story as S;
        let steps: &[Step] = match self {
            S::Submitted => &[],
            S::Acknowledged => &[ACK],
            S::Dispatched => &[ACK, DISPATCH],
            S::InProgress => &[ACK, DISPATCH, START],
            S::Resolved => &[ACK, DISPATCH, START, RESOLVE],
            S::Reopened => &[ACK, DISPATCH, START, RESOLVE, REOPEN],
            S::ClosedByCompany => &[ACK, DISPATCH, START, RESOLVE, CONFIRM, CLOSE],
            S::AutoClosed => &[ACK, DISPATCH, START, RESOLVE, AUTO_CLOSE],
            S::FixedByHead => &[ACK, HEAD_RESOLVE, CONFIRM_CLOSE],
            S::Rejected => &[REJECT],
            S::Cancelled => &[CANCEL],
            S::Duplicate => &[DUPLICATE],
        };
        let id = id_at(rng, c.at);
        let mut g = Generated {
            id,
            status: Status::Submitted,
            version: 1,
            waiting_since: c.at,
            acknowledged: None,
            dispatched: None,
            started: None,
            resolved: None,
            closed: None,
            reopened: None,
            ended: None,
            confirmed: None,
            rating: None,
            auto_closed: false,
            last_event: Uuid::nil(),
            last_kind: EventKind::Submitted,
            last_at: c.at,
        };
        let ts = |v: DateTime<Utc>| Value::ChronoDateTimeUtc(Some(v));
        let mut push = |rng: &mut StdRng, at: DateTime<Utc>, kind: EventKind, role: ActorRole, from: Option<Status>, to: Option<Status>, actor: Option<Uuid>| {
            let eid = id_at(rng, at);
            events.rows.push(vec![
                Value::Uuid(Some(eid)),
                ts(at),
                Value::String(Some(kind.to_value())),
                Value::String(Some(role.to_value())),
                Value::String(from.map(|v| v.to_value())),
                Value::String(to.map(|v| v.to_value())),
                Value::String(None),
                Value::Uuid(Some(id)),
                Value::Uuid(actor),
            ]);
            eid
        };
        g.last_event = push(rng, c.at, EventKind::Submitted, ActorRole::Reporter, None, Some(Status::Submitted), Some(c.reporter));
        let mut t = c.at;
        for &(kind, role, to) in steps {
            use EventKind as K;
            let gap = match kind {
                K::Acknowledged | K::Rejected | K::Duplicate | K::Cancelled => rng.random_range(600..30 * 3600),
                K::Dispatched => rng.random_range(60..10 * 3600),
                K::AutoClosed => 72 * 3600,
                K::Submitted
                | K::Started
                | K::Resolved
                | K::Confirmed
                | K::Closed
                | K::Reopened
                | K::Urged
                | K::Escalated
                | K::Merged => rng.random_range(3600..48 * 3600),
            };
            t += Duration::seconds(gap);
            if t > c.now {
                t = c.now - Duration::seconds(1);
            }
            let actor = match role {
                ActorRole::Reporter => Some(c.reporter),
                ActorRole::PropertyStaff => Some(c.staff),
                ActorRole::System => None,
                ActorRole::NeighbourHead | ActorRole::GroupHead | ActorRole::AreaHead | ActorRole::CommunityAdmin => {
                    Some(c.head)
                }
            };
            let from = g.status;
            let changed = to != from;
            g.last_event = push(rng, t, kind, role, changed.then_some(from), changed.then_some(to), actor);
            (g.last_kind, g.last_at) = (kind, t);
            g.version += 1;
            if changed {
                g.status = to;
                g.waiting_since = t;
            }
            match kind {
                K::Acknowledged => g.acknowledged = Some(t),
                K::Dispatched => g.dispatched = Some(t),
                K::Started => g.started = Some(t),
                K::Resolved => g.resolved = Some(t),
                K::Reopened => g.reopened = Some(t),
                K::Confirmed => {
                    g.confirmed = Some(t);
                    g.rating = Some(rng.random_range(3..=5));
                    if to == Status::Closed {
                        g.closed = Some(t);
                    }
                }
                K::Closed => g.closed = Some(t),
                K::AutoClosed => {
                    g.closed = Some(t);
                    g.auto_closed = true;
                }
                K::Rejected | K::Cancelled | K::Duplicate | K::Submitted | K::Urged => g.ended = Some(t),
                // The generator writes no escalations or merges (the SLA benchmark sets its own timers).
                K::Escalated | K::Merged => {}
            }
        }
        g
    }
}

/// One step of a generated timeline: what happened, as whom, and the status after.
type Step = (EventKind, ActorRole, Status);
const ACK: Step = (EventKind::Acknowledged, ActorRole::NeighbourHead, Status::Acknowledged);
const DISPATCH: Step = (EventKind::Dispatched, ActorRole::NeighbourHead, Status::Dispatched);
const START: Step = (EventKind::Started, ActorRole::PropertyStaff, Status::InProgress);
const RESOLVE: Step = (EventKind::Resolved, ActorRole::PropertyStaff, Status::Resolved);
const HEAD_RESOLVE: Step = (EventKind::Resolved, ActorRole::NeighbourHead, Status::Resolved);
const REOPEN: Step = (EventKind::Reopened, ActorRole::Reporter, Status::Reopened);
const CONFIRM: Step = (EventKind::Confirmed, ActorRole::Reporter, Status::Resolved);
const CONFIRM_CLOSE: Step = (EventKind::Confirmed, ActorRole::Reporter, Status::Closed);
const CLOSE: Step = (EventKind::Closed, ActorRole::PropertyStaff, Status::Closed);
const AUTO_CLOSE: Step = (EventKind::AutoClosed, ActorRole::System, Status::Closed);
const REJECT: Step = (EventKind::Rejected, ActorRole::NeighbourHead, Status::Rejected);
const CANCEL: Step = (EventKind::Cancelled, ActorRole::Reporter, Status::Cancelled);
const DUPLICATE: Step = (EventKind::Duplicate, ActorRole::NeighbourHead, Status::Duplicate);

/// The KPI scenarios' periods for data up to `to`: (the first day of the twelve whole months ending with the last
/// whole month, that month's first day, its last day).
pub fn kpi_periods(to: NaiveDate) -> (NaiveDate, NaiveDate, NaiveDate) {
    let next = to + Duration::days(1);
    let last = next.with_day(1).expect("first of month") - Duration::days(1);
    let month = last.with_day(1).expect("first of month");
    let year = (last + Duration::days(1)).checked_sub_months(chrono::Months::new(12)).expect("in range");
    (year, month, last)
}
