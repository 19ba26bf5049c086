//! Windows events as JSON, in the shapes people export them:
//!
//! - `Get-WinEvent … | ConvertTo-Json` (an array, pretty-printed or `-Compress`ed): `Id`,
//!   `ProviderName`, `TimeCreated` (`"\/Date(ms)\/"` in Windows PowerShell 5.1, ISO 8601 in 7),
//!   `MachineName`, `Message`, `Properties` (the insertion strings as `{"Value": …}`, the binary
//!   data as a byte list);
//! - Winlogbeat / Elastic Agent (`winlog.event_id`, `winlog.provider_name`, `winlog.event_data`,
//!   `winlog.computer_name`, `@timestamp`);
//! - NXLog `im_msvistalog` + `to_json()` (`EventID`, `SourceName`/`ProviderName`, `EventTime` in the
//!   collector's local time, `Hostname`, the EventData fields at the top level);
//! - the event XML turned into JSON (`evtx_dump -o json`, Apache NiFi's WindowsEventLogReader):
//!   `Event.System.EventID`, `System.Provider.Name` or its `#attributes`, `EventData`.
//!
//! One object a line or an object spread over many: the parser follows braces and strings.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::WinEvent;
use crate::records::{Queue, RECORD_CAP, queued_parser};
use crate::{LogFormat, LogSpec, ParseError, Score, TimeContext, registry::Parse};

/// Windows events as JSON.
pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "windows_json",
    aliases: &["get-winevent", "winlogbeat", "nxlog"],
    description: "Windows events as JSON: Get-WinEvent | ConvertTo-Json (pretty or -Compress), Winlogbeat, NXLog im_msvistalog, evtx_dump/NiFi event JSON; the records windows_xml reads",
    example: r#"{"@timestamp":"2026-11-20T02:07:44.000Z","message":"The World Wide Web Publishing Service service entered the stopped state.","winlog":{"channel":"System","computer_name":"win01.example.com","event_id":"7036","provider_name":"Service Control Manager","event_data":{"param1":"World Wide Web Publishing Service","param2":"stopped","Binary":"570033005300560043002F0031000000"}}}"#,
    detect,
    framing_suffices: false,
    parse: Parse::Stateful(|| Box::new(JsonParser::default())),
    line_time: |_, _| None,
    line_host: |_| None,
    words: &super::WORDS,
    multiline: true,
    ..LogSpec::NETWORK
});

fn detect(line: &[u8]) -> Score {
    let has = |k: &[u8]| memchr::memmem::find(line, k).is_some();
    let t = line.trim_ascii();
    let json = matches!(t.first(), Some(b'{' | b'}' | b'[' | b']' | b'"'));
    if !json {
        return Score::No;
    }
    let claims = (has(b"\"winlog\"") && has(b"\"event_id\""))
        || (has(b"\"ProviderName\"") && (has(b"\"Id\"") || has(b"\"TimeCreated\"")))
        || (has(b"\"EventID\"") && (has(b"\"SourceName\"") || has(b"\"EventTime\"")))
        || (has(b"\"EventID\"") && has(b"\"TimeCreated\""))
        || has(b"\"ProviderName\":")
        || has(b"\"EventID\":");
    if claims {
        Score::Claims
    } else {
        // The other lines of a pretty-printed record: they count only beside lines that claim.
        Score::Frames
    }
}

/// Follows a JSON text across lines and hands out its top-level objects (or the objects of a
/// top-level array).
#[derive(Default)]
struct JsonParser {
    q: Queue,
    buf: String,
    depth: u32,
    in_str: bool,
    escape: bool,
    start: u64,
}

queued_parser!(JsonParser);

impl JsonParser {
    fn feed(&mut self, line: &[u8], ctx: &TimeContext) -> Result<(), ParseError> {
        let line = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
        let mut stray = false;
        let mut from = 0;
        for (i, c) in line.char_indices() {
            if self.depth == 0 {
                match c {
                    '{' => {
                        self.depth = 1;
                        self.start = self.q.line;
                        from = i;
                    }
                    // The array around the records, the commas between them.
                    '[' | ']' | ',' => {}
                    c if c.is_whitespace() || c == '\u{feff}' => {}
                    _ => stray = true,
                }
                continue;
            }
            if self.in_str {
                match (self.escape, c) {
                    (true, _) => self.escape = false,
                    (false, '\\') => self.escape = true,
                    (false, '"') => self.in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => self.in_str = true,
                '{' | '[' => self.depth += 1,
                '}' | ']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        self.buf.push_str(&line[from..=i]);
                        let text = std::mem::take(&mut self.buf);
                        let r = record(&text, ctx).and_then(|ev| super::to_event(&ev, ctx));
                        self.q.push(self.start, text, r);
                    }
                }
                _ => {}
            }
        }
        if self.depth > 0 {
            self.buf.push_str(&line[from..]);
            self.buf.push('\n');
            if self.buf.len() > RECORD_CAP {
                *self = JsonParser {
                    q: std::mem::take(&mut self.q),
                    ..Default::default()
                };
                return Err(ParseError::Json("a record over 1 MiB".into()));
            }
        }
        if stray {
            // Text outside any record: a malformed line of its own, beside the records it held.
            let line = self.q.line;
            self.q.push(
                line,
                String::new(),
                Err(ParseError::NotFormat("windows event JSON")),
            );
        }
        Ok(())
    }
}

