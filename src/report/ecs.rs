//! SIEM and timeline fields for line-oriented output: ECS categorization (`event.kind`,
//! `event.category`, `event.type`, `event.action`, `source.ip`, `destination.ip`,
//! `destination.port`, `network.transport`, `rule.name`, `observer.product`) and Timesketch's
//! `message`, `datetime`, `timestamp_desc`, as flat dotted keys, so one file imports into Elastic,
//! Wazuh, Splunk or Timesketch. Written for `jsonl` ports and `events` lines.
//!
//! ECS: <https://www.elastic.co/guide/en/ecs/current/ecs-allowed-values-event-category.html>;
//! Timesketch: <https://timesketch.org/guides/user/import-from-json-csv/>.

use portmortem_parsers::{BanAction, DenyAction, Event, EventKind, IpsAction, LifecycleState};
use serde_json::{Map, Value, json};

use super::PortOut;
use crate::correlate::Verdict;

/// ECS `event.category`, `event.type` and `event.action` of a normalized event.
fn categorize(kind: &EventKind) -> (&'static [&'static str], &'static [&'static str], String) {
    match kind {
        EventKind::FirewallDeny(d) => (
            &["network"],
            &["connection", "denied"],
            match d.action {
                DenyAction::Drop => "firewall_drop",
                DenyAction::Reject => "firewall_reject",
            }
            .into(),
        ),
        EventKind::Ban(b) => (
            &["network", "intrusion_detection"],
            match b.action {
                BanAction::Unban => &["allowed", "end"],
                BanAction::Ban | BanAction::Shun => &["denied", "start"],
            },
            format!("{}_{}", b.by, serde_plain(&b.action)),
        ),
        EventKind::IpsAlert(a) => (
            &["intrusion_detection", "network"],
            match a.action {
                IpsAction::Blocked => &["denied"],
                IpsAction::Alerted => &["info"],
            },
            format!("ips_{}", serde_plain(&a.action)),
        ),
        EventKind::RateLimit(_) => (&["network"], &["denied"], "rate_limit".into()),
        EventKind::Overload(o) => (&["host", "network"], &["info"], serde_plain(&o.kind)),
        EventKind::Flow(f) => (
            &["network"],
            &["connection"],
            format!("flow_{}", f.state.code()),
        ),
        EventKind::Lifecycle(l) => (
            &["process"],
            match l.state {
                LifecycleState::Started | LifecycleState::Starting => &["start"],
                LifecycleState::RestartScheduled => &["change"],
                _ => &["end"],
            },
            format!("service_{}", serde_plain(&l.state)),
        ),
        EventKind::Listening(_) => (&["network", "process"], &["info"], "listening".into()),
        EventKind::Shutdown(_) => (&["host"], &["end"], "host_shutdown".into()),
        EventKind::Boot(_) => (&["host"], &["start"], "host_boot".into()),
    }
}

/// The snake_case name serde gives a unit variant.
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A one-line summary of an event when its original line is not at hand.
fn summary(kind: &EventKind, v: &Map<String, Value>) -> String {
    let mut parts = vec![kind.name().to_string()];
    for k in [
        "action",
        "state",
        "unit",
        "by",
        "scope",
        "src",
        "ip",
        "dst",
        "dport",
        "port",
        "rule",
        "signature",
    ] {
        match v.get(k) {
            Some(Value::String(s)) => parts.push(format!("{k}={s}")),
            Some(Value::Number(n)) => parts.push(format!("{k}={n}")),
            _ => {}
        }
    }
    parts.join(" ")
}

fn first<'a>(v: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().filter_map(|k| v.get(*k)).find(|x| !x.is_null())
}

/// ECS and Timesketch fields for one event line: `event` is the event as serialized (its own
/// fields), `text` the original line ("" when not kept).
pub fn event_fields(ev: &Event, event: &Map<String, Value>, text: &str) -> Map<String, Value> {
    let (category, kind_type, action) = categorize(&ev.kind);
    let time = super::rfc3339(ev.time);
    let mut m = Map::new();
    m.insert("@timestamp".into(), json!(time));
    m.insert("event.kind".into(), json!("event"));
    m.insert("event.category".into(), json!(category));
    m.insert("event.type".into(), json!(kind_type));
    m.insert("event.action".into(), json!(action));
    if let Some(ip) = first(event, &["src", "ip"]) {
        m.insert("source.ip".into(), ip.clone());
    }
    if let Some(ip) = first(event, &["dst", "target", "addr"]) {
        m.insert("destination.ip".into(), ip.clone());
    }
    if let Some(p) = first(event, &["dport", "port"]) {
        m.insert("destination.port".into(), p.clone());
    }
    if let Some(p) = first(event, &["proto"]) {
        m.insert("network.transport".into(), p.clone());
    }
    if let Some(r) = first(event, &["rule", "signature", "scope"]) {
        m.insert("rule.name".into(), r.clone());
    }
    if !ev.observer.is_empty() {
        m.insert("observer.product".into(), json!(ev.observer));
    }
    if let Some(h) = &ev.host {
        m.insert("host.name".into(), json!(h));
    }
    let message = if text.is_empty() {
        summary(&ev.kind, event)
    } else {
        text.to_string()
    };
    m.insert("message".into(), json!(message));
    m.insert("datetime".into(), json!(time));
    m.insert("timestamp_desc".into(), json!("Event Logged"));
    m
}

/// ECS and Timesketch fields for one port of the report; `scanners` are the scanner addresses of
/// the port's scan. The time is the recheck (the window's end): when the port was seen gone.
pub fn port_fields(p: &PortOut, scanners: &[&str]) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("@timestamp".into(), json!(p.window.end));
    m.insert(
        "source.ip".into(),
        match scanners {
            [one] => json!(one),
            [] => Value::Null,
            many => json!(many),
        },
    );
    m.insert("destination.ip".into(), json!(p.host));
    m.insert("destination.port".into(), json!(p.port));
    m.insert("network.transport".into(), json!(p.protocol));
    m.insert("event.kind".into(), json!("event"));
    m.insert("event.category".into(), json!(["network"]));
    m.insert(
        "event.type".into(),
        json!(match p.verdict {
            Verdict::Blocked => ["connection", "denied"],
            Verdict::ServiceRestart => ["connection", "end"],
            Verdict::Unexplained => ["connection", "info"],
        }),
    );
    m.insert("event.module".into(), json!("portmortem"));
    m.insert("event.action".into(), json!(p.verdict));
    m.insert("event.reason".into(), json!(p.explanation));
    // The recheck of a port that was open failed: that is the outcome being explained.
    m.insert("event.outcome".into(), json!("failure"));
    if let Some(c) = p.cause {
        m.insert("rule.name".into(), json!(c));
    }
    if let Some(o) = p
        .evidence
        .iter()
        .map(|e| e.observer.as_str())
        .find(|o| !o.is_empty())
    {
        m.insert("observer.product".into(), json!(o));
    }
    m.insert(
        "message".into(),
        json!(format!(
            "{} {} {} → {} ({}): {}",
            p.host,
            p.label(),
            p.scan_state,
            p.verdict,
            p.cause_text(),
            p.explanation
        )),
    );
    m.insert("datetime".into(), json!(p.window.end));
    m.insert("timestamp_desc".into(), json!("Port Recheck"));
    m
}
