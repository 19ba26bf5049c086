//! Evidence matching (DESIGN.md step 7): which events of a port's host and window support which
//! cause. Denies, IPS blocks and flows of the scanner on the port; bans and shuns still active at the
//! recheck whose jail or scope covers the port; rate limits naming the scanner; the serving unit's
//! stop, crash or OOM kill without a return before the recheck; a reboot; host overload. Also the
//! near misses and the source coverage said when nothing matches. This module decides what the
//! events show; [`super::rank`] orders the candidates and [`super::explain`] words them.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};
use portmortem_parsers::{
    BanAction, BanTool, DenyAction, EventKind, IpsAction, LifecycleState, Proto, ShutdownKind,
};

use super::candidate::{Basis, Candidate, Coverage, Note};
use super::services::{JailPorts, MappingHow, PortService, family, jail_ports};
use super::{Cause, World};
use crate::scan::PortCase;

/// How far outside a window denies of the scanner are still looked at, to point out a likely zone
/// or clock error.
pub const NEAR_MISS: TimeDelta = TimeDelta::hours(24);

/// How long after the recheck a service's return is still looked for and reported.
pub const AFTERMATH: TimeDelta = TimeDelta::hours(1);

/// One port case as the matcher sees it: its host, window ± slack and recheck time.
pub struct Ctx<'w, 'a> {
    pub w: &'w World<'a>,
    pub case: &'w PortCase,
    pub target: usize,
    pub lo: DateTime<Utc>,
    pub hi: DateTime<Utc>,
    pub recheck: DateTime<Utc>,
}

impl<'w, 'a> Ctx<'w, 'a> {
    /// The context of case `ci`.
    pub fn new(w: &'w World<'a>, ci: usize) -> Self {
        let case = &w.input.cases[ci];
        Ctx {
            w,
            case,
            target: w.case_target[ci],
            lo: case.window.0 - w.input.slack,
            hi: case.window.1 + w.input.slack,
            recheck: case.window.1,
        }
    }

    /// This host's event indices with times in `[from, to]`, in time order.
    pub fn host_events(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> &'w [usize] {
        let ev = self.w.input.events;
        let list = &self.w.by_target[self.target];
        let a = list.partition_point(|&i| ev[i].event.time < from);
        let b = list.partition_point(|&i| ev[i].event.time <= to);
        &list[a..b.max(a)]
    }

    /// Is event `i` attributed to this case's host?
    pub fn on_host(&self, i: usize) -> bool {
        self.w.attr[i].map(|(t, _)| t) == Some(self.target)
    }
    pub fn scanner(&self, ip: IpAddr) -> bool {
        self.case.is_scanner(ip)
    }
    /// The event's destination is this host (or, without one, the event is attributed to it).
    fn dst_ok(&self, dst: Option<IpAddr>, i: usize) -> bool {
        match (dst, self.case.ip) {
            (Some(d), Some(ip)) => d == ip,
            _ => self.on_host(i),
        }
    }
    fn proto_ok(&self, p: &Option<Proto>) -> bool {
        p.as_ref().is_none_or(|p| *p == self.case.protocol)
    }
    pub fn time(&self, i: usize) -> DateTime<Utc> {
        self.w.input.events[i].event.time
    }
}

