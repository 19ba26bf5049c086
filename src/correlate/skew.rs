//! `--auto-skew`: each source's clock offset, from what the scan itself says. The scanner's traffic
//! toward a host happens between that host's start and end; a source whose clock runs `d` ahead
//! logs it between start + d and end + d. So a source whose first and last scanner connection toward
//! the host are at `a` and `b` has `d ∈ [b − end, a − start]`; the intervals of all its hosts
//! intersect. When 0 lies inside, nothing says the clock is off; otherwise the smallest correction
//! that puts every connection inside the windows is the estimate (a lower bound of the true offset),
//! and a whole-hour one is reported as the zone mistake it probably is. Support: the connections and
//! hosts behind it; too few, or intervals that do not intersect, leave the source alone and say so.

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::model::{LocatedEvent, SourceStats};
use crate::scan::PortCase;

/// Fewest scanner connections that may move a source's clock.
pub const MIN_SUPPORT: usize = 3;

/// First and last time, and how many events.
type Span = (DateTime<Utc>, DateTime<Utc>, usize);

/// The estimate for one source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skew {
    /// The source's clock minus true time, as estimated (seconds); 0 when nothing says it is off.
    pub offset_s: i64,
    /// Every offset consistent with the scan's times (seconds), or null when none is.
    pub interval_s: Option<(i64, i64)>,
    /// Scanner connections and hosts behind it.
    pub connections: usize,
    pub hosts: usize,
    /// Whether it was applied to the source's times.
    pub applied: bool,
    /// What was decided and why.
    pub note: String,
}

