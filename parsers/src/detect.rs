//! Log format detection from a file's first bytes.

use serde::Serialize;

/// Line-oriented log formats the parsers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// RFC 3164 / RFC 5424 / rsyslog ISO 8601 syslog, kernel netfilter lines included.
    Syslog,
    /// ulogd2 LOGEMU netfilter log (syslog-like header, no `kernel:` tag).
    Ulogd,
    /// Suricata eve.json (one JSON object per line).
    SuricataEve,
    /// fail2ban's own log (`/var/log/fail2ban.log`).
    Fail2ban,
}

impl LogFormat {
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Syslog => "syslog",
            LogFormat::Ulogd => "ulogd",
            LogFormat::SuricataEve => "suricata_eve",
            LogFormat::Fail2ban => "fail2ban",
        }
    }

    pub fn from_name(s: &str) -> Option<LogFormat> {
        match s {
            "syslog" => Some(LogFormat::Syslog),
            "ulogd" | "netfilter" => Some(LogFormat::Ulogd),
            "suricata_eve" | "eve" | "suricata" => Some(LogFormat::SuricataEve),
            "fail2ban" => Some(LogFormat::Fail2ban),
            _ => None,
        }
    }

    pub const ALL: [LogFormat; 4] = [
        LogFormat::Syslog,
        LogFormat::Ulogd,
        LogFormat::SuricataEve,
        LogFormat::Fail2ban,
    ];
}

/// Guess a log format from the first bytes of a file (a few KB are plenty). Looks at up to 20
/// non-empty, non-comment lines and returns the format most of them frame as.
pub fn detect_log_format(head: &[u8]) -> Option<LogFormat> {
    let mut syslog = 0usize;
    let mut ulogd = 0usize;
    let mut eve = 0usize;
    let mut f2b = 0usize;
    let mut seen = 0usize;
    // The last line of a head sample may be cut short: drop it unless the head is the whole file.
    let lines: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    for line in lines.iter().take(lines.len().saturating_sub(1).max(1)) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let trimmed = line.trim_ascii_start();
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        seen += 1;
        if seen > 20 {
            break;
        }
        if trimmed.starts_with(b"{") {
            if memchr::memmem::find(trimmed, b"\"event_type\"").is_some() {
                eve += 1;
            }
            continue;
        }
        if crate::ban::fail2ban::looks_native(trimmed) {
            f2b += 1;
            continue;
        }
        if let Some(h) = crate::syslog::header::parse_header(line) {
            let has_nf = memchr::memmem::find(h.msg, b"IN=").is_some()
                && memchr::memmem::find(h.msg, b"SRC=").is_some();
            if has_nf && h.app.is_none() {
                ulogd += 1;
            } else {
                syslog += 1;
            }
        }
    }
    let best = [
        (eve, LogFormat::SuricataEve),
        (f2b, LogFormat::Fail2ban),
        (syslog + ulogd, LogFormat::Syslog),
    ]
    .into_iter()
    .max_by_key(|(n, _)| *n)?;
    if best.0 == 0 || best.0 * 2 < seen.min(20) {
        return None;
    }
    if best.1 == LogFormat::Syslog && ulogd > syslog {
        return Some(LogFormat::Ulogd);
    }
    Some(best.1)
}
