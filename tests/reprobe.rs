//! `--reprobe` on loopback only: an open port answers, a closed one refuses, and documentation
//! addresses from the scan are never probed.

mod common;

use std::net::TcpListener;

use chrono::{TimeZone, Utc};
use common::*;

#[test]
fn reprobe_reports_open_and_closed_on_loopback_and_refuses_documentation_addresses() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let start = Utc
        .with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
        .unwrap()
        .timestamp();
    let scan = nessus(&[
        Host {
            ip: "127.0.0.1",
            fqdn: "localhost",
            start,
            end: start + 1800,
            affected: &[(open, "www", "unresponsive"), (closed, "www", "closed")],
        },
        Host {
            ip: "192.0.2.10",
            fqdn: "web01.example.com",
            start,
            end: start + 1800,
            affected: &[(443, "www", "unresponsive")],
        },
    ]);
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("scan.nessus"), scan).unwrap();
    let o = run_in(
        d.path(),
        &[
            "analyze",
            "--format",
            "json",
            "--reprobe",
            "--probe-timeout",
            "2s",
            "--probe-concurrency",
            "2",
            "scan.nessus",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_schema_valid(&r);
    let state = |port: u16| {
        r["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["port"] == port)
            .map(|p| p["reprobe"].clone())
            .unwrap()
    };
    assert_eq!(state(open)["state"], "open");
    assert_eq!(state(closed)["state"], "closed");
    // Probe times to the millisecond: `2026-12-02T16:50:24.123Z`, no nanoseconds.
    let at = state(open)["at"].as_str().unwrap().to_string();
    let frac = at.split('.').nth(1).unwrap_or("Z");
    assert_eq!(frac.len(), 4, "{at}");
    assert!(
        state(443).is_null(),
        "documentation address must not be probed"
    );
    assert!(stderr(&o).contains("192.0.2.10:443 not re-probed: documentation address"));
    drop(listener);
}

#[test]
fn without_reprobe_the_text_report_prints_the_nmap_plan() {
    let o = run_in(&root(), &["analyze", "samples/nov20-webfarm"]);
    let t = stdout(&o);
    assert!(t.contains("nmap -Pn -sT --reason -p 443 192.0.2.10"), "{t}");
}
