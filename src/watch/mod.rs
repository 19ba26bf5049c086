//! `portmortem watch` (DESIGN.md "CLI contract"): follow the logs while a scan runs and print an
//! alert as each event that blocks the scanner or takes a target's service or host down reaches
//! its file. The same registry, detection and parsers as `analyze`; files are followed with
//! `tail -F` semantics ([`follow`]), woken by file-system notifications (notify) with polling as
//! the fallback; memory holds per file one partial line and its head until the format is known.

pub mod alert;
pub mod follow;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration as StdDuration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use ipnet::IpNet;
use portmortem_parsers::scan::{ScanFormat, ScanReport};
use portmortem_parsers::{LineParser, LogFormat, TimeContext};

use crate::app::Status;
use crate::cli::{FailOn, WatchArgs, WatchFormat};
use crate::config::{InputConfig, first_match, parse_duration, parse_scanner_net, parse_tz};
use crate::correlate::attribute::{SourceHost, Target, Targets};
use alert::{Alert, Watched};
use follow::Follower;

/// Host, port, cause and file of an alert: repeats of the same within [`alert::REPEAT`] are
/// counted, not printed.
type RepeatKey = (String, Option<u16>, &'static str, String);

/// What is known of each followed file.
struct FileState {
    format: Option<LogFormat>,
    parser: Option<Box<dyn LineParser>>,
    /// Detection gave up (64 KiB seen, nothing recognised): said once.
    given_up: bool,
    hostnames: BTreeSet<String>,
}

/// The targets and ports from a scan file or `--target/--ports`.
fn watched_from(
    report: Option<&ScanReport>,
    targets: &[String],
    ports: &Option<Vec<u16>>,
    scanner: &[IpNet],
    services: &BTreeMap<String, String>,
    aliases: &BTreeMap<String, String>,
) -> Watched {
    let mut hosts: Vec<Target> = Vec::new();
    let mut host_ports: Vec<BTreeSet<u16>> = Vec::new();
    let mut nets: Vec<IpNet> = scanner.to_vec();
    if let Some(r) = report {
        for ip in &r.scanner_ips {
            let n = IpNet::from(*ip);
            if !nets.contains(&n) {
                nets.push(n);
            }
        }
        for h in &r.hosts {
            let mut names = h.hostnames.clone();
            names.push(h.name.clone());
            hosts.push(Target {
                key: h
                    .ip
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| h.name.clone()),
                ip: h.ip,
                names,
            });
            let mut p: BTreeSet<u16> = h.open_ports.iter().map(|(p, _)| *p).collect();
            p.extend(h.affected.iter().map(|a| a.port));
            if let Some(given) = ports {
                p.extend(given);
            }
            host_ports.push(p);
        }
    }
    for t in targets {
        let ip = t.parse::<std::net::IpAddr>().ok().map(|i| i.to_canonical());
        hosts.push(Target {
            key: t.clone(),
            ip,
            names: vec![t.clone()],
        });
        host_ports.push(ports.clone().unwrap_or_default().into_iter().collect());
    }
    Watched {
        targets: Targets::new(hosts, aliases),
        scanner: nets,
        ports: host_ports,
        services: services.clone(),
    }
}

