//! Cisco ASA / Firepower Threat Defense syslog messages (`%ASA-4-106023: …`, `%FTD-…`, and the older
//! `%PIX-` / `%FWSM-` prefixes, whose texts are the same).
//!
//! Message formats from the Cisco ASA Series Syslog Messages guide
//! (<https://www.cisco.com/c/en/us/td/docs/security/asa/syslog/b_syslog.html>) and the Secure Firewall
//! Threat Defense syslog guide
//! (<https://www.cisco.com/c/en/us/td/docs/security/firepower/Syslogs/b_fptd_syslog_guide.html>),
//! checked against logstash-patterns-core `patterns/legacy/firewalls` (CISCOFW106001 … CISCOFW733100)
//! and the Wazuh ruleset's `cisco_asa.ini` sample messages.
//!
//! | ID | Text | Event |
//! |---|---|---|
//! | 106001 | `Inbound TCP connection denied from A/p to B/p flags SYN on interface outside` | deny |
//! | 106006 | `Deny inbound UDP from A/p to B/p on interface outside` | deny |
//! | 106007 | `Deny inbound UDP from A/p to B/p due to DNS Query` | deny |
//! | 106010 | `Deny inbound protocol 47 src outside:A dst inside:B` | deny |
//! | 106014 | `Deny inbound icmp src outside:A dst inside:B (type 8, code 0)` | deny |
//! | 106015 | `Deny TCP (no connection) from A/p to B/p flags RST on interface outside` | deny |
//! | 106021 | `Deny TCP reverse path check from A to B on interface outside` | deny |
//! | 106023 | `Deny tcp src outside:A/p dst inside:B/p by access-group "acl" [0x0, 0x0]` | deny |
//! | 106100 | `access-list acl denied tcp outside/A(p) -> inside/B(p) hit-cnt 1 first hit [..]` | deny |
//! | 710003 | `TCP access denied by ACL from A/p to outside:B/p` | deny |
//! | 733100 | `[ Scanning] drop rate-1 exceeded. Current burst rate is …` | `RateLimit` |
//! | 733101 | `Host A is attacking. Current burst rate is …` | `IpsAlert` (alerted) |
//! | 733102 / 733103 | `Threat-detection adds host A to shun list` / `removes host A from shun list` | shun / unban |
//! | 401002 / 401003 | `Shun added: A B 0 0` / `Shun deleted: A` | shun / unban |
//! | 401004 | `Shunned packet: A ==> B on interface outside` (Wazuh's sample: `A = B`) | shun, target B |
//!
//! Every deny above is a silent drop: none of these messages says the ASA answered with a reset
//! (106015's `flags RST` are the flags of the dropped packet, not a reset sent). A `106100` line that
//! says `permitted` / `est-allowed` is `Ok(None)`; `733101 … is targeted` names a victim, not an
//! attacker, and is `Ok(None)`; `401001 Shuns cleared` names no address and is `Ok(None)`. Other
//! message IDs are `Ok(None)`. A handled ID whose source address does not parse (an ASA with
//! `names` configured prints object names instead of addresses) is `Err(ParseError::Field)`.
//! Interface names, user identities `(LOCAL\user)` and ICMP type/code are not kept; the access-group
//! or access-list name is the `rule`.

use std::net::IpAddr;

use super::{Classified, ip, port};
use crate::{
    Ban, BanAction, BanTool, DenyAction, EventKind, FirewallDeny, IpsAction, IpsAlert, ParseError,
    Proto, RateLimit,
};

/// Split `%ASA-4-106023: rest` (or the bare tag `%ASA-4-106023`) into the message ID and the text
/// after it. `None` when `s` does not start with such a tag.
pub fn split_tag(s: &str) -> Option<(u32, &str)> {
    let rest = s.strip_prefix('%')?;
    let (product, rest) = rest.split_once('-')?;
    if !matches!(product, "ASA" | "FTD" | "PIX" | "FWSM") {
        return None;
    }
    let (sev, rest) = rest.split_once('-')?;
    if sev.len() != 1 || !sev.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let end = rest
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    let id: u32 = rest.get(..end)?.parse().ok()?;
    let rest = rest.get(end..)?;
    // The ID ends the tag: a colon, a space or the end must follow.
    if !(rest.is_empty() || rest.starts_with(':') || rest.starts_with(' ')) {
        return None;
    }
    Some((id, rest.trim_start_matches(':').trim_start()))
}

