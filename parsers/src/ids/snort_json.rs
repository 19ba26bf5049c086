//! Snort 3 `alert_json`: one JSON object an alert. Its fields are configurable
//! (`alert_json.fields`); the default set is `timestamp pkt_num proto pkt_gen pkt_len dir src_ap
//! dst_ap rule action` (so no `msg`, and addresses only as `src_ap` = `ADDR:PORT`), and exports
//! often add `seconds`, `src_addr`, `dst_addr`, `dst_port`, `msg`, `sid` (Elastic's Snort
//! integration samples have them all). Reads whichever are present.
//!
//! `action` is Snort's verdict on the packet: `drop`, `block`, `reset` and `reject` stop it
//! ([`IpsAction::Blocked`]); `allow`, `pass`, `would_drop`/`would_block` (IDS mode) only alert.
//! The time is `seconds` (epoch, UTC) when present, else the year-less local `timestamp`
//! (`12/16-20:33:33.603502`).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{Event, EventKind, IpsAction, IpsAlert, ParseError, Proto, TimeContext};

/// Snort 3 `alert_json`.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "snort_json",
    aliases: &["alert_json", "snort3"],
    description: "Snort 3 alert_json (default or extended fields): drop/block/reset alerts as blocks, the rest as alerts",
    example: r#"{"seconds":1795140824,"action":"drop","dir":"C2S","dst_addr":"192.0.2.10","dst_ap":"192.0.2.10:22","dst_port":22,"gid":1,"msg":"SCAN SSH brute force login attempt","proto":"TCP","rev":1,"rule":"1:19559:1","sid":19559,"src_addr":"203.0.113.5","src_ap":"203.0.113.5:40000","src_port":40000,"timestamp":"11/20-02:13:44.100000"}"#,
    detect: |line| {
        let t = line.trim_ascii_start();
        let has = |n: &[u8]| memchr::memmem::find(t, n).is_some();
        crate::Score::claims_if(
            t.starts_with(b"{")
                && (has(b"\"src_ap\"") || has(b"\"src_addr\""))
                && has(b"\"rule\"")
                && has(b"\"action\""),
        )
    },
    parse: crate::registry::Parse::Lines(parse_line),
    line_time: |line, ctx| {
        let v: Value = serde_json::from_slice(line).ok()?;
        time_of(&v, ctx)
    },
    ..crate::LogSpec::NETWORK
});

fn time_of(v: &Value, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    if let Some(s) = v.get("seconds").and_then(Value::as_i64) {
        let micros = v
            .get("timestamp")
            .and_then(Value::as_str)
            .and_then(|t| t.rsplit_once('.'))
            .and_then(|(_, f)| format!("{f:0<6}").get(..6)?.parse::<i64>().ok())
            .unwrap_or(0);
        return DateTime::from_timestamp_micros(s * 1_000_000 + micros);
    }
    // `MM/DD-HH:MM:SS.ffffff`, or with `-y` `MM/DD/YY-…`: the alert_fast clock.
    let ts = v.get("timestamp")?.as_str()?;
    let line = format!("{ts} [**] [1:1:1] x [**] {{TCP}} 192.0.2.1:1 -> 192.0.2.2:2");
    super::fastlog::FORMAT.line_time(line.as_bytes(), ctx)
}

/// `ADDR:PORT` (IPv6 unbracketed, as Snort writes it).
fn ap(s: &str) -> Option<(IpAddr, Option<u16>)> {
    let (a, p) = s.rsplit_once(':')?;
    Some((a.parse().ok()?, p.parse().ok()))
}

