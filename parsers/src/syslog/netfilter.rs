//! Netfilter `LOG` target lines: iptables / ip6tables / nftables `log` rules printed by the kernel
//! (`kernel: [uptime] PREFIX IN=eth0 OUT= MAC=… SRC=… DST=… … PROTO=TCP SPT=… DPT=…`), including
//! UFW, firewalld, SuSEfirewall2 and custom prefixes, and the same text written by ulogd2's LOGEMU
//! output (no tag). Turns a deny into `FirewallDeny`, a UFW `LIMIT` into `RateLimit`; accepted and
//! audited packets are `Ok(None)`.
//!
//! Follows the real samples in crowdsecurity/hub `.tests/iptables-logs/iptables-logs.log` (no
//! prefix, `IPTABLES-DROP:`, the deliberately broken `XX=` variant) and logstash-patterns-core
//! `spec/patterns/firewalls_spec.rb` (SuSE `SFW2-INext-DROP-DEFLT` / `SFW2-INext-ACC-TCP`, fully
//! expanded IPv6 `SRC=fe80:0000:…`):
//! <https://github.com/crowdsecurity/hub/blob/master/.tests/iptables-logs/iptables-logs.log>,
//! <https://github.com/logstash-plugins/logstash-patterns-core/blob/main/spec/patterns/firewalls_spec.rb>.
//!
//! Verdict from the log prefix, split into alphanumeric word pieces and compared case-insensitively:
//! a piece `ACC` or starting with `ACCEPT` / `ALLOW` / `AUDIT` → not a deny (`Ok(None)`); else a
//! piece containing `REJECT` → [`DenyAction::Reject`]; else a piece containing `LIMIT` →
//! `RateLimit`; else (`DROP`, `BLOCK`, `DENY`, anything custom, **or no prefix at all**) →
//! [`DenyAction::Drop`]. A line with no prefix counts as a drop because the usual setup is a bare
//! `-j LOG` rule placed right before the final `DROP` (the crowdsec hub sample is such a line).
//!
//! Recognition: the kernel always prints `IN=<if> OUT=<if>` first. A line counts as netfilter when
//! it has an `IN=` followed by an `OUT=` token, or an `IN=` at the start of a word. The prefix is
//! whatever precedes that `IN=` (a prefix without its trailing space, `DROPIN=eth0`, still works).
//! A line without `IN=` (the hub's mangled `XX=enp1s0 OUT=` line) is not netfilter. A netfilter line
//! whose `SRC=` is missing or not an address is `Err(ParseError::Field)`: it is malformed.
//! Only the outer header's fields are read: the quoted packet of an ICMP error (`[SRC=… DST=… ]`)
//! is skipped.

use std::net::IpAddr;

use crate::{DenyAction, EventKind, FirewallDeny, ParseError, Proto, RateLimit};

/// Classify a netfilter message (kernel uptime already stripped). `tag_prefix` is the syslog tag when
/// the header mistook a `PREFIX:` for one (ulogd). `Ok(None)` when the message is not netfilter, or is
/// an accept / audit line.
pub fn classify(tag_prefix: Option<&str>, msg: &str) -> Result<Option<EventKind>, ParseError> {
    let Some(in_at) = find_in_field(msg) else {
        return Ok(None);
    };
    let prefix = match tag_prefix {
        Some(t) if in_at == 0 => t,
        _ => msg.get(..in_at).unwrap_or_default(),
    };
    let rule = trim_prefix(prefix);
    let verdict = verdict(rule);
    if verdict == Verdict::Accept {
        return Ok(None);
    }
    let f = Fields::parse(msg.get(in_at..).unwrap_or_default());
    let src = f
        .src
        .and_then(|s| s.parse::<IpAddr>().ok())
        .ok_or(ParseError::Field("netfilter line without a valid SRC="))?;
    let dst = f.dst.and_then(|s| s.parse::<IpAddr>().ok());
    let dport = f.dpt.and_then(|s| s.parse::<u16>().ok());
    let rule = (!rule.is_empty()).then(|| rule.to_string());
    Ok(Some(match verdict {
        Verdict::Limit => EventKind::RateLimit(RateLimit {
            src: Some(src),
            dst,
            dport,
            what: rule.unwrap_or_default(),
            service: None,
        }),
        Verdict::Reject | Verdict::Drop => EventKind::FirewallDeny(FirewallDeny {
            action: if verdict == Verdict::Reject {
                DenyAction::Reject
            } else {
                DenyAction::Drop
            },
            src,
            dst,
            proto: f.proto.filter(|p| !p.is_empty()).map(Proto::from_text),
            sport: f.spt.and_then(|s| s.parse().ok()),
            dport,
            rule,
        }),
        Verdict::Accept => return Ok(None),
    }))
}

