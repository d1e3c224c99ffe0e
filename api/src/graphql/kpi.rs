//! KPIs and rankings in GraphQL (issue 15). Adapters only: who may read what, the periods and every definition are
//! in `service::kpi` (and docs/kpi.md).
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;

use super::{actor, arg_id, state};
use crate::ids::{Kind, decode_any, encode};
use crate::service::kpi::ranking::{self, Direction, Metric, Ranked};
use crate::service::kpi::{self, Figures, GroupBy};

/// KPI queries.
#[derive(Default)]
pub struct KpiQuery;

#[Object]
impl KpiQuery {
    /// The assessment's figures of a scope: a district, street, community, compound, grid area, group or
    /// neighbourhood (for the admins over it and, for grid units, its heads and the heads above it), or a property
    /// company (its staff, and the admins over every compound it manages). A report belongs to the period of its
    /// submission's Beijing date, `from` and `to` included (at most five years); its status and outcome are those
    /// of now. Rows per `groupBy` period (DAY, WEEK from Monday, MONTH, QUARTER, YEAR; Beijing time) and, with
    /// `byCategory`, per category; `categoryId` keeps one category. Definitions of every figure: `KpiFigures` and
    /// docs/kpi.md.
    #[allow(clippy::too_many_arguments)]
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        scope_id: ID,
        from: NaiveDate,
        to: NaiveDate,
        #[graphql(default_with = "GroupBy::Month")] group_by: GroupBy,
        #[graphql(default)] by_category: bool,
        category_id: Option<ID>,
    ) -> Result<Kpis> {
        let scope = decode_any(&scope_id, "scopeId")?;
        let category = category_id.map(|c| arg_id(&c, Kind::Category, "categoryId")).transpose()?;
        Ok(Kpis(kpi::request(state(ctx), actor(ctx), scope, (from, to), group_by, by_category, category).await?))
    }

    /// The children of `childrenOf` ranked on `metric` over `from`..`to` (Beijing dates, included): the compounds
    /// of a community, street or district (`scope: COMPOUND`), the communities of a street or district, the
    /// companies of a district, the heads of a community. For the readers of `childrenOf`. Competition ranking
    /// (ties share a rank, "1, 2, 2, 4"); fewer than `minimumSample` counted reports (default 20) is
    /// `insufficientData`, with no rank; the previous period (just before, as long; whole months: as many months)
    /// gives `previousRank` and `change`.
    #[allow(clippy::too_many_arguments)]
    async fn kpi_ranking(
        &self,
        ctx: &Context<'_>,
        scope: Ranked,
        children_of: ID,
        metric: Metric,
        from: NaiveDate,
        to: NaiveDate,
        #[graphql(default = 20)] minimum_sample: i32,
    ) -> Result<KpiRanking> {
        let parent = decode_any(&children_of, "childrenOf")?;
        Ok(KpiRanking(ranking::ranking(state(ctx), actor(ctx), scope, parent, metric, (from, to), minimum_sample).await?))
    }
}

/// A scope's KPIs over a period (the caller's right to read them already checked).
pub struct Kpis(kpi::Request);

#[Object]
impl Kpis {
    /// The scope.
    async fn scope_id(&self) -> ID {
        encode(self.0.scope.kind.kind(), self.0.scope.id)
    }

    /// First submission day counted (Beijing).
    async fn from(&self) -> NaiveDate {
        self.0.period.from
    }

    /// Last submission day counted (Beijing).
    async fn to(&self) -> NaiveDate {
        self.0.period.to
    }

    /// How rows are keyed.
    async fn group_by(&self) -> GroupBy {
        self.0.group_by
    }

    /// One row per period of `from`..`to` (zeros included), oldest first; with `byCategory`, one per period and
    /// category that has reports. A row's period starts on `period` and is cut to `from`..`to`.
    async fn rows(&self, ctx: &Context<'_>) -> Result<Vec<KpiRow>> {
        let rows = kpi::rows(state(ctx), &self.0).await?;
        Ok(rows
            .into_iter()
            .map(|r| KpiRow { period: r.period, category_id: r.category.map(|c| encode(Kind::Category, c)), figures: r.figures })
            .collect())
    }

    /// The figures of the whole of `from`..`to` (percentiles over all its reports, not of the rows).
    async fn total(&self, ctx: &Context<'_>) -> Result<Figures> {
        Ok(kpi::total(state(ctx), &self.0).await?)
    }
}

/// The figures of one period (and category).
#[derive(SimpleObject)]
pub struct KpiRow {
    /// The first day of the period (Beijing): the day, the Monday, the 1st of the month, quarter or year.
    period: NaiveDate,
    /// The category, when grouped by category.
    category_id: Option<ID>,
    /// The figures.
    figures: Figures,
}

/// A ranking.
pub struct KpiRanking(ranking::Ranking);

#[Object]
impl KpiRanking {
    /// The figure ranked on.
    async fn metric(&self) -> Metric {
        self.0.metric
    }

    /// Which way is better for it.
    async fn direction(&self) -> Direction {
        self.0.metric.direction()
    }

    /// The period (Beijing dates, included).
    async fn from(&self) -> NaiveDate {
        self.0.period.from
    }

    /// …
    async fn to(&self) -> NaiveDate {
        self.0.period.to
    }

    /// The previous period `previousRank` is of.
    async fn previous_from(&self) -> NaiveDate {
        self.0.previous.from
    }

    /// …
    async fn previous_to(&self) -> NaiveDate {
        self.0.previous.to
    }

    /// Children with fewer counted reports have no rank.
    async fn minimum_sample(&self) -> i64 {
        self.0.minimum_sample
    }

    /// The ranked children by rank, then those with insufficient data by name.
    async fn entries(&self) -> Vec<KpiRankingEntry> {
        self.0.entries.iter().map(|e| KpiRankingEntry(e.clone())).collect()
    }
}

/// One child of a ranking.
pub struct KpiRankingEntry(ranking::Entry);

#[Object]
impl KpiRankingEntry {
    /// The compound, community, company or head (a user id).
    async fn id(&self) -> ID {
        encode(self.0.kind, self.0.id)
    }

    /// Its name (a head's public name, as the grid shows it).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Counted reports in the period (a head: that they acknowledged; a company: dispatched to it).
    async fn sample(&self) -> i64 {
        self.0.sample
    }

    /// The figure in the period (null: nothing it measures).
    async fn value(&self) -> Option<f64> {
        self.0.value
    }

    /// Competition rank, 1 is best; null when `insufficientData`.
    async fn rank(&self) -> Option<i32> {
        self.0.rank
    }

    /// Fewer counted reports than `minimumSample`, or none the figure measures: not ranked.
    async fn insufficient_data(&self) -> bool {
        self.0.insufficient_data
    }

    /// Counted reports in the previous period.
    async fn previous_sample(&self) -> i64 {
        self.0.previous_sample
    }

    /// The figure in the previous period.
    async fn previous_value(&self) -> Option<f64> {
        self.0.previous_value
    }

    /// The rank in the previous period (null: insufficient data then).
    async fn previous_rank(&self) -> Option<i32> {
        self.0.previous_rank
    }

    /// previousRank − rank: positive moved up, negative down; null when either is missing.
    async fn change(&self) -> Option<i32> {
        self.0.change
    }
}
