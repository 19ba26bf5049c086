//! Test fixtures for the correlation modules: port cases and events built directly (no binary, no
//! files), and the [`World`] over them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use portmortem_parsers::{
    Ban, BanAction, BanTool, Boot, DenyAction, Event, EventKind, FirewallDeny, Flow, FlowState,
    IpsAction, IpsAlert, Lifecycle, LifecycleState, Listening, Overload, OverloadKind, Proto,
    RateLimit, Shutdown, ShutdownKind, scan::ScanState,
};

use super::candidate::{Candidate, Note};
use super::evidence::{self, Ctx};
use super::services::port_service;
use super::{Cause, Finding, Input, World};
use crate::model::{LocatedEvent, SourceStats};
use crate::scan::PortCase;

pub const SCANNER: &str = "203.0.113.5";

/// 2026-11-20 at `h:m` UTC.
pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap()
}

/// A port seen gone by a scan from [`SCANNER`]; the host's window is 02:00–02:30.
pub fn case(host: &str, port: u16, state: ScanState) -> PortCase {
    PortCase {
        scan: 0,
        host: host.into(),
        ip: host.parse().ok(),
        hostnames: Vec::new(),
        port,
        protocol: Proto::Tcp,
        service: None,
        state,
        window: (at(2, 0), at(2, 30)),
        window_guessed: false,
        scanner_nets: vec![format!("{SCANNER}/32").parse().unwrap()],
        checks_read_timeout: Some(5),
        max_checks: Some(5),
        scan_file: "scan.nessus".into(),
        reason: None,
        host_ttl: None,
        seen_open_in: None,
        scanner_inferred: None,
        nat_hint: None,
    }
}

fn ip(s: &str) -> std::net::IpAddr {
    s.parse().unwrap()
}

pub fn deny(src: &str, dst: &str, dport: u16, rule: &str) -> EventKind {
    EventKind::FirewallDeny(FirewallDeny {
        action: DenyAction::Drop,
        src: ip(src),
        dst: Some(ip(dst)),
        proto: Some(Proto::Tcp),
        sport: Some(40000),
        dport: Some(dport),
        rule: (!rule.is_empty()).then(|| rule.to_string()),
    })
}

pub fn reject(src: &str, dst: &str, dport: u16, rule: &str) -> EventKind {
    match deny(src, dst, dport, rule) {
        EventKind::FirewallDeny(mut d) => {
            d.action = DenyAction::Reject;
            EventKind::FirewallDeny(d)
        }
        other => other,
    }
}

pub fn ips(src: &str, dst: &str, dport: u16, signature: &str, blocked: bool) -> EventKind {
    EventKind::IpsAlert(IpsAlert {
        action: if blocked {
            IpsAction::Blocked
        } else {
            IpsAction::Alerted
        },
        src: ip(src),
        dst: Some(ip(dst)),
        proto: Some(Proto::Tcp),
        dport: Some(dport),
        signature: signature.into(),
        signature_id: Some(2001219),
    })
}

pub fn ban(addr: &str, by: BanTool, scope: Option<&str>) -> EventKind {
    EventKind::Ban(Ban {
        ip: ip(addr),
        by,
        scope: scope.map(str::to_string),
        action: BanAction::Ban,
        until: None,
        target: None,
    })
}

pub fn unban(addr: &str, by: BanTool, scope: Option<&str>) -> EventKind {
    match ban(addr, by, scope) {
        EventKind::Ban(mut b) => {
            b.action = BanAction::Unban;
            EventKind::Ban(b)
        }
        other => other,
    }
}

pub fn lifecycle(unit: &str, state: LifecycleState) -> EventKind {
    EventKind::Lifecycle(Lifecycle {
        unit: unit.into(),
        state,
        detail: None,
    })
}

/// `service` announced listening on `port` (all addresses).
pub fn listening(service: &str, port: u16) -> EventKind {
    EventKind::Listening(Listening {
        service: service.into(),
        port,
        addr: None,
    })
}

pub fn shutdown() -> EventKind {
    EventKind::Shutdown(Shutdown {
        kind: ShutdownKind::Reboot,
    })
}

pub fn boot() -> EventKind {
    EventKind::Boot(Boot {})
}

