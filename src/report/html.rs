//! The HTML report: one self-contained page (no script, no external resource), every log-derived
//! string escaped. A summary table links to each port's section; per host an inline SVG timeline
//! draws the port windows with their slack, the recheck, one lane per log source (its covered span
//! and each evidence event as a mark with `data-evidence="FILE:LINE"` and hover text); then the
//! re-probe plan or results, the sources and the provenance.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};

use super::{PortOut, Report, SourceOut};
use crate::correlate::Cause;

/// Escape text for HTML text and attribute values.
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

const STYLE: &str = r#"
:root{--ink:#1f2933;--muted:#5f6b7a;--line:#d9dee5;--bg:#f5f7fa;--blocked:#c62828;--service_restart:#d97706;--unexplained:#6d28d9}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);margin:0;background:#fff}
header{background:#1f2933;color:#fff;padding:18px 32px 14px}
header h1{margin:0;font-size:20px;font-weight:600;letter-spacing:.2px}
header p{margin:4px 0 0;color:#c5ccd6}
main{max-width:1180px;margin:0 auto;padding:8px 32px 40px}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:15px;margin:22px 0 8px}
h4{font-size:14px;margin:18px 0 6px}
table.evidence td.mono,table.probes td.mono{white-space:nowrap}
table.inputs td.mono{word-break:break-all}
td.span{white-space:nowrap}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
table{border-collapse:collapse;width:100%;margin:6px 0 10px}
.wide{overflow-x:auto;max-width:100%}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600;font-size:12.5px;color:var(--muted);text-transform:uppercase;letter-spacing:.3px}
tr:hover td{background:#fafbfc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
a{color:#1d4ed8;text-decoration:none}a:hover{text-decoration:underline}
.cards{display:flex;gap:12px;margin:16px 0 4px}
.card{flex:1;border:1px solid var(--line);border-left:5px solid var(--muted);border-radius:6px;padding:10px 14px;background:#fff}
.card b{display:block;font-size:24px;line-height:1.1}
.card span{color:var(--muted);font-size:12.5px}
.card.blocked{border-left-color:var(--blocked)}.card.service_restart{border-left-color:var(--service_restart)}.card.unexplained{border-left-color:var(--unexplained)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;background:var(--muted);white-space:nowrap}
.badge.blocked{background:var(--blocked)}.badge.service_restart{background:var(--service_restart)}.badge.unexplained{background:var(--unexplained)}
.facts{color:var(--muted);margin:2px 0}
.notes li{color:var(--muted)}
.host{border:1px solid var(--line);border-radius:8px;padding:4px 18px 10px;margin:18px 0;background:#fff}
.port{border-top:1px dashed var(--line);margin-top:10px}
.port h4 .meta{color:var(--muted);font-weight:400}
.expl{margin:4px 0 8px;max-width:72em}
td.text{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px;white-space:pre-wrap;word-break:break-all;color:#334155}
.advice li{margin:2px 0}
.probe{background:var(--bg);border-radius:6px;padding:6px 10px;display:inline-block}
svg.timeline{width:100%;height:auto;display:block;margin:6px 0 2px;font-family:system-ui,"DejaVu Sans",sans-serif}
svg .lanebg{fill:#f8fafc}svg .lanebg.alt{fill:#fff}
svg .label{font-size:12px;fill:#334155}
svg .sub{font-size:10.5px;fill:#7b8794}
svg .tick{stroke:#e4e7eb}svg .ticklabel{font-size:11px;fill:#7b8794}
svg .slack{fill:#e5e7eb}
svg .window.blocked{fill:var(--blocked)}svg .window.service_restart{fill:var(--service_restart)}svg .window.unexplained{fill:var(--unexplained)}
svg .window{fill-opacity:.78}
svg .recheck{stroke:#111827;stroke-width:2}
svg .guide{stroke:#111827;stroke-width:1;stroke-dasharray:3 3;opacity:.45}
svg .coverage{fill:#dbeafe}
svg .ev{stroke:#fff;stroke-width:1.2}
svg .ev.blocked{fill:var(--blocked)}svg .ev.service_restart{fill:var(--service_restart)}svg .ev.unexplained{fill:var(--unexplained)}
svg a:hover .ev{stroke:#111827;stroke-width:2}
.legend{color:var(--muted);font-size:12px;margin:0 0 6px}
.legend i{display:inline-block;width:12px;height:10px;margin:0 4px 0 12px;vertical-align:-1px;border-radius:2px}
footer{color:var(--muted);font-size:12px;margin-top:30px}
"#;

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `2026-11-20 01:47:12` from `2026-11-20T01:47:12.201Z`: a table's time to the second (the JSON
/// keeps the full precision).
fn to_second(t: Option<&str>) -> String {
    t.and_then(parse)
        .map_or_else(|| "?".into(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn badge(v: impl std::fmt::Display) -> String {
    format!("<span class=\"badge {v}\">{v}</span>")
}

fn cap(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

/// The anchor of one evidence line in the port sections.
fn ev_anchor(p: &PortOut, file: &str, line: u64) -> String {
    let f: String = file
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{}-{f}-{line}", p.anchor())
}

/// A tick interval giving at most about 8 ticks over `span`.
fn tick_step(span: Duration) -> Duration {
    let steps = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
        172800, 604800,
    ];
    let s = span.num_seconds().max(1);
    let pick = steps
        .iter()
        .copied()
        .find(|st| s / st <= 8)
        .unwrap_or(604800);
    Duration::seconds(pick)
}

struct Scale {
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
    x0: f64,
    x1: f64,
}

impl Scale {
    fn x(&self, t: DateTime<Utc>) -> f64 {
        let span = (self.t1 - self.t0).num_milliseconds().max(1) as f64;
        let f = (t - self.t0).num_milliseconds() as f64 / span;
        self.x0 + f.clamp(0.0, 1.0) * (self.x1 - self.x0)
    }
}

/// The sources drawn for a host: those tied to it, and those holding evidence of its ports.
fn host_sources<'a>(r: &'a Report, host: &str, ports: &[&PortOut]) -> Vec<&'a SourceOut> {
    let names: Vec<&str> = std::iter::once(host)
        .chain(
            ports
                .iter()
                .flat_map(|p| p.hostnames.iter().map(String::as_str)),
        )
        .collect();
    r.sources
        .iter()
        .filter(|s| {
            s.host.as_deref().is_some_and(|h| names.contains(&h))
                || ports
                    .iter()
                    .any(|p| p.evidence.iter().any(|e| e.file == s.file))
        })
        .collect()
}

const W: f64 = 1000.0;
const LABEL: f64 = 190.0;
const LANE: f64 = 30.0;
const AXIS: f64 = 26.0;

/// The SVG timeline of one host.
fn timeline(out: &mut String, r: &Report, host: &str, ports: &[&PortOut]) {
    let e = html_escape;
    let sources = host_sources(r, host, ports);
    // The view: every window with its slack and every evidence event.
    let mut times: Vec<DateTime<Utc>> = Vec::new();
    for p in ports {
        let slack = Duration::milliseconds((p.window.slack_s * 1000.0) as i64);
        if let (Some(a), Some(b)) = (parse(&p.window.start), parse(&p.window.end)) {
            times.push(a - slack);
            times.push(b + slack);
        }
        times.extend(p.evidence.iter().filter_map(|ev| parse(&ev.time)));
    }
    let (Some(&lo), Some(&hi)) = (times.iter().min(), times.iter().max()) else {
        return;
    };
    let pad = Duration::milliseconds(((hi - lo).num_milliseconds() / 40).max(30_000));
    let sc = Scale {
        t0: lo - pad,
        t1: hi + pad,
        x0: LABEL,
        x1: W - 16.0,
    };
    // A host no source covers still gets a lane saying so: an empty timeline reads as "nothing
    // happened", which is not what the report knows.
    let lanes = ports.len() + sources.len().max(1);
    let h = AXIS + LANE * lanes as f64 + 8.0;
    let _ = writeln!(
        out,
        "<svg class=\"timeline\" viewBox=\"0 0 {W} {h}\" role=\"img\" aria-label=\"timeline of {}\">",
        e(host)
    );
    // Lane backgrounds and labels.
    for i in 0..lanes {
        let y = AXIS + LANE * i as f64;
        let _ = writeln!(
            out,
            "<rect class=\"lanebg{}\" x=\"0\" y=\"{y}\" width=\"{W}\" height=\"{LANE}\"/>",
            if i % 2 == 1 { " alt" } else { "" }
        );
    }
    // Time axis: ticks and labels (UTC).
    let step = tick_step(sc.t1 - sc.t0);
    let first =
        sc.t0.timestamp().div_euclid(step.num_seconds()) * step.num_seconds() + step.num_seconds();
    let mut t = DateTime::from_timestamp(first, 0).unwrap_or(sc.t0);
    while t < sc.t1 {
        let x = sc.x(t);
        let label = if step >= Duration::days(1) {
            t.format("%m-%d").to_string()
        } else if step < Duration::minutes(1) {
            t.format("%H:%M:%S").to_string()
        } else {
            t.format("%H:%M").to_string()
        };
        let _ = writeln!(
            out,
            "<line class=\"tick\" x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{h}\"/><text class=\"ticklabel\" x=\"{x:.1}\" y=\"15\" text-anchor=\"middle\">{label}</text>",
            AXIS - 4.0
        );
        t += step;
    }
    let _ = writeln!(
        out,
        "<text class=\"ticklabel\" x=\"8\" y=\"15\">{} UTC</text>",
        sc.t0.format("%Y-%m-%d")
    );
    // Port lanes: slack, window, recheck.
    for (i, p) in ports.iter().enumerate() {
        let y = AXIS + LANE * i as f64;
        let _ = writeln!(
            out,
            "<text class=\"label\" x=\"8\" y=\"{:.1}\">{}</text><text class=\"sub\" x=\"8\" y=\"{:.1}\">{} → {}</text>",
            y + 13.0,
            e(&cap(&p.label(), 24)),
            y + 25.0,
            e(&p.scan_state),
            p.verdict
        );
        let (Some(a), Some(b)) = (parse(&p.window.start), parse(&p.window.end)) else {
            continue;
        };
        let slack = Duration::milliseconds((p.window.slack_s * 1000.0) as i64);
        let (sx0, sx1) = (sc.x(a - slack), sc.x(b + slack));
        let (wx0, wx1) = (sc.x(a), sc.x(b));
        let _ = writeln!(
            out,
            "<rect class=\"slack\" data-kind=\"slack\" x=\"{sx0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" rx=\"3\"><title>window with ± {}s slack: {} – {}</title></rect>",
            y + 8.0,
            (sx1 - sx0).max(1.0),
            p.window.slack_s,
            e(&super::rfc3339(a - slack)),
            e(&super::rfc3339(b + slack)),
        );
        let _ = writeln!(
            out,
            "<rect class=\"window {v}\" data-kind=\"window\" data-port=\"{}\" x=\"{wx0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" rx=\"3\"><title>{} {}: window {} – {} (last seen open → seen gone)</title></rect>",
            p.port,
            y + 8.0,
            (wx1 - wx0).max(2.0),
            e(host),
            e(&p.label()),
            e(&p.window.start),
            e(&p.window.end),
            v = p.verdict
        );
        let _ = writeln!(
            out,
            "<line class=\"guide\" x1=\"{wx1:.1}\" y1=\"{AXIS}\" x2=\"{wx1:.1}\" y2=\"{h}\"/><line class=\"recheck\" data-kind=\"recheck\" x1=\"{wx1:.1}\" y1=\"{:.1}\" x2=\"{wx1:.1}\" y2=\"{:.1}\"><title>recheck at {}: {}</title></line>",
            y + 4.0,
            y + LANE - 4.0,
            e(&p.window.end),
            e(&p.scan_state)
        );
    }
    if sources.is_empty() {
        let y = AXIS + LANE * ports.len() as f64;
        let _ = writeln!(
            out,
            "<text class=\"sub\" x=\"8\" y=\"{:.1}\" data-kind=\"no-source\">no log source is tied to this host or holds evidence for it</text>",
            y + 18.0
        );
    }
    // Source lanes: covered span and evidence marks.
    for (j, s) in sources.iter().enumerate() {
        let y = AXIS + LANE * (ports.len() + j) as f64;
        let _ = writeln!(
            out,
            "<text class=\"label\" x=\"8\" y=\"{:.1}\"><title>{}</title>{}</text><text class=\"sub\" x=\"8\" y=\"{:.1}\">{}</text>",
            y + 13.0,
            e(&s.file),
            e(&cap(&super::short_path(&s.file), 26)),
            y + 25.0,
            e(&s.format)
        );
        let span = (
            s.first_time.as_deref().and_then(parse),
            s.last_time.as_deref().and_then(parse),
        );
        if let (Some(a), Some(b)) = span
            && (b < sc.t0 || a > sc.t1)
        {
            // The source says nothing about this view: say where it does speak.
            let _ = writeln!(
                out,
                "<text class=\"sub\" data-kind=\"coverage-outside\" x=\"{:.1}\" y=\"{:.1}\">covers {} – {} UTC, outside this view ({})</text>",
                LABEL + 8.0,
                y + 18.0,
                a.format("%Y-%m-%d %H:%M"),
                b.format("%Y-%m-%d %H:%M"),
                if b < sc.t0 { "before" } else { "after" }
            );
        }
        if let (Some(a), Some(b)) = span
            && b >= sc.t0
            && a <= sc.t1
        {
            let (x0, x1) = (sc.x(a), sc.x(b));
            let _ = writeln!(
                out,
                "<rect class=\"coverage\" data-kind=\"coverage\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\" rx=\"2\"><title>{} covers {} – {}</title></rect>",
                y + 11.0,
                (x1 - x0).max(1.0),
                e(&s.file),
                e(s.first_time.as_deref().unwrap_or("?")),
                e(s.last_time.as_deref().unwrap_or("?"))
            );
        }
        // Each evidence line once, in the colour of the first port it explains.
        let mut marks: BTreeMap<u64, (&PortOut, &super::EvidenceOut)> = BTreeMap::new();
        for p in ports {
            for ev in p.evidence.iter().filter(|ev| ev.file == s.file) {
                marks.entry(ev.line).or_insert((p, ev));
            }
        }
        let mut last_x = f64::NEG_INFINITY;
        let mut lift = 0.0;
        let mut by_time: Vec<_> = marks.values().collect();
        by_time.sort_by(|a, b| a.1.time.cmp(&b.1.time).then(a.1.line.cmp(&b.1.line)));
        for (p, ev) in by_time {
            let Some(t) = parse(&ev.time) else { continue };
            let x = sc.x(t);
            // Marks closer than their size are lifted alternately so each stays visible.
            lift = if x - last_x < 7.0 {
                if lift == 0.0 { -6.0 } else { 0.0 }
            } else {
                0.0
            };
            last_x = x;
            let _ = writeln!(
                out,
                "<a href=\"#{}\"><circle class=\"ev {v}\" data-evidence=\"{}:{}\" data-event=\"{}\" cx=\"{x:.1}\" cy=\"{:.1}\" r=\"5.5\"><title>{} — {} — {}:{}\n{}</title></circle></a>",
                e(&ev_anchor(p, &ev.file, ev.line)),
                e(&ev.file),
                ev.line,
                e(&ev.event),
                y + 15.0 + lift,
                e(&ev.time),
                e(&ev.event),
                e(&super::short_path(&ev.file)),
                ev.line,
                e(&cap(&ev.text, 300)),
                v = p.verdict
            );
        }
    }
    out.push_str("</svg>\n");
}

fn port_section(out: &mut String, p: &PortOut) {
    let e = html_escape;
    let names = if p.hostnames.is_empty() {
        String::new()
    } else {
        format!(" ({})", e(&p.hostnames.join(", ")))
    };
    let _ = writeln!(
        out,
        "<section class=\"port\" id=\"{}\" data-verdict=\"{v}\">\n<h4>{}{names} {} <span class=\"meta\">— {} →</span> {} <span class=\"meta\">{} · {} confidence</span></h4>",
        e(&p.anchor()),
        e(&p.host),
        e(&p.label()),
        e(&p.scan_state),
        badge(p.verdict),
        p.cause.map_or("no cause found", Cause::as_str),
        p.confidence,
        v = p.verdict
    );
    let _ = writeln!(
        out,
        "<p class=\"facts\">window {} – {} (± {}s slack), recheck at the end; scan {}</p>\n<p class=\"expl\">{}</p>",
        e(&p.window.start),
        e(&p.window.end),
        p.window.slack_s,
        e(&p.scan_file),
        e(&p.explanation)
    );
    if !p.evidence.is_empty() {
        out.push_str("<div class=\"wide\"><table class=\"evidence\"><tr><th>evidence</th><th>time (UTC)</th><th>event</th><th>line</th></tr>\n");
        for ev in &p.evidence {
            let _ = writeln!(
                out,
                "<tr id=\"{}\"><td class=\"mono\">{}:{}</td><td class=\"mono\">{}</td><td>{}{}</td><td class=\"text\">{}</td></tr>",
                e(&ev_anchor(p, &ev.file, ev.line)),
                e(&ev.file),
                ev.line,
                e(&ev.time),
                e(&ev.event),
                if ev.observer.is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"facts\">({})</span>", e(&ev.observer))
                },
                e(&ev.text)
            );
        }
        out.push_str("</table></div>\n");
    }
    if let Some(rp) = &p.reprobe {
        let _ = writeln!(
            out,
            "<p class=\"probe\">Re-probe of <code>{}</code> at {}: <b>{}</b> ({:.0} ms, {})</p>",
            e(&rp.address),
            e(&rp.at),
            e(&rp.state),
            rp.elapsed_ms,
            crate::words::count(rp.attempts, "try", "tries")
        );
    }
    list(out, "advice", &p.advice);
    out.push_str("</section>\n");
}

/// A `<ul class=CLASS>` of escaped items; nothing when there are none.
fn list(out: &mut String, class: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(out, "<ul class=\"{class}\">");
    for i in items {
        let _ = write!(out, "<li>{}</li>", html_escape(i));
    }
    out.push_str("</ul>\n");
}

fn summary_table(out: &mut String, r: &Report) {
    let e = html_escape;
    out.push_str("<div class=\"wide\"><table class=\"summary\"><tr><th>host</th><th>port</th><th>scan state</th><th>verdict</th><th>cause</th><th>confidence</th><th>evidence</th><th>re-probe</th></tr>\n");
    for p in &r.ports {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{a}\">{}</a></td><td><a href=\"#{a}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            e(&p.host),
            e(&p.label()),
            e(&p.scan_state),
            badge(p.verdict),
            p.cause.map_or("–", Cause::as_str),
            p.confidence,
            p.evidence.len(),
            p.reprobe.as_ref().map_or("–".to_string(), |x| e(&x.state)),
            a = e(&p.anchor())
        );
    }
    out.push_str("</table></div>\n");
}

fn probe_section(out: &mut String, r: &Report) {
    let e = html_escape;
    out.push_str("<h2 id=\"reprobe\">Re-probe plan</h2>\n");
    if r.ports.iter().any(|p| p.reprobe.is_some()) {
        out.push_str("<div class=\"wide\"><table class=\"probes\"><tr><th>address</th><th>port</th><th>at</th><th>result</th><th>tries</th><th>reading</th></tr>\n");
        for p in r.ports.iter().filter(|p| p.reprobe.is_some()) {
            if let Some(rp) = &p.reprobe {
                let _ = writeln!(
                    out,
                    "<tr><td class=\"mono\">{}</td><td><a href=\"#{}\">{}</a></td><td class=\"mono\">{}</td><td><b>{}</b></td><td class=\"num\">{}</td><td>{}</td></tr>",
                    e(&rp.address),
                    e(&p.anchor()),
                    e(&p.label()),
                    e(&rp.at),
                    e(&rp.state),
                    rp.attempts,
                    e(&rp.reading)
                );
            }
        }
        out.push_str("</table></div>\n");
    } else if !r.ports.is_empty() {
        out.push_str("<p class=\"facts\">Not probed. Run <code>portmortem analyze --reprobe</code> (or <code>portmortem reprobe REPORT.json</code>) to connect once to exactly these pairs, or by hand:</p>\n<pre class=\"mono\">");
        for cmd in crate::reprobe::plan(&r.ports) {
            let _ = writeln!(out, "{}", e(&cmd));
        }
        out.push_str("</pre>\n");
    }
}

fn sources_section(out: &mut String, r: &Report) {
    let e = html_escape;
    out.push_str("<h2 id=\"sources\">Sources</h2>\n<div class=\"wide\"><table><tr><th>file</th><th>format</th><th>host</th><th>lines</th><th>parsed</th><th>ignored</th><th>malformed</th><th>events</th><th>tz</th><th>time span (UTC)</th></tr>\n");
    for s in &r.sources {
        let _ = writeln!(
            out,
            "<tr><td class=\"mono\">{}{}</td><td>{}</td><td title=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"mono span\">{}<br>{}</td></tr>",
            e(&s.file),
            s.error
                .as_deref()
                .map(|x| format!("<br><b>error:</b> {}", e(x)))
                .unwrap_or_default(),
            e(&s.format),
            e(&s.attribution),
            e(s.host.as_deref().unwrap_or("–")),
            s.lines,
            s.parsed,
            s.ignored,
            s.malformed,
            s.events,
            e(s.tz.as_deref().unwrap_or("–")),
            e(&to_second(s.first_time.as_deref())),
            e(&to_second(s.last_time.as_deref())),
        );
    }
    out.push_str("</table></div>\n");
}

fn provenance_section(out: &mut String, r: &Report) {
    let e = html_escape;
    let p = &r.provenance;
    let _ = writeln!(
        out,
        "<h2 id=\"provenance\">Provenance</h2>\n<div class=\"wide\"><table class=\"provenance\"><tr><th>tool</th><td>{} {}</td></tr><tr><th>generated</th><td class=\"mono\">{}</td></tr><tr><th>command line</th><td><code>{}</code></td></tr></table></div>",
        e(&p.tool),
        e(&p.version),
        e(&p.generated),
        e(&p.command())
    );
    if let Some(f) = &p.from_report {
        let _ = writeln!(
            out,
            "<p class=\"facts\">Re-probed from the saved report <code>{}</code> (sha256 {}), made by {}: <code>{}</code></p>",
            e(&f.file),
            e(f.sha256.as_deref().unwrap_or("?")),
            e(&f.provenance.line()),
            e(&f.provenance.command())
        );
    }
    if !p.inputs.is_empty() {
        let _ = writeln!(
            out,
            "<div class=\"wide\"><table class=\"inputs\"><tr><th>input</th><th>bytes</th><th>{}</th></tr>",
            e(if p.digest.is_empty() {
                "digest"
            } else {
                &p.digest
            })
        );
        for i in &p.inputs {
            let _ = writeln!(
                out,
                "<tr><td class=\"mono\">{}</td><td class=\"num\">{}</td><td class=\"mono\">{}</td></tr>",
                e(&i.file),
                i.bytes,
                e(i.value())
            );
        }
        out.push_str("</table></div>\n");
    }
}

/// The page.
pub fn render(r: &Report) -> String {
    let e = html_escape;
    let s = &r.summary;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"generator\" content=\"{}\"><title>portmortem report — {}</title>\n<style>{STYLE}</style></head><body>\n",
        e(&r.provenance.line()),
        e(&r.headline())
    );
    let _ = writeln!(
        out,
        "<header><h1>portmortem report</h1><p>{}</p></header>\n<main>",
        e(&r.headline())
    );
    let _ = writeln!(
        out,
        "<div class=\"cards\"><div class=\"card\"><b>{}</b><span>{}</span></div><div class=\"card blocked\"><b>{}</b><span>blocked</span></div><div class=\"card service_restart\"><b>{}</b><span>service_restart</span></div><div class=\"card unexplained\"><b>{}</b><span>unexplained</span></div></div>",
        s.ports,
        if s.ports == 1 {
            "port went away"
        } else {
            "ports went away"
        },
        s.blocked,
        s.service_restart,
        s.unexplained
    );
    for sc in &r.scans {
        let _ = writeln!(
            out,
            "<p class=\"facts\">Scan <code>{}</code> ({}, {}): {}.</p>",
            e(&sc.file),
            e(&sc.format),
            crate::words::count(sc.hosts as u64, "host", "hosts"),
            e(&sc.facts())
        );
        list(&mut out, "notes", &sc.notes);
    }
    if r.ports.is_empty() {
        out.push_str("<p>No port was reported closed or unresponsive by the recheck.</p>\n");
    } else {
        out.push_str("<h2 id=\"summary\">Summary</h2>\n");
        summary_table(&mut out, r);
        out.push_str("<p class=\"facts\">Confidence of <b>blocked</b>/<b>service_restart</b>: how strongly the evidence shows that cause. Of <b>unexplained</b>: how sure it is that the logs hold no cause (medium when logs covered the host and the whole window, low when logs are missing).</p>\n");
        out.push_str("<h2 id=\"hosts\">Hosts</h2>\n");
        out.push_str("<p class=\"legend\"><i style=\"background:#c62828\"></i>window (blocked)<i style=\"background:#d97706\"></i>window (service_restart)<i style=\"background:#6d28d9\"></i>window (unexplained)<i style=\"background:#e5e7eb\"></i>± slack<i style=\"background:#111827;width:3px\"></i>recheck<i style=\"background:#dbeafe\"></i>log source covers<i style=\"background:#334155;border-radius:6px;width:10px\"></i>evidence line (hover for the text, click for the row)</p>\n");
    }
    // Hosts in report order, each with its ports.
    let mut hosts: Vec<(&str, Vec<&PortOut>)> = Vec::new();
    for p in &r.ports {
        match hosts.iter_mut().find(|(h, _)| *h == p.host) {
            Some((_, v)) => v.push(p),
            None => hosts.push((&p.host, vec![p])),
        }
    }
    for (host, ports) in &hosts {
        let names: Vec<&str> = ports[0].hostnames.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "<section class=\"host\" id=\"h-{}\"><h3>{}{} <span class=\"facts\">— {}</span></h3>",
            super::anchor_text(host),
            e(host),
            if names.is_empty() {
                String::new()
            } else {
                format!(" ({})", e(&names.join(", ")))
            },
            crate::words::count(ports.len() as u64, "port went away", "ports went away")
        );
        timeline(&mut out, r, host, ports);
        for p in ports {
            port_section(&mut out, p);
        }
        out.push_str("</section>\n");
    }
    probe_section(&mut out, r);
    sources_section(&mut out, r);
    provenance_section(&mut out, r);
    let _ = writeln!(
        out,
        "<footer>{} · schema {}</footer>\n</main></body></html>",
        e(&r.provenance.line()),
        e(&r.schema)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_log_text() {
        assert_eq!(
            html_escape("<script>&'\""),
            "&lt;script&gt;&amp;&#39;&quot;"
        );
    }

    #[test]
    fn ticks_stay_few() {
        assert_eq!(tick_step(Duration::minutes(40)), Duration::minutes(5));
        assert_eq!(tick_step(Duration::hours(3)), Duration::minutes(30));
        assert_eq!(tick_step(Duration::seconds(20)), Duration::seconds(5));
    }
}
