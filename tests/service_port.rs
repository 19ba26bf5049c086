//! Service ↔ port: a unit whose own default port is the affected port explains it, not a unit that
//! only shares the family the scan's `svc_name` suggests; and the explanation says which rule made
//! the mapping.

mod common;

use chrono::{TimeZone, Utc};
use common::*;

/// app01 = 192.0.2.20, window 02:00:00–02:30:00, given affected ports.
fn app01(affected: &[(u16, &str, &str)]) -> String {
    let t = |h, m| {
        Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
            .unwrap()
            .timestamp()
    };
    nessus(&[Host {
        ip: "192.0.2.20",
        fqdn: "app01.example.com",
        start: t(2, 0),
        end: t(2, 30),
        affected,
    }])
}

const NGINX_STOP: &str = "Nov 20 02:10:00 app01 systemd[1]: Stopping nginx.service - A high performance web server and a reverse proxy server...\nNov 20 02:10:01 app01 systemd[1]: Stopped nginx.service - A high performance web server and a reverse proxy server.\n";
const TOMCAT_STOP: &str = "Nov 20 02:12:00 app01 systemd[1]: Stopping tomcat9.service - Apache Tomcat 9 Web Application Server...\nNov 20 02:12:02 app01 systemd[1]: Stopped tomcat9.service - Apache Tomcat 9 Web Application Server.\n";

/// The scan and app01's syslog in a fresh dir; the JSON report's ports.
fn analyze(scan: String, syslog: String) -> Vec<serde_json::Value> {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("scan.nessus"), scan).unwrap();
    std::fs::create_dir_all(d.path().join("app01")).unwrap();
    std::fs::write(d.path().join("app01/syslog"), syslog).unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r}");
    assert_schema_valid(&r);
    r["ports"].as_array().unwrap().clone()
}

fn facts(p: &serde_json::Value) -> (u64, &str, &str, &str, Vec<u64>, &str) {
    (
        p["port"].as_u64().unwrap(),
        p["verdict"].as_str().unwrap(),
        p["cause"].as_str().unwrap_or("null"),
        p["confidence"].as_str().unwrap(),
        p["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_u64().unwrap())
            .collect(),
        p["explanation"].as_str().unwrap(),
    )
}

#[test]
fn each_port_is_explained_by_its_own_unit() {
    // The scan calls both ports `www`; nginx and tomcat9 both stopped and stayed down.
    let ports = analyze(
        app01(&[(443, "www", "closed"), (8080, "www", "closed")]),
        format!("{NGINX_STOP}{TOMCAT_STOP}"),
    );
    let by_port = |n: u64| {
        ports
            .iter()
            .map(facts)
            .find(|f| f.0 == n)
            .unwrap_or_else(|| panic!("port {n} in {ports:?}"))
    };
    let (_, verdict, cause, confidence, evidence, expl) = by_port(8080);
    assert_eq!(
        (verdict, cause, confidence),
        ("service_restart", "service_stop", "medium")
    );
    assert_eq!(evidence, vec![3, 4], "tomcat9's lines only: {expl}");
    assert!(
        expl.starts_with(
            "tomcat9 on 192.0.2.20 stopped at 2026-11-20T02:12:00Z (./app01/syslog:3)"
        ),
        "{expl}"
    );
    assert!(
        expl.contains("(port 8080 ↔ tomcat by the service's default port)"),
        "{expl}"
    );
    assert!(!expl.contains("nginx"), "{expl}");
    let (_, verdict, cause, confidence, evidence, expl) = by_port(443);
    assert_eq!(
        (verdict, cause, confidence),
        ("service_restart", "service_stop", "medium")
    );
    assert_eq!(evidence, vec![1, 2], "nginx's lines only: {expl}");
    assert!(
        expl.starts_with("nginx on 192.0.2.20 stopped at 2026-11-20T02:10:00Z (./app01/syslog:1)"),
        "{expl}"
    );
    assert!(
        expl.contains("(port 443 ↔ nginx by the service's default port)"),
        "{expl}"
    );
    assert!(!expl.contains("tomcat"), "{expl}");
}

#[test]
fn an_nginx_stop_explains_8080_only_weakly_by_the_scans_service_name() {
    // Decoy: 8080 (`www`) closed, only nginx stopped (its ports are 80/443), no tomcat in the logs.
    // The tool still names the stop, at low confidence, and says the mapping is the scan's name.
    let ports = analyze(app01(&[(8080, "www", "closed")]), NGINX_STOP.to_string());
    assert_eq!(ports.len(), 1);
    let (port, verdict, cause, confidence, evidence, expl) = facts(&ports[0]);
    assert_eq!(
        (port, verdict, cause, confidence),
        (8080, "service_restart", "service_stop", "low")
    );
    assert_eq!(evidence, vec![1, 2]);
    assert!(
        expl.starts_with("nginx on 192.0.2.20 stopped at 2026-11-20T02:10:00Z (./app01/syslog:1)"),
        "{expl}"
    );
    assert!(
        expl.contains(
            "(port 8080 ↔ nginx only by the scan's service name 'www': nginx's default ports are 80/443)"
        ),
        "{expl}"
    );
    assert!(!expl.contains("default port)"), "{expl}");
}
