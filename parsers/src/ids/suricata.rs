//! Suricata eve.json: one JSON object per line.
//!
//! Only `alert` and `drop` records become events ([`IpsAlert`]); every other `event_type` (flow,
//! stats, dns, http, fileinfo, anomaly, …) is a well-framed line we do not care about (`Ok(None)`).
//! The line is deserialized into a borrowed struct holding only the fields we read; a field of an
//! unexpected JSON type (a shipper that turned `host` into an object, a port written as a string)
//! is tolerated rather than failing the line.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::time::parse_iso8601;
use crate::{Event, EventKind, IpsAction, IpsAlert, ParseError, Proto, TimeContext};

/// Suricata `eve.json`.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "suricata_eve",
    aliases: &["eve", "suricata"],
    description: "Suricata eve.json: alert (blocked/allowed) and drop events",
    example: r#"{"timestamp":"2026-11-20T02:18:44.571203+0000","event_type":"alert","src_ip":"203.0.113.5","src_port":53310,"dest_ip":"192.0.2.50","dest_port":22,"proto":"TCP","alert":{"action":"blocked","signature_id":2001219,"signature":"ET SCAN Potential SSH Scan"}}"#,
    detect: |line| {
        let t = line.trim_ascii_start();
        crate::Score::claims_if(
            t.starts_with(b"{") && memchr::memmem::find(t, b"\"event_type\"").is_some(),
        )
    },
    parse: crate::registry::Parse::Lines(parse_eve_line),
    line_time,
    ..crate::LogSpec::NETWORK
});

/// A JSON value we only want if it is a string or a number; anything else is skipped, not an error.
#[derive(Debug, Default)]
enum Loose<'a> {
    Str(Cow<'a, str>),
    Num(u64),
    #[default]
    Other,
}

