//! Redis's own log: `PID:ROLE DD Mmm YYYY HH:MM:SS.mmm LEVEL message` (ROLE `M` master, `S`
//! replica, `C` child, `X` sentinel; LEVEL one of `. - * #`), Redis 3.x without the year
//! (`10031:M 07 Sep 10:54:04.957 # …`), and the signal handler's `PID:signal-handler (EPOCH)
//! Received SIGTERM scheduling shutdown...`. Local time. Events: `User requested shutdown` and
//! `Received SIG… scheduling shutdown` (stopping), `Redis is now ready to exit, bye bye` (stopped),
//! `Ready to accept connections` / `The server is now ready to accept connections on port N`
//! (started; the port learned), `Running mode=standalone, port=6379.` (the port), `Redis … crashed
//! by signal` (crash). The ASCII-art banner is no event. Wordings from real Redis 3.2 and 5.0
//! output quoted in public READMEs.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{
    EventKind, Lifecycle, LifecycleState, Listening, LogFormat, LogSpec, ParseError, Score,
    TimeContext, Words, registry::Parse,
};

pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "redis",
    aliases: &["redis-server"],
    description: "Redis log: shutdown requested / ready to exit (stop), ready to accept connections (start), port=N (learned), crashed by signal",
    example: "1:M 20 Nov 2026 02:10:00.123 # User requested shutdown...",
    detect: |l| Score::claims_if(split(l, &probe()).is_some()),
    parse: Parse::Lines(parse_line),
    line_time: |l, ctx| split(l, ctx).map(|(t, _)| t),
    words: &[Words {
        near_scan: &[
            "shutdown",
            "ready to exit",
            "crashed by signal",
            "accept connections",
        ],
        always: &["port="],
    }],
    ..LogSpec::NETWORK
});

fn probe() -> TimeContext {
    TimeContext::utc(DateTime::UNIX_EPOCH)
}

/// Time and message of a line.
fn split<'a>(line: &'a [u8], ctx: &TimeContext) -> Option<(DateTime<Utc>, &'a str)> {
    let s = std::str::from_utf8(line).ok()?;
    let (pid, rest) = s.split_once(':')?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(r) = rest.strip_prefix("signal-handler (") {
        let (epoch, msg) = r.split_once(") ")?;
        return Some((DateTime::from_timestamp(epoch.parse().ok()?, 0)?, msg));
    }
    let (role, rest) = rest.split_at_checked(1)?;
    if !matches!(role, "M" | "S" | "C" | "X") {
        return None;
    }
    let rest = rest.strip_prefix(' ')?;
    // `20 Nov 2026 02:10:00.123 # msg` or (3.x) `20 Nov 02:10:00.123 # msg`.
    let mut it = rest.splitn(5, ' ');
    let (d, m, third) = (it.next()?, it.next()?, it.next()?);
    let (time, level, msg) = if third.len() == 4 {
        let (clock, level, msg) = (it.next()?, it.next()?, "");
        let (level, msg) = match level.split_once(' ') {
            Some((l, m)) => (l, m),
            None => (level, msg),
        };
        let n = NaiveDateTime::parse_from_str(
            &format!("{d} {m} {third} {clock}"),
            "%d %b %Y %H:%M:%S%.f",
        )
        .ok()?;
        (ctx.local_to_utc(n)?, level, msg)
    } else {
        use chrono::Timelike;
        let (level, msg) = (it.next()?, it.next().unwrap_or(""));
        let month = crate::time::month_from_abbr(m.as_bytes())?;
        let t = chrono::NaiveTime::parse_from_str(third, "%H:%M:%S%.f").ok()?;
        let day: u32 = d.parse().ok()?;
        let at =
            ctx.yearless_to_utc(month, day, t.hour(), t.minute(), t.second(), t.nanosecond())?;
        (at, level, msg)
    };
    if !matches!(level, "." | "-" | "*" | "#") {
        return None;
    }
    Some((time, msg))
}

pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<crate::Event>, ParseError> {
    let s = super::text(line)?;
    let Some((time, msg)) = split(line, ctx) else {
        return if super::continuation(s) {
            Ok(None)
        } else {
            Err(ParseError::Header("not a Redis log line"))
        };
    };
    Ok(super::event(time, "redis", classify(msg)))
}

fn life(state: LifecycleState, detail: &str) -> Option<EventKind> {
    Some(EventKind::Lifecycle(Lifecycle {
        unit: "redis".into(),
        state,
        detail: Some(detail.trim_end_matches('.').to_string()),
    }))
}

/// A Redis message.
pub fn classify(msg: &str) -> Option<EventKind> {
    let port_after = |key: &str| {
        msg.split_once(key)
            .and_then(|(_, r)| crate::syslog::leading_u16(r))
            .filter(|p| *p > 0)
    };
    if msg.starts_with("User requested shutdown") || msg.contains("scheduling shutdown") {
        return life(LifecycleState::Stopping, msg);
    }
    if msg.starts_with("Redis is now ready to exit") {
        return life(LifecycleState::Stopped, msg);
    }
    if msg.contains("crashed by signal") {
        return life(LifecycleState::Crashed, msg);
    }
    if msg.starts_with("Running mode=") {
        return port_after("port=").map(|port| {
            EventKind::Listening(Listening {
                service: "redis".into(),
                port,
                addr: None,
            })
        });
    }
    if let Some(port) = msg
        .strip_prefix("The server is now ready to accept connections")
        .and(port_after("on port "))
    {
        return Some(EventKind::Listening(Listening {
            service: "redis".into(),
            port,
            addr: None,
        }));
    }
    if msg.starts_with("Ready to accept connections") {
        return life(LifecycleState::Started, msg);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;

    fn kind(l: &str) -> Option<EventKind> {
        parse_line(l.as_bytes(), &ctx()).unwrap().map(|e| e.kind)
    }

    #[test]
    fn redis_5_and_3_lines() {
        let st = |l: &str| match kind(l) {
            Some(EventKind::Lifecycle(x)) => Some(x.state),
            _ => None,
        };
        assert_eq!(
            st("23888:M 06 Apr 2020 18:29:27.394 * Ready to accept connections"),
            Some(LifecycleState::Started)
        );
        assert_eq!(
            st("23888:signal-handler (1586177983) Received SIGINT scheduling shutdown..."),
            Some(LifecycleState::Stopping)
        );
        assert_eq!(
            st("23888:M 06 Apr 2020 18:29:43.699 # User requested shutdown..."),
            Some(LifecycleState::Stopping)
        );
        assert_eq!(
            st("23888:M 06 Apr 2020 18:29:43.703 # Redis is now ready to exit, bye bye..."),
            Some(LifecycleState::Stopped)
        );
        assert_eq!(
            kind("23888:M 06 Apr 2020 18:29:27.392 # Server initialized"),
            None
        );
        assert_eq!(kind("  .-`` .-```.  ```\\/    _.,_ ''-._"), None);
        assert!(
            matches!(kind("10031:M 20 Nov 10:54:04.957 * The server is now ready to accept connections on port 6380"), Some(EventKind::Listening(l)) if l.port == 6380)
        );
        assert!(
            matches!(kind("1:M 20 Nov 2026 01:00:00.000 * Running mode=standalone, port=6379."), Some(EventKind::Listening(l)) if l.port == 6379)
        );
        let ev = parse_line(
            b"10031:M 20 Nov 10:54:04.957 # Server started, Redis version 3.2.12",
            &ctx(),
        );
        assert_eq!(ev, Ok(None));
        assert!(parse_line(b"123:Q garbage", &ctx()).is_err());
    }
}
