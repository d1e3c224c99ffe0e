//! "Me too" and merging duplicates.
//!
//! A verified resident of a report's compound who meets the same problem supports the report instead of filing
//! again: counted once per person (a unique row per report and user, so twenty taps at once count one), told of
//! the report's status as its reporter is, and raising the report in its holders' inboxes (`sla::queue_key`). A
//! head or admin over two or more reports of one compound merges the duplicates into a primary: each duplicate
//! becomes DUPLICATE pointing at it, its reporter and supporters become supporters of the primary and are told, and
//! the primary's timeline says what was merged. Points already earned on a duplicate stay where they are.
use entity::enums::{ActorRole, EventKind, Moderation};
use entity::{report, report_support, residence};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QuerySelect, Set, SqlErr,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{AppError, AppResult, Denied};
use crate::ids::new_id;
use crate::msg;
use crate::service::events::{Change, DomainEvent, ReportChange};
use crate::service::report::act::{self, load_visible};
use crate::service::report::machine::{self, Action, Party};
use crate::service::report::view::ReportView;
use crate::service::report::role_label;
use crate::service::sla;
use crate::state::AppState;

/// At most this many duplicates in one merge.
pub const MAX_MERGE: usize = 20;

/// The compounds where `user` is a verified resident.
async fn home_compounds(state: &AppState, user: Uuid) -> AppResult<Vec<Uuid>> {
    let buildings: Vec<Uuid> = crate::service::people::verified(state, user, residence::Column::BuildingId).await?;
    let mut out = Vec::new();
    for b in buildings {
        if let Some(c) = state.lookup.compound_of_building(&state.db, b).await? {
            out.push(c);
        }
    }
    Ok(out)
}

/// A support row.
fn support_row(report: Uuid, user: Uuid, merged: bool, now: chrono::DateTime<chrono::Utc>) -> report_support::ActiveModel {
    report_support::ActiveModel { id: Set(new_id()), created_at: Set(now), merged: Set(merged), report_id: Set(report), user_id: Set(user) }
}

/// Whether `user` supports report `id`.
pub async fn supports(state: &AppState, user: Uuid, id: Uuid) -> AppResult<bool> {
    Ok(report_support::Entity::find()
        .filter(report_support::Column::ReportId.eq(id))
        .filter(report_support::Column::UserId.eq(user))
        .count(&state.db)
        .await?
        > 0)
}

