//! Keyset pagination shared by every list: `first` 1..100, an opaque `after` cursor, newest rows never shift a page.
use base64::Engine;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Related, Select};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::msg;

/// Default page size when `first` is omitted.
pub const DEFAULT_PAGE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE: u64 = 100;

/// Validated paging arguments.
#[derive(Clone, Copy, Debug)]
pub struct PageArgs {
    /// How many rows to return.
    pub first: u64,
    /// Return rows after this one.
    pub after: Option<Uuid>,
}

impl PageArgs {
    /// Checks `first` and decodes `after`.
    pub fn parse(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let first = match first {
            None => DEFAULT_PAGE,
            Some(n) if (1..=MAX_PAGE as i32).contains(&n) => n as u64,
            Some(_) => {
                return Err(AppError::bad_input(
                    "first",
                    msg!("first 必须在 1 到 100 之间", "first must be between 1 and 100"),
                ));
            }
        };
        let after = after.map(decode_cursor).transpose()?;
        Ok(Self { first, after })
    }
}

/// One page of rows.
#[derive(Debug)]
pub struct Page<T> {
    /// The rows, in order.
    pub items: Vec<T>,
    /// Whether more rows follow.
    pub has_next: bool,
    /// Whether rows come before (the client passed a cursor).
    pub has_previous: bool,
}

/// The cursor of a row.
pub fn encode_cursor(id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(s: &str) -> AppResult<Uuid> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| Uuid::from_slice(&b).ok())
        .ok_or_else(|| AppError::bad_input("after", msg!("分页游标无效", "The `after` cursor is not valid")))
}

/// `select` shaped for one keyset page over its (time-ordered) id column: ordered, after the cursor, one row more
/// than the page (that row says whether another page follows).
fn keyset<E: EntityTrait>(select: Select<E>, id_col: E::Column, args: PageArgs, newest_first: bool) -> Select<E> {
    let q = if newest_first { select.order_by_desc(id_col) } else { select.order_by_asc(id_col) };
    let q = q.limit(args.first + 1);
    match args.after {
        Some(after) if newest_first => q.filter(id_col.lt(after)),
        Some(after) => q.filter(id_col.gt(after)),
        None => q,
    }
}

/// The page of rows fetched by a [`keyset`] select.
fn finish<T>(mut items: Vec<T>, args: PageArgs) -> Page<T> {
    let has_next = items.len() as u64 > args.first;
    items.truncate(args.first as usize);
    Page { items, has_next, has_previous: args.after.is_some() }
}

/// Runs `select` ordered by its (time-ordered) id column, returning one page. One statement.
pub async fn fetch<E, C>(
    db: &C,
    select: Select<E>,
    id_col: E::Column,
    args: PageArgs,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Ok(finish(keyset(select, id_col, args, false).all(db).await?, args))
}

/// Runs `select` newest first by its (time-ordered) id column, returning one page. One statement.
pub async fn fetch_newest<E, C>(db: &C, select: Select<E>, id_col: E::Column, args: PageArgs) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Ok(finish(keyset(select, id_col, args, true).all(db).await?, args))
}

/// [`fetch`], also bringing the user each row points at (its actor or author) in the same statement when
/// `with_user`. Returns the page and those users.
pub async fn fetch_with_user<E, C>(
    db: &C,
    select: Select<E>,
    id_col: E::Column,
    args: PageArgs,
    with_user: bool,
) -> AppResult<(Page<E::Model>, Vec<entity::app_user::Model>)>
where
    E: EntityTrait + Related<entity::app_user::Entity>,
    E::Model: crate::service::rows::Positional,
    C: ConnectionTrait,
{
    if !with_user {
        return Ok((fetch(db, select, id_col, args).await?, Vec::new()));
    }
    let q = keyset(select, id_col, args, false).find_also_related(entity::app_user::Entity);
    let (mut items, mut users) = (Vec::new(), Vec::new());
    for (row, user) in crate::service::rows::two::<E::Model, entity::app_user::Model>(&crate::service::rows::raw(db, &q).await?)? {
        items.push(row);
        users.extend(user);
    }
    Ok((finish(items, args), users))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_is_bounded() {
        assert_eq!(PageArgs::parse(None, None).unwrap().first, 20);
        assert_eq!(PageArgs::parse(Some(100), None).unwrap().first, 100);
        for bad in [0, -1, 101] {
            assert_eq!(PageArgs::parse(Some(bad), None).unwrap_err().code(), "BAD_USER_INPUT");
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let id = Uuid::now_v7();
        assert_eq!(PageArgs::parse(None, Some(&encode_cursor(id))).unwrap().after, Some(id));
        assert_eq!(PageArgs::parse(None, Some("!!")).unwrap_err().code(), "BAD_USER_INPUT");
    }
}

/// A cursor over `(timestamp, id)`, for lists ordered by a time column (oldest waiting first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeCursor {
    /// The row's timestamp.
    pub at: chrono::DateTime<chrono::Utc>,
    /// The row's id (ties).
    pub id: Uuid,
}

impl TimeCursor {
    /// Opaque form: base64url of nanoseconds since the epoch and the id.
    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(24);
        bytes.extend_from_slice(&self.at.timestamp_nanos_opt().unwrap_or_default().to_be_bytes());
        bytes.extend_from_slice(self.id.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Reads a cursor made by [`TimeCursor::encode`].
    pub fn decode(s: &str) -> AppResult<Self> {
        let bad = || AppError::bad_input("after", msg!("分页游标无效", "The `after` cursor is not valid"));
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        if b.len() != 24 {
            return Err(bad());
        }
        let nanos = i64::from_be_bytes(b[..8].try_into().map_err(|_| bad())?);
        let id = Uuid::from_slice(&b[8..]).map_err(|_| bad())?;
        Ok(TimeCursor { at: chrono::DateTime::from_timestamp_nanos(nanos), id })
    }
}

/// `first` checked, `after` kept raw (its shape depends on the list's order).
pub fn first_only(first: Option<i32>) -> AppResult<u64> {
    Ok(PageArgs::parse(first, None)?.first)
}
