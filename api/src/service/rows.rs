//! Decoding the rows of the hot pages by position.
//!
//! SeaORM decodes every column by name: it hashes the name to find the column, and for a joined statement it first
//! formats a prefixed alias (`A_description`) per column per row. On a page of 21 reports, each with its reporter
//! and newest event joined in, that came to 18% of the server's CPU (bench/RESULTS.md). A select lists an entity's
//! columns in the order of its fields, and a join lists each entity's columns after the previous one's, so these
//! decoders read each column at its position instead.
//!
//! They also read each column straight from sqlx's row. Through SeaORM, every NULL column formatted its index into
//! an error string that was then thrown away, and every column's type was checked twice (SeaORM, then sqlx): 19% of
//! the server's instructions on the area-head inbox, under callgrind (bench/RESULTS.md). The column types are the
//! entity's, which the migrations create; the test suite decodes every one of these entities on both databases.
use sea_orm::sqlx::{self, Postgres, Row as _, Sqlite};
use entity::enums::{ActorRole, EscalationReason, EventKind, GridLevel, Moderation, ReportStatus, SlaStage, Urgency};
use sea_orm::{ActiveEnum, ConnectionTrait, DbErr, QueryResult, QueryTrait, TryGetable};
use uuid::Uuid;

/// A column type the decoders read straight from sqlx: the entities' own types, and each of them optional.
pub trait Col: Sized {
    /// Decodes the column at `index`. A NULL decodes only into an `Option`.
    fn col(row: &QueryResult, index: usize) -> Result<Self, DbErr>;
}

/// Decodes the column at `index` as `Option<T>`: straight from sqlx on PostgreSQL and SQLite, through SeaORM
/// otherwise.
fn nullable<T>(row: &QueryResult, index: usize) -> Result<Option<T>, DbErr>
where
    T: TryGetable
        + sqlx::Type<Postgres>
        + for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Sqlite>
        + for<'r> sqlx::Decode<'r, Sqlite>,
{
    // sqlx's decoder for `Option<T>` answers None for NULL before it decodes anything; `T`'s own may not (SQLite
    // reads a NULL text as "").
    let decoded = if let Some(pg) = row.try_as_pg_row() {
        pg.try_get_unchecked::<Option<T>, usize>(index)
    } else if let Some(lite) = row.try_as_sqlite_row() {
        lite.try_get_unchecked::<Option<T>, usize>(index)
    } else {
        return row.try_get_by_index(index);
    };
    decoded.map_err(|e| DbErr::Type(format!("column {index}: {e}")))
}

macro_rules! col {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn col(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                nullable::<$t>(row, index)?
                    .ok_or_else(|| DbErr::Type(format!("column {index}: NULL in a required field")))
            }
        }
        impl Col for Option<$t> {
            fn col(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                nullable::<$t>(row, index)
            }
        }
    )*};
}
col!(Uuid, chrono::DateTime<chrono::Utc>, chrono::NaiveDate, String, i32, i64, f64, bool, Vec<u8>);

/// The stored enums decode from their text: a value that is none of the variants is an error, never a default.
macro_rules! col_enum {
    ($($t:ty),*) => {$(
        impl Col for Option<$t> {
            fn col(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                nullable::<String>(row, index)?.map(|s| <$t as ActiveEnum>::try_from_value(&s)).transpose()
            }
        }
        impl Col for $t {
            fn col(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                <Option<$t>>::col(row, index)?.ok_or_else(|| DbErr::Type(format!("column {index}: NULL in a required field")))
            }
        }
    )*};
}
col_enum!(ReportStatus, Urgency, Moderation, EventKind, ActorRole, SlaStage, GridLevel, EscalationReason);

/// Decodes the column at `index`.
pub fn col<T: Col>(row: &QueryResult, index: usize) -> Result<T, DbErr> {
    T::col(row, index)
}

/// A model decoded from consecutive columns of a row, in the order of its entity's columns.
pub trait Positional: Sized {
    /// How many columns the entity selects.
    const WIDTH: usize;
    /// The column names in select order (a test checks them against the entity).
    const NAMES: &'static [&'static str];
    /// Decodes the model from the columns starting at `start`.
    fn at(row: &QueryResult, start: usize) -> Result<Self, DbErr>;
    /// Decodes a left-joined model starting at `start`: `None` when the join found no row (its id is NULL).
    fn maybe_at(row: &QueryResult, start: usize) -> Result<Option<Self>, DbErr> {
        if col::<Option<Uuid>>(row, start)?.is_none() {
            return Ok(None);
        }
        Self::at(row, start).map(Some)
    }
}

/// Implements [`Positional`] for a model from its field list. The struct literal makes the compiler reject a list
/// that misses a field; the order is checked by `columns_are_in_entity_order` below.
macro_rules! positional {
    ($model:ty { $($field:ident),* $(,)? }) => {
        impl Positional for $model {
            const WIDTH: usize = [$(stringify!($field)),*].len();
            const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];
            fn at(row: &QueryResult, start: usize) -> Result<Self, DbErr> {
                let mut i = start;
                let mut next = || {
                    i += 1;
                    i - 1
                };
                Ok(Self { $($field: col(row, next())?),* })
            }
        }
    };
}

