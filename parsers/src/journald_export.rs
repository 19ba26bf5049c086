//! The journal export format (`journalctl -o export`, `systemd-journal-remote` input): records of
//! `FIELD=value` lines ended by an empty line; a field whose value is not printable text (a
//! multi-line or non-UTF-8 `MESSAGE`) is written as `FIELD\n`, a 64-bit little-endian length, the
//! raw bytes and `\n`. Follows <https://systemd.io/JOURNAL_EXPORT_FORMATS/>. The message goes
//! through the syslog payload classifiers with `SYSLOG_IDENTIFIER` as the tag, like
//! [`crate::journald`]; a record whose `_BOOT_ID` differs from the previous record's (of the same
//! host) is also a boot of that host, at that record's time: the journal's own reboot marker,
//! there even when the kernel's banner was filtered out of the export.
//!
//! Quirk: the line reader trims a `\r` before `\n`; a binary value holding `\r\n` then reads two
//! bytes short and takes the next line into the value (that record is malformed).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::records::{Queue, RECORD_CAP, queued_parser};
use crate::{
    Boot, Event, EventKind, LogFormat, LogSpec, ParseError, Score, TimeContext, registry::Parse,
    syslog,
};

pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "journald_export",
    aliases: &["journal_export"],
    description: "journalctl -o export (binary-safe records): the same payloads as syslog, and a _BOOT_ID change as a boot",
    example: "__CURSOR=s=1;i=1\n__REALTIME_TIMESTAMP=1795140464000000\n_BOOT_ID=0f3c2a3a3e7b4c1f9d7e6a5b4c3d2e1f\n_HOSTNAME=db01\nSYSLOG_IDENTIFIER=systemd\n_PID=1\nMESSAGE=Stopped mysql.service - MySQL Community Server.\n",
    detect,
    framing_suffices: false,
    parse: Parse::Stateful(|| Box::new(ExportParser::default())),
    line_time: |l, _| {
        let us = l.strip_prefix(b"__REALTIME_TIMESTAMP=")?;
        DateTime::from_timestamp_micros(std::str::from_utf8(us).ok()?.trim().parse().ok()?)
    },
    line_host: |l| {
        l.strip_prefix(b"_HOSTNAME=")
            .and_then(|h| std::str::from_utf8(h).ok())
            .map(str::to_string)
    },
    words: &syslog::payload::WORDS,
    multiline: true,
    ..LogSpec::NETWORK
});

fn detect(line: &[u8]) -> Score {
    if line.starts_with(b"__CURSOR=") {
        return Score::Decides;
    }
    if line.starts_with(b"__REALTIME_TIMESTAMP=")
        || line.starts_with(b"__MONOTONIC_TIMESTAMP=")
        || line.starts_with(b"_BOOT_ID=")
    {
        return Score::Claims;
    }
    let key = line.split(|&b| b == b'=').next().unwrap_or_default();
    let field = !key.is_empty()
        && key.len() < line.len()
        && key
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    if field { Score::Frames } else { Score::No }
}

/// A binary field being read: its name, the bytes so far (length prefix included).
struct Binary {
    name: String,
    bytes: Vec<u8>,
}

#[derive(Default)]
struct ExportParser {
    q: Queue,
    fields: BTreeMap<String, String>,
    text: String,
    start: u64,
    binary: Option<Binary>,
    /// The last `_BOOT_ID` seen per host.
    boots: BTreeMap<String, String>,
    bad: bool,
}

queued_parser!(ExportParser);

impl ExportParser {
    fn feed(&mut self, line: &[u8], ctx: &TimeContext) -> Result<(), ParseError> {
        let _ = ctx;
        if let Some(b) = &mut self.binary {
            b.bytes.extend_from_slice(line);
            b.bytes.push(b'\n');
            let need = b
                .bytes
                .get(..8)
                .map(|l| u64::from_le_bytes(l.try_into().unwrap_or([0; 8])) as usize);
            match need {
                Some(n) if n > RECORD_CAP => {
                    self.binary = None;
                    self.bad = true;
                }
                Some(n) if b.bytes.len() > 8 + n => {
                    let value = String::from_utf8_lossy(&b.bytes[8..8 + n]).into_owned();
                    let name = std::mem::take(&mut b.name);
                    self.binary = None;
                    self.push_text(&format!("{name}={value}"));
                    self.fields.insert(name, value);
                }
                _ => {}
            }
            return Ok(());
        }
        if line.is_empty() {
            self.finish();
            return Ok(());
        }
        if self.fields.is_empty() && self.text.is_empty() {
            self.start = self.q.line;
        }
        let s = String::from_utf8_lossy(line);
        match s.split_once('=') {
            Some((k, v)) => {
                self.push_text(&s);
                self.fields.insert(k.to_string(), v.to_string());
            }
            None if s
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
            {
                self.binary = Some(Binary {
                    name: s.into_owned(),
                    bytes: Vec::new(),
                });
            }
            None => self.bad = true,
        }
        Ok(())
    }

