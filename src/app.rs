//! The commands: `analyze`, `events`, `formats`. Glue between reading, correlation and reporting.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use std::net::IpAddr;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use rayon::prelude::*;
use serde::Serialize;

use crate::cli::{AnalyzeArgs, EventsArgs, FailOn, OutputFormat};
use crate::config::{Config, InputConfig, first_match};
use crate::correlate::{self, Verdict};
use crate::model::{Query, SourceStats};
use crate::pipeline::{self, LogSource};
use crate::read::{
    SourceInput,
    discover::{InputError, discover},
    sniff::{Kind, SNIFF_BYTES, sniff},
};
use crate::report::{self, sanitize::clean_str};
use crate::reprobe;
use crate::scan::{self, LoadedScan};
use portmortem_parsers::{LogFormat, scan::ScanFormat};

/// Exit statuses (DESIGN.md).
pub enum Status {
    Ok,
    FailOn,
    Error,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        match s {
            Status::Ok => ExitCode::SUCCESS,
            Status::FailOn => ExitCode::from(1),
            Status::Error => ExitCode::from(2),
        }
    }
}

fn warn(quiet: bool, msg: &str) {
    if !quiet {
        eprintln!("portmortem: {}", clean_str(msg));
    }
}

fn init_threads(n: Option<usize>) {
    if let Some(n) = n {
        // Fails only if the global pool already exists (tests calling twice): keep the first.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
}

/// Classified inputs.
struct Classified {
    scans: Vec<(SourceInput, ScanFormat)>,
    /// Logs with their format and why it was detected; `None` for tar archives (members are
    /// sniffed as they are read).
    logs: Vec<(SourceInput, Option<LogFormat>, Option<String>)>,
    unrecognised: Vec<(SourceInput, String)>,
    errors: Vec<InputError>,
}

impl Classified {
    fn log_sources(&self) -> Vec<LogSource<'_>> {
        self.logs
            .iter()
            .map(|(input, format, why)| LogSource {
                input,
                format: *format,
                detection: why.clone(),
            })
            .collect()
    }
}

fn classify(inputs: Vec<SourceInput>, cfg: &InputConfig, forced_scan: bool) -> Classified {
    let mut c = Classified {
        scans: Vec::new(),
        logs: Vec::new(),
        unrecognised: Vec::new(),
        errors: Vec::new(),
    };
    // Sniffing opens (and may decompress) every file: in parallel, keeping input order.
    let kinds: Vec<Result<Kind, String>> = inputs
        .par_iter()
        .map(|input| {
            let forced = first_match(&cfg.format_of, &input.display).map(|r| r.value);
            input
                .head(SNIFF_BYTES)
                .map(|head| sniff(&head, forced))
                .map_err(|e| format!("cannot read: {e}"))
        })
        .collect();
    for (input, kind) in inputs.into_iter().zip(kinds) {
        match kind {
            Ok(Kind::Scan(f)) => c.scans.push((input, f)),
            // `--scan FILE` names a scan report: anything else there is an error, not a log.
            Ok(Kind::Log(..) | Kind::Unrecognised(_)) if forced_scan => c.errors.push(InputError {
                display: input.display.clone(),
                message: format!(
                    "given with --scan but not a scan report portmortem reads (known: {}; force one with --format-of)",
                    ScanFormat::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
                ),
            }),
            Ok(Kind::Log(f, d)) => c.logs.push((input, Some(f), d.map(|d| d.reason))),
            Ok(Kind::Archive) => c.logs.push((input, None, None)),
            Ok(Kind::Unrecognised(why)) => c.unrecognised.push((input, why)),
            Err(message) => c.errors.push(InputError {
                display: input.display.clone(),
                message,
            }),
        }
    }
    c
}

fn write_output(path: Option<&PathBuf>, text: &str) -> Result<()> {
    match path {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                // A closed pipe (`| head`) is not an error worth a message.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("cannot write to standard output"),
            }
        }
    }
}

