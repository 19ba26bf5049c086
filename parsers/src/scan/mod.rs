//! Scan reports: the facts portmortem needs from a vulnerability scan (DESIGN.md step 3).

pub mod masscan;
pub mod nessus;
pub mod nessus_csv;
pub mod nmap;
pub mod openvas;
pub mod ports;
pub mod series;
mod xml;

pub use ports::PortSet;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{ParseError, Proto};

/// How a scan format reads a report (times without a zone in the given zone).
pub type ReadFn = fn(&mut dyn BufRead, chrono_tz::Tz) -> Result<ScanReport, ParseError>;

/// One scan report format: how to recognise it from a file's head and read it (streamed).
pub struct ScanSpec {
    /// The name in reports and `--format-of` (`nessus`).
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// What is read from it, for `portmortem formats`.
    pub description: &'static str,
    /// A short excerpt of such a report, for `portmortem formats`.
    pub example: &'static str,
    /// Is this head (the first 64 KiB, decompressed) a report of this format?
    pub looks_like: fn(&[u8]) -> bool,
    /// Read a whole report; times without a zone are in `scan_tz`.
    pub read: ReadFn,
    /// Read a report still being written (a scan in progress): what is there so far. `None`:
    /// [`ScanSpec::read`] already reads a cut-off file (line formats).
    pub read_growing: Option<ReadFn>,
}

/// A handle on a registered scan format, compared by name.
#[derive(Clone, Copy)]
pub struct ScanFormat(&'static ScanSpec);

impl ScanFormat {
    pub const fn new(spec: &'static ScanSpec) -> Self {
        ScanFormat(spec)
    }

    /// Every scan format, in detection order.
    pub const ALL: &'static [ScanFormat] = &[
        nessus::FORMAT,
        nmap::FORMAT,
        openvas::FORMAT,
        masscan::FORMAT_JSON,
        masscan::FORMAT_LIST,
        nessus_csv::FORMAT,
    ];

    pub fn name(self) -> &'static str {
        self.0.name
    }
    pub fn describe(self) -> &'static str {
        self.0.description
    }
    pub fn example(self) -> &'static str {
        self.0.example
    }
    pub fn from_name(s: &str) -> Option<ScanFormat> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.0.name == s || f.0.aliases.contains(&s))
    }
    /// The scan format whose reports start like `head`.
    pub fn detect(head: &[u8]) -> Option<ScanFormat> {
        Self::ALL.iter().copied().find(|f| (f.0.looks_like)(head))
    }
    /// Read a report that may still be growing (`watch`): a cut-off document gives what it has.
    pub fn read_growing(
        self,
        r: &mut dyn BufRead,
        scan_tz: chrono_tz::Tz,
    ) -> Result<ScanReport, ParseError> {
        (self.0.read_growing.unwrap_or(self.0.read))(r, scan_tz)
    }

    /// Read a report of this format.
    pub fn read(
        self,
        r: &mut dyn BufRead,
        scan_tz: chrono_tz::Tz,
    ) -> Result<ScanReport, ParseError> {
        (self.0.read)(r, scan_tz)
    }
}

impl PartialEq for ScanFormat {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}
impl Eq for ScanFormat {}

impl std::fmt::Debug for ScanFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl std::fmt::Display for ScanFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

/// How the scan saw an affected port at the recheck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanState {
    /// Fast failure: RST / reject / service gone.
    Closed,
    /// Timeout: silent drop, ban, host down.
    Unresponsive,
}

impl ScanState {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanState::Closed => "closed",
            ScanState::Unresponsive => "unresponsive",
        }
    }
}

/// A port the scan saw open and later closed / unresponsive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AffectedPort {
    pub port: u16,
    pub protocol: Proto,
    pub state: ScanState,
    /// Last seen open → seen gone, when a comparison of reports gives it per port (else the host's
    /// start and end are the window).
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Why the scan that found it gone says so (nmap's `reason`), when it says.
    pub reason: Option<ScanReason>,
    /// The report (file as given) that last saw it open, for a comparison of reports.
    pub seen_open_in: Option<String>,
    /// TTL of the host's own replies in the report that saw it open (nmap `reason_ttl` of a
    /// `syn-ack`), to tell a reset from the host from one sent by a device in between.
    pub host_ttl: Option<u8>,
}

