//! Syslog-framed logs: the header (see [`header`]) and the classifiers that turn a message into an
//! event. One module per job:
//!
//! - [`netfilter`]: iptables / nftables `LOG` target lines (kernel, UFW, firewalld, SuSEfirewall2) and
//!   ulogd2 LOGEMU lines → `FirewallDeny` / `RateLimit`.
//! - [`systemd`]: service manager lifecycle (`Started` / `Stopped` / `Main process exited` / `Failed
//!   with result`), logind / systemd-shutdown / shutdown(8) shutdown signals, `Startup finished`.
//! - [`kernel`]: OOM killer, segfaults, SYN flood and conntrack overload, `reboot:` and boot banners.
//! - [`daemons`]: sshd, Apache, MySQL / MariaDB and PostgreSQL start / stop / listening lines.
//! - [`crate::firewall`]: Cisco ASA / FTD, pfSense / OPNsense `filterlog`, PAN-OS CSV and Junos SRX
//!   lines, by tag (or, for ASA and PAN-OS lines without one, by the message's first bytes).
//!
//! Dispatch is by tag (APP-NAME) first, so each line is looked at by at most two classifiers.

pub mod daemons;
pub mod header;
pub mod kernel;
pub mod netfilter;
pub mod payload;
pub mod ratelimit;
pub mod systemd;
pub mod windows;

use chrono::{DateTime, Utc};

use crate::registry::{LogFormat, LogSpec, Parse, Score};
use crate::{Event, EventKind, ParseError, TimeContext};

use payload::Msg;

/// Syslog in every framing people forward it in, every payload line by line.
pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "syslog",
    aliases: &["rsyslog", "syslog-ng", "messages"],
    description: "RFC 3164 (with host, without, `host :`, Cisco year), RFC 5424 (with or without <PRI>), rsyslog/syslog-ng ISO headers (with or without a tag), a bare <PRI>, or no framing for payloads that carry their own (bare %ASA-, PAN-OS CSV); every line goes to the payload classifier its content names (see `formats`: payloads)",
    example: "Nov 20 02:13:44 web01 kernel: [815906.331870] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=52011 DF PROTO=TCP SPT=40422 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0",
    detect: detect_line,
    framing_suffices: true,
    parse: Parse::Lines(parse_line),
    line_time,
    line_host,
    words: &payload::WORDS,
    header_prefixes: &[],
    syslog_mixed_in: false,
    multiline: false,
    binary: None,
});

/// ulogd2 LOGEMU: a syslog-like header, no tag, a netfilter line. Every useful line names the
/// scanner, so only addresses pass the prefilter.
pub const ULOGD: LogFormat = LogFormat::new(&LogSpec {
    name: "ulogd",
    aliases: &["netfilter", "logemu"],
    description: "ulogd2 LOGEMU netfilter log (syslog-like header, no kernel: tag)",
    example: "Nov 20 02:13:44 fw01  IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0",
    detect: |line| match header::parse_header(line) {
        Some(h)
            if h.app.is_none()
                && memchr::memmem::find(h.msg, b"IN=").is_some()
                && memchr::memmem::find(h.msg, b"SRC=").is_some() =>
        {
            Score::Claims
        }
        _ => Score::No,
    },
    framing_suffices: true,
    parse: Parse::Lines(parse_line),
    line_time,
    line_host,
    words: &[],
    header_prefixes: &[],
    syslog_mixed_in: false,
    multiline: false,
    binary: None,
});

/// The message of a framed line as the payloads see it.
fn msg_of<'a>(
    app: Option<&'a str>,
    pid: Option<u32>,
    text: &'a str,
    time: Option<DateTime<Utc>>,
) -> Msg<'a> {
    let text = text.trim_end_matches(['\r', '\n']);
    let text = if matches!(app, None | Some("kernel" | "/bsd")) {
        strip_uptime(text)
    } else {
        text
    };
    Msg {
        app,
        pid,
        text,
        time,
    }
}

