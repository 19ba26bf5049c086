//! OpenBSD / FreeBSD pf(4) log entries as `tcpdump -n -e -ttt -r /var/log/pflog` prints them (the
//! pf FAQ's way of reading the binary pflog), or relayed by `tcpdump -l … -i pflog0 | logger -t pf`:
//!
//! ```text
//! Nov 20 02:13:44.123456 rule 3/(match) block in on em0: 203.0.113.5.40000 > 192.0.2.10.22: S 1234:1234(0) win 65535 <mss 1460>
//! Nov 20 02:13:44.123456 rule 2.scanners.1/(match) block in on vtnet0: 2001:db8::5.40000 > 2001:db8::10.443: Flags [S], seq 1, win 65535
//! ```
//!
//! `block` is a [`FirewallDeny`] (pf's log does not say whether the rule was `block drop` or
//! `block return`: a drop, per the model's rule). `pass` and `match` lines are no events. The
//! address and port are joined by a dot (`192.0.2.10.22`, `2001:db8::10.443`): the last dot
//! splits them when the protocol has ports. The rule is `rule N` with its anchor. Times are
//! year-less local times (`-ttt`): the source's zone, the year nearest the scan.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::{DenyAction, Event, EventKind, FirewallDeny, ParseError, Proto, TimeContext};

/// pf log as tcpdump prints it.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "pf_tcpdump",
    aliases: &["pflog", "pf"],
    description: "OpenBSD/FreeBSD pf log as tcpdump -n -e -ttt prints it: block lines (rule, interface, addresses)",
    example: "Nov 20 02:13:44.123456 rule 3/(match) block in on em0: 203.0.113.5.40000 > 192.0.2.10.22: S 1234:1234(0) win 65535 <mss 1460>",
    detect: |line| {
        let Ok(t) = std::str::from_utf8(line) else {
            return crate::Score::No;
        };
        crate::Score::claims_if(
            split_time(t)
                .is_some_and(|(_, rest)| rest.starts_with("rule ") && rest.contains(" on ")),
        )
    },
    parse: crate::registry::Parse::Lines(parse_line),
    line_time: |line, ctx| {
        let t = std::str::from_utf8(line).ok()?;
        split_time(t).and_then(|(ts, _)| time(ts, ctx))
    },
    ..crate::LogSpec::NETWORK
});

/// `Nov 20 02:13:44.123456 rest`: the timestamp text and the rest.
fn split_time(t: &str) -> Option<(&str, &str)> {
    let b = t.as_bytes();
    if b.len() < 16 || !b[0].is_ascii_alphabetic() || b[3] != b' ' {
        return None;
    }
    // Month, day (maybe space-padded), clock.
    let mut end = 0;
    let mut words = 0;
    let mut prev_space = true;
    for (i, &c) in b.iter().enumerate() {
        if c == b' ' {
            if !prev_space {
                words += 1;
                if words == 3 {
                    end = i;
                    break;
                }
            }
            prev_space = true;
        } else {
            prev_space = false;
        }
    }
    (end > 0).then(|| (&t[..end], t[end..].trim_start()))
}

fn time(ts: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let mut w = ts.split_whitespace();
    let month = crate::time::month_from_abbr(w.next()?.as_bytes())?;
    let day: u32 = w.next()?.parse().ok()?;
    let (h, m, s, nanos) = crate::time::clock(w.next()?)?;
    ctx.yearless_to_utc(month, day, h, m, s, nanos)
}

/// `192.0.2.10.22` / `2001:db8::10.443` / `192.0.2.10` (no port).
fn endpoint(s: &str, ported: bool) -> Option<(IpAddr, Option<u16>)> {
    let s = s.trim().trim_end_matches(':');
    if ported
        && let Some((a, p)) = s.rsplit_once('.')
        && let (Ok(a), Ok(p)) = (a.parse(), p.parse())
    {
        return Some((a, Some(p)));
    }
    Some((s.parse().ok()?, None))
}

/// Classify a pf log entry (`rule 3/(match) block in on em0: SRC > DST: …`).
pub fn classify(entry: &str) -> Result<Option<EventKind>, ParseError> {
    let rest = entry
        .trim()
        .strip_prefix("rule ")
        .ok_or(ParseError::Field("rule"))?;
    let (rule, rest) = rest.split_once(' ').ok_or(ParseError::Field("rule"))?;
    let rule = rule.split('/').next().unwrap_or(rule);
    let (action, rest) = rest.split_once(' ').ok_or(ParseError::Field("action"))?;
    if action != "block" {
        return Ok(None);
    }
    let (_, rest) = rest.split_once(" on ").ok_or(ParseError::Field("on IF"))?;
    let (iface, packet) = rest
        .split_once(": ")
        .ok_or(ParseError::Field("interface"))?;
    let (src, rest) = packet
        .split_once(" > ")
        .ok_or(ParseError::Field("SRC > DST"))?;
    let (dst, what) = rest.split_once(": ").unwrap_or((rest, ""));
    let what = what.trim_start();
    let proto = if what.starts_with("udp") || what.contains(" udp ") {
        Proto::Udp
    } else if what.starts_with("icmp") {
        Proto::Icmp
    } else {
        Proto::Tcp
    };
    let ported = proto != Proto::Icmp;
    let (src, sport) = endpoint(src, ported).ok_or(ParseError::Field("source address"))?;
    let (dst, dport) = endpoint(dst, ported).ok_or(ParseError::Field("destination address"))?;
    Ok(Some(EventKind::FirewallDeny(FirewallDeny {
        action: DenyAction::Drop,
        src,
        dst: Some(dst),
        proto: Some(proto),
        sport,
        dport,
        rule: Some(format!("rule {rule} on {iface}")),
    })))
}

