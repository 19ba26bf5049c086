//! Time context and timestamp helpers: turn zone-less and year-less log times into UTC.
//!
//! The caller (never the parser) decides the zone (`--tz`, `--source-tz`) and the reference instant
//! (the scan's time) used to pick the year of a year-less RFC 3164 / Snort timestamp: the candidate
//! year (reference year −1, +0, +1) that lands nearest the reference wins, so `Dec 31 23:59` read
//! for a scan on `Jan 1` lands in the previous year.
//!
//! Also the one reader of durations ([`parse_duration`]: CLI values and Go durations alike) and the
//! one table of zone abbreviations ([`zone_abbreviation`]) the formats that print `%Z` need.

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeDelta, TimeZone,
    Utc,
};
use chrono_tz::Tz;
use thiserror::Error;

/// Zone and reference instant handed to every parser.
#[derive(Debug, Clone, Copy)]
pub struct TimeContext {
    /// Zone of zone-less timestamps.
    pub tz: Tz,
    /// Instant near which year-less timestamps are placed (normally the scan start).
    pub reference: DateTime<Utc>,
}

impl TimeContext {
    pub fn new(tz: Tz, reference: DateTime<Utc>) -> Self {
        Self { tz, reference }
    }

    /// A UTC context around `reference`.
    pub fn utc(reference: DateTime<Utc>) -> Self {
        Self::new(Tz::UTC, reference)
    }

    /// Resolve a zone-less local date-time in this context's zone. In a DST fold the earlier instant
    /// wins; a time inside a DST gap is moved forward by an hour (what the wall clock showed).
    pub fn local_to_utc(&self, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            // A local time the clocks passed twice (the autumn fold): the reading nearer the
            // reference (the scan's start), which is the one a log about that scan meant.
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
                let da = (a - self.reference).num_seconds().abs();
                let db = (b - self.reference).num_seconds().abs();
                Some(if db < da { b } else { a })
            }
            LocalResult::None => self
                .tz
                .from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
                .map(|t| t.with_timezone(&Utc)),
        }
    }

    /// Resolve a year-less local time (`Nov 20 02:13:44`) to the year nearest the reference.
    pub fn yearless_to_utc(
        &self,
        month: u32,
        day: u32,
        hour: u32,
        min: u32,
        sec: u32,
        nanos: u32,
    ) -> Option<DateTime<Utc>> {
        let ref_year = self.reference.with_timezone(&self.tz).year();
        let mut best: Option<DateTime<Utc>> = None;
        for year in [ref_year - 1, ref_year, ref_year + 1] {
            // Feb 29 only exists in leap years: skip the candidates where it does not.
            let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
                continue;
            };
            let naive = date.and_hms_nano_opt(hour, min, sec, nanos)?;
            let Some(t) = self.local_to_utc(naive) else {
                continue;
            };
            let dist = (t - self.reference).num_seconds().abs();
            if best.is_none_or(|b| dist < (b - self.reference).num_seconds().abs()) {
                best = Some(t);
            }
        }
        best
    }
}

/// `HH:MM:SS` with an optional `.fraction` (up to nanoseconds): hour, minute, second, nanos.
pub fn clock(text: &str) -> Option<(u32, u32, u32, u32)> {
    let (hms, frac) = text.split_once('.').unwrap_or((text, "0"));
    let mut c = hms.split(':');
    let (h, m, s): (u32, u32, u32) = (
        c.next()?.parse().ok()?,
        c.next()?.parse().ok()?,
        c.next()?.parse().ok()?,
    );
    if c.next().is_some() || !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    let nanos: u32 = format!("{frac:0<9}").parse().ok()?;
    Some((h, m, s, nanos))
}

/// Month number from a three-letter English abbreviation (case-insensitive).
pub fn month_from_abbr(m: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    if m.len() != 3 {
        return None;
    }
    let lower = [
        m[0].to_ascii_lowercase(),
        m[1].to_ascii_lowercase(),
        m[2].to_ascii_lowercase(),
    ];
    MONTHS
        .iter()
        .position(|x| **x == lower)
        .map(|i| i as u32 + 1)
}

/// Parse an RFC 3339 / ISO 8601 timestamp with an offset (`2026-11-20T02:13:44.123+00:00`, `...Z`,
/// and Suricata's `+0000` without a colon). Zone-less ISO times are resolved in `ctx.tz`.
pub fn parse_iso8601(s: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return ctx.local_to_utc(n);
        }
    }
    None
}

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DurationError {
    #[error("empty")]
    Empty,
    #[error("unknown unit {0:?} (use d, h, m, s, ms, us, ns)")]
    UnknownUnit(String),
    #[error("a number must precede {0:?}")]
    MissingNumber(String),
    #[error("number {0:?} has no unit")]
    MissingUnit(String),
    #[error("{0:?} is not a number")]
    BadNumber(String),
    #[error("out of range")]
    OutOfRange,
}

