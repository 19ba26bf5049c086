//! sshguard's blocks, as it logs them through syslog (tag `sshguard`), in the wordings of its
//! releases (sshguard's `src/blocker/blocker.c` and its 1.x `sshguard.c`):
//!
//! - 2.x: `Blocking "203.0.113.5/32" for 120 secs (3 attacks in 5 secs, after 1 abuses over 5 secs.)`
//!   (the address as a CIDR block: `/24` blocks a subnet), `… forever (…)` when blacklisted;
//! - 1.5–1.7: `203.0.113.5: blocking for 240 secs (3 attacks in 6 secs, after 1 abuses over 6 secs)`;
//! - 1.x: `Blocking 203.0.113.5:4 for >630secs: 40 danger in 4 attacks over 0 seconds (all: 40d in 1
//!   abuses over 0s).`
//!
//! Each is a [`Ban`] by [`BanTool::Sshguard`] until the line's time plus the duration. `Attack from
//! "IP" on service SSH with danger 10.` lines are the attacks it counts, not blocks: no event.
//! `Releasing 203.0.113.5 after 630 seconds.` (1.x) is an unban.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

use crate::{Ban, BanAction, BanTool, EventKind};

/// Is this tag sshguard's?
pub fn is_sshguard(app: &str) -> bool {
    app.eq_ignore_ascii_case("sshguard")
}

/// Classify an sshguard message written at `time` (the ban's end is relative to it).
pub fn classify(msg: &str, time: Option<DateTime<Utc>>) -> Option<EventKind> {
    let msg = msg.trim();
    if let Some(rest) = msg.strip_prefix("Releasing ") {
        let addr = rest.split_whitespace().next()?;
        return ban(addr, BanAction::Unban, None, None);
    }
    let (addr, duration) = if let Some(rest) = msg.strip_prefix("Blocking ") {
        // `"203.0.113.5/32" for 120 secs` | `203.0.113.5:4 for >630secs:` | `"…" forever`
        let (addr, rest) = match rest.strip_prefix('"') {
            Some(q) => q.split_once('"')?,
            None => rest.split_once(' ')?,
        };
        (addr, duration_after(rest.trim_start()))
    } else if let Some((addr, rest)) = msg.split_once(": blocking ") {
        (addr, duration_after(rest))
    } else {
        return None;
    };
    let until = duration.zip(time).map(|(d, t)| t + d);
    ban(addr, BanAction::Ban, until, scope_of(addr))
}

/// `for 120 secs`, `for >630secs`, `forever`: the block's length (`None` for forever or unknown).
fn duration_after(rest: &str) -> Option<Duration> {
    let n = rest.strip_prefix("for ")?.trim_start_matches('>');
    let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
    let secs: i64 = digits.parse().ok()?;
    let unit = n[digits.len()..].trim_start();
    unit.starts_with("sec").then(|| Duration::seconds(secs))
}

/// A block wider than one address says so (`/24`): the scope a report shows.
fn scope_of(addr: &str) -> Option<String> {
    let (_, bits) = addr.split_once('/')?;
    match bits {
        "32" | "128" => None,
        b => Some(format!("/{b} block")),
    }
}

fn ban(
    addr: &str,
    action: BanAction,
    until: Option<DateTime<Utc>>,
    scope: Option<String>,
) -> Option<EventKind> {
    // `203.0.113.5/32`, `203.0.113.5:4` (1.x: address kind 4 or 6), `2001:db8::5/128`.
    let host = addr.split('/').next()?;
    let ip: IpAddr = host.parse().ok().or_else(|| {
        let (a, kind) = host.rsplit_once(':')?;
        matches!(kind, "4" | "6").then(|| a.parse().ok()).flatten()
    })?;
    Some(EventKind::Ban(Ban {
        ip,
        by: BanTool::Sshguard,
        scope,
        action,
        until,
        target: None,
    }))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 2, 10, 0).unwrap()
    }

    fn the_ban(msg: &str) -> Ban {
        match classify(msg, Some(t())) {
            Some(EventKind::Ban(b)) => b,
            other => panic!("{msg}: {other:?}"),
        }
    }

    #[test]
    fn every_release_wording_is_a_ban_until_its_end() {
        for (msg, ip, secs) in [
            (
                "Blocking \"203.0.113.5/32\" for 120 secs (3 attacks in 5 secs, after 1 abuses over 5 secs.)",
                "203.0.113.5",
                120,
            ),
            (
                "203.0.113.5: blocking for 240 secs (3 attacks in 6 secs, after 1 abuses over 6 secs)",
                "203.0.113.5",
                240,
            ),
            (
                "Blocking 203.0.113.5:4 for >630secs: 40 danger in 4 attacks over 0 seconds (all: 40d in 1 abuses over 0s).",
                "203.0.113.5",
                630,
            ),
            (
                "Blocking \"2001:db8::5/128\" for 120 secs (3 attacks in 5 secs, after 1 abuses over 5 secs.)",
                "2001:db8::5",
                120,
            ),
        ] {
            let b = the_ban(msg);
            assert_eq!(b.ip, ip.parse::<IpAddr>().unwrap(), "{msg}");
            assert_eq!(b.by, BanTool::Sshguard);
            assert_eq!(b.action, BanAction::Ban);
            assert_eq!(b.until, Some(t() + Duration::seconds(secs)), "{msg}");
            assert_eq!(b.scope, None);
        }
    }

    #[test]
    fn subnet_blocks_forever_and_releases() {
        let b = the_ban(
            "Blocking \"203.0.113.0/24\" forever (3 attacks in 5 secs, after 2 abuses over 50 secs.)",
        );
        assert_eq!(b.until, None);
        assert_eq!(b.scope.as_deref(), Some("/24 block"));
        let b = the_ban("Releasing 203.0.113.5 after 630 seconds.");
        assert_eq!(b.action, BanAction::Unban);
    }

    #[test]
    fn attacks_and_chatter_are_no_events() {
        for msg in [
            "Attack from \"203.0.113.5\" on service SSH with danger 10.",
            "Now monitoring attacks.",
            "Exiting on signal.",
            "Blocking \"not-an-address\" for 120 secs",
            "Blocking",
        ] {
            assert_eq!(classify(msg, Some(t())), None, "{msg}");
        }
    }
}