pub fn overload(kind: OverloadKind) -> EventKind {
    EventKind::Overload(Overload { kind, port: None })
}

pub fn flow(src: &str, dst: &str, dport: u16, state: &str) -> EventKind {
    EventKind::Flow(Flow {
        src: ip(src),
        dst: ip(dst),
        proto: Some(Proto::Tcp),
        dport: Some(dport),
        state: FlowState::from_zeek(state),
    })
}

pub fn rate(src: &str, dst: &str, dport: u16) -> EventKind {
    EventKind::RateLimit(RateLimit {
        src: Some(ip(src)),
        dst: Some(ip(dst)),
        dport: Some(dport),
        what: "UFW LIMIT BLOCK".into(),
        service: None,
    })
}

pub fn causes(c: &[Candidate]) -> Vec<Cause> {
    c.iter().map(|c| c.cause).collect()
}

/// Cases, sources and events (in time order) for one correlation run.
pub struct Kit {
    pub cases: Vec<PortCase>,
    /// Display names of the sources (index = `LocatedEvent::source`).
    pub source_names: Vec<String>,
    pub events: Vec<LocatedEvent>,
    pub services: BTreeMap<String, String>,
}

impl Kit {
    pub fn new(cases: Vec<PortCase>) -> Kit {
        Kit {
            cases,
            source_names: vec!["logs/kern.log".into()],
            events: Vec::new(),
            services: BTreeMap::new(),
        }
    }

    /// Add an event of source `source` (line = its position + 1); events must come in time order,
    /// as the pipeline hands them over.
    pub fn event(
        mut self,
        source: usize,
        time: DateTime<Utc>,
        observer: &'static str,
        kind: EventKind,
    ) -> Kit {
        assert!(
            self.events.last().is_none_or(|e| e.event.time <= time),
            "events out of time order"
        );
        let line = self.events.len() as u64 + 1;
        self.events.push(LocatedEvent {
            source,
            line,
            event: Event {
                time,
                host: None,
                observer,
                kind,
            },
            text: String::new(),
        });
        self
    }

    /// Set the raw line of the last event (what advice reads zone and interface names from).
    pub fn text(mut self, text: &str) -> Kit {
        if let Some(e) = self.events.last_mut() {
            e.text = text.into();
        }
        self
    }

    fn sources(&self) -> Vec<SourceStats> {
        let n = self
            .source_names
            .len()
            .max(self.events.iter().map(|e| e.source + 1).max().unwrap_or(0));
        (0..n)
            .map(|si| {
                let mine: Vec<&LocatedEvent> =
                    self.events.iter().filter(|e| e.source == si).collect();
                SourceStats {
                    display: self
                        .source_names
                        .get(si)
                        .cloned()
                        .unwrap_or_else(|| format!("logs/source{si}.log")),
                    format: "syslog".into(),
                    lines: mine.len() as u64,
                    parsed: mine.len() as u64,
                    events: mine.len() as u64,
                    first_time: mine.first().map(|e| e.event.time),
                    last_time: mine.last().map(|e| e.event.time),
                    ..SourceStats::default()
                }
            })
            .collect()
    }

    /// Run `f` over the world of these cases and events (slack 5m).
    pub fn with<R>(&self, f: impl FnOnce(&World<'_>) -> R) -> R {
        let sources = self.sources();
        let aliases = BTreeMap::new();
        let input = Input {
            cases: &self.cases,
            sources: &sources,
            events: &self.events,
            slack: Duration::minutes(5),
            services: &self.services,
            host_aliases: &aliases,
            source_hosts: &[],
        };
        let world = World::new(&input);
        f(&world)
    }

    /// The unranked candidates and notes of case `ci`.
    pub fn collect(&self, ci: usize) -> (Vec<Candidate>, Vec<Note>) {
        self.with(|w| {
            let c = Ctx::new(w, ci);
            let t = c.target;
            let ps = port_service(
                w.input.services,
                &w.targets.hosts[t].names,
                &c.case.host,
                c.case.port,
                c.case.service.as_deref(),
                &w.host_services[t],
            );
            evidence::collect(&c, ps.as_ref())
        })
    }

    /// The finding of case `ci`.
    pub fn finding(&self, ci: usize) -> Finding {
        self.with(|w| super::rules::explain(w, ci))
    }
}
