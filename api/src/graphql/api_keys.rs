//! API keys for Open311 in GraphQL: adapters over `service::api_keys`.
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::api_key;

use super::{Conn, actor, arg_id, connection, page_args, state};
use crate::ids::{Kind, encode};
use crate::service::api_keys::{self, ApiScope};

/// An integrating system's key (its secret is shown only when it is created).
pub struct ApiKey(pub api_key::Model);

#[Object]
impl ApiKey {
    /// The opaque global ID.
    async fn id(&self) -> ID {
        encode(Kind::ApiKey, self.0.id)
    }
    /// What it is for.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it may do.
    async fn scopes(&self) -> Vec<ApiScope> {
        ApiScope::of(&self.0.scopes)
    }
    /// The secret's last four characters, to tell keys apart.
    async fn hint(&self) -> &str {
        &self.0.hint
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was last used.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// When it was revoked (it works no more).
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// A new key with its secret.
#[derive(SimpleObject)]
pub struct CreatedApiKey {
    /// The key.
    pub key: ApiKey,
    /// The secret, to send as `api_key`: shown this once, never stored (only its hash is).
    pub secret: String,
}

/// API key queries.
#[derive(Default)]
pub struct ApiKeyQuery;

#[Object]
impl ApiKeyQuery {
    /// District admins: the district's API keys, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn api_keys(&self, ctx: &Context<'_>, district_id: ID, first: Option<i32>, after: Option<String>) -> Result<Conn<ApiKey>> {
        let district = arg_id(&district_id, Kind::District, "districtId")?;
        let p = api_keys::list(state(ctx), actor(ctx), district, page_args(first, after)?).await?;
        Ok(connection(p, |k| k.id, ApiKey))
    }
}

/// API key mutations.
#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// District admins: a key for an integrating system (a 12345 platform files calls with `OPEN311_POST`). The
    /// secret is in the answer only.
    async fn create_api_key(&self, ctx: &Context<'_>, district_id: ID, name: String, scopes: Vec<ApiScope>) -> Result<CreatedApiKey> {
        let district = arg_id(&district_id, Kind::District, "districtId")?;
        let (key, secret) = api_keys::create(state(ctx), actor(ctx), district, &name, &scopes).await?;
        Ok(CreatedApiKey { key: ApiKey(key), secret })
    }

    /// District admins: revokes a key; it is refused from the next request on.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<ApiKey> {
        let id = arg_id(&id, Kind::ApiKey, "id")?;
        Ok(ApiKey(api_keys::revoke(state(ctx), actor(ctx), id).await?))
    }
}
