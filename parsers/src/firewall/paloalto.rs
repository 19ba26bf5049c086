//! Palo Alto Networks PAN-OS syslog in the default CSV format (`1,2026/11/20 02:13:44,SERIAL,TRAFFIC,
//! drop,…`), sent with a BSD or IETF syslog header and no tag.
//!
//! Field order per the PAN-OS syslog field descriptions (the same leading fields in 8.1, 9.1, 10.x
//! and 11.x: later versions only append), e.g.
//! <https://docs.paloaltonetworks.com/pan-os/10-2/pan-os-admin/monitoring/use-syslog-for-monitoring/syslog-field-descriptions/traffic-log-fields>
//! and `…/threat-log-fields`. Zero-based indices:
//!
//! ```text
//! 0 FUTURE_USE, 1 Receive Time, 2 Serial Number, 3 Type, 4 Subtype (Threat/Content Type),
//! 5 FUTURE_USE, 6 Generated Time, 7 Source Address, 8 Destination Address, 9 NAT Source IP,
//! 10 NAT Destination IP, 11 Rule Name, 12 Source User, 13 Destination User, 14 Application,
//! 15 Virtual System, 16 Source Zone, 17 Destination Zone, 18 Inbound Interface,
//! 19 Outbound Interface, 20 Log Action, 21 FUTURE_USE, 22 Session ID, 23 Repeat Count,
//! 24 Source Port, 25 Destination Port, 26 NAT Source Port, 27 NAT Destination Port, 28 Flags,
//! 29 Protocol (IP Protocol), 30 Action, then TRAFFIC: 31 Bytes …; THREAT: 31 URL/Filename,
//! 32 Threat ID (`Name(id)`), 33 Category, 34 Severity, 35 Direction, …
//! ```
//!
//! - `TRAFFIC`: action `reset-client` / `reset-server` / `reset-both` / `drop-icmp` →
//!   [`DenyAction::Reject`]; `deny` / `drop` / `drop-all` (or, whatever the action says, subtype `deny` /
//!   `drop`) → [`DenyAction::Drop`]; `allow` → `Ok(None)`.
//! - `THREAT` of subtype `scan`, `flood`, `vulnerability`, `spyware`, `virus`, `wildfire-virus`:
//!   action `alert` / `allow` / `syncookie-sent` (and anything unknown) → `IpsAlert` alerted; `drop`,
//!   `deny`, `block*`, `reset-*`, `random-drop`, `sinkhole` → blocked. The signature is the threat
//!   name, its id the number in parentheses. URL / file / data / WildFire verdict subtypes are
//!   `Ok(None)`: they do not close a port.
//! - Other log types (`SYSTEM`, `CONFIG`, …) → `Ok(None)`.
//!
//! A TRAFFIC deny or a THREAT line with fewer fields than its action (or threat name) needs, or whose
//! source is not an address, is `Err(ParseError::Field)`.

use super::{Classified, ip, port};
use crate::{DenyAction, EventKind, FirewallDeny, IpsAction, IpsAlert, ParseError, Proto};

/// Does a message start like PAN-OS CSV: digits, a comma, then a `YYYY/` receive time?
pub fn looks_like(msg: &str) -> bool {
    let Some((first, rest)) = msg.split_once(',') else {
        return false;
    };
    let b = rest.as_bytes();
    !first.is_empty()
        && first.bytes().all(|c| c.is_ascii_digit())
        && b.len() > 5
        && b.iter().take(4).all(u8::is_ascii_digit)
        && b.get(4) == Some(&b'/')
}

/// The receive time of a bare PAN-OS CSV line (field 1, `2026/11/20 02:13:44`, the firewall's
/// local time), for lines that arrive without a syslog header.
pub fn receive_time(msg: &str, ctx: &crate::TimeContext) -> Option<chrono::DateTime<chrono::Utc>> {
    let field = msg.split(',').nth(1)?.trim();
    let n = chrono::NaiveDateTime::parse_from_str(field, "%Y/%m/%d %H:%M:%S").ok()?;
    ctx.local_to_utc(n)
}

