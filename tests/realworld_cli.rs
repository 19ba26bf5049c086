//! Smoke tests of the built binary over the third-party corpus in `../shared/realworld` (override with
//! `PORTMORTEM_REALWORLD_DIR`). The corpus is not part of the repository: when it is absent every
//! test prints "realworld corpus not present, skipping" and passes. No file of the corpus is copied;
//! the expectations below were checked by reading the files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("PORTMORTEM_REALWORLD_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld"),
    };
    if dir.join("logs").is_dir() && dir.join("scans").is_dir() {
        Some(dir)
    } else {
        eprintln!("realworld corpus not present, skipping");
        None
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_portmortem"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run portmortem");
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    let code = status
        .code()
        .unwrap_or_else(|| panic!("portmortem {args:?} killed by a signal; {stderr}"));
    assert!(
        !stderr.contains("panicked") && code != 101,
        "portmortem {args:?} panicked:\n{stderr}"
    );
    Run {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr,
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The report schema: docs/report.schema.json in the project, else the shared draft; `None` when
/// neither exists (validation is then skipped).
fn schema() -> Option<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("docs/report.schema.json"),
        root.join("../shared/report.schema.json"),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .map(|p| {
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()))
    })
}

fn assert_valid_report(report: &Value, what: &str) {
    let Some(schema) = schema() else {
        eprintln!("no report.schema.json found, skipping schema validation");
        return;
    };
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    // The check has teeth: an empty object is not a report.
    assert!(!validator.is_valid(&serde_json::json!({})));
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: report does not validate:\n{}",
        errors.join("\n")
    );
}

#[test]
fn events_over_all_logs() {
    let Some(dir) = corpus() else { return };
    let logs = dir.join("logs");
    let out = run(&["events", s(&logs), "--reference", "2022-06-08T00:00:00Z"]);
    assert!(
        out.code == 0 || out.code == 2,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    let events: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect();
    assert!(!events.is_empty());
    let logs_prefix = format!("{}/", s(&logs));
    for e in &events {
        for k in ["file", "line", "time", "format", "event"] {
            assert!(e.get(k).is_some(), "field {k} missing: {e}");
        }
        let file = e["file"].as_str().unwrap();
        assert!(file.starts_with(&logs_prefix), "{file}");
        assert!(e["line"].as_u64().is_some_and(|n| n >= 1), "{e}");
        let t = e["time"].as_str().unwrap();
        assert!(
            t.ends_with('Z') && t.len() >= 20,
            "time not UTC RFC 3339: {e}"
        );
        assert!(e["event"].as_str().is_some_and(|k| !k.is_empty()), "{e}");
    }
    let of = |name: &str| -> Vec<&Value> {
        events
            .iter()
            .filter(|e| e["file"].as_str().unwrap().ends_with(name))
            .collect()
    };

    // crowdsecurity/hub iptables-logs.log: four kernel lines; line 3 is the hub's broken `XX=`
    // variant (not netfilter), the others are bare `-j LOG` / IPTABLES-DROP lines → drops.
    let ipt = of("netfilter/crowdsec-hub_iptables-logs.log");
    let got: Vec<(u64, &str, &str, &str, u64, &str)> = ipt
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["event"].as_str().unwrap(),
                e["action"].as_str().unwrap_or(""),
                e["src"].as_str().unwrap_or(""),
                e["dport"].as_u64().unwrap_or(0),
                e["time"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                1,
                "firewall_deny",
                "drop",
                "195.54.160.107",
                8123,
                "2022-06-08T14:34:33Z"
            ),
            (
                2,
                "firewall_deny",
                "drop",
                "195.54.160.107",
                8123,
                "2022-06-08T14:34:33Z"
            ),
            (
                4,
                "firewall_deny",
                "drop",
                "127.0.0.1",
                53,
                "2022-09-27T20:56:38Z"
            ),
        ]
    );
    assert!(ipt.iter().all(|e| e["format"] == "syslog"));
    assert_eq!(ipt[2]["proto"], "udp");
    assert_eq!(ipt[2]["rule"], "IPTABLES-DROP");
    assert_eq!(ipt[0]["host"], "sd-126005");

    // crowdsecurity/hub suricata-eve-detect: four alerts with action "allowed" → alerted, not blocked.
    let eve = of("suricata/crowdsec-hub_suricata-eve-detect.json");
    assert_eq!(eve.len(), 4, "{eve:?}");
    let got: Vec<(u64, &str, &str, u64, u64)> = eve
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["event"].as_str().unwrap(),
                e["action"].as_str().unwrap_or(""),
                e["dport"].as_u64().unwrap_or(0),
                e["signature_id"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "ips_alert", "alerted", 80, 2034125),
            (2, "ips_alert", "alerted", 5060, 2011716),
            (3, "ips_alert", "alerted", 5060, 2011717),
            (4, "ips_alert", "alerted", 5060, 2011718),
        ]
    );
    assert!(eve.iter().all(|e| e["format"] == "suricata_eve"));
    assert_eq!(eve[0]["time"], "2022-07-12T06:22:33.415742Z");
    assert!(
        eve[1]["signature"]
            .as_str()
            .unwrap()
            .starts_with("ET SCAN Sipvicious")
    );

    // logstash-patterns SuSE firewall spec: the two DROP lines are denies; the ACC line is not.
    let suse = of("netfilter/logstash-patterns_firewalls_spec_suse-netfilter.extracted.log");
    assert!(!suse.is_empty());
    assert!(
        suse.iter().all(|e| e["event"] == "firewall_deny"),
        "{suse:?}"
    );

    // Per-file counts are stable whatever the thread count.
    let one = run(&[
        "events",
        s(&logs),
        "--reference",
        "2022-06-08T00:00:00Z",
        "--threads",
        "1",
    ]);
    assert_eq!(one.code, out.code);
    assert_eq!(one.stdout, out.stdout, "output depends on the thread count");
}

