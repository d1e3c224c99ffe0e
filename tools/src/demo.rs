//! The demo district loaded by `serve --demo` into an empty database: the shape of `shared/DOMAIN.md` at small
//! scale, with the dev users the docs and clients rely on. The tree, the grid and the people are fixtures written
//! straight to their tables (like the scale generator's, they are not changes anyone made, so they have no domain
//! events); the reports are walked through the real service functions, so their timelines, notifications, points
//! and events are real.
use api::auth::actor::AuthState;
use api::auth::{Actor, Role};
use api::ids::new_id;
use api::service::report::{Urgency, act, machine::Action, submit};
use api::state::AppState;
use chrono::Utc;
use entity::enums::ResidenceStatus;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// The dev logins the demo creates, with what each is.
pub const DEV_USERS: [(&str, &str); 9] = [
    ("admin", "district admin of 示范区"),
    ("street", "street admin of 长安街道"),
    ("community-admin", "community admin of 幸福社区"),
    ("area-head", "area head (片长) of 幸福社区第一片"),
    ("group-head", "group head (组长) of 第一组"),
    ("head", "neighbour head (邻长) of 幸福家园1号楼1单元邻"),
    ("resident", "verified resident in dev:head's neighbourhood"),
    ("neighbour", "another verified resident there"),
    ("staff", "staff of 幸福物业, which manages 幸福家园"),
];

/// The dev logins of the demo's supporters ("supporter-1" …): residents of dev:head's neighbourhood who file no
/// reports of their own.
pub const SUPPORTER: &str = "supporter-";

struct Seed<'a, C: ConnectionTrait> {
    db: &'a C,
    now: chrono::DateTime<Utc>,
}

impl<C: ConnectionTrait> Seed<'_, C> {
    async fn user(&self, name: &str, nickname: &str) -> anyhow::Result<Uuid> {
        let id = new_id();
        app_user::ActiveModel {
            id: Set(id),
            created_at: Set(self.now),
            openid: Set(format!("dev:{name}")),
            unionid: Set(None),
            nickname: Set(nickname.into()),
            phone: Set(None),
            last_seen_at: Set(self.now),
        }
        .insert(self.db)
        .await?;
        Ok(id)
    }

    async fn appoint(&self, user: Uuid, role: Role, scope: Uuid) -> anyhow::Result<()> {
        appointment::ActiveModel {
            id: Set(new_id()),
            created_at: Set(self.now),
            role: Set(role),
            scope_id: Set(scope),
            starts_at: Set(self.now),
            ends_at: Set(None),
            user_id: Set(user),
            appointed_by: Set(None),
            revoked_by: Set(None),
        }
        .insert(self.db)
        .await?;
        Ok(())
    }

    async fn resident(&self, user: Uuid, building: Uuid, unit: i32, room: &str, n: Uuid, community: Uuid, head: Uuid) -> anyhow::Result<()> {
        residence::ActiveModel {
            id: Set(new_id()),
            created_at: Set(self.now),
            unit: Set(unit),
            room: Set(room.into()),
            status: Set(ResidenceStatus::Verified),
            reviewed_at: Set(Some(self.now)),
            reject_reason: Set(None),
            user_id: Set(user),
            building_id: Set(building),
            neighbourhood_id: Set(Some(n)),
            community_id: Set(community),
            reviewed_by: Set(Some(head)),
        }
        .insert(self.db)
        .await?;
        Ok(())
    }
}

/// Loads the demo district (and a few dozen reports in every status) if the database has no district yet.
/// Returns whether it loaded anything.
pub async fn load_if_empty(state: &AppState) -> anyhow::Result<bool> {
    if !load_district(&state.db).await? {
        return Ok(false);
    }
    load_reports(state).await?;
    // The reports were backdated after their changes: their KPI facts are computed again from the rows.
    api::service::kpi::facts::refresh(&state.db, api::service::kpi::facts::Which::All).await?;
    api::service::kpi::cell::build_all(&state.db).await?;
    Ok(true)
}

