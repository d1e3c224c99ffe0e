//! Ranking of existing reports that are probably the same problem as the one a resident is about to submit, so the
//! mini-program can offer "me too" instead of a second report. The database query already narrows the candidates
//! to the same category and compound (open, or closed in the last 14 days); this module scores those few hundred.
//!
//! # Score
//!
//! `score = (0.5 · text + 0.5 · place) · (0.3 + 0.7 · recency)`, always in `0..=1`.
//!
//! - **text** `= min(1, s / 0.4)`, `s` being [`text_similarity`] of the two descriptions with address tokens
//!   ("5号楼", "3单元", "2栋") dropped first: the place is scored on its own, and a shared "5号楼2单元" must not make
//!   a dark stairwell look like a blocked drain. Two wordings of one problem share roughly 2–35 % of their grams;
//!   at 40 % they use the same words.
//! - **place** is the best that applies: same building and unit 1.0; same building 0.6; same neighbourhood 0.3;
//!   coordinates `d <= max_distance_m` apart `0.25 · (1 − (d / max_distance_m)²)`; otherwise 0; then divided by the
//!   best the probe can reach (1.0 with building and unit, 0.6 with a building only, 0.3 with a neighbourhood only,
//!   0.25 with coordinates only), so a probe pinned on the map (a parking space, the square) still gets full credit
//!   for a report at the same spot. The ids were picked by the resident and count whatever the coordinates say (a
//!   phone's position is often off, or taken elsewhere); only the distance step is bounded by `max_distance_m`.
//! - **recency** `= exp(−(age_days / 14)²)`: ~1 in the first days, 0.78 at a week, 0.37 at 14 days, 0.10 at 21,
//!   0.01 at 30. It scales the score rather than adding to it, so freshness earns nothing to a report about something
//!   else, and a month-old report keeps 30 %: an open problem reported weeks ago is more often a stale ticket or an
//!   earlier occurrence than what the resident sees now.
//!
//! Text and place weigh the same: with the category shared, the usual duplicate is a neighbour describing the same
//! drain, lift or stairwell in other words (low text, full place), the worst false friend the same words about
//! another building (full text, little place); equal weights put the first above the second.
//!
//! # Thresholds
//!
//! Shown only if `s >= 0.04` **and** `score >= 0.30`. For descriptions of 10–15 characters the text floor is about
//! one shared two-character word (one shared character gives ~0.02); below it place and time say nothing about
//! *this* problem, and a fresh report in the same unit about something else would score 0.5. The score floor means
//! that with no place credit the texts must share at least 24 % (when fresh), and that a report older than about
//! three weeks survives only with the same place and much the same words. An empty list beats noise: the resident
//! then simply files the report.
//!
//! On the fixture in the tests (200 reports in one compound, 10 probes) a true duplicate is in the top 5 for 10 of
//! 10 probes, and 24 of the 47 slots shown are true duplicates (ranking by text alone: 8 of 10, 13 of 49).
//! Deterministic: equal scores are ordered by id.
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Weights of the text and place parts.
const W_TEXT: f64 = 0.5;
const W_PLACE: f64 = 0.5;
/// Similarity at which the text part is full.
const TEXT_FULL: f64 = 0.4;
/// Place credits: same building and unit, same building, same neighbourhood, same spot by coordinates.
const PLACE_UNIT: f64 = 1.0;
const PLACE_BUILDING: f64 = 0.6;
const PLACE_NEIGHBOURHOOD: f64 = 0.3;
const PLACE_NEAR: f64 = 0.25;
/// The share of its score a very old report keeps.
const TIME_FLOOR: f64 = 0.3;
/// Age in days at which recency has fallen to 1/e.
const DECAY_DAYS: f64 = 14.0;
/// Shown only at or above these.
const MIN_TEXT: f64 = 0.04;
const MIN_SCORE: f64 = 0.3;
/// Function characters not counted as unigrams (they still take part in bigrams and trigrams).
const STOP_CHARS: &str = "了的是在有我都也很就还又吗呢吧啊着把被让给和与";
/// Mean Earth radius in metres (IUGG).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Where and what the resident is about to report.
pub struct Probe<'a> {
    /// The description typed so far.
    pub description: &'a str,
    /// The building picked, if any.
    pub building: Option<Uuid>,
    /// The unit (单元) number within the building, if any.
    pub unit: Option<i32>,
    /// The neighbourhood (grid area) the place belongs to, if known.
    pub neighbourhood: Option<Uuid>,
    /// WGS-84 latitude in degrees, if the phone gave one.
    pub latitude: Option<f64>,
    /// WGS-84 longitude in degrees, if the phone gave one.
    pub longitude: Option<f64>,
    /// When the resident is reporting (normally now).
    pub at: DateTime<Utc>,
}