positional!(entity::report::Model {
    id, created_at, description, urgency, unit, room, public_area, latitude, longitude, anonymous, status, version,
    waiting_since, submitted_at, acknowledged_at, dispatched_at, started_at, resolved_at, closed_at,
    first_reopened_at, ended_at, confirmed_at, rating, rating_comment, auto_closed, reopen_count, last_urged_at,
    idempotency_key, category_id, reporter_id, compound_id, building_id, neighbourhood_id, group_id, area_id,
    community_id, company_id, duplicate_of, last_event_id, moderation, last_event_kind, last_event_at, reporter_name,
    sla_stage, sla_level, sla_stage_since, sla_warn_at, sla_due_at, sla_fires_at, sla_warned, sla_breached, sla_urges,
    overall_minutes, overall_since, escalated_at, escalations, support_count, queue_at,
});
positional!(entity::app_user::Model { id, created_at, openid, unionid, nickname, phone, last_seen_at });
positional!(entity::report_event::Model {
    id, created_at, kind, actor_role, from_status, to_status, note, report_id, actor_id, moderation, from_level,
    to_level, reason,
});
positional!(entity::report_comment::Model { id, created_at, author_role, body, report_id, author_id, moderation });

/// Runs a select (a plain one, or one with `find_also_related` joins) and returns its raw rows.
pub async fn raw<Q: QueryTrait>(db: &impl ConnectionTrait, q: &Q) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(q.build(db.get_database_backend())).await
}

/// Runs an UPDATE of reports and returns the rows after it, decoded by position (PostgreSQL, and SQLite from 3.35:
/// every backend whose `support_returning` is true). Through SeaORM's `exec_with_returning` the same rows cost the
/// acknowledgement ~50,000 instructions of decoding by name (bench/RESULTS.md round 9).
pub async fn update_returning(
    db: &impl ConnectionTrait,
    update: sea_orm::UpdateMany<entity::report::Entity>,
) -> Result<Vec<entity::report::Model>, DbErr> {
    use sea_orm::{Iterable, sea_query::Query};
    let backend = db.get_database_backend();
    let mut stmt = update.into_query();
    stmt.returning(Query::returning().columns(entity::report::Column::iter()));
    one(&db.query_all_raw(backend.build(&stmt)).await?)
}

/// Decodes rows of one entity.
pub fn one<A: Positional>(rows: &[QueryResult]) -> Result<Vec<A>, DbErr> {
    rows.iter().map(|r| A::at(r, 0)).collect()
}

/// Decodes rows of an entity with one left-joined entity after it.
pub fn two<A: Positional, B: Positional>(rows: &[QueryResult]) -> Result<Vec<(A, Option<B>)>, DbErr> {
    rows.iter().map(|r| Ok((A::at(r, 0)?, B::maybe_at(r, A::WIDTH)?))).collect()
}

/// Decodes rows of an entity with two left-joined entities after it.
pub fn three<A: Positional, B: Positional, C: Positional>(
    rows: &[QueryResult],
) -> Result<Vec<(A, Option<B>, Option<C>)>, DbErr> {
    rows.iter().map(|r| Ok((A::at(r, 0)?, B::maybe_at(r, A::WIDTH)?, C::maybe_at(r, A::WIDTH + B::WIDTH)?))).collect()
}

#[cfg(test)]
mod tests {
    use sea_orm::{EntityTrait, Iterable};

    use super::Positional;

    fn names<E: EntityTrait>() -> Vec<String> {
        E::Column::iter().map(|c| sea_orm::IdenStatic::as_str(&c).to_owned()).collect()
    }

    #[tokio::test]
    async fn a_column_decodes_by_position_and_a_null_only_into_an_option() {
        use sea_orm::{ConnectionTrait, Database, Statement};
        let db = Database::connect("sqlite::memory:").await.unwrap();
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT 'a', NULL, 7, 2.5"))
            .await
            .unwrap();
        let row = &rows[0];
        assert_eq!(super::col::<String>(row, 0).unwrap(), "a");
        assert_eq!(super::col::<Option<String>>(row, 1).unwrap(), None);
        assert!(super::col::<String>(row, 1).is_err(), "a NULL never decodes into a required field");
        assert_eq!(super::col::<Option<i32>>(row, 2).unwrap(), Some(7));
        assert_eq!(super::col::<f64>(row, 3).unwrap(), 2.5);
        assert!(super::col::<String>(row, 9).is_err(), "no such column");
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT 'IN_PROGRESS', 'DONE', NULL"))
            .await
            .unwrap();
        use entity::enums::ReportStatus;
        assert_eq!(super::col::<ReportStatus>(&rows[0], 0).unwrap(), ReportStatus::InProgress);
        assert!(super::col::<ReportStatus>(&rows[0], 1).is_err(), "an unknown stored value is an error");
        assert_eq!(super::col::<Option<ReportStatus>>(&rows[0], 2).unwrap(), None);
    }

    #[test]
    fn columns_are_in_entity_order() {
        assert_eq!(entity::report::Model::NAMES, names::<entity::report::Entity>());
        assert_eq!(entity::app_user::Model::NAMES, names::<entity::app_user::Entity>());
        assert_eq!(entity::report_event::Model::NAMES, names::<entity::report_event::Entity>());
        assert_eq!(entity::report_comment::Model::NAMES, names::<entity::report_comment::Entity>());
    }
}
