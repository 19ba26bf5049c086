//! pfSense / OPNsense `filterlog` lines: the pf firewall log as comma-separated values, tag
//! `filterlog`, RFC 3164 or RFC 5424 framing.
//!
//! Layout per Netgate's "Raw Filter Log Format"
//! (<https://docs.netgate.com/pfsense/en/latest/monitoring/raw-filter-log-format.html>), which
//! OPNsense shares:
//!
//! ```text
//! 0 rule, 1 sub-rule, 2 anchor, 3 tracker, 4 interface, 5 reason, 6 action, 7 direction, 8 IP version,
//! IPv4: 9 TOS, 10 ECN, 11 TTL, 12 ID, 13 offset, 14 flags, 15 protocol id, 16 protocol text,
//!       17 length, 18 source, 19 destination, then for TCP/UDP: 20 source port, 21 destination port, …
//! IPv6: 9 class, 10 flow label, 11 hop limit, 12 protocol text, 13 protocol id,
//!       14 length, 15 source, 16 destination, then for TCP/UDP: 17 source port, 18 destination port, …
//! ```
//!
//! `block` → [`DenyAction::Drop`], `reject` → [`DenyAction::Reject`], anything else (`pass`, `scrub`,
//! …) → `Ok(None)`. The rule is `rule N` plus the tracker, the rule's stable id (its description is not
//! in the log). Too few fields for the layout, an IP version other than 4 / 6 or a source that is not an
//! address → `Err(ParseError::Field)`. Ports are read only for protocol ids 6 (TCP) and 17 (UDP);
//! ICMP and others have their own tails, which are not used.

use super::{Classified, ip, port};
use crate::{DenyAction, EventKind, FirewallDeny, ParseError, Proto};

