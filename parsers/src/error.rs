//! The one error type of the parsers crate: why a line or report failed its format's framing.

use thiserror::Error;

/// A line or document that does not fit its format. Carries a short static reason so that counts can
/// be grouped and messages stay small (the offending text is never copied in full).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("bad timestamp: {0}")]
    Timestamp(&'static str),
    #[error("bad header: {0}")]
    Header(&'static str),
    #[error("bad field: {0}")]
    Field(&'static str),
    #[error("invalid UTF-8 or NUL byte in line")]
    Encoding,
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("invalid XML: {0}")]
    Xml(String),
    #[error("not a {0} document")]
    NotFormat(&'static str),
    /// A report that cannot be read for another reason (I/O, a CSV that breaks off).
    #[error("{0}")]
    Report(String),
}