/// Loads only the demo district (org tree, grid, people), no reports: the fixture most tests start from.
pub async fn load_district_if_empty(state: &AppState) -> anyhow::Result<bool> {
    if !load_district(&state.db).await? {
        return Ok(false);
    }
    Ok(true)
}

async fn load_district(db: &DatabaseConnection) -> anyhow::Result<bool> {
    if district::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let txn = api::db::begin_write(db).await?;
    let s = Seed { db: &*txn, now: Utc::now() };
    let now = s.now;
    macro_rules! row {
        ($m:ident { $($f:ident: $v:expr),* $(,)? }) => {{
            let id = new_id();
            $m::ActiveModel { id: Set(id), created_at: Set(now), $($f: Set($v)),* }.insert(&*txn).await?;
            id
        }};
    }

    let d = row!(district { name: "示范区".into() });
    let streets = [row!(street { name: "长安街道".into(), district_id: d }), row!(street { name: "新华街道".into(), district_id: d })];
    let communities = [
        row!(community { name: "幸福社区".into(), street_id: streets[0] }),
        row!(community { name: "和谐社区".into(), street_id: streets[0] }),
        row!(community { name: "新华社区".into(), street_id: streets[1] }),
    ];
    let compounds = [
        ("幸福家园", "长安路 1 号", communities[0], "幸福物业"),
        ("阳光花园", "长安路 88 号", communities[0], "阳光物业"),
        ("和谐苑", "和平路 12 号", communities[1], "和谐物业"),
        ("新华里", "新华路 5 号", communities[2], "新华物业"),
    ];

    let admin = s.user("admin", "区管理员").await?;
    s.appoint(admin, Role::DistrictAdmin, d).await?;
    let street_admin = s.user("street", "长安街道管理员").await?;
    s.appoint(street_admin, Role::StreetAdmin, streets[0]).await?;
    // The district works to the official 2026 calendar (holidays and make-up working days of the State Council's
    // notice), 08:30–17:30.
    row!(work_calendar {
        work_start_minute: 510,
        work_end_minute: 1050,
        weekdays: "1,2,3,4,5".into(),
        warn_percent: 75,
        updated_at: now,
        district_id: d,
    });
    for (day, kind, name) in api::service::sla::calendar::official_2026() {
        let kind = match kind {
            api::service::sla::calendar::DayKind::Holiday => entity::enums::CalendarDayKind::Holiday,
            api::service::sla::calendar::DayKind::Workday => entity::enums::CalendarDayKind::Workday,
        };
        row!(calendar_day { day: day, kind: kind, name: name.into(), district_id: d });
    }
    let community_admin = s.user("community-admin", "幸福社区管理员").await?;
    s.appoint(community_admin, Role::CommunityAdmin, communities[0]).await?;
    let area_head = s.user("area-head", "王片长").await?;
    let group_head = s.user("group-head", "李组长").await?;
    let head = s.user("head", "张邻长").await?;
    let staff = s.user("staff", "幸福物业小刘").await?;
    let resident = s.user("resident", "陈阿姨").await?;
    let neighbour = s.user("neighbour", "赵先生").await?;

    let mut extra = 0;
    for (ci, (cname, addr, community_id, company)) in compounds.iter().enumerate() {
        let compound_id = row!(compound { name: (*cname).into(), address: (*addr).into(), community_id: *community_id });
        let company_id = row!(property_company { name: (*company).into(), district_id: d });
        row!(compound_management {
            starts_on: now.date_naive() - chrono::Duration::days(365),
            ends_on: None,
            company_id: company_id,
            compound_id: compound_id,
        });
        if ci == 0 {
            s.appoint(staff, Role::PropertyStaff, company_id).await?;
        } else {
            let u = s.user(&format!("staff-{}", ci + 1), &format!("{company}员工")).await?;
            s.appoint(u, Role::PropertyStaff, company_id).await?;
        }
        // One area per compound, one group per area, one neighbourhood per building unit (about ten households).
        let area = row!(grid_area { name: format!("{cname}片"), community_id: *community_id });
        let group = row!(grid_group { name: "第一组".into(), area_id: area });
        if ci == 0 {
            s.appoint(area_head, Role::AreaHead, area).await?;
            s.appoint(group_head, Role::GroupHead, group).await?;
        } else {
            let a = s.user(&format!("area-head-{}", ci + 1), &format!("{cname}片长")).await?;
            s.appoint(a, Role::AreaHead, area).await?;
            let g = s.user(&format!("group-head-{}", ci + 1), &format!("{cname}组长")).await?;
            s.appoint(g, Role::GroupHead, group).await?;
        }
        for b in 1..=2 {
            let building = row!(building { name: format!("{b}号楼"), unit_count: 2, compound_id: compound_id });
            for unit in 1..=2 {
                let n = row!(neighbourhood { name: format!("{cname}{b}号楼{unit}单元邻"), group_id: group, compound_id: compound_id });
                row!(neighbourhood_unit { unit: unit, neighbourhood_id: n, building_id: building });
                let n_head = if ci == 0 && b == 1 && unit == 1 {
                    head
                } else {
                    let h = s.user(&format!("head-{ci}-{b}-{unit}"), &format!("{cname}{b}-{unit}邻长")).await?;
                    h
                };
                s.appoint(n_head, Role::NeighbourHead, n).await?;
                if ci == 0 && b == 1 && unit == 1 {
                    s.resident(resident, building, unit, "101", n, *community_id, head).await?;
                    s.resident(neighbour, building, unit, "102", n, *community_id, head).await?;
                    // Five more households of the same stairwell, who say "me too" in the demo.
                    for k in 1..=5 {
                        let u = s.user(&format!("{SUPPORTER}{k}"), &format!("{k}0{k}室住户")).await?;
                        s.resident(u, building, unit, &format!("{k}01"), n, *community_id, head).await?;
                    }
                } else if extra < 10 {
                    extra += 1;
                    let u = s.user(&format!("resident-{}", extra + 2), &format!("居民{}", extra + 2)).await?;
                    s.resident(u, building, unit, "201", n, *community_id, n_head).await?;
                }
            }
        }
    }
    txn.commit().await?;
    Ok(true)
}

