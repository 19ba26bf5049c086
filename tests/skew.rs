//! `--auto-skew`: three sources written one hour off (a Berlin firewall, fail2ban and syslog read as
//! UTC). Without it the ports are unexplained; with it the firewall's hour is found from the scan's
//! own host times, fail2ban's single ban is moved by the same hour, and the verdicts come back.

mod common;

use chrono::{TimeZone, Utc};
use common::*;

fn t(h: u32, m: u32) -> i64 {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
        .unwrap()
        .timestamp()
}

fn ufw(hm: &str, dport: u16) -> String {
    format!(
        "Nov 20 {hm} fw01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40422 DPT={dport} WINDOW=64240 RES=0x00 SYN URGP=0\n"
    )
}

fn scenario() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("scan.nessus"),
        nessus(&[
            Host {
                ip: "192.0.2.10",
                fqdn: "web01.example.org",
                start: t(2, 0),
                end: t(2, 30),
                affected: &[(443, "www", "unresponsive")],
            },
            Host {
                ip: "192.0.2.70",
                fqdn: "bastion01.example.org",
                start: t(2, 0),
                end: t(2, 30),
                affected: &[(22, "ssh", "unresponsive")],
            },
        ]),
    )
    .unwrap();
    for dir in ["fw01", "bastion01"] {
        std::fs::create_dir(d.path().join(dir)).unwrap();
    }
    // Local time (UTC+1): the scanner's probes at 02:03–02:28 UTC.
    let fw: String = [
        ("03:03:10", 80),
        ("03:11:40", 443),
        ("03:19:02", 443),
        ("03:28:30", 8443),
    ]
    .iter()
    .map(|(hm, p)| ufw(hm, *p))
    .collect();
    std::fs::write(d.path().join("fw01/kern.log"), fw).unwrap();
    std::fs::write(
        d.path().join("bastion01/fail2ban.log"),
        "2026-11-20 03:07:47,552 fail2ban.actions        [702]: NOTICE  [sshd] Ban 203.0.113.5\n",
    )
    .unwrap();
    d
}

