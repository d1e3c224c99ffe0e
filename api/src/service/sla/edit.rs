//! Editing a district's work calendar (by its district admins) and reading it. An edit applies to stages that
//! start (or holders that take over) after it: due times already promised are kept, so an edit never makes a
//! report overdue after the fact.
use chrono::{Datelike, NaiveDate};
use entity::enums::CalendarDayKind;
use entity::{calendar_day, work_calendar};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::calendar::Calendar;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::service::authz::{self, AdminLevel};
use crate::service::audit::{Acted, Scope};
use crate::service::events::{Change, DomainEvent};
use crate::state::AppState;

/// Working hours as edited.
pub struct Hours {
    /// Start, minutes after midnight (Beijing time).
    pub start_minute: i32,
    /// End.
    pub end_minute: i32,
    /// ISO weekdays 1..=7 that are working days.
    pub weekdays: Vec<i32>,
    /// Warn at this percentage of a target.
    pub warn_percent: i32,
}

/// The district admin's proof, as the audit log records it.
async fn require_district_admin(state: &AppState, actor: &Actor, district: Uuid) -> AppResult<Acted> {
    let of = authz::require_admin_of(state, actor, Kind::District, district).await?;
    match of.level {
        AdminLevel::District => Ok(Acted::new(Some(of.level.role()), Scope::of(Kind::District, district, &of.place))),
        AdminLevel::Community | AdminLevel::Street => Err(AppError::forbidden_msg(msg!(
            "只有区级管理员可以修改工作日历",
            "Only the district's admins can edit its work calendar"
        ))),
    }
}

/// A district's calendar and its special days in `year`.
pub async fn get(state: &AppState, district: Uuid, year: i32) -> AppResult<(Calendar, Vec<calendar_day::Model>)> {
    crate::service::places::of(&state.db, Kind::District, district).await?;
    let cal = state.lookup.calendar(&state.db, district).await?;
    let days = calendar_day::Entity::find()
        .filter(calendar_day::Column::DistrictId.eq(district))
        .filter(calendar_day::Column::Day.gte(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()))
        .filter(calendar_day::Column::Day.lte(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()))
        .order_by_asc(calendar_day::Column::Day)
        .all(&state.db)
        .await?;
    Ok(((*cal).clone(), days))
}

/// `setWorkHours`: a district admin sets the working hours, weekdays and warning share.
pub async fn set_hours(state: &AppState, actor: &Actor, district: Uuid, h: Hours) -> AppResult<()> {
    let by = require_district_admin(state, actor, district).await?;
    let mut cal = Calendar::office();
    cal.start_minute = h.start_minute.clamp(0, 1440) as u32;
    cal.end_minute = h.end_minute.clamp(0, 1440) as u32;
    cal.weekdays = [false; 7];
    for d in &h.weekdays {
        if !(1..=7).contains(d) {
            return Err(AppError::bad_input("weekdays", msg!("星期应为 1（周一）到 7（周日）", "Weekdays are 1 (Monday) to 7 (Sunday)")));
        }
        cal.weekdays[(*d - 1) as usize] = true;
    }
    cal.warn_percent = h.warn_percent.clamp(0, 100) as u32;
    if h.start_minute < 0 || h.end_minute > 1440 || h.warn_percent < 1 || h.warn_percent > 99 {
        return Err(AppError::bad_input("hours", msg!("工作时间或预警比例无效", "The working hours or the warning share are not valid")));
    }
    cal.validate().map_err(|why| AppError::bad_input("hours", msg!("工作时间无效：{}", "The working hours are not valid: {}", why)))?;
    let weekdays = h.weekdays.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",");
    let now = state.clock.now();
    let mut change = Change::begin_at(state, Some(actor.user_id()?), now).await?;
    let before = work_calendar::Entity::find()
        .filter(work_calendar::Column::DistrictId.eq(district))
        .one(change.db())
        .await?
        .map(|w| hours_json(w.work_start_minute, w.work_end_minute, &w.weekdays, w.warn_percent));
    let by = by
        .before(before.unwrap_or(serde_json::Value::Null))
        .after(hours_json(h.start_minute, h.end_minute, &weekdays, h.warn_percent));
    work_calendar::Entity::delete_many().filter(work_calendar::Column::DistrictId.eq(district)).exec(change.db()).await?;
    work_calendar::Entity::insert(work_calendar::ActiveModel {
        id: Set(new_id()),
        created_at: Set(now),
        work_start_minute: Set(h.start_minute),
        work_end_minute: Set(h.end_minute),
        weekdays: Set(weekdays),
        warn_percent: Set(h.warn_percent),
        updated_at: Set(now),
        district_id: Set(district),
    })
    .exec_without_returning(change.db())
    .await?;
    change.emit(DomainEvent::CalendarUpdated { district, by }).await?;
    change.commit().await
}

