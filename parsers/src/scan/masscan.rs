//! masscan `-oJ` (JSON), `-oD` (NDJSON) and `-oL` (list) output. (`-oX` is nmap-shaped and read by
//! [`super::nmap`].) masscan lists only what answered: a host or port missing from a rescan was
//! probed and did not answer ([`ScanReport::lists_only_open`]).
//!
//! `-oJ` is not quite JSON: one object a line, `,` between (or, in old versions, after) them, and
//! old versions end with `{finished: 1}` (an unquoted key). It is read line by line, each object on
//! its own, so none of that matters and a huge scan never has to fit in memory as one document.

use std::io::BufRead;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{PortObservation, PortState, ScanFormat, ScanHost, ScanReason, ScanReport, ScanSpec};
use crate::Proto;
use crate::error::ParseError;

pub const FORMAT_JSON: ScanFormat = ScanFormat::new(&ScanSpec {
    name: "masscan_json",
    aliases: &["masscan", "masscan_ndjson"],
    description: "masscan -oJ / -oD (JSON, trailing-comma and {finished: 1} quirks accepted): open ports per host with reason and TTL; compared as baseline and rescan",
    example: r#"{   "ip": "192.0.2.10",   "timestamp": "1764036005", "ports": [ {"port": 443, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 64} ] },"#,
    looks_like: looks_like_json,
    read: |r, _tz| parse(r, Kind::Json),
    read_growing: None,
});

pub const FORMAT_LIST: ScanFormat = ScanFormat::new(&ScanSpec {
    name: "masscan_list",
    aliases: &["masscan_oL"],
    description: "masscan -oL (list: state proto port ip epoch); compared as baseline and rescan",
    example: "open tcp 443 192.0.2.10 1764036005",
    looks_like: looks_like_list,
    read: |r, _tz| parse(r, Kind::List),
    read_growing: None,
});

#[derive(Clone, Copy)]
enum Kind {
    Json,
    List,
}

fn looks_like_json(head: &[u8]) -> bool {
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    if !matches!(start.and_then(|i| head.get(i)), Some(b'[' | b'{')) {
        return false;
    }
    let has = |n: &[u8]| memchr::memmem::find(head, n).is_some();
    has(b"\"ip\"")
        && has(b"\"proto\"")
        && (has(b"\"ports\"") && has(b"\"status\"") || has(b"\"rec_type\""))
        && head.split(|&b| b == b'\n').any(|l| json_entry(l).is_some())
}

fn looks_like_list(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    match lines.next() {
        Some(l) if l.trim_start().starts_with("#masscan") => true,
        Some(l) => {
            list_entry(l).is_some()
                && lines
                    .take(20)
                    .all(|l| list_entry(l).is_some() || l.starts_with('#'))
        }
        None => false,
    }
}

