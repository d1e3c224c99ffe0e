//! Content safety: every text other people read (a report's description, a comment, a reason or note on the
//! timeline) goes through WeChat's msg_sec_check before it is written. `risky` refuses the text (BAD_USER_INPUT
//! naming the field); `review` keeps it but hides it from other residents until a community admin approves it. When
//! WeChat cannot answer in time the text is accepted as PENDING (hidden the same way) and queued in
//! `content_check`, which a background job works off: the service never waits long on WeChat.
use std::time::Duration;

use chrono::Utc;
use entity::{app_user, content_check, report, report_comment, report_event};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::service::events::{Change, DomainEvent};
use crate::service::jobs;
use crate::ids::new_id;
use crate::msg;
use crate::state::AppState;
use crate::wechat::{Scene, Suggest};

/// Where a text stands (stored in `moderation` of reports, comments and timeline steps; the GraphQL enum
/// `Moderation`).
pub use entity::enums::Moderation;

/// What kind of row a checked text lives in (stored in `content_check.target_kind`).
pub use entity::enums::ContentTarget as Target;

/// The outcome of a check: the state to store, and the text to check again later if WeChat did not answer.
#[derive(Clone, Debug)]
pub struct Checked {
    /// Store this.
    pub moderation: Moderation,
    requeue: Option<(Scene, String, Uuid)>,
}

impl Default for Checked {
    fn default() -> Self {
        Checked::pass()
    }
}

impl Checked {
    /// Nothing to check (no text, or checks are off).
    pub fn pass() -> Self {
        Checked { moderation: Moderation::Pass, requeue: None }
    }

    /// Queues the text for a later check when WeChat did not answer; call in the transaction that writes `target`.
    pub async fn enqueue<C: ConnectionTrait>(&self, db: &C, kind: Target, target: Uuid) -> AppResult<()> {
        let Some((scene, content, author)) = &self.requeue else { return Ok(()) };
        content_check::ActiveModel {
            id: Set(new_id()),
            created_at: Set(Utc::now()),
            target_kind: Set(kind),
            target_id: Set(target),
            author_id: Set(*author),
            scene: Set(*scene as i16),
            content: Set(content.clone()),
            attempts: Set(0),
            next_at: Set(Utc::now() + chrono::Duration::seconds(30)),
            leased_until: Set(None),
        }
        .insert(db)
        .await?;
        Ok(())
    }
}

/// Checks `text` (written by `actor`, shown in `scene`) before it is stored. `field` names the argument in the
/// error when WeChat finds it risky.
pub async fn check(state: &AppState, actor: &Actor, field: &'static str, text: Option<&str>, scene: Scene) -> AppResult<Checked> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else { return Ok(Checked::pass()) };
    if !state.config.content_check {
        return Ok(Checked::pass());
    }
    let author = actor.user_id()?;
    let openid = app_user::Entity::find_by_id(author)
        .select_only()
        .column(app_user::Column::Openid)
        .into_tuple::<String>()
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::Unauthenticated(msg!("用户不存在", "The user no longer exists")))?;
    let call = state.wechat.msg_sec_check(&openid, scene, text);
    let verdict = match tokio::time::timeout(state.config.content_check_timeout, call).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            tracing::warn!(error = ?e, "msg_sec_check failed; text accepted and queued for a later check");
            return Ok(Checked { moderation: Moderation::Pending, requeue: Some((scene, text.to_owned(), author)) });
        }
        Err(_) => {
            tracing::warn!("msg_sec_check timed out; text accepted and queued for a later check");
            return Ok(Checked { moderation: Moderation::Pending, requeue: Some((scene, text.to_owned(), author)) });
        }
    };
    match verdict.suggest {
        Suggest::Pass => Ok(Checked::pass()),
        Suggest::Review => Ok(Checked { moderation: Moderation::Review, requeue: None }),
        Suggest::Risky => Err(AppError::bad_input(
            field,
            msg!(
                "内容含有违规信息，未能提交，请修改后重试",
                "The text was flagged as violating WeChat's content rules and was not saved; please reword it"
            ),
        )),
    }
}

/// Sets the moderation state of a stored text.
async fn set_state<C: ConnectionTrait>(db: &C, kind: Target, id: Uuid, m: Moderation) -> AppResult<()> {
    macro_rules! set_in {
        ($m:ident) => {
            $m::Entity::update_many().col_expr($m::Column::Moderation, Expr::value(m)).filter($m::Column::Id.eq(id)).exec(db).await?
        };
    }
    match kind {
        Target::Report => set_in!(report),
        Target::Comment => set_in!(report_comment),
        Target::Event => set_in!(report_event),
    };
    Ok(())
}

