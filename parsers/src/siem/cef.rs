//! ArcSight Common Event Format, the export many firewalls, IPSs and SIEMs write
//! (<https://www.microfocus.com/documentation/arcsight/arcsight-smartconnectors/pdfdoc/common-event-format-v25/common-event-format-v25.pdf>):
//!
//! ```text
//! CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
//! Oct 26 20:01:31 Express-7 CEF:0|Ubiquiti|UniFi Network|10.0.140|201|Threat Detected and Blocked|7|proto=TCP src=198.51.100.10 spt=46621 dpt=80 act=blocked …
//! ```
//!
//! Recognised bare, after any syslog header (the tag is then `CEF`), or — as some collectors store
//! it — without the `CEF:` word (`0|Ubiquiti|UniFi Network|…`, seven `|`-separated header fields).
//! Header fields escape `\|` and `\\`; extension values escape `\=` and run, spaces included, up to
//! the next ` key=`.
//!
//! What the event is, from the standard keys:
//! - an intrusion event (the name or `cat` says threat / intrusion / attack / exploit / scan / IPS,
//!   or a vendor's `…ipsSignature` key) is an [`IpsAlert`], blocked when the action (`act`, or the
//!   name: "… and Blocked") says the device stopped it;
//! - otherwise a blocking action is a [`FirewallDeny`] (reject when it says reject / reset);
//! - anything else (logins, config changes, allowed traffic) is no event.
//!
//! Addresses: `src`/`dst` (`c6a2`/`c6a3` for IPv6), ports `spt`/`dpt`, `proto`. The time of a bare
//! line is `rt` (epoch ms or `MMM dd yyyy HH:mm:ss`), `start`, `end`, or an ISO 8601 `…utcTime` key
//! (UniFi's `UNIFIutcTime`). The observer is `cef`; the vendor and product stay in the line, which
//! the advice reads.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{
    DenyAction, EventKind, FirewallDeny, IpsAction, IpsAlert, ParseError, Proto, TimeContext,
};

/// A CEF record: the seven header fields and the extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cef<'a> {
    pub vendor: String,
    pub product: String,
    pub signature_id: String,
    pub name: String,
    ext: Vec<(&'a str, &'a str)>,
}

impl<'a> Cef<'a> {
    /// The value of extension key `k` (escapes kept).
    pub fn get(&self, k: &str) -> Option<&'a str> {
        super::value(&self.ext, k)
    }
}

/// The text from `CEF:` (or a bare `0|…` header) on, if the message is CEF.
pub fn start(text: &str) -> Option<&str> {
    let t = text.trim_start();
    if let Some(rest) = t.strip_prefix("CEF:") {
        return Some(rest);
    }
    // `0|Vendor|Product|Version|ID|Name|Severity|…`
    let b = t.as_bytes();
    (b.len() > 2 && b[0].is_ascii_digit() && b[1] == b'|' && t.matches('|').count() >= 7)
        .then_some(t)
}

/// Split at unescaped `|`: the seven header fields and the extension.
fn header(rec: &str) -> Option<(Vec<String>, &str)> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut it = rec.char_indices();
    while let Some((i, c)) = it.next() {
        match c {
            '\\' => {
                if let Some((_, n)) = it.next() {
                    cur.push(n);
                }
            }
            '|' => {
                fields.push(std::mem::take(&mut cur));
                if fields.len() == 7 {
                    return Some((fields, &rec[i + 1..]));
                }
            }
            c => cur.push(c),
        }
    }
    None
}

/// `key=value key2=value with spaces …`: keys are the words before unescaped `=`.
fn extension(ext: &str) -> Vec<(&str, &str)> {
    let b = ext.as_bytes();
    // Start of every `key=` (the key begins after a space or at the start).
    let mut keys: Vec<(usize, usize)> = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        if c != b'=' || (i > 0 && b[i - 1] == b'\\') {
            continue;
        }
        let mut k = i;
        while k > 0
            && (b[k - 1].is_ascii_alphanumeric()
                || matches!(b[k - 1], b'_' | b'.' | b'-' | b'[' | b']'))
        {
            k -= 1;
        }
        if k < i && (k == 0 || b[k - 1] == b' ') {
            keys.push((k, i));
        }
    }
    let mut out = Vec::with_capacity(keys.len());
    for (n, &(k, eq)) in keys.iter().enumerate() {
        let end = keys.get(n + 1).map_or(b.len(), |&(next, _)| next);
        out.push((&ext[k..eq], ext[eq + 1..end].trim_end()));
    }
    out
}

