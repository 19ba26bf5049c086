//! Advice grounded in the evidence and in the scan's own settings, in the language of the control
//! that logged the evidence: the event's `observer` (and, for netfilter, its log prefix) decides
//! whether the fix is a `ufw`, `firewall-cmd`, `iptables`/`nft`, ASA `access-list`, pfSense pass
//! rule, PAN-OS security rule, Junos policy, Suricata pass rule, or a ban tool's allowlist. The
//! address in a command is the one the control saw (the deny's or ban's source, perhaps a NAT
//! address), not the first configured scanner.
//!
//! Reads the [`Candidate`] (from the evidence matcher) and the events, never the rules that chose
//! it; each control's command syntax lives in [`super::controls`].

use std::net::IpAddr;

use portmortem_parsers::{BanTool, EventKind, OverloadKind};

use super::candidate::{Basis, Candidate, fmt_t};
use super::controls::{
    Netfilter, asa_allow, aws_vpc_allow, cef_exception, checkpoint_allow, ecs_exception,
    fortigate_allow, fortigate_ips_exempt, host_prefix, iptables_cmd, junos_allow,
    junos_screen_zone, mikrotik_allow, netfilter_allow, netfilter_flavour, panos_allow,
    panos_zones, pf_allow, pfsense_allow, proxmox_allow, sophos_allow, ufw_cmd, winfw_allow,
};
use super::{Cause, World};
use crate::model::LocatedEvent;
use crate::scan::PortCase;

/// At most this many controls get their own line of advice for one port (the rest are in the
/// evidence list).
const MAX_CONTROLS: usize = 3;

fn scanners(case: &PortCase) -> String {
    if case.scanner_nets.is_empty() {
        "the scanner".into()
    } else {
        nets_text(&case.scanner_nets)
    }
}

