//! The one-line alert format Snort 2 introduced (`alert_fast`) and Suricata keeps (`fast.log`):
//!
//! ```text
//! 07/11/2022-10:29:32.251216  [**] [1:2008578:4] ET SCAN Sipvicious Scan [**] [Classification: Attempted Information Leak] [Priority: 2] {UDP} 192.0.2.216:5116 -> 198.51.100.55:5060
//! 05/30-19:09:28.472094  [**] [1:2012811:2] ET DNS Query to a .tk domain [**] [Classification: Potentially Bad Traffic] [Priority: 2] {UDP} 192.0.2.10:1029 -> 198.51.100.3:53
//! 11/20/2026-02:13:44.100000  [Drop] [**] [1:2001219:20] ET SCAN Potential SSH Scan [**] [Classification: Attempted Information Leak] [Priority: 2] {TCP} 203.0.113.5:40000 -> 192.0.2.10:22
//! ```
//!
//! Suricata writes the year with four digits (`MM/DD/YYYY-…`, its `CreateTimeString`); Snort 2 none
//! (`MM/DD-…`) or two with `-y` (`MM/DD/YY-…`). That is how the observer is told: `suricata` or
//! `snort` (advice differs). Times are the sensor's local time (`--source-tz` / `--tz`); a year-less
//! one takes the year nearest the scan.
//!
//! `[Drop]` before the alert (Suricata in IPS mode, Snort inline) means the packet was dropped:
//! [`IpsAction::Blocked`]. `[wDrop]` / `[WDrop]` is "would have dropped" (a drop rule in IDS mode):
//! only alerted, like a plain alert. ICMP alerts have no ports (`{ICMP} a -> b`).

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::{Event, EventKind, IpsAction, IpsAlert, ParseError, Proto, TimeContext};

/// Suricata `fast.log` / Snort `alert_fast`.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "fast_log",
    aliases: &["suricata_fast", "snort_fast", "alert_fast"],
    description: "Suricata fast.log / Snort 2 alert_fast: [Drop] alerts as blocks, plain and [wDrop] as alerts",
    example: "11/20/2026-02:13:44.100000  [Drop] [**] [1:2001219:20] ET SCAN Potential SSH Scan [**] [Classification: Attempted Information Leak] [Priority: 2] {TCP} 203.0.113.5:40000 -> 192.0.2.10:22",
    detect: |line| crate::Score::claims_if(split(line).is_some()),
    parse: crate::registry::Parse::Lines(parse_line),
    line_time: |line, ctx| {
        let (ts, _) = split(line)?;
        parse_time(ts, ctx).map(|(t, _)| t)
    },
    ..crate::LogSpec::NETWORK
});

/// The timestamp and the rest of a line that looks like an alert (`TIME  [**] …` or
/// `TIME  [Drop] [**] …`).
fn split(line: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(line).ok()?.trim_end();
    let (ts, rest) = text.split_once(' ')?;
    let rest = rest.trim_start();
    let b = ts.as_bytes();
    let shaped = b.len() >= 14
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && b[2] == b'/'
        && ts.contains('-')
        && ts.contains(':');
    (shaped && (rest.starts_with("[**]") || rest.starts_with('[')) && rest.contains("[**]"))
        .then_some((ts, rest))
}

/// `MM/DD/YYYY-HH:MM:SS.ffffff` (Suricata), `MM/DD/YY-…` (Snort -y), `MM/DD-…` (Snort). The bool:
/// the year had four digits.
pub(crate) fn parse_time(ts: &str, ctx: &TimeContext) -> Option<(DateTime<Utc>, bool)> {
    let (date, clock) = ts.split_once('-')?;
    let mut d = date.split('/');
    let month: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    let year = d.next();
    if d.next().is_some() {
        return None;
    }
    let (h, m, s, nanos) = crate::time::clock(clock)?;
    match year {
        None => ctx
            .yearless_to_utc(month, day, h, m, s, nanos)
            .map(|t| (t, false)),
        Some(y) => {
            let four = y.len() == 4;
            let y: i32 = match y.len() {
                4 => y.parse().ok()?,
                2 => 2000 + y.parse::<i32>().ok()?,
                _ => return None,
            };
            let naive =
                chrono::NaiveDate::from_ymd_opt(y, month, day)?.and_hms_nano_opt(h, m, s, nanos)?;
            ctx.local_to_utc(naive).map(|t| (t, four))
        }
    }
}

