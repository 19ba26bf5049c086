//! What a followed event means while a scan runs: the scanner blocked toward a target (deny, ban,
//! IPS block, rate limit, overload), or a target's service or host going down. Everything else —
//! other sources, allowed traffic, alerts that did not block, services on no scanned port — stays
//! silent.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use portmortem_parsers::{
    BanAction, BanTool, DenyAction, Event, EventKind, IpsAction, LifecycleState, ShutdownKind,
};
use serde::Serialize;

use crate::correlate::attribute::{SourceHost, Targets, attribute};
use crate::correlate::services::{default_ports, family};
use crate::model::in_nets;

/// One alert, as `--format jsonl` writes it.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub time: DateTime<Utc>,
    /// The target as the scan (or `--target`) names it.
    pub host: String,
    pub port: Option<u16>,
    /// `blocked`, `service_down`, `host_down`.
    pub kind: &'static str,
    /// A cause of the analyze report (`firewall_drop`, `ban`, `service_stop`, …).
    pub cause: &'static str,
    pub file: String,
    pub line: u64,
    pub text: String,
    pub advice: String,
}

impl Alert {
    /// The verdict an analyze report would give (for `--fail-on`).
    pub fn verdict(&self) -> &'static str {
        if self.kind == "blocked" {
            "blocked"
        } else {
            "service_restart"
        }
    }
}

/// What the watch looks for.
pub struct Watched {
    pub targets: Targets,
    pub scanner: Vec<IpNet>,
    /// Per target, the scanned ports (empty: not known, any port counts).
    pub ports: Vec<BTreeSet<u16>>,
    /// `--config [services]`: "host:port" or "port" → unit.
    pub services: BTreeMap<String, String>,
}

fn nets(n: &[IpNet]) -> String {
    crate::correlate::advice::nets_text(n)
}

impl Watched {
    fn scanned(&self, t: usize, port: u16) -> bool {
        self.ports[t].is_empty() || self.ports[t].contains(&port)
    }

    /// The scanned ports a unit serves on target `t`: its configured ports, else its family's
    /// default ports. `None` when it serves none that is scanned.
    fn unit_ports(&self, t: usize, unit: &str) -> Option<Vec<u16>> {
        let fam = family(unit);
        let host = &self.targets.hosts[t];
        let mut ports: Vec<u16> = self
            .services
            .iter()
            .filter(|(_, u)| family(u) == fam)
            .filter_map(|(k, _)| match k.rsplit_once(':') {
                Some((h, p))
                    if host.key.eq_ignore_ascii_case(h)
                        || host.names.iter().any(|n| n.eq_ignore_ascii_case(h)) =>
                {
                    p.parse().ok()
                }
                Some(_) => None,
                None => k.parse().ok(),
            })
            .collect();
        if ports.is_empty() {
            ports = default_ports(&fam).to_vec();
        }
        let hit: Vec<u16> = ports.into_iter().filter(|p| self.scanned(t, *p)).collect();
        (!hit.is_empty()).then_some(hit)
    }

