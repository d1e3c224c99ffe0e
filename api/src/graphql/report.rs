//! Reports in GraphQL: the `Report` type with its timeline, comments and available actions, and the queries and
//! mutations of the report lifecycle. Adapters only: every rule is in `service::report`.
use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Duration, Utc};
use entity::{category, report, report_comment, report_event};
use sea_orm::ActiveEnum;
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::types::{Community, Compound, Neighbourhood, PropertyCompany};
use super::{Conn, actor, arg_id, connection, loaders, page_args, state};
use crate::error::AppError;
use crate::ids::{Kind, encode};
use crate::service::content::Moderation;
use crate::service::places;
use crate::service::report::machine::{ALL_ACTIONS, Action, Status};
use crate::service::report::view::ReportView;
use crate::service::report::{Urgency, act, category as cat, machine, query, submit};

/// A report category.
pub struct Category(pub category::Model);

#[Object]
impl Category {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Category, self.0.id)
    }
    /// Stable code, e.g. `DRAIN`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Chinese name.
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }
    /// English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// Whether reports of this kind usually go to the property company.
    async fn to_property_by_default(&self) -> bool {
        self.0.to_property
    }
    /// Hours to acknowledge a NORMAL report.
    async fn ack_hours_normal(&self) -> i32 {
        self.0.ack_hours_normal
    }
    /// Hours to resolve a NORMAL report.
    async fn resolve_hours_normal(&self) -> i32 {
        self.0.resolve_hours_normal
    }
    /// Hours to acknowledge an URGENT report.
    async fn ack_hours_urgent(&self) -> i32 {
        self.0.ack_hours_urgent
    }
    /// Hours to resolve an URGENT report.
    async fn resolve_hours_urgent(&self) -> i32 {
        self.0.resolve_hours_urgent
    }
    /// Hours for a head to handle (fix or dispatch) an acknowledged NORMAL report.
    async fn dispatch_hours_normal(&self) -> i32 {
        self.0.dispatch_hours_normal
    }
    /// The same, URGENT.
    async fn dispatch_hours_urgent(&self) -> i32 {
        self.0.dispatch_hours_urgent
    }
    /// Hours for the company to start a dispatched NORMAL report.
    async fn start_hours_normal(&self) -> i32 {
        self.0.start_hours_normal
    }
    /// The same, URGENT.
    async fn start_hours_urgent(&self) -> i32 {
        self.0.start_hours_urgent
    }
    /// Offered to residents.
    async fn active(&self) -> bool {
        self.0.active
    }
}

/// Who reported, as far as the caller may know.
#[derive(SimpleObject)]
pub struct Reporter {
    /// The user's ID (only for those who may see who reported).
    id: Option<ID>,
    /// Full name for the reporter, the heads and community admins; masked (`陈**`) for everyone else.
    name: String,
    /// Full to the reporter, masked (`135****6666`) to heads and admins, absent for everyone else.
    phone: Option<String>,
}

/// Where the problem is.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ReportLocation {
    #[graphql(skip)]
    compound_id: Uuid,
    #[graphql(skip)]
    building_id: Option<Uuid>,
    /// Unit number, if given.
    unit: Option<i32>,
    /// Room, if given.
    room: Option<String>,
    /// A public place in the compound, if that is where it is.
    public_area: Option<String>,
    /// GPS latitude.
    latitude: Option<f64>,
    /// GPS longitude.
    longitude: Option<f64>,
}

#[async_graphql::ComplexObject]
impl ReportLocation {
    /// The compound.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Compound> {
        let c = loaders(ctx).compound.load_one(self.compound_id).await.map_err(AppError::from)?;
        Ok(Compound(c.ok_or_else(|| places::not_found(Kind::Compound))?))
    }
    /// The building, if given.
    async fn building(&self, ctx: &Context<'_>) -> Result<Option<super::types::Building>> {
        let Some(id) = self.building_id else { return Ok(None) };
        Ok(loaders(ctx).building.load_one(id).await.map_err(AppError::from)?.map(super::types::Building))
    }
}

/// When each milestone was reached (durations for the district's assessment are differences of these).
#[derive(SimpleObject)]
pub struct Milestones {
    /// Reported.
    submitted_at: DateTime<Utc>,
    /// First acknowledged by a head.
    acknowledged_at: Option<DateTime<Utc>>,
    /// First dispatched to the property company.
    dispatched_at: Option<DateTime<Utc>>,
    /// Work first started.
    started_at: Option<DateTime<Utc>>,
    /// Latest resolution.
    resolved_at: Option<DateTime<Utc>>,
    /// Closed.
    closed_at: Option<DateTime<Utc>>,
    /// First reopened by the resident.
    first_reopened_at: Option<DateTime<Utc>>,
    /// Cancelled, rejected or marked duplicate.
    ended_at: Option<DateTime<Utc>>,
    /// The resident confirmed the fix.
    confirmed_at: Option<DateTime<Utc>>,
}

