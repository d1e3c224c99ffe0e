//! The console's admin lists (issue 17): merchants of a street or community, the packages of a unit, and the
//! redemptions of a package, each read newest first by its own index; and Open311's `GET requests` (issue 18): a
//! district's reports newest first, or in the order they changed (`updated_after`); and the console's sessions by
//! expiry, for the job that forgets ended ones.
use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &[&str]); 7] = [
    ("merchant", &["street_id", "id"]),
    ("merchant", &["community_id", "id"]),
    ("incentive_package", &["scope_id", "id"]),
    ("redemption", &["package_id", "id"]),
    ("report", &["submitted_at", "id"]),
    ("report", &["last_event_at", "id"]),
    ("console_session", &["expires_at"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols) in INDEXES {
            index(m, table, cols).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols) in INDEXES {
            m.drop_index(Index::drop().name(format!("idx_{table}_{}", cols.join("_"))).table(table).to_owned()).await?;
        }
        Ok(())
    }
}
