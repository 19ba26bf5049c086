//! Small scenarios, one rule each: the decoys DESIGN.md names must not fool the correlation, and the
//! time options (--slack, --offset, --tz/--source-tz), host attribution and --config work end to end.

mod common;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use common::*;

fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, s).unwrap()
}

/// web01 = 192.0.2.10, window 02:00:00–02:30:00, given affected ports.
fn web01(affected: &[(u16, &str, &str)]) -> String {
    nessus(&[Host {
        ip: "192.0.2.10",
        fqdn: "web01.example.com",
        start: t(2, 0, 0).timestamp(),
        end: t(2, 30, 0).timestamp(),
        affected,
    }])
}

/// web01 as above plus web02 = 192.0.2.11, same window.
fn web01_web02(web01: &[(u16, &str, &str)], web02: &[(u16, &str, &str)]) -> String {
    let host = |ip, fqdn, affected| Host {
        ip,
        fqdn,
        start: t(2, 0, 0).timestamp(),
        end: t(2, 30, 0).timestamp(),
        affected,
    };
    nessus(&[
        host("192.0.2.10", "web01.example.com", web01),
        host("192.0.2.11", "web02.example.com", web02),
    ])
}

fn ufw(time: &str, host: &str, src: &str, dst: &str, dpt: u16, prefix: &str) -> String {
    format!(
        "Nov 20 {time} {host} kernel: [1000.000001] [{prefix}] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC={src} DST={dst} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40000 DPT={dpt} WINDOW=64240 RES=0x00 SYN URGP=0\n"
    )
}

/// web01's scan (443 unresponsive) and one UFW drop of the scanner to web01:443 at `time`.
fn scanner_dropped_on_web01_443_at(time: &str) -> tempfile::TempDir {
    scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "web01/kern.log",
            ufw(time, "web01", "203.0.113.5", "192.0.2.10", 443, "UFW BLOCK"),
        ),
    ])
}

/// Write files into a fresh dir: (relative path, content).
fn scenario(files: &[(&str, String)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (p, c) in files {
        let path = d.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, c).unwrap();
    }
    d
}

fn verdicts(dir: &Path, extra: &[&str]) -> (serde_json::Value, Vec<(u64, String, String)>) {
    let mut args: Vec<&str> = extra.to_vec();
    args.push(".");
    let (code, r) = analyze_json(dir, &args);
    assert_eq!(code, 0, "{r}");
    assert_schema_valid(&r);
    let v = r["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["port"].as_u64().unwrap(),
                p["verdict"].as_str().unwrap().to_string(),
                p["cause"].as_str().unwrap_or("null").to_string(),
            )
        })
        .collect();
    (r, v)
}

fn one(v: &[(u64, String, String)]) -> (&str, &str) {
    assert_eq!(v.len(), 1, "{v:?}");
    (v[0].1.as_str(), v[0].2.as_str())
}

const UNRESP_443: &[(u16, &str, &str)] = &[(443, "www", "unresponsive")];

#[test]
fn scanner_denied_on_another_port_is_not_evidence() {
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "web01/kern.log",
            ufw(
                "02:10:00",
                "web01",
                "203.0.113.5",
                "192.0.2.10",
                8443,
                "UFW BLOCK",
            ),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
    let expl = r["ports"][0]["explanation"].as_str().unwrap().to_string();
    assert!(
        expl.contains("the scanner was denied on other ports of this host (tcp/8443; first at ./web01/kern.log:1), not on tcp/443"),
        "{expl}"
    );
}

#[test]
fn scanner_denied_to_another_host_is_not_evidence() {
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "fw01/kern.log",
            ufw(
                "02:10:00",
                "fw01",
                "203.0.113.5",
                "192.0.2.99",
                443,
                "UFW BLOCK",
            ),
        ),
    ]);
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
}

#[test]
fn another_source_denied_on_the_right_port_is_not_evidence() {
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "web01/kern.log",
            ufw(
                "02:10:00",
                "web01",
                "198.51.100.7",
                "192.0.2.10",
                443,
                "UFW BLOCK",
            ),
        ),
    ]);
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
}

