//! Pure parsers for portmortem: scan reports and log lines in, typed facts and events out.
//!
//! No I/O, no clock, no globals: every function takes bytes (or a `BufRead` for the streamed XML
//! scan reports) plus a [`TimeContext`] that carries the year and zone a zone-less, year-less log
//! timestamp needs. Malformed input is an error value, never a panic.

pub mod ban;
pub mod cloud;
pub mod daemonlog;
pub mod detect;
pub mod error;
pub mod event;
pub mod firewall;
pub mod ids;
pub mod journald;
pub mod journald_export;
pub mod journald_monotonic;
mod records;
pub mod registry;
pub mod scan;
pub mod siem;
pub mod syslog;
#[cfg(test)]
mod test_util;
pub mod time;
pub mod windows;

pub use detect::{Detection, detect, detect_log_format};
pub use error::ParseError;
pub use event::*;
pub use registry::{LineParser, LogFormat, LogSpec, Score, Words, parse_line};
pub use time::TimeContext;

/// The string value of `"key"` in a one-line JSON object, found without parsing the object (used
/// to sample a line's time or host cheaply). Escapes are not decoded; a value holding `\"` ends early.
pub(crate) fn json_str_field<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a str> {
    let p = memchr::memmem::find(line, key)? + key.len();
    let rest = line.get(p..)?;
    let open = memchr::memchr(b'"', rest)? + 1;
    let close = memchr::memchr(b'"', rest.get(open..)?)? + open;
    std::str::from_utf8(rest.get(open..close)?).ok()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::test_util::ctx;

    #[test]
    fn line_time_and_host_per_format() {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 2, 10, 8).unwrap();
        let at = |f: LogFormat, l: &str| f.line_time(l.as_bytes(), &ctx());
        assert_eq!(
            at(
                ids::suricata::FORMAT,
                r#"{"timestamp":"2026-11-20T02:10:08.000000+0000","event_type":"flow"}"#
            ),
            Some(t)
        );
        assert_eq!(
            at(ids::zeek::FORMAT, "1795140608.000000\tC1\t203.0.113.5"),
            Some(t)
        );
        assert_eq!(
            at(ids::zeek::FORMAT, r#"{"ts": 1795140608.0, "uid": "C1"}"#),
            Some(t)
        );
        assert_eq!(at(ids::zeek::FORMAT, "#fields\tts\tuid"), None);
        assert_eq!(
            at(
                journald::FORMAT,
                r#"{"__REALTIME_TIMESTAMP":"1795140608000000","_HOSTNAME":"db01"}"#
            ),
            Some(t)
        );
        assert_eq!(
            journald::FORMAT.line_host(br#"{"__REALTIME_TIMESTAMP":"1","_HOSTNAME" : "db01"}"#),
            Some("db01".to_string())
        );
        assert_eq!(
            syslog::FORMAT.line_host(b"Nov 20 02:10:08 web01 sshd[1]: x"),
            Some("web01".to_string())
        );
        assert_eq!(ids::suricata::FORMAT.line_host(b"{}"), None);
    }
}
