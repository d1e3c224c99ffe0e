//! Batch reads behind the GraphQL DataLoaders: one statement for a whole page's relation. Visibility is decided by
//! whoever asks (the object the relation hangs off was already shown to the caller); these only read.
use std::collections::HashMap;

use chrono::Utc;
use entity::{app_user, appointment, photo};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PrimaryKeyTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::auth::HEAD_ROLES;
use crate::error::AppResult;

/// The rows of `E` with these ids (those that exist).
pub async fn by_ids<E>(db: &impl ConnectionTrait, keys: &[Uuid]) -> AppResult<Vec<E::Model>>
where
    E: EntityTrait,
    E::PrimaryKey: PrimaryKeyTrait<ValueType = Uuid>,
    E::Column: From<<E::PrimaryKey as sea_orm::PrimaryKeyToColumn>::Column>,
{
    use sea_orm::{Iterable, PrimaryKeyToColumn};
    let Some(pk) = E::PrimaryKey::iter().next() else { return Ok(Vec::new()) };
    Ok(E::find().filter(pk.into_column().is_in(keys.to_vec())).all(db).await?)
}

/// The current head (neighbour, group or area head) of each of these units, keyed by the unit's id.
pub async fn heads_of(db: &impl ConnectionTrait, units: &[Uuid]) -> AppResult<HashMap<Uuid, app_user::Model>> {
    let rows = appointment::Entity::find()
        .filter(appointment::Column::ScopeId.is_in(units.to_vec()))
        .filter(appointment::Column::Role.is_in(HEAD_ROLES))
        .filter(crate::service::people::in_force(Utc::now()))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let users: HashMap<Uuid, app_user::Model> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(rows.iter().map(|a| a.user_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows.into_iter().filter_map(|a| users.get(&a.user_id).cloned().map(|u| (a.scope_id, u))).collect())
}

/// Groups `rows` by `key`, every one of `keys` getting an entry (empty when it has none), so a primed page never
/// asks again.
fn group(keys: &[Uuid], rows: Vec<photo::Model>, key: fn(&photo::Model) -> Option<Uuid>) -> HashMap<Uuid, Vec<photo::Model>> {
    let mut out: HashMap<Uuid, Vec<photo::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for p in rows {
        if let Some(k) = key(&p) {
            out.entry(k).or_default().push(p);
        }
    }
    out
}

/// The photos of these reports (not those of their comments), oldest first, keyed by report id.
pub async fn photos_of_reports(db: &impl ConnectionTrait, reports: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<photo::Model>>> {
    let rows = photo::Entity::find()
        .filter(photo::Column::ReportId.is_in(reports.to_vec()))
        .filter(photo::Column::CommentId.is_null())
        .order_by_asc(photo::Column::Id)
        .all(db)
        .await?;
    Ok(group(reports, rows, |p| p.report_id))
}

/// The photos of these comments, oldest first, keyed by comment id.
pub async fn photos_of_comments(db: &impl ConnectionTrait, comments: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<photo::Model>>> {
    let rows = photo::Entity::find()
        .filter(photo::Column::CommentId.is_in(comments.to_vec()))
        .order_by_asc(photo::Column::Id)
        .all(db)
        .await?;
    Ok(group(comments, rows, |p| p.comment_id))
}