/// Read the scan file as it is now (it may still be growing).
fn read_scan(path: &PathBuf, tz: chrono_tz::Tz) -> Result<ScanReport> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let f = ScanFormat::detect(head).with_context(|| {
        format!(
            "{}: not a scan report portmortem reads (yet?): {}",
            path.display(),
            ScanFormat::ALL
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    f.read_growing(&mut &bytes[..], tz)
        .with_context(|| format!("cannot read {f} report {}", path.display()))
}

fn stamp(path: &PathBuf) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

pub fn run(args: &WatchArgs) -> Result<Status> {
    if args.input.paths.is_empty() {
        bail!("watch needs the log files or directories to follow (PATHS)");
    }
    if args.scan.is_none() && args.target.is_empty() {
        bail!(
            "watch needs the targets: --scan FILE (a scan report or policy export, re-read as it grows) or --target HOST[,HOST]"
        );
    }
    let (cfg, parts) = InputConfig::from_args(&args.input)?;
    let quiet = cfg.quiet;
    let say = |m: &str| {
        if !quiet {
            eprintln!("portmortem: {m}");
        }
    };
    let scan_tz = parse_tz(&args.scan_tz)?;
    let scanner: Vec<IpNet> = args
        .scanner_ip
        .iter()
        .map(|s| parse_scanner_net(s))
        .collect::<Result<_>>()?;
    let ports: Option<Vec<u16>> = match &args.ports {
        Some(l) => Some(
            portmortem_parsers::scan::ports::parse_port_list(l)
                .map_err(|bad| anyhow::anyhow!("--ports: {bad:?} is not a port or a range"))?
                .into_iter()
                .map(|(p, _)| p)
                .collect(),
        ),
        None => None,
    };
    let for_ = args
        .for_
        .as_deref()
        .map(parse_duration)
        .transpose()
        .context("--for")?;
    let poll = parse_duration(&args.poll).context("--poll")?;
    if poll <= chrono::Duration::zero() || poll > chrono::Duration::seconds(10) {
        bail!(
            "--poll must be more than 0 and at most 10s, got {:?}",
            args.poll
        );
    }
    let poll = poll.to_std().unwrap_or(StdDuration::from_millis(250));

    let mut report = match &args.scan {
        Some(p) => Some(read_scan(p, scan_tz)?),
        None => None,
    };
    let mut scan_stamp = args.scan.as_ref().and_then(stamp);
    let build = |r: Option<&ScanReport>| {
        watched_from(
            r,
            &args.target,
            &ports,
            &scanner,
            &parts.services,
            &parts.hosts,
        )
    };
    let mut watched = build(report.as_ref());
    if watched.scanner.is_empty() {
        say(
            "no scanner address (the scan names none): give --scanner-ip, or only service and host events can alert",
        );
    }
    if watched.targets.hosts.is_empty() {
        say("the scan names no host yet: its hosts are picked up as it grows");
    }

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, stop.clone()).context("cannot install signal handlers")?;
    }
    let (mut follower, notes) = Follower::new(&cfg.paths);
    for n in notes {
        say(&n);
    }
    // Notifications wake the loop early; polling still runs (network filesystems, missed events).
    let (wake_tx, wake_rx) = std::sync::mpsc::channel::<()>();
    let _watcher = {
        use notify::Watcher;
        let tx = wake_tx.clone();
        match notify::recommended_watcher(move |_res: notify::Result<notify::Event>| {
            let _ = tx.send(());
        }) {
            Ok(mut w) => {
                for p in &cfg.paths {
                    let target = if p.is_dir() {
                        p.clone()
                    } else {
                        p.parent()
                            .filter(|d| !d.as_os_str().is_empty())
                            .map(|d| d.to_path_buf())
                            .unwrap_or_else(|| PathBuf::from("."))
                    };
                    let _ = w.watch(&target, notify::RecursiveMode::Recursive);
                }
                Some(w)
            }
            Err(e) => {
                if cfg.verbose {
                    say(&format!(
                        "file notifications unavailable ({e}): polling every {poll:?}"
                    ));
                }
                None
            }
        }
    };

    let started = Instant::now();
    let mut states: Vec<FileState> = Vec::new();
    let mut last: HashMap<RepeatKey, (chrono::DateTime<Utc>, u64)> = HashMap::new();
    let mut alerts: Vec<Alert> = Vec::new();
    let mut repeats = 0u64;
    let mut out = std::io::stdout();
    let mut last_scan_check = Instant::now();
    say(&format!(
        "watching {} file(s) for {} target(s){}",
        follower.files.len(),
        watched.targets.hosts.len(),
        for_.map(|d| format!(" for {}s", d.num_seconds()))
            .unwrap_or_default()
    ));
    loop {
        let now_ref = Utc::now();
        follower.poll(|fo, l| {
            let i = l.file;
            while states.len() <= i {
                states.push(FileState {
                    format: None,
                    parser: None,
                    given_up: false,
                    hostnames: BTreeSet::new(),
                });
            }
            let st = &mut states[i];
            if st.format.is_none() && !st.given_up {
                let forced = first_match(&cfg.format_of, &fo.display).and_then(|r| match r.value {
                    crate::config::ForcedFormat::Log(f) => Some(f),
                    crate::config::ForcedFormat::Scan(_) => None,
                });
                st.format = forced.or_else(|| portmortem_parsers::detect(&fo.head).format);
                if let Some(f) = st.format {
                    st.parser = Some(f.parser());
                    if cfg.verbose {
                        eprintln!("portmortem: {}: {}", fo.display, f.name());
                    }
                } else if fo.head.len() >= follow::SNIFF {
                    st.given_up = true;
                    if !quiet {
                        eprintln!(
                            "portmortem: {}: no format recognised in its first 64 KiB: not followed",
                            fo.display
                        );
                    }
                }
            }
            let Some(p) = st.parser.as_mut() else { return };
            let ctx = TimeContext::new(cfg.tz_for(&fo.display), now_ref);
            let Ok(Some(mut ev)) = p.parse(l.bytes, &ctx) else {
                return;
            };
            ev.canonicalize_addresses();
            if let Some(off) = cfg.offset_for(&fo.display) {
                ev.time -= off;
            }
            if let Some(h) = &ev.host
                && st.hostnames.len() < 16
            {
                st.hostnames.insert(h.to_ascii_lowercase());
            }
            let src = SourceHost::new(&watched.targets, &fo.display, &cfg.source_hosts, &st.hostnames);
            let text = crate::sanitize::clean_text(l.bytes);
            let Some(a) = watched.alert(src, &ev, &fo.display, l.number, &text) else {
                return;
            };
            let key = (a.host.clone(), a.port, a.cause, a.file.clone());
            if let Some((t, n)) = last.get_mut(&key)
                && a.time - *t < alert::REPEAT
                && a.time >= *t
            {
                *n += 1;
                repeats += 1;
                return;
            }
            last.insert(key, (a.time, 0));
            emit(&mut out, &a, args.format);
            if let Some(cmd) = &args.exec {
                exec_hook(cmd, &a);
            }
            if alerts.len() < 100_000 {
                alerts.push(a);
            }
        });
        if last.len() > 10_000 {
            let cutoff = Utc::now() - alert::REPEAT * 2;
            last.retain(|_, (t, _)| *t >= cutoff);
        }
        if stop.load(Ordering::Relaxed)
            || for_.is_some_and(|d| started.elapsed() >= d.to_std().unwrap_or_default())
        {
            break;
        }
        // The scan file grows (or is replaced): its hosts and ports change what matters.
        if let Some(p) = &args.scan
            && last_scan_check.elapsed() >= StdDuration::from_secs(1)
        {
            last_scan_check = Instant::now();
            let s = stamp(p);
            if s != scan_stamp {
                scan_stamp = s;
                match read_scan(p, scan_tz) {
                    Ok(r) => {
                        report = Some(r);
                        watched = build(report.as_ref());
                    }
                    Err(e) => say(&format!("{e:#} (keeping the previous read)")),
                }
            }
        }
        let _ = wake_rx.recv_timeout(poll);
        while wake_rx.try_recv().is_ok() {}
    }
    summary(&alerts, repeats, started.elapsed(), quiet, args.format);
    if follower.cut_lines > 0 {
        say(&format!(
            "{} line(s) longer than 64 KiB were cut",
            follower.cut_lines
        ));
    }
    let failed = args.fail_on.is_some_and(|f| {
        alerts.iter().any(|a| match f {
            FailOn::Any => true,
            FailOn::Blocked => a.verdict() == "blocked",
            FailOn::ServiceRestart => a.verdict() == "service_restart",
            FailOn::Unexplained => false,
        })
    });
    Ok(if failed { Status::FailOn } else { Status::Ok })
}

