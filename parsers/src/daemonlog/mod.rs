//! Daemons' own log files, not syslog: each writes its stop, crash, start and listen lines with its
//! own time format, and names no host (attribution follows DESIGN.md: `--config`, a path
//! component, the only scanned host; `sources[].attribution` says which). The message wordings are
//! the ones [`crate::syslog::daemons`] already reads when the same daemons log through syslog;
//! these modules add the framing and the wordings only the files carry.
//!
//! Lines that do not start with the format's time but are part of a record (a stack trace after a
//! MySQL crash banner, a PostgreSQL statement's continuation) are read as no event, not malformed:
//! the formats are multi-line by nature.

pub mod apache;
pub mod mysql;
pub mod nginx;
pub mod postgres;
pub mod redis;
pub mod tomcat;

use chrono::{DateTime, Utc};

use crate::{Event, EventKind, ParseError};

/// An event of a daemon's own log: no host in the line.
fn event(time: DateTime<Utc>, observer: &'static str, kind: Option<EventKind>) -> Option<Event> {
    kind.map(|kind| Event {
        time,
        host: None,
        observer,
        kind,
    })
}

/// The line as text; a line that is not UTF-8 is malformed.
fn text(line: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(line).map_err(|_| ParseError::Encoding)
}

/// A continuation line of a multi-line record (indented, or no digit where the time would be).
fn continuation(s: &str) -> bool {
    s.starts_with([' ', '\t']) || !s.starts_with(|c: char| c.is_ascii_digit() || c == '[')
}
