//! Machine and document renderings of the report: JSON lines (one port a line, with ECS-style fields
//! for SIEM ingestion), CSV (one row a port), Markdown and HTML.

use std::fmt::Write;

use anyhow::Result;

use crate::correlate::Cause;
use serde_json::{Value, json};

use super::{PortOut, Report};

/// One JSON object per port: every port field, plus `@timestamp` (the recheck), `source.ip` (the
/// scanner), `destination.ip`/`destination.port`, and `event.*` fields in ECS style.
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
            m.insert("@timestamp".into(), json!(p.window.end));
            m.insert(
                "source.ip".into(),
                match scanners.as_slice() {
                    [one] => json!(one),
                    [] => Value::Null,
                    many => json!(many),
                },
            );
            m.insert("destination.ip".into(), json!(p.host));
            m.insert("destination.port".into(), json!(p.port));
            m.insert("network.transport".into(), json!(p.protocol));
            m.insert("event.kind".into(), json!("event"));
            m.insert("event.category".into(), json!(["network"]));
            m.insert("event.module".into(), json!("portmortem"));
            m.insert("event.action".into(), json!(p.verdict));
            m.insert("event.reason".into(), json!(p.explanation));
            // The recheck of a port that was open failed: that is the outcome being explained.
            m.insert("event.outcome".into(), json!("failure"));
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
    ])?;
    for p in &r.ports {
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
                .map(|x| x.state)
                .unwrap_or("")
                .to_string(),
            cell(&p.scan_file),
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
            "Re-probe: **{}** at {} ({:.0} ms).\n",
            r.state, r.at, r.elapsed_ms
        );
    }
    for a in &p.advice {
        let _ = writeln!(out, "- {}", md(a));
    }
    out.push('\n');
}

/// Escape text for HTML (and for Markdown's inline HTML).
pub fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
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
    out
}

/// A self-contained HTML page (no scripts, no external resources); every log-derived string is
/// escaped.
pub fn html(r: &Report) -> String {
    let e = html_escape;
    let s = &r.summary;
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>portmortem report</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:.3em;margin:.2em 0}.blocked{color:#b00}.service_restart{color:#a60}.unexplained{color:#70a}</style></head><body>\n<h1>portmortem report</h1>\n",
    );
    let _ = writeln!(
        out,
        "<p>{} went away during the scan: <b class=\"blocked\">{} blocked</b>, <b class=\"service_restart\">{} service_restart</b>, <b class=\"unexplained\">{} unexplained</b>.</p>",
        crate::words::count(s.ports as u64, "port", "ports"),
        s.blocked,
        s.service_restart,
        s.unexplained
    );
    for sc in &r.scans {
        let _ = writeln!(
            out,
            "<p>Scan <code>{}</code> ({}): {}.</p>",
            e(&sc.file),
            e(&sc.format),
            e(&sc.facts())
        );
        if !sc.notes.is_empty() {
            out.push_str("<ul>");
            for n in &sc.notes {
                let _ = write!(out, "<li>{}</li>", e(n));
            }
            out.push_str("</ul>\n");
        }
    }
    if !r.ports.is_empty() {
        out.push_str("<table><tr><th>host</th><th>port</th><th>scan state</th><th>verdict</th><th>cause</th><th>confidence</th></tr>\n");
        for p in &r.ports {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}/{}</td><td>{}</td><td class=\"{v}\">{v}</td><td>{}</td><td>{}</td></tr>",
                e(&p.host),
                e(&p.protocol),
                p.port,
                p.scan_state,
                p.cause.map_or("–", Cause::as_str),
                p.confidence,
                v = p.verdict
            );
        }
        out.push_str("</table>\n");
    }
    for p in &r.ports {
        let _ = writeln!(
            out,
            "<h2>{} {}/{} <span class=\"{v}\">{v}</span></h2>\n<p>{}</p>",
            e(&p.host),
            e(&p.protocol),
            p.port,
            e(&p.explanation),
            v = p.verdict
        );
        for ev in &p.evidence {
            let _ = writeln!(
                out,
                "<div><code>{}:{}</code> {} {}<pre>{}</pre></div>",
                e(&ev.file),
                ev.line,
                e(&ev.time),
                e(&ev.event),
                e(&ev.text)
            );
        }
        if let Some(rp) = &p.reprobe {
            let _ = writeln!(
                out,
                "<p>Re-probe: <b>{}</b> at {}.</p>",
                rp.state,
                e(&rp.at)
            );
        }
        out.push_str("<ul>");
        for a in &p.advice {
            let _ = write!(out, "<li>{}</li>", e(a));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<h2>Sources</h2>\n<table><tr><th>file</th><th>format</th><th>lines</th><th>parsed</th><th>ignored</th><th>malformed</th><th>events</th></tr>\n");
    for src in &r.sources {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e(&src.file),
            e(&src.format),
            src.lines,
            src.parsed,
            src.ignored,
            src.malformed,
            src.events
        );
    }
    out.push_str("</table>\n</body></html>\n");
    out
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
    fn markdown_and_html_escape_log_text() {
        assert_eq!(md("a|b\nc"), "a\\|b c");
        assert_eq!(md("<b>&"), "&lt;b&gt;&amp;");
        assert_eq!(
            html_escape("<script>&'\""),
            "&lt;script&gt;&amp;&#39;&quot;"
        );
    }
}
