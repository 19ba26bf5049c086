//! `journalctl -o short-monotonic`: `[  815906.331870] web01 systemd[1]: Stopped nginx.service.`,
//! seconds since the boot instead of a wall-clock time. The wall clock comes from the anchor the
//! output itself carries when it does: older journalctl's `-- Logs begin at Fri 2026-11-20
//! 01:00:00 UTC, end at … --` header dates the first entry, so every entry of that boot is at
//! `begin + (its monotonic − the first entry's)`. A `-- Boot … --` marker starts a new boot whose
//! clock is unknown. An entry with no anchor is malformed (counted, with that reason), never
//! given a made-up time.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use crate::{Event, LogFormat, LogSpec, ParseError, Score, TimeContext, registry::Parse, syslog};

pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "journald_monotonic",
    aliases: &["short-monotonic"],
    description: "journalctl -o short-monotonic, dated by its '-- Logs begin at …' header (entries of a boot without such an anchor are malformed)",
    example: "-- Logs begin at Fri 2026-11-20 01:00:00 UTC, end at Fri 2026-11-20 03:00:00 UTC. --\n[    5.000000] db01 systemd[1]: Started mysql.service - MySQL Community Server.\n[ 4300.000000] db01 systemd[1]: Stopped mysql.service - MySQL Community Server.",
    detect: |l| Score::claims_if(entry(l).is_some()),
    parse: Parse::Stateful(|| Box::new(Monotonic::default())),
    line_time: |_, _| None,
    line_host: |l| entry(l).and_then(|(_, rest)| rest.split(' ').next().map(str::to_string)),
    words: &syslog::payload::WORDS,
    // The anchor must be seen before the entries it dates.
    multiline: true,
    ..LogSpec::NETWORK
});

/// The monotonic time and the rest (`host tag[pid]: message`) of an entry.
fn entry(line: &[u8]) -> Option<(TimeDelta, &str)> {
    let s = std::str::from_utf8(line).ok()?;
    let (mono, rest) = s.strip_prefix('[')?.split_once("] ")?;
    let (secs, frac) = mono.trim_start().split_once('.')?;
    let secs: i64 = secs.parse().ok()?;
    if frac.len() != 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let micros: i64 = frac.parse().ok()?;
    // `host tag[pid]: msg` or `host tag: msg`: a host, then a tag ending in `:`.
    let (host, tail) = rest.split_once(' ')?;
    let (tag, _) = tail.split_once(": ")?;
    if host.is_empty() || tag.is_empty() || tag.contains(' ') {
        return None;
    }
    Some((
        TimeDelta::seconds(secs) + TimeDelta::microseconds(micros),
        rest,
    ))
}

#[derive(Default)]
struct Monotonic {
    /// The header's begin time, until the first entry sets the boot's anchor.
    begin: Option<DateTime<Utc>>,
    /// The wall-clock time of monotonic zero in the current boot.
    zero: Option<DateTime<Utc>>,
}

impl crate::LineParser for Monotonic {
    fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        let t = line.trim_ascii();
        if t.is_empty() {
            return Ok(None);
        }
        if let Some(marker) = t.strip_prefix(b"-- ").and_then(|m| m.strip_suffix(b" --")) {
            let m = String::from_utf8_lossy(marker);
            if let Some(rest) = m.strip_prefix("Logs begin at ") {
                // `Fri 2026-11-20 01:00:00 UTC, end at …`
                let first = rest.split(", end at").next().unwrap_or_default();
                let mut it = first.split_whitespace().skip(1);
                let (d, c, z) = (it.next(), it.next(), it.next());
                let n = NaiveDateTime::parse_from_str(
                    &format!("{} {}", d.unwrap_or(""), c.unwrap_or("")),
                    "%Y-%m-%d %H:%M:%S",
                )
                .ok();
                self.begin = n.and_then(|n| match z.and_then(crate::time::zone_abbreviation) {
                    Some(off) => chrono::TimeZone::from_local_datetime(&off, &n)
                        .single()
                        .map(|t| t.with_timezone(&Utc)),
                    None => ctx.local_to_utc(n),
                });
                self.zero = None;
            } else if m.starts_with("Boot ") {
                self.begin = None;
                self.zero = None;
            }
            return Ok(None);
        }
        let (mono, rest) = entry(line).ok_or(ParseError::Header("not a short-monotonic entry"))?;
        if self.zero.is_none() {
            self.zero = self.begin.take().map(|b| b - mono);
        }
        let zero = self.zero.ok_or(ParseError::Timestamp(
            "monotonic time without a wall-clock anchor",
        ))?;
        let time = zero + mono;
        let (host, tail) = rest.split_once(' ').unwrap_or_default();
        let (tag, msg) = tail.split_once(": ").unwrap_or_default();
        let (app, pid) = match tag.split_once('[') {
            Some((a, p)) => (a, p.trim_end_matches(']').parse().ok()),
            None => (tag, None),
        };
        let found = syslog::classify_observed(Some(app), pid, msg, time)?;
        Ok(found.map(|(kind, observer)| Event {
            time,
            host: Some(host.to_string()),
            observer,
            kind,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LineParser;
    use crate::test_util::ctx;

    #[test]
    fn entries_are_dated_from_the_header_and_a_new_boot_loses_the_anchor() {
        let mut p = Monotonic::default();
        let mut out = Vec::new();
        for l in FORMAT.example().lines().chain([
            "-- Boot 0f3c2a3a3e7b4c1f9d7e6a5b4c3d2e1f --",
            "[    3.000000] db01 systemd[1]: Started mysql.service - MySQL Community Server.",
        ]) {
            out.push(p.parse(l.as_bytes(), &ctx()));
        }
        let times: Vec<_> = out
            .iter()
            .map(|r| {
                r.as_ref()
                    .ok()
                    .and_then(|e| e.as_ref())
                    .map(|e| e.time.to_rfc3339())
            })
            .collect();
        assert_eq!(times[1].as_deref(), Some("2026-11-20T01:00:00+00:00"));
        assert_eq!(times[2].as_deref(), Some("2026-11-20T02:11:35+00:00"));
        assert!(out[4].is_err(), "{out:?}");
        assert_eq!(detect_ok(), Score::Claims);
    }

    fn detect_ok() -> Score {
        (FORMAT.spec().detect)(b"[ 4300.000000] db01 systemd[1]: Stopped x.service.")
    }
}
