//! PostgreSQL's own log (stderr / `logging_collector`, the default `log_line_prefix = '%m [%p] '`):
//! `2025-08-13 01:45:01.123 PDT [12345] LOG:  message`. The zone in the line (`PDT`, `CET`, `UTC`,
//! or a numeric `+03` when `log_timezone` has no abbreviation) wins over `--tz`: it is what the
//! server meant. The wordings are [`crate::syslog::daemons::postgres`]'s (`listening on IPv4
//! address "0.0.0.0", port 5432` learned as the port, `received fast|smart|immediate shutdown
//! request`, `database system is shut down`, `ready to accept connections`, a backend `terminated
//! by signal 9`). Statement continuation lines (tab-indented) are no events. The real sample is
//! lnav's `logfile_postgres.0` (PostgreSQL 15, `PDT`).

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

use crate::{LogFormat, LogSpec, ParseError, Score, TimeContext, Words, registry::Parse};

pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "postgres_log",
    aliases: &["postgres", "postgresql"],
    description: "PostgreSQL log (%m [%p] prefix; the zone in the line wins over --tz): listening on … port (learned), shutdown request / shut down (stop), ready to accept connections (start), terminated by signal (crash)",
    example: "2026-11-20 03:10:00.123 CET [12345] LOG:  received fast shutdown request",
    detect: |l| Score::claims_if(split(l, &probe()).is_some()),
    parse: Parse::Lines(parse_line),
    line_time: |l, ctx| split(l, ctx).map(|(t, _)| t),
    words: &[Words {
        near_scan: &[
            "shutdown request",
            "shut down",
            "ready to accept",
            "terminated by signal",
            "shutting down",
        ],
        always: &["listening on"],
    }],
    ..LogSpec::NETWORK
});

fn probe() -> TimeContext {
    TimeContext::utc(DateTime::UNIX_EPOCH)
}

/// A zone as `log_timezone` prints it: an abbreviation or `+03` / `-0530`.
fn zone(z: &str) -> Option<FixedOffset> {
    if let Some(off) = crate::time::zone_abbreviation(z) {
        return Some(off);
    }
    let (sign, digits) = match z.as_bytes().first()? {
        b'+' => (1, &z[1..]),
        b'-' => (-1, &z[1..]),
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        4 => (digits[..2].parse().ok()?, digits[2..].parse::<i32>().ok()?),
        _ => return None,
    };
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Time and message (from the severity on) of a line.
fn split<'a>(line: &'a [u8], ctx: &TimeContext) -> Option<(DateTime<Utc>, &'a str)> {
    let s = std::str::from_utf8(line).ok()?;
    let mut it = s.splitn(4, ' ');
    let (date, clock, z, rest) = (it.next()?, it.next()?, it.next()?, it.next()?);
    let n =
        NaiveDateTime::parse_from_str(&format!("{date} {clock}"), "%Y-%m-%d %H:%M:%S%.f").ok()?;
    let (time, rest) = match zone(z) {
        Some(off) => (
            off.from_local_datetime(&n).single()?.with_timezone(&Utc),
            rest,
        ),
        // No zone printed (a custom prefix): the source's zone.
        None if z.starts_with('[') => (ctx.local_to_utc(n)?, &s[date.len() + clock.len() + 2..]),
        None => return None,
    };
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(r) => r.split_once("] ")?.1,
        None => rest,
    };
    const LEVELS: &[&str] = &[
        "LOG:",
        "ERROR:",
        "FATAL:",
        "PANIC:",
        "WARNING:",
        "NOTICE:",
        "INFO:",
        "DEBUG",
        "DETAIL:",
        "HINT:",
        "STATEMENT:",
        "CONTEXT:",
        "QUERY:",
        "LOCATION:",
    ];
    LEVELS
        .iter()
        .any(|l| rest.starts_with(l))
        .then_some((time, rest))
}

pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<crate::Event>, ParseError> {
    let s = super::text(line)?;
    let Some((time, msg)) = split(line, ctx) else {
        return if super::continuation(s) {
            Ok(None)
        } else {
            Err(ParseError::Header("not a PostgreSQL log line"))
        };
    };
    Ok(super::event(
        time,
        "postgresql",
        crate::syslog::daemons::postgres(msg),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;
    use crate::{EventKind, LifecycleState};

    #[test]
    fn the_zone_in_the_line_wins_over_the_source_zone() {
        let berlin = TimeContext::new(chrono_tz::Europe::Berlin, ctx().reference);
        let l = b"2025-08-13 01:50:01.999 PDT [12345] LOG:  received fast shutdown request";
        let ev = parse_line(l, &berlin).unwrap().unwrap();
        assert_eq!(ev.time.to_rfc3339(), "2025-08-13T08:50:01.999+00:00");
        assert!(matches!(ev.kind, EventKind::Lifecycle(l) if l.state == LifecycleState::Stopping));
        let ev = parse_line(
            b"2026-11-20 05:10:00 +03 [1] LOG:  database system is shut down",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(ev.time.to_rfc3339(), "2026-11-20T02:10:00+00:00");
    }

    #[test]
    fn real_lines_listen_ready_statement_and_crash() {
        let k = |l: &str| parse_line(l.as_bytes(), &ctx()).unwrap().map(|e| e.kind);
        assert!(
            matches!(k("2025-08-13 01:45:01.123 PDT [12345] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432"), Some(EventKind::Listening(l)) if l.port == 5432)
        );
        assert!(
            matches!(k("2025-08-13 01:45:01.130 PDT [12345] LOG:  database system is ready to accept connections"), Some(EventKind::Lifecycle(l)) if l.state == LifecycleState::Started)
        );
        assert_eq!(
            k(
                "2025-08-13 01:45:01.127 PDT [12347] LOG:  database system was shut down at 2025-08-13 01:44:58 PDT"
            ),
            None
        );
        assert_eq!(
            k("2025-08-13 01:46:12.212 PDT [12389] STATEMENT:  SELECT * FROM nonexistent_table;"),
            None
        );
        assert_eq!(k("\tAND x = 1"), None);
        assert!(
            matches!(k("2026-11-20 02:10:00.1 UTC [1] LOG:  server process (PID 4242) was terminated by signal 9: Killed"), Some(EventKind::Lifecycle(l)) if l.state == LifecycleState::Crashed)
        );
        assert!(parse_line(b"2025-08-13 01:45:01.123 XYZT [1] LOG:  x", &ctx()).is_err());
    }
}
