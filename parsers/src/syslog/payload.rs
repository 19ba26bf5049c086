//! The payload registry: what a syslog-framed (or journald, or unframed) message can be. Framing is
//! read first and separately (see [`super::header`]); then each [`Payload`] in [`PAYLOADS`] is asked,
//! in order, whether the message is its own (a cheap tag or prefix test) and, if so, to classify
//! it. A central collector's file that mixes an ASA, a PAN-OS box, a Junos SRX, pfSense, Linux
//! kernels and daemons is therefore read line by line: every line reaches the classifier its content
//! names, whatever device wrote the line before it.
//!
//! Adding a payload: its classifier module, one entry here (name, claim, classify, words) and tests.
//! The name is the event's `observer`: the control or program that logged it, which is what advice
//! is written for.

use chrono::{DateTime, Utc};

use crate::registry::Words;
use crate::{EventKind, ParseError, TimeContext};

/// A message as a classifier sees it.
#[derive(Debug, Clone, Copy)]
pub struct Msg<'a> {
    /// The tag / APP-NAME without `[pid]`, if the framing had one.
    pub app: Option<&'a str>,
    pub pid: Option<u32>,
    /// The message (a kernel uptime stamp removed for tag-less and kernel lines).
    pub text: &'a str,
    /// When the framing says the line was written (ban tools log durations relative to it).
    pub time: Option<DateTime<Utc>>,
}

impl Msg<'_> {
    fn kernelish(&self) -> bool {
        matches!(self.app, None | Some("kernel" | "/bsd"))
    }
}

/// Reads a bare line's own timestamp, if it has one.
pub type OwnTime = fn(&str, &TimeContext) -> Option<DateTime<Utc>>;

