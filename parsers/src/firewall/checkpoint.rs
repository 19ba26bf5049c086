//! Check Point gateways through Log Exporter (R80.20+), its syslog format: RFC 5424 with the app
//! `CheckPoint` and the whole record as one (not quite RFC-compliant) structured-data element of
//! `key:"value";` pairs:
//!
//! ```text
//! <134>1 2026-09-23T03:15:32Z cp-gw-01 CheckPoint 26045 - [action:"Drop"; flags:"411908"; ifdir:"inbound"; ifname:"eth1"; origin:"192.0.2.1"; product:"VPN-1 & FireWall-1"; proto:"6"; rule_action:"Drop"; rule_name:"Cleanup rule"; s_port:"51234"; service:"22"; src:"203.0.113.50"; dst:"192.0.2.80"; layer_name:"Network"]
//! ```
//!
//! `action` `Drop` / `Block` → a [`FirewallDeny`] drop, `Reject` → reject, of `rule_name` in
//! `layer_name`; with an IPS / Threat Prevention product (`product:"IPS"`, `"SmartDefense"`,
//! `"Threat Emulation"`…) or an `attack`/`protection_name` field, `Prevent` / `Drop` → an IPS block
//! and `Detect` → an alert. `service` is the destination port. `Accept` and everything else: no
//! event.

use crate::{DenyAction, EventKind, FirewallDeny, IpsAction, IpsAlert, ParseError, Proto};

/// Is this the tag Log Exporter writes?
pub fn is_checkpoint_tag(app: &str) -> bool {
    app.eq_ignore_ascii_case("CheckPoint")
}

/// `key:"value";` pairs (`\"` and `\]` escapes kept as written).
pub fn fields(text: &str) -> Vec<(&str, &str)> {
    let body = match text.find("[action:").or_else(|| text.find('[')) {
        Some(p) => &text[p + 1..],
        None => text,
    };
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(colon) = rest.find(":\"") {
        let key = rest[..colon].trim().trim_start_matches(';').trim();
        let after = &rest[colon + 2..];
        // The value ends at the first `";` or `"]` not escaped.
        let b = after.as_bytes();
        let mut end = None;
        for i in 0..b.len() {
            if b[i] == b'"'
                && (i == 0 || b[i - 1] != b'\\')
                && matches!(b.get(i + 1), Some(b';' | b']') | None)
            {
                end = Some(i);
                break;
            }
        }
        let Some(end) = end else { break };
        out.push((key, &after[..end]));
        rest = &after[end + 1..];
    }
    out
}

/// Classify a Log Exporter record (the whole line or its message).
pub fn classify(text: &str) -> Result<Option<EventKind>, ParseError> {
    let f = fields(text);
    let get = |k: &str| crate::siem::value(&f, k);
    let action = get("action").unwrap_or_default().to_ascii_lowercase();
    let product = get("product").unwrap_or_default().to_ascii_lowercase();
    let ips = ["ips", "smartdefense", "threat", "anti-bot", "ids"]
        .iter()
        .any(|w| product.contains(w))
        || get("attack").is_some()
        || get("protection_name").is_some();
    let deny = match action.as_str() {
        "drop" | "block" => Some(DenyAction::Drop),
        "reject" => Some(DenyAction::Reject),
        "prevent" if ips => Some(DenyAction::Drop),
        _ => None,
    };
    if deny.is_none() && !(ips && action == "detect") {
        return Ok(None);
    }
    let Some(src) = get("src").and_then(|a| a.parse().ok()) else {
        return Err(ParseError::Field("src"));
    };
    let dst = get("dst").and_then(|a| a.parse().ok());
    let dport = get("service").and_then(|p| p.parse().ok());
    let proto = get("proto").map(Proto::from_text);
    Ok(Some(if ips {
        EventKind::IpsAlert(IpsAlert {
            action: IpsAction::blocked_if(deny.is_some()),
            src,
            dst,
            proto,
            dport,
            signature: get("protection_name")
                .or(get("attack"))
                .unwrap_or("Threat Prevention")
                .to_string(),
            signature_id: get("protection_id").and_then(|i| i.parse().ok()),
        })
    } else {
        EventKind::FirewallDeny(FirewallDeny {
            action: deny.unwrap_or(DenyAction::Drop),
            src,
            dst,
            proto,
            sport: get("s_port").and_then(|p| p.parse().ok()),
            dport,
            rule: get("rule_name").map(|r| match get("layer_name") {
                Some(l) => format!("{r} (layer {l})"),
                None => r.to_string(),
            }),
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    // Shaped after Log Exporter lines quoted in Wazuh's and Elastic's test data (addresses replaced).
    const DROP: &str = r#"<134>1 2026-11-20T02:13:44Z cp-gw-01 CheckPoint 26045 - [action:"Drop"; flags:"411908"; ifdir:"inbound"; ifname:"eth1"; logid:"0"; loguid:"{0x66f0e0a4,0x0,0x3000000a,0xc0000000}"; origin:"192.0.2.1"; originsicname:"CN=cp-gw-01,O=cp-mgmt..abcd12"; sequencenum:"4"; time:"1795140824"; version:"5"; __policy_id_tag:"product=VPN-1 & FireWall-1[db_tag={C12F833B};mgmt=m;date=1557764162;policy_name=Corp\]"; dst:"192.0.2.80"; inzone:"External"; layer_name:"Network"; match_id:"4"; outzone:"Internal"; product:"VPN-1 & FireWall-1"; proto:"6"; rule_action:"Drop"; rule_name:"Cleanup rule"; s_port:"51234"; service:"22"; service_id:"ssh"; src:"203.0.113.50"]"#;

    #[test]
    fn log_exporter_drop_through_the_syslog_path() {
        let ev = crate::syslog::parse_line(DROP.as_bytes(), &ctx())
            .unwrap()
            .unwrap();
        assert_eq!(ev.observer, "checkpoint");
        match ev.kind {
            EventKind::FirewallDeny(d) => {
                assert_eq!(d.src, a("203.0.113.50"));
                assert_eq!(
                    (d.dst, d.dport, d.sport),
                    (Some(a("192.0.2.80")), Some(22), Some(51234))
                );
                assert_eq!(d.rule.as_deref(), Some("Cleanup rule (layer Network)"));
                assert_eq!(d.action, DenyAction::Drop);
            }
            other => panic!("{other:?}"),
        }
        let f = fields(DROP);
        assert!(
            crate::siem::value(&f, "__policy_id_tag")
                .is_some_and(|v| v.ends_with("policy_name=Corp\\]"))
        );
    }

    #[test]
    fn ips_prevent_detect_and_accept() {
        let ips = DROP
            .replace("action:\"Drop\"", "action:\"Prevent\"")
            .replace(
                "product:\"VPN-1 & FireWall-1\"",
                "product:\"IPS\"; protection_name:\"Port Scan\"",
            );
        assert!(matches!(
            classify(&ips),
            Ok(Some(EventKind::IpsAlert(IpsAlert {
                action: IpsAction::Blocked,
                ..
            })))
        ));
        let detect = ips.replace("action:\"Prevent\"", "action:\"Detect\"");
        assert!(matches!(
            classify(&detect),
            Ok(Some(EventKind::IpsAlert(IpsAlert {
                action: IpsAction::Alerted,
                ..
            })))
        ));
        assert_eq!(
            classify(&DROP.replace("action:\"Drop\"", "action:\"Accept\"")),
            Ok(None)
        );
        assert!(classify(&DROP.replace("src:\"203.0.113.50\"", "src:\"x\"")).is_err());
    }
}
