//! The report: the `portmortem.report.v1` model (DESIGN.md, JSON report) built from scans, findings
//! and sources, and its renderings (text, JSON).

pub mod defectdojo;
pub mod ecs;
pub mod formats;
pub mod html;
pub mod probed;
pub mod provenance;
pub(crate) use crate::sanitize;
pub mod text;

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::correlate::sources::Tie;
use crate::correlate::{Cause, Confidence, Finding, Verdict};
use crate::model::{LocatedEvent, SourceStats};
use crate::scan::{LoadedScan, PortCase};
pub use provenance::Provenance;
use sanitize::clean_str;

pub const SCHEMA: &str = "portmortem.report.v1";

/// `web01/kern.log` from `samples/nov20-webfarm/web01/kern.log`: the last two path parts (the
/// host folder and the file), for tables and labels; full paths stay in the details.
pub fn short_path(file: &str) -> String {
    let parts: Vec<&str> = file.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [.., a, b] => format!("{a}/{b}"),
        [a] => a.to_string(),
        [] => file.to_string(),
    }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    /// How the report was made: version, time, command line, input digests (absent in reports
    /// written before it existed).
    #[serde(default)]
    pub provenance: Provenance,
    pub scans: Vec<ScanOut>,
    pub ports: Vec<PortOut>,
    pub sources: Vec<SourceOut>,
    pub summary: Summary,
    /// What the run warned about on stderr (unreadable inputs, globs that matched nothing, clocks
    /// moved, …), repeated so that a saved report says it too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Settings {
    pub checks_read_timeout: Option<u32>,
    pub max_checks: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ScanOut {
    pub file: String,
    pub format: String,
    pub scanner_ips: Vec<String>,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub settings: Settings,
    #[serde(default)]
    pub hosts: usize,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Window {
    pub start: String,
    pub end: String,
    /// The slack (`--slack`) the correlation allowed either side of the window, in seconds.
    #[serde(default)]
    pub slack_s: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct EvidenceOut {
    pub file: String,
    pub line: u64,
    pub time: String,
    pub format: String,
    /// The control or program that logged it (the payload or format that recognised the line).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub observer: String,
    pub event: String,
    pub text: String,
    /// A ban's announced end, when the line gives one (a re-probe before it will still fail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReprobeOut {
    pub state: String,
    pub at: String,
    pub elapsed_ms: f64,
    /// The address connected to (`192.0.2.10:443`, `[2001:db8::5]:22`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// Connects made: a port that gave no answer is tried once more before it is `filtered`.
    #[serde(default = "one")]
    pub attempts: u32,
    /// What the result means for this port's verdict (`the block has lifted`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reading: String,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PortOut {
    pub host: String,
    pub hostnames: Vec<String>,
    pub port: u16,
    pub protocol: String,
    pub service: Option<String>,
    pub scan_state: String,
    pub window: Window,
    pub verdict: Verdict,
    pub cause: Option<Cause>,
    pub confidence: Confidence,
    pub explanation: String,
    pub evidence: Vec<EvidenceOut>,
    pub reprobe: Option<ReprobeOut>,
    pub advice: Vec<String>,
    #[serde(default)]
    pub scan_file: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SourceOut {
    pub file: String,
    pub format: String,
    pub lines: u64,
    pub parsed: u64,
    pub ignored: u64,
    pub events: u64,
    pub malformed: u64,
    pub clock_offset_s: Option<f64>,
    /// `--auto-skew`'s estimate: offset, the interval consistent with the scan, support, applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew: Option<crate::correlate::skew::Skew>,
    pub tz: Option<String>,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The scanned host the source was tied to (by the scan's name for it), if any.
    #[serde(default)]
    pub host: Option<String>,
    /// How it was tied, or why it was tied to none and the `--config` line that would tie it.
    #[serde(default)]
    pub attribution: String,
    /// Why the format was detected (content detection's reason), when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected: Option<String>,
    /// Events per observer (payload or format) that recognised them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub observers: BTreeMap<String, u64>,
}

impl ScanOut {
    /// `scanner 203.0.113.5, <start> – <end>, checks_read_timeout 5s, max_checks 5` (no log text:
    /// safe to embed after escaping for the target format).
    pub fn facts(&self) -> String {
        let unknown = || "unknown".to_string();
        format!(
            "scanner {}, {} – {}, checks_read_timeout {}, max_checks {}",
            if self.scanner_ips.is_empty() {
                unknown()
            } else {
                self.scanner_ips.join(", ")
            },
            self.started.as_deref().unwrap_or("?"),
            self.ended.as_deref().unwrap_or("?"),
            self.settings
                .checks_read_timeout
                .map_or_else(unknown, |t| format!("{t}s")),
            self.settings
                .max_checks
                .map_or_else(unknown, |t| t.to_string()),
        )
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    pub ports: usize,
    pub blocked: usize,
    pub service_restart: usize,
    pub unexplained: usize,
}

/// What the analysis knows about the run itself, for the report.
pub struct Meta {
    pub provenance: Provenance,
    pub slack: chrono::Duration,
}

/// Assemble the report (without re-probe results: [`crate::reprobe::run`] adds them).
pub fn build(
    scans: &[LoadedScan],
    cases: &[PortCase],
    findings: &[Finding],
    sources: &[SourceStats],
    events: &[LocatedEvent],
    ties: &[Tie],
    meta: Meta,
) -> Report {
    let slack_s = meta.slack.num_milliseconds() as f64 / 1000.0;
    let scans_out = scans
        .iter()
        .map(|s| ScanOut {
            file: clean_str(&s.file),
            format: s.report.format.clone(),
            scanner_ips: s.report.scanner_ips.iter().map(|i| i.to_string()).collect(),
            started: s.report.started.map(rfc3339),
            ended: s.report.ended.map(rfc3339),
            settings: Settings {
                checks_read_timeout: s.report.settings.checks_read_timeout,
                max_checks: s.report.settings.max_checks,
            },
            hosts: s.report.hosts.len(),
            notes: s.report.notes.iter().map(|n| clean_str(n)).collect(),
        })
        .collect();
    let mut summary = Summary::default();
    let ports = cases
        .iter()
        .zip(findings)
        .map(|(c, f)| {
            summary.ports += 1;
            match f.verdict {
                crate::correlate::Verdict::Blocked => summary.blocked += 1,
                crate::correlate::Verdict::ServiceRestart => summary.service_restart += 1,
                crate::correlate::Verdict::Unexplained => summary.unexplained += 1,
            }
            let mut port = PortOut {
                host: c.host.clone(),
                hostnames: c.hostnames.iter().map(|h| clean_str(h)).collect(),
                port: c.port,
                protocol: c.protocol.to_string(),
                service: c.service.as_deref().map(clean_str),
                scan_state: c.state.as_str().to_string(),
                window: Window {
                    start: rfc3339(c.window.0),
                    end: rfc3339(c.window.1),
                    slack_s,
                },
                verdict: f.verdict,
                cause: f.cause,
                confidence: f.confidence,
                explanation: clean_str(&f.explanation),
                evidence: f
                    .evidence
                    .iter()
                    .map(|&k| {
                        let e = &events[k];
                        let s = &sources[e.source];
                        EvidenceOut {
                            file: clean_str(&s.display),
                            line: e.line,
                            time: rfc3339(e.event.time),
                            format: s.format.clone(),
                            observer: e.event.observer.to_string(),
                            event: e.event.kind.name().to_string(),
                            text: e.text.clone(),
                            until: match &e.event.kind {
                                portmortem_parsers::EventKind::Ban(b) => b.until.map(rfc3339),
                                _ => None,
                            },
                        }
                    })
                    .collect(),
                reprobe: None,
                advice: f.advice.iter().map(|a| clean_str(a)).collect(),
                scan_file: clean_str(&scans[c.scan].file),
            };
            probed::note_ban_end(&mut port);
            port
        })
        .collect();
    let sources = sources
        .iter()
        .enumerate()
        .map(|(i, s)| SourceOut {
            host: ties.get(i).and_then(|t| t.host.clone()),
            attribution: ties.get(i).map(|t| clean_str(&t.how)).unwrap_or_default(),
            file: clean_str(&s.display),
            format: s.format.clone(),
            lines: s.lines,
            parsed: s.parsed,
            ignored: s.ignored,
            events: s.events,
            malformed: s.malformed,
            clock_offset_s: s.offset.map(|o| o.num_milliseconds() as f64 / 1000.0),
            clock_skew: s.skew.clone(),
            tz: s.tz.clone(),
            first_time: s.first_time.map(rfc3339),
            last_time: s.last_time.map(rfc3339),
            error: s.error.as_deref().map(clean_str),
            detected: s.detection.as_deref().map(clean_str),
            observers: s
                .observers
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        })
        .collect();
    Report {
        schema: SCHEMA.to_string(),
        provenance: meta.provenance,
        scans: scans_out,
        ports,
        sources,
        summary,
        warnings: Vec::new(),
    }
}

impl ReprobeOut {
    /// The report form of a probe result: its moment to the millisecond (nanoseconds are noise
    /// in a report).
    pub fn from_result(p: &crate::reprobe::ProbeResult) -> ReprobeOut {
        ReprobeOut {
            state: p.state.as_str().to_string(),
            at: p.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            elapsed_ms: p.elapsed_ms,
            address: p.address.to_string(),
            attempts: p.attempts,
            reading: String::new(),
        }
    }
}

/// Text usable in an HTML id: letters, digits and dots kept, the rest `-` (`2001:db8::5` →
/// `2001-db8--5`).
pub fn anchor_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

impl PortOut {
    /// The anchor of the port's section in documents (`p-192.0.2.10-tcp-443`).
    pub fn anchor(&self) -> String {
        format!(
            "p-{}-{}-{}",
            anchor_text(&self.host),
            self.protocol,
            self.port
        )
    }

    /// `tcp/443 www`.
    pub fn label(&self) -> String {
        match &self.service {
            Some(s) => format!("{}/{} {s}", self.protocol, self.port),
            None => format!("{}/{}", self.protocol, self.port),
        }
    }

    /// `firewall_drop, high confidence` (or `medium confidence` for an unexplained port).
    pub fn cause_text(&self) -> String {
        match self.cause {
            Some(c) => format!("{c}, {} confidence", self.confidence),
            None => format!("{} confidence", self.confidence),
        }
    }
}

impl Report {
    /// `7 ports went away during the scan: 3 blocked, 2 service_restart, 2 unexplained`.
    pub fn headline(&self) -> String {
        let s = &self.summary;
        format!(
            "{} went away during the scan: {} blocked, {} service_restart, {} unexplained",
            crate::words::count(s.ports as u64, "port", "ports"),
            s.blocked,
            s.service_restart,
            s.unexplained
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_paths_keep_the_host_folder() {
        assert_eq!(
            super::short_path("samples/x/web01/kern.log"),
            "web01/kern.log"
        );
        assert_eq!(super::short_path("kern.log"), "kern.log");
    }
}
