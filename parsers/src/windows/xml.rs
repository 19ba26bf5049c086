//! Windows event XML: `wevtutil qe LOG /f:xml` (one `<Event>` a line, or several back to back),
//! Event Viewer's "Save as XML" / `/e:Events` (a root `<Events>` around pretty-printed records),
//! and the records the `.evtx` reader renders. Follows the event schema
//! (<https://learn.microsoft.com/windows/win32/wes/eventschema-schema>); the real sample is the
//! 7036 record of Apache NiFi's WindowsEventLogReader docs, whose second string is a bare
//! `<Data>param2</Data>` and whose service name and state are only in `<Binary>`.
//!
//! No DTD is read and no entity but the predefined ones and character references is expanded.

use quick_xml::events::Event as XmlEvent;
use quick_xml::reader::Reader;

use super::WinEvent;
use crate::records::{Queue, RECORD_CAP, queued_parser};
use crate::{LogFormat, LogSpec, ParseError, Score, TimeContext, registry::Parse};

/// `wevtutil qe /f:xml`, Event Viewer "Save as XML".
pub const FORMAT: LogFormat = LogFormat::new(&SPEC);

/// The spec, shared with [`super::evtx`] (whose records are read as this XML).
pub const SPEC: LogSpec = LogSpec {
    name: "windows_xml",
    aliases: &["wevtutil", "windows_event_xml"],
    description: "Windows event XML (wevtutil qe /f:xml, Event Viewer Save as XML): SCM 7036/7031/7034, EventLog 6005/6006/6008, User32 1074, Security 5152/5157 WFP drops",
    example: r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Service Control Manager" Guid="{555908d1-a6d7-4695-8e1e-26931d2012f4}" EventSourceName="Service Control Manager"/><EventID Qualifiers="16384">7036</EventID><TimeCreated SystemTime="2026-11-20T02:07:44.000000000Z"/><EventRecordID>4711</EventRecordID><Channel>System</Channel><Computer>win01.example.com</Computer></System><EventData><Data Name="param1">World Wide Web Publishing Service</Data><Data Name="param2">stopped</Data><Binary>570033005300560043002F0031000000</Binary></EventData></Event>"#,
    detect,
    framing_suffices: false,
    parse: Parse::Stateful(|| Box::new(XmlParser::default())),
    line_time: |l, _| line_time(l),
    line_host: |l| tag_text(l, b"<Computer>", b"</Computer>").map(str::to_string),
    words: &super::WORDS,
    multiline: true,
    ..LogSpec::NETWORK
};

fn detect(line: &[u8]) -> Score {
    let t = line.trim_ascii();
    let ns = memchr::memmem::find(t, b"schemas.microsoft.com/win/2004/08/events/event").is_some();
    if t.starts_with(b"<Event") && ns {
        return Score::Decides;
    }
    // The inner lines of a pretty-printed record.
    const INNER: &[&[u8]] = &[
        b"<System>",
        b"</System>",
        b"<Provider ",
        b"<EventID",
        b"<TimeCreated ",
        b"<EventRecordID>",
        b"<Computer>",
        b"<EventData>",
        b"</EventData>",
        b"<Data ",
        b"<Data>",
        b"</Event>",
        b"<Events>",
        b"</Events>",
    ];
    if INNER.iter().any(|p| t.starts_with(p)) {
        Score::Frames
    } else {
        Score::No
    }
}

/// The text between `open` and `close` in a line, when both are there.
fn tag_text<'a>(line: &'a [u8], open: &[u8], close: &[u8]) -> Option<&'a str> {
    let s = memchr::memmem::find(line, open)? + open.len();
    let e = memchr::memmem::find(line.get(s..)?, close)? + s;
    std::str::from_utf8(line.get(s..e)?).ok()
}

