//! `similarReports`: before a resident submits, up to 5 reports that are probably the same problem, so they can
//! say "me too" instead. Candidates come from one indexed statement (the same category in the same compound, open
//! or closed in the last 14 days, newest first, at most [`CANDIDATES`]); [`similar_rank`] orders them by place,
//! time and text. The text similarity is computed here, the same on both databases. PostgreSQL's `pg_trgm` was
//! tried and not used: it takes a run of Chinese characters for one word (there are no spaces between words), so
//! two descriptions of one blocked drain in other words score about 0.03 (`similarity('1单元下水管堵了，一楼厨房返水',
//! '厨房下水道堵了，污水往上冒')` on this project's PostgreSQL 15, C.UTF-8), where `similar_rank`'s characters,
//! bigrams and trigrams find them; and the candidates are a few hundred rows of one indexed range, so no text index
//! is needed to find them. Only what the caller may see comes back (the report view decides), masked as usual.
use chrono::Duration;
use entity::report;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::machine::Status;
use super::similar_rank::{self, Candidate, Probe};
use super::view::ReportView;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::msg;
use crate::service::validate;
use crate::state::AppState;

/// How many candidates one probe reads at most.
pub const CANDIDATES: u64 = 300;
/// How many it answers at most.
pub const LIMIT: usize = 5;

/// What the resident is about to report.
pub struct Input {
    /// The category.
    pub category: Uuid,
    /// The compound (else the building's).
    pub compound: Option<Uuid>,
    /// The building.
    pub building: Option<Uuid>,
    /// The unit.
    pub unit: Option<i32>,
    /// What they are writing (may be empty).
    pub description: String,
    /// Coordinates.
    pub latitude: Option<f64>,
    /// Coordinates.
    pub longitude: Option<f64>,
}

/// The probably-same reports the caller may see, best first, with their scores.
pub async fn similar(state: &AppState, actor: &Actor, input: Input) -> AppResult<Vec<(ReportView, f64)>> {
    let description = input.description.chars().take(2000).collect::<String>();
    let compound = match (input.compound, input.building) {
        (Some(c), _) => c,
        (None, Some(b)) => state
            .lookup
            .compound_of_building(&state.db, b)
            .await?
            .ok_or_else(|| crate::service::places::not_found(crate::ids::Kind::Building))?,
        (None, None) => {
            return Err(AppError::bad_input("compoundId", msg!("请指明小区或楼栋", "Name the compound or the building")));
        }
    };
    if let Some(u) = input.unit {
        validate::range("unit", u, 1, 99)?;
    }
    let now = state.clock.now();
    let recent = now - Duration::days(14);
    let open = [Status::Submitted, Status::Acknowledged, Status::Dispatched, Status::InProgress, Status::Reopened, Status::Resolved];
    let rows = report::Entity::find()
        .filter(report::Column::CompoundId.eq(compound))
        .filter(report::Column::CategoryId.eq(input.category))
        .filter(
            Condition::any()
                .add(report::Column::Status.is_in(open))
                .add(Condition::all().add(report::Column::Status.eq(Status::Closed)).add(report::Column::ClosedAt.gte(recent))),
        )
        .order_by_desc(report::Column::Id)
        .limit(CANDIDATES)
        .all(&state.db)
        .await?;
    // The neighbourhood of the spot, to credit reports of the same neighbourhood.
    let neighbourhood = match (input.building, input.unit) {
        (Some(b), Some(u)) => entity::neighbourhood_unit::Entity::find()
            .filter(entity::neighbourhood_unit::Column::BuildingId.eq(b))
            .filter(entity::neighbourhood_unit::Column::Unit.eq(u))
            .one(&state.db)
            .await?
            .map(|n| n.neighbourhood_id),
        _ => None,
    };
    let probe = Probe {
        description: &description,
        building: input.building,
        unit: input.unit,
        neighbourhood,
        latitude: input.latitude,
        longitude: input.longitude,
        at: now,
    };
    let candidates: Vec<Candidate> = rows
        .iter()
        .map(|r| Candidate {
            id: r.id,
            description: &r.description,
            building: r.building_id,
            unit: r.unit,
            neighbourhood: r.neighbourhood_id,
            latitude: r.latitude,
            longitude: r.longitude,
            submitted_at: r.submitted_at,
        })
        .collect();
    // Rank more than we answer: some may not be the caller's to see.
    let ranked = similar_rank::rank(&probe, &candidates, state.config.similar_metres, LIMIT * 4);
    let mut out = Vec::new();
    for (id, score) in ranked {
        let Some(r) = rows.iter().find(|r| r.id == id) else { continue };
        let view = ReportView::of(state, actor, std::sync::Arc::new(r.clone())).await?;
        if view.standing.can_view {
            out.push((view, score));
        }
        if out.len() == LIMIT {
            break;
        }
    }
    Ok(out)
}
