//! The bundled sample (samples/nov20-webfarm): every port's verdict, cause and evidence file:line,
//! the per-source accounting, the schema, and golden text/JSON reports.

mod common;

use common::*;

const SAMPLE: &str = "samples/nov20-webfarm";

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn sample_verdicts_causes_and_evidence() {
    let (code, r) = analyze_json(&root(), &[SAMPLE]);
    assert_eq!(code, 0);
    let facts = port_facts(&r);
    let f = |p: &str| format!("{SAMPLE}/{p}");
    let want = vec![
        // UFW BLOCK lines from the scanner to 443 inside the window; the decoys (scanner to 8443,
        // 198.51.100.77 to 443, the scanner at 01:10 before the window) are not evidence.
        (
            "192.0.2.10".to_string(),
            443,
            "blocked".to_string(),
            "firewall_drop".to_string(),
            vec![
                f("web01/kern.log:6"),
                f("web01/kern.log:7"),
                f("web01/kern.log:11"),
            ],
        ),
        // tomcat9 OOM-killed and only back after the recheck; nginx/mysql restarts on app01 are decoys.
        (
            "192.0.2.20".to_string(),
            8080,
            "service_restart".to_string(),
            "oom_kill".to_string(),
            vec![
                f("app01/syslog:14"),
                f("app01/syslog:16"),
                f("app01/syslog:17"),
                f("app01/syslog:18"),
                f("app01/syslog:21"),
            ],
        ),
        // mysql stopped by hand (back only at 02:52, line 12), mapped to 3306 by its own "ready for connections … port: 3306" line.
        (
            "192.0.2.30".to_string(),
            3306,
            "service_restart".to_string(),
            "service_stop".to_string(),
            vec![
                f("db01/syslog.1.gz:7"),
                f("db01/syslog.1.gz:8"),
                f("db01/syslog.1.gz:9"),
                f("db01/syslog.1.gz:12"),
            ],
        ),
        // postfix stopped and was back 4 s later, long before the recheck: not a cause.
        (
            "192.0.2.40".to_string(),
            25,
            "unexplained".to_string(),
            "null".to_string(),
            vec![],
        ),
        // Suricata blocked alert + drop from the scanner to 22; the other source's block is a decoy.
        (
            "192.0.2.50".to_string(),
            22,
            "blocked".to_string(),
            "ips_block".to_string(),
            vec![f("ids01/eve.json:3"), f("ids01/eve.json:4")],
        ),
        // No log names files01.
        (
            "192.0.2.60".to_string(),
            21,
            "unexplained".to_string(),
            "null".to_string(),
            vec![],
        ),
        // fail2ban's sshd jail banned the scanner until after the recheck (host from the path); its
        // nginx-botsearch ban does not cover 22, and the other address's ban is a decoy.
        (
            "192.0.2.70".to_string(),
            22,
            "blocked".to_string(),
            "ban".to_string(),
            vec![f("bastion01/fail2ban.log:10")],
        ),
    ];
    assert_eq!(facts, want);
    let ports = r["ports"].as_array().unwrap();
    assert_eq!(ports[0]["confidence"], "high");
    assert_eq!(
        ports[1]["confidence"], "medium",
        "port→tomcat mapping is only inferred"
    );
    assert_eq!(
        ports[2]["confidence"], "high",
        "mapping from the listening line is explicit"
    );
    assert!(
        ports[3]["explanation"]
            .as_str()
            .unwrap()
            .contains("back at 2026-11-20T02:03:14Z")
    );
    assert!(
        ports[5]["explanation"]
            .as_str()
            .unwrap()
            .starts_with("No log source covers host 192.0.2.60")
    );
    assert_eq!(r["summary"]["blocked"], 3);
    assert_eq!(r["summary"]["service_restart"], 2);
    assert_eq!(r["summary"]["unexplained"], 2);
    assert_schema_valid(&r);
}

#[test]
fn sample_source_accounting() {
    let (_, r) = analyze_json(&root(), &[SAMPLE]);
    let src = r["sources"].as_array().unwrap();
    let by = |name: &str| {
        src.iter()
            .find(|x| x["file"] == format!("{SAMPLE}/{name}"))
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    for x in src {
        let total = x["parsed"].as_u64().unwrap()
            + x["ignored"].as_u64().unwrap()
            + x["malformed"].as_u64().unwrap();
        assert_eq!(x["lines"].as_u64().unwrap(), total, "{x}");
    }
    // The NUL-damaged UFW line (its SRC is not an address) is the one malformed line.
    assert_eq!(by("web01/kern.log")["malformed"], 1);
    assert_eq!(by("web01/kern.log")["lines"], 12);
    assert_eq!(by("db01/syslog.1.gz")["format"], "syslog");
    assert_eq!(by("db01/syslog.1.gz")["lines"], 12);
    assert_eq!(by("ids01/eve.json")["format"], "suricata_eve");
    assert_eq!(by("NOTES.txt")["format"], "unrecognised");
    assert_eq!(by("bastion01/fail2ban.log")["format"], "fail2ban");
    // In a fail2ban log only lines naming the scanner are parsed: the start-up lines and the other
    // address's Found, Ban and Unban lines are ignored, not events.
    assert_eq!(by("bastion01/fail2ban.log")["events"], 3);
    assert_eq!(by("bastion01/fail2ban.log")["ignored"], 6);
    assert_eq!(
        r["scans"][0]["scanner_ips"],
        serde_json::json!(["203.0.113.5"])
    );
    assert_eq!(r["scans"][0]["settings"]["checks_read_timeout"], 5);
    assert_eq!(r["scans"][0]["settings"]["max_checks"], 5);
    assert!(
        r["scans"][0]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("139 and 445"))
    );
}

