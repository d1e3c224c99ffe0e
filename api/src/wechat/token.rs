//! The access_token every server call but code2Session needs: from `stable_token` in normal mode (the same token
//! while it is valid, so replicas never invalidate each other's), cached in the shared cache (Redis when several
//! replicas run, in-process otherwise) and in this process, refreshed five minutes ahead of expiry, one refresh in
//! flight per process. A token a call found bad is dropped only if it is still the cached one: another replica may
//! already have put a fresh one there.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::errors::WechatErr;
use crate::cache::Cache;

/// WeChat rotates a stable token five minutes before it expires (both valid meanwhile): refresh then.
const REFRESH_AHEAD_SECS: i64 = 300;

/// A token as cached: the value and when to refresh it (unix seconds).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Stored {
    token: String,
    refresh_at: i64,
}

/// What `stable_token` answered.
pub struct Fetched {
    /// The token.
    pub token: String,
    /// Its remaining lifetime in seconds.
    pub expires_in: i64,
}

/// The cached access token of one app id.
pub struct AccessTokens {
    cache: Arc<dyn Cache>,
    key: String,
    /// This process's copy with the exact cached string (for compare-and-delete).
    local: std::sync::Mutex<Option<(Stored, String)>>,
    /// One refresh in flight per process: callers queue here and find the token the first one fetched.
    flight: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

impl AccessTokens {
    /// Tokens of `appid`, shared through `cache`.
    pub fn new(cache: Arc<dyn Cache>, appid: &str) -> Self {
        Self {
            cache,
            key: format!("wechat:access_token:{appid}"),
            local: std::sync::Mutex::new(None),
            flight: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many times this process fetched a token from WeChat.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn local_fresh(&self) -> Option<String> {
        let now = Utc::now().timestamp();
        let local = self.local.lock().expect("token lock");
        local.as_ref().filter(|(s, _)| s.refresh_at > now).map(|(s, _)| s.token.clone())
    }

    async fn shared_fresh(&self) -> Option<(Stored, String)> {
        let raw = match self.cache.get(&self.key).await {
            Ok(v) => v?,
            Err(e) => {
                tracing::warn!(error = %e, "cache unreachable reading the WeChat access token");
                return None;
            }
        };
        let s: Stored = serde_json::from_str(&raw).ok()?;
        (s.refresh_at > Utc::now().timestamp()).then_some((s, raw))
    }

    /// A valid token: this process's copy, else the shared one, else a fresh one from `fetch` (one in flight).
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<String, WechatErr>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Fetched, WechatErr>>,
    {
        if let Some(t) = self.local_fresh() {
            return Ok(t);
        }
        let _flight = self.flight.lock().await;
        // Whoever held the lock before may have fetched it already.
        if let Some(t) = self.local_fresh() {
            return Ok(t);
        }
        if let Some((s, raw)) = self.shared_fresh().await {
            let token = s.token.clone();
            *self.local.lock().expect("token lock") = Some((s, raw));
            return Ok(token);
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let f = fetch().await?;
        let lifetime = (f.expires_in - REFRESH_AHEAD_SECS).max(60);
        let stored = Stored { token: f.token.clone(), refresh_at: Utc::now().timestamp() + lifetime };
        let raw = serde_json::to_string(&stored).expect("token serialises");
        if let Err(e) = self.cache.set(&self.key, &raw, Duration::from_secs(lifetime as u64)).await {
            tracing::warn!(error = %e, "cache unreachable storing the WeChat access token");
        }
        *self.local.lock().expect("token lock") = Some((stored, raw));
        tracing::info!(expires_in = f.expires_in, "fetched a WeChat access token");
        Ok(f.token)
    }

    /// Drops `failed` (WeChat said it is invalid or expired), here and in the shared cache, but only where it is
    /// still the cached token.
    pub async fn invalidate(&self, failed: &str) {
        let raw = {
            let mut local = self.local.lock().expect("token lock");
            match local.as_ref() {
                Some((s, raw)) if s.token == failed => {
                    let raw = raw.clone();
                    *local = None;
                    Some(raw)
                }
                _ => None,
            }
        };
        // The shared copy may have been stored by another replica: compare against what is there now.
        let raw = match raw {
            Some(r) => Some(r),
            None => self.shared_fresh().await.filter(|(s, _)| s.token == failed).map(|(_, raw)| raw),
        };
        if let Some(raw) = raw {
            match self.cache.del_if_eq(&self.key, &raw).await {
                Ok(dropped) => tracing::info!(dropped, "WeChat rejected the cached access token"),
                Err(e) => tracing::warn!(error = %e, "cache unreachable dropping the WeChat access token"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::MemoryCache;

    fn fetched(t: &str) -> Result<Fetched, WechatErr> {
        Ok(Fetched { token: t.into(), expires_in: 7200 })
    }

    #[tokio::test]
    async fn a_token_is_fetched_once_and_shared_through_the_cache() {
        let cache: Arc<dyn Cache> = Arc::new(MemoryCache::default());
        let a = AccessTokens::new(cache.clone(), "wx1");
        let b = AccessTokens::new(cache.clone(), "wx1"); // another replica
        assert_eq!(a.get(|| async { fetched("T1") }).await.unwrap(), "T1");
        assert_eq!(a.get(|| async { fetched("T2") }).await.unwrap(), "T1");
        assert_eq!(b.get(|| async { fetched("T3") }).await.unwrap(), "T1");
        assert_eq!((a.fetches(), b.fetches()), (1, 0));
    }

    #[tokio::test]
    async fn only_the_failed_token_is_dropped() {
        let cache: Arc<dyn Cache> = Arc::new(MemoryCache::default());
        let a = AccessTokens::new(cache.clone(), "wx1");
        let b = AccessTokens::new(cache.clone(), "wx1");
        a.get(|| async { fetched("T1") }).await.unwrap();
        b.get(|| async { fetched("x") }).await.unwrap();
        // Replica b meets 40001 first and stores T2; replica a's late report about T1 must not drop T2.
        b.invalidate("T1").await;
        assert_eq!(b.get(|| async { fetched("T2") }).await.unwrap(), "T2");
        a.invalidate("T1").await;
        assert_eq!(a.get(|| async { fetched("T3") }).await.unwrap(), "T2");
        assert_eq!(a.fetches() + b.fetches(), 2);
    }

    #[tokio::test]
    async fn a_failed_fetch_caches_nothing() {
        let cache: Arc<dyn Cache> = Arc::new(MemoryCache::default());
        let a = AccessTokens::new(cache, "wx1");
        assert_eq!(a.get(|| async { Err(WechatErr::Busy) }).await.unwrap_err(), WechatErr::Busy);
        assert_eq!(a.get(|| async { fetched("T1") }).await.unwrap(), "T1");
    }
}