/// Parse one tcpdump line of pflog.
pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
    let (ts, rest) = split_time(text).ok_or(ParseError::Timestamp("no MMM DD HH:MM:SS"))?;
    let time = time(ts, ctx).ok_or(ParseError::Timestamp("not MMM DD HH:MM:SS.ffffff"))?;
    Ok(classify(rest)?.map(|kind| Event {
        time,
        host: None,
        observer: "pf",
        kind,
    }))
}

/// Is this syslog tag a pflog relay (`logger -t pf`)?
pub fn is_pf_tag(app: &str) -> bool {
    matches!(app, "pf" | "pflog" | "pflogd")
}

/// A relayed entry, with or without tcpdump's own timestamp in front.
pub fn classify_relayed(msg: &str) -> Result<Option<EventKind>, ParseError> {
    let msg = msg.trim();
    let entry = if msg.starts_with("rule ") {
        msg
    } else {
        split_time(msg).map_or(msg, |(_, rest)| rest)
    };
    if !entry.starts_with("rule ") {
        return Ok(None);
    }
    classify(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    fn deny(line: &str) -> (DateTime<Utc>, FirewallDeny) {
        crate::test_util::the_deny(&parse_line(line.as_bytes(), &ctx()))
    }

    #[test]
    fn block_lines_v4_v6_udp_icmp() {
        // The pf FAQ's logging example, addresses replaced.
        let (t, d) = deny(
            "Nov 20 02:13:44.123456 rule 0/(match) block in on fxp0: 203.0.113.5.1031 > 192.0.2.1.80: S 2227123123:2227123123(0) win 16384 <mss 1460,nop,nop,sackOK> (DF)",
        );
        assert_eq!(t.to_rfc3339(), "2026-11-20T02:13:44.123456+00:00");
        assert_eq!((d.src, d.sport), (a("203.0.113.5"), Some(1031)));
        assert_eq!((d.dst, d.dport), (Some(a("192.0.2.1")), Some(80)));
        assert_eq!(d.rule.as_deref(), Some("rule 0 on fxp0"));
        assert_eq!(d.proto, Some(Proto::Tcp));
        let (_, d) = deny(
            "Nov  2 02:13:44.1 rule 2.scanners.1/(match) block in on vtnet0: 2001:db8::5.40000 > 2001:db8::10.443: Flags [S], seq 1, win 65535",
        );
        assert_eq!((d.src, d.dport), (a("2001:db8::5"), Some(443)));
        assert_eq!(d.rule.as_deref(), Some("rule 2.scanners.1 on vtnet0"));
        let (_, d) = deny(
            "Nov 20 02:13:44.000001 rule 5/(match) block in on em0: 203.0.113.5.5353 > 192.0.2.10.161: udp 40",
        );
        assert_eq!((d.proto, d.dport), (Some(Proto::Udp), Some(161)));
        let (_, d) = deny(
            "Nov 20 02:13:44.000001 rule 5/(match) block in on em0: 203.0.113.5 > 192.0.2.10: icmp: echo request",
        );
        assert_eq!((d.proto, d.dport), (Some(Proto::Icmp), None));
        assert_eq!(
            parse_line(b"Nov 20 02:13:44.000001 rule 1/(match) pass out on em0: 192.0.2.10.22 > 203.0.113.5.40000: S", &ctx()),
            Ok(None)
        );
        for bad in [
            "Nov 20 02:13:44.000001 rule 1/(match) block in on em0: nonsense",
            "Nov 20 25:13:44.000001 rule 1/(match) block in on em0: 1.2.3.4.1 > 1.2.3.5.2: S",
            "hello",
        ] {
            assert!(parse_line(bad.as_bytes(), &ctx()).is_err(), "{bad}");
        }
    }

    #[test]
    fn relayed_through_logger() {
        assert!(matches!(
            classify_relayed(
                "rule 3/(match) block in on em0: 203.0.113.5.40000 > 192.0.2.10.22: S"
            ),
            Ok(Some(EventKind::FirewallDeny(_)))
        ));
        assert!(matches!(
            classify_relayed(
                "Nov 20 02:13:44.123456 rule 3/(match) block in on em0: 203.0.113.5.40000 > 192.0.2.10.22: S"
            ),
            Ok(Some(EventKind::FirewallDeny(_)))
        ));
        assert_eq!(classify_relayed("pflogd started"), Ok(None));
    }
}
