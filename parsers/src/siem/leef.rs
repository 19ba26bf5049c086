//! IBM QRadar's Log Event Extended Format
//! (<https://www.ibm.com/docs/en/dsm?topic=leef-overview>), bare or after a syslog header:
//!
//! ```text
//! LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value…
//! LEEF:2.0|Vendor|Product|Version|EventID|^|key=value^key=value…
//! ```
//!
//! LEEF 1.0 separates attributes with a tab; 2.0 names its delimiter in a sixth header field (a
//! character, or its hex as `x5E` / `0x5E`; empty means tab). Standard keys: `src`, `dst`,
//! `srcPort`, `dstPort`, `proto`, `cat`, `devTime` (with `devTimeFormat`, or epoch ms). What the
//! event is follows the CEF rules ([`super::cef`]): an intrusion category or event ID with a
//! blocking `action` (vendors' own key; QRadar maps it) is an IPS block, a blocking action alone a
//! firewall deny. The observer is `leef`; vendor and product stay in the line.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{
    DenyAction, EventKind, FirewallDeny, IpsAction, IpsAlert, ParseError, Proto, TimeContext,
};

/// The text from `LEEF:` on, if the message is LEEF.
pub fn start(text: &str) -> Option<&str> {
    text.trim_start().strip_prefix("LEEF:")
}

/// The record of a syslog message: after a syslog header the `LEEF` word is taken for the tag and
/// the message starts at the version.
pub fn record<'a>(app: Option<&str>, text: &'a str) -> Option<&'a str> {
    match app {
        Some("LEEF") => Some(text.trim_start()),
        _ => start(text),
    }
}

/// A LEEF record: vendor, product, event ID, attributes.
pub struct Leef<'a> {
    pub vendor: &'a str,
    pub product: &'a str,
    pub event_id: &'a str,
    attrs: Vec<(&'a str, &'a str)>,
}

impl<'a> Leef<'a> {
    pub fn get(&self, k: &str) -> Option<&'a str> {
        super::value(&self.attrs, k)
    }
}

fn delimiter(field: &str) -> Option<char> {
    let f = field.trim();
    if f.is_empty() {
        return Some('\t');
    }
    let hex = f.strip_prefix("0x").or_else(|| f.strip_prefix('x'));
    match hex {
        Some(h) if h.len() == 2 => u8::from_str_radix(h, 16).ok().map(char::from),
        _ => f.chars().next().filter(|_| f.chars().count() == 1),
    }
}

/// Parse a LEEF record (the text after `LEEF:`).
pub fn parse(rec: &str) -> Result<Leef<'_>, ParseError> {
    let mut h = rec.splitn(6, '|');
    let version = h.next().unwrap_or_default();
    let (vendor, product, _ver, event_id) = match (h.next(), h.next(), h.next(), h.next()) {
        (Some(a), Some(b), Some(c), Some(d)) => (a, b, c, d),
        _ => return Err(ParseError::Field("LEEF header has fewer than 5 fields")),
    };
    let rest = h.next().unwrap_or_default();
    let (delim, attrs) = if version.starts_with('2') {
        let (d, attrs) = rest
            .split_once('|')
            .ok_or(ParseError::Field("LEEF 2.0 delimiter"))?;
        (
            delimiter(d).ok_or(ParseError::Field("LEEF 2.0 delimiter"))?,
            attrs,
        )
    } else if version.starts_with('1') {
        ('\t', rest)
    } else {
        return Err(ParseError::Field("LEEF version"));
    };
    let attrs = attrs
        .split(delim)
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim(), v))
        .collect();
    Ok(Leef {
        vendor,
        product,
        event_id,
        attrs,
    })
}