/// The service targets of a report, from its category and urgency.
#[derive(SimpleObject)]
pub struct Sla {
    /// Acknowledge by then.
    acknowledge_by: DateTime<Utc>,
    /// Resolve by then.
    resolve_by: DateTime<Utc>,
    /// Not acknowledged in time (still or at all).
    acknowledge_overdue: bool,
    /// Not resolved in time (still or at all).
    resolve_overdue: bool,
    /// The stage its clock measures now: ACKNOWLEDGE, HANDLE, START, RESOLVE (null: waiting on the resident, or
    /// over).
    stage: Option<entity::enums::SlaStage>,
    /// When the current holder's time is up (business time of the district's calendar; urgent: round the clock).
    due_at: Option<DateTime<Utc>>,
    /// When the holder is warned (by default at 75% of the target).
    warn_at: Option<DateTime<Utc>>,
    /// The stage went past its due time.
    breached: bool,
    /// Business minutes in the current stage.
    stage_business_minutes: i64,
    /// Business minutes since submission, never reset; the time waiting on the resident left out.
    overall_business_minutes: i64,
    /// The clocks are paused: the report waits on the resident's confirmation.
    paused: bool,
}

/// Who holds a report on the grid now.
#[derive(SimpleObject)]
pub struct Escalation {
    /// The level: PROPERTY, NEIGHBOUR_HEAD, GROUP_HEAD, AREA_HEAD, COMMUNITY_ADMIN, STREET_ADMIN.
    level: entity::enums::GridLevel,
    /// Whether it got there by escalation.
    escalated: bool,
    /// How many steps it went up.
    steps: i32,
    /// The holders' names (heads and offices are public figures of the grid). One lookup per report: a detail
    /// page's field; a list shows `level`.
    holder: Vec<String>,
    /// Since when it is at this level (escalation time, else the stage's start).
    since: Option<DateTime<Utc>>,
    /// When this holder's time is up.
    due_at: Option<DateTime<Utc>>,
}

/// One escalation step on the timeline.
#[derive(SimpleObject)]
pub struct EscalationStep {
    /// From.
    from_level: entity::enums::GridLevel,
    /// To.
    to_level: entity::enums::GridLevel,
    /// OVERDUE, URGED or VACANT.
    reason: entity::enums::EscalationReason,
}

/// A problem report, with what the caller may see of it (worked out once, when a field needs it).
pub struct Report {
    pub(crate) row: Arc<report::Model>,
    view: OnceCell<Arc<ReportView>>,
}

impl Report {
    /// A report the caller has been shown (their own, their inbox's, their queue's, or one they just changed).
    pub fn new(row: report::Model) -> Self {
        Report { row: Arc::new(row), view: OnceCell::new() }
    }

    /// A report with the caller's view already worked out.
    pub fn seen(view: ReportView) -> Self {
        Report { row: view.row.clone(), view: OnceCell::new_with(Some(Arc::new(view))) }
    }

    /// The caller's view: the one service-level decision of what they may see of the report and its people.
    async fn view(&self, ctx: &Context<'_>) -> Result<Arc<ReportView>> {
        let v = self
            .view
            .get_or_try_init(|| async { ReportView::of(state(ctx), actor(ctx), self.row.clone()).await.map(Arc::new) })
            .await?;
        Ok(v.clone())
    }
}