/// Parse a CEF record (the text from after `CEF:`).
pub fn parse(rec: &str) -> Result<Cef<'_>, ParseError> {
    let (h, ext) = header(rec).ok_or(ParseError::Field("CEF header has fewer than 7 fields"))?;
    if !h[0].bytes().all(|b| b.is_ascii_digit()) || h[0].is_empty() {
        return Err(ParseError::Field("CEF version"));
    }
    let mut h = h.into_iter().skip(1);
    let mut next = || h.next().unwrap_or_default();
    Ok(Cef {
        vendor: next(),
        product: next(),
        signature_id: {
            let _version = next();
            next()
        },
        name: next(),
        ext: extension(ext),
    })
}

/// Does an action word say the device stopped the traffic (and how)?
pub(crate) fn blocking(s: &str) -> Option<DenyAction> {
    let s = s.to_ascii_lowercase();
    if ["reject", "reset", "rst"].iter().any(|w| s.contains(w)) {
        Some(DenyAction::Reject)
    } else if ["block", "deny", "denied", "drop", "prevent", "quarantin"]
        .iter()
        .any(|w| s.contains(w))
    {
        Some(DenyAction::Drop)
    } else {
        None
    }
}

/// Does a name or category speak of an intrusion (threat, attack, exploit, scan, IPS)?
pub(crate) fn intrusion_words(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    [
        "threat",
        "intrusion",
        "attack",
        "exploit",
        "scan",
        "ips",
        "ids ",
    ]
    .iter()
    .any(|w| s.contains(w))
}

fn intrusion(c: &Cef<'_>) -> bool {
    let hit = intrusion_words;
    hit(&c.name)
        || c.get("cat").is_some_and(hit)
        || c.ext
            .iter()
            .any(|(k, _)| k.to_ascii_lowercase().ends_with("ipssignature"))
}

fn addr(c: &Cef<'_>, v4: &str, v6: &str) -> Option<IpAddr> {
    c.get(v4).or_else(|| c.get(v6)).and_then(|a| a.parse().ok())
}

/// Classify a CEF message.
pub fn classify(text: &str) -> Result<Option<EventKind>, ParseError> {
    let Some(rec) = start(text) else {
        return Ok(None);
    };
    let c = parse(rec)?;
    let action = c
        .get("act")
        .and_then(blocking)
        .or_else(|| blocking(&c.name));
    let is_ips = intrusion(&c);
    if action.is_none() && !is_ips {
        return Ok(None);
    }
    let Some(src) = addr(&c, "src", "c6a2") else {
        return Ok(None);
    };
    let dst = addr(&c, "dst", "c6a3");
    let dport = c.get("dpt").and_then(|p| p.parse().ok());
    let proto = c.get("proto").map(Proto::from_text);
    Ok(Some(if is_ips {
        let signature = c
            .ext
            .iter()
            .find(|(k, _)| k.to_ascii_lowercase().ends_with("ipssignature"))
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| c.name.clone());
        let signature_id = c
            .ext
            .iter()
            .find(|(k, _)| k.to_ascii_lowercase().ends_with("ipssignatureid"))
            .and_then(|(_, v)| v.parse().ok())
            .or_else(|| c.signature_id.parse().ok());
        EventKind::IpsAlert(IpsAlert {
            action: IpsAction::blocked_if(action.is_some()),
            src,
            dst,
            proto,
            dport,
            signature,
            signature_id,
        })
    } else {
        EventKind::FirewallDeny(FirewallDeny {
            action: action.unwrap_or(DenyAction::Drop),
            src,
            dst,
            proto,
            sport: c.get("spt").and_then(|p| p.parse().ok()),
            dport,
            rule: c
                .get("cs1")
                .filter(|_| c.get("cs1Label").is_some_and(|l| l.contains("Rule")))
                .or(c.get("deviceExternalId"))
                .map(str::to_string)
                .or_else(|| Some(format!("{} {}", c.vendor, c.product))),
        })
    }))
}

