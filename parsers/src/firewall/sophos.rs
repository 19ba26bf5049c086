//! Sophos Firewall (XG / SFOS) key=value syslog, "Default" format:
//!
//! ```text
//! device="SFW" date=2024-02-27 time=08:35:19 timezone="PST" device_name="XG135" device_id=C1B0A6JC7TCVBEA log_id=010101600001 log_type="Firewall" log_component="Firewall Rule" log_subtype="Denied" status="Deny" priority=Information fw_rule_id=8 fw_rule_name="Drop scanners" src_ip=203.0.113.5 dst_ip=192.0.2.10 protocol="TCP" src_port=40000 dst_port=443
//! ```
//!
//! (SFOS 19.5+ writes `timestamp="2024-02-27T08:35:19-0800"` instead of `date`/`time`/`timezone`.)
//! `log_type="Firewall"` with `log_subtype="Denied"` (or `status="Deny"`) is a [`FirewallDeny`]
//! drop of rule `fw_rule_id` (and its name); `log_type="IDP"` (IPS) is an [`IpsAlert`], blocked for
//! `log_subtype="Drop"`/`"Reset"`, alerted for `"Detect"`. Everything else (allowed traffic, web
//! filter, events) is no event. Key=value pairs as FortiOS writes them ([`super::fortigate::pairs`]).

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use crate::siem::value as get;
use crate::{
    DenyAction, EventKind, FirewallDeny, IpsAction, IpsAlert, ParseError, Proto, TimeContext,
};

/// Is this message a Sophos Firewall log line?
pub fn looks_like(text: &str) -> bool {
    let t = text.trim_start();
    (t.starts_with("device=\"SFW\"")
        || t.starts_with("device_name=")
        || t.starts_with("device=SFW"))
        && t.contains("log_type=")
        && t.contains("log_subtype=")
}

/// The line's own time: `timestamp`, or `date` + `time` in `timezone` (an abbreviation) or the
/// source's zone.
pub fn own_time(text: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let p = super::fortigate::pairs(text);
    if let Some(t) = get(&p, "timestamp") {
        return crate::time::parse_iso8601(t, ctx).or_else(|| {
            DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z")
                .ok()
                .map(|t| t.with_timezone(&Utc))
        });
    }
    let naive = NaiveDateTime::parse_from_str(
        &format!("{} {}", get(&p, "date")?, get(&p, "time")?),
        "%Y-%m-%d %H:%M:%S",
    )
    .ok()?;
    match get(&p, "timezone").and_then(crate::time::zone_abbreviation) {
        Some(o) => o
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc)),
        None => ctx.local_to_utc(naive),
    }
}

/// Classify a Sophos Firewall message.
pub fn classify(text: &str) -> Result<Option<EventKind>, ParseError> {
    let p = super::fortigate::pairs(text);
    let kind = get(&p, "log_type").unwrap_or_default();
    let sub = get(&p, "log_subtype").unwrap_or_default();
    let denied = kind == "Firewall" && (sub == "Denied" || get(&p, "status") == Some("Deny"));
    let ips = kind == "IDP";
    if !denied && !ips {
        return Ok(None);
    }
    let src = get(&p, "src_ip")
        .and_then(|a| a.parse().ok())
        .ok_or(ParseError::Field("src_ip"))?;
    let dst = get(&p, "dst_ip").and_then(|a| a.parse().ok());
    let dport = get(&p, "dst_port").and_then(|a| a.parse().ok());
    let proto = get(&p, "protocol").map(Proto::from_text);
    Ok(Some(if ips {
        EventKind::IpsAlert(IpsAlert {
            action: IpsAction::blocked_if(matches!(sub, "Drop" | "Reset" | "Block")),
            src,
            dst,
            proto,
            dport,
            signature: get(&p, "signature_msg").unwrap_or("IPS").to_string(),
            signature_id: get(&p, "signature_id").and_then(|s| s.parse().ok()),
        })
    } else {
        EventKind::FirewallDeny(FirewallDeny {
            action: DenyAction::Drop,
            src,
            dst,
            proto,
            sport: get(&p, "src_port").and_then(|a| a.parse().ok()),
            dport,
            rule: get(&p, "fw_rule_id").map(|id| match get(&p, "fw_rule_name") {
                Some(n) => format!("rule {id} ({n})"),
                None => format!("rule {id}"),
            }),
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    // Shaped after a real SFOS 'Allowed' line quoted in a collector's test data, turned into a deny.
    const DENY: &str = r#"device="SFW" date=2024-02-27 time=08:35:19 timezone="PST" device_name="XG135" device_id=C1B0A6JC7TCVBEA log_id=010101600001 log_type="Firewall" log_component="Firewall Rule" log_subtype="Denied" status="Deny" priority=Information duration=0 fw_rule_id=8 fw_rule_name="Drop scanners" fw_rule_section="Local rule" src_ip=203.0.113.5 dst_ip=192.0.2.10 protocol="TCP" src_port=40000 dst_port=443"#;

    #[test]
    fn denied_firewall_rule_and_ips() {
        assert!(looks_like(DENY));
        match classify(DENY) {
            Ok(Some(EventKind::FirewallDeny(d))) => {
                assert_eq!(
                    (d.src, d.dst, d.dport),
                    (a("203.0.113.5"), Some(a("192.0.2.10")), Some(443))
                );
                assert_eq!(d.rule.as_deref(), Some("rule 8 (Drop scanners)"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            own_time(DENY, &ctx()).map(|t| t.to_rfc3339()),
            Some("2024-02-27T16:35:19+00:00".into())
        );
        let allowed = DENY.replace(
            "log_subtype=\"Denied\" status=\"Deny\"",
            "log_subtype=\"Allowed\" status=\"Allow\"",
        );
        assert_eq!(classify(&allowed), Ok(None));
        let ips = DENY
            .replace("log_type=\"Firewall\"", "log_type=\"IDP\"")
            .replace("log_subtype=\"Denied\"", "log_subtype=\"Drop\" signature_id=2001219 signature_msg=\"ET SCAN Potential SSH Scan\"");
        assert!(matches!(
            classify(&ips),
            Ok(Some(EventKind::IpsAlert(IpsAlert {
                action: IpsAction::Blocked,
                signature_id: Some(2001219),
                ..
            })))
        ));
        let new = DENY.replace(
            "date=2024-02-27 time=08:35:19 timezone=\"PST\"",
            "timestamp=\"2024-02-27T08:35:19-0800\"",
        );
        assert_eq!(
            own_time(&new, &ctx()).map(|t| t.timestamp()),
            own_time(DENY, &ctx()).map(|t| t.timestamp())
        );
        assert!(classify(&DENY.replace("src_ip=203.0.113.5", "src_ip=x")).is_err());
    }
}