#[Object]
impl Report {
    /// The opaque global ID.
    pub async fn id(&self) -> ID {
        encode(Kind::Report, self.row.id)
    }
    /// Where it stands.
    async fn status(&self) -> Status {
        self.row.status
    }
    /// Optimistic-concurrency version, bumped by every change.
    async fn version(&self) -> i32 {
        self.row.version
    }
    /// What kind of problem.
    async fn category(&self, ctx: &Context<'_>) -> Result<Category> {
        let c = loaders(ctx).category.load_one(self.row.category_id).await.map_err(AppError::from)?;
        Ok(Category(c.ok_or_else(|| places::not_found(Kind::Category))?))
    }
    /// The resident's description.
    async fn description(&self) -> &str {
        &self.row.description
    }
    /// NORMAL or URGENT.
    async fn urgency(&self) -> Urgency {
        self.row.urgency
    }
    /// Hidden from other residents.
    async fn anonymous(&self) -> bool {
        self.row.anonymous
    }
    /// Content safety of the description: REVIEW and PENDING are shown only to the reporter, the heads, the
    /// company and the admins until they pass.
    async fn moderation(&self) -> Moderation {
        self.row.moderation
    }
    /// Where.
    async fn location(&self) -> ReportLocation {
        ReportLocation {
            compound_id: self.row.compound_id,
            building_id: self.row.building_id,
            unit: self.row.unit,
            room: self.row.room.clone(),
            public_area: self.row.public_area.clone(),
            latitude: self.row.latitude,
            longitude: self.row.longitude,
        }
    }
    /// When each milestone was reached.
    async fn milestones(&self) -> Milestones {
        let r = &self.row;
        Milestones {
            submitted_at: r.submitted_at,
            acknowledged_at: r.acknowledged_at,
            dispatched_at: r.dispatched_at,
            started_at: r.started_at,
            resolved_at: r.resolved_at,
            closed_at: r.closed_at,
            first_reopened_at: r.first_reopened_at,
            ended_at: r.ended_at,
            confirmed_at: r.confirmed_at,
        }
    }
    /// Since when it has waited for its next step.
    async fn waiting_since(&self) -> DateTime<Utc> {
        self.row.waiting_since
    }
    /// The service targets and whether they are missed.
    async fn sla(&self, ctx: &Context<'_>) -> Result<Sla> {
        let c = loaders(ctx).category.load_one(self.row.category_id).await.map_err(AppError::from)?;
        let c = c.ok_or_else(|| places::not_found(Kind::Category))?;
        let (ack, res) = cat::sla_hours(&c, self.row.urgency);
        let r = &self.row;
        let acknowledge_by = r.submitted_at + Duration::hours(ack as i64);
        let resolve_by = r.submitted_at + Duration::hours(res as i64);
        let st = state(ctx);
        let now = st.clock.now();
        let terminal = machine::is_terminal(r.status) && r.closed_at.is_none();
        let policy = crate::service::sla::Policy::of(st, &st.db, r.category_id, r.urgency, r.community_id).await?;
        let clocks = crate::service::sla::clocks(&policy, r, now);
        Ok(Sla {
            acknowledge_by,
            resolve_by,
            acknowledge_overdue: !terminal && r.acknowledged_at.unwrap_or(now) > acknowledge_by,
            resolve_overdue: !terminal && r.resolved_at.unwrap_or(now) > resolve_by,
            stage: clocks.stage,
            due_at: clocks.due_at,
            warn_at: clocks.warn_at,
            breached: clocks.breached,
            stage_business_minutes: clocks.stage_minutes,
            overall_business_minutes: clocks.overall_minutes,
            paused: clocks.paused,
        })
    }
    /// Who holds it on the grid now (null: waiting on the resident, over, or from before the SLA clocks).
    async fn escalation(&self, ctx: &Context<'_>) -> Result<Option<Escalation>> {
        let r = &self.row;
        let (Some(level), Some(_)) = (r.sla_level, r.sla_stage) else { return Ok(None) };
        let st = state(ctx);
        let holder = if ctx.look_ahead().field("holder").exists() {
            let units = crate::service::sla::Units::of(st, &st.db, r).await?;
            let ids = crate::service::sla::holders(&st.db, &units, &[level], st.clock.now()).await?.of(level);
            let users = loaders(ctx).user.load_many(ids).await.map_err(AppError::from)?;
            let mut names: Vec<String> =
                users.values().map(|u| crate::service::report::view::public_name(u).to_owned()).collect();
            names.sort();
            names
        } else {
            Vec::new()
        };
        Ok(Some(Escalation {
            level,
            escalated: r.escalated_at.is_some(),
            steps: r.escalations,
            holder,
            since: r.escalated_at.or(r.sla_stage_since),
            due_at: r.sla_due_at,
        }))
    }
    /// How many residents said "me too".
    async fn support_count(&self) -> i32 {
        self.row.support_count
    }
    /// Whether the caller said "me too".
    async fn supported_by_me(&self, ctx: &Context<'_>) -> Result<bool> {
        let user = actor(ctx).user_id()?;
        if self.row.support_count == 0 {
            return Ok(false);
        }
        // Through the request's loader: a page of reports costs one statement, not one per report.
        Ok(loaders(ctx).supported.load_one((user, self.row.id)).await.map_err(AppError::from)?.unwrap_or(false))
    }
    /// Who reported it: null for other residents when anonymous.
    async fn reporter(&self, ctx: &Context<'_>) -> Result<Option<Reporter>> {
        let view = self.view(ctx).await?;
        // The name is on the report; the phone, which can change, is read from the user only when asked for (and
        // only when the caller may see it).
        let phone = if view.standing.sees_reporter && ctx.look_ahead().field("phone").exists() {
            let u = loaders(ctx).user.load_one(self.row.reporter_id).await.map_err(AppError::from)?;
            u.ok_or_else(|| places::not_found(Kind::User))?.phone
        } else {
            None
        };
        Ok(view.reporter(phone.as_deref()).map(|p| Reporter {
            id: p.id.map(|id| encode(Kind::User, id)),
            name: p.name,
            phone: p.phone,
        }))
    }
    /// The neighbourhood it falls in (null when the grid does not cover that spot yet).
    async fn neighbourhood(&self, ctx: &Context<'_>) -> Result<Option<Neighbourhood>> {
        let Some(id) = self.row.neighbourhood_id else { return Ok(None) };
        Ok(loaders(ctx).neighbourhood.load_one(id).await.map_err(AppError::from)?.map(Neighbourhood))
    }
    /// The compound.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Compound> {
        let c = loaders(ctx).compound.load_one(self.row.compound_id).await.map_err(AppError::from)?;
        Ok(Compound(c.ok_or_else(|| places::not_found(Kind::Compound))?))
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        let c = loaders(ctx).community.load_one(self.row.community_id).await.map_err(AppError::from)?;
        Ok(Community(c.ok_or_else(|| places::not_found(Kind::Community))?))
    }
    /// The property company it was dispatched to.
    async fn assigned_company(&self, ctx: &Context<'_>) -> Result<Option<PropertyCompany>> {
        let Some(id) = self.row.company_id else { return Ok(None) };
        Ok(loaders(ctx).company.load_one(id).await.map_err(AppError::from)?.map(PropertyCompany))
    }
    /// The resident's rating of the fix, 1..5.
    async fn rating(&self) -> Option<i32> {
        self.row.rating
    }
    /// The resident's comment on the fix.
    async fn rating_comment(&self) -> Option<&str> {
        self.row.rating_comment.as_deref()
    }
    /// Closed by the system because the resident did not answer in time.
    async fn auto_closed(&self) -> bool {
        self.row.auto_closed
    }
    /// How often the resident reopened it.
    async fn reopen_count(&self) -> i32 {
        self.row.reopen_count
    }
    /// The report this one duplicates.
    async fn duplicate_of(&self) -> Option<ID> {
        self.row.duplicate_of.map(|id| encode(Kind::Report, id))
    }
    /// When the reporter last urged it (催单).
    async fn last_urged_at(&self) -> Option<DateTime<Utc>> {
        self.row.last_urged_at
    }
    /// The newest timeline event.
    async fn last_event(&self, ctx: &Context<'_>) -> Result<Option<ReportEvent>> {
        let Some(id) = self.row.last_event_id else { return Ok(None) };
        let view = self.view(ctx).await?;
        if let (Some(kind), Some(at)) = (self.row.last_event_kind, self.row.last_event_at) {
            if !needs_full_event(ctx.field().selection_set()) {
                return Ok(Some(ReportEvent(summary_event(&self.row, id, kind, at), view)));
            }
        }
        let e = loaders(ctx).report_event.load_one(id).await.map_err(AppError::from)?;
        Ok(e.map(|e| ReportEvent(e, view)))
    }
    /// Every step, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn timeline(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<ReportEvent>> {
        let view = self.view(ctx).await?;
        let (p, actors) = query::timeline(state(ctx), self.row.id, page_args(first, after)?, wants(ctx, "actorName")).await?;
        loaders::feed(&loaders(ctx).user, actors, |u| u.id).await;
        Ok(connection(p, |e| e.id, |e| ReportEvent(e, view.clone())))
    }
    /// Comments, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn comments(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Comment>> {
        // Comments under review are shown to their author and to the heads, company and admins only.
        let view = self.view(ctx).await?;
        let (p, authors) = query::comments(state(ctx), &view, page_args(first, after)?, wants(ctx, "authorName")).await?;
        loaders::feed(&loaders(ctx).user, authors, |u| u.id).await;
        Ok(connection(p, |c| c.id, |c| Comment(c, view.clone())))
    }
    /// Who said "me too", oldest first: all supporters for the report's heads, company and admins (names masked
    /// for the company's staff, as the reporter's), for anyone else only their own support.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn supporters(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Supporter>> {
        let view = self.view(ctx).await?;
        let p = query::supporters(state(ctx), &view, page_args(first, after)?).await?;
        let users = loaders(ctx).user.load_many(p.items.iter().map(|s| s.user_id)).await.map_err(AppError::from)?;
        Ok(connection(p, |s| s.id, |s| {
            let name = users.get(&s.user_id).map(|u| view.supporter_name(s.user_id, &u.nickname)).unwrap_or_default();
            Supporter { name, is_me: s.user_id == view.viewer, at: s.created_at, merged: s.merged }
        }))
    }
    /// Photos of the report, oldest first: BEFORE (submitted or reopened with it) and AFTER (the fix); `phase`
    /// keeps one kind. Photos of comments are under `comments`.
    async fn photos(
        &self,
        ctx: &Context<'_>,
        phase: Option<crate::service::media::Phase>,
    ) -> Result<Vec<super::media::Photo>> {
        Ok(super::media::of_report(ctx, &*self.view(ctx).await?, phase).await?)
    }
    /// What the caller may do next, so the client shows the right buttons.
    async fn available_actions(&self, ctx: &Context<'_>) -> Result<Vec<Action>> {
        let view = self.view(ctx).await?;
        let facts = act::facts(&self.row, state(ctx).clock.now());
        Ok(ALL_ACTIONS.into_iter().filter(|a| machine::decide(self.row.status, *a, &view.standing.parties, facts).is_ok()).collect())
    }
}