/// Classify the text of message `id` (the part after `%ASA-n-id:`).
pub fn classify_id(id: u32, msg: &str) -> Classified {
    let msg = msg.trim();
    match id {
        106001 => from_to(msg, 1, false, None),
        106006 | 106007 => from_to(msg, 2, false, None),
        106015 | 106021 => from_to(msg, 1, false, None),
        710003 => from_to(msg, 0, true, None),
        106010 | 106014 | 106023 => src_dst(msg),
        106100 => access_list(msg),
        733100 => Ok(Some(drop_rate(msg))),
        733101 => Ok(attacking(msg)),
        733102 => shun_list(msg, "adds host ", BanAction::Shun),
        733103 => shun_list(msg, "removes host ", BanAction::Unban),
        401002 => shun_cmd(msg, "Shun added:", BanAction::Shun),
        401003 => shun_cmd(msg, "Shun deleted:", BanAction::Unban),
        401004 => shunned_packet(msg),
        _ => Ok(None),
    }
}

fn bad(what: &'static str) -> ParseError {
    ParseError::Field(what)
}

/// The token of `s` up to the first space or `(` (a user identity or mapped address follows).
fn endpoint_token(s: &str) -> &str {
    let end = s.find([' ', '(']).unwrap_or(s.len());
    s.get(..end).unwrap_or_default()
}

/// `ADDR[/PORT]`, where PORT may be a service name (`710003 … to outside:B/ssh`).
fn addr_port(s: &str) -> (Option<IpAddr>, Option<u16>) {
    match s.rsplit_once('/') {
        Some((a, p)) => (ip(a), port(p).or_else(|| service_port(p))),
        None => (ip(s), None),
    }
}

/// `IFACE:ADDR[/PORT]`; interface names have no colon, so the first one ends the name.
fn if_addr_port(s: &str) -> (Option<IpAddr>, Option<u16>) {
    match s.split_once(':') {
        Some((_, rest)) => addr_port(rest),
        None => addr_port(s),
    }
}

/// The few service names ASA messages print instead of a number (to-the-box management access).
fn service_port(name: &str) -> Option<u16> {
    Some(match name {
        "ssh" => 22,
        "telnet" => 23,
        "www" | "http" => 80,
        "https" => 443,
        "snmp" => 161,
        _ => return None,
    })
}

/// The word at index `k` of `msg`, as the protocol.
fn proto_word(msg: &str, k: usize) -> Option<Proto> {
    msg.split_whitespace().nth(k).map(Proto::from_text)
}

fn deny(
    src: Option<IpAddr>,
    dst: Option<IpAddr>,
    proto: Option<Proto>,
    sport: Option<u16>,
    dport: Option<u16>,
    rule: Option<String>,
) -> Classified {
    let src = src.ok_or(bad("ASA deny without a source address"))?;
    // ICMP "ports" are type/code: never ports.
    let icmp = proto == Some(Proto::Icmp);
    Ok(Some(EventKind::FirewallDeny(FirewallDeny {
        action: DenyAction::Drop,
        src,
        dst,
        proto,
        sport: sport.filter(|_| !icmp),
        dport: dport.filter(|_| !icmp),
        rule,
    })))
}

