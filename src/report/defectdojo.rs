//! DefectDojo "Generic Findings Import" JSON (`--format defectdojo`): one finding per port, the
//! verdict and cause in the title, the explanation and evidence (file:line and the line) in the
//! description, the advice as mitigation, the host and port as endpoint. The test type is
//! `portmortem (Generic Findings Import)`; `unique_id_from_tool` keeps re-imports deduplicated.
//! Format: DefectDojo's docs, "Generic Findings Import".

use anyhow::Result;
use serde_json::{Value, json};

use super::{PortOut, Report};
use crate::correlate::{Cause, Verdict};

/// Severity of a port that went away during a scan: the scan's results for it are missing. A
/// service the scan may have crashed (crash, OOM kill) is an availability problem: Medium; the
/// rest is a coverage gap: Low.
fn severity(p: &PortOut) -> &'static str {
    match p.cause {
        Some(Cause::ServiceCrash | Cause::OomKill) => "Medium",
        _ => "Low",
    }
}

/// Markdown inline code for log text: backticks cannot close it early.
fn code(s: &str) -> String {
    let fence = if s.contains('`') { "`` " } else { "`" };
    let end = if s.contains('`') { " ``" } else { "`" };
    format!("{fence}{}{end}", s.replace("``", "` `"))
}

fn description(p: &PortOut) -> String {
    let mut d = format!(
        "**{}** ({}). The scan saw {} on {} open, then **{}** at the recheck.\n\n{}\n\nWindow: {} – {} (± {}s slack).",
        p.verdict,
        p.cause_text(),
        p.label(),
        p.host,
        p.scan_state,
        p.explanation,
        p.window.start,
        p.window.end,
        p.window.slack_s
    );
    if !p.hostnames.is_empty() {
        d.push_str(&format!("\n\nHost names: {}.", p.hostnames.join(", ")));
    }
    if !p.evidence.is_empty() {
        d.push_str("\n\nEvidence:\n");
        for e in &p.evidence {
            d.push_str(&format!(
                "\n- {}:{} {} {}: {}",
                e.file,
                e.line,
                e.time,
                e.event,
                code(&e.text)
            ));
        }
    }
    if let Some(r) = &p.reprobe {
        d.push_str(&format!(
            "\n\nRe-probe of {} at {}: {}{}.",
            r.address,
            r.at,
            r.state,
            if r.reading.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.reading)
            }
        ));
    }
    d
}

fn finding(p: &PortOut, date: &str) -> Value {
    let title = format!(
        "{} {} {}{}",
        p.host,
        p.label(),
        p.verdict,
        p.cause.map(|c| format!(" ({c})")).unwrap_or_default()
    );
    let mitigation: Vec<String> = p.advice.iter().map(|a| format!("- {a}")).collect();
    let impact = match p.verdict {
        Verdict::Blocked => {
            "The scan's results for this port are incomplete: a control blocked the scanner during the scan."
        }
        Verdict::ServiceRestart => {
            "The service was down during the scan: its results are incomplete, and the scan may have caused the outage."
        }
        Verdict::Unexplained => {
            "The scan's results for this port are incomplete, and the logs given do not say why."
        }
    };
    json!({
        "title": title,
        "severity": severity(p),
        "description": description(p),
        "mitigation": mitigation.join("\n"),
        "impact": impact,
        "date": date,
        "active": true,
        "verified": false,
        "static_finding": false,
        "dynamic_finding": true,
        "component_name": p.service,
        "vuln_id_from_tool": format!("portmortem:{}:{}", p.verdict, p.cause.map_or("none", Cause::as_str)),
        "unique_id_from_tool": format!("portmortem:{}:{}/{}:{}", p.scan_file, p.host, p.protocol, p.port),
        "endpoints": [{"host": p.host, "port": p.port}],
    })
}

/// The import document.
pub fn render(r: &Report) -> Result<String> {
    let findings: Vec<Value> = r
        .ports
        .iter()
        .map(|p| {
            // The finding's date is the recheck's (UTC) day.
            let date = p.window.end.get(..10).unwrap_or_default();
            finding(p, date)
        })
        .collect();
    let doc = json!({
        "name": "portmortem",
        "type": "portmortem",
        "version": r.provenance.version,
        "description": format!(
            "{}. {}; command: {}",
            r.headline(),
            r.provenance.line(),
            r.provenance.command()
        ),
        "dynamic_tool": true,
        "static_tool": false,
        "findings": findings,
    });
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn log_text_cannot_close_its_code_span() {
        assert_eq!(code("a b"), "`a b`");
        assert_eq!(code("x`y"), "`` x`y ``");
    }
}
