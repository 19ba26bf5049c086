//! Scan facts → the list of affected ports to explain, each with its host, window, scanner IPs and
//! settings (DESIGN.md step 3).

use std::io::Read;
use std::net::IpAddr;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ipnet::IpNet;
use portmortem_parsers::Proto;
use portmortem_parsers::scan::{ScanFormat, ScanReport, ScanState};

use crate::read::SourceInput;

/// A scan report and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedScan {
    pub file: String,
    pub report: ScanReport,
}

/// Read a scan report of `format` (streamed).
pub fn load_scan(input: &SourceInput, format: ScanFormat, scan_tz: Tz) -> Result<LoadedScan> {
    let r = input
        .open()
        .with_context(|| format!("cannot open {}", input.display))?;
    let mut r = std::io::BufReader::with_capacity(256 * 1024, r);
    let report = format
        .read(&mut r, scan_tz)
        .with_context(|| format!("cannot read {format} report {}", input.display))?;
    Ok(LoadedScan {
        file: input.display.clone(),
        report,
    })
}

/// Scan reports among the members of a tar archive, named `archive!member`; read straight from
/// the archive stream. Returns the reports and (display, message) errors.
pub fn scans_in_archive(
    archive: &SourceInput,
    scan_tz: Tz,
) -> (Vec<LoadedScan>, Vec<(String, String)>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let walk = crate::read::archive::for_each_member(
        archive,
        &indicatif::ProgressBar::hidden(),
        |name, head, rest| {
            let Some(format) = ScanFormat::detect(head) else {
                return std::ops::ControlFlow::Continue(());
            };
            let file = format!("{}!{}", archive.display, name);
            let mut reader = std::io::BufReader::with_capacity(256 * 1024, head.chain(rest));
            match format.read(&mut reader, scan_tz) {
                Ok(report) => found.push(LoadedScan { file, report }),
                Err(e) => errors.push((file, format!("cannot read {format} report: {e}"))),
            }
            std::ops::ControlFlow::Continue(())
        },
    );
    if let Err(e) = walk {
        errors.push((archive.display.clone(), format!("cannot read archive: {e}")));
    }
    (found, errors)
}

impl PortCase {
    /// Is `ip` one of the scanner's addresses for this port?
    pub fn is_scanner(&self, ip: IpAddr) -> bool {
        crate::model::in_nets(&self.scanner_nets, ip)
    }
}

/// One affected port to explain.
#[derive(Debug, Clone)]
pub struct PortCase {
    pub scan: usize,
    /// Host as the scan names it (IP text when known).
    pub host: String,
    pub ip: Option<IpAddr>,
    pub hostnames: Vec<String>,
    pub port: u16,
    pub protocol: Proto,
    /// Service name the scan saw on the port (`www`, `ssh`).
    pub service: Option<String>,
    pub state: ScanState,
    /// Last seen open → seen gone; the recheck happens at `window.1`.
    pub window: (DateTime<Utc>, DateTime<Utc>),
    /// The window's times were guessed (host had none); said in the explanation.
    pub window_guessed: bool,
    pub scanner_nets: Vec<IpNet>,
    pub checks_read_timeout: Option<u32>,
    pub max_checks: Option<u32>,
}

/// Build the port cases of all scans; notes about hosts without times go to the scan's notes.
pub fn port_cases(
    scans: &mut [LoadedScan],
    extra_scanners: &[IpNet],
    fallback_time: impl Fn(&str) -> DateTime<Utc>,
) -> Vec<PortCase> {
    let mut out = Vec::new();
    for (si, scan) in scans.iter_mut().enumerate() {
        let rep = &scan.report;
        let mut notes = Vec::new();
        for h in &rep.hosts {
            if h.affected.is_empty() {
                continue;
            }
            let start = h.start.or(rep.started);
            let end = h.end.or(rep.ended);
            let (window, guessed) = match (start, end) {
                (Some(s), Some(e)) if s <= e => ((s, e), h.start.is_none() || h.end.is_none()),
                (Some(s), Some(e)) => ((e, s), true),
                (Some(t), None) | (None, Some(t)) => ((t, t), true),
                (None, None) => {
                    let t = fallback_time(&scan.file);
                    ((t, t), true)
                }
            };
            if guessed {
                notes.push(format!(
                    "host {}: the report gives no complete start/end time; its window was estimated",
                    h.name
                ));
            }
            let mut nets: Vec<IpNet> = h
                .scanner_ip
                .iter()
                .chain(if h.scanner_ip.is_none() {
                    rep.scanner_ips.iter()
                } else {
                    [].iter()
                })
                .map(|ip| IpNet::from(*ip))
                .collect();
            for n in extra_scanners {
                if !nets.contains(n) {
                    nets.push(*n);
                }
            }
            for a in &h.affected {
                out.push(PortCase {
                    scan: si,
                    host: h
                        .ip
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| h.name.clone()),
                    ip: h.ip,
                    hostnames: h.hostnames.clone(),
                    port: a.port,
                    protocol: a.protocol.clone(),
                    service: h.services.get(&(a.port, a.protocol.clone())).cloned(),
                    state: a.state,
                    window,
                    window_guessed: guessed,
                    scanner_nets: nets.clone(),
                    checks_read_timeout: h
                        .settings
                        .checks_read_timeout
                        .or(rep.settings.checks_read_timeout),
                    max_checks: h.settings.max_checks.or(rep.settings.max_checks),
                });
            }
        }
        if rep.scanner_ips.is_empty()
            && extra_scanners.is_empty()
            && rep.hosts.iter().any(|h| !h.affected.is_empty())
        {
            notes.push("the report names no scanner IP (plugin 19506 missing or unreadable): pass --scanner-ip so firewall and IPS lines can be matched".into());
        }
        scan.report.notes.extend(notes);
    }
    out.sort_by(|a, b| {
        (a.ip, &a.host, a.port, &a.protocol, a.scan).cmp(&(
            b.ip,
            &b.host,
            b.port,
            &b.protocol,
            b.scan,
        ))
    });
    out
}

/// Modification time of a file, for the rare scan without any time.
pub fn mtime(path: &Path) -> Option<DateTime<Utc>> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .map(DateTime::<Utc>::from)
}