/// The text of a JSON value as a field: strings as they are, numbers and booleans written out;
/// `{"#text": …}` (XML text turned into JSON) unwrapped; a byte list as hex (binary data).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(o) => o.get("#text").or_else(|| o.get("value")).and_then(text),
        Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_u64) => Some(
            a.iter()
                .filter_map(Value::as_u64)
                .map(|b| format!("{:02X}", b & 0xff))
                .collect(),
        ),
        _ => None,
    }
}

/// `o[k1][k2]…`, case-insensitively on each key.
fn path<'a>(o: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(o, |v, k| {
        let m = v.as_object()?;
        m.get(*k).or_else(|| {
            m.iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
        })
    })
}

fn first_text(o: &Value, paths: &[&[&str]]) -> Option<String> {
    paths.iter().find_map(|p| path(o, p).and_then(text))
}

/// A JSON time: RFC 3339, `\/Date(ms)\/`, epoch seconds/ms, or a zone-less local time (NXLog's
/// `EventTime`) in the source's zone.
fn time(v: &Value, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    if let Some(n) = v.as_i64() {
        return if n > 100_000_000_000 {
            DateTime::from_timestamp_millis(n)
        } else {
            DateTime::from_timestamp(n, 0)
        };
    }
    let s = text(v)?;
    let s = s.trim();
    if let Some(ms) = s
        .strip_prefix("/Date(")
        .or_else(|| s.strip_prefix("\\/Date("))
        .and_then(|r| r.split([')', '+', '-']).next())
    {
        return DateTime::from_timestamp_millis(ms.parse().ok()?);
    }
    crate::time::parse_iso8601(s, ctx)
}

/// Fields of the record that are no insertion strings (NXLog puts both at the top level).
const HEADER_KEYS: &[&str] = &[
    "EventTime",
    "EventReceivedTime",
    "Hostname",
    "Keywords",
    "EventType",
    "SeverityValue",
    "Severity",
    "EventID",
    "SourceName",
    "ProviderGuid",
    "ProviderName",
    "Version",
    "Task",
    "OpcodeValue",
    "RecordNumber",
    "ProcessID",
    "ThreadID",
    "Channel",
    "Category",
    "Opcode",
    "Message",
    "SourceModuleName",
    "SourceModuleType",
    "Domain",
    "AccountName",
    "UserID",
    "AccountType",
];

