//! Rate limits per user and per client address, per class of operation (GCRA: one stored instant per key, the
//! "theoretical arrival time"; a request of cost c moves it c emission intervals on, and is refused when that would
//! put it more than the burst ahead of now). The instants live in the shared cache: Redis when configured, so every
//! replica draws on the same allowance, with Redis's clock (`TIME` inside the script), so replicas' clocks do not
//! matter; in-process otherwise.
//!
//! **When Redis is down** the limiter falls back to an in-process limiter per replica, so limits still hold, each
//! replica alone (behind N replicas a client gets up to N times the allowance) until Redis answers again; the
//! fallback is counted in `/metrics` (`linli_rate_limited_total{class="fallback"}`). Nothing is refused because Redis
//! is down: refusing every login while the cache is away would take the whole district offline for a cache.
//!
//! Classes and defaults (per minute / burst): login and refresh 20/10 per address (keyed by address only: there is
//! no user yet), writes 60/30 per user and 600/300 per address, reads 600/200 per user and 6000/2000 per address,
//! uploads 30/10 per user and 300/100 per address, exports 10/5 per user and 60/30 per address. Addresses get ten
//! times a user's allowance because carriers put many phones behind one address (CGNAT). `LINLI_RATE_LIMITS`
//! overrides them (`write=60/30,read=600/200,…`, `*_addr` for the address side) or turns them off (`off`).
use std::{collections::HashMap, sync::Arc};

use crate::error::{AppError, AppResult};

/// A class of operations with its own allowance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Logins and token refreshes.
    Login,
    /// Mutations (each root field of a mutation counts one).
    Write,
    /// Queries.
    Read,
    /// Photo uploads.
    Upload,
    /// Exports (downloads and requests for a file).
    Export,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 5] = [Class::Login, Class::Write, Class::Read, Class::Upload, Class::Export];

    /// The name in `LINLI_RATE_LIMITS`, keys and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Class::Login => "login",
            Class::Write => "write",
            Class::Read => "read",
            Class::Upload => "upload",
            Class::Export => "export",
        }
    }
}

/// An allowance: `per_minute` on average, `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Requests a minute, sustained.
    pub per_minute: u32,
    /// Requests at once after a quiet spell.
    pub burst: u32,
}

impl Rule {
    const fn new(per_minute: u32, burst: u32) -> Self {
        Rule { per_minute, burst }
    }

    /// Milliseconds between two requests at the sustained rate.
    fn emission_ms(self) -> u64 {
        (60_000 / u64::from(self.per_minute.max(1))).max(1)
    }
}

/// The allowances of every class, per user and per address; `None` turns the limiter off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits(Option<HashMap<(Class, bool), Rule>>);

impl Default for Limits {
    fn default() -> Self {
        let mut m = HashMap::new();
        for (class, user, addr) in [
            (Class::Login, None, Rule::new(20, 10)),
            (Class::Write, Some(Rule::new(60, 30)), Rule::new(600, 300)),
            (Class::Read, Some(Rule::new(600, 200)), Rule::new(6000, 2000)),
            (Class::Upload, Some(Rule::new(30, 10)), Rule::new(300, 100)),
            (Class::Export, Some(Rule::new(10, 5)), Rule::new(60, 30)),
        ] {
            if let Some(u) = user {
                m.insert((class, false), u);
            }
            m.insert((class, true), addr);
        }
        Limits(Some(m))
    }
}

impl Limits {
    /// No limits.
    pub fn off() -> Self {
        Limits(None)
    }

    /// Parses `LINLI_RATE_LIMITS`: `off`, or `class=per_minute/burst` items (`class_addr=` for the address side)
    /// that override the defaults. Err with an English reason.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") {
            return Ok(Limits::off());
        }
        let mut l = Limits::default();
        let m = l.0.as_mut().expect("defaults are on");
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, rule) = item.split_once('=').ok_or_else(|| format!("`{item}` is not class=per_minute/burst"))?;
            let (name, addr) = match key.trim().strip_suffix("_addr") {
                Some(n) => (n, true),
                None => (key.trim(), false),
            };
            let class = Class::ALL.into_iter().find(|c| c.name() == name).ok_or_else(|| format!("unknown class `{name}`"))?;
            if class == Class::Login && !addr {
                return Err("logins are limited per address only: use login_addr=".into());
            }
            let (a, b) = rule.split_once('/').ok_or_else(|| format!("`{rule}` is not per_minute/burst"))?;
            let (per_minute, burst) = (a.trim().parse::<u32>(), b.trim().parse::<u32>());
            let (Ok(per_minute @ 1..), Ok(burst @ 1..)) = (per_minute, burst) else {
                return Err(format!("`{rule}`: both numbers must be whole and at least 1"));
            };
            m.insert((class, addr), Rule { per_minute, burst });
        }
        Ok(l)
    }

    fn rule(&self, class: Class, addr: bool) -> Option<Rule> {
        self.0.as_ref()?.get(&(class, addr)).copied()
    }

    /// Whether any limit is on.
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }
}