/// One resident who said "me too", as the caller may see them.
#[derive(SimpleObject)]
pub struct Supporter {
    /// Their name, in full or masked (`赵**`) as `Report.supporters` says.
    pub name: String,
    /// Whether it is the caller.
    pub is_me: bool,
    /// When they said so.
    pub at: DateTime<Utc>,
    /// Whether their support came with a duplicate report merged into this one.
    pub merged: bool,
}

/// One step on a report's timeline, as the caller may see it.
pub struct ReportEvent(pub report_event::Model, Arc<ReportView>);

#[Object]
impl ReportEvent {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::ReportEvent, self.0.id)
    }
    /// What happened: SUBMITTED, ACKNOWLEDGED, DISPATCHED, STARTED, RESOLVED, CONFIRMED, CLOSED, AUTO_CLOSED,
    /// REOPENED, CANCELLED, REJECTED, DUPLICATE, URGED, ESCALATED, MERGED.
    async fn kind(&self) -> String {
        self.0.kind.to_value()
    }
    /// In which role the actor acted (REPORTER, NEIGHBOUR_HEAD, GROUP_HEAD, AREA_HEAD, COMMUNITY_ADMIN,
    /// PROPERTY_STAFF, SYSTEM).
    async fn actor_role(&self) -> String {
        self.0.actor_role.to_value()
    }
    /// The actor's name: heads, admins and staff by name; the reporter as the `reporter` field shows them.
    async fn actor_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(id) = self.0.actor_id else { return Ok(None) };
        let u = loaders(ctx).user.load_one(id).await.map_err(AppError::from)?;
        Ok(self.1.actor_name(&self.0, u.as_ref()))
    }
    /// Status before, if it changed.
    async fn from_status(&self) -> Option<Status> {
        self.0.from_status
    }
    /// Status after, if it changed.
    async fn to_status(&self) -> Option<Status> {
        self.0.to_status
    }
    /// The note or reason given (while under review, only for its author, the heads, the company and the admins).
    async fn note(&self) -> Option<&str> {
        self.1.note(&self.0)
    }
    /// Content safety of the note.
    async fn moderation(&self) -> Moderation {
        self.0.moderation
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// For an ESCALATED step: from which level to which, and why.
    async fn escalation(&self) -> Option<EscalationStep> {
        match (self.0.from_level, self.0.to_level, self.0.reason) {
            (Some(from_level), Some(to_level), Some(reason)) => Some(EscalationStep { from_level, to_level, reason }),
            _ => None,
        }
    }
}