/// Per-source counts on stderr with `-v`, read errors always (unless `-q`); the number of sources
/// that failed.
fn tell_sources(stats: &[SourceStats], verbose: bool, quiet: bool) -> usize {
    let mut errors = 0;
    for s in stats {
        if verbose && !quiet {
            warn(
                false,
                &format!(
                    "{}: {}, {} ({} parsed, {} ignored, {} malformed), {}, time {} – {}",
                    s.display,
                    s.format,
                    crate::words::count(s.lines, "line", "lines"),
                    s.parsed,
                    s.ignored,
                    s.malformed,
                    crate::words::count(s.events, "event", "events"),
                    s.first_time
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "?".into()),
                    s.last_time
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "?".into()),
                ),
            );
            if let Some(why) = &s.detection {
                warn(false, &format!("  detected as {}: {why}", s.format));
            }
            if !s.observers.is_empty() {
                let by: Vec<String> = s
                    .observers
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect();
                warn(false, &format!("  events by classifier: {}", by.join(", ")));
            }
        }
        if let Some(e) = &s.error {
            errors += 1;
            warn(quiet, &format!("{}: read error: {e}", s.display));
        }
    }
    errors
}

/// With `-v`: every input no reader recognised, and why.
fn tell_unrecognised(c: &Classified, verbose: bool, quiet: bool) {
    if !verbose {
        return;
    }
    for (i, why) in &c.unrecognised {
        warn(quiet, &format!("{}: unrecognised ({why})", i.display));
    }
}

/// The same file named twice (`logs/ logs/fw.log`, a symlink, `./a` and `a`) is read once: the
/// later names are dropped, each with a note naming the one kept. Stdin is never merged.
fn read_once(inputs: &mut Vec<SourceInput>, quiet: bool) {
    once_per_file(
        inputs,
        |i| i,
        |name, first| {
            warn(
                quiet,
                &format!("{name}: the same file as {first}: read once"),
            )
        },
    );
}

/// Keep the first of the items that name the same file (by its real path; stdin is always its
/// own), calling `dropped(name, first_name)` for each later one.
fn once_per_file<T>(
    items: &mut Vec<T>,
    input: impl Fn(&T) -> &SourceInput,
    mut dropped: impl FnMut(&str, &str),
) {
    let mut seen: std::collections::BTreeMap<std::path::PathBuf, String> = Default::default();
    items.retain(|item| {
        let i = input(item);
        if i.display == "<stdin>" {
            return true;
        }
        let key = std::fs::canonicalize(&i.path).unwrap_or_else(|_| i.path.clone());
        match seen.get(&key) {
            Some(first) => {
                dropped(&i.display, first);
                false
            }
            None => {
                seen.insert(key, i.display.clone());
                true
            }
        }
    });
}

/// Warn about every per-source rule that matched none of the inputs (log sources, unrecognised
/// files, scan reports), with how inputs are named.
fn tell_unmatched_rules(
    cfg: &InputConfig,
    stats: &[SourceStats],
    c: &Classified,
    scans: &[(SourceInput, ScanFormat)],
    quiet: bool,
) {
    let names: Vec<&str> = stats
        .iter()
        .map(|s| s.display.as_str())
        .chain(c.unrecognised.iter().map(|(i, _)| i.display.as_str()))
        .chain(scans.iter().map(|(i, _)| i.display.as_str()))
        .collect();
    let unmatched = cfg.unmatched_rules(&names);
    if unmatched.is_empty() {
        return;
    }
    let mut sample: Vec<&str> = names.iter().take(3).copied().collect();
    if names.len() > 3 {
        sample.push("…");
    }
    for origin in unmatched {
        warn(
            quiet,
            &format!(
                "{origin} matched no input and had no effect (inputs are named like: {}; a glob matches the path as shown, relative or absolute, or the file name alone)",
                sample.join(", ")
            ),
        );
    }
}

fn extra_sources(c: &Classified) -> Vec<SourceStats> {
    let mut v: Vec<SourceStats> = c
        .unrecognised
        .iter()
        .map(|(i, _)| SourceStats {
            display: i.display.clone(),
            format: "unrecognised".into(),
            ..Default::default()
        })
        .collect();
    v.extend(c.errors.iter().map(|e| SourceStats {
        display: e.display.clone(),
        format: "unreadable".into(),
        error: Some(e.message.clone()),
        ..Default::default()
    }));
    v
}

