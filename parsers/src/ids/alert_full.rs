//! Snort 2 `alert_full`: one multi-line record an alert, a blank line between records:
//!
//! ```text
//! [**] [1:1000006:0] TCP connection [**]
//! [Classification: Potentially Bad Traffic] [Priority: 2]
//! 09/04-21:53:15.301504 192.0.2.59:57263 -> 198.51.100.190:22
//! TCP TTL:127 TOS:0x0 ID:61472 IpLen:20 DgmLen:40 DF
//! ***A**** Seq: 0x68940D74  Ack: 0xBC811F16  Win: 0x80E  TcpLen: 20
//! ```
//!
//! The `[**] [gid:sid:rev] msg [**]` header names the signature (a `[Drop]` before it: the packet
//! was dropped inline); the event is yielded on the time-and-addresses line, which is the
//! evidence line (without a header before it — a file cut mid-record — still an alert). The protocol comes a line later, so the event has none; an address without
//! `:port` (ICMP) has no port. Times as in [`super::fastlog`] (year-less unless `-y`).

use crate::{Event, EventKind, IpsAction, IpsAlert, ParseError, TimeContext};

/// Snort 2 `alert_full`.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "snort_full",
    aliases: &["alert_full"],
    description: "Snort 2 alert_full (multi-line records): the alert's signature and addresses; [Drop] as a block",
    example: "11/20-02:13:44.100000 203.0.113.5:40000 -> 192.0.2.10:22",
    detect: |line| {
        let t = line.trim_ascii();
        crate::Score::claims_if(
            (t.starts_with(b"[**] [") || t.starts_with(b"[Drop] [**] [")) && t.ends_with(b"[**]")
                || t.starts_with(b"[Classification: ")
                || t.starts_with(b"[Priority: ")
                || std::str::from_utf8(t).ok().and_then(addresses).is_some(),
        )
    },
    parse: crate::registry::Parse::Stateful(|| Box::new(FullParser::default())),
    line_time: |line, ctx| {
        let t = std::str::from_utf8(line).ok()?;
        let (ts, _) = addresses(t)?;
        super::fastlog::clock_time(ts, ctx)
    },
    header_prefixes: &["[**]"],
    ..crate::LogSpec::NETWORK
});

/// `TIME SRC -> DST`: the time text and the two endpoints.
fn addresses(t: &str) -> Option<(&str, (&str, &str))> {
    let (ts, rest) = t.trim().split_once(' ')?;
    if !(ts.len() >= 14 && ts.as_bytes()[2] == b'/' && ts.contains('-') && ts.contains(':')) {
        return None;
    }
    let (src, dst) = rest.split_once(" -> ")?;
    Some((ts, (src.trim(), dst.trim())))
}

/// Reads one alert file in order, remembering the last header.
#[derive(Debug, Default)]
pub struct FullParser {
    signature: Option<(String, Option<u64>, bool)>,
}