/// One JSON record as a [`WinEvent`].
pub fn record(text_: &str, ctx: &TimeContext) -> Result<WinEvent, ParseError> {
    let v: Value = serde_json::from_str(text_).map_err(|e| ParseError::Json(e.to_string()))?;
    // The XML-as-JSON shapes: {"Event": {"System": …}} or {"System": …}.
    let root = path(&v, &["Event"]).unwrap_or(&v);
    let mut ev = WinEvent::default();
    if let Some(sys) = path(root, &["System"]) {
        ev.provider = first_text(
            sys,
            &[
                &["Provider", "#attributes", "Name"],
                &["Provider", "Name"],
                &["Provider", "#attributes", "EventSourceName"],
            ],
        )
        .unwrap_or_default();
        ev.event_id = first_text(sys, &[&["EventID"]])
            .and_then(|s| s.trim().parse().ok())
            .ok_or(ParseError::Field("EventID"))?;
        ev.time = path(sys, &["TimeCreated", "#attributes", "SystemTime"])
            .or_else(|| path(sys, &["TimeCreated", "SystemTime"]))
            .and_then(|t| time(t, ctx));
        ev.computer = first_text(sys, &[&["Computer"]]);
        if let Some(Value::Object(d)) = path(root, &["EventData"]) {
            data_object(d, &mut ev);
        }
        ev.message = first_text(root, &[&["RenderingInfo", "Message"]]);
        return named(ev);
    }
    if let Some(w) = path(&v, &["winlog"]) {
        ev.provider = first_text(w, &[&["provider_name"]])
            .or_else(|| first_text(&v, &[&["event", "provider"]]))
            .unwrap_or_default();
        ev.event_id = first_text(w, &[&["event_id"]])
            .or_else(|| first_text(&v, &[&["event", "code"]]))
            .and_then(|s| s.trim().parse().ok())
            .ok_or(ParseError::Field("event_id"))?;
        ev.time = path(&v, &["@timestamp"])
            .or_else(|| path(w, &["time_created"]))
            .and_then(|t| time(t, ctx));
        ev.computer = first_text(w, &[&["computer_name"]])
            .or_else(|| first_text(&v, &[&["host", "name"], &["host", "hostname"]]));
        for key in ["event_data", "user_data"] {
            if let Some(Value::Object(d)) = path(w, &[key]) {
                data_object(d, &mut ev);
            }
        }
        ev.message = first_text(&v, &[&["message"]]);
        return named(ev);
    }
    // Get-WinEvent and NXLog: one flat object.
    ev.provider =
        first_text(&v, &[&["ProviderName"], &["SourceName"], &["Source"]]).unwrap_or_default();
    ev.event_id = first_text(&v, &[&["Id"], &["EventID"], &["EventId"]])
        .and_then(|s| s.trim().parse().ok())
        .ok_or(ParseError::Field("Id"))?;
    ev.time = ["TimeCreated", "EventTime", "TimeGenerated", "@timestamp"]
        .iter()
        .find_map(|k| path(&v, &[k]).and_then(|t| time(t, ctx)));
    ev.computer = first_text(&v, &[&["MachineName"], &["Hostname"], &["Computer"]]);
    ev.message = first_text(&v, &[&["Message"]]);
    if let Some(Value::Array(props)) = path(&v, &["Properties"]) {
        for p in props {
            let val = path(p, &["Value"]).unwrap_or(p);
            match val {
                // The binary data of SCM records comes as a byte list.
                Value::Array(_) => ev.binary = text(val),
                _ => ev.data.push((String::new(), text(val).unwrap_or_default())),
            }
        }
    } else if let Value::Object(o) = &v {
        for (k, val) in o {
            if HEADER_KEYS.iter().any(|h| h.eq_ignore_ascii_case(k)) {
                continue;
            }
            if let Some(t) = text(val) {
                if k.eq_ignore_ascii_case("Binary") {
                    ev.binary = Some(t);
                } else {
                    ev.data.push((k.clone(), t));
                }
            }
        }
    }
    named(ev)
}

/// `EventData` as an object: `{"param1": …, "Binary": …}`, or `{"Data": [ … ]}` with
/// `{"@Name"/"#attributes": {"Name"}, "#text"}` entries.
fn data_object(d: &Map<String, Value>, ev: &mut WinEvent) {
    for (k, val) in d {
        match (k.as_str(), val) {
            ("#attributes", _) => {}
            ("Binary", _) => ev.binary = text(val),
            ("Data", Value::Array(items)) => {
                for it in items {
                    let name = first_text(it, &[&["#attributes", "Name"], &["@Name"], &["Name"]])
                        .unwrap_or_default();
                    ev.data.push((name, text(it).unwrap_or_default()));
                }
            }
            _ => ev.data.push((k.clone(), text(val).unwrap_or_default())),
        }
    }
}

