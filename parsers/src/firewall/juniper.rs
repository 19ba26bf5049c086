//! Juniper SRX (Junos) security flow and screen logs.
//!
//! - `RT_FLOW_SESSION_DENY`, plain form (tag `RT_FLOW`): `RT_FLOW_SESSION_DENY: session denied
//!   SRC/SPORT->DST/DPORT SERVICE PROTO(ICMP-TYPE) POLICY SRC-ZONE DST-ZONE [APP NESTED-APP
//!   USER(ROLES) IFACE ENCRYPTED REASON…]` — per the Junos system log reference
//!   (<https://www.juniper.net/documentation/us/en/software/junos/syslog-monitoring/topics/topic-map/rt-flow-system-log-messages.html>)
//!   and logstash-patterns-core `patterns/ecs-v1/junos` (RT_FLOW3).
//! - `RT_FLOW_SESSION_DENY`, `structured-data` form: `RT_FLOW - RT_FLOW_SESSION_DENY
//!   [junos@2636.1.1.1.2.39 source-address="…" source-port="…" destination-address="…"
//!   destination-port="…" protocol-id="6" policy-name="…" … reason="policy deny"]`. As real RFC 5424
//!   the event name is the MSGID and the fields are the SD, both skipped by the syslog header, so
//!   `syslog::parse_line` hands this classifier the whole line when the tag is a Junos one and the
//!   message lost its `[junos@` element; relayed with a BSD header (`junos-flow: 2017-…Z host RT_FLOW
//!   - RT_FLOW_SESSION_DENY [junos@…]`, as in Wazuh's samples) the message keeps it.
//!   With `structured-data` but without `brief`, the text after the SD is the plain form without
//!   its `RT_FLOW_SESSION_DENY:` (`session denied …`), which is read as well.
//! - `RT_SCREEN_*` (tag `RT_IDS`): screen (IDS) hits such as `TCP port scan!`, structured-data form
//!   `[junos@… attack-name="TCP port scan!" source-address="…" destination-address="…" … action="drop"]`
//!   and plain form `RT_SCREEN_TCP: TCP port scan! source: A:p, destination: B:p, zone name: z,
//!   interface name: i, action: drop` → `IpsAlert`, blocked when the action is `drop`.
//!
//! A deny is [`DenyAction::Reject`] when its reason (the SD `reason`, or the end of the plain text)
//! says `reject`, else [`DenyAction::Drop`]. The rule is the policy name (`default-deny(global)` in the
//! plain form). `RT_FLOW_SESSION_CREATE` / `_CLOSE` and other messages are `Ok(None)`. A deny or
//! screen line without a parseable source address is `Err(ParseError::Field)`.

use std::net::IpAddr;

use super::{Classified, ip, port};
use crate::{DenyAction, EventKind, FirewallDeny, IpsAction, IpsAlert, ParseError, Proto};

/// Tags Junos flow / IDS lines come with: `RT_FLOW`, `RT_IDS`, or a relay's `junos-*` name.
pub fn is_junos_tag(app: &str) -> bool {
    matches!(app, "RT_FLOW" | "RT_IDS") || app.starts_with("junos")
}

/// Classify a Junos message (or, for RFC 5424 structured-data lines, the whole line).
pub fn classify(msg: &str) -> Classified {
    if let Some(at) = msg.find("RT_FLOW_SESSION_DENY") {
        let rest = msg.get(at..).unwrap_or_default();
        if let Some(sd) = junos_sd(rest) {
            return deny_from_sd(&sd);
        }
        return match rest.find("session denied ") {
            Some(k) => plain_deny(rest.get(k..).unwrap_or_default()),
            None => Err(ParseError::Field("Junos deny without fields")),
        };
    }
    let trimmed = msg.trim_start();
    if trimmed.starts_with("session denied ") {
        return plain_deny(trimmed);
    }
    if let Some(at) = msg.find("RT_SCREEN_") {
        let rest = msg.get(at..).unwrap_or_default();
        return match junos_sd(rest) {
            Some(sd) => screen_from_sd(&sd),
            None => plain_screen(rest),
        };
    }
    Ok(None)
}

/// The `key="value"` pairs of the first `[junos@…]` SD element of `s`, unescaped (`\"`, `\\`, `\]`).
fn junos_sd(s: &str) -> Option<Vec<(&str, String)>> {
    let start = s.find("[junos@")?;
    let body = s.get(start + 1..)?;
    // Skip the SD-ID (an element may have no parameters at all).
    let mut rest = body.get(body.find([' ', ']'])?..)?;
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with(']') {
            break;
        }
        let eq = rest.find("=\"")?;
        let key = rest.get(..eq)?.trim();
        let mut val = String::new();
        let mut chars = rest.get(eq + 2..)?.char_indices();
        let mut end = None;
        while let Some((k, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        if !matches!(n, '"' | '\\' | ']') {
                            val.push('\\');
                        }
                        val.push(n);
                    }
                }
                '"' => {
                    end = Some(k);
                    break;
                }
                _ => val.push(c),
            }
        }
        let end = end?;
        out.push((key, val));
        rest = rest.get(eq + 2 + end + 1..)?;
    }
    Some(out)
}

