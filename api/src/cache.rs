//! A small key-value cache with expiry: in-process by default, Redis when `REDIS_URL` is set so that every
//! replica sees the same entries and an invalidation on one replica takes effect on all.
use std::time::{Duration, Instant};

use redis::AsyncCommands;

/// What the service layer needs from a cache. Failures are reported, and callers fall back to the database.
#[async_trait::async_trait]
pub trait Cache: Send + Sync {
    /// The value under `key`, if present and not expired.
    async fn get(&self, key: &str) -> anyhow::Result<Option<String>>;
    /// Stores `value` under `key` for `ttl`.
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()>;
    /// Removes `key`.
    async fn del(&self, key: &str) -> anyhow::Result<()>;
    /// Atomically increments the counter under `key` (no expiry) and returns the new value.
    async fn incr(&self, key: &str) -> anyhow::Result<i64>;
    /// Deletes `key` only while it still holds `value` (atomically), so a replica never drops a value another one
    /// has just replaced. Returns whether it deleted.
    async fn del_if_eq(&self, key: &str, value: &str) -> anyhow::Result<bool>;
    /// One GCRA step (`service/ratelimit.rs`): moves the key's instant `increment_ms` on unless that puts it more
    /// than `tolerance_ms` ahead of now. Ok(0) when allowed, else Ok(milliseconds to wait), nothing taken.
    async fn gcra(&self, key: &str, increment_ms: u64, tolerance_ms: u64) -> anyhow::Result<u64>;
    /// Which backend this is, for logs and `/healthz`.
    fn backend(&self) -> &'static str;
}

/// The process's monotonic clock in milliseconds (the in-process limiter's time).
static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// The in-process cache used when there is no Redis (one replica): bounded (least recently used entries are
/// evicted when it holds [`MemoryCache::MAX_ENTRIES`]), each entry expiring after its own time to live.
pub struct MemoryCache {
    entries: moka::sync::Cache<String, (String, Instant)>,
}

/// Each entry lives until the instant stored with it.
struct UntilStored;

impl moka::Expiry<String, (String, Instant)> for UntilStored {
    fn expire_after_create(&self, _: &String, v: &(String, Instant), now: Instant) -> Option<Duration> {
        Some(v.1.saturating_duration_since(now))
    }
    fn expire_after_update(&self, _: &String, v: &(String, Instant), now: Instant, _: Option<Duration>) -> Option<Duration> {
        Some(v.1.saturating_duration_since(now))
    }
}

impl MemoryCache {
    /// How many entries it holds at most.
    pub const MAX_ENTRIES: u64 = 100_000;

    /// Milliseconds since the process's first look at the clock.
    pub fn now_ms() -> u64 {
        EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
    }

    /// [`Cache::gcra`] at a given `now` (tests pass their own).
    pub fn gcra_at(&self, key: &str, increment_ms: u64, tolerance_ms: u64, now: u64) -> u64 {
        use moka::ops::compute::Op;
        let mut wait = 0;
        self.entries.entry(format!("gcra:{key}")).and_compute_with(|old| {
            let tat = old.and_then(|e| e.into_value().0.parse::<u64>().ok()).unwrap_or(now).max(now);
            let new = tat + increment_ms;
            if new - now > tolerance_ms {
                wait = new - now - tolerance_ms;
                Op::Nop
            } else {
                let ttl = Duration::from_millis(new - now);
                Op::Put((new.to_string(), Instant::now() + ttl))
            }
        });
        wait
    }

    /// A cache of at most `max` entries.
    pub fn with_capacity(max: u64) -> Self {
        MemoryCache {
            entries: moka::sync::Cache::builder()
                .max_capacity(max)
                .eviction_policy(moka::policy::EvictionPolicy::lru())
                .expire_after(UntilStored)
                .build(),
        }
    }
}

