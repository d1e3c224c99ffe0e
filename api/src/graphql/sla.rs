//! SLA, escalation, "me too" and merging in GraphQL: the overdue board, supports and merges, and the district's
//! work calendar. Adapters only: the rules are in `service::sla` and `service::support`.
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;
use entity::enums::CalendarDayKind;

use super::report::Report;
use super::{Conn, actor, arg_id, state};
use crate::ids::{Kind, decode_any};
use crate::service::sla::overdue::{self, OverdueState};
use crate::service::{sla, support};

/// A day off the usual week.
#[derive(SimpleObject)]
pub struct CalendarDay {
    /// The date (Beijing).
    date: NaiveDate,
    /// HOLIDAY or WORKDAY (a make-up working day, 调休).
    kind: CalendarDayKind,
    /// Its name (春节, 国庆节调休上班, …).
    name: String,
}

/// A district's work calendar: what SLA targets count as business time.
#[derive(SimpleObject)]
pub struct WorkCalendar {
    /// Working day starts, "HH:MM" Beijing time.
    work_start: String,
    /// Working day ends.
    work_end: String,
    /// ISO weekdays that are working days (1 = Monday).
    weekdays: Vec<i32>,
    /// The holder is warned at this percentage of a stage's target.
    warn_percent: i32,
    /// The year's holidays and make-up working days.
    days: Vec<CalendarDay>,
}

fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn minutes_of(field: &'static str, s: &str) -> crate::error::AppResult<i32> {
    let bad = || crate::error::AppError::bad_input(field, crate::msg!("时间格式应为 HH:MM", "Times are written HH:MM"));
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let (h, m): (i32, i32) = (h.trim().parse().map_err(|_| bad())?, m.trim().parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Input of `setWorkHours`.
#[derive(InputObject)]
pub struct WorkHoursInput {
    /// "08:30".
    work_start: String,
    /// "17:30".
    work_end: String,
    /// ISO weekdays 1..7 that are working days.
    weekdays: Vec<i32>,
    /// Warn at this percentage of a target, 1..99 (default 75).
    #[graphql(default = 75)]
    warn_percent: i32,
}

/// One special day of `setCalendarDays`.
#[derive(InputObject)]
pub struct CalendarDayInput {
    /// The date.
    date: NaiveDate,
    /// HOLIDAY or WORKDAY.
    kind: CalendarDayKind,
    /// Its name, at most 32 characters.
    name: String,
}

/// Input of `similarReports`: what the resident is about to report.
#[derive(InputObject)]
pub struct SimilarReportsInput {
    /// The category chosen.
    category_id: ID,
    /// The compound (for a public area), or
    compound_id: Option<ID>,
    /// the building,
    building_id: Option<ID>,
    /// and unit.
    unit: Option<i32>,
    /// What they have written so far (may be empty).
    #[graphql(default)]
    description: String,
    /// -90..90.
    latitude: Option<f64>,
    /// -180..180.
    longitude: Option<f64>,
}

/// A report that is probably the same problem.
#[derive(SimpleObject)]
pub struct SimilarReport {
    /// The report, as the caller may see it (status, photos, supporters).
    report: Report,
    /// How alike, 0..1 (place, time and text).
    score: f64,
}

/// SLA queries.
#[derive(Default)]
pub struct SlaQuery;

#[Object]
impl SlaQuery {
    /// The reports of a scope (a neighbourhood, group, area, compound, community, street, district, or a property
    /// company) near breach (warned) or breached, soonest due first: for its heads, the admins over it, the
    /// company's staff.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn overdue_reports(
        &self,
        ctx: &Context<'_>,
        scope_id: ID,
        #[graphql(name = "state")] which: OverdueState,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Report>> {
        let (kind, id) = decode_any(&scope_id, "scopeId")?;
        let p = overdue::list(state(ctx), actor(ctx), kind, id, which, first, after.as_deref()).await?;
        let mut c = Conn::new(p.has_previous, p.has_next);
        c.edges.extend(p.items.into_iter().map(|r| async_graphql::connection::Edge::new(overdue::cursor(&r), Report::new(r))));
        Ok(c)
    }

    /// Before submitting: up to 5 reports of the same category in the same compound, open or closed in the last 14
    /// days, that are probably the same problem (same building and unit, neighbourhood or nearby; recent; alike in
    /// words), best first. Only reports the caller may see.
    async fn similar_reports(&self, ctx: &Context<'_>, input: SimilarReportsInput) -> Result<Vec<SimilarReport>> {
        actor(ctx).user_id()?;
        let i = crate::service::report::similar::Input {
            category: arg_id(&input.category_id, Kind::Category, "categoryId")?,
            compound: input.compound_id.map(|c| arg_id(&c, Kind::Compound, "compoundId")).transpose()?,
            building: input.building_id.map(|b| arg_id(&b, Kind::Building, "buildingId")).transpose()?,
            unit: input.unit,
            description: input.description,
            latitude: input.latitude,
            longitude: input.longitude,
        };
        let found = crate::service::report::similar::similar(state(ctx), actor(ctx), i).await?;
        Ok(found.into_iter().map(|(view, score)| SimilarReport { report: Report::seen(view), score }).collect())
    }

    /// A district's work calendar and its special days in `year` (default: this year, Beijing).
    async fn work_calendar(&self, ctx: &Context<'_>, district_id: ID, year: Option<i32>) -> Result<WorkCalendar> {
        actor(ctx).user_id()?;
        let district = arg_id(&district_id, Kind::District, "districtId")?;
        let year = year.unwrap_or_else(|| chrono::Datelike::year(&(state(ctx).clock.now() + chrono::Duration::hours(8))));
        let (cal, days) = sla::edit::get(state(ctx), district, year).await?;
        Ok(WorkCalendar {
            work_start: hhmm(cal.start_minute),
            work_end: hhmm(cal.end_minute),
            weekdays: (1..=7).filter(|d| cal.weekdays[(*d - 1) as usize]).collect(),
            warn_percent: cal.warn_percent as i32,
            days: days.into_iter().map(|d| CalendarDay { date: d.day, kind: d.kind, name: d.name }).collect(),
        })
    }
}

/// SLA and support mutations.
#[derive(Default)]
pub struct SlaMutation;

#[Object]
impl SlaMutation {
    /// "Me too": a verified resident of the report's compound meets the same problem. Counted once per person.
    async fn support_report(&self, ctx: &Context<'_>, id: ID) -> Result<Report> {
        let id = arg_id(&id, Kind::Report, "id")?;
        Ok(Report::seen(support::support(state(ctx), actor(ctx), id).await?))
    }

    /// Takes a "me too" back.
    async fn withdraw_support(&self, ctx: &Context<'_>, id: ID) -> Result<Report> {
        let id = arg_id(&id, Kind::Report, "id")?;
        Ok(Report::seen(support::withdraw(state(ctx), actor(ctx), id).await?))
    }

    /// A head or admin over them merges duplicates (1..20, same compound) into a primary report.
    async fn merge_reports(&self, ctx: &Context<'_>, primary_id: ID, duplicate_ids: Vec<ID>) -> Result<Report> {
        let primary = arg_id(&primary_id, Kind::Report, "primaryId")?;
        let dups = duplicate_ids.iter().map(|d| arg_id(d, Kind::Report, "duplicateIds")).collect::<Result<Vec<_>, _>>()?;
        Ok(Report::seen(support::merge(state(ctx), actor(ctx), primary, &dups).await?))
    }

    /// A district admin sets the district's working hours, weekdays and warning share.
    async fn set_work_hours(&self, ctx: &Context<'_>, district_id: ID, input: WorkHoursInput) -> Result<WorkCalendar> {
        let district = arg_id(&district_id, Kind::District, "districtId")?;
        let hours = sla::edit::Hours {
            start_minute: minutes_of("workStart", &input.work_start)?,
            end_minute: minutes_of("workEnd", &input.work_end)?,
            weekdays: input.weekdays,
            warn_percent: input.warn_percent,
        };
        sla::edit::set_hours(state(ctx), actor(ctx), district, hours).await?;
        SlaQuery.work_calendar(ctx, district_id, None).await
    }

    /// A district admin replaces the public holidays and make-up working days of `year`.
    async fn set_calendar_days(
        &self,
        ctx: &Context<'_>,
        district_id: ID,
        year: i32,
        days: Vec<CalendarDayInput>,
    ) -> Result<WorkCalendar> {
        let district = arg_id(&district_id, Kind::District, "districtId")?;
        let days = days.into_iter().map(|d| (d.date, d.kind, d.name)).collect();
        sla::edit::set_days(state(ctx), actor(ctx), district, year, days).await?;
        SlaQuery.work_calendar(ctx, district_id, Some(year)).await
    }
}
