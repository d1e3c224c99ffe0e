//! Decoding the rows of the hot pages by position.
//!
//! SeaORM decodes every column by name: it hashes the name to find the column, and for a joined statement it first
//! formats a prefixed alias (`A_description`) per column per row. On a page of 21 reports, each with its reporter
//! and newest event joined in, that came to 18% of the server's CPU (bench/RESULTS.md). A select lists an entity's
//! columns in the order of its fields, and a join lists each entity's columns after the previous one's, so these
//! decoders read each column at its position instead.
use sea_orm::{ConnectionTrait, DbErr, QueryResult, QueryTrait};
use uuid::Uuid;

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
        if row.try_get_by_index::<Option<Uuid>>(start)?.is_none() {
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
                Ok(Self { $($field: row.try_get_by_index(next())?),* })
            }
        }
    };
}

positional!(entity::report::Model {
    id, created_at, description, urgency, unit, room, public_area, latitude, longitude, anonymous, status, version,
    waiting_since, submitted_at, acknowledged_at, dispatched_at, started_at, resolved_at, closed_at,
    first_reopened_at, ended_at, confirmed_at, rating, rating_comment, auto_closed, reopen_count, last_urged_at,
    idempotency_key, category_id, reporter_id, compound_id, building_id, neighbourhood_id, group_id, area_id,
    community_id, company_id, duplicate_of, last_event_id, moderation, last_event_kind, last_event_at,
});
positional!(entity::app_user::Model { id, created_at, openid, unionid, nickname, phone, last_seen_at });
positional!(entity::report_event::Model {
    id, created_at, kind, actor_role, from_status, to_status, note, report_id, actor_id, moderation,
});
positional!(entity::report_comment::Model { id, created_at, author_role, body, report_id, author_id, moderation });

/// Runs a select (a plain one, or one with `find_also_related` joins) and returns its raw rows.
pub async fn raw<Q: QueryTrait>(db: &impl ConnectionTrait, q: &Q) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(q.build(db.get_database_backend())).await
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

    #[test]
    fn columns_are_in_entity_order() {
        assert_eq!(entity::report::Model::NAMES, names::<entity::report::Entity>());
        assert_eq!(entity::app_user::Model::NAMES, names::<entity::app_user::Entity>());
        assert_eq!(entity::report_event::Model::NAMES, names::<entity::report_event::Entity>());
        assert_eq!(entity::report_comment::Model::NAMES, names::<entity::report_comment::Entity>());
    }
}
