//! The report: the `portmortem.report.v1` model (DESIGN.md, JSON report) built from scans, findings
//! and sources, and its renderings (text, JSON).

pub mod formats;
pub(crate) use crate::sanitize;
pub mod text;

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::correlate::sources::Tie;
use crate::correlate::{Cause, Confidence, Finding, Verdict};
use crate::model::{LocatedEvent, SourceStats};
use crate::reprobe::ProbeResult;
use crate::scan::{LoadedScan, PortCase};
use sanitize::clean_str;

pub const SCHEMA: &str = "portmortem.report.v1";

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub scans: Vec<ScanOut>,
    pub ports: Vec<PortOut>,
    pub sources: Vec<SourceOut>,
    pub summary: Summary,
    /// What the run warned about on stderr (unreadable inputs, globs that matched nothing, clocks
    /// moved, …), repeated so that a saved report says it too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Settings {
    pub checks_read_timeout: Option<u32>,
    pub max_checks: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct ScanOut {
    pub file: String,
    pub format: String,
    pub scanner_ips: Vec<String>,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub settings: Settings,
    pub hosts: usize,
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Window {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Serialize)]
pub struct EvidenceOut {
    pub file: String,
    pub line: u64,
    pub time: String,
    pub format: String,
    /// The control or program that logged it (the payload or format that recognised the line).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub observer: &'static str,
    pub event: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct ReprobeOut {
    pub state: &'static str,
    pub at: String,
    pub elapsed_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct PortOut {
    pub host: String,
    pub hostnames: Vec<String>,
    pub port: u16,
    pub protocol: String,
    pub service: Option<String>,
    pub scan_state: &'static str,
    pub window: Window,
    pub verdict: Verdict,
    pub cause: Option<Cause>,
    pub confidence: Confidence,
    pub explanation: String,
    pub evidence: Vec<EvidenceOut>,
    pub reprobe: Option<ReprobeOut>,
    pub advice: Vec<String>,
    pub scan_file: String,
}

#[derive(Debug, Serialize)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_skew: Option<crate::correlate::skew::Skew>,
    pub tz: Option<String>,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The scanned host the source was tied to (by the scan's name for it), if any.
    pub host: Option<String>,
    /// How it was tied, or why it was tied to none and the `--config` line that would tie it.
    pub attribution: String,
    /// Why the format was detected (content detection's reason), when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<String>,
    /// Events per observer (payload or format) that recognised them.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub observers: BTreeMap<&'static str, u64>,
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

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub ports: usize,
    pub blocked: usize,
    pub service_restart: usize,
    pub unexplained: usize,
}

/// Assemble the report.
pub fn build(
    scans: &[LoadedScan],
    cases: &[PortCase],
    findings: &[Finding],
    sources: &[SourceStats],
    events: &[LocatedEvent],
    probes: &[Option<ProbeResult>],
    ties: &[Tie],
) -> Report {
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
        .enumerate()
        .map(|(i, (c, f))| {
            summary.ports += 1;
            match f.verdict {
                crate::correlate::Verdict::Blocked => summary.blocked += 1,
                crate::correlate::Verdict::ServiceRestart => summary.service_restart += 1,
                crate::correlate::Verdict::Unexplained => summary.unexplained += 1,
            }
            PortOut {
                host: c.host.clone(),
                hostnames: c.hostnames.iter().map(|h| clean_str(h)).collect(),
                port: c.port,
                protocol: c.protocol.to_string(),
                service: c.service.as_deref().map(clean_str),
                scan_state: c.state.as_str(),
                window: Window {
                    start: rfc3339(c.window.0),
                    end: rfc3339(c.window.1),
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
                            observer: e.event.observer,
                            event: e.event.kind.name().to_string(),
                            text: e.text.clone(),
                        }
                    })
                    .collect(),
                reprobe: probes.get(i).cloned().flatten().map(|p| ReprobeOut {
                    state: p.state.as_str(),
                    // A probe's moment to the millisecond: nanoseconds are noise in a report.
                    at: p.at.to_rfc3339_opts(SecondsFormat::Millis, true),
                    elapsed_ms: p.elapsed_ms,
                }),
                advice: f.advice.iter().map(|a| clean_str(a)).collect(),
                scan_file: clean_str(&scans[c.scan].file),
            }
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
            observers: s.observers.clone(),
        })
        .collect();
    Report {
        schema: SCHEMA,
        scans: scans_out,
        ports,
        sources,
        summary,
        warnings: Vec::new(),
    }
}