/// Read the scan reports (each once), and those inside archives when none is given outside.
fn load_scans(
    scan_inputs: &mut Vec<(SourceInput, ScanFormat)>,
    c: &mut Classified,
    scan_tz: chrono_tz::Tz,
) -> Vec<LoadedScan> {
    // A report named by --scan and found again under a PATHS directory is read once (silently:
    // that is the usual way to give one).
    once_per_file(scan_inputs, |(s, _)| s, |_, _| {});
    let mut scans: Vec<LoadedScan> = Vec::new();
    for (s, format) in scan_inputs.iter() {
        match scan::load_scan(s, *format, scan_tz) {
            Ok(l) => scans.push(l),
            Err(e) => c.errors.push(InputError {
                display: s.display.clone(),
                message: format!("{e:#}"),
            }),
        }
    }
    // No scan outside the archives: look inside them (one more pass over each archive).
    if scan_inputs.is_empty() {
        for (archive, _, _) in c.logs.iter().filter(|(_, f, _)| f.is_none()) {
            let (found, errors) = scan::scans_in_archive(archive, scan_tz);
            scans.extend(found);
            c.errors.extend(
                errors
                    .into_iter()
                    .map(|(display, message)| InputError { display, message }),
            );
        }
    }
    scans
}

/// What the logs are asked: the scanner addresses, the time span of all windows ± slack; and the
/// reference instant for year-less times (the scan's start).
fn build_query(
    scans: &[LoadedScan],
    cases: &[scan::PortCase],
    cfg: &Config,
) -> (Query, DateTime<Utc>) {
    let mut scanner_nets: Vec<IpNet> = Vec::new();
    for n in cases
        .iter()
        .flat_map(|c| c.scanner_nets.iter())
        .chain(&cfg.scanner_nets)
    {
        if !scanner_nets.contains(n) {
            scanner_nets.push(*n);
        }
    }
    let reference: DateTime<Utc> = scans
        .iter()
        .filter_map(|s| s.report.started)
        .min()
        .or_else(|| cases.iter().map(|c| c.window.0).min())
        .unwrap_or_else(Utc::now);
    let span = match (
        cases.iter().map(|c| c.window.0).min(),
        cases.iter().map(|c| c.window.1).max(),
    ) {
        (Some(a), Some(b)) => (a - cfg.slack, b + cfg.slack),
        _ => (reference, reference),
    };
    (correlate::interest::query(scanner_nets, span), reference)
}

