//! Helpers shared by the parsers' unit tests.

use std::net::IpAddr;

use chrono::{TimeZone, Utc};

use crate::TimeContext;

/// UTC, around the samples' scan night (2026-11-20).
pub fn ctx() -> TimeContext {
    TimeContext::utc(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap())
}

/// An address literal.
pub fn a(s: &str) -> IpAddr {
    s.parse().unwrap()
}
