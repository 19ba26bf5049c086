//! Wazuh / OSSEC active responses (`/var/ossec/logs/active-responses.log`): the agent's
//! `firewall-drop`, `host-deny`, `route-null` … scripts blocking and unblocking an address.
//!
//! Two generations, both in the Wazuh documentation's shellshock example and the OSSEC ruleset tests:
//! - OSSEC / Wazuh < 4.2: `Mon Nov  4 19:28:08 UTC 2019 /var/ossec/active-response/bin/firewall-drop.sh
//!   add - 54.157.87.167 1572895688.94657 31166` (date(1) output with a zone abbreviation, then the
//!   script, `add`/`delete`, user, address, alert id, rule id);
//! - Wazuh ≥ 4.2: `2022/06/17 14:46:27 active-response/bin/firewall-drop: {json}` with `"command":
//!   "add"|"delete"` and the address in `parameters.alert.data.srcip`; the agent's name in
//!   `parameters.alert.agent.name` is the host that blocked. `check_keys`/`continue`/`Starting`/
//!   `Ended` lines are not events.
//!   <https://documentation.wazuh.com/current/user-manual/capabilities/active-response/>
//!
//! Every script blocks the address host-wide (scope = the script's name).

use std::net::IpAddr;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

use crate::{Ban, BanAction, BanTool, Event, EventKind, ParseError, TimeContext};

/// Wazuh / OSSEC `active-responses.log`.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "wazuh_ar",
    aliases: &["wazuh", "ossec"],
    description: "Wazuh/OSSEC active-responses.log: firewall-drop/host-deny add and delete (old and 4.x JSON)",
    example: "Fri Nov 20 02:10:08 UTC 2026 /var/ossec/active-response/bin/firewall-drop.sh add - 203.0.113.5 1795140608.94657 5712",
    detect: |line| crate::Score::claims_if(looks_native(line.trim_ascii_start())),
    parse: crate::registry::Parse::Lines(parse_line),
    line_time,
    ..crate::LogSpec::NETWORK
});

fn ban(ip: IpAddr, script: &str, add: bool) -> EventKind {
    EventKind::Ban(Ban {
        ip,
        by: BanTool::Wazuh,
        scope: Some(script.to_string()),
        action: if add {
            BanAction::Ban
        } else {
            BanAction::Unban
        },
        until: None,
        target: None,
    })
}

/// Zone abbreviations date(1) prints on servers (the one table, `time::ZONE_ABBREVIATIONS`); an
/// unknown one falls back to the context's zone.
fn zone_offset(abbr: &str) -> Option<FixedOffset> {
    crate::time::zone_abbreviation(abbr)
}

/// Does this line start like an active-responses.log line?
pub fn looks_native(line: &[u8]) -> bool {
    memchr::memmem::find(line, b"active-response/bin/").is_some_and(|p| p < 64)
}

/// Parse one active-responses.log line.
pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
    let at = text
        .find("active-response/bin/")
        .ok_or(ParseError::Header("no active-response script"))?;
    // The script path starts at the last space before `…active-response/bin/`.
    let start = text[..at].rfind(' ').map_or(0, |p| p + 1);
    let stamp = text[..start].trim();
    let rest = &text[at + "active-response/bin/".len()..];
    let time = parse_stamp(stamp, ctx).ok_or(ParseError::Timestamp("unknown date format"))?;
    let (script, body) = match rest.split_once(':') {
        // 4.x: `firewall-drop: {json}` / `firewall-drop: Starting`.
        Some((script, body)) if !script.contains(' ') => (script, body.trim()),
        // Old: `firewall-drop.sh add - 192.0.2.1 1572895688.94657 31166`.
        _ => {
            let mut w = rest.split_whitespace();
            let script = w.next().unwrap_or("").trim_end_matches(".sh");
            let add = match w.next() {
                Some("add") => true,
                Some("delete") => false,
                _ => return Ok(None),
            };
            let _user = w.next();
            let ip: IpAddr = w
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or(ParseError::Field("address"))?;
            return Ok(Some(Event {
                observer: "wazuh",
                time,
                host: None,
                kind: ban(ip, script, add),
            }));
        }
    };
    if !body.starts_with('{') {
        return Ok(None);
    }
    let v: Value = serde_json::from_str(body).map_err(|e| ParseError::Json(e.to_string()))?;
    let add = match v.get("command").and_then(Value::as_str) {
        Some("add") => true,
        Some("delete") => false,
        _ => return Ok(None),
    };
    let alert = v.pointer("/parameters/alert");
    let ip: IpAddr = alert
        .and_then(|a| a.pointer("/data/srcip"))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or(ParseError::Field("parameters.alert.data.srcip"))?;
    let host = alert
        .and_then(|a| a.pointer("/agent/name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Some(Event {
        observer: "wazuh",
        time,
        host,
        kind: ban(ip, script.trim_end_matches(".sh"), add),
    }))
}