impl AffectedPort {
    pub fn new(port: u16, protocol: Proto, state: ScanState) -> Self {
        AffectedPort {
            port,
            protocol,
            state,
            window: None,
            reason: None,
            seen_open_in: None,
            host_ttl: None,
        }
    }
}

/// A port's state as a port scanner reports it (nmap's words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortState {
    Open,
    Closed,
    Filtered,
    /// `open|filtered`: no answer where an open port may stay silent (UDP, FIN/NULL/Xmas scans).
    OpenFiltered,
    /// `closed|filtered` (idle scan).
    ClosedFiltered,
    /// `unfiltered` (ACK scan): reachable, open or closed unknown.
    Unfiltered,
}

impl PortState {
    /// nmap's word (`open`, `open|filtered`, …).
    pub fn from_word(s: &str) -> Option<PortState> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "open" => PortState::Open,
            "closed" => PortState::Closed,
            "filtered" => PortState::Filtered,
            "open|filtered" => PortState::OpenFiltered,
            "closed|filtered" => PortState::ClosedFiltered,
            "unfiltered" => PortState::Unfiltered,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PortState::Open => "open",
            PortState::Closed => "closed",
            PortState::Filtered => "filtered",
            PortState::OpenFiltered => "open|filtered",
            PortState::ClosedFiltered => "closed|filtered",
            PortState::Unfiltered => "unfiltered",
        }
    }
    /// How a port seen open before looks when it is now in this state: closed (a fast refusal),
    /// unresponsive (no answer), or `None` when the state does not say it is gone.
    pub fn gone_as(self) -> Option<ScanState> {
        match self {
            PortState::Closed => Some(ScanState::Closed),
            PortState::Filtered | PortState::OpenFiltered | PortState::ClosedFiltered => {
                Some(ScanState::Unresponsive)
            }
            PortState::Open | PortState::Unfiltered => None,
        }
    }
}

/// Why a scanner put a port in its state: nmap's `reason`, `reason_ttl`, `reason_ip`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanReason {
    /// As written (`syn-ack`, `reset`, `admin-prohibited`, `no-response`, …).
    pub reason: String,
    pub ttl: Option<u8>,
    /// Who sent the reply when it was not the target (`reason_ip`: an ICMP error from a router or
    /// firewall).
    pub from: Option<IpAddr>,
    /// Where the report says it (line in the decompressed file), when known.
    pub line: Option<u64>,
}

/// What a reason shows about who answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonKind {
    /// An ICMP "administratively prohibited" (or an ICMP port unreachable to a TCP probe, which is
    /// how `iptables -j REJECT` answers by default): a firewall rejected the probe.
    FirewallReject,
    /// ICMP host/network unreachable: the host is down or a router/firewall refuses the route.
    Unreachable,
    /// A TCP reset or connection refused.
    Reset,
    /// No answer at all.
    NoResponse,
    /// A positive answer (`syn-ack`, `udp-response`) or something else.
    Other,
}

impl ScanReason {
    pub fn kind(&self, protocol: &Proto) -> ReasonKind {
        let r = self.reason.to_ascii_lowercase();
        match r.as_str() {
            "admin-prohibited" | "host-prohibited" | "net-prohibited" | "filtered"
            | "proto-unreach" => ReasonKind::FirewallReject,
            "port-unreach" if *protocol == Proto::Tcp => ReasonKind::FirewallReject,
            "host-unreach" | "net-unreach" | "host-unknown" | "net-unknown" | "host-precedence"
            | "precedence-cutoff" | "unknown-unreach" => ReasonKind::Unreachable,
            "reset" | "resets" | "conn-refused" | "rst" => ReasonKind::Reset,
            "no-response" | "no-responses" | "timeout" | "host-down" | "no-answer" => {
                ReasonKind::NoResponse
            }
            _ => ReasonKind::Other,
        }
    }
}