/// `… from A[/p] to [IFACE:]B[/p] …` (106001, 106006, 106007, 106015, 106021, 710003); the protocol
/// is word `proto_at`.
fn from_to(msg: &str, proto_at: usize, dst_iface: bool, rule: Option<String>) -> Classified {
    let (_, after_from) = msg
        .split_once(" from ")
        .ok_or(bad("ASA deny without `from`"))?;
    let src_tok = endpoint_token(after_from);
    let (src, sport) = addr_port(src_tok);
    let (dst, dport) = after_from
        .split_once(" to ")
        .map(|(_, d)| {
            let tok = endpoint_token(d);
            if dst_iface {
                if_addr_port(tok)
            } else {
                addr_port(tok)
            }
        })
        .unwrap_or((None, None));
    deny(src, dst, proto_word(msg, proto_at), sport, dport, rule)
}

/// `Deny [inbound] [protocol] PROTO src IF:A[/p] dst IF:B[/p] [(type t, code c)] [by access-group
/// "acl" [..]]` (106010, 106014, 106023).
fn src_dst(msg: &str) -> Classified {
    let body = msg
        .strip_prefix("Deny ")
        .ok_or(bad("ASA deny without `Deny`"))?;
    let (head, rest) = body
        .split_once(" src ")
        .ok_or(bad("ASA deny without `src`"))?;
    let proto = head
        .split_whitespace()
        .rfind(|w| !matches!(*w, "inbound" | "outbound" | "protocol"))
        .map(Proto::from_text);
    let (src, sport) = if_addr_port(endpoint_token(rest));
    let (dst, dport) = rest
        .split_once(" dst ")
        .map(|(_, d)| if_addr_port(endpoint_token(d)))
        .unwrap_or((None, None));
    let rule = rest.split_once("by access-group ").and_then(|(_, r)| {
        let r = r.trim_start_matches('"');
        let end = r.find(['"', ' ']).unwrap_or(r.len());
        r.get(..end).filter(|n| !n.is_empty()).map(str::to_owned)
    });
    deny(src, dst, proto, sport, dport, rule)
}

/// `access-list ACL denied PROTO [for user 'u'] IF/A(p)[(user)] -> IF/B(p)[(user)] hit-cnt …` (106100).
fn access_list(msg: &str) -> Classified {
    let mut words = msg.split_whitespace();
    if words.next() != Some("access-list") {
        return Err(bad("ASA 106100 without `access-list`"));
    }
    let acl = words.next().ok_or(bad("ASA 106100 without an ACL name"))?;
    match words.next() {
        Some("denied") => {}
        Some(_) => return Ok(None),
        None => return Err(bad("ASA 106100 without a verdict")),
    }
    let proto = words.next().map(Proto::from_text);
    let (left, right) = msg
        .split_once(" -> ")
        .ok_or(bad("ASA 106100 without `->`"))?;
    let src_tok = left.rsplit(' ').next().unwrap_or_default();
    let dst_tok = right.split(' ').next().unwrap_or_default();
    let (src, sport) = paren_endpoint(src_tok);
    let (dst, dport) = paren_endpoint(dst_tok);
    deny(src, dst, proto, sport, dport, Some(acl.to_owned()))
}

/// `IFACE/ADDR(PORT)[(user)]` (106100); interface names have no slash.
fn paren_endpoint(s: &str) -> (Option<IpAddr>, Option<u16>) {
    let s = s.split_once('/').map_or(s, |(_, rest)| rest);
    match s.split_once('(') {
        Some((a, rest)) => (ip(a), rest.split_once(')').and_then(|(p, _)| port(p))),
        None => (ip(s), None),
    }
}

/// 733100: `[ Object] drop rate-N exceeded. Current burst rate …`. The object is a drop category
/// (`Scanning`, `ACL drop`, …) or, for host drops, an address: only then is there a `src`.
fn drop_rate(msg: &str) -> EventKind {
    let head = msg.split(". Current").next().unwrap_or(msg).trim();
    let object = msg
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .map(|(o, _)| o.trim());
    EventKind::RateLimit(RateLimit {
        src: object.and_then(ip),
        dst: None,
        dport: None,
        what: format!("threat-detection {head}"),
        service: None,
    })
}

