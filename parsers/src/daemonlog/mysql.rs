//! MySQL and MariaDB error logs: MySQL 8 `2020-08-06T14:25:02.835618Z 0 [Note] [MY-012487]
//! [InnoDB] …` (UTC, or the system zone's offset with `log_timestamps=SYSTEM`), 5.7 without the
//! `[MY-…]` fields, MariaDB `2026-11-20  2:10:00 0 [Note] …` (local, the hour space-padded) and the
//! old `161120  2:10:00 [Note] …` (`yymmdd`). The wordings are
//! [`crate::syslog::daemons::mysql`]'s (`ready for connections … port: 3306` is learned as the
//! port, `Shutdown complete`, `Normal shutdown`, the `mysqld got signal 11 ;` crash banner). The
//! crash banner's text and stack trace that follow without a time are no events. The real sample is
//! lnav's `logfile_mysql_error.0` (MySQL 8).

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{LogFormat, LogSpec, ParseError, Score, TimeContext, Words, registry::Parse};

pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "mysql_error",
    aliases: &["mysql", "mariadb", "mysqld.log"],
    description: "MySQL / MariaDB error log: ready for connections … port (learned as the port), Shutdown complete (stop), got signal N (crash)",
    example: "2026-11-20T02:10:00.835618Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 8.0.35)  MySQL Community Server - GPL.",
    detect: |l| Score::claims_if(split(l, &probe()).is_some()),
    parse: Parse::Lines(parse_line),
    line_time: |l, ctx| split(l, ctx).map(|(t, _)| t),
    words: &[Words {
        near_scan: &[
            "Shutdown complete",
            "Normal shutdown",
            "Starting shutdown",
            "got signal",
            "Received SHUTDOWN",
            "shutting down",
        ],
        always: &["ready for connections", "Version: '"],
    }],
    ..LogSpec::NETWORK
});

fn probe() -> TimeContext {
    TimeContext::utc(DateTime::UNIX_EPOCH)
}

/// Time and message (after the thread id and `[Level]`) of a line.
fn split<'a>(line: &'a [u8], ctx: &TimeContext) -> Option<(DateTime<Utc>, &'a str)> {
    let s = std::str::from_utf8(line).ok()?;
    let mut it = s.splitn(2, ' ');
    let first = it.next()?;
    let rest = it.next()?.trim_start();
    let (time, rest) = if first.contains('T') {
        // MySQL 5.7/8: RFC 3339 with `Z` or an offset.
        (crate::time::parse_iso8601(first, ctx)?, rest)
    } else {
        // MariaDB `2026-11-20  2:10:00`, old `161120  2:10:00`: local time.
        let (clock, rest) = rest.split_once(' ')?;
        let date_fmt = if first.len() == 6 {
            "%y%m%d"
        } else {
            "%Y-%m-%d"
        };
        let n = NaiveDateTime::parse_from_str(
            &format!("{first} {clock:0>8}"),
            &format!("{date_fmt} %H:%M:%S"),
        )
        .ok()?;
        (ctx.local_to_utc(n)?, rest.trim_start())
    };
    // `0 [Note] …` (a thread id first in 5.7+/MariaDB 10), or `[Note] …` directly (5.5); the crash
    // banner `UTC - mysqld got signal 11 ;` has neither.
    let rest = match rest.split_once(' ') {
        Some((id, r)) if id.bytes().all(|b| b.is_ascii_digit()) => r,
        _ => rest,
    };
    if !(rest.starts_with('[') || rest.contains("got signal")) {
        return None;
    }
    Some((time, rest))
}

pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<crate::Event>, ParseError> {
    let s = super::text(line)?;
    let Some((time, msg)) = split(line, ctx) else {
        return if super::continuation(s) {
            Ok(None)
        } else {
            Err(ParseError::Header("not a MySQL error log line"))
        };
    };
    let ev = crate::syslog::daemons::mysql(false, msg);
    let observer = match &ev {
        Some(crate::EventKind::Lifecycle(l)) if l.unit == "mariadb" => "mariadb",
        Some(crate::EventKind::Listening(l)) if l.service == "mariadb" => "mariadb",
        _ => "mysql",
    };
    Ok(super::event(time, observer, ev))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;
    use crate::{EventKind, LifecycleState};

    fn kind(l: &str) -> Option<EventKind> {
        parse_line(l.as_bytes(), &ctx()).unwrap().map(|e| e.kind)
    }

    #[test]
    fn real_mysql8_lines_parse_as_no_events() {
        for l in [
            "2020-08-06T14:25:02.835618Z 0 [Note] [MY-012487] [InnoDB] DDL log recovery : begin",
            "2020-08-06T14:25:02.936146Z 0 [Warning] [MY-010068] [Server] CA certificate /var/mysql/sslinfo/cacert.pem is self signed.",
            "2020-08-06T14:25:03.109022Z 5 [Note] [MY-010051] [Server] Event Scheduler: scheduler thread started with id 5",
        ] {
            assert_eq!(parse_line(l.as_bytes(), &ctx()), Ok(None), "{l}");
            assert_eq!((FORMAT.spec().detect)(l.as_bytes()), Score::Claims, "{l}");
        }
    }

    #[test]
    fn ready_port_stop_and_crash_in_each_generation() {
        let ready = kind(
            "2026-11-20T02:12:00.1Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.35'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.",
        );
        assert!(matches!(ready, Some(EventKind::Listening(l)) if l.port == 3306));
        let stop = kind("2026-11-20  2:10:00 0 [Note] /usr/sbin/mariadbd: Shutdown complete");
        assert!(
            matches!(stop, Some(EventKind::Lifecycle(l)) if l.unit == "mariadb" && l.state == LifecycleState::Stopped)
        );
        let old = parse_line(
            b"261120  2:10:00 [Note] /usr/sbin/mysqld: Normal shutdown",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(old.time.to_rfc3339(), "2026-11-20T02:10:00+00:00");
        let crash = kind("2026-11-20T02:10:00Z UTC - mysqld got signal 11 ;");
        assert!(
            matches!(crash, Some(EventKind::Lifecycle(l)) if l.state == LifecycleState::Crashed)
        );
        assert_eq!(
            kind(
                "Most likely, you have hit a bug, but this error can also be caused by malfunctioning hardware."
            ),
            None
        );
        assert!(parse_line(b"2026-13-45 nonsense", &ctx()).is_err());
    }
}
