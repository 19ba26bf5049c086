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
use portmortem_parsers::scan::{ScanFormat, ScanHost, ScanReason, ScanReport, ScanState};

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
    /// The report (file as given) that found it gone.
    pub scan_file: String,
    /// Why the report that found it gone says so (nmap's reason, TTL, replying address).
    pub reason: Option<ScanReason>,
    /// TTL of the host's own replies when it was seen open.
    pub host_ttl: Option<u8>,
    /// The report that last saw it open (a comparison of reports).
    pub seen_open_in: Option<String>,
    /// The scanner address was inferred from the logs (the report names none): said in the
    /// explanation.
    pub scanner_inferred: Option<String>,
    /// Another source is denied on exactly the affected host:ports (the scanner behind NAT?).
    pub nat_hint: Option<String>,
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
                let (window, guessed) = match a.window {
                    Some(w) => (w, false),
                    None => (window, guessed),
                };
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
                    scan_file: scan.file.clone(),
                    reason: a.reason.clone(),
                    host_ttl: a.host_ttl,
                    seen_open_in: a.seen_open_in.clone(),
                    scanner_inferred: None,
                    nat_hint: None,
                });
            }
        }
        if rep.scanner_ips.is_empty()
            && extra_scanners.is_empty()
            && rep.hosts.iter().any(|h| !h.affected.is_empty())
            && !rep.comparable
            && rep.format != MANUAL
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

/// The `format` of a case given by hand.
pub const MANUAL: &str = "manual";

/// A case given by hand (`--target/--ports/--window`) as a report of its own.
pub fn manual_scan(m: &crate::config::ManualCase) -> LoadedScan {
    let hosts = m
        .targets
        .iter()
        .map(|t| {
            let ip = t.parse::<IpAddr>().ok().map(|i| i.to_canonical());
            ScanHost {
                name: t.clone(),
                ip,
                hostnames: if ip.is_none() {
                    vec![t.clone()]
                } else {
                    Vec::new()
                },
                start: Some(m.window.0),
                end: Some(m.window.1),
                affected: m
                    .ports
                    .iter()
                    .map(|(p, proto)| {
                        portmortem_parsers::scan::AffectedPort::new(*p, proto.clone(), m.state)
                    })
                    .collect(),
                ..ScanHost::default()
            }
        })
        .collect();
    LoadedScan {
        file: "--target".into(),
        report: ScanReport {
            format: MANUAL.into(),
            started: Some(m.window.0),
            ended: Some(m.window.1),
            hosts,
            ..ScanReport::default()
        },
    }
}

/// Put the reports in comparison order and compare them (DESIGN.md step 3): the baseline first
/// (an error when it started after a rescan), the others by start time (a note when that is not
/// the order they were given in). Only when a report states port states (a port scanner) or a
/// baseline was given: Nessus reports alone carry their own 10919 results.
pub fn compare(scans: &mut Vec<LoadedScan>, baselines: usize) -> Result<()> {
    if scans.len() <= baselines {
        // Only baselines: nothing to compare them with.
        if baselines > 0 {
            anyhow::bail!(
                "--baseline needs a rescan to compare with: give it with --scan or in PATHS"
            );
        }
        return Ok(());
    }
    if baselines == 0 && !scans.iter().any(|s| s.report.comparable) {
        return Ok(());
    }
    let rest: Vec<LoadedScan> = scans.split_off(baselines);
    let starts: Vec<_> = rest.iter().map(|s| s.report.started).collect();
    let order = portmortem_parsers::scan::series::order_by_start(&starts);
    let reordered = order.iter().enumerate().any(|(i, &j)| i != j);
    let mut rest: Vec<Option<LoadedScan>> = rest.into_iter().map(Some).collect();
    let sorted: Vec<LoadedScan> = order.iter().filter_map(|&i| rest[i].take()).collect();
    if let (Some(b), Some(first)) = (scans.last(), sorted.first())
        && let (Some(tb), Some(tf)) = (b.report.started, first.report.started)
        && tb > tf
    {
        anyhow::bail!(
            "--baseline {} started at {}, after the rescan {} ({}): the baseline is the earlier scan; swap them",
            b.file,
            tb.format("%Y-%m-%dT%H:%M:%SZ"),
            first.file,
            tf.format("%Y-%m-%dT%H:%M:%SZ")
        );
    }
    scans.extend(sorted);
    let files: Vec<String> = scans.iter().map(|s| s.file.clone()).collect();
    let mut reports: Vec<ScanReport> = scans
        .iter_mut()
        .map(|s| std::mem::take(&mut s.report))
        .collect();
    portmortem_parsers::scan::series::compare(&mut reports, &files);
    for (s, r) in scans.iter_mut().zip(reports) {
        s.report = r;
    }
    if reordered && let Some(last) = scans.last_mut() {
        last.report.notes.push(format!(
            "the reports were compared in the order of their start times: {}",
            files.join(" → ")
        ));
    }
    Ok(())
}

/// Modification time of a file, for the rare scan without any time.
pub fn mtime(path: &Path) -> Option<DateTime<Utc>> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .map(DateTime::<Utc>::from)
}
