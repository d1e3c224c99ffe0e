//! KPI cells (issue 15, item 3): the facts of one compound's month, pre-aggregated, so that a street's year by
//! month, or the district's compounds over a month, reads hundreds of cells instead of tens of thousands of facts.
//!
//! A cell is `(compound_id, month)`, with the compound's community, street and district (fixed: a compound never
//! moves) to select a scope's cells by one index range, and `data`: per category, the counts every figure is made
//! of and the sorted durations the percentiles need (`api/src/service/kpi/cell.rs` reads and writes it).
//!
//! Freshness is a pair of counters. Every change to a fact bumps its cell's `version` in the same transaction
//! (one UPSERT; on PostgreSQL folded into the facts statement). The cell builder (a background job) reads
//! `version`, rebuilds `data` from the facts, and stores it with `built = version` only if `version` has not
//! moved meanwhile. A cell is clean when `built = version`; a KPI reads clean cells and recomputes the others from
//! their facts, so an answer is never older than the last committed change. `idx_kpi_cell_dirty` (partial) finds
//! the cells to build. Existing facts get their cells here, all dirty.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("kpi_cell")
                .col(uuid("compound_id"))
                .col(date("month"))
                .col(uuid("district_id"))
                .col(uuid("street_id"))
                .col(uuid("community_id"))
                .col(big_integer("version"))
                .col(big_integer("built"))
                .col(blob_null("data"))
                .primary_key(Index::create().col("compound_id").col("month"))
                .to_owned(),
        )
        .await?;
        for col in ["district_id", "street_id", "community_id"] {
            index(m, "kpi_cell", &[col, "month"]).await?;
        }
        let db = m.get_connection();
        db.execute_unprepared("CREATE INDEX idx_kpi_cell_dirty ON kpi_cell (compound_id, month) WHERE version <> built").await?;
        db.execute_unprepared(
            "INSERT INTO kpi_cell (compound_id, month, district_id, street_id, community_id, version, built)
             SELECT compound_id, month, district_id, street_id, community_id, 1, 0 FROM report_fact
             GROUP BY compound_id, month, district_id, street_id, community_id",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["kpi_cell"]).await
    }
}