fn get<'a>(sd: &'a [(&str, String)], key: &str) -> Option<&'a str> {
    sd.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
}

fn deny_from_sd(sd: &[(&str, String)]) -> Classified {
    let src = get(sd, "source-address")
        .and_then(ip)
        .ok_or(ParseError::Field(
            "Junos deny without a valid source-address",
        ))?;
    let reject = get(sd, "reason").is_some_and(|r| r.contains("reject"));
    Ok(Some(EventKind::FirewallDeny(FirewallDeny {
        action: if reject {
            DenyAction::Reject
        } else {
            DenyAction::Drop
        },
        src,
        dst: get(sd, "destination-address").and_then(ip),
        proto: get(sd, "protocol-id")
            .or_else(|| get(sd, "protocol-name"))
            .filter(|p| !p.is_empty())
            .map(Proto::from_text),
        sport: get(sd, "source-port").and_then(port),
        dport: get(sd, "destination-port").and_then(port),
        rule: get(sd, "policy-name")
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    })))
}

/// `ADDR/PORT` (IPv6 too: the port follows the last slash).
fn addr_slash_port(s: &str) -> (Option<IpAddr>, Option<u16>) {
    match s.rsplit_once('/') {
        Some((a, p)) => (ip(a), port(p)),
        None => (ip(s), None),
    }
}

/// `session denied SRC/SP->DST/DP SERVICE PROTO(ICMP) POLICY SZONE DZONE …`.
fn plain_deny(s: &str) -> Classified {
    let rest = s.strip_prefix("session denied ").unwrap_or(s);
    let mut words = rest.split_whitespace();
    let flow = words.next().unwrap_or_default();
    let (src, dst) = flow.split_once("->").unwrap_or((flow, ""));
    let (src, sport) = addr_slash_port(src);
    let (dst, dport) = addr_slash_port(dst);
    let src = src.ok_or(ParseError::Field(
        "Junos deny without a valid source address",
    ))?;
    let _service = words.next();
    let proto = words.next().and_then(|p| {
        let id = p.split('(').next().unwrap_or_default();
        (!id.is_empty()).then(|| Proto::from_text(id))
    });
    let rule = words.next().map(str::to_owned);
    let reject = rest
        .trim_end()
        .rsplit(' ')
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("reject"));
    Ok(Some(EventKind::FirewallDeny(FirewallDeny {
        action: if reject {
            DenyAction::Reject
        } else {
            DenyAction::Drop
        },
        src,
        dst,
        proto,
        sport,
        dport,
        rule,
    })))
}

fn screen_from_sd(sd: &[(&str, String)]) -> Classified {
    let src = get(sd, "source-address")
        .and_then(ip)
        .ok_or(ParseError::Field(
            "Junos screen without a valid source-address",
        ))?;
    let action = get(sd, "action").unwrap_or_default();
    Ok(Some(EventKind::IpsAlert(IpsAlert {
        action: screen_action(action),
        src,
        dst: get(sd, "destination-address").and_then(ip),
        proto: get(sd, "protocol-id")
            .filter(|p| !p.is_empty())
            .map(Proto::from_text),
        dport: get(sd, "destination-port").and_then(port),
        signature: get(sd, "attack-name").unwrap_or("Junos screen").to_owned(),
        signature_id: None,
    })))
}

fn screen_action(a: &str) -> IpsAction {
    if a.eq_ignore_ascii_case("drop") || a.eq_ignore_ascii_case("block") {
        IpsAction::Blocked
    } else {
        IpsAction::Alerted
    }
}

/// `RT_SCREEN_TCP: TCP port scan! source: A:p, destination: B:p, zone name: z, interface name: i,
/// action: drop`.
fn plain_screen(s: &str) -> Classified {
    let body = s.split_once(": ").map_or("", |(_, b)| b);
    let (name, fields) = body.split_once(" source: ").unwrap_or((body, ""));
    let value = |key: &str| {
        fields
            .split(", ")
            .find_map(|kv| kv.strip_prefix(key))
            .map(str::trim)
    };
    let first = fields.split(", ").next().unwrap_or_default().trim();
    let (src, _) = addr_colon_port(first);
    let src = src.ok_or(ParseError::Field("Junos screen without a valid source"))?;
    let (dst, dport) = value("destination: ").map_or((None, None), addr_colon_port);
    Ok(Some(EventKind::IpsAlert(IpsAlert {
        action: screen_action(value("action: ").unwrap_or_default()),
        src,
        dst,
        proto: None,
        dport,
        signature: name.trim().to_owned(),
        signature_id: None,
    })))
}

