//! What the evidence matcher hands on: one candidate cause of a port's disappearance, with its
//! evidence (event indices) and, as data, what that evidence shows ([`Basis`]). Ranking, the prose
//! of explanations and advice all read these types; none of them is imported back here.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};
use portmortem_parsers::{BanTool, OverloadKind};

use super::Cause;
use super::services::{JailPorts, MappingHow};

/// One possible cause with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub cause: Cause,
    /// How directly the evidence shows the cause (0–100), before the scan state is considered.
    pub strength: i32,
    /// Event indices, in time order (the key event first where one is named in [`Basis`]).
    pub evidence: Vec<usize>,
    pub basis: Basis,
}

/// What a candidate's evidence shows, as data; [`super::explain`] words it.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis {
    /// Firewall denies (drops or rejects, as `cause` says) of the scanner on the port, with the rule
    /// names / log prefixes they carry.
    Deny { rules: BTreeSet<String> },
    /// IPS blocks of the scanner; the first signature (by name).
    Ips { signature: String },
    /// A network sensor's flows: unanswered (`cause` = drop) or refused (`cause` = reject).
    Flow,
    /// Rate-limit lines naming the scanner.
    RateLimit,
    /// A ban or shun of the scanner still active at the recheck.
    Ban {
        tool: BanTool,
        ip: IpAddr,
        /// Jail / scenario / script.
        scope: Option<String>,
        /// Which ports it covers.
        ports: JailPorts,
        shun: bool,
    },
    /// The host shut down or rebooted; `boot` = the next boot seen (event index), if any.
    Reboot {
        poweroff: bool,
        boot: Option<usize>,
        back_before_recheck: bool,
        /// Only a boot was seen (a new journal boot id, a kernel banner, EventLog 6005): the host
        /// went down before it without a shutdown line (a crash, a power loss, a lost log).
        unannounced: bool,
    },
    /// The host reported being overwhelmed.
    Overload { kind: OverloadKind },
    /// The service serving the port went down and was not back before the recheck.
    Lifecycle {
        /// The unit as the key event names it.
        unit: String,
        /// The key event (the OOM kill, the crash, or the first stop).
        key: usize,
        /// The families that serve the port, and how that was decided.
        families: Vec<String>,
        how: MappingHow,
        /// When it came back after the recheck (event index), if seen.
        back: Option<usize>,
    },
}

impl Candidate {
    /// The rule, signature, jail or unit the evidence names (for advice).
    pub fn detail(&self) -> Option<&str> {
        match &self.basis {
            Basis::Deny { rules } => rules.iter().next().map(String::as_str),
            Basis::Ips { signature } => Some(signature),
            Basis::Ban { scope, .. } => scope.as_deref(),
            Basis::Lifecycle { unit, .. } => Some(unit),
            _ => None,
        }
    }
}

/// Something worth saying that is not itself a cause.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// The IDS alerted on the scanner but did not block (event indices).
    IdsAlertOnly(Vec<usize>),
    /// The service went down (`down`) but was back (`up`) before the recheck.
    Recovered {
        units: Vec<String>,
        down: usize,
        up: usize,
    },
    /// A deny of the scanner on this port outside the window by `gap` (negative = before it).
    NearMiss { gap: TimeDelta, at: usize },
    /// Inside the window, denies of the scanner on other ports of the host.
    OtherPorts { ports: BTreeSet<u16>, first: usize },
}

/// Which sources cover a host that nothing explains, and which of those cover the window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub covering: BTreeSet<usize>,
    pub in_window: Vec<usize>,
}

impl Coverage {
    /// No source covers the host, or none covers the window: logs are missing.
    pub fn missing_logs(&self) -> bool {
        self.covering.is_empty() || self.in_window.is_empty()
    }
}

/// A time as reports print it: `2026-11-20T02:13:44Z`.
pub fn fmt_t(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
