//! Attribution you can see: which scanned host each source was tied to and how, or why it was tied
//! to none and what would tie it; and, for a port left unexplained, the untied source that holds a
//! matching event of the scanner.

use std::collections::BTreeMap;

use portmortem_parsers::EventKind;

use super::attribute::How;
use super::{Finding, Verdict, World};

/// How one source was tied to the scanned hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie {
    /// The scanned host the source (or most of its events) belongs to, by the scan's key.
    pub host: Option<String>,
    /// How, or why not (one sentence).
    pub how: String,
}

/// Why a source is tied to no scanned host, in the user's terms.
fn why_untied(w: &World<'_>, s: usize) -> String {
    let stats = &w.input.sources[s];
    let mut why = Vec::new();
    if stats.hostnames.is_empty() {
        why.push("its lines name no host".to_string());
    } else {
        let names: Vec<&str> = stats.hostnames.iter().take(3).map(String::as_str).collect();
        why.push(format!(
            "its lines name hosts the scan does not know ({})",
            names.join(", ")
        ));
    }
    why.push("its path names no scanned host".into());
    let n = w.targets.hosts.len();
    if n > 1 {
        why.push(format!(
            "{n} hosts were scanned, so it is not simply the only one"
        ));
    }
    why.join("; ")
}

/// The `--config` line that would tie source `s` to a host.
pub fn config_fix(w: &World<'_>, s: usize, host: &str) -> String {
    format!(
        "--config: [sources.\"{}\"] host = \"{host}\" (or keep the file under a folder named after the host)",
        w.input.sources[s].display
    )
}

/// Per source, its tie.
pub fn ties(w: &World<'_>) -> Vec<Tie> {
    let n = w.input.sources.len();
    let mut hows: Vec<BTreeMap<(usize, &'static str), usize>> = vec![BTreeMap::new(); n];
    let mut events = vec![0usize; n];
    for (e, a) in w.input.events.iter().zip(&w.attr) {
        events[e.source] += 1;
        if let Some((t, how)) = a {
            let word = match how {
                How::Config => "the --config source mapping",
                How::HostField => "its lines' host field",
                How::Destination => "the destination addresses of its lines",
                How::Path => "its path",
                How::OnlyHost => "being the only scanned host",
            };
            *hows[e.source].entry((*t, word)).or_default() += 1;
        }
    }
    (0..n)
        .map(|s| {
            let sh = w.source_hosts[s];
            if let Some(t) = sh.config.or(sh.path) {
                let how = if sh.config.is_some() {
                    "the --config source mapping"
                } else {
                    "its path"
                };
                return Tie {
                    host: Some(w.targets.hosts[t].key.clone()),
                    how: format!("tied by {how}"),
                };
            }
            let tied: usize = hows[s].values().sum();
            if let Some(((t, how), k)) = hows[s].iter().max_by_key(|(_, k)| **k) {
                let hosts: std::collections::BTreeSet<usize> =
                    hows[s].keys().map(|(t, _)| *t).collect();
                let more = if hosts.len() > 1 {
                    format!(" ({} scanned hosts in all)", hosts.len())
                } else {
                    String::new()
                };
                let untied = events[s] - tied;
                let rest = if untied > 0 {
                    format!("; {untied} of its events tied to no scanned host")
                } else {
                    String::new()
                };
                return Tie {
                    host: Some(w.targets.hosts[*t].key.clone()),
                    how: format!("{k} of its events tied by {how}{more}{rest}"),
                };
            }
            if events[s] == 0 {
                return Tie {
                    host: None,
                    how: "no event that matters to the scan".into(),
                };
            }
            Tie {
                host: None,
                how: format!(
                    "tied to no scanned host: {}; tie it with {}",
                    why_untied(w, s),
                    config_fix(w, s, "HOST")
                ),
            }
        })
        .collect()
}

/// For every unexplained port: an event of the scanner on that port (or a ban of it) inside the
/// window, in a source tied to no scanned host, is said in the explanation with the line that
/// would tie the source.
pub fn note_untied_evidence(w: &World<'_>, ties: &[Tie], findings: &mut [Finding]) {
    for (ci, f) in findings.iter_mut().enumerate() {
        if f.verdict != Verdict::Unexplained {
            continue;
        }
        let case = &w.input.cases[ci];
        let scanner = |ip: std::net::IpAddr| case.is_scanner(ip);
        let (lo, hi) = (case.window.0 - w.input.slack, case.window.1 + w.input.slack);
        let hit = w.input.events.iter().enumerate().find(|(i, e)| {
            w.attr[*i].is_none()
                && ties[e.source].host.is_none()
                && e.event.time >= lo
                && e.event.time <= hi
                && match &e.event.kind {
                    EventKind::FirewallDeny(d) => {
                        scanner(d.src) && d.dport.is_none_or(|p| p == case.port)
                    }
                    EventKind::IpsAlert(a) => {
                        scanner(a.src) && a.dport.is_none_or(|p| p == case.port)
                    }
                    EventKind::Ban(b) => scanner(b.ip),
                    EventKind::RateLimit(r) => {
                        r.src.is_some_and(scanner) && r.dport.is_none_or(|p| p == case.port)
                    }
                    _ => false,
                }
        });
        if let Some((_, e)) = hit {
            let src = &w.input.sources[e.source];
            f.explanation.push_str(&format!(
                " Note: {}:{} holds a {} of the scanner at {} that could not be tied to a scanned host ({}); if it is {}'s, tie it with {}.",
                src.display,
                e.line,
                e.event.kind.name().replace('_', " "),
                super::candidate::fmt_t(e.event.time),
                why_untied(w, e.source),
                case.host,
                config_fix(w, e.source, &case.host)
            ));
        }
    }
}