/// `203.0.113.5:40000`, `2001:db8::5:40000` (Snort and Suricata print IPv6 without brackets),
/// `[2001:db8::5]:40000`, or a bare address (ICMP). An unbracketed IPv6 endpoint is ambiguous
/// (`2001:db8::10:22` is an address too): with a protocol that has ports, the last `:N` is the port.
pub(crate) fn endpoint(s: &str, ported: bool) -> Option<(IpAddr, Option<u16>)> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('[') {
        let (a, p) = rest.split_once("]:")?;
        return Some((a.parse().ok()?, Some(p.parse().ok()?)));
    }
    if let Some((a, p)) = s.rsplit_once(':')
        && ported
        && let (Ok(a), Ok(p)) = (a.parse(), p.parse())
    {
        return Some((a, Some(p)));
    }
    Some((s.parse().ok()?, None))
}

/// The time of an alert clock (`MM/DD[/YY[YY]]-HH:MM:SS.ffffff`).
pub(crate) fn clock_time(ts: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    parse_time(ts, ctx).map(|(t, _)| t)
}

/// Parse one alert line.
pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
    let Some((ts, rest)) = split(text.as_bytes()) else {
        return Err(ParseError::NotFormat("fast.log alert"));
    };
    let (time, suricata) =
        parse_time(ts, ctx).ok_or(ParseError::Timestamp("not MM/DD[/YYYY]-HH:MM:SS.ffffff"))?;
    // `[Drop] [**] …`, `[wDrop] [**] …`, `[**] …`
    let (action, body) = match rest.split_once("[**]") {
        Some((pre, body)) => {
            let pre = pre.trim().trim_matches(['[', ']']).to_ascii_lowercase();
            let action = match pre.as_str() {
                "drop" => IpsAction::Blocked,
                _ => IpsAction::Alerted,
            };
            (action, body)
        }
        None => return Err(ParseError::Field("no [**]")),
    };
    // ` [1:2008578:4] ET SCAN Sipvicious Scan [**] [Classification: …] [Priority: 2] {UDP} a -> b`
    let (head, tail) = body
        .split_once("[**]")
        .ok_or(ParseError::Field("signature not closed by [**]"))?;
    let head = head.trim();
    let (ids, signature) = head
        .strip_prefix('[')
        .and_then(|h| h.split_once(']'))
        .ok_or(ParseError::Field("[gid:sid:rev]"))?;
    let sid = ids.split(':').nth(1).and_then(|s| s.parse::<u64>().ok());
    let signature = signature.trim().trim_matches('"').to_string();
    let (proto, flow) = tail
        .rsplit_once('{')
        .and_then(|(_, p)| p.split_once('}'))
        .ok_or(ParseError::Field("{PROTO}"))?;
    let (src, dst) = flow
        .split_once(" -> ")
        .ok_or(ParseError::Field("SRC -> DST"))?;
    let proto = Proto::from_text(proto);
    let ported = matches!(proto, Proto::Tcp | Proto::Udp) || proto.as_str() == "sctp";
    let (src, _) = endpoint(src, ported).ok_or(ParseError::Field("source address"))?;
    let (dst, dport) = endpoint(dst, ported).ok_or(ParseError::Field("destination address"))?;
    Ok(Some(Event {
        time,
        host: None,
        observer: if suricata { "suricata" } else { "snort" },
        kind: EventKind::IpsAlert(IpsAlert {
            action,
            src,
            dst: Some(dst),
            proto: Some(proto),
            dport,
            signature,
            signature_id: sid,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::test_util::{a, ctx};

    fn alert(line: &str) -> (Event, IpsAlert) {
        crate::test_util::the_alert(&parse_line(line.as_bytes(), &ctx()))
    }

    #[test]
    fn suricata_lines_from_a_real_sensor() {
        // crowdsecurity/hub's fast.log test lines, addresses replaced.
        let (ev, x) = alert(
            "07/11/2022-10:29:32.251216  [**] [1:2008578:4] ET SCAN Sipvicious Scan [**] [Classification: Attempted Information Leak] [Priority: 2] {UDP} 192.0.2.216:5116 -> 198.51.100.55:5060",
        );
        assert_eq!(ev.observer, "suricata");
        assert_eq!(
            ev.time,
            Utc.with_ymd_and_hms(2022, 7, 11, 10, 29, 32).unwrap()
                + chrono::Duration::microseconds(251216)
        );
        assert_eq!(x.action, IpsAction::Alerted);
        assert_eq!(x.src, a("192.0.2.216"));
        assert_eq!((x.dst, x.dport), (Some(a("198.51.100.55")), Some(5060)));
        assert_eq!(x.proto, Some(Proto::Udp));
        assert_eq!(x.signature, "ET SCAN Sipvicious Scan");
        assert_eq!(x.signature_id, Some(2008578));
        let (_, x) = alert(
            "07/11/2022-06:09:52.602489  [**] [1:2034125:4] ET EXPLOIT Apache HTTP Server 2.4.49 - Path Traversal Attempt (CVE-2021-41773) M2 [**] [Classification: Attempted Administrator Privilege Gain] [Priority: 1] {TCP} 192.0.2.104:36288 -> 198.51.100.55:80",
        );
        assert!(
            x.signature.contains("(CVE-2021-41773) M2"),
            "{}",
            x.signature
        );
    }

    #[test]
    fn drop_blocks_wdrop_only_alerts() {
        let (_, x) = alert(FORMAT.example());
        assert_eq!(x.action, IpsAction::Blocked);
        for pre in ["[wDrop]", "[WDrop]"] {
            let line = FORMAT.example().replace("[Drop]", pre);
            assert_eq!(alert(&line).1.action, IpsAction::Alerted, "{pre}");
        }
    }

    #[test]
    fn snort_lines_yearless_icmp_and_ipv6() {
        // Elastic's Snort 2.9 alert_fast test lines.
        let (ev, x) = alert(
            "05/30-19:09:28.472094  [**] [1:2012811:2] ET DNS DNS Query to a .tk domain - Likely Hostile [**] [Classification: Potentially Bad Traffic] [Priority: 2] {UDP} 192.0.2.10:1029 -> 198.51.100.3:53",
        );
        assert_eq!(ev.observer, "snort");
        assert_eq!(ev.time.format("%Y").to_string(), "2026");
        assert_eq!(x.dport, Some(53));
        let (_, x) = alert(
            "05/30-19:09:10.917356  [**] [1:477:3] ICMP Packet [**] [Priority: 0] {ICMP} 192.0.2.245 -> 192.0.2.153",
        );
        assert_eq!((x.proto, x.dport), (Some(Proto::Icmp), None));
        let (ev, x) = alert(
            "11/20/26-02:13:44.000001  [**] [1:1000001:1] \"scan\" [**] [Priority: 1] {TCP} 2001:db8::5:40000 -> 2001:db8::10:22",
        );
        assert_eq!(ev.observer, "snort");
        assert_eq!(x.src, a("2001:db8::5"));
        assert_eq!((x.dst, x.dport), (Some(a("2001:db8::10")), Some(22)));
        assert_eq!(x.signature, "scan");
    }

    #[test]
    fn broken_alerts_are_malformed() {
        for line in [
            "13/45/2022-10:29:32.251216  [**] [1:1:1] x [**] {TCP} 192.0.2.1:1 -> 192.0.2.2:2",
            "07/11/2022-10:29:32.251216  [**] [1:1:1] x [**] {TCP} 192.0.2.1:1 => 192.0.2.2:2",
            "07/11/2022-10:29:32.251216  [**] [1:1:1] x [**] [Priority: 2]",
            "07/11/2022-10:29:32.251216  [**] [1:1:1] x",
            "07/11/2022-10:29:32.251216  [**] [1:1:1] x [**] {TCP} 192.0.2:1 -> 192.0.2.2:2",
            "hello world",
        ] {
            assert!(parse_line(line.as_bytes(), &ctx()).is_err(), "{line}");
        }
    }
}
