//! Pure parsers for portmortem: scan reports and log lines in, typed facts and events out.
//!
//! No I/O, no clock, no globals: every function takes bytes (or a `BufRead` for the streamed XML
//! scan reports) plus a [`TimeContext`] that carries the year and zone a zone-less, year-less log
//! timestamp needs. Malformed input is an error value, never a panic.

pub mod ban;
pub mod detect;
pub mod error;
pub mod event;
pub mod firewall;
pub mod ids;
pub mod journald;
pub mod scan;
pub mod syslog;
#[cfg(test)]
mod test_util;
pub mod time;

pub use detect::{LogFormat, detect_log_format};
pub use error::ParseError;
pub use event::*;
pub use time::TimeContext;

/// A parser for one source, read in order: stateless formats are [`parse_line`]; header-driven ones
/// (Zeek `#fields`) keep their header here.
#[derive(Debug, Clone)]
pub struct SourceParser {
    format: LogFormat,
    zeek: ids::zeek::ConnParser,
}

impl SourceParser {
    pub fn new(format: LogFormat) -> Self {
        Self {
            format,
            zeek: ids::zeek::ConnParser::new(),
        }
    }

    /// Must this format be read whole and in order (no parallel chunks)?
    pub fn is_stateful(format: LogFormat) -> bool {
        matches!(format, LogFormat::ZeekConn)
    }

    /// Parse the next line of the source.
    pub fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        match self.format {
            LogFormat::ZeekConn => self.zeek.parse(line, ctx),
            f => parse_line(f, line, ctx),
        }
    }
}

/// The string value of `"key"` in a one-line JSON object, found without parsing the object (used
/// to sample a line's time or host cheaply). Escapes are not decoded; a value holding `\"` ends early.
pub(crate) fn json_str_field<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a str> {
    let p = memchr::memmem::find(line, key)? + key.len();
    let rest = line.get(p..)?;
    let open = memchr::memchr(b'"', rest)? + 1;
    let close = memchr::memchr(b'"', rest.get(open..)?)? + open;
    std::str::from_utf8(rest.get(open..close)?).ok()
}

/// The time of a line, read cheaply (for the time span a source covers), or `None`.
pub fn line_time(
    format: LogFormat,
    line: &[u8],
    ctx: &TimeContext,
) -> Option<chrono::DateTime<chrono::Utc>> {
    match format {
        LogFormat::Syslog | LogFormat::Ulogd => syslog::header::parse_header_ctx(line, ctx)
            .ok()
            .map(|(_, t)| t),
        LogFormat::Fail2ban => ban::fail2ban::line_time(line, ctx),
        LogFormat::JournaldJson => journald::line_time(line),
        LogFormat::WazuhAr => ban::wazuh::line_time(line, ctx),
        LogFormat::Crowdsec => ban::crowdsec::line_time(line, ctx),
        LogFormat::ZeekConn => ids::zeek::line_time(line, ctx),
        LogFormat::SuricataEve => ids::suricata::line_time(line, ctx),
    }
}

/// The host a line names (syslog HOSTNAME, journald `_HOSTNAME`), read cheaply, or `None`.
pub fn line_host(format: LogFormat, line: &[u8]) -> Option<String> {
    match format {
        LogFormat::Syslog | LogFormat::Ulogd => {
            syslog::header::parse_header(line).and_then(|h| h.host.map(str::to_string))
        }
        LogFormat::JournaldJson => json_str_field(line, b"\"_HOSTNAME\"").map(str::to_string),
        LogFormat::SuricataEve
        | LogFormat::Fail2ban
        | LogFormat::WazuhAr
        | LogFormat::Crowdsec
        | LogFormat::ZeekConn => None,
    }
}

/// Parse one line of a stateless log format. `Ok(None)`: a well-framed line that is not an event we
/// care about; `Err`: the line fails the format's framing (counted as malformed).
pub fn parse_line(
    format: LogFormat,
    line: &[u8],
    ctx: &TimeContext,
) -> Result<Option<Event>, ParseError> {
    match format {
        LogFormat::Syslog | LogFormat::Ulogd => syslog::parse_line(line, ctx),
        LogFormat::SuricataEve => ids::suricata::parse_eve_line(line, ctx),
        LogFormat::Fail2ban => ban::fail2ban::parse_line(line, ctx),
        LogFormat::JournaldJson => journald::parse_json_line(line, ctx),
        LogFormat::WazuhAr => ban::wazuh::parse_line(line, ctx),
        LogFormat::Crowdsec => ban::crowdsec::parse_line(line, ctx),
        // Header-driven: a lone line can only be a JSON record (TSV needs [`SourceParser`]).
        LogFormat::ZeekConn => ids::zeek::ConnParser::new().parse(line, ctx),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::test_util::ctx;

    #[test]
    fn line_time_and_host_per_format() {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 2, 10, 8).unwrap();
        let at = |f: LogFormat, l: &str| line_time(f, l.as_bytes(), &ctx());
        assert_eq!(
            at(
                LogFormat::SuricataEve,
                r#"{"timestamp":"2026-11-20T02:10:08.000000+0000","event_type":"flow"}"#
            ),
            Some(t)
        );
        assert_eq!(
            at(LogFormat::ZeekConn, "1795140608.000000\tC1\t203.0.113.5"),
            Some(t)
        );
        assert_eq!(
            at(LogFormat::ZeekConn, r#"{"ts": 1795140608.0, "uid": "C1"}"#),
            Some(t)
        );
        assert_eq!(at(LogFormat::ZeekConn, "#fields\tts\tuid"), None);
        assert_eq!(
            at(
                LogFormat::JournaldJson,
                r#"{"__REALTIME_TIMESTAMP":"1795140608000000","_HOSTNAME":"db01"}"#
            ),
            Some(t)
        );
        assert_eq!(
            line_host(
                LogFormat::JournaldJson,
                br#"{"__REALTIME_TIMESTAMP":"1","_HOSTNAME" : "db01"}"#
            ),
            Some("db01".to_string())
        );
        assert_eq!(
            line_host(LogFormat::Syslog, b"Nov 20 02:10:08 web01 sshd[1]: x"),
            Some("web01".to_string())
        );
        assert_eq!(line_host(LogFormat::SuricataEve, b"{}"), None);
    }
}