/// Scanner addresses as people write them: `203.0.113.5`, `198.51.100.0/24`.
pub fn nets_text(nets: &[ipnet::IpNet]) -> String {
    nets.iter()
        .map(|n| {
            if n.prefix_len() == n.max_prefix_len() {
                n.addr().to_string()
            } else {
                n.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The address a control saw, and the other scanner addresses when there are more.
fn who(case: &PortCase, addr: IpAddr) -> String {
    let all = scanners(case);
    if case.scanner_nets.is_empty() || all == addr.to_string() {
        addr.to_string()
    } else {
        format!("{addr} (scanner addresses: {all})")
    }
}

fn timeout_advice(case: &PortCase) -> String {
    match case.checks_read_timeout {
        Some(t) => format!(
            "Raise checks_read_timeout from its current {t}s (the recheck waits 2 × that, {}s) so slow answers are not taken for unresponsive ports.",
            2 * t
        ),
        None => "Raise checks_read_timeout (the scan does not say its current value; Nessus defaults to 5s) so slow answers are not taken for unresponsive ports.".into(),
    }
}

fn max_checks_advice(case: &PortCase) -> String {
    match case.max_checks {
        Some(m) if m > 1 => format!(
            "Lower max_checks from its current {m} (e.g. to {}) to put less load on the host during the scan.",
            (m / 2).max(1)
        ),
        Some(m) => format!("max_checks is already {m}; lower max_hosts or scan this host alone."),
        None => "Lower max_checks to put less load on the host during the scan.".into(),
    }
}

fn rescan(case: &PortCase) -> String {
    format!(
        "Then rescan {}/{} on {}, or re-probe it now: {}",
        case.protocol,
        case.port,
        case.host,
        crate::reprobe::nmap_command(&case.host, &[case.port])
    )
}

/// What one control saw: the first evidence event of one (source, observer, address, firewall rule).
struct Seen<'a> {
    ev: &'a LocatedEvent,
    file: &'a str,
    /// The source address the control saw.
    addr: Option<IpAddr>,
}

impl Seen<'_> {
    fn observer(&self) -> &'static str {
        self.ev.event.observer
    }
    fn kind(&self) -> &EventKind {
        &self.ev.event.kind
    }
    fn text(&self) -> &str {
        &self.ev.text
    }
}

fn source_addr(k: &EventKind) -> Option<IpAddr> {
    match k {
        EventKind::FirewallDeny(d) => Some(d.src),
        EventKind::IpsAlert(a) => Some(a.src),
        EventKind::RateLimit(r) => r.src,
        EventKind::Ban(b) => Some(b.ip),
        EventKind::Flow(f) => Some(f.src),
        _ => None,
    }
}

/// The distinct controls in the winner's evidence, in evidence order.
fn controls<'a>(win: &Candidate, w: &'a World<'_>) -> Vec<Seen<'a>> {
    let mut out: Vec<Seen<'a>> = Vec::new();
    let mut keys = Vec::new();
    for &i in &win.evidence {
        let ev = &w.input.events[i];
        let addr = source_addr(&ev.event.kind);
        // A firewall's rules may differ in the command (another ACL, another prefix); an IPS's
        // signatures, a rate limit's or a ban's scope do not.
        let rule = match &ev.event.kind {
            EventKind::FirewallDeny(d) => d.rule.clone(),
            _ => None,
        };
        let key = (ev.source, ev.event.observer, addr, rule);
        if keys.contains(&key) {
            continue;
        }
        keys.push(key);
        out.push(Seen {
            ev,
            file: &w.input.sources[ev.source].display,
            addr,
        });
        if out.len() == MAX_CONTROLS {
            break;
        }
    }
    out
}

/// Advice for an explained port.
pub fn for_cause(case: &PortCase, win: &Candidate, w: &World<'_>) -> Vec<String> {
    let s = scanners(case);
    let seen = controls(win, w);
    let file = seen.first().map(|c| c.file).unwrap_or_default();
    let mut out = Vec::new();
    match win.cause {
        Cause::FirewallDrop | Cause::FirewallReject if win.basis == Basis::Flow => {
            let dropped = win.cause == Cause::FirewallDrop;
            out.push(format!(
                "A network sensor ({file}) saw the scanner's attempts {}: find the device between the sensor and {} that {} them (host firewall, IPS, load balancer); its logs name the rule. Add them to this analysis, then allow the scanner {s} there.",
                if dropped { "go unanswered" } else { "refused" },
                case.host,
                if dropped { "drops" } else { "rejects" },
            ));
        }
        Cause::FirewallDrop | Cause::FirewallReject | Cause::IpsBlock | Cause::Ban => {
            out.extend(seen.iter().map(|c| allow(case, win.cause, c)));
        }
        Cause::RateLimit => {
            out.extend(seen.iter().map(|c| allow(case, win.cause, c)));
            out.push(max_checks_advice(case));
        }
        Cause::HostOverload => {
            if matches!(
                win.basis,
                Basis::Overload {
                    kind: OverloadKind::ConnectionLimit
                }
            ) {
                out.push(format!(
                    "sshd on {} throttled unauthenticated connections (MaxStartups, default 10:30:100, refuses new ones once 10 are pending): raise it for the scan (`MaxStartups 100:30:200` in sshd_config, then reload sshd), or let the scanner in by a Match-free path; the scan's parallel SSH checks are what filled it.",
                    case.host
                ));
            }
            out.push(max_checks_advice(case));
            out.push(timeout_advice(case));
        }
        Cause::ServiceStop => out.push(format!(
            "{} was stopped during the scan: check who or what stopped it (deployment, maintenance, config management) and schedule the scan away from such restarts.",
            win.detail().unwrap_or("The service")
        )),
        Cause::ServiceCrash | Cause::OomKill => {
            out.push(format!(
                "{} {} during the scan, possibly triggered by it: look at its logs, core dump and memory limits before rescanning.",
                win.detail().unwrap_or("The service"),
                if win.cause == Cause::OomKill { "was killed for lack of memory" } else { "crashed" }
            ));
            out.push(max_checks_advice(case));
        }
        Cause::HostReboot => out.push(format!(
            "{} rebooted or shut down during the scan (at {}): schedule the scan outside its maintenance window.",
            case.host,
            win.evidence
                .first()
                .map(|&i| fmt_t(w.input.events[i].event.time))
                .unwrap_or_default()
        )),
    }
    out.push(rescan(case));
    out
}

/// How one control can let the scanner through, in that control's own terms.
fn allow(case: &PortCase, cause: Cause, c: &Seen<'_>) -> String {
    let addr = c
        .addr
        .map_or_else(|| "SCANNER_IP".to_string(), |a| a.to_string());
    let whom = c.addr.map_or_else(|| scanners(case), |a| who(case, a));
    match c.kind() {
        EventKind::FirewallDeny(d) => {
            let what = if cause == Cause::FirewallReject {
                "rejects"
            } else {
                "drops"
            };
            let rule = d
                .rule
                .as_deref()
                .map(|r| format!(", rule '{r}'"))
                .unwrap_or_default();
            let head = format!(
                "Allow the scanner {whom} through the firewall that logged the {what} ({}{rule}) for the scan, ahead of the rule that denied it",
                c.file
            );
            let dst = d.dst.or(case.ip);
            let how = match c.observer() {
                "netfilter" => netfilter_allow(case, &addr, c.addr, d.rule.as_deref()),
                "cisco_asa" => asa_allow(case, &addr, dst, d.rule.as_deref()),
                "pfsense" => pfsense_allow(case, &addr, dst, d.rule.as_deref(), c.text()),
                "panos" => panos_allow(case, &addr, dst, d.rule.as_deref(), c.text()),
                "junos" => junos_allow(&addr, c.addr, d.rule.as_deref(), c.text()),
                "aws_vpc" => aws_vpc_allow(case, &addr, c.addr, d.rule.as_deref()),
                "windows_firewall" => winfw_allow(case, &addr),
                "cef" | "leef" => cef_exception(c.text(), &addr, false, None),
                "ecs" => ecs_exception(c.text(), &addr, false),
                "mikrotik" => mikrotik_allow(case, &addr, c.addr, c.text()),
                "pf" => pf_allow(case, &addr, dst, d.rule.as_deref()),
                "sophos" => sophos_allow(case, &addr, d.rule.as_deref()),
                "checkpoint" => checkpoint_allow(case, &addr, d.rule.as_deref(), None),
                "fortigate" => fortigate_allow(case, &addr, c.addr, c.text()),
                "proxmox" => proxmox_allow(case, &addr, d.rule.as_deref()),
                _ => "add an accept rule for that address and port there".to_string(),
            };
            format!("{head}: {how}.")
        }
        EventKind::IpsAlert(a) => match c.observer() {
            "suricata" => {
                let sid = a
                    .signature_id
                    .map_or_else(|| "SID".to_string(), |s| s.to_string());
                format!(
                    "Let the scanner {whom} past the Suricata IPS that blocked it ({}, signature '{}'): a pass rule in its local rules, applied before drops with the default action-order (`pass ip {addr} any -> any any (msg:\"vulnerability scanner\"; sid:9000001; rev:1;)`), or a suppression of that signature for it in threshold.config (`suppress gen_id 1, sig_id {sid}, track by_src, ip {addr}`).",
                    c.file, a.signature
                )
            }
            "checkpoint" => format!(
                "Exempt the scanner {whom} from the Check Point Threat Prevention that blocked it ({}, '{}'): {}.",
                c.file,
                a.signature,
                checkpoint_allow(case, &addr, None, Some(&a.signature))
            ),
            "ecs" => format!(
                "Let the scanner {whom} past the IPS that blocked it ({}, signature '{}'): {}.",
                c.file,
                a.signature,
                ecs_exception(c.text(), &addr, true)
            ),
            "cef" | "leef" => format!(
                "Let the scanner {whom} past the IPS that blocked it ({}, signature '{}'): {}.",
                c.file,
                a.signature,
                cef_exception(c.text(), &addr, true, a.signature_id)
            ),
            "fortigate" => format!(
                "Exempt the scanner {whom} from the FortiGate protection that blocked it ({}, '{}'): {}.",
                c.file,
                a.signature,
                fortigate_ips_exempt(&addr, c.text(), a.signature_id)
            ),
            "zeek" => format!(
                "Zeek's notice framework had the scanner {whom} dropped ({}, '{}', Notice::ACTION_DROP through NetControl): keep it from being dropped with a policy hook in local.zeek (`hook Notice::policy(n: Notice::Info) {{ if ( n?$src && n$src == {addr} ) delete n$actions[Notice::ACTION_DROP]; }}`) and lift the current block (`NetControl::unblock_address({addr})`, or in the firewall the NetControl plugin drives) before rescanning.",
                c.file, a.signature
            ),
            "snort" => {
                let sid = a
                    .signature_id
                    .map_or_else(|| "SID".to_string(), |s| s.to_string());
                format!(
                    "Let the scanner {whom} past the Snort IPS that blocked it ({}, signature '{}'): a suppression for it (Snort 2 threshold.conf: `suppress gen_id 1, sig_id {sid}, track by_src, ip {addr}`; Snort 3 snort.lua: `suppress = {{ {{ gid = 1, sid = {sid}, track = 'by_src', ip = '{addr}' }} }}`), or a pass rule in local.rules (`pass ip {addr} any -> any any (msg:\"vulnerability scanner\"; sid:9000001; rev:1;)`).",
                    c.file, a.signature
                )
            }
            "panos" => {
                let id = a
                    .signature_id
                    .map(|i| format!(", threat ID {i}"))
                    .unwrap_or_default();
                let (from, _) = panos_zones(c.text());
                format!(
                    "Exempt the scanner {whom} from the PAN-OS threat prevention that blocked it ({}, '{}'{id}): add {addr} as an exempt IP of that threat in the vulnerability protection profile of the matching security rule (Objects > Security Profiles > Vulnerability Protection > Exceptions); for a scan or flood detection, exclude it in the zone protection profile{} (Reconnaissance Protection > Source Address Exclusion).",
                    c.file,
                    a.signature,
                    from.map(|z| format!(" of zone '{z}'")).unwrap_or_default()
                )
            }
            "junos" => {
                let zone = junos_screen_zone(c.text())
                    .map(|z| format!(" of zone '{z}'"))
                    .unwrap_or_default();
                format!(
                    "Exempt the scanner {whom} from the Junos screen{zone} that dropped it ({}, '{}'): a screen allowlist (`set security screen white-list scanner address {}`, referenced from that zone's ids-option), or a higher `tcp port-scan threshold` in the ids-option.",
                    c.file,
                    a.signature,
                    host_prefix(&addr, c.addr)
                )
            }
            _ => format!(
                "Whitelist the scanner {whom} in the IPS that blocked it ({}, signature '{}'): a pass rule or suppression for the scanner's address, or scan from an exempted address.",
                c.file, a.signature
            ),
        },
        EventKind::RateLimit(r) => match (c.observer(), netfilter_flavour(Some(&r.what))) {
            ("netfilter", Netfilter::Ufw) => format!(
                "Exempt the scanner {whom} from the UFW limit rule that logged it ({}, '{}'): an allow for it ahead of the limit, `{}`.",
                c.file,
                r.what,
                ufw_cmd(case, &addr)
            ),
            ("netfilter", _) => format!(
                "Exempt the scanner {whom} from the rate limit logged in {} ('{}'): accept it ahead of the limit rule, `{}`.",
                c.file,
                r.what,
                iptables_cmd(case, &addr, c.addr)
            ),
            ("nginx", _) => format!(
                "Exempt the scanner {whom} from the nginx limit that refused it ({}, {}): key the zone on a variable that is empty for the scanner — `geo $limited {{ default 1; {addr} 0; }}`, `map $limited $limit_key {{ 0 \"\"; 1 $binary_remote_addr; }}`, and `limit_req_zone $limit_key …` / `limit_conn_zone $limit_key …` (nginx does not count requests whose key is empty).",
                c.file, r.what
            ),
            ("sshd", _) => format!(
                "sshd dropped the scanner {whom} past MaxStartups ({}): raise `MaxStartups` in sshd_config on {} for the scan (e.g. `100:30:200`, then reload sshd); sshd has no per-address exemption.",
                c.file, case.host
            ),
            _ => format!(
                "Exempt the scanner {whom} from the rate limit logged in {}.",
                c.file
            ),
        },
        EventKind::Ban(b) => ban_advice(case, b, &whom, c),
        _ => format!(
            "Allow the scanner {whom} through the control that logged {}.",
            c.file
        ),
    }
}

fn ban_advice(case: &PortCase, b: &portmortem_parsers::Ban, whom: &str, c: &Seen<'_>) -> String {
    let ip = b.ip;
    match &b.by {
        BanTool::Fail2ban => {
            let jail = b.scope.as_deref().unwrap_or("JAIL");
            format!(
                "Add the scanner {whom} to `ignoreip` in fail2ban's jail.local ([DEFAULT] or [{jail}]) on {}, and lift the ban before rescanning: `fail2ban-client set {jail} unbanip {ip}`.",
                case.host
            )
        }
        BanTool::Crowdsec => format!(
            "Allowlist the scanner {whom} in CrowdSec (`cscli allowlists add` or a whitelist parser) and lift the decision before rescanning: `cscli decisions delete --ip {ip}`."
        ),
        BanTool::Wazuh => format!(
            "Add the scanner {whom} to <white_list> in the Wazuh manager's ossec.conf so active responses skip it, and undo the {} block on {} before rescanning.",
            b.scope.as_deref().unwrap_or("active-response"),
            case.host
        ),
        BanTool::CiscoAsa => format!(
            "Remove the shun (`no shun {ip}`) and exempt the scanner {whom} from threat detection ({}) before rescanning.",
            if ip.is_ipv4() {
                format!(
                    "`threat-detection scanning-threat shun except ip-address {ip} 255.255.255.255`"
                )
            } else {
                format!(
                    "put {ip} in a network object-group, say SCANNERS, and `threat-detection scanning-threat shun except object-group SCANNERS`"
                )
            }
        ),
        BanTool::Sshguard => format!(
            "Add the scanner {whom} to sshguard's whitelist (the WHITELIST_FILE of sshguard.conf, or `-w {ip}`) and lift the block before rescanning ({}).",
            c.file
        ),
        BanTool::Portsentry => format!(
            "Add the scanner {whom} to PortSentry's IGNORE_FILE (portsentry.ignore) on {}, then undo its block before rescanning: remove {ip} from BLOCKED_FILE (portsentry.blocked.tcp/.udp) and lift what KILL_ROUTE or KILL_HOSTS_DENY did ({}: `ip route del {ip}` or the iptables rule it inserted, or the /etc/hosts.deny line naming {ip}); PortSentry blocks never expire on their own.",
            case.host,
            b.scope
                .as_deref()
                .map_or_else(|| c.file.to_string(), |s| format!("{}, via {s}", c.file)),
        ),
        BanTool::Other(tool) => {
            format!("Whitelist the scanner {whom} in {tool} and lift the ban before rescanning.")
        }
    }
}

/// Advice for an unexplained port.
/// Advice when only the rescan's own answer shows a block (no log of the control at hand).
pub fn scan_reply_block(case: &PortCase, shows: super::reply::Shows) -> String {
    let s = scanners(case);
    let proto = case.protocol.as_str();
    let what = match shows {
        super::reply::Shows::FirewallReject => "rejected the probes with an ICMP error",
        _ => "reset the connections on the host's behalf",
    };
    format!(
        "A firewall or IPS between the scanner and {} {what} to port {}/{proto}: find it (from the scanner: `nmap -Pn -sS --reason --traceroute -p {} {}` or `traceroute -T -p {} {}`), allow the scanner {s} there, and add its logs to this analysis to name the rule.",
        case.host, case.port, case.port, case.host, case.port, case.host
    )
}

pub fn unexplained(case: &PortCase, missing_logs: bool) -> Vec<String> {
    let mut out = Vec::new();
    if missing_logs {
        out.push(format!(
            "Collect the firewall, IDS/IPS and system logs of {} (and of any firewall in front of it) covering {} – {}, and run portmortem again.",
            case.host,
            fmt_t(case.window.0),
            fmt_t(case.window.1)
        ));
    }
    match case.state {
        portmortem_parsers::scan::ScanState::Unresponsive => {
            out.push(timeout_advice(case));
            out.push(max_checks_advice(case));
        }
        portmortem_parsers::scan::ScanState::Closed => out.push(format!(
            "A 'closed' recheck means something answered with a reset: check whether the service on {}/{} was restarted by a tool that does not log through syslog.",
            case.protocol, case.port
        )),
    }
    out.push(rescan(case));
    out
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use portmortem_parsers::{BanAction, scan::ScanState};

    const WEB01: &str = "192.0.2.10";

    /// The advice for a port of web01 explained by one event (with its raw line).
    fn advice_for(observer: &'static str, kind: EventKind, text: &str) -> Vec<String> {
        advice_with(
            case(WEB01, 443, ScanState::Unresponsive),
            observer,
            kind,
            text,
        )
    }

    fn advice_with(
        c: PortCase,
        observer: &'static str,
        kind: EventKind,
        text: &str,
    ) -> Vec<String> {
        let f = Kit::new(vec![c])
            .event(0, at(2, 12), observer, kind)
            .text(text)
            .finding(0);
        assert!(f.cause.is_some(), "{}", f.explanation);
        f.advice
    }

    fn has(advice: &[String], what: &str) -> bool {
        advice.iter().any(|a| a.contains(what))
    }

    const PFSENSE: &str = "Nov 20 02:12:00 fw01 filterlog[6613]: 5,,,1000000103,em0,match,block,in,4,0x0,,64,0,0,DF,6,tcp,60,203.0.113.5,192.0.2.10,40000,443,0,S,1,,64240,,mss";
    const PANOS: &str = "<14>Nov 20 02:12:00 pa01 1,2026/11/20 02:12:00,012801000001,TRAFFIC,deny,2561,2026/11/20 02:12:00,203.0.113.5,192.0.2.10,0.0.0.0,0.0.0.0,deny-scanners,,,incomplete,vsys1,untrust,trust,ethernet1/1,,default,2026/11/20 02:12:00,0,1,40000,443,0,0,0x0,tcp,deny,74";
    const JUNOS_SD: &str = r#"<14>1 2026-11-20T02:12:00Z srx01 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.26 source-address="203.0.113.5" source-port="40000" destination-address="192.0.2.10" destination-port="443" protocol-id="6" policy-name="deny-all" source-zone-name="untrust" destination-zone-name="trust" reason="policy deny"]"#;
    const JUNOS_PLAIN: &str = "Nov 20 02:12:00 srx01 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 203.0.113.5/40000->192.0.2.10/443 junos-https 6(0) deny-all(global) untrust dmz UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny";

    #[test]
    fn ufw_prefix_gets_a_ufw_command() {
        let a = advice_for("netfilter", deny(SCANNER, WEB01, 443, "UFW BLOCK"), "");
        assert!(
            has(
                &a,
                "`ufw insert 1 allow from 203.0.113.5 to any port 443 proto tcp`"
            ),
            "{a:?}"
        );
        assert!(has(&a, "rule 'UFW BLOCK'"));
        assert!(
            a.last()
                .unwrap()
                .starts_with("Then rescan tcp/443 on 192.0.2.10")
        );
        let a = advice_for("netfilter", deny(SCANNER, WEB01, 443, "[UFW BLOCK]"), "");
        assert!(has(&a, "ufw insert 1 allow"), "{a:?}");
    }

    #[test]
    fn firewalld_prefix_gets_firewall_cmd_with_its_zone() {
        let a = advice_for(
            "netfilter",
            reject(SCANNER, WEB01, 443, "filter_IN_public_REJECT"),
            "",
        );
        assert!(
            has(
                &a,
                r#"`firewall-cmd --permanent --zone=public --add-rich-rule='rule family="ipv4" source address="203.0.113.5" accept'`"#
            ),
            "{a:?}"
        );
        assert!(has(&a, "--zone=trusted --add-source=203.0.113.5"));
        assert!(!has(&a, "ufw"), "{a:?}");
        let a = advice_for("netfilter", reject(SCANNER, WEB01, 443, "FINAL_REJECT"), "");
        assert!(
            has(
                &a,
                r#"`firewall-cmd --permanent --add-rich-rule='rule family="ipv4" source address="203.0.113.5" accept'`"#
            ),
            "{a:?}"
        );
        let a = advice_for(
            "netfilter",
            deny(SCANNER, WEB01, 443, "STATE_INVALID_DROP"),
            "",
        );
        assert!(has(&a, "conntrack"), "{a:?}");
        assert!(!has(&a, "ufw"), "{a:?}");
    }

    #[test]
    fn plain_netfilter_gets_iptables_and_nft() {
        let a = advice_for("netfilter", deny(SCANNER, WEB01, 443, "IPTABLES-DROP"), "");
        assert!(
            has(
                &a,
                "`iptables -I INPUT -s 203.0.113.5 -p tcp --dport 443 -j ACCEPT`"
            ),
            "{a:?}"
        );
        assert!(
            has(
                &a,
                "`nft insert rule inet filter input ip saddr 203.0.113.5 tcp dport 443 accept`"
            ),
            "{a:?}"
        );
        assert!(
            has(&a, "ahead of the rule that logged 'IPTABLES-DROP'"),
            "{a:?}"
        );
        // No prefix at all is plain netfilter too.
        let a = advice_for("netfilter", deny(SCANNER, WEB01, 443, ""), "");
        assert!(has(&a, "iptables -I INPUT"), "{a:?}");
    }

    #[test]
    fn asa_deny_gets_an_acl_entry_and_a_shun_gets_no_shun() {
        let a = advice_for("cisco_asa", deny(SCANNER, WEB01, 443, "outside_in"), "");
        assert!(
            has(
                &a,
                "`access-list outside_in line 1 extended permit tcp host 203.0.113.5 host 192.0.2.10 eq 443`"
            ),
            "{a:?}"
        );
        let mut shun = ban(SCANNER, BanTool::CiscoAsa, None);
        if let EventKind::Ban(b) = &mut shun {
            b.action = BanAction::Shun;
        }
        let a = advice_for("cisco_asa", shun, "");
        assert!(has(&a, "`no shun 203.0.113.5`"), "{a:?}");
        assert!(has(
            &a,
            "threat-detection scanning-threat shun except ip-address 203.0.113.5 255.255.255.255"
        ));
    }

    #[test]
    fn pfsense_gets_a_pass_rule_on_the_interface_naming_rule_and_tracker() {
        let a = advice_for(
            "pfsense",
            deny(SCANNER, WEB01, 443, "rule 5, tracker 1000000103"),
            PFSENSE,
        );
        assert!(
            has(
                &a,
                "add a pass rule on interface em0 (Firewall > Rules, that interface's tab) above the block rule (rule 5, tracker 1000000103), source 203.0.113.5"
            ),
            "{a:?}"
        );
        assert!(has(&a, "destination 192.0.2.10 port 443/tcp"), "{a:?}");
    }

    #[test]
    fn panos_gets_a_security_rule_above_the_deny_and_a_threat_exception() {
        let a = advice_for("panos", deny(SCANNER, WEB01, 443, "deny-scanners"), PANOS);
        assert!(
            has(
                &a,
                "`set rulebase security rules allow-scanner from untrust to trust source 203.0.113.5 destination 192.0.2.10 application any service any action allow`"
            ),
            "{a:?}"
        );
        assert!(
            has(
                &a,
                "`move rulebase security rules allow-scanner before \"deny-scanners\"`"
            ),
            "{a:?}"
        );
        let mut threat = ips(SCANNER, WEB01, 443, "TCP Port Scan", true);
        if let EventKind::IpsAlert(i) = &mut threat {
            i.signature_id = Some(8001);
        }
        let a = advice_for("panos", threat, &PANOS.replace(",TRAFFIC,", ",THREAT,"));
        assert!(has(&a, "threat ID 8001"), "{a:?}");
        assert!(has(&a, "exempt IP"), "{a:?}");
        assert!(
            has(&a, "zone protection profile of zone 'untrust'"),
            "{a:?}"
        );
    }

    #[test]
    fn junos_gets_a_policy_ahead_of_the_deny_with_its_zones() {
        let a = advice_for("junos", deny(SCANNER, WEB01, 443, "deny-all"), JUNOS_SD);
        assert!(
            has(
                &a,
                "`set security address-book global address scanner 203.0.113.5/32`"
            ),
            "{a:?}"
        );
        assert!(
            has(
                &a,
                "`set security policies from-zone untrust to-zone trust policy allow-scanner then permit`"
            ),
            "{a:?}"
        );
        assert!(
            has(
                &a,
                "`insert security policies from-zone untrust to-zone trust policy allow-scanner before policy deny-all`"
            ),
            "{a:?}"
        );
        let a = advice_for(
            "junos",
            deny(SCANNER, WEB01, 443, "deny-all(global)"),
            JUNOS_PLAIN,
        );
        assert!(
            has(
                &a,
                "`insert security policies global policy allow-scanner before policy deny-all`"
            ),
            "{a:?}"
        );
    }

    #[test]
    fn suricata_block_gets_a_pass_rule_or_suppression() {
        let a = advice_for(
            "suricata",
            ips(SCANNER, WEB01, 443, "ET SCAN Potential SSH Scan", true),
            "",
        );
        assert!(
            has(
                &a,
                "`pass ip 203.0.113.5 any -> any any (msg:\"vulnerability scanner\"; sid:9000001; rev:1;)`"
            ),
            "{a:?}"
        );
        assert!(
            has(
                &a,
                "`suppress gen_id 1, sig_id 2001219, track by_src, ip 203.0.113.5`"
            ),
            "{a:?}"
        );
    }

    #[test]
    fn ban_tools_keep_their_own_words() {
        let a = advice_for(
            "fail2ban",
            ban(SCANNER, BanTool::Fail2ban, Some("nginx-http-auth")),
            "",
        );
        assert!(has(&a, "`ignoreip`"));
        assert!(
            has(
                &a,
                "`fail2ban-client set nginx-http-auth unbanip 203.0.113.5`"
            ),
            "{a:?}"
        );
        let a = advice_for(
            "crowdsec",
            ban(
                SCANNER,
                BanTool::Crowdsec,
                Some("crowdsecurity/http-probing"),
            ),
            "",
        );
        assert!(
            has(&a, "`cscli decisions delete --ip 203.0.113.5`"),
            "{a:?}"
        );
        let a = advice_for(
            "wazuh",
            ban(SCANNER, BanTool::Wazuh, Some("firewall-drop")),
            "",
        );
        assert!(has(&a, "<white_list>"), "{a:?}");
        assert!(has(&a, "undo the firewall-drop block"), "{a:?}");
    }

    #[test]
    fn the_address_is_the_one_the_control_saw() {
        // The scanner is NATed to 198.51.100.7 on its way to the firewall.
        let mut c = case(WEB01, 443, ScanState::Unresponsive);
        c.scanner_nets.push("198.51.100.0/24".parse().unwrap());
        let a = advice_with(
            c.clone(),
            "netfilter",
            deny("198.51.100.7", WEB01, 443, "IPTABLES-DROP"),
            "",
        );
        assert!(has(&a, "iptables -I INPUT -s 198.51.100.7 "), "{a:?}");
        assert!(
            has(
                &a,
                "198.51.100.7 (scanner addresses: 203.0.113.5, 198.51.100.0/24)"
            ),
            "{a:?}"
        );
        assert!(!has(&a, "-s 203.0.113.5"), "{a:?}");
        let a = advice_with(
            c,
            "fail2ban",
            ban("198.51.100.7", BanTool::Fail2ban, Some("recidive")),
            "",
        );
        assert!(has(&a, "unbanip 198.51.100.7`"), "{a:?}");
    }

    #[test]
    fn no_ufw_for_network_firewalls_or_plain_iptables() {
        for (observer, kind, text) in [
            ("cisco_asa", deny(SCANNER, WEB01, 443, "outside_in"), ""),
            ("cisco_asa", deny(SCANNER, WEB01, 443, ""), ""),
            ("pfsense", deny(SCANNER, WEB01, 443, "rule 5"), PFSENSE),
            ("panos", deny(SCANNER, WEB01, 443, "deny-scanners"), PANOS),
            ("junos", deny(SCANNER, WEB01, 443, "deny-all"), JUNOS_SD),
            ("netfilter", deny(SCANNER, WEB01, 443, "IPTABLES-DROP"), ""),
            ("netfilter", reject(SCANNER, WEB01, 443, "REJECT-IN"), ""),
            ("netfilter", deny(SCANNER, WEB01, 443, ""), ""),
        ] {
            let a = advice_for(observer, kind, text);
            assert!(!has(&a, "ufw"), "{observer}: {a:?}");
            assert!(!has(&a, "UFW"), "{observer}: {a:?}");
        }
    }

    #[test]
    fn sensor_flows_send_you_to_the_device_between() {
        let a = advice_for("zeek", flow(SCANNER, WEB01, 443, "S0"), "");
        assert!(
            has(
                &a,
                "A network sensor (logs/kern.log) saw the scanner's attempts go unanswered: find the device between the sensor and 192.0.2.10"
            ),
            "{a:?}"
        );
        assert!(!has(&a, "ufw"));
    }

    #[test]
    fn ufw_limit_gets_an_allow_ahead_of_the_limit() {
        let a = advice_for("netfilter", rate(SCANNER, WEB01, 443), "");
        assert!(has(&a, "UFW limit rule"), "{a:?}");
        assert!(
            has(
                &a,
                "`ufw insert 1 allow from 203.0.113.5 to any port 443 proto tcp`"
            ),
            "{a:?}"
        );
        assert!(has(&a, "Lower max_checks from its current 5"), "{a:?}");
    }

    #[test]
    fn each_control_in_the_evidence_gets_its_line() {
        let f = Kit::new(vec![case(WEB01, 443, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 12),
                "netfilter",
                deny(SCANNER, WEB01, 443, "UFW BLOCK"),
            )
            .event(
                1,
                at(2, 13),
                "cisco_asa",
                deny(SCANNER, WEB01, 443, "outside_in"),
            )
            .event(
                0,
                at(2, 14),
                "netfilter",
                deny(SCANNER, WEB01, 443, "UFW BLOCK"),
            )
            .finding(0);
        assert_eq!(f.advice.len(), 3, "{:?}", f.advice);
        assert!(f.advice[0].contains("ufw insert 1"));
        assert!(f.advice[1].contains("access-list outside_in line 1"));
        assert!(!f.advice[1].contains("ufw"));
    }

    #[test]
    fn one_line_per_ips_however_many_signatures() {
        let f = Kit::new(vec![case(WEB01, 22, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 12),
                "suricata",
                ips(SCANNER, WEB01, 22, "ET SCAN Potential SSH Scan", true),
            )
            .event(
                0,
                at(2, 13),
                "suricata",
                ips(SCANNER, WEB01, 22, "drop (rules)", true),
            )
            .finding(0);
        assert_eq!(f.advice.len(), 2, "{:?}", f.advice);
        assert!(f.advice[0].contains("signature 'ET SCAN Potential SSH Scan'"));
    }
}
