//! Targeted re-probes (opt-in `--reprobe`, and `portmortem reprobe REPORT.json`): one TCP connect
//! to exactly each affected host:port pair the report names (IPv4 or IPv6), never a range; at most
//! `--probe-max` pairs (more and the run refuses before any connect), bounded in concurrency, rate
//! and time; the plan is told before the first connect; a pair that gives no answer is tried once
//! more before it is called `filtered`. Documentation addresses (the samples') and addresses no
//! one can own (unspecified, multicast, broadcast) are refused. Without `--reprobe`, [`plan`]
//! gives the equivalent nmap commands.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};

use crate::config::ReprobeConfig;
use crate::report::{PortOut, Report, ReprobeOut};

/// Connect timeout when neither `--probe-timeout` nor the scan's checks_read_timeout says.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeState {
    Open,
    Closed,
    Filtered,
}

impl ProbeState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeState::Open => "open",
            ProbeState::Closed => "closed",
            ProbeState::Filtered => "filtered",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProbeResult {
    pub state: ProbeState,
    pub at: DateTime<Utc>,
    pub elapsed_ms: f64,
    pub address: SocketAddr,
    pub attempts: u32,
}

/// Why an address is not probed, if it is not.
pub fn refuse(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() {
                Some("not a unicast address")
            } else if (o[0] == 192 && o[1] == 0 && o[2] == 2)
                || (o[0] == 198 && o[1] == 51 && o[2] == 100)
                || (o[0] == 203 && o[1] == 0 && o[2] == 113)
            {
                Some("documentation address (RFC 5737)")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            if v6.is_unspecified() || v6.is_multicast() {
                Some("not a unicast address")
            } else if s[0] == 0x2001 && s[1] == 0x0db8 {
                Some("documentation address (RFC 3849)")
            } else {
                None
            }
        }
    }
}

fn connect_once(addr: SocketAddr, timeout: Duration) -> ProbeState {
    match TcpStream::connect_timeout(&addr, timeout) {
        Ok(_) => ProbeState::Open,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => ProbeState::Closed,
        Err(_) => ProbeState::Filtered,
    }
}

/// One probe: a connect, and one more when the first got no answer (a lost SYN is not a filter).
fn probe_pair(addr: SocketAddr, timeout: Duration) -> ProbeResult {
    let at = Utc::now();
    let t0 = Instant::now();
    let mut attempts = 1;
    let mut state = connect_once(addr, timeout);
    if state == ProbeState::Filtered {
        attempts += 1;
        state = connect_once(addr, timeout);
    }
    ProbeResult {
        state,
        at,
        elapsed_ms: t0.elapsed().as_secs_f64() * 1000.0,
        address: addr,
        attempts,
    }
}

/// One host:port pair to probe and the report's ports it answers for.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub ports: Vec<usize>,
    pub timeout: Duration,
}

/// The pairs of a report that may be probed (each once, even when two scans list it), and a note
/// for every port that is not (not TCP, no address, a refused address).
pub fn targets(report: &Report, timeout: Option<Duration>) -> (Vec<Target>, Vec<String>) {
    let mut notes = Vec::new();
    let mut pairs: BTreeMap<SocketAddr, Vec<usize>> = BTreeMap::new();
    for (i, p) in report.ports.iter().enumerate() {
        if p.protocol != "tcp" {
            notes.push(format!(
                "{}/{} on {}: only TCP is re-probed",
                p.protocol, p.port, p.host
            ));
            continue;
        }
        let Ok(ip) = p.host.trim_matches(['[', ']']).parse::<IpAddr>() else {
            notes.push(format!(
                "{}: no IP address in the scan; not re-probed",
                p.host
            ));
            continue;
        };
        let ip = ip.to_canonical();
        if let Some(why) = refuse(ip) {
            notes.push(format!(
                "{} not re-probed: {why}",
                SocketAddr::new(ip, p.port)
            ));
            continue;
        }
        pairs
            .entry(SocketAddr::new(ip, p.port))
            .or_default()
            .push(i);
    }
    let crt = |p: &PortOut| {
        report
            .scans
            .iter()
            .find(|s| s.file == p.scan_file)
            .and_then(|s| s.settings.checks_read_timeout)
    };
    let list = pairs
        .into_iter()
        .map(|(addr, ports)| {
            // 10919's own recheck timeout: 2 × checks_read_timeout.
            let t = timeout.unwrap_or_else(|| {
                ports
                    .iter()
                    .filter_map(|&i| crt(&report.ports[i]))
                    .max()
                    .map_or(DEFAULT_TIMEOUT, |c| {
                        Duration::from_secs(2 * u64::from(c.clamp(1, 150)))
                    })
            });
            Target {
                addr,
                ports,
                timeout: t,
            }
        })
        .collect();
    (list, notes)
}

/// The plan, told before the first connect: what is probed, how, and how long it may take.
pub fn plan_text(targets: &[Target], report: &Report, cfg: &ReprobeConfig) -> Vec<String> {
    let longest = targets.iter().map(|t| t.timeout).max().unwrap_or_default();
    let mut v = vec![format!(
        "re-probe plan: {} to {}, from this machine (TCP connect, timeout {}s, a second try when unanswered; {} at once, {}/s; --probe-max {}):",
        crate::words::count(targets.len() as u64, "connect", "connects"),
        crate::words::count(targets.len() as u64, "host:port pair", "host:port pairs"),
        longest.as_secs_f64(),
        cfg.concurrency,
        cfg.rate_per_s,
        cfg.max,
    )];
    for t in targets {
        let what: Vec<String> = t
            .ports
            .iter()
            .map(|&i| {
                let p = &report.ports[i];
                format!("{} {} {}", p.label(), p.scan_state, p.verdict)
            })
            .collect();
        v.push(format!("  {}  ({})", t.addr, what.join("; ")));
    }
    v
}