pub fn analyze(args: &AnalyzeArgs) -> Result<Status> {
    let cfg = Config::from_args(args)?;
    let quiet = cfg.input.quiet;
    init_threads(cfg.input.threads);

    let mut found = discover(&cfg.input.paths);
    let found_scans = discover(&cfg.scans);
    for n in found.notes.iter().chain(&found_scans.notes) {
        warn(quiet, n);
    }
    read_once(&mut found.inputs, quiet);
    let mut c = classify(found.inputs, &cfg.input, false);
    let given = classify(found_scans.inputs, &cfg.input, true);
    c.errors.extend(found.errors);
    c.errors.extend(found_scans.errors);
    c.errors.extend(given.errors);
    let mut scan_inputs = given.scans;
    scan_inputs.append(&mut c.scans);
    let mut scans = load_scans(&mut scan_inputs, &mut c, cfg.scan_tz);
    for e in &c.errors {
        warn(quiet, &format!("{}: {}", e.display, e.message));
    }
    if cfg.strict && !c.errors.is_empty() {
        bail!(
            "{} could not be read (--strict)",
            crate::words::count(c.errors.len() as u64, "input", "inputs")
        );
    }
    if scans.is_empty() {
        if scan_inputs.is_empty() && !c.logs.iter().any(|(_, f, _)| f.is_none()) {
            bail!(
                "no scan report among the inputs: give one ({}) in PATHS or with --scan; `portmortem formats` lists what is read",
                ScanFormat::ALL
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        bail!("no scan report could be read");
    }
    tell_unrecognised(&c, cfg.input.verbose, quiet);

    let fallback = |file: &str| {
        scan_inputs
            .iter()
            .map(|(s, _)| s)
            .find(|s| s.display == file)
            .and_then(|s| scan::mtime(&s.path))
            .unwrap_or_else(Utc::now)
    };
    let mut cases = scan::port_cases(&mut scans, &cfg.scanner_nets, fallback);
    // `[nat]`: the scanner as the logs see it (after NAT) is the scanner; a scanned host's
    // translated address is that host.
    let mut target_nat: std::collections::BTreeMap<IpAddr, IpAddr> = Default::default();
    for (seen, real) in &cfg.nat {
        let scanner = crate::model::in_nets(&cfg.scanner_nets, *real)
            || cases.iter().any(|c| c.is_scanner(*real));
        if scanner {
            for c in &mut cases {
                let net = IpNet::from(*seen);
                if !c.scanner_nets.contains(&net) {
                    c.scanner_nets.push(net);
                }
            }
        } else {
            target_nat.insert(*seen, *real);
        }
    }

    let (query, reference) = build_query(&scans, &cases, &cfg);
    let (mut stats, mut events) =
        pipeline::run(&c.log_sources(), &cfg.input, |_| reference, Some(&query));
    if !target_nat.is_empty() {
        for e in &mut events {
            e.event
                .map_addresses(|a| a, |a| target_nat.get(&a).copied().unwrap_or(a));
        }
    }
    let read_errors = tell_sources(&stats, cfg.input.verbose, quiet);
    tell_unmatched_rules(&cfg.input, &stats, &c, &scan_inputs, quiet);
    if cfg.strict && read_errors > 0 {
        bail!(
            "{} could not be read to the end (--strict)",
            crate::words::count(read_errors as u64, "log source", "log sources")
        );
    }
    stats.extend(extra_sources(&c));

    let input = correlate::Input {
        cases: &cases,
        sources: &stats,
        events: &events,
        slack: cfg.slack,
        services: &cfg.services,
        host_aliases: &cfg.host_aliases,
        source_hosts: &cfg.input.source_hosts,
    };
    let (findings, ties) = correlate::correlate_all(&input);
    // No network line anywhere names the scanner: the usual reason is NAT between scanner and
    // targets, which --scanner-ip fixes. Say so rather than let every port look unexplained.
    let scanner_seen = events.iter().any(|e| {
        matches!(
            e.event.kind,
            portmortem_parsers::EventKind::FirewallDeny(_)
                | portmortem_parsers::EventKind::IpsAlert(_)
                | portmortem_parsers::EventKind::Ban(_)
                | portmortem_parsers::EventKind::RateLimit(_)
        )
    });
    if !scanner_seen && !query.scanner_nets.is_empty() && stats.iter().any(|s| s.lines > 0) {
        let addrs = correlate::advice::nets_text(&query.scanner_nets);
        for sc in &mut scans {
            sc.report.notes.push(format!(
                "no firewall, IPS or ban line in the logs names the scanner ({addrs}): if the scanner reaches the targets through NAT or a proxy, give the address the logs see with --scanner-ip"
            ));
        }
    }

    let probes = match &cfg.reprobe {
        Some(rp) => {
            let (res, notes) = reprobe::probe(
                &cases,
                rp.timeout.and_then(|t| t.to_std().ok()),
                rp.concurrency,
                rp.rate_per_s,
            );
            for n in notes {
                warn(quiet, &format!("re-probe: {n}"));
            }
            res
        }
        None => vec![None; cases.len()],
    };

    let report = report::build(&scans, &cases, &findings, &stats, &events, &probes, &ties);
    let text = match cfg.format {
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
        OutputFormat::Jsonl => report::formats::jsonl(&report)?,
        OutputFormat::Csv => report::formats::csv(&report)?,
        OutputFormat::Markdown => report::formats::markdown(&report),
        OutputFormat::Html => report::formats::html(&report),
        OutputFormat::Text => {
            let color = cfg.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let mut t = report::text::render(&report, color);
            if cfg.reprobe.is_none() && !cases.is_empty() {
                t.push_str("\nre-probe plan (run with --reprobe, or by hand):\n");
                for cmd in reprobe::plan(&cases) {
                    t.push_str(&format!("  {cmd}\n"));
                }
            }
            t
        }
    };
    write_output(cfg.output.as_ref(), &text)?;

    if !c.errors.is_empty() || read_errors > 0 {
        return Ok(Status::Error);
    }
    if let Some(f) = cfg.fail_on {
        let hit = findings.iter().any(|x| match f {
            FailOn::Any => true,
            FailOn::Blocked => x.verdict == Verdict::Blocked,
            FailOn::ServiceRestart => x.verdict == Verdict::ServiceRestart,
            FailOn::Unexplained => x.verdict == Verdict::Unexplained,
        });
        if hit {
            return Ok(Status::FailOn);
        }
    }
    Ok(Status::Ok)
}

#[derive(Serialize)]
struct EventLine<'a> {
    file: &'a str,
    line: u64,
    format: &'a str,
    #[serde(flatten)]
    event: &'a portmortem_parsers::Event,
}

pub fn events(args: &EventsArgs) -> Result<Status> {
    let (cfg, _) = InputConfig::from_args(&args.input)?;
    init_threads(cfg.threads);
    let fixed_ref = args
        .reference
        .as_deref()
        .map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .with_context(|| format!("--reference expects an RFC 3339 time, got {s:?}"))
        })
        .transpose()?;
    let mut found = discover(&cfg.paths);
    for n in &found.notes {
        warn(cfg.quiet, n);
    }
    read_once(&mut found.inputs, cfg.quiet);
    let mut c = classify(found.inputs, &cfg, false);
    c.errors.extend(found.errors);
    for e in &c.errors {
        warn(cfg.quiet, &format!("{}: {}", e.display, e.message));
    }
    tell_unrecognised(&c, cfg.verbose, cfg.quiet);
    // Streamed in file order, a few tasks at a time: the whole archive's events are never held.
    let sources = c.log_sources();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut write_err: Option<std::io::Error> = None;
    let batch = rayon::current_num_threads();
    let stats = pipeline::run_with(
        &sources,
        &cfg,
        |i| {
            fixed_ref
                .or_else(|| scan::mtime(&i.path))
                .unwrap_or_else(Utc::now)
        },
        None,
        Some(batch),
        |source, events| {
            for e in &events {
                if write_err.is_some() {
                    return std::ops::ControlFlow::Break(());
                }
                let line = EventLine {
                    file: &source.display,
                    line: e.line,
                    format: &source.format,
                    event: &e.event,
                };
                let r = serde_json::to_writer(&mut stdout, &line)
                    .map_err(std::io::Error::from)
                    .and_then(|_| stdout.write_all(b"\n"));
                if let Err(err) = r {
                    write_err = Some(err);
                    return std::ops::ControlFlow::Break(());
                }
            }
            // Written now, not when the buffer fills: a reader (`| head -1`) sees lines as they
            // come, and a closed pipe is noticed at once.
            match stdout.flush() {
                Ok(()) => std::ops::ControlFlow::Continue(()),
                Err(err) => {
                    write_err = Some(err);
                    std::ops::ControlFlow::Break(())
                }
            }
        },
    );
    match write_err.map_or_else(|| stdout.flush(), Err) {
        // A closed pipe (`| head`) ends the output quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(Status::Ok),
        r => r.context("cannot write to standard output")?,
    }
    let read_errors = tell_sources(&stats, cfg.verbose, cfg.quiet);
    tell_unmatched_rules(&cfg, &stats, &c, &c.scans, cfg.quiet);
    Ok(if c.errors.is_empty() && read_errors == 0 {
        Status::Ok
    } else {
        Status::Error
    })
}