impl<'a> Loose<'a> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Loose::Str(s) => Some(s),
            _ => None,
        }
    }

    fn as_u64(&self) -> Option<u64> {
        match self {
            Loose::Num(n) => Some(*n),
            Loose::Str(s) => s.trim().parse().ok(),
            Loose::Other => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Loose::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Loose::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Loose::Str(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Loose::Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(u64::try_from(v).map_or(Loose::Other, Loose::Num))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Loose::Other)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// The `alert` (or `drop`) sub-object: only the fields we read.
#[derive(Debug, Default)]
struct EveAlert<'a> {
    action: Loose<'a>,
    signature: Loose<'a>,
    signature_id: Loose<'a>,
    reason: Loose<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for EveAlert<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EveAlert<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = EveAlert::default();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match &*key {
                        "action" => out.action = map.next_value()?,
                        "signature" => out.signature = map.next_value()?,
                        "signature_id" => out.signature_id = map.next_value()?,
                        "reason" => out.reason = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
            // Anything that is not an object: treat as absent.
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(EveAlert::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(EveAlert::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(EveAlert::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(EveAlert::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(EveAlert::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(EveAlert::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(EveAlert::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(EveAlert::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// The top-level eve record: only the fields we read, borrowed from the line where possible.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EveRecord<'a> {
    #[serde(borrow)]
    timestamp: Loose<'a>,
    #[serde(borrow)]
    event_type: Loose<'a>,
    #[serde(borrow)]
    src_ip: Loose<'a>,
    #[serde(borrow)]
    dest_ip: Loose<'a>,
    #[serde(borrow)]
    proto: Loose<'a>,
    #[serde(borrow)]
    dest_port: Loose<'a>,
    #[serde(borrow)]
    host: Loose<'a>,
    #[serde(borrow)]
    alert: Option<EveAlert<'a>>,
    #[serde(borrow)]
    drop: Option<EveAlert<'a>>,
}

/// Alert actions that mean the sensor stopped the traffic (IPS mode).
fn is_blocking_action(action: &str) -> bool {
    matches!(
        action.to_ascii_lowercase().as_str(),
        "blocked" | "drop" | "dropped" | "reject" | "rejected"
    )
}

/// The time of a line (for source coverage), without parsing the whole record.
pub fn line_time(line: &[u8], ctx: &TimeContext) -> Option<chrono::DateTime<chrono::Utc>> {
    crate::time::parse_iso8601(crate::json_str_field(line, b"\"timestamp\"")?, ctx)
}

/// Parse one eve.json line.
///
/// * `Ok(Some(_))`: an `alert` (action `blocked`/`drop`/`rejected` → [`IpsAction::Blocked`], else
///   [`IpsAction::Alerted`]) or a `drop` record (always `Blocked`).
/// * `Ok(None)`: a valid eve record of another `event_type`.
/// * `Err`: invalid JSON ([`ParseError::Json`]), a line that is not a JSON object, a missing or
///   invalid `timestamp` ([`ParseError::Timestamp`]), or an alert/drop without a valid `src_ip`
///   ([`ParseError::Field`]).
///
/// [`Event::host`] is the record's `host` field (the sensor name) when it is a string.
pub fn parse_eve_line(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let first = line.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(ParseError::Json("line is not a JSON object".to_string()));
    }
    let rec: EveRecord<'_> =
        serde_json::from_slice(line).map_err(|e| ParseError::Json(e.to_string()))?;

    let event_type = rec.event_type.as_str().unwrap_or("");
    let is_drop = match event_type {
        "alert" => false,
        "drop" => true,
        _ => return Ok(None),
    };

    let ts = rec
        .timestamp
        .as_str()
        .ok_or(ParseError::Timestamp("eve record without timestamp"))?;
    let time = parse_iso8601(ts, ctx).ok_or(ParseError::Timestamp("invalid eve timestamp"))?;

    let src: IpAddr = rec
        .src_ip
        .as_str()
        .and_then(|s| s.trim().parse().ok())
        .ok_or(ParseError::Field("src_ip"))?;
    let dst: Option<IpAddr> = rec.dest_ip.as_str().and_then(|s| s.trim().parse().ok());
    let proto = rec.proto.as_str().map(Proto::from_text);
    let dport = rec.dest_port.as_u64().and_then(|p| u16::try_from(p).ok());

    let alert = rec.alert.unwrap_or_default();
    let action = if is_drop || alert.action.as_str().is_some_and(is_blocking_action) {
        IpsAction::Blocked
    } else {
        IpsAction::Alerted
    };

    let drop = rec.drop.unwrap_or_default();
    let signature = match (alert.signature.as_str(), drop.signature.as_str()) {
        (Some(s), _) | (None, Some(s)) => s.to_string(),
        (None, None) if is_drop => match drop.reason.as_str() {
            Some(reason) => format!("drop ({reason})"),
            None => "drop".to_string(),
        },
        (None, None) => "alert".to_string(),
    };
    let signature_id = alert
        .signature_id
        .as_u64()
        .or_else(|| drop.signature_id.as_u64());

    let host = rec.host.as_str().map(str::to_string);

    Ok(Some(Event {
        observer: "suricata",
        time,
        host,
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
    use crate::test_util::ctx;

    fn alert_of(ev: &Event) -> &IpsAlert {
        match &ev.kind {
            EventKind::IpsAlert(a) => a,
            other => panic!("not an alert: {other:?}"),
        }
    }

    #[test]
    fn alert_allowed_is_alerted() {
        let line = br#"{"timestamp":"2026-11-20T02:13:44.415742+0000","flow_id":1,"in_iface":"eth0","event_type":"alert","src_ip":"192.0.2.10","src_port":51234,"dest_ip":"198.51.100.5","dest_port":443,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2010935,"rev":3,"signature":"ET SCAN Suspicious inbound to MSSQL port 1433","category":"Potentially Bad Traffic","severity":2}}"#;
        let ev = parse_eve_line(line, &ctx()).unwrap().unwrap();
        assert_eq!(ev.time.to_rfc3339(), "2026-11-20T02:13:44.415742+00:00");
        assert_eq!(ev.host, None);
        let a = alert_of(&ev);
        assert_eq!(a.action, IpsAction::Alerted);
        assert_eq!(a.src, "192.0.2.10".parse::<IpAddr>().unwrap());
        assert_eq!(a.dst, Some("198.51.100.5".parse().unwrap()));
        assert_eq!(a.proto, Some(Proto::Tcp));
        assert_eq!(a.dport, Some(443));
        assert_eq!(a.signature_id, Some(2010935));
        assert!(a.signature.starts_with("ET SCAN"));
    }

    #[test]
    fn blocked_actions_and_host() {
        for action in ["blocked", "drop", "rejected"] {
            let line = format!(
                r#"{{"timestamp":"2026-11-20T02:13:44Z","host":"ids01","event_type":"alert","src_ip":"192.0.2.10","dest_ip":"198.51.100.5","dest_port":22,"proto":"TCP","alert":{{"action":"{action}","signature_id":1,"signature":"x \"quoted\""}}}}"#
            );
            let ev = parse_eve_line(line.as_bytes(), &ctx()).unwrap().unwrap();
            assert_eq!(ev.host.as_deref(), Some("ids01"));
            let a = alert_of(&ev);
            assert_eq!(a.action, IpsAction::Blocked, "{action}");
            assert_eq!(a.signature, "x \"quoted\"");
        }
    }

    #[test]
    fn drop_event_is_blocked() {
        let line = br#"{"timestamp":"2026-11-20T02:13:44.000000+0000","event_type":"drop","src_ip":"2001:db8::1","dest_ip":"2001:db8::2","proto":"UDP","dest_port":53,"drop":{"len":60,"reason":"rules"}}"#;
        let ev = parse_eve_line(line, &ctx()).unwrap().unwrap();
        let a = alert_of(&ev);
        assert_eq!(a.action, IpsAction::Blocked);
        assert_eq!(a.signature, "drop (rules)");
        assert_eq!(a.proto, Some(Proto::Udp));
        assert_eq!(a.signature_id, None);

        let line = br#"{"timestamp":"2026-11-20T02:13:44Z","event_type":"drop","src_ip":"192.0.2.1","drop":{},"alert":{"action":"blocked","signature":"sig","signature_id":7}}"#;
        let a = parse_eve_line(line, &ctx()).unwrap().unwrap();
        assert_eq!(alert_of(&a).signature, "sig");
        assert_eq!(alert_of(&a).signature_id, Some(7));
    }

    #[test]
    fn other_event_types_are_none() {
        for t in ["flow", "stats", "dns", "http", "fileinfo", "anomaly", "tls"] {
            let line = format!(
                r#"{{"timestamp":"2026-11-20T02:13:44Z","event_type":"{t}","src_ip":"192.0.2.1","stats":{{"a":[1,2]}}}}"#
            );
            assert_eq!(parse_eve_line(line.as_bytes(), &ctx()), Ok(None));
        }
        // No event_type at all: well-framed JSON, not an event.
        assert_eq!(parse_eve_line(br#"{"a":1}"#, &ctx()), Ok(None));
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(matches!(
            parse_eve_line(b"{\"timestamp\":", &ctx()),
            Err(ParseError::Json(_))
        ));
        assert!(matches!(
            parse_eve_line(b"[1,2,3]", &ctx()),
            Err(ParseError::Json(_))
        ));
        assert!(matches!(
            parse_eve_line(b"\"alert\"", &ctx()),
            Err(ParseError::Json(_))
        ));
        assert!(matches!(
            parse_eve_line(b"", &ctx()),
            Err(ParseError::Json(_))
        ));
        assert!(matches!(
            parse_eve_line(b"{\"event_type\":\"alert\xff\"}", &ctx()),
            Err(ParseError::Json(_))
        ));
        // Alert without a usable src_ip.
        let line = br#"{"timestamp":"2026-11-20T02:13:44Z","event_type":"alert","src_ip":"not-an-ip","alert":{"signature":"x"}}"#;
        assert_eq!(
            parse_eve_line(line, &ctx()),
            Err(ParseError::Field("src_ip"))
        );
        let line = br#"{"timestamp":"2026-11-20T02:13:44Z","event_type":"alert"}"#;
        assert_eq!(
            parse_eve_line(line, &ctx()),
            Err(ParseError::Field("src_ip"))
        );
        let line = br#"{"timestamp":"yesterday","event_type":"alert","src_ip":"192.0.2.1"}"#;
        assert!(matches!(
            parse_eve_line(line, &ctx()),
            Err(ParseError::Timestamp(_))
        ));
    }

    #[test]
    fn odd_field_types_are_tolerated() {
        // Filebeat-style `host` object, string port, numeric proto, escaped src_ip.
        let line = br#"{"timestamp":"2026-11-20T02:13:44Z","host":{"name":"x"},"event_type":"alert","src_ip":"192.0.2.\u0031","dest_port":"8080","proto":6,"alert":{"action":null,"signature":"s","signature_id":-1,"metadata":{"k":["v"]}}}"#;
        let ev = parse_eve_line(line, &ctx()).unwrap().unwrap();
        assert_eq!(ev.host, None);
        let a = alert_of(&ev);
        assert_eq!(a.src, "192.0.2.1".parse::<IpAddr>().unwrap());
        assert_eq!(a.dport, Some(8080));
        assert_eq!(a.proto, None);
        assert_eq!(a.signature_id, None);
        assert_eq!(a.action, IpsAction::Alerted);
    }
}
