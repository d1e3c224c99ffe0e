//! Report categories: seeded by the migration, edited by district admins.
use entity::category;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use super::Urgency;
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::service::audit::{Acted, Scope};
use crate::service::events::{Change, DomainEvent};
use crate::service::validate;
use crate::state::AppState;
use crate::msg;

/// All categories in display order (a small fixed set, like an enum: not paginated).
pub async fn all(state: &AppState, include_inactive: bool) -> AppResult<Vec<category::Model>> {
    let rows = state.lookup.categories(&state.db).await?;
    Ok(rows.iter().filter(|c| include_inactive || c.active).cloned().collect())
}

/// One category by id (from the in-process cache; on a miss read through `db`, which inside a transaction must be
/// that transaction: see `incentives::on_report_event`).
pub async fn get(state: &AppState, db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<category::Model>> {
    Ok(state.lookup.categories(db).await?.iter().find(|c| c.id == id).cloned())
}

/// The SLA targets (hours to acknowledge, hours to resolve) of a category for an urgency.
pub fn sla_hours(c: &category::Model, urgency: Urgency) -> (i32, i32) {
    match urgency {
        Urgency::Normal => (c.ack_hours_normal, c.resolve_hours_normal),
        Urgency::Urgent => (c.ack_hours_urgent, c.resolve_hours_urgent),
    }
}

/// A category as the audit log shows it: what an admin may change.
fn audit_json(c: &category::Model) -> serde_json::Value {
    serde_json::json!({
        "nameZh": c.name_zh, "nameEn": c.name_en, "toProperty": c.to_property, "active": c.active,
        "ackHoursNormal": c.ack_hours_normal, "resolveHoursNormal": c.resolve_hours_normal,
        "ackHoursUrgent": c.ack_hours_urgent, "resolveHoursUrgent": c.resolve_hours_urgent,
        "dispatchHoursNormal": c.dispatch_hours_normal, "dispatchHoursUrgent": c.dispatch_hours_urgent,
        "startHoursNormal": c.start_hours_normal, "startHoursUrgent": c.start_hours_urgent,
    })
}

/// What an admin may change on a category.
#[derive(Default)]
pub struct CategoryPatch {
    /// Chinese name.
    pub name_zh: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Whether reports go to the property company by default.
    pub to_property: Option<bool>,
    /// SLA hours: (ack normal, resolve normal, ack urgent, resolve urgent, dispatch normal, dispatch urgent, start
    /// normal, start urgent).
    pub sla: [Option<i32>; 8],
    /// Offered to residents.
    pub active: Option<bool>,
}

/// `updateCategory`: by any district admin (categories are shared by the district's whole grid).
pub async fn update(state: &AppState, actor: &Actor, id: Uuid, patch: CategoryPatch) -> AppResult<category::Model> {
    let roles = actor.roles(state).await?;
    if !roles.any(Role::DistrictAdmin) {
        return Err(AppError::forbidden());
    }
    let row = category::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("分类", "Category"))?;
    let before = audit_json(&row);
    let mut am: category::ActiveModel = row.into();
    if let Some(n) = patch.name_zh {
        am.name_zh = Set(validate::text("nameZh", &n, 32)?);
    }
    if let Some(n) = patch.name_en {
        am.name_en = Set(validate::text("nameEn", &n, 64)?);
    }
    if let Some(p) = patch.to_property {
        am.to_property = Set(p);
    }
    if let Some(a) = patch.active {
        am.active = Set(a);
    }
    let names = [
        "ackHoursNormal", "resolveHoursNormal", "ackHoursUrgent", "resolveHoursUrgent", "dispatchHoursNormal",
        "dispatchHoursUrgent", "startHoursNormal", "startHoursUrgent",
    ];
    for (i, v) in patch.sla.iter().enumerate() {
        if let Some(h) = v {
            let h = validate::range(names[i], *h, 1, 24 * 90)?;
            match i {
                0 => am.ack_hours_normal = Set(h),
                1 => am.resolve_hours_normal = Set(h),
                2 => am.ack_hours_urgent = Set(h),
                3 => am.resolve_hours_urgent = Set(h),
                4 => am.dispatch_hours_normal = Set(h),
                5 => am.dispatch_hours_urgent = Set(h),
                6 => am.start_hours_normal = Set(h),
                _ => am.start_hours_urgent = Set(h),
            }
        }
    }
    let ack_n = *am.ack_hours_normal.as_ref();
    let res_n = *am.resolve_hours_normal.as_ref();
    let ack_u = *am.ack_hours_urgent.as_ref();
    let res_u = *am.resolve_hours_urgent.as_ref();
    if ack_n > res_n || ack_u > res_u {
        return Err(AppError::bad_input(
            "sla",
            msg!("受理时限不能长于办结时限", "The time to acknowledge cannot exceed the time to resolve"),
        ));
    }
    let mut change = Change::begin(state, Some(actor.user_id()?)).await?;
    let updated = am.update(change.db()).await?;
    // Categories are shared by every district; the edit is recorded over the editor's (first) district.
    let district = roles.scopes(Role::DistrictAdmin).next().unwrap_or_default();
    let place = crate::service::places::Place { district, ..Default::default() };
    let by = Acted::new(Some(Role::DistrictAdmin), Scope::of(crate::ids::Kind::District, district, &place))
        .before(before)
        .after(audit_json(&updated));
    change.emit(DomainEvent::CategoryUpdated { category: id, by }).await?;
    // Every replica drops its cached categories: this one after the commit, the others from the log.
    change.commit().await?;
    Ok(updated)
}
