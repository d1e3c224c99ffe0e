//! Property companies, the compounds they manage (with dates), and their staff (appointments with PROPERTY_STAFF).
use chrono::{NaiveDate, Utc};
use entity::{compound_management, property_company};
use sea_orm::ExprTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::Expr};
use uuid::Uuid;

use super::audit::{Acted, Scope};
use super::events::{self, Change, DomainEvent};
use super::{authz, page, places, validate};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, Constraint, Denied};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// A company's name is unique in its district (migration 000004).
const COMPANY_NAME: Constraint =
    Constraint { name: "ux_property_company_district_id_name", columns: "property_company.district_id, property_company.name" };

/// `registerPropertyCompany`: by an admin of the district or of one of its streets.
pub async fn register(state: &AppState, actor: &Actor, district_id: Uuid, name: &str) -> AppResult<property_company::Model> {
    let name = validate::text("name", name, 100)?;
    let roles = actor.roles(state).await?;
    let place = places::of(&state.db, Kind::District, district_id).await?;
    if !authz::is_district_or_street_admin(&state.db, &roles, district_id).await? {
        return Err(AppError::denied(Denied::NotAdminOfStreet));
    }
    let office = if roles.has(crate::auth::Role::DistrictAdmin, district_id) {
        crate::auth::Role::DistrictAdmin
    } else {
        crate::auth::Role::StreetAdmin
    };
    let after = serde_json::json!({ "name": name, "district": district_id });
    let am = property_company::ActiveModel {
        id: Set(new_id()),
        created_at: Set(Utc::now()),
        name: Set(name),
        district_id: Set(district_id),
    };
    let taken = |e| {
        AppError::on_constraint(e, &COMPANY_NAME, || {
            AppError::bad_input("name", msg!("该区已有同名物业公司", "A company with this name is already registered in the district"))
        })
    };
    let event = |row: &property_company::Model| DomainEvent::CompanyRegistered {
        company: row.id,
        district: district_id,
        by: Acted::new(Some(office), Scope::of(Kind::PropertyCompany, row.id, &place)).after(after),
    };
    events::insert_new(state, Some(actor.user_id()?), am, taken, event).await
}

/// `assignCompoundManagement`: from `starts_on` (default today) the company manages the compound; the previous
/// company's period ends that day. By an admin over the compound; the company must be of the same district.
pub async fn assign(
    state: &AppState,
    actor: &Actor,
    company_id: Uuid,
    compound_id: Uuid,
    starts_on: Option<NaiveDate>,
) -> AppResult<compound_management::Model> {
    let of = authz::require_admin_of(state, actor, Kind::Compound, compound_id).await?;
    let place = of.place.clone();
    let company = property_company::Entity::find_by_id(company_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| places::not_found(Kind::PropertyCompany))?;
    if company.district_id != place.district {
        return Err(AppError::bad_input("companyId", msg!("物业公司不属于该区", "The company is registered in another district")));
    }
    let starts_on = starts_on.unwrap_or_else(|| Utc::now().date_naive());
    let mut change = Change::begin(state, Some(actor.user_id()?)).await?;
    let txn = change.db();
    let open = compound_management::Entity::find()
        .filter(compound_management::Column::CompoundId.eq(compound_id))
        .filter(compound_management::Column::EndsOn.is_null())
        .all(txn)
        .await?;
    let before: Vec<_> = open.iter().map(|m| serde_json::json!({ "company": m.company_id, "startsOn": m.starts_on })).collect();
    for m in open {
        if m.company_id == company_id {
            return Err(AppError::Conflict(msg!("该公司已在管理此小区", "This company already manages this compound")));
        }
        if m.starts_on >= starts_on {
            return Err(AppError::bad_input(
                "startsOn",
                msg!("开始日期必须晚于现任物业的开始日期", "startsOn must be after the current company's start"),
            ));
        }
        compound_management::Entity::update_many()
            .col_expr(compound_management::Column::EndsOn, Expr::value(starts_on))
            .filter(compound_management::Column::Id.eq(m.id))
            .exec(txn)
            .await?;
    }
    let row = compound_management::ActiveModel {
        id: Set(new_id()),
        created_at: Set(Utc::now()),
        starts_on: Set(starts_on),
        ends_on: Set(None),
        company_id: Set(company_id),
        compound_id: Set(compound_id),
    }
    .insert(txn)
    .await?;
    change
        .emit(DomainEvent::ManagementAssigned {
            management: row.id,
            company: company_id,
            compound: compound_id,
            starts_on,
            by: Acted::new(Some(of.level.role()), Scope::of(Kind::Compound, compound_id, &of.place))
                .before(serde_json::json!({ "managedBy": before }))
                .after(serde_json::json!({ "managedBy": [{ "company": company_id, "startsOn": starts_on }] })),
        })
        .await?;
    change.commit().await?;
    Ok(row)
}

/// Property companies of a district (for logged-in users: residents see who manages their compound).
pub async fn companies(state: &AppState, actor: &Actor, district: Uuid, args: page::PageArgs) -> AppResult<page::Page<property_company::Model>> {
    actor.user_id()?;
    let q = property_company::Entity::find().filter(property_company::Column::DistrictId.eq(district));
    page::fetch(&state.db, q, property_company::Column::Id, args).await
}

/// The management periods of a compound (newest first) or of a company.
pub async fn managements(state: &AppState, actor: &Actor, compound: Option<Uuid>, company: Option<Uuid>, args: page::PageArgs) -> AppResult<page::Page<compound_management::Model>> {
    actor.user_id()?;
    let mut q = compound_management::Entity::find();
    if let Some(c) = compound {
        q = q.filter(compound_management::Column::CompoundId.eq(c));
    }
    if let Some(c) = company {
        q = q.filter(compound_management::Column::CompanyId.eq(c));
    }
    page::fetch(&state.db, q, compound_management::Column::Id, args).await
}

/// The company managing a compound today, if any.
pub async fn current_manager(state: &AppState, compound: Uuid) -> AppResult<Option<property_company::Model>> {
    let today = Utc::now().date_naive();
    let m = compound_management::Entity::find()
        .filter(compound_management::Column::CompoundId.eq(compound))
        .filter(compound_management::Column::StartsOn.lte(today))
        .filter(Expr::col(compound_management::Column::EndsOn).is_null().or(compound_management::Column::EndsOn.gt(today)))
        .order_by_desc(compound_management::Column::StartsOn)
        .one(&state.db)
        .await?;
    match m {
        Some(m) => Ok(property_company::Entity::find_by_id(m.company_id).one(&state.db).await?),
        None => Ok(None),
    }
}
