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
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
    let scanner: &dyn Fn(IpAddr) -> bool = &scanner;
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
    pair_with_sensors(&mut out, sources, events, scanner);
    corroborate(&mut out, sources);
    out
}

/// Most time apart two sources may log the same connection and still be paired.
const PAIR_WINDOW: i64 = 15 * 60;
/// Most spread (seconds, max − min of the paired differences) for a pairing to be trusted.
const PAIR_SPREAD: i64 = 60;
/// Two sources' times of one connection agree to within this (log granularity is a second).
const PAIR_TOL: i64 = 5;

/// Two sources that logged the same scanner connections (a firewall's deny and an IDS's alert or
/// flow of the same source, destination and port) measure their clocks against each other: the
/// median difference of the pairs. A source whose own times fit the scan unmoved is the reference;
/// the other is moved by the difference when the scan's times allow it (a precise offset where the
/// scan's windows only give bounds).
fn pair_with_sensors(
    ks: &mut [Option<Skew>],
    sources: &[SourceStats],
    events: &[LocatedEvent],
    scanner: &dyn Fn(IpAddr) -> bool,
) {
    type Key = (IpAddr, IpAddr, u16);
    let mut by_source: Vec<Vec<(Key, DateTime<Utc>)>> = vec![Vec::new(); sources.len()];
    for e in events {
        if let Some((src, Some(dst), Some(port))) = e.event.kind.connection()
            && scanner(src)
            && by_source[e.source].len() < 100_000
        {
            by_source[e.source].push(((src, dst, port), e.event.time));
        }
    }
    // A reference: a source whose own times fit the scan as they are.
    let fits = |k: &Option<Skew>| {
        k.as_ref()
            .and_then(|k| k.interval_s)
            .is_some_and(|(lo, hi)| lo <= 0 && 0 <= hi)
    };
    let mut moves: Vec<(usize, i64, String)> = Vec::new();
    for a in 0..sources.len() {
        let Some(ka) = ks[a].as_ref() else { continue };
        if sources[a].offset.is_some() || by_source[a].is_empty() {
            continue;
        }
        let mut best: Option<(usize, i64, i64, usize)> = None;
        for b in 0..sources.len() {
            if a == b || by_source[b].is_empty() || !fits(&ks[b]) {
                continue;
            }
            // Every difference between a connection of A and one of B with the same key; the
            // offset is where most of them agree (within PAIR_TOL): nearest neighbours would pair
            // the wrong probes when they come faster than the offset.
            let mut diffs: Vec<i64> = Vec::new();
            for (key, ta) in &by_source[a] {
                for (kb, tb) in &by_source[b] {
                    let d = (*ta - *tb).num_seconds();
                    if kb == key && d.abs() <= PAIR_WINDOW && diffs.len() < 1_000_000 {
                        diffs.push(d);
                    }
                }
            }
            diffs.sort_unstable();
            let mut cluster = (0usize, 0usize);
            let mut j = 0;
            for i in 0..diffs.len() {
                while diffs[i] - diffs[j] > 2 * PAIR_TOL {
                    j += 1;
                }
                if i + 1 - j > cluster.1 - cluster.0 {
                    cluster = (j, i + 1);
                }
            }
            let diffs = &diffs[cluster.0..cluster.1];
            if diffs.len() < MIN_SUPPORT
                || diffs.len() * 2 < by_source[a].len().min(by_source[b].len())
            {
                continue;
            }
            let median = diffs[diffs.len() / 2];
            let spread = diffs[diffs.len() - 1] - diffs[0];
            if spread > PAIR_SPREAD || median.abs() < 2 {
                continue;
            }
            if best.is_none_or(|(_, _, _, n)| diffs.len() > n) {
                best = Some((b, median, spread, diffs.len()));
            }
        }
        let Some((b, d, spread, n)) = best else {
            continue;
        };
        let allowed = ka.interval_s.is_none_or(|(lo, hi)| (lo..=hi).contains(&d));
        if !allowed {
            continue;
        }
        moves.push((
            a,
            d,
            format!(
                "{} connections it logged were also logged by {} (its clock fits the scan), {d:+}s apart (spread {spread}s): its clock runs {d:+}s off; moved",
                n, sources[b].display
            ),
        ));
    }
    for (a, d, note) in moves {
        if let Some(k) = ks[a].as_mut() {
            k.offset_s = d;
            k.applied = true;
            k.note = note;
        }
    }
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
                "its {} {} the offset {d:+}s that {by} shows with more support (the same clock or zone mistake): moved",
                crate::words::count(k.connections as u64, "scanner event", "scanner events"),
                if k.connections == 1 {
                    "allows"
                } else {
                    "allow"
                }
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
    fn a_sensor_that_saw_the_same_connections_gives_the_precise_offset() {
        let cases = vec![case("192.0.2.10", 443, ScanState::Unresponsive)];
        let sources = vec![src(), src()];
        let mut events = Vec::new();
        // The IDS (1) at the true times; the firewall (0) six minutes fast.
        for (m, s) in [(5, 0), (15, 10), (26, 40)] {
            let t = at(2, m) + Duration::seconds(s);
            let mut ids = ev(1, t);
            ids.event.kind = portmortem_parsers::EventKind::Flow(portmortem_parsers::Flow {
                src: SCANNER.parse().unwrap(),
                dst: "192.0.2.10".parse().unwrap(),
                proto: None,
                dport: Some(443),
                state: portmortem_parsers::FlowState::Unanswered,
            });
            events.push(ids);
            events.push(ev(0, t + Duration::minutes(6)));
        }
        let k = estimate(&cases, &sources, &events);
        let fw = k[0].as_ref().unwrap();
        assert_eq!((fw.offset_s, fw.applied), (360, true), "{}", fw.note);
        assert!(fw.note.contains("3 connections"), "{}", fw.note);
        let ids = k[1].as_ref().unwrap();
        assert!(!ids.applied, "{}", ids.note);
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