#[derive(Deserialize)]
struct JsonPort {
    port: u16,
    #[serde(default)]
    proto: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    ttl: Option<u8>,
    #[serde(default)]
    service: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct JsonEntry {
    ip: String,
    #[serde(default)]
    timestamp: Option<serde_json::Value>,
    #[serde(default)]
    ports: Vec<JsonPort>,
    // -oD (NDJSON): one port per record.
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    proto: Option<String>,
    #[serde(default)]
    rec_type: Option<String>,
    #[serde(default)]
    data: Option<serde_json::Value>,
}

/// One entry: (ip, time, ports as (port, proto, state, reason, ttl)).
type Entry = (
    IpAddr,
    Option<DateTime<Utc>>,
    Vec<(u16, Proto, PortState, ScanReason)>,
);

fn ts(v: &serde_json::Value) -> Option<DateTime<Utc>> {
    let n = match v {
        serde_json::Value::String(s) => s.trim().parse::<i64>().ok()?,
        serde_json::Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    DateTime::from_timestamp(n, 0)
}

fn state_of(status: Option<&str>) -> PortState {
    match status.map(str::to_ascii_lowercase).as_deref() {
        Some("closed") => PortState::Closed,
        _ => PortState::Open,
    }
}

/// One `-oJ`/`-oD` line as an entry; `None` for `[`, `]`, `,`, `{finished: 1}` and anything else.
fn json_entry(line: &[u8]) -> Option<Entry> {
    let l = std::str::from_utf8(line).ok()?.trim();
    let l = l.trim_start_matches(',').trim_end_matches(',').trim();
    if !l.starts_with('{') {
        return None;
    }
    let e: JsonEntry = serde_json::from_str(l).ok()?;
    let ip: IpAddr = e.ip.trim().parse().ok()?;
    let time = e.timestamp.as_ref().and_then(ts);
    let mut ports = Vec::new();
    for p in &e.ports {
        // A banner record (`"service": {...}`) says the port answered: open.
        let status = p.status.as_deref().or(p.service.as_ref().map(|_| "open"));
        ports.push((
            p.port,
            Proto::from_text(p.proto.as_deref().unwrap_or("tcp")),
            state_of(status),
            ScanReason {
                reason: p.reason.clone().unwrap_or_else(|| "syn-ack".into()),
                ttl: p.ttl,
                from: None,
                line: None,
            },
        ));
    }
    if let Some(port) = e.port {
        let data = e.data.as_ref();
        let get = |k: &str| data.and_then(|d| d.get(k)).and_then(|v| v.as_str());
        let status = match e.rec_type.as_deref() {
            Some("banner") => Some("open"),
            _ => get("status"),
        };
        ports.push((
            port,
            Proto::from_text(e.proto.as_deref().unwrap_or("tcp")),
            state_of(status),
            ScanReason {
                reason: get("reason").unwrap_or("syn-ack").to_string(),
                ttl: data
                    .and_then(|d| d.get("ttl"))
                    .and_then(|v| v.as_u64())
                    .and_then(|t| u8::try_from(t).ok()),
                from: None,
                line: None,
            },
        ));
    }
    (!ports.is_empty()).then_some((ip.to_canonical(), time, ports))
}

/// One `-oL` line: `open tcp 80 192.0.2.1 1600000000` (also `banner tcp 80 IP TIME service …`).
fn list_entry(line: &str) -> Option<Entry> {
    let mut w = line.split_whitespace();
    let state = match w.next()? {
        "open" | "banner" => PortState::Open,
        "closed" => PortState::Closed,
        _ => return None,
    };
    let proto = Proto::from_text(w.next()?);
    let port: u16 = w.next()?.parse().ok()?;
    let ip: IpAddr = w.next()?.parse().ok()?;
    let time = w
        .next()
        .and_then(|t| t.parse::<i64>().ok())
        .and_then(|t| DateTime::from_timestamp(t, 0));
    let reason = ScanReason {
        reason: if state == PortState::Open {
            "syn-ack"
        } else {
            "reset"
        }
        .into(),
        ttl: None,
        from: None,
        line: None,
    };
    Some((ip.to_canonical(), time, vec![(port, proto, state, reason)]))
}

fn parse<R: BufRead>(r: R, kind: Kind) -> Result<ScanReport, ParseError> {
    let mut report = ScanReport {
        format: "masscan".into(),
        lists_only_open: true,
        comparable: true,
        ..ScanReport::default()
    };
    let mut hosts: Vec<ScanHost> = Vec::new();
    let mut index: std::collections::HashMap<IpAddr, usize> = Default::default();
    let mut skipped = 0u64;
    let mut entries = 0u64;
    for (n, line) in r.split(b'\n').enumerate() {
        let line = line.map_err(|e| ParseError::Report(format!("cannot read: {e}")))?;
        let t = String::from_utf8_lossy(&line);
        let t = t.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let entry = match kind {
            Kind::Json => json_entry(t.as_bytes()),
            Kind::List => list_entry(t),
        };
        let Some((ip, time, ports)) = entry else {
            let structural =
                matches!(t, "[" | "]" | "," | "],") || t.replace(' ', "").starts_with("{finished:");
            if !structural {
                skipped += 1;
            }
            continue;
        };
        entries += 1;
        let hi = *index.entry(ip).or_insert_with(|| {
            hosts.push(ScanHost {
                name: ip.to_string(),
                ip: Some(ip),
                ..ScanHost::default()
            });
            hosts.len() - 1
        });
        let h = &mut hosts[hi];
        if let Some(t) = time {
            h.start = Some(h.start.map_or(t, |s| s.min(t)));
            h.end = Some(h.end.map_or(t, |e| e.max(t)));
            report.started = Some(report.started.map_or(t, |s| s.min(t)));
            report.ended = Some(report.ended.map_or(t, |e| e.max(t)));
        }
        for (port, protocol, state, mut reason) in ports {
            if h.observed
                .iter()
                .any(|o| o.port == port && o.protocol == protocol)
            {
                continue;
            }
            reason.line = Some(n as u64 + 1);
            if state == PortState::Open {
                h.open_ports.push((port, protocol.clone()));
            }
            h.observed.push(PortObservation {
                port,
                protocol,
                state,
                reason: Some(reason),
            });
        }
    }
    if skipped > 0 {
        report.notes.push(format!(
            "{skipped} line(s) were not masscan entries and were skipped"
        ));
    }
    if entries == 0 {
        report.notes.push(
            "the masscan output lists no open port at all (an empty list): as a rescan it says every host stopped answering, as a baseline it gives nothing to compare"
                .into(),
        );
    }
    report.hosts = hosts;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OJ_NEW: &str = r#"[
{   "ip": "192.0.2.10",   "timestamp": "1764036005", "ports": [ {"port": 443, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 64} ] }
,
{   "ip": "192.0.2.10",   "timestamp": "1764036009", "ports": [ {"port": 22, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 64} ] }
,
{   "ip": "192.0.2.11",   "timestamp": "1764036007", "ports": [ {"port": 80, "proto": "tcp", "service": {"name": "http", "banner": "nginx"} } ] }
]
"#;
    const OJ_OLD: &str = r#"[
{   "ip": "192.0.2.10",   "timestamp": "1514820513", "ports": [ {"port": 22, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 64} ] },
{finished: 1}
]
"#;

