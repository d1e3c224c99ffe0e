//! The grid takes over what stalls: SLA targets per category and urgency, a work calendar per district, the SLA
//! clocks and timer of each report (on the report row itself, so a report's change and its timer are one UPDATE),
//! the inbox order key (`queue_at`), "me too" supports, and the escalation steps on the timeline.
//!
//! Reports written before this migration have no SLA clock (their `sla_stage` is NULL): their targets were never
//! promised on business time, and inventing a due time for them now would escalate a backlog in one tick.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REPORT_COLUMNS: &[&str] = &[
    "sla_stage", "sla_level", "sla_stage_since", "sla_warn_at", "sla_due_at", "sla_fires_at", "sla_warned",
    "sla_breached", "sla_urges", "overall_minutes", "overall_since", "escalated_at", "escalations", "support_count",
    "queue_at",
];

/// The units an inbox or queue is read by.
const SCOPES: [&str; 5] = ["neighbourhood_id", "group_id", "area_id", "community_id", "company_id"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Targets the category did not have: hours for a head to handle (dispatch or fix) an acknowledged report,
        // and for the company to start dispatched work.
        for (col, default) in
            [("dispatch_hours_normal", 24), ("dispatch_hours_urgent", 4), ("start_hours_normal", 24), ("start_hours_urgent", 2)]
        {
            m.alter_table(Table::alter().table("category").add_column(integer(col).default(default)).to_owned()).await?;
        }

        let mut t = table("work_calendar");
        t.col(integer("work_start_minute")).col(integer("work_end_minute")).col(string_len("weekdays", 16)).col(integer("warn_percent"));
        t.col(timestamp_with_time_zone("updated_at"));
        fk(&mut t, "work_calendar", "district_id", "district");
        m.create_table(t).await?;
        unique(m, "work_calendar", &["district_id"]).await?;

        let mut t = table("calendar_day");
        t.col(date("day")).col(string_len("kind", 16)).col(string_len("name", 32));
        fk(&mut t, "calendar_day", "district_id", "district");
        m.create_table(t).await?;
        unique(m, "calendar_day", &["district_id", "day"]).await?;

        let add = |mut c: ColumnDef| Table::alter().table("report").add_column(&mut c).to_owned();
        m.alter_table(add(string_len_null("sla_stage", 16))).await?;
        m.alter_table(add(string_len_null("sla_level", 16))).await?;
        m.alter_table(add(timestamp_with_time_zone_null("sla_stage_since"))).await?;
        m.alter_table(add(timestamp_with_time_zone_null("sla_warn_at"))).await?;
        m.alter_table(add(timestamp_with_time_zone_null("sla_due_at"))).await?;
        m.alter_table(add(timestamp_with_time_zone_null("sla_fires_at"))).await?;
        m.alter_table(add(boolean("sla_warned").default(false).to_owned())).await?;
        m.alter_table(add(boolean("sla_breached").default(false).to_owned())).await?;
        m.alter_table(add(integer("sla_urges").default(0).to_owned())).await?;
        m.alter_table(add(integer("overall_minutes").default(0).to_owned())).await?;
        m.alter_table(add(timestamp_with_time_zone_null("overall_since"))).await?;
        m.alter_table(add(timestamp_with_time_zone_null("escalated_at"))).await?;
        m.alter_table(add(integer("escalations").default(0).to_owned())).await?;
        m.alter_table(add(integer("support_count").default(0).to_owned())).await?;
        m.alter_table(add(timestamp_with_time_zone_null("queue_at"))).await?;
        let db = m.get_connection();
        db.execute_unprepared("UPDATE report SET queue_at = waiting_since").await?;

        // The timer job's claim: only reports with a timer are in this index (terminal and waiting-on-resident
        // reports are not), so it stays small and a write that does not touch a timer does not touch it.
        db.execute_unprepared("CREATE INDEX idx_report_sla_fires_at ON report (sla_fires_at) WHERE sla_fires_at IS NOT NULL").await?;
        // Inboxes and queues are read in `queue_at` order (escalated first, then by how long they waited, raised by
        // their supporters): the same indexes as before on the new key.
        // (New names: a dropped index's name could not be reused at once on SQLite by another pooled connection.)
        for col in ["neighbourhood_id", "group_id", "area_id", "community_id"] {
            db.execute_unprepared(&format!(
                "CREATE INDEX idx_report_{col}_queue ON report ({col}, queue_at, id) \
                 WHERE status IN ('SUBMITTED', 'ACKNOWLEDGED', 'REOPENED')"
            ))
            .await?;
            db.execute_unprepared(&format!("DROP INDEX idx_report_{col}_needs_head")).await?;
        }
        db.execute_unprepared(
            "CREATE INDEX idx_report_company_id_queue ON report (company_id, queue_at, id) \
             WHERE status IN ('DISPATCHED', 'IN_PROGRESS', 'REOPENED', 'RESOLVED')",
        )
        .await?;
        db.execute_unprepared("DROP INDEX idx_report_company_id_needs_company").await?;
        for col in SCOPES {
            db.execute_unprepared(&format!("DROP INDEX idx_report_{col}_status_waiting_since_id")).await?;
            index(m, "report", &[col, "status", "queue_at", "id"]).await?;
            // Overdue boards: only reports near or past their due time are in these (a few percent of the open).
            db.execute_unprepared(&format!(
                "CREATE INDEX idx_report_{col}_overdue ON report ({col}, sla_due_at, id) WHERE sla_warned = true AND sla_stage IS NOT NULL"
            ))
            .await?;
        }

        let add = |mut c: ColumnDef| Table::alter().table("report_event").add_column(&mut c).to_owned();
        m.alter_table(add(string_len_null("from_level", 16))).await?;
        m.alter_table(add(string_len_null("to_level", 16))).await?;
        m.alter_table(add(string_len_null("reason", 16))).await?;

        let mut t = table("report_support");
        t.col(boolean("merged"));
        fk(&mut t, "report_support", "report_id", "report");
        fk(&mut t, "report_support", "user_id", "app_user");
        m.create_table(t).await?;
        unique(m, "report_support", &["report_id", "user_id"]).await?;
        // "Reports I support", for a supporter's notifications and `supportedByMe` on lists.
        index(m, "report_support", &["user_id", "report_id"]).await?;
        // similarReports: open reports of a category in a compound, newest first.
        index(m, "report", &["compound_id", "category_id", "id"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX idx_report_compound_id_category_id_id").await?;
        drop_all(m, &["report_support", "calendar_day", "work_calendar"]).await?;
        for c in ["from_level", "to_level", "reason"] {
            m.alter_table(Table::alter().table("report_event").drop_column(c).to_owned()).await?;
        }
        db.execute_unprepared("DROP INDEX idx_report_sla_fires_at").await?;
        for col in SCOPES {
            db.execute_unprepared(&format!("DROP INDEX idx_report_{col}_overdue")).await?;
            db.execute_unprepared(&format!("DROP INDEX idx_report_{col}_status_queue_at_id")).await?;
            index(m, "report", &[col, "status", "waiting_since", "id"]).await?;
        }
        for col in ["neighbourhood_id", "group_id", "area_id", "community_id"] {
            db.execute_unprepared(&format!("DROP INDEX idx_report_{col}_queue")).await?;
            db.execute_unprepared(&format!(
                "CREATE INDEX idx_report_{col}_needs_head ON report ({col}, waiting_since, id) \
                 WHERE status IN ('SUBMITTED', 'ACKNOWLEDGED', 'REOPENED')"
            ))
            .await?;
        }
        db.execute_unprepared("DROP INDEX idx_report_company_id_queue").await?;
        db.execute_unprepared(
            "CREATE INDEX idx_report_company_id_needs_company ON report (company_id, waiting_since, id) \
             WHERE status IN ('DISPATCHED', 'IN_PROGRESS', 'REOPENED', 'RESOLVED')",
        )
        .await?;
        for c in REPORT_COLUMNS {
            m.alter_table(Table::alter().table("report").drop_column(*c).to_owned()).await?;
        }
        for c in ["dispatch_hours_normal", "dispatch_hours_urgent", "start_hours_normal", "start_hours_urgent"] {
            m.alter_table(Table::alter().table("category").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}
