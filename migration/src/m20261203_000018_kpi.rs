//! The KPI facts (issue 15): one row per report, written in the transaction of every change to the report by the
//! facts subscriber (`api/src/service/kpi/facts.rs`), so that a KPI query is one indexed aggregate.
//!
//! A row holds what the assessment counts of its report: the units above it (to filter by any scope without a
//! join), the Beijing-time period keys of its submission (day, Monday of its week, first day of its month, quarter
//! and year), its status now, and the durations from submission to each milestone in wall-clock and business
//! minutes, the stages that went past due, the levels it was escalated to (a bit per grid level), and the outcome
//! (reopened, confirmed, auto-closed, rating). Flags are 0/1 integers: `SUM(flag)` counts on both databases. A merged
//! duplicate (`counted` 0) keeps only its units, period and status: its figures are zero or null, so that an
//! aggregate needs no per-row status test (measured: the test on the status text was half of a KPI's time).
//!
//! Indexes: one per scope column, each `(scope, day)`, so "a street's year" or "a district's month" is one range.
//! Reports that existed before this migration get their rows from `kpi::facts::backfill` at start-up.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The scope columns, each indexed with the day.
const SCOPES: [&str; 9] =
    ["district_id", "street_id", "community_id", "compound_id", "area_id", "group_id", "neighbourhood_id", "company_id", "ack_by"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("report_fact")
            .col(pk_uuid("report_id"))
            .col(uuid("district_id"))
            .col(uuid("street_id"))
            .col(uuid("community_id"))
            .col(uuid("compound_id"))
            .col(uuid_null("area_id"))
            .col(uuid_null("group_id"))
            .col(uuid_null("neighbourhood_id"))
            .col(uuid_null("company_id"))
            .col(uuid("category_id"))
            .col(uuid_null("ack_by"))
            .col(date("day"))
            .col(date("week"))
            .col(date("month"))
            .col(date("quarter"))
            .col(date("year"))
            .col(string_len("status", 16))
            .col(integer("support_count"));
        for c in ["ack", "dispatch", "resolve", "close"] {
            t.col(integer_null(format!("{c}_wall"))).col(integer_null(format!("{c}_biz")));
        }
        for c in [
            "counted",
            "started",
            "breach_ack",
            "breach_handle",
            "breach_start",
            "breach_resolve",
            "escalations",
            "levels",
            "reopened",
            "confirmed",
            "auto_closed",
        ] {
            t.col(integer(c));
        }
        t.col(integer_null("rating"));
        m.create_table(t.to_owned()).await?;
        for col in SCOPES {
            index(m, "report_fact", &[col, "day"]).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["report_fact"]).await
    }
}
