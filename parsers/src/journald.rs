//! systemd journal exported as JSON (`journalctl -o json`): one object a line with
//! `__REALTIME_TIMESTAMP` (µs since the epoch, as a string), `_HOSTNAME`, `SYSLOG_IDENTIFIER`,
//! `_PID`/`SYSLOG_PID` and `MESSAGE`. The message goes through the same classifiers as a syslog
//! line with that tag. Follows `journalctl(1)` and the journal export spec
//! (<https://systemd.io/JOURNAL_EXPORT_FORMATS/>); the real sample is lnav's `logfile_journald.json`.
//!
//! `MESSAGE` is an array of byte values when the message was not valid UTF-8: decoded lossily.
//! (`journalctl -o short-iso`/`short-precise` output is plain syslog framing and needs nothing here.)

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::{Event, ParseError, TimeContext, syslog};

/// `journalctl -o json`.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "journald_json",
    aliases: &["journald", "journal"],
    description: "journalctl -o json: the same payloads as syslog, from MESSAGE with SYSLOG_IDENTIFIER as the tag",
    example: r#"{"__REALTIME_TIMESTAMP":"1795140464000000","_HOSTNAME":"db01","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"Stopped mysql.service - MySQL Community Server."}"#,
    detect: |line| {
        let t = line.trim_ascii_start();
        crate::Score::claims_if(
            t.starts_with(b"{") && memchr::memmem::find(t, b"\"__REALTIME_TIMESTAMP\"").is_some(),
        )
    },
    parse: crate::registry::Parse::Lines(parse_json_line),
    line_time: |l, _| line_time(l),
    line_host: |l| crate::json_str_field(l, b"\"_HOSTNAME\"").map(str::to_string),
    words: &crate::syslog::payload::WORDS,
    ..crate::LogSpec::NETWORK
});

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(rename = "__REALTIME_TIMESTAMP", borrow)]
    realtime: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "_HOSTNAME", borrow)]
    hostname: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "SYSLOG_IDENTIFIER", borrow)]
    identifier: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "_COMM", borrow)]
    comm: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "_TRANSPORT", borrow)]
    transport: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "_PID", borrow)]
    pid: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "MESSAGE")]
    message: Option<Value>,
}

/// The time of a record, from `__REALTIME_TIMESTAMP` (µs since the epoch).
fn realtime(us: &str) -> Option<DateTime<Utc>> {
    let us: i64 = us.trim().parse().ok()?;
    DateTime::from_timestamp_micros(us)
}

/// Cheap time of a line (for source coverage) without parsing the whole object.
pub fn line_time(line: &[u8]) -> Option<DateTime<Utc>> {
    realtime(crate::json_str_field(line, b"\"__REALTIME_TIMESTAMP\"")?)
}

/// Parse one `journalctl -o json` line.
pub fn parse_json_line(line: &[u8], _ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let rec: Record<'_> =
        serde_json::from_slice(line).map_err(|e| ParseError::Json(e.to_string()))?;
    let time = rec
        .realtime
        .as_deref()
        .and_then(realtime)
        .ok_or(ParseError::Timestamp("no __REALTIME_TIMESTAMP"))?;
    let msg = match rec.message {
        Some(Value::String(s)) => s,
        Some(Value::Array(bytes)) => {
            let b: Vec<u8> = bytes
                .iter()
                .filter_map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
                .collect();
            String::from_utf8_lossy(&b).into_owned()
        }
        _ => return Ok(None),
    };
    // Kernel records carry `_TRANSPORT=kernel` and no identifier on some systems.
    let app = match (&rec.identifier, &rec.transport) {
        (Some(id), _) => Some(id.as_ref()),
        (None, Some(t)) if t == "kernel" => Some("kernel"),
        _ => rec.comm.as_deref(),
    };
    let pid = rec.pid.as_deref().and_then(|p| p.parse().ok());
    let found = syslog::classify_observed(app, pid, &msg, time)?;
    Ok(found.map(|(kind, observer)| Event {
        time,
        host: rec.hostname.map(|h| h.into_owned()),
        observer,
        kind,
    }))
}

#[cfg(test)]
mod tests {
    use crate::test_util::ctx;
    use chrono::TimeZone;

    use super::*;
    use crate::{EventKind, LifecycleState};

    #[test]
    fn systemd_stop_from_json() {
        let line = br#"{ "__REALTIME_TIMESTAMP" : "1795140464000000", "_HOSTNAME" : "db01", "SYSLOG_IDENTIFIER" : "systemd", "_PID" : "1", "_TRANSPORT" : "journal", "MESSAGE" : "Stopped mysql.service - MySQL Community Server." }"#;
        let ev = parse_json_line(line, &ctx()).unwrap().unwrap();
        assert_eq!(ev.host.as_deref(), Some("db01"));
        assert_eq!(
            ev.time,
            Utc.with_ymd_and_hms(2026, 11, 20, 2, 7, 44).unwrap()
        );
        match ev.kind {
            EventKind::Lifecycle(l) => {
                assert_eq!(l.unit, "mysql");
                assert_eq!(l.state, LifecycleState::Stopped);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(line_time(line), Some(ev.time));
    }

    #[test]
    fn kernel_ufw_and_byte_array_message() {
        let msg: Vec<String> =
            "[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.5 DST=192.0.2.10 PROTO=TCP SPT=1 DPT=443"
                .bytes()
                .map(|b| b.to_string())
                .collect();
        let line = format!(
            r#"{{"__REALTIME_TIMESTAMP":"1795140464000000","_HOSTNAME":"web01","_TRANSPORT":"kernel","MESSAGE":[{}]}}"#,
            msg.join(",")
        );
        let ev = parse_json_line(line.as_bytes(), &ctx()).unwrap().unwrap();
        assert!(matches!(ev.kind, EventKind::FirewallDeny(d) if d.dport == Some(443)));
    }

    #[test]
    fn malformed_and_uninteresting() {
        assert!(parse_json_line(b"{not json", &ctx()).is_err());
        assert!(parse_json_line(br#"{"MESSAGE":"x"}"#, &ctx()).is_err());
        let other = br#"{"__REALTIME_TIMESTAMP":"1795140464000000","SYSLOG_IDENTIFIER":"python","MESSAGE":"GPS Reference longitude: 7.35"}"#;
        assert_eq!(parse_json_line(other, &ctx()).unwrap(), None);
    }
}