/// Byte offset of the `IN=` that starts the netfilter fields.
fn find_in_field(msg: &str) -> Option<usize> {
    let b = msg.as_bytes();
    let mut fallback = None;
    let mut from = 0;
    while let Some(rel) = msg.get(from..).and_then(|s| s.find("IN=")) {
        let at = from + rel;
        let word_start = at == 0 || b.get(at - 1).is_some_and(|c| *c == b' ');
        // The interface name runs to the next space; the next token must be `OUT=`.
        let after = msg.get(at + 3..).unwrap_or_default();
        let next = after
            .find(' ')
            .and_then(|sp| after.get(sp..))
            .map(str::trim_start);
        if next.is_some_and(|n| n.starts_with("OUT=")) {
            return Some(at);
        }
        if word_start && fallback.is_none() {
            fallback = Some(at);
        }
        from = at + 3;
    }
    fallback
}

/// `[UFW BLOCK]` → `UFW BLOCK`, `IPTABLES-DROP: ` → `IPTABLES-DROP`, `"filter_IN_public_REJECT: "` →
/// `filter_IN_public_REJECT`.
fn trim_prefix(p: &str) -> &str {
    p.trim_matches(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | ':' | '"' | '\''))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    Reject,
    Limit,
    Drop,
}

fn verdict(prefix: &str) -> Verdict {
    let pieces = || {
        prefix
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
    };
    let starts_ci = |p: &str, w: &str| {
        p.as_bytes()
            .get(..w.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(w.as_bytes()))
    };
    if pieces().any(|p| {
        p.eq_ignore_ascii_case("ACC")
            || starts_ci(p, "ACCEPT")
            || starts_ci(p, "ALLOW")
            || starts_ci(p, "AUDIT")
    }) {
        Verdict::Accept
    } else if pieces().any(|p| super::contains_ci(p, "reject")) {
        Verdict::Reject
    } else if pieces().any(|p| super::contains_ci(p, "limit")) {
        Verdict::Limit
    } else {
        Verdict::Drop
    }
}

/// The fields portmortem reads, first occurrence wins.
#[derive(Debug, Default)]
struct Fields<'a> {
    src: Option<&'a str>,
    dst: Option<&'a str>,
    proto: Option<&'a str>,
    spt: Option<&'a str>,
    dpt: Option<&'a str>,
}