/// A comment on a report, as the caller may see it.
pub struct Comment(pub report_comment::Model, pub Arc<ReportView>);

#[Object]
impl Comment {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::Comment, self.0.id)
    }
    /// The text.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Content safety: REVIEW and PENDING comments are listed only to their author, the heads, the company and
    /// the admins until they pass.
    async fn moderation(&self) -> Moderation {
        self.0.moderation
    }
    /// The author's role toward the report.
    async fn author_role(&self) -> String {
        self.0.author_role.to_value()
    }
    /// Photos with the comment, oldest first.
    async fn photos(&self, ctx: &Context<'_>) -> Result<Vec<super::media::Photo>> {
        Ok(super::media::of_comment(ctx, &self.0, &self.1).await?)
    }
    /// The author's display name.
    // The reporter as the report's `reporter` field shows them (masked, or 匿名居民 when anonymous to the caller),
    // anyone else by name: decided by the report's view.
    async fn author_name(&self, ctx: &Context<'_>) -> Result<String> {
        let u = loaders(ctx).user.load_one(self.0.author_id).await.map_err(AppError::from)?;
        Ok(self.1.author_name(&self.0, u.as_ref()))
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Input of `submitReport`. Give a building (with unit and room), or a compound with a public area; give neither
/// to mean the reporter's own home.
#[derive(InputObject)]
pub struct SubmitReportInput {
    /// The category.
    pub category_id: ID,
    /// 5..2000 characters.
    pub description: String,
    /// Default NORMAL.
    #[graphql(default_with = "Urgency::Normal")]
    pub urgency: Urgency,
    /// A building of the compound.
    pub building_id: Option<ID>,
    /// Unit number in that building.
    pub unit: Option<i32>,
    /// Room.
    pub room: Option<String>,
    /// The compound, for a problem in a public area.
    pub compound_id: Option<ID>,
    /// Where in the compound ("3号楼北侧停车场").
    pub public_area: Option<String>,
    /// -90..90.
    pub latitude: Option<f64>,
    /// -180..180.
    pub longitude: Option<f64>,
    /// Hide the reporter from other residents (heads and the community still see who it is).
    #[graphql(default)]
    pub anonymous: bool,
    /// Any string unique per report on this device: a retry with the same key returns the same report instead of
    /// a second one.
    pub idempotency_key: Option<String>,
    /// Up to 9 photos of the problem (BEFORE photos): ids from `POST /upload`, the caller's own, not yet attached.
    pub photo_ids: Option<Vec<ID>>,
}

/// Input of `updateCategory`: only the fields given change.
#[derive(InputObject)]
pub struct UpdateCategoryInput {
    /// Chinese name.
    pub name_zh: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Whether reports usually go to the property company.
    pub to_property_by_default: Option<bool>,
    /// Hours to acknowledge a NORMAL report.
    pub ack_hours_normal: Option<i32>,
    /// Hours to resolve a NORMAL report.
    pub resolve_hours_normal: Option<i32>,
    /// Hours to acknowledge an URGENT report.
    pub ack_hours_urgent: Option<i32>,
    /// Hours to resolve an URGENT report.
    pub resolve_hours_urgent: Option<i32>,
    /// Hours for a head to handle (fix or dispatch) an acknowledged NORMAL report.
    pub dispatch_hours_normal: Option<i32>,
    /// The same, URGENT.
    pub dispatch_hours_urgent: Option<i32>,
    /// Hours for the company to start a dispatched NORMAL report.
    pub start_hours_normal: Option<i32>,
    /// The same, URGENT.
    pub start_hours_urgent: Option<i32>,
    /// Offered to residents.
    pub active: Option<bool>,
}

/// Report queries.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// One report, if the caller may see it.
    async fn report(&self, ctx: &Context<'_>, id: ID) -> Result<Report> {
        let id = arg_id(&id, Kind::Report, "id")?;
        let view = query::one(state(ctx), actor(ctx), id).await?;
        let la = ctx.look_ahead();
        prime_relations(ctx, std::slice::from_ref(&*view.row), |field| la.field(field).exists()).await?;
        Ok(Report::seen(view))
    }

    /// The caller's own reports, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn my_reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<Status>,
    ) -> Result<Conn<Report>> {
        let p = query::mine(state(ctx), actor(ctx), status, page_args(first, after)?, page_with(ctx)).await?;
        let p = prime(ctx, p).await?;
        Ok(connection(p, |r| r.id, Report::new))
    }

    /// A head's tasks: reports in their neighbourhoods (or a group or area head's whole subtree, a community
    /// admin's community, a street admin's street). Order: escalated reports first, then the longest waiting, each
    /// supporter ("me too") counting as one hour more of waiting, at most 24. Without `status`: those waiting for a
    /// head (SUBMITTED, ACKNOWLEDGED, REOPENED). `escalated: true`: only those that reached their level by
    /// escalation.
    ///
    /// The other filters: `category`, `compound`, `overdue` (past the current due time, or not), `supported`
    /// (residents said "me too", or nobody did) and `search` (words the description contains, at most 50
    /// characters; only descriptions that passed the content check).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn task_inbox(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<Status>,
        category: Option<ID>,
        compound: Option<ID>,
        escalated: Option<bool>,
        overdue: Option<bool>,
        supported: Option<bool>,
        search: Option<String>,
    ) -> Result<Conn<Report>> {
        let filter = list_filter(ListArgs { status, category, compound, escalated, overdue, supported, search })?;
        let p = query::inbox(state(ctx), actor(ctx), filter, first, after.as_deref(), page_with(ctx)).await?;
        let p = prime(ctx, p).await?;
        Ok(waiting_connection(p))
    }

    /// Property staff: reports dispatched to their company, in the inbox's order (escalated first, then the longest
    /// waiting, raised by supporters). Without `status`: DISPATCHED, IN_PROGRESS, REOPENED and RESOLVED (to close
    /// once the resident confirms). The other filters as `taskInbox`'s.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn ticket_queue(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<Status>,
        category: Option<ID>,
        compound: Option<ID>,
        escalated: Option<bool>,
        overdue: Option<bool>,
        supported: Option<bool>,
        search: Option<String>,
    ) -> Result<Conn<Report>> {
        let filter = list_filter(ListArgs { status, category, compound, escalated, overdue, supported, search })?;
        let p = query::queue(state(ctx), actor(ctx), filter, first, after.as_deref(), page_with(ctx)).await?;
        let p = prime(ctx, p).await?;
        Ok(waiting_connection(p))
    }

    /// The report categories, in display order (inactive ones too for district admins); public. Asked for without a token
    /// over GET (a persisted query), the answer is public and may be cached for five minutes.
    #[graphql(cache_control(max_age = 300))]
    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        // Public: what can be reported is no secret (a page before login, Open311's service list).
        let all = match actor(ctx).user_id() {
            Ok(_) => actor(ctx).roles(state(ctx)).await?.any(crate::auth::Role::DistrictAdmin),
            Err(_) => false,
        };
        Ok(cat::all(state(ctx), all).await?.into_iter().map(Category).collect())
    }
}

