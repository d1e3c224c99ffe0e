//! Background work on reports: closing resolutions the resident left unanswered. Safe with several replicas: each
//! close is the same version-guarded update as a user's, so a report is closed once whoever gets there first.
use std::time::Duration;

use entity::enums::EventKind;
use entity::report;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::act::{Step, apply};
use super::machine::{Action, Party, Status};
use super::{Standing, machine};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Closes every RESOLVED report whose resolution is older than the configured wait. Returns how many it closed.
pub async fn auto_close_due(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let wait = chrono::Duration::from_std(state.config.auto_close_after).map_err(anyhow::Error::from)?;
    let resolved = report::Entity::find().filter(report::Column::Status.eq(Status::Resolved));
    let due = crate::service::jobs::due(&state.db, resolved, report::Column::ResolvedAt, now - wait, 200).await?;
    let mut closed = 0;
    for r in due {
        let Ok((party, to)) = machine::decide(Status::Resolved, Action::Close, &[Party::System], Default::default()) else {
            continue;
        };
        let sets = vec![(report::Column::ClosedAt, Expr::value(now)), (report::Column::AutoClosed, Expr::value(true))];
        let step = Step {
            kind: EventKind::AutoClosed,
            party,
            lead: Standing::default(),
            note: Some(format!("居民 {} 小时内未确认，系统自动结单", wait.num_hours())),
            checked: Default::default(),
            escalate: None,
        };
        match apply(state, &r, to, sets, step, None, now, None).await {
            Ok(_) => closed += 1,
            // Another replica (or the resident) got there first.
            Err(AppError::Conflict(_) | AppError::StatusConflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(closed)
}

/// Runs the auto-close every `interval` until the process ends.
pub fn spawn(state: AppState, interval: Duration) {
    crate::service::jobs::every(state, interval, "auto-closed resolved reports", |s| async move { auto_close_due(&s).await });
}