/// Classify the CSV message of a `filterlog` line.
pub fn classify(msg: &str) -> Classified {
    let f: Vec<&str> = msg.trim().split(',').collect();
    let field = |k: usize| f.get(k).copied().map(str::trim);
    let action = match field(6) {
        Some("block") => DenyAction::Drop,
        Some("reject") => DenyAction::Reject,
        Some(_) if f.len() > 8 => return Ok(None),
        _ => return Err(ParseError::Field("filterlog: too few fields")),
    };
    // (source, destination, protocol text, protocol id, ports) indices per IP version.
    let (src_at, dst_at, proto_text_at, proto_id_at, sport_at) = match field(8) {
        Some("4") => (18, 19, 16, 15, 20),
        Some("6") => (15, 16, 12, 13, 17),
        _ => return Err(ParseError::Field("filterlog: IP version is not 4 or 6")),
    };
    let src = field(src_at)
        .and_then(ip)
        .ok_or(ParseError::Field("filterlog: no valid source address"))?;
    let dst = field(dst_at).and_then(ip);
    let proto_id = field(proto_id_at).unwrap_or_default();
    let proto = field(proto_text_at)
        .filter(|p| !p.is_empty())
        .or(Some(proto_id).filter(|p| !p.is_empty()))
        .map(Proto::from_text);
    let (sport, dport) = if matches!(proto_id, "6" | "17") {
        match (field(sport_at), field(sport_at + 1)) {
            (Some(s), Some(d)) => (port(s), port(d)),
            _ => return Err(ParseError::Field("filterlog: TCP/UDP line without ports")),
        }
    } else {
        (None, None)
    };
    let rule = match (
        field(0).filter(|r| !r.is_empty()),
        field(3).filter(|t| !t.is_empty()),
    ) {
        (Some(r), Some(t)) => Some(format!("rule {r}, tracker {t}")),
        (Some(r), None) => Some(format!("rule {r}")),
        (None, Some(t)) => Some(format!("tracker {t}")),
        (None, None) => None,
    };
    Ok(Some(EventKind::FirewallDeny(FirewallDeny {
        action,
        src,
        dst,
        proto,
        sport,
        dport,
        rule,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Event;
    use crate::syslog::parse_line;
    use crate::test_util::{a, ctx};

    fn deny(msg: &str) -> FirewallDeny {
        match classify(msg) {
            Ok(Some(EventKind::FirewallDeny(d))) => d,
            other => panic!("{msg}: {other:?}"),
        }
    }

    #[test]
    fn ipv4_tcp_block() {
        let d = deny(
            "5,,,1000000103,igb0,match,block,in,4,0x0,,63,0,0,DF,6,tcp,60,203.0.113.5,192.0.2.10,40000,443,0,S,1893440021,,64240,,mss;sackOK;TS;nop;wscale",
        );
        assert_eq!(
            d,
            FirewallDeny {
                action: DenyAction::Drop,
                src: a("203.0.113.5"),
                dst: Some(a("192.0.2.10")),
                proto: Some(Proto::Tcp),
                sport: Some(40000),
                dport: Some(443),
                rule: Some("rule 5, tracker 1000000103".into()),
            }
        );
    }

    #[test]
    fn ipv4_udp_reject_and_ipv6() {
        let d = deny(
            "7,,,1000000104,igb0,match,reject,in,4,0x0,,63,1234,0,none,17,udp,76,203.0.113.5,192.0.2.10,5000,161,56",
        );
        assert_eq!(d.action, DenyAction::Reject);
        assert_eq!(
            (d.proto, d.sport, d.dport),
            (Some(Proto::Udp), Some(5000), Some(161))
        );
        let d = deny(
            "9,,,abcdef0123456789,re0,match,block,in,6,0x00,0x0ea87,51,tcp,6,40,2001:db8::5,2001:db8:1::10,40000,22,0,S,1,,64800,,mss",
        );
        assert_eq!(d.src, a("2001:db8::5"));
        assert_eq!(d.dst, Some(a("2001:db8:1::10")));
        assert_eq!(
            (d.proto, d.sport, d.dport),
            (Some(Proto::Tcp), Some(40000), Some(22))
        );
        assert_eq!(d.rule.as_deref(), Some("rule 9, tracker abcdef0123456789"));
        let d = deny(
            "9,,,,re0,match,block,in,6,0x00,0x00000,64,udp,17,73,2001:db8::5,2001:db8:1::10,6881,51918,73",
        );
        assert_eq!((d.proto, d.dport), (Some(Proto::Udp), Some(51918)));
        assert_eq!(d.rule.as_deref(), Some("rule 9"));
    }

    #[test]
    fn icmp_has_no_ports() {
        let d = deny(
            "5,,,1000000103,vtnet1,match,block,in,4,0x0,,64,48961,0,DF,1,icmp,84,203.0.113.5,192.0.2.10,request,5113,6664",
        );
        assert_eq!((d.proto, d.sport, d.dport), (Some(Proto::Icmp), None, None));
    }

    #[test]
    fn pass_and_others_are_none() {
        assert_eq!(
            classify(
                "103,,,1000000105,re0,match,pass,in,4,0x0,,116,11172,0,none,17,udp,48,203.0.113.5,192.0.2.10,64752,51918,28"
            ),
            Ok(None)
        );
        assert_eq!(
            classify("103,,,1,re0,match,scrub,in,4,0x0,,116,1,0,none,6,tcp,48"),
            Ok(None)
        );
    }

    #[test]
    fn malformed() {
        for m in [
            "",
            "garbage",
            "5,,,1,em0,match,block",
            "5,,,1,em0,match,block,in",
            "5,,,1,em0,match,pass",
            "5,,,1,em0,match,block,in,5,0x0,,64,1,0,DF,6,tcp,60,203.0.113.5,192.0.2.10,1,2",
            "5,,,1,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,60",
            "5,,,1,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,60,not-an-ip,192.0.2.10,1,2",
            "5,,,1,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,60,203.0.113.5,192.0.2.10",
            "5,,,1,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,60,203.0.113.5,192.0.2.10,40000",
            "5,,,1,em0,match,block,in,6,0x00,0x0,64,tcp,6,40,2001:db8::5",
        ] {
            assert!(matches!(classify(m), Err(ParseError::Field(_))), "{m:?}");
        }
        // Garbage ports are kept as unknown, not an error.
        let d = deny(
            "5,,,1,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,60,203.0.113.5,192.0.2.10,x,99999",
        );
        assert_eq!((d.sport, d.dport), (None, None));
    }

    fn line(l: &str) -> Event {
        parse_line(l.as_bytes(), &ctx()).unwrap().unwrap()
    }

    #[test]
    fn syslog_framings() {
        let ev = line(
            "Nov 20 02:13:44 filterlog: 5,,,1000000103,igb0,match,block,in,4,0x0,,63,0,0,DF,6,tcp,60,203.0.113.5,192.0.2.10,40000,443,0,S,1893440021,,64240,,mss",
        );
        assert_eq!(ev.host, None);
        assert!(matches!(ev.kind, EventKind::FirewallDeny(ref d) if d.dport == Some(443)));
        let ev = line(
            "Nov 20 02:13:44 fw01 filterlog[4242]: 5,,,1000000103,igb0,match,block,in,4,0x0,,63,0,0,DF,6,tcp,60,203.0.113.5,192.0.2.10,40000,443,0,S,1893440021,,64240,,mss",
        );
        assert_eq!(ev.host.as_deref(), Some("fw01"));
        let ev = line(
            r#"<134>1 2026-11-20T03:13:44+01:00 opnsense filterlog 4242 - [meta sequenceId="7"] 10,,,02f4bab031b57d1e30553ce08e0ec131,re0,match,block,in,4,0x0,,118,28579,0,none,17,udp,132,203.0.113.5,192.0.2.10,49838,161,112"#,
        );
        assert_eq!(ev.host.as_deref(), Some("opnsense"));
        assert_eq!(ev.time.to_rfc3339(), "2026-11-20T02:13:44+00:00");
        match ev.kind {
            EventKind::FirewallDeny(d) => {
                assert_eq!(d.proto, Some(Proto::Udp));
                assert_eq!(d.dport, Some(161));
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_line(b"Nov 20 02:13:44 fw01 filterlog: 5,,,1,em0", &ctx()).is_err());
    }
}
