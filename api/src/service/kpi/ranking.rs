//! `kpiRanking`: the children of a unit (the compounds of a community, street or district, the communities of a
//! street or district, the companies of a district, the heads of a community) ranked on one figure over a
//! period, with the previous period's rank.
//!
//! - Competition ranking: equal values share a rank and the next rank skips ("1, 2, 2, 4").
//! - A child with fewer counted reports than `minimumSample` (default 20) in the period, or with none the figure
//!   measures (no rating for AVERAGE_RATING …), has no rank: `insufficientData`, listed after the ranked ones.
//! - The previous period is the one just before, as long (whole months: the same number of months before).
//!   `change` = previous rank − rank: positive is a move up; null when either rank is missing.
//! - A head's figures are over the reports they acknowledged (submitted in the period, in the community).
//! - A company's figures are over the reports of the district dispatched to it.
use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{app_user, appointment, community, compound, grid_area, grid_group, neighbourhood, property_company, street};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::aggregate::{self, Dur, Key, KeyValue, Spec, Sums};
use super::{Figures, Period};
use crate::auth::{Actor, HEAD_ROLES};
use crate::error::{AppError, AppResult};
use crate::ids::Kind;
use crate::msg;
use crate::service::authz::ReadScope;
use crate::state::AppState;

/// What is ranked.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "KpiRanked")]
pub enum Ranked {
    /// The compounds of a community, street or district.
    Compound,
    /// The communities of a street or district.
    Community,
    /// The property companies registered in a district.
    Company,
    /// The heads (neighbour, group, area heads in office now, and whoever acknowledged reports in the period) of a
    /// community.
    Head,
}

/// Which way is better.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "KpiDirection")]
pub enum Direction {
    /// Smaller values rank first (hours, rates of things going wrong).
    LowerIsBetter,
    /// Larger values rank first (ratings, rates of things going right).
    HigherIsBetter,
}

/// A figure to rank on (its definition is the `KpiFigures` field of the same name).
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "KpiMetric")]
pub enum Metric {
    /// `timeToAcknowledge.p50Hours`; lower is better.
    MedianHoursToAcknowledge,
    /// `timeToAcknowledge.p50BusinessHours`; lower is better.
    MedianBusinessHoursToAcknowledge,
    /// `timeToResolve.p50Hours`; lower is better.
    MedianHoursToResolve,
    /// `timeToResolve.p50BusinessHours`; lower is better.
    MedianBusinessHoursToResolve,
    /// `acknowledgedWithinSlaRate`; higher is better.
    AcknowledgedWithinSlaRate,
    /// `resolvedWithinSlaRate`; higher is better.
    ResolvedWithinSlaRate,
    /// `breachRate.any`; lower is better.
    BreachRate,
    /// `escalationsPerReport`; lower is better.
    EscalationsPerReport,
    /// `reopenRate`; lower is better.
    ReopenRate,
    /// `confirmationRate`; higher is better.
    ConfirmationRate,
    /// `autoCloseRate`; lower is better.
    AutoCloseRate,
    /// `averageRating`; higher is better.
    AverageRating,
    /// `firstTimeFixRate`; higher is better.
    FirstTimeFixRate,
    /// `counted` (reports received, duplicates left out); lower is better.
    Reports,
}

impl Metric {
    /// Which way is better.
    pub fn direction(self) -> Direction {
        match self {
            Metric::AcknowledgedWithinSlaRate
            | Metric::ResolvedWithinSlaRate
            | Metric::ConfirmationRate
            | Metric::AverageRating
            | Metric::FirstTimeFixRate => Direction::HigherIsBetter,
            Metric::MedianHoursToAcknowledge
            | Metric::MedianBusinessHoursToAcknowledge
            | Metric::MedianHoursToResolve
            | Metric::MedianBusinessHoursToResolve
            | Metric::BreachRate
            | Metric::EscalationsPerReport
            | Metric::ReopenRate
            | Metric::AutoCloseRate
            | Metric::Reports => Direction::LowerIsBetter,
        }
    }

