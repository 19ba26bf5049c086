//! JSON documents as SIEMs export them, one a line (an Elasticsearch / OpenSearch export, a
//! `_search` hit with its `_source`, Filebeat / Logstash output):
//!
//! - [`FORMAT`] `ecs_json`: Elastic Common Schema (<https://www.elastic.co/guide/en/ecs/current/>).
//!   Fields nested (`{"source":{"ip":…}}`) or dotted (`"source.ip"`). An event whose `event.type`
//!   holds `denied` (or whose `event.action` says deny/drop/block/reject) is a denial: an IPS block
//!   when `event.category` holds `intrusion_detection` (or `observer.type` is `ids`/`ips`), a
//!   firewall deny otherwise (reject when the action says reject/reset). An `intrusion_detection`
//!   event that was not denied is an IPS alert. Everything else is no event.
//! - [`WAZUH`] `wazuh_alerts`: Wazuh's `alerts.json` (the manager's, or the `wazuh-alerts-*`
//!   index): the active-response rules 601/651 "Host Blocked by firewall-drop Active Response"
//!   (603/653 host-deny) are host-wide bans of `data.srcip` on `agent.name`, 602/652 (604/654) their
//!   lifting; alerts in group `firewall_drop` that decoded a firewall's drop (`data.srcip`,
//!   `data.dstip`, `data.dstport`) are firewall denies.
//!
//! Times: `@timestamp` (ECS) or `timestamp` (Wazuh), ISO 8601.

use std::net::IpAddr;

use serde_json::Value;

use crate::{
    Ban, BanAction, BanTool, DenyAction, Event, EventKind, FirewallDeny, IpsAction, IpsAlert,
    ParseError, Proto, TimeContext,
};

/// ECS JSON lines.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "ecs_json",
    aliases: &["ecs", "elastic", "opensearch"],
    description: "ECS JSON lines exported from Elastic / OpenSearch (nested or dotted fields, _source hits): event.type denied, intrusion_detection events",
    example: r#"{"@timestamp":"2026-11-20T02:13:44.000Z","event":{"category":["network"],"type":["connection","denied"],"action":"drop"},"source":{"ip":"203.0.113.5","port":40000},"destination":{"ip":"192.0.2.10","port":443},"network":{"transport":"tcp"},"observer":{"vendor":"Example","product":"EdgeWall","type":"firewall"},"rule":{"name":"deny-scanners"}}"#,
    detect: |line| {
        let t = line.trim_ascii_start();
        let has = |n: &[u8]| memchr::memmem::find(t, n).is_some();
        crate::Score::claims_if(
            t.starts_with(b"{")
                && (has(b"\"@timestamp\"") || has(b"\"_source\""))
                && (has(b"\"event\":{") || has(b"\"event\": {") || has(b"\"event."))
                && (has(b"\"source\"") || has(b"\"source.ip\"")),
        )
    },
    parse: crate::registry::Parse::Lines(parse_ecs),
    line_time: |line, ctx| {
        crate::time::parse_iso8601(crate::json_str_field(line, b"\"@timestamp\"")?, ctx)
    },
    ..crate::LogSpec::NETWORK
});

/// Wazuh `alerts.json`.
pub const WAZUH: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "wazuh_alerts",
    aliases: &["alerts.json", "wazuh-alerts"],
    description: "Wazuh alerts.json: firewall-drop / host-deny active responses (rules 601-604, 651-654) as host-wide bans on the agent, decoded firewall drops",
    example: r#"{"timestamp":"2026-11-20T02:10:08.123+0000","rule":{"level":3,"description":"Host Blocked by firewall-drop Active Response","id":"651","groups":["ossec","active_response"]},"agent":{"id":"001","name":"web10","ip":"192.0.2.10"},"manager":{"name":"wazuh"},"id":"1795140608.123","full_log":"active-response/bin/firewall-drop: add","decoder":{"name":"ar_log_json"},"data":{"srcip":"203.0.113.5","command":"add"},"location":"/var/ossec/logs/active-responses.log"}"#,
    detect: |line| {
        let t = line.trim_ascii_start();
        let has = |n: &[u8]| memchr::memmem::find(t, n).is_some();
        crate::Score::claims_if(
            t.starts_with(b"{")
                && has(b"\"rule\":")
                && has(b"\"agent\":")
                && (has(b"\"manager\":") || has(b"\"decoder\":")),
        )
    },
    parse: crate::registry::Parse::Lines(parse_wazuh),
    line_time: |line, ctx| {
        crate::time::parse_iso8601(crate::json_str_field(line, b"\"timestamp\"")?, ctx)
    },
    ..crate::LogSpec::NETWORK
});

