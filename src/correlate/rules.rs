//! The evidence rules of DESIGN.md step 7: collect the candidate causes for one port, rank them, and
//! turn the winner (or the lack of one) into a [`Finding`].

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use portmortem_parsers::{
    BanAction, BanTool, DenyAction, EventKind, IpsAction, LifecycleState, OverloadKind, Proto,
    ShutdownKind, scan::ScanState,
};

use super::advice;
use super::services::{PortService, family, port_service};
use super::{Cause, Confidence, EVIDENCE_CAP, Finding, Verdict, World};
use crate::scan::PortCase;

/// One possible cause with its evidence.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub cause: Cause,
    pub strength: i32,
    pub evidence: Vec<usize>,
    /// One sentence saying what the evidence shows.
    pub summary: String,
    /// For advice: the rule / signature / jail / unit the evidence names.
    pub detail: Option<String>,
    /// For a ban: the tool that banned.
    pub ban_tool: Option<BanTool>,
}

impl Candidate {
    fn consistency(&self, state: ScanState) -> Option<bool> {
        use Cause::*;
        match (state, self.cause) {
            (_, RateLimit | HostReboot) => None,
            (ScanState::Closed, FirewallReject | ServiceStop | ServiceCrash | OomKill) => {
                Some(true)
            }
            (ScanState::Closed, _) => Some(false),
            (ScanState::Unresponsive, FirewallDrop | IpsBlock | Ban | HostOverload) => Some(true),
            (ScanState::Unresponsive, _) => Some(false),
        }
    }

    fn score(&self, state: ScanState) -> i32 {
        self.strength
            + match self.consistency(state) {
                Some(true) => 10,
                Some(false) => -20,
                None => 0,
            }
    }

    fn confidence(&self, state: ScanState) -> Confidence {
        let base = if self.strength >= 85 {
            Confidence::High
        } else if self.strength >= 65 {
            Confidence::Medium
        } else {
            Confidence::Low
        };
        if self.consistency(state) == Some(false) {
            base.lower()
        } else {
            base
        }
    }
}

/// How far outside a window denies of the scanner are still looked at, to point out a likely zone
/// or clock error.
pub const NEAR_MISS: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// How long after the recheck a service's return is still looked for and reported.
pub const AFTERMATH: chrono::TimeDelta = chrono::TimeDelta::hours(1);