/// How a syslog line scores for detection: content a payload recognises beats a bare header.
fn detect_line(line: &[u8]) -> Score {
    match header::parse_header(line) {
        Some(h) => {
            let text = String::from_utf8_lossy(h.msg);
            if payload::recognises(&msg_of(h.app, h.pid, &text, None)) {
                Score::Claims
            } else if h.app.is_some() {
                // A timestamp and a word are not enough: W3C logs (`2026-11-20 02:13:44 DROP TCP
                // …`, Windows Firewall) would frame too. Syslog lines carry a `tag:`.
                Score::Frames
            } else {
                Score::No
            }
        }
        None => match std::str::from_utf8(line) {
            Ok(text) if payload::unframed(unframed_text(text)).is_some() => Score::Claims,
            _ => Score::No,
        },
    }
}

/// The time of a syslog line: its header's, or, unframed, the payload's own timestamp.
pub fn line_time(line: &[u8], ctx: &TimeContext) -> Option<DateTime<Utc>> {
    if let Some(h) = header::parse_header(line) {
        return h.time.resolve(ctx);
    }
    let text = unframed_text(std::str::from_utf8(line).ok()?);
    (payload::unframed(text)?.unframed?)(text, ctx)
}

fn line_host(line: &[u8]) -> Option<String> {
    header::parse_header(line).and_then(|h| h.host.map(str::to_string))
}

/// Parse one syslog line into at most one event. `Err` only when the line neither frames nor is a
/// payload that may come bare (or, for a netfilter line, when its `SRC=` is missing or not an
/// address); `Ok(None)` for every well-framed line that is not an event portmortem uses.
pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    // journalctl's own markers between entries (`-- Boot 0f3c… --`, `-- Logs begin at … --`,
    // `-- No entries --`): read, no event (they carry no time of their own).
    let t = line.trim_ascii();
    if t.starts_with(b"-- ") && t.ends_with(b" --") {
        return Ok(None);
    }
    let Some(h) = header::parse_header(line) else {
        return parse_unframed(line, ctx);
    };
    let time = h
        .time
        .resolve(ctx)
        .ok_or(ParseError::Timestamp("invalid or nonexistent local time"))?;
    // Junos and Check Point (Log Exporter) RFC 5424 lines keep the event in the MSGID and SD,
    // which the header skips: their classifier gets the whole line when the message lost it.
    let sd_marker: Option<&[u8]> = match h.app {
        Some(a) if crate::firewall::juniper::is_junos_tag(a) => Some(b"[junos@"),
        Some(a) if crate::firewall::checkpoint::is_checkpoint_tag(a) => Some(b"action:\""),
        _ => None,
    };
    let body = match sd_marker {
        Some(m)
            if memchr::memmem::find(h.msg, m).is_none()
                && memchr::memmem::find(line, m).is_some() =>
        {
            line
        }
        _ => h.msg,
    };
    // Messages are nearly always valid UTF-8; the lossy fallback only allocates when they are not.
    let msg = String::from_utf8_lossy(body);
    let found = payload::dispatch(&msg_of(h.app, h.pid, &msg, Some(time)))?;
    Ok(found.map(|(kind, observer)| Event {
        time,
        host: h.host.map(str::to_owned),
        observer,
        kind,
    }))
}

/// The message of a line with no syslog header: trimmed, and without a bare `<PRI>` (a raw UDP
/// capture, `nc -lu` into a file: `<164>%ASA-4-106023: …`).
fn unframed_text(line: &str) -> &str {
    let t = line.trim();
    match t.strip_prefix('<').and_then(|r| r.split_once('>')) {
        Some((pri, rest))
            if !pri.is_empty() && pri.len() <= 3 && pri.bytes().all(|b| b.is_ascii_digit()) =>
        {
            rest.trim_start()
        }
        _ => t,
    }
}

/// A line without syslog framing: a payload that may come bare, with its own time or none.
fn parse_unframed(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let text = unframed_text(
        std::str::from_utf8(line).map_err(|_| ParseError::Header("not a syslog header"))?,
    );
    let p = payload::unframed(text).ok_or(ParseError::Header("not a syslog header"))?;
    let time = p.unframed.and_then(|t| t(text, ctx));
    let m = Msg {
        app: None,
        pid: None,
        text,
        time,
    };
    let Some(kind) = (p.classify)(&m)? else {
        return Ok(None);
    };
    let time = p
        .unframed
        .and_then(|t| t(text, ctx))
        .ok_or(ParseError::Timestamp(
            "the line has no syslog header and no time of its own",
        ))?;
    Ok(Some(Event {
        time,
        host: None,
        observer: p.name,
        kind,
    }))
}

