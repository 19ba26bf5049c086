//! PortSentry, the port-scan responder: when a host touches one of its watched ports it blocks the
//! host (a null route `KILL_ROUTE`, an iptables drop, a `hosts.deny` line) for every port, until
//! the block is undone by hand. Two places say so:
//!
//! - its history file (`HISTORY_FILE`, `/var/lib/portsentry/portsentry.history`), one line a
//!   blocked packet: `1403884279 - 06/27/2014 17:51:19 Host: 192.0.2.1/192.0.2.1 Port: 1 TCP Blocked`
//!   (epoch seconds first; the host as resolved name/address); the [`FORMAT`] here;
//! - its syslog lines (tag `portsentry`): `attackalert: Host 192.0.2.1 has been blocked via dropped
//!   route using command: "…"`, `… blocked via wrappers with string: "ALL: 192.0.2.1"`
//!   ([`classify`], a payload). `attackalert: Connect from host: … to TCP port: 22` is the scan it
//!   saw, not the block: no event.
//!
//! Each block is a host-wide [`Ban`] by [`BanTool::Portsentry`] with no end.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::{Ban, BanAction, BanTool, Event, EventKind, ParseError, TimeContext};

/// PortSentry's history file.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "portsentry",
    aliases: &["portsentry.history", "portsentry.blocked"],
    description: "PortSentry history / blocked files: host-wide blocks of a scanning host",
    example: "1795140824 - 11/20/2026 02:13:44 Host: 203.0.113.5/203.0.113.5 Port: 22 TCP Blocked",
    detect: |line| crate::Score::claims_if(history(line).is_some()),
    parse: crate::registry::Parse::Lines(parse_line),
    line_time: |line, _| history(line).map(|(t, _)| t),
    ..crate::LogSpec::NETWORK
});

/// `EPOCH - MM/DD/YYYY HH:MM:SS Host: NAME/IP Port: N PROTO Blocked`: its time and the rest after
/// `Host: `.
fn history(line: &[u8]) -> Option<(DateTime<Utc>, &str)> {
    let text = std::str::from_utf8(line).ok()?.trim();
    let (epoch, rest) = text.split_once(" - ")?;
    let t = DateTime::from_timestamp(epoch.parse().ok()?, 0)?;
    let (_, host) = rest.split_once(" Host: ")?;
    host.contains(" Port: ").then_some((t, host))
}

fn ban(ip: IpAddr, how: Option<&str>) -> EventKind {
    EventKind::Ban(Ban {
        ip,
        by: BanTool::Portsentry,
        scope: how.map(str::to_string),
        action: BanAction::Ban,
        until: None,
        target: None,
    })
}

/// Parse one history-file line.
pub fn parse_line(line: &[u8], _: &TimeContext) -> Result<Option<Event>, ParseError> {
    let (time, host) = history(line).ok_or(ParseError::NotFormat("portsentry history"))?;
    // `192.0.2.1/192.0.2.1 Port: 1 TCP Blocked`: name (or address) / address.
    let (who, rest) = host
        .split_once(" Port: ")
        .ok_or(ParseError::Field("Port:"))?;
    let ip: IpAddr = who
        .rsplit('/')
        .next()
        .and_then(|a| a.trim().parse().ok())
        .ok_or(ParseError::Field("Host: name/address"))?;
    let mut w = rest.split_whitespace();
    let port = w.next().and_then(|p| p.parse::<u16>().ok());
    let proto = w.next();
    if port.is_none() || proto.is_none() {
        return Err(ParseError::Field("Port: N PROTO"));
    }
    if !rest.trim_end().ends_with(" Blocked") || rest.contains("Not Blocked") {
        return Ok(None);
    }
    Ok(Some(Event {
        time,
        host: None,
        observer: "portsentry",
        kind: ban(ip, None),
    }))
}

/// Is this tag PortSentry's?
pub fn is_portsentry(app: &str) -> bool {
    app.eq_ignore_ascii_case("portsentry")
}

/// A PortSentry syslog message: `attackalert: Host 192.0.2.1 has been blocked via dropped route …`.
pub fn classify(msg: &str) -> Option<EventKind> {
    let rest = msg.trim().strip_prefix("attackalert:")?.trim_start();
    let rest = rest.strip_prefix("Host ")?;
    let (addr, how) = rest.split_once(" has been blocked via ")?;
    let ip: IpAddr = addr.trim().parse().ok()?;
    let how = how
        .split(" using ")
        .next()
        .and_then(|h| h.split(" with ").next())
        .map(str::trim);
    Some(ban(ip, how))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    #[test]
    fn history_lines_are_host_wide_blocks() {
        // fail2ban's portsentry test file, address replaced.
        let ev = parse_line(
            b"1403884279 - 06/27/2014 17:51:19 Host: 192.0.2.1/192.0.2.1 Port: 1 UDP Blocked",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(ev.time.timestamp(), 1403884279);
        match ev.kind {
            EventKind::Ban(b) => {
                assert_eq!(b.ip, a("192.0.2.1"));
                assert_eq!(b.by, BanTool::Portsentry);
                assert_eq!((b.until, b.scope), (None, None));
            }
            other => panic!("{other:?}"),
        }
        let ev = parse_line(
            b"1795140824 - 11/20/2026 02:13:44 Host: scanner.example.net/2001:db8::5 Port: 22 TCP Blocked",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert!(matches!(ev.kind, EventKind::Ban(b) if b.ip == a("2001:db8::5")));
        assert_eq!(
            parse_line(
                b"1795140824 - 11/20/2026 02:13:44 Host: 203.0.113.5/203.0.113.5 Port: 22 TCP Not Blocked",
                &ctx()
            ),
            Ok(None)
        );
        for bad in [
            "hello",
            "1795140824 - 11/20/2026 02:13:44 Host: nope Port: 22 TCP Blocked",
            "1795140824 - 11/20/2026 02:13:44 Host: 203.0.113.5/203.0.113.5 Port: x TCP Blocked",
        ] {
            assert!(parse_line(bad.as_bytes(), &ctx()).is_err(), "{bad}");
        }
    }

    #[test]
    fn syslog_attackalerts() {
        match classify(
            "attackalert: Host 203.0.113.5 has been blocked via dropped route using command: \"/sbin/iptables -I INPUT -s 203.0.113.5 -j DROP\"",
        ) {
            Some(EventKind::Ban(b)) => {
                assert_eq!(b.ip, a("203.0.113.5"));
                assert_eq!(b.scope.as_deref(), Some("dropped route"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify("attackalert: Host 203.0.113.5 has been blocked via wrappers with string: \"ALL: 203.0.113.5\""),
            Some(EventKind::Ban(b)) if b.scope.as_deref() == Some("wrappers")
        ));
        assert_eq!(
            classify("attackalert: Connect from host: 203.0.113.5/203.0.113.5 to TCP port: 22"),
            None
        );
    }
}
