//! Every scanner's "open before, gone now" from the CLI: nmap baseline/rescan, OpenVAS, masscan, a
//! three-report series, a manual case, and the bad inputs around them. Fixtures are written here
//! from scratch (documentation addresses); times are 2026-11-20 (UTC).

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use serde_json::Value;

fn t(h: u32, m: u32) -> i64 {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
        .unwrap()
        .timestamp()
}

/// An nmap -oX report of one host: `ports` = (port, state, reason, ttl, reason_ip).
fn nmap(start: i64, host: &str, ports: &[(u16, &str, &str, u8, &str)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner=\"nmap\" args=\"nmap -sS --reason -p 22,80,443,8080 -oX - {host}\" start=\"{start}\" version=\"7.94\" xmloutputversion=\"1.05\">\n<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"4\" services=\"22,80,443,8080\"/>\n<host starttime=\"{start}\" endtime=\"{}\"><status state=\"up\" reason=\"echo-reply\" reason_ttl=\"63\"/>\n<address addr=\"{host}\" addrtype=\"ipv4\"/>\n<hostnames><hostname name=\"web01.example.org\" type=\"PTR\"/></hostnames>\n<ports>\n",
        start + 600
    );
    for (p, st, why, ttl, from) in ports {
        let from = if from.is_empty() {
            String::new()
        } else {
            format!(" reason_ip=\"{from}\"")
        };
        s.push_str(&format!(
            "<port protocol=\"tcp\" portid=\"{p}\"><state state=\"{st}\" reason=\"{why}\" reason_ttl=\"{ttl}\"{from}/><service name=\"svc{p}\" method=\"table\" conf=\"3\"/></port>\n"
        ));
    }
    s.push_str(&format!(
        "</ports>\n</host>\n<runstats><finished time=\"{}\" elapsed=\"601\" exit=\"success\"/><hosts up=\"1\" down=\"0\" total=\"1\"/></runstats>\n</nmaprun>\n",
        start + 601
    ));
    s
}