    /// The alert an event raises, if any.
    pub fn alert(
        &self,
        src: SourceHost,
        ev: &Event,
        file: &str,
        line: u64,
        text: &str,
    ) -> Option<Alert> {
        let scanner = |ip| in_nets(&self.scanner, ip);
        let target = attribute(&self.targets, src, ev).map(|(t, _)| t);
        let name = |t: usize| self.targets.hosts[t].key.clone();
        let at = ev.time.format("%H:%M").to_string();
        let make = |t: usize, port, kind, cause, advice: String| Alert {
            time: ev.time,
            host: name(t),
            port,
            kind,
            cause,
            file: file.to_string(),
            line,
            text: text.to_string(),
            advice,
        };
        match &ev.kind {
            EventKind::FirewallDeny(d) if scanner(d.src) => {
                let t = d.dst.and_then(|ip| self.targets.by_ip(ip)).or(target)?;
                if let Some(p) = d.dport
                    && !self.scanned(t, p)
                {
                    return None;
                }
                let (cause, verb, looks) = match d.action {
                    DenyAction::Drop => ("firewall_drop", "dropped", "unresponsive"),
                    DenyAction::Reject => ("firewall_reject", "rejected", "closed"),
                };
                let rule = d
                    .rule
                    .as_deref()
                    .map(|r| format!(" (rule '{r}')"))
                    .unwrap_or_default();
                let port = d.dport.map(|p| format!(" port {p}")).unwrap_or_default();
                Some(make(
                    t,
                    d.dport,
                    "blocked",
                    cause,
                    format!(
                        "{} {verb} the scanner {} toward {}{port}{rule}: it will look {looks}; allow the scanner there for the scan ({file}).",
                        ev.observer,
                        d.src,
                        name(t)
                    ),
                ))
            }
            EventKind::IpsAlert(a) if scanner(a.src) && a.action == IpsAction::Blocked => {
                let t = a.dst.and_then(|ip| self.targets.by_ip(ip)).or(target)?;
                if let Some(p) = a.dport
                    && !self.scanned(t, p)
                {
                    return None;
                }
                Some(make(
                    t,
                    a.dport,
                    "blocked",
                    "ips_block",
                    format!(
                        "The IPS blocked the scanner {} toward {} (signature '{}'): add a pass rule or a suppression for the scanner, or the rest of the scan through it is lost.",
                        a.src,
                        name(t),
                        a.signature
                    ),
                ))
            }
            EventKind::Ban(b)
                if scanner(b.ip) && matches!(b.action, BanAction::Ban | BanAction::Shun) =>
            {
                let t = b.target.and_then(|ip| self.targets.by_ip(ip)).or(target)?;
                let (ports, scope) = match (&b.by, b.scope.as_deref()) {
                    (BanTool::Fail2ban, Some(j)) => {
                        match crate::correlate::services::jail_ports(j) {
                            crate::correlate::services::JailPorts::Ports(p) => {
                                let hit: Vec<u16> =
                                    p.into_iter().filter(|p| self.scanned(t, *p)).collect();
                                if hit.is_empty() {
                                    return None;
                                }
                                (Some(hit), format!(" (jail {j})"))
                            }
                            _ => (None, format!(" (jail {j})")),
                        }
                    }
                    (_, Some(s)) => (None, format!(" ({s})")),
                    _ => (None, String::new()),
                };
                let until = match b.until {
                    Some(u) => {
                        let mins = (u - ev.time).num_minutes();
                        format!(" for {mins}m, until {}", u.format("%H:%M"))
                    }
                    None => String::new(),
                };
                let what = match &ports {
                    Some(p) => format!(
                        "port{} {} will look unresponsive",
                        if p.len() == 1 { "" } else { "s" },
                        p.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
                    ),
                    None => "every port will look unresponsive".to_string(),
                };
                let fix = match &b.by {
                    BanTool::Fail2ban => "add it to ignoreip and unban it (fail2ban-client unban)",
                    BanTool::Crowdsec => {
                        "whitelist it and delete the decision (cscli decisions delete --ip)"
                    }
                    BanTool::Sshguard => "add it to sshguard's whitelist",
                    BanTool::CiscoAsa => {
                        "remove the shun (no shun) and exempt it from threat detection"
                    }
                    _ => "whitelist it in that tool",
                };
                Some(make(
                    t,
                    ports.as_ref().and_then(|p| p.first().copied()),
                    "blocked",
                    "ban",
                    format!(
                        "{} banned the scanner {} on {}{scope}{until}: {what}; {fix}.",
                        b.by.as_str(),
                        b.ip,
                        name(t)
                    ),
                ))
            }
            EventKind::RateLimit(r) if r.src.is_some_and(scanner) => {
                let t = r.dst.and_then(|ip| self.targets.by_ip(ip)).or(target)?;
                Some(make(
                    t,
                    r.dport,
                    "blocked",
                    "rate_limit",
                    format!(
                        "A rate limit ({}) throttles the scanner {} on {}: raise it for the scanner or slow the scan.",
                        r.what,
                        nets(&self.scanner),
                        name(t)
                    ),
                ))
            }
            EventKind::Overload(o) => {
                let t = target?;
                if let Some(p) = o.port
                    && !self.scanned(t, p)
                {
                    return None;
                }
                Some(make(
                    t,
                    o.port,
                    "blocked",
                    "host_overload",
                    format!(
                        "{} is overloaded ({:?}) at {at}: slow the scan (fewer checks in parallel) or its ports will drop out.",
                        name(t),
                        o.kind
                    ),
                ))
            }
            EventKind::Lifecycle(l) if l.state.is_down() => {
                let t = target?;
                let ports = self.unit_ports(t, &l.unit)?;
                let cause = match l.state {
                    LifecycleState::OomKilled => "oom_kill",
                    LifecycleState::Crashed => "service_crash",
                    _ => "service_stop",
                };
                Some(make(
                    t,
                    ports.first().copied(),
                    "service_down",
                    cause,
                    format!(
                        "{} went down on {} at {at} ({}): port{} {} will look closed until it is back; re-check {} after it restarts.",
                        l.unit,
                        name(t),
                        cause.replace('_', " "),
                        if ports.len() == 1 { "" } else { "s" },
                        ports
                            .iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join(","),
                        if ports.len() == 1 { "it" } else { "them" }
                    ),
                ))
            }
            EventKind::Shutdown(s) => {
                let t = target?;
                Some(make(
                    t,
                    None,
                    "host_down",
                    "host_reboot",
                    format!(
                        "{} is {} at {at}: every port will look unresponsive; re-check the host when it is back.",
                        name(t),
                        match s.kind {
                            ShutdownKind::Reboot => "rebooting",
                            ShutdownKind::Poweroff => "shutting down",
                        }
                    ),
                ))
            }
            _ => None,
        }
    }
}

/// Repeats of one alert (same host, port, cause and file) within this long are counted, not
/// printed: a firewall denying every probe of a port would otherwise print hundreds of lines.
pub const REPEAT: chrono::Duration = chrono::Duration::seconds(60);