/// Every candidate cause for the case, unranked, and the notes worth saying.
pub fn collect(c: &Ctx<'_, '_>, ps: Option<&PortService>) -> (Vec<Candidate>, Vec<Note>) {
    let events = c.w.input.events;
    let case = c.case;
    let mut drops = Vec::new();
    let mut rejects = Vec::new();
    let mut ips = Vec::new();
    let mut rate = Vec::new();
    let mut overload = Vec::new();
    let mut shutdowns = Vec::new();
    let mut boots = Vec::new();
    let mut ids_only = Vec::new();
    let mut unanswered = Vec::new();
    let mut refused = Vec::new();
    let mut rules = BTreeSet::new();
    let mut signatures = BTreeSet::new();
    for &i in c.host_events(c.lo, c.hi) {
        let e = &events[i];
        match &e.event.kind {
            EventKind::FirewallDeny(d)
                if c.scanner(d.src)
                    && d.dport == Some(case.port)
                    && c.proto_ok(&d.proto)
                    && c.dst_ok(d.dst, i) =>
            {
                if let Some(r) = &d.rule {
                    rules.insert(r.clone());
                }
                match d.action {
                    DenyAction::Drop => drops.push(i),
                    DenyAction::Reject => rejects.push(i),
                }
            }
            EventKind::IpsAlert(a)
                if c.scanner(a.src)
                    && a.dport.is_none_or(|p| p == case.port)
                    && c.dst_ok(a.dst, i) =>
            {
                match a.action {
                    IpsAction::Blocked => {
                        signatures.insert(a.signature.clone());
                        ips.push(i)
                    }
                    IpsAction::Alerted => ids_only.push(i),
                }
            }
            EventKind::RateLimit(r)
                if r.src.is_some_and(|s| c.scanner(s))
                    && match (r.dport, &r.service) {
                        (Some(p), _) => p == case.port,
                        // A daemon's own limit covers the ports that daemon serves.
                        (None, Some(svc)) => daemon_serves(svc, case.port, ps),
                        (None, None) => true,
                    }
                    && c.dst_ok(r.dst, i) =>
            {
                rate.push(i)
            }
            EventKind::Overload(o) if c.on_host(i) && o.port.is_none_or(|p| p == case.port) => {
                overload.push(i)
            }
            EventKind::Shutdown(_) if c.on_host(i) && e.event.time <= c.recheck => {
                shutdowns.push(i)
            }
            EventKind::Boot(_) if c.on_host(i) => boots.push(i),
            EventKind::Flow(f)
                if c.scanner(f.src)
                    && f.dport == Some(case.port)
                    && c.proto_ok(&f.proto)
                    && c.dst_ok(Some(f.dst), i) =>
            {
                if f.unanswered() {
                    unanswered.push(i);
                } else if f.refused() {
                    refused.push(i);
                }
            }
            _ => {}
        }
    }
    let mut cands = Vec::new();
    let mut notes = Vec::new();
    for (ev, cause) in [
        (drops, Cause::FirewallDrop),
        (rejects, Cause::FirewallReject),
    ] {
        if !ev.is_empty() {
            cands.push(Candidate {
                cause,
                strength: 100,
                evidence: ev,
                basis: Basis::Deny {
                    rules: rules.clone(),
                },
            });
        }
    }
    if !ips.is_empty() {
        cands.push(Candidate {
            cause: Cause::IpsBlock,
            strength: 95,
            evidence: ips,
            basis: Basis::Ips {
                signature: signatures.into_iter().next().unwrap_or_default(),
            },
        });
    } else if !ids_only.is_empty() {
        notes.push(Note::IdsAlertOnly(ids_only));
    }
    // A network sensor's view: the attempts went unanswered or were refused. Weaker than a device
    // saying it blocked (an unanswered SYN may be a host down, a refused one a stopped service).
    for (flows, cause) in [
        (unanswered, Cause::FirewallDrop),
        (refused, Cause::FirewallReject),
    ] {
        if !flows.is_empty() {
            cands.push(Candidate {
                cause,
                strength: 60,
                evidence: flows,
                basis: Basis::Flow,
            });
        }
    }
    if !rate.is_empty() {
        cands.push(Candidate {
            cause: Cause::RateLimit,
            strength: 80,
            evidence: rate,
            basis: Basis::RateLimit,
        });
    }
    cands.extend(ban_candidate(c));
    if let Some(&s0) = shutdowns.first() {
        let poweroff = matches!(&events[s0].event.kind, EventKind::Shutdown(s) if s.kind == ShutdownKind::Poweroff);
        let boot = boots.iter().copied().find(|&b| c.time(b) > c.time(s0));
        let back_before_recheck = boot.is_some_and(|b| c.time(b) <= c.recheck);
        let mut evidence = shutdowns;
        evidence.extend(boot);
        cands.push(Candidate {
            cause: Cause::HostReboot,
            // Back before the recheck: the reboot is over by then, a weaker explanation.
            strength: if back_before_recheck { 75 } else { 90 },
            evidence,
            basis: Basis::Reboot {
                poweroff,
                boot,
                back_before_recheck,
                unannounced: false,
            },
        });
    } else if let Some(&b) = boots
        .iter()
        .find(|&&b| c.time(b) >= case.window.0 && c.time(b) <= c.recheck)
    {
        // A boot inside the window with no shutdown line before it: the host was down just
        // before, unannounced. Weaker than a logged shutdown (the boot is over by the recheck).
        cands.push(Candidate {
            cause: Cause::HostReboot,
            strength: 65,
            evidence: vec![b],
            basis: Basis::Reboot {
                poweroff: false,
                boot: Some(b),
                back_before_recheck: true,
                unannounced: true,
            },
        });
    }
    if let Some(&o0) = overload.first()
        && let EventKind::Overload(o) = &events[o0].event.kind
    {
        cands.push(Candidate {
            cause: Cause::HostOverload,
            strength: 55,
            basis: Basis::Overload { kind: o.kind },
            evidence: overload,
        });
    }
    if let Some(ps) = ps {
        // Look past the window for when the service came back (said in the explanation).
        let (cand, note) = lifecycle_candidate(c, ps);
        cands.extend(cand);
        notes.extend(note);
    }
    (cands, notes)
}

