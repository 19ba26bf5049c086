//! The normalized event model every log parser produces (DESIGN.md, data flow step 6).
//!
//! An [`Event`] carries its UTC time, the host named by the line itself (if any) and a typed
//! [`EventKind`]. Source file, line number and format are added by the caller, which knows them.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One normalized event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub time: DateTime<Utc>,
    /// Host named by the line itself (syslog HOSTNAME, journald `_HOSTNAME`, …), as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The control or program that logged it: a format's or payload's name (`cisco_asa`,
    /// `netfilter`, `fail2ban`, `systemd`). Advice is written in its terms.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub observer: &'static str,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    FirewallDeny(FirewallDeny),
    Ban(Ban),
    IpsAlert(IpsAlert),
    RateLimit(RateLimit),
    Overload(Overload),
    Flow(Flow),
    Lifecycle(Lifecycle),
    Listening(Listening),
    Shutdown(Shutdown),
    Boot(Boot),
}

impl Event {
    /// Write every address the way it is compared: an IPv4-mapped IPv6 address
    /// (`::ffff:203.0.113.5`, as dual-stack sockets and some firewalls log it) becomes the IPv4
    /// address it is, so that scanner and host matching see one address, not two.
    pub fn canonicalize_addresses(&mut self) {
        self.map_addresses(|a| a.to_canonical(), |a| a.to_canonical());
    }

    /// Rewrite the event's addresses: `src` for the sending side (source, banned address), `dst`
    /// for the receiving side (destination, the host behind a shun, a listening address).
    pub fn map_addresses(
        &mut self,
        src: impl Fn(IpAddr) -> IpAddr,
        dst: impl Fn(IpAddr) -> IpAddr,
    ) {
        let c = |a: &mut IpAddr| *a = src(*a);
        let co = |a: &mut Option<IpAddr>| {
            if let Some(x) = a {
                *x = dst(*x);
            }
        };
        let cs = |a: &mut Option<IpAddr>| {
            if let Some(x) = a {
                *x = src(*x);
            }
        };
        match &mut self.kind {
            EventKind::FirewallDeny(d) => {
                c(&mut d.src);
                co(&mut d.dst);
            }
            EventKind::Ban(b) => {
                c(&mut b.ip);
                co(&mut b.target);
            }
            EventKind::IpsAlert(a) => {
                c(&mut a.src);
                co(&mut a.dst);
            }
            EventKind::RateLimit(r) => {
                cs(&mut r.src);
                co(&mut r.dst);
            }
            EventKind::Flow(f) => {
                c(&mut f.src);
                f.dst = dst(f.dst);
            }
            EventKind::Listening(l) => co(&mut l.addr),
            EventKind::Overload(_)
            | EventKind::Lifecycle(_)
            | EventKind::Shutdown(_)
            | EventKind::Boot(_) => {}
        }
    }
}

impl EventKind {
    /// The snake_case name used in reports (`firewall_deny`, `lifecycle`, …).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::FirewallDeny(_) => "firewall_deny",
            EventKind::Ban(_) => "ban",
            EventKind::IpsAlert(_) => "ips_alert",
            EventKind::RateLimit(_) => "rate_limit",
            EventKind::Overload(_) => "overload",
            EventKind::Flow(_) => "flow",
            EventKind::Lifecycle(_) => "lifecycle",
            EventKind::Listening(_) => "listening",
            EventKind::Shutdown(_) => "shutdown",
            EventKind::Boot(_) => "boot",
        }
    }

    /// Source, destination and destination port of a connection a control acted on or a sensor
    /// saw (deny, IPS alert, flow); `None` for other events.
    pub fn connection(&self) -> Option<(IpAddr, Option<IpAddr>, Option<u16>)> {
        match self {
            EventKind::FirewallDeny(d) => Some((d.src, d.dst, d.dport)),
            EventKind::IpsAlert(a) => Some((a.src, a.dst, a.dport)),
            EventKind::Flow(f) => Some((f.src, Some(f.dst), f.dport)),
            _ => None,
        }
    }

    /// The destination address of a network event, used for host attribution.
    pub fn destination(&self) -> Option<IpAddr> {
        match self {
            EventKind::FirewallDeny(d) => d.dst,
            EventKind::IpsAlert(a) => a.dst,
            EventKind::RateLimit(r) => r.dst,
            EventKind::Ban(b) => b.target,
            EventKind::Flow(f) => Some(f.dst),
            _ => None,
        }
    }
}

/// Transport protocol as logged. Unknown values are data, not errors. Serialized as its name
/// (`tcp`, `udp`, `icmp`, or the text as logged).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    #[default]
    Tcp,
    Udp,
    Icmp,
    Other(String),
}

impl Proto {
    pub fn from_text(s: &str) -> Proto {
        match s.to_ascii_lowercase().as_str() {
            "tcp" | "6" => Proto::Tcp,
            "udp" | "17" => Proto::Udp,
            "icmp" | "1" | "icmpv6" | "ipv6-icmp" | "58" => Proto::Icmp,
            other => Proto::Other(other.to_string()),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Icmp => "icmp",
            Proto::Other(s) => s,
        }
    }
}

impl std::fmt::Display for Proto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Proto {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The tool behind a ban or shun. Unknown tools are data (`Other`), not errors; serialized as the
/// tool's name (`fail2ban`, `crowdsec`, …).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BanTool {
    Fail2ban,
    Crowdsec,
    Wazuh,
    CiscoAsa,
    Sshguard,
    Portsentry,
    Other(String),
}