    fn push_text(&mut self, s: &str) {
        if self.text.len() < 4096 {
            if !self.text.is_empty() {
                self.text.push(' ');
            }
            self.text.push_str(s);
        }
    }

    /// The record ended: its events (a boot first, when its `_BOOT_ID` is new for its host).
    fn finish(&mut self) {
        let fields = std::mem::take(&mut self.fields);
        let text = std::mem::take(&mut self.text);
        if std::mem::take(&mut self.bad) {
            self.q.push(
                self.start,
                text,
                Err(ParseError::Field("journal export field")),
            );
            return;
        }
        if fields.is_empty() {
            return;
        }
        let time = fields
            .get("__REALTIME_TIMESTAMP")
            .and_then(|us| us.trim().parse().ok())
            .and_then(DateTime::<Utc>::from_timestamp_micros);
        let Some(time) = time else {
            self.q.push(
                self.start,
                text,
                Err(ParseError::Timestamp("no __REALTIME_TIMESTAMP")),
            );
            return;
        };
        let host = fields.get("_HOSTNAME").cloned();
        if let Some(boot) = fields.get("_BOOT_ID") {
            let prev = self
                .boots
                .insert(host.clone().unwrap_or_default(), boot.clone());
            if prev.is_some_and(|p| p != *boot) {
                let ev = Event {
                    time,
                    host: host.clone(),
                    observer: "journald",
                    kind: EventKind::Boot(Boot {}),
                };
                self.q.push(
                    self.start,
                    format!("_BOOT_ID={boot} (a new boot) {text}"),
                    Ok(Some(ev)),
                );
            }
        }
        let Some(msg) = fields.get("MESSAGE") else {
            self.q.push(self.start, text, Ok(None));
            return;
        };
        let app = match (fields.get("SYSLOG_IDENTIFIER"), fields.get("_TRANSPORT")) {
            (Some(id), _) => Some(id.as_str()),
            (None, Some(t)) if t == "kernel" => Some("kernel"),
            _ => fields.get("_COMM").map(String::as_str),
        };
        let pid = fields
            .get("_PID")
            .or_else(|| fields.get("SYSLOG_PID"))
            .and_then(|p| p.parse().ok());
        let r = syslog::classify_observed(app, pid, msg, time).map(|found| {
            found.map(|(kind, observer)| Event {
                time,
                host,
                observer,
                kind,
            })
        });
        self.q.push(self.start, text, r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LifecycleState;
    use crate::LineParser;
    use crate::test_util::ctx;

    fn run(data: &[u8]) -> Vec<(u64, Result<Option<Event>, ParseError>)> {
        let mut p = ExportParser::default();
        let mut out = Vec::new();
        for (i, line) in data.split(|&b| b == b'\n').enumerate() {
            let n = i as u64 + 1;
            let mut r = Some(p.parse(line, &ctx()));
            while let Some(x) = r {
                if !matches!(x, Ok(None)) {
                    out.push((n - p.record().map_or(0, |(b, _)| b), x));
                }
                r = p.more();
            }
        }
        out
    }

    #[test]
    fn text_and_binary_fields_and_a_new_boot() {
        let mut data = Vec::new();
        data.extend_from_slice(b"__CURSOR=s=a;i=1\n__REALTIME_TIMESTAMP=1795140464000000\n_BOOT_ID=aaaa\n_HOSTNAME=db01\nSYSLOG_IDENTIFIER=systemd\n_PID=1\nMESSAGE=Stopped mysql.service - MySQL Community Server.\n\n");
        // A multi-line message is written as a binary field (length 10 = b'\n' in the prefix).
        let msg = b"Started x\ny";
        data.extend_from_slice(b"__CURSOR=s=b;i=2\n__REALTIME_TIMESTAMP=1795140524000000\n_BOOT_ID=bbbb\n_HOSTNAME=db01\nSYSLOG_IDENTIFIER=systemd\nMESSAGE\n");
        data.extend_from_slice(&(msg.len() as u64 - 1).to_le_bytes());
        data.extend_from_slice(&msg[..msg.len() - 1]);
        data.extend_from_slice(b"\nSYSLOG_PID=1\n\n");
        let out = run(&data);
        // The stop, the new boot, and the binary message's own event (`Started x`).
        assert_eq!(out.len(), 3, "{out:?}");
        assert_eq!(out[0].0, 1);
        assert!(
            matches!(&out[0].1, Ok(Some(e)) if matches!(&e.kind, EventKind::Lifecycle(l) if l.unit == "mysql" && l.state == LifecycleState::Stopped))
        );
        assert_eq!(out[1].0, 9);
        assert!(
            matches!(&out[1].1, Ok(Some(e)) if matches!(e.kind, EventKind::Boot(_)) && e.time.timestamp() == 1795140524),
            "{out:?}"
        );
        assert_eq!(detect(b"__CURSOR=s=1"), Score::Decides);
    }

    #[test]
    fn a_record_without_time_is_malformed() {
        let out = run(b"_HOSTNAME=db01\nMESSAGE=x\n\n");
        assert!(out[0].1.is_err(), "{out:?}");
    }
}
