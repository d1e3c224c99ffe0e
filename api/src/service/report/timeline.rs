//! The timeline subscriber: a report's own history. Every submit and every action writes one `report_event` row,
//! in the change's transaction, with the id the report's `last_event_id` already points at.
use entity::report_event;
use sea_orm::{EntityTrait, Set};

use crate::error::AppResult;
use crate::service::events::{Cx, DomainEvent};

/// Writes the timeline step of a report change; other events have no timeline.
pub async fn on_event(cx: &Cx<'_>, e: &DomainEvent) -> AppResult<()> {
    let Some(c) = e.report_change() else { return Ok(()) };
    // A status shows on the step only when it changed (a new report "changes" from nothing to SUBMITTED).
    let changed = c.from != Some(c.to);
    let step = report_event::ActiveModel {
        id: Set(c.event_id),
        created_at: Set(cx.at),
        kind: Set(c.kind),
        actor_role: Set(c.role),
        from_status: Set(if changed { c.from } else { None }),
        to_status: Set(changed.then_some(c.to)),
        note: Set(c.note.clone()),
        report_id: Set(c.report.id),
        actor_id: Set(cx.actor),
        moderation: Set(c.note_moderation),
        from_level: Set(c.escalation.as_ref().map(|x| x.from)),
        to_level: Set(c.escalation.as_ref().map(|x| x.to)),
        reason: Set(c.escalation.as_ref().map(|x| x.reason)),
    };
    report_event::Entity::insert(step).exec_without_returning(cx.db).await?;
    Ok(())
}