    fn durations(self) -> Vec<Dur> {
        match self {
            Metric::MedianHoursToAcknowledge => vec![Dur::AckWall],
            Metric::MedianBusinessHoursToAcknowledge => vec![Dur::AckBiz],
            Metric::MedianHoursToResolve => vec![Dur::ResolveWall],
            Metric::MedianBusinessHoursToResolve => vec![Dur::ResolveBiz],
            _ => Vec::new(),
        }
    }

    /// The value of the figure.
    pub fn value(self, f: &Figures) -> Option<f64> {
        match self {
            Metric::MedianHoursToAcknowledge => f.time_to_acknowledge.p50_hours,
            Metric::MedianBusinessHoursToAcknowledge => f.time_to_acknowledge.p50_business_hours,
            Metric::MedianHoursToResolve => f.time_to_resolve.p50_hours,
            Metric::MedianBusinessHoursToResolve => f.time_to_resolve.p50_business_hours,
            Metric::AcknowledgedWithinSlaRate => f.acknowledged_within_sla_rate,
            Metric::ResolvedWithinSlaRate => f.resolved_within_sla_rate,
            Metric::BreachRate => f.breach_rate.any,
            Metric::EscalationsPerReport => f.escalations_per_report,
            Metric::ReopenRate => f.reopen_rate,
            Metric::ConfirmationRate => f.confirmation_rate,
            Metric::AutoCloseRate => f.auto_close_rate,
            Metric::AverageRating => f.average_rating,
            Metric::FirstTimeFixRate => f.first_time_fix_rate,
            Metric::Reports => Some(f.counted as f64),
        }
    }
}

/// One ranked child.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Its kind (Compound, Community, PropertyCompany, User).
    pub kind: Kind,
    /// Its id.
    pub id: Uuid,
    /// Its name (a head's public name).
    pub name: String,
    /// Counted reports in the period.
    pub sample: i64,
    /// The figure (none: nothing to measure).
    pub value: Option<f64>,
    /// Its rank (none: insufficient data).
    pub rank: Option<i32>,
    /// Below the minimum sample, or nothing to measure.
    pub insufficient_data: bool,
    /// Counted reports in the previous period.
    pub previous_sample: i64,
    /// The figure in the previous period.
    pub previous_value: Option<f64>,
    /// The rank in the previous period.
    pub previous_rank: Option<i32>,
    /// previous rank − rank (positive: moved up).
    pub change: Option<i32>,
}

/// A ranking.
#[derive(Clone, Debug)]
pub struct Ranking {
    /// The figure.
    pub metric: Metric,
    /// The period.
    pub period: Period,
    /// The period before.
    pub previous: Period,
    /// The minimum sample.
    pub minimum_sample: i64,
    /// Ranked first, then the rest by name.
    pub entries: Vec<Entry>,
}

/// Competition ranks ("1, 2, 2, 4") of `values` (None: not ranked), better first by `dir`.
pub fn competition_ranks(values: &[Option<f64>], dir: Direction) -> Vec<Option<i32>> {
    values
        .iter()
        .map(|v| {
            let v = (*v)?;
            let better = values
                .iter()
                .flatten()
                .filter(|o| match dir {
                    Direction::LowerIsBetter => **o < v,
                    Direction::HigherIsBetter => **o > v,
                })
                .count();
            Some(better as i32 + 1)
        })
        .collect()
}