#[test]
fn deny_outside_the_window_counts_only_with_a_wider_slack() {
    // 01:40 is 20 minutes before the host's start: outside the default 5m slack, inside 30m.
    let d = scanner_dropped_on_web01_443_at("01:40:00");
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
    let expl = r["ports"][0]["explanation"].as_str().unwrap();
    assert!(expl.contains("none covers the window"), "{expl}");
    assert!(
        expl.contains(
            "the scanner was denied on this port at 2026-11-20T01:40:00Z (./web01/kern.log:1), 20m before the window"
        ),
        "{expl}"
    );
    let (r, v) = verdicts(d.path(), &["--slack", "30m"]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
    assert_eq!(r["ports"][0]["evidence"][0]["line"], 1);
}

#[test]
fn unrelated_service_restart_is_not_evidence() {
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "web01/syslog",
            "Nov 20 02:10:00 web01 systemd[1]: Stopping cron.service - Regular background program processing daemon...\nNov 20 02:10:00 web01 systemd[1]: Stopped cron.service - Regular background program processing daemon.\n".into(),
        ),
    ]);
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
}

#[test]
fn right_service_stopping_on_another_host_is_not_evidence() {
    let scan = web01_web02(UNRESP_443, &[(22, "ssh", "unresponsive")]);
    let d = scenario(&[
        ("scan.nessus", scan),
        (
            "logs/syslog",
            "Nov 20 02:10:00 web02 systemd[1]: Stopped nginx.service - A high performance web server and a reverse proxy server.\n".into(),
        ),
    ]);
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(v[0], (443, "unexplained".into(), "null".into()));
    assert_eq!(v[1], (22, "unexplained".into(), "null".into()));
}