/// Which of `reports` `user` supports: one statement for a page (`Report.supportedByMe` on lists).
pub async fn supported_among(db: &impl ConnectionTrait, user: Uuid, reports: &[Uuid]) -> AppResult<Vec<Uuid>> {
    Ok(report_support::Entity::find()
        .select_only()
        .column(report_support::Column::ReportId)
        .filter(report_support::Column::UserId.eq(user))
        .filter(report_support::Column::ReportId.is_in(reports.to_vec()))
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// The row after its support count changed by `delta`, with its inbox key moved to match (the row is locked by the
/// first UPDATE on PostgreSQL; SQLite has one writer: the count the key is computed from is the committed one).
async fn recount(change: &Change<'_>, id: Uuid, delta: i32) -> AppResult<report::Model> {
    let up = report::Entity::update_many()
        .col_expr(report::Column::SupportCount, Expr::col(report::Column::SupportCount).add(delta))
        .filter(report::Column::Id.eq(id));
    let row = sla::returning(change.db(), up, id).await?;
    let key = sla::queue_key(row.waiting_since, row.escalated_at.is_some(), row.support_count);
    let up = report::Entity::update_many().col_expr(report::Column::QueueAt, Expr::value(key)).filter(report::Column::Id.eq(id));
    sla::returning(change.db(), up, id).await
}

/// `supportReport(id)`: "me too". Idempotent: supporting twice counts once.
pub async fn support(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ReportView> {
    let user = actor.user_id()?;
    let view = load_visible(state, actor, id).await?;
    let r = &view.row;
    if r.reporter_id == user {
        return Err(AppError::Conflict(msg!("这是您自己的报告", "This is your own report")));
    }
    if machine::is_terminal(r.status) {
        return Err(AppError::StatusConflict {
            msg: msg!("报告已结束，不能再附议", "The report is over; it cannot be supported now"),
            current: sea_orm::ActiveEnum::to_value(&r.status),
        });
    }
    if !home_compounds(state, user).await?.contains(&r.compound_id) {
        return Err(AppError::forbidden_msg(msg!(
            "只有本小区已认证的居民可以附议",
            "Only verified residents of the compound can support its reports"
        )));
    }
    let now = state.clock.now();
    let mut change = Change::begin_at(state, Some(user), now).await?;
    match report_support::Entity::insert(support_row(id, user, false, now)).exec_without_returning(change.db()).await {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            // Already supported (maybe by the same tap a moment ago): counted once.
            drop(change);
            return load_visible(state, actor, id).await;
        }
        Err(e) => return Err(e.into()),
    }
    let after = recount(&change, id, 1).await?;
    change.emit(DomainEvent::ReportSupported { report: id, user, count: after.support_count }).await?;
    change.commit().await?;
    load_visible(state, actor, id).await
}

/// `withdrawSupport(id)`: takes a "me too" back. Idempotent.
pub async fn withdraw(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ReportView> {
    let user = actor.user_id()?;
    load_visible(state, actor, id).await?;
    let now = state.clock.now();
    let mut change = Change::begin_at(state, Some(user), now).await?;
    let gone = report_support::Entity::delete_many()
        .filter(report_support::Column::ReportId.eq(id))
        .filter(report_support::Column::UserId.eq(user))
        .exec(change.db())
        .await?;
    if gone.rows_affected == 0 {
        drop(change);
        return load_visible(state, actor, id).await;
    }
    let after = recount(&change, id, -1).await?;
    change.emit(DomainEvent::SupportWithdrawn { report: id, user, count: after.support_count }).await?;
    change.commit().await?;
    load_visible(state, actor, id).await
}

/// `mergeReports(primaryId, duplicateIds)`, by a head or admin over all of them, within one compound.
pub async fn merge(state: &AppState, actor: &Actor, primary: Uuid, duplicates: &[Uuid]) -> AppResult<ReportView> {
    let user = actor.user_id()?;
    let mut ids: Vec<Uuid> = duplicates.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_MERGE || ids.contains(&primary) {
        return Err(AppError::bad_input(
            "duplicateIds",
            msg!("请列出 1 到 20 份其他报告", "List 1 to 20 other reports"),
        ));
    }
    let p = load_visible(state, actor, primary).await?;
    let lead = |v: &ReportView| v.standing.parties.iter().any(|x| matches!(x, Party::Head | Party::Admin));
    if !lead(&p) {
        return Err(AppError::denied(Denied::NotAParty));
    }
    if machine::is_terminal(p.row.status) {
        return Err(AppError::StatusConflict {
            msg: msg!("主报告已结束，不能合并到它", "The primary report is over; nothing can be merged into it"),
            current: sea_orm::ActiveEnum::to_value(&p.row.status),
        });
    }
    let now = state.clock.now();
    let mut dups = Vec::new();
    for id in &ids {
        let d = load_visible(state, actor, *id).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::bad_input("duplicateIds", msg!("有报告不存在", "A listed report does not exist")),
            other => other,
        })?;
        if d.row.compound_id != p.row.compound_id {
            return Err(AppError::bad_input(
                "duplicateIds",
                msg!("只能合并同一小区的报告", "Only reports of the same compound can be merged"),
            ));
        }
        let (party, to) = machine::decide(d.row.status, Action::MarkDuplicate, &d.standing.parties, act::facts(&d.row, now))
            .map_err(|_| AppError::StatusConflict {
                msg: msg!("有报告已在处理或已结束，不能合并", "A listed report is already being worked on or is over"),
                current: sea_orm::ActiveEnum::to_value(&d.row.status),
            })?;
        dups.push((d, party, to));
    }
    let policy = sla::Policy::of(state, &state.db, p.row.category_id, p.row.urgency, p.row.community_id).await?;
    // A merge by an admin is in the audit log (a head's is on the timelines only).
    let by = if p.standing.parties.contains(&Party::Admin) && !p.standing.parties.contains(&Party::Head) {
        let place = crate::service::places::of(&state.db, crate::ids::Kind::Community, p.row.community_id).await?;
        let scope = crate::service::audit::Scope::of(crate::ids::Kind::Community, p.row.community_id, &place);
        Some(crate::service::audit::Acted::new(Some(crate::auth::Role::CommunityAdmin), scope))
    } else {
        None
    };
    let mut change = Change::begin_at(state, Some(user), now).await?;
    let mut moved = Vec::new();
    let mut told_as_reporters = Vec::new();
    for (d, party, to) in &dups {
        let r = &d.row;
        let event_id = new_id();
        let mut up = report::Entity::update_many()
            .col_expr(report::Column::Status, Expr::value(*to))
            .col_expr(report::Column::DuplicateOf, Expr::value(primary))
            .col_expr(report::Column::EndedAt, Expr::value(now))
            .col_expr(report::Column::WaitingSince, Expr::value(now))
            .col_expr(report::Column::Version, Expr::value(r.version + 1))
            .col_expr(report::Column::LastEventId, Expr::value(event_id))
            .col_expr(report::Column::LastEventKind, Expr::value(EventKind::Duplicate))
            .col_expr(report::Column::LastEventAt, Expr::value(now))
            .filter(report::Column::Id.eq(r.id))
            .filter(report::Column::Version.eq(r.version));
        for (c, v) in sla::on_status(&policy, r, *to, now) {
            up = up.col_expr(c, v);
        }
        if up.exec(change.db()).await?.rows_affected != 1 {
            return Err(AppError::Conflict(msg!(
                "有报告刚刚被他人更新，请刷新后重试",
                "A listed report was just updated by someone else; refresh and try again"
            )));
        }
        let row = report::Entity::find_by_id(r.id).one(change.db()).await?.ok_or_else(act::not_found)?;
        let note = crate::ids::encode(crate::ids::Kind::Report, primary).0;
        change
            .emit(DomainEvent::ReportActed(ReportChange {
                report: row,
                event_id,
                kind: EventKind::Duplicate,
                from: Some(r.status),
                to: *to,
                party: *party,
                role: role_label(*party, d.standing.lead_role),
                note_moderation: Moderation::Pass,
                note: Some(note),
                escalation: None,
                holders: None,
            }))
            .await?;
        // Its reporter and its supporters follow the primary now.
        let mut people: Vec<Uuid> = report_support::Entity::find()
            .select_only()
            .column(report_support::Column::UserId)
            .filter(report_support::Column::ReportId.eq(r.id))
            .into_tuple()
            .all(change.db())
            .await?;
        told_as_reporters.push(r.reporter_id);
        people.push(r.reporter_id);
        for u in people.into_iter().filter(|u| *u != p.row.reporter_id) {
            let am = support_row(primary, u, true, now);
            let on_conflict = OnConflict::columns([report_support::Column::ReportId, report_support::Column::UserId]).do_nothing().to_owned();
            report_support::Entity::insert(am).on_conflict(on_conflict).exec_without_returning(change.db()).await?;
            if !moved.contains(&u) {
                moved.push(u);
            }
        }
    }
    // The primary: its exact supporter count, its inbox key, and a timeline step naming what was merged.
    let count = report_support::Entity::find().filter(report_support::Column::ReportId.eq(primary)).count(change.db()).await? as i32;
    let pr = &p.row;
    let event_id = new_id();
    let up = report::Entity::update_many()
        .col_expr(report::Column::SupportCount, Expr::value(count))
        .col_expr(report::Column::QueueAt, Expr::value(sla::queue_key(pr.waiting_since, pr.escalated_at.is_some(), count)))
        .col_expr(report::Column::Version, Expr::col(report::Column::Version).add(1))
        .col_expr(report::Column::LastEventId, Expr::value(event_id))
        .col_expr(report::Column::LastEventKind, Expr::value(EventKind::Merged))
        .col_expr(report::Column::LastEventAt, Expr::value(now))
        .filter(report::Column::Id.eq(primary));
    let row = sla::returning(change.db(), up, primary).await?;
    let names: Vec<String> = ids.iter().map(|i| crate::ids::encode(crate::ids::Kind::Report, *i).0).collect();
    let (party, role) = match p.standing.parties.iter().find(|x| matches!(x, Party::Head | Party::Admin)) {
        Some(x) => (*x, role_label(*x, p.standing.lead_role)),
        None => (Party::Admin, ActorRole::CommunityAdmin),
    };
    change
        .emit(DomainEvent::ReportActed(ReportChange {
            report: row.clone(),
            event_id,
            kind: EventKind::Merged,
            from: Some(pr.status),
            to: pr.status,
            party,
            role,
            note_moderation: Moderation::Pass,
            note: Some(format!("合并了 {} 份重复报告：{}", ids.len(), names.join("、"))),
            escalation: None,
            holders: None,
        }))
        .await?;
    // The duplicates' reporters were told by their own DUPLICATE step; their supporters are told here.
    let supporters_moved: Vec<Uuid> = moved.iter().copied().filter(|u| !told_as_reporters.contains(u)).collect();
    let by = by.map(|b| b.after(serde_json::json!({ "duplicates": ids })));
    change.emit(DomainEvent::ReportsMerged { primary: row, duplicates: ids, moved: supporters_moved, by }).await?;
    change.commit().await?;
    load_visible(state, actor, primary).await
}