/// The filter arguments an inbox or a queue (and their subscriptions) take.
pub(super) struct ListArgs {
    pub status: Option<Status>,
    pub category: Option<ID>,
    pub compound: Option<ID>,
    pub escalated: Option<bool>,
    pub overdue: Option<bool>,
    pub supported: Option<bool>,
    pub search: Option<String>,
}

/// The list's filter from its arguments (BAD_INPUT for a malformed id or a search too long).
pub(super) fn list_filter(a: ListArgs) -> Result<query::Filter, crate::error::AppError> {
    Ok(query::Filter {
        status: a.status,
        category: a.category.map(|c| arg_id(&c, Kind::Category, "category")).transpose()?,
        compound: a.compound.map(|c| arg_id(&c, Kind::Compound, "compound")).transpose()?,
        escalated: a.escalated,
        overdue: a.overdue,
        supported: a.supported,
        search: crate::service::validate::search(a.search.as_deref())?,
    })
}

/// Whether the client selected `field` on the nodes of the connection being resolved.
fn wants(ctx: &Context<'_>, field: &str) -> bool {
    let la = ctx.look_ahead();
    la.field("nodes").field(field).exists() || la.field("edges").field("node").field(field).exists()
}

/// The rows a page of reports should bring along: those the client asked for. The reporter's user is joined in only
/// for their phone (their name is on the report), the newest event only when the client asks for more of it than
/// the report row carries.
fn page_with(ctx: &Context<'_>) -> query::With {
    let la = ctx.look_ahead();
    let nodes = [la.field("nodes"), la.field("edges").field("node")];
    let full_event = nodes
        .iter()
        .flat_map(|node| node.field("lastEvent").selection_fields())
        .any(|f| needs_full_event(f.selection_set()));
    let reporter_phone = nodes.iter().any(|node| node.field("reporter").field("phone").exists());
    query::With { reporter: reporter_phone, last_event: full_event }
}

