//! The model the layers share: what a read produced (events with their place, per-source stats)
//! and what the analysis asks of the logs ([`Query`]). The pipeline fills these; correlation and
//! reports read them; this module depends on neither.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use ipnet::IpNet;
use portmortem_parsers::Event;

/// Per-source accounting and what the source tells about coverage.
#[derive(Debug, Clone, Default)]
pub struct SourceStats {
    pub display: String,
    pub format: String,
    pub lines: u64,
    /// Lines the parser framed (with or without an event).
    pub parsed: u64,
    /// Lines the prefilter skipped.
    pub ignored: u64,
    pub malformed: u64,
    /// Events the parser produced (before the query's relevance filter).
    pub events: u64,
    pub tz: Option<String>,
    pub offset: Option<Duration>,
    pub first_time: Option<DateTime<Utc>>,
    pub last_time: Option<DateTime<Utc>>,
    /// Host names the source's lines carry (syslog HOSTNAME), capped.
    pub hostnames: BTreeSet<String>,
    /// A read error (the source is then partial).
    pub error: Option<String>,
    /// Why the format was chosen (content detection's reason); `None` when forced or unknown.
    pub detection: Option<String>,
    /// Events per observer (the payload or format that recognised them: `cisco_asa`, `systemd`).
    pub observers: BTreeMap<&'static str, u64>,
    /// `--auto-skew`'s estimate of the source's clock, when it made one.
    pub skew: Option<crate::correlate::skew::Skew>,
}

/// An event with where it came from.
#[derive(Debug, Clone)]
pub struct LocatedEvent {
    /// Index into the sources list.
    pub source: usize,
    pub line: u64,
    pub event: Event,
    /// The original line, control characters removed, capped (empty without a query).
    pub text: String,
}

/// What the analysis asks of the logs: whose traffic matters, when, and which events it keeps.
/// Built by the correlation (which knows what it needs, see `correlate::interest`).
#[derive(Debug, Clone)]
pub struct Query {
    pub scanner_nets: Vec<IpNet>,
    /// The affected host:port pairs (by address). Connections of other sources to exactly these
    /// are kept too: they name the scanner when the report does not (nmap, masscan, a manual
    /// case), or its translated address behind NAT.
    pub targets: Vec<(IpAddr, u16)>,
    /// Time span that matters (all port windows ± slack).
    pub span: (DateTime<Utc>, DateTime<Utc>),
    /// How long after the span service and host events still matter (their return).
    pub after: Duration,
    /// Is this event of any use to the correlation?
    pub keep: fn(&Query, &Event) -> bool,
}

/// Is `ip` in one of `nets` (the scanner's addresses)?
pub fn in_nets(nets: &[IpNet], ip: IpAddr) -> bool {
    nets.iter().any(|n| n.contains(&ip))
}

impl Query {
    pub fn is_scanner(&self, ip: IpAddr) -> bool {
        in_nets(&self.scanner_nets, ip)
    }

    /// Is this a connection to an affected host:port (any source)?
    pub fn to_target(&self, dst: Option<IpAddr>, dport: Option<u16>) -> bool {
        match (dst, dport) {
            (Some(d), Some(p)) => self.targets.binary_search(&(d, p)).is_ok(),
            _ => false,
        }
    }

    pub fn in_span(&self, t: DateTime<Utc>) -> bool {
        t >= self.span.0 && t <= self.span.1
    }

    pub fn keep(&self, ev: &Event) -> bool {
        (self.keep)(self, ev)
    }
}