impl crate::LineParser for FullParser {
    fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
        let t = text.trim();
        if let Some(h) = t.strip_suffix("[**]") {
            let (dropped, h) = match h.strip_prefix("[Drop]") {
                Some(rest) => (true, rest.trim_start()),
                None => (false, h),
            };
            let h = h
                .strip_prefix("[**]")
                .ok_or(ParseError::Field("[**] header"))?
                .trim();
            let (ids, msg) = h
                .strip_prefix('[')
                .and_then(|x| x.split_once(']'))
                .ok_or(ParseError::Field("[gid:sid:rev]"))?;
            let sid = ids.split(':').nth(1).and_then(|s| s.parse().ok());
            self.signature = Some((msg.trim().to_string(), sid, dropped));
            return Ok(None);
        }
        let Some((ts, (src, dst))) = addresses(t) else {
            // Classification, packet header and payload lines, blank separators.
            return Ok(None);
        };
        // A file cut mid-record (rotation) starts with a record's tail: still an alert.
        let (signature, sid, dropped) = self.signature.take().unwrap_or_else(|| {
            (
                "snort alert (its header is not in this file)".into(),
                None,
                false,
            )
        });
        let time = super::fastlog::clock_time(ts, ctx)
            .ok_or(ParseError::Timestamp("not MM/DD[/YY]-HH:MM:SS.ffffff"))?;
        let ported =
            src.contains('.') && src.rsplit_once(':').is_some() || src.matches(':').count() > 2;
        let endpoint = |s: &str| super::fastlog::endpoint(s, ported);
        let (src, _) = endpoint(src).ok_or(ParseError::Field("source address"))?;
        let (dst, dport) = endpoint(dst).ok_or(ParseError::Field("destination address"))?;
        Ok(Some(Event {
            time,
            host: None,
            observer: "snort",
            kind: EventKind::IpsAlert(IpsAlert {
                action: IpsAction::blocked_if(dropped),
                src,
                dst: Some(dst),
                proto: None,
                dport,
                signature,
                signature_id: sid,
            }),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LineParser;
    use crate::test_util::{a, ctx};

    // Shaped after Elastic's Snort integration alert_full test file (addresses replaced).
    const FULL: &str = "[**] [1:1000006:0] TCP connection [**]
[Priority: 0] 
09/04-21:42:42.860730 192.0.2.59:57263 -> 198.51.100.190:22
TCP TTL:127 TOS:0x0 ID:53730 IpLen:20 DgmLen:108 DF
***AP*** Seq: 0x688E00E4  Ack: 0xBC730BB6  Win: 0x80B  TcpLen: 20

[**] [1:1000004:0] Pinging... [**]
[Classification: Attempted Information Leak] [Priority: 2] 
09/04-21:53:15.299988 198.51.100.190 -> 192.0.2.142
ICMP TTL:64 TOS:0x0 ID:6922 IpLen:20 DgmLen:84 DF
Type:8  Code:0  ID:101   Seq:1  ECHO

[Drop] [**] [1:2001219:20] ET SCAN Potential SSH Scan [**]
[Classification: Attempted Information Leak] [Priority: 2] 
11/20-02:13:44.100000 203.0.113.5:40000 -> 192.0.2.10:22
TCP TTL:64 TOS:0x0 ID:1 IpLen:20 DgmLen:60 DF
";

    #[test]
    fn records_yield_on_their_address_line() {
        let mut p = FullParser::default();
        let evs: Vec<(usize, IpsAlert)> = FULL
            .lines()
            .enumerate()
            .filter_map(|(n, l)| match p.parse(l.as_bytes(), &ctx()) {
                Ok(Some(Event {
                    kind: EventKind::IpsAlert(x),
                    ..
                })) => Some((n + 1, x)),
                Ok(_) => None,
                Err(e) => panic!("{n}: {e}"),
            })
            .collect();
        assert_eq!(
            evs.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            vec![3, 9, 15]
        );
        assert_eq!((evs[0].1.src, evs[0].1.dport), (a("192.0.2.59"), Some(22)));
        assert_eq!(evs[0].1.signature, "TCP connection");
        assert_eq!(evs[0].1.action, IpsAction::Alerted);
        assert_eq!(evs[1].1.dport, None, "ICMP");
        assert_eq!(evs[2].1.action, IpsAction::Blocked);
        assert_eq!(evs[2].1.signature_id, Some(2001219));
        // An address line with no header before it (a file cut mid-record) is still an alert.
        assert!(matches!(
            p.parse(b"11/20-02:13:44.1 203.0.113.5:1 -> 192.0.2.10:22", &ctx()),
            Ok(Some(Event {
                kind: EventKind::IpsAlert(IpsAlert {
                    action: IpsAction::Alerted,
                    ..
                }),
                ..
            }))
        ));
        assert!(
            p.parse(b"11/20-02:13:44.1 nonsense -> 192.0.2.10:22", &ctx())
                .is_err()
        );
        assert!(p.parse(b"[**] nonsense [**]", &ctx()).is_err());
    }
}