/// Working hours as the audit log shows them.
fn hours_json(start: i32, end: i32, weekdays: &str, warn: i32) -> serde_json::Value {
    serde_json::json!({ "startMinute": start, "endMinute": end, "weekdays": weekdays, "warnPercent": warn })
}

/// Special days as the audit log shows them.
fn days_json<'d>(days: impl Iterator<Item = (&'d NaiveDate, &'d CalendarDayKind, &'d str)>) -> serde_json::Value {
    days.map(|(d, k, n)| serde_json::json!({ "day": d, "kind": k, "name": n.trim() })).collect()
}

/// `setCalendarDays`: a district admin replaces the holidays and make-up days of `year`.
pub async fn set_days(
    state: &AppState,
    actor: &Actor,
    district: Uuid,
    year: i32,
    days: Vec<(NaiveDate, CalendarDayKind, String)>,
) -> AppResult<Vec<calendar_day::Model>> {
    let by = require_district_admin(state, actor, district).await?;
    if days.len() > 100 {
        return Err(AppError::bad_input("days", msg!("一年最多 100 个特殊日期", "At most 100 special days a year")));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (d, _, name) in &days {
        if d.year() != year {
            return Err(AppError::bad_input("days", msg!("{} 不在 {} 年", "{} is not in {}", d, year)));
        }
        if !seen.insert(*d) {
            return Err(AppError::bad_input("days", msg!("{} 出现了两次", "{} is listed twice", d)));
        }
        crate::service::validate::text("name", name, 32)?;
    }
    let now = state.clock.now();
    let mut change = Change::begin_at(state, Some(actor.user_id()?), now).await?;
    let old = calendar_day::Entity::find()
        .filter(calendar_day::Column::DistrictId.eq(district))
        .filter(calendar_day::Column::Day.gte(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()))
        .filter(calendar_day::Column::Day.lte(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()))
        .order_by_asc(calendar_day::Column::Day)
        .all(change.db())
        .await?;
    let by = by
        .before(serde_json::json!({ "year": year, "days": days_json(old.iter().map(|d| (&d.day, &d.kind, d.name.as_str()))) }))
        .after(serde_json::json!({ "year": year, "days": days_json(days.iter().map(|(d, k, n)| (d, k, n.as_str()))) }));
    calendar_day::Entity::delete_many()
        .filter(calendar_day::Column::DistrictId.eq(district))
        .filter(calendar_day::Column::Day.gte(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()))
        .filter(calendar_day::Column::Day.lte(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()))
        .exec(change.db())
        .await?;
    for (day, kind, name) in days {
        calendar_day::Entity::insert(calendar_day::ActiveModel {
            id: Set(new_id()),
            created_at: Set(now),
            day: Set(day),
            kind: Set(kind),
            name: Set(name.trim().to_owned()),
            district_id: Set(district),
        })
        .exec_without_returning(change.db())
        .await?;
    }
    change.emit(DomainEvent::CalendarUpdated { district, by }).await?;
    change.commit().await?;
    Ok(get(state, district, year).await?.1)
}
