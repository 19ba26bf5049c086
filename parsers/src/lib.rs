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