/// Split one CSV record; a field wrapped in double quotes may hold commas (the quotes are removed,
/// doubled quotes inside are left as they are).
fn split_csv(s: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(64);
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut in_quotes = false;
    for (k, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => {
                out.push(unquote(s.get(start..k).unwrap_or_default()));
                start = k + 1;
            }
            _ => {}
        }
    }
    out.push(unquote(s.get(start..).unwrap_or_default()));
    out
}

fn unquote(f: &str) -> &str {
    f.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(f)
}

/// Classify a PAN-OS CSV message.
pub fn classify(msg: &str) -> Classified {
    let f = split_csv(msg.trim());
    let field = |k: usize| f.get(k).copied().map(str::trim);
    match field(3) {
        Some("TRAFFIC") => traffic(&field),
        Some("THREAT") => threat(&field),
        Some(_) => Ok(None),
        None => Err(ParseError::Field("PAN-OS: too few fields")),
    }
}

fn traffic<'a>(field: &impl Fn(usize) -> Option<&'a str>) -> Classified {
    let subtype = field(4).unwrap_or_default();
    let action = field(30).ok_or(ParseError::Field("PAN-OS TRAFFIC: too few fields"))?;
    let verdict = match action {
        "reset-client" | "reset-server" | "reset-both" | "drop-icmp" | "drop ICMP" => {
            DenyAction::Reject
        }
        "deny" | "drop" | "drop-all" | "drop-all-packets" => DenyAction::Drop,
        _ if matches!(subtype, "deny" | "drop") => DenyAction::Drop,
        _ => return Ok(None),
    };
    let src = field(7)
        .and_then(ip)
        .ok_or(ParseError::Field("PAN-OS TRAFFIC: no valid source address"))?;
    Ok(Some(EventKind::FirewallDeny(FirewallDeny {
        action: verdict,
        src,
        dst: field(8).and_then(ip),
        proto: field(29).filter(|p| !p.is_empty()).map(Proto::from_text),
        sport: field(24).and_then(port),
        dport: field(25).and_then(port),
        rule: field(11).filter(|r| !r.is_empty()).map(str::to_owned),
    })))
}