/// Rounds of reports per home (three each), 15 days apart.
const ROUNDS: usize = 6;

/// What residents of the demo report, by category code.
const PROBLEMS: [(&str, &str); 12] = [
    ("DRAIN", "厨房下水道堵了，水排不下去，楼下也反映有异味"),
    ("WATER_LEAK", "卫生间天花板漏水，怀疑是楼上水管破裂"),
    ("PARKING", "消防通道上长期停着一辆白色轿车，车牌京A·12345"),
    ("LIFT", "2号电梯按钮失灵，到不了十楼"),
    ("LIGHTING", "单元门口的路灯坏了一周，晚上很黑"),
    ("SANITATION", "垃圾分类点的厨余桶满了没人清运"),
    ("NOISE", "楼上每天晚上十一点后还在装修"),
    ("SAFETY", "楼道里堆放了电动车电池在充电，有火灾隐患"),
    ("GREENERY", "小区中心花园的树枝压到了电线"),
    ("FACILITIES", "健身器材的单杠松动了，孩子玩很危险"),
    ("DRAIN", "楼前雨水井盖被堵，下雨积水严重"),
    ("WATER_LEAK", "外墙渗水，卧室墙面发霉"),
];

/// The steps that take a report to each demo status: (who, action) with who = reporter, head or staff.
const PATHS: [&[(&str, Action)]; 13] = [
    &[],
    &[("head", Action::Acknowledge)],
    &[("head", Action::Acknowledge), ("head", Action::Dispatch)],
    &[("head", Action::Acknowledge), ("head", Action::Dispatch), ("staff", Action::StartWork)],
    &[("head", Action::Acknowledge), ("head", Action::Dispatch), ("staff", Action::StartWork), ("staff", Action::Resolve)],
    &[
        ("head", Action::Acknowledge),
        ("head", Action::Dispatch),
        ("staff", Action::StartWork),
        ("staff", Action::Resolve),
        ("reporter", Action::Confirm),
        ("staff", Action::Close),
    ],
    &[("head", Action::Acknowledge), ("head", Action::Resolve), ("reporter", Action::Confirm)],
    &[("head", Action::Reject)],
    &[("reporter", Action::Cancel)],
    &[
        ("head", Action::Acknowledge),
        ("head", Action::Dispatch),
        ("staff", Action::StartWork),
        ("staff", Action::Resolve),
        ("reporter", Action::Reopen),
    ],
    &[("reporter", Action::Urge)],
    &[("head", Action::Acknowledge), ("head", Action::Resolve)],
    &[("head", Action::MarkDuplicate)],
];

