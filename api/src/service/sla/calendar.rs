//! Business-time arithmetic for SLA clocks.
//!
//! All local times are Beijing time, a fixed UTC+8 offset with no daylight
//! saving. Business time runs only inside the half-open window
//! `[start_minute, end_minute)` of local time on working days. A public
//! holiday is never a working day; a make-up working day (调休上班) always is;
//! any other date follows the usual weekday pattern. A date in both sets
//! counts as a holiday.
//!
//! Precision: business time is measured exactly (sub-minute parts included)
//! and [`Calendar::minutes_between`] rounds the total *down* to whole minutes.
//! [`Calendar::add`] keeps the seconds of `from` when `from` is inside working
//! time; when `from` lies outside, counting starts at the next opening (whole
//! minutes, so the seconds of `from` play no part). The result of `add` is
//! the *earliest* moment at which the requested amount is reached, so a target
//! that ends exactly at closing time is due at closing time, not at the next
//! opening. With zero minutes `add` returns `from` if it is inside working
//! time, else the next opening. Consequently, for every `from` and `m >= 0`,
//! `minutes_between(from, add(from, m)) == m`. Negative minutes count as zero.
//!
//! With `round_the_clock` (urgent reports run 24 h) both functions use plain
//! wall-clock minutes and ignore the calendar.
//!
//! Scans are bounded by [`MAX_SCAN_DAYS`] days and step whole days, never
//! single minutes.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};

/// Upper bound on the days any scan covers (about ten years). If `add` does not
/// reach its target within it (impossible after [`Calendar::validate`] for
/// realistic targets) it falls back to wall-clock minutes; `minutes_between`
/// counts only this many days after `from`; targets are capped to this many days.
pub const MAX_SCAN_DAYS: i64 = 3700;

/// Offset of Beijing time from UTC, in seconds.
const BEIJING_OFFSET_SECS: i64 = 8 * 3600;

/// What kind of day off the usual week (mirrors the stored enum; the caller maps it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayKind {
    /// A public holiday: no business time whatever the weekday.
    Holiday,
    /// A make-up working day (调休): business time whatever the weekday.
    Workday,
}

/// A business-hours calendar: daily working window, usual working weekdays
/// and special days, plus the share of a target at which to warn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// Minutes after local midnight the working day starts, e.g. 510 = 08:30.
    pub start_minute: u32,
    /// Minutes after local midnight it ends, e.g. 1050 = 17:30 (start < end <= 1440).
    pub end_minute: u32,
    /// Index 0 = Monday .. 6 = Sunday: usual working weekdays.
    pub weekdays: [bool; 7],
    /// Public holidays: no business time whatever the weekday.
    pub holidays: BTreeSet<NaiveDate>,
    /// Make-up working days (调休): business time whatever the weekday.
    pub workdays: BTreeSet<NaiveDate>,
    /// Warn at this share (percent) of a target (default 75).
    pub warn_percent: u32,
}

fn to_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc() + Duration::seconds(BEIJING_OFFSET_SECS)
}

fn from_local(t: NaiveDateTime) -> DateTime<Utc> {
    (t - Duration::seconds(BEIJING_OFFSET_SECS)).and_utc()
}

fn wall_clock(from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    let m = minutes.clamp(0, MAX_SCAN_DAYS * 1440);
    from.checked_add_signed(Duration::minutes(m)).unwrap_or(from)
}

impl Calendar {
    /// Office hours: 08:30–17:30, Monday–Friday, no special days, warn at 75 %.
    pub fn office() -> Calendar {
        Calendar {
            start_minute: 510,
            end_minute: 1050,
            weekdays: [true, true, true, true, true, false, false],
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
            warn_percent: 75,
        }
    }

    /// Returns the calendar with the given special days added. A date is moved
    /// out of the other set, so a later entry for the same date wins.
    pub fn with_days(mut self, days: &[(NaiveDate, DayKind)]) -> Calendar {
        for &(d, kind) in days {
            let (into, out) = match kind {
                DayKind::Holiday => (&mut self.holidays, &mut self.workdays),
                DayKind::Workday => (&mut self.workdays, &mut self.holidays),
            };
            out.remove(&d);
            into.insert(d);
        }
        self
    }

