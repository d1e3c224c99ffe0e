//! The server's clock. Production reads the system time; tests move it forward (`advance`) to make due times
//! pass without sleeping. Only what decides by time (SLA timers, report actions, the auto-close) reads it.
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// The system time plus an offset that only tests change.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        // To the microsecond, what both databases store: a row built from this time in memory is the row read back.
        chrono::SubsecRound::trunc_subsecs(Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed)), 6)
    }

    /// Sets this clock to read `at` now (tests).
    pub fn set_to(&self, at: DateTime<Utc>) {
        self.offset_ms.store((at - Utc::now()).num_milliseconds(), Ordering::Relaxed);
    }

    /// Moves this clock forward by `by` (tests).
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}