impl BanTool {
    pub fn as_str(&self) -> &str {
        match self {
            BanTool::Fail2ban => "fail2ban",
            BanTool::Crowdsec => "crowdsec",
            BanTool::Wazuh => "wazuh",
            BanTool::CiscoAsa => "cisco-asa",
            BanTool::Sshguard => "sshguard",
            BanTool::Portsentry => "portsentry",
            BanTool::Other(s) => s,
        }
    }
}

impl std::fmt::Display for BanTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for BanTool {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Drop (silent) or reject (RST / ICMP unreachable). A deny without an explicit reject is a drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyAction {
    Drop,
    Reject,
}

/// A firewall refused a packet or connection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirewallDeny {
    pub action: DenyAction,
    pub src: IpAddr,
    pub dst: Option<IpAddr>,
    pub proto: Option<Proto>,
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    /// Rule name or log prefix (`UFW BLOCK`, `IPTABLES-DROP`), when the line has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BanAction {
    Ban,
    Unban,
    Shun,
}

/// A ban tool acted on an address (fail2ban, CrowdSec, ASA shun, Wazuh firewall-drop).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ban {
    pub ip: IpAddr,
    /// The tool that banned.
    pub by: BanTool,
    /// The jail / scenario / scope that decides which ports the ban covers (`sshd`, `recidive`).
    pub scope: Option<String>,
    pub action: BanAction,
    pub until: Option<DateTime<Utc>>,
    /// The host a blocked packet was headed to, when the line names one (ASA 401004 `Shunned
    /// packet: SRC ==> DST`): it shows which hosts sit behind the device that shuns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<IpAddr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IpsAction {
    Blocked,
    Alerted,
}

impl IpsAction {
    /// `Blocked` when the sensor says it stopped the traffic, else `Alerted`.
    pub fn blocked_if(blocked: bool) -> IpsAction {
        if blocked {
            IpsAction::Blocked
        } else {
            IpsAction::Alerted
        }
    }
}

/// An IDS/IPS alert. `Blocked` only when the sensor says it dropped or blocked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpsAlert {
    pub action: IpsAction,
    pub src: IpAddr,
    pub dst: Option<IpAddr>,
    pub proto: Option<Proto>,
    pub dport: Option<u16>,
    pub signature: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_id: Option<u64>,
}

/// A rate limiter refused or delayed a client.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateLimit {
    pub src: Option<IpAddr>,
    pub dst: Option<IpAddr>,
    pub dport: Option<u16>,
    pub what: String,
    /// The daemon that applied the limit (`nginx`), when the limit is its own rather than a
    /// network device's: a line without a port then covers only that daemon's ports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverloadKind {
    SynCookies,
    SynDrop,
    ConntrackFull,
    /// A daemon's own limit on concurrent unauthenticated connections (sshd `MaxStartups`).
    ConnectionLimit,
}

/// The host itself was overwhelmed (SYN flood handling, conntrack table full).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overload {
    pub kind: OverloadKind,
    pub port: Option<u16>,
}

/// A connection as a network sensor summarised it (Zeek `conn.log`, flow logs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: Option<Proto>,
    pub dport: Option<u16>,
    /// The sensor's connection state.
    pub state: FlowState,
}

/// A flow's outcome as a sensor summarised it (Zeek `conn_state`; flow logs map onto it). Serialized
/// as the Zeek code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowState {
    /// The attempt got no answer at all (Zeek `S0`): a silent drop or a host down.
    Unanswered,
    /// The attempt was refused (Zeek `REJ`): a reset from the host or a rejecting firewall.
    Refused,
    /// Any other state, as written (`SF`, `RSTO`, `OTH`, …).
    Other(String),
}

impl FlowState {
    /// From a Zeek `conn_state` code.
    pub fn from_zeek(code: &str) -> FlowState {
        match code {
            "S0" => FlowState::Unanswered,
            "REJ" => FlowState::Refused,
            other => FlowState::Other(other.to_string()),
        }
    }
    pub fn code(&self) -> &str {
        match self {
            FlowState::Unanswered => "S0",
            FlowState::Refused => "REJ",
            FlowState::Other(s) => s,
        }
    }
}

impl Serialize for FlowState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl Flow {
    pub fn unanswered(&self) -> bool {
        self.state == FlowState::Unanswered
    }
    pub fn refused(&self) -> bool {
        self.state == FlowState::Refused
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleState {
    Stopping,
    Stopped,
    Starting,
    Started,
    Crashed,
    OomKilled,
    RestartScheduled,
}

impl LifecycleState {
    /// Does this state mean the service is (going) down?
    pub fn is_down(self) -> bool {
        matches!(
            self,
            LifecycleState::Stopping
                | LifecycleState::Stopped
                | LifecycleState::Crashed
                | LifecycleState::OomKilled
        )
    }
    /// Does this state mean the service is back up?
    pub fn is_up(self) -> bool {
        matches!(self, LifecycleState::Started)
    }
}

/// A service (systemd unit or daemon) changed state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lifecycle {
    /// Normalized unit name without `.service` (`nginx`, `ssh`, `mysql`); for kernel OOM/segfault
    /// lines, the process name.
    pub unit: String,
    pub state: LifecycleState,
    /// Extra detail (`code=killed, status=9/KILL`, `oom-kill`, description text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A service announced the port it listens on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listening {
    pub service: String,
    pub port: u16,
    pub addr: Option<IpAddr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShutdownKind {
    Reboot,
    Poweroff,
}

/// The host began shutting down or rebooting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shutdown {
    pub kind: ShutdownKind,
}

/// The host booted (kernel banner, journal start).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Boot {}