/// `A:PORT` for IPv4, a bare address otherwise (an IPv6 address's colons make a port ambiguous).
fn addr_colon_port(s: &str) -> (Option<IpAddr>, Option<u16>) {
    if let Some(a) = ip(s) {
        return (Some(a), None);
    }
    match s.rsplit_once(':') {
        Some((a, p)) => (ip(a), port(p)),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Event;
    use crate::syslog::parse_line;
    use crate::test_util::{a, ctx};

    fn deny(m: &str) -> FirewallDeny {
        match classify(m) {
            Ok(Some(EventKind::FirewallDeny(d))) => d,
            other => panic!("{m}: {other:?}"),
        }
    }

    const SD: &str = r#"RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.26 source-address="203.0.113.5" source-port="40000" destination-address="192.0.2.10" destination-port="443" connection-tag="0" service-name="junos-https" protocol-id="6" icmp-type="0" policy-name="deny-all" source-zone-name="untrust" destination-zone-name="trust" application="UNKNOWN" nested-application="UNKNOWN" username="N/A" roles="N/A" packet-incoming-interface="ge-0/0/0.0" encrypted="UNKNOWN" reason="policy deny"]"#;

    #[test]
    fn structured_deny() {
        let d = deny(SD);
        assert_eq!(
            d,
            FirewallDeny {
                action: DenyAction::Drop,
                src: a("203.0.113.5"),
                dst: Some(a("192.0.2.10")),
                proto: Some(Proto::Tcp),
                sport: Some(40000),
                dport: Some(443),
                rule: Some("deny-all".into()),
            }
        );
        let d = deny(&SD.replace("policy deny", "policy reject"));
        assert_eq!(d.action, DenyAction::Reject);
        // Escapes inside values.
        let d = deny(
            r#"RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.26 source-address="2001:db8::5" policy-name="a \"b\" \] c" protocol-id="17"]"#,
        );
        assert_eq!(d.src, a("2001:db8::5"));
        assert_eq!(d.rule.as_deref(), Some(r#"a "b" ] c"#));
        assert_eq!((d.proto, d.dport), (Some(Proto::Udp), None));
    }

    #[test]
    fn plain_deny_forms() {
        let d = deny(
            "RT_FLOW_SESSION_DENY: session denied 203.0.113.5/40000->192.0.2.10/443 junos-https 6(0) deny-all(global) untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny",
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
                rule: Some("deny-all(global)".into()),
            }
        );
        let d = deny(
            "RT_FLOW_SESSION_DENY: session denied 2001:db8::5/5353->2001:db8:1::10/161 junos-snmp 17(0) reject-udp untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy reject",
        );
        assert_eq!(d.action, DenyAction::Reject);
        assert_eq!(d.src, a("2001:db8::5"));
        assert_eq!((d.proto, d.dport), (Some(Proto::Udp), Some(161)));
        // Old releases: no trailing reason.
        let d = deny(
            "RT_FLOW_SESSION_DENY: session denied 203.0.113.5/8->192.0.2.10/0 icmp 1(8) deny-all untrust trust",
        );
        assert_eq!(d.proto, Some(Proto::Icmp));
        assert_eq!(d.action, DenyAction::Drop);
        // RFC 5424 without `brief`: the MSGID went to the header, the text stays.
        let d = deny(
            "session denied 203.0.113.5/40000->192.0.2.10/22 junos-ssh 6(0) deny-all untrust trust",
        );
        assert_eq!(d.dport, Some(22));
    }

    #[test]
    fn others_and_malformed() {
        assert_eq!(
            classify(
                "RT_FLOW_SESSION_CREATE: session created 203.0.113.5/1->192.0.2.10/22 junos-ssh 203.0.113.5/1->192.0.2.10/22 None None 6 allow untrust trust 5"
            ),
            Ok(None)
        );
        assert_eq!(
            classify("FLOW_MCAST_RPF_FAIL [junos@2636.1.1.1.2.39 x=\"y\"]"),
            Ok(None)
        );
        assert_eq!(classify(""), Ok(None));
        for m in [
            "RT_FLOW_SESSION_DENY: session denied nowhere->192.0.2.10/22 x 6(0) p a b",
            "RT_FLOW_SESSION_DENY: session denied ",
            "RT_FLOW_SESSION_DENY",
            r#"RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.26 source-port="1"]"#,
            r#"RT_SCREEN_IP [junos@2636.1.1.1.2.26 attack-name="IP spoofing!"]"#,
            "RT_SCREEN_TCP: TCP port scan! source: x, destination: 192.0.2.10:22",
        ] {
            assert!(matches!(classify(m), Err(ParseError::Field(_))), "{m}");
        }
        // Broken SD: no panic; read as the plain form, which is absent → error.
        for m in [
            r#"RT_FLOW_SESSION_DENY [junos@2636 source-address="203.0.113.5"#,
            r#"RT_FLOW_SESSION_DENY [junos@2636 source-address"#,
            "RT_FLOW_SESSION_DENY [junos@",
            "RT_FLOW_SESSION_DENY [junos@2636 a=\"\\",
        ] {
            assert!(classify(m).is_err(), "{m}");
        }
    }

    #[test]
    fn screens() {
        match classify(
            r#"RT_SCREEN_TCP [junos@2636.1.1.1.2.26 attack-name="TCP port scan!" source-address="203.0.113.5" source-port="40000" destination-address="192.0.2.10" destination-port="23" protocol-id="6" source-zone-name="untrust" interface-name="ge-0/0/0.0" action="drop"]"#,
        ) {
            Ok(Some(EventKind::IpsAlert(i))) => {
                assert_eq!(
                    i,
                    IpsAlert {
                        action: IpsAction::Blocked,
                        src: a("203.0.113.5"),
                        dst: Some(a("192.0.2.10")),
                        proto: Some(Proto::Tcp),
                        dport: Some(23),
                        signature: "TCP port scan!".into(),
                        signature_id: None,
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        match classify(
            "RT_SCREEN_TCP: TCP port scan! source: 203.0.113.5:40000, destination: 192.0.2.10:23, zone name: untrust, interface name: ge-0/0/0.0, action: drop",
        ) {
            Ok(Some(EventKind::IpsAlert(i))) => {
                assert_eq!(i.action, IpsAction::Blocked);
                assert_eq!(i.src, a("203.0.113.5"));
                assert_eq!((i.dst, i.dport), (Some(a("192.0.2.10")), Some(23)));
                assert_eq!(i.signature, "TCP port scan!");
            }
            other => panic!("{other:?}"),
        }
        match classify(
            "RT_SCREEN_ICMP: ICMP address sweep! source: 2001:db8::5, destination: 2001:db8::10, zone name: untrust, interface name: ge-0/0/0.0, action: alarm-without-drop",
        ) {
            Ok(Some(EventKind::IpsAlert(i))) => {
                assert_eq!(i.action, IpsAction::Alerted);
                assert_eq!(i.dst, Some(a("2001:db8::10")));
            }
            other => panic!("{other:?}"),
        }
    }

    fn line(l: &str) -> Event {
        parse_line(l.as_bytes(), &ctx()).unwrap().unwrap()
    }

    #[test]
    fn syslog_framings() {
        // Plain, BSD header.
        let ev = line(
            "Nov 20 02:13:44 srx1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 203.0.113.5/40000->192.0.2.10/443 junos-https 6(0) deny-all(global) untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny",
        );
        assert_eq!(ev.host.as_deref(), Some("srx1"));
        assert!(matches!(ev.kind, EventKind::FirewallDeny(ref d) if d.dport == Some(443)));
        // Real RFC 5424 structured-data (`brief`): only the raw line has the fields.
        let ev = line(&format!(
            "<14>1 2026-11-20T02:13:44.803Z srx1 RT_FLOW - {SD}"
        ));
        assert_eq!(ev.host.as_deref(), Some("srx1"));
        assert_eq!(ev.time.to_rfc3339(), "2026-11-20T02:13:44.803+00:00");
        match ev.kind {
            EventKind::FirewallDeny(d) => {
                assert_eq!(d.src, a("203.0.113.5"));
                assert_eq!(d.rule.as_deref(), Some("deny-all"));
            }
            other => panic!("{other:?}"),
        }
        // RFC 5424 without `brief`: SD then the text.
        let ev = line(&format!(
            "<14>1 2026-11-20T02:13:44Z srx1 RT_FLOW - {SD} session denied 203.0.113.5/40000->192.0.2.10/443 junos-https 6(0) deny-all untrust trust"
        ));
        assert!(matches!(ev.kind, EventKind::FirewallDeny(ref d) if d.dport == Some(443)));
        // Relayed structured-data with a BSD header (the relay's own tag).
        let ev = line(&format!(
            "Nov 20 02:13:45 192.0.2.1 junos-flow: 2026-11-20T02:13:44.803Z srx1 RT_FLOW - {SD}"
        ));
        assert_eq!(ev.host.as_deref(), Some("192.0.2.1"));
        assert!(matches!(ev.kind, EventKind::FirewallDeny(ref d) if d.sport == Some(40000)));
        // Session close: nothing.
        assert_eq!(
            parse_line(
                b"Nov 20 02:13:44 srx1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 203.0.113.5/1->192.0.2.10/22 junos-ssh",
                &ctx()
            ),
            Ok(None)
        );
    }
}