impl<'a> Fields<'a> {
    fn parse(s: &'a str) -> Self {
        let mut f = Fields::default();
        for tok in s.split(' ').filter(|t| !t.is_empty()) {
            // `[SRC=… DST=… ]`: the packet quoted inside an ICMP error, or `OPT (…)`: stop.
            if tok.starts_with('[') || tok.starts_with('(') {
                break;
            }
            let Some((k, v)) = tok.split_once('=') else {
                continue;
            };
            let slot = match k {
                "SRC" => &mut f.src,
                "DST" => &mut f.dst,
                "PROTO" => &mut f.proto,
                "SPT" => &mut f.spt,
                "DPT" => &mut f.dpt,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(v);
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deny(msg: &str) -> FirewallDeny {
        match classify(None, msg) {
            Ok(Some(EventKind::FirewallDeny(d))) => d,
            other => panic!("{msg}: {other:?}"),
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const FIELDS: &str = "IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=4711 DF PROTO=TCP SPT=51515 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0";

    #[test]
    fn ufw_block_full_fields() {
        let d = deny(&format!("[UFW BLOCK] {FIELDS}"));
        assert_eq!(
            d,
            FirewallDeny {
                action: DenyAction::Drop,
                src: ip("203.0.113.5"),
                dst: Some(ip("192.0.2.10")),
                proto: Some(Proto::Tcp),
                sport: Some(51515),
                dport: Some(22),
                rule: Some("UFW BLOCK".into()),
            }
        );
    }

    #[test]
    fn prefixes_and_verdicts() {
        let drop = |p: &str| {
            let d = deny(&format!("{p}{FIELDS}"));
            assert_eq!(d.action, DenyAction::Drop, "{p}");
            d.rule
        };
        let reject = |p: &str| {
            let d = deny(&format!("{p}{FIELDS}"));
            assert_eq!(d.action, DenyAction::Reject, "{p}");
            d.rule
        };
        assert_eq!(drop("IPTABLES-DROP: ").as_deref(), Some("IPTABLES-DROP"));
        assert_eq!(drop("DROP ").as_deref(), Some("DROP"));
        assert_eq!(
            drop("SFW2-INext-DROP-DEFLT ").as_deref(),
            Some("SFW2-INext-DROP-DEFLT")
        );
        assert_eq!(
            drop("SuSE-FW-DROP-DEFAULT ").as_deref(),
            Some("SuSE-FW-DROP-DEFAULT")
        );
        assert_eq!(
            drop("portmortem-deny: ").as_deref(),
            Some("portmortem-deny")
        );
        assert_eq!(drop(""), None);
        assert_eq!(reject("REJECT ").as_deref(), Some("REJECT"));
        assert_eq!(
            reject("filter_IN_public_REJECT: ").as_deref(),
            Some("filter_IN_public_REJECT")
        );
        assert_eq!(reject("FINAL_REJECT: ").as_deref(), Some("FINAL_REJECT"));
        assert_eq!(reject("PVEFW-reject: ").as_deref(), Some("PVEFW-reject"));
        // Prefix without its trailing space glued to IN=.
        assert_eq!(drop("IPTABLES-DROP").as_deref(), Some("IPTABLES-DROP"));
        for accept in [
            "[UFW AUDIT] ",
            "[UFW ALLOW] ",
            "SFW2-INext-ACC-TCP ",
            "SFW2-IN-ACC-RELATED ",
            "ACCEPT: ",
            "fw-accepted ",
        ] {
            assert_eq!(
                classify(None, &format!("{accept}{FIELDS}")),
                Ok(None),
                "{accept}"
            );
        }
    }

    #[test]
    fn ufw_limit_is_rate_limit() {
        let r = classify(None, &format!("[UFW LIMIT BLOCK] {FIELDS}"));
        assert_eq!(
            r,
            Ok(Some(EventKind::RateLimit(RateLimit {
                src: Some(ip("203.0.113.5")),
                dst: Some(ip("192.0.2.10")),
                dport: Some(22),
                what: "UFW LIMIT BLOCK".into(),
                service: None,
            })))
        );
    }

    #[test]
    fn ipv6_fully_expanded() {
        let d = deny(
            "[UFW BLOCK] IN=eth0 OUT= MAC= SRC=2001:0db8:0000:0000:0000:0000:0000:0001 DST=2001:0db8:0000:0000:0000:0000:0000:00fb LEN=527 TC=0 HOPLIMIT=255 FLOWLBL=804001 PROTO=UDP SPT=5353 DPT=5353 LEN=487",
        );
        assert_eq!(d.src, ip("2001:db8::1"));
        assert_eq!(d.dst, Some(ip("2001:db8::fb")));
        assert_eq!(d.proto, Some(Proto::Udp));
        assert_eq!((d.sport, d.dport), (Some(5353), Some(5353)));
    }

    #[test]
    fn icmp_error_inner_packet_is_ignored() {
        let d = deny(
            "DROP IN=eth0 OUT= SRC=198.51.100.1 DST=192.0.2.10 LEN=88 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.10 DST=198.51.100.1 LEN=60 PROTO=UDP SPT=53 DPT=33434 LEN=40 ]",
        );
        assert_eq!(d.src, ip("198.51.100.1"));
        assert_eq!(d.proto, Some(Proto::Icmp));
        assert_eq!((d.sport, d.dport), (None, None));
    }

    #[test]
    fn bridge_physin_and_out_first_lines() {
        let d = deny(
            "DROP IN=br0 OUT=br0 PHYSIN=veth1 PHYSOUT=veth2 SRC=192.0.2.3 DST=192.0.2.4 PROTO=UDP SPT=1 DPT=2",
        );
        assert_eq!(d.rule.as_deref(), Some("DROP"));
        assert_eq!(d.dport, Some(2));
    }

    #[test]
    fn malformed_and_not_netfilter() {
        assert!(matches!(
            classify(None, "[UFW BLOCK] IN=eth0 OUT= DST=192.0.2.1 PROTO=TCP"),
            Err(ParseError::Field(_))
        ));
        assert!(matches!(
            classify(None, "DROP IN=eth0 OUT= SRC=192.0.2 DST=192.0.2.1"),
            Err(ParseError::Field(_))
        ));
        assert!(matches!(
            classify(None, "IN=eth0"),
            Err(ParseError::Field(_))
        ));
        // No IN= at all: the mangled variant of the crowdsec sample.
        assert_eq!(
            classify(None, "XX=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=TCP"),
            Ok(None)
        );
        assert_eq!(classify(None, "loop6: detected capacity change"), Ok(None));
        assert_eq!(classify(None, ""), Ok(None));
        assert_eq!(
            classify(None, "IN="),
            Err(ParseError::Field("netfilter line without a valid SRC="))
        );
    }

    #[test]
    fn ulogd_tag_prefix() {
        let r = classify(
            Some("filter_IN_public_REJECT"),
            "IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=TCP SPT=1000 DPT=80",
        );
        match r {
            Ok(Some(EventKind::FirewallDeny(d))) => {
                assert_eq!(d.action, DenyAction::Reject);
                assert_eq!(d.rule.as_deref(), Some("filter_IN_public_REJECT"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "IN=",
            "xIN=",
            "IN= OUT=",
            "IN=é OUT=é SRC=é",
            "[",
            "]IN=ü",
            "IN=\u{0} OUT",
        ] {
            let _ = classify(None, s);
        }
    }
}