/// `portmortem formats`: every registered scan format, log format and syslog payload.
pub fn formats() -> Result<Status> {
    let mut out = String::new();
    for f in ScanFormat::ALL {
        out.push_str(&format!("{:<13} scan report  {}\n", f.name(), f.describe()));
    }
    for f in LogFormat::ALL {
        out.push_str(&format!(
            "{:<13} log          {}\n              example: {}\n",
            f.name(),
            f.describe(),
            // A multi-line example (a journal export record) stays indented.
            f.example()
                .trim_end()
                .replace('\n', "\n                       ")
        ));
    }
    out.push_str(
        "\nPayloads, recognised line by line in syslog (any framing) and journald MESSAGE:\n",
    );
    for p in portmortem_parsers::syslog::payload::PAYLOADS {
        out.push_str(&format!(
            "{:<13} {}{}\n              example: {}\n",
            p.name,
            p.description,
            if p.unframed.is_some() {
                " (also without any syslog framing)"
            } else {
                ""
            },
            p.example
        ));
    }
    out.push_str("\nCompressed: .gz, .zst, .bz2, .xz (any file, by magic number); tar archives member by member. Formats are detected from the content of the first lines; override with --format-of GLOB=FORMAT.\n");
    write_output(None, &out)?;
    Ok(Status::Ok)
}
