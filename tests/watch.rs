//! `portmortem watch` end to end: lines appended the way daemons write them (and a logrotate
//! rename-and-create, a copytruncate, a file created mid-run) while `watch --for` runs; every planted
//! alert arrives within a bound, no decoy alerts.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SCANNER: &str = "203.0.113.5";
/// An alert must arrive this soon after its line is written (DESIGN: "within a second or two").
const BOUND: Duration = Duration::from_secs(2);

fn append(p: &Path, s: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
        .unwrap();
    f.write_all(s.as_bytes()).unwrap();
}

fn syslog_now() -> String {
    chrono::Utc::now().format("%b %e %H:%M:%S").to_string()
}

fn ufw(src: &str, dst: &str, port: u16) -> String {
    format!(
        "{} fw01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC={src} DST={dst} LEN=44 TOS=0x00 PREC=0x00 TTL=52 ID=1 PROTO=TCP SPT=40000 DPT={port} WINDOW=1024 RES=0x00 SYN URGP=0\n",
        syslog_now()
    )
}

fn f2b(ip: &str) -> String {
    format!(
        "{},552 fail2ban.actions        [702]: NOTICE  [sshd] Ban {ip}\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
    )
}

fn unit(host: &str, what: &str) -> String {
    format!("{} {host} systemd[1]: {what}\n", syslog_now())
}

#[test]
fn planted_alerts_arrive_and_decoys_stay_silent() {
    let d = tempfile::tempdir().unwrap();
    let p = |r: &str| d.path().join(r);
    for dir in ["bastion01", "web01", "fw", "ids"] {
        std::fs::create_dir(p(dir)).unwrap();
    }
    // Lines already there when watch starts are history, not alerts.
    append(&p("bastion01/fail2ban.log"), &f2b(SCANNER));
    append(
        &p("web01/syslog"),
        &unit("web01", "Started nginx.service - nginx."),
    );
    append(&p("fw/kern.log"), &ufw(SCANNER, "192.0.2.10", 443));
    // web01 is the scan's 192.0.2.10.
    std::fs::write(p("cfg.toml"), "[hosts]\nweb01 = \"192.0.2.10\"\n").unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_portmortem"))
        .args([
            "watch",
            "--target",
            "192.0.2.10,bastion01",
            "--ports",
            "22,443",
            "--scanner-ip",
            SCANNER,
            "--for",
            "9s",
            "--poll",
            "100ms",
            "--format",
            "jsonl",
            "--config",
            "cfg.toml",
            "-q",
            ".",
        ])
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let got: Arc<Mutex<Vec<(Instant, serde_json::Value)>>> = Arc::default();
    let reader = {
        let got = got.clone();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: serde_json::Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                got.lock().unwrap().push((Instant::now(), v));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(1200));

    // (written at, file, line, cause) of every planted alert.
    let mut planted: Vec<(Instant, &str, u64, &str)> = Vec::new();
    let w = |rel: &str, text: &str| {
        append(&p(rel), text);
        Instant::now()
    };
    // fail2ban bans the scanner (decoy: another address).
    w("bastion01/fail2ban.log", &f2b("198.51.100.9"));
    planted.push((
        w("bastion01/fail2ban.log", &f2b(SCANNER)),
        "bastion01/fail2ban.log",
        3,
        "ban",
    ));
    // The firewall drops the scanner toward a target's scanned port (decoys: another source, an
    // unscanned port, a host that is no target).
    w("fw/kern.log", &ufw("198.51.100.9", "192.0.2.10", 443));
    w("fw/kern.log", &ufw(SCANNER, "192.0.2.10", 8080));
    w("fw/kern.log", &ufw(SCANNER, "192.0.2.99", 443));
    planted.push((
        w("fw/kern.log", &ufw(SCANNER, "192.0.2.10", 22)),
        "fw/kern.log",
        5,
        "firewall_drop",
    ));
    // nginx (443) stops on the target; postgresql (5432, not scanned) is a decoy.
    w(
        "web01/syslog",
        &unit("web01", "Stopping postgresql.service - PostgreSQL."),
    );
    std::thread::sleep(Duration::from_millis(300));
    // logrotate: rename and create, then the stop is written to the new file.
    std::fs::rename(p("web01/syslog"), p("web01/syslog.1")).unwrap();
    planted.push((
        w(
            "web01/syslog",
            &unit(
                "web01",
                "Stopping nginx.service - A high performance web server...",
            ),
        ),
        "web01/syslog",
        1,
        "service_stop",
    ));
    std::thread::sleep(Duration::from_millis(300));
    // copytruncate of the firewall log, then a new drop.
    std::fs::copy(p("fw/kern.log"), p("fw/kern.log.1")).unwrap();
    std::fs::write(p("fw/kern.log"), "").unwrap();
    planted.push((
        w("fw/kern.log", &ufw(SCANNER, "192.0.2.10", 443)),
        "fw/kern.log",
        1,
        "firewall_drop",
    ));
    std::thread::sleep(Duration::from_millis(300));
    // A file created mid-run: a Suricata drop of the scanner (and an alert-only line: a decoy).
    let eve = |action: &str, port: u16| {
        format!(
            "{{\"timestamp\":\"{}\",\"event_type\":\"alert\",\"src_ip\":\"{SCANNER}\",\"src_port\":53310,\"dest_ip\":\"192.0.2.10\",\"dest_port\":{port},\"proto\":\"TCP\",\"alert\":{{\"action\":\"{action}\",\"gid\":1,\"signature_id\":2001219,\"rev\":20,\"signature\":\"ET SCAN Potential SSH Scan\",\"category\":\"Attempted Information Leak\",\"severity\":2}}}}\n",
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6f+0000")
        )
    };
    w("ids/eve.json", &eve("allowed", 22));
    planted.push((
        w("ids/eve.json", &eve("blocked", 22)),
        "ids/eve.json",
        2,
        "ips_block",
    ));
    // A gzipped rotation appearing is never read.
    std::fs::write(p("web01/syslog.2.gz"), b"\x1f\x8b\x08\x00junk").unwrap();

    let status = child.wait().unwrap();
    reader.join().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
    let got = got.lock().unwrap();
    let shown: Vec<String> = got.iter().map(|(_, v)| v.to_string()).collect();
    assert_eq!(got.len(), planted.len(), "alerts: {shown:#?}");
    for (wrote, file, line, cause) in &planted {
        let hit = got.iter().find(|(_, v)| {
            v["file"].as_str().unwrap().ends_with(file)
                && v["line"] == *line
                && v["cause"] == *cause
        });
        let Some((at, v)) = hit else {
            panic!("no {cause} alert for {file}:{line}; got {shown:#?}");
        };
        let late = at.saturating_duration_since(*wrote);
        assert!(late <= BOUND, "{file}:{line} arrived after {late:?}: {v}");
        for k in [
            "time", "host", "port", "kind", "cause", "file", "line", "text", "advice",
        ] {
            assert!(v.get(k).is_some(), "{k} missing in {v}");
        }
    }
    let ban = got.iter().find(|(_, v)| v["cause"] == "ban").unwrap();
    assert_eq!(ban.1["host"], "bastion01");
    assert_eq!(ban.1["port"], 22);
    assert!(
        ban.1["advice"].as_str().unwrap().contains("ignoreip"),
        "{}",
        ban.1
    );
    let stop = got
        .iter()
        .find(|(_, v)| v["cause"] == "service_stop")
        .unwrap();
    assert_eq!(stop.1["kind"], "service_down");
    assert_eq!(stop.1["port"], 443);
}

