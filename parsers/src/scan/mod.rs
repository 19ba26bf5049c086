//! Scan reports: the facts portmortem needs from a vulnerability scan (DESIGN.md step 3).

pub mod nessus;

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Proto;

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
}
