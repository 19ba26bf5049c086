//! nginx's own `error.log`: `YYYY/MM/DD HH:MM:SS [level] PID#TID: message`, in the server's local
//! time (zone-less: `--source-tz`/`--tz`). Follows `ngx_log_error_core` and the master's signal
//! handler (`src/os/unix/ngx_process.c`): `signal 15 (SIGTERM) received from 1, exiting`, `signal 3
//! (SIGQUIT) received, shutting down` (a stop), `signal 1 (SIGHUP) received, reconfiguring` (a
//! reload: no event), `start worker processes` (the server is up), `bind() to 0.0.0.0:80 failed
//! (98: Address already in use)` (it could not start). `exit` lines are not read: old workers log
//! them after every reload too. The real sample is super-speedy-syslog-searcher's RockyLinux9
//! `nginx/error.log` (client errors only: no events).

use chrono::NaiveDateTime;

use crate::{
    EventKind, Lifecycle, LifecycleState, LogFormat, LogSpec, ParseError, Score, TimeContext,
    Words, registry::Parse,
};

pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "nginx_error",
    aliases: &["nginx"],
    description: "nginx error.log: SIGTERM/SIGINT/SIGQUIT received (stop), start worker processes (start), bind() failed (could not start)",
    example: "2026/11/20 02:10:00 [notice] 1042#1042: signal 3 (SIGQUIT) received from 1, shutting down",
    detect: |l| Score::claims_if(split(l).is_some()),
    parse: Parse::Lines(parse_line),
    line_time: |l, ctx| split(l).and_then(|(t, _)| ctx.local_to_utc(t)),
    words: &[Words {
        near_scan: &["received", "start worker processes", "bind()"],
        always: &[],
    }],
    ..LogSpec::NETWORK
});

/// Time and message of a line.
fn split(line: &[u8]) -> Option<(NaiveDateTime, &str)> {
    let s = std::str::from_utf8(line).ok()?;
    let t = NaiveDateTime::parse_from_str(s.get(..19)?, "%Y/%m/%d %H:%M:%S").ok()?;
    let rest = s.get(19..)?.strip_prefix(" [")?;
    let (level, rest) = rest.split_once("] ")?;
    if !level.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    // `PID#TID: ` (`*CID ` may follow).
    let (ids, msg) = rest.split_once(": ")?;
    let (pid, tid) = ids.split_once('#')?;
    if pid.is_empty() || !pid.bytes().chain(tid.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((t, msg))
}

pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<crate::Event>, ParseError> {
    let s = super::text(line)?;
    let Some((t, msg)) = split(line) else {
        return if super::continuation(s) {
            Ok(None)
        } else {
            Err(ParseError::Header("not an nginx error.log line"))
        };
    };
    let time = ctx
        .local_to_utc(t)
        .ok_or(ParseError::Timestamp("local time"))?;
    Ok(super::event(time, "nginx", classify(msg)))
}

fn life(state: LifecycleState, detail: &str) -> Option<EventKind> {
    Some(EventKind::Lifecycle(Lifecycle {
        unit: "nginx".into(),
        state,
        detail: Some(detail.to_string()),
    }))
}

/// An nginx message.
pub fn classify(msg: &str) -> Option<EventKind> {
    if let Some(rest) = msg.strip_prefix("signal ") {
        // `15 (SIGTERM) received from 1, exiting`
        let (sig, action) = rest.split_once(" received")?;
        let action = action.rsplit(", ").next().unwrap_or_default();
        let sig = sig
            .split_once('(')
            .map_or(sig, |(_, s)| s.trim_end_matches(')'));
        return match action {
            "exiting" | "shutting down" => life(
                LifecycleState::Stopping,
                &format!("{sig} received, {action}"),
            ),
            _ => None,
        };
    }
    if msg == "start worker processes" {
        return life(LifecycleState::Started, msg);
    }
    if msg.starts_with("bind() to ") && msg.contains(" failed")
        || msg.starts_with("still could not bind()")
    {
        return life(LifecycleState::Crashed, msg);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;

    fn state(l: &str) -> Option<LifecycleState> {
        match parse_line(l.as_bytes(), &ctx()).unwrap()?.kind {
            EventKind::Lifecycle(x) => Some(x.state),
            _ => None,
        }
    }

    #[test]
    fn stop_start_reload_and_bind_failure() {
        use LifecycleState::*;
        assert_eq!(
            state(
                "2026/11/20 02:10:00 [notice] 1042#1042: signal 15 (SIGTERM) received from 1, exiting"
            ),
            Some(Stopping)
        );
        assert_eq!(
            state(
                "2026/11/20 02:10:00 [notice] 1042#1042: signal 3 (SIGQUIT) received, shutting down"
            ),
            Some(Stopping)
        );
        assert_eq!(
            state(
                "2026/11/20 02:10:00 [notice] 1042#1042: signal 1 (SIGHUP) received from 1, reconfiguring"
            ),
            None
        );
        assert_eq!(state("2026/11/20 02:10:00 [notice] 1043#1043: exit"), None);
        assert_eq!(
            state("2026/11/20 02:10:02 [notice] 1042#1042: start worker processes"),
            Some(Started)
        );
        assert_eq!(
            state(
                "2026/11/20 02:10:02 [emerg] 1042#1042: bind() to 0.0.0.0:80 failed (98: Address already in use)"
            ),
            Some(Crashed)
        );
    }

    #[test]
    fn the_real_client_errors_are_no_events_and_times_are_local() {
        let l = "2022/10/08 22:27:40 [error] 6068#6068: *3 open() \"/usr/share/nginx/html/DOES-NOT-EXIST\" failed (2: No such file or directory), client: 192.168.0.115, server: _, request: \"GET /DOES-NOT-EXIST HTTP/1.0\", host: \"192.168.0.115\"";
        assert_eq!(parse_line(l.as_bytes(), &ctx()), Ok(None));
        assert_eq!((FORMAT.spec().detect)(l.as_bytes()), Score::Claims);
        let berlin = TimeContext::new(chrono_tz::Europe::Berlin, ctx().reference);
        let ev = parse_line(FORMAT.example().as_bytes(), &berlin)
            .unwrap()
            .unwrap();
        assert_eq!(ev.time.to_rfc3339(), "2026-11-20T01:10:00+00:00");
        assert!(parse_line(b"2026/11/20 garbage", &ctx()).is_err());
    }
}