/// `SystemTime="…"` (or `'…'`) of a line, cheaply.
fn line_time(line: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    let p = memchr::memmem::find(line, b"SystemTime=")? + b"SystemTime=".len();
    let q = *line.get(p)?;
    let rest = line.get(p + 1..)?;
    let e = memchr::memchr(q, rest)?;
    let s = std::str::from_utf8(rest.get(..e)?).ok()?;
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Feeds lines, finds `<Event …>…</Event>` records.
#[derive(Default)]
struct XmlParser {
    q: Queue,
    buf: String,
    /// Line the buffered record started on.
    start: u64,
}

queued_parser!(XmlParser);

/// Text between records that is no error: declarations, the `<Events>` root, comments.
fn is_glue(s: &str) -> bool {
    let s = s.trim();
    s.is_empty()
        || s.starts_with("<?xml") && s.ends_with("?>")
        || s == "<Events>"
        || s == "</Events>"
        || s.starts_with("<Events ") && s.ends_with('>')
        || s.starts_with("<!--") && s.ends_with("-->")
}

/// Where the next record starts in `s` (`<Event ` or `<Event>`, not `<Events>`).
fn record_start(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("<Event") {
        let at = from + i;
        match s.as_bytes().get(at + 6) {
            Some(b' ' | b'>' | b'\t' | b'\r' | b'\n') | None => return Some(at),
            _ => from = at + 6,
        }
    }
    None
}

impl XmlParser {
    fn feed(&mut self, line: &[u8], ctx: &TimeContext) -> Result<(), ParseError> {
        let line = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
        let mut rest: &str = line;
        let mut glue_err = false;
        loop {
            if self.buf.is_empty() {
                let Some(s) = record_start(rest) else {
                    glue_err |= !is_glue(rest);
                    break;
                };
                glue_err |= !is_glue(&rest[..s]);
                self.start = self.q.line;
                rest = &rest[s..];
            }
            match rest.find("</Event>") {
                Some(e) => {
                    let end = e + "</Event>".len();
                    self.buf.push_str(&rest[..end]);
                    let text = std::mem::take(&mut self.buf);
                    let r = parse_record(&text).and_then(|ev| super::to_event(&ev, ctx));
                    self.q.push(self.start, text, r);
                    rest = &rest[end..];
                }
                None => {
                    self.buf.push_str(rest);
                    self.buf.push('\n');
                    if self.buf.len() > RECORD_CAP {
                        self.buf.clear();
                        return Err(ParseError::Xml("an <Event> record over 1 MiB".into()));
                    }
                    break;
                }
            }
        }
        if glue_err {
            // Text outside any record: a malformed line of its own, beside the records it held.
            let line = self.q.line;
            self.q.push(
                line,
                String::new(),
                Err(ParseError::NotFormat("windows event XML")),
            );
        }
        Ok(())
    }
}

/// Where in a record the reader is.
#[derive(Clone, Copy, PartialEq)]
enum At {
    Other,
    EventId,
    Computer,
    Data,
    Binary,
    Message,
}

/// Parse one `<Event>` element.
pub fn parse_record(text: &str) -> Result<WinEvent, ParseError> {
    let mut r = Reader::from_str(text);
    let mut ev = WinEvent::default();
    let mut at = At::Other;
    let mut cur = String::new();
    let mut name = String::new();
    let mut saw_event = false;
    loop {
        let e = r
            .read_event()
            .map_err(|e| ParseError::Xml(format!("{e} (at byte {})", r.error_position())))?;
        match e {
            XmlEvent::Start(ref s) | XmlEvent::Empty(ref s) => {
                let empty = matches!(e, XmlEvent::Empty(_));
                let local = s.local_name();
                let attr = |n: &str| -> Option<String> {
                    s.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().into_inner() == n)
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                };
                match local.into_inner() {
                    "Event" => saw_event = true,
                    "Provider" => {
                        if let Some(n) = attr("Name").or_else(|| attr("EventSourceName")) {
                            ev.provider = n;
                        }
                    }
                    "TimeCreated" => {
                        ev.time = attr("SystemTime").and_then(|t| {
                            chrono::DateTime::parse_from_rfc3339(t.trim())
                                .ok()
                                .map(|t| t.with_timezone(&chrono::Utc))
                        });
                    }
                    "EventID" => at = At::EventId,
                    "Computer" => at = At::Computer,
                    "Data" => {
                        at = At::Data;
                        name = attr("Name").unwrap_or_default();
                    }
                    "Binary" => at = At::Binary,
                    "Message" => at = At::Message,
                    _ => {}
                }
                cur.clear();
                if empty {
                    // `<Data Name="x"/>`: an empty string, still in its place.
                    if at == At::Data {
                        ev.data.push((std::mem::take(&mut name), String::new()));
                    }
                    at = At::Other;
                }
            }
            XmlEvent::Text(t) if at != At::Other => {
                cur.push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
            }
            XmlEvent::CData(t) if at != At::Other => {
                cur.push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
            }
            // Only character references and the predefined entities: nothing a DTD declares.
            XmlEvent::GeneralRef(g) if at != At::Other => {
                let mut tmp = [0u8; 4];
                match g.resolve_char_ref() {
                    Ok(Some(c)) => cur.push_str(c.encode_utf8(&mut tmp)),
                    _ => {
                        if let Some(s) = quick_xml::escape::resolve_predefined_entity(&g) {
                            cur.push_str(s);
                        }
                    }
                }
            }
            XmlEvent::End(e) => {
                let text = std::mem::take(&mut cur);
                match (at, e.local_name().into_inner()) {
                    (At::EventId, "EventID") => {
                        ev.event_id = text
                            .trim()
                            .parse()
                            .map_err(|_| ParseError::Field("EventID"))?
                    }
                    (At::Computer, "Computer") => ev.computer = Some(text.trim().to_string()),
                    (At::Data, "Data") => ev.data.push((std::mem::take(&mut name), text)),
                    (At::Binary, "Binary") => ev.binary = Some(text.trim().to_string()),
                    (At::Message, "Message") => ev.message = Some(text),
                    _ => {}
                }
                at = At::Other;
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    if !saw_event || ev.provider.is_empty() {
        return Err(ParseError::NotFormat("windows event XML"));
    }
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;
    use crate::{EventKind, LifecycleState, LineParser};

    /// The shape of the NiFi docs' record: pretty-printed, `<Data>param2</Data>` unnamed, the
    /// service and state only in `<Binary>` (here `W3SVC/1`).
    const PRETTY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Events>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
    <System>
        <Provider Name="Service Control Manager" Guid="{555908d1-a6d7-4695-8e1e-26931d2012f4}"
                  EventSourceName="Service Control Manager"/>
        <EventID Qualifiers="16384">7036</EventID>
        <TimeCreated SystemTime="2026-11-20T02:07:44.905233700Z"/>
        <Computer>WIN01.example.com</Computer>
    </System>
    <EventData>
        <Data Name="param1">World Wide Web Publishing Service</Data>
        <Data>param2</Data>
        <Binary>570033005300560043002F0031000000</Binary>
    </EventData>
</Event>
</Events>
"#;

    fn run(text: &str) -> Vec<(u64, u64, Result<Option<crate::Event>, ParseError>)> {
        let mut p = XmlParser::default();
        let mut out = Vec::new();
        for (i, l) in text.lines().enumerate() {
            let n = i as u64 + 1;
            let r = p.parse(l.as_bytes(), &ctx());
            let back = p.record().map_or(0, |(b, _)| b);
            out.push((n, n - back, r));
            while let Some(r) = p.more() {
                let back = p.record().map_or(0, |(b, _)| b);
                out.push((n, n - back, r));
            }
        }
        out
    }

    #[test]
    fn pretty_record_is_read_from_its_binary_and_cited_by_its_first_line() {
        let out = run(PRETTY);
        let evs: Vec<_> = out
            .iter()
            .filter_map(|(_, start, r)| {
                r.as_ref().ok().and_then(|e| e.clone()).map(|e| (*start, e))
            })
            .collect();
        assert_eq!(evs.len(), 1, "{out:?}");
        assert!(out.iter().all(|(_, _, r)| r.is_ok()), "{out:?}");
        let (start, ev) = &evs[0];
        assert_eq!(*start, 3);
        assert_eq!(ev.host.as_deref(), Some("WIN01.example.com"));
        assert_eq!(ev.time.to_rfc3339(), "2026-11-20T02:07:44.905233700+00:00");
        match &ev.kind {
            EventKind::Lifecycle(l) => {
                assert_eq!(l.unit, "W3SVC");
                assert_eq!(l.state, LifecycleState::Stopped);
                assert_eq!(
                    l.detail.as_deref(),
                    Some("World Wide Web Publishing Service")
                );
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn records_back_to_back_on_one_line_are_each_read() {
        let one = FORMAT.example();
        let line = format!(
            "{one}{}",
            one.replace("7036", "6005")
                .replace("Service Control Manager", "EventLog")
        );
        let out = run(&line);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(matches!(&out[1].2, Ok(Some(e)) if matches!(e.kind, EventKind::Boot(_))));
    }

    #[test]
    fn garbage_and_truncation_are_malformed_not_panics() {
        assert!(run("hello world").iter().all(|(_, _, r)| r.is_err()));
        let cut = &FORMAT.example()[..200];
        let out = run(&format!("{cut}\n<Event xmlns=\"x\"><System></Event>"));
        assert!(out.iter().any(|(_, _, r)| r.is_err()), "{out:?}");
        assert!(parse_record("<Event><System><EventID>x</EventID></System></Event>").is_err());
    }

    #[test]
    fn the_real_nifi_record_reads_as_its_binary_says() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/realworld/logs/windows-scm/nifi_windowseventlogreader_7036.extracted.xml"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipped: {path} not present");
            return;
        };
        let out = run(&text);
        let ev = out
            .iter()
            .find_map(|(_, _, r)| r.as_ref().ok().cloned().flatten())
            .expect("one event");
        assert!(
            matches!(&ev.kind, EventKind::Lifecycle(l) if l.unit == "ScDeviceEnum" && l.state == LifecycleState::Started),
            "{ev:?}"
        );
        assert_eq!(crate::detect(text.as_bytes()).format, Some(FORMAT));
    }
}