fn emit(out: &mut std::io::Stdout, a: &Alert, format: WatchFormat) {
    let line = match format {
        WatchFormat::Jsonl => serde_json::to_string(a).unwrap_or_default(),
        WatchFormat::Text => format!(
            "{} {} {}{} {} ({}) at {}:{}\n    {}\n    advice: {}",
            a.time.format("%Y-%m-%dT%H:%M:%SZ"),
            a.kind.to_ascii_uppercase(),
            a.host,
            a.port.map(|p| format!(":{p}")).unwrap_or_default(),
            a.cause,
            a.verdict(),
            a.file,
            a.line,
            a.text,
            a.advice
        ),
    };
    let mut lock = out.lock();
    let _ = writeln!(lock, "{line}");
    let _ = lock.flush();
}

/// Run the hook with the alert's JSON on its stdin, without holding up the next alert; a hook
/// that runs longer than 30 s is killed.
fn exec_hook(cmd: &str, a: &Alert) {
    let json = serde_json::to_string(a).unwrap_or_default();
    let cmd = cmd.to_string();
    std::thread::spawn(move || {
        let child = std::process::Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .stdin(std::process::Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("portmortem: --exec: cannot run {cmd:?}");
            return;
        };
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(json.as_bytes());
            let _ = stdin.write_all(b"\n");
        }
        let deadline = Instant::now() + StdDuration::from_secs(30);
        loop {
            match child.try_wait() {
                Ok(Some(st)) if !st.success() => {
                    eprintln!("portmortem: --exec: {cmd:?} exited with {st}");
                    return;
                }
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    eprintln!("portmortem: --exec: {cmd:?} ran over 30s and was killed");
                    return;
                }
                Ok(None) => std::thread::sleep(StdDuration::from_millis(50)),
                Err(_) => return,
            }
        }
    });
}

/// Alerts per host and what to re-check, at the end.
fn summary(alerts: &[Alert], repeats: u64, took: StdDuration, quiet: bool, format: WatchFormat) {
    let mut per: BTreeMap<&str, Vec<&Alert>> = BTreeMap::new();
    for a in alerts {
        per.entry(&a.host).or_default().push(a);
    }
    let mut s = format!(
        "watch ended after {}s: {}{}",
        took.as_secs(),
        crate::words::count(alerts.len() as u64, "alert", "alerts"),
        if repeats > 0 {
            format!(" ({repeats} repeats within a minute not printed)")
        } else {
            String::new()
        }
    );
    for (h, v) in &per {
        let mut causes: BTreeMap<&str, usize> = BTreeMap::new();
        let mut ports: BTreeSet<u16> = BTreeSet::new();
        for a in v {
            *causes.entry(a.cause).or_default() += 1;
            ports.extend(a.port);
        }
        s.push_str(&format!(
            "\n  {h}: {}; re-check {}",
            causes
                .iter()
                .map(|(c, n)| format!("{n} {c}"))
                .collect::<Vec<_>>()
                .join(", "),
            if ports.is_empty() {
                "the host".to_string()
            } else {
                ports
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            }
        ));
    }
    // The alerts themselves went to stdout; the summary goes to stderr in jsonl mode so that the
    // stream stays one JSON object a line.
    match format {
        WatchFormat::Text => println!("\n{s}"),
        WatchFormat::Jsonl if !quiet => eprintln!("{s}"),
        WatchFormat::Jsonl => {}
    }
}