/// Does ban event `i` concern this port's host? Attributed to it (its own fail2ban log, a shunned
/// packet headed to it), or a host-less shun from a device that shows this host behind it.
fn ban_concerns(c: &Ctx<'_, '_>, i: usize) -> bool {
    if c.on_host(i) {
        return true;
    }
    let e = &c.w.input.events[i];
    matches!(&e.event.kind, EventKind::Ban(b) if b.target.is_none())
        && c.w.attr[i].is_none()
        && (c.w.behind[e.source].contains(&c.target)
            || c.w.source_hosts[e.source].config == Some(c.target))
}

/// The last ban or shun of the scanner placed before the recheck, not expired nor lifted by then,
/// that covers the port. A fail2ban jail covers its service's ports ([`jail_ports`]); every other
/// tool's ban is host-wide.
/// Does the daemon `svc` serve `port` (the port's mapped service, else the daemon's defaults)?
fn daemon_serves(svc: &str, port: u16, ps: Option<&PortService>) -> bool {
    let f = family(svc);
    ps.is_some_and(|ps| ps.families.contains(&f))
        || super::services::default_ports(&f).contains(&port)
}

fn ban_candidate(c: &Ctx<'_, '_>) -> Option<Candidate> {
    let events = c.w.input.events;
    let mut best: Option<Candidate> = None;
    let bans = &c.w.bans;
    // A ban placed any time before the recheck may still be active.
    for (k, &i) in bans.iter().enumerate() {
        let EventKind::Ban(b) = &events[i].event.kind else {
            continue;
        };
        if !matches!(b.action, BanAction::Ban | BanAction::Shun)
            || !c.scanner(b.ip)
            || events[i].event.time > c.recheck
            || !ban_concerns(c, i)
        {
            continue;
        }
        if b.until.is_some_and(|u| u < c.recheck) {
            continue;
        }
        // Lifted before the recheck by the tool that placed it (same source), or for this host.
        let lifted = bans[k + 1..].iter().any(|&j| {
            let e = &events[j];
            matches!(&e.event.kind, EventKind::Ban(u) if u.action == BanAction::Unban && u.ip == b.ip && u.scope == b.scope)
                && e.event.time < c.recheck
                && (e.source == events[i].source || c.on_host(j))
        });
        if lifted {
            continue;
        }
        let ports = match (&b.by, b.scope.as_deref()) {
            (BanTool::Fail2ban, Some(jail)) => jail_ports(jail),
            _ => JailPorts::All,
        };
        if matches!(&ports, JailPorts::Ports(p) if !p.contains(&c.case.port)) {
            continue;
        }
        best = Some(Candidate {
            cause: Cause::Ban,
            strength: if ports == JailPorts::Unknown { 75 } else { 90 },
            evidence: vec![i],
            basis: Basis::Ban {
                tool: b.by.clone(),
                ip: b.ip,
                scope: b.scope.clone(),
                ports,
                shun: b.action == BanAction::Shun,
            },
        });
    }
    best
}

