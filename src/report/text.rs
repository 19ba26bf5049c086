//! The human report: grouped by host, evidence as `file:line`, color only when asked for (a terminal
//! without `NO_COLOR`).

use std::fmt::Write;

use super::{PortOut, Report};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn verdict(&self, v: &str) -> String {
        let code = match v {
            "blocked" => "1;31",
            "service_restart" => "1;33",
            _ => "1;35",
        };
        self.wrap(code, &v.to_uppercase())
    }
}

fn port_block(out: &mut String, p: &PortOut, paint: &Paint) {
    let cause = match p.cause {
        Some(c) => format!("{c}, {} confidence", p.confidence),
        None => format!("{} confidence", p.confidence),
    };
    let _ = writeln!(
        out,
        "  {}{}  {} → {} ({cause})",
        paint.bold(&format!("{}/{}", p.protocol, p.port)),
        p.service
            .as_ref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default(),
        p.scan_state,
        paint.verdict(p.verdict.as_str()),
    );
    let _ = writeln!(
        out,
        "    {}",
        paint.dim(&format!(
            "window {} – {} (recheck at the end)",
            p.window.start, p.window.end
        ))
    );
    let _ = writeln!(out, "    {}", p.explanation);
    if !p.evidence.is_empty() {
        let _ = writeln!(out, "    evidence:");
        for e in &p.evidence {
            let _ = writeln!(
                out,
                "      {}  {}  {}",
                paint.bold(&format!("{}:{}", e.file, e.line)),
                e.time,
                e.event
            );
            let _ = writeln!(out, "        {}", paint.dim(&e.text));
        }
    }
    if let Some(r) = &p.reprobe {
        let _ = writeln!(
            out,
            "    re-probe: {} at {} ({:.0} ms)",
            paint.bold(r.state),
            r.at,
            r.elapsed_ms
        );
    }
    if !p.advice.is_empty() {
        let _ = writeln!(out, "    advice:");
        for a in &p.advice {
            let _ = writeln!(out, "      - {a}");
        }
    }
}

/// Render the text report.
pub fn render(r: &Report, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    let s = &r.summary;
    let _ = writeln!(
        out,
        "{}",
        paint.bold(&format!(
            "portmortem: {} went away during the scan: {} blocked, {} service_restart, {} unexplained",
            crate::words::count(s.ports as u64, "port", "ports"),
            s.blocked,
            s.service_restart,
            s.unexplained
        ))
    );
    if !r.warnings.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "warnings (also on stderr):");
        for w in &r.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    for sc in &r.scans {
        let _ = writeln!(out);
        let _ = writeln!(out, "scan {} ({}): {}", sc.file, sc.format, sc.facts());
        for n in &sc.notes {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    let mut host: Option<&str> = None;
    for p in &r.ports {
        if host != Some(p.host.as_str()) {
            host = Some(&p.host);
            let _ = writeln!(out);
            let names = if p.hostnames.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.hostnames.join(", "))
            };
            let _ = writeln!(out, "{}", paint.bold(&format!("host {}{names}", p.host)));
        }
        port_block(&mut out, p, &paint);
    }
    if r.ports.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "No port was reported closed or unresponsive by the recheck."
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "sources ({}):", r.sources.len());
    for src in &r.sources {
        let mut line = format!(
            "  {}  {}  {}, {} parsed, {} ignored, {} malformed, {}",
            src.file,
            src.format,
            crate::words::count(src.lines, "line", "lines"),
            src.parsed,
            src.ignored,
            src.malformed,
            crate::words::count(src.events, "event", "events")
        );
        match &src.host {
            Some(h) => {
                let _ = write!(line, ", host {h}");
            }
            None if src.attribution.starts_with("tied to no") => {
                let _ = write!(line, ", {}", src.attribution);
            }
            None => {}
        }
        if let Some(tz) = &src.tz {
            let _ = write!(line, ", tz {tz}");
        }
        if let Some(o) = src.clock_offset_s {
            let _ = write!(line, ", clock offset {o:+}s");
        }
        if let Some(k) = &src.clock_skew {
            let _ = write!(
                line,
                ", auto-skew {:+}s {} ({} on {})",
                k.offset_s,
                if k.applied { "applied" } else { "not applied" },
                crate::words::count(k.connections as u64, "scanner event", "scanner events"),
                crate::words::count(k.hosts as u64, "host", "hosts")
            );
        }
        if let Some(e) = &src.error {
            let _ = write!(line, ", ERROR: {e}");
        }
        let _ = writeln!(out, "{line}");
    }
    out
}
