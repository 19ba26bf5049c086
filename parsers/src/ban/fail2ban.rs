//! fail2ban's own log (`/var/log/fail2ban.log`) and its lines relayed through syslog.
//!
//! Native: `2026-11-20 02:13:44,123 fail2ban.actions        [1234]: NOTICE  [sshd] Ban 203.0.113.5`
//! (older releases: `fail2ban.actions: NOTICE [sendmail] Ban 1.2.3.4`, no pid, single spaces); the time
//! has no zone (the host's local time → the context's zone). Relayed: `Sep 16 00:44:55 host
//! fail2ban.actions: NOTICE [jail] Ban 10.0.0.7`. Follows fail2ban's own test log
//! `fail2ban/tests/files/logs/recidive`: <https://github.com/fail2ban/fail2ban>.
//!
//! `Ban`, `Restore Ban` (re-applied at restart: still a ban) and `Unban` are events; `Found`,
//! `already banned` and everything else is `Ok(None)`.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{Ban, BanAction, BanTool, Event, EventKind, ParseError, TimeContext};

/// fail2ban's own log.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "fail2ban",
    aliases: &["fail2ban.log"],
    description: "fail2ban.log: Ban, Restore Ban, Unban",
    example: "2026-11-20 02:07:47,552 fail2ban.actions        [702]: NOTICE  [sshd] Ban 203.0.113.5",
    detect: |line| crate::Score::claims_if(looks_native(line.trim_ascii_start())),
    parse: crate::registry::Parse::Lines(parse_line),
    line_time,
    syslog_mixed_in: true,
    ..crate::LogSpec::NETWORK
});

/// The event of a fail2ban message (`NOTICE  [sshd] Ban 203.0.113.5`), whatever framed it.
pub fn classify(msg: &str) -> Option<EventKind> {
    let open = msg.find('[')?;
    let close = open + msg[open..].find(']')?;
    let jail = msg[open + 1..close].trim();
    let mut words = msg[close + 1..].split_whitespace();
    let action = match words.next()? {
        "Ban" => BanAction::Ban,
        "Unban" => BanAction::Unban,
        "Restore" if words.next()? == "Ban" => BanAction::Ban,
        _ => return None,
    };
    let ip: IpAddr = words.next()?.parse().ok()?;
    Some(EventKind::Ban(Ban {
        ip,
        by: BanTool::Fail2ban,
        scope: (!jail.is_empty()).then(|| jail.to_string()),
        action,
        until: None,
        target: None,
    }))
}

/// Does this line start like fail2ban's own log?
pub fn looks_native(line: &[u8]) -> bool {
    line.len() > 24
        && line[..4].iter().all(u8::is_ascii_digit)
        && line.get(4) == Some(&b'-')
        && memchr::memmem::find(&line[19..line.len().min(40)], b" fail2ban.").is_some()
}

/// The zone-less timestamp and the rest of a native line.
fn split_stamp(line: &[u8]) -> Result<(NaiveDateTime, &str), ParseError> {
    let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
    // `2026-11-20 02:13:44,123`; some setups log without the milliseconds.
    if let Some(n) = text
        .get(..23)
        .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S,%3f").ok())
    {
        return Ok((n, &text[23..]));
    }
    let s = text.get(..19).ok_or(ParseError::Header("short line"))?;
    let n = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .map_err(|_| ParseError::Timestamp("not YYYY-MM-DD HH:MM:SS"))?;
    Ok((n, &text[19..]))
}

/// The time of a native line, if it has one.
pub fn line_time(line: &[u8], ctx: &TimeContext) -> Option<DateTime<Utc>> {
    split_stamp(line)
        .ok()
        .and_then(|(n, _)| ctx.local_to_utc(n))
}

/// Parse one line of fail2ban's own log. (Lines relayed through syslog into the same file —
/// fail2ban's own test logs mix both — are `Err` here; the registry reads them as syslog, see
/// `LogSpec::syslog_mixed_in`.)
pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    if !looks_native(line) {
        return Err(ParseError::Header("not a fail2ban.log line"));
    }
    let (naive, rest) = split_stamp(line)?;
    let rest = rest.trim_start();
    if !rest.starts_with("fail2ban.") {
        return Err(ParseError::Header("no fail2ban.<module> logger"));
    }
    let time = ctx
        .local_to_utc(naive)
        .ok_or(ParseError::Timestamp("impossible local time"))?;
    // Only the actions logger bans; `fail2ban.filter … Found 203.0.113.5` is a match, not a ban.
    if !rest.starts_with("fail2ban.actions") {
        return Ok(None);
    }
    let msg = rest.split_once(':').map_or("", |(_, m)| m);
    Ok(classify(msg).map(|kind| Event {
        observer: "fail2ban",
        time,
        host: None,
        kind,
    }))
}

