//! FortiGate / FortiOS key=value logs, as the device sends them over syslog (often a bare
//! `<189>` and no header) or FortiAnalyzer exports them:
//!
//! ```text
//! <189>date=2020-04-23 time=01:16:08 devname="fw1" devid="FGT60E" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" eventtime=1592961368 srcip=192.0.2.10 srcport=60899 srcintf="port1" dstip=198.51.100.13 dstport=161 dstintf="wan1" sessionid=155313 proto=17 action="deny" policyid=0 policytype="policy" service="SNMP"
//! date=2026-11-20 time=02:13:44 … type="utm" subtype="ips" eventtype="signature" … srcip=203.0.113.5 dstip=192.0.2.10 srcport=40000 dstport=22 proto=6 action="dropped" attack="SSH.Brute.Force" attackid=12345
//! ```
//!
//! Events:
//! - `type="traffic"` with `action="deny"` or `"blocked"`: [`FirewallDeny`] drop (FortiGate drops
//!   denied sessions silently unless `send-deny-packet` is set); the rule is `policy N` (and its name);
//! - `type="traffic"` `action="server-rst"`: the server answered with a reset — a sensor's view of a
//!   refused attempt ([`Flow`] refused), not a firewall block;
//! - `type="utm"` `subtype="ips"` or `"anomaly"` (DoS policy: `tcp_port_scan`, `tcp_syn_flood`):
//!   [`IpsAlert`], blocked for `dropped`, `blocked`, `reset`, `clear_session`, alerted for
//!   `detected`, `pass`, `monitored`.
//!
//! Time: `eventtime` when present (epoch; FortiOS writes it in nanoseconds since 6.2, seconds on
//! older builds and in some exports — the digit count tells), else `date`/`time` with `tz="-0500"`,
//! else `date`/`time` in the source's zone.

use std::net::IpAddr;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

use crate::{
    DenyAction, EventKind, FirewallDeny, Flow, FlowState, IpsAction, IpsAlert, ParseError, Proto,
    TimeContext,
};

/// `key=value` / `key="value with spaces"` pairs, in order.
pub fn pairs(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim();
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (&q[..end], &q[end + 1..]),
                None => (q, ""),
            }
        } else {
            match after.find(' ') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        if !key.is_empty() && !key.contains(' ') {
            out.push((key, value));
        }
        rest = next.trim_start();
    }
    out
}

/// Is this message a FortiOS log line?
pub fn looks_like(text: &str) -> bool {
    let t = text.trim_start();
    (t.starts_with("date=") || t.starts_with("logver=") || t.starts_with("devname="))
        && t.contains("logid=")
        && t.contains("type=")
}

use crate::siem::value as get;

/// The line's own time (see the module docs).
pub fn own_time(text: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    time_of(&pairs(text), ctx)
}

fn time_of(p: &[(&str, &str)], ctx: &TimeContext) -> Option<DateTime<Utc>> {
    if let Some(e) = get(p, "eventtime").filter(|e| e.bytes().all(|b| b.is_ascii_digit())) {
        let n: i64 = e.parse().ok()?;
        return match e.len() {
            0..=10 => DateTime::from_timestamp(n, 0),
            11..=13 => DateTime::from_timestamp_millis(n),
            14..=16 => DateTime::from_timestamp_micros(n),
            _ => Some(DateTime::from_timestamp_nanos(n)),
        };
    }
    let naive = NaiveDateTime::parse_from_str(
        &format!("{} {}", get(p, "date")?, get(p, "time")?),
        "%Y-%m-%d %H:%M:%S",
    )
    .ok()?;
    match get(p, "tz").and_then(offset) {
        Some(o) => o
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc)),
        None => ctx.local_to_utc(naive),
    }
}