    #[test]
    fn json_with_its_quirks() {
        assert!(looks_like_json(OJ_NEW.as_bytes()));
        assert!(looks_like_json(OJ_OLD.as_bytes()));
        let r = parse(OJ_NEW.as_bytes(), Kind::Json).unwrap();
        assert!(r.lists_only_open && r.comparable);
        assert_eq!(r.hosts.len(), 2);
        assert_eq!(
            r.hosts[0].open_ports,
            vec![(443, Proto::Tcp), (22, Proto::Tcp)]
        );
        assert_eq!(r.hosts[0].start.unwrap().timestamp(), 1764036005);
        assert_eq!(r.hosts[0].end.unwrap().timestamp(), 1764036009);
        assert_eq!(r.hosts[1].open_ports, vec![(80, Proto::Tcp)]);
        assert_eq!(
            r.hosts[0].observed[0].reason.as_ref().unwrap().line,
            Some(2)
        );
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        let old = parse(OJ_OLD.as_bytes(), Kind::Json).unwrap();
        assert_eq!(old.hosts.len(), 1);
        assert!(old.notes.is_empty(), "{:?}", old.notes);
    }

    #[test]
    fn ndjson_and_list() {
        let nd = r#"{"ip":"192.0.2.10","timestamp":"1764036005","port":443,"proto":"tcp","rec_type":"status","data":{"status":"open","reason":"syn-ack","ttl":64}}"#;
        assert!(looks_like_json(nd.as_bytes()));
        let r = parse(nd.as_bytes(), Kind::Json).unwrap();
        assert_eq!(r.hosts[0].open_ports, vec![(443, Proto::Tcp)]);
        let list = "#masscan\nopen tcp 443 192.0.2.10 1764036005\nclosed tcp 22 192.0.2.10 1764036006\n# end\n";
        assert!(looks_like_list(list.as_bytes()));
        let r = parse(list.as_bytes(), Kind::List).unwrap();
        assert_eq!(r.hosts[0].observed.len(), 2);
        assert_eq!(r.hosts[0].observed[1].state, PortState::Closed);
        assert!(!looks_like_list(b"Nov 20 02:00:00 host sshd[1]: x\n"));
        assert!(!looks_like_json(br#"{"ip": "192.0.2.1", "msg": "hello"}"#));
    }

    #[test]
    fn empty_list_is_a_note() {
        let r = parse("[\n]\n".as_bytes(), Kind::Json).unwrap();
        assert!(r.hosts.is_empty());
        assert!(r.notes[0].contains("empty list"), "{:?}", r.notes);
    }
}
