//! Correlation: for every affected port, the events of its host inside its window ± slack, the
//! candidate causes they support, the verdict with a confidence, an explanation and advice
//! (DESIGN.md step 7).

pub mod advice;
pub mod attribute;
pub mod candidate;
pub mod controls;
pub mod evidence;
pub mod explain;
pub mod interest;
pub mod rank;
pub mod reply;
pub mod rules;
pub mod scanner;
pub mod services;
pub mod skew;
pub mod sources;
#[cfg(test)]
mod testkit;

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::config::GlobRule;
use crate::model::{LocatedEvent, SourceStats};
use crate::scan::PortCase;
use attribute::{How, SourceHost, Target, Targets, attribute};
use services::{HostServices, family};

/// What happened to a port. Serialized (serde) as its snake_case name, the same text as
/// [`Verdict::as_str`] (`blocked`, `service_restart`, `unexplained`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Blocked,
    ServiceRestart,
    Unexplained,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Blocked => "blocked",
            Verdict::ServiceRestart => "service_restart",
            Verdict::Unexplained => "unexplained",
        }
    }
}

/// Why, within a verdict. Serialized (serde) as its snake_case name, the same text as
/// [`Cause::as_str`] (`firewall_drop`, `oom_kill`, …). The order is the tie-break of ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    FirewallDrop,
    FirewallReject,
    IpsBlock,
    Ban,
    RateLimit,
    HostOverload,
    ServiceStop,
    ServiceCrash,
    OomKill,
    HostReboot,
}

