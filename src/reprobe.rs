//! Targeted re-probes (opt-in `--reprobe`): one TCP connect to exactly each affected host:port pair
//! the scan named, never a range; bounded in count, concurrency, rate and time. Documentation
//! addresses (the samples') and addresses no one can own (unspecified, multicast, broadcast) are
//! refused. Without `--reprobe`, [`plan`] prints the equivalent nmap commands.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use portmortem_parsers::Proto;

use crate::scan::PortCase;

/// Most pairs probed in one run.
pub const MAX_PROBES: usize = 1024;

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

fn connect(addr: SocketAddr, timeout: Duration) -> ProbeResult {
    let at = Utc::now();
    let t0 = Instant::now();
    let state = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(_) => ProbeState::Open,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => ProbeState::Closed,
        Err(_) => ProbeState::Filtered,
    };
    ProbeResult {
        state,
        at,
        elapsed_ms: t0.elapsed().as_secs_f64() * 1000.0,
    }
}

/// Probe the cases' host:port pairs. Returns one result per case (None: not probed) and notes.
pub fn probe(
    cases: &[PortCase],
    timeout: Option<Duration>,
    concurrency: usize,
    rate_per_s: f64,
) -> (Vec<Option<ProbeResult>>, Vec<String>) {
    let mut notes = Vec::new();
    // Unique pairs, so a port listed by two scans is probed once.
    let mut pairs: BTreeMap<SocketAddr, Vec<usize>> = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        if c.protocol != Proto::Tcp {
            notes.push(format!(
                "{}/{} on {}: only TCP is re-probed",
                c.protocol, c.port, c.host
            ));
            continue;
        }
        let Some(ip) = c.ip else {
            notes.push(format!(
                "{}: no IP address in the scan; not re-probed",
                c.host
            ));
            continue;
        };
        if let Some(why) = refuse(ip) {
            notes.push(format!("{ip}:{} not re-probed: {why}", c.port));
            continue;
        }
        pairs
            .entry(SocketAddr::new(ip, c.port))
            .or_default()
            .push(i);
    }
    let mut list: Vec<(SocketAddr, Vec<usize>, Duration)> = pairs
        .into_iter()
        .map(|(a, idx)| {
            let t = timeout.unwrap_or_else(|| {
                let crt = idx
                    .iter()
                    .filter_map(|&i| cases[i].checks_read_timeout)
                    .max()
                    .unwrap_or(5);
                Duration::from_secs(2 * u64::from(crt.clamp(1, 150)))
            });
            (a, idx, t)
        })
        .collect();
    if list.len() > MAX_PROBES {
        notes.push(format!(
            "{} pairs to re-probe; only the first {MAX_PROBES} were probed",
            list.len()
        ));
        list.truncate(MAX_PROBES);
    }
    let results: Mutex<Vec<Option<ProbeResult>>> = Mutex::new(vec![None; cases.len()]);
    let next = Mutex::new(0usize);
    let interval = Duration::from_secs_f64(1.0 / rate_per_s);
    let pace = Mutex::new(Instant::now());
    std::thread::scope(|s| {
        for _ in 0..concurrency.clamp(1, list.len().max(1)) {
            s.spawn(|| {
                loop {
                    let job = {
                        let Ok(mut n) = next.lock() else { return };
                        let j = *n;
                        *n += 1;
                        j
                    };
                    let Some((addr, idx, t)) = list.get(job) else {
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
                    let r = connect(*addr, *t);
                    if let Ok(mut res) = results.lock() {
                        for &i in idx {
                            res[i] = Some(r.clone());
                        }
                    }
                }
            });
        }
    });
    (results.into_inner().unwrap_or_default(), notes)
}

/// The nmap commands equivalent to a re-probe, one per host.
pub fn plan(cases: &[PortCase]) -> Vec<String> {
    let mut by_host: BTreeMap<&str, Vec<u16>> = BTreeMap::new();
    for c in cases.iter().filter(|c| c.protocol == Proto::Tcp) {
        by_host.entry(&c.host).or_default().push(c.port);
    }
    by_host
        .into_iter()
        .map(|(h, mut ports)| {
            ports.sort_unstable();
            ports.dedup();
            let p: Vec<String> = ports.iter().map(u16::to_string).collect();
            format!("nmap -Pn -sT --reason -p {} {h}", p.join(","))
        })
        .collect()
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
}