/// The serving unit's last down episode before the recheck, if it was not back by then; or a note
/// that it went down and came back in time.
fn lifecycle_candidate(c: &Ctx<'_, '_>, ps: &PortService) -> (Option<Candidate>, Option<Note>) {
    let events = c.w.input.events;
    let mut episode: Vec<usize> = Vec::new();
    let mut recovered: Option<(Vec<usize>, usize)> = None;
    let mut later_start = None;
    for &i in c.host_events(c.lo, c.recheck + AFTERMATH) {
        let e = &events[i];
        let EventKind::Lifecycle(l) = &e.event.kind else {
            continue;
        };
        if !c.on_host(i) || !ps.families.contains(&family(&l.unit)) {
            continue;
        }
        let t = e.event.time;
        if l.state.is_down() || l.state == LifecycleState::RestartScheduled {
            if t <= c.recheck {
                episode.push(i);
            }
        } else if l.state.is_up() {
            if t <= c.recheck {
                if !episode.is_empty() {
                    recovered = Some((std::mem::take(&mut episode), i));
                }
            } else if later_start.is_none() {
                later_start = Some(i);
            }
        }
    }
    // By the scan's service name, the family is a list of candidates (`www` → nginx, apache,
    // tomcat, …): name only the families whose units actually went down.
    let families: Vec<String> = if ps.how == MappingHow::SvcName {
        let down = if episode.is_empty() {
            recovered.as_ref().map_or(&[][..], |(ep, _)| &ep[..])
        } else {
            &episode[..]
        };
        let seen: BTreeSet<String> = down
            .iter()
            .filter_map(|&i| match &events[i].event.kind {
                EventKind::Lifecycle(l) => Some(family(&l.unit)),
                _ => None,
            })
            .collect();
        seen.into_iter().collect()
    } else {
        ps.families.iter().cloned().collect()
    };
    if episode.is_empty() {
        let note = recovered.map(|(ep, up)| Note::Recovered {
            units: families,
            down: ep[0],
            up,
        });
        return (None, note);
    }
    let states: Vec<LifecycleState> = episode
        .iter()
        .filter_map(|&i| match &events[i].event.kind {
            EventKind::Lifecycle(l) => Some(l.state),
            _ => None,
        })
        .collect();
    let cause = if states.contains(&LifecycleState::OomKilled) {
        Cause::OomKill
    } else if states.contains(&LifecycleState::Crashed) {
        Cause::ServiceCrash
    } else {
        Cause::ServiceStop
    };
    let key = episode
        .iter()
        .copied()
        .find(|&i| {
            matches!(&events[i].event.kind, EventKind::Lifecycle(l) if match cause {
                Cause::OomKill => l.state == LifecycleState::OomKilled,
                Cause::ServiceCrash => l.state == LifecycleState::Crashed,
                _ => l.state.is_down(),
            })
        })
        .unwrap_or(episode[0]);
    let unit = match &events[key].event.kind {
        EventKind::Lifecycle(l) => l.unit.clone(),
        _ => families.join("/"),
    };
    let mut evidence = episode;
    evidence.extend(later_start);
    (
        Some(Candidate {
            cause,
            // A unit known to serve the port (config, listening line) is stronger than a guess, and
            // its own default port a better guess than the scan's service name.
            strength: ps.how.strength(),
            evidence,
            basis: Basis::Lifecycle {
                unit,
                key,
                families,
                how: ps.how,
                back: later_start,
            },
        }),
        None,
    )
}