impl Cause {
    pub fn verdict(self) -> Verdict {
        match self {
            Cause::FirewallDrop
            | Cause::FirewallReject
            | Cause::IpsBlock
            | Cause::Ban
            | Cause::RateLimit
            | Cause::HostOverload => Verdict::Blocked,
            Cause::ServiceStop | Cause::ServiceCrash | Cause::OomKill | Cause::HostReboot => {
                Verdict::ServiceRestart
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::FirewallDrop => "firewall_drop",
            Cause::FirewallReject => "firewall_reject",
            Cause::IpsBlock => "ips_block",
            Cause::Ban => "ban",
            Cause::RateLimit => "rate_limit",
            Cause::HostOverload => "host_overload",
            Cause::ServiceStop => "service_stop",
            Cause::ServiceCrash => "service_crash",
            Cause::OomKill => "oom_kill",
            Cause::HostReboot => "host_reboot",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn raise(self) -> Confidence {
        match self {
            Confidence::Low => Confidence::Medium,
            _ => Confidence::High,
        }
    }
    pub fn lower(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// The explanation of one port.
macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(Verdict, Cause, Confidence);

#[derive(Debug, Clone)]
pub struct Finding {
    pub verdict: Verdict,
    pub cause: Option<Cause>,
    pub confidence: Confidence,
    pub explanation: String,
    /// Indices into the event list, the winning cause's evidence first.
    pub evidence: Vec<usize>,
    pub advice: Vec<String>,
}

/// Most evidence lines listed per port (the explanation gives the full count).
pub const EVIDENCE_CAP: usize = 25;

/// Everything correlation looks at.
pub struct Input<'a> {
    pub cases: &'a [PortCase],
    pub sources: &'a [SourceStats],
    pub events: &'a [LocatedEvent],
    pub slack: Duration,
    pub services: &'a BTreeMap<String, String>,
    pub host_aliases: &'a BTreeMap<String, String>,
    pub source_hosts: &'a [GlobRule<String>],
}

/// Shared, precomputed view for the rules.
pub struct World<'a> {
    pub input: &'a Input<'a>,
    pub targets: Targets,
    /// Target index of each case.
    pub case_target: Vec<usize>,
    /// Attribution of each event.
    pub attr: Vec<Option<(usize, How)>>,
    pub source_hosts: Vec<SourceHost>,
    pub host_services: Vec<HostServices>,
    /// Per target, the indices (ascending, so in time order) of the events that may concern it:
    /// attributed to it, or with its address as destination. Rules look only at these.
    pub by_target: Vec<Vec<usize>>,
    /// Every ban/shun/unban event, in time order.
    pub bans: Vec<usize>,
    /// Per source, the targets it shows behind it: destinations of its network events (an ASA's
    /// `Shunned packet: SCANNER ==> HOST`, a firewall's denies). A shun that names no host covers
    /// only these (or what `--config` maps the source to), never every host.
    pub behind: Vec<BTreeSet<usize>>,
}

impl<'a> World<'a> {
    pub fn new(input: &'a Input<'a>) -> Self {
        let mut hosts: Vec<Target> = Vec::new();
        let mut case_target = Vec::with_capacity(input.cases.len());
        for c in input.cases {
            let pos = hosts.iter().position(|t| t.key == c.host);
            let idx = match pos {
                Some(i) => i,
                None => {
                    let mut names = c.hostnames.clone();
                    if c.ip.is_none() {
                        names.push(c.host.clone());
                    }
                    hosts.push(Target {
                        key: c.host.clone(),
                        ip: c.ip,
                        names,
                    });
                    hosts.len() - 1
                }
            };
            case_target.push(idx);
        }
        let targets = Targets::new(hosts, input.host_aliases);
        let source_hosts: Vec<SourceHost> = input
            .sources
            .iter()
            .map(|s| SourceHost::new(&targets, &s.display, input.source_hosts, &s.hostnames))
            .collect();
        let attr: Vec<Option<(usize, How)>> = input
            .events
            .iter()
            .map(|e| attribute(&targets, source_hosts[e.source], &e.event))
            .collect();
        let mut by_target = vec![Vec::new(); targets.hosts.len()];
        let mut bans = Vec::new();
        let mut behind = vec![BTreeSet::new(); input.sources.len()];
        for (i, (e, a)) in input.events.iter().zip(&attr).enumerate() {
            let by_dst = e.event.kind.destination().and_then(|ip| targets.by_ip(ip));
            if matches!(e.event.kind, portmortem_parsers::EventKind::Ban(_)) {
                bans.push(i);
            }
            if let Some(t) = by_dst {
                behind[e.source].insert(t);
            }
            if let Some((t, _)) = a {
                by_target[*t].push(i);
            }
            if let Some(t) = by_dst
                && a.is_none_or(|(at, _)| at != t)
            {
                by_target[t].push(i);
            }
        }
        let mut host_services = vec![HostServices::default(); targets.hosts.len()];
        for (e, a) in input.events.iter().zip(&attr) {
            let Some((t, _)) = a else { continue };
            match &e.event.kind {
                portmortem_parsers::EventKind::Listening(l) => {
                    host_services[*t]
                        .listening
                        .entry(l.port)
                        .or_default()
                        .insert(family(&l.service));
                }
                portmortem_parsers::EventKind::Lifecycle(l) => {
                    host_services[*t].units_seen.insert(family(&l.unit));
                }
                _ => {}
            }
        }
        World {
            input,
            targets,
            case_target,
            attr,
            source_hosts,
            host_services,
            by_target,
            bans,
            behind,
        }
    }
}

/// Explain every case, and say how each source was tied to the scanned hosts (an unexplained port
/// whose scanner event sits in an untied source says so).
pub fn correlate_all(input: &Input<'_>) -> (Vec<Finding>, Vec<sources::Tie>) {
    let world = World::new(input);
    let mut findings: Vec<Finding> = (0..input.cases.len())
        .map(|i| rules::explain(&world, i))
        .collect();
    let ties = sources::ties(&world);
    sources::note_untied_evidence(&world, &ties, &mut findings);
    (findings, ties)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAUSES: [Cause; 10] = [
        Cause::FirewallDrop,
        Cause::FirewallReject,
        Cause::IpsBlock,
        Cause::Ban,
        Cause::RateLimit,
        Cause::HostOverload,
        Cause::ServiceStop,
        Cause::ServiceCrash,
        Cause::OomKill,
        Cause::HostReboot,
    ];

    #[test]
    fn serde_names_are_the_report_strings() {
        for v in [
            Verdict::Blocked,
            Verdict::ServiceRestart,
            Verdict::Unexplained,
        ] {
            assert_eq!(json(&v), format!("\"{}\"", v.as_str()));
        }
        for c in CAUSES {
            assert_eq!(json(&c), format!("\"{}\"", c.as_str()));
        }
        for c in [Confidence::Low, Confidence::Medium, Confidence::High] {
            assert_eq!(json(&c), format!("\"{}\"", c.as_str()));
        }
        // The exact strings the JSON report has always used.
        assert_eq!(json(&Verdict::ServiceRestart), "\"service_restart\"");
        assert_eq!(json(&Cause::FirewallDrop), "\"firewall_drop\"");
        assert_eq!(json(&Cause::OomKill), "\"oom_kill\"");
        assert_eq!(json(&Cause::IpsBlock), "\"ips_block\"");
        assert_eq!(json(&Cause::HostReboot), "\"host_reboot\"");
    }

    fn json<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap_or_default()
    }

    #[test]
    fn causes_map_onto_verdicts() {
        let blocked: Vec<Cause> = CAUSES
            .into_iter()
            .filter(|c| c.verdict() == Verdict::Blocked)
            .collect();
        assert_eq!(blocked.len(), 6);
        assert_eq!(Cause::HostReboot.verdict(), Verdict::ServiceRestart);
        assert_eq!(Cause::OomKill.verdict(), Verdict::ServiceRestart);
    }
}
