//! Records that span lines, or share one (Windows XML and JSON exports, journal export records). A splitter
//! finds each record's text in the lines fed so far; every complete record is parsed and queued,
//! with the line it started on, so that the pipeline can hand out several events for one line and
//! cite a record by its first line and whole text.

use std::collections::VecDeque;

use crate::{Event, ParseError};

/// The most a record may hold before it is given up as malformed (a runaway element or object).
pub const RECORD_CAP: usize = 1 << 20;

/// Parsed records waiting to be handed out.
#[derive(Default)]
pub struct Queue {
    /// Lines fed so far.
    pub line: u64,
    pending: VecDeque<(u64, String, Result<Option<Event>, ParseError>)>,
    /// The record the last handed-out result came from: its first line and text.
    current: Option<(u64, String)>,
}

impl Queue {
    pub fn push(&mut self, start: u64, text: String, r: Result<Option<Event>, ParseError>) {
        self.pending.push_back((start, text, r));
    }

    /// The next result, or `Ok(None)` when the line completed nothing.
    pub fn first(&mut self) -> Result<Option<Event>, ParseError> {
        self.next().unwrap_or(Ok(None))
    }

    pub fn next(&mut self) -> Option<Result<Option<Event>, ParseError>> {
        let (start, text, r) = self.pending.pop_front()?;
        self.current = Some((start, text));
        Some(r)
    }

    /// Lines back from the current one to the record's first line, and its text.
    pub fn record(&self) -> Option<(u64, &[u8])> {
        self.current
            .as_ref()
            .map(|(s, t)| (self.line.saturating_sub(*s), t.as_bytes()))
    }
}

/// Implement [`crate::LineParser`]'s queue methods for a parser with a `q: Queue` field.
macro_rules! queued_parser {
    ($t:ty) => {
        impl crate::LineParser for $t {
            fn parse(
                &mut self,
                line: &[u8],
                ctx: &crate::TimeContext,
            ) -> Result<Option<crate::Event>, crate::ParseError> {
                self.q.line += 1;
                self.feed(line, ctx)?;
                self.q.first()
            }
            fn more(&mut self) -> Option<Result<Option<crate::Event>, crate::ParseError>> {
                self.q.next()
            }
            fn record(&self) -> Option<(u64, &[u8])> {
                self.q.record()
            }
        }
    };
}
pub(crate) use queued_parser;