/// 733101: `Host A is attacking. …` (scanning threat detection) → an alert naming the attacker;
/// `Subnet … is targeted` / `Host … is targeted` name the victim → `None`.
fn attacking(msg: &str) -> Option<EventKind> {
    let (who, _) = msg.split_once(" is attacking")?;
    let src = who.split_whitespace().last().and_then(ip)?;
    Some(EventKind::IpsAlert(IpsAlert {
        action: IpsAction::Alerted,
        src,
        dst: None,
        proto: None,
        dport: None,
        signature: "ASA threat detection: host is attacking (733101)".into(),
        signature_id: Some(733101),
    }))
}

fn ban(ip: IpAddr, action: BanAction, target: Option<IpAddr>) -> EventKind {
    EventKind::Ban(Ban {
        ip,
        by: BanTool::CiscoAsa,
        scope: None,
        action,
        until: None,
        target,
    })
}

/// 733102 / 733103: `Threat-detection adds host A to shun list` / `removes host A from shun list`.
fn shun_list(msg: &str, marker: &str, action: BanAction) -> Classified {
    let (_, rest) = msg
        .split_once(marker)
        .ok_or(bad("ASA threat-detection shun line without `host`"))?;
    let a = rest
        .split_whitespace()
        .next()
        .and_then(ip)
        .ok_or(bad("ASA threat-detection shun line without an address"))?;
    Ok(Some(ban(a, action, None)))
}

/// 401002 / 401003: `Shun added: A B p p` / `Shun deleted: A`.
fn shun_cmd(msg: &str, prefix: &str, action: BanAction) -> Classified {
    let rest = msg
        .strip_prefix(prefix)
        .ok_or(bad("ASA shun line without its prefix"))?;
    let a = rest
        .split_whitespace()
        .next()
        .and_then(ip)
        .ok_or(bad("ASA shun line without an address"))?;
    Ok(Some(ban(a, action, None)))
}