#[cfg(test)]
mod tests {
    use crate::test_util::ctx;
    use chrono::TimeZone;

    use super::*;

    fn ban(ev: &Event) -> &Ban {
        match &ev.kind {
            EventKind::Ban(b) => b,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn native_ban_unban_restore() {
        let e = parse_line(
            b"2026-11-20 02:13:44,123 fail2ban.actions        [1234]: NOTICE  [sshd] Ban 203.0.113.5",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            e.time,
            Utc.with_ymd_and_hms(2026, 11, 20, 2, 13, 44).unwrap()
                + chrono::Duration::milliseconds(123)
        );
        let b = ban(&e);
        assert_eq!(b.action, BanAction::Ban);
        assert_eq!(b.scope.as_deref(), Some("sshd"));
        assert_eq!(b.ip, "203.0.113.5".parse::<IpAddr>().unwrap());
        let e = parse_line(
            b"2026-11-20 02:23:44,001 fail2ban.actions: NOTICE [sshd] Unban 2001:db8::5",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(ban(&e).action, BanAction::Unban);
        let e = parse_line(b"2026-11-20 02:00:01,500 fail2ban.actions [9]: NOTICE  [recidive] Restore Ban 203.0.113.5", &ctx())
            .unwrap()
            .unwrap();
        assert_eq!(ban(&e).action, BanAction::Ban);
        assert_eq!(ban(&e).scope.as_deref(), Some("recidive"));
    }

    #[test]
    fn found_and_already_banned_are_not_bans() {
        for l in [
            &b"2026-11-20 02:13:40,101 fail2ban.filter         [1234]: INFO    [sshd] Found 203.0.113.5 - 2026-11-20 02:13:40"[..],
            b"2026-11-20 02:13:45,101 fail2ban.actions        [1234]: NOTICE  [sshd] 203.0.113.5 already banned",
            b"2026-11-20 02:13:45,101 fail2ban.server         [1234]: INFO    Starting Fail2ban v1.0.2",
        ] {
            assert_eq!(parse_line(l, &ctx()).unwrap(), None);
        }
    }

    #[test]
    fn zone_and_malformed() {
        let c = TimeContext::new(chrono_tz::Europe::Berlin, ctx().reference);
        let e = parse_line(
            b"2026-11-20 03:13:44,000 fail2ban.actions [1]: NOTICE [sshd] Ban 203.0.113.5",
            &c,
        )
        .unwrap()
        .unwrap();
        let want: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 11, 20, 2, 13, 44).unwrap();
        assert_eq!(e.time, want);
        assert!(parse_line(b"garbage", &ctx()).is_err());
        // Relayed through syslog into the same file.
        let e = crate::parse_line(
            FORMAT,
            b"Nov 20 02:13:44 bastion01 fail2ban.actions[6605]: NOTICE [sshd] Ban 203.0.113.5",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(e.host.as_deref(), Some("bastion01"));
        assert_eq!(ban(&e).scope.as_deref(), Some("sshd"));
        let e = crate::parse_line(FORMAT, b"Nov 20 02:13:44 b fail2ban-server[1]: fail2ban.actions        [1]: NOTICE  [postfix] Unban 203.0.113.5", &ctx())
            .unwrap()
            .unwrap();
        assert_eq!(ban(&e).action, BanAction::Unban);
        assert_eq!(
            crate::parse_line(
                FORMAT,
                b"Nov 20 02:13:44 b fail2ban.filter[1]: INFO [sshd] Found 203.0.113.5",
                &ctx()
            )
            .unwrap(),
            None
        );
        assert!(
            parse_line(
                b"2026-13-40 02:13:44,000 fail2ban.actions: NOTICE [sshd] Ban 203.0.113.5",
                &ctx()
            )
            .is_err()
        );
        assert!(parse_line(b"2026-11-20 nothing else frames this", &ctx()).is_err());
        assert!(
            parse_line(
                b"2026-11-20 02:13:44,000 fail2ban.actions: \xff\xfe",
                &ctx()
            )
            .is_err()
        );
    }

    #[test]
    fn looks_native_only_for_fail2ban_lines() {
        assert!(looks_native(b"2026-11-20 02:13:44,123 fail2ban.actions        [1234]: NOTICE  [sshd] Ban 203.0.113.5"));
        assert!(!looks_native(
            b"2026-11-20T02:13:44.123+00:00 host sshd[1]: x"
        ));
        assert!(!looks_native(b"short"));
    }
}
