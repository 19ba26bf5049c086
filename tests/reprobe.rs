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

/// Affected ports of one host: (port, svc_name, "closed"|"unresponsive").
type Affected<'a> = &'a [(u16, &'a str, &'a str)];

/// A scan of loopback hosts (`127.0.0.1`, `::1`) with the given affected ports.
fn loopback_scan(dir: &std::path::Path, hosts: &[(&str, Affected<'_>)]) {
    let start = Utc
        .with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
        .unwrap()
        .timestamp();
    let hs: Vec<Host<'_>> = hosts
        .iter()
        .map(|(ip, affected)| Host {
            ip,
            fqdn: "localhost",
            start,
            end: start + 1800,
            affected,
        })
        .collect();
    std::fs::write(dir.join("scan.nessus"), nessus(&hs)).unwrap();
}

/// `analyze -o saved.json scan.nessus` in `dir`: the saved report.
fn save_report(dir: &std::path::Path) -> serde_json::Value {
    let o = run_in(dir, &["analyze", "-o", "saved.json", "scan.nessus"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice(&std::fs::read(dir.join("saved.json")).unwrap()).unwrap()
}

/// `reprobe --format json --probe-timeout TIMEOUT FILE` in `dir`: the updated report.
fn reprobe_json(dir: &std::path::Path, file: &str, timeout: &str) -> serde_json::Value {
    let o = run_in(
        dir,
        &[
            "reprobe",
            "--format",
            "json",
            "--probe-timeout",
            timeout,
            file,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn free_port(addr: &str) -> u16 {
    TcpListener::bind(addr)
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn more_pairs_than_probe_max_refuses_before_any_connect_naming_the_count_and_the_flag() {
    // Three listeners: a connect to any of them would be accepted, so none may be made.
    let ls: Vec<TcpListener> = (0..3)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let ports: Vec<(u16, &str, &str)> = ls
        .iter()
        .map(|l| (l.local_addr().unwrap().port(), "www", "closed"))
        .collect();
    let d = tempfile::tempdir().unwrap();
    loopback_scan(d.path(), &[("127.0.0.1", &ports)]);
    let o = run_in(
        d.path(),
        &["analyze", "--reprobe", "--probe-max", "2", "scan.nessus"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("3 host:port pairs to re-probe, more than --probe-max 2"),
        "{err}"
    );
    assert!(err.contains("--probe-max 3"), "{err}");
    assert!(o.stdout.is_empty(), "no report after a refusal");
    for l in &ls {
        l.set_nonblocking(true).unwrap();
        assert!(
            l.accept().is_err(),
            "a connect was made despite the refusal"
        );
    }
}

#[test]
fn the_plan_comes_first_ipv6_pairs_are_probed_and_results_fold_into_the_verdict() {
    let l4 = TcpListener::bind("127.0.0.1:0").unwrap();
    let open4 = l4.local_addr().unwrap().port();
    let l6 = TcpListener::bind("[::1]:0").unwrap();
    let open6 = l6.local_addr().unwrap().port();
    let closed6 = free_port("[::1]:0");
    let d = tempfile::tempdir().unwrap();
    loopback_scan(
        d.path(),
        &[
            ("127.0.0.1", &[(open4, "www", "unresponsive")]),
            (
                "::1",
                &[(open6, "ssh", "unresponsive"), (closed6, "www", "closed")],
            ),
        ],
    );
    let o = run_in(
        d.path(),
        &[
            "analyze",
            "--format",
            "json",
            "--reprobe",
            "--probe-timeout",
            "2s",
            "scan.nessus",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("re-probe plan: 3 connects to 3 host:port pairs, from this machine"),
        "{err}"
    );
    assert!(err.contains(&format!("[::1]:{open6}")), "{err}");
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_schema_valid(&r);
    let port = |p: u16| {
        r["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["port"] == p)
            .unwrap()
            .clone()
    };
    assert_eq!(port(open6)["reprobe"]["state"], "open");
    assert_eq!(port(open6)["reprobe"]["address"], format!("[::1]:{open6}"));
    assert_eq!(port(closed6)["reprobe"]["state"], "closed");
    assert_eq!(
        port(closed6)["reprobe"]["attempts"],
        1,
        "a refusal is an answer"
    );
    // No logs: unexplained; open now reads as transient, in the explanation and the advice.
    let p = port(open4);
    assert_eq!(p["verdict"], "unexplained");
    assert!(
        p["explanation"]
            .as_str()
            .unwrap()
            .contains("open now: the failure was transient"),
        "{p}"
    );
    assert!(p["advice"][0].as_str().unwrap().contains("transient"));
    drop((l4, l6));
}

#[test]
fn reprobe_of_a_saved_report_probes_again_and_prints_the_updated_report() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let d = tempfile::tempdir().unwrap();
    loopback_scan(d.path(), &[("127.0.0.1", &[(port, "www", "unresponsive")])]);
    let saved = save_report(d.path());
    assert!(saved["ports"][0]["reprobe"].is_null());
    // Open now.
    let r = reprobe_json(d.path(), "saved.json", "2s");
    assert_schema_valid(&r);
    assert_eq!(r["ports"][0]["reprobe"]["state"], "open");
    assert_eq!(r["provenance"]["from_report"]["file"], "saved.json");
    assert_eq!(
        r["provenance"]["from_report"]["provenance"]["command_line"],
        saved["provenance"]["command_line"]
    );
    assert_eq!(r["provenance"]["command_line"][1], "reprobe");
    // Probed again once the port is closed: the earlier reading is replaced, not kept twice.
    std::fs::write(d.path().join("again.json"), r.to_string()).unwrap();
    drop(l);
    let o = run_in(
        d.path(),
        &["reprobe", "--probe-timeout", "2s", "again.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(
        t.contains("closed now: the service is down or a rule rejects"),
        "{t}"
    );
    assert!(!t.contains("transient"), "the earlier reading stays: {t}");
    // Not a report: a clear error.
    std::fs::write(d.path().join("x.json"), "{}").unwrap();
    let o = run_in(d.path(), &["reprobe", "x.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not a portmortem JSON report"),
        "{}",
        stderr(&o)
    );
}

/// A listener whose accept queue is full drops new SYNs without an answer: on loopback, the same
/// silence a dropping firewall gives. The probe tries twice, then calls the port filtered; a ban
/// in the report's evidence whose end is still ahead turns that into "probably still active".
#[test]
fn an_unanswered_port_is_tried_twice_before_it_is_filtered() {
    use socket2::{Domain, Socket, Type};
    let l = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    l.bind(
        &"127.0.0.1:0"
            .parse::<std::net::SocketAddr>()
            .unwrap()
            .into(),
    )
    .unwrap();
    l.listen(0).unwrap();
    let addr = l.local_addr().unwrap().as_socket().unwrap();
    // Fill the queue (never accepted).
    let _held = std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(1))
        .expect("first connect fits the queue");
    let full = std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(300));
    assert!(full.is_err(), "the queue should be full now");

    let d = tempfile::tempdir().unwrap();
    loopback_scan(
        d.path(),
        &[("127.0.0.1", &[(addr.port(), "ssh", "unresponsive")])],
    );
    let path = d.path().join("saved.json");
    let mut saved = save_report(d.path());
    let t0 = std::time::Instant::now();
    let r = reprobe_json(d.path(), "saved.json", "500ms");
    let rp = &r["ports"][0]["reprobe"];
    assert_eq!(rp["state"], "filtered", "{rp}");
    assert_eq!(rp["attempts"], 2, "{rp}");
    assert!(
        t0.elapsed() >= std::time::Duration::from_millis(1000),
        "two timeouts"
    );
    assert!(
        rp["reading"]
            .as_str()
            .unwrap()
            .starts_with("still no answer"),
        "{rp}"
    );

    // The same silence, with a saved verdict of a ban that lasts past now: probably still active.
    let until = (Utc::now() + chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let p = &mut saved["ports"][0];
    p["verdict"] = "blocked".into();
    p["cause"] = "ban".into();
    p["evidence"] = serde_json::json!([{
        "file": "web01/crowdsec.log", "line": 1, "time": "2026-11-20T02:10:08Z",
        "format": "crowdsec", "event": "ban", "text": "4h ban on Ip 203.0.113.5", "until": until
    }]);
    std::fs::write(&path, serde_json::to_vec(&saved).unwrap()).unwrap();
    let r = reprobe_json(d.path(), "saved.json", "500ms");
    let p = &r["ports"][0];
    assert_eq!(p["reprobe"]["state"], "filtered");
    assert!(
        p["reprobe"]["reading"]
            .as_str()
            .unwrap()
            .starts_with("no answer: the ban is probably still active (until "),
        "{p}"
    );
    assert!(
        p["advice"][0]
            .as_str()
            .unwrap()
            .starts_with("A probe before "),
        "{p}"
    );
    drop(l);
}
