//! What correlation needs from the logs: the [`Query`] the pipeline reads with. The policy lives
//! here, next to the rules that use the events: denies of the scanner a day either side of the
//! span (a near miss is the usual sign of a zone or clock error), a service's or host's return up
//! to an hour after.

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use portmortem_parsers::{Event, EventKind};

use super::rules::{AFTERMATH, NEAR_MISS};
use crate::model::Query;

/// Most affected host:port pairs whose connections from any source are kept (beyond that only
/// the scanner's are: the prefilter would pass most lines of a busy firewall).
pub const MAX_TARGET_PAIRS: usize = 1024;

/// The query for these scanner addresses, affected host:port pairs and this time span.
pub fn query(
    scanner_nets: Vec<IpNet>,
    mut targets: Vec<(std::net::IpAddr, u16)>,
    span: (DateTime<Utc>, DateTime<Utc>),
) -> Query {
    targets.sort_unstable();
    targets.dedup();
    if targets.len() > MAX_TARGET_PAIRS {
        targets.clear();
    }
    Query {
        scanner_nets,
        targets,
        span,
        after: AFTERMATH,
        keep,
    }
}

fn near_span(q: &Query, t: DateTime<Utc>) -> bool {
    t >= q.span.0 - NEAR_MISS && t <= q.span.1 + NEAR_MISS
}

/// Is this event of any use to the correlation?
fn keep(q: &Query, ev: &Event) -> bool {
    if let Some((src, dst, dport)) = ev.kind.connection()
        && !q.is_scanner(src)
    {
        // Another source on exactly an affected host:port, inside the span: who the scanner is.
        return q.to_target(dst, dport) && q.in_span(ev.time);
    }
    match &ev.kind {
        EventKind::FirewallDeny(d) => q.is_scanner(d.src) && near_span(q, ev.time),
        EventKind::IpsAlert(a) => q.is_scanner(a.src) && near_span(q, ev.time),
        EventKind::Flow(f) => q.is_scanner(f.src) && near_span(q, ev.time),
        EventKind::RateLimit(r) => r.src.is_none_or(|s| q.is_scanner(s)) && q.in_span(ev.time),
        // Up to a near miss after the span: a ban written with a wrong clock is still seen (and
        // --auto-skew reads it); the rules decide whether it was active at the recheck.
        EventKind::Ban(b) => q.is_scanner(b.ip) && ev.time <= q.span.1 + NEAR_MISS,
        EventKind::Listening(_) => true,
        EventKind::Lifecycle(_) | EventKind::Boot(_) => {
            ev.time >= q.span.0 && ev.time <= q.span.1 + AFTERMATH
        }
        EventKind::Shutdown(_) | EventKind::Overload(_) => q.in_span(ev.time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use portmortem_parsers::{Ban, BanAction, BanTool, Lifecycle, LifecycleState};

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap()
    }

    fn ev(time: DateTime<Utc>, kind: EventKind) -> Event {
        Event {
            time,
            host: None,
            observer: "test",
            kind,
        }
    }

    #[test]
    fn keeps_what_the_rules_need_and_nothing_else() {
        let q = query(
            vec!["203.0.113.5/32".parse().unwrap()],
            vec![],
            (at(2, 0), at(3, 0)),
        );
        let ban = |ip: &str, t| {
            ev(
                t,
                EventKind::Ban(Ban {
                    ip: ip.parse().unwrap(),
                    by: BanTool::Fail2ban,
                    scope: None,
                    action: BanAction::Ban,
                    until: None,
                    target: None,
                }),
            )
        };
        // A ban of the scanner before the span still covers it; one of someone else never matters.
        assert!(q.keep(&ban("203.0.113.5", at(1, 0))));
        assert!(!q.keep(&ban("198.51.100.7", at(2, 30))));
        assert!(q.keep(&ban("203.0.113.5", at(3, 1))));
        assert!(!q.keep(&ban(
            "203.0.113.5",
            at(3, 0) + NEAR_MISS + chrono::Duration::minutes(1)
        )));
        let stop = |t| {
            ev(
                t,
                EventKind::Lifecycle(Lifecycle {
                    unit: "nginx".into(),
                    state: LifecycleState::Started,
                    detail: None,
                }),
            )
        };
        // A service's return is looked for up to AFTERMATH after the span.
        assert!(q.keep(&stop(at(3, 59))));
        assert!(!q.keep(&stop(at(4, 1))));
        assert!(!q.keep(&stop(at(1, 59))));
    }
}