    /// Whether `d` has business time: holiday -> false; make-up workday ->
    /// true; otherwise the usual weekday pattern.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !self.holidays.contains(&d)
            && (self.workdays.contains(&d) || self.weekdays[d.weekday().num_days_from_monday() as usize])
    }

    /// The local `[open, close)` window of `d`, if it is a working day.
    fn window(&self, d: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let midnight = d.and_hms_opt(0, 0, 0).filter(|_| self.is_working_day(d))?;
        let open = midnight + Duration::minutes(i64::from(self.start_minute));
        let close = midnight + Duration::minutes(i64::from(self.end_minute.min(1440)));
        (open < close).then_some((open, close))
    }

    /// The moment `minutes` business minutes after `from`. round_the_clock = true: plain wall-clock minutes (urgent reports run 24 h).
    ///
    /// Outside working time counting starts at the next opening; zero minutes
    /// yields `from` itself inside working time, else the next opening. The
    /// result is the earliest moment reaching the target (a target that ends
    /// at closing time is due at closing time). Negative minutes count as zero.
    pub fn add(&self, from: DateTime<Utc>, minutes: i64, round_the_clock: bool) -> DateTime<Utc> {
        if round_the_clock {
            return wall_clock(from, minutes);
        }
        let mut remaining = Duration::minutes(minutes.clamp(0, MAX_SCAN_DAYS * 1440));
        let start = to_local(from);
        let mut day = start.date();
        for _ in 0..MAX_SCAN_DAYS {
            if let Some((open, close)) = self.window(day) {
                let s = start.max(open);
                if s < close {
                    let available = close - s;
                    if remaining <= available {
                        return from_local(s + remaining);
                    }
                    remaining -= available;
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        wall_clock(from, minutes)
    }

    /// Business minutes between `from` and `to` (0 if to <= from); round_the_clock: wall-clock minutes.
    ///
    /// Business time is measured exactly and rounded down to whole minutes;
    /// only the first [`MAX_SCAN_DAYS`] days after `from` are scanned.
    pub fn minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>, round_the_clock: bool) -> i64 {
        if to <= from || round_the_clock {
            return (to - from).num_minutes().max(0);
        }
        let (a, b) = (to_local(from), to_local(to));
        let mut total = Duration::zero();
        let mut day = a.date();
        for _ in 0..MAX_SCAN_DAYS {
            if day > b.date() {
                break;
            }
            if let Some((open, close)) = self.window(day) {
                let (s, e) = (a.max(open), b.min(close));
                if s < e {
                    total += e - s;
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        total.num_minutes()
    }

    /// The warning offset for a target of `minutes`: minutes * warn_percent / 100 (at least 1 when minutes > 0).
    pub fn warn_minutes(&self, minutes: i64) -> i64 {
        if minutes <= 0 {
            return 0;
        }
        (i128::from(minutes) * i128::from(self.warn_percent) / 100).clamp(1, i128::from(i64::MAX)) as i64
    }

    /// Checks the calendar is usable: start < end, end <= 1440, at least one weekday, warn_percent in 1..=99; Err with an English reason.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.end_minute > 1440 {
            return Err("end_minute must be at most 1440 (local midnight)");
        }
        if self.start_minute >= self.end_minute {
            return Err("start_minute must be before end_minute");
        }
        if !self.weekdays.iter().any(|&w| w) {
            return Err("at least one weekday must be a working day");
        }
        if !(1..=99).contains(&self.warn_percent) {
            return Err("warn_percent must be between 1 and 99");
        }
        Ok(())
    }
}

/// The official 2026 calendar of the State Council's notice (国务院办公厅关于2026年部分节假日安排的通知, published 2025-11-04, Xinhua): each holiday date and make-up working day with its name in Chinese.
///
/// 33 holiday dates and 6 make-up working days, in notice order.
pub fn official_2026() -> Vec<(NaiveDate, DayKind, &'static str)> {
    use DayKind::{Holiday, Workday};
    /// (name, first holiday (month, day), number of days, make-up days, make-up name)
    type Span = (&'static str, (u32, u32), i64, &'static [(u32, u32)], &'static str);
    const SPANS: [Span; 7] = [
        ("元旦", (1, 1), 3, &[(1, 4)], "元旦调休上班"),
        ("春节", (2, 15), 9, &[(2, 14), (2, 28)], "春节调休上班"),
        ("清明节", (4, 4), 3, &[], ""),
        ("劳动节", (5, 1), 5, &[(5, 9)], "劳动节调休上班"),
        ("端午节", (6, 19), 3, &[], ""),
        ("中秋节", (9, 25), 3, &[], ""),
        ("国庆节", (10, 1), 7, &[(9, 20), (10, 10)], "国庆节调休上班"),
    ];
    let date = |(m, d): (u32, u32)| NaiveDate::from_ymd_opt(2026, m, d).expect("valid 2026 date");
    let mut out = Vec::with_capacity(39);
    for (name, first, len, makeups, makeup_name) in SPANS {
        let first = date(first);
        out.extend((0..len).map(|i| (first + Duration::days(i), Holiday, name)));
        out.extend(makeups.iter().map(|&md| (date(md), Workday, makeup_name)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Beijing local time as a UTC instant.
    fn bj(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        from_local(NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap())
    }

    fn cal2026() -> Calendar {
        let days: Vec<_> = official_2026().into_iter().map(|(d, k, _)| (d, k)).collect();
        Calendar::office().with_days(&days)
    }

    #[test]
    fn holiday_weekend_after_qingming_friday() {
        let c = cal2026();
        // Thursday evening, 9 h target: Friday 04-03 is a full working day.
        assert_eq!(c.add(bj(2026, 4, 2, 18, 0), 540, false), bj(2026, 4, 3, 17, 30));
        // Friday evening, 4 h target: Sat, Sun and Mon (04-06) are off.
        assert_eq!(c.add(bj(2026, 4, 3, 18, 0), 240, false), bj(2026, 4, 7, 12, 30));
        assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2026, 4, 6).unwrap()));
    }

    #[test]
    fn makeup_sunday_counts() {
        let c = cal2026();
        assert_eq!(c.add(bj(2026, 9, 19, 10, 0), 120, false), bj(2026, 9, 20, 10, 30));
        // Without the special days the same report waits for Monday.
        assert_eq!(Calendar::office().add(bj(2026, 9, 19, 10, 0), 120, false), bj(2026, 9, 21, 10, 30));
    }

    #[test]
    fn spring_festival_makeup_saturday() {
        let c = cal2026();
        let from = bj(2026, 2, 13, 17, 0);
        assert_eq!(c.add(from, 60, false), bj(2026, 2, 14, 9, 0));
        assert_eq!(c.minutes_between(from, bj(2026, 2, 13, 17, 30), false), 30);
        // After the make-up Saturday the festival runs 02-15..02-23.
        assert_eq!(c.add(bj(2026, 2, 14, 17, 0), 60, false), bj(2026, 2, 24, 9, 0));
    }

    #[test]
    fn round_the_clock_ignores_calendar() {
        let c = cal2026();
        let from = bj(2026, 10, 1, 23, 0);
        assert_eq!(c.add(from, 120, true), bj(2026, 10, 2, 1, 0));
        assert_eq!(c.minutes_between(from, bj(2026, 10, 2, 1, 0), true), 120);
        assert_eq!(c.minutes_between(from, from - Duration::hours(1), true), 0);
    }

    #[test]
    fn minutes_between_national_day_week() {
        let c = cal2026();
        // Wed 09-30 09:00..17:30 = 510; 10-01..07 off; Thu 8, Fri 9, make-up Sat 10
        // = 3 × 540; Sun 11 off; Mon 12 08:30..09:00 = 30.
        assert_eq!(c.minutes_between(bj(2026, 9, 30, 9, 0), bj(2026, 10, 12, 9, 0), false), 2160);
        assert_eq!(c.minutes_between(bj(2026, 10, 2, 9, 0), bj(2026, 10, 6, 9, 0), false), 0);
        assert_eq!(c.minutes_between(bj(2026, 10, 12, 9, 0), bj(2026, 9, 30, 9, 0), false), 0);
    }

    #[test]
    fn zero_minutes_boundaries_and_seconds() {
        let c = Calendar::office();
        let inside = bj(2026, 3, 3, 10, 0) + Duration::seconds(42);
        assert_eq!(c.add(inside, 0, false), inside);
        assert_eq!(c.add(inside, 1, false), inside + Duration::minutes(1));
        assert_eq!(c.add(inside, -5, false), inside);
        // Closing time is outside working time; a target ending there is due there.
        assert_eq!(c.add(bj(2026, 3, 3, 17, 30), 0, false), bj(2026, 3, 4, 8, 30));
        assert_eq!(c.add(bj(2026, 3, 3, 8, 30), 540, false), bj(2026, 3, 3, 17, 30));
        // Seconds outside working time do not matter: counting starts at the opening.
        assert_eq!(c.add(bj(2026, 3, 3, 6, 0) + Duration::seconds(59), 10, false), bj(2026, 3, 3, 8, 40));
        // Partial minutes round down.
        assert_eq!(c.minutes_between(inside, inside + Duration::seconds(119), false), 1);
    }

    #[test]
    fn hundred_hours_skips_days() {
        // 6000 min = 11 × 540 + 60: Mon 03-02 .. Mon 03-16 (11 working days), then Tue 09:30.
        let c = Calendar::office();
        assert_eq!(c.add(bj(2026, 3, 2, 8, 30), 6000, false), bj(2026, 3, 17, 9, 30));
    }

    #[test]
    fn round_trip_property() {
        let odd = Calendar { start_minute: 0, end_minute: 1440, weekdays: [false, true, false, false, false, false, true], ..cal2026() };
        let cals = [Calendar::office(), cal2026(), odd];
        let base = bj(2026, 1, 1, 0, 0);
        let span_secs: u64 = 2 * 365 * 86_400;
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            x >> 33
        };
        for i in 0..3000 {
            let c = &cals[i % cals.len()];
            let from = base + Duration::seconds((next() % span_secs) as i64);
            let m = match next() % 4 { 0 => 0, 1 => (next() % 600) as i64, _ => (next() % 43_201) as i64 };
            let due = c.add(from, m, false);
            assert!(due >= from);
            assert_eq!(c.minutes_between(from, due, false), m, "from {from} m {m}");
            assert_eq!(c.minutes_between(from, c.add(from, m, true), true), m);
        }
    }

    #[test]
    fn validate_refusals() {
        assert_eq!(Calendar::office().validate(), Ok(()));
        let bad = |f: fn(&mut Calendar)| { let mut c = Calendar::office(); f(&mut c); c.validate() };
        assert!(bad(|c| c.start_minute = c.end_minute).is_err());
        assert!(bad(|c| c.end_minute = 1441).is_err());
        assert!(bad(|c| c.weekdays = [false; 7]).is_err());
        assert!(bad(|c| c.warn_percent = 0).is_err());
        assert!(bad(|c| c.warn_percent = 100).is_err());
        assert_eq!(bad(|c| { c.start_minute = 0; c.end_minute = 1440 }), Ok(()));
    }

    #[test]
    fn warn_minutes_and_with_days() {
        let c = Calendar::office();
        assert_eq!((c.warn_minutes(480), c.warn_minutes(1), c.warn_minutes(0)), (360, 1, 0));
        let d = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap(); // Saturday
        let c = c.with_days(&[(d, DayKind::Holiday), (d, DayKind::Workday)]);
        assert!(c.is_working_day(d) && !c.holidays.contains(&d));
    }

    #[test]
    fn official_2026_counts() {
        let all = official_2026();
        let holidays: Vec<_> = all.iter().filter(|e| e.1 == DayKind::Holiday).collect();
        let makeups: Vec<_> = all.iter().filter(|e| e.1 == DayKind::Workday).collect();
        assert_eq!((all.len(), holidays.len(), makeups.len()), (39, 33, 6));
        let unique: BTreeSet<_> = all.iter().map(|e| e.0).collect();
        assert_eq!(unique.len(), 39);
        for (d, _, name) in &makeups {
            assert!(d.weekday().num_days_from_monday() >= 5, "{d} {name}");
            assert!(name.ends_with("调休上班"));
        }
        let names: BTreeSet<_> = holidays.iter().map(|e| e.2).collect();
        assert_eq!(names.len(), 7);
        let ymd = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert!(all.contains(&(ymd(2, 23), DayKind::Holiday, "春节")));
        assert!(all.contains(&(ymd(9, 20), DayKind::Workday, "国庆节调休上班")));
        assert_eq!(ymd(1, 1).weekday(), chrono::Weekday::Thu);
    }
}