/// An explicit port state in a report (nmap `<port>`, masscan entries, OpenVAS port results).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortObservation {
    pub port: u16,
    pub protocol: Proto,
    pub state: PortState,
    pub reason: Option<ScanReason>,
}

/// Ports a scanner folded into one count (nmap `<extraports state="closed" count="995">`): their
/// state is known even though they are not listed one by one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtraPorts {
    pub state: PortState,
    pub count: u32,
    /// The reasons and, where nmap lists them (7.9x `extrareasons ports=`), the ports.
    pub reasons: Vec<(String, Option<PortSet>)>,
}

/// Scan settings that matter for the recheck.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanSettings {
    /// Seconds (`checks_read_timeout` preference, or 19506 "Recv timeout").
    pub checks_read_timeout: Option<u32>,
    /// `max_checks` preference, or 19506 "Max checks".
    pub max_checks: Option<u32>,
    /// `max_hosts` preference, or 19506 "Max hosts".
    pub max_hosts: Option<u32>,
}

/// One scanned host.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanHost {
    /// The `ReportHost name` attribute as written (an IP or a name).
    pub name: String,
    /// `host-ip`, else `name` when it is an address.
    pub ip: Option<IpAddr>,
    /// FQDN, hostname, NetBIOS name, `name` when it is not an address: every name the scan gives.
    pub hostnames: Vec<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Ports the recheck found gone.
    pub affected: Vec<AffectedPort>,
    /// A recheck item was present but its ports could not be read (no plugin_output).
    pub recheck_ports_unknown: bool,
    /// Service name the scan saw on each (port, protocol): `www`, `ssh`, …
    pub services: BTreeMap<(u16, Proto), String>,
    /// Ports the scan saw open on this host (any plugin reported on them).
    pub open_ports: Vec<(u16, Proto)>,
    /// Scanner IP as this host's 19506 output gives it (per host: a scan can use several scanners).
    pub scanner_ip: Option<IpAddr>,
    /// Port scanners 19506 lists for this host (`nessus_syn_scanner`, `netstat_portscan`, …).
    pub port_scanners: Vec<String>,
    /// Settings as this host's 19506 output gives them.
    pub settings: ScanSettings,
    /// Explicit per-port states (port scanners; empty for Nessus).
    pub observed: Vec<PortObservation>,
    /// Ports folded into counts, with their state.
    pub extra: Vec<ExtraPorts>,
    /// The scan found the host down / dead (why, as the report says).
    pub down: Option<String>,
}

impl ScanHost {
    /// Every name the host goes by, its address text first.
    pub fn keys(&self) -> impl Iterator<Item = String> + '_ {
        self.ip
            .map(|i| i.to_string())
            .into_iter()
            .chain(std::iter::once(self.name.clone()))
            .chain(self.hostnames.iter().cloned())
            .filter(|k| !k.is_empty())
    }
}

/// The facts of one scan report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanReport {
    /// `nessus`, `nmap`, …
    pub format: String,
    pub scanner_ips: Vec<IpAddr>,
    pub started: Option<DateTime<Utc>>,
    pub ended: Option<DateTime<Utc>>,
    /// Policy preferences, completed from 19506 where the policy lacks them.
    pub settings: ScanSettings,
    pub hosts: Vec<ScanHost>,
    /// Coverage and quality notes (`10919 never rechecks ports 139 and 445`, values that did not
    /// parse, …). Never ports.
    pub notes: Vec<String>,
    /// Ports probed on every host, per protocol (nmap `<scaninfo services=…>`), when the report says.
    pub scanned: Vec<(Proto, PortSet)>,
    /// The format lists only what answered (masscan, OpenVAS): a port or host missing from it was
    /// probed and did not answer, rather than not probed.
    pub lists_only_open: bool,
    /// The report states ports (open, closed, filtered) and so can be compared with another
    /// report; a lone one of these yields no affected ports.
    pub comparable: bool,
}