/// Parse one alert_json line.
pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let v: Value = serde_json::from_slice(line).map_err(|e| ParseError::Json(e.to_string()))?;
    if !v.is_object() {
        return Err(ParseError::Json("not an object".into()));
    }
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let time = time_of(&v, ctx).ok_or(ParseError::Timestamp("no seconds or timestamp"))?;
    let src_ap = s("src_ap").and_then(ap);
    let dst_ap = s("dst_ap").and_then(ap);
    let src = s("src_addr")
        .and_then(|a| a.parse().ok())
        .or(src_ap.map(|x| x.0))
        .ok_or(ParseError::Field("src_addr / src_ap"))?;
    let dst = s("dst_addr")
        .and_then(|a| a.parse().ok())
        .or(dst_ap.map(|x| x.0));
    let proto = s("proto").map(Proto::from_text);
    let dport = v
        .get("dst_port")
        .and_then(Value::as_u64)
        .and_then(|p| u16::try_from(p).ok())
        .or(dst_ap.and_then(|x| x.1))
        .filter(|_| proto != Some(Proto::Icmp));
    let action = match s("action").unwrap_or_default() {
        "drop" | "block" | "reset" | "reject" => IpsAction::Blocked,
        _ => IpsAction::Alerted,
    };
    let rule = s("rule");
    let signature_id = v
        .get("sid")
        .and_then(Value::as_u64)
        .or_else(|| rule?.split(':').nth(1)?.parse().ok());
    let signature = s("msg")
        .map(str::to_string)
        .or(rule.map(|r| format!("rule {r}")))
        .unwrap_or_else(|| "alert".into());
    Ok(Some(Event {
        time,
        host: None,
        observer: "snort",
        kind: EventKind::IpsAlert(IpsAlert {
            action,
            src,
            dst,
            proto,
            dport,
            signature,
            signature_id,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    fn alert(line: &str) -> (Event, IpsAlert) {
        crate::test_util::the_alert(&parse_line(line.as_bytes(), &ctx()))
    }

    #[test]
    fn extended_fields_as_elastic_samples_have_them() {
        let (ev, x) = alert(
            r#"{"seconds":1574352110,"action":"allow","class":"Attempted Administrator Privilege Gain","dir":"C2S","dst_addr":"198.51.100.11","dst_ap":"198.51.100.11:445","dst_port":445,"gid":1,"msg":"OS-WINDOWS Microsoft Windows raw WriteAndX InData pointer adjustment attempt","priority":1,"proto":"TCP","rev":1,"rule":"1:50626:1","service":"netbios-ssn","sid":50626,"src_addr":"192.0.2.101","src_ap":"192.0.2.101:50084","src_port":50084,"vlan":0,"timestamp":"11/21-18:01:50.061909"}"#,
        );
        assert_eq!(ev.time.timestamp(), 1574352110);
        assert_eq!(ev.time.timestamp_subsec_micros(), 61909);
        assert_eq!(x.action, IpsAction::Alerted);
        assert_eq!(x.src, a("192.0.2.101"));
        assert_eq!((x.dst, x.dport), (Some(a("198.51.100.11")), Some(445)));
        assert_eq!(x.signature_id, Some(50626));
        assert!(x.signature.starts_with("OS-WINDOWS"));
    }

    #[test]
    fn default_fields_and_blocking_actions() {
        for (action, want) in [
            ("drop", IpsAction::Blocked),
            ("block", IpsAction::Blocked),
            ("reset", IpsAction::Blocked),
            ("would_drop", IpsAction::Alerted),
            ("allow", IpsAction::Alerted),
        ] {
            let line = format!(
                r#"{{"timestamp":"11/20-02:13:44.100000","pkt_num":7,"proto":"TCP","pkt_gen":"raw","pkt_len":60,"dir":"C2S","src_ap":"203.0.113.5:40000","dst_ap":"192.0.2.10:22","rule":"1:19559:1","action":"{action}"}}"#
            );
            let (ev, x) = alert(&line);
            assert_eq!(x.action, want, "{action}");
            assert_eq!(ev.time.to_rfc3339(), "2026-11-20T02:13:44.100+00:00");
            assert_eq!(x.src, a("203.0.113.5"));
            assert_eq!(x.dport, Some(22));
            assert_eq!(x.signature, "rule 1:19559:1");
            assert_eq!(x.signature_id, Some(19559));
        }
    }

    #[test]
    fn broken_lines_are_malformed() {
        for line in [
            "{",
            "[1]",
            r#"{"action":"drop","src_ap":"203.0.113.5:1","rule":"1:1:1"}"#,
            r#"{"seconds":1,"action":"drop","src_ap":"nope","rule":"1:1:1"}"#,
        ] {
            assert!(parse_line(line.as_bytes(), &ctx()).is_err(), "{line}");
        }
    }
}
