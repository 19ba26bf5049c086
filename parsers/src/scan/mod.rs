//! Scan reports: the facts portmortem needs from a vulnerability scan (DESIGN.md step 3).

pub mod nessus;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{ParseError, Proto};

/// One scan report format: how to recognise it from a file's head and read it (streamed).
pub struct ScanSpec {
    /// The name in reports and `--format-of` (`nessus`).
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// What is read from it, for `portmortem formats`.
    pub description: &'static str,
    /// Is this head (the first 64 KiB, decompressed) a report of this format?
    pub looks_like: fn(&[u8]) -> bool,
    /// Read a whole report; times without a zone are in `scan_tz`.
    pub read: fn(&mut dyn BufRead, chrono_tz::Tz) -> Result<ScanReport, ParseError>,
}

/// A handle on a registered scan format, compared by name.
#[derive(Clone, Copy)]
pub struct ScanFormat(&'static ScanSpec);

impl ScanFormat {
    pub const fn new(spec: &'static ScanSpec) -> Self {
        ScanFormat(spec)
    }

    /// Every scan format, in detection order.
    pub const ALL: &'static [ScanFormat] = &[nessus::FORMAT];

    pub fn name(self) -> &'static str {
        self.0.name
    }
    pub fn describe(self) -> &'static str {
        self.0.description
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