/// Denies of the scanner that almost explain the port: on this port but outside the window (a zone
/// or clock error?), the nearest one; or inside the window on other ports of the host.
pub fn near_misses(c: &Ctx<'_, '_>) -> Vec<Note> {
    let events = c.w.input.events;
    let case = c.case;
    let mut nearest: Option<(TimeDelta, usize)> = None;
    let mut other_ports: BTreeSet<u16> = BTreeSet::new();
    let mut other_first: Option<usize> = None;
    for &i in c.host_events(c.lo - NEAR_MISS, c.hi + NEAR_MISS) {
        let e = &events[i];
        let (src, dst, dport, blocked) = match &e.event.kind {
            EventKind::FirewallDeny(d) if c.proto_ok(&d.proto) => (d.src, d.dst, d.dport, true),
            EventKind::IpsAlert(a) => (a.src, a.dst, a.dport, a.action == IpsAction::Blocked),
            _ => continue,
        };
        if !blocked || !c.scanner(src) || !c.dst_ok(dst, i) {
            continue;
        }
        let t = e.event.time;
        let inside = t >= c.lo && t <= c.hi;
        if dport == Some(case.port) && !inside {
            let gap = if t < c.lo {
                t - case.window.0
            } else {
                t - case.window.1
            };
            if nearest.is_none_or(|(g, _)| gap.abs() < g.abs()) {
                nearest = Some((gap, i));
            }
        } else if inside && let Some(p) = dport.filter(|p| *p != case.port) {
            other_ports.insert(p);
            other_first.get_or_insert(i);
        }
    }
    let mut out = Vec::new();
    if let Some((gap, at)) = nearest {
        out.push(Note::NearMiss { gap, at });
    }
    if let Some(first) = other_first {
        out.push(Note::OtherPorts {
            ports: other_ports,
            first,
        });
    }
    out
}

