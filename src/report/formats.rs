//! Machine and document renderings of the report: JSON lines (one port a line, with ECS and
//! Timesketch fields for SIEM ingestion), CSV (one row a port), Markdown.

use std::fmt::Write;

use anyhow::Result;

use crate::correlate::Cause;
use serde_json::Value;

use super::{PortOut, Report};

/// One JSON object per port: every port field, plus the ECS and Timesketch fields of
/// [`super::ecs::port_fields`] and `provenance` (version, time, command line).
pub fn jsonl(r: &Report) -> Result<String> {
    let mut out = String::new();
    for p in &r.ports {
        let mut v = serde_json::to_value(p)?;
        let scanners: Vec<&str> = r
            .scans
            .iter()
            .filter(|s| s.file == p.scan_file)
            .flat_map(|s| s.scanner_ips.iter().map(String::as_str))
            .collect();
        if let Value::Object(m) = &mut v {
            m.extend(super::ecs::port_fields(p, &scanners));
            m.insert(
                "provenance".into(),
                serde_json::json!({
                    "tool": r.provenance.tool,
                    "version": r.provenance.version,
                    "generated": r.provenance.generated,
                    "command_line": r.provenance.command_line,
                }),
            );
        }
        out.push_str(&serde_json::to_string(&v)?);
        out.push('\n');
    }
    Ok(out)
}

/// Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) get a leading `'`:
/// log text is attacker-controlled.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// One row per port.
pub fn csv(r: &Report) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "host",
        "hostnames",
        "port",
        "protocol",
        "service",
        "scan_state",
        "window_start",
        "window_end",
        "verdict",
        "cause",
        "confidence",
        "evidence_count",
        "evidence",
        "explanation",
        "advice",
        "reprobe_state",
        "scan_file",
        "scan_digest",
        "generated",
        "portmortem_version",
        "command_line",
    ])?;
    let command = r.provenance.command();
    for p in &r.ports {
        // `blake3:…` or `sha256:…`, as --digest chose.
        let scan_digest = r
            .provenance
            .inputs
            .iter()
            .find(|i| i.file == p.scan_file)
            .filter(|i| i.value() != "–")
            .map(|i| format!("{}:{}", r.provenance.digest, i.value()))
            .unwrap_or_default();
        let evidence: Vec<String> = p
            .evidence
            .iter()
            .map(|e| format!("{}:{}", e.file, e.line))
            .collect();
        w.write_record([
            cell(&p.host),
            cell(&p.hostnames.join(" ")),
            p.port.to_string(),
            cell(&p.protocol),
            cell(p.service.as_deref().unwrap_or("")),
            p.scan_state.to_string(),
            p.window.start.clone(),
            p.window.end.clone(),
            p.verdict.to_string(),
            p.cause.map_or("", Cause::as_str).to_string(),
            p.confidence.to_string(),
            p.evidence.len().to_string(),
            cell(&evidence.join(" ")),
            cell(&p.explanation),
            cell(&p.advice.join(" | ")),
            p.reprobe
                .as_ref()
                .map(|x| x.state.clone())
                .unwrap_or_default(),
            cell(&p.scan_file),
            scan_digest,
            r.provenance.generated.clone(),
            r.provenance.version.clone(),
            cell(&command),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Markdown text: log text must not become HTML (`<`, `>`, `&` escaped: renderers pass inline HTML
/// through) nor split a table cell (`|`).
fn md(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn md_port(out: &mut String, p: &PortOut) {
    let _ = writeln!(
        out,
        "### {} {}/{}{} — {} ({})\n",
        md(&p.host),
        p.protocol,
        p.port,
        p.service
            .as_deref()
            .map(|s| format!(" ({})", md(s)))
            .unwrap_or_default(),
        p.verdict,
        p.cause
            .map(|c| format!("{c}, {} confidence", p.confidence))
            .unwrap_or_else(|| format!("{} confidence", p.confidence))
    );
    let _ = writeln!(
        out,
        "Scan state **{}**, window {} – {}.\n\n{}\n",
        p.scan_state,
        p.window.start,
        p.window.end,
        md(&p.explanation)
    );
    if !p.evidence.is_empty() {
        let _ = writeln!(out, "| evidence | time | event | line |\n|---|---|---|---|");
        for e in &p.evidence {
            let _ = writeln!(
                out,
                "| {}:{} | {} | {} | <code>{}</code> |",
                md(&e.file),
                e.line,
                e.time,
                e.event,
                md(&e.text)
            );
        }
        out.push('\n');
    }
    if let Some(r) = &p.reprobe {
        let _ = writeln!(
            out,
            "Re-probe of {}: **{}** at {} ({:.0} ms){}.\n",
            md(&r.address),
            r.state,
            r.at,
            r.elapsed_ms,
            if r.reading.is_empty() {
                String::new()
            } else {
                format!(": {}", md(&r.reading))
            }
        );
    }
    for a in &p.advice {
        let _ = writeln!(out, "- {}", md(a));
    }
    out.push('\n');
}

/// A Markdown document: summary table, then a section per port.
pub fn markdown(r: &Report) -> String {
    let s = &r.summary;
    let mut out = String::from("# portmortem report\n\n");
    let _ = writeln!(
        out,
        "{} went away during the scan: **{} blocked**, **{} service_restart**, **{} unexplained**.\n",
        crate::words::count(s.ports as u64, "port", "ports"),
        s.blocked,
        s.service_restart,
        s.unexplained
    );
    let _ = writeln!(out, "_{}._\n", md(&r.provenance.line()));
    for sc in &r.scans {
        let _ = writeln!(
            out,
            "Scan `{}` ({}): {}.\n",
            md(&sc.file).replace('`', "'"),
            sc.format,
            md(&sc.facts())
        );
        for n in &sc.notes {
            let _ = writeln!(out, "- note: {}", md(n));
        }
        out.push('\n');
    }
    if !r.ports.is_empty() {
        out.push_str("| host | port | scan state | verdict | cause | confidence | evidence |\n|---|---|---|---|---|---|---|\n");
        for p in &r.ports {
            let _ = writeln!(
                out,
                "| {} | {}/{} | {} | {} | {} | {} | {} |",
                md(&p.host),
                p.protocol,
                p.port,
                p.scan_state,
                p.verdict,
                p.cause.map_or("–", Cause::as_str),
                p.confidence,
                p.evidence
                    .first()
                    .map(|e| format!("{}:{}", md(&e.file), e.line))
                    .unwrap_or_else(|| "–".into())
            );
        }
        out.push_str("\n## Ports\n\n");
        for p in &r.ports {
            md_port(&mut out, p);
        }
    }
    out.push_str("## Sources\n\n| file | format | lines | parsed | ignored | malformed | events | tz | clock offset |\n|---|---|---|---|---|---|---|---|---|\n");
    for src in &r.sources {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&src.file),
            src.format,
            src.lines,
            src.parsed,
            src.ignored,
            src.malformed,
            src.events,
            src.tz.as_deref().unwrap_or("–"),
            src.clock_offset_s
                .map(|o| format!("{o:+}s"))
                .unwrap_or_else(|| "–".into())
        );
    }
    md_provenance(&mut out, &r.provenance);
    out
}

fn md_provenance(out: &mut String, p: &super::Provenance) {
    let _ = writeln!(
        out,
        "\n## Provenance\n\n{}; command: <code>{}</code>\n",
        md(&p.line()),
        md(&p.command())
    );
    if !p.inputs.is_empty() {
        let _ = writeln!(
            out,
            "| input | bytes | {} |\n|---|---|---|",
            if p.digest.is_empty() {
                "digest"
            } else {
                &p.digest
            }
        );
        for i in &p.inputs {
            let _ = writeln!(out, "| {} | {} | {} |", md(&i.file), i.bytes, i.value());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1+2"), "'-1+2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("web01"), "web01");
    }

    #[test]
    fn markdown_escapes_log_text() {
        assert_eq!(md("a|b\nc"), "a\\|b c");
        assert_eq!(md("<b>&"), "&lt;b&gt;&amp;");
    }
}