fn as_actor(user: Uuid) -> Actor {
    Actor::new(AuthState::User { id: user, sid: Uuid::nil() })
}

/// Three reports per verified demo resident, walked through the real service functions (so timelines are real),
/// then moved back in time so the district looks lived-in.
async fn load_reports(state: &AppState) -> anyhow::Result<()> {
    let db = &state.db;
    let categories = category::Entity::find().all(db).await?;
    let residents = residence::Entity::find().order_by_asc(residence::Column::Id).all(db).await?;
    let supporters: Vec<Uuid> = app_user::Entity::find()
        .filter(app_user::Column::Openid.starts_with(format!("dev:{SUPPORTER}")))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let mut n = 0usize;
    for home in &residents {
        if supporters.contains(&home.user_id) {
            continue;
        }
        let Some(nbh) = home.neighbourhood_id else { continue };
        let head = appointment::Entity::find()
            .filter(appointment::Column::ScopeId.eq(nbh))
            .filter(appointment::Column::Role.eq(Role::NeighbourHead))
            .one(db)
            .await?
            .map(|a| a.user_id);
        let building = building::Entity::find_by_id(home.building_id).one(db).await?;
        let company = match building {
            Some(b) => api::service::property::current_manager(state, b.compound_id)
                .await
                .map_err(|e| anyhow::anyhow!("demo company: {e:?}"))?,
            None => None,
        };
        let staff = match company {
            Some(c) => appointment::Entity::find()
                .filter(appointment::Column::ScopeId.eq(c.id))
                .filter(appointment::Column::Role.eq(Role::PropertyStaff))
                .one(db)
                .await?
                .map(|a| a.user_id),
            None => None,
        };
        let (Some(head), Some(staff)) = (head, staff) else { continue };
        let mut first_of_home: Option<Uuid> = None;
        // Six rounds of three reports per home, each round 15 days further back: three months of history, so that a
        // month's or a quarter's KPIs and rankings (minimum sample 20) have figures.
        for i in 0..ROUNDS * 3 {
            let round = (i / 3) as i64;
            if i % 3 == 0 {
                first_of_home = None;
            }
            let (code, text) = PROBLEMS[n % PROBLEMS.len()];
            let Some(cat) = categories.iter().find(|c| c.code == code) else { continue };
            let reporter = as_actor(home.user_id);
            let r = submit::submit(
                state,
                &reporter,
                submit::NewReport {
                    category: cat.id,
                    description: text.into(),
                    urgency: if n % 5 == 0 { Urgency::Urgent } else { Urgency::Normal },
                    location: submit::Location::default(),
                    anonymous: n % 7 == 3,
                    idempotency_key: None,
                    intake: false,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo submit: {e:?}"))?;
            let original = *first_of_home.get_or_insert(r.id);
            for (who, action) in PATHS[n % PATHS.len()] {
                if *action == Action::MarkDuplicate && original == r.id {
                    continue;
                }
                let actor = match *who {
                    "reporter" => as_actor(home.user_id),
                    "head" => as_actor(head),
                    _ => as_actor(staff),
                };
                let input = act::Input {
                    note: Some("已处理".into()),
                    reason: Some(match action {
                        Action::Reject => "属于住户家中私人维修，请联系维修师傅".into(),
                        Action::Reopen => "修完第二天又坏了".into(),
                        _ => "已自行解决".into(),
                    }),
                    rating: Some(4 + (n % 2) as i32),
                    comment: None,
                    original: Some(original),
                };
                act::act(state, &actor, r.id, *action, input).await.map_err(|e| anyhow::anyhow!("demo {action:?}: {e:?}"))?;
            }
            // Up to two weeks back; resolutions stay within the resident's 72 hours so some wait for confirmation.
            let path = n % PATHS.len();
            let hours = if path == 4 || path == 11 { (n % 40 + 1) as i64 } else { ((n * 37) % 24 * 14 + 2) as i64 };
            backdate(db, r.id, chrono::Duration::hours(hours + round * 15 * 24)).await?;
            n += 1;
        }
    }
    sla_scenes(state, &supporters).await
}

/// The demo's grid at work: in dev:head's neighbourhood, a report its head let go overdue (escalated to the group
/// head by the timer job itself), one about to be overdue (warned), one with five supporters, and a merged pair.
async fn sla_scenes(state: &AppState, supporters: &[Uuid]) -> anyhow::Result<()> {
    let db = &state.db;
    let err = |what: &'static str| move |e: api::error::AppError| anyhow::anyhow!("demo {what}: {e:?}");
    let resident = app_user::Entity::find().filter(app_user::Column::Openid.eq("dev:resident")).one(db).await?;
    let head = app_user::Entity::find().filter(app_user::Column::Openid.eq("dev:head")).one(db).await?;
    let neighbour = app_user::Entity::find().filter(app_user::Column::Openid.eq("dev:neighbour")).one(db).await?;
    let (Some(resident), Some(head), Some(neighbour)) = (resident, head, neighbour) else { return Ok(()) };
    let categories = category::Entity::find().all(db).await?;
    let cat = |code: &str| categories.iter().find(|c| c.code == code).map(|c| c.id).ok_or_else(|| anyhow::anyhow!("no {code}"));
    let file = |who: Uuid, code: &'static str, text: &'static str| {
        let cat = cat(code);
        async move {
            let new = submit::NewReport {
                category: cat?,
                description: text.into(),
                urgency: Urgency::Normal,
                location: submit::Location::default(),
                anonymous: false,
                idempotency_key: None,
                intake: false,
            };
            submit::submit(state, &as_actor(who), new).await.map_err(err("submit"))
        }
    };
    let overdue = file(resident.id, "LIGHTING", "1单元楼道灯坏了一个星期了，晚上上楼看不见").await?;
    let near = file(resident.id, "SANITATION", "楼下垃圾桶满了没人清理，味道很大").await?;
    let supported = file(resident.id, "WATER_LEAK", "1单元顶楼楼道天花板漏水，下雨就往下滴").await?;
    let first = file(resident.id, "DRAIN", "1单元下水管堵了，一楼厨房返水").await?;
    let second = file(neighbour.id, "DRAIN", "一楼厨房下水道往上冒污水，应该是主管堵了").await?;
    let past = Utc::now() - chrono::Duration::minutes(1);
    let set = |id: Uuid, warn: chrono::DateTime<Utc>, due: chrono::DateTime<Utc>| async move {
        report::Entity::update_many()
            .col_expr(report::Column::SlaWarnAt, sea_orm::sea_query::Expr::value(warn))
            .col_expr(report::Column::SlaDueAt, sea_orm::sea_query::Expr::value(due))
            .col_expr(report::Column::SlaFiresAt, sea_orm::sea_query::Expr::value(warn))
            .col_expr(report::Column::SlaWarned, sea_orm::sea_query::Expr::value(true))
            .filter(report::Column::Id.eq(id))
            .exec(db)
            .await
    };
    // The timer job fires these two as it would have: the first is past due, the second past its warning.
    set(overdue.id, past - chrono::Duration::hours(3), past).await?;
    set(near.id, past, Utc::now() + chrono::Duration::hours(2)).await?;
    report::Entity::update_many()
        .col_expr(report::Column::SlaWarned, sea_orm::sea_query::Expr::value(false))
        .filter(report::Column::Id.eq(near.id))
        .exec(db)
        .await?;
    api::service::sla::fire_due(state).await.map_err(err("timers"))?;
    for u in supporters {
        api::service::support::support(state, &as_actor(*u), supported.id).await.map_err(err("support"))?;
    }
    api::service::support::merge(state, &as_actor(head.id), first.id, &[second.id]).await.map_err(err("merge"))?;
    Ok(())
}

/// Moves a report and its timeline into the past: submitted `by` ago, and its steps (walked within milliseconds)
/// spread over the time since, the k-th of n steps at k/n of 90% of it, so that the KPIs of the demo (hours to
/// acknowledge, to resolve, …) have figures that vary from report to report.
async fn backdate(db: &DatabaseConnection, id: Uuid, by: chrono::Duration) -> anyhow::Result<()> {
    let Some(r) = report::Entity::find_by_id(id).one(db).await? else { return Ok(()) };
    let mut events = report_event::Entity::find().filter(report_event::Column::ReportId.eq(id)).all(db).await?;
    events.sort_by_key(|e| (e.created_at, e.id));
    let steps: Vec<chrono::DateTime<Utc>> = events.iter().map(|e| e.created_at).collect();
    let start = r.submitted_at - by;
    let n = steps.len().max(1) as i32;
    let submitted = r.submitted_at;
    let spread = |t: chrono::DateTime<Utc>| {
        // The last step at or before t (a milestone is written with its step, within the same millisecond).
        let k = steps.iter().rposition(|s| *s <= t + chrono::Duration::milliseconds(1)).unwrap_or(0) as i32;
        let base = steps.get(k as usize).copied().unwrap_or(submitted);
        start + by * 9 / 10 * k / n + (t - base).max(chrono::Duration::zero())
    };
    let shift = |t: Option<chrono::DateTime<Utc>>| t.map(&spread);
    let mut am: report::ActiveModel = r.clone().into();
    am.created_at = Set(r.created_at - by);
    am.submitted_at = Set(start);
    am.waiting_since = Set(spread(r.waiting_since));
    am.acknowledged_at = Set(shift(r.acknowledged_at));
    am.dispatched_at = Set(shift(r.dispatched_at));
    am.started_at = Set(shift(r.started_at));
    am.resolved_at = Set(shift(r.resolved_at));
    am.closed_at = Set(shift(r.closed_at));
    am.first_reopened_at = Set(shift(r.first_reopened_at));
    am.ended_at = Set(shift(r.ended_at));
    am.confirmed_at = Set(shift(r.confirmed_at));
    am.last_urged_at = Set(shift(r.last_urged_at));
    am.last_event_at = Set(shift(r.last_event_at));
    // The SLA clocks are left as they are: the demo's clocks start when it is loaded, so a fresh demo does not
    // escalate every backdated report at once (the demo's overdue and near-breach reports are set up on purpose).
    am.queue_at = Set(spread(r.queue_at));
    am.update(db).await?;
    for e in events {
        let at = spread(e.created_at);
        let mut am: report_event::ActiveModel = e.into();
        am.created_at = Set(at);
        am.update(db).await?;
    }
    Ok(())
}
