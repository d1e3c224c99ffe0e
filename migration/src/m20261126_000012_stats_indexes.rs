//! Indexes for the admins' incentive statistics: each figure is a range scan over one timestamp (when points
//! moved, when a redemption was issued, used or ended) within the asked period.
use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 4] = [
    ("points_entry", "created_at"),
    ("redemption", "created_at"),
    ("redemption", "used_at"),
    ("redemption", "ended_at"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, col) in INDEXES {
            index(m, table, &[col]).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, col) in INDEXES {
            m.drop_index(Index::drop().name(format!("idx_{table}_{col}")).table(table).to_owned()).await?;
        }
        Ok(())
    }
}
