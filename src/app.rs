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

use crate::cli::{AnalyzeArgs, ColorChoice, EventsArgs, FailOn, OutputFormat, ReprobeArgs};
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

/// Every warning of this run, so that the report repeats them (a saved report shows what stderr
/// said). Capped: a flood of the same kind stays on stderr.
static WARNINGS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn warn(quiet: bool, msg: &str) {
    let msg = clean_str(msg);
    if let Ok(mut w) = WARNINGS.lock()
        && w.len() < 200
        && !w.contains(&msg)
    {
        w.push(msg.clone());
    }
    if !quiet {
        eprintln!("portmortem: {msg}");
    }
}

/// The warnings said so far.
fn warnings() -> Vec<String> {
    WARNINGS.lock().map(|w| w.clone()).unwrap_or_default()
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
/// Do two inputs name the same file (through any path)?
fn same_file(a: &SourceInput, b: &SourceInput) -> bool {
    let key = |i: &SourceInput| std::fs::canonicalize(&i.path).unwrap_or_else(|_| i.path.clone());
    a.display != "<stdin>" && b.display != "<stdin>" && key(a) == key(b)
}

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
    look_in_archives: bool,
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
    if scan_inputs.is_empty() && look_in_archives {
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
    let targets = cases
        .iter()
        .filter_map(|c| c.ip.map(|ip| (ip, c.port)))
        .collect();
    (
        correlate::interest::query(scanner_nets, targets, span),
        reference,
    )
}

/// For the cases whose report names no scanner: the source the logs show on the most affected
/// host:ports becomes their scanner, said in the scan's notes and each explanation. Returns
/// whether a scanner was added.
fn infer_scanner(
    cases: &mut [scan::PortCase],
    scans: &mut [LoadedScan],
    events: &[crate::model::LocatedEvent],
    slack: chrono::Duration,
) -> bool {
    use correlate::scanner::{Inference, infer, inferred_short, inferred_text, sources_on_targets};
    let blind: Vec<usize> = (0..cases.len())
        .filter(|&i| cases[i].scanner_nets.is_empty())
        .collect();
    if blind.is_empty() {
        return false;
    }
    let subset: Vec<scan::PortCase> = blind.iter().map(|&i| cases[i].clone()).collect();
    let support = sources_on_targets(&subset, events, slack);
    let (text, net) = match infer(&support) {
        Inference::Found(s) => (
            (inferred_text(&s, subset.len()), inferred_short(&s)),
            Some(IpNet::from(s.ip)),
        ),
        Inference::Ambiguous(v) => {
            let t = format!(
                "The report names no scanner and the logs do not single one out ({} each reached {} affected host:ports); give --scanner-ip.",
                v.iter()
                    .map(|s| s.ip.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                v[0].pairs
            );
            ((t.clone(), t), None)
        }
        Inference::Nothing => {
            let t = "The report names no scanner and no log line shows a connection to an affected host:port; give --scanner-ip so firewall and IPS lines can be matched.".to_string();
            ((t.clone(), t), None)
        }
    };
    let (note, short) = text;
    let mut noted: Vec<usize> = Vec::new();
    for &i in &blind {
        let c = &mut cases[i];
        if let Some(n) = net {
            c.scanner_nets.push(n);
        }
        c.scanner_inferred = Some(short.clone());
        if !noted.contains(&c.scan) {
            noted.push(c.scan);
            scans[c.scan].report.notes.push(note.clone());
        }
    }
    net.is_some()
}

/// Cases whose scanner never shows on their host:port while another source is denied there:
/// the scanner is probably translated (NAT) on its way; say which address the logs see.
fn nat_hints(
    cases: &mut [scan::PortCase],
    scans: &mut [LoadedScan],
    events: &[crate::model::LocatedEvent],
    slack: chrono::Duration,
) {
    let mut said: Vec<(usize, IpAddr)> = Vec::new();
    for c in cases.iter_mut() {
        if c.scanner_nets.is_empty() || c.scanner_inferred.is_some() {
            continue;
        }
        let support =
            correlate::scanner::sources_on_targets(std::slice::from_ref(c), events, slack);
        if support.iter().any(|s| c.is_scanner(s.ip)) {
            continue;
        }
        let Some(other) = support.iter().find(|s| s.denied > 0) else {
            continue;
        };
        let scanner = correlate::advice::nets_text(&c.scanner_nets);
        c.nat_hint = Some(format!(
            "The logs never show the scanner ({scanner}) on this port but deny {} on it inside the window ({}): if the scanner reaches {} through NAT, that is its address as the firewall sees it; run again with --scanner-ip {}.",
            other.ip,
            crate::words::count(other.lines as u64, "line", "lines"),
            c.host,
            other.ip
        ));
        if !said.contains(&(c.scan, other.ip)) {
            said.push((c.scan, other.ip));
            scans[c.scan].report.notes.push(format!(
                "the logs deny {} (not the scanner {scanner}) on affected host:ports: the scanner behind NAT? try --scanner-ip {}",
                other.ip, other.ip
            ));
        }
    }
}

pub fn analyze(args: &AnalyzeArgs) -> Result<Status> {
    let cfg = Config::from_args(args)?;
    let quiet = cfg.input.quiet;
    init_threads(cfg.input.threads);

    for n in &cfg.notes {
        warn(quiet, n);
    }
    if cfg.input.paths.is_empty() && cfg.scans.is_empty() && cfg.manual.is_none() {
        bail!(
            "nothing to analyze: give a scan report and the logs as PATHS (or the report with --scan FILE, or a case by hand with --target HOST --ports LIST --window START..END)"
        );
    }
    let mut found = discover(&cfg.input.paths);
    let found_scans = discover(&cfg.scans);
    let found_base = discover(cfg.baseline.as_slice());
    for n in found
        .notes
        .iter()
        .chain(&found_scans.notes)
        .chain(&found_base.notes)
    {
        warn(quiet, n);
    }
    // Every input as given, for the provenance digests.
    let digest_inputs: Vec<report::provenance::Input> = found_scans
        .inputs
        .iter()
        .chain(&found.inputs)
        .map(|i| report::provenance::Input {
            display: i.display.clone(),
            path: i.path.clone(),
        })
        .collect();
    read_once(&mut found.inputs, quiet);
    let mut c = classify(found.inputs, &cfg.input, false);
    let given = classify(found_scans.inputs, &cfg.input, true);
    let base = classify(found_base.inputs, &cfg.input, true);
    c.errors.extend(found.errors);
    c.errors.extend(found_scans.errors);
    c.errors.extend(found_base.errors);
    c.errors.extend(given.errors);
    c.errors.extend(base.errors);
    let mut base_inputs = base.scans;
    let mut scan_inputs = given.scans;
    scan_inputs.append(&mut c.scans);
    // The baseline is not also a rescan when a PATHS directory holds it too.
    scan_inputs.retain(|(s, _)| !base_inputs.iter().any(|(b, _)| same_file(b, s)));
    if cfg.manual.is_some() && !scan_inputs.is_empty() {
        warn(
            quiet,
            &format!(
                "--target given: the scan report(s) among PATHS are not used ({})",
                scan_inputs
                    .iter()
                    .map(|(s, _)| s.display.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        scan_inputs.clear();
    }
    let mut scans = load_scans(&mut base_inputs, &mut c, cfg.scan_tz, false);
    let baselines = scans.len();
    if cfg.baseline.is_some() && baselines == 0 {
        for e in &c.errors {
            warn(quiet, &format!("{}: {}", e.display, e.message));
        }
        bail!("the --baseline report could not be read");
    }
    let look_in_archives = cfg.manual.is_none();
    scans.extend(load_scans(
        &mut scan_inputs,
        &mut c,
        cfg.scan_tz,
        look_in_archives,
    ));
    scan_inputs.extend(base_inputs);
    if let Some(m) = &cfg.manual {
        scans.push(scan::manual_scan(m));
    }
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
                "no scan report among the inputs: give one ({}) in PATHS or with --scan, or the case by hand with --target HOST --ports LIST --window START..END; `portmortem formats` lists what is read",
                ScanFormat::ALL
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        bail!("no scan report could be read");
    }
    scan::compare(&mut scans, baselines)?;
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

    let (mut query, reference) = build_query(&scans, &cases, &cfg);
    let read_logs_with = |input: &crate::config::InputConfig, q: &crate::model::Query| {
        let (stats, mut events) = pipeline::run(&c.log_sources(), input, |_| reference, Some(q));
        if !target_nat.is_empty() {
            for e in &mut events {
                e.event
                    .map_addresses(|a| a, |a| target_nat.get(&a).copied().unwrap_or(a));
            }
        }
        (stats, events)
    };
    let read_logs = |q: &crate::model::Query| read_logs_with(&cfg.input, q);
    let (mut stats, mut events) = read_logs(&query);
    // A report that names no scanner: infer it from the logs, then read them again for
    // everything else of it (its bans, its denies near the windows).
    if infer_scanner(&mut cases, &mut scans, &events, cfg.slack) {
        query = build_query(&scans, &cases, &cfg).0;
        (stats, events) = read_logs(&query);
    }
    nat_hints(&mut cases, &mut scans, &events, cfg.slack);
    // --auto-skew: each source's clock offset from the scan's own host times; the sources it moves
    // are read again with it.
    let skews = if cfg.auto_skew {
        let k = correlate::skew::estimate(&cases, &stats, &events);
        let mut input = cfg.input.clone();
        for (s, k) in stats.iter().zip(&k) {
            if let Some(k) = k.as_ref().filter(|k| k.applied) {
                input.offsets.insert(
                    0,
                    crate::config::GlobRule::new(
                        &correlate::skew::globset_escape(&s.display),
                        correlate::skew::as_offset(k),
                    )?
                    .given_as("--auto-skew".into()),
                );
            }
        }
        if k.iter().flatten().any(|k| k.applied) {
            (stats, events) = read_logs_with(&input, &query);
        }
        for (s, k) in stats.iter().zip(&k) {
            if let Some(k) = k {
                let msg = format!("{}: clock: {}", s.display, k.note);
                if k.applied || cfg.input.verbose {
                    warn(quiet, &msg);
                }
            }
        }
        if !k.iter().any(Option::is_some) {
            warn(
                quiet,
                "--auto-skew: no source logged scanner connections toward the scanned hosts: no clock could be estimated",
            );
        }
        k
    } else {
        Vec::new()
    };
    let read_errors = tell_sources(&stats, cfg.input.verbose, quiet);
    tell_unmatched_rules(&cfg.input, &stats, &c, &scan_inputs, quiet);
    if cfg.strict && read_errors > 0 {
        bail!(
            "{} could not be read to the end (--strict)",
            crate::words::count(read_errors as u64, "log source", "log sources")
        );
    }
    for (s, k) in stats.iter_mut().zip(skews) {
        s.skew = k;
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
        ) && e
            .event
            .kind
            .connection()
            .is_none_or(|(src, _, _)| query.is_scanner(src))
    });
    if !scanner_seen && !query.scanner_nets.is_empty() && stats.iter().any(|s| s.lines > 0) {
        let addrs = correlate::advice::nets_text(&query.scanner_nets);
        for sc in &mut scans {
            sc.report.notes.push(format!(
                "no firewall, IPS or ban line in the logs names the scanner ({addrs}): if the scanner reaches the targets through NAT or a proxy, give the address the logs see with --scanner-ip"
            ));
        }
    }

    let meta = report::Meta {
        provenance: report::provenance::collect(&digest_inputs, cfg.digest),
        slack: cfg.slack,
    };
    let mut report = report::build(&scans, &cases, &findings, &stats, &events, &ties, meta);
    if let Some(rp) = &cfg.reprobe {
        reprobe::run(&mut report, rp, |line| warn(quiet, line))?;
    }
    report.warnings = warnings();
    let text = render(&report, cfg.format, cfg.output.as_ref(), cfg.color)?;
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

/// Columns of the text report: the terminal's width, else `COLUMNS`, else 100.
fn text_width(to_terminal: bool) -> usize {
    let term = to_terminal
        .then(terminal_size::terminal_size)
        .flatten()
        .map(|(w, _)| usize::from(w.0));
    term.or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .unwrap_or(100)
        .clamp(40, 400)
}

/// The report in `format`.
fn render(
    report: &report::Report,
    format: OutputFormat,
    output: Option<&PathBuf>,
    color: ColorChoice,
) -> Result<String> {
    Ok(match format {
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(report)?;
            s.push('\n');
            s
        }
        OutputFormat::Jsonl => report::formats::jsonl(report)?,
        OutputFormat::Csv => report::formats::csv(report)?,
        OutputFormat::Markdown => report::formats::markdown(report),
        OutputFormat::Html => report::html::render(report),
        OutputFormat::Defectdojo => report::defectdojo::render(report)?,
        OutputFormat::Text => {
            let to_terminal = output.is_none() && std::io::stdout().is_terminal();
            let color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            report::text::render(
                report,
                report::text::Layout {
                    color,
                    width: text_width(to_terminal),
                },
            )
        }
    })
}

/// `portmortem reprobe REPORT.json`: the saved report's pairs probed again (the same limits as
/// `analyze --reprobe`), each result folded into its port, and the updated report printed.
pub fn reprobe_report(args: &ReprobeArgs) -> Result<Status> {
    let rp = crate::config::ReprobeConfig::from_args(&args.probe)?;
    let (format, note) = crate::config::output_format(&args.output);
    if let Some(n) = note {
        warn(args.quiet, &n);
    }
    let path = &args.report;
    let bytes = if path.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut b)
            .context("cannot read the report from standard input")?;
        b
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
    };
    let mut saved: report::Report = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a portmortem JSON report (write one with `analyze --format json -o FILE`)",
            path.display()
        )
    })?;
    if saved.schema != report::SCHEMA {
        bail!(
            "{}: schema {:?}, expected {:?}",
            path.display(),
            saved.schema,
            report::SCHEMA
        );
    }
    // A second re-probe replaces the first: its sentence is not kept twice.
    for p in &mut saved.ports {
        report::probed::unfold(p);
    }
    let digest = report::provenance::sha256_hex(&bytes);
    // The inputs stay the saved report's (not read again); only the run's own facts are new.
    let mut prov = report::provenance::collect(&[], crate::cli::DigestChoice::None);
    prov.digest = saved.provenance.digest.clone();
    prov.inputs = saved.provenance.inputs.clone();
    prov.from_report = Some(Box::new(report::provenance::FromReport {
        file: clean_str(&path.display().to_string()),
        sha256: Some(digest),
        provenance: std::mem::take(&mut saved.provenance),
    }));
    saved.provenance = prov;
    reprobe::run(&mut saved, &rp, |line| warn(args.quiet, line))?;
    let text = render(
        &saved,
        format,
        args.output.output.as_ref(),
        args.output.color,
    )?;
    write_output(args.output.output.as_ref(), &text)?;
    Ok(Status::Ok)
}