impl Default for MemoryCache {
    fn default() -> Self {
        MemoryCache::with_capacity(Self::MAX_ENTRIES)
    }
}

#[async_trait::async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        Ok(self.entries.get(key).filter(|(_, until)| *until > Instant::now()).map(|(v, _)| v))
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        self.entries.insert(key.to_owned(), (value.to_owned(), Instant::now() + ttl));
        Ok(())
    }

    async fn del(&self, key: &str) -> anyhow::Result<()> {
        self.entries.invalidate(key);
        Ok(())
    }

    async fn incr(&self, key: &str) -> anyhow::Result<i64> {
        let far = Instant::now() + Duration::from_secs(10 * 365 * 86400);
        // One atomic step per key, as Redis's INCR.
        let entry = self.entries.entry(key.to_owned()).and_upsert_with(|old| {
            let n = old.map(|e| e.into_value()).filter(|(_, until)| *until > Instant::now()).and_then(|(v, _)| v.parse::<i64>().ok());
            ((n.unwrap_or(0) + 1).to_string(), far)
        });
        Ok(entry.into_value().0.parse().unwrap_or(1))
    }

    async fn del_if_eq(&self, key: &str, value: &str) -> anyhow::Result<bool> {
        use moka::ops::compute::{CompResult, Op};
        let now = Instant::now();
        let r = self.entries.entry(key.to_owned()).and_compute_with(|old| match old {
            Some(e) if e.value().0 == value && e.value().1 > now => Op::Remove,
            _ => Op::Nop,
        });
        Ok(matches!(r, CompResult::Removed(_)))
    }

    async fn gcra(&self, key: &str, increment_ms: u64, tolerance_ms: u64) -> anyhow::Result<u64> {
        Ok(self.gcra_at(key, increment_ms, tolerance_ms, Self::now_ms()))
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}

/// The Redis cache shared by all replicas. Keys are prefixed with `linli:`.
///
/// **When Redis is down** every call fails instead of waiting: a call waits at most [`RedisCache::CALL_TIMEOUT`],
/// and after a failure to reach Redis the calls of the next [`RedisCache::DOWN_FOR`] fail at once while the
/// connection is made again in the background. Callers fall back (roles from the database, persisted queries not
/// found, rate limits in-process), so a replica whose Redis is away answers at nearly its usual speed instead of
/// each request waiting for the reconnection's back-off (seconds; `tests/peers/redis-fault.mjs`).
pub struct RedisCache {
    conn: redis::aio::ConnectionManager,
    /// Until when calls fail at once ([`MemoryCache::now_ms`]; 0: Redis answered last time).
    down_until: std::sync::atomic::AtomicU64,
}

impl RedisCache {
    /// The longest a call waits for Redis.
    pub const CALL_TIMEOUT: Duration = Duration::from_millis(500);
    /// How long calls fail at once after Redis could not be reached.
    pub const DOWN_FOR: Duration = Duration::from_secs(1);