#[test]
fn golden_text_report() {
    let o = run_in(&root(), &["analyze", "--no-progress", SAMPLE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("sample_text", stdout(&o));
}

#[test]
fn golden_json_report() {
    let (_, r) = analyze_json(&root(), &[SAMPLE]);
    insta::assert_json_snapshot!("sample_json", r);
}

#[test]
fn same_report_for_any_thread_count() {
    let (_, mut one) = analyze_json(&root(), &["--threads", "1", SAMPLE]);
    let (_, mut two) = analyze_json(&root(), &["--threads", "2", SAMPLE]);
    // Only the command line (in the provenance) may differ.
    assert_ne!(
        one["provenance"]["command_line"],
        two["provenance"]["command_line"]
    );
    one["provenance"]["command_line"] = serde_json::Value::Null;
    two["provenance"]["command_line"] = serde_json::Value::Null;
    assert_eq!(one, two);
}

#[test]
fn fail_on_sets_exit_code_1() {
    let o = run_in(
        &root(),
        &["analyze", "--no-progress", "--fail-on", "blocked", SAMPLE],
    );
    assert_eq!(o.status.code(), Some(1));
    let o = run_in(
        &root(),
        &[
            "analyze",
            "--no-progress",
            "--fail-on",
            "any",
            "-o",
            "/dev/null",
            SAMPLE,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn output_file_and_events_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = run_in(
        &root(),
        &[
            "analyze",
            "--format",
            "json",
            "-o",
            out.to_str().unwrap(),
            SAMPLE,
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(r["summary"]["ports"], 7);

    let o = run_in(
        &root(),
        &[
            "events",
            "--reference",
            "2026-11-20T00:00:00Z",
            &format!("{SAMPLE}/web01/kern.log"),
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 6 UFW BLOCK lines are denies (AUDIT/ALLOW are not), the NUL-damaged one is malformed.
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["time"], "2026-11-20T01:10:02Z");
    assert_eq!(lines[0]["event"], "firewall_deny");
    assert_eq!(lines[0]["action"], "drop");
    assert_eq!(lines[0]["src"], "203.0.113.5");
    assert_eq!(lines[0]["dport"], 443);
    assert_eq!(lines[3]["dport"], 8443);
    assert_eq!(
        s(&[lines[4]["src"].as_str().unwrap()]),
        s(&["198.51.100.77"])
    );
}

#[test]
fn formats_lists_readers() {
    let o = run_in(&root(), &["formats"]);
    assert_eq!(o.status.code(), Some(0));
    let t = stdout(&o);
    for f in ["nessus", "syslog", "ulogd", "suricata_eve"] {
        assert!(t.contains(f), "{f}");
    }
}

#[test]
fn scan_given_twice_is_read_once() {
    let (_, r) = analyze_json(
        &root(),
        &["--scan", &format!("{SAMPLE}/scan.nessus"), SAMPLE],
    );
    assert_eq!(r["scans"].as_array().unwrap().len(), 1);
    assert_eq!(r["summary"]["ports"], 7);
}

#[test]
fn golden_markdown_csv_html_jsonl_and_defectdojo_reports() {
    for (fmt, name) in [
        ("markdown", "sample_markdown"),
        ("csv", "sample_csv"),
        ("html", "sample_html"),
        ("jsonl", "sample_jsonl"),
        ("defectdojo", "sample_defectdojo"),
    ] {
        let o = run_in(&root(), &["analyze", "--format", fmt, SAMPLE]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        insta::assert_snapshot!(name, stdout(&o));
    }
}

#[test]
fn jsonl_has_one_port_a_line_with_ecs_fields() {
    let o = run_in(&root(), &["analyze", "--format", "jsonl", SAMPLE]);
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7);
    let first = &lines[0];
    assert_eq!(first["source.ip"], "203.0.113.5");
    assert_eq!(first["destination.ip"], "192.0.2.10");
    assert_eq!(first["destination.port"], 443);
    assert_eq!(first["event.outcome"], "failure");
    assert_eq!(first["event.action"], "blocked");
    assert_eq!(first["@timestamp"], "2026-11-20T02:31:40Z");
    assert_eq!(first["cause"], "firewall_drop");
    assert_eq!(lines[6]["cause"], "ban");
}