/// The scene a queued check was stored with (`content_check.scene`, written from [`Scene`]); none for a number that
/// is no scene.
fn scene_of(n: i16) -> Option<Scene> {
    [Scene::Profile, Scene::Comment, Scene::Forum, Scene::SocialLog].into_iter().find(|s| *s as i16 == n)
}

/// Checks queued texts again. Each row is leased first (a conditional update), so with several replicas a row
/// is checked by one of them. Returns how many rows got a verdict.
pub async fn recheck_due(state: &AppState) -> AppResult<usize> {
    let now = Utc::now();
    let due = jobs::due(&state.db, content_check::Entity::find(), content_check::Column::NextAt, now, 50).await?;
    let mut done = 0;
    for row in due {
        let Some(scene) = scene_of(row.scene) else {
            tracing::error!(id = %row.id, scene = row.scene, "queued content check with an unknown scene; left for a person");
            continue;
        };
        // Lease: only the replica whose update matched works on the row.
        let lease = content_check::Entity::update_many()
            .col_expr(content_check::Column::NextAt, Expr::value(now + chrono::Duration::minutes(5)))
            .filter(content_check::Column::Id.eq(row.id))
            .filter(content_check::Column::NextAt.eq(row.next_at))
            .exec(&state.db)
            .await?;
        if lease.rows_affected != 1 {
            continue;
        }
        let kind = row.target_kind;
        let openid = app_user::Entity::find_by_id(row.author_id).one(&state.db).await?.map(|u| u.openid).unwrap_or_default();
        match state.wechat.msg_sec_check(&openid, scene, &row.content).await {
            Ok(v) => {
                let m = match v.suggest {
                    Suggest::Pass => Moderation::Pass,
                    Suggest::Review => Moderation::Review,
                    Suggest::Risky => Moderation::Rejected,
                };
                let Some(report) = report_of(&state.db, kind, row.target_id).await? else {
                    content_check::Entity::delete_by_id(row.id).exec(&state.db).await?;
                    continue;
                };
                let mut change = Change::begin(state, None).await?;
                set_state(change.db(), kind, row.target_id, m).await?;
                content_check::Entity::delete_by_id(row.id).exec(change.db()).await?;
                let event = DomainEvent::ContentModerated { target: kind, id: row.target_id, report, moderation: m, by: None };
                change.emit(event).await?;
                change.commit().await?;
                done += 1;
            }
            Err(e) => {
                // Back off: 1, 2, 4 … minutes, at most an hour.
                let wait = chrono::Duration::minutes(1i64 << row.attempts.clamp(0, 6));
                tracing::info!(error = ?e, attempts = row.attempts + 1, "content recheck failed; will retry");
                content_check::Entity::update_many()
                    .col_expr(content_check::Column::Attempts, Expr::value(row.attempts + 1))
                    .col_expr(content_check::Column::NextAt, Expr::value(Utc::now() + wait))
                    .filter(content_check::Column::Id.eq(row.id))
                    .exec(&state.db)
                    .await?;
            }
        }
    }
    Ok(done)
}

/// The report a stored text belongs to.
async fn report_of<C: ConnectionTrait>(db: &C, kind: Target, id: Uuid) -> AppResult<Option<Uuid>> {
    Ok(match kind {
        Target::Report => report::Entity::find_by_id(id).one(db).await?.map(|r| r.id),
        Target::Comment => report_comment::Entity::find_by_id(id).one(db).await?.map(|c| c.report_id),
        Target::Event => report_event::Entity::find_by_id(id).one(db).await?.map(|e| e.report_id),
    })
}

