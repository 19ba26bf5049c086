//! Advice grounded in the evidence and in the scan's own settings.

use super::candidate::{Basis, Candidate, fmt_t};
use super::{Cause, World};
use crate::scan::PortCase;
use portmortem_parsers::BanTool;

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

fn first_scanner(case: &PortCase) -> String {
    case.scanner_nets
        .first()
        .map(|n| n.addr().to_string())
        .unwrap_or_else(|| "SCANNER_IP".into())
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
        "Then rescan {}/{} on {}, or re-probe it now: nmap -Pn -sT --reason -p {} {}",
        case.protocol, case.port, case.host, case.port, case.host
    )
}

fn ban_tool(win: &Candidate) -> Option<&BanTool> {
    match &win.basis {
        Basis::Ban { tool, .. } => Some(tool),
        _ => None,
    }
}

/// Advice for an explained port.
pub fn for_cause(case: &PortCase, win: &Candidate, w: &World<'_>) -> Vec<String> {
    let s = scanners(case);
    let file = win
        .evidence
        .first()
        .map(|&i| w.input.sources[w.input.events[i].source].display.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    match win.cause {
        Cause::FirewallDrop | Cause::FirewallReject if win.basis == Basis::Flow =>
        {
            out.push(format!(
                "A network sensor ({file}) saw the scanner's attempts {}: find the device between the sensor and {} that {} them (host firewall, IPS, load balancer); its logs name the rule. Add them to this analysis, then allow the scanner {s} there.",
                if win.cause == Cause::FirewallDrop { "go unanswered" } else { "refused" },
                case.host,
                if win.cause == Cause::FirewallDrop { "drops" } else { "rejects" },
            ));
        }
        Cause::FirewallDrop | Cause::FirewallReject => {
            out.push(format!(
                "Allow the scanner {s} through the firewall that logged the {} ({file}{}) for the scan, e.g. an ACCEPT rule for the scanner ahead of the deny (ufw: `ufw insert 1 allow from {} to any port {}`).",
                if win.cause == Cause::FirewallDrop { "drops" } else { "rejects" },
                win.detail().map(|r| format!(", rule '{r}'")).unwrap_or_default(),
                first_scanner(case),
                case.port
            ));
        }
        Cause::IpsBlock => out.push(format!(
            "Whitelist the scanner {s} in the IPS that blocked it ({file}{}): a pass rule or suppression for the scanner's address, or scan from an exempted address.",
            win.detail().map(|r| format!(", signature '{r}'")).unwrap_or_default()
        )),
        Cause::Ban => out.push(match (ban_tool(win), win.detail()) {
            (Some(BanTool::Fail2ban), jail) => {
                let jail = jail.unwrap_or("JAIL");
                let ip = first_scanner(case);
                format!(
                    "Add the scanner {s} to `ignoreip` in fail2ban's jail.local ([DEFAULT] or [{jail}]) on {}, and lift the ban before rescanning: `fail2ban-client set {jail} unbanip {ip}`.",
                    case.host
                )
            }
            (Some(BanTool::Crowdsec), _) => {
                let ip = first_scanner(case);
                format!(
                    "Allowlist the scanner {s} in CrowdSec (`cscli allowlists add` or a whitelist parser) and lift the decision before rescanning: `cscli decisions delete --ip {ip}`."
                )
            }
            (Some(BanTool::Wazuh), script) => format!(
                "Add the scanner {s} to <white_list> in the Wazuh manager's ossec.conf so active responses skip it, and undo the {} block on {} before rescanning.",
                script.unwrap_or("active-response"),
                case.host
            ),
            (Some(BanTool::CiscoAsa), _) => {
                let ip = first_scanner(case);
                format!(
                    "Remove the shun (`no shun {ip}`) and exempt the scanner {s} from threat detection (`threat-detection scanning-threat shun except ip-address {ip} 255.255.255.255`) before rescanning."
                )
            }
            (tool, _) => format!(
                "Whitelist the scanner {s} in {} and lift the ban before rescanning.",
                tool.map_or("the ban tool", BanTool::as_str)
            ),
        }),
        Cause::RateLimit => {
            out.push(format!("Exempt the scanner {s} from the rate limit logged in {file}."));
            out.push(max_checks_advice(case));
        }
        Cause::HostOverload => {
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

/// Advice for an unexplained port.
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