fn threat<'a>(field: &impl Fn(usize) -> Option<&'a str>) -> Classified {
    let subtype = field(4).unwrap_or_default();
    if !matches!(
        subtype,
        "scan" | "flood" | "vulnerability" | "spyware" | "virus" | "wildfire-virus"
    ) {
        return Ok(None);
    }
    let (Some(action), Some(name)) = (field(30), field(32)) else {
        return Err(ParseError::Field("PAN-OS THREAT: too few fields"));
    };
    let blocked = action.starts_with("block")
        || action.starts_with("reset")
        || action.starts_with("drop")
        || matches!(action, "deny" | "random-drop" | "sinkhole");
    let src = field(7)
        .and_then(ip)
        .ok_or(ParseError::Field("PAN-OS THREAT: no valid source address"))?;
    // `TCP Port Scan(8001)` → name and id.
    let (signature, signature_id) = match name.strip_suffix(')').and_then(|n| n.rsplit_once('(')) {
        Some((n, id)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            (n.trim(), id.parse().ok())
        }
        _ => (name, None),
    };
    Ok(Some(EventKind::IpsAlert(IpsAlert {
        action: if blocked {
            IpsAction::Blocked
        } else {
            IpsAction::Alerted
        },
        src,
        dst: field(8).and_then(ip),
        proto: field(29).filter(|p| !p.is_empty()).map(Proto::from_text),
        dport: field(25).and_then(port),
        signature: if signature.is_empty() {
            format!("PAN-OS {subtype}")
        } else {
            signature.to_owned()
        },
        signature_id,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Event;
    use crate::syslog::parse_line;
    use crate::test_util::{a, ctx};

    /// A TRAFFIC record (PAN-OS 10 layout, trailing fields shortened) with the given subtype/action.
    fn traffic_line(subtype: &str, action: &str) -> String {
        format!(
            "1,2026/11/20 02:13:44,012801000001,TRAFFIC,{subtype},2561,2026/11/20 02:13:44,203.0.113.5,192.0.2.10,0.0.0.0,0.0.0.0,deny-scanners,,,incomplete,vsys1,untrust,trust,ethernet1/1,,default,2026/11/20 02:13:44,0,1,40000,443,0,0,0x0,tcp,{action},74,74,0,1,2026/11/20 02:13:43,0,any,,7001,0x0,US,10.0.0.0-10.255.255.255,,1,0,policy-deny,0,0,0,0,,PA-VM,from-policy,,,0,,0,,N/A,0,0,0,0"
        )
    }

    fn threat_line(subtype: &str, action: &str, name: &str) -> String {
        format!(
            "1,2026/11/20 02:13:44,012801000001,THREAT,{subtype},2561,2026/11/20 02:13:44,203.0.113.5,192.0.2.10,0.0.0.0,0.0.0.0,protect,,,not-applicable,vsys1,untrust,trust,ethernet1/1,,default,2026/11/20 02:13:44,0,1,40000,22,0,0,0x0,tcp,{action},\"\",{name},any,critical,client-to-server,7002,0x0,US,10.0.0.0-10.255.255.255,0,,0,,,0,,,,,,,,0"
        )
    }

    fn deny(m: &str) -> FirewallDeny {
        match classify(m) {
            Ok(Some(EventKind::FirewallDeny(d))) => d,
            other => panic!("{m}: {other:?}"),
        }
    }

    fn alert(m: &str) -> IpsAlert {
        match classify(m) {
            Ok(Some(EventKind::IpsAlert(i))) => i,
            other => panic!("{m}: {other:?}"),
        }
    }

    #[test]
    fn traffic_deny_drop_reset() {
        let d = deny(&traffic_line("deny", "deny"));
        assert_eq!(
            d,
            FirewallDeny {
                action: DenyAction::Drop,
                src: a("203.0.113.5"),
                dst: Some(a("192.0.2.10")),
                proto: Some(Proto::Tcp),
                sport: Some(40000),
                dport: Some(443),
                rule: Some("deny-scanners".into()),
            }
        );
        assert_eq!(deny(&traffic_line("drop", "drop")).action, DenyAction::Drop);
        for r in ["reset-client", "reset-server", "reset-both", "drop-icmp"] {
            assert_eq!(
                deny(&traffic_line("deny", r)).action,
                DenyAction::Reject,
                "{r}"
            );
        }
        // Reset of an allowed session that a threat profile ended: a reject too.
        assert_eq!(
            deny(&traffic_line("end", "reset-both")).action,
            DenyAction::Reject
        );
        // An action text we do not know on a deny subtype: still a drop.
        assert_eq!(deny(&traffic_line("deny", "xxxx")).action, DenyAction::Drop);
    }

    #[test]
    fn traffic_allow_and_other_types_are_none() {
        assert_eq!(classify(&traffic_line("end", "allow")), Ok(None));
        assert_eq!(classify(&traffic_line("start", "allow")), Ok(None));
        assert_eq!(
            classify(
                "1,2026/11/20 02:13:44,012801000001,SYSTEM,general,0,2026/11/20 02:13:44,,general,,0,0,general,informational,\"User admin logged in, from 192.0.2.1\",1,0x0,0,0,0,0,,PA-VM"
            ),
            Ok(None)
        );
    }

    #[test]
    fn threat_scan_blocked_and_alerted() {
        let i = alert(&threat_line("scan", "drop", "TCP Port Scan(8001)"));
        assert_eq!(
            i,
            IpsAlert {
                action: IpsAction::Blocked,
                src: a("203.0.113.5"),
                dst: Some(a("192.0.2.10")),
                proto: Some(Proto::Tcp),
                dport: Some(22),
                signature: "TCP Port Scan".into(),
                signature_id: Some(8001),
            }
        );
        for act in [
            "block-ip",
            "reset-both",
            "reset-client",
            "deny",
            "drop-all-packets",
        ] {
            assert_eq!(
                alert(&threat_line(
                    "vulnerability",
                    act,
                    "\"SSH Brute Force Attempt(40015)\""
                ))
                .action,
                IpsAction::Blocked,
                "{act}"
            );
        }
        for act in ["alert", "allow", "syncookie-sent"] {
            assert_eq!(
                alert(&threat_line("flood", act, "TCP Flood(8501)")).action,
                IpsAction::Alerted,
                "{act}"
            );
        }
        // A quoted name with a comma, no id.
        let i = alert(&threat_line("spyware", "alert", "\"Evil, Inc. beacon\""));
        assert_eq!(i.signature, "Evil, Inc. beacon");
        assert_eq!(i.signature_id, None);
        // URL filtering and file blocking are not IPS verdicts.
        assert_eq!(
            classify(&threat_line("url", "block-url", "(9999)")),
            Ok(None)
        );
        assert_eq!(
            classify(&threat_line("file", "deny", "PE(52020)")),
            Ok(None)
        );
    }

    #[test]
    fn malformed() {
        for m in [
            "1,2026/11/20 02:13:44,012801000001,TRAFFIC,deny,2561",
            "1,2026/11/20 02:13:44,012801000001,THREAT,scan,2561,2026/11/20 02:13:44,203.0.113.5",
            "1,2026/11/20",
        ] {
            assert!(matches!(classify(m), Err(ParseError::Field(_))), "{m}");
        }
        let bad_src = traffic_line("deny", "deny").replace("203.0.113.5", "00.00.000.00");
        assert!(matches!(classify(&bad_src), Err(ParseError::Field(_))));
        // An allowed session with a bad address is still nothing (addresses are not read).
        let ok = traffic_line("end", "allow").replace("203.0.113.5", "x");
        assert_eq!(classify(&ok), Ok(None));
    }

    #[test]
    fn detection() {
        assert!(looks_like("1,2026/11/20 02:13:44,0123,TRAFFIC"));
        assert!(!looks_like("1,2,3"));
        assert!(!looks_like("x,2026/11/20"));
        assert!(!looks_like(",2026/11/20 02"));
        assert!(!looks_like("1,2026-11-20"));
        assert_eq!(split_csv("a,\"b,c\",d"), vec!["a", "b,c", "d"]);
        assert_eq!(split_csv(""), vec![""]);
        assert_eq!(split_csv("\"unterminated,x"), vec!["\"unterminated,x"]);
    }

    fn line(l: &str) -> Event {
        parse_line(l.as_bytes(), &ctx()).unwrap().unwrap()
    }

    #[test]
    fn syslog_framings() {
        let body = traffic_line("deny", "reset-both");
        for l in [
            format!("Nov 20 02:13:44 PA-VM {body}"),
            format!("<14>Nov 20 02:13:44 PA-VM {body}"),
            format!("<14>1 2026-11-20T02:13:44+00:00 PA-VM - - - - {body}"),
        ] {
            let ev = line(&l);
            assert_eq!(ev.host.as_deref(), Some("PA-VM"), "{l}");
            match ev.kind {
                EventKind::FirewallDeny(d) => {
                    assert_eq!(d.action, DenyAction::Reject);
                    assert_eq!(d.dport, Some(443));
                }
                other => panic!("{other:?}"),
            }
        }
        let ev = line(&format!(
            "Nov 20 02:13:44 PA-VM {}",
            threat_line("scan", "block-ip", "TCP Port Scan(8001)")
        ));
        assert!(matches!(ev.kind, EventKind::IpsAlert(ref i) if i.action == IpsAction::Blocked));
    }
}
