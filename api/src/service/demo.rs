//! The demo district loaded by `serve --demo` into an empty database: the shape of `shared/DOMAIN.md` at small
//! scale, with the dev users the docs and clients rely on.
use chrono::Utc;
use entity::*;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set};
use uuid::Uuid;

use crate::auth::Role;
use crate::ids::new_id;

/// The dev logins the demo creates, with what each is.
pub const DEV_USERS: [(&str, &str); 8] = [
    ("admin", "district admin of 示范区"),
    ("community-admin", "community admin of 幸福社区"),
    ("area-head", "area head (片长) of 幸福社区第一片"),
    ("group-head", "group head (组长) of 第一组"),
    ("head", "neighbour head (邻长) of 幸福家园1号楼1单元邻"),
    ("resident", "verified resident in dev:head's neighbourhood"),
    ("neighbour", "another verified resident there"),
    ("staff", "staff of 幸福物业, which manages 幸福家园"),
];

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
            role: Set(role.as_str().into()),
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
            status: Set("VERIFIED".into()),
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

/// Loads the demo district if the database has no district yet. Returns whether it loaded anything.
pub async fn load_if_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    if district::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let txn = crate::db::begin_write(db).await?;
    let s = Seed { db: &txn, now: Utc::now() };
    let now = s.now;
    macro_rules! row {
        ($m:ident { $($f:ident: $v:expr),* $(,)? }) => {{
            let id = new_id();
            $m::ActiveModel { id: Set(id), created_at: Set(now), $($f: Set($v)),* }.insert(&txn).await?;
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
