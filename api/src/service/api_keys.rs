//! API keys for integrating systems on Open311 (issue 18): a district admin creates one for a system (a 12345
//! platform, a property company's work-order system) with its scopes; its secret (`lk_…`) is shown once and only
//! its SHA-256 is kept, so a key is found by the hash of what a request sends. Creating and revoking are admin
//! actions with their audit rows (through their domain events); every use of a key is an audit row too
//! (`API_KEY_USED`, written by [`record_use`] in the transaction of what it did).
use chrono::Utc;
use entity::api_key;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Acted, AuditEntry, Scope};
use super::events::{self, Change, DomainEvent};
use super::page::{Page, PageArgs};
use super::{authz, places, validate};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, new_id};
use crate::msg;
use crate::state::AppState;

/// What a key may do.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiScope {
    /// File service requests (Open311 `POST requests`).
    #[graphql(name = "OPEN311_POST")]
    Open311Post,
}

impl ApiScope {
    fn as_str(self) -> &'static str {
        match self {
            ApiScope::Open311Post => "OPEN311_POST",
        }
    }

    /// The scopes of a stored key.
    pub fn of(stored: &str) -> Vec<ApiScope> {
        stored.split(',').filter_map(|s| (s == "OPEN311_POST").then_some(ApiScope::Open311Post)).collect()
    }
}

/// The stored form of a secret.
pub fn hash(secret: &str) -> String {
    crate::auth::tokens::hash_refresh_token(secret)
}

/// `createApiKey(districtId, name, scopes)`: district admins of that district. Returns the key and its secret,
/// which is never shown again.
pub async fn create(state: &AppState, actor: &Actor, district: Uuid, name: &str, scopes: &[ApiScope]) -> AppResult<(api_key::Model, String)> {
    let name = validate::text("name", name, 64)?;
    if scopes.is_empty() {
        return Err(AppError::bad_input("scopes", msg!("请至少选择一项权限", "Give at least one scope")));
    }
    let of = authz::require_admin_of(state, actor, Kind::District, district).await?;
    let mut list: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    list.sort_unstable();
    list.dedup();
    let secret = crate::auth::tokens::new_secret("lk_");
    let by = Acted::new(Some(of.level.role()), Scope::of(Kind::District, district, &of.place))
        .after(json!({ "name": name, "scopes": list }));
    let am = api_key::ActiveModel {
        id: Set(new_id()),
        created_at: Set(Utc::now()),
        name: Set(name),
        scopes: Set(list.join(",")),
        secret_hash: Set(hash(&secret)),
        hint: Set(secret[secret.len() - 4..].to_owned()),
        district_id: Set(district),
        created_by: Set(actor.user_id()?),
        revoked_at: Set(None),
        last_used_at: Set(None),
    };
    let key = events::insert_new(state, Some(actor.user_id()?), am, AppError::from, |k| DomainEvent::ApiKeyCreated { key: k.id, by }).await?;
    Ok((key, secret))
}

/// `apiKeys(districtId)`: a district's keys, newest first, for its admins.
pub async fn list(state: &AppState, actor: &Actor, district: Uuid, args: PageArgs) -> AppResult<Page<api_key::Model>> {
    authz::require_admin_of(state, actor, Kind::District, district).await?;
    let q = api_key::Entity::find().filter(api_key::Column::DistrictId.eq(district));
    crate::service::page::fetch_newest(&state.db, q, api_key::Column::Id, args).await
}

/// `revokeApiKey(id)`: its district's admins; NOT_FOUND for anyone else. Revoking a revoked key changes nothing.
pub async fn revoke(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<api_key::Model> {
    let not_found = || places::not_found(Kind::ApiKey);
    let key = api_key::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(not_found)?;
    let of = authz::require_admin_of(state, actor, Kind::District, key.district_id).await.map_err(|e| e.hiding(not_found))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut change = Change::begin(state, Some(actor.user_id()?)).await?;
    let now = change.at();
    // Conditional: of two revocations at once, one writes the row and the audit entry.
    let done = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(change.db())
        .await?;
    if done.rows_affected == 1 {
        let by = Acted::new(Some(of.level.role()), Scope::of(Kind::District, key.district_id, &of.place))
            .before(json!({ "revoked": false }))
            .after(json!({ "revoked": true }));
        change.emit(DomainEvent::ApiKeyRevoked { key: id, by }).await?;
    }
    change.commit().await?;
    Ok(api_key::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(not_found)?)
}

/// The key a request sent, if it is one in force with `scope`: FORBIDDEN (the spec's 403) for a missing, unknown
/// or revoked key, or one without the scope. The same refusal for each, so a caller learns nothing by guessing.
pub async fn authenticate(state: &AppState, secret: Option<&str>, scope: ApiScope) -> AppResult<api_key::Model> {
    let refused = || AppError::forbidden_msg(msg!("api_key 无效或已吊销", "The api_key is invalid or revoked"));
    let secret = secret.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(refused)?;
    let key = api_key::Entity::find()
        .filter(api_key::Column::SecretHash.eq(hash(secret)))
        .one(&state.db)
        .await?
        .filter(|k| k.revoked_at.is_none() && ApiScope::of(&k.scopes).contains(&scope))
        .ok_or_else(refused)?;
    Ok(key)
}

/// Records a use of `key` in `change` (its audit row, with what it did), and when it was last used.
pub async fn record_use(change: &Change<'_>, key: &api_key::Model, what: serde_json::Value) -> AppResult<()> {
    let place = places::of(change.db(), Kind::District, key.district_id).await?;
    let mut am: api_key::ActiveModel = key.clone().into();
    am.last_used_at = Set(Some(change.at()));
    am.update(change.db()).await?;
    audit::record(
        change,
        AuditEntry {
            action: entity::enums::AuditAction::ApiKeyUsed,
            object_kind: Kind::ApiKey,
            object_id: key.id,
            acted: Acted::new(None, Scope::of(Kind::District, key.district_id, &place)).after(what),
        },
    )
    .await
}