/// The document (a hit's `_source` when wrapped).
fn document(line: &[u8]) -> Result<Value, ParseError> {
    let v: Value = serde_json::from_slice(line).map_err(|e| ParseError::Json(e.to_string()))?;
    if !v.is_object() {
        return Err(ParseError::Json("not an object".into()));
    }
    Ok(match v.get("_source") {
        Some(s) if s.is_object() => s.clone(),
        _ => v,
    })
}

/// A field by its dotted path, nested or flat (`"source.ip"` at any level of nesting).
fn field<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(x) = v.get(path) {
        return Some(x);
    }
    let (head, rest) = path.split_once('.')?;
    field(v.get(head)?, rest)
}

fn text(v: &Value, path: &str) -> Option<String> {
    match field(v, path)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A keyword field that may be a string or an array of strings.
fn has_word(v: &Value, path: &str, w: &str) -> bool {
    match field(v, path) {
        Some(Value::String(s)) => s.eq_ignore_ascii_case(w),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .any(|s| s.eq_ignore_ascii_case(w)),
        _ => false,
    }
}

fn ip(v: &Value, path: &str) -> Option<IpAddr> {
    text(v, path)?.parse().ok()
}

fn port(v: &Value, path: &str) -> Option<u16> {
    text(v, path)?.parse().ok()
}

/// Parse one ECS document.
pub fn parse_ecs(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let v = document(line)?;
    let time = text(&v, "@timestamp")
        .and_then(|t| crate::time::parse_iso8601(&t, ctx))
        .ok_or(ParseError::Timestamp("@timestamp"))?;
    let action = text(&v, "event.action").unwrap_or_default();
    let blocking = super::cef::blocking(&action);
    let denied = has_word(&v, "event.type", "denied") || blocking.is_some();
    let ids = has_word(&v, "event.category", "intrusion_detection")
        || has_word(&v, "observer.type", "ids")
        || has_word(&v, "observer.type", "ips");
    if !denied && !ids {
        return Ok(None);
    }
    let Some(src) = ip(&v, "source.ip") else {
        return Ok(None);
    };
    let dst = ip(&v, "destination.ip");
    let dport = port(&v, "destination.port");
    let proto = text(&v, "network.transport")
        .or_else(|| text(&v, "network.protocol"))
        .map(|p| Proto::from_text(&p));
    let rule = text(&v, "rule.name").or_else(|| text(&v, "rule.id"));
    let kind = if ids {
        EventKind::IpsAlert(IpsAlert {
            action: IpsAction::blocked_if(denied),
            src,
            dst,
            proto,
            dport,
            signature: rule
                .or_else(|| text(&v, "message"))
                .unwrap_or_else(|| action.clone()),
            signature_id: text(&v, "rule.id").and_then(|i| i.parse().ok()),
        })
    } else {
        EventKind::FirewallDeny(FirewallDeny {
            action: blocking.unwrap_or(DenyAction::Drop),
            src,
            dst,
            proto,
            sport: port(&v, "source.port"),
            dport,
            rule,
        })
    };
    Ok(Some(Event {
        time,
        host: text(&v, "host.name").or_else(|| text(&v, "observer.hostname")),
        observer: "ecs",
        kind,
    }))
}

/// Parse one Wazuh alert.
pub fn parse_wazuh(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let v = document(line)?;
    let time = text(&v, "timestamp")
        .or_else(|| text(&v, "@timestamp"))
        .and_then(|t| crate::time::parse_iso8601(&t, ctx))
        .ok_or(ParseError::Timestamp("timestamp"))?;
    let id: u32 = text(&v, "rule.id")
        .and_then(|i| i.parse().ok())
        .unwrap_or(0);
    let desc = text(&v, "rule.description").unwrap_or_default();
    let host = text(&v, "agent.name");
    let Some(src) = ip(&v, "data.srcip") else {
        return Ok(None);
    };
    let kind = match id {
        601..=604 | 651..=654 => {
            let script = if matches!(id, 603 | 604 | 653 | 654) {
                "host-deny"
            } else {
                "firewall-drop"
            };
            let lifted = matches!(id, 602 | 604 | 652 | 654) || desc.contains("Unblocked");
            EventKind::Ban(Ban {
                ip: src,
                by: BanTool::Wazuh,
                scope: Some(script.into()),
                action: if lifted {
                    BanAction::Unban
                } else {
                    BanAction::Ban
                },
                until: None,
                target: None,
            })
        }
        _ if has_word(&v, "rule.groups", "firewall_drop") => {
            EventKind::FirewallDeny(FirewallDeny {
                action: DenyAction::Drop,
                src,
                dst: ip(&v, "data.dstip"),
                proto: text(&v, "data.protocol").map(|p| Proto::from_text(&p)),
                sport: port(&v, "data.srcport"),
                dport: port(&v, "data.dstport"),
                rule: Some(format!("Wazuh rule {id}")),
            })
        }
        _ => return Ok(None),
    };
    Ok(Some(Event {
        time,
        host,
        observer: "wazuh",
        kind,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    #[test]
    fn ecs_nested_dotted_and_wrapped() {
        let ev = parse_ecs(FORMAT.example().as_bytes(), &ctx())
            .unwrap()
            .unwrap();
        match ev.kind {
            EventKind::FirewallDeny(d) => {
                assert_eq!(
                    (d.src, d.dst, d.dport),
                    (a("203.0.113.5"), Some(a("192.0.2.10")), Some(443))
                );
                assert_eq!(d.rule.as_deref(), Some("deny-scanners"));
                assert_eq!(d.proto, Some(Proto::Tcp));
            }
            other => panic!("{other:?}"),
        }
        let dotted = r#"{"_index":"logs-1","_source":{"@timestamp":"2026-11-20T02:13:44Z","event.category":"intrusion_detection","event.type":["denied"],"event.action":"blocked","source.ip":"203.0.113.5","destination.ip":"192.0.2.10","destination.port":"22","rule.name":"ET SCAN Potential SSH Scan","rule.id":"2001219","observer.product":"Suricata"}}"#;
        match parse_ecs(dotted.as_bytes(), &ctx()).unwrap().unwrap().kind {
            EventKind::IpsAlert(x) => {
                assert_eq!(x.action, IpsAction::Blocked);
                assert_eq!(x.dport, Some(22));
                assert_eq!(x.signature_id, Some(2001219));
            }
            other => panic!("{other:?}"),
        }
        let allowed = r#"{"@timestamp":"2026-11-20T02:13:44Z","event":{"type":["connection","allowed"]},"source":{"ip":"203.0.113.5"}}"#;
        assert_eq!(parse_ecs(allowed.as_bytes(), &ctx()), Ok(None));
        assert!(parse_ecs(br#"{"event":{"type":"denied"}}"#, &ctx()).is_err());
        assert!(parse_ecs(b"[1]", &ctx()).is_err());
    }

    #[test]
    fn wazuh_active_responses_and_firewall_drops() {
        let ev = parse_wazuh(WAZUH.example().as_bytes(), &ctx())
            .unwrap()
            .unwrap();
        assert_eq!(ev.host.as_deref(), Some("web10"));
        assert_eq!(ev.time.timestamp(), 1795140608);
        match ev.kind {
            EventKind::Ban(b) => {
                assert_eq!(b.ip, a("203.0.113.5"));
                assert_eq!(
                    (b.action, b.scope.as_deref()),
                    (BanAction::Ban, Some("firewall-drop"))
                );
            }
            other => panic!("{other:?}"),
        }
        let lifted = WAZUH
            .example()
            .replace("\"651\"", "\"652\"")
            .replace("Blocked", "Unblocked");
        assert!(matches!(
            parse_wazuh(lifted.as_bytes(), &ctx())
                .unwrap()
                .unwrap()
                .kind,
            EventKind::Ban(Ban {
                action: BanAction::Unban,
                ..
            })
        ));
        let drop = r#"{"timestamp":"2026-11-20T02:13:44.000+0000","rule":{"id":"4100","groups":["firewall","firewall_drop"],"description":"Firewall drop event."},"agent":{"name":"web10"},"decoder":{"name":"iptables"},"data":{"srcip":"203.0.113.5","dstip":"192.0.2.10","dstport":"443","protocol":"TCP","action":"DROP"}}"#;
        assert!(matches!(
            parse_wazuh(drop.as_bytes(), &ctx()).unwrap().unwrap().kind,
            EventKind::FirewallDeny(FirewallDeny {
                dport: Some(443),
                ..
            })
        ));
        let other = r#"{"timestamp":"2026-11-20T02:13:44.000+0000","rule":{"id":"5710"},"agent":{"name":"web10"},"data":{"srcip":"203.0.113.5"}}"#;
        assert_eq!(parse_wazuh(other.as_bytes(), &ctx()), Ok(None));
        assert!(parse_wazuh(br#"{"rule":{"id":"651"}}"#, &ctx()).is_err());
    }
}
