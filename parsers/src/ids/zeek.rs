//! Zeek (Bro) `conn.log`: one connection summary a line, as TSV with a `#fields` header (the
//! default) or as JSON (`LogAscii::use_json`). The header is per file, so the TSV reader keeps a
//! small state ([`ConnParser`]) and a file must be read in order. Follows the Zeek conn.log docs
//! (<https://docs.zeek.org/en/master/logs/conn.html>) and real files (lnav's `logfile_bro_conn`,
//! RITA's JSON samples).
//!
//! Only connections worth explaining a port become events: `S0` (attempt, no reply) and `REJ`
//! (attempt rejected); everything else (`SF`, `RSTO`, `OTH`, …) is `Ok(None)`.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{
    Event, EventKind, Flow, FlowState, ParseError, Proto, TimeContext, time::parse_iso8601,
};

/// Zeek `conn.log`, TSV with its `#fields` header or JSON.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "zeek_conn",
    aliases: &["zeek", "bro", "conn"],
    description: "Zeek conn.log (TSV or JSON): connection attempts with no reply (S0) or rejected (REJ)",
    example: r#"{"ts":1795140608.25,"uid":"C1","id.orig_h":"203.0.113.5","id.orig_p":40000,"id.resp_h":"192.0.2.10","id.resp_p":443,"proto":"tcp","conn_state":"S0"}"#,
    detect: |line| {
        if !looks_like_conn(line.trim_ascii_start()) {
            crate::Score::No
        } else if line.starts_with(b"#") {
            crate::Score::Decides
        } else {
            crate::Score::Claims
        }
    },
    parse: crate::registry::Parse::Stateful(|| Box::new(ConnParser::new())),
    line_time,
    header_prefixes: &["#separator", "#fields"],
    ..crate::LogSpec::NETWORK
});

/// Column positions taken from a `#fields` header.
#[derive(Debug, Clone, Default)]
struct Columns {
    ts: usize,
    orig_h: usize,
    resp_h: usize,
    resp_p: usize,
    proto: Option<usize>,
    conn_state: usize,
}

/// Reads one conn.log in order; remembers the `#separator` and `#fields` lines.
#[derive(Debug, Clone)]
pub struct ConnParser {
    separator: u8,
    columns: Option<Columns>,
}

impl Default for ConnParser {
    fn default() -> Self {
        Self {
            separator: b'\t',
            columns: None,
        }
    }
}

/// Is this line a conn.log marker: its `#path conn` / `#fields … conn_state …` header line, or a
/// JSON conn record? (Other Zeek logs share the header shape but not these fields.)
pub fn looks_like_conn(line: &[u8]) -> bool {
    let has = |n: &[u8]| memchr::memmem::find(line, n).is_some();
    line == b"#path\tconn"
        || (line.starts_with(b"#fields") && has(b"\tid.orig_h") && has(b"\tconn_state"))
        || (line.starts_with(b"{") && has(b"\"id.orig_h\"") && has(b"\"conn_state\""))
}

/// `1320279554.496300` (epoch seconds) or an ISO 8601 time (`JSON::TS_ISO8601`).
pub(crate) fn ts(s: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    if let Ok(f) = s.parse::<f64>() {
        if !f.is_finite() {
            return None;
        }
        return DateTime::from_timestamp_micros((f * 1e6).round() as i64);
    }
    parse_iso8601(s, ctx)
}

/// The time of a line (for source coverage): the first TSV column, or the JSON `"ts"` value.
pub fn line_time(line: &[u8], ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(line).ok()?;
    if text.starts_with('{') {
        let v: Value = serde_json::from_str(text).ok()?;
        return match v.get("ts")? {
            Value::Number(n) => ts(&n.as_f64()?.to_string(), ctx),
            Value::String(t) => ts(t, ctx),
            _ => None,
        };
    }
    ts(text.split('\t').next()?.trim(), ctx)
}

fn flow_event(
    time: DateTime<Utc>,
    src: &str,
    dst: &str,
    dport: Option<u16>,
    proto: Option<&str>,
    state: &str,
) -> Result<Option<Event>, ParseError> {
    if state != "S0" && state != "REJ" {
        return Ok(None);
    }
    let src: IpAddr = src.parse().map_err(|_| ParseError::Field("id.orig_h"))?;
    let dst: IpAddr = dst.parse().map_err(|_| ParseError::Field("id.resp_h"))?;
    Ok(Some(Event {
        observer: "zeek",
        time,
        host: None,
        kind: EventKind::Flow(Flow {
            src,
            dst,
            proto: proto.filter(|p| *p != "-").map(Proto::from_text),
            dport,
            state: FlowState::from_zeek(state),
        }),
    }))
}

impl crate::LineParser for ConnParser {
    fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        ConnParser::parse(self, line, ctx)
    }
}

