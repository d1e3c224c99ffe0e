//! Database migrations for Linli. Each file is `mYYYYMMDD_NNNNNN_verb_table.rs`; a migration that has landed on
//! main is never edited, only followed by a new one.
pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261126_000001_create_org_tree;
mod m20261126_000002_create_grid;
mod m20261126_000003_create_users_and_tokens;
mod m20261126_000004_create_roles_and_residences;
mod m20261126_000005_create_reports;
mod m20261126_000006_add_moderation;
mod m20261126_000007_create_photos;
mod m20261126_000008_create_notifications;
mod m20261126_000009_create_media_checks;
mod m20261126_000010_create_incentives;
mod m20261126_000011_create_votes;
mod m20261126_000012_stats_indexes;
mod m20261126_000013_report_last_event_summary;
mod m20261127_000014_report_reporter_name;
mod m20261201_000015_create_domain_events;
mod m20261202_000016_sla_and_support;
mod m20261203_000017_audit_log;
mod m20261203_000018_kpi;
mod m20261203_000019_exports;
mod m20261204_000020_kpi_cells;
mod m20261205_000021_notification_by_report;
mod m20261206_000022_console_sessions;
mod m20261207_000023_list_indexes;
mod m20261207_000024_api_keys;
mod m20261207_000025_webhooks;
mod m20261208_000026_webhook_secret_rotation;

/// The ordered list of migrations, applied at start-up by the server and by the migration CLI.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_org_tree::Migration),
            Box::new(m20261126_000002_create_grid::Migration),
            Box::new(m20261126_000003_create_users_and_tokens::Migration),
            Box::new(m20261126_000004_create_roles_and_residences::Migration),
            Box::new(m20261126_000005_create_reports::Migration),
            Box::new(m20261126_000006_add_moderation::Migration),
            Box::new(m20261126_000007_create_photos::Migration),
            Box::new(m20261126_000008_create_notifications::Migration),
            Box::new(m20261126_000009_create_media_checks::Migration),
            Box::new(m20261126_000010_create_incentives::Migration),
            Box::new(m20261126_000011_create_votes::Migration),
            Box::new(m20261126_000012_stats_indexes::Migration),
            Box::new(m20261126_000013_report_last_event_summary::Migration),
            Box::new(m20261127_000014_report_reporter_name::Migration),
            Box::new(m20261201_000015_create_domain_events::Migration),
            Box::new(m20261202_000016_sla_and_support::Migration),
            Box::new(m20261203_000017_audit_log::Migration),
            Box::new(m20261203_000018_kpi::Migration),
            Box::new(m20261203_000019_exports::Migration),
            Box::new(m20261204_000020_kpi_cells::Migration),
            Box::new(m20261205_000021_notification_by_report::Migration),
            Box::new(m20261206_000022_console_sessions::Migration),
            Box::new(m20261207_000023_list_indexes::Migration),
            Box::new(m20261207_000024_api_keys::Migration),
            Box::new(m20261207_000025_webhooks::Migration),
            Box::new(m20261208_000026_webhook_secret_rotation::Migration),
        ]
    }
}