/// The fields of a timeline event that its report's row carries (`last_event_kind`, `last_event_at`).
const EVENT_SUMMARY: [&str; 4] = ["id", "kind", "at", "__typename"];

/// Whether a selection of a report's newest event asks for more than its report's row carries.
fn needs_full_event<'a>(mut fields: impl Iterator<Item = async_graphql::SelectionField<'a>>) -> bool {
    fields.any(|f| !EVENT_SUMMARY.contains(&f.name()))
}

/// A report's newest event built from the report's row: only its id, kind and time are real, so it is used only
/// when the client selected nothing else ([`needs_full_event`]).
fn summary_event(r: &report::Model, id: Uuid, kind: entity::enums::EventKind, at: DateTime<Utc>) -> report_event::Model {
    report_event::Model {
        id,
        created_at: at,
        kind,
        // Never shown: only `id`, `kind` and `at` are selected when this summary is used.
        actor_role: entity::enums::ActorRole::System,
        from_status: None,
        to_status: None,
        note: None,
        report_id: r.id,
        actor_id: None,
        moderation: Moderation::Pass,
        from_level: None,
        to_level: None,
        reason: None,
    }
}

/// Keeps the rows the page's statement joined in, and loads the other relations the client asked for, so that
/// resolving them per report hits the request's loader caches: a page costs the same number of statements whatever
/// its size.
async fn prime(ctx: &Context<'_>, p: query::ReportPage) -> Result<crate::service::page::Page<report::Model>> {
    let l = loaders(ctx);
    loaders::feed(&l.user, p.reporters, |u| u.id).await;
    loaders::feed(&l.report_event, p.last_events, |e| e.id).await;
    prime_relations(ctx, &p.page.items, |field| wants(ctx, field)).await?;
    Ok(p.page)
}

/// Loads the relations of `items` that `wants` says the client selected, one statement each, side by side and
/// straight through their loaders (categories come from the process's cache). Resolved one report at a time they
/// would each wait out the DataLoader's batching delay on a timer thread.
async fn prime_relations(ctx: &Context<'_>, items: &[report::Model], wants: impl Fn(&str) -> bool) -> Result<()> {
    let l = loaders(ctx);
    let ids = |f: fn(&report::Model) -> Option<Uuid>| items.iter().filter_map(f).collect::<Vec<_>>();
    let when = |yes: bool, keys: Vec<Uuid>| if yes { keys } else { Vec::new() };
    let (a, b, c, d, e) = futures::join!(
        loaders::prime(&l.compound, when(wants("compound") || wants("location"), ids(|r| Some(r.compound_id)))),
        loaders::prime(&l.category, when(wants("category") || wants("sla"), ids(|r| Some(r.category_id)))),
        loaders::prime(&l.neighbourhood, when(wants("neighbourhood"), ids(|r| r.neighbourhood_id))),
        loaders::prime(&l.company, when(wants("assignedCompany"), ids(|r| r.company_id))),
        loaders::prime(&l.community, when(wants("community"), ids(|r| Some(r.community_id)))),
    );
    for r in [a, b, c, d, e] {
        r.map_err(AppError::from)?;
    }
    if wants("photos") {
        super::media::prime_reports(ctx, ids(|r| Some(r.id))).await?;
    }
    Ok(())
}

fn waiting_connection(p: crate::service::page::Page<report::Model>) -> Conn<Report> {
    let mut c = Conn::new(p.has_previous, p.has_next);
    c.edges.extend(p.items.into_iter().map(|r| async_graphql::connection::Edge::new(query::waiting_cursor(&r), Report::new(r))));
    c
}

/// Report mutations.
#[derive(Default)]
pub struct ReportMutation;

async fn run(ctx: &Context<'_>, id: &ID, action: Action, input: act::Input) -> Result<Report> {
    run_with_photos(ctx, id, action, input, None).await
}

async fn run_with_photos(
    ctx: &Context<'_>,
    id: &ID,
    action: Action,
    input: act::Input,
    photo_ids: Option<Vec<ID>>,
) -> Result<Report> {
    let id = arg_id(id, Kind::Report, "id")?;
    let photos = super::media::photo_ids(photo_ids)?;
    Ok(Report::new(act::act_with_photos(state(ctx), actor(ctx), id, action, input, &photos).await?))
}

fn with_note(note: Option<String>) -> act::Input {
    act::Input { note, ..Default::default() }
}

