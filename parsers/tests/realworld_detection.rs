//! Every real third-party file in `../shared/realworld/` is detected as its true format, by
//! content. Files of formats portmortem does not read yet are expected to be `unrecognised` (the
//! issue that adds each is named); a file in neither list is printed, not failed, so that a corpus
//! that grows does not break the build. Skips when the corpus is absent.

use std::path::{Path, PathBuf};

use portmortem_parsers::{detect, scan::ScanFormat};

fn corpus() -> Option<PathBuf> {
    let p = std::env::var_os("PORTMORTEM_REALWORLD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld"));
    p.is_dir().then_some(p)
}

/// (path under the corpus, expected format; `None` = not read yet, with why)
const EXPECTED: &[(&str, Result<&str, &str>)] = &[
    (
        "logs/cisco-asa/wazuh-ruleset_cisco_asa.extracted.log",
        Ok("syslog"),
    ), // bare %ASA- lines
    (
        "logs/paloalto/wazuh-ruleset_paloalto.extracted.log",
        Ok("syslog"),
    ), // PAN-OS CSV, day 00
    (
        "logs/juniper/logstash-patterns_junos_spec.extracted.log",
        Ok("syslog"),
    ),
    (
        "logs/juniper/wazuh-ruleset_junos.extracted.log",
        Ok("syslog"),
    ),
    ("logs/pfsense/crowdsec-hub_pf-logs.log", Ok("syslog")),
    (
        "logs/pfsense/crowdsec-hub_pf-scan-multi-port.log",
        Ok("syslog"),
    ),
    (
        "logs/netfilter/crowdsec-hub_iptables-logs.log",
        Ok("syslog"),
    ),
    (
        "logs/netfilter/logstash-patterns_firewalls_spec_suse-netfilter.extracted.log",
        Ok("syslog"),
    ),
    ("logs/crash/crowdsec-hub_segfault-logs.log", Ok("syslog")),
    ("logs/fail2ban/fail2ban-tests_recidive.log", Ok("fail2ban")), // '# failJSON' comments
    ("logs/journald/lnav_journald.json", Ok("journald_json")),
    ("logs/sshguard/s4_freebsd12.3_system.log", Ok("syslog")),
    (
        "logs/suricata/crowdsec-hub_suricata-eve-detect.json",
        Ok("suricata_eve"),
    ),
    (
        "logs/syslog/crowdsec-hub_opnsense-sshd-rfc5424.log",
        Ok("syslog"),
    ),
    ("logs/syslog/crowdsec-hub_ssh-timeout.log", Ok("syslog")),
    ("logs/syslog/fail2ban-tests_sshd.log", Ok("syslog")),
    ("logs/syslog/lnav_rfc5424_with_zones.log", Ok("syslog")), // RFC 5424 fields, no <PRI>
    ("logs/syslog/lnav_syslog.0.log", Ok("syslog")),
    ("logs/syslog/s4_freebsd13_daemon.log", Ok("syslog")),
    ("logs/syslog/s4_openbsd72_messages.log", Ok("syslog")),
    ("logs/syslog/s4_rockylinux9_messages.log", Ok("syslog")),
    ("logs/syslog/s4_synology_postgresql.log", Ok("syslog")),
    ("logs/syslog/s4_ubuntu22_syslog.log", Ok("syslog")),
    ("logs/syslog/wazuh_benchmark_syslog.log", Ok("syslog")),
    ("logs/other/fail2ban-tests_scanlogd.log", Ok("syslog")), // scanlogd payload
    (
        "logs/wazuh/wazuh-docs_shellshock_active-responses-4x.extracted.log",
        Ok("wazuh_ar"),
    ),
    (
        "logs/wazuh/wazuh-docs_shellshock_active-responses-old.extracted.log",
        Ok("wazuh_ar"),
    ),
    (
        "logs/wazuh/wazuh-ruleset_ossec.extracted.log",
        Ok("wazuh_ar"),
    ),
    ("logs/zeek/lnav_bro_conn.log", Ok("zeek_conn")),
    ("logs/zeek/rita_conn_json_all_fields.log", Ok("zeek_conn")),
    ("logs/zeek/rita_proxy_conn.log", Ok("zeek_conn")),
    (
        "logs/aws-vpc/vrl_vpc-flow_custom-pkt-addr.extracted.log",
        Ok("aws_vpc_flow"),
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v11-reject-reason.extracted.log",
        Ok("aws_vpc_flow"),
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v2-default.extracted.log",
        Ok("aws_vpc_flow"),
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v3-custom-nat.extracted.log",
        Ok("aws_vpc_flow"),
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v3-custom-tcpflags.extracted.log",
        Ok("aws_vpc_flow"),
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v5-custom.extracted.log",
        Ok("aws_vpc_flow"),
    ),
    (
        "logs/aws-vpc/vrl_vpc-flow_v7-ecs.extracted.log",
        Ok("aws_vpc_flow"),
    ),
    (
        "logs/winfw/azure-docs_ase-gpu-troubleshoot_pfirewall.extracted.log",
        Ok("windows_firewall"),
    ),
    (
        "logs/suricata/crowdsec-hub_suricata-fastlog.log",
        Ok("fast_log"),
    ),
    ("logs/other/crowdsec-hub_unifi-cef.log", Ok("syslog")), // CEF payload
    ("logs/other/fail2ban-tests_portsentry.log", Ok("portsentry")),
    (
        "logs/netfilter/crowdsec-hub_mikrotik-scan-multi-ports.log",
        Ok("syslog"),
    ), // mikrotik payload
    (
        "logs/netfilter/crowdsec-hub_proxmox-iptables.log",
        Ok("proxmox_firewall"),
    ),
    ("logs/zeek/zed-sample_notice.json", Ok("zeek_notice")),
    (
        "logs/crowdsec/crowdsec_alert_sample.json",
        Ok("crowdsec_json"),
    ),
    (
        "logs/crowdsec/crowdsec_alert_ssh-bf.json",
        Ok("crowdsec_json"),
    ),
    // Not read yet.
    (
        "logs/crash/oomanalyser_archlinux-6.1.1.extracted.log",
        Err("kernel text without any time"),
    ),
    (
        "logs/crash/oomanalyser_proxmox-cgroup.extracted.log",
        Err("dmesg -T, German day names"),
    ),
    (
        "logs/crash/oomanalyser_rhel7.extracted.log",
        Err("kernel text without any time"),
    ),
    (
        "logs/crash/oomanalyser_ubuntu2110.extracted.log",
        Err("kernel text without any time"),
    ),
    ("logs/syslog/lnav_mysql_error.log", Ok("mysql_error")),
    ("logs/syslog/lnav_postgres.0.log", Ok("postgres_log")),
    (
        "logs/syslog/s4_centos7_boot.log",
        Err("console capture, no times"),
    ),
    (
        "logs/syslog/s4_debian11_apache2_error.log",
        Ok("apache_error"),
    ),
    (
        "logs/syslog/s4_rancheros_shutdown.log",
        Err("RancherOS logrus: not CrowdSec"),
    ),
    (
        "logs/syslog/s4_rockylinux9_nginx_error.log",
        Ok("nginx_error"),
    ),
    ("logs/windows-evtx/system.evtx", Ok("windows_evtx")),
    (
        "logs/windows-scm/nifi_windowseventlogreader_7036.extracted.json",
        Ok("windows_json"),
    ),
    (
        "logs/windows-scm/nifi_windowseventlogreader_7036.extracted.xml",
        Ok("windows_xml"),
    ),
    (
        "logs/zeek/zed-sample_known_services.log",
        Err("Zeek known_services: issue 8"),
    ),
    (
        "logs/zeek/zed-sample_syslog.log",
        Err("Zeek syslog.log: issue 8"),
    ),
];