/// `portmortem completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> Result<Status> {
    let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "portmortem", &mut out);
    write_output(None, &String::from_utf8_lossy(&out))?;
    Ok(Status::Ok)
}

/// `portmortem man [COMMAND]`: the manual page (roff) of the tool, whose SUBCOMMANDS section
/// names each portmortem-COMMAND(1), or of one command.
pub fn man(command: Option<&str>) -> Result<Status> {
    let cmd = <crate::cli::Cli as clap::CommandFactory>::command();
    let page = match command {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                bail!("no command {name:?} (commands: {})", names.join(", "));
            };
            let full = format!("portmortem-{name}");
            sub.clone()
                .name(full)
                .bin_name(format!("portmortem {name}"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    write_output(None, &String::from_utf8_lossy(&out))?;
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

/// An `events` line: the event's own fields, then its ECS and Timesketch fields (dotted keys).
fn event_record(line: &EventLine<'_>, text: &str) -> serde_json::Result<serde_json::Value> {
    let mut v = serde_json::to_value(line)?;
    if let serde_json::Value::Object(m) = &mut v {
        let ecs = report::ecs::event_fields(line.event, m, text);
        m.extend(ecs);
    }
    Ok(v)
}

pub fn events(args: &EventsArgs) -> Result<Status> {
    if args.input.paths.is_empty() {
        bail!(
            "events needs the log files or directories to read (PATHS; `-` reads standard input)"
        );
    }
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
                let r = event_record(&line, &e.text)
                    .and_then(|v| serde_json::to_writer(&mut stdout, &v))
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
        out.push_str(&format!(
            "{:<13} scan report  {}\n              example: {}\n",
            f.name(),
            f.describe(),
            f.example()
        ));
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
    out.push_str("\nCompressed: .gz, .zst, .bz2, .xz (any file, by magic number); tar and zip archives member by member. Formats are detected from the content of the first lines; override with --format-of GLOB=FORMAT.\n");
    write_output(None, &out)?;
    Ok(Status::Ok)
}
