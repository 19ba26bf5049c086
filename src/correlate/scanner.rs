//! Who the scanner is as the logs see it. nmap, masscan and manual cases name no scanner: the
//! candidate is the source whose connections (denies, IPS alerts, flows) touched the most affected
//! host:ports inside their windows. When the report does name one and another source is the one
//! denied on exactly the affected ports, the scanner probably reaches them through NAT.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use chrono::Duration;

use crate::model::LocatedEvent;
use crate::scan::PortCase;

/// One source's connections to affected host:ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Support {
    pub ip: IpAddr,
    /// Distinct affected host:ports it touched inside their windows (± slack).
    pub pairs: usize,
    /// Lines.
    pub lines: usize,
    /// How many of those lines are denies, IPS alerts or bans (a control acting on it).
    pub denied: usize,
}

/// Sources of connections to affected host:ports inside the windows, best supported first.
/// Addresses of scanned hosts are left out (a host talking to another is not a scanner).
pub fn sources_on_targets(
    cases: &[PortCase],
    events: &[LocatedEvent],
    slack: Duration,
) -> Vec<Support> {
    let hosts: BTreeSet<IpAddr> = cases.iter().filter_map(|c| c.ip).collect();
    let mut by: BTreeMap<IpAddr, (BTreeSet<usize>, usize, usize)> = BTreeMap::new();
    for e in events {
        let Some((src, Some(dst), Some(dport))) = e.event.kind.connection() else {
            continue;
        };
        if hosts.contains(&src) {
            continue;
        }
        for (ci, c) in cases.iter().enumerate() {
            if c.ip == Some(dst)
                && c.port == dport
                && e.event.time >= c.window.0 - slack
                && e.event.time <= c.window.1 + slack
            {
                let s = by.entry(src).or_default();
                s.0.insert(ci);
                s.1 += 1;
                if !matches!(e.event.kind, portmortem_parsers::EventKind::Flow(_)) {
                    s.2 += 1;
                }
            }
        }
    }
    let mut out: Vec<Support> = by
        .into_iter()
        .map(|(ip, (pairs, lines, denied))| Support {
            ip,
            pairs: pairs.len(),
            lines,
            denied,
        })
        .collect();
    out.sort_by(|a, b| {
        (b.pairs, b.lines)
            .cmp(&(a.pairs, a.lines))
            .then(a.ip.cmp(&b.ip))
    });
    out
}

/// The outcome of inferring the scanner for cases whose report names none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inference {
    /// One source stands out.
    Found(Support),
    /// Several sources touched as many affected ports.
    Ambiguous(Vec<Support>),
    /// No connection to an affected host:port in the logs.
    Nothing,
}

pub fn infer(support: &[Support]) -> Inference {
    match support {
        [] => Inference::Nothing,
        [one] => Inference::Found(one.clone()),
        [a, b, ..] if a.pairs > b.pairs => Inference::Found(a.clone()),
        [a, ..] => Inference::Ambiguous(
            support
                .iter()
                .take_while(|s| s.pairs == a.pairs)
                .take(5)
                .cloned()
                .collect(),
        ),
    }
}

/// How an inferred scanner is said in each explanation (the scan's note has the support).
pub fn inferred_short(s: &Support) -> String {
    format!(
        "The scanner address {} was inferred from the logs (the report names none).",
        s.ip
    )
}

/// How an inferred scanner is said in the scan's notes.
pub fn inferred_text(s: &Support, total: usize) -> String {
    format!(
        "The report names no scanner; {} was inferred from the logs (its connections reached {} of {} affected host:ports inside their windows, {}); give --scanner-ip to set it.",
        s.ip,
        s.pairs,
        total,
        crate::words::count(s.lines as u64, "line", "lines")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::testkit::{at, case, deny};
    use portmortem_parsers::{Event, scan::ScanState};

    fn ev(src: &str, dst: &str, port: u16, m: u32) -> LocatedEvent {
        LocatedEvent {
            source: 0,
            line: 1,
            event: Event {
                time: at(2, m),
                host: None,
                observer: "netfilter",
                kind: deny(src, dst, port, ""),
            },
            text: String::new(),
        }
    }

    #[test]
    fn the_source_on_most_affected_ports_is_the_scanner() {
        let cases = vec![
            case("192.0.2.10", 443, ScanState::Unresponsive),
            case("192.0.2.10", 22, ScanState::Unresponsive),
        ];
        let events = vec![
            ev("198.51.100.7", "192.0.2.10", 443, 5),
            ev("198.51.100.7", "192.0.2.10", 22, 6),
            ev("198.51.100.9", "192.0.2.10", 443, 7),
            ev("198.51.100.9", "192.0.2.10", 443, 8),
            // Another port, or outside the window (02:00–02:30 ± 5m): no support.
            ev("198.51.100.9", "192.0.2.10", 80, 9),
            ev("198.51.100.8", "192.0.2.10", 22, 59),
            // The host itself.
            ev("192.0.2.10", "192.0.2.10", 22, 10),
        ];
        let s = sources_on_targets(&cases, &events, Duration::minutes(5));
        assert_eq!(s.len(), 2);
        let Inference::Found(best) = infer(&s) else {
            panic!("{s:?}")
        };
        assert_eq!(best.ip.to_string(), "198.51.100.7");
        assert_eq!((best.pairs, best.lines), (2, 2));
        assert!(inferred_text(&best, 2).contains("reached 2 of 2"));
        let tie = sources_on_targets(&cases[..1], &events, Duration::minutes(5));
        assert!(matches!(infer(&tie), Inference::Ambiguous(v) if v.len() == 2));
        assert_eq!(infer(&[]), Inference::Nothing);
    }
}