/// The children to rank: (kind, id, name).
async fn children(state: &AppState, parent: ReadScope, id: Uuid, ranked: Ranked) -> AppResult<Vec<(Kind, Uuid, String)>> {
    let db = &state.db;
    let bad = || {
        AppError::bad_input(
            "childrenOf",
            msg!(
                "可排名的是：社区、街道或区的小区；街道或区的社区；区的物业公司；社区的三长",
                "Rank the compounds of a community, street or district, the communities of a street or district, the companies of a district, or the heads of a community"
            ),
        )
    };
    let communities = |streets: Vec<Uuid>| async move {
        Ok::<_, AppError>(community::Entity::find().filter(community::Column::StreetId.is_in(streets)).all(db).await?)
    };
    let streets_of = |d: Uuid| async move {
        let s: Vec<Uuid> = street::Entity::find().filter(street::Column::DistrictId.eq(d)).all(db).await?.into_iter().map(|s| s.id).collect();
        Ok::<_, AppError>(s)
    };
    Ok(match (ranked, parent) {
        (Ranked::Community, ReadScope::Street | ReadScope::District) => {
            let streets = if parent == ReadScope::Street { vec![id] } else { streets_of(id).await? };
            communities(streets).await?.into_iter().map(|c| (Kind::Community, c.id, c.name)).collect()
        }
        (Ranked::Compound, ReadScope::Community | ReadScope::Street | ReadScope::District) => {
            let comms: Vec<Uuid> = match parent {
                ReadScope::Community => vec![id],
                ReadScope::Street => communities(vec![id]).await?.into_iter().map(|c| c.id).collect(),
                _ => communities(streets_of(id).await?).await?.into_iter().map(|c| c.id).collect(),
            };
            // Only the id and the name: the district's 400 compounds' whole rows cost more than the ranking.
            let rows: Vec<(Uuid, String)> = compound::Entity::find()
                .select_only()
                .column(compound::Column::Id)
                .column(compound::Column::Name)
                .filter(compound::Column::CommunityId.is_in(comms))
                .into_tuple()
                .all(db)
                .await?;
            rows.into_iter().map(|(id, name)| (Kind::Compound, id, name)).collect()
        }
        (Ranked::Company, ReadScope::District) => property_company::Entity::find()
            .filter(property_company::Column::DistrictId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (Kind::PropertyCompany, c.id, c.name))
            .collect(),
        (Ranked::Head, ReadScope::Community) => {
            let areas: Vec<Uuid> =
                grid_area::Entity::find().filter(grid_area::Column::CommunityId.eq(id)).all(db).await?.into_iter().map(|a| a.id).collect();
            let groups: Vec<Uuid> =
                grid_group::Entity::find().filter(grid_group::Column::AreaId.is_in(areas.clone())).all(db).await?.into_iter().map(|g| g.id).collect();
            let nbhs: Vec<Uuid> = neighbourhood::Entity::find()
                .filter(neighbourhood::Column::GroupId.is_in(groups.clone()))
                .all(db)
                .await?
                .into_iter()
                .map(|n| n.id)
                .collect();
            let units: Vec<Uuid> = areas.into_iter().chain(groups).chain(nbhs).collect();
            let heads: Vec<Uuid> = appointment::Entity::find()
                .filter(appointment::Column::Role.is_in(HEAD_ROLES))
                .filter(appointment::Column::ScopeId.is_in(units))
                .filter(crate::service::people::in_force(state.clock.now()))
                .all(db)
                .await?
                .into_iter()
                .map(|a| a.user_id)
                .collect();
            people(state, heads).await?
        }
        _ => return Err(bad()),
    })
}

/// Heads as the grid shows them: (User, id, public name).
async fn people(state: &AppState, mut ids: Vec<Uuid>) -> AppResult<Vec<(Kind, Uuid, String)>> {
    ids.sort_unstable();
    ids.dedup();
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids))
        .all(&state.db)
        .await?
        .iter()
        .map(|u| (Kind::User, u.id, crate::service::report::view::public_name(u).to_owned()))
        .collect())
}

