//! sshguard, added as one payload: its block of the scanner explains the ports it hid, its
//! expired block does not.

mod common;

use chrono::{TimeZone, Utc};
use common::*;

fn scenario(log: &str) -> tempfile::TempDir {
    let t = |h, m| {
        Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
            .unwrap()
            .timestamp()
    };
    let scan = nessus(&[Host {
        ip: "192.0.2.30",
        fqdn: "bastion30.example.com",
        start: t(2, 0),
        end: t(2, 30),
        affected: &[(22, "ssh", "unresponsive"), (443, "www", "unresponsive")],
    }]);
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("scan.nessus"), scan).unwrap();
    std::fs::create_dir(d.path().join("bastion30")).unwrap();
    std::fs::write(d.path().join("bastion30/auth.log"), log).unwrap();
    d
}

#[test]
fn sshguard_block_of_the_scanner_explains_every_port_it_hid() {
    let d = scenario(concat!(
        "Nov 20 02:09:58 bastion30 sshd[901]: Invalid user admin from 203.0.113.5 port 40000\n",
        "Nov 20 02:09:59 bastion30 sshguard[4242]: Attack from \"203.0.113.5\" on service SSH with danger 10.\n",
        "Nov 20 02:10:00 bastion30 sshguard[4242]: Blocking \"203.0.113.5/32\" for 3600 secs (3 attacks in 5 secs, after 1 abuses over 5 secs.)\n",
    ));
    let (code, report) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{report:#}");
    assert_schema_valid(&report);
    for port in [22, 443] {
        let p = report["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["port"] == port)
            .unwrap();
        assert_eq!(p["verdict"], "blocked", "{p:#}");
        assert_eq!(p["cause"], "ban", "{p:#}");
        assert_eq!(p["evidence"][0]["line"], 3, "{p:#}");
        assert_eq!(p["evidence"][0]["observer"], "sshguard", "{p:#}");
        assert!(
            p["explanation"].as_str().unwrap().contains("sshguard"),
            "{p:#}"
        );
        assert!(
            p["advice"][0]
                .as_str()
                .unwrap()
                .contains("sshguard's whitelist"),
            "{p:#}"
        );
    }
}

#[test]
fn an_expired_sshguard_block_explains_nothing() {
    let d = scenario(
        "Nov 20 01:00:00 bastion30 sshguard[4242]: Blocking \"203.0.113.5/32\" for 120 secs (3 attacks in 5 secs, after 1 abuses over 5 secs.)\n",
    );
    let (code, report) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{report:#}");
    for p in report["ports"].as_array().unwrap() {
        assert_eq!(p["verdict"], "unexplained", "{p:#}");
    }
}