/// Classify a LEEF message.
pub fn classify(app: Option<&str>, text: &str) -> Result<Option<EventKind>, ParseError> {
    let Some(rec) = record(app, text) else {
        return Ok(None);
    };
    let l = parse(rec)?;
    let action = ["action", "act", "deviceAction", "policyAction"]
        .iter()
        .find_map(|k| l.get(k))
        .and_then(super::cef::blocking)
        .or_else(|| super::cef::blocking(l.event_id));
    let ips = [l.event_id, l.get("cat").unwrap_or_default()]
        .iter()
        .any(|s| super::cef::intrusion_words(s));
    if action.is_none() && !ips {
        return Ok(None);
    }
    let Some(src) = l.get("src").and_then(|a| a.parse().ok()) else {
        return Ok(None);
    };
    let dst = l.get("dst").and_then(|a| a.parse().ok());
    let dport = l.get("dstPort").and_then(|p| p.parse().ok());
    let proto = l.get("proto").map(Proto::from_text);
    Ok(Some(if ips {
        EventKind::IpsAlert(IpsAlert {
            action: IpsAction::blocked_if(action.is_some()),
            src,
            dst,
            proto,
            dport,
            signature: l.event_id.to_string(),
            signature_id: l.event_id.parse().ok(),
        })
    } else {
        EventKind::FirewallDeny(FirewallDeny {
            action: action.unwrap_or(DenyAction::Drop),
            src,
            dst,
            proto,
            sport: l.get("srcPort").and_then(|p| p.parse().ok()),
            dport,
            rule: l.get("policy").or(l.get("rule")).map(str::to_string),
        })
    }))
}

/// The time of a bare LEEF line: `devTime` in `devTimeFormat` (Java-style patterns reduced to
/// the common `MMM dd yyyy HH:mm:ss`), epoch milliseconds, or ISO 8601.
pub fn own_time(text: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let l = parse(start(text)?).ok()?;
    let t = l.get("devTime")?;
    if let Ok(ms) = t.parse::<i64>() {
        return DateTime::from_timestamp_millis(ms);
    }
    if let Some(x) = crate::time::parse_iso8601(t, ctx) {
        return Some(x);
    }
    let t = t.split('.').next()?;
    for f in [
        "%b %d %Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%d/%b/%Y:%H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return ctx.local_to_utc(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    #[test]
    fn leef1_tabs_and_leef2_delimiters() {
        let l1 = "LEEF:1.0|Example|FW|1.0|Deny|src=203.0.113.5\tdst=192.0.2.10\tsrcPort=40000\tdstPort=443\tproto=TCP\taction=block\tdevTime=1795140824000";
        match classify(None, l1) {
            Ok(Some(EventKind::FirewallDeny(d))) => {
                assert_eq!(d.src, a("203.0.113.5"));
                assert_eq!(
                    (d.dst, d.dport, d.sport),
                    (Some(a("192.0.2.10")), Some(443), Some(40000))
                );
                assert_eq!(d.action, DenyAction::Drop);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            own_time(l1, &ctx()).map(|t| t.timestamp()),
            Some(1795140824)
        );
        let l2 = "LEEF:2.0|Example|IPS|2.1|Intrusion Prevented|x5E|cat=Intrusion^src=203.0.113.5^dst=192.0.2.10^dstPort=22^action=dropped^devTime=Nov 20 2026 02:13:44";
        match classify(None, l2) {
            Ok(Some(EventKind::IpsAlert(x))) => {
                assert_eq!(x.action, IpsAction::Blocked);
                assert_eq!(x.dport, Some(22));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            own_time(l2, &ctx()).map(|t| t.timestamp()),
            Some(1795140824)
        );
        let allowed = l1
            .replace("action=block", "action=allow")
            .replace("|Deny|", "|Allow|");
        assert_eq!(classify(None, &allowed), Ok(None));
        assert!(classify(None, "LEEF:1.0|a|b").is_err());
        assert!(classify(None, "LEEF:3.0|a|b|c|d|src=1").is_err());
        assert!(classify(None, "LEEF:2.0|a|b|c|d|toolong|src=1").is_err());
    }
}