/// The sources that cover the case's host (mapped to it, naming it, or with events attributed to
/// it; with a single scanned host, every single-host source with lines), and which of them have
/// lines inside the window ± slack.
pub fn coverage(c: &Ctx<'_, '_>) -> Coverage {
    let w = c.w;
    let sources = w.input.sources;
    let mut covering: BTreeSet<usize> = BTreeSet::new();
    for (si, s) in sources.iter().enumerate() {
        let sh = w.source_hosts[si];
        if sh.config == Some(c.target)
            || sh.path == Some(c.target)
            || s.hostnames
                .iter()
                .any(|h| w.targets.find(h) == Some(c.target))
        {
            covering.insert(si);
        }
    }
    for (i, e) in w.input.events.iter().enumerate() {
        if c.on_host(i) {
            covering.insert(e.source);
        }
    }
    if w.targets.hosts.len() == 1 {
        // The only scanned host: every single-host source with lines counts as covering it.
        covering.extend(
            (0..sources.len()).filter(|&i| sources[i].lines > 0 && !w.source_hosts[i].many_hosts),
        );
    }
    let in_window = covering
        .iter()
        .copied()
        .filter(|&si| {
            let s = &sources[si];
            match (s.first_time, s.last_time) {
                (Some(a), Some(b)) => a <= c.hi && b >= c.lo,
                _ => false,
            }
        })
        .collect();
    Coverage {
        covering,
        in_window,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use portmortem_parsers::{LifecycleState, OverloadKind, scan::ScanState};

    #[test]
    fn denies_of_the_scanner_on_the_port_are_drop_and_reject_candidates() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 12),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, "UFW BLOCK"),
            )
            .event(
                0,
                at(2, 13),
                "netfilter",
                reject(SCANNER, "192.0.2.10", 443, "REJECT"),
            )
            // Another source address, another port, another host: not evidence.
            .event(
                0,
                at(2, 14),
                "netfilter",
                deny("198.51.100.9", "192.0.2.10", 443, "X"),
            )
            .event(
                0,
                at(2, 15),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 22, "X"),
            )
            .event(
                0,
                at(2, 16),
                "netfilter",
                deny(SCANNER, "192.0.2.99", 443, "X"),
            )
            // Outside the window ± slack.
            .event(
                0,
                at(4, 0),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, "X"),
            );
        let (cands, notes) = k.collect(0);
        assert_eq!(
            causes(&cands),
            vec![Cause::FirewallDrop, Cause::FirewallReject]
        );
        assert_eq!(cands[0].evidence, vec![0]);
        assert_eq!(cands[1].evidence, vec![1]);
        let Basis::Deny { rules } = &cands[0].basis else {
            panic!()
        };
        assert_eq!(
            rules.iter().cloned().collect::<Vec<_>>(),
            vec!["REJECT".to_string(), "UFW BLOCK".to_string()]
        );
        assert!(notes.is_empty());
    }

    #[test]
    fn ips_blocks_count_alerts_only_make_a_note() {
        let k = Kit::new(vec![case("192.0.2.10", 22, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 10),
                "suricata",
                ips(SCANNER, "192.0.2.10", 22, "ET SCAN", true),
            )
            .event(
                0,
                at(2, 11),
                "suricata",
                ips(SCANNER, "192.0.2.10", 22, "ET ALERT", false),
            );
        let (cands, notes) = k.collect(0);
        assert_eq!(causes(&cands), vec![Cause::IpsBlock]);
        assert_eq!(cands[0].evidence, vec![0]);
        assert_eq!(
            cands[0].basis,
            Basis::Ips {
                signature: "ET SCAN".into()
            }
        );
        assert!(notes.is_empty());
        let k = Kit::new(vec![case("192.0.2.10", 22, ScanState::Unresponsive)]).event(
            0,
            at(2, 11),
            "suricata",
            ips(SCANNER, "192.0.2.10", 22, "ET ALERT", false),
        );
        let (cands, notes) = k.collect(0);
        assert!(cands.is_empty());
        assert_eq!(notes, vec![Note::IdsAlertOnly(vec![0])]);
    }

    #[test]
    fn fail2ban_jail_covers_its_service_ports_only() {
        let ssh = Kit::new(vec![
            case("192.0.2.70", 22, ScanState::Unresponsive),
            case("192.0.2.70", 443, ScanState::Unresponsive),
        ])
        .event(
            0,
            at(2, 7),
            "fail2ban",
            ban(SCANNER, BanTool::Fail2ban, Some("sshd")),
        );
        let (cands, _) = ssh.collect(0);
        assert_eq!(causes(&cands), vec![Cause::Ban]);
        assert_eq!(cands[0].strength, 90);
        assert!(matches!(
            &cands[0].basis,
            Basis::Ban { ports: JailPorts::Ports(p), shun: false, .. } if p == &vec![22]
        ));
        // The sshd jail does not block 443.
        assert!(ssh.collect(1).0.is_empty());
        // recidive blocks every port; an unknown jail is assumed to, with less strength.
        let all = Kit::new(vec![case("192.0.2.70", 443, ScanState::Unresponsive)]).event(
            0,
            at(2, 7),
            "fail2ban",
            ban(SCANNER, BanTool::Fail2ban, Some("recidive")),
        );
        let (cands, _) = all.collect(0);
        assert_eq!(cands[0].strength, 90);
        let unknown = Kit::new(vec![case("192.0.2.70", 443, ScanState::Unresponsive)]).event(
            0,
            at(2, 7),
            "fail2ban",
            ban(SCANNER, BanTool::Fail2ban, Some("pam-generic")),
        );
        let (cands, _) = unknown.collect(0);
        assert_eq!(cands[0].strength, 75);
        assert!(matches!(
            &cands[0].basis,
            Basis::Ban {
                ports: JailPorts::Unknown,
                ..
            }
        ));
    }

    #[test]
    fn a_ban_lifted_or_expired_before_the_recheck_is_no_candidate() {
        let mut lifted = unban(SCANNER, BanTool::Fail2ban, Some("sshd"));
        let k = Kit::new(vec![case("192.0.2.70", 22, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 7),
                "fail2ban",
                ban(SCANNER, BanTool::Fail2ban, Some("sshd")),
            )
            .event(0, at(2, 17), "fail2ban", lifted.clone());
        assert!(k.collect(0).0.is_empty());
        // Lifted only after the recheck (02:30): still active.
        let k = Kit::new(vec![case("192.0.2.70", 22, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 7),
                "fail2ban",
                ban(SCANNER, BanTool::Fail2ban, Some("sshd")),
            )
            .event(0, at(2, 31), "fail2ban", lifted.clone());
        assert_eq!(causes(&k.collect(0).0), vec![Cause::Ban]);
        // Expired (until before the recheck).
        if let EventKind::Ban(b) = &mut lifted {
            b.action = BanAction::Ban;
            b.until = Some(at(2, 20));
        }
        let k = Kit::new(vec![case("192.0.2.70", 22, ScanState::Unresponsive)]).event(
            0,
            at(2, 7),
            "fail2ban",
            lifted,
        );
        assert!(k.collect(0).0.is_empty());
    }

    #[test]
    fn a_hostless_shun_covers_only_hosts_behind_its_device() {
        let mut k = Kit::new(vec![
            case("192.0.2.10", 443, ScanState::Unresponsive),
            case("192.0.2.11", 443, ScanState::Unresponsive),
        ]);
        k.source_names = vec!["fw01/asa.log".into()];
        let mut shun = ban(SCANNER, BanTool::CiscoAsa, None);
        if let EventKind::Ban(b) = &mut shun {
            b.action = BanAction::Shun;
        }
        let mut packet = ban(SCANNER, BanTool::CiscoAsa, None);
        if let EventKind::Ban(b) = &mut packet {
            b.action = BanAction::Shun;
            b.target = Some("192.0.2.10".parse().unwrap());
        }
        let k = k
            .event(0, at(2, 9), "cisco_asa", shun)
            .event(0, at(2, 9), "cisco_asa", packet);
        let (cands, _) = k.collect(0);
        assert_eq!(causes(&cands), vec![Cause::Ban]);
        assert!(matches!(
            &cands[0].basis,
            Basis::Ban {
                shun: true,
                ports: JailPorts::All,
                ..
            }
        ));
        // web02 is never shown behind fw01.
        assert!(k.collect(1).0.is_empty());
    }

    #[test]
    fn a_stop_without_return_is_a_candidate_a_return_in_time_a_note() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Closed)])
            .event(
                0,
                at(2, 5),
                "systemd",
                lifecycle("nginx", LifecycleState::Started),
            )
            .event(
                0,
                at(2, 20),
                "systemd",
                lifecycle("nginx", LifecycleState::Stopping),
            )
            .event(
                0,
                at(2, 20),
                "systemd",
                lifecycle("nginx", LifecycleState::Stopped),
            )
            .event(
                0,
                at(2, 45),
                "systemd",
                lifecycle("nginx", LifecycleState::Started),
            );
        let (cands, notes) = k.collect(0);
        assert_eq!(causes(&cands), vec![Cause::ServiceStop]);
        assert_eq!(cands[0].evidence, vec![1, 2, 3]);
        assert!(matches!(
            &cands[0].basis,
            Basis::Lifecycle {
                key: 1,
                back: Some(3),
                ..
            }
        ));
        // Default-port mapping is inferred: weaker than a listening line.
        assert_eq!(cands[0].strength, 70);
        assert!(notes.is_empty());
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Closed)])
            .event(
                0,
                at(2, 10),
                "systemd",
                lifecycle("nginx", LifecycleState::Stopped),
            )
            .event(
                0,
                at(2, 11),
                "systemd",
                lifecycle("nginx", LifecycleState::Started),
            );
        let (cands, notes) = k.collect(0);
        assert!(cands.is_empty());
        assert_eq!(
            notes,
            vec![Note::Recovered {
                units: vec!["nginx".into()],
                down: 0,
                up: 1
            }]
        );
    }

    /// Scan: 8080 `www` closed. Stops of nginx and tomcat9 on the host.
    fn web_8080(units: &[&str]) -> Kit {
        let mut c = case("192.0.2.20", 8080, ScanState::Closed);
        c.service = Some("www".into());
        let mut k = Kit::new(vec![c]);
        for (n, u) in units.iter().enumerate() {
            k = k.event(
                0,
                at(2, 10 + n as u32),
                "systemd",
                lifecycle(u, LifecycleState::Stopped),
            );
        }
        k
    }

    #[test]
    fn the_unit_whose_default_port_it_is_explains_the_port_not_the_scans_family() {
        let (cands, _) = web_8080(&["nginx", "tomcat9"]).collect(0);
        assert_eq!(causes(&cands), vec![Cause::ServiceStop]);
        assert_eq!(cands[0].evidence, vec![1], "tomcat's stop only");
        assert_eq!(cands[0].strength, 70);
        assert!(matches!(
            &cands[0].basis,
            Basis::Lifecycle { unit, families, how: MappingHow::DefaultPort, .. }
                if unit == "tomcat9" && families == &vec!["tomcat".to_string()]
        ));
        // Only nginx stopped: by the scan's `www` alone, weaker, and naming nginx only.
        let (cands, _) = web_8080(&["nginx"]).collect(0);
        assert_eq!(causes(&cands), vec![Cause::ServiceStop]);
        assert_eq!(cands[0].strength, 60);
        assert!(matches!(
            &cands[0].basis,
            Basis::Lifecycle { unit, families, how: MappingHow::SvcName, .. }
                if unit == "nginx" && families == &vec!["nginx".to_string()]
        ));
    }

    #[test]
    fn oom_kill_outranks_the_stop_of_the_same_episode() {
        let k = Kit::new(vec![case("192.0.2.20", 3306, ScanState::Closed)])
            .event(
                0,
                at(2, 10),
                "systemd",
                lifecycle("mysql", LifecycleState::Stopping),
            )
            .event(
                0,
                at(2, 10),
                "kernel",
                lifecycle("mysqld", LifecycleState::OomKilled),
            );
        let (cands, _) = k.collect(0);
        assert_eq!(causes(&cands), vec![Cause::OomKill]);
        assert!(
            matches!(&cands[0].basis, Basis::Lifecycle { key: 1, unit, .. } if unit == "mysqld")
        );
    }

    #[test]
    fn reboot_and_overload() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)])
            .event(0, at(2, 10), "systemd", shutdown())
            .event(0, at(2, 12), "kernel", boot())
            .event(
                0,
                at(2, 15),
                "kernel",
                overload(OverloadKind::ConntrackFull),
            );
        let (cands, _) = k.collect(0);
        assert_eq!(causes(&cands), vec![Cause::HostReboot, Cause::HostOverload]);
        assert_eq!(cands[0].evidence, vec![0, 1]);
        assert_eq!(cands[0].strength, 75, "back before the recheck");
        assert_eq!(
            cands[1].basis,
            Basis::Overload {
                kind: OverloadKind::ConntrackFull
            }
        );
    }

    #[test]
    fn flows_and_rate_limits() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)])
            .event(0, at(2, 20), "netfilter", rate(SCANNER, "192.0.2.10", 443))
            .event(0, at(2, 29), "zeek", flow(SCANNER, "192.0.2.10", 443, "S0"))
            .event(0, at(2, 29), "zeek", flow(SCANNER, "192.0.2.10", 443, "SF"));
        let (cands, _) = k.collect(0);
        assert_eq!(causes(&cands), vec![Cause::FirewallDrop, Cause::RateLimit]);
        assert_eq!(cands[0].basis, Basis::Flow);
        assert_eq!(cands[0].strength, 60);
        assert_eq!(cands[0].evidence, vec![1]);
        assert_eq!(cands[1].evidence, vec![0]);
    }

    #[test]
    fn near_misses_outside_the_window_and_on_other_ports() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 15),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 8443, "X"),
            )
            .event(
                0,
                at(3, 0),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, "X"),
            )
            .event(
                0,
                at(8, 0),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, "X"),
            );
        assert!(k.collect(0).0.is_empty());
        let notes = k.with(|w| near_misses(&Ctx::new(w, 0)));
        assert_eq!(
            notes,
            vec![
                Note::NearMiss {
                    gap: TimeDelta::minutes(30),
                    at: 1
                },
                Note::OtherPorts {
                    ports: [8443].into(),
                    first: 0
                }
            ]
        );
    }

    #[test]
    fn coverage_of_a_host_with_and_without_logs_in_the_window() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)]);
        let cov = k.with(|w| coverage(&Ctx::new(w, 0)));
        assert!(cov.covering.is_empty());
        assert!(cov.missing_logs());
        let mut k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)]).event(
            0,
            at(2, 10),
            "systemd",
            lifecycle("cron", LifecycleState::Started),
        );
        k.source_names = vec!["192.0.2.10/syslog".into()];
        let cov = k.with(|w| coverage(&Ctx::new(w, 0)));
        assert_eq!(cov.covering, [0].into());
        assert_eq!(cov.in_window, vec![0]);
        assert!(!cov.missing_logs());
    }
}
