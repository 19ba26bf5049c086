//! A central syslog collector's file that mixes devices (Cisco ASA, PAN-OS, Junos SRX, pfSense, a
//! Linux kernel's netfilter, fail2ban and daemon relays) in every framing they arrive in: each line
//! must reach its own classifier, and each port of the scan is explained by the device that acted.

mod common;

use chrono::{TimeZone, Utc};
use common::*;

/// (ip, fqdn, port, svc)
const HOSTS: &[(&str, &str, u16, &str)] = &[
    ("192.0.2.21", "web21.example.com", 443, "www"),
    ("192.0.2.22", "app22.example.com", 8443, "www"),
    ("192.0.2.23", "ssh23.example.com", 22, "ssh"),
    ("192.0.2.24", "rdp24.example.com", 3389, "msrdp"),
    ("192.0.2.25", "web05.example.com", 80, "www"),
    ("192.0.2.26", "bastion06.example.com", 22, "ssh"),
    ("192.0.2.27", "db07.example.com", 3306, "mysql"),
    ("192.0.2.28", "ssh08.example.com", 22, "ssh"),
];

/// The collector file, one line per entry (1-based line = index + 1).
fn collector() -> Vec<String> {
    [
        // noise first: other programs, another framing
        "Nov 20 01:59:01 gw01 CRON[4242]: (root) CMD (run-parts /etc/cron.hourly)",
        "<30>1 2026-11-20T01:59:30Z gw01 chronyd 811 - - Selected source 198.51.100.1",
        // 3: ASA, Cisco timestamp with year, `host :` — decoy: not the scanner
        "Nov 20 2026 02:04:10 asa01 : %ASA-4-106023: Deny tcp src outside:198.51.100.77/51000 dst inside:192.0.2.21/443 by access-group \"outside_in\" [0x0, 0x0]",
        // 4: ASA, the scanner
        "Nov 20 2026 02:05:10 asa01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/40001 dst inside:192.0.2.21/443 by access-group \"outside_in\" [0x0, 0x0]",
        // 5: PAN-OS TRAFFIC after an rsyslog ISO header with no tag
        "2026-11-20T02:06:00+00:00 pa01 1,2026/11/20 02:06:00,001801000001,TRAFFIC,deny,2049,2026/11/20 02:06:00,203.0.113.5,192.0.2.22,0.0.0.0,0.0.0.0,deny-scanner,,,not-applicable,vsys1,untrust,trust,ethernet1/1,,fwd,2026/11/20 02:06:00,0,1,40002,8443,0,0,0x0,tcp,deny,60,60,0,1,2026/11/20 02:06:00,0,any,0,0,0x0,203.0.113.0-203.0.113.255,192.0.2.0-192.0.2.255,0,1,0,policy-deny",
        // 6: Junos RT_FLOW
        "Nov 20 02:07:00 srx01 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 203.0.113.5/40003->192.0.2.23/22 junos-ssh 6(0) default-deny untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny",
        // 7: pfSense filterlog
        "Nov 20 02:08:00 pfsense filterlog[4242]: 5,,,1000000103,igb1,match,block,in,4,0x0,,64,0,0,DF,6,tcp,60,203.0.113.5,192.0.2.24,40004,3389,0,S,1,,64240,,mss",
        // 8: a Linux kernel's netfilter, plain iptables
        "Nov 20 02:09:00 web05 kernel: [1000.100001] IPTABLES-DROP: IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.0.2.25 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40005 DPT=80 WINDOW=64240 RES=0x00 SYN URGP=0",
        // 9: fail2ban relayed through syslog
        "Nov 20 02:10:00 bastion06 fail2ban.actions[702]: NOTICE [sshd] Ban 203.0.113.5",
        // 10–12: systemd on db07
        "Nov 20 02:11:00 db07 systemd[1]: Stopping mysql.service - MySQL Community Server...",
        "Nov 20 02:11:02 db07 systemd[1]: Stopped mysql.service - MySQL Community Server.",
        "Nov 20 02:31:30 db07 systemd[1]: Started mysql.service - MySQL Community Server.",
        // 13: sshd on a host without systemd lines
        "Nov 20 02:13:00 ssh08 sshd[812]: Received signal 15; terminating.",
        // 14: a bare ASA line with only a <PRI>: recognised, but it has no time of its own
        "<164>%ASA-4-106023: Deny tcp src outside:203.0.113.5/40009 dst inside:192.0.2.21/443 by access-group \"outside_in\" [0x0, 0x0]",
        // trailing noise
        "Nov 20 02:14:00 gw01 CRON[4243]: (root) CMD (true)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn scenario() -> tempfile::TempDir {
    let t = |h, m| {
        Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
            .unwrap()
            .timestamp()
    };
    let affected: Vec<[(u16, &str, &str); 1]> = HOSTS
        .iter()
        .map(|&(_, _, port, svc)| [(port, svc, "unresponsive")])
        .collect();
    let hosts: Vec<Host<'_>> = HOSTS
        .iter()
        .zip(&affected)
        .map(|(&(ip, fqdn, _, _), a)| Host {
            ip,
            fqdn,
            start: t(2, 0),
            end: t(2, 30),
            affected: a,
        })
        .collect();
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("scan.nessus"), nessus(&hosts)).unwrap();
    std::fs::create_dir(d.path().join("collector")).unwrap();
    let mut text = collector().join("\n");
    // Trailing blank lines, as editors and `echo >>` leave them: neither malformed nor an end time.
    text.push_str("\n\n\n");
    std::fs::write(d.path().join("collector/all.log"), text).unwrap();
    d
}

