//! Windows Defender Firewall's packet log, `%systemroot%\System32\LogFiles\Firewall\pfirewall.log`:
//! W3C extended log format, a `#Fields:` header then one packet a line
//! (<https://learn.microsoft.com/en-us/windows/security/operating-system-security/network-security/windows-firewall/configure-logging>).
//!
//! ```text
//! #Version: 1.5
//! #Software: Microsoft Windows Firewall
//! #Time Format: Local
//! #Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path
//! 2019-11-06 12:35:19 DROP UDP 192.0.2.197 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE
//! ```
//!
//! `DROP` is a [`FirewallDeny`] with action drop (Windows Firewall never sends a reset for a
//! blocked inbound connection); `ALLOW` and `INFO-EVENTS-LOST` are no events. The times are the
//! machine's local time (`#Time Format: Local`): they are read in the source's zone (`--source-tz`,
//! else `--tz`); a `#Time Format: UTC` header makes them UTC. Windows 10 and later append a `pid`
//! field: the header says which columns there are, so any order is read.
//!
//! Quirk: lines are written from a buffer and a line may lose its trailing fields (`path`) when
//! the log rolls over: a line that has every field up to the ports is still read.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::{DenyAction, Event, EventKind, FirewallDeny, ParseError, Proto, TimeContext};

/// Windows Firewall `pfirewall.log`.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "windows_firewall",
    aliases: &["pfirewall", "winfw"],
    description: "Windows Firewall pfirewall.log (W3C #Fields header, local time): DROP lines",
    example: "2026-11-20 02:13:44 DROP TCP 203.0.113.5 192.0.2.10 40000 3389 52 S 1234567 0 64240 - - - RECEIVE",
    detect,
    parse: crate::registry::Parse::Stateful(|| Box::new(PfirewallParser::default())),
    line_time,
    header_prefixes: &["#Fields:", "#Time Format:"],
    ..crate::LogSpec::NETWORK
});

/// The fields of a header-less file (what every Windows release writes first).
const DEFAULT: &[&str] = &[
    "date", "time", "action", "protocol", "src-ip", "dst-ip", "src-port", "dst-port", "size",
    "tcpflags", "tcpsyn", "tcpack", "tcpwin", "icmptype", "icmpcode", "info", "path",
];

fn detect(line: &[u8]) -> crate::Score {
    let t = line.trim_ascii();
    if t.starts_with(b"#Software: Microsoft Windows Firewall")
        || (t.starts_with(b"#Fields: date time action protocol src-ip"))
    {
        return crate::Score::Decides;
    }
    crate::Score::claims_if(data_line(t))
}

/// `YYYY-MM-DD HH:MM:SS ACTION PROTO …`
fn data_line(t: &[u8]) -> bool {
    let mut w = t.split(|&b| b == b' ');
    let date = w.next().unwrap_or_default();
    let time = w.next().unwrap_or_default();
    let action = w.next().unwrap_or_default();
    date.len() == 10
        && date[4] == b'-'
        && date[7] == b'-'
        && time.len() == 8
        && time[2] == b':'
        && matches!(action, b"ALLOW" | b"DROP" | b"INFO-EVENTS-LOST")
        && w.count() >= 5
}

fn naive(date: &str, time: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M:%S").ok()
}

/// The time of a line, in the source's zone (the header may say UTC; this cheap reader assumes the
/// default, local time).
pub fn line_time(line: &[u8], ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(line).ok()?;
    let mut w = text.split(' ');
    ctx.local_to_utc(naive(w.next()?, w.next()?)?)
}

/// Reads one pfirewall.log in order: the `#Fields:` and `#Time Format:` headers.
#[derive(Debug, Clone)]
pub struct PfirewallParser {
    fields: Vec<String>,
    utc: bool,
}

impl Default for PfirewallParser {
    fn default() -> Self {
        PfirewallParser {
            fields: DEFAULT.iter().map(|s| s.to_string()).collect(),
            utc: false,
        }
    }
}

impl crate::LineParser for PfirewallParser {
    fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if let Some(h) = t.strip_prefix('#') {
            if let Some(f) = h.strip_prefix("Fields:") {
                self.fields = f.split_whitespace().map(str::to_string).collect();
            } else if let Some(z) = h.strip_prefix("Time Format:") {
                self.utc = z.trim().eq_ignore_ascii_case("UTC");
            }
            return Ok(None);
        }
        self.record(t, ctx)
    }
}

