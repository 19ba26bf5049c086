//! Network firewall classifiers (Cisco ASA, pfSense / OPNsense filterlog, PAN-OS, Junos SRX) against
//! the third-party sample corpus in `../shared/realworld` (see its README.md; override the location
//! with `PORTMORTEM_REALWORLD_DIR`). The corpus is not part of the repository: when it is missing,
//! every test here prints a note and passes.
//!
//! Expected values were worked out by reading the sample files, not by recording parser output.

mod common;

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use portmortem_parsers::{
    BanAction, DenyAction, Event, EventKind, FirewallDeny, IpsAction, ParseError, Proto,
    TimeContext,
    syslog::{classify, header::parse_header, parse_line},
};

fn ctx() -> TimeContext {
    TimeContext::utc(
        DateTime::parse_from_rfc3339("2022-12-31T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    )
}

fn a(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// The non-empty lines of a corpus file (`\r` stripped), or `None` when the corpus is absent.
fn lines(rel: &str) -> Option<Vec<String>> {
    let path = common::realworld(rel)?;
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Some(
        String::from_utf8_lossy(&data)
            .lines()
            .map(|l| l.trim_end_matches('\r').to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
    )
}

#[derive(Default)]
struct Outcome {
    errors: Vec<(usize, ParseError)>,
    none: usize,
    events: Vec<(usize, EventKind)>,
}

fn tally(results: impl Iterator<Item = (usize, Result<Option<EventKind>, ParseError>)>) -> Outcome {
    let mut o = Outcome::default();
    for (k, r) in results {
        match r {
            Ok(Some(e)) => o.events.push((k, e)),
            Ok(None) => o.none += 1,
            Err(e) => o.errors.push((k, e)),
        }
    }
    o
}

fn denies(o: &Outcome) -> Vec<&FirewallDeny> {
    o.events
        .iter()
        .filter_map(|(_, e)| match e {
            EventKind::FirewallDeny(d) => Some(d),
            _ => None,
        })
        .collect()
}

/// Full syslog lines through `parse_line`.
fn parse_all(lines: &[String]) -> (Vec<Event>, usize, Vec<ParseError>) {
    let (mut ev, mut none, mut err) = (vec![], 0, vec![]);
    for l in lines {
        match parse_line(l.as_bytes(), &ctx()) {
            Ok(Some(e)) => ev.push(e),
            Ok(None) => none += 1,
            Err(e) => err.push(e),
        }
    }
    (ev, none, err)
}

#[test]
fn cisco_asa_wazuh_messages() {
    let Some(lines) = lines("logs/cisco-asa/wazuh-ruleset_cisco_asa.extracted.log") else {
        return;
    };
    // Bare `%ASA-…` messages without a syslog header, one per line.
    assert_eq!(lines.len(), 87);
    let o = tally(
        lines
            .iter()
            .enumerate()
            .map(|(k, l)| (k + 1, classify(None, None, l))),
    );
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    // 106001, 106006, 710003, 106014, 106010, 106023, 106015, 106021 denies; the 733100 rate line;
    // the 401004 shun. Everything else (Built/Teardown, 106022 spoof, 106017 land, 313xxx ICMP,
    // 338xxx dynamic filter, logins, AAA, failover, …) is not an event.
    assert_eq!(o.events.len(), 10);
    assert_eq!(o.none, 77);
    let by_line: Vec<usize> = o.events.iter().map(|(k, _)| *k).collect();
    assert_eq!(by_line, vec![4, 5, 9, 13, 16, 18, 19, 50, 66, 71]);

    let d = denies(&o);
    assert_eq!(d.len(), 8);
    assert!(d.iter().all(|d| d.action == DenyAction::Drop));
    // 106001: Inbound TCP connection denied from 111.93.241.59/54322 to 116.6.127.122/1433 flags SYN.
    assert_eq!(
        *d[0],
        FirewallDeny {
            action: DenyAction::Drop,
            src: a("111.93.241.59"),
            dst: Some(a("116.6.127.122")),
            proto: Some(Proto::Tcp),
            sport: Some(54322),
            dport: Some(1433),
            rule: None,
        }
    );
    // 106006: Deny inbound UDP from 185.158.113.158/53306 to 116.6.127.123/53413.
    assert_eq!(
        (
            d[1].src,
            d[1].dst,
            d[1].proto.clone(),
            d[1].sport,
            d[1].dport
        ),
        (
            a("185.158.113.158"),
            Some(a("116.6.127.123")),
            Some(Proto::Udp),
            Some(53306),
            Some(53413)
        )
    );
    // 710003: TCP access denied by ACL from 192.168.0.1/11 to outside:192.168.0.2/22.
    assert_eq!(
        (d[2].src, d[2].dst, d[2].sport, d[2].dport),
        (a("192.168.0.1"), Some(a("192.168.0.2")), Some(11), Some(22))
    );
    // 106014: Deny inbound icmp src outside:151.80.47.231 dst outside:116.6.127.112 (type 3, code 2).
    assert_eq!(
        (d[3].src, d[3].dst, d[3].proto.clone(), d[3].dport),
        (
            a("151.80.47.231"),
            Some(a("116.6.127.112")),
            Some(Proto::Icmp),
            None
        )
    );
    // 106010: Deny inbound protocol 47 src outside:115.51.6.185 dst outside:116.6.127.120.
    assert_eq!(d[4].src, a("115.51.6.185"));
    assert_eq!(d[4].proto, Some(Proto::Other("47".into())));
    // 106023: Deny tcp src inside:111.11.11.1/2143 dst YYY:172.11.1.11/139 by access-group
    // "inside_inbound" (no hash pair in this sample).
    assert_eq!(
        *d[5],
        FirewallDeny {
            action: DenyAction::Drop,
            src: a("111.11.11.1"),
            dst: Some(a("172.11.1.11")),
            proto: Some(Proto::Tcp),
            sport: Some(2143),
            dport: Some(139),
            rule: Some("inside_inbound".into()),
        }
    );
    // 106015: Deny TCP (no connection) from 192.168.0.1/11 to 192.168.0.2/22 flags tcp_flags.
    assert_eq!(
        (d[6].src, d[6].proto.clone(), d[6].dport),
        (a("192.168.0.1"), Some(Proto::Tcp), Some(22))
    );
    // 106021: the sample keeps the template's `protocol` where the protocol goes.
    assert_eq!(
        (d[7].src, d[7].dst, d[7].proto.clone(), d[7].dport),
        (
            a("192.168.0.1"),
            Some(a("192.168.0.2")),
            Some(Proto::Other("protocol".into())),
            None
        )
    );
    // 733100 with the template's `Object` instead of `[ Scanning]`: no address.
    match &o.events[6].1 {
        EventKind::RateLimit(r) => {
            assert_eq!(r.src, None);
            assert!(r.what.contains("drop rate 15 exceeded"), "{}", r.what);
        }
        other => panic!("{other:?}"),
    }
    // `%ASA-4-401004 Shunned packet: 192.168.0.1 = 192.168.0.2 on interface interfacename` (no colon
    // after the ID, `=` where Cisco's guide has `==>`).
    match &o.events[8].1 {
        EventKind::Ban(b) => {
            assert_eq!(b.ip, a("192.168.0.1"));
            assert_eq!(b.target, Some(a("192.168.0.2")));
            assert_eq!(b.action, BanAction::Shun);
            assert_eq!(b.by, portmortem_parsers::BanTool::CiscoAsa);
            assert_eq!(b.scope, None);
        }
        other => panic!("{other:?}"),
    }

    // The same messages behind a Cisco-style syslog header (year, host, ` : `) give the same events.
    let framed: Vec<String> = lines
        .iter()
        .map(|l| format!("<164>Nov 20 2022 02:13:44 fw01 : {l}"))
        .collect();
    let (ev, none, err) = parse_all(&framed);
    assert!(err.is_empty(), "{err:?}");
    assert_eq!((ev.len(), none), (10, 77));
    assert!(ev.iter().all(|e| e.host.as_deref() == Some("fw01")));
    assert_eq!(ev[0].time.to_rfc3339(), "2022-11-20T02:13:44+00:00");
}

#[test]
fn pfsense_filterlog_mixed() {
    let Some(lines) = lines("logs/pfsense/crowdsec-hub_pf-logs.log") else {
        return;
    };
    assert_eq!(lines.len(), 9);
    let (ev, none, err) = parse_all(&lines);
    assert!(err.is_empty(), "{err:?}");
    // Three `pass` lines (two IPv4 UDP/TCP, one IPv6 UDP), six `block`.
    assert_eq!((ev.len(), none), (6, 3));
    let d: Vec<&FirewallDeny> = ev
        .iter()
        .map(|e| match &e.kind {
            EventKind::FirewallDeny(d) => d,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(d.iter().all(|d| d.action == DenyAction::Drop));
    // 1: block in, IPv4 TCP 10.0.2.2:53742 → 10.0.2.15:22, rule 53, tracker 1000000301.
    assert_eq!(
        *d[0],
        FirewallDeny {
            action: DenyAction::Drop,
            src: a("10.0.2.2"),
            dst: Some(a("10.0.2.15")),
            proto: Some(Proto::Tcp),
            sport: Some(53742),
            dport: Some(22),
            rule: Some("rule 53, tracker 1000000301".into()),
        }
    );
    assert_eq!(ev[0].host.as_deref(), Some("pfSense"));
    assert_eq!(ev[0].time.to_rfc3339(), "2022-09-28T10:38:09+00:00");
    // 3: block *out*, the firewall's own reply 10.0.2.15:22 → 10.0.2.2:53742.
    assert_eq!(
        (d[2].src, d[2].sport, d[2].dport),
        (a("10.0.2.15"), Some(22), Some(53742))
    );
    // 4: OPNsense RFC 5424, IPv4 UDP 212.102.36.22:49838 → 37.120.48.198:52938, +02:00.
    assert_eq!(ev[3].host.as_deref(), Some("opnsense"));
    assert_eq!(ev[3].time.to_rfc3339(), "2022-09-06T16:37:34+00:00");
    assert_eq!(
        (d[3].src, d[3].proto.clone(), d[3].dport),
        (a("212.102.36.22"), Some(Proto::Udp), Some(52938))
    );
    // 7: TCP SYN 154.6.147.87:48473 → 37.120.48.198:13680.
    assert_eq!((d[4].src, d[4].dport), (a("154.6.147.87"), Some(13680)));
    // 9: IPv6 UDP block 2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a:6881 → 2c02:2454:ada:d900::1738:51918.
    assert_eq!(
        *d[5],
        FirewallDeny {
            action: DenyAction::Drop,
            src: a("2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a"),
            dst: Some(a("2c02:2454:ada:d900::1738")),
            proto: Some(Proto::Udp),
            sport: Some(6881),
            dport: Some(51918),
            rule: Some("rule 98, tracker 64d253df-ef65-4b56-9df4-c03fc11b8ce4".into()),
        }
    );
}

#[test]
fn pfsense_filterlog_port_scan() {
    let Some(lines) = lines("logs/pfsense/crowdsec-hub_pf-scan-multi-port.log") else {
        return;
    };
    assert_eq!(lines.len(), 16);
    let (ev, none, err) = parse_all(&lines);
    assert!(err.is_empty(), "{err:?}");
    assert_eq!((ev.len(), none), (16, 0));
    let mut ports = vec![];
    for e in &ev {
        match &e.kind {
            EventKind::FirewallDeny(d) => {
                assert_eq!(d.src, a("10.0.2.2"));
                assert_eq!(d.dst, Some(a("10.0.2.15")));
                assert_eq!(d.sport, Some(59576));
                assert_eq!(d.action, DenyAction::Drop);
                ports.extend(d.dport);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.time.to_rfc3339(), "2022-09-30T14:35:50+00:00");
    }
    assert_eq!(
        ports,
        vec![
            22, 2222, 21, 23, 25, 80, 8081, 8082, 443, 4443, 145, 3306, 336, 1234, 4567, 9090
        ]
    );
}

#[test]
fn paloalto_anonymised_traffic() {
    let Some(lines) = lines("logs/paloalto/wazuh-ruleset_paloalto.extracted.log") else {
        return;
    };
    assert_eq!(lines.len(), 4);
    // The authors zeroed the dates (`May 00`): the header does not resolve, so every line is malformed.
    let (ev, _, err) = parse_all(&lines);
    assert!(ev.is_empty());
    assert_eq!(err.len(), 4);
    assert!(err.iter().all(|e| matches!(e, ParseError::Timestamp(_))));
    // The messages themselves: TRAFFIC start / end (action anonymised to `xxxx`) are not denies;
    // subtypes drop / deny are, but their source `00.00.000.00` is no address → malformed.
    let o = tally(lines.iter().enumerate().map(|(k, l)| {
        let h = parse_header(l.as_bytes()).expect("frames");
        assert_eq!(h.host, Some("XXX-XX-00"));
        assert_eq!(h.app, None);
        (
            k + 1,
            classify(h.app, h.pid, &String::from_utf8_lossy(h.msg)),
        )
    }));
    assert_eq!(o.none, 2);
    assert!(o.events.is_empty());
    let err_lines: Vec<usize> = o.errors.iter().map(|(k, _)| *k).collect();
    assert_eq!(err_lines, vec![3, 4]);
    assert!(
        o.errors
            .iter()
            .all(|(_, e)| matches!(e, ParseError::Field(_)))
    );
}

#[test]
fn juniper_plain_logstash_spec() {
    let Some(lines) = lines("logs/juniper/logstash-patterns_junos_spec.extracted.log") else {
        return;
    };
    assert_eq!(lines.len(), 3);
    let (ev, none, err) = parse_all(&lines);
    assert!(err.is_empty(), "{err:?}");
    // SESSION_CLOSE and SESSION_CREATE are not events; the DENY is.
    assert_eq!((ev.len(), none), (1, 2));
    assert_eq!(ev[0].host.as_deref(), Some("SRX-1"));
    assert_eq!(
        ev[0].kind,
        EventKind::FirewallDeny(FirewallDeny {
            action: DenyAction::Drop,
            src: a("10.0.0.1"),
            dst: Some(a("192.168.1.1")),
            proto: Some(Proto::Udp),
            sport: Some(54924),
            dport: Some(53),
            rule: Some("default-deny(global)".into()),
        })
    );
}

#[test]
fn juniper_structured_wazuh() {
    let Some(lines) = lines("logs/juniper/wazuh-ruleset_junos.extracted.log") else {
        return;
    };
    assert_eq!(lines.len(), 3);
    let (ev, none, err) = parse_all(&lines);
    assert!(err.is_empty(), "{err:?}");
    // RT_SCREEN_IP (IP spoofing, action drop) and RT_FLOW_SESSION_DENY; FLOW_MCAST_RPF_FAIL is not.
    assert_eq!((ev.len(), none), (2, 1));
    assert!(ev.iter().all(|e| e.host.as_deref() == Some("192.168.1.1")));
    match &ev[0].kind {
        EventKind::IpsAlert(i) => {
            assert_eq!(i.action, IpsAction::Blocked);
            assert_eq!(i.src, a("1.1.1.1"));
            assert_eq!(i.dst, Some(a("1.1.1.1")));
            assert_eq!(i.proto, Some(Proto::Udp));
            assert_eq!(i.signature, "IP spoofing!");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        ev[1].kind,
        EventKind::FirewallDeny(FirewallDeny {
            action: DenyAction::Drop,
            src: a("192.168.1.1"),
            dst: Some(a("192.168.1.2")),
            proto: Some(Proto::Udp),
            sport: Some(1080),
            dport: Some(8010),
            rule: Some("Local-Default-Deny".into()),
        })
    );
    // The relay's header time, not the SRX's own (13:54:54.803Z) inside the message.
    assert_eq!(ev[1].time.to_rfc3339(), "2022-09-23T13:54:55+00:00");
}
