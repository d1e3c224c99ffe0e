//! Automatic persisted queries, Apollo's protocol: a client sends `extensions.persistedQuery { version: 1,
//! sha256Hash }` without the query; the server answers `PersistedQueryNotFound` until it has seen the query once
//! with its hash, after which the hash alone is enough, on every replica (the store is the shared cache: Redis
//! when configured). A mini-program on 4G then sends 100 bytes instead of a 2 KB document, and a GET with the hash
//! is a URL a CDN or the client may cache.
use sha2::{Digest, Sha256};

use crate::cache::Cache;
use crate::error::AppError;

/// How long a persisted query is kept after it was last registered.
const TTL: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);

/// The refusals of the protocol, with the messages Apollo's clients look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PqError {
    /// `PERSISTED_QUERY_NOT_FOUND`, message `PersistedQueryNotFound`: send the query with its hash once.
    NotFound,
    /// `PERSISTED_QUERY_NOT_SUPPORTED`: a version other than 1.
    NotSupported,
    /// `BAD_USER_INPUT`: the hash is not the query's.
    Mismatch,
}

/// Resolves the request's persisted query, if it names one: fills in the query from the store, or stores the query
/// sent with its hash. A request without `persistedQuery` is left alone. Returns whether it was a persisted query.
pub async fn resolve(cache: &dyn Cache, req: &mut async_graphql::Request) -> Result<bool, AppError> {
    let Some(pq) = req.extensions.get("persistedQuery") else { return Ok(false) };
    let async_graphql::Value::Object(pq) = pq else { return Err(AppError::PersistedQuery(PqError::NotSupported)) };
    let version = match pq.get("version") {
        Some(async_graphql::Value::Number(n)) => n.as_i64(),
        _ => None,
    };
    if version != Some(1) {
        return Err(AppError::PersistedQuery(PqError::NotSupported));
    }
    let hash = match pq.get("sha256Hash") {
        Some(async_graphql::Value::String(h)) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => h.to_ascii_lowercase(),
        _ => return Err(AppError::PersistedQuery(PqError::Mismatch)),
    };
    let key = format!("apq:{hash}");
    if req.query.is_empty() {
        // The store unreachable is the same as not found: the client sends the query and is served.
        match cache.get(&key).await.ok().flatten() {
            Some(q) => req.query = q,
            None => return Err(AppError::PersistedQuery(PqError::NotFound)),
        }
    } else {
        if hex(&Sha256::digest(req.query.as_bytes())) != hash {
            return Err(AppError::PersistedQuery(PqError::Mismatch));
        }
        if let Err(e) = cache.set(&key, &req.query, TTL).await {
            tracing::warn!(error = %e, "could not store a persisted query");
        }
    }
    Ok(true)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sha256 of a query, as a client computes it.
pub fn hash_of(query: &str) -> String {
    hex(&Sha256::digest(query.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_pq(query: &str, hash: &str, version: i32) -> async_graphql::Request {
        let mut r = async_graphql::Request::new(query);
        let pq = serde_json::json!({ "version": version, "sha256Hash": hash });
        r.extensions.insert("persistedQuery".into(), async_graphql::Value::from_json(pq).unwrap());
        r
    }

    #[tokio::test]
    async fn registers_then_serves_by_hash() {
        let cache = crate::cache::MemoryCache::default();
        let q = "{ me { id } }";
        let h = hash_of(q);
        let mut r = with_pq("", &h, 1);
        assert!(matches!(resolve(&cache, &mut r).await, Err(AppError::PersistedQuery(PqError::NotFound))));
        let mut r = with_pq(q, &h, 1);
        assert!(resolve(&cache, &mut r).await.unwrap());
        let mut r = with_pq("", &h, 1);
        assert!(resolve(&cache, &mut r).await.unwrap());
        assert_eq!(r.query, q);
        let mut r = with_pq("{ me { nickname } }", &h, 1);
        assert!(matches!(resolve(&cache, &mut r).await, Err(AppError::PersistedQuery(PqError::Mismatch))));
        let mut r = with_pq("", &h, 2);
        assert!(matches!(resolve(&cache, &mut r).await, Err(AppError::PersistedQuery(PqError::NotSupported))));
        assert!(!resolve(&cache, &mut async_graphql::Request::new(q)).await.unwrap());
    }
}