/// Per source: the estimate, for sources that logged scanner connections toward scanned hosts.
pub fn estimate(
    cases: &[PortCase],
    sources: &[SourceStats],
    events: &[LocatedEvent],
) -> Vec<Option<Skew>> {
    // Host windows: the union of each host's port windows (the host's start to its end).
    let mut windows: BTreeMap<IpAddr, (DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
    for c in cases {
        let Some(ip) = c.ip else { continue };
        let w = windows.entry(ip).or_insert(c.window);
        w.0 = w.0.min(c.window.0);
        w.1 = w.1.max(c.window.1);
    }
    // The whole scan, for what names the scanner but no host (a ban is a reaction to its traffic).
    let (Some(first), Some(last)) = (
        windows.values().map(|w| w.0).min(),
        windows.values().map(|w| w.1).max(),
    ) else {
        return vec![None; sources.len()];
    };
    let scanner = |ip: IpAddr| cases.iter().any(|c| c.is_scanner(ip));
    // Per source and host (`None`: the whole scan): first and last scanner event, count.
    let mut seen: Vec<BTreeMap<Option<IpAddr>, Span>> = vec![BTreeMap::new(); sources.len()];
    for e in events {
        let key = match &e.event.kind {
            portmortem_parsers::EventKind::Ban(b)
                if scanner(b.ip) && b.action != portmortem_parsers::BanAction::Unban =>
            {
                b.target.filter(|t| windows.contains_key(t))
            }
            k => match k.connection() {
                Some((src, Some(dst), _)) if scanner(src) && windows.contains_key(&dst) => {
                    Some(dst)
                }
                _ => continue,
            },
        };
        let s = seen[e.source]
            .entry(key)
            .or_insert((e.event.time, e.event.time, 0));
        s.0 = s.0.min(e.event.time);
        s.1 = s.1.max(e.event.time);
        s.2 += 1;
    }
    let mut out: Vec<Option<Skew>> = sources
        .iter()
        .zip(seen)
        .map(|(s, per_host)| {
            if per_host.is_empty() {
                return None;
            }
            let connections: usize = per_host.values().map(|v| v.2).sum();
            let hosts = per_host.keys().filter(|k| k.is_some()).count();
            if s.offset.is_some() {
                return Some(Skew {
                    offset_s: 0,
                    interval_s: None,
                    connections,
                    hosts,
                    applied: false,
                    note: "its offset was given with --offset: left as given".into(),
                });
            }
            let mut lo = i64::MIN;
            let mut hi = i64::MAX;
            for (ip, (a, b, _)) in &per_host {
                let (start, end) = ip.map_or((first, last), |ip| windows[&ip]);
                lo = lo.max((*b - end).num_seconds());
                hi = hi.min((*a - start).num_seconds());
            }
            let mut k = Skew {
                offset_s: 0,
                interval_s: (lo <= hi).then_some((lo, hi)),
                connections,
                hosts,
                applied: false,
                note: String::new(),
            };
            if lo > hi {
                k.note = format!(
                    "its scanner connections do not fit the scan's host times under any single offset (they span more than the hosts' scans): left alone ({} on {})",
                    crate::words::count(connections as u64, "connection", "connections"),
                    crate::words::count(hosts as u64, "host", "hosts")
                );
                return Some(k);
            }
            if lo <= 0 && 0 <= hi {
                k.note = format!(
                    "its scanner connections fit the scan's times as they are (any offset from {lo:+}s to {hi:+}s would): not moved"
                );
                return Some(k);
            }
            // The smallest correction; a whole number of hours inside the interval is a zone.
            let minimal = if lo > 0 { lo } else { hi };
            let hours = (minimal as f64 / 3600.0).round() as i64;
            let whole = hours != 0 && (lo..=hi).contains(&(hours * 3600));
            k.offset_s = if whole { hours * 3600 } else { minimal };
            if connections < MIN_SUPPORT {
                k.note = format!(
                    "its clock looks {:+}s off, but only {} support it (at least {MIN_SUPPORT} needed): not moved",
                    k.offset_s,
                    crate::words::count(connections as u64, "scanner connection", "scanner connections")
                );
                return Some(k);
            }
            k.applied = true;
            k.note = if whole {
                format!(
                    "its times are {hours:+}h off the scan's: probably written in another zone than read (UTC{:+} read as {}); moved by {:+}s. The lasting fix: --source-tz '{}=Etc/GMT{:+}'",
                    hours,
                    s.tz.as_deref().unwrap_or("UTC"),
                    k.offset_s,
                    globset_escape(&s.display),
                    -hours
                )
            } else {
                format!(
                    "its clock runs {:+}s off (from {} on {}, the smallest shift that puts them inside the scan's host times): moved",
                    k.offset_s,
                    crate::words::count(connections as u64, "scanner connection", "scanner connections"),
                    crate::words::count(hosts as u64, "host", "hosts")
                )
            };
            Some(k)
        })
        .collect();
    corroborate(&mut out, sources);
    out
}

/// A source with too little support of its own is moved when its interval holds an offset that
/// better-supported sources were moved by (the same zone mistake, made everywhere).
fn corroborate(ks: &mut [Option<Skew>], sources: &[SourceStats]) {
    let applied: Vec<(i64, &str)> = ks
        .iter()
        .zip(sources)
        .filter_map(|(k, s)| {
            k.as_ref()
                .filter(|k| k.applied)
                .map(|k| (k.offset_s, s.display.as_str()))
        })
        .collect();
    let moves: Vec<(usize, i64, String)> = ks
        .iter()
        .enumerate()
        .filter_map(|(i, k)| {
            let k = k.as_ref()?;
            let (lo, hi) = k.interval_s?;
            if k.applied || k.offset_s == 0 || k.connections >= MIN_SUPPORT {
                return None;
            }
            let (d, by) = applied.iter().find(|(d, _)| (lo..=hi).contains(d))?;
            Some((i, *d, by.to_string()))
        })
        .collect();
    for (i, d, by) in moves {
        if let Some(k) = ks[i].as_mut() {
            k.offset_s = d;
            k.applied = true;
            k.note = format!(
                "its {} allow the offset {d:+}s that {by} shows with more support (the same clock or zone mistake): moved",
                crate::words::count(k.connections as u64, "scanner event", "scanner events")
            );
        }
    }
}

/// The offset rule `--offset` would take for this estimate.
pub fn as_offset(k: &Skew) -> Duration {
    Duration::seconds(k.offset_s)
}

/// A file name as a glob that matches only it.
pub fn globset_escape(s: &str) -> String {
    globset::escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::testkit::{SCANNER, at, case, deny};
    use portmortem_parsers::{Event, scan::ScanState};

    fn ev(source: usize, t: DateTime<Utc>) -> LocatedEvent {
        LocatedEvent {
            source,
            line: 1,
            event: Event {
                time: t,
                host: None,
                observer: "netfilter",
                kind: deny(SCANNER, "192.0.2.10", 443, ""),
            },
            text: String::new(),
        }
    }

    fn src() -> SourceStats {
        SourceStats {
            display: "fw/kern.log".into(),
            ..Default::default()
        }
    }

    #[test]
    fn offsets_from_the_scans_own_times() {
        // The window is 02:00–02:30.
        let cases = vec![case("192.0.2.10", 443, ScanState::Unresponsive)];
        let sources = vec![src(), src(), src(), src()];
        let events = vec![
            // 0: inside: nothing to move.
            ev(0, at(2, 5)),
            ev(0, at(2, 25)),
            // 1: six minutes fast, spread over the scan: at least 2 minutes (02:32 − 02:30).
            ev(1, at(2, 6)),
            ev(1, at(2, 20)),
            ev(1, at(2, 32)),
            // 2: an hour off (a zone read as UTC).
            ev(2, at(3, 1)),
            ev(2, at(3, 10)),
            ev(2, at(3, 20)),
            // 3: one connection only.
            ev(3, at(2, 45)),
        ];
        let k = estimate(&cases, &sources, &events);
        let k0 = k[0].as_ref().unwrap();
        assert_eq!((k0.offset_s, k0.applied), (0, false));
        let k1 = k[1].as_ref().unwrap();
        assert_eq!((k1.offset_s, k1.applied), (120, true), "{}", k1.note);
        let k2 = k[2].as_ref().unwrap();
        assert_eq!((k2.offset_s, k2.applied), (3600, true), "{}", k2.note);
        assert!(
            k2.note.contains("--source-tz 'fw/kern.log=Etc/GMT-1'"),
            "{}",
            k2.note
        );
        // One connection 02:45: the interval [15m, 45m] holds neither 120 s nor 3600 s.
        let k3 = k[3].as_ref().unwrap();
        assert!(!k3.applied && k3.note.contains("at least 3"), "{}", k3.note);
        // One ban at 03:07 allows 37–67 min: source 2's hour corroborates it.
        let mut ban = ev(3, at(3, 7));
        ban.event.kind = portmortem_parsers::EventKind::Ban(portmortem_parsers::Ban {
            ip: SCANNER.parse().unwrap(),
            by: portmortem_parsers::BanTool::Fail2ban,
            scope: Some("sshd".into()),
            action: portmortem_parsers::BanAction::Ban,
            until: None,
            target: None,
        });
        let mut events = events;
        events.pop();
        events.push(ban);
        let k = estimate(&cases, &sources, &events);
        let k3 = k[3].as_ref().unwrap();
        assert!(k3.applied && k3.offset_s == 3600, "{}", k3.note);
    }
}