#[test]
fn usage_errors_and_fail_on() {
    let d = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_portmortem"))
            .args(args)
            .current_dir(d.path())
            .output()
            .unwrap()
    };
    let o = run(&["watch", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--target"));
    // A ban written before the run is not an alert; --fail-on sees none: exit 0.
    std::fs::write(d.path().join("fail2ban.log"), f2b(SCANNER)).unwrap();
    let o = run(&[
        "watch",
        "--target",
        "192.0.2.70",
        "--scanner-ip",
        SCANNER,
        "--for",
        "1s",
        "--fail-on",
        "blocked",
        ".",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 alerts"));
}

/// Targets from a scan report nmap is still writing, re-read as it grows: a host added to it
/// later becomes a target, and the scanned ports come from it.
#[test]
fn targets_from_a_growing_scan_report() {
    let d = tempfile::tempdir().unwrap();
    let scan = d.path().join("scan.xml");
    let host = |ip: &str| {
        format!(
            "<host starttime=\"1\" endtime=\"2\"><status state=\"up\" reason=\"syn-ack\"/>\n<address addr=\"{ip}\" addrtype=\"ipv4\"/>\n<ports><port protocol=\"tcp\" portid=\"443\"><state state=\"open\" reason=\"syn-ack\" reason_ttl=\"63\"/></port></ports>\n</host>\n"
        )
    };
    std::fs::write(
        &scan,
        format!(
            "<?xml version=\"1.0\"?>\n<nmaprun scanner=\"nmap\" start=\"1\">\n<scaninfo type=\"syn\" protocol=\"tcp\" services=\"22,443\"/>\n{}",
            host("192.0.2.10")
        ),
    )
    .unwrap();
    std::fs::create_dir(d.path().join("fw")).unwrap();
    let log = d.path().join("fw/kern.log");
    append(&log, "");
    let child = Command::new(env!("CARGO_BIN_EXE_portmortem"))
        .args([
            "watch",
            "--scan",
            "scan.xml",
            "--scanner-ip",
            SCANNER,
            "--for",
            "5s",
            "--poll",
            "100ms",
            "--format",
            "jsonl",
            "-q",
            "fw",
        ])
        .current_dir(d.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    append(&log, &ufw(SCANNER, "192.0.2.10", 443)); // line 1: alert
    append(&log, &ufw(SCANNER, "192.0.2.11", 443)); // line 2: not a target yet
    append(&scan, &host("192.0.2.11"));
    std::thread::sleep(Duration::from_millis(1800));
    append(&log, &ufw(SCANNER, "192.0.2.11", 443)); // line 3: a target now
    append(&log, &ufw(SCANNER, "192.0.2.11", 8080)); // line 4: a port the scan does not name
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(String, u64)> = lines
        .iter()
        .map(|v| {
            (
                v["host"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![("192.0.2.10".to_string(), 1), ("192.0.2.11".to_string(), 3)],
        "{lines:#?}"
    );
}
