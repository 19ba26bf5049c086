//! What an input holds, from its first bytes: a scan report, a log format, or nothing we read.

use portmortem_parsers::{LogFormat, detect_log_format, scan::nessus::looks_like_nessus};

use crate::config::ForcedFormat;

/// The kind of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nessus,
    Log(LogFormat),
    /// A tar archive: its members are sniffed one by one.
    Archive,
    /// No reader recognises it; the reason is for `-v`.
    Unrecognised(&'static str),
}

/// How many bytes of a file are sniffed.
pub const SNIFF_BYTES: usize = 64 * 1024;

pub fn sniff(head: &[u8], forced: Option<ForcedFormat>) -> Kind {
    match forced {
        Some(ForcedFormat::Nessus) => return Kind::Nessus,
        Some(ForcedFormat::Log(f)) => return Kind::Log(f),
        None => {}
    }
    if super::archive::is_tar(head) {
        return Kind::Archive;
    }
    if looks_like_nessus(head) {
        return Kind::Nessus;
    }
    let trimmed = head.trim_ascii_start();
    if trimmed.starts_with(b"<?xml") || trimmed.starts_with(b"<") && !trimmed.starts_with(b"<1") {
        // Syslog lines may start with `<PRI>`; other XML (nmap, OpenVAS) is not read yet.
        if !trimmed.get(1).is_some_and(|b| b.is_ascii_digit()) {
            return Kind::Unrecognised("XML document of a kind not read yet");
        }
    }
    match detect_log_format(head) {
        Some(f) => Kind::Log(f),
        None => Kind::Unrecognised("no known log framing in the first lines"),
    }
}
