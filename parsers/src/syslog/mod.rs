//! Syslog-framed logs: the header (see [`header`]) and the classifiers that turn a message into an
//! event (netfilter, systemd lifecycle, kernel, daemons).

pub mod header;

use crate::{Event, ParseError, TimeContext};

/// Parse one syslog line into at most one event.
pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let (h, time) = header::parse_header_ctx(line, ctx)?;
    let _ = (h, time);
    Ok(None)
}