fn port(r: &serde_json::Value, p: u64) -> &serde_json::Value {
    r["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["port"] == p)
        .unwrap()
}

#[test]
fn a_whole_hour_off_is_found_and_applied() {
    let d = scenario();
    let (_, before) = analyze_json(d.path(), &["."]);
    assert_eq!(port(&before, 443)["verdict"], "unexplained", "{before:#}");
    assert_eq!(port(&before, 22)["verdict"], "unexplained", "{before:#}");

    let (code, r) = analyze_json(d.path(), &["--auto-skew", "."]);
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    let p443 = port(&r, 443);
    assert_eq!(p443["verdict"], "blocked", "{p443:#}");
    assert_eq!(p443["cause"], "firewall_drop");
    assert_eq!(p443["evidence"][0]["file"], "./fw01/kern.log");
    assert_eq!(p443["evidence"][0]["line"], 2);
    assert_eq!(p443["evidence"][0]["time"], "2026-11-20T02:11:40Z");
    let p22 = port(&r, 22);
    assert_eq!(p22["verdict"], "blocked", "{p22:#}");
    assert_eq!(p22["cause"], "ban");
    assert_eq!(p22["evidence"][0]["file"], "./bastion01/fail2ban.log");

    let src = |f: &str| {
        r["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["file"] == f)
            .unwrap()
            .clone()
    };
    let fw = src("./fw01/kern.log");
    assert_eq!(fw["clock_offset_s"], 3600.0, "{fw:#}");
    assert_eq!(fw["clock_skew"]["applied"], true);
    assert_eq!(fw["clock_skew"]["connections"], 4);
    let note = fw["clock_skew"]["note"].as_str().unwrap();
    assert!(
        note.contains("--source-tz './fw01/kern.log=Etc/GMT-1'"),
        "{note}"
    );
    let f2b = src("./bastion01/fail2ban.log");
    assert_eq!(f2b["clock_skew"]["applied"], true, "{f2b:#}");
    assert!(
        f2b["clock_skew"]["note"]
            .as_str()
            .unwrap()
            .contains("fw01/kern.log"),
        "{f2b:#}"
    );
}

#[test]
fn a_clock_that_fits_is_left_alone() {
    let d = scenario();
    // The firewall's clock is right: the hour is the fail2ban host's alone, with one event.
    let fw: String = [("02:03:10", 80), ("02:11:40", 443), ("02:19:02", 443)]
        .iter()
        .map(|(hm, p)| ufw(hm, *p))
        .collect();
    std::fs::write(d.path().join("fw01/kern.log"), fw).unwrap();
    let (code, r) = analyze_json(d.path(), &["--auto-skew", "."]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(port(&r, 443)["verdict"], "blocked");
    let srcs = r["sources"].as_array().unwrap();
    let fw = srcs
        .iter()
        .find(|s| s["file"] == "./fw01/kern.log")
        .unwrap();
    assert_eq!(fw["clock_skew"]["applied"], false, "{fw:#}");
    assert_eq!(fw["clock_skew"]["offset_s"], 0);
    let f2b = srcs
        .iter()
        .find(|s| s["file"] == "./bastion01/fail2ban.log")
        .unwrap();
    assert_eq!(f2b["clock_skew"]["applied"], false, "{f2b:#}");
    assert!(
        f2b["clock_skew"]["note"]
            .as_str()
            .unwrap()
            .contains("at least 3"),
        "{f2b:#}"
    );
}

/// A firewall six minutes fast next to an IDS that saw the same probes: the pairing gives the
/// offset to the second, where the scan's window alone only bounds it.
#[test]
fn a_skewed_firewall_against_an_ids_that_saw_the_same_flows() {
    let d = scenario();
    std::fs::remove_file(d.path().join("bastion01/fail2ban.log")).unwrap();
    std::fs::create_dir(d.path().join("ids01")).unwrap();
    let probes = [
        ("02:05:10", 443),
        ("02:11:40", 443),
        ("02:19:02", 443),
        ("02:24:30", 443),
    ];
    let fw: String = probes
        .iter()
        .map(|(hm, p)| {
            let t = chrono::NaiveTime::parse_from_str(hm, "%H:%M:%S").unwrap()
                + chrono::Duration::minutes(6);
            ufw(&t.format("%H:%M:%S").to_string(), *p)
        })
        .collect();
    std::fs::write(d.path().join("fw01/kern.log"), fw).unwrap();
    let eve: String = probes
        .iter()
        .map(|(hm, p)| format!("{{\"timestamp\":\"2026-11-20T{hm}.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"203.0.113.5\",\"src_port\":40422,\"dest_ip\":\"192.0.2.10\",\"dest_port\":{p},\"proto\":\"TCP\",\"alert\":{{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2010937,\"rev\":3,\"signature\":\"ET SCAN Suspicious inbound to mySQL port 3306\",\"category\":\"Potentially Bad Traffic\",\"severity\":2}}}}\n"))
        .collect();
    std::fs::write(d.path().join("ids01/eve.json"), eve).unwrap();
    let (code, r) = analyze_json(d.path(), &["--auto-skew", "."]);
    assert_eq!(code, 0, "{r:#}");
    let srcs = r["sources"].as_array().unwrap();
    let fw = srcs
        .iter()
        .find(|s| s["file"] == "./fw01/kern.log")
        .unwrap();
    assert_eq!(fw["clock_skew"]["offset_s"], 360, "{fw:#}");
    assert_eq!(fw["clock_skew"]["applied"], true);
    assert!(
        fw["clock_skew"]["note"]
            .as_str()
            .unwrap()
            .contains("ids01/eve.json"),
        "{fw:#}"
    );
    let ids = srcs
        .iter()
        .find(|s| s["file"] == "./ids01/eve.json")
        .unwrap();
    assert_eq!(ids["clock_skew"]["applied"], false, "{ids:#}");
    let p = port(&r, 443);
    assert_eq!(p["verdict"], "blocked", "{p:#}");
    assert_eq!(p["cause"], "firewall_drop");
    assert_eq!(p["evidence"][0]["file"], "./fw01/kern.log");
    assert_eq!(p["evidence"][0]["line"], 1);
    assert_eq!(p["evidence"][0]["time"], "2026-11-20T02:05:10Z");
}

/// What stderr warns about is in the report too: a --source-tz glob that matched nothing.
#[test]
fn warnings_are_repeated_in_the_report() {
    let d = scenario();
    let (_, r) = analyze_json(d.path(), &["--source-tz", "gw01/*=Europe/Berlin", "."]);
    let w = r["warnings"].to_string();
    assert!(w.contains("gw01/*"), "{r:#}");
    let o = run_in(
        d.path(),
        &[
            "analyze",
            "--no-progress",
            "--source-tz",
            "gw01/*=Europe/Berlin",
            ".",
        ],
    );
    let text = stdout(&o);
    let at = text.find("warnings (also on stderr):").expect(&text);
    assert!(text[at..].contains("gw01/*"), "{text}");
}

/// A deny whose local time happened twice (Europe/Berlin, 2026-10-25, 02:00–03:00 ran twice): read
/// as the reading nearest the scan, said, and with lower confidence.
#[test]
fn a_time_in_the_dst_fold_lowers_confidence() {
    let d = tempfile::tempdir().unwrap();
    let at = |h, m| {
        Utc.with_ymd_and_hms(2026, 10, 25, h, m, 0)
            .unwrap()
            .timestamp()
    };
    std::fs::write(
        d.path().join("scan.nessus"),
        nessus(&[Host {
            ip: "192.0.2.10",
            fqdn: "web01.example.org",
            start: at(0, 20),
            end: at(0, 50),
            affected: &[(443, "www", "unresponsive")],
        }]),
    )
    .unwrap();
    std::fs::create_dir(d.path().join("web01")).unwrap();
    std::fs::write(
        d.path().join("web01/kern.log"),
        "Oct 25 02:35:00 web01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40422 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0\n",
    )
    .unwrap();
    let (code, r) = analyze_json(d.path(), &["--tz", "Europe/Berlin", "."]);
    assert_eq!(code, 0, "{r:#}");
    let p = port(&r, 443);
    assert_eq!(p["verdict"], "blocked", "{p:#}");
    assert_eq!(p["evidence"][0]["time"], "2026-10-25T00:35:00Z");
    assert_eq!(p["confidence"], "medium", "{p:#}");
    let e = p["explanation"].as_str().unwrap();
    assert!(
        e.contains("happened twice") && e.contains("2026-10-25T01:35:00Z"),
        "{e}"
    );
}
