//! `incentiveStatistics` for admins. Adapters only: the rules are in `service::incentives::stats`.
use async_graphql::{Context, Enum, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::{actor, state};
use crate::ids::{Kind, decode_any, encode};
use crate::service::incentives::stats::{self, Figures, Key};

/// How statistics rows are keyed.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsGroupBy {
    /// One row per community of the scope (all of them, zeros included), by name.
    Community,
    /// One row per merchant with redemptions in the period, by name.
    Merchant,
    /// One row per Beijing day with any figure.
    Day,
    /// One row per Monday-to-Sunday week (Beijing) with any figure.
    Week,
    /// One row per calendar month (Beijing) with any figure.
    Month,
}

impl From<StatisticsGroupBy> for stats::GroupBy {
    fn from(g: StatisticsGroupBy) -> Self {
        match g {
            StatisticsGroupBy::Community => stats::GroupBy::Community,
            StatisticsGroupBy::Merchant => stats::GroupBy::Merchant,
            StatisticsGroupBy::Day => stats::GroupBy::Day,
            StatisticsGroupBy::Week => stats::GroupBy::Week,
            StatisticsGroupBy::Month => stats::GroupBy::Month,
        }
    }
}

/// One row: a community, a merchant, or a day, week or month.
pub struct IncentiveStatisticsRow(stats::Row);

#[Object]
impl IncentiveStatisticsRow {
    /// The community or merchant; null for day, week and month rows.
    async fn id(&self) -> Option<ID> {
        match &self.0.key {
            Key::Community { id, .. } => Some(encode(Kind::Community, *id)),
            Key::Merchant { id, .. } => Some(encode(Kind::Merchant, *id)),
            Key::Bucket(_) => None,
        }
    }

    /// The community's or merchant's name; the bucket's first day (`2026-11-23`, Beijing) for time rows.
    async fn name(&self) -> String {
        match &self.0.key {
            Key::Community { name, .. } | Key::Merchant { name, .. } => name.clone(),
            Key::Bucket(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// The first instant of the day, week or month (Beijing midnight, as UTC); null for other rows.
    async fn bucket_start(&self) -> Option<DateTime<Utc>> {
        match &self.0.key {
            Key::Bucket(d) => Some(stats::beijing_midnight(*d)),
            _ => None,
        }
    }

    /// The figures.
    async fn figures(&self) -> Figures {
        self.0.figures
    }
}

/// Statistics over a scope and a period.
pub struct IncentiveStatistics(stats::Statistics);

#[Object]
impl IncentiveStatistics {
    /// The rows.
    async fn rows(&self) -> Vec<IncentiveStatisticsRow> {
        self.0.rows.iter().cloned().map(IncentiveStatisticsRow).collect()
    }

    /// The totals over the scope and period.
    async fn totals(&self) -> Figures {
        self.0.totals
    }
}

/// Statistics queries.
#[derive(Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// For community, street and district admins: points earned and spent and redemptions issued, used,
    /// cancelled and expired in [from, to) (at most two years) within a district, street or community they
    /// administer, per community, merchant, or Beijing day, week or month. Also as CSV:
    /// `GET /export/incentives.csv?scopeId=…&from=…&to=…&groupBy=…`.
    async fn incentive_statistics(
        &self,
        ctx: &Context<'_>,
        scope_id: ID,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        group_by: StatisticsGroupBy,
    ) -> Result<IncentiveStatistics> {
        let (scope_kind, scope) = decode_any(&scope_id, "scopeId")?;
        let r = stats::Request { scope_kind, scope, from, to, group_by: group_by.into() };
        Ok(IncentiveStatistics(stats::statistics(state(ctx), actor(ctx), r).await?))
    }
}