/// Who is asking: the user (when signed in) and the client address.
#[derive(Clone, Debug)]
pub struct Caller<'a> {
    /// The signed-in user.
    pub user: Option<uuid::Uuid>,
    /// The client's address (see `Config::client_ip_header`).
    pub addr: &'a str,
}

/// The limiter of one process: the shared cache and the in-process fallback.
pub struct Limiter {
    limits: Limits,
    cache: Arc<dyn crate::cache::Cache>,
    local: crate::cache::MemoryCache,
    refusals: crate::metrics::Counters,
}

impl Limiter {
    /// A limiter over `cache`.
    pub fn new(limits: Limits, cache: Arc<dyn crate::cache::Cache>, refusals: crate::metrics::Counters) -> Self {
        Limiter { limits, cache, local: crate::cache::MemoryCache::with_capacity(200_000), refusals }
    }

    /// Takes `cost` from the caller's allowances of `class` (the user's and the address's). Refuses with
    /// RATE_LIMITED and the seconds to wait when either is used up; a refused request takes nothing.
    pub async fn take(&self, class: Class, who: &Caller<'_>, cost: u32) -> AppResult<()> {
        if cost == 0 || !self.limits.is_on() {
            return Ok(());
        }
        let mut keys: Vec<(String, Rule)> = Vec::with_capacity(2);
        if let (Some(u), Some(r)) = (who.user, self.limits.rule(class, false)) {
            keys.push((format!("rl:{}:u:{u}", class.name()), r));
        }
        if let Some(r) = self.limits.rule(class, true) {
            keys.push((format!("rl:{}:a:{}", class.name(), who.addr), r));
        }
        let mut wait_ms = 0u64;
        for (key, rule) in &keys {
            let (emission, tolerance) = (rule.emission_ms(), rule.emission_ms() * u64::from(rule.burst));
            let r = match self.cache.gcra(key, emission * u64::from(cost), tolerance).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "rate limiter: shared cache unreachable, limiting in this process");
                    self.refusals.inc(&["fallback"]);
                    self.local.gcra_at(key, emission * u64::from(cost), tolerance, crate::cache::MemoryCache::now_ms())
                }
            };
            wait_ms = wait_ms.max(r);
            if r > 0 {
                break;
            }
        }
        if wait_ms == 0 {
            return Ok(());
        }
        self.refusals.inc(&[class.name()]);
        let secs = wait_ms.div_ceil(1000).max(1);
        Err(AppError::Throttled {
            retry_after: secs,
            msg: crate::msg!("操作过于频繁，请 {} 秒后再试", "Too many requests; try again in {} s", secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_overrides_and_refuses_nonsense() {
        let l = Limits::parse("write=6/2, read_addr=100/50").unwrap();
        assert_eq!(l.rule(Class::Write, false), Some(Rule::new(6, 2)));
        assert_eq!(l.rule(Class::Read, true), Some(Rule::new(100, 50)));
        assert_eq!(l.rule(Class::Export, false), Limits::default().rule(Class::Export, false));
        assert_eq!(Limits::parse("off").unwrap(), Limits::off());
        for bad in ["write", "write=1", "write=0/1", "nope=1/1", "login=5/5", "write=a/b"] {
            assert!(Limits::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gcra_allows_the_burst_then_the_rate() {
        let c = crate::cache::MemoryCache::default();
        // 60 a minute (one a second), burst 3.
        let (e, tol) = (1000, 3000);
        let at = |t| c.gcra_at("k", e, tol, t);
        assert_eq!((at(0), at(0), at(0)), (0, 0, 0));
        assert_eq!(at(0), 1000, "the fourth at once waits a second");
        assert_eq!(at(999), 1, "and a refused request took nothing");
        assert_eq!(at(1000), 0);
        assert_eq!(at(1000), 1000);
        // After a quiet spell the burst is back, never more.
        assert_eq!((at(60_000), at(60_000), at(60_000), at(60_000)), (0, 0, 0, 1000));
    }
}