/// 401004: `Shunned packet: A ==> B on interface outside` (also `A = B`, as in Wazuh's sample).
fn shunned_packet(msg: &str) -> Classified {
    let rest = msg
        .strip_prefix("Shunned packet:")
        .ok_or(bad("ASA 401004 without `Shunned packet:`"))?;
    let mut words = rest.split_whitespace();
    let a = words
        .next()
        .and_then(ip)
        .ok_or(bad("ASA 401004 without a source address"))?;
    let target = match words.next() {
        Some("==>" | "=" | "=>" | "->") => words.next().and_then(ip),
        _ => None,
    };
    Ok(Some(ban(a, BanAction::Shun, target)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Event;
    use crate::syslog::{classify, parse_line};
    use crate::test_util::{a, ctx};

    /// Classify a bare `%ASA-…` message the way an untagged syslog line is.
    fn msg(m: &str) -> Classified {
        classify(None, None, m)
    }

    fn fw(m: &str) -> FirewallDeny {
        match msg(m) {
            Ok(Some(EventKind::FirewallDeny(d))) => d,
            other => panic!("{m}: {other:?}"),
        }
    }

    fn ban_of(m: &str) -> Ban {
        match msg(m) {
            Ok(Some(EventKind::Ban(b))) => b,
            other => panic!("{m}: {other:?}"),
        }
    }

    #[test]
    fn tag_split() {
        assert_eq!(split_tag("%ASA-4-106023: Deny x"), Some((106023, "Deny x")));
        assert_eq!(split_tag("%FTD-6-106100"), Some((106100, "")));
        assert_eq!(
            split_tag("%ASA-4-401004 Shunned"),
            Some((401004, "Shunned"))
        );
        assert_eq!(split_tag("%PIX-4-106023:Deny"), Some((106023, "Deny")));
        assert_eq!(split_tag("%XYZ-4-106023: Deny"), None);
        assert_eq!(split_tag("%ASA-44-106023: Deny"), None);
        assert_eq!(split_tag("%ASA-4-10602x: Deny"), None);
        assert_eq!(split_tag("%ASA-4-: Deny"), None);
        assert_eq!(split_tag("ASA-4-106023: Deny"), None);
        assert_eq!(split_tag("%ASA-4-99999999999999999999: x"), None);
    }

    #[test]
    fn deny_106023_tcp_with_acl() {
        let d = fw(
            r#"%ASA-4-106023: Deny tcp src outside:203.0.113.5/40000 dst inside:192.0.2.10/443 by access-group "outside_in" [0x0, 0x0]"#,
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
                rule: Some("outside_in".into()),
            }
        );
    }

    #[test]
    fn deny_106023_variants() {
        // IPv6, identity after the address, FTD prefix.
        let d = fw(
            r#"%FTD-4-106023: Deny udp src outside:2001:db8::5/5353(LOCAL\alice) dst dmz:2001:db8:1::10/161 by access-group "CSM_FW_ACL_" [0x97aa021a, 0x0]"#,
        );
        assert_eq!(d.src, a("2001:db8::5"));
        assert_eq!(d.dst, Some(a("2001:db8:1::10")));
        assert_eq!((d.sport, d.dport), (Some(5353), Some(161)));
        assert_eq!(d.proto, Some(Proto::Udp));
        assert_eq!(d.rule.as_deref(), Some("CSM_FW_ACL_"));
        // ICMP: no ports, type/code ignored.
        let d = fw(
            r#"%ASA-4-106023: Deny icmp src outside:203.0.113.5 dst inside:192.0.2.10 (type 8, code 0) by access-group "outside_in" [0x0, 0x0]"#,
        );
        assert_eq!((d.proto, d.sport, d.dport), (Some(Proto::Icmp), None, None));
        // `Deny protocol 47`.
        let d = fw(
            r#"%ASA-4-106023: Deny protocol 47 src outside:203.0.113.5 dst inside:192.0.2.10 by access-group "outside_in" [0x0, 0x0]"#,
        );
        assert_eq!(d.proto, Some(Proto::Other("47".into())));
        assert_eq!(d.dport, None);
    }

    #[test]
    fn deny_106010_and_106014() {
        let d = fw(
            "%ASA-3-106010: Deny inbound protocol 47 src outside:203.0.113.5 dst outside:192.0.2.10",
        );
        assert_eq!(d.src, a("203.0.113.5"));
        assert_eq!(d.dst, Some(a("192.0.2.10")));
        assert_eq!(d.proto, Some(Proto::Other("47".into())));
        assert_eq!(d.rule, None);
        let d = fw(
            "%ASA-3-106014: Deny inbound icmp src outside:203.0.113.5 dst inside:192.0.2.10 (type 8, code 0)",
        );
        assert_eq!(d.proto, Some(Proto::Icmp));
        assert_eq!(d.dst, Some(a("192.0.2.10")));
    }

    #[test]
    fn deny_from_to_family() {
        let d = fw(
            "%ASA-2-106001: Inbound TCP connection denied from 203.0.113.5/40000 to 192.0.2.10/22 flags SYN  on interface outside",
        );
        assert_eq!(
            d,
            FirewallDeny {
                action: DenyAction::Drop,
                src: a("203.0.113.5"),
                dst: Some(a("192.0.2.10")),
                proto: Some(Proto::Tcp),
                sport: Some(40000),
                dport: Some(22),
                rule: None,
            }
        );
        let d = fw(
            "%ASA-2-106006: Deny inbound UDP from 203.0.113.5/40000 to 192.0.2.10/161 on interface outside",
        );
        assert_eq!((d.proto, d.dport), (Some(Proto::Udp), Some(161)));
        let d = fw(
            "%ASA-2-106007: Deny inbound UDP from 203.0.113.5/40000 to 192.0.2.10/53 due to DNS Query",
        );
        assert_eq!((d.proto, d.dport), (Some(Proto::Udp), Some(53)));
        // 106015 is about a packet without a connection; `flags RST` is the packet's: still a drop.
        let d = fw(
            "%ASA-6-106015: Deny TCP (no connection) from 203.0.113.5/40000 to 192.0.2.10/443 flags RST  on interface outside",
        );
        assert_eq!(d.action, DenyAction::Drop);
        assert_eq!((d.proto, d.dport), (Some(Proto::Tcp), Some(443)));
        let d = fw(
            "%ASA-1-106021: Deny TCP reverse path check from 203.0.113.5 to 192.0.2.10 on interface outside",
        );
        assert_eq!((d.sport, d.dport), (None, None));
        assert_eq!(d.dst, Some(a("192.0.2.10")));
        let d = fw(
            "%ASA-3-710003: TCP access denied by ACL from 203.0.113.5/40000 to outside:192.0.2.1/ssh",
        );
        assert_eq!(d.dst, Some(a("192.0.2.1")));
        assert_eq!((d.proto, d.dport), (Some(Proto::Tcp), Some(22)));
        let d = fw(
            "%ASA-3-710003: UDP access denied by ACL from 203.0.113.5/40000 to outside:192.0.2.1/161",
        );
        assert_eq!((d.proto, d.dport), (Some(Proto::Udp), Some(161)));
    }

    #[test]
    fn access_list_106100() {
        let d = fw(
            "%ASA-6-106100: access-list outside_in denied tcp outside/203.0.113.5(40000) -> inside/192.0.2.10(443) hit-cnt 1 first hit [0x91c26a3, 0x0]",
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
                rule: Some("outside_in".into()),
            }
        );
        let d = fw(
            "%ASA-6-106100: access-list acl-v6 denied udp outside/2001:db8::5(5000)(LOCAL\\bob) -> inside/2001:db8::10(53) hit-cnt 3 300-second interval [0x0, 0x0]",
        );
        assert_eq!(d.src, a("2001:db8::5"));
        assert_eq!((d.sport, d.dport), (Some(5000), Some(53)));
        // ICMP: the parentheses hold type and code.
        let d = fw(
            "%ASA-6-106100: access-list outside_in denied icmp outside/203.0.113.5(8) -> inside/192.0.2.10(0) hit-cnt 1 first hit [0x0, 0x0]",
        );
        assert_eq!((d.sport, d.dport), (None, None));
        // Permitted → nothing.
        assert_eq!(
            msg(
                "%ASA-6-106100: access-list outside_in permitted tcp outside/203.0.113.5(40000) -> inside/192.0.2.10(443) hit-cnt 1 first hit [0x0, 0x0]"
            ),
            Ok(None)
        );
        assert_eq!(
            msg(
                "%ASA-6-106100: access-list outside_in est-allowed tcp outside/203.0.113.5(40000) -> inside/192.0.2.10(443) hit-cnt 1 first hit [0x0, 0x0]"
            ),
            Ok(None)
        );
    }

    #[test]
    fn malformed_denies_are_errors() {
        for m in [
            "%ASA-4-106023: Deny tcp src outside:webserver/40000 dst inside:192.0.2.10/443 by access-group \"x\"",
            "%ASA-4-106023: Deny tcp",
            "%ASA-4-106023: Permit tcp src outside:203.0.113.5/1 dst inside:192.0.2.10/443",
            "%ASA-2-106001: Inbound TCP connection denied",
            "%ASA-2-106006: Deny inbound UDP from nowhere/1 to 192.0.2.10/53 on interface outside",
            "%ASA-6-106100: access-list",
            "%ASA-6-106100: access-list x denied tcp outside/203.0.113.5(1) inside/192.0.2.10(443)",
            "%ASA-6-106100: list x denied",
            "%ASA-4-401002: Shun added:",
            "%ASA-4-401003: Shun deleted: nobody",
            "%ASA-4-401004: Shunned packet: ==> 192.0.2.10 on interface outside",
            "%ASA-4-401004: Something else",
            "%ASA-4-733102: Threat-detection adds host x to shun list",
            "%ASA-4-733103: Threat-detection removes",
        ] {
            assert!(matches!(msg(m), Err(ParseError::Field(_))), "{m}");
        }
    }

    #[test]
    fn other_ids_are_none() {
        for m in [
            "%ASA-6-302013: Built inbound TCP connection 9 for outside:203.0.113.5/40000 (203.0.113.5/40000) to inside:192.0.2.10/443 (192.0.2.10/443)",
            "%ASA-6-302014: Teardown TCP connection 9 for outside:203.0.113.5/40000 to inside:192.0.2.10/443 duration 0:00:00 bytes 0 TCP Reset-O",
            "%ASA-4-401001: Shuns cleared",
            "%ASA-4-733101: Subnet 192.0.2.0 is targeted. Current burst rate is 200 per second, max configured rate is 0; Current average rate is 0 per second, max configured rate is 0; Cumulative total count is 2028",
            "%ASA-4-733104: TD_SYSLOG_TCP_INTERCEPT_AVERAGE_RATE_EXCEED",
        ] {
            assert_eq!(msg(m), Ok(None), "{m}");
        }
    }

    #[test]
    fn threat_detection() {
        match msg(
            "%ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 11 per second, max configured rate is 10; Current average rate is 2 per second, max configured rate is 5; Cumulative total count is 1302",
        ) {
            Ok(Some(EventKind::RateLimit(r))) => {
                assert_eq!(r.src, None);
                assert_eq!(r.what, "threat-detection [ Scanning] drop rate-1 exceeded");
            }
            other => panic!("{other:?}"),
        }
        match msg(
            "%ASA-4-733100: [ 203.0.113.5] drop rate-2 exceeded. Current burst rate is 9 per second, max configured rate is 10; Current average rate is 17 per second, max configured rate is 5; Cumulative total count is 20831",
        ) {
            Ok(Some(EventKind::RateLimit(r))) => assert_eq!(r.src, Some(a("203.0.113.5"))),
            other => panic!("{other:?}"),
        }
        match msg(
            "%ASA-4-733101: Host 203.0.113.5 is attacking. Current burst rate is 200 per second, max configured rate is 0; Current average rate is 0 per second, max configured rate is 0; Cumulative total count is 2024",
        ) {
            Ok(Some(EventKind::IpsAlert(i))) => {
                assert_eq!(i.src, a("203.0.113.5"));
                assert_eq!(i.action, IpsAction::Alerted);
                assert_eq!(i.signature_id, Some(733101));
            }
            other => panic!("{other:?}"),
        }
        let b = ban_of("%ASA-4-733102: Threat-detection adds host 203.0.113.5 to shun list");
        assert_eq!(
            b,
            Ban {
                ip: a("203.0.113.5"),
                by: BanTool::CiscoAsa,
                scope: None,
                action: BanAction::Shun,
                until: None,
                target: None,
            }
        );
        let b = ban_of("%ASA-4-733103: Threat-detection removes host 203.0.113.5 from shun list");
        assert_eq!(b.action, BanAction::Unban);
    }

    #[test]
    fn shuns() {
        let b = ban_of("%ASA-4-401002: Shun added: 203.0.113.5 0.0.0.0 0 0");
        assert_eq!(
            b,
            Ban {
                ip: a("203.0.113.5"),
                by: BanTool::CiscoAsa,
                scope: None,
                action: BanAction::Shun,
                until: None,
                target: None,
            }
        );
        let b = ban_of("%ASA-4-401003: Shun deleted: 203.0.113.5");
        assert_eq!((b.ip, b.action), (a("203.0.113.5"), BanAction::Unban));
        let b = ban_of(
            "%ASA-4-401004: Shunned packet: 203.0.113.5 ==> 192.0.2.10 on interface outside",
        );
        assert_eq!(b.action, BanAction::Shun);
        assert_eq!(b.target, Some(a("192.0.2.10")));
        // Wazuh's sample: `=` and no colon after the message ID.
        let b = ban_of("%ASA-4-401004 Shunned packet: 203.0.113.5 = 192.0.2.10 on interface dmz");
        assert_eq!((b.ip, b.target), (a("203.0.113.5"), Some(a("192.0.2.10"))));
    }

    fn line(l: &str) -> Event {
        parse_line(l.as_bytes(), &ctx()).unwrap().unwrap()
    }

    #[test]
    fn syslog_framings() {
        // Host, then ` : %ASA-…` (device-id with `logging timestamp`), with and without the year.
        for l in [
            r#"Nov 20 02:13:44 fw01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/40000 dst inside:192.0.2.10/443 by access-group "outside_in" [0x0, 0x0]"#,
            r#"<164>Nov 20 2026 02:13:44 fw01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/40000 dst inside:192.0.2.10/443 by access-group "outside_in" [0x0, 0x0]"#,
            // The tag in the APP position.
            r#"Nov 20 02:13:44 fw01 %ASA-4-106023: Deny tcp src outside:203.0.113.5/40000 dst inside:192.0.2.10/443 by access-group "outside_in" [0x0, 0x0]"#,
            r#"<164>1 2026-11-20T02:13:44Z fw01 - - - - %ASA-4-106023: Deny tcp src outside:203.0.113.5/40000 dst inside:192.0.2.10/443 by access-group "outside_in" [0x0, 0x0]"#,
        ] {
            let ev = line(l);
            assert_eq!(ev.host.as_deref(), Some("fw01"), "{l}");
            assert_eq!(ev.time.to_rfc3339(), "2026-11-20T02:13:44+00:00", "{l}");
            match ev.kind {
                EventKind::FirewallDeny(d) => {
                    assert_eq!(d.dport, Some(443), "{l}");
                    assert_eq!(d.rule.as_deref(), Some("outside_in"), "{l}");
                }
                other => panic!("{l}: {other:?}"),
            }
        }
        // The year is taken from the line, not the context.
        let ev = line("Dec 31 2025 23:59:59 fw01 : %ASA-4-401003: Shun deleted: 203.0.113.5");
        assert_eq!(ev.time.to_rfc3339(), "2025-12-31T23:59:59+00:00");
        // Other ASA messages frame but are not events.
        assert_eq!(
            parse_line(
                b"Nov 20 02:13:44 fw01 %ASA-6-302014: Teardown TCP connection 1 for outside:203.0.113.5/1 to inside:192.0.2.10/443 duration 0:00:00 bytes 0",
                &ctx()
            ),
            Ok(None)
        );
        // A malformed deny is an error.
        assert!(
            parse_line(
                b"Nov 20 02:13:44 fw01 %ASA-4-106023: Deny tcp src outside:fw/1 dst inside:192.0.2.10/443",
                &ctx()
            )
            .is_err()
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        for m in [
            "%ASA-4-106023:",
            "%ASA-4-106023: Deny ",
            "%ASA-4-106023: Deny  src  dst ",
            "%ASA-4-106023: Deny tcp src : dst :/ by access-group \"",
            "%ASA-4-106023: Deny tcp src outside:203.0.113.5/99999 dst x by access-group",
            "%ASA-6-106100: access-list a denied tcp / -> /( hit-cnt",
            "%ASA-6-106100: access-list a denied tcp x/203.0.113.5(1 -> y/192.0.2.1()",
            "%ASA-4-733100: [",
            "%ASA-4-733100:",
            "%ASA-4-733101: is attacking",
            "%ASA-4-401004: Shunned packet: 203.0.113.5 ==>",
            "%ASA-3-710003: TCP access denied by ACL from 203.0.113.5/é to outside:é/é",
            ": %ASA-2-106001: Inbound TCP connection denied from 203.0.113.5/1 to",
        ] {
            let _ = msg(m);
        }
        // A source address with a port out of range: the address still counts.
        let d = fw(
            "%ASA-2-106006: Deny inbound UDP from 203.0.113.5/99999 to 192.0.2.10/53 on interface outside",
        );
        assert_eq!((d.sport, d.dport), (None, Some(53)));
    }
}