/// The time a bare CEF line carries.
pub fn own_time(text: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let c = parse(start(text)?).ok()?;
    for k in ["rt", "start", "end"] {
        if let Some(v) = c.get(k) {
            if let Ok(ms) = v.parse::<i64>() {
                return DateTime::from_timestamp_millis(ms);
            }
            if let Some(t) = crate::time::parse_iso8601(v, ctx) {
                return Some(t);
            }
            // `Nov 20 2026 02:13:44` (optionally `.SSS`, then maybe a zone we ignore).
            let mut w = v.split_whitespace();
            let s = format!(
                "{} {} {} {}",
                w.next()?,
                w.next()?,
                w.next()?,
                w.next()?.split('.').next()?
            );
            if let Ok(n) = NaiveDateTime::parse_from_str(&s, "%b %d %Y %H:%M:%S") {
                return ctx.local_to_utc(n);
            }
        }
    }
    c.ext
        .iter()
        .find(|(k, _)| k.to_ascii_lowercase().ends_with("utctime"))
        .and_then(|(_, v)| crate::time::parse_iso8601(v.trim(), ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    // Shaped after crowdsecurity/hub's UniFi CEF test lines (addresses replaced).
    const UNIFI_BLOCK: &str = "CEF:0|Ubiquiti|UniFi Network|10.0.140|201|Threat Detected and Blocked|7|proto=TCP src=198.51.100.10 spt=46621 dst=192.0.2.233 dpt=80 act=blocked app=HTTP UNIFIcategory=Security UNIFIsubCategory=Intrusion Prevention UNIFIhost=Express 7 UNIFIipsSignature=ET DROP Dshield Block Listed Source group 1 UNIFIipsSignatureId=2402000 UNIFIutcTime=2025-10-26T19:01:31.807Z msg=A network intrusion attempt from 198.51.100.10 to DS920+ macvlan has been detected and blocked.";
    const UNIFI_ADMIN: &str = "CEF:0|Ubiquiti|UniFi Network|9.4.19|544|Admin Accessed UniFi Network|1|UNIFIcategory=System UNIFIsubCategory=Admin UNIFIhost=Unifi Dream Machine UNIFIaccessMethod=web UNIFIadmin=Secure Admin src=192.0.2.222 UNIFIutcTime=2025-09-04T08:32:58.445Z msg=Secure Admin accessed UniFi Network using the web. Source IP: 192.0.2.222";

    #[test]
    fn unifi_ips_block_is_a_blocked_alert_with_its_signature() {
        let c = parse(start(UNIFI_BLOCK).unwrap()).unwrap();
        assert_eq!(
            (c.vendor.as_str(), c.product.as_str()),
            ("Ubiquiti", "UniFi Network")
        );
        assert_eq!(c.get("UNIFIhost"), Some("Express 7"));
        match classify(UNIFI_BLOCK) {
            Ok(Some(EventKind::IpsAlert(x))) => {
                assert_eq!(x.action, IpsAction::Blocked);
                assert_eq!(x.src, a("198.51.100.10"));
                assert_eq!((x.dst, x.dport), (Some(a("192.0.2.233")), Some(80)));
                assert_eq!(x.signature, "ET DROP Dshield Block Listed Source group 1");
                assert_eq!(x.signature_id, Some(2402000));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            own_time(UNIFI_BLOCK, &ctx()).map(|t| t.to_rfc3339()),
            Some("2025-10-26T19:01:31.807+00:00".into())
        );
        // The same record stored without `CEF:`.
        assert!(matches!(
            classify(UNIFI_BLOCK.strip_prefix("CEF:").unwrap()),
            Ok(Some(EventKind::IpsAlert(_)))
        ));
        assert_eq!(classify(UNIFI_ADMIN), Ok(None));
    }

    #[test]
    fn firewall_denies_escapes_and_times() {
        let line = r"CEF:0|Vendor\|X|FW|1.0|100|Connection denied|5|src=203.0.113.5 dst=192.0.2.10 spt=40000 dpt=443 proto=TCP act=deny msg=a\=b rt=1795140824000";
        let c = parse(start(line).unwrap()).unwrap();
        assert_eq!(c.vendor, "Vendor|X");
        assert_eq!(c.get("msg"), Some(r"a\=b"));
        match classify(line) {
            Ok(Some(EventKind::FirewallDeny(d))) => {
                assert_eq!(d.action, DenyAction::Drop);
                assert_eq!(d.dport, Some(443));
                assert_eq!(d.sport, Some(40000));
                assert_eq!(d.proto, Some(Proto::Tcp));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            own_time(line, &ctx()).map(|t| t.timestamp()),
            Some(1795140824)
        );
        let reset = line.replace("act=deny", "act=reset-both");
        assert!(matches!(
            classify(&reset),
            Ok(Some(EventKind::FirewallDeny(FirewallDeny {
                action: DenyAction::Reject,
                ..
            })))
        ));
        let allowed = line
            .replace("act=deny", "act=allow")
            .replace("Connection denied", "Connection");
        assert_eq!(classify(&allowed), Ok(None));
        let dated = line.replace("rt=1795140824000", "rt=Nov 20 2026 02:13:44");
        assert_eq!(
            own_time(&dated, &ctx()).map(|t| t.timestamp()),
            Some(1795140824)
        );
    }

    #[test]
    fn broken_headers_are_malformed() {
        assert!(classify("CEF:0|a|b|c").is_err());
        assert!(classify("CEF:x|a|b|c|d|e|f|src=1").is_err());
        assert_eq!(classify("hello"), Ok(None));
    }
}