fn head(p: &Path) -> Vec<u8> {
    let mut data = std::fs::read(p).unwrap();
    data.truncate(64 * 1024);
    data
}

#[test]
fn every_real_log_is_detected_as_its_true_format() {
    let Some(root) = corpus() else {
        eprintln!("realworld corpus not present, skipping");
        return;
    };
    let mut wrong = Vec::new();
    let mut checked = 0;
    for &(rel, want) in EXPECTED {
        let p = root.join(rel);
        if !p.is_file() {
            eprintln!("{rel}: not in this copy of the corpus");
            continue;
        }
        checked += 1;
        let d = detect(&head(&p));
        let got = d.format.map(|f| f.name());
        let ok = match want {
            Ok(name) => got == Some(name),
            Err(_) => got.is_none(),
        };
        if !ok {
            wrong.push(format!("{rel}: want {want:?}, got {got:?} ({})", d.reason));
        }
    }
    // Files the table does not know yet: shown, not failed.
    for e in walk(&root.join("logs")) {
        let rel = e
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel.ends_with(".ini") || rel.ends_with(".md") || EXPECTED.iter().any(|(r, _)| *r == rel)
        {
            continue;
        }
        let d = detect(&head(&e));
        eprintln!("not in the table: {rel}: {:?} ({})", d.format, d.reason);
    }
    assert!(checked > 40, "only {checked} files checked");
    assert!(wrong.is_empty(), "misdetected:\n{}", wrong.join("\n"));
}

#[test]
fn every_real_scan_report_is_detected_by_its_scan_format() {
    let Some(root) = corpus() else {
        eprintln!("realworld corpus not present, skipping");
        return;
    };
    let mut wrong = Vec::new();
    for e in walk(&root.join("scans")) {
        let rel = e
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let got = ScanFormat::detect(&head(&e)).map(|f| f.name());
        let dir = rel.split('/').nth(1).unwrap_or_default();
        let want = match dir {
            "nessus" => Some("nessus"),
            "nmap" => Some("nmap"),
            "openvas" => Some("openvas"),
            "masscan" => Some("masscan_json"),
            _ => None,
        };
        if got != want {
            wrong.push(format!("{rel}: want {want:?}, got {got:?}"));
        }
        // A scan report is never taken for a log.
        if let Some(f) = detect(&head(&e)).format {
            wrong.push(format!("{rel}: detected as log format {}", f.name()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
