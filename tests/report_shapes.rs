//! The shapes reports take beyond the golden files: `--output` choosing the format by extension,
//! `--color`, the DefectDojo import document, ECS/Timesketch fields in `events`, provenance with
//! real digests, shell completions and the man page.

mod common;

use common::*;

const SAMPLE: &str = "samples/nov20-webfarm";

fn sha_hex(p: &std::path::Path) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(p).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The provenance entry of input `name` (a path under the sample).
fn input(r: &serde_json::Value, name: &str) -> serde_json::Value {
    r["provenance"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file"] == format!("{SAMPLE}/{name}"))
        .unwrap_or_else(|| panic!("{name} not in the provenance"))
        .clone()
}

#[test]
fn output_extension_picks_the_format_unless_format_is_given() {
    let d = tempfile::tempdir().unwrap();
    for (name, starts) in [
        ("r.html", "<!DOCTYPE html>"),
        ("r.json", "{"),
        ("r.jsonl", "{\""),
        ("r.csv", "host,hostnames,port"),
        ("r.md", "# portmortem report"),
        ("r.txt", "portmortem: 7 ports went away"),
        ("r.log", "portmortem: 7 ports went away"),
    ] {
        let out = d.path().join(name);
        let o = run_in(&root(), &["analyze", "-o", out.to_str().unwrap(), SAMPLE]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with(starts), "{name}: {:.80}", text);
    }
    // --format wins, with a warning naming both.
    let out = d.path().join("r.html");
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
    assert!(std::fs::read_to_string(&out).unwrap().starts_with('{'));
    assert!(
        stderr(&o).contains("--format json writes") && stderr(&o).contains("suggests html"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn color_always_paints_verdicts_and_never_does_not() {
    let o = run_in(&root(), &["analyze", "--color", "always", SAMPLE]);
    let t = stdout(&o);
    assert!(t.contains("\x1b[1;31mBLOCKED\x1b[0m"), "{t:.400}");
    assert!(t.contains("\x1b[1;33mSERVICE_RESTART\x1b[0m"));
    let o = run_in(&root(), &["analyze", "--color", "never", SAMPLE]);
    assert!(!stdout(&o).contains('\x1b'));
    // Not a terminal: auto means no colour.
    let o = run_in(&root(), &["analyze", SAMPLE]);
    assert!(!stdout(&o).contains('\x1b'));
}

#[test]
fn text_report_opens_with_the_summary_table_and_wraps_at_columns() {
    let o = Command::new(env!("CARGO_BIN_EXE_portmortem"))
        .args(["analyze", SAMPLE])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "72")
        .output()
        .unwrap();
    let t = stdout(&o);
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[2].trim_start().starts_with("HOST"), "{t:.300}");
    assert!(lines[3].contains("192.0.2.10") && lines[3].contains("blocked"));
    // The table fits too: the evidence column is the first left out.
    assert!(
        !lines[2].contains("EVIDENCE") && lines[2].contains("CAUSE"),
        "{}",
        lines[2]
    );
    assert!(lines[3].chars().count() <= 72, "{}", lines[3]);
    // Prose wraps at 72 columns with a hanging indent (tables and unbreakable tokens aside).
    let expl = lines
        .iter()
        .position(|l| l.starts_with("    The firewall dropped"))
        .expect("explanation");
    assert!(lines[expl].chars().count() <= 72, "{}", lines[expl]);
    assert!(lines[expl + 1].starts_with("    ") && !lines[expl + 1].starts_with("     "));
    // Long: the summary again at the end.
    assert!(t.contains("\nsummary (again):\n"));
}

use std::process::Command;

#[test]
fn defectdojo_has_one_finding_per_port_with_endpoint_title_and_mitigation() {
    let o = run_in(&root(), &["analyze", "--format", "defectdojo", SAMPLE]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 7);
    assert_eq!(
        f[0]["title"],
        "192.0.2.10 tcp/443 www blocked (firewall_drop)"
    );
    assert_eq!(f[0]["endpoints"][0]["host"], "192.0.2.10");
    assert_eq!(f[0]["endpoints"][0]["port"], 443);
    assert!(
        f[0]["description"]
            .as_str()
            .unwrap()
            .contains("samples/nov20-webfarm/web01/kern.log:6")
    );
    assert!(
        f[0]["mitigation"]
            .as_str()
            .unwrap()
            .contains("ufw insert 1 allow")
    );
    assert_eq!(f[0]["date"], "2026-11-20");
    for x in f {
        assert!(
            ["Info", "Low", "Medium", "High", "Critical"]
                .contains(&x["severity"].as_str().unwrap())
        );
    }
    assert_eq!(
        f[1]["severity"], "Medium",
        "an OOM kill the scan may have caused"
    );
    assert_eq!(f[3]["title"], "192.0.2.40 tcp/25 smtp unexplained");
    let ids: std::collections::BTreeSet<&str> = f
        .iter()
        .map(|x| x["unique_id_from_tool"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 7, "deduplication keys are unique");
}

#[test]
fn events_lines_carry_ecs_and_timesketch_fields() {
    let o = run_in(
        &root(),
        &[
            "events",
            "--reference",
            "2026-11-20T00:00:00Z",
            &format!("{SAMPLE}/web01/kern.log"),
            &format!("{SAMPLE}/app01/syslog"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let deny = lines
        .iter()
        .find(|l| l["event"] == "firewall_deny")
        .unwrap();
    assert_eq!(deny["event.category"], serde_json::json!(["network"]));
    assert_eq!(
        deny["event.type"],
        serde_json::json!(["connection", "denied"])
    );
    assert_eq!(deny["event.action"], "firewall_drop");
    assert_eq!(deny["source.ip"], "203.0.113.5");
    assert_eq!(deny["destination.ip"], "192.0.2.10");
    assert_eq!(deny["destination.port"], 443);
    assert_eq!(deny["rule.name"], "UFW BLOCK");
    assert_eq!(deny["observer.product"], "netfilter");
    assert_eq!(deny["datetime"], deny["time"]);
    assert_eq!(deny["timestamp_desc"], "Event Logged");
    assert!(!deny["message"].as_str().unwrap().is_empty());
    let oom = lines
        .iter()
        .find(|l| l["event"] == "lifecycle" && l["state"] == "oom_killed")
        .unwrap();
    assert_eq!(oom["event.category"], serde_json::json!(["process"]));
    assert_eq!(oom["event.type"], serde_json::json!(["end"]));
    assert_eq!(oom["event.action"], "service_oom_killed");
}

#[test]
fn every_report_carries_provenance_with_real_digests() {
    let (_, r) = analyze_json(&root(), &[SAMPLE]);
    let p = &r["provenance"];
    assert_eq!(p["tool"], "portmortem");
    assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["generated"], "2026-11-26T06:00:00Z", "SOURCE_DATE_EPOCH");
    assert_eq!(p["digest"], "blake3", "the default");
    assert_eq!(
        p["command_line"],
        serde_json::json!([
            "portmortem",
            "analyze",
            "--format",
            "json",
            "--no-progress",
            SAMPLE
        ])
    );
    let inputs = p["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 8, "7 logs and notes + the scan");
    let gz = input(&r, "db01/syslog.1.gz");
    let gz_bytes = std::fs::read(root().join(SAMPLE).join("db01/syslog.1.gz")).unwrap();
    assert_eq!(gz["blake3"], blake3::hash(&gz_bytes).to_hex().as_str());
    assert_eq!(gz["bytes"], gz_bytes.len());
    // SHA-256 on request.
    let (_, r2) = analyze_json(&root(), &["--digest", "sha256", SAMPLE]);
    let gz2 = input(&r2, "db01/syslog.1.gz");
    assert_eq!(
        gz2["sha256"],
        sha_hex(&root().join(SAMPLE).join("db01/syslog.1.gz"))
    );
    assert_schema_valid(&r2);
    assert_schema_valid(&r);
    for fmt in ["markdown", "csv", "text"] {
        let o = run_in(&root(), &["analyze", "--format", fmt, SAMPLE]);
        let t = stdout(&o);
        assert!(t.contains("2026-11-26T06:00:00Z"), "{fmt}");
        assert!(
            t.contains("portmortem analyze --format"),
            "{fmt}: command line"
        );
    }
    let o = run_in(&root(), &["analyze", "--format", "markdown", SAMPLE]);
    let scan = std::fs::read(root().join(SAMPLE).join("scan.nessus")).unwrap();
    assert!(stdout(&o).contains(blake3::hash(&scan).to_hex().as_str()));
}

#[test]
fn completions_and_man_page() {
    for (shell, want) in [
        ("bash", "_portmortem()"),
        ("zsh", "#compdef portmortem"),
        ("fish", "complete -c portmortem"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = run_in(&root(), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let t = stdout(&o);
        assert!(t.contains(want), "{shell}: {t:.200}");
        assert!(t.contains("probe-max"), "{shell}: flags completed");
    }
    let o = run_in(&root(), &["man"]);
    assert_eq!(o.status.code(), Some(0));
    let t = stdout(&o);
    assert!(t.starts_with(".ie \\n(.g .ds Aq"), "{t:.100}");
    assert!(t.contains(".TH portmortem 1"), "{t:.300}");
    assert!(t.contains("reprobe"));
    let o = run_in(&root(), &["man", "analyze"]);
    assert_eq!(o.status.code(), Some(0));
    let t = stdout(&o);
    assert!(t.contains(".TH portmortem-analyze 1"), "{t:.300}");
    assert!(t.contains("probe\\-max"), "the flags are documented");
    let o = run_in(&root(), &["man", "nosuch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no command \"nosuch\""));
}

#[test]
fn probe_flags_without_reprobe_are_named_as_having_no_effect() {
    let o = run_in(
        &root(),
        &[
            "analyze",
            "--probe-max",
            "3",
            "--probe-timeout",
            "1s",
            "-o",
            "/dev/null",
            SAMPLE,
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("--probe-timeout, --probe-max has no effect without --reprobe"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn digest_can_be_blake3_or_none() {
    let (_, r) = analyze_json(&root(), &[SAMPLE]);
    assert_schema_valid(&r);
    assert_eq!(r["provenance"]["digest"], "blake3");
    let scan = input(&r, "scan.nessus");
    assert!(scan["sha256"].is_null());
    let bytes = std::fs::read(root().join(SAMPLE).join("scan.nessus")).unwrap();
    assert_eq!(scan["blake3"], blake3::hash(&bytes).to_hex().as_str());
    assert_eq!(scan["bytes"], bytes.len());
    let (_, r) = analyze_json(&root(), &["--digest", "none", SAMPLE]);
    assert_schema_valid(&r);
    assert_eq!(r["provenance"]["digest"], "none");
    assert!(r["provenance"]["inputs"][0]["sha256"].is_null());
    assert!(
        r["provenance"]["inputs"][0]["bytes"].as_u64().unwrap() > 0,
        "sizes stay"
    );
}
