//! Windows events as CSV: Event Viewer's "Save All Events As… → CSV" (`Level,Date and Time,Source,
//! Event ID,Task Category` and an unnamed sixth column, the message) and `Get-WinEvent |
//! Export-Csv` (`#TYPE …EventLogRecord`, then `"Message","Id",…,"ProviderName",…,"MachineName",…,
//! "TimeCreated"`). The columns are found by their header names. Times are the exporting machine's
//! local time, in its locale's format (`11/20/2026 2:10:00 AM`, `20.11.2026 02:10:00`, ISO): read in
//! the source's zone (`--source-tz`/`--tz`). These forms carry the rendered message only: SCM,
//! EventLog, User32 and WFP records are read from its English wording and its `Label: value` lines
//! (`Source Address:`, `Shutdown Type:`). A quoted message spans lines; the record is cited by its
//! first line.

use chrono::NaiveDateTime;

use super::WinEvent;
use crate::records::{Queue, RECORD_CAP, queued_parser};
use crate::{LogFormat, LogSpec, ParseError, Score, TimeContext, registry::Parse};

pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "windows_csv",
    aliases: &["eventviewer_csv"],
    description: "Windows events as CSV (Event Viewer Save As CSV, Get-WinEvent | Export-Csv): the records windows_xml reads, from their English messages; local times",
    example: "Level,Date and Time,Source,Event ID,Task Category\nInformation,11/20/2026 2:10:00 AM,Service Control Manager,7036,None,The World Wide Web Publishing Service service entered the stopped state.",
    detect,
    framing_suffices: false,
    parse: Parse::Stateful(|| Box::new(CsvParser::default())),
    line_time: |_, _| None,
    words: &super::WORDS,
    multiline: true,
    ..LogSpec::NETWORK
});

fn detect(line: &[u8]) -> Score {
    let t = line.trim_ascii();
    if t.starts_with(b"Level,Date and Time,Source,Event ID,Task Category")
        || t.starts_with(b"#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord")
    {
        return Score::Decides;
    }
    Score::No
}

/// Column positions, from the header.
#[derive(Default, Clone)]
struct Columns {
    time: Option<usize>,
    source: Option<usize>,
    id: Option<usize>,
    message: Option<usize>,
    host: Option<usize>,
}

#[derive(Default)]
struct CsvParser {
    q: Queue,
    cols: Option<Columns>,
    buf: String,
    start: u64,
}

queued_parser!(CsvParser);

fn fields(text: &str) -> Option<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let rec = r.records().next()?.ok()?;
    Some(rec.iter().map(str::to_string).collect())
}

impl CsvParser {
    fn feed(&mut self, line: &[u8], ctx: &TimeContext) -> Result<(), ParseError> {
        let line = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
        let line = line.trim_start_matches('\u{feff}');
        if self.buf.is_empty() {
            if line.trim().is_empty() || line.starts_with("#TYPE") {
                return Ok(());
            }
            self.start = self.q.line;
        } else {
            self.buf.push('\n');
        }
        self.buf.push_str(line);
        // A quoted field is open while the quotes are odd.
        if self.buf.matches('"').count() % 2 == 1 {
            if self.buf.len() > RECORD_CAP {
                self.buf.clear();
                return Err(ParseError::Field("a CSV record over 1 MiB"));
            }
            return Ok(());
        }
        let text = std::mem::take(&mut self.buf);
        let f = fields(&text).ok_or(ParseError::Field("CSV record"))?;
        let Some(cols) = &self.cols else {
            let find = |names: &[&str]| {
                f.iter()
                    .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
            };
            let mut c = Columns {
                time: find(&["Date and Time", "TimeCreated", "TimeGenerated", "Date"]),
                source: find(&["Source", "ProviderName"]),
                id: find(&["Event ID", "Id", "EventID", "InstanceId"]),
                message: find(&["Message"]),
                host: find(&["MachineName", "Computer"]),
            };
            // Event Viewer names five columns and writes the message as a sixth.
            if c.message.is_none() && find(&["Task Category"]).is_some() {
                c.message = Some(f.len());
            }
            if c.time.is_none() || c.source.is_none() || c.id.is_none() {
                return Err(ParseError::Header("not a Windows event CSV header"));
            }
            self.cols = Some(c);
            return Ok(());
        };
        let r = record(cols, &f, ctx).and_then(|ev| super::to_event(&ev, ctx));
        self.q.push(self.start, text, r);
        Ok(())
    }
}