/// One existing report.
pub struct Candidate<'a> {
    /// The report's id.
    pub id: Uuid,
    /// Its description.
    pub description: &'a str,
    /// Its building, if any.
    pub building: Option<Uuid>,
    /// Its unit number within the building, if any.
    pub unit: Option<i32>,
    /// Its neighbourhood, if known.
    pub neighbourhood: Option<Uuid>,
    /// WGS-84 latitude in degrees, if recorded.
    pub latitude: Option<f64>,
    /// WGS-84 longitude in degrees, if recorded.
    pub longitude: Option<f64>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
}

/// Normalises a text for comparison: full-width ASCII folded to ASCII, 〇零一…九 folded to 0…9 (so "三单元" matches
/// "3单元"), lowercase, and everything but letters and digits (punctuation, whitespace, symbols, emoji) dropped.
fn normalise(s: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len() / 2);
    for c in s.chars() {
        let c = if ('\u{FF01}'..='\u{FF5E}').contains(&c) { char::from_u32(c as u32 - 0xFEE0).unwrap_or(c) } else { c };
        let c = match "〇一二三四五六七八九".chars().position(|d| d == c) {
            Some(n) => char::from_digit(n as u32, 10).unwrap_or(c),
            None if c == '零' => '0',
            None => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Drops address tokens (a number followed by 号楼, 栋, 幢, 座 or 单元) from a normalised text: the place is scored
/// separately, and "5号楼2单元" in two texts about different problems must not make them look alike.
fn strip_address(chars: &[char]) -> Vec<char> {
    let (mut out, mut i) = (Vec::with_capacity(chars.len()), 0);
    while i < chars.len() {
        let end = i + chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let suffix = match &chars[end..] {
            ['号', '楼', ..] | ['单', '元', ..] => 2,
            ['栋' | '幢' | '座', ..] => 1,
            _ => 0,
        };
        if end > i && suffix > 0 {
            i = end + suffix;
        } else {
            let next = end.max(i + 1);
            out.extend_from_slice(&chars[i..next]);
            i = next;
        }
    }
    out
}

/// The sorted, deduplicated set of grams of a normalised text: every trigram, every bigram, every non-ASCII character
/// outside [`STOP_CHARS`]; a one-character text is its own gram.
fn grams(chars: &[char]) -> Vec<[char; 3]> {
    let mut g: Vec<[char; 3]> = Vec::with_capacity(chars.len() * 2);
    if let [c] = chars {
        g.push([*c, '\0', '\0']);
    }
    g.extend(chars.iter().filter(|c| !c.is_ascii() && !STOP_CHARS.contains(**c)).map(|&c| [c, '\0', '\0']));
    g.extend(chars.windows(2).map(|w| [w[0], w[1], '\0']));
    g.extend(chars.windows(3).map(|w| [w[0], w[1], w[2]]));
    g.sort_unstable();
    g.dedup();
    g
}

/// Text similarity 0..=1 between two short texts, Chinese or mixed: trigram (and bigram for short texts) Jaccard
/// over normalised characters (lowercase, punctuation and whitespace dropped), in the spirit of PostgreSQL
/// pg_trgm's similarity() but working on CJK characters (pg_trgm's default build ignores non-ASCII word characters
/// in some locales).
///
/// In detail: normalising also folds full-width ASCII and the digits 〇零一…九 ("三单元" = "3单元"). The grams are all character
/// trigrams and bigrams (bigrams always: even a long Chinese text is short in words) plus, unlike pg_trgm, each CJK
/// character but a few function characters (了的是在…): rewording ("灯坏了" / "灯不亮", "下水道" / "下水管") keeps
/// the meaningful characters after it has broken the trigrams. The result is `|shared| / |union|`: identical texts
/// give 1, texts with no gram in common 0, a text without letters or digits 0 against anything. Symmetric.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    jaccard(&grams(&normalise(a)), &grams(&normalise(b)))
}

/// Jaccard index of two sorted, deduplicated gram sets; 0 if either is empty.
fn jaccard(ga: &[[char; 3]], gb: &[[char; 3]]) -> f64 {
    let shared = ga.iter().filter(|g| gb.binary_search(g).is_ok()).count();
    let union = ga.len() + gb.len() - shared;
    if union == 0 || shared == 0 { 0.0 } else { shared as f64 / union as f64 }
}

/// Distance in metres between two WGS-84 points (haversine).
///
/// On a sphere of the mean Earth radius (6 371 008.8 m): within about 0.5 % of the ellipsoid. NaN in, NaN out.
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The grams [`rank`] compares: those of the normalised description without address tokens.
fn rank_grams(s: &str) -> Vec<[char; 3]> {
    grams(&strip_address(&normalise(s)))
}

/// Place credit 0..=1 of a candidate relative to the probe (see the module docs).
fn place_credit(probe: &Probe, c: &Candidate, max_distance_m: f64) -> f64 {
    let point = |lat: Option<f64>, lon: Option<f64>| lat.zip(lon).filter(|(a, b)| a.is_finite() && b.is_finite());
    let p = point(probe.latitude, probe.longitude).filter(|_| max_distance_m > 0.0);
    let attainable = match (probe.building, probe.unit, probe.neighbourhood, p) {
        (Some(_), Some(_), _, _) => PLACE_UNIT,
        (Some(_), None, _, _) => PLACE_BUILDING,
        (None, _, Some(_), _) => PLACE_NEIGHBOURHOOD,
        (None, _, None, Some(_)) => PLACE_NEAR,
        (None, _, None, None) => return 0.0,
    };
    let mut best: f64 = 0.0;
    if probe.building.is_some() && probe.building == c.building {
        best = if probe.unit.is_some() && probe.unit == c.unit { PLACE_UNIT } else { PLACE_BUILDING };
    } else if probe.neighbourhood.is_some() && probe.neighbourhood == c.neighbourhood {
        best = PLACE_NEIGHBOURHOOD;
    }
    if let (Some((la, lo)), Some((lb, mb))) = (p, point(c.latitude, c.longitude)) {
        let d = distance_m(la, lo, lb, mb);
        if d <= max_distance_m {
            best = best.max(PLACE_NEAR * (1.0 - (d / max_distance_m).powi(2)));
        }
    }
    best / attainable
}

/// Recency credit 0..=1, `exp(-(age / DECAY_DAYS)²)`; a candidate dated after the probe counts as brand new.
fn time_credit(at: DateTime<Utc>, submitted_at: DateTime<Utc>) -> f64 {
    let age_days = ((at - submitted_at).num_seconds() as f64 / 86_400.0).max(0.0);
    (-(age_days / DECAY_DAYS).powi(2)).exp()
}

/// The candidates worth showing, best first, at most `limit`, each with its score 0..=1. `max_distance_m`:
/// candidates with coordinates farther than this from a probe with coordinates get no place credit.
///
/// Only distance-based credit is subject to `max_distance_m`; a shared building, unit or neighbourhood id counts
/// regardless of coordinates. Candidates below the thresholds of the module docs are dropped; equal scores are
/// ordered by id. `limit` 0 gives an empty list.
pub fn rank(probe: &Probe, candidates: &[Candidate], max_distance_m: f64, limit: usize) -> Vec<(Uuid, f64)> {
    let probe_grams = rank_grams(probe.description);
    let mut scored: Vec<(Uuid, f64)> = candidates
        .iter()
        .filter_map(|c| {
            let sim = jaccard(&probe_grams, &rank_grams(c.description));
            if sim < MIN_TEXT {
                return None;
            }
            let time = time_credit(probe.at, c.submitted_at);
            let base = W_TEXT * (sim / TEXT_FULL).min(1.0) + W_PLACE * place_credit(probe, c, max_distance_m);
            let score = (base * (TIME_FLOOR + (1.0 - TIME_FLOOR) * time)).clamp(0.0, 1.0);
            (score >= MIN_SCORE).then_some((c.id, score))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(limit);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn text_similarity_basics() {
        let a = "3单元厨房下水道堵了，污水往上冒";
        assert_eq!(text_similarity(a, a), 1.0);
        assert_eq!(text_similarity("楼道灯不亮", "电梯困人"), 0.0);
        assert_eq!(text_similarity(a, " 3单元 厨房下水道堵了!!污水往上冒。"), 1.0);
        assert_eq!(text_similarity("Lift BROKEN", "lift，broken"), 1.0);
        assert_eq!(text_similarity("三单元", "3单元"), 1.0);
        assert_eq!(text_similarity("，。！", "，。！"), 0.0);
        assert_eq!(text_similarity("灯", "灯"), 1.0);
        let b = "三单元下水管返水 厨房地上都是水";
        let (ab, ba) = (text_similarity(a, b), text_similarity(b, a));
        assert_eq!(ab, ba);
        assert!(ab > 0.0 && ab < 1.0, "{ab}");
    }

    #[test]
    fn distance_known_points() {
        // One degree of latitude along a meridian is R·π/180 ≈ 111 195 m.
        assert!((distance_m(31.0, 121.0, 32.0, 121.0) - 111_195.1).abs() < 1.0);
        // Tiananmen (39.9087, 116.3975) to the Bund (31.2400, 121.4900): about 1 067 km.
        let d = distance_m(39.9087, 116.3975, 31.24, 121.49);
        assert!((d - 1_067_000.0).abs() < 5_000.0, "{d}");
        assert_eq!(distance_m(31.23, 121.47, 31.23, 121.47), 0.0);
        assert_eq!(distance_m(31.0, 121.0, 32.0, 121.5), distance_m(32.0, 121.5, 31.0, 121.0));
    }

    #[test]
    fn rank_ties_limit_and_noise() {
        let at = Utc.with_ymd_and_hms(2024, 6, 1, 9, 0, 0).unwrap();
        let (b, n) = (Some(Uuid::from_u128(7)), Some(Uuid::from_u128(8)));
        let c = |id: u128, description| Candidate {
            id: Uuid::from_u128(id), description, building: b, unit: Some(1), neighbourhood: n,
            latitude: None, longitude: None, submitted_at: at - Duration::hours(3),
        };
        let probe = Probe { description: "电梯困人了", building: b, unit: Some(1), neighbourhood: n, latitude: None,
            longitude: None, at };
        let cands = [c(3, "电梯困人"), c(2, "电梯困人"), c(1, "楼道灯不亮"), c(4, "电梯又困人了")];
        let top = rank(&probe, &cands, 100.0, 5);
        let ids: Vec<u128> = top.iter().map(|(id, _)| id.as_u128()).collect();
        // The three lift reports saturate the text part and tie: ordered by id. The stair light is dropped.
        assert_eq!(ids, [2, 3, 4], "{top:?}");
        assert!(top.iter().all(|&(_, s)| s == top[0].1 && s > 0.9 && s <= 1.0), "{top:?}");
        assert_eq!(rank(&probe, &cands, 100.0, 1).len(), 1);
        assert!(rank(&probe, &cands, 100.0, 0).is_empty());
    }

    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    /// Buildings 1..=8 in two rows of four (~100 m × ~115 m apart); row 0 is neighbourhood A, row 1 B; units are
    /// ~11 m apart along the building.
    fn coords(b: u8, u: i32) -> (f64, f64) {
        let (row, col) = (((b - 1) / 4) as f64, ((b - 1) % 4) as f64);
        (31.2300 + row * 0.0009, 121.4700 + col * 0.0012 + (u - 1) as f64 * 0.00012)
    }
    /// The building in the other row two columns over: always more than 200 m away.
    fn far(b: u8) -> u8 {
        (1 - (b - 1) / 4) * 4 + ((b - 1) % 4 + 2) % 4 + 1
    }

    /// A fixture report. `place`: 'S' building, unit, neighbourhood and coordinates of the case's home unit; 'N' the
    /// same in the neighbouring unit; 'C' coordinates only, within ~10 m of the home unit.
    struct Case {
        home: (u8, i32), probe: &'static str, coords_only: bool, dups: &'static [(char, &'static str)],
        other: &'static str, far: &'static str, old: &'static str,
    }

    const CASES: &[Case] = &[
        Case { home: (2, 3), probe: "3单元厨房下水道堵了，污水往上冒", coords_only: false,
            dups: &[('S', "三单元下水管返水 厨房地上都是水"), ('S', "厨房下水道堵塞,一直往上返臭水"), ('N', "我们单元厨房下水管也堵了冒污水")],
            other: "3单元楼道声控灯不亮", far: "厨房下水道堵了，污水往上冒", old: "3单元厨房下水道堵了" },
        Case { home: (5, 2), probe: "5号楼2单元楼道灯坏了，晚上黑漆漆的", coords_only: false,
            dups: &[('S', "楼道里的灯不亮好几天了"), ('S', "二单元楼梯间灯不亮 老人差点摔倒"), ('N', "5栋走廊声控灯失灵，晚上看不见")],
            other: "2单元楼道里堆满纸箱，过不去人", far: "楼道灯坏了，晚上黑漆漆的", old: "5号楼2单元楼道灯不亮" },
        Case { home: (7, 1), probe: "7号楼1单元电梯困人了！有人被关在里面", coords_only: false,
            dups: &[('S', "电梯卡在6楼 里面有人出不来"), ('S', "一单元电梯坏了困住两个人，快来"), ('C', "7号楼电梯关人了")],
            other: "1单元电梯按钮坏了按不亮", far: "电梯困人了，有人被关在里面", old: "7号楼1单元电梯困人" },
        Case { home: (4, 2), probe: "我的车位B2-15被别人的车占了", coords_only: true,
            dups: &[('C', "地下车库15号车位被占用，联系不上车主"), ('C', "ｂ２－１５车位又被白色轿车占了")],
            other: "地下车库灯坏了一排，太暗了", far: "我的车位被别人的车占了", old: "B2-15车位被占" },
        Case { home: (3, 1), probe: "楼上漏水，卫生间天花板一直滴水", coords_only: false,
            dups: &[('S', "卫生间顶上渗水 楼上防水层坏了"), ('S', "天花板漏水滴到卫生间 3栋1单元"), ('N', "厕所吊顶漏水，滴滴答答一晚上")],
            other: "1单元门口的地砖翘起来了", far: "楼上漏水，卫生间天花板一直滴水", old: "楼上漏水 天花板滴水" },
        Case { home: (1, 4), probe: "垃圾桶满了没人清理，臭气熏天", coords_only: true,
            dups: &[('C', "1号楼旁边的垃圾箱溢出来了好臭"), ('C', "垃圾好几天没清运了 味道很大"), ('S', "垃圾桶满了都溢到地上了")],
            other: "路边的树倒了挡住了路", far: "垃圾桶满了没人清理，臭气熏天", old: "垃圾桶满了没人清理" },
        Case { home: (6, 1), probe: "楼下广场舞音响太吵，晚上十点还在跳", coords_only: true,
            dups: &[('C', "广场舞噪音扰民 每晚都到十点多"), ('C', "小广场跳舞的音乐声音太大了，孩子没法睡觉"), ('S', "广场舞太吵了")],
            other: "小广场的健身器材坏了", far: "广场舞音响太吵，晚上十点还在跳", old: "广场舞太吵" },
        Case { home: (6, 3), probe: "6号楼3单元没水了，水龙头一滴水都没有", coords_only: false,
            dups: &[('S', "三单元停水了 什么时候来水"), ('S', "家里自来水停了，6栋3单元"), ('N', "6号楼突然停水，没有通知")],
            other: "3单元水表井盖坏了", far: "没水了，水龙头一滴水都没有", old: "6号楼3单元停水" },
        Case { home: (8, 4), probe: "8号楼4单元门禁刷卡没反应，进不去", coords_only: false,
            dups: &[('S', "四单元门禁坏了刷不开门"), ('S', "单元门禁卡失灵 门打不开"), ('N', "8号楼门禁系统故障，刷脸也不行")],
            other: "4单元门口的路灯不亮", far: "门禁刷卡没反应，进不去", old: "8号楼4单元门禁坏了" },
        Case { home: (2, 1), probe: "2号楼外墙瓷砖掉下来了，差点砸到人", coords_only: false,
            dups: &[('S', "2栋外墙砖脱落 楼下很危险"), ('C', "外墙的瓷砖往下掉，请赶快处理"), ('S', "外墙皮掉了砸坏了电动车")],
            other: "1单元屋顶防水层开裂", far: "外墙瓷砖掉下来了，差点砸到人", old: "2号楼外墙瓷砖脱落" },
    ];

    /// Other problems in the compound, wording variants separated by '|'.
    const OTHER_KINDS: &[&str] = &[
        "小区路灯坏了，晚上走路看不见|路灯不亮好几盏", "绿化带杂草太高了，蚊子很多|草坪好久没修剪了",
        "有人在楼道里飞线给电动车充电，很危险|电动车拉线充电有火灾隐患", "消防通道被车堵住了|消防通道停满了车",
        "快递柜屏幕坏了取不了件", "草坪上狗屎没人清理|遛狗不牵绳还随地大小便", "墙面发霉起皮|楼道墙皮脱落发霉",
        "暖气不热，家里才十五度|暖气片冰凉", "楼道里闻到燃气味|好像有煤气泄漏的味道", "窨井盖缺了一块，容易踩空",
        "小区监控摄像头坏了|监控看不到画面", "健身器材螺丝松了，小孩玩很危险", "电动车乱停乱放挡住单元门",
        "楼道堆满杂物，影响通行|楼梯口堆了旧家具", "窗户玻璃被风吹碎了", "树枝快碰到电线了，需要修剪",
        "小区大门道闸抬不起来|车辆道闸识别不了车牌", "二次供水水质发黄|自来水有铁锈味", "有流浪狗在小区里咬人",
        "楼上装修噪音太大，中午也不停|装修电钻声太吵", "空调外机架子锈了，快掉下来了", "地下室进水了|地下室积水很深",
    ];

    struct Row { id: Uuid, text: String, b: Option<u8>, u: Option<i32>, xy: Option<(f64, f64)>, age_h: i64 }

    fn row(rng: &mut Lcg, id: u128, text: String, b: u8, u: i32, place: char, age_h: i64) -> Row {
        let (u, jitter) = match place { 'N' => (if u == 4 { 3 } else { u + 1 }, 40), 'C' => (u, 100), _ => (u, 40) };
        let (la, lo) = coords(b, u);
        let mut j = || (rng.below(2 * jitter + 1) as f64 - jitter as f64) * 1e-6;
        let xy = Some((la + j(), lo + j()));
        let (b, u) = if place == 'C' { (None, None) } else { (Some(b), Some(u)) };
        Row { id: Uuid::from_u128(id), text, b, u, xy, age_h }
    }

    /// 200 reports: per case its duplicates and three hard distractors, the rest filler. Returns the rows and, per
    /// case, the ids of its true duplicates.
    fn fixture() -> (Vec<Row>, Vec<Vec<Uuid>>) {
        let mut rng = Lcg(20_240_601);
        let (mut rows, mut dups) = (Vec::new(), Vec::new());
        for (i, c) in CASES.iter().enumerate() {
            let (b, u) = c.home;
            let mut ids = Vec::new();
            for (k, &(place, text)) in c.dups.iter().enumerate() {
                let age = 2 + rng.below(140) as i64;
                rows.push(row(&mut rng, (i * 16 + k) as u128 + 1, text.to_string(), b, u, place, age));
                ids.push(rows.last().unwrap().id);
            }
            dups.push(ids);
            // Hard distractors: same place, other problem; same words, far building; same place and words, weeks ago.
            let p = if c.coords_only { 'C' } else { 'S' };
            let (fb, hours) = (far(b), [1 + rng.below(72), 1 + rng.below(120), 24 * (20 + rng.below(25))]);
            let hard = [(c.other.to_string(), b), (format!("{fb}号楼{}", c.far), fb), (c.old.to_string(), b)];
            for (k, ((text, hb), h)) in hard.into_iter().zip(hours).enumerate() {
                rows.push(row(&mut rng, (i * 16 + 8 + k) as u128, text, hb, u, p, h as i64));
            }
        }
        let mut id = 1000;
        while rows.len() < 200 {
            let (b, u) = (1 + rng.below(8) as u8, 1 + rng.below(4) as i32);
            let case = &CASES[rng.below(CASES.len() as u64) as usize];
            let text = if rng.below(10) < 3 && !case.coords_only && b != case.home.0 {
                let plain = |t: &&str| !t.contains("单元") && !t.contains('栋') && !t.contains("号楼");
                let mut v: Vec<&str> = case.dups.iter().map(|d| d.1).filter(plain).collect();
                v.push(case.far);
                v[rng.below(v.len() as u64) as usize]
            } else {
                let kind: Vec<&str> = OTHER_KINDS[rng.below(OTHER_KINDS.len() as u64) as usize].split('|').collect();
                kind[rng.below(kind.len() as u64) as usize]
            };
            let text = if rng.below(2) == 0 { format!("{b}号楼{u}单元{text}") } else { text.to_string() };
            let place = if rng.below(100) < 15 { 'C' } else { 'S' };
            let h = rng.below(720) as i64;
            rows.push(row(&mut rng, id, text, b, u, place, h));
            id += 1;
        }
        (rows, dups)
    }

    #[test]
    fn fixture_duplicates_reach_the_top_five() {
        let at = Utc.with_ymd_and_hms(2024, 6, 1, 9, 0, 0).unwrap();
        let (rows, dups) = fixture();
        assert_eq!(rows.len(), 200);
        let nb = |b: u8| Uuid::from_u128(0xA000 + ((b - 1) / 4) as u128);
        let bid = |b: u8| Uuid::from_u128(0xB000 + b as u128);
        let cands: Vec<Candidate> = rows.iter().map(|r| Candidate {
            id: r.id, description: &r.text, building: r.b.map(bid), unit: r.u, neighbourhood: r.b.map(nb),
            latitude: r.xy.map(|p| p.0), longitude: r.xy.map(|p| p.1), submitted_at: at - Duration::hours(r.age_h),
        }).collect();
        let (mut hits, mut shown, mut true_slots) = (0, 0, 0);
        for (c, ids) in CASES.iter().zip(&dups) {
            let (b, u) = c.home;
            let (la, lo) = coords(b, u);
            let ids_known = !c.coords_only;
            let probe = Probe {
                description: c.probe, building: ids_known.then(|| bid(b)), unit: ids_known.then_some(u),
                neighbourhood: ids_known.then(|| nb(b)), latitude: Some(la), longitude: Some(lo), at,
            };
            let top = rank(&probe, &cands, 150.0, 5);
            let good = top.iter().filter(|(id, _)| ids.contains(id)).count();
            println!("{} -> {good}/{} true of {}", c.probe, ids.len(), top.len());
            for (id, s) in &top {
                let r = rows.iter().find(|r| r.id == *id).unwrap();
                let tag = if ids.contains(id) { "DUP" } else { "   " };
                println!("    {tag} {s:.3} {:?}/{:?} {:>4}h {}", r.b, r.u, r.age_h, r.text);
            }
            assert!(good >= 1, "no true duplicate in the top 5 for {}", c.probe);
            hits += usize::from(good >= 1);
            shown += top.len();
            true_slots += good;
        }
        let total: usize = dups.iter().map(Vec::len).sum();
        println!("probes with a true duplicate in the top 5: {hits}/10; top-5 slots shown {shown}, true {true_slots} \
            (precision {:.2}); true duplicates found {true_slots}/{total}", true_slots as f64 / shown as f64);
        assert!(hits >= 9);
    }
}