/// One kind of message.
pub struct Payload {
    /// The observer name events carry (`cisco_asa`, `netfilter`, `systemd`).
    pub name: &'static str,
    pub description: &'static str,
    /// Is this message this classifier's? Must be cheap: it runs for every candidate line.
    pub claims: fn(&Msg<'_>) -> bool,
    /// Classify a claimed message. `Err`: the message is this payload's but broken.
    pub classify: fn(&Msg<'_>) -> Result<Option<EventKind>, ParseError>,
    /// When it claims a message, no later classifier looks at it (vendor formats).
    pub exclusive: bool,
    /// Recognised on a line with no syslog framing at all (bare `%ASA-…`, PAN-OS CSV); the
    /// function reads the line's own timestamp, if it has one.
    pub unframed: Option<OwnTime>,
    /// Prefilter words of its events' lines that name no scanner address.
    pub words: Words,
    /// A syslog line that yields an event (a test checks it).
    pub example: &'static str,
}

fn no_time(_: &str, _: &TimeContext) -> Option<DateTime<Utc>> {
    None
}

/// Every payload, in dispatch order.
pub const PAYLOADS: &[Payload] = &[
    Payload {
        name: "pfsense",
        description: "pfSense / OPNsense filterlog CSV: block lines",
        claims: |m| m.app == Some("filterlog"),
        classify: |m| crate::firewall::pfsense::classify(m.text),
        exclusive: true,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:13:44 pfsense filterlog[4242]: 5,,,1000000103,igb1,match,block,in,4,0x0,,64,0,0,DF,6,tcp,60,203.0.113.5,192.0.2.10,40000,22,0,S,1,,64240,,mss",
    },
    Payload {
        name: "pf",
        description: "pf log entries relayed through syslog (tcpdump -l -n -e -ttt -i pflog0 | logger -t pf): block lines",
        claims: |m| m.app.is_some_and(crate::firewall::pf::is_pf_tag),
        classify: |m| crate::firewall::pf::classify_relayed(m.text),
        exclusive: true,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:13:44 fw01 pf: rule 3/(match) block in on em0: 203.0.113.5.40000 > 192.0.2.10.22: S 1234:1234(0) win 65535",
    },
    Payload {
        name: "cisco_asa",
        description: "Cisco ASA / FTD / PIX %ASA- messages: ACL and connection denies, threat detection, shuns",
        claims: |m| match m.app {
            Some(a) => a.starts_with('%'),
            None => m.text.starts_with(['%', ':']),
        },
        classify: |m| {
            let (id, rest) = match m.app {
                Some(a) => match crate::firewall::asa::split_tag(a) {
                    Some((id, _)) => (id, m.text),
                    None => return Ok(None),
                },
                None => {
                    match crate::firewall::asa::split_tag(m.text.trim_start_matches([':', ' '])) {
                        Some(x) => x,
                        None => return Ok(None),
                    }
                }
            };
            crate::firewall::asa::classify_id(id, rest)
        },
        exclusive: true,
        unframed: Some(no_time),
        words: Words::NONE,
        example: "Nov 20 2026 02:14:10 asa01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/40000 dst inside:192.0.2.10/443 by access-group \"outside_in\" [0x0, 0x0]",
    },
    Payload {
        name: "junos",
        description: "Junos SRX RT_FLOW session denies (plain and structured data), RT_SCREEN",
        claims: |m| m.app.is_some_and(crate::firewall::juniper::is_junos_tag),
        classify: |m| crate::firewall::juniper::classify(m.text),
        exclusive: true,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:13:44 srx01 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 203.0.113.5/40000->192.0.2.10/443 junos-https 6(0) default-deny untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny",
    },
    Payload {
        name: "panos",
        description: "PAN-OS CSV: TRAFFIC denies/drops/resets, THREAT (scan, vulnerability) blocks",
        claims: |m| {
            m.app.is_none()
                && m.text.as_bytes().first().is_some_and(u8::is_ascii_digit)
                && crate::firewall::paloalto::looks_like(m.text)
        },
        classify: |m| crate::firewall::paloalto::classify(m.text),
        exclusive: true,
        unframed: Some(crate::firewall::paloalto::receive_time),
        words: Words::NONE,
        example: "Nov 20 02:13:44 pa01 1,2026/11/20 02:13:44,001801000001,TRAFFIC,deny,2049,2026/11/20 02:13:44,203.0.113.5,192.0.2.10,0.0.0.0,0.0.0.0,deny-scanner,,,not-applicable,vsys1,untrust,trust,ethernet1/1,,fwd,2026/11/20 02:13:44,0,1,40000,443,0,0,0x0,tcp,deny,60,60,0,1,2026/11/20 02:13:44,0,any,0,0,0x0,203.0.113.0-203.0.113.255,192.0.2.0-192.0.2.255,0,1,0,policy-deny",
    },
    Payload {
        name: "fortigate",
        description: "FortiGate / FortiOS key=value logs: traffic deny/blocked, server-rst, IPS and anomaly (DoS policy) events",
        claims: |m| crate::firewall::fortigate::looks_like(m.text),
        classify: |m| crate::firewall::fortigate::classify(m.text),
        exclusive: true,
        unframed: Some(crate::firewall::fortigate::own_time),
        words: Words::NONE,
        example: "Nov 20 02:13:44 fw01 date=2026-11-20 time=02:13:44 devname=\"fw01\" devid=\"FGT60E0000000001\" logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" eventtime=1795140824000000000 tz=\"+0000\" srcip=203.0.113.5 srcport=40000 srcintf=\"wan1\" dstip=192.0.2.10 dstport=443 dstintf=\"internal\" proto=6 action=\"deny\" policyid=0 policytype=\"policy\"",
    },
    Payload {
        name: "sophos",
        description: "Sophos Firewall (XG / SFOS) key=value logs: denied firewall rules, IDP (IPS) drops and detections",
        claims: |m| crate::firewall::sophos::looks_like(m.text),
        classify: |m| crate::firewall::sophos::classify(m.text),
        exclusive: true,
        unframed: Some(crate::firewall::sophos::own_time),
        words: Words::NONE,
        example: "Nov 20 02:13:44 xg01 device=\"SFW\" date=2026-11-20 time=02:13:44 timezone=\"UTC\" device_name=\"XG135\" log_id=010101600001 log_type=\"Firewall\" log_component=\"Firewall Rule\" log_subtype=\"Denied\" status=\"Deny\" fw_rule_id=8 src_ip=203.0.113.5 dst_ip=192.0.2.10 protocol=\"TCP\" src_port=40000 dst_port=443",
    },
    Payload {
        name: "checkpoint",
        description: "Check Point Log Exporter (RFC 5424, app CheckPoint, key:\"value\"; record): Drop/Reject of a rule, IPS Prevent/Detect",
        claims: |m| {
            m.app
                .is_some_and(crate::firewall::checkpoint::is_checkpoint_tag)
        },
        classify: |m| crate::firewall::checkpoint::classify(m.text),
        exclusive: true,
        unframed: None,
        words: Words::NONE,
        example: "<134>1 2026-11-20T02:13:44Z cp-gw-01 CheckPoint 26045 - [action:\"Drop\"; ifdir:\"inbound\"; ifname:\"eth1\"; origin:\"192.0.2.1\"; product:\"VPN-1 & FireWall-1\"; proto:\"6\"; rule_name:\"Cleanup rule\"; s_port:\"40000\"; service:\"443\"; src:\"203.0.113.5\"; dst:\"192.0.2.10\"]",
    },
    Payload {
        name: "mikrotik",
        description: "MikroTik RouterOS firewall lines whose log-prefix names the action (drop, block, reject)",
        claims: |m| crate::firewall::mikrotik::looks_like(m.app, m.text),
        classify: |m| crate::firewall::mikrotik::classify(m.app, m.text),
        exclusive: true,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:13:44 gw01 firewall,info drop-tcp input: in:ether1 out:(unknown 0), src-mac 52:54:00:12:34:56, proto TCP (SYN), 203.0.113.5:40000->192.0.2.10:22, len 60",
    },
    Payload {
        name: "cef",
        description: "ArcSight CEF from any vendor (bare, after a syslog header, or without its CEF: word): IPS blocks and alerts, firewall denies",
        claims: |m| crate::siem::cef::start(m.text).is_some(),
        classify: |m| crate::siem::cef::classify(m.text),
        exclusive: true,
        unframed: Some(crate::siem::cef::own_time),
        words: Words::NONE,
        example: "Nov 20 02:13:44 gw01 CEF:0|Ubiquiti|UniFi Network|10.0.140|201|Threat Detected and Blocked|7|proto=TCP src=203.0.113.5 spt=40000 dst=192.0.2.10 dpt=443 act=blocked UNIFIsubCategory=Intrusion Prevention UNIFIipsSignature=ET SCAN Potential SSH Scan UNIFIipsSignatureId=2001219",
    },
    Payload {
        name: "leef",
        description: "QRadar LEEF 1.0 / 2.0 from any vendor (bare or after a syslog header): IPS blocks and alerts, firewall denies",
        claims: |m| crate::siem::leef::record(m.app, m.text).is_some(),
        classify: |m| crate::siem::leef::classify(m.app, m.text),
        exclusive: true,
        unframed: Some(crate::siem::leef::own_time),
        words: Words::NONE,
        example: "Nov 20 02:13:44 fw01 LEEF:1.0|Example|Firewall|1.0|Deny|src=203.0.113.5\tdst=192.0.2.10\tsrcPort=40000\tdstPort=443\tproto=TCP\taction=block",
    },
    Payload {
        name: "netfilter",
        description: "iptables / nftables LOG lines (kernel, UFW, firewalld, SuSEfirewall2, ulogd2): drops, rejects, limits",
        claims: |m| m.kernelish() || m.text.starts_with("IN="),
        classify: |m| {
            let prefix = if m.kernelish() { None } else { m.app };
            super::netfilter::classify(prefix, m.text)
        },
        exclusive: false,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:13:44 web01 kernel: [815906.331870] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=52011 DF PROTO=TCP SPT=40422 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0",
    },
    Payload {
        name: "fail2ban",
        description: "fail2ban relayed through syslog: Ban, Restore Ban, Unban",
        claims: |m| m.app.is_some_and(|a| a.starts_with("fail2ban")),
        classify: |m| Ok(fail2ban_relay(m.app.unwrap_or_default(), m.text)),
        exclusive: true,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:07:47 bastion01 fail2ban.actions[702]: NOTICE [sshd] Ban 203.0.113.5",
    },
    Payload {
        name: "sshguard",
        description: "sshguard blocks (Blocking \"IP/32\" for N secs, 1.x wordings, Releasing)",
        claims: |m| m.app.is_some_and(crate::ban::sshguard::is_sshguard),
        classify: |m| Ok(crate::ban::sshguard::classify(m.text, m.time)),
        exclusive: true,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:10:00 bastion01 sshguard[4242]: Blocking \"203.0.113.5/32\" for 120 secs (3 attacks in 5 secs, after 1 abuses over 5 secs.)",
    },
    Payload {
        name: "portsentry",
        description: "PortSentry attackalert blocks (dropped route, wrappers): host-wide bans",
        claims: |m| m.app.is_some_and(crate::ban::portsentry::is_portsentry),
        classify: |m| Ok(crate::ban::portsentry::classify(m.text)),
        exclusive: true,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:10:00 web10 portsentry[812]: attackalert: Host 203.0.113.5 has been blocked via dropped route using command: \"/sbin/iptables -I INPUT -s 203.0.113.5 -j DROP\"",
    },
    Payload {
        name: "scanlogd",
        description: "scanlogd port-scan reports: context (the scanner was noticed), never a block",
        claims: |m| m.app.is_some_and(crate::ids::scanlogd::is_scanlogd),
        classify: |m| Ok(crate::ids::scanlogd::classify(m.text)),
        exclusive: true,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:10:00 web10 scanlogd: 203.0.113.5 to 192.0.2.10 ports 22, 80, 443, 3389, 8080, 8443, ..., fSrpauxy, TOS 00, TTL 49 @02:09:58",
    },
    Payload {
        name: "systemd",
        description: "systemd and init lifecycle (Started/Stopped/Main process exited/Failed with result), logind and shutdown(8)",
        claims: |m| m.app.is_some(),
        classify: |m| {
            Ok(super::systemd::classify(
                m.app.unwrap_or_default(),
                m.pid,
                m.text,
            ))
        },
        exclusive: false,
        unframed: None,
        words: Words {
            near_scan: &[
                "Stopping ",
                "Stopped ",
                "Starting ",
                "Started ",
                "Main process exited",
                "Failed with result",
                "Failed to start",
                "Start request repeated",
                "Scheduled restart",
                "Deactivated successfully",
                "Succeeded",
                "OOM",
                "System is ",
                "Reached target",
                "Syncing filesystems",
                "Sending SIGTERM",
                "Powering off",
                "Power down",
                "Rebooting",
                "Restarting system",
                "Halting",
                "halted",
                "rebooted by",
                "shutdown",
                "Startup finished",
            ],
            always: &[],
        },
        example: "Nov 20 02:10:08 db01 systemd[1]: Stopped mysql.service - MySQL Community Server.",
    },
    Payload {
        name: "kernel",
        description: "kernel OOM killer, segfaults, SYN flood, conntrack table full, reboot and boot banners (Linux, BSD)",
        claims: |m| m.kernelish(),
        classify: |m| Ok(super::kernel::classify(m.text)),
        exclusive: false,
        unframed: None,
        words: Words {
            near_scan: &[
                "Linux version",
                "Command line:",
                "Booting Linux",
                "OpenBSD ",
                "FreeBSD ",
                "out of memory",
                "Out of memory",
                "Killed process",
                "Kill process",
                "oom-kill:",
                "segfault",
                "general protection",
                "SYN flooding",
                "table full",
            ],
            always: &[],
        },
        example: "Nov 20 02:10:08 db01 kernel: [815906.1] Out of memory: Killed process 1234 (mysqld) total-vm:2000kB, anon-rss:1000kB, file-rss:0kB, shmem-rss:0kB, UID:27 pgtables:100kB oom_score_adj:0",
    },
    Payload {
        name: "nginx",
        description: "nginx limit_req / limit_conn refusals relayed through syslog (limiting requests / connections): rate limits of the client",
        claims: |m| m.app.is_some_and(|a| a.starts_with("nginx")),
        classify: |m| Ok(super::ratelimit::nginx(m.text)),
        exclusive: false,
        unframed: None,
        words: Words::NONE,
        example: "Nov 20 02:13:44 web10 nginx: 2026/11/20 02:13:44 [error] 1234#1234: *5678 limiting requests, excess: 10.500 by zone \"one\", client: 203.0.113.5, server: example.com, request: \"GET / HTTP/1.1\", host: \"192.0.2.10\"",
    },
    Payload {
        name: "sshd",
        description: "sshd MaxStartups: 'drop connection … past MaxStartups' (a rate limit of that client) and 'beginning MaxStartups throttling' (connection-limit overload)",
        claims: |m| m.app.is_some_and(|a| a == "sshd"),
        classify: |m| Ok(super::ratelimit::sshd(m.text)),
        exclusive: false,
        unframed: None,
        words: Words {
            near_scan: &["MaxStartups throttling"],
            always: &[],
        },
        example: "Nov 20 02:13:44 web10 sshd[620]: drop connection #10 from [203.0.113.5]:46482 on [192.0.2.10]:22 past MaxStartups",
    },
    Payload {
        name: "daemon",
        description: "sshd, Apache, MySQL / MariaDB, PostgreSQL, Postfix and Dovecot masters, Exim, BIND named, HAProxy start / stop / listening lines",
        claims: |m| m.app.is_some(),
        classify: |m| Ok(super::daemons::classify(m.app.unwrap_or_default(), m.text)),
        exclusive: false,
        unframed: None,
        words: Words {
            near_scan: &[
                "Received signal",
                "Received SHUTDOWN",
                "AH00",
                "shutting down",
                "Shutdown complete",
                "Starting shutdown",
                "Normal shutdown",
                "ready to accept",
                "shut down",
                "daemon started",
                "terminating on signal",
                "starting up",
                "Killed with signal",
                "daemon terminating",
                "exiting",
                "running",
                "Stopping frontend",
                "stopped (",
                " started.",
                "Exiting Master",
            ],
            always: &[
                "listening on",
                "ready for connections",
                "Version: '",
                "listening for SMTP",
            ],
        },
        example: "Nov 20 02:10:08 web01 sshd[812]: Received signal 15; terminating.",
    },
    Payload {
        name: "windows_scm",
        description: "Windows Service Control Manager 7036 relayed through syslog (entered the stopped/running state)",
        claims: |m| m.app.is_some(),
        classify: |m| Ok(super::windows::classify(m.text)),
        exclusive: false,
        unframed: None,
        words: Words {
            near_scan: &[" service entered the "],
            always: &[],
        },
        example: "Nov 20 02:10:08 win01 Service_Control_Manager: 7036: The Remote Desktop Services service entered the stopped state.",
    },
];

/// The prefilter words of every payload (the syslog family's words).
pub const WORDS: [Words; PAYLOADS.len()] = {
    let mut out = [Words::NONE; PAYLOADS.len()];
    let mut i = 0;
    while i < PAYLOADS.len() {
        out[i] = PAYLOADS[i].words;
        i += 1;
    }
    out
};

/// fail2ban relayed through syslog: `fail2ban.actions[1234]: NOTICE [sshd] Ban 1.2.3.4`,
/// `fail2ban-server[1]: fail2ban.actions [1]: NOTICE [x] Ban …`, `fail2ban[1]: [x] Ban …`.
fn fail2ban_relay(app: &str, msg: &str) -> Option<EventKind> {
    let body = match msg.strip_prefix("fail2ban.") {
        Some(rest) if rest.starts_with("actions") => rest.split_once(':').map_or("", |(_, m)| m),
        Some(_) => return None,
        None if app.starts_with("fail2ban.") && !app.starts_with("fail2ban.actions") => {
            return None;
        }
        None => msg,
    };
    crate::ban::fail2ban::classify(body)
}

/// What classified a message.
pub type Classified = Result<Option<(EventKind, &'static str)>, ParseError>;

/// Run the payloads over a framed message: the first event wins; an exclusive claim ends the
/// search; `Err` from a claiming classifier is the line's result.
pub fn dispatch(m: &Msg<'_>) -> Classified {
    for p in PAYLOADS {
        if !(p.claims)(m) {
            continue;
        }
        if let Some(kind) = (p.classify)(m)? {
            return Ok(Some((kind, p.name)));
        }
        if p.exclusive {
            return Ok(None);
        }
    }
    Ok(None)
}

/// A line with no syslog framing: the payload that claims it, if one may be read bare.
pub fn unframed(text: &str) -> Option<&'static Payload> {
    let m = Msg {
        app: None,
        pid: None,
        text,
        time: None,
    };
    PAYLOADS
        .iter()
        .find(|p| p.unframed.is_some() && (p.claims)(&m))
}

/// Does some vendor payload claim this framed message, or does one classify it as an event? (The
/// syslog format's detection: content, not just a header.)
pub fn recognises(m: &Msg<'_>) -> bool {
    PAYLOADS.iter().any(|p| p.exclusive && (p.claims)(m)) || matches!(dispatch(m), Ok(Some(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_payload_example_is_classified_by_that_payload() {
        let ctx = super::super::tests::ctx();
        for p in PAYLOADS {
            let ev = super::super::parse_line(p.example.as_bytes(), &ctx)
                .unwrap_or_else(|e| panic!("{}: {e}", p.name))
                .unwrap_or_else(|| panic!("{}: no event", p.name));
            assert_eq!(ev.observer, p.name, "{}", p.example);
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = PAYLOADS.iter().map(|p| p.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), PAYLOADS.len());
    }
}
