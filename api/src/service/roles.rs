//! Loading a user's current roles, with a cache that is invalidated the moment an appointment changes.
//!
//! The cache key includes a per-user generation number. A change bumps the generation (after its transaction
//! commits), so an entry written by a request that read the database just before the change is written under the
//! old generation and never read again: revocation takes effect at once, on every replica when Redis is used.
use chrono::{DateTime, Utc};
use entity::appointment;
use sea_orm::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::auth::{Grant, Roles};
use crate::error::AppResult;
use crate::state::AppState;

fn gen_key(user: Uuid) -> String {
    format!("rolegen:{user}")
}

/// The user's active grants now.
pub async fn current(state: &AppState, user: Uuid) -> AppResult<Roles> {
    let now = Utc::now();
    let generation = match state.cache.get(&gen_key(user)).await {
        Ok(g) => Some(g.unwrap_or_else(|| "0".into())),
        Err(e) => {
            tracing::warn!(error = %e, "role cache unavailable; reading roles from the database");
            None
        }
    };
    if let Some(g) = &generation {
        if let Ok(Some(json)) = state.cache.get(&format!("roles:{user}:{g}")).await {
            if let Ok(roles) = serde_json::from_str::<Roles>(&json) {
                return Ok(roles.still_active(now));
            }
        }
    }
    let (roles, next_start) = load(state, user, now).await?;
    if let Some(g) = generation {
        // Never cache past the moment a pending appointment starts.
        let mut ttl = state.config.role_cache_ttl;
        if let Some(start) = next_start {
            ttl = ttl.min((start - now).to_std().unwrap_or_default());
        }
        if !ttl.is_zero() {
            let json = serde_json::to_string(&roles).map_err(anyhow::Error::from)?;
            if let Err(e) = state.cache.set(&format!("roles:{user}:{g}"), &json, ttl).await {
                tracing::warn!(error = %e, "could not cache roles");
            }
        }
    }
    Ok(roles)
}

async fn load(state: &AppState, user: Uuid, now: DateTime<Utc>) -> AppResult<(Roles, Option<DateTime<Utc>>)> {
    let rows = appointment::Entity::find()
        .filter(appointment::Column::UserId.eq(user))
        .filter(
            Expr::col(appointment::Column::EndsAt).is_null().or(appointment::Column::EndsAt.gt(now)),
        )
        .all(&state.db)
        .await?;
    let mut grants = Vec::new();
    let mut next_start: Option<DateTime<Utc>> = None;
    for a in rows {
        if a.starts_at > now {
            next_start = Some(next_start.map_or(a.starts_at, |n| std::cmp::min(n, a.starts_at)));
            continue;
        }
        grants.push(Grant { role: a.role, scope: a.scope_id, ends_at: a.ends_at });
    }
    Ok((Roles { grants }, next_start))
}

/// Makes every replica forget the user's cached roles. Call after the change has committed.
pub async fn invalidate(state: &AppState, user: Uuid) {
    if let Err(e) = state.cache.incr(&gen_key(user)).await {
        tracing::error!(error = %e, user = %user, "could not invalidate cached roles");
    }
}
