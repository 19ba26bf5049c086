//! What an input holds, from its first bytes: a scan report, a log format, or nothing we read.

use portmortem_parsers::{Detection, LogFormat, detect, scan::ScanFormat};

use crate::config::ForcedFormat;

/// The kind of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Scan(ScanFormat),
    /// A log format, with why it was chosen (`None` when forced with `--format-of`).
    Log(LogFormat, Option<Detection>),
    /// A tar or zip archive: its members are sniffed one by one.
    Archive,
    /// No reader recognises it; the reason is for `-v`.
    Unrecognised(String),
}

/// How many bytes of a file are sniffed.
pub const SNIFF_BYTES: usize = 64 * 1024;

pub fn sniff(head: &[u8], forced: Option<ForcedFormat>) -> Kind {
    match forced {
        Some(ForcedFormat::Scan(f)) => return Kind::Scan(f),
        Some(ForcedFormat::Log(f)) => return Kind::Log(f, None),
        None => {}
    }
    if super::archive::is_archive(head) {
        return Kind::Archive;
    }
    if let Some(f) = ScanFormat::detect(head) {
        return Kind::Scan(f);
    }
    let d = detect(head);
    if let Some(f) = d.format {
        return Kind::Log(f, Some(d));
    }
    let trimmed = head.trim_ascii_start();
    if trimmed.starts_with(b"<?xml") || trimmed.starts_with(b"<") && !trimmed.starts_with(b"<1") {
        // Syslog lines may start with `<PRI>`; XML no scan reader claims is not read.
        if !trimmed.get(1).is_some_and(|b| b.is_ascii_digit()) {
            return Kind::Unrecognised("an XML document of a kind portmortem does not read".into());
        }
    }
    Kind::Unrecognised(d.reason)
}