    /// Connects to `url` (fails fast when Redis is unreachable, so a misconfigured replica does not start).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        // Reconnection attempts at most half a second apart, so a Redis that is back is used again within
        // about DOWN_FOR + 0.5 s.
        let config = redis::aio::ConnectionManagerConfig::new().set_max_delay(Duration::from_millis(500));
        let conn = tokio::time::timeout(Duration::from_secs(5), client.get_connection_manager_with_config(config))
            .await
            .map_err(|_| anyhow::anyhow!("timed out connecting to Redis"))??;
        Ok(Self { conn, down_until: Default::default() })
    }

    fn key(key: &str) -> String {
        format!("linli:{key}")
    }

    /// Runs one call: at once Err while Redis counts as down, else the call within [`Self::CALL_TIMEOUT`].
    async fn call<T>(&self, f: impl std::future::Future<Output = redis::RedisResult<T>>) -> anyhow::Result<T> {
        use std::sync::atomic::Ordering::Relaxed;
        let now = MemoryCache::now_ms();
        if now < self.down_until.load(Relaxed) {
            anyhow::bail!("Redis was unreachable a moment ago (reconnecting in the background)");
        }
        let down = || self.down_until.fetch_max(MemoryCache::now_ms() + Self::DOWN_FOR.as_millis() as u64, Relaxed);
        match tokio::time::timeout(Self::CALL_TIMEOUT, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                if e.is_io_error() || e.is_connection_refusal() || e.is_connection_dropped() || e.is_timeout() {
                    down();
                }
                Err(e.into())
            }
            Err(_) => {
                down();
                anyhow::bail!("Redis did not answer in {} ms", Self::CALL_TIMEOUT.as_millis())
            }
        }
    }
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        self.call(self.conn.clone().get(Self::key(key))).await
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let secs = ttl.as_secs().max(1);
        self.call(self.conn.clone().set_ex::<_, _, ()>(Self::key(key), value, secs)).await
    }

    async fn del(&self, key: &str) -> anyhow::Result<()> {
        self.call(self.conn.clone().del::<_, ()>(Self::key(key))).await
    }

    async fn incr(&self, key: &str) -> anyhow::Result<i64> {
        self.call(self.conn.clone().incr(Self::key(key), 1)).await
    }

    async fn del_if_eq(&self, key: &str, value: &str) -> anyhow::Result<bool> {
        // Compare and delete in one step on the server.
        let script = redis::Script::new(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
        );
        let mut conn = self.conn.clone();
        let n: i64 = self.call(script.key(Self::key(key)).arg(value).invoke_async(&mut conn)).await?;
        Ok(n == 1)
    }

    async fn gcra(&self, key: &str, increment_ms: u64, tolerance_ms: u64) -> anyhow::Result<u64> {
        // Redis's clock, so replicas' clocks do not matter; one step on the server.
        let script = redis::Script::new(
            r"local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new = tat + tonumber(ARGV[1])
if new - now > tonumber(ARGV[2]) then return new - now - tonumber(ARGV[2]) end
redis.call('SET', KEYS[1], new, 'PX', math.max(1, new - now))
return 0",
        );
        let mut conn = self.conn.clone();
        let wait: i64 = self.call(script.key(Self::key(key)).arg(increment_ms).arg(tolerance_ms).invoke_async(&mut conn)).await?;
        Ok(wait.max(0) as u64)
    }

    fn backend(&self) -> &'static str {
        "redis"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_cache_expires_and_deletes() {
        let c = MemoryCache::default();
        c.set("a", "1", Duration::from_millis(30)).await.unwrap();
        assert_eq!(c.get("a").await.unwrap().as_deref(), Some("1"));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(c.get("a").await.unwrap(), None);
        c.set("b", "2", Duration::from_secs(5)).await.unwrap();
        c.del("b").await.unwrap();
        assert_eq!(c.get("b").await.unwrap(), None);
        c.set("t", "old", Duration::from_secs(5)).await.unwrap();
        assert!(!c.del_if_eq("t", "other").await.unwrap());
        assert_eq!(c.get("t").await.unwrap().as_deref(), Some("old"));
        assert!(c.del_if_eq("t", "old").await.unwrap());
        assert_eq!(c.get("t").await.unwrap(), None);
        assert_eq!(c.incr("n").await.unwrap(), 1);
        assert_eq!(c.incr("n").await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_full_memory_cache_evicts_instead_of_starting_over() {
        let c = MemoryCache::with_capacity(50);
        for i in 0..500 {
            c.set(&format!("k{i}"), "v", Duration::from_secs(60)).await.unwrap();
        }
        c.entries.run_pending_tasks();
        assert!(c.entries.entry_count() <= 50, "bounded: {}", c.entries.entry_count());
        assert_eq!(c.get("k499").await.unwrap().as_deref(), Some("v"), "the newest entries stay");
    }
}