/// `-0500`, `+0100`, `+05:30`.
fn offset(tz: &str) -> Option<FixedOffset> {
    let (sign, rest) = match tz.as_bytes().first()? {
        b'+' => (1, &tz[1..]),
        b'-' => (-1, &tz[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Classify a FortiOS log message.
pub fn classify(text: &str) -> Result<Option<EventKind>, ParseError> {
    let p = pairs(text);
    let kind = get(&p, "type").unwrap_or_default();
    let subtype = get(&p, "subtype").unwrap_or_default();
    let action = get(&p, "action").unwrap_or_default();
    let relevant = match kind {
        "traffic" => matches!(action, "deny" | "blocked" | "server-rst"),
        "utm" => matches!(subtype, "ips" | "anomaly"),
        _ => false,
    };
    if !relevant {
        return Ok(None);
    }
    let ip = |k: &'static str| -> Result<Option<IpAddr>, ParseError> {
        get(&p, k)
            .map(|a| a.parse().map_err(|_| ParseError::Field(k)))
            .transpose()
    };
    let port = |k: &'static str| -> Result<Option<u16>, ParseError> {
        get(&p, k)
            .map(|a| a.parse().map_err(|_| ParseError::Field(k)))
            .transpose()
    };
    let src = ip("srcip")?.ok_or(ParseError::Field("srcip"))?;
    let dst = ip("dstip")?;
    let dport = port("dstport")?;
    let proto = get(&p, "proto").map(Proto::from_text);
    Ok(Some(match (kind, action) {
        ("traffic", "server-rst") => {
            let Some(dst) = dst else {
                return Ok(None);
            };
            EventKind::Flow(Flow {
                src,
                dst,
                proto,
                dport,
                state: FlowState::Refused,
            })
        }
        ("traffic", _) => EventKind::FirewallDeny(FirewallDeny {
            action: DenyAction::Drop,
            src,
            dst,
            proto,
            sport: port("srcport")?,
            dport,
            rule: get(&p, "policyid").map(|id| match get(&p, "policyname") {
                Some(name) => format!("policy {id} ({name})"),
                None => format!("policy {id}"),
            }),
        }),
        _ => EventKind::IpsAlert(IpsAlert {
            action: IpsAction::blocked_if(matches!(
                action,
                "dropped" | "blocked" | "reset" | "clear_session" | "drop" | "block"
            )),
            src,
            dst,
            proto,
            dport,
            signature: get(&p, "attack")
                .map(|a| format!("{subtype}: {a}"))
                .unwrap_or_else(|| subtype.to_string()),
            signature_id: get(&p, "attackid").and_then(|i| i.parse().ok()),
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    // Shaped after Elastic's FortiGate integration test lines (addresses replaced).
    const DENY: &str = r#"date=2020-04-23 time=01:16:08 devname="testswitch1" devid="somerouterid" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="OPERATIONAL" eventtime=1592961368 srcip=192.0.2.10 srcport=60899 srcintf="srcintfname" srcintfrole="lan" dstip=198.51.100.13 dstport=161 dstintf="dstintfname" dstintfrole="lan" sessionid=155313 proto=17 action="deny" policyid=0 policytype="policy" service="SNMP" dstcountry="Reserved" srccountry="Reserved" trandisp="noop" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 appcat="unscanned" crscore=30 craction=131072 crlevel="high""#;

    #[test]
    fn traffic_deny_is_a_drop_of_its_policy() {
        let p = pairs(DENY);
        assert_eq!(get(&p, "devname"), Some("testswitch1"));
        assert_eq!(get(&p, "dstintf"), Some("dstintfname"));
        match classify(DENY) {
            Ok(Some(EventKind::FirewallDeny(d))) => {
                assert_eq!(d.action, DenyAction::Drop);
                assert_eq!(d.src, a("192.0.2.10"));
                assert_eq!((d.dst, d.dport), (Some(a("198.51.100.13")), Some(161)));
                assert_eq!(d.proto, Some(Proto::Udp));
                assert_eq!(d.rule.as_deref(), Some("policy 0"));
            }
            other => panic!("{other:?}"),
        }
        // eventtime in seconds here.
        assert_eq!(
            own_time(DENY, &ctx()).map(|t| t.timestamp()),
            Some(1592961368)
        );
    }

    #[test]
    fn times_nanoseconds_tz_and_local() {
        let ns = DENY.replace(
            "eventtime=1592961368",
            "eventtime=1795140824100000000 tz=\"-0500\"",
        );
        assert_eq!(
            own_time(&ns, &ctx()).map(|t| t.timestamp()),
            Some(1795140824)
        );
        let tz = DENY.replace("eventtime=1592961368", "tz=\"-0500\"");
        assert_eq!(
            own_time(&tz, &ctx()).map(|t| t.to_rfc3339()),
            Some("2020-04-23T06:16:08+00:00".into())
        );
        let local = DENY.replace("eventtime=1592961368 ", "");
        assert_eq!(
            own_time(&local, &ctx()).map(|t| t.to_rfc3339()),
            Some("2020-04-23T01:16:08+00:00".into())
        );
    }

    #[test]
    fn ips_and_anomaly_and_server_resets() {
        let ips = r#"date=2026-11-20 time=02:13:44 devname="fw1" logid="0419016384" type="utm" subtype="ips" eventtype="signature" level="alert" srcip=203.0.113.5 dstip=192.0.2.10 srcport=40000 dstport=22 proto=6 action="dropped" attack="SSH.Connection.Brute.Force" attackid=19322"#;
        match classify(ips) {
            Ok(Some(EventKind::IpsAlert(x))) => {
                assert_eq!(x.action, IpsAction::Blocked);
                assert_eq!(x.signature, "ips: SSH.Connection.Brute.Force");
                assert_eq!(x.signature_id, Some(19322));
            }
            other => panic!("{other:?}"),
        }
        let anomaly = ips
            .replace("subtype=\"ips\"", "subtype=\"anomaly\"")
            .replace("action=\"dropped\"", "action=\"detected\"");
        assert!(matches!(
            classify(&anomaly),
            Ok(Some(EventKind::IpsAlert(IpsAlert {
                action: IpsAction::Alerted,
                ..
            })))
        ));
        let rst = DENY.replace("action=\"deny\"", "action=\"server-rst\"");
        assert!(matches!(
            classify(&rst),
            Ok(Some(EventKind::Flow(Flow {
                state: FlowState::Refused,
                ..
            })))
        ));
        let accept = DENY.replace("action=\"deny\"", "action=\"accept\"");
        assert_eq!(classify(&accept), Ok(None));
        let bad = DENY.replace("srcip=192.0.2.10", "srcip=N/A");
        assert!(classify(&bad).is_err());
        assert!(looks_like(DENY));
        assert!(!looks_like("date=today hello"));
    }
}