#[test]
fn every_vendor_in_one_collector_file_explains_its_port() {
    let d = scenario();
    let (code, report) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{report:#}");
    assert_schema_valid(&report);
    let f = "./collector/all.log";
    // (host, port, verdict, cause, evidence lines, observer of the first evidence, words the
    // advice must use: the acting control's own terms)
    type Want<'a> = (&'a str, u64, &'a str, &'a str, &'a [u64], &'a str, &'a str);
    #[rustfmt::skip]
    let want: &[Want<'_>] = &[
        ("192.0.2.21", 443, "blocked", "firewall_drop", &[4], "cisco_asa", "access-list"),
        ("192.0.2.22", 8443, "blocked", "firewall_drop", &[5], "panos", "security rule"),
        ("192.0.2.23", 22, "blocked", "firewall_drop", &[6], "junos", "security policy"),
        ("192.0.2.24", 3389, "blocked", "firewall_drop", &[7], "pfsense", "pass rule"),
        ("192.0.2.25", 80, "blocked", "firewall_drop", &[8], "netfilter", "iptables"),
        ("192.0.2.26", 22, "blocked", "ban", &[9], "fail2ban", "ignoreip"),
        ("192.0.2.27", 3306, "service_restart", "service_stop", &[10, 11, 12], "systemd", ""),
        ("192.0.2.28", 22, "service_restart", "service_stop", &[13], "daemon", ""),
    ];
    let ports = report["ports"].as_array().unwrap();
    assert_eq!(ports.len(), want.len());
    for &(host, port, verdict, cause, lines, observer, words) in want {
        let p = ports
            .iter()
            .find(|p| p["host"] == host && p["port"] == port)
            .unwrap_or_else(|| panic!("{host}:{port} missing"));
        let ctx = format!("{host}:{port}: {p:#}");
        assert_eq!(p["verdict"], verdict, "{ctx}");
        assert_eq!(p["cause"], cause, "{ctx}");
        let ev: Vec<String> = p["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}:{}", e["file"].as_str().unwrap(), e["line"]))
            .collect();
        for l in lines {
            assert!(ev.contains(&format!("{f}:{l}")), "{ctx}: evidence {ev:?}");
        }
        // The decoy (another source) and the untimed bare line are never evidence.
        assert!(!ev.contains(&format!("{f}:3")), "{ctx}");
        assert!(!ev.contains(&format!("{f}:14")), "{ctx}");
        let advice = p["advice"].to_string();
        assert!(advice.contains(words), "{ctx}: advice lacks {words:?}");
        // UFW only for UFW's own log lines: none of these controls is UFW.
        assert!(!advice.contains("ufw "), "{ctx}");
        let first = &p["evidence"][0];
        assert_eq!(first["observer"], observer, "{ctx}");
        assert_eq!(first["format"], "syslog", "{ctx}");
    }
    let src = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"] == f)
        .expect("collector source");
    assert_eq!(src["format"], "syslog");
    assert_eq!(src["lines"], 17);
    // The span is the earliest and latest time in the file, not its first and last lines' (a
    // collector's relays arrive out of order: line 12 is the latest).
    assert_eq!(src["first_time"], "2026-11-20T01:59:01Z", "{src:#}");
    assert_eq!(src["last_time"], "2026-11-20T02:31:30Z", "{src:#}");
    // Only the bare `<PRI>%ASA-` line fails: it has no time.
    assert_eq!(src["malformed"], 1, "{src:#}");
    for o in [
        "cisco_asa",
        "panos",
        "junos",
        "pfsense",
        "netfilter",
        "fail2ban",
        "systemd",
        "daemon",
    ] {
        assert!(src["observers"][o].as_u64() >= Some(1), "{o}: {src:#}");
    }
    assert!(
        src["detected"]
            .as_str()
            .is_some_and(|s| s.contains("syslog")),
        "{src:#}"
    );
}

#[test]
fn verbose_says_what_was_detected_and_by_whom() {
    let d = scenario();
    let o = run_in(
        d.path(),
        &[
            "events",
            "-v",
            "--reference",
            "2026-11-20T00:00:00Z",
            "collector/all.log",
            "scan.nessus",
        ],
    );
    let err = stderr(&o);
    assert!(err.contains("detected as syslog"), "{err}");
    assert!(err.contains("events by classifier:"), "{err}");
    assert!(err.contains("cisco_asa"), "{err}");
    // events prints one JSON object per event, each naming its observer.
    let out = stdout(&o);
    let observers: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["observer"].to_string())
        .collect();
    assert!(observers.iter().any(|o| o == "\"panos\""), "{out}");
    assert!(observers.iter().any(|o| o == "\"junos\""), "{out}");
}

#[test]
fn events_lists_unrecognised_inputs_with_verbose() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("notes.txt"),
        "just some words\nnothing else\n",
    )
    .unwrap();
    let o = run_in(d.path(), &["events", "-v", "notes.txt"]);
    let err = stderr(&o);
    assert!(err.contains("notes.txt: unrecognised ("), "{err}");
    assert!(err.contains("none of 2 sampled lines"), "{err}");
}