#[test]
fn service_back_before_the_recheck_is_not_a_cause() {
    let d = scenario(&[
        ("scan.nessus", web01(&[(443, "www", "closed")])),
        (
            "web01/syslog",
            "Nov 20 02:05:00 web01 systemd[1]: Stopped nginx.service - A high performance web server and a reverse proxy server.\nNov 20 02:05:02 web01 systemd[1]: Started nginx.service - A high performance web server and a reverse proxy server.\n".into(),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
    let expl = r["ports"][0]["explanation"].as_str().unwrap();
    assert!(expl.contains("was back at 2026-11-20T02:05:02Z"), "{expl}");
}

#[test]
fn service_stopped_until_after_the_recheck_is_a_restart() {
    let d = scenario(&[
        ("scan.nessus", web01(&[(443, "www", "closed")])),
        (
            "web01/syslog",
            "Nov 20 02:05:00 web01 systemd[1]: Stopped nginx.service - A high performance web server and a reverse proxy server.\nNov 20 02:41:00 web01 systemd[1]: Started nginx.service - A high performance web server and a reverse proxy server.\n".into(),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("service_restart", "service_stop"));
    let ev: Vec<u64> = r["ports"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(ev, vec![1, 2]);
    // Port 443 ↔ nginx by the default-port table only: an inferred mapping.
    assert_eq!(r["ports"][0]["confidence"], "medium");
}

#[test]
fn drop_for_a_closed_port_lowers_confidence_but_keeps_evidence() {
    let d = scenario(&[
        ("scan.nessus", web01(&[(443, "www", "closed")])),
        (
            "web01/kern.log",
            ufw(
                "02:10:00",
                "web01",
                "203.0.113.5",
                "192.0.2.10",
                443,
                "UFW BLOCK",
            ),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
    assert_eq!(r["ports"][0]["confidence"], "medium");
    assert!(
        r["ports"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("confidence is lowered")
    );
}

#[test]
fn reject_fits_closed() {
    // ulogd2 LOGEMU: same fields, no `kernel:` tag; the prefix says REJECT.
    let line = "Nov 20 02:10:00 web01 fw-REJECT: IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40000 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0\n";
    let d = scenario(&[
        ("scan.nessus", web01(&[(443, "www", "closed")])),
        ("ulogd/syslogemu.log", line.into()),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("blocked", "firewall_reject"));
    assert_eq!(r["ports"][0]["confidence"], "high");
}

#[test]
fn offset_corrects_a_fast_clock() {
    // The firewall's clock runs 10 minutes fast: it logged 02:44 for 02:34 (window end 02:30 + 5m).
    let d = scanner_dropped_on_web01_443_at("02:44:00");
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
    let expl = r["ports"][0]["explanation"].as_str().unwrap();
    assert!(expl.contains("14m after the window"), "{expl}");
    let (r, v) = verdicts(d.path(), &["--offset", "kern.log=+10m"]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
    assert_eq!(r["ports"][0]["evidence"][0]["time"], "2026-11-20T02:34:00Z");
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"] == "./web01/kern.log")
        .unwrap();
    assert_eq!(src["clock_offset_s"], 600.0);
}

#[test]
fn source_tz_reads_local_times() {
    // Logged in Berlin local time (UTC+1 in November): 03:10 local = 02:10 UTC.
    let d = scanner_dropped_on_web01_443_at("03:10:00");
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
    let (r, v) = verdicts(d.path(), &["--source-tz", "web01/*=Europe/Berlin"]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
    assert_eq!(r["ports"][0]["evidence"][0]["time"], "2026-11-20T02:10:00Z");
    let (_, v) = verdicts(d.path(), &["--tz", "Europe/Berlin"]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
}

#[test]
fn host_decided_by_path_when_the_host_field_names_a_collector() {
    let scan = web01_web02(&[(443, "www", "closed")], &[(443, "www", "closed")]);
    let d = scenario(&[
        ("scan.nessus", scan),
        (
            "archive/web02/syslog",
            "Nov 20 02:10:00 logcollector systemd[1]: Stopped nginx.service - A high performance web server and a reverse proxy server.\n".into(),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(v[0], (443, "unexplained".into(), "null".into()));
    assert_eq!(v[1], (443, "service_restart".into(), "service_stop".into()));
    assert!(
        r["ports"][1]["explanation"]
            .as_str()
            .unwrap()
            .contains("the log file's path")
    );
}

#[test]
fn config_maps_port_to_unit_and_source_to_host() {
    let d = scenario(&[
        ("scan.nessus", web01(&[(8443, "www", "closed")])),
        (
            "collected/app.log",
            "Nov 20 02:10:00 box systemd[1]: tomcat9.service: Main process exited, code=dumped, status=11/SEGV\nNov 20 02:10:00 box systemd[1]: tomcat9.service: Failed with result 'core-dump'.\n".into(),
        ),
        (
            "pm.toml",
            "[services]\n\"192.0.2.10:8443\" = \"tomcat9\"\n\n[sources.\"collected/*\"]\nhost = \"web01\"\n".into(),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &["--config", "pm.toml"]);
    assert_eq!(one(&v), ("service_restart", "service_crash"));
    assert_eq!(r["ports"][0]["confidence"], "high");
    let expl = r["ports"][0]["explanation"].as_str().unwrap();
    assert!(expl.contains("--config"), "{expl}");
}

#[test]
fn reboot_outranks_the_unit_stops_inside_it() {
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "web01/syslog",
            "Nov 20 02:12:00 web01 systemd-logind[611]: System is rebooting.\nNov 20 02:12:01 web01 systemd[1]: Stopping nginx.service - A high performance web server and a reverse proxy server...\nNov 20 02:12:02 web01 systemd[1]: Stopped nginx.service - A high performance web server and a reverse proxy server.\nNov 20 02:12:03 web01 kernel: [ 9911.1] reboot: Restarting system\n".into(),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("service_restart", "host_reboot"));
    let lines: Vec<u64> = r["ports"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines[0], 1, "the reboot line leads the evidence");
    assert!(
        lines.contains(&3),
        "the unit stop stays as evidence: {lines:?}"
    );
}

#[test]
fn ipv6_scanner_in_expanded_netfilter_form() {
    let scan = nessus(&[Host {
        ip: "2001:db8::10",
        fqdn: "v6web.example.com",
        start: t(2, 0, 0).timestamp(),
        end: t(2, 30, 0).timestamp(),
        affected: UNRESP_443,
    }]);
    // netfilter prints IPv6 addresses fully expanded.
    let line = "Nov 20 02:10:00 v6web kernel: [1.0] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:86:dd SRC=2001:0db8:0000:0000:0000:0000:0000:0005 DST=2001:0db8:0000:0000:0000:0000:0000:0010 LEN=80 TC=0 HOPLIMIT=57 FLOWLBL=0 PROTO=TCP SPT=40000 DPT=443 WINDOW=64800 RES=0x00 SYN URGP=0\n";
    let d = scenario(&[("scan.nessus", scan), ("v6web/kern.log", line.into())]);
    let (r, v) = verdicts(d.path(), &["--scanner-ip", "2001:db8::5"]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
    assert_eq!(r["ports"][0]["host"], "2001:db8::10");
}

fn f2b(lines: &[(&str, &str, &str, &str)]) -> String {
    lines
        .iter()
        .map(|(time, jail, action, ip)| {
            format!("2026-11-20 {time},100 fail2ban.actions        [702]: NOTICE  [{jail}] {action} {ip}\n")
        })
        .collect()
}

const UNRESP_22: &[(u16, &str, &str)] = &[(22, "ssh", "unresponsive")];

#[test]
fn ban_lifted_before_the_recheck_is_not_a_cause() {
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_22)),
        (
            "web01/fail2ban.log",
            f2b(&[
                ("02:05:00", "sshd", "Ban", "203.0.113.5"),
                ("02:15:00", "sshd", "Unban", "203.0.113.5"),
            ]),
        ),
    ]);
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
}

#[test]
fn ban_of_a_jail_for_other_ports_or_of_another_address_is_not_a_cause() {
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_22)),
        (
            "web01/fail2ban.log",
            f2b(&[
                ("02:05:00", "nginx-http-auth", "Ban", "203.0.113.5"),
                ("02:06:00", "sshd", "Ban", "198.51.100.9"),
            ]),
        ),
    ]);
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
}

#[test]
fn recidive_ban_covers_every_port_until_lifted() {
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "web01/fail2ban.log",
            f2b(&[("02:05:00", "recidive", "Ban", "203.0.113.5")]),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("blocked", "ban"));
    assert_eq!(r["ports"][0]["evidence"][0]["line"], 1);
    let advice = r["ports"][0]["advice"][0].as_str().unwrap();
    assert!(
        advice.contains("fail2ban-client set recidive unbanip 203.0.113.5"),
        "{advice}"
    );
}

#[test]
fn html_and_markdown_escape_hostile_log_text() {
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "web01/kern.log",
            ufw(
                "02:10:00",
                "web01",
                "203.0.113.5",
                "192.0.2.10",
                443,
                "<script>alert(1)</script>|x",
            ),
        ),
    ]);
    let o = run_in(d.path(), &["analyze", "--format", "html", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = stdout(&o);
    assert!(html.contains("firewall_drop"), "the deny is still evidence");
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"));
    let o = run_in(d.path(), &["analyze", "--format", "markdown", "."]);
    let md = stdout(&o);
    assert!(!md.contains("<script>"), "{md}");
    assert!(
        md.contains("\\|x"),
        "a pipe in log text must not split a table cell"
    );
}

#[test]
fn only_scanned_host_takes_a_single_host_file_but_not_other_hosts_in_a_central_log() {
    let stop = |host: &str| {
        format!(
            "Nov 20 02:10:00 {host} systemd[1]: Stopped nginx.service - A high performance web server and a reverse proxy server.\n"
        )
    };
    // A file from one machine whose name the scan does not know: it is the only scanned host's.
    let d = scenario(&[
        ("scan.nessus", web01(&[(443, "www", "closed")])),
        (
            "logs/syslog",
            format!("{}{}", stop("srv-17"), stop("srv-17")),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("service_restart", "service_stop"));
    assert!(
        r["ports"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("only scanned host")
    );
    // A central log server's file: db02 and web03 are other machines, not web01.
    let d = scenario(&[
        ("scan.nessus", web01(&[(443, "www", "closed")])),
        ("logs/syslog", format!("{}{}", stop("db02"), stop("web03"))),
    ]);
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
}

#[test]
fn no_line_naming_the_scanner_suggests_nat() {
    // Only the NAT address 198.51.100.200 reaches web01; the scan knows 203.0.113.5.
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "web01/kern.log",
            ufw(
                "02:10:00",
                "web01",
                "198.51.100.200",
                "192.0.2.10",
                443,
                "UFW BLOCK",
            ),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
    let notes = r["scans"][0]["notes"].to_string();
    assert!(notes.contains("names the scanner (203.0.113.5)"), "{notes}");
    let (_, v) = verdicts(d.path(), &["--scanner-ip", "198.51.100.200"]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
}

#[test]
fn journald_json_export_is_read_like_syslog() {
    let rec = |t: &str, host: &str, msg: &str| {
        format!(
            r#"{{"__REALTIME_TIMESTAMP":"{t}","_HOSTNAME":"{host}","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"{msg}"}}"#
        )
    };
    // 02:10:00 and 02:10:01 UTC on 2026-11-20.
    let journal = [
        rec(
            "1795140600000000",
            "web01",
            "Stopping nginx.service - A high performance web server and a reverse proxy server...",
        ),
        rec(
            "1795140601000000",
            "web01",
            "Stopped nginx.service - A high performance web server and a reverse proxy server.",
        ),
        rec(
            "1795140601000000",
            "web02",
            "Stopped nginx.service - A high performance web server and a reverse proxy server.",
        ),
    ]
    .join("\n");
    let d = scenario(&[
        ("scan.nessus", web01(&[(443, "www", "closed")])),
        ("journal.json", journal + "\n"),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("service_restart", "service_stop"));
    let lines: Vec<u64> = r["ports"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![1, 2], "web02's stop is another host's");
    assert_eq!(r["ports"][0]["evidence"][0]["format"], "journald_json");
}

#[test]
fn wazuh_and_crowdsec_bans_are_host_wide_until_lifted_or_expired() {
    // Wazuh firewall-drop on web01 (4.x JSON names the agent), still active at the recheck.
    let wazuh = r#"2026/11/20 02:10:08 active-response/bin/firewall-drop: {"version":1,"command":"add","parameters":{"alert":{"agent":{"id":"005","name":"web01"},"data":{"srcip":"203.0.113.5"}}}}"#;
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        ("agents/active-responses.log", format!("{wazuh}\n")),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("blocked", "ban"));
    assert!(
        r["ports"][0]["advice"][0]
            .as_str()
            .unwrap()
            .contains("<white_list>")
    );
    // CrowdSec: a 4h ban covers the recheck; a 5m ban placed at 02:10 expired at 02:15.
    let line = |dur: &str| {
        format!(
            r#"time="2026-11-20T02:10:08Z" level=info msg="crowdsecurity/http-probing by ip 203.0.113.5 (FR/16276) : {dur} ban on Ip 203.0.113.5""#
        )
    };
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        ("web01/crowdsec.log", format!("{}\n", line("4h"))),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("blocked", "ban"));
    assert!(
        r["ports"][0]["advice"][0]
            .as_str()
            .unwrap()
            .contains("cscli decisions delete --ip 203.0.113.5")
    );
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        ("web01/crowdsec.log", format!("{}\n", line("5m"))),
    ]);
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
}

#[test]
fn zeek_conn_s0_is_weak_drop_evidence_and_a_stop_outranks_rej() {
    let header = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\n";
    let row = |ts: &str, port: u16, state: &str| {
        format!("{ts}\tC1\t203.0.113.5\t40000\t192.0.2.10\t{port}\ttcp\t-\t-\t-\t-\t{state}\n")
    };
    // 02:29:58 and 02:29:59: the recheck's attempts at the end of web01's window.
    let conn = format!(
        "{header}{}{}{}#close\t2026-11-20-03-00-00\n",
        row("1795141798.100000", 443, "S0"),
        row("1795141799.100000", 443, "S0"),
        row("1795141799.200000", 8443, "REJ")
    );
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        ("sensor01/conn.log", conn.clone()),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
    assert_eq!(r["ports"][0]["confidence"], "low");
    let ev: Vec<u64> = r["ports"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(ev, vec![8, 9]);
    assert!(
        r["ports"][0]["advice"][0]
            .as_str()
            .unwrap()
            .contains("network sensor")
    );
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "zeek_conn")
        .unwrap()
        .clone();
    assert_eq!(src["lines"], 11);
    assert_eq!(src["malformed"], 0);
    assert_eq!(src["first_time"], "2026-11-20T02:29:58.100Z");

    // A closed 8443: REJ from the sensor, but tomcat9 stopped and was not back: the stop wins.
    let d = scenario(&[
        ("scan.nessus", web01(&[(8443, "www", "closed")])),
        ("sensor01/conn.log", conn),
        (
            "web01/syslog",
            "Nov 20 02:20:00 web01 systemd[1]: tomcat9.service: Main process exited, code=dumped, status=11/SEGV\n".into(),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &["--config", "/dev/null"]);
    assert_eq!(one(&v), ("service_restart", "service_crash"));
    let expl = r["ports"][0]["explanation"].as_str().unwrap();
    assert!(
        expl.contains("Also seen: firewall_reject (a network sensor"),
        "{expl}"
    );
}

#[test]
fn asa_shun_covers_only_hosts_the_firewall_shows_behind_it() {
    let scan = web01_web02(UNRESP_443, &[(22, "ssh", "unresponsive")]);
    let asa = |t: &str, msg: &str| format!("<164>Nov 20 2026 {t}: {msg}\n");
    // The shun names no host; its shunned packets show web01 behind fw01, never web02.
    let log = [
        asa(
            "02:09:00",
            "%ASA-4-401002: Shun added: 203.0.113.5 0.0.0.0 0 0",
        ),
        asa(
            "02:09:05",
            "%ASA-4-401004: Shunned packet: 203.0.113.5 ==> 192.0.2.10 on interface outside",
        ),
    ]
    .concat();
    let d = scenario(&[("scan.nessus", scan.clone()), ("fw01/asa.log", log.clone())]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(v[0], (443, "blocked".into(), "ban".into()));
    assert_eq!(v[1], (22, "unexplained".into(), "null".into()));
    assert!(
        r["ports"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("cisco-asa shunned the scanner")
    );
    assert!(
        r["ports"][0]["advice"][0]
            .as_str()
            .unwrap()
            .contains("no shun 203.0.113.5")
    );

    // A deny of web02:22 puts web02 behind fw01 too: the host-less shun now covers it (the deny is
    // the stronger evidence). Lifting the shun before the recheck leaves web01 unexplained.
    let log2 = [
        log.clone(),
        asa("02:10:00", "%ASA-4-106023: Deny tcp src outside:203.0.113.5/40000 dst inside:192.0.2.11/22 by access-group \"outside_in\" [0x0, 0x0]"),
        asa("02:20:00", "%ASA-4-401003: Shun deleted: 203.0.113.5"),
    ]
    .concat();
    let d = scenario(&[("scan.nessus", scan), ("fw01/asa.log", log2)]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(v[0], (443, "unexplained".into(), "null".into()), "{r}");
    assert_eq!(v[1], (22, "blocked".into(), "firewall_drop".into()));
}

#[test]
fn blocks_dated_outside_the_scan_keep_listening_lines_and_skip_lifecycle_noise() {
    // ~3 MiB of the previous day (more than one 2 MiB read block): systemd noise, and mysqld
    // announcing its port at start-up. Then the stop during the scan.
    let mut log = String::new();
    log.push_str("Nov 19 06:00:00 web01 mysqld[911]: 2026-11-19T06:00:00.402118Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.40'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  (Ubuntu).\n");
    let mut noise = 0;
    while log.len() < 3 * 1024 * 1024 {
        noise += 1;
        log.push_str(&format!(
            "Nov 19 {:02}:{:02}:{:02} web01 systemd[1]: Started session-{noise}.scope - Session {noise} of User alice.\n",
            7 + (noise / 3600) % 10,
            (noise / 60) % 60,
            noise % 60
        ));
    }
    log.push_str(
        "Nov 20 02:10:00 web01 systemd[1]: Stopped mysql.service - MySQL Community Server.\n",
    );
    let d = scenario(&[
        ("scan.nessus", web01(&[(3306, "mysql", "closed")])),
        ("web01/syslog", log),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("service_restart", "service_stop"));
    // The mapping came from the listening line, found in a block dated a day before the scan.
    assert_eq!(r["ports"][0]["confidence"], "high");
    assert!(
        r["ports"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("\"listening on\" line")
    );
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"] == "./web01/syslog")
        .unwrap();
    // Most "Started" noise lies in blocks wholly before the scan: skipped, not parsed.
    let ignored = src["ignored"].as_u64().unwrap();
    assert!(
        ignored > noise as u64 / 2,
        "ignored {ignored} of {noise} noise lines"
    );
}

#[test]
fn windows_service_stop_relayed_through_syslog_explains_rdp() {
    let scan = nessus(&[Host {
        ip: "192.0.2.10",
        fqdn: "win01.example.com",
        start: t(2, 0, 0).timestamp(),
        end: t(2, 30, 0).timestamp(),
        affected: &[(3389, "msrdp", "closed")],
    }]);
    let log = "<14>1 2026-11-20T02:12:00Z win01.example.com EvntSLog - - - @cee: {\"source\": \"win01.example.com\", \"msg\": \"The Remote Desktop Services service entered the stopped state.\", \"sourceproc\": \"Service Control Manager\", \"id\": \"7036\"}\n";
    let d = scenario(&[("scan.nessus", scan), ("collector/windows.log", log.into())]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("service_restart", "service_stop"));
    let expl = r["ports"][0]["explanation"].as_str().unwrap();
    assert!(
        expl.contains("Remote Desktop Services on 192.0.2.10 stopped"),
        "{expl}"
    );
}

#[test]
fn globs_match_relative_and_absolute_paths_and_unmatched_ones_are_warned() {
    let d = scanner_dropped_on_web01_443_at("02:44:00");
    // The same offset given by the absolute path of the file and by the relative one.
    let abs = format!("{}=+10m", d.path().join("web01/kern.log").display());
    for glob in [abs.as_str(), "web01/kern.log=+10m", "./web01/*.log=+10m"] {
        let (_, v) = verdicts(d.path(), &["--offset", glob]);
        assert_eq!(one(&v), ("blocked", "firewall_drop"), "{glob}");
    }
    // A glob that matches nothing is said, naming the flag and how inputs are named.
    let o = run_in(
        d.path(),
        &[
            "analyze",
            "--no-progress",
            "--source-tz",
            "gw01/*=Europe/Berlin",
            "--offset",
            "kern.log=+10m",
            ".",
        ],
    );
    let err = stderr(&o);
    assert!(
        err.contains("--source-tz gw01/*=Europe/Berlin matched no input and had no effect"),
        "{err}"
    );
    assert!(err.contains("./web01/kern.log"), "{err}");
    // The rule that matched is not warned about.
    assert!(
        !err.contains("--offset kern.log=+10m matched no input"),
        "{err}"
    );
    // events warns the same way.
    let o = run_in(d.path(), &["events", "--format-of", "nothing*=syslog", "."]);
    assert!(
        stderr(&o).contains("--format-of nothing*=syslog matched no input"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_same_file_given_twice_is_read_once_with_a_note() {
    let d = scanner_dropped_on_web01_443_at("02:10:00");
    let o = run_in(
        d.path(),
        &[
            "analyze",
            "--format",
            "json",
            "--no-progress",
            ".",
            "web01/kern.log",
            "./web01/../web01/kern.log",
        ],
    );
    let err = stderr(&o);
    assert!(
        err.contains("web01/kern.log: the same file as ./web01/kern.log: read once"),
        "{err}"
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kern: Vec<_> = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["file"].as_str().unwrap().ends_with("kern.log"))
        .collect();
    assert_eq!(kern.len(), 1, "{r:#}");
    // The one deny is evidence once, not three times.
    assert_eq!(r["ports"][0]["evidence"].as_array().unwrap().len(), 1);
    // events reads it once too.
    let o = run_in(d.path(), &["events", "web01/kern.log", "web01/kern.log"]);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
}

#[test]
fn ipv4_mapped_ipv6_addresses_are_the_scanner_and_the_host() {
    // A dual-stack firewall logs both ends as IPv4-mapped IPv6 addresses.
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "fw/kern.log",
            ufw(
                "02:10:00",
                "fw01",
                "::ffff:203.0.113.5",
                "::ffff:192.0.2.10",
                443,
                "UFW BLOCK",
            ),
        ),
        // A decoy: another mapped source.
        (
            "fw/kern2.log",
            ufw(
                "02:11:00",
                "fw01",
                "::ffff:198.51.100.9",
                "::ffff:192.0.2.10",
                443,
                "UFW BLOCK",
            ),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"), "{r:#}");
    let ev = r["ports"][0]["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 1, "{r:#}");
    assert_eq!(ev[0]["file"], "./fw/kern.log");
    assert!(
        r["ports"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("destination address"),
        "{r:#}"
    );
}

#[test]
fn a_scan_over_new_year_reads_year_less_times_on_both_sides() {
    let start = Utc
        .with_ymd_and_hms(2026, 12, 31, 23, 50, 0)
        .unwrap()
        .timestamp();
    let end = Utc
        .with_ymd_and_hms(2027, 1, 1, 0, 20, 0)
        .unwrap()
        .timestamp();
    let scan = nessus(&[
        Host {
            ip: "192.0.2.10",
            fqdn: "web01.example.com",
            start,
            end,
            affected: UNRESP_443,
        },
        Host {
            ip: "192.0.2.11",
            fqdn: "web02.example.com",
            start,
            end,
            affected: UNRESP_443,
        },
    ]);
    let line = |stamp: &str, dst: &str| {
        format!(
            "{stamp} fw01 kernel: [1.0] [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.5 DST={dst} LEN=60 TTL=63 PROTO=TCP SPT=40000 DPT=443 SYN URGP=0\n"
        )
    };
    let d = scenario(&[
        ("scan.nessus", scan),
        (
            "fw/kern.log",
            line("Dec 31 23:55:00", "192.0.2.10") + &line("Jan  1 00:05:00", "192.0.2.11"),
        ),
    ]);
    let (r, _) = verdicts(d.path(), &[]);
    for (host, time) in [
        ("192.0.2.10", "2026-12-31T23:55:00Z"),
        ("192.0.2.11", "2027-01-01T00:05:00Z"),
    ] {
        let p = r["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["host"] == host)
            .unwrap();
        assert_eq!(p["verdict"], "blocked", "{p:#}");
        assert_eq!(p["evidence"][0]["time"], time, "{p:#}");
    }
}

#[test]
fn tz_takes_a_fixed_offset() {
    // Logged at UTC+1 without a zone: 03:10 local = 02:10 UTC; and UTC-5: 21:10 the day before.
    let d = scanner_dropped_on_web01_443_at("03:10:00");
    let (_, v) = verdicts(d.path(), &["--tz", "+01:00"]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
    let d = scanner_dropped_on_web01_443_at("21:10:00");
    let d2 = d.path().join("web01/kern.log");
    let text = std::fs::read_to_string(&d2)
        .unwrap()
        .replace("Nov 20", "Nov 19");
    std::fs::write(&d2, text).unwrap();
    let (_, v) = verdicts(d.path(), &["--tz", "-0500"]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"));
    let o = run_in(d.path(), &["analyze", "--tz", "+05:30", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("Asia/Kolkata"), "{}", stderr(&o));
}

#[test]
fn an_untied_fail2ban_log_is_said_with_the_line_that_ties_it() {
    // fail2ban's own log names no host, sits in a flat folder, and two hosts were scanned.
    let d = scenario(&[
        ("scan.nessus", web01_web02(&[(22, "ssh", "unresponsive")], UNRESP_443)),
        (
            "fail2ban.log",
            "2026-11-20 02:07:47,552 fail2ban.actions        [702]: NOTICE  [sshd] Ban 203.0.113.5\n"
                .to_string(),
        ),
    ]);
    let (r, _) = verdicts(d.path(), &[]);
    let p22 = r["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["port"] == 22)
        .unwrap();
    assert_eq!(p22["verdict"], "unexplained", "{p22:#}");
    let expl = p22["explanation"].as_str().unwrap();
    assert!(
        expl.contains("./fail2ban.log:1 holds a ban of the scanner")
            && expl.contains("its lines name no host")
            && expl.contains("[sources.\"./fail2ban.log\"] host = \"192.0.2.10\""),
        "{expl}"
    );
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"] == "./fail2ban.log")
        .unwrap();
    assert!(src["host"].is_null(), "{src:#}");
    assert!(
        src["attribution"]
            .as_str()
            .unwrap()
            .starts_with("tied to no scanned host: its lines name no host"),
        "{src:#}"
    );
    // The line it suggests ties it, and the ban then explains the port.
    std::fs::write(
        d.path().join("pm.toml"),
        "[sources.\"./fail2ban.log\"]\nhost = \"192.0.2.10\"\n",
    )
    .unwrap();
    let (r, _) = verdicts(d.path(), &["--config", "pm.toml"]);
    let p22 = r["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["port"] == 22)
        .unwrap();
    assert_eq!(p22["verdict"], "blocked", "{p22:#}");
    assert_eq!(p22["cause"], "ban", "{p22:#}");
}

#[test]
fn nat_in_config_ties_translated_scanner_and_target() {
    // The edge firewall logs the scanner after source NAT (198.51.100.20) and web01 by its public
    // address (198.51.100.30).
    let d = scenario(&[
        ("scan.nessus", web01(UNRESP_443)),
        (
            "edge/kern.log",
            ufw(
                "02:10:00",
                "edge01",
                "198.51.100.20",
                "198.51.100.30",
                443,
                "IPTABLES-DROP",
            ),
        ),
        (
            "pm.toml",
            "[nat]\n\"198.51.100.20\" = \"203.0.113.5\"\n\"198.51.100.30\" = \"192.0.2.10\"\n"
                .to_string(),
        ),
    ]);
    let (_, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
    let (r, v) = verdicts(d.path(), &["--config", "pm.toml"]);
    assert_eq!(one(&v), ("blocked", "firewall_drop"), "{r:#}");
    assert_eq!(r["ports"][0]["evidence"][0]["file"], "./edge/kern.log");
    // The advice names the address the firewall saw, not the scanner's own.
    let advice = r["ports"][0]["advice"].to_string();
    assert!(advice.contains("198.51.100.20"), "{advice}");
    // A bad [nat] entry is a clear error.
    std::fs::write(
        d.path().join("bad.toml"),
        "[nat]\n\"edge\" = \"203.0.113.5\"\n",
    )
    .unwrap();
    let o = run_in(d.path(), &["analyze", "--config", "bad.toml", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("[nat]"), "{}", stderr(&o));
}

#[test]
fn a_whole_hour_zone_mistake_is_named_with_the_source_tz_that_fixes_it() {
    // bastion01's fail2ban log is in Berlin time (UTC+1) and read as UTC: its ban at 03:07 local
    // (02:07 UTC) looks an hour after the 02:00–02:30 window.
    let d = scenario(&[
        ("scan.nessus", web01(&[(22, "ssh", "unresponsive")])),
        (
            "web01/fail2ban.log",
            "2026-11-20 03:07:47,552 fail2ban.actions        [702]: NOTICE  [sshd] Ban 203.0.113.5\n2026-11-20 03:40:00,000 fail2ban.actions        [702]: NOTICE  [sshd] Unban 203.0.113.5\n"
                .to_string(),
        ),
    ]);
    let (r, v) = verdicts(d.path(), &[]);
    assert_eq!(one(&v), ("unexplained", "null"));
    let expl = r["ports"][0]["explanation"].as_str().unwrap();
    assert!(
        expl.contains("./web01/fail2ban.log's times are 1 h after the window")
            && expl.contains("--source-tz './web01/fail2ban.log=+01:00'"),
        "{expl}"
    );
    // The hint, followed, explains the port.
    let (_, v) = verdicts(d.path(), &["--source-tz", "./web01/fail2ban.log=+01:00"]);
    assert_eq!(one(&v), ("blocked", "ban"));
}
