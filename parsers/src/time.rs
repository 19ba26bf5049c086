//! Time context and timestamp helpers: turn zone-less and year-less log times into UTC.
//!
//! The caller (never the parser) decides the zone (`--tz`, `--source-tz`) and the reference instant
//! (the scan's time) used to pick the year of a year-less RFC 3164 / Snort timestamp: the candidate
//! year (reference year −1, +0, +1) that lands nearest the reference wins, so `Dec 31 23:59` read
//! for a scan on `Jan 1` lands in the previous year.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

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
            LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
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
}