pub fn fmt_t(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Ports a fail2ban jail blocks; `None` = host-wide (or unknown: treated as host-wide, weaker).
fn jail_ports(scope: Option<&str>) -> (Option<Vec<u16>>, bool) {
    let Some(j) = scope.map(|s| s.to_ascii_lowercase()) else {
        return (None, true);
    };
    let known: Option<&[u16]> = if j.contains("ssh") {
        Some(&[22])
    } else if j.contains("nginx") || j.contains("apache") || j.contains("http") || j.contains("php")
    {
        Some(&[80, 443])
    } else if j.contains("postfix") || j.contains("sasl") || j.contains("exim") {
        Some(&[25, 465, 587])
    } else if j.contains("dovecot") {
        Some(&[110, 143, 993, 995])
    } else if j.contains("ftp") {
        Some(&[21])
    } else if j.contains("mysql") {
        Some(&[3306])
    } else if j.contains("recidive") || j.contains("allports") {
        return (None, true);
    } else {
        None
    };
    match known {
        Some(p) => (Some(p.to_vec()), true),
        None => (None, false),
    }
}

struct Ctx<'w, 'a> {
    w: &'w World<'a>,
    case: &'w PortCase,
    target: usize,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
    recheck: DateTime<Utc>,
}

impl Ctx<'_, '_> {
    /// This host's event indices with times in `[from, to]`, in time order.
    fn host_events(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> &[usize] {
        let ev = self.w.input.events;
        let list = &self.w.by_target[self.target];
        let a = list.partition_point(|&i| ev[i].event.time < from);
        let b = list.partition_point(|&i| ev[i].event.time <= to);
        &list[a..b.max(a)]
    }

    fn on_host(&self, i: usize) -> bool {
        self.w.attr[i].map(|(t, _)| t) == Some(self.target)
    }
    fn scanner(&self, ip: IpAddr) -> bool {
        self.case.scanner_nets.iter().any(|n| n.contains(&ip))
    }
    fn dst_ok(&self, dst: Option<IpAddr>, i: usize) -> bool {
        match (dst, self.case.ip) {
            (Some(d), Some(ip)) => d == ip,
            _ => self.on_host(i),
        }
    }
    fn proto_ok(&self, p: &Option<Proto>) -> bool {
        p.as_ref().is_none_or(|p| *p == self.case.protocol)
    }
    fn where_(&self, i: usize) -> String {
        let e = &self.w.input.events[i];
        format!("{}:{}", self.w.input.sources[e.source].display, e.line)
    }
    fn time(&self, i: usize) -> DateTime<Utc> {
        self.w.input.events[i].event.time
    }
    fn span(&self, ev: &[usize]) -> String {
        match (ev.first(), ev.last()) {
            (Some(&a), Some(&b)) if ev.len() > 1 => format!(
                "{} time(s) between {} and {} (first at {})",
                ev.len(),
                fmt_t(self.time(a)),
                fmt_t(self.time(b)),
                self.where_(a)
            ),
            (Some(&a), _) => format!("at {} ({})", fmt_t(self.time(a)), self.where_(a)),
            _ => String::new(),
        }
    }
}

fn collect(c: &Ctx<'_, '_>, ps: Option<&PortService>) -> (Vec<Candidate>, Vec<String>) {
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
    let mut rule_names = BTreeSet::new();
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
                    rule_names.insert(r.clone());
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
                    && r.dport.is_none_or(|p| p == case.port)
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
    let rules = if rule_names.is_empty() {
        String::new()
    } else {
        format!(
            " (rule {})",
            rule_names
                .iter()
                .map(|r| format!("'{r}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let proto_port = format!("{}/{}", case.protocol, case.port);
    if !drops.is_empty() {
        cands.push(Candidate {
            cause: Cause::FirewallDrop,
            strength: 100,
            summary: format!(
                "the firewall dropped the scanner's packets to {} {proto_port}{rules} {}",
                case.host,
                c.span(&drops)
            ),
            detail: rule_names.iter().next().cloned(),
            ban_tool: None,
            evidence: drops,
        });
    }
    if !rejects.is_empty() {
        cands.push(Candidate {
            cause: Cause::FirewallReject,
            strength: 100,
            summary: format!(
                "the firewall rejected the scanner's connections to {} {proto_port}{rules} {}",
                case.host,
                c.span(&rejects)
            ),
            detail: rule_names.iter().next().cloned(),
            ban_tool: None,
            evidence: rejects,
        });
    }
    if !ips.is_empty() {
        let sig = signatures.iter().next().cloned();
        cands.push(Candidate {
            cause: Cause::IpsBlock,
            strength: 95,
            summary: format!(
                "the IPS blocked the scanner on {} {proto_port} (signature '{}') {}",
                case.host,
                sig.clone().unwrap_or_default(),
                c.span(&ips)
            ),
            detail: sig,
            ban_tool: None,
            evidence: ips,
        });
    } else if !ids_only.is_empty() {
        notes.push(format!(
            "the IDS alerted on the scanner {} (alert only, no block)",
            c.span(&ids_only)
        ));
    }
    // A network sensor's view: the attempts went unanswered or were refused. Weaker than a device
    // saying it blocked (an unanswered SYN may be a host down, a refused one a stopped service).
    for (flows, cause, what) in [
        (unanswered, Cause::FirewallDrop, "went unanswered (Zeek S0)"),
        (refused, Cause::FirewallReject, "were refused (Zeek REJ)"),
    ] {
        if !flows.is_empty() {
            cands.push(Candidate {
                cause,
                strength: 60,
                summary: format!(
                    "a network sensor saw the scanner's connection attempts to {} {proto_port} that {what} {}",
                    case.host,
                    c.span(&flows)
                ),
                detail: None,
                ban_tool: None,
                evidence: flows,
            });
        }
    }
    if !rate.is_empty() {
        cands.push(Candidate {
            cause: Cause::RateLimit,
            strength: 80,
            summary: format!(
                "a rate limit caught the scanner on {} {}",
                case.host,
                c.span(&rate)
            ),
            detail: None,
            ban_tool: None,
            evidence: rate,
        });
    }
    if let Some(b) = ban_candidate(c) {
        cands.push(b);
    }
    if !shutdowns.is_empty() {
        let s0 = shutdowns[0];
        let kind = match &events[s0].event.kind {
            EventKind::Shutdown(s) if s.kind == ShutdownKind::Poweroff => "powered off",
            _ => "shut down / rebooted",
        };
        let back = boots
            .iter()
            .copied()
            .find(|&b| events[b].event.time > events[s0].event.time);
        let mut ev = shutdowns.clone();
        let back_txt = match back {
            Some(b) if events[b].event.time <= c.recheck => {
                ev.push(b);
                format!(", booted again at {} ({})", fmt_t(c.time(b)), c.where_(b))
            }
            Some(b) => {
                ev.push(b);
                format!(
                    ", booted again only at {}, after the recheck",
                    fmt_t(c.time(b))
                )
            }
            None => ", no boot seen before the recheck".to_string(),
        };
        cands.push(Candidate {
            cause: Cause::HostReboot,
            strength: if back.is_some_and(|b| events[b].event.time <= c.recheck) {
                75
            } else {
                90
            },
            summary: format!(
                "{} {kind} at {} ({}){back_txt}",
                case.host,
                fmt_t(c.time(s0)),
                c.where_(s0)
            ),
            detail: None,
            ban_tool: None,
            evidence: ev,
        });
    }
    if !overload.is_empty() {
        let o0 = overload[0];
        let what = match &events[o0].event.kind {
            EventKind::Overload(o) => match o.kind {
                OverloadKind::SynCookies => "SYN flooding (sending cookies)",
                OverloadKind::SynDrop => "SYN flooding (dropping requests)",
                OverloadKind::ConntrackFull => "a full conntrack table (dropping packets)",
            },
            _ => "overload",
        };
        cands.push(Candidate {
            cause: Cause::HostOverload,
            strength: 55,
            summary: format!("{} reported {what} {}", case.host, c.span(&overload)),
            detail: None,
            ban_tool: None,
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
        let (ports, known) = if b.by == BanTool::Fail2ban {
            jail_ports(b.scope.as_deref())
        } else {
            (None, true)
        };
        if ports.as_ref().is_some_and(|p| !p.contains(&c.case.port)) {
            continue;
        }
        let scope = match (&b.scope, &ports) {
            (Some(s), Some(p)) => format!("{s}, ports {p:?}"),
            (Some(s), None) if known => format!("{s}, all ports"),
            (Some(s), None) => format!("{s}, ports unknown: assumed all"),
            (None, _) => "host-wide".into(),
        };
        let verb = if b.action == BanAction::Shun {
            "shunned"
        } else {
            "banned"
        };
        let cand = Candidate {
            cause: Cause::Ban,
            strength: if known { 90 } else { 75 },
            summary: format!(
                "{} {verb} the scanner {} ({scope}) at {} ({}), still active at the recheck {}",
                b.by,
                b.ip,
                fmt_t(c.time(i)),
                c.where_(i),
                fmt_t(c.recheck)
            ),
            // The jail or scope, for advice; the tool is `ban_tool`.
            detail: b.scope.clone(),
            ban_tool: Some(b.by.clone()),
            evidence: vec![i],
        };
        best = Some(cand);
    }
    best
}

fn lifecycle_candidate(c: &Ctx<'_, '_>, ps: &PortService) -> (Option<Candidate>, Option<String>) {
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
    let units: Vec<&str> = ps.families.iter().map(String::as_str).collect();
    if episode.is_empty() {
        let note = recovered.map(|(ep, up)| {
            format!(
                "{} went down at {} but was back at {} ({}), before the recheck",
                units.join("/"),
                fmt_t(c.time(ep[0])),
                fmt_t(c.time(up)),
                c.where_(up)
            )
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
    let (cause, verb) = if states.contains(&LifecycleState::OomKilled) {
        (Cause::OomKill, "was OOM-killed")
    } else if states.contains(&LifecycleState::Crashed) {
        (Cause::ServiceCrash, "crashed")
    } else {
        (Cause::ServiceStop, "stopped")
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
        _ => units.join("/"),
    };
    let back = match later_start {
        Some(s) => format!(
            "; back only at {} ({}), after the recheck",
            fmt_t(c.time(s)),
            c.where_(s)
        ),
        None => "; not seen back before the recheck".into(),
    };
    let mut evidence = episode;
    evidence.extend(later_start);
    (
        Some(Candidate {
            cause,
            strength: if ps.how.explicit() { 85 } else { 70 },
            summary: format!(
                "{unit} on {} {verb} at {} ({}){back} (port {} ↔ {} by {})",
                c.case.host,
                fmt_t(c.time(key)),
                c.where_(key),
                c.case.port,
                units.join("/"),
                ps.how.describe()
            ),
            detail: Some(unit),
            ban_tool: None,
            evidence,
        }),
        None,
    )
}

/// Explain case `ci`.
pub fn explain(w: &World<'_>, ci: usize) -> Finding {
    let case = &w.input.cases[ci];
    let target = w.case_target[ci];
    let c = Ctx {
        w,
        case,
        target,
        lo: case.window.0 - w.input.slack,
        hi: case.window.1 + w.input.slack,
        recheck: case.window.1,
    };
    let ps = port_service(
        w.input.services,
        &w.targets.hosts[target].names,
        &case.host,
        case.port,
        case.service.as_deref(),
        &w.host_services[target],
    );
    let (mut cands, notes) = collect(&c, ps.as_ref());
    // Stable ranking: score, then cause order, so equal scores resolve the same way every run.
    cands.sort_by(|a, b| {
        b.score(case.state)
            .cmp(&a.score(case.state))
            .then(a.cause.cmp(&b.cause))
    });
    let mut evidence: Vec<usize> = Vec::new();
    for cand in &cands {
        for &i in &cand.evidence {
            if !evidence.contains(&i) {
                evidence.push(i);
            }
        }
    }
    let total_evidence = evidence.len();
    evidence.truncate(EVIDENCE_CAP);
    let Some(win) = cands.first() else {
        return unexplained(&c, ps.as_ref(), notes);
    };
    let how = win
        .evidence
        .first()
        .and_then(|&i| w.attr[i])
        .map(|(_, h)| h.describe());
    let mut text = String::new();
    text.push_str(&capitalize(&win.summary));
    text.push('.');
    match win.consistency(case.state) {
        Some(true) => text.push_str(&format!(" This fits the scan's '{}'.", case.state.as_str())),
        Some(false) => text.push_str(&format!(
            " The scan saw '{}', which fits {} better, so confidence is lowered.",
            case.state.as_str(),
            match case.state {
                ScanState::Closed => "a reject or a stopped service",
                ScanState::Unresponsive => "a silent drop, a ban or a host going down",
            }
        )),
        None => {}
    }
    if let Some(h) = how {
        text.push_str(&format!(" Host decided by {h}."));
    }
    if cands.len() > 1 {
        let others: Vec<String> = cands[1..]
            .iter()
            .map(|o| format!("{} ({})", o.cause.as_str(), o.summary))
            .collect();
        text.push_str(&format!(" Also seen: {}.", others.join("; ")));
    }
    for n in &notes {
        text.push_str(&format!(" Note: {n}."));
    }
    if total_evidence > EVIDENCE_CAP {
        text.push_str(&format!(
            " {total_evidence} evidence lines in all; the first {EVIDENCE_CAP} are listed."
        ));
    }
    if case.window_guessed {
        text.push_str(" The scan gave no complete time for this host; the window was estimated.");
    }
    Finding {
        verdict: win.cause.verdict(),
        cause: Some(win.cause),
        confidence: win.confidence(case.state),
        advice: advice::for_cause(case, win, w),
        explanation: text,
        evidence,
    }
}

/// Capitalize sentences that start with a plain word ("the firewall …"), not with a unit name.
fn capitalize(s: &str) -> String {
    match s.strip_prefix("the ") {
        Some(rest) => format!("The {rest}"),
        None => s.to_string(),
    }
}

/// What was missing, when nothing explains the port.
/// `1h10m`, `45m`, `30s`.
fn human(d: chrono::TimeDelta) -> String {
    let s = d.num_seconds().abs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, _) => format!("{m}m"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// Denies of the scanner that almost explain the port: on this port but outside the window (a zone
/// or clock error?), or inside the window on other ports of the host.
fn near_misses(c: &Ctx<'_, '_>) -> Vec<String> {
    let events = c.w.input.events;
    let case = c.case;
    let mut nearest: Option<(chrono::TimeDelta, usize)> = None;
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
    if let Some((gap, i)) = nearest {
        out.push(format!(
            "the scanner was denied on this port at {} ({}), {} {} the window: if that log's zone or clock is off, set --source-tz or --offset for it, or widen --slack",
            fmt_t(events[i].event.time),
            c.where_(i),
            human(gap),
            if gap < chrono::TimeDelta::zero() { "before" } else { "after" }
        ));
    }
    if let Some(i) = other_first {
        let ports: Vec<String> = other_ports
            .iter()
            .take(8)
            .map(|p| format!("{}/{p}", case.protocol))
            .collect();
        out.push(format!(
            "inside the window the scanner was denied on other ports of this host ({}{}; first at {}), not on {}/{}",
            ports.join(", "),
            if other_ports.len() > 8 { ", …" } else { "" },
            c.where_(i),
            case.protocol,
            case.port
        ));
    }
    out
}

fn unexplained(c: &Ctx<'_, '_>, ps: Option<&PortService>, mut notes: Vec<String>) -> Finding {
    notes.extend(near_misses(c));
    let w = c.w;
    let case = c.case;
    let sources = w.input.sources;
    // Sources that cover the host: mapped to it, naming it, or with events attributed to it.
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
    let in_window: Vec<usize> = covering
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
    let window = format!("{} – {}", fmt_t(case.window.0), fmt_t(case.window.1));
    let names = |v: &mut dyn Iterator<Item = usize>| -> String {
        let list: Vec<String> = v.map(|i| sources[i].display.clone()).collect();
        if list.len() > 5 {
            format!("{} and {} more", list[..5].join(", "), list.len() - 5)
        } else {
            list.join(", ")
        }
    };
    let mut text = if covering.is_empty() {
        format!(
            "No log source covers host {}{}: none names it, is mapped to it, or logs traffic to it from the scanner. Read {} log source(s).",
            case.host,
            if case.hostnames.is_empty() {
                String::new()
            } else {
                format!(" ({})", case.hostnames.join(", "))
            },
            sources.iter().filter(|s| s.lines > 0).count()
        )
    } else if in_window.is_empty() {
        let spans: Vec<String> = covering
            .iter()
            .map(|&i| {
                let s = &sources[i];
                match (s.first_time, s.last_time) {
                    (Some(a), Some(b)) => format!("{} ({} – {})", s.display, fmt_t(a), fmt_t(b)),
                    _ => format!("{} (no readable times)", s.display),
                }
            })
            .collect();
        format!(
            "Logs cover host {} but none covers the window {window}: {}.",
            case.host,
            spans.join("; ")
        )
    } else {
        let units = ps
            .map(|p| p.families.iter().cloned().collect::<Vec<_>>().join("/"))
            .unwrap_or_else(|| {
                "the service (unknown: no listening line, config entry or known default port)"
                    .into()
            });
        format!(
            "Logs covering host {} and the window {window} ({}) show no deny, ban, IPS block or rate limit of the scanner on {}/{}, no stop or crash of {units}, and no reboot.",
            case.host,
            names(&mut in_window.iter().copied()),
            case.protocol,
            case.port
        )
    };
    if case.scanner_nets.is_empty() {
        text.push_str(" The scanner IP is unknown (no plugin 19506, no --scanner-ip), so firewall and IPS lines could not be matched.");
    }
    for n in &notes {
        text.push_str(&format!(" Note: {n}."));
    }
    Finding {
        verdict: Verdict::Unexplained,
        cause: None,
        confidence: if covering.is_empty() || in_window.is_empty() {
            Confidence::Low
        } else {
            Confidence::Medium
        },
        explanation: text,
        evidence: Vec::new(),
        advice: advice::unexplained(case, covering.is_empty() || in_window.is_empty()),
    }
}
