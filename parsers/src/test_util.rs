//! Helpers shared by the parsers' unit tests.

use std::net::IpAddr;

use chrono::{DateTime, TimeZone, Utc};

use crate::{Event, EventKind, FirewallDeny, IpsAlert, ParseError, TimeContext};

/// UTC, around the samples' scan night (2026-11-20).
pub fn ctx() -> TimeContext {
    TimeContext::utc(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap())
}

/// An address literal.
pub fn a(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// The time and deny of a parse result that must be a firewall deny.
pub fn the_deny(r: &Result<Option<Event>, ParseError>) -> (DateTime<Utc>, FirewallDeny) {
    match r {
        Ok(Some(Event {
            time,
            kind: EventKind::FirewallDeny(d),
            ..
        })) => (*time, d.clone()),
        other => panic!("not a deny: {other:?}"),
    }
}

/// The event and alert of a parse result that must be an IPS alert.
pub fn the_alert(r: &Result<Option<Event>, ParseError>) -> (Event, IpsAlert) {
    match r {
        Ok(Some(
            ev @ Event {
                kind: EventKind::IpsAlert(x),
                ..
            },
        )) => (ev.clone(), x.clone()),
        other => panic!("not an alert: {other:?}"),
    }
}
