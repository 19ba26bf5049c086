//! The network controls of issue 8 on real files of the shared corpus (never copied here): each
//! file is detected as its own format by content, its lines parse with under 1% malformed, and it
//! yields the events counted by hand (`grep -c REJECT`, `grep -c DROP`, …). Says which files it
//! checked; skips when the corpus is absent.

mod common;

use chrono::{TimeZone, Utc};
use portmortem_parsers::{LogFormat, TimeContext, detect_log_format};

/// (file under the corpus, format name, events expected)
const FILES: &[(&str, &str, usize)] = &[
    // 2 REJECT records (TCP 3389, ICMP); NODATA / SKIPDATA / ACCEPT are no events.
    (
        "logs/aws-vpc/vrl_vpc-flow_v2-default.extracted.log",
        "aws_vpc_flow",
        2,
    ),
    // One REJECT (reject-reason BPA), one ACCEPT.
    (
        "logs/aws-vpc/vrl_vpc-flow_v11-reject-reason.extracted.log",
        "aws_vpc_flow",
        1,
    ),
    // A custom format with neither action nor start: framed, no events.
    (
        "logs/aws-vpc/vrl_vpc-flow_custom-pkt-addr.extracted.log",
        "aws_vpc_flow",
        0,
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v3-custom-nat.extracted.log",
        "aws_vpc_flow",
        0,
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v3-custom-tcpflags.extracted.log",
        "aws_vpc_flow",
        0,
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v5-custom.extracted.log",
        "aws_vpc_flow",
        0,
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v7-ecs.extracted.log",
        "aws_vpc_flow",
        0,
    ),
    // 14 DROP lines, one of them cut short before `info path`.
    (
        "logs/winfw/azure-docs_ase-gpu-troubleshoot_pfirewall.extracted.log",
        "windows_firewall",
        14,
    ),
    // 4 alerts (no [Drop]: an IDS): alerted, not blocks.
    (
        "logs/suricata/crowdsec-hub_suricata-fastlog.log",
        "fast_log",
        4,
    ),
    // UniFi CEF: an admin login (no event), an IPS block stored without `CEF:` and without a
    // syslog header (its time from UNIFIutcTime), one after an RFC 3164 header.
    ("logs/other/crowdsec-hub_unifi-cef.log", "syslog", 2),
    // Two blocks (TCP and UDP port 1), '# failJSON' comments between them.
    ("logs/other/fail2ban-tests_portsentry.log", "portsentry", 2),
    // Four scan reports: alerts (context), not blocks.
    ("logs/other/fail2ban-tests_scanlogd.log", "syslog", 4),
    // 19 RouterOS `drop-tcp` lines of one scan over ports 23.. (ISO header, host an address).
    (
        "logs/netfilter/crowdsec-hub_mikrotik-scan-multi-ports.log",
        "syslog",
        19,
    ),
    // 2 DROP + 5 REJECT (incl. PVEFW-reject, IPv6); 2 ACCEPT and a group rule without its verdict
    // are no events.
    (
        "logs/netfilter/crowdsec-hub_proxmox-iptables.log",
        "proxmox_firewall",
        7,
    ),
    // 207 SSL::Invalid_Server_Cert notices: framed, none a scan or a drop.
    ("logs/zeek/zed-sample_notice.json", "zeek_notice", 0),
    // One alert, three ban decisions on one address: one ban (the longest, 3h).
    (
        "logs/crowdsec/crowdsec_alert_sample.json",
        "crowdsec_json",
        1,
    ),
    // An ssh-bf alert with "decisions": null: detection only, no ban.
    (
        "logs/crowdsec/crowdsec_alert_ssh-bf.json",
        "crowdsec_json",
        0,
    ),
];

#[test]
fn each_real_file_is_detected_parsed_and_counted() {
    let ctx = TimeContext::utc(Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap());
    let mut checked = Vec::new();
    for &(rel, name, want_events) in FILES {
        let Some(path) = common::realworld(rel) else {
            return;
        };
        let data = std::fs::read(&path).unwrap();
        let format = detect_log_format(&data);
        assert_eq!(format.map(LogFormat::name), Some(name), "{rel}");
        let mut p = format.unwrap().parser();
        let (mut lines, mut events, mut malformed) = (0usize, 0usize, Vec::new());
        for (n, line) in data.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.trim_ascii().is_empty() {
                continue;
            }
            lines += 1;
            match p.parse(line, &ctx) {
                Ok(Some(_)) => events += 1,
                Ok(None) => {}
                Err(e) => malformed.push(format!("{}: {e}", n + 1)),
            }
        }
        assert!(
            malformed.len() * 100 < lines.max(1),
            "{rel}: {} of {lines} lines malformed: {malformed:?}",
            malformed.len()
        );
        assert_eq!(events, want_events, "{rel}");
        checked.push(format!(
            "{rel} ({name}: {lines} lines, {events} events, {} malformed)",
            malformed.len()
        ));
    }
    eprintln!("checked:\n  {}", checked.join("\n  "));
}
