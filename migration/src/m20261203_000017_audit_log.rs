//! The audit log of admin actions (issue 15): append-only, chained by hash.
//!
//! `audit_log` holds one row per admin action, written in the action's transaction. Each row's `hash` covers the
//! previous row's hash, so a row changed or removed after the fact breaks the chain (`linli audit verify`).
//! `audit_head` is one row, the chain's newest position and hash: a writer locks it (`FOR UPDATE`) to append, so
//! appends from every replica form one chain, and a verifier compares it with the last row, so rows cut from the
//! end are found too. On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE on `audit_log`; the application
//! never issues them on any database.
//!
//! Indexes, one per query shape, each ending in `seq` (newest first): a unit's log (`scope_id`), a district's,
//! a street's and a community's with everything below (`district_id`, `street_id`, `community_id`), an actor's
//! and an object's.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{drop_all, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The hash before the first row.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(pk_uuid("id"))
                .col(big_integer("seq"))
                .col(timestamp_with_time_zone("at"))
                .col(uuid_null("actor_id"))
                .col(string_len_null("actor_role", 32))
                .col(string_len("scope_kind", 32))
                .col(uuid("scope_id"))
                .col(uuid("district_id"))
                .col(uuid_null("street_id"))
                .col(uuid_null("community_id"))
                .col(string_len("action", 48))
                .col(string_len("object_kind", 32))
                .col(uuid("object_id"))
                .col(text_null("before"))
                .col(text_null("after"))
                .col(text_null("reason"))
                .col(string_len_null("request_id", 128))
                .col(string_len("prev_hash", 64))
                .col(string_len("hash", 64))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared("CREATE UNIQUE INDEX ux_audit_log_seq ON audit_log (seq)").await?;
        for col in ["scope_id", "district_id", "street_id", "community_id", "actor_id", "object_id"] {
            index(m, "audit_log", &[col, "seq"]).await?;
        }

        m.create_table(
            Table::create()
                .table("audit_head")
                .col(integer("id").primary_key())
                .col(big_integer("seq"))
                .col(string_len("hash", 64))
                .to_owned(),
        )
        .await?;
        db.execute_unprepared(&format!("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS}')")).await?;

        if m.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared(
                "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log \
                 FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            let db = m.get_connection();
            db.execute_unprepared("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log").await?;
            db.execute_unprepared("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log").await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only()").await?;
        }
        drop_all(m, &["audit_head", "audit_log"]).await
    }
}
