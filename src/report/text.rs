//! The human report: a compact per-port summary table first (and again at the end when the report
//! is long), then the ports grouped by host, with wrapped explanations, evidence and advice under
//! hanging indents at the given width; colour by verdict when asked for (`--color`, default: a
//! terminal without `NO_COLOR`).

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use super::{PortOut, Report};
use crate::correlate::{Cause, Verdict};

/// A report longer than this many lines repeats the summary table at its end.
const LONG: usize = 60;

/// How the text is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub color: bool,
    /// Columns to wrap at (at least 40).
    pub width: usize,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on && !s.is_empty() {
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
    fn verdict_code(v: Verdict) -> &'static str {
        match v {
            Verdict::Blocked => "1;31",
            Verdict::ServiceRestart => "1;33",
            Verdict::Unexplained => "1;35",
        }
    }
    fn verdict(&self, v: Verdict, s: &str) -> String {
        self.wrap(Self::verdict_code(v), s)
    }
}

/// `text` wrapped at `width`, the first line after `first`, the others indented by `rest`.
fn hang(out: &mut String, first: &str, rest: &str, text: &str, width: usize) {
    hang_with(out, first, rest, text, width, str::to_string);
}

/// [`hang`], each wrapped line passed through `paint` (so escape codes never span lines).
fn hang_with(
    out: &mut String,
    first: &str,
    rest: &str,
    text: &str,
    width: usize,
    paint: impl Fn(&str) -> String,
) {
    let opts = textwrap::Options::new(width.max(40))
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(true)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit);
    for line in textwrap::wrap(text, opts) {
        let line = line.trim_end();
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let _ = writeln!(out, "{indent}{}", paint(body));
    }
}

/// Pad `s` to `w` display columns.
fn pad(s: &str, w: usize) -> String {
    let n = UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(w.saturating_sub(n)))
}

/// The file name of an evidence path (the row names the host; the details give the path).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\', '!']).next().unwrap_or(path)
}

/// The per-port summary table: one line a port, columns sized to their content; columns that do
/// not fit `width` are left out, the least needed first (evidence, then scan state).
fn summary_table(out: &mut String, r: &Report, paint: &Paint, width: usize) {
    const HEAD: [&str; 7] = [
        "HOST", "PORT", "STATE", "VERDICT", "CAUSE", "CONF", "EVIDENCE",
    ];
    const VERDICT: usize = 3;
    let rows: Vec<(Verdict, [String; 7])> = r
        .ports
        .iter()
        .map(|p| {
            let ev = match p.evidence.as_slice() {
                [] => "–".to_string(),
                [one] => format!("{}:{}", file_name(&one.file), one.line),
                [first, more @ ..] => {
                    format!("{}:{} +{}", file_name(&first.file), first.line, more.len())
                }
            };
            (
                p.verdict,
                [
                    p.host.clone(),
                    p.label(),
                    p.scan_state.clone(),
                    p.verdict.to_string(),
                    p.cause.map_or("–", Cause::as_str).to_string(),
                    p.confidence.to_string(),
                    ev,
                ],
            )
        })
        .collect();
    let mut w: Vec<usize> = HEAD.iter().map(|h| h.len()).collect();
    for (_, row) in &rows {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    let mut shown: Vec<usize> = (0..HEAD.len()).collect();
    let total = |shown: &[usize]| 2 + shown.iter().map(|&i| w[i] + 2).sum::<usize>() - 2;
    for drop in [6, 2] {
        if total(&shown) > width {
            shown.retain(|&i| i != drop);
        }
    }
    let line = |cells: &[String]| -> String {
        shown
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                if k + 1 == shown.len() {
                    cells[i].clone()
                } else {
                    pad(&cells[i], w[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let header: Vec<String> = HEAD.iter().map(|h| h.to_string()).collect();
    let _ = writeln!(out, "  {}", paint.dim(&line(&header)));
    for (v, row) in &rows {
        let mut cells: Vec<String> = row.to_vec();
        // Colour after padding, so escape codes do not count as width.
        cells[VERDICT] = paint.verdict(*v, &pad(&row[VERDICT], w[VERDICT]));
        let _ = writeln!(out, "  {}", line(&cells).trim_end());
    }
}

fn port_block(out: &mut String, p: &PortOut, paint: &Paint, width: usize) {
    let _ = writeln!(
        out,
        "  {}  {} → {} ({})",
        paint.bold(&p.label()),
        p.scan_state,
        paint.verdict(p.verdict, &p.verdict.as_str().to_uppercase()),
        p.cause_text()
    );
    let _ = writeln!(
        out,
        "    {}",
        paint.dim(&format!(
            "window {} – {} (± {}s slack; recheck at the end)",
            p.window.start, p.window.end, p.window.slack_s
        ))
    );
    hang(out, "    ", "    ", &p.explanation, width);
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
            hang_with(out, "        ", "          ", &e.text, width, |l| {
                paint.dim(l)
            });
        }
    }
    if let Some(r) = &p.reprobe {
        // What the result means is the explanation's last sentence; here the facts.
        let _ = writeln!(
            out,
            "    re-probe: {} at {} ({:.0} ms{})",
            paint.bold(&r.state),
            r.at,
            r.elapsed_ms,
            if r.attempts > 1 {
                format!(", {} tries", r.attempts)
            } else {
                String::new()
            }
        );
    }
    if !p.advice.is_empty() {
        let _ = writeln!(out, "    advice:");
        for a in &p.advice {
            hang(out, "      - ", "        ", a, width);
        }
    }
}

/// Render the text report.
pub fn render(r: &Report, layout: Layout) -> String {
    let paint = Paint { on: layout.color };
    let width = layout.width.max(40);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint.bold(&format!("portmortem: {}", r.headline()))
    );
    if !r.ports.is_empty() {
        let _ = writeln!(out);
        summary_table(&mut out, r, &paint, width);
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "warnings (also on stderr):");
        for w in &r.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    for sc in &r.scans {
        let _ = writeln!(out);
        hang(
            &mut out,
            "",
            "  ",
            &format!("scan {} ({}): {}", sc.file, sc.format, sc.facts()),
            width,
        );
        for n in &sc.notes {
            hang(&mut out, "  note: ", "        ", n, width);
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
        port_block(&mut out, p, &paint, width);
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
            "{}  {}  {}, {} parsed, {} ignored, {} malformed, {}",
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
        hang(&mut out, "  ", "      ", &line, width);
    }
    if !r.ports.is_empty() && r.ports.iter().all(|p| p.reprobe.is_none()) {
        let _ = writeln!(out, "\nre-probe plan (run with --reprobe, or by hand):");
        for cmd in crate::reprobe::plan(&r.ports) {
            let _ = writeln!(out, "  {cmd}");
        }
    }
    let _ = writeln!(out);
    hang_with(
        &mut out,
        "",
        "  ",
        &format!(
            "{}; command: {}",
            r.provenance.line(),
            r.provenance.command()
        ),
        width,
        |l| paint.dim(l),
    );
    if out.lines().count() > LONG && !r.ports.is_empty() {
        let _ = writeln!(out, "\nsummary (again):");
        summary_table(&mut out, r, &paint, width);
    }
    out
}