/// A community admin (or a street or district admin above) approves or rejects a text under review. NOT_FOUND
/// for a text the caller may not see (its report is not theirs to see); FORBIDDEN for one they see but may not
/// moderate (a head, the company).
pub async fn moderate(state: &AppState, actor: &Actor, kind: Target, id: Uuid, approve: bool) -> AppResult<Moderation> {
    let not_found = || AppError::not_found("内容", "Content");
    // The report the text belongs to decides who may moderate it (the admins over its community) and who may know
    // it exists (those who may see the report).
    let report_id = report_of(&state.db, kind, id).await?.ok_or_else(not_found)?;
    let community = report::Entity::find_by_id(report_id).one(&state.db).await?.ok_or_else(not_found)?.community_id;
    let place = crate::service::places::of(&state.db, crate::ids::Kind::Community, community).await?;
    let level = match crate::service::authz::require_admin_over(&*actor.roles(state).await?, &place) {
        Ok(level) => level,
        Err(refusal) => {
            return Err(match crate::service::report::act::load_visible(state, actor, report_id).await {
                Ok(_) => refusal,
                Err(AppError::NotFound(_)) => not_found(),
                Err(other) => other,
            });
        }
    };
    let m = if approve { Moderation::Pass } else { Moderation::Rejected };
    let mut change = Change::begin(state, Some(actor.user_id()?)).await?;
    set_state(change.db(), kind, id, m).await?;
    // A text decided by a person needs no automatic check any more.
    content_check::Entity::delete_many()
        .filter(content_check::Column::TargetId.eq(id))
        .exec(change.db())
        .await?;
    let scope = crate::service::audit::Scope::of(crate::ids::Kind::Community, community, &place);
    let by = crate::service::audit::Acted::new(Some(level.role()), scope)
        .after(serde_json::json!({ "moderation": m, "report": report_id }));
    change.emit(DomainEvent::ContentModerated { target: kind, id, report: report_id, moderation: m, by: Some(by) }).await?;
    change.commit().await?;
    Ok(m)
}

/// Runs the recheck job every `interval`.
pub fn spawn(state: AppState, interval: Duration) {
    crate::service::jobs::every(state, interval, "rechecked queued texts", |s| async move { recheck_due(&s).await });
}

/// A text waiting for a community admin.
#[derive(Clone, Debug)]
pub struct QueueItem {
    /// Where it lives.
    pub kind: Target,
    /// The row's id.
    pub id: Uuid,
    /// The report it belongs to.
    pub report_id: Uuid,
    /// The text.
    pub text: String,
    /// REVIEW or PENDING.
    pub moderation: Moderation,
    /// When it was written.
    pub at: chrono::DateTime<Utc>,
}

/// `moderationQueue`: texts under review or not yet checked in the caller's communities (community admins),
/// oldest first. Three indexed statements (descriptions, comments, notes), merged by id (ids are time-ordered).
pub async fn queue(state: &AppState, actor: &Actor, args: crate::service::page::PageArgs) -> AppResult<crate::service::page::Page<QueueItem>> {
    use sea_orm::sea_query::Query;
    let roles = actor.roles(state).await?;
    let communities: Vec<Uuid> = roles.scopes(crate::auth::Role::CommunityAdmin).collect();
    if communities.is_empty() {
        return Err(AppError::forbidden_msg(msg!("审核队列只对社区管理员开放", "The moderation queue is for community admins")));
    }
    let waiting = [Moderation::Review, Moderation::Pending];
    let limit = args.first + 1;
    let after = args.after.unwrap_or(Uuid::nil());
    let of_communities = || {
        Query::select()
            .column(report::Column::Id)
            .from(report::Entity)
            .and_where(report::Column::CommunityId.is_in(communities.clone()))
            .to_owned()
    };
    macro_rules! waiting_in {
        ($m:ident, $scope:expr) => {
            $m::Entity::find()
                .filter($m::Column::Moderation.is_in(waiting))
                .filter($scope)
                .filter($m::Column::Id.gt(after))
                .order_by_asc($m::Column::Id)
                .limit(limit)
                .all(&state.db)
        };
    }
    let (reports, comments, events) = futures::try_join!(
        waiting_in!(report, report::Column::CommunityId.is_in(communities.clone())),
        waiting_in!(report_comment, report_comment::Column::ReportId.in_subquery(of_communities())),
        waiting_in!(report_event, report_event::Column::ReportId.in_subquery(of_communities())),
    )?;
    let item = |kind, id, report_id, text, moderation, at| QueueItem { kind, id, report_id, text, moderation, at };
    let mut items: Vec<QueueItem> = reports
        .into_iter()
        .map(|r| item(Target::Report, r.id, r.id, r.description, r.moderation, r.created_at))
        .chain(comments.into_iter().map(|c| item(Target::Comment, c.id, c.report_id, c.body, c.moderation, c.created_at)))
        .chain(events.into_iter().map(|e| item(Target::Event, e.id, e.report_id, e.note.unwrap_or_default(), e.moderation, e.created_at)))
        .collect();
    items.sort_by_key(|i| i.id);
    let has_next = items.len() as u64 > args.first;
    items.truncate(args.first as usize);
    Ok(crate::service::page::Page { items, has_next, has_previous: args.after.is_some() })
}