/// Classify a message given its tag (without `[pid]`) and pid (journald's MESSAGE, tests).
pub fn classify(
    app: Option<&str>,
    pid: Option<u32>,
    msg: &str,
) -> Result<Option<EventKind>, ParseError> {
    Ok(payload::dispatch(&msg_of(app, pid, msg, None))?.map(|(k, _)| k))
}

/// Classify a message written at `time`, naming the payload that did.
pub fn classify_observed(
    app: Option<&str>,
    pid: Option<u32>,
    msg: &str,
    time: DateTime<Utc>,
) -> payload::Classified {
    payload::dispatch(&msg_of(app, pid, msg, Some(time)))
}

/// Strip a leading kernel uptime stamp (`[50028442.088484] `, `[   30.7734] `). A bracket holding
/// anything but digits, spaces and dots (a `[UFW BLOCK]` prefix) is left alone.
pub(crate) fn strip_uptime(msg: &str) -> &str {
    let Some(rest) = msg.strip_prefix('[') else {
        return msg;
    };
    let Some(end) = rest.find(']') else {
        return msg;
    };
    let stamp = &rest[..end];
    if stamp.is_empty()
        || !stamp.bytes().any(|b| b.is_ascii_digit())
        || !stamp
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b' ')
    {
        return msg;
    }
    rest[end + 1..].trim_start()
}

/// Case-insensitive ASCII substring test (`needle` must be lowercase ASCII).
pub(crate) fn contains_ci(hay: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    if n.is_empty() {
        return true;
    }
    hay.as_bytes()
        .windows(n.len())
        .any(|w| w.eq_ignore_ascii_case(n))
}