fn named(ev: WinEvent) -> Result<WinEvent, ParseError> {
    if ev.provider.is_empty() {
        return Err(ParseError::NotFormat("windows event JSON"));
    }
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;
    use crate::{EventKind, LifecycleState, LineParser};

    fn events(text: &str) -> (Vec<(u64, crate::Event)>, usize) {
        let mut p = JsonParser::default();
        let (mut out, mut bad) = (Vec::new(), 0);
        for (i, l) in text.lines().enumerate() {
            let n = i as u64 + 1;
            let mut r = Some(p.parse(l.as_bytes(), &ctx()));
            while let Some(x) = r {
                match x {
                    Ok(Some(e)) => out.push((n - p.record().map_or(0, |(b, _)| b), e)),
                    Ok(None) => {}
                    Err(_) => bad += 1,
                }
                r = p.more();
            }
        }
        (out, bad)
    }

    /// Windows PowerShell 5.1's ConvertTo-Json of two SCM records (the shape of its output:
    /// `\/Date(ms)\/`, Properties with the binary data as a byte list).
    const GET_WINEVENT: &str = r#"[
    {
        "Id":  7036,
        "Version":  0,
        "Qualifiers":  16384,
        "ProviderName":  "Service Control Manager",
        "LogName":  "System",
        "MachineName":  "win01.example.com",
        "TimeCreated":  "\/Date(1795140464000)\/",
        "Properties":  [
                           {
                               "Value":  "Remote Desktop Services"
                           },
                           {
                               "Value":  "stopped"
                           },
                           {
                               "Value":  [84, 0, 101, 0, 114, 0, 109, 0, 83, 0, 101, 0, 114, 0, 118, 0, 105, 0, 99, 0, 101, 0, 47, 0, 49, 0, 0, 0]
                           }
                       ],
        "Message":  "The Remote Desktop Services service entered the stopped state."
    },
    {
        "Id":  7036,
        "ProviderName":  "Service Control Manager",
        "MachineName":  "win01.example.com",
        "TimeCreated":  "\/Date(1795140524000)\/",
        "Properties":  [ { "Value":  "Remote Desktop Services" }, { "Value":  "running" } ],
        "Message":  "The Remote Desktop Services service entered the running state."
    }
]"#;

    #[test]
    fn get_winevent_pretty_array() {
        let (evs, bad) = events(GET_WINEVENT);
        assert_eq!(bad, 0);
        assert_eq!(evs.len(), 2, "{evs:?}");
        assert_eq!(evs[0].0, 2, "cited by the record's first line");
        assert_eq!(evs[0].1.time.timestamp(), 1795140464);
        assert!(
            matches!(&evs[0].1.kind, EventKind::Lifecycle(l) if l.unit == "TermService" && l.state == LifecycleState::Stopped),
            "{evs:?}"
        );
        assert!(
            matches!(&evs[1].1.kind, EventKind::Lifecycle(l) if l.unit == "Remote Desktop Services" && l.state == LifecycleState::Started),
            "{evs:?}"
        );
        // The same, -Compress'ed onto one line.
        let one: String = GET_WINEVENT.lines().map(str::trim).collect();
        let (evs, bad) = events(&one);
        assert_eq!((evs.len(), bad), (2, 0));
    }

    #[test]
    fn nxlog_flat_record_with_local_time() {
        let line = r#"{"EventTime":"2026-11-20 02:07:44","Hostname":"win01.example.com","Keywords":-9187343239835811840,"EventType":"INFO","SeverityValue":2,"Severity":"INFO","EventID":7036,"SourceName":"Service Control Manager","ProviderGuid":"{555908D1-A6D7-4695-8E1E-26931D2012F4}","Version":0,"Task":0,"OpcodeValue":0,"RecordNumber":4711,"ProcessID":684,"ThreadID":3504,"Channel":"System","Message":"The World Wide Web Publishing Service service entered the stopped state.","param1":"World Wide Web Publishing Service","param2":"stopped","EventReceivedTime":"2026-11-20 02:07:45","SourceModuleName":"eventlog","SourceModuleType":"im_msvistalog"}"#;
        assert_eq!(detect(line.as_bytes()), Score::Claims);
        let (evs, bad) = events(line);
        assert_eq!(bad, 0);
        assert_eq!(evs[0].1.time.to_rfc3339(), "2026-11-20T02:07:44+00:00");
        assert!(
            matches!(&evs[0].1.kind, EventKind::Lifecycle(l) if l.state == LifecycleState::Stopped)
        );
    }

    #[test]
    fn winlogbeat_wfp_drop() {
        let line = r#"{"@timestamp":"2026-11-20T02:13:00.000Z","event":{"code":"5157","provider":"Microsoft-Windows-Security-Auditing"},"winlog":{"channel":"Security","computer_name":"win01.example.com","event_id":"5157","provider_name":"Microsoft-Windows-Security-Auditing","event_data":{"ProcessID":"0","Application":"-","Direction":"%%14592","SourceAddress":"192.0.2.40","SourcePort":"3389","DestAddress":"203.0.113.5","DestPort":"40000","Protocol":"6","FilterRTID":"0","LayerName":"%%14610","LayerRTID":"44"}}}"#;
        let (evs, _) = events(line);
        assert!(
            matches!(&evs[0].1.kind, EventKind::FirewallDeny(d) if d.dport == Some(3389) && d.src.to_string() == "203.0.113.5"),
            "{evs:?}"
        );
    }

    #[test]
    fn broken_json_is_malformed_and_reading_goes_on() {
        let text = "{\"Id\": 7036, \"ProviderName\": \"x\"\n}\n}\nnot json\n{\"Id\":6005,\"ProviderName\":\"EventLog\",\"TimeCreated\":\"2026-11-20T02:00:00Z\"}";
        let (evs, bad) = events(text);
        assert!(bad >= 2, "{bad}");
        assert_eq!(evs.len(), 1);
    }

    #[test]
    fn the_real_nifi_json_reads_as_its_binary_says() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/realworld/logs/windows-scm/nifi_windowseventlogreader_7036.extracted.json"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipped: {path} not present");
            return;
        };
        let (evs, bad) = events(&text);
        assert_eq!(bad, 0);
        assert!(
            matches!(&evs[0].1.kind, EventKind::Lifecycle(l) if l.unit == "ScDeviceEnum" && l.state == LifecycleState::Started),
            "{evs:?}"
        );
        assert_eq!(crate::detect(text.as_bytes()).format, Some(FORMAT));
    }
}
