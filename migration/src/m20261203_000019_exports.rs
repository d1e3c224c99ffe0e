//! Report exports (issue 15, item 4): the background export jobs, and the indexes an export's keyset pages read.
//!
//! `export_job` is one requested export: its scope, period, category, format and language, its progress
//! (`rows_done` of `rows_total`), the claim a replica holds on it while it runs (`lease_until`, extended every
//! batch; an expired lease lets another replica take it over), and once done the stored file (`file_key` in the
//! media store) with its expiry. Rows are kept after the file is removed (status `EXPIRED`).
//!
//! An export reads a scope's reports one community (or one company) at a time in `(submitted_at, id)` order,
//! 1,000 rows per statement: `(community_id, submitted_at, id)` and `(company_id, submitted_at, id)` make each
//! statement one index range from the previous page's last row, however large the export.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, fk, index, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("export_job");
        fk(&mut t, "export_job", "requester_id", "app_user");
        t.col(string_len("scope_kind", 32))
            .col(uuid("scope_id"))
            .col(uuid("district_id"))
            .col(uuid_null("category_id"))
            .col(date("from_day"))
            .col(date("to_day"))
            .col(string_len("format", 8))
            .col(string_len("lang", 8))
            .col(string_len("status", 16))
            .col(big_integer("rows_done").default(0))
            .col(big_integer_null("rows_total"))
            .col(integer("attempts").default(0))
            .col(timestamp_with_time_zone_null("lease_until"))
            .col(string_len_null("file_key", 128))
            .col(big_integer_null("file_bytes"))
            .col(timestamp_with_time_zone_null("finished_at"))
            .col(timestamp_with_time_zone_null("expires_at"))
            .col(text_null("error"));
        m.create_table(t.to_owned()).await?;
        // The job round: queued (and stale running) jobs oldest first; the clean-up: done jobs by expiry.
        index(m, "export_job", &["status", "created_at"]).await?;
        index(m, "export_job", &["status", "expires_at"]).await?;
        index(m, "export_job", &["requester_id", "id"]).await?;

        index(m, "report", &["community_id", "submitted_at", "id"]).await?;
        index(m, "report", &["company_id", "submitted_at", "id"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["idx_report_community_id_submitted_at_id", "idx_report_company_id_submitted_at_id"] {
            m.drop_index(Index::drop().name(name).table("report").to_owned()).await?;
        }
        drop_all(m, &["export_job"]).await
    }
}