/// The leading run of ASCII digits of `s` as a number, if there is one and it fits.
pub(crate) fn leading_u16(s: &str) -> Option<u16> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    s.get(..end).and_then(|d| d.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DenyAction, LifecycleState};

    pub(crate) fn ctx() -> TimeContext {
        TimeContext::utc(
            DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        )
    }

    #[test]
    fn uptime_is_stripped_only_when_numeric() {
        assert_eq!(strip_uptime("[50028442.088484] IN=eth0"), "IN=eth0");
        assert_eq!(strip_uptime("[   30.7734] loop6: x"), "loop6: x");
        assert_eq!(strip_uptime("[UFW BLOCK] IN=eth0"), "[UFW BLOCK] IN=eth0");
        assert_eq!(strip_uptime("[] x"), "[] x");
        assert_eq!(strip_uptime("[12"), "[12");
    }

    #[test]
    fn dispatch_sets_host_and_time() {
        let ev = parse_line(
            b"Nov 20 02:13:44 fw01 kernel: [  203.842973] IPTABLES-DROP: IN=eth0 OUT= SRC=192.0.2.7 DST=198.51.100.9 PROTO=TCP SPT=40000 DPT=443",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(ev.host.as_deref(), Some("fw01"));
        assert_eq!(ev.time.to_rfc3339(), "2026-11-20T02:13:44+00:00");
        match ev.kind {
            EventKind::FirewallDeny(d) => assert_eq!(d.action, DenyAction::Drop),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn header_failure_is_err_unknown_message_is_none() {
        assert!(parse_line(b"garbage", &ctx()).is_err());
        assert!(parse_line(b"", &ctx()).is_err());
        assert_eq!(
            parse_line(b"Nov 20 02:13:44 h cron[1]: (root) CMD (true)", &ctx()),
            Ok(None)
        );
    }

    #[test]
    fn ulogd_prefix_taken_as_tag_is_still_a_deny() {
        let ev = parse_line(
            b"Nov 20 02:13:44 fw01 IPTABLES-DROP: IN=eth0 OUT= SRC=192.0.2.7 DST=198.51.100.9 PROTO=UDP SPT=5000 DPT=53",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        match ev.kind {
            EventKind::FirewallDeny(d) => {
                assert_eq!(d.rule.as_deref(), Some("IPTABLES-DROP"));
                assert_eq!(d.dport, Some(53));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ulogd_logemu_without_tag() {
        for (line, rule, action) in [
            (
                &b"Nov 20 02:13:44 fw01 [UFW BLOCK] IN=eth0 OUT= MAC= SRC=203.0.113.9 DST=192.0.2.1 LEN=40 PROTO=TCP SPT=4444 DPT=3389"[..],
                "UFW BLOCK",
                DenyAction::Drop,
            ),
            (
                &b"Nov 20 02:13:44 fw01 REJECT IN=eth0 OUT= MAC= SRC=203.0.113.9 DST=192.0.2.1 LEN=40 PROTO=TCP SPT=4444 DPT=3389"[..],
                "REJECT",
                DenyAction::Reject,
            ),
        ] {
            let ev = parse_line(line, &ctx()).unwrap().unwrap();
            assert_eq!(ev.host.as_deref(), Some("fw01"));
            match ev.kind {
                EventKind::FirewallDeny(d) => {
                    assert_eq!(d.rule.as_deref(), Some(rule));
                    assert_eq!(d.action, action);
                    assert_eq!(d.dport, Some(3389));
                }
                other => panic!("{other:?}"),
            }
        }
        // ulogd line without a prefix, after a double space.
        let ev = parse_line(
            b"Nov 20 02:13:44 fw01  IN=eth0 OUT= SRC=2001:db8::9 DST=2001:db8::1 PROTO=UDP SPT=1 DPT=161",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert!(
            matches!(ev.kind, EventKind::FirewallDeny(ref d) if d.rule.is_none() && d.dport == Some(161))
        );
    }

    #[test]
    fn bare_pri_and_no_framing_reach_their_payload() {
        // PAN-OS with its own receive time: an event.
        let ev = parse_line(b"<14>1,2026/11/20 02:13:44,001801000001,TRAFFIC,deny,2049,2026/11/20 02:13:44,203.0.113.5,192.0.2.10,0.0.0.0,0.0.0.0,deny-scanner,,,not-applicable,vsys1,untrust,trust,ethernet1/1,,fwd,2026/11/20 02:13:44,0,1,40000,443,0,0,0x0,tcp,deny,60,60,0,1,2026/11/20 02:13:44,0,any,0,0,0x0,203.0.113.0-203.0.113.255,192.0.2.0-192.0.2.255,0,1,0,policy-deny", &ctx())
            .unwrap()
            .unwrap();
        assert_eq!(ev.observer, "panos");
        assert_eq!(ev.time.to_rfc3339(), "2026-11-20T02:13:44+00:00");
        // ASA with only a <PRI>: recognised, but no time to place it.
        let line: &[u8] = b"<164>%ASA-4-106023: Deny tcp src outside:203.0.113.5/1 dst inside:192.0.2.10/443 by access-group \"a\" [0x0, 0x0]";
        assert!(matches!(
            parse_line(line, &ctx()),
            Err(ParseError::Timestamp(_))
        ));
        assert_eq!(detect_line(line), Score::Claims);
        assert_eq!(detect_line(b"<164>hello"), Score::No);
    }

    #[test]
    fn rfc5424_systemd_line() {
        let ev = parse_line(
            b"<30>1 2026-11-20T02:13:44Z web01 systemd 1 - - Stopped nginx.service - A high performance web server and a reverse proxy server.",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        match ev.kind {
            EventKind::Lifecycle(l) => {
                assert_eq!(l.unit, "nginx");
                assert_eq!(l.state, LifecycleState::Stopped);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_utf8_message_does_not_panic() {
        let r = parse_line(
            b"Nov 20 02:13:44 h kernel: \xff\xfe IN=\xff SRC=\xff",
            &ctx(),
        );
        assert!(matches!(r, Err(ParseError::Field(_))));
        let r = parse_line(b"Nov 20 02:13:44 h systemd[1]: Started \xff\xfe.", &ctx());
        assert!(r.is_ok());
    }
}
