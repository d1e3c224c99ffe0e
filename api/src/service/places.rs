//! Where a unit sits in the organisation tree and the grid: the ancestry every permission check is made against.
use entity::{building, community, compound, grid_area, grid_group, neighbourhood, property_company, street};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::ids::Kind;

/// A unit's position: the ids of it and everything above it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// The district.
    pub district: Uuid,
    /// The street, if the unit is at or below one.
    pub street: Option<Uuid>,
    /// The community, if the unit is at or below one.
    pub community: Option<Uuid>,
    /// The compound, for compounds, buildings and neighbourhoods.
    pub compound: Option<Uuid>,
    /// The grid area, for areas, groups and neighbourhoods.
    pub area: Option<Uuid>,
    /// The grid group, for groups and neighbourhoods.
    pub group: Option<Uuid>,
    /// The neighbourhood itself.
    pub neighbourhood: Option<Uuid>,
}

fn missing(kind: Kind) -> AppError {
    match kind {
        Kind::District => AppError::not_found("区", "District"),
        Kind::Street => AppError::not_found("街道", "Street"),
        Kind::Community => AppError::not_found("社区", "Community"),
        Kind::Compound => AppError::not_found("小区", "Compound"),
        Kind::Building => AppError::not_found("楼栋", "Building"),
        Kind::Area => AppError::not_found("片区", "Area"),
        Kind::Group => AppError::not_found("组", "Group"),
        Kind::Neighbourhood => AppError::not_found("邻", "Neighbourhood"),
        Kind::PropertyCompany => AppError::not_found("物业公司", "Property company"),
        Kind::User => AppError::not_found("用户", "User"),
        Kind::Appointment => AppError::not_found("任命", "Appointment"),
        Kind::Residence => AppError::not_found("住户登记", "Residence"),
        Kind::CompoundManagement => AppError::not_found("物业管理关系", "Compound management"),
        Kind::Report => AppError::not_found("报告", "Report"),
        Kind::Category => AppError::not_found("分类", "Category"),
        Kind::Comment => AppError::not_found("评论", "Comment"),
        Kind::ReportEvent => AppError::not_found("记录", "Timeline event"),
        Kind::Photo => AppError::not_found("照片", "Photo"),
        Kind::Notification => AppError::not_found("通知", "Notification"),
        Kind::Merchant => AppError::not_found("商户", "Merchant"),
        Kind::Package => AppError::not_found("优惠包", "Incentive package"),
        Kind::Redemption => AppError::not_found("兑换记录", "Redemption"),
        Kind::PointsEntry => AppError::not_found("积分记录", "Points entry"),
        Kind::VotePeriod => AppError::not_found("评选", "Voting period"),
        Kind::Export => AppError::not_found("导出任务", "Export"),
        Kind::ConsoleSession => AppError::not_found("登录会话", "Console session"),
        Kind::ApiKey => AppError::not_found("API 密钥", "API key"),
        Kind::Webhook => AppError::not_found("Webhook", "Webhook"),
    }
}

/// NOT_FOUND for a kind of object.
pub fn not_found(kind: Kind) -> AppError {
    missing(kind)
}

/// The place of a unit of `kind` with row id `id`, or NOT_FOUND. At most five primary-key lookups.
pub async fn of<C: ConnectionTrait>(db: &C, kind: Kind, id: Uuid) -> AppResult<Place> {
    match kind {
        Kind::District => {
            entity::district::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            Ok(Place { district: id, ..Default::default() })
        }
        Kind::Street => {
            let s = street::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            Ok(Place { district: s.district_id, street: Some(id), ..Default::default() })
        }
        Kind::Community => {
            let c = community::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            let s = street::Entity::find_by_id(c.street_id).one(db).await?.ok_or_else(|| missing(Kind::Street))?;
            Ok(Place { district: s.district_id, street: Some(s.id), community: Some(id), ..Default::default() })
        }
        Kind::Compound => {
            let c = compound::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            let mut p = Box::pin(of(db, Kind::Community, c.community_id)).await?;
            p.compound = Some(id);
            Ok(p)
        }
        Kind::Building => {
            let b = building::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            Box::pin(of(db, Kind::Compound, b.compound_id)).await
        }
        Kind::Area => {
            let a = grid_area::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            let mut p = Box::pin(of(db, Kind::Community, a.community_id)).await?;
            p.area = Some(id);
            Ok(p)
        }
        Kind::Group => {
            let g = grid_group::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            let mut p = Box::pin(of(db, Kind::Area, g.area_id)).await?;
            p.group = Some(id);
            Ok(p)
        }
        Kind::Neighbourhood => {
            let n = neighbourhood::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            let mut p = Box::pin(of(db, Kind::Group, n.group_id)).await?;
            p.neighbourhood = Some(id);
            p.compound = Some(n.compound_id);
            Ok(p)
        }
        Kind::PropertyCompany => {
            let c = property_company::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            Ok(Place { district: c.district_id, ..Default::default() })
        }
        Kind::Merchant => {
            let m = entity::merchant::Entity::find_by_id(id).one(db).await?.ok_or_else(|| missing(kind))?;
            Ok(Place { district: m.district_id, street: m.street_id, community: m.community_id, ..Default::default() })
        }
        _ => Err(missing(kind)),
    }
}