#[test]
fn events_per_file_never_panics() {
    let Some(dir) = corpus() else { return };
    let mut files = Vec::new();
    let mut stack = vec![dir.join("logs")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 10);
    // One run per family directory keeps this fast while still giving every file its own source.
    let mut by_dir: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        by_dir
            .entry(f.parent().unwrap().to_path_buf())
            .or_default()
            .push(f);
    }
    for (d, fs) in by_dir {
        let mut args = vec!["events"];
        args.extend(fs.iter().map(|p| s(p)));
        let out = run(&args);
        assert!(
            out.code == 0 || out.code == 2,
            "{}: exit {}: {}",
            d.display(),
            out.code,
            out.stderr
        );
        for l in out.stdout.lines() {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            assert!(v["line"].as_u64().is_some_and(|n| n >= 1));
        }
    }
}

#[test]
fn nessus_v_unknown_lists_all_affected_ports_unexplained() {
    let Some(dir) = corpus() else { return };
    let scan = dir.join("scans/nessus/defectdojo_nessus_v_unknown.xml");
    let out = run(&["analyze", s(&scan), "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r: Value = serde_json::from_str(&out.stdout).expect("JSON report");
    assert_eq!(r["schema"], "portmortem.report.v1");
    let scans = r["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 1);
    assert_eq!(
        scans[0]["scanner_ips"],
        serde_json::json!(["172.16.138.174"])
    );
    assert_eq!(scans[0]["settings"]["checks_read_timeout"], 5);
    assert_eq!(scans[0]["settings"]["max_checks"], 5);

    // From the file's 10919 outputs: every host has 80/135/3389; qa3app02 (10.31.112.22) also
    // 7001 and 10002; all "unresponsive".
    let mut want: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for h in [21, 22, 23, 24, 25, 26, 29] {
        let mut ports: BTreeSet<u64> = [80, 135, 3389].into();
        if h == 22 {
            ports.extend([7001, 10002]);
        }
        want.insert(format!("10.31.112.{h}"), ports);
    }
    let mut got: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    let ports = r["ports"].as_array().unwrap();
    for p in ports {
        got.entry(p["host"].as_str().unwrap().to_string())
            .or_default()
            .insert(p["port"].as_u64().unwrap());
        assert_eq!(p["scan_state"], "unresponsive", "{p}");
        assert_eq!(p["protocol"], "tcp", "{p}");
        assert_eq!(
            p["verdict"], "unexplained",
            "no logs, so nothing explains {p}"
        );
        assert!(p["cause"].is_null(), "{p}");
        assert!(p["evidence"].as_array().unwrap().is_empty(), "{p}");
        assert!(!p["explanation"].as_str().unwrap().is_empty());
    }
    assert_eq!(got, want);
    assert_eq!(ports.len(), 23);
    assert_eq!(r["summary"]["ports"], 23);
    assert_eq!(r["summary"]["unexplained"], 23);
    let q = ports
        .iter()
        .find(|p| p["host"] == "10.31.112.22" && p["port"] == 7001)
        .unwrap();
    assert!(
        q["hostnames"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h.as_str().unwrap().contains("qa3app02")),
        "{q}"
    );
    assert_valid_report(&r, "defectdojo_nessus_v_unknown.xml");
}

#[test]
fn every_nessus_file_analyses_cleanly() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("scans/nessus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "nessus" || x == "xml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in &files {
        let out = run(&["analyze", s(f), "--format", "json"]);
        assert_eq!(out.code, 0, "{}: {}", f.display(), out.stderr);
        let r: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", f.display()));
        assert_eq!(r["scans"].as_array().unwrap().len(), 1, "{}", f.display());
        assert_valid_report(&r, s(f));
        // The text report too.
        let out = run(&["analyze", s(f)]);
        assert_eq!(out.code, 0, "{}: {}", f.display(), out.stderr);
    }
}

#[test]
fn v_unknown_scan_with_all_logs_smoke() {
    let Some(dir) = corpus() else { return };
    let scan = dir.join("scans/nessus/defectdojo_nessus_v_unknown.xml");
    let logs = dir.join("logs");
    let out = run(&["analyze", s(&scan), s(&logs), "--format", "json"]);
    assert!(
        out.code == 0 || out.code == 2,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    let r: Value = serde_json::from_str(&out.stdout).expect("JSON report");
    assert_eq!(r["ports"].as_array().unwrap().len(), 23);
    for src in r["sources"].as_array().unwrap() {
        let n = |k: &str| src[k].as_u64().unwrap();
        if src.get("error").is_none() {
            assert_eq!(
                n("lines"),
                n("parsed") + n("ignored") + n("malformed"),
                "{src}"
            );
        }
        assert!(n("events") <= n("parsed"), "{src}");
    }
    assert_valid_report(&r, "v_unknown + logs");
}

/// The real baseline/rescan pair of libnmap's tests, from the CLI with no logs (`--scan` alone):
/// localhost's 25 (listed closed) and 111 (folded into 995 closed extraports) went away.
#[test]
fn real_nmap_pair_compares_from_the_cli() {
    let Some(dir) = corpus() else { return };
    let base = dir.join("scans/nmap/libnmap_2_hosts.xml");
    let re = dir.join("scans/nmap/libnmap_2_hosts_achange.xml");
    let r = run(&[
        "analyze",
        "--format",
        "json",
        "--baseline",
        s(&base),
        "--scan",
        s(&re),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_valid_report(&report, "nmap pair");
    let got: BTreeSet<(String, u64, String)> = report["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["host"].as_str().unwrap().to_string(),
                p["port"].as_u64().unwrap(),
                p["scan_state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, u64, String)> = [
        ("127.0.0.1".to_string(), 25, "closed".to_string()),
        ("127.0.0.1".to_string(), 111, "closed".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want, "{:#}", report["ports"]);
    // Every real nmap, OpenVAS and masscan file alone: a report with a note, never ports.
    for sub in ["nmap", "openvas", "masscan"] {
        for e in std::fs::read_dir(dir.join("scans").join(sub))
            .unwrap()
            .flatten()
        {
            let p = e.path();
            let r = run(&["analyze", "--format", "json", "--scan", s(&p)]);
            assert_eq!(r.code, 0, "{}: {}", p.display(), r.stderr);
            let v: Value = serde_json::from_str(&r.stdout).unwrap();
            assert!(v["ports"].as_array().unwrap().is_empty(), "{}", p.display());
            assert!(
                v["scans"][0]["notes"].to_string().contains("--baseline"),
                "{}: {:#}",
                p.display(),
                v["scans"]
            );
        }
    }
}