/// A local time in the formats Windows locales print.
fn local_time(s: &str, ctx: &TimeContext) -> Option<chrono::DateTime<chrono::Utc>> {
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}'))
        .collect();
    let s = s.trim();
    [
        "%m/%d/%Y %I:%M:%S %p",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%d.%m.%Y %H:%M:%S",
        "%m/%d/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .and_then(|n| ctx.local_to_utc(n))
}

/// `Label:<tabs>value` lines of a rendered message, as the field names of the XML form.
const LABELS: &[(&str, &str)] = &[
    ("Direction", "Direction"),
    ("Source Address", "SourceAddress"),
    ("Source Port", "SourcePort"),
    ("Destination Address", "DestAddress"),
    ("Destination Port", "DestPort"),
    ("Protocol", "Protocol"),
    ("Shutdown Type", "param5"),
];

fn record(cols: &Columns, f: &[String], ctx: &TimeContext) -> Result<WinEvent, ParseError> {
    let get = |i: Option<usize>| i.and_then(|i| f.get(i)).map(|s| s.trim().to_string());
    let message = get(cols.message);
    let mut ev = WinEvent {
        provider: get(cols.source).ok_or(ParseError::Field("Source"))?,
        event_id: get(cols.id)
            .and_then(|s| s.parse().ok())
            .ok_or(ParseError::Field("Event ID"))?,
        time: get(cols.time).and_then(|t| local_time(&t, ctx)),
        computer: get(cols.host),
        ..Default::default()
    };
    if let Some(m) = &message {
        for l in m.lines() {
            if let Some((k, v)) = l.trim().split_once(':')
                && let Some((_, name)) = LABELS.iter().find(|(label, _)| k.trim() == *label)
            {
                ev.data.push((name.to_string(), v.trim().to_string()));
            }
        }
    }
    ev.message = message;
    if ev.time.is_none() {
        return Err(ParseError::Timestamp("Date and Time"));
    }
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;
    use crate::{EventKind, LifecycleState, LineParser, ShutdownKind};

    fn events(text: &str) -> (Vec<(u64, crate::Event)>, usize) {
        let mut p = CsvParser::default();
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

    #[test]
    fn event_viewer_csv_with_a_multi_line_message() {
        let text = "Level,Date and Time,Source,Event ID,Task Category\n\
Information,11/20/2026 2:10:00 AM,Service Control Manager,7036,None,The World Wide Web Publishing Service service entered the stopped state.\n\
Information,11/20/2026 2:12:00 AM,User32,1074,None,\"The process C:\\Windows\\system32\\shutdown.exe (WIN01) has initiated the restart of computer WIN01 on behalf of user EXAMPLE\\admin for the following reason: Other (Planned)\n Reason Code: 0x80000000\n Shutdown Type: restart\n Comment: \"\n\
Information,11/20/2026 2:13:00 AM,Service Control Manager,7040,None,\"The start type of the Background Intelligent Transfer Service service was changed from auto start to demand start.\"\n";
        let (evs, bad) = events(text);
        assert_eq!(bad, 0);
        assert_eq!(evs.len(), 2, "{evs:?}");
        assert_eq!(evs[0].1.time.to_rfc3339(), "2026-11-20T02:10:00+00:00");
        assert!(
            matches!(&evs[0].1.kind, EventKind::Lifecycle(l) if l.unit == "World Wide Web Publishing Service" && l.state == LifecycleState::Stopped)
        );
        assert_eq!(evs[1].0, 3);
        assert!(matches!(&evs[1].1.kind, EventKind::Shutdown(s) if s.kind == ShutdownKind::Reboot));
    }

    #[test]
    fn export_csv_of_get_winevent_and_a_wfp_drop() {
        let text = "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\n\
\"Message\",\"Id\",\"ProviderName\",\"MachineName\",\"TimeCreated\"\n\
\"The Windows Filtering Platform has blocked a connection.\n\nApplication Information:\n\tProcess ID:\t\t0\n\nNetwork Information:\n\tDirection:\t\tInbound\n\tSource Address:\t\t192.0.2.40\n\tSource Port:\t\t3389\n\tDestination Address:\t203.0.113.5\n\tDestination Port:\t\t40000\n\tProtocol:\t\t6\",\"5157\",\"Microsoft-Windows-Security-Auditing\",\"win01.example.com\",\"11/20/2026 2:13:00 AM\"\n";
        let (evs, bad) = events(text);
        assert_eq!(bad, 0);
        assert!(
            matches!(&evs[0].1.kind, EventKind::FirewallDeny(d) if d.dport == Some(3389) && d.src.to_string() == "203.0.113.5"),
            "{evs:?}"
        );
        assert_eq!(evs[0].1.host.as_deref(), Some("win01.example.com"));
        assert_eq!(evs[0].0, 3);
    }
}