#[Object]
impl ReportMutation {
    /// A verified resident reports a problem in their compound.
    async fn submit_report(&self, ctx: &Context<'_>, input: SubmitReportInput) -> Result<Report> {
        let new = submit::NewReport {
            category: arg_id(&input.category_id, Kind::Category, "categoryId")?,
            description: input.description,
            urgency: input.urgency,
            location: submit::Location {
                building: input.building_id.map(|b| arg_id(&b, Kind::Building, "buildingId")).transpose()?,
                unit: input.unit,
                room: input.room,
                compound: input.compound_id.map(|c| arg_id(&c, Kind::Compound, "compoundId")).transpose()?,
                public_area: input.public_area,
                latitude: input.latitude,
                longitude: input.longitude,
            },
            anonymous: input.anonymous,
            idempotency_key: input.idempotency_key,
            intake: false,
        };
        let photos = super::media::photo_ids(input.photo_ids)?;
        Ok(Report::new(submit::submit_with_photos(state(ctx), actor(ctx), new, &photos).await?))
    }
    /// A head takes up a submitted report.
    async fn acknowledge_report(&self, ctx: &Context<'_>, id: ID, note: Option<String>) -> Result<Report> {
        run(ctx, &id, Action::Acknowledge, with_note(note)).await
    }
    /// A head sends an acknowledged (or reopened) report to the compound's property company.
    async fn dispatch_report(&self, ctx: &Context<'_>, id: ID, note: Option<String>) -> Result<Report> {
        run(ctx, &id, Action::Dispatch, with_note(note)).await
    }
    /// The property company starts work.
    async fn start_work(&self, ctx: &Context<'_>, id: ID, note: Option<String>) -> Result<Report> {
        run(ctx, &id, Action::StartWork, with_note(note)).await
    }
    /// Reports it fixed (a head for what they handled themselves, the company for dispatched work), with up to 9
    /// AFTER photos uploaded through `POST /upload`.
    async fn resolve_report(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
        photo_ids: Option<Vec<ID>>,
    ) -> Result<Report> {
        run_with_photos(ctx, &id, Action::Resolve, with_note(note), photo_ids).await
    }
    /// The property company closes a resolution the resident confirmed.
    async fn close_report(&self, ctx: &Context<'_>, id: ID, note: Option<String>) -> Result<Report> {
        run(ctx, &id, Action::Close, with_note(note)).await
    }
    /// The reporter confirms the fix and rates it 1..5.
    async fn confirm_resolution(&self, ctx: &Context<'_>, id: ID, rating: i32, comment: Option<String>) -> Result<Report> {
        run(ctx, &id, Action::Confirm, act::Input { rating: Some(rating), comment, ..Default::default() }).await
    }
    /// The reporter says it is not fixed, with up to 9 BEFORE photos of how it still is.
    async fn reopen_report(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
        photo_ids: Option<Vec<ID>>,
    ) -> Result<Report> {
        let input = act::Input { reason: Some(reason), ..Default::default() };
        run_with_photos(ctx, &id, Action::Reopen, input, photo_ids).await
    }
    /// The reporter withdraws a report not yet dispatched.
    async fn cancel_report(&self, ctx: &Context<'_>, id: ID, reason: Option<String>) -> Result<Report> {
        run(ctx, &id, Action::Cancel, act::Input { reason, ..Default::default() }).await
    }
    /// A head refuses a report, saying why.
    async fn reject_report(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Report> {
        run(ctx, &id, Action::Reject, act::Input { reason: Some(reason), ..Default::default() }).await
    }
    /// A head marks a report as the same problem as an earlier one in the compound.
    async fn mark_duplicate(&self, ctx: &Context<'_>, id: ID, original_id: ID) -> Result<Report> {
        let original = arg_id(&original_id, Kind::Report, "originalId")?;
        run(ctx, &id, Action::MarkDuplicate, act::Input { original: Some(original), ..Default::default() }).await
    }
    /// Comments on a report (the reporter, the heads above, the community, the assigned company), with up to 9
    /// photos.
    async fn add_comment(&self, ctx: &Context<'_>, id: ID, body: String, photo_ids: Option<Vec<ID>>) -> Result<Comment> {
        let id = arg_id(&id, Kind::Report, "id")?;
        let photos = super::media::photo_ids(photo_ids)?;
        let (comment, view) = act::add_comment_with_photos(state(ctx), actor(ctx), id, &body, &photos).await?;
        Ok(Comment(comment, Arc::new(view)))
    }
    /// The reporter nudges a stalled report (催单), at most once per 24 hours.
    async fn urge_report(&self, ctx: &Context<'_>, id: ID) -> Result<Report> {
        run(ctx, &id, Action::Urge, act::Input::default()).await
    }
    /// District admins edit a category's names, routing and SLA targets.
    async fn update_category(&self, ctx: &Context<'_>, id: ID, input: UpdateCategoryInput) -> Result<Category> {
        let id = arg_id(&id, Kind::Category, "id")?;
        let patch = cat::CategoryPatch {
            name_zh: input.name_zh,
            name_en: input.name_en,
            to_property: input.to_property_by_default,
            sla: [
                input.ack_hours_normal,
                input.resolve_hours_normal,
                input.ack_hours_urgent,
                input.resolve_hours_urgent,
                input.dispatch_hours_normal,
                input.dispatch_hours_urgent,
                input.start_hours_normal,
                input.start_hours_urgent,
            ],
            active: input.active,
        };
        Ok(Category(cat::update(state(ctx), actor(ctx), id, patch).await?))
    }
}