/// Refuse a plan over `--probe-max`, naming the count and the flag.
pub fn check_max(targets: &[Target], max: usize) -> Result<()> {
    if targets.len() > max {
        bail!(
            "{} host:port pairs to re-probe, more than --probe-max {max}: nothing was probed. Raise the limit with --probe-max {} if all of them should be connected to, or re-probe later with `portmortem reprobe REPORT.json`",
            targets.len(),
            targets.len()
        );
    }
    Ok(())
}

/// Probe the targets; one result per target, in order.
pub fn probe(targets: &[Target], concurrency: usize, rate_per_s: f64) -> Vec<ProbeResult> {
    let results: Mutex<Vec<Option<ProbeResult>>> = Mutex::new(vec![None; targets.len()]);
    let next = Mutex::new(0usize);
    let interval = Duration::from_secs_f64(1.0 / rate_per_s);
    let pace = Mutex::new(Instant::now());
    std::thread::scope(|s| {
        for _ in 0..concurrency.clamp(1, targets.len().max(1)) {
            s.spawn(|| {
                loop {
                    let job = {
                        let Ok(mut n) = next.lock() else { return };
                        let j = *n;
                        *n += 1;
                        j
                    };
                    let Some(t) = targets.get(job) else {
                        return;
                    };
                    // Rate: each probe takes the next start slot.
                    let wait = {
                        let Ok(mut p) = pace.lock() else { return };
                        let now = Instant::now();
                        let slot = (*p).max(now);
                        *p = slot + interval;
                        slot - now
                    };
                    std::thread::sleep(wait);
                    let r = probe_pair(t.addr, t.timeout);
                    if let Ok(mut res) = results.lock() {
                        res[job] = Some(r);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// Re-probe a report's pairs and fold each result into its ports (explanation and advice);
/// `tell` receives the plan (before the first connect) and the notes. Refuses, probing nothing,
/// when there are more pairs than `--probe-max`.
pub fn run(report: &mut Report, cfg: &ReprobeConfig, mut tell: impl FnMut(&str)) -> Result<()> {
    let (targets, notes) = targets(report, cfg.timeout.and_then(|t| t.to_std().ok()));
    for n in &notes {
        tell(&format!("re-probe: {n}"));
    }
    check_max(&targets, cfg.max)?;
    if targets.is_empty() {
        return Ok(());
    }
    for line in plan_text(&targets, report, cfg) {
        tell(&line);
    }
    let results = probe(&targets, cfg.concurrency, cfg.rate_per_s);
    for (t, r) in targets.iter().zip(&results) {
        for &i in &t.ports {
            let port = &mut report.ports[i];
            port.reprobe = Some(ReprobeOut::from_result(r));
            crate::report::probed::fold(port, r.at);
        }
    }
    Ok(())
}

/// The nmap commands equivalent to a re-probe, one per host (`-6` for an IPv6 host).
pub fn plan(ports: &[PortOut]) -> Vec<String> {
    let mut by_host: BTreeMap<&str, Vec<u16>> = BTreeMap::new();
    for p in ports.iter().filter(|p| p.protocol == "tcp") {
        by_host.entry(&p.host).or_default().push(p.port);
    }
    by_host
        .into_iter()
        .map(|(h, mut ports)| {
            ports.sort_unstable();
            ports.dedup();
            nmap_command(h, &ports)
        })
        .collect()
}

/// `nmap -Pn -sT --reason -p 22,443 HOST` (`-6` first for an IPv6 host): the connect a re-probe
/// makes, by hand.
pub fn nmap_command(host: &str, ports: &[u16]) -> String {
    let p: Vec<String> = ports.iter().map(u16::to_string).collect();
    let six = if host.contains(':') { "-6 " } else { "" };
    format!("nmap {six}-Pn -sT --reason -p {} {host}", p.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_documentation_and_non_unicast() {
        assert!(refuse("192.0.2.10".parse().unwrap()).is_some());
        assert!(refuse("198.51.100.1".parse().unwrap()).is_some());
        assert!(refuse("203.0.113.9".parse().unwrap()).is_some());
        assert!(refuse("2001:db8::1".parse().unwrap()).is_some());
        assert!(refuse("0.0.0.0".parse().unwrap()).is_some());
        assert!(refuse("224.0.0.1".parse().unwrap()).is_some());
        assert!(refuse("127.0.0.1".parse().unwrap()).is_none());
        assert!(refuse("::1".parse().unwrap()).is_none());
    }

    #[test]
    fn nmap_commands_say_ipv6() {
        assert_eq!(
            nmap_command("::1", &[22, 443]),
            "nmap -6 -Pn -sT --reason -p 22,443 ::1"
        );
        assert_eq!(
            nmap_command("192.0.2.1", &[22]),
            "nmap -Pn -sT --reason -p 22 192.0.2.1"
        );
    }

    #[test]
    fn over_the_limit_refuses_with_the_count_and_the_flag() {
        let t = Target {
            addr: "127.0.0.1:1".parse().unwrap(),
            ports: vec![0],
            timeout: Duration::from_secs(1),
        };
        let many = vec![t; 65];
        let e = check_max(&many, 64).unwrap_err().to_string();
        assert!(e.contains("65 host:port pairs"), "{e}");
        assert!(e.contains("--probe-max 65"), "{e}");
        assert!(check_max(&many, 65).is_ok());
    }
}
