//! Helpers shared by the CLI tests: run the binary, build small scan reports.
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The report time golden tests fix (`SOURCE_DATE_EPOCH`): 2026-11-26T06:00:00Z.
pub const REPORT_EPOCH: &str = "1795672800";

/// Run portmortem with `args` from `cwd`, no color, no progress, the report time fixed.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portmortem"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", REPORT_EPOCH)
        .env_remove("COLUMNS")
        .output()
        .expect("run portmortem")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run `analyze --format json` and parse the report; asserts no panic.
pub fn analyze_json(cwd: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut a = vec!["analyze", "--format", "json", "--no-progress"];
    a.extend_from_slice(args);
    let o = run_in(cwd, &a);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}); stderr: {}", stderr(&o)));
    (o.status.code().unwrap_or(-1), v)
}

/// One scanned host of a generated Nessus report.
pub struct Host<'a> {
    pub ip: &'a str,
    pub fqdn: &'a str,
    /// Epoch seconds.
    pub start: i64,
    pub end: i64,
    /// (port, svc_name, "closed"|"unresponsive")
    pub affected: &'a [(u16, &'a str, &'a str)],
}

/// A minimal Nessus v2 report: scanner 203.0.113.5, checks_read_timeout 5, max_checks 5.
pub fn nessus(hosts: &[Host<'_>]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" ?>\n<NessusClientData_v2>\n<Policy><policyName>t</policyName><Preferences><ServerPreferences>\n<preference><name>checks_read_timeout</name><value>5</value></preference>\n<preference><name>max_checks</name><value>5</value></preference>\n</ServerPreferences></Preferences></Policy>\n<Report name=\"t\">\n",
    );
    for h in hosts {
        s.push_str(&format!(
            "<ReportHost name=\"{ip}\"><HostProperties>\n<tag name=\"host-ip\">{ip}</tag>\n<tag name=\"host-fqdn\">{fqdn}</tag>\n<tag name=\"HOST_START_TIMESTAMP\">{start}</tag>\n<tag name=\"HOST_END_TIMESTAMP\">{end}</tag>\n</HostProperties>\n",
            ip = h.ip,
            fqdn = h.fqdn,
            start = h.start,
            end = h.end
        ));
        for (port, svc, _) in h.affected {
            s.push_str(&format!(
                "<ReportItem port=\"{port}\" svc_name=\"{svc}\" protocol=\"tcp\" severity=\"0\" pluginID=\"11219\" pluginName=\"Nessus SYN scanner\" pluginFamily=\"Port scanners\"><plugin_output>Port {port}/tcp was found to be open</plugin_output></ReportItem>\n"
            ));
        }
        s.push_str("<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" severity=\"0\" pluginID=\"19506\" pluginName=\"Nessus Scan Information\" pluginFamily=\"Settings\"><plugin_output>Information about this scan : \n\nScanner IP : 203.0.113.5\nPort scanner(s) : nessus_syn_scanner \nMax checks : 5\nRecv timeout : 5\n</plugin_output></ReportItem>\n");
        let lines: Vec<String> = h
            .affected
            .iter()
            .map(|(p, _, st)| format!("Port {p} was detected as being open but is now {st}"))
            .collect();
        s.push_str(&format!(
            "<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" severity=\"0\" pluginID=\"10919\" pluginName=\"Open Port Re-check\" pluginFamily=\"General\"><plugin_output>{}\n</plugin_output></ReportItem>\n</ReportHost>\n",
            lines.join("\n")
        ));
    }
    s.push_str("</Report>\n</NessusClientData_v2>\n");
    s
}

/// Verdict, cause and evidence `file:line`s of every port, in report order.
pub fn port_facts(report: &serde_json::Value) -> Vec<(String, u64, String, String, Vec<String>)> {
    report["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| {
            (
                p["host"].as_str().unwrap_or_default().to_string(),
                p["port"].as_u64().unwrap_or_default(),
                p["verdict"].as_str().unwrap_or_default().to_string(),
                p["cause"].as_str().unwrap_or("null").to_string(),
                p["evidence"]
                    .as_array()
                    .expect("evidence")
                    .iter()
                    .map(|e| format!("{}:{}", e["file"].as_str().unwrap_or_default(), e["line"]))
                    .collect(),
            )
        })
        .collect()
}

/// Validate a report against docs/report.schema.json.
pub fn assert_schema_valid(report: &serde_json::Value) {
    let schema_text =
        std::fs::read_to_string(root().join("docs/report.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    // The contract's extra rule: summary counts equal the ports listed.
    let ports = report["ports"].as_array().expect("ports");
    let count = |v: &str| ports.iter().filter(|p| p["verdict"] == v).count() as u64;
    assert_eq!(report["summary"]["ports"], ports.len() as u64);
    assert_eq!(report["summary"]["blocked"], count("blocked"));
    assert_eq!(
        report["summary"]["service_restart"],
        count("service_restart")
    );
    assert_eq!(report["summary"]["unexplained"], count("unexplained"));
    for p in ports {
        assert_eq!(
            p["cause"].is_null(),
            p["verdict"] == "unexplained",
            "cause null iff unexplained"
        );
    }
}