/// `kpiRanking`: the caller reads `childrenOf` ([`super::reader`]).
pub async fn ranking(
    state: &AppState,
    actor: &Actor,
    ranked: Ranked,
    children_of: (Kind, Uuid),
    metric: Metric,
    period: (NaiveDate, NaiveDate),
    minimum_sample: i32,
) -> AppResult<Ranking> {
    let period = Period::parse(period.0, period.1)?;
    if !(1..=100_000).contains(&minimum_sample) {
        return Err(AppError::bad_input("minimumSample", msg!("最小样本应在 1 到 100000 之间", "minimumSample is 1 to 100000")));
    }
    let parent = super::reader(state, actor, children_of.0, children_of.1).await?;
    let mut list = children(state, parent.kind, parent.id, ranked).await?;
    let previous = period.previous();
    let col = match ranked {
        Ranked::Compound => "compound_id",
        Ranked::Community => "community_id",
        Ranked::Company => "company_id",
        Ranked::Head => "ack_by",
    };
    let spec = Spec {
        scope: (parent.kind, parent.id),
        from: previous.from,
        to: period.to,
        today: super::today(state),
        category: None,
        keys: vec![Key::Child(col), Key::Before(period.from)],
        durations: metric.durations(),
    };
    let found = aggregate::run(&state.db, &spec).await?;
    let mut now: HashMap<Uuid, &Sums> = HashMap::new();
    let mut before: HashMap<Uuid, &Sums> = HashMap::new();
    for (k, s) in found.iter() {
        let (Some(KeyValue::Id(Some(id))), Some(KeyValue::Flag(flag))) = (k.first(), k.get(1)) else { continue };
        if *flag == 0 { now.insert(*id, s) } else { before.insert(*id, s) };
    }
    if ranked == Ranked::Head {
        // Whoever acknowledged reports here in the period, in office now or not.
        let known: std::collections::HashSet<Uuid> = list.iter().map(|(_, id, _)| *id).collect();
        let extra: Vec<Uuid> = now.keys().chain(before.keys()).filter(|id| !known.contains(id)).copied().collect();
        if !extra.is_empty() {
            list.extend(people(state, extra).await?);
        }
    }
    let min = i64::from(minimum_sample);
    let empty = Sums::default();
    let measure = |m: &HashMap<Uuid, &Sums>, id: &Uuid| {
        let f = Figures::of(m.get(id).copied().unwrap_or(&empty));
        let v = metric.value(&f);
        (f.counted, v, (f.counted >= min).then_some(v).flatten())
    };
    let cur: Vec<(i64, Option<f64>, Option<f64>)> = list.iter().map(|(_, id, _)| measure(&now, id)).collect();
    let prev: Vec<(i64, Option<f64>, Option<f64>)> = list.iter().map(|(_, id, _)| measure(&before, id)).collect();
    let ranks = competition_ranks(&cur.iter().map(|c| c.2).collect::<Vec<_>>(), metric.direction());
    let prev_ranks = competition_ranks(&prev.iter().map(|c| c.2).collect::<Vec<_>>(), metric.direction());
    let mut entries: Vec<Entry> = list
        .into_iter()
        .enumerate()
        .map(|(i, (kind, id, name))| Entry {
            kind,
            id,
            name,
            sample: cur[i].0,
            value: cur[i].1,
            rank: ranks[i],
            insufficient_data: ranks[i].is_none(),
            previous_sample: prev[i].0,
            previous_value: prev[i].1,
            previous_rank: prev_ranks[i],
            change: ranks[i].zip(prev_ranks[i]).map(|(r, p)| p - r),
        })
        .collect();
    entries.sort_by(|a, b| {
        (a.rank.is_none(), a.rank, &a.name, a.id).cmp(&(b.rank.is_none(), b.rank, &b.name, b.id))
    });
    Ok(Ranking { metric, period, previous, minimum_sample: min, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_rank_and_the_next_skips() {
        let v = [Some(2.0), Some(1.0), Some(2.0), None, Some(3.0)];
        assert_eq!(competition_ranks(&v, Direction::LowerIsBetter), vec![Some(2), Some(1), Some(2), None, Some(4)]);
        assert_eq!(competition_ranks(&v, Direction::HigherIsBetter), vec![Some(2), Some(4), Some(2), None, Some(1)]);
    }

    #[test]
    fn the_previous_period_is_as_long_or_the_same_number_of_months() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let p = Period::parse(d("2026-03-01"), d("2026-04-30")).unwrap().previous();
        assert_eq!((p.from, p.to), (d("2026-01-01"), d("2026-02-28")));
        let p = Period::parse(d("2026-03-10"), d("2026-03-19")).unwrap().previous();
        assert_eq!((p.from, p.to), (d("2026-02-28"), d("2026-03-09")));
        assert!(Period::parse(d("2026-03-10"), d("2026-03-09")).is_err());
        assert!(Period::parse(d("2020-01-01"), d("2026-01-01")).is_err());
    }
}