/// The time of a line (for source coverage).
pub fn line_time(line: &[u8], ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(line).ok()?;
    let at = text.find("active-response/bin/")?;
    let start = text[..at].rfind(' ').map_or(0, |p| p + 1);
    parse_stamp(text[..start].trim(), ctx)
}

/// `2022/06/17 14:46:27` (agent local time) or `Mon Nov  4 19:28:08 UTC 2019`.
fn parse_stamp(s: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    if let Ok(n) = NaiveDateTime::parse_from_str(s, "%Y/%m/%d %H:%M:%S") {
        return ctx.local_to_utc(n);
    }
    let w: Vec<&str> = s.split_whitespace().collect();
    if let [_dow, mon, day, hms, zone, year] = w.as_slice() {
        let n = NaiveDateTime::parse_from_str(
            &format!("{mon} {day} {hms} {year}"),
            "%b %d %H:%M:%S %Y",
        )
        .ok()?;
        return match zone_offset(zone) {
            Some(off) => off
                .from_local_datetime(&n)
                .single()
                .map(|t| t.with_timezone(&Utc)),
            None => ctx.local_to_utc(n),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::test_util::ctx;
    use chrono::TimeZone;

    use super::*;

    fn ban_of(ev: &Event) -> &Ban {
        match &ev.kind {
            EventKind::Ban(b) => b,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn old_format_with_zone_abbreviation() {
        let ev = parse_line(
            b"Fri Nov 20 03:10:08 CET 2026 /var/ossec/active-response/bin/firewall-drop.sh add - 203.0.113.5 1795140608.94657 31166",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            ev.time,
            Utc.with_ymd_and_hms(2026, 11, 20, 2, 10, 8).unwrap()
        );
        let b = ban_of(&ev);
        assert_eq!(b.action, BanAction::Ban);
        assert_eq!(b.scope.as_deref(), Some("firewall-drop"));
        assert_eq!(b.by, BanTool::Wazuh);
        let ev = parse_line(
            b"Fri Nov 20 02:15:09 UTC 2026 /var/ossec/active-response/bin/host-deny.sh delete - 203.0.113.5 1795140608.94657 31166",
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(ban_of(&ev).action, BanAction::Unban);
        assert_eq!(ban_of(&ev).scope.as_deref(), Some("host-deny"));
    }

    #[test]
    fn json_format_add_delete_and_noise() {
        let add = br#"2026/11/20 02:10:08 active-response/bin/firewall-drop: {"version":1,"origin":{"name":"node01","module":"wazuh-execd"},"command":"add","parameters":{"extra_args":[],"alert":{"timestamp":"2026-11-20T02:10:08.816+0000","rule":{"level":10,"description":"sshd: brute force","id":"5712"},"agent":{"id":"005","name":"web01","ip":"192.0.2.10"},"data":{"srcip":"203.0.113.5"}},"program":"active-response/bin/firewall-drop"}}"#;
        let ev = parse_line(add, &ctx()).unwrap().unwrap();
        assert_eq!(ev.host.as_deref(), Some("web01"));
        assert_eq!(
            ev.time,
            Utc.with_ymd_and_hms(2026, 11, 20, 2, 10, 8).unwrap()
        );
        assert_eq!(ban_of(&ev).action, BanAction::Ban);
        for noise in [
            &b"2026/11/20 02:10:08 active-response/bin/firewall-drop: Starting"[..],
            b"2026/11/20 02:10:08 active-response/bin/firewall-drop: Ended",
            br#"2026/11/20 02:10:08 active-response/bin/firewall-drop: {"version":1,"command":"check_keys","parameters":{"keys":["203.0.113.5"]}}"#,
        ] {
            assert_eq!(parse_line(noise, &ctx()).unwrap(), None);
        }
        assert!(parse_line(b"garbage", &ctx()).is_err());
        assert!(
            parse_line(
                b"2026/11/20 02:10:08 active-response/bin/firewall-drop: {not json",
                &ctx()
            )
            .is_err()
        );
    }
}