/// Units by name, longest first where one is a prefix of another (`ms` before `m`), in nanoseconds.
const UNITS: &[(&str, i128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
];

/// Parse a duration: the CLI's `90s`, `5m`, `1h30m`, `-6m`, `+360`, `250ms`, `1.5s` (a bare number
/// is seconds) and Go's `time.Duration` text (`3h59m59.9s`, `1m0.5s`, `300ms`, `1.5µs`, `-2h`), which
/// CrowdSec prints. One optional sign for the whole value; every component is a decimal number
/// (digits on either side of an optional `.`) followed by a unit; `d` (days) is accepted too. The
/// arithmetic is exact to the nanosecond (no float rounding), and the result must fit a
/// [`TimeDelta`] in nanoseconds (about ±292 years).
pub fn parse_duration(s: &str) -> Result<TimeDelta, DurationError> {
    let t = s.trim();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if body.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut rest = body;
    let mut total: i128 = 0;
    let mut components = 0;
    while !rest.is_empty() {
        let num_len = rest
            .bytes()
            .position(|b| !(b.is_ascii_digit() || b == b'.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_len);
        let unit_len = after
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(after.len(), |(i, _)| i);
        let (unit, next) = after.split_at(unit_len);
        let scale = if unit.is_empty() {
            // A bare number is seconds, but only as the whole value (`90`, not `1m30`).
            if components > 0 {
                return Err(DurationError::MissingUnit(num.to_string()));
            }
            1_000_000_000
        } else {
            UNITS
                .iter()
                .find(|(u, _)| *u == unit)
                .map(|(_, n)| *n)
                .ok_or_else(|| DurationError::UnknownUnit(unit.to_string()))?
        };
        if num.is_empty() {
            return Err(DurationError::MissingNumber(unit.to_string()));
        }
        total = total
            .checked_add(scaled(num, scale).ok_or_else(|| bad_number(num))?)
            .ok_or(DurationError::OutOfRange)?;
        if total > i64::MAX as i128 {
            return Err(DurationError::OutOfRange);
        }
        components += 1;
        rest = next;
    }
    let ns =
        i64::try_from(if neg { -total } else { total }).map_err(|_| DurationError::OutOfRange)?;
    Ok(TimeDelta::nanoseconds(ns))
}

/// Why [`scaled`] refused `num`: malformed (`1.2.3`, `.`) or too large.
fn bad_number(num: &str) -> DurationError {
    if num.matches('.').count() > 1 || !num.bytes().any(|b| b.is_ascii_digit()) {
        DurationError::BadNumber(num.to_string())
    } else {
        DurationError::OutOfRange
    }
}

/// `digits[.digits]` × `scale` nanoseconds, exactly (fraction digits beyond a nanosecond are cut).
fn scaled(num: &str, scale: i128) -> Option<i128> {
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
        return None;
    }
    let mut v: i128 = 0;
    for b in int.bytes() {
        v = v.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        if v > i64::MAX as i128 {
            return None;
        }
    }
    let mut v = v.checked_mul(scale)?;
    let mut den: i128 = 1;
    let mut f: i128 = 0;
    for b in frac.bytes().take(18) {
        f = f * 10 + i128::from(b - b'0');
        den *= 10;
    }
    v = v.checked_add(f * scale / den)?;
    Some(v)
}

/// Zone abbreviations as `strftime("%Z")` / date(1) print them, in minutes east of UTC. One table
/// for every format that prints them (Wazuh's old active-responses.log dates, Nessus 19506 "Scan
/// Start Date").
///
/// Abbreviations are not unique; where one names several zones, the choice here is the one a scan
/// or log server most likely printed, and a source that means the other needs `--source-tz` or
/// `--scan-tz` with an IANA name:
/// - `IST`: India (+05:30), not Irish Standard Time (+01:00) or Israel (+02:00);
/// - `CST`: US Central (−06:00), not China (+08:00) or Cuba (−05:00);
/// - `BST`: British Summer Time (+01:00), not Bangladesh (+06:00);
/// - `AST`: Atlantic (−04:00), not Arabia (+03:00);
/// - `EST`/`MST`: US Eastern (−05:00) / Mountain (−07:00), not the old Australian `EST` or
///   Malaysia's `MST`;
/// - `IDT`: Israel Daylight (+03:00).
pub const ZONE_ABBREVIATIONS: &[(&str, i32)] = &[
    ("UTC", 0),
    ("UT", 0),
    ("GMT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("IST", 330),
    ("CET", 60),
    ("CEST", 120),
    ("MET", 60),
    ("MEST", 120),
    ("WAT", 60),
    ("CAT", 120),
    ("SAST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("IDT", 180),
    ("MSK", 180),
    ("EAT", 180),
    ("PKT", 300),
    ("ICT", 420),
    ("WIB", 420),
    ("SGT", 480),
    ("HKT", 480),
    ("PHT", 480),
    ("AWST", 480),
    ("JST", 540),
    ("KST", 540),
    ("ACST", 570),
    ("ACDT", 630),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
    ("NST", -210),
    ("NDT", -150),
    ("BRT", -180),
    ("ART", -180),
    ("AST", -240),
    ("ADT", -180),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("AKST", -540),
    ("AKDT", -480),
    ("HST", -600),
    ("HDT", -540),
];

/// The fixed offset of a zone abbreviation (case-insensitive), from [`ZONE_ABBREVIATIONS`].
pub fn zone_abbreviation(abbr: &str) -> Option<FixedOffset> {
    ZONE_ABBREVIATIONS
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(abbr))
        .and_then(|(_, mins)| FixedOffset::east_opt(mins * 60))
}

/// The smallest whole-hour shift (±1 … ±14 h, `+k` tried before `-k`) for which `fits` holds: how
/// far off a zone mistake puts times. `None` when no zone offset fits.
pub fn whole_hour_shift(fits: impl Fn(chrono::Duration) -> bool) -> Option<i64> {
    (1..=14)
        .flat_map(|k| [k, -k])
        .find(|&k| fits(chrono::Duration::hours(k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn dst_fold_takes_the_reading_nearest_the_scan_and_gap_moves_forward() {
        // Berlin, 2026-10-25: 03:00 CEST -> 02:00 CET, so 02:30 local happens at 00:30Z and 01:30Z.
        let naive = NaiveDate::from_ymd_opt(2026, 10, 25)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        let early = TimeContext::new(chrono_tz::Europe::Berlin, at("2026-10-25T00:20:00Z"));
        assert_eq!(early.local_to_utc(naive), Some(at("2026-10-25T00:30:00Z")));
        let late = TimeContext::new(chrono_tz::Europe::Berlin, at("2026-10-25T01:20:00Z"));
        assert_eq!(late.local_to_utc(naive), Some(at("2026-10-25T01:30:00Z")));
        // 2026-03-29: 02:30 local does not exist; read as 03:30 CEST = 01:30Z.
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(late.local_to_utc(gap), Some(at("2026-03-29T01:30:00Z")));
    }

    #[test]
    fn year_rollover_dec31_read_for_jan1_scan_is_previous_year() {
        let ctx = TimeContext::utc(at("2027-01-01T00:10:00Z"));
        let t = ctx.yearless_to_utc(12, 31, 23, 59, 0, 0).unwrap();
        assert_eq!(t, at("2026-12-31T23:59:00Z"));
    }

    #[test]
    fn year_rollover_jan1_read_for_dec31_scan_is_next_year() {
        let ctx = TimeContext::utc(at("2026-12-31T23:50:00Z"));
        let t = ctx.yearless_to_utc(1, 1, 0, 5, 0, 0).unwrap();
        assert_eq!(t, at("2027-01-01T00:05:00Z"));
    }

    #[test]
    fn zone_applies_to_yearless_time() {
        let ctx = TimeContext::new(chrono_tz::Europe::Berlin, at("2026-11-20T00:00:00Z"));
        let t = ctx.yearless_to_utc(11, 20, 3, 13, 44, 0).unwrap();
        assert_eq!(t, at("2026-11-20T02:13:44Z"));
    }

    #[test]
    fn feb29_picks_a_leap_year() {
        let ctx = TimeContext::utc(at("2027-01-10T00:00:00Z"));
        assert_eq!(
            ctx.yearless_to_utc(2, 29, 0, 0, 0, 0).unwrap(),
            at("2028-02-29T00:00:00Z")
        );
    }

    #[test]
    fn iso_variants() {
        let ctx = TimeContext::utc(at("2026-11-20T00:00:00Z"));
        let want = at("2026-11-20T02:13:44Z");
        assert_eq!(parse_iso8601("2026-11-20T02:13:44Z", &ctx), Some(want));
        assert_eq!(parse_iso8601("2026-11-20T03:13:44+01:00", &ctx), Some(want));
        assert_eq!(
            parse_iso8601("2026-11-20T02:13:44.000000+0000", &ctx),
            Some(want)
        );
        assert_eq!(parse_iso8601("2026-11-20T02:13:44", &ctx), Some(want));
        assert_eq!(parse_iso8601("20/Nov/2026", &ctx), None);
    }

    #[test]
    fn month_abbr() {
        assert_eq!(month_from_abbr(b"Nov"), Some(11));
        assert_eq!(month_from_abbr(b"JAN"), Some(1));
        assert_eq!(month_from_abbr(b"Novem"), None);
    }
    #[test]
    fn durations_cli_syntax() {
        let d = parse_duration;
        assert_eq!(d("90s"), Ok(TimeDelta::seconds(90)));
        assert_eq!(d("5m"), Ok(TimeDelta::minutes(5)));
        assert_eq!(d("1h30m"), Ok(TimeDelta::minutes(90)));
        assert_eq!(d("-6m"), Ok(TimeDelta::minutes(-6)));
        assert_eq!(d("-2h"), Ok(TimeDelta::hours(-2)));
        assert_eq!(d("+360"), Ok(TimeDelta::seconds(360)));
        assert_eq!(d(" 42 "), Ok(TimeDelta::seconds(42)));
        assert_eq!(d("-1.5"), Ok(TimeDelta::milliseconds(-1500)));
        assert_eq!(d("250ms"), Ok(TimeDelta::milliseconds(250)));
        assert_eq!(d("2d"), Ok(TimeDelta::days(2)));
        assert_eq!(d("0"), Ok(TimeDelta::zero()));
    }

    #[test]
    fn durations_go_syntax() {
        let d = parse_duration;
        assert_eq!(
            d("3h59m59.9s"),
            Ok(TimeDelta::hours(4) - TimeDelta::milliseconds(100))
        );
        assert_eq!(d("1m0.5s"), Ok(TimeDelta::milliseconds(60_500)));
        assert_eq!(d("1.5h"), Ok(TimeDelta::minutes(90)));
        assert_eq!(d(".5s"), Ok(TimeDelta::milliseconds(500)));
        assert_eq!(d("1.5\u{b5}s"), Ok(TimeDelta::nanoseconds(1500)));
        assert_eq!(d("2us"), Ok(TimeDelta::nanoseconds(2000)));
        assert_eq!(d("10ns"), Ok(TimeDelta::nanoseconds(10)));
        assert_eq!(
            d("1h0m0.000000001s"),
            Ok(TimeDelta::hours(1) + TimeDelta::nanoseconds(1))
        );
        // Exact: no float drift on long fractions.
        assert_eq!(
            d("0.1s").map(|t| t.num_nanoseconds()),
            Ok(Some(100_000_000))
        );
    }

    #[test]
    fn durations_garbage_is_rejected() {
        let d = parse_duration;
        assert_eq!(d(""), Err(DurationError::Empty));
        assert_eq!(d("-"), Err(DurationError::Empty));
        assert_eq!(d("5x"), Err(DurationError::UnknownUnit("x".into())));
        assert_eq!(d("4 h"), Err(DurationError::UnknownUnit(" h".into())));
        assert_eq!(d("m"), Err(DurationError::MissingNumber("m".into())));
        assert_eq!(d("1m30"), Err(DurationError::MissingUnit("30".into())));
        assert!(d("1e300").is_err());
        assert_eq!(d("1.2.3s"), Err(DurationError::BadNumber("1.2.3".into())));
        assert_eq!(d(".s"), Err(DurationError::BadNumber(".".into())));
        assert!(d("--5m").is_err());
        assert!(d("5m-3s").is_err());
        assert_eq!(d("99999999999999999999h"), Err(DurationError::OutOfRange));
        assert_eq!(d("300y"), Err(DurationError::UnknownUnit("y".into())));
        assert_eq!(d("110000d"), Err(DurationError::OutOfRange));
    }

    #[test]
    fn zone_abbreviations_one_table() {
        let off = |a: &str| zone_abbreviation(a).map(|o| o.local_minus_utc() / 60);
        assert_eq!(off("CET"), Some(60));
        assert_eq!(off("cest"), Some(120));
        assert_eq!(off("PST"), Some(-480));
        assert_eq!(off("PDT"), Some(-420));
        assert_eq!(off("EST"), Some(-300));
        assert_eq!(off("CDT"), Some(-300));
        // Documented choices for the ambiguous ones.
        assert_eq!(off("IST"), Some(330));
        assert_eq!(off("CST"), Some(-360));
        assert_eq!(off("BST"), Some(60));
        assert_eq!(off("AST"), Some(-240));
        assert_eq!(off("NST"), Some(-210));
        assert_eq!(off("ACST"), Some(570));
        assert_eq!(off("XYZ"), None);
        // No abbreviation listed twice.
        let mut names: Vec<&str> = ZONE_ABBREVIATIONS.iter().map(|(a, _)| *a).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
