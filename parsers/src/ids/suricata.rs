//! Suricata eve.json.

use crate::{Event, ParseError, TimeContext};

pub fn parse_eve_line(_line: &[u8], _ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    Ok(None)
}