impl ConnParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Is this line a header the parser must see even when no data line around it matters?
    pub fn is_header(line: &[u8]) -> bool {
        line.starts_with(b"#")
    }

    fn header(&mut self, line: &str) {
        if let Some(sep) = line.strip_prefix("#separator ") {
            // Written as an escape: `\x09`.
            if let Some(hex) = sep.trim().strip_prefix("\\x")
                && let Ok(b) = u8::from_str_radix(hex, 16)
            {
                self.separator = b;
            }
            return;
        }
        let Some(fields) = line.strip_prefix("#fields") else {
            return;
        };
        let names: Vec<&str> = fields
            .split(self.separator as char)
            .filter(|f| !f.is_empty())
            .collect();
        let pos = |n: &str| names.iter().position(|f| *f == n);
        self.columns = match (
            pos("ts"),
            pos("id.orig_h"),
            pos("id.resp_h"),
            pos("id.resp_p"),
            pos("conn_state"),
        ) {
            (Some(ts), Some(orig_h), Some(resp_h), Some(resp_p), Some(conn_state)) => {
                Some(Columns {
                    ts,
                    orig_h,
                    resp_h,
                    resp_p,
                    proto: pos("proto"),
                    conn_state,
                })
            }
            _ => None,
        };
    }

    /// Parse one line (headers update the state and give `Ok(None)`).
    pub fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
        if text.starts_with('#') {
            self.header(text);
            return Ok(None);
        }
        if text.starts_with('{') {
            return parse_json(text, ctx);
        }
        let Some(c) = &self.columns else {
            return Err(ParseError::Header("data line before a #fields header"));
        };
        let cols: Vec<&str> = text.split(self.separator as char).collect();
        let get = |i: usize| {
            cols.get(i)
                .copied()
                .ok_or(ParseError::Field("too few columns"))
        };
        let time = ts(get(c.ts)?, ctx).ok_or(ParseError::Timestamp("ts"))?;
        let proto = c.proto.and_then(|i| cols.get(i).copied());
        flow_event(
            time,
            get(c.orig_h)?,
            get(c.resp_h)?,
            get(c.resp_p)?.parse().ok(),
            proto,
            get(c.conn_state)?,
        )
    }
}

fn parse_json(text: &str, ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ParseError::Json(e.to_string()))?;
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let Some(state) = s("conn_state") else {
        return Ok(None);
    };
    let time = match v.get("ts") {
        Some(Value::Number(n)) => n.as_f64().and_then(|f| ts(&f.to_string(), ctx)),
        Some(Value::String(t)) => ts(t, ctx),
        _ => None,
    }
    .ok_or(ParseError::Timestamp("ts"))?;
    let dport = v
        .get("id.resp_p")
        .and_then(Value::as_u64)
        .and_then(|p| u16::try_from(p).ok());
    flow_event(
        time,
        s("id.orig_h").ok_or(ParseError::Field("id.orig_h"))?,
        s("id.resp_h").ok_or(ParseError::Field("id.resp_h"))?,
        dport,
        s("proto"),
        state,
    )
}

#[cfg(test)]
mod tests {
    use crate::test_util::ctx;
    use chrono::TimeZone;

    use super::*;

    const HEADER: &str = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring";

    fn flows(text: &str) -> Vec<Result<Option<Event>, ParseError>> {
        let mut p = ConnParser::new();
        text.lines()
            .map(|l| p.parse(l.as_bytes(), &ctx()))
            .collect()
    }

    #[test]
    fn tsv_with_header() {
        let text = format!(
            "{HEADER}\n1795140608.250000\tC1\t203.0.113.5\t40000\t192.0.2.10\t443\ttcp\t-\t-\t-\t-\tS0\n1795140609.0\tC2\t203.0.113.5\t40001\t192.0.2.10\t22\ttcp\tssh\t0.1\t10\t20\tSF\n1795140610.0\tC3\t203.0.113.5\t40002\t192.0.2.10\t8080\ttcp\t-\t-\t-\t-\tREJ\n"
        );
        let out = flows(&text);
        let events: Vec<Event> = out.into_iter().filter_map(|r| r.unwrap()).collect();
        assert_eq!(events.len(), 2);
        let EventKind::Flow(f) = &events[0].kind else {
            panic!()
        };
        assert_eq!(f.state, FlowState::Unanswered);
        assert!(f.unanswered());
        assert_eq!(f.dport, Some(443));
        assert_eq!(f.dst, "192.0.2.10".parse::<IpAddr>().unwrap());
        assert_eq!(
            events[0].time,
            Utc.timestamp_micros(1_795_140_608_250_000).unwrap()
        );
        let EventKind::Flow(f) = &events[1].kind else {
            panic!()
        };
        assert!(f.refused());
    }

    #[test]
    fn data_before_header_and_short_lines_are_malformed() {
        let mut p = ConnParser::new();
        assert!(p.parse(b"1795140608.25\tC1\t203.0.113.5", &ctx()).is_err());
        for l in HEADER.lines() {
            assert_eq!(p.parse(l.as_bytes(), &ctx()), Ok(None));
        }
        assert!(p.parse(b"1795140608.25\tC1\t203.0.113.5", &ctx()).is_err());
        assert!(
            p.parse(
                b"notatime\tC1\t203.0.113.5\t1\t192.0.2.10\t443\ttcp\t-\t-\t-\t-\tS0",
                &ctx()
            )
            .is_err()
        );
    }

    #[test]
    fn json_records() {
        let mut p = ConnParser::new();
        let line = br#"{"ts": 1795140608.25, "uid": "C1", "id.orig_h": "203.0.113.5", "id.orig_p": 40000, "id.resp_h": "192.0.2.10", "id.resp_p": 443, "proto": "tcp", "conn_state": "REJ", "_path": "conn"}"#;
        let ev = p.parse(line, &ctx()).unwrap().unwrap();
        assert!(matches!(ev.kind, EventKind::Flow(ref f) if f.refused() && f.dport == Some(443)));
        let iso = br#"{"ts":"2026-11-20T02:10:08.250000Z","id.orig_h":"203.0.113.5","id.resp_h":"192.0.2.10","id.resp_p":443,"conn_state":"S0"}"#;
        assert!(p.parse(iso, &ctx()).unwrap().is_some());
        let sf = br#"{"ts": 1795140608.25, "id.orig_h": "203.0.113.5", "id.resp_h": "192.0.2.10", "id.resp_p": 443, "conn_state": "SF"}"#;
        assert_eq!(p.parse(sf, &ctx()), Ok(None));
        assert!(looks_like_conn(line));
    }
}