fn port(r: &Value, p: u64) -> &Value {
    r["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["port"] == p)
        .unwrap_or_else(|| panic!("port {p} not in {r:#}"))
}

/// Verdict, cause and first evidence file:line of a port.
fn assert_finding(p: &Value, verdict: &str, cause: &str, file: &str, line: u64) {
    assert_eq!(p["verdict"], verdict, "{p:#}");
    assert_eq!(p["cause"], cause, "{p:#}");
    assert_eq!(p["evidence"][0]["file"], file, "{p:#}");
    assert_eq!(p["evidence"][0]["line"], line, "{p:#}");
}

fn write(d: &tempfile::TempDir, name: &str, text: &str) {
    let p = d.path().join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

const OPEN: [(u16, &str, &str, u8, &str); 4] = [
    (22, "open", "syn-ack", 63, ""),
    (80, "open", "syn-ack", 63, ""),
    (443, "open", "syn-ack", 63, ""),
    (8080, "open", "syn-ack", 63, ""),
];

#[test]
fn nmap_baseline_and_rescan_with_reasons_and_logs() {
    let d = tempfile::tempdir().unwrap();
    write(&d, "scans/base.xml", &nmap(t(1, 0), "192.0.2.10", &OPEN));
    write(
        &d,
        "scans/rescan.xml",
        &nmap(
            t(2, 0),
            "192.0.2.10",
            &[
                (22, "open", "syn-ack", 63, ""),
                (80, "closed", "reset", 63, ""),
                (443, "filtered", "no-response", 0, ""),
                (8080, "filtered", "admin-prohibited", 253, "192.0.2.1"),
            ],
        ),
    );
    write(
        &d,
        "web01/syslog",
        concat!(
            "Nov 20 02:03:00 web01 systemd[1]: Stopping nginx.service - A high performance web server...\n",
            "Nov 20 02:03:01 web01 systemd[1]: Stopped nginx.service - A high performance web server.\n",
            "Nov 20 02:05:00 web01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=198.51.100.7 DST=192.0.2.10 LEN=44 TOS=0x00 PREC=0x00 TTL=52 ID=1 PROTO=TCP SPT=40000 DPT=443 WINDOW=1024 RES=0x00 SYN URGP=0\n",
            "Nov 20 02:05:03 web01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=198.51.100.7 DST=192.0.2.10 LEN=44 TOS=0x00 PREC=0x00 TTL=52 ID=2 PROTO=TCP SPT=40001 DPT=443 WINDOW=1024 RES=0x00 SYN URGP=0\n",
        ),
    );
    let (code, r) = analyze_json(
        d.path(),
        &[
            "--baseline",
            "scans/base.xml",
            "--scan",
            "scans/rescan.xml",
            "web01",
        ],
    );
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    assert_eq!(r["ports"].as_array().unwrap().len(), 3, "{r:#}");

    // closed → the nginx stop, confirmed by the host's own reset (same TTL as its syn-acks).
    let p80 = port(&r, 80);
    assert_eq!(p80["scan_state"], "closed");
    assert_finding(p80, "service_restart", "service_stop", "web01/syslog", 1);
    let e80 = p80["explanation"].as_str().unwrap();
    assert!(e80.contains("the host itself refused"), "{e80}");
    assert!(e80.contains("scans/rescan.xml:"), "{e80}");
    // Window: host start in the baseline → host end in the rescan.
    assert_eq!(p80["window"]["start"], "2026-11-20T01:00:00Z");
    assert_eq!(p80["window"]["end"], "2026-11-20T02:10:00Z");

    // unresponsive → UFW drops of the scanner, whose address the logs gave.
    let p443 = port(&r, 443);
    assert_eq!(p443["verdict"], "blocked", "{p443:#}");
    assert_eq!(p443["cause"], "firewall_drop");
    assert_eq!(p443["evidence"][0]["line"], 3);
    let e443 = p443["explanation"].as_str().unwrap();
    assert!(
        e443.contains("198.51.100.7 was inferred from the logs"),
        "{e443}"
    );

    // admin-prohibited alone: a firewall's reject, without a log line.
    let p8080 = port(&r, 8080);
    assert_eq!(p8080["verdict"], "blocked", "{p8080:#}");
    assert_eq!(p8080["cause"], "firewall_reject");
    assert_eq!(p8080["confidence"], "medium");
    assert!(p8080["evidence"].as_array().unwrap().is_empty());
    let e = p8080["explanation"].as_str().unwrap();
    assert!(
        e.contains("ICMP admin-prohibited from 192.0.2.1 with TTL 253 (scans/rescan.xml:12; open in scans/base.xml)"),
        "{e}"
    );
    assert!(
        p8080["advice"][0].as_str().unwrap().contains("traceroute"),
        "{p8080:#}"
    );
    let notes = r["scans"][1]["notes"].to_string();
    assert!(notes.contains("inferred"), "{notes}");
}

#[test]
fn a_reset_from_a_middlebox_is_told_by_its_ttl() {
    let d = tempfile::tempdir().unwrap();
    write(&d, "a.xml", &nmap(t(1, 0), "192.0.2.10", &OPEN[..3]));
    write(
        &d,
        "b.xml",
        &nmap(
            t(2, 0),
            "192.0.2.10",
            &[
                (22, "open", "syn-ack", 63, ""),
                (80, "open", "syn-ack", 63, ""),
                (443, "closed", "reset", 250, ""),
            ],
        ),
    );
    // Two nmap files among PATHS: the earlier is the baseline.
    let (code, r) = analyze_json(d.path(), &["--scanner-ip", "203.0.113.5", "b.xml", "a.xml"]);
    assert_eq!(code, 0, "{r:#}");
    let p = port(&r, 443);
    assert_eq!(p["verdict"], "blocked", "{p:#}");
    assert_eq!(p["cause"], "firewall_reject");
    assert_eq!(p["confidence"], "low");
    assert!(
        p["explanation"]
            .as_str()
            .unwrap()
            .contains("sent by a device in between"),
        "{p:#}"
    );
    assert_eq!(r["scans"][0]["file"], "a.xml", "ordered by start time");
}

#[test]
fn a_lone_nmap_report_needs_a_baseline() {
    let d = tempfile::tempdir().unwrap();
    write(&d, "one.xml", &nmap(t(1, 0), "192.0.2.10", &OPEN));
    let (code, r) = analyze_json(d.path(), &["--scan", "one.xml"]);
    assert_eq!(code, 0, "{r:#}");
    assert!(r["ports"].as_array().unwrap().is_empty());
    assert!(
        r["scans"][0]["notes"].to_string().contains("--baseline"),
        "{r:#}"
    );
}

fn openvas(start: &str, end: &str, hosts: &[(&str, &str, bool)]) -> String {
    let mut results = String::new();
    let mut blocks = String::new();
    for (ip, ports, dead) in hosts {
        if *dead {
            results.push_str(&format!("<result id=\"d{ip}\"><name>Ping Host</name><host>{ip}</host><port>general/tcp</port><description>The remote host {ip} was considered as dead.</description></result>\n"));
            continue;
        }
        for p in ports.split(',') {
            results.push_str(&format!("<result id=\"r{ip}{p}\"><name>Service</name><host>{ip}<asset asset_id=\"\"/><hostname>h.example.org</hostname></host><port>{p}/tcp</port><nvt oid=\"1.3.6.1.4.1.25623.1.0.10330\"><name>Services</name></nvt><description>A service is running</description></result>\n"));
        }
        blocks.push_str(&format!("<host><ip>{ip}</ip><asset asset_id=\"\"/><start>{start}</start><end>{end}</end><detail><name>ports</name><value>{ports}</value></detail></host>\n"));
    }
    format!(
        "<report id=\"x\" format_id=\"a994b278-1f62-11e1-96ac-406186ea4fc5\" extension=\"xml\" content_type=\"text/xml\"><name>{start}</name>\n<report id=\"x\"><gmp><version>22.4</version></gmp><scan_run_status>Done</scan_run_status><scan_start>{start}</scan_start>\n<results start=\"1\" max=\"-1\">\n{results}</results>\n{blocks}<scan_end>{end}</scan_end></report></report>\n"
    )
}

#[test]
fn openvas_baseline_and_rescan_with_a_ban_and_a_dead_host() {
    let d = tempfile::tempdir().unwrap();
    write(
        &d,
        "gvm/monday.xml",
        &openvas(
            "2026-11-20T01:00:00Z",
            "2026-11-20T01:30:00Z",
            &[
                ("192.0.2.20", "22,443", false),
                ("192.0.2.21", "3306", false),
            ],
        ),
    );
    write(
        &d,
        "gvm/tuesday.xml",
        &openvas(
            "2026-11-20T02:00:00Z",
            "2026-11-20T02:30:00Z",
            &[("192.0.2.20", "443", false), ("192.0.2.21", "", true)],
        ),
    );
    write(
        &d,
        "bastion/fail2ban.log",
        "2026-11-20 02:07:47,552 fail2ban.actions        [702]: NOTICE  [sshd] Ban 203.0.113.5\n",
    );
    write(
        &d,
        "cfg.toml",
        "[sources.\"bastion/*\"]\nhost = \"192.0.2.20\"\n",
    );
    let (code, r) = analyze_json(
        d.path(),
        &[
            "--baseline",
            "gvm/monday.xml",
            "--scan",
            "gvm/tuesday.xml",
            "--scanner-ip",
            "203.0.113.5",
            "--config",
            "cfg.toml",
            "bastion",
        ],
    );
    assert_eq!(code, 0, "{r:#}");
    let p22 = port(&r, 22);
    assert_eq!(p22["host"], "192.0.2.20");
    assert_eq!(p22["scan_state"], "unresponsive");
    assert_finding(p22, "blocked", "ban", "bastion/fail2ban.log", 1);
    let p3306 = port(&r, 3306);
    assert_eq!(p3306["host"], "192.0.2.21");
    assert_eq!(p3306["scan_state"], "unresponsive");
    let notes = r["scans"][1]["notes"].to_string();
    assert!(notes.contains("192.0.2.21 was down"), "{notes}");
}

fn masscan(entries: &[(&str, u16, i64)]) -> String {
    let body: Vec<String> = entries
        .iter()
        .map(|(ip, p, ts)| format!("{{   \"ip\": \"{ip}\",   \"timestamp\": \"{ts}\", \"ports\": [ {{\"port\": {p}, \"proto\": \"tcp\", \"status\": \"open\", \"reason\": \"syn-ack\", \"ttl\": 64}} ] }}"))
        .collect();
    format!("[\n{}\n]\n", body.join("\n,\n"))
}

#[test]
fn a_three_report_series_of_mixed_formats() {
    let d = tempfile::tempdir().unwrap();
    // 01:00 masscan sees 22 and 443; 02:00 nmap sees both open; 03:00 masscan -oL sees only 22.
    write(
        &d,
        "s1.json",
        &masscan(&[("192.0.2.30", 22, t(1, 0)), ("192.0.2.30", 443, t(1, 1))]),
    );
    write(
        &d,
        "s2.xml",
        &nmap(
            t(2, 0),
            "192.0.2.30",
            &[
                (22, "open", "syn-ack", 64, ""),
                (443, "open", "syn-ack", 64, ""),
            ],
        ),
    );
    write(
        &d,
        "s3.txt",
        &format!("#masscan\nopen tcp 22 192.0.2.30 {}\n# end\n", t(3, 5)),
    );
    write(
        &d,
        "fw/kern.log",
        "Nov 20 02:55:00 fw01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=203.0.113.5 DST=192.0.2.30 LEN=44 TOS=0x00 PREC=0x00 TTL=52 ID=1 PROTO=TCP SPT=40000 DPT=443 WINDOW=1024 RES=0x00 SYN URGP=0\n",
    );
    // Given out of order: compared by start time.
    let (code, r) = analyze_json(
        d.path(),
        &[
            "--scan",
            "s3.txt",
            "--scan",
            "s1.json",
            "--scan",
            "s2.xml",
            "--scanner-ip",
            "203.0.113.5",
            "fw",
        ],
    );
    assert_eq!(code, 0, "{r:#}");
    let ports = r["ports"].as_array().unwrap();
    assert_eq!(ports.len(), 1, "{r:#}");
    let p = &ports[0];
    assert_eq!(p["port"], 443);
    assert_finding(p, "blocked", "firewall_drop", "fw/kern.log", 1);
    // From the host's start in the last report that saw it open (s2, 02:00) to its end in the
    // first where it is gone (s3: masscan's own time, 03:05).
    assert_eq!(p["window"]["start"], "2026-11-20T02:00:00Z");
    assert_eq!(p["window"]["end"], "2026-11-20T03:05:00Z");
    let files: Vec<&str> = r["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, vec!["s1.json", "s2.xml", "s3.txt"]);
    assert!(
        r["scans"][2]["notes"]
            .to_string()
            .contains("order of their start times"),
        "{r:#}"
    );
}

#[test]
fn a_manual_case_without_a_scan_file() {
    let d = tempfile::tempdir().unwrap();
    write(
        &d,
        "db01/syslog",
        concat!(
            "Nov 20 02:27:41 db01 systemd[1]: Stopping mysql.service - MySQL Community Server...\n",
            "Nov 20 02:27:44 db01 systemd[1]: Stopped mysql.service - MySQL Community Server.\n",
        ),
    );
    let (code, r) = analyze_json(
        d.path(),
        &[
            "--target",
            "db01",
            "--ports",
            "3306",
            "--window",
            "2026-11-20T02:00:00Z..2026-11-20T02:40:00Z",
            "--state",
            "closed",
            "db01",
        ],
    );
    assert_eq!(code, 0, "{r:#}");
    let p = port(&r, 3306);
    assert_eq!(p["host"], "db01");
    assert_finding(p, "service_restart", "service_stop", "db01/syslog", 1);
    assert_eq!(r["scans"][0]["format"], "manual");
    assert!(
        p["explanation"].as_str().unwrap().contains("no scanner"),
        "{p:#}"
    );
}

#[test]
fn bad_scan_inputs_get_clear_messages() {
    let d = tempfile::tempdir().unwrap();
    let full = nmap(t(2, 0), "192.0.2.10", &OPEN);
    write(&d, "cut.xml", &full[..full.find("<runstats>").unwrap()]);
    write(&d, "late.xml", &nmap(t(5, 0), "192.0.2.10", &OPEN));
    write(&d, "early.xml", &nmap(t(1, 0), "192.0.2.10", &OPEN));
    write(&d, "other.xml", &nmap(t(6, 0), "198.51.100.99", &OPEN[..1]));
    write(&d, "empty.json", "[\n]\n");

    // Truncated XML: the report is an input error (exit 2 with --strict, a message either way).
    let o = run_in(d.path(), &["analyze", "--no-progress", "--scan", "cut.xml"]);
    let err = stderr(&o);
    assert!(
        err.contains("truncated") && err.contains("interrupted scan"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert_eq!(o.status.code(), Some(2), "{err}");

    // A baseline later than its rescan.
    let o = run_in(
        d.path(),
        &[
            "analyze",
            "--no-progress",
            "--baseline",
            "late.xml",
            "--scan",
            "early.xml",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("swap them"), "{err}");

    // Other hosts in the rescan than in the baseline: nothing compared, said.
    let (code, r) = analyze_json(
        d.path(),
        &["--baseline", "early.xml", "--scan", "other.xml"],
    );
    assert_eq!(code, 0, "{r:#}");
    assert!(r["ports"].as_array().unwrap().is_empty());
    assert!(
        r["scans"][1]["notes"]
            .to_string()
            .contains("no host in common"),
        "{r:#}"
    );

    // An empty masscan list, forced as masscan.
    let o = run_in(
        d.path(),
        &[
            "analyze",
            "--no-progress",
            "--format-of",
            "empty.json=masscan_json",
            "--baseline",
            "early.xml",
            "--scan",
            "empty.json",
        ],
    );
    let out = stdout(&o);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(out.contains("empty list"), "{out}\n{}", stderr(&o));

    // No scan, no --target: says how to give one.
    write(
        &d,
        "logs/syslog",
        "Nov 20 02:00:00 h sshd[1]: Server listening on 0.0.0.0 port 22.\n",
    );
    let o = run_in(d.path(), &["analyze", "--no-progress", "logs"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--target HOST --ports LIST --window"), "{err}");
}

/// The scan names its scanner, but the firewall only ever denies another address on exactly the
/// affected port: the scanner behind NAT. Said in the explanation and the advice, with the flag.
#[test]
fn another_source_denied_on_the_affected_port_is_a_nat_hint() {
    let d = tempfile::tempdir().unwrap();
    write(
        &d,
        "scan.nessus",
        &nessus(&[Host {
            ip: "192.0.2.10",
            fqdn: "web01.example.org",
            start: t(2, 0),
            end: t(2, 30),
            affected: &[(443, "www", "unresponsive")],
        }]),
    );
    write(
        &d,
        "web01/kern.log",
        "Nov 20 02:12:03 web01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=192.0.2.200 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40422 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0\n",
    );
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r:#}");
    let p = port(&r, 443);
    assert_eq!(p["verdict"], "unexplained", "{p:#}");
    let e = p["explanation"].as_str().unwrap();
    assert!(e.contains("deny 192.0.2.200"), "{e}");
    assert!(e.contains("--scanner-ip 192.0.2.200"), "{e}");
    assert!(
        p["advice"][0]
            .as_str()
            .unwrap()
            .contains("--scanner-ip 192.0.2.200"),
        "{p:#}"
    );
    // With the flag, the same line is the evidence.
    let (_, r) = analyze_json(d.path(), &["--scanner-ip", "192.0.2.200", "."]);
    let p = port(&r, 443);
    assert_eq!(p["verdict"], "blocked", "{p:#}");
    assert_eq!(p["evidence"][0]["file"], "./web01/kern.log");
    assert_eq!(p["evidence"][0]["line"], 1);
}