impl PfirewallParser {
    fn record(&self, t: &str, ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        let values: Vec<&str> = t.split_ascii_whitespace().collect();
        if values.len() > self.fields.len() {
            return Err(ParseError::Field("more values than #Fields names"));
        }
        let col = |name: &str| self.fields.iter().position(|f| f == name);
        let get = |name: &str| {
            col(name)
                .and_then(|i| values.get(i).copied())
                .filter(|v| *v != "-")
        };
        let (Some(date), Some(time)) = (get("date"), get("time")) else {
            return Err(ParseError::Timestamp("no date and time"));
        };
        let naive = naive(date, time).ok_or(ParseError::Timestamp("not YYYY-MM-DD HH:MM:SS"))?;
        let at = if self.utc {
            TimeContext::new(Tz::UTC, ctx.reference).local_to_utc(naive)
        } else {
            ctx.local_to_utc(naive)
        }
        .ok_or(ParseError::Timestamp("no such local time"))?;
        match get("action") {
            Some("DROP") => {}
            Some("ALLOW" | "INFO-EVENTS-LOST") => return Ok(None),
            _ => return Err(ParseError::Field("action")),
        }
        // A line cut short must still reach the destination port.
        if col("dst-port").is_some_and(|i| i >= values.len()) {
            return Err(ParseError::Field("line ends before dst-port"));
        }
        let src = get("src-ip")
            .and_then(|s| s.parse().ok())
            .ok_or(ParseError::Field("src-ip"))?;
        let dst = get("dst-ip")
            .map(|s| s.parse().map_err(|_| ParseError::Field("dst-ip")))
            .transpose()?;
        let port = |name: &'static str| {
            get(name)
                .map(|p| p.parse::<u16>().map_err(|_| ParseError::Field(name)))
                .transpose()
        };
        let proto = get("protocol").map(Proto::from_text);
        Ok(Some(Event {
            time: at,
            host: None,
            observer: "windows_firewall",
            kind: EventKind::FirewallDeny(FirewallDeny {
                action: DenyAction::Drop,
                src,
                dst,
                proto,
                sport: port("src-port")?,
                dport: port("dst-port")?,
                // `path` (RECEIVE/SEND) is a direction, not a rule: the log names no rule.
                rule: None,
            }),
        }))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::LineParser;
    use crate::test_util::{a, ctx};

    const HEADER: &str = "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n\n";

    fn parse_all(text: &str, ctx: &TimeContext) -> Vec<Result<Option<Event>, ParseError>> {
        let mut p = PfirewallParser::default();
        text.lines().map(|l| p.parse(l.as_bytes(), ctx)).collect()
    }

    fn deny(r: &Result<Option<Event>, ParseError>) -> (DateTime<Utc>, FirewallDeny) {
        crate::test_util::the_deny(r)
    }

    #[test]
    fn drop_lines_in_local_time() {
        let text = format!(
            "{HEADER}2019-11-06 12:35:19 DROP UDP 192.0.2.197 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE\n2019-11-06 12:35:20 ALLOW TCP 192.0.2.197 192.0.2.10 40000 445 0 - 0 0 0 - - - RECEIVE\n2019-11-06 12:35:19 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 89 - - - - - - \n"
        );
        let berlin = TimeContext::new(chrono_tz::Europe::Berlin, ctx().reference);
        let r = parse_all(&text, &berlin);
        assert_eq!(&r[..5], &[Ok(None), Ok(None), Ok(None), Ok(None), Ok(None)]);
        let (t, d) = deny(&r[5]);
        assert_eq!(t, Utc.with_ymd_and_hms(2019, 11, 6, 11, 35, 19).unwrap());
        assert_eq!(d.action, DenyAction::Drop);
        assert_eq!(d.src, a("192.0.2.197"));
        assert_eq!(d.dst, Some(a("224.0.0.251")));
        assert_eq!((d.sport, d.dport), (Some(5353), Some(5353)));
        assert_eq!(d.proto, Some(Proto::Udp));
        assert_eq!(d.rule, None);
        assert_eq!(r[6], Ok(None));
        // Cut short before `path`: still read.
        let (_, d) = deny(&r[7]);
        assert_eq!(d.src, a("fe80::3680:dff:fe01:9e88"));
        assert_eq!(d.rule, None);
    }

    #[test]
    fn a_utc_header_and_a_pid_column() {
        let text = "#Time Format: UTC\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\n2026-11-20 02:13:44 DROP TCP 203.0.113.5 192.0.2.10 40000 3389 52 S 1 0 64240 - - - RECEIVE 4\n";
        let berlin = TimeContext::new(chrono_tz::Europe::Berlin, ctx().reference);
        let r = parse_all(text, &berlin);
        let (t, d) = deny(&r[2]);
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 11, 20, 2, 13, 44).unwrap());
        assert_eq!(d.dport, Some(3389));
    }

    #[test]
    fn broken_lines_are_malformed() {
        for line in [
            "2026-11-20 02:13:44 DROP TCP 203.0.113.5",
            "2026-11-20 25:13:44 DROP TCP 203.0.113.5 192.0.2.10 40000 3389 52 S 1 0 64240 - - - RECEIVE",
            "2026-11-20 02:13:44 DENY TCP 203.0.113.5 192.0.2.10 40000 3389 52 S 1 0 64240 - - - RECEIVE",
            "2026-11-20 02:13:44 DROP TCP 203.0.113 192.0.2.10 40000 3389 52 S 1 0 64240 - - - RECEIVE",
            "2026-11-20 02:13:44 DROP TCP 203.0.113.5 192.0.2.10 40000 3389 52 S 1 0 64240 - - - RECEIVE 4 extra",
            "hello",
        ] {
            let r = parse_all(line, &ctx());
            assert!(r[0].is_err(), "{line}: {:?}", r[0]);
        }
    }

    #[test]
    fn detection() {
        assert_eq!(
            detect(b"#Software: Microsoft Windows Firewall"),
            crate::Score::Decides
        );
        assert_eq!(detect(FORMAT.example().as_bytes()), crate::Score::Claims);
        assert_eq!(
            detect(b"2026-11-20 02:13:44 INFO hello world"),
            crate::Score::No
        );
    }
}
