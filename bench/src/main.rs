//! `gen-corpus`: a deterministic benchmark corpus for `portmortem analyze`.
//!
//! Writes a Nessus v2 report (`scan.nessus`) for N hosts scanned on 2026-11-20 from 203.0.113.5, per
//! host directories with RFC 3164 (or rsyslog ISO 8601) `syslog` and `kern.log` full of realistic
//! noise spread over a day around the scan, rotated `*.1.gz` files for some hosts, a Suricata
//! `ids01/eve.json`, and `EXPECTED.txt`: every affected port with the verdict and cause whose evidence
//! was planted (a few lines per port), or `unexplained` when nothing was planted.
//!
//! Same arguments → same bytes (a per-file xorshift generator seeded from `--seed`; files are written
//! in parallel but each from its own seed). Only documentation addresses are used: targets in
//! 192.0.2.0/24 and 198.51.100.0/24, the scanner 203.0.113.5, other sources 198.51.100.2-99 and
//! 203.0.113.x (x ≠ 5; 203.0.113.50-59 are kept on purpose: they contain the scanner's text).
//!
//! `--size` is the logical (uncompressed) volume of log text; `--gz-fraction` of it is written into
//! gzip files, so the bytes on disk are somewhat less.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use flate2::Compression;
use flate2::write::GzEncoder;

const SCANNER: &str = "203.0.113.5";
/// 2026-11-20T00:00:00Z.
const DAY0: i64 = 1_795_132_800;
/// 2026-11-20T02:00:05Z: the scan starts.
const SCAN_START: i64 = DAY0 + 2 * 3600 + 5;
/// The logs cover one day around the scan: 2026-11-19T14:00:05Z .. 2026-11-20T14:00:05Z.
const T0: i64 = SCAN_START - 12 * 3600;
const T1: i64 = T0 + 86_400;
/// logrotate runs at 06:25: rotated hosts have `*.1.gz` up to here and plain files after.
const ROTATE: i64 = DAY0 + 6 * 3600 + 25 * 60;
/// Kernel boot time (for the `[uptime]` stamp of kernel lines).
const BOOT: i64 = T0 - 9 * 86_400 - 4321;

const USAGE: &str = "usage: gen-corpus --out DIR --size SIZE [--hosts N] [--seed S] [--gz-fraction F]

  --out DIR          output directory (created; files in it are overwritten)
  --size SIZE        logical (uncompressed) log volume: bytes or with K/M/G/T suffix (binary), e.g. 1G
  --hosts N          scanned hosts, 1..=180 (default 40)
  --seed S           generator seed (default 1); same arguments give the same bytes
  --gz-fraction F    share of the volume written to rotated .gz files (default 0.2; 0 = none)

Writes DIR/scan.nessus, DIR/hostNN/{syslog,kern.log}[ + .1.gz], DIR/ids01/eve.json, DIR/EXPECTED.txt.";

struct Args {
    out: PathBuf,
    size: u64,
    hosts: usize,
    seed: u64,
    gz_fraction: f64,
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let s = s
        .strip_suffix("iB")
        .or_else(|| s.strip_suffix('B'))
        .unwrap_or(s);
    let (num, mult) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1u64 << 10),
        b'm' | b'M' => (&s[..s.len() - 1], 1 << 20),
        b'g' | b'G' => (&s[..s.len() - 1], 1 << 30),
        b't' | b'T' => (&s[..s.len() - 1], 1 << 40),
        _ => (s, 1),
    };
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v > 0.0).then_some((v * mult as f64) as u64)
}

fn parse_args() -> Result<Args, String> {
    let mut out = None;
    let mut size = None;
    let mut hosts = 40usize;
    let mut seed = 1u64;
    let mut gz_fraction = 0.2f64;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        if key == "-h" || key == "--help" {
            return Err(String::new());
        }
        let mut val = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{key} needs a value"))
        };
        match key.as_str() {
            "--out" => out = Some(PathBuf::from(val()?)),
            "--size" => {
                let v = val()?;
                size = Some(parse_size(&v).ok_or_else(|| format!("bad --size {v:?}"))?);
            }
            "--hosts" => {
                let v = val()?;
                hosts = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=180).contains(n))
                    .ok_or_else(|| format!("--hosts must be 1..=180, got {v:?}"))?;
            }
            "--seed" => {
                let v = val()?;
                seed = v.parse().map_err(|_| format!("bad --seed {v:?}"))?;
            }
            "--gz-fraction" => {
                let v = val()?;
                gz_fraction = v
                    .parse()
                    .ok()
                    .filter(|f: &f64| (0.0..=0.9).contains(f))
                    .ok_or_else(|| format!("--gz-fraction must be in 0..=0.9, got {v:?}"))?;
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        out: out.ok_or("--out is required")?,
        size: size.ok_or("--size is required")?,
        hosts,
        seed,
        gz_fraction,
    })
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness.

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(splitmix(seed).max(1))
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// Index chosen by weight.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as u64) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------
// Time.

/// (year, month 1..=12, day 1..=31) of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// `Fri Nov 20 02:00:05 2026` (Nessus HOST_START / HOST_END).
fn ctime(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let s = t.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {y}",
        WEEKDAYS[(days + 4).rem_euclid(7) as usize],
        MONTHS[m as usize - 1],
        d,
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Second-resolution stamps, recomputed only when the second changes.
struct Clock {
    sec: i64,
    /// `Nov 20 02:05:31`
    rfc: [u8; 15],
    /// `2026-11-20T02:05:31`
    iso: [u8; 19],
}

fn two(b: &mut [u8], v: u32) {
    b[0] = b'0' + (v / 10) as u8;
    b[1] = b'0' + (v % 10) as u8;
}

impl Clock {
    fn new() -> Self {
        let mut c = Clock {
            sec: i64::MIN,
            rfc: [b' '; 15],
            iso: [b'0'; 19],
        };
        c.set(0);
        c
    }
    fn set(&mut self, sec: i64) {
        if sec == self.sec {
            return;
        }
        self.sec = sec;
        let (y, m, d) = civil(sec.div_euclid(86_400));
        let s = sec.rem_euclid(86_400) as u32;
        let (hh, mm, ss) = (s / 3600, s / 60 % 60, s % 60);
        self.rfc[..3].copy_from_slice(MONTHS[m as usize - 1].as_bytes());
        self.rfc[3] = b' ';
        two(&mut self.rfc[4..6], d);
        if d < 10 {
            self.rfc[4] = b' ';
        }
        self.rfc[6] = b' ';
        two(&mut self.rfc[7..9], hh);
        self.rfc[9] = b':';
        two(&mut self.rfc[10..12], mm);
        self.rfc[12] = b':';
        two(&mut self.rfc[13..15], ss);
        let y = y as u32;
        two(&mut self.iso[0..2], y / 100);
        two(&mut self.iso[2..4], y % 100);
        self.iso[4] = b'-';
        two(&mut self.iso[5..7], m);
        self.iso[7] = b'-';
        two(&mut self.iso[8..10], d);
        self.iso[10] = b'T';
        two(&mut self.iso[11..13], hh);
        self.iso[13] = b':';
        two(&mut self.iso[14..16], mm);
        self.iso[16] = b':';
        two(&mut self.iso[17..19], ss);
    }
}

// ---------------------------------------------------------------------------------------------
// Output buffer.

struct Out {
    buf: Vec<u8>,
    sink: Box<dyn Write + Send>,
    flushed: u64,
}

const FLUSH_AT: usize = 1 << 20;

impl Out {
    fn new(sink: Box<dyn Write + Send>) -> Self {
        Out {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            sink,
            flushed: 0,
        }
    }
    fn written(&self) -> u64 {
        self.flushed + self.buf.len() as u64
    }
    #[inline]
    fn s(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }
    #[inline]
    fn b(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    #[inline]
    fn n(&mut self, mut v: u64) {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&tmp[i..]);
    }
    /// Zero-padded to `w` digits.
    fn z(&mut self, v: u64, w: usize) {
        let mut tmp = [b'0'; 20];
        let mut v = v;
        for i in (0..w).rev() {
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        self.buf.extend_from_slice(&tmp[..w]);
    }
    fn hex(&mut self, v: u64, w: usize) {
        const H: &[u8; 16] = b"0123456789abcdef";
        for i in (0..w).rev() {
            self.buf.push(H[((v >> (i * 4)) & 15) as usize]);
        }
    }
    fn nl(&mut self) -> io::Result<()> {
        self.buf.push(b'\n');
        if self.buf.len() >= FLUSH_AT {
            self.sink.write_all(&self.buf)?;
            self.flushed += self.buf.len() as u64;
            self.buf.clear();
        }
        Ok(())
    }
    fn finish(mut self) -> io::Result<u64> {
        self.sink.write_all(&self.buf)?;
        self.flushed += self.buf.len() as u64;
        self.buf.clear();
        self.sink.flush()?;
        Ok(self.flushed)
    }
}

// ---------------------------------------------------------------------------------------------
// The scanned estate.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// UFW BLOCK lines from the scanner to the port (kern.log): blocked / firewall_drop.
    FirewallDrop,
    /// `Stopped mysql.service` during the window, started again after the recheck: service_stop.
    ServiceStop,
    /// Suricata `alert` with action `blocked` + a `drop` record: blocked / ips_block.
    IpsBlock,
    /// Nothing in the window (a decoy BLOCK 4 h before, an IDS alert-only record): unexplained.
    Unexplained,
    /// No affected port.
    Clean,
}

struct Host {
    name: String,
    ip: String,
    /// rsyslog ISO 8601 timestamps instead of RFC 3164.
    iso: bool,
    /// Has `syslog.1.gz` / `kern.log.1.gz` (up to 06:25) and plain files after.
    rotated: bool,
    scenario: Scenario,
    open: Vec<(u16, &'static str)>,
    /// Affected port and its state word in plugin 10919.
    affected: Option<(u16, &'static str)>,
    start: i64,
    end: i64,
}

fn hosts(n: usize, gz: bool) -> Vec<Host> {
    (0..n)
        .map(|i| {
            let ip = if i < n.div_ceil(2) {
                format!("192.0.2.{}", 10 + i)
            } else {
                format!("198.51.100.{}", 100 + i - n.div_ceil(2))
            };
            let scenario = match i % 5 {
                0 => Scenario::FirewallDrop,
                1 => Scenario::ServiceStop,
                2 => Scenario::IpsBlock,
                3 => Scenario::Unexplained,
                _ => Scenario::Clean,
            };
            let alt = (i / 5) % 2 == 1;
            let (open, affected): (Vec<(u16, &str)>, _) = match scenario {
                Scenario::FirewallDrop => (
                    vec![(22, "ssh"), (80, "www"), (443, "www")],
                    Some((443, "unresponsive")),
                ),
                Scenario::ServiceStop => {
                    (vec![(22, "ssh"), (3306, "mysql")], Some((3306, "closed")))
                }
                Scenario::IpsBlock => (
                    vec![(22, "ssh"), (8080, "www")],
                    Some((if alt { 8080 } else { 22 }, "unresponsive")),
                ),
                Scenario::Unexplained => (
                    vec![(22, "ssh"), (25, "smtp")],
                    Some((25, if alt { "closed" } else { "unresponsive" })),
                ),
                Scenario::Clean => (vec![(22, "ssh"), (80, "www"), (443, "www")], None),
            };
            let start = SCAN_START + 41 * i as i64;
            let end = start + 1400 + (211 * i as i64) % 900;
            Host {
                name: format!("host{:02}", i + 1),
                ip,
                iso: i % 6 == 5,
                rotated: gz && i % 4 == 2,
                scenario,
                open,
                affected,
                start,
                end,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Files and planted lines.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Syslog,
    Kern,
    Eve,
}

/// A planted line: for syslog/kern the `app[pid]: message` part, for eve the JSON after the
/// timestamp member.
struct Plant {
    t_us: i64,
    text: String,
}

struct Spec {
    rel: String,
    kind: Kind,
    host: Option<usize>,
    gz: bool,
    t0: i64,
    t1: i64,
    weight: f64,
    budget: u64,
    plants: Vec<Plant>,
    seed: u64,
}

struct Expect {
    host: usize,
    port: u16,
    state: &'static str,
    verdict: &'static str,
    cause: &'static str,
    file: String,
}

fn file_for(specs: &[Spec], host: Option<usize>, kind: Kind, t: i64) -> usize {
    specs
        .iter()
        .position(|s| s.host == host && s.kind == kind && s.t0 <= t && t < s.t1)
        .expect("a file covers every time of the day")
}

fn mac(host: usize) -> String {
    format!(
        "52:54:00:{:02x}:{:02x}:{:02x}:52:54:00:65:43:21:08:00",
        0x12, host as u8, 0x56
    )
}

/// A UFW BLOCK line of the scanner's packet to `dport`.
fn ufw_line(h: &Host, hi: usize, dport: u16, sport: u64, id: u64, t_us: i64) -> String {
    let up = t_us - BOOT * 1_000_000;
    format!(
        "kernel: [{}.{:06}] [UFW BLOCK] IN=eth0 OUT= MAC={} SRC={SCANNER} DST={} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID={id} DF PROTO=TCP SPT={sport} DPT={dport} WINDOW=64240 RES=0x00 SYN URGP=0",
        up / 1_000_000,
        up % 1_000_000,
        mac(hi),
        h.ip
    )
}

fn plant_all(specs: &mut [Spec], hosts: &[Host], seed: u64) -> Vec<Expect> {
    let mut rng = Rng::new(seed ^ 0xB1A5_7ED0);
    let mut expect = Vec::new();
    for (hi, h) in hosts.iter().enumerate() {
        let us = |t: i64| t * 1_000_000 + rng_us(hi, t);
        let span = h.end - h.start;
        // Background every host has: sshd listening (kept by the tool whatever its time).
        let t = T0 + 600 + hi as i64;
        let f = file_for(specs, Some(hi), Kind::Syslog, t);
        specs[f].plants.push(Plant {
            t_us: us(t),
            text: format!("sshd[{}]: Server listening on 0.0.0.0 port 22.", 700 + hi),
        });
        let Some((port, state)) = h.affected else {
            continue;
        };
        let (verdict, cause, file) = match h.scenario {
            Scenario::FirewallDrop => {
                let t = h.start + span * 42 / 100;
                let f = file_for(specs, Some(hi), Kind::Kern, t);
                let sport = rng.range(32768, 60999);
                for (k, dt) in [0i64, 6, 21].into_iter().enumerate() {
                    let tu = us(t + dt);
                    specs[f].plants.push(Plant {
                        t_us: tu,
                        text: ufw_line(h, hi, port, sport + k as u64 / 2, 52011 + k as u64, tu),
                    });
                }
                ("blocked", "firewall_drop", specs[f].rel.clone())
            }
            Scenario::ServiceStop => {
                // The service is announced as listening on its port earlier in the day.
                let t_ready = T0 + 3600 + 33;
                let f0 = file_for(specs, Some(hi), Kind::Syslog, t_ready);
                specs[f0].plants.push(Plant {
                    t_us: us(t_ready),
                    text: format!(
                        "mysqld[{}]: 2026-11-19T15:00:38.402118Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.40-0ubuntu0.24.04.1'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  (Ubuntu).",
                        900 + hi
                    ),
                });
                let t = h.start + span / 2;
                let f = file_for(specs, Some(hi), Kind::Syslog, t);
                let lines = [
                    (t - 1, "sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl stop mysql".to_string()),
                    (t, "systemd[1]: Stopping mysql.service - MySQL Community Server...".to_string()),
                    (t + 3, "systemd[1]: mysql.service: Deactivated successfully.".to_string()),
                    (t + 3, "systemd[1]: Stopped mysql.service - MySQL Community Server.".to_string()),
                    (t + 3, "systemd[1]: mysql.service: Consumed 3h 12min 7.101s CPU time.".to_string()),
                ];
                for (tt, text) in lines {
                    specs[f].plants.push(Plant { t_us: us(tt), text });
                }
                // Back up only after the recheck.
                let t2 = h.end + 900;
                let f2 = file_for(specs, Some(hi), Kind::Syslog, t2);
                for (tt, text) in [
                    (
                        t2,
                        "systemd[1]: Starting mysql.service - MySQL Community Server...",
                    ),
                    (
                        t2 + 2,
                        "systemd[1]: Started mysql.service - MySQL Community Server.",
                    ),
                ] {
                    specs[f2].plants.push(Plant {
                        t_us: us(tt),
                        text: text.to_string(),
                    });
                }
                ("service_restart", "service_stop", specs[f].rel.clone())
            }
            Scenario::IpsBlock => {
                let t = h.start + span * 35 / 100;
                let f = file_for(specs, None, Kind::Eve, t);
                let sig = if port == 22 {
                    (2001219, "ET SCAN Potential SSH Scan")
                } else {
                    (2010937, "ET SCAN Suspicious inbound to Tomcat port 8080")
                };
                let sport = rng.range(32768, 60999);
                let fid = 1_189_221_870_000_000 + rng.below(1_000_000_000);
                specs[f].plants.push(Plant {
                    t_us: us(t),
                    text: format!(
                        "\"flow_id\":{fid},\"in_iface\":\"ens4\",\"event_type\":\"alert\",\"src_ip\":\"{SCANNER}\",\"src_port\":{sport},\"dest_ip\":\"{}\",\"dest_port\":{port},\"proto\":\"TCP\",\"alert\":{{\"action\":\"blocked\",\"gid\":1,\"signature_id\":{},\"rev\":20,\"signature\":\"{}\",\"category\":\"Attempted Information Leak\",\"severity\":2}}",
                        h.ip, sig.0, sig.1
                    ),
                });
                specs[f].plants.push(Plant {
                    t_us: us(t + 7),
                    text: format!(
                        "\"flow_id\":{},\"in_iface\":\"ens4\",\"event_type\":\"drop\",\"src_ip\":\"{SCANNER}\",\"src_port\":{},\"dest_ip\":\"{}\",\"dest_port\":{port},\"proto\":\"TCP\",\"drop\":{{\"len\":60,\"tos\":0,\"ttl\":52,\"ipid\":28813,\"syn\":true,\"ack\":false,\"reason\":\"rules\"}}",
                        fid + 13,
                        sport + 12,
                        h.ip
                    ),
                });
                ("blocked", "ips_block", specs[f].rel.clone())
            }
            Scenario::Unexplained => {
                // Decoys: a BLOCK of the scanner to the port hours before the window, and an IDS
                // alert-only record inside it.
                let t = h.start - 4 * 3600;
                let f = file_for(specs, Some(hi), Kind::Kern, t);
                let tu = us(t);
                specs[f].plants.push(Plant {
                    t_us: tu,
                    text: ufw_line(h, hi, port, rng.range(32768, 60999), 4242, tu),
                });
                let t = h.start + span / 3;
                let f = file_for(specs, None, Kind::Eve, t);
                specs[f].plants.push(Plant {
                    t_us: us(t),
                    text: format!(
                        "\"flow_id\":{},\"in_iface\":\"ens4\",\"event_type\":\"alert\",\"src_ip\":\"{SCANNER}\",\"src_port\":{},\"dest_ip\":\"{}\",\"dest_port\":{port},\"proto\":\"TCP\",\"alert\":{{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2008575,\"rev\":4,\"signature\":\"ET POLICY SMTP Banner Grab Attempt\",\"category\":\"Attempted Information Leak\",\"severity\":2}}",
                        1_189_221_870_000_000 + rng.below(1_000_000_000),
                        rng.range(32768, 60999),
                        h.ip
                    ),
                });
                ("unexplained", "-", "-".to_string())
            }
            Scenario::Clean => unreachable!("clean hosts have no affected port"),
        };
        expect.push(Expect {
            host: hi,
            port,
            state,
            verdict,
            cause,
            file,
        });
    }
    for s in specs.iter_mut() {
        s.plants.sort_by_key(|p| p.t_us);
    }
    expect
}

/// Deterministic microseconds for a planted line.
fn rng_us(host: usize, t: i64) -> i64 {
    (splitmix(host as u64 ^ ((t as u64) << 8)) % 1_000_000) as i64
}

fn build_specs(hosts: &[Host], args: &Args) -> Vec<Spec> {
    let mut specs = Vec::new();
    let mut push = |rel: String, kind, host, gz, t0, t1, weight| {
        specs.push(Spec {
            rel,
            kind,
            host,
            gz,
            t0,
            t1,
            weight,
            budget: 0,
            plants: Vec::new(),
            seed: 0,
        })
    };
    push(
        "ids01/eve.json".into(),
        Kind::Eve,
        None,
        false,
        T0,
        T1,
        30.0,
    );
    let n_small = hosts.len() as f64 * 2.0 - 2.0;
    for (i, h) in hosts.iter().enumerate() {
        for (kind, file) in [(Kind::Syslog, "syslog"), (Kind::Kern, "kern.log")] {
            let big = (i == 0 && kind == Kind::Kern) || (i == 1 && kind == Kind::Syslog);
            let w = if big { 20.0 } else { 30.0 / n_small.max(1.0) };
            if h.rotated {
                let gzw = if kind == Kind::Syslog { 3.0 } else { 2.0 };
                push(
                    format!("{}/{file}.1.gz", h.name),
                    kind,
                    Some(i),
                    true,
                    T0,
                    ROTATE,
                    gzw,
                );
                push(
                    format!("{}/{file}", h.name),
                    kind,
                    Some(i),
                    false,
                    ROTATE,
                    T1,
                    w,
                );
            } else {
                push(
                    format!("{}/{file}", h.name),
                    kind,
                    Some(i),
                    false,
                    T0,
                    T1,
                    w,
                );
            }
        }
    }
    let gz_total = if specs.iter().any(|s| s.gz) {
        (args.size as f64 * args.gz_fraction) as u64
    } else {
        0
    };
    let plain_total = args.size - gz_total;
    let wsum = |gz: bool| -> f64 { specs.iter().filter(|s| s.gz == gz).map(|s| s.weight).sum() };
    let (wp, wg) = (wsum(false), wsum(true));
    for (k, s) in specs.iter_mut().enumerate() {
        let (total, w) = if s.gz {
            (gz_total, wg)
        } else {
            (plain_total, wp)
        };
        s.budget = (total as f64 * s.weight / w) as u64;
        s.seed = splitmix(args.seed.wrapping_mul(0x1000_0000_01B3) ^ k as u64);
    }
    specs
}

// ---------------------------------------------------------------------------------------------
// Noise.

const USERS: &[&str] = &[
    "admin",
    "test",
    "oracle",
    "ubuntu",
    "guest",
    "postgres",
    "git",
    "user",
    "ftpuser",
    "deploy",
    "pi",
    "support",
    "jenkins",
    "hadoop",
    "minecraft",
];
const UNITS: &[(&str, &str)] = &[
    ("apt-daily.service", "Daily apt download activities"),
    (
        "apt-daily-upgrade.service",
        "Daily apt upgrade and clean activities",
    ),
    ("logrotate.service", "Rotate log files"),
    ("man-db.service", "Daily man-db regeneration"),
    ("sysstat-collect.service", "system activity accounting tool"),
    ("phpsessionclean.service", "Clean php session files"),
    (
        "systemd-tmpfiles-clean.service",
        "Cleanup of Temporary Directories",
    ),
    (
        "fwupd-refresh.service",
        "Refresh fwupd metadata and update motd",
    ),
    ("motd-news.service", "Message of the Day"),
    ("certbot.service", "Certbot"),
    (
        "e2scrub_all.service",
        "Online ext4 Metadata Check for All Filesystems",
    ),
];
const CLOSED_PORTS: &[u16] = &[
    21, 23, 53, 110, 111, 135, 139, 143, 445, 993, 1433, 1521, 2049, 3389, 5432, 5900, 6379, 8443,
    9200, 11211, 27017,
];
const NOISE_PORTS: &[u16] = &[
    23, 445, 1433, 3389, 5900, 8088, 2323, 6379, 37215, 52869, 81, 8000, 5555, 60001, 9530, 7547,
];
const DOMAINS: &[&str] = &[
    "www.example.com",
    "api.example.com",
    "mx.example.net",
    "ntp.example.org",
    "updates.example.net",
    "cdn.example.org",
    "login.example.com",
];
const SIGS: &[(u32, &str, &str)] = &[
    (
        2001219,
        "ET SCAN Potential SSH Scan",
        "Attempted Information Leak",
    ),
    (
        2402000,
        "ET DROP Dshield Block Listed Source",
        "Misc Attack",
    ),
    (
        2010935,
        "ET SCAN Suspicious inbound to MSSQL port 1433",
        "Potentially Bad Traffic",
    ),
    (
        2403342,
        "ET CINS Active Threat Intelligence Poor Reputation IP group 43",
        "Misc Attack",
    ),
    (
        2024766,
        "ET EXPLOIT Possible Mirai Infection Attempt",
        "Attempted Administrator Privilege Gain",
    ),
];

/// Everything a noise line may refer to.
struct Ctx<'a> {
    hosts: &'a [Host],
    host: Option<usize>,
    clock: Clock,
}

/// Another (non-scanner) source: 198.51.100.2-99 or 203.0.113.x, x ≠ 5.
fn push_other_ip(v: &mut Vec<u8>, r: &mut Rng) {
    let (net, x): (&[u8], u64) = if r.below(2) == 0 {
        (b"198.51.100.", r.range(2, 99))
    } else {
        let x = r.range(1, 254);
        (b"203.0.113.", if x == 5 { 55 } else { x })
    };
    v.extend_from_slice(net);
    if x >= 100 {
        v.push(b'0' + (x / 100) as u8);
    }
    if x >= 10 {
        v.push(b'0' + (x / 10 % 10) as u8);
    }
    v.push(b'0' + (x % 10) as u8);
}

fn other_ip(o: &mut Out, r: &mut Rng) {
    push_other_ip(&mut o.buf, r);
}

/// Syslog header up to and including the space after the host name.
fn header(o: &mut Out, c: &mut Ctx<'_>, t_us: i64) {
    let h = &c.hosts[c.host.expect("syslog files belong to a host")];
    c.clock.set(t_us.div_euclid(1_000_000));
    if h.iso {
        o.b(&c.clock.iso);
        o.s(".");
        o.z(t_us.rem_euclid(1_000_000) as u64, 6);
        o.s("+00:00 ");
    } else {
        o.b(&c.clock.rfc);
        o.s(" ");
    }
    o.s(&h.name);
    o.s(" ");
}

fn pid(o: &mut Out, r: &mut Rng, app: &str) {
    o.s(app);
    o.s("[");
    o.n(r.range(1000, 99999));
    o.s("]: ");
}

fn kernel_prefix(o: &mut Out, t_us: i64) {
    let up = (t_us - BOOT * 1_000_000) as u64;
    o.s("kernel: [");
    o.n(up / 1_000_000);
    o.s(".");
    o.z(up % 1_000_000, 6);
    o.s("] ");
}

/// A netfilter line from a non-scanner source (or the scanner when `scanner`).
fn ufw_noise(o: &mut Out, r: &mut Rng, c: &Ctx<'_>, t_us: i64, scanner: bool) {
    let hi = c.host.unwrap_or(0);
    let h = &c.hosts[hi];
    kernel_prefix(o, t_us);
    let rule = r.below(100);
    o.s(if scanner {
        if rule < 80 {
            "[UFW BLOCK]"
        } else {
            "[UFW ALLOW]"
        }
    } else if rule < 88 {
        "[UFW BLOCK]"
    } else if rule < 95 {
        "[UFW AUDIT]"
    } else {
        "[UFW ALLOW]"
    });
    o.s(" IN=eth0 OUT= MAC=52:54:00:12:");
    o.hex(hi as u64 & 0xff, 2);
    o.s(":56:52:54:00:65:43:21:08:00 SRC=");
    if scanner {
        o.s(SCANNER);
    } else {
        other_ip(o, r);
    }
    o.s(" DST=");
    o.s(&h.ip);
    let udp = !scanner && r.below(10) == 0;
    o.s(" LEN=");
    o.n(if udp { 78 } else { *r.pick(&[40, 44, 52, 60]) });
    o.s(" TOS=0x00 PREC=0x00 TTL=");
    o.n(r.range(40, 250));
    o.s(" ID=");
    o.n(r.below(65536));
    if udp {
        o.s(" PROTO=UDP SPT=");
        o.n(r.range(1024, 65535));
        o.s(" DPT=");
        o.n(*r.pick(&[137, 161, 1900, 5353, 123, 19]) as u64);
        o.s(" LEN=58");
        return;
    }
    o.s(if r.below(2) == 0 { " DF" } else { "" });
    o.s(" PROTO=TCP SPT=");
    o.n(r.range(1024, 65535));
    o.s(" DPT=");
    let dport = if scanner {
        if rule < 80 {
            // Probes of closed ports only: never an open (hence never the affected) port.
            loop {
                let p = *r.pick(CLOSED_PORTS);
                if !h.open.iter().any(|&(q, _)| q == p) {
                    break p;
                }
            }
        } else {
            // ALLOW of an open, unaffected port.
            let p = r.pick(&h.open).0;
            if h.affected.is_some_and(|(a, _)| a == p) {
                22
            } else {
                p
            }
        }
    } else {
        *r.pick(NOISE_PORTS)
    };
    o.n(dport as u64);
    o.s(" WINDOW=");
    o.n(*r.pick(&[1024, 29200, 64240, 65535]));
    o.s(" RES=0x00 SYN URGP=0");
}

fn kernel_misc(o: &mut Out, r: &mut Rng, t_us: i64) {
    kernel_prefix(o, t_us);
    match r.below(5) {
        0 | 1 => {
            o.s("audit: type=1400 audit(");
            o.n((t_us / 1_000_000) as u64);
            o.s(".");
            o.z(r.below(1000), 3);
            o.s(":");
            o.n(r.range(100, 9999));
            o.s("): apparmor=\"DENIED\" operation=\"open\" class=\"file\" profile=\"/usr/sbin/named\" name=\"/proc/sys/net/core/somaxconn\" pid=");
            o.n(r.range(500, 4000));
            o.s(" comm=\"isc-net-0000\" requested_mask=\"r\" denied_mask=\"r\" fsuid=107 ouid=0");
        }
        2 => {
            o.s("perf: interrupt took too long (");
            let v = r.range(2501, 3900);
            o.n(v);
            o.s(" > 2500), lowering kernel.perf_event_max_sample_rate to ");
            o.n(r.range(50000, 79750));
        }
        3 => o.s("e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx"),
        _ => {
            o.s("EXT4-fs (vda1): mounted filesystem ");
            o.hex(r.next(), 8);
            o.s("-");
            o.hex(r.next(), 4);
            o.s(" ro with ordered data mode. Quota mode: none.");
        }
    }
}

const SYSLOG_WEIGHTS: &[u32] = &[14, 2, 10, 10, 8, 8, 4, 5, 4, 8, 6, 10, 3];

fn syslog_noise(o: &mut Out, r: &mut Rng, c: &mut Ctx<'_>, t_us: i64) {
    header(o, c, t_us);
    let h = &c.hosts[c.host.unwrap_or(0)];
    match r.weighted(SYSLOG_WEIGHTS) {
        0 => {
            pid(o, r, "sshd");
            let user = *r.pick(USERS);
            match r.below(6) {
                0 => {
                    o.s("Failed password for invalid user ");
                    o.s(user);
                    o.s(" from ");
                    other_ip(o, r);
                    o.s(" port ");
                    o.n(r.range(1024, 65535));
                    o.s(" ssh2");
                }
                1 => {
                    o.s("Invalid user ");
                    o.s(user);
                    o.s(" from ");
                    other_ip(o, r);
                    o.s(" port ");
                    o.n(r.range(1024, 65535));
                }
                2 => {
                    o.s("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=");
                    other_ip(o, r);
                    o.s("  user=root");
                }
                3 => {
                    o.s("Connection closed by authenticating user root ");
                    other_ip(o, r);
                    o.s(" port ");
                    o.n(r.range(1024, 65535));
                    o.s(" [preauth]");
                }
                4 => {
                    o.s("Received disconnect from ");
                    other_ip(o, r);
                    o.s(" port ");
                    o.n(r.range(1024, 65535));
                    o.s(":11: Bye Bye [preauth]");
                }
                _ => {
                    o.s("Disconnected from invalid user ");
                    o.s(user);
                    o.s(" ");
                    other_ip(o, r);
                    o.s(" port ");
                    o.n(r.range(1024, 65535));
                    o.s(" [preauth]");
                }
            }
        }
        1 => {
            pid(o, r, "sshd");
            o.s("Accepted publickey for alice from 192.0.2.250 port ");
            o.n(r.range(1024, 65535));
            o.s(" ssh2: ED25519 SHA256:");
            for _ in 0..3 {
                o.hex(r.next(), 14);
            }
        }
        2 => {
            pid(o, r, "CRON");
            match r.below(4) {
                0 => o.s("(root) CMD (   cd / && run-parts --report /etc/cron.hourly)"),
                1 => o.s(
                    "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
                ),
                2 => o.s("pam_unix(cron:session): session closed for user root"),
                _ => o.s("(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)"),
            }
        }
        3 => {
            let qid = r.next();
            match r.below(6) {
                0 => {
                    pid(o, r, "postfix/smtpd");
                    o.s("connect from unknown[");
                    other_ip(o, r);
                    o.s("]");
                }
                1 => {
                    pid(o, r, "postfix/smtpd");
                    o.s("disconnect from unknown[");
                    other_ip(o, r);
                    o.s("] ehlo=1 auth=0/1 rset=1 quit=1 commands=3/4");
                }
                2 => {
                    pid(o, r, "postfix/smtpd");
                    o.s("warning: unknown[");
                    other_ip(o, r);
                    o.s("]: SASL LOGIN authentication failed: UGFzc3dvcmQ6");
                }
                3 => {
                    pid(o, r, "postfix/qmgr");
                    o.hex(qid, 10);
                    o.s(": from=<root@");
                    o.s(&h.name);
                    o.s(".example.com>, size=");
                    o.n(r.range(600, 90000));
                    o.s(", nrcpt=1 (queue active)");
                }
                4 => {
                    pid(o, r, "postfix/smtp");
                    o.hex(qid, 10);
                    o.s(": to=<ops@example.com>, relay=mx.example.net[198.51.100.25]:25, delay=0.");
                    o.n(r.range(10, 99));
                    o.s(", delays=0.01/0/0.2/0.21, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ");
                    o.hex(r.next(), 10);
                    o.s(")");
                }
                _ => {
                    pid(o, r, "postfix/qmgr");
                    o.hex(qid, 10);
                    o.s(": removed");
                }
            }
        }
        4 => ufw_noise(o, r, c, t_us, false),
        5 => {
            let (u, d) = *r.pick(UNITS);
            o.s("systemd[1]: ");
            match r.below(4) {
                0 => {
                    o.s("Starting ");
                    o.s(u);
                    o.s(" - ");
                    o.s(d);
                    o.s("...");
                }
                1 => {
                    o.s(u);
                    o.s(": Deactivated successfully.");
                }
                2 => {
                    o.s("Finished ");
                    o.s(u);
                    o.s(" - ");
                    o.s(d);
                    o.s(".");
                }
                _ => {
                    let s = r.range(100, 9999);
                    o.s("Started session-");
                    o.n(s);
                    o.s(".scope - Session ");
                    o.n(s);
                    o.s(" of User alice.");
                }
            }
        }
        6 => {
            pid(o, r, "dhclient");
            match r.below(3) {
                0 => {
                    o.s("DHCPREQUEST for ");
                    o.s(&h.ip);
                    o.s(" on eth0 to 192.0.2.1 port 67 (xid=0x");
                    o.hex(r.next(), 8);
                    o.s(")");
                }
                1 => {
                    o.s("DHCPACK of ");
                    o.s(&h.ip);
                    o.s(" from 192.0.2.1 (xid=0x");
                    o.hex(r.next(), 8);
                    o.s(")");
                }
                _ => {
                    o.s("bound to ");
                    o.s(&h.ip);
                    o.s(" -- renewal in ");
                    o.n(r.range(1200, 1800));
                    o.s(" seconds.");
                }
            }
        }
        7 => {
            pid(o, r, "systemd-logind");
            let s = r.range(100, 9999);
            match r.below(3) {
                0 => {
                    o.s("New session ");
                    o.n(s);
                    o.s(" of user alice.");
                }
                1 => {
                    o.s("Session ");
                    o.n(s);
                    o.s(" logged out. Waiting for processes to exit.");
                }
                _ => {
                    o.s("Removed session ");
                    o.n(s);
                    o.s(".");
                }
            }
        }
        8 => {
            o.s("sudo:    alice : TTY=pts/");
            o.n(r.below(4));
            o.s(" ; PWD=/home/alice ; USER=root ; COMMAND=");
            o.s(r.pick::<&str>(&[
                "/usr/bin/journalctl -u nginx --since today",
                "/usr/bin/apt list --upgradable",
                "/usr/bin/tail -n 200 /var/log/syslog",
                "/usr/bin/ss -tlnp",
                "/usr/bin/du -sh /var/lib/docker",
            ]));
        }
        9 => {
            pid(o, r, "named");
            o.s("client @0x7f3a");
            o.hex(r.next(), 8);
            o.s(" ");
            other_ip(o, r);
            o.s("#");
            o.n(r.range(1024, 65535));
            let d = *r.pick(DOMAINS);
            o.s(" (");
            o.s(d);
            o.s("): query (cache) '");
            o.s(d);
            o.s("/A/IN' denied");
        }
        10 => match r.below(4) {
            0 => o.s("systemd-timesyncd[512]: Initial synchronization to time server 192.0.2.123:123 (ntp.example.org)."),
            1 => o.s("rsyslogd[611]: [origin software=\"rsyslogd\" swVersion=\"8.2312.0\" x-pid=\"611\" x-info=\"https://www.rsyslog.com\"] rsyslogd was HUPed"),
            2 => o.s("snapd[801]: storehelpers.go:773: cannot refresh: snap has no updates available: \"core22\", \"lxd\", \"snapd\""),
            _ => o.s("systemd-resolved[498]: Clock change detected. Flushing caches."),
        },
        11 => {
            pid(o, r, "gunicorn");
            other_ip(o, r);
            o.s(" - - \"GET /api/v1/items/");
            o.n(r.below(100_000));
            o.s(" HTTP/1.1\" ");
            o.n(*r.pick(&[200, 200, 200, 200, 304, 404, 500]));
            o.s(" ");
            o.n(r.range(200, 40000));
            o.s(" \"-\" \"python-requests/2.31.0\"");
        }
        _ => kernel_misc(o, r, t_us),
    }
}

/// A syslog line of the scanner's traffic (inside the host's window).
fn syslog_scanner(o: &mut Out, r: &mut Rng, c: &mut Ctx<'_>, t_us: i64) {
    header(o, c, t_us);
    let h = &c.hosts[c.host.unwrap_or(0)];
    let smtp_ok = h.open.iter().any(|&(p, _)| p == 25);
    match r.below(5) {
        0 => {
            pid(o, r, "sshd");
            o.s("Did not receive identification string from ");
            o.s(SCANNER);
            o.s(" port ");
            o.n(r.range(32768, 60999));
        }
        1 => {
            pid(o, r, "sshd");
            o.s("Connection closed by ");
            o.s(SCANNER);
            o.s(" port ");
            o.n(r.range(32768, 60999));
            o.s(" [preauth]");
        }
        2 => {
            pid(o, r, "sshd");
            o.s("Unable to negotiate with ");
            o.s(SCANNER);
            o.s(" port ");
            o.n(r.range(32768, 60999));
            o.s(": no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]");
        }
        3 if smtp_ok => {
            pid(o, r, "postfix/smtpd");
            o.s("connect from unknown[");
            o.s(SCANNER);
            o.s("]");
        }
        _ => ufw_noise(o, r, c, t_us, true),
    }
}

fn kern_noise(o: &mut Out, r: &mut Rng, c: &mut Ctx<'_>, t_us: i64) {
    header(o, c, t_us);
    if r.below(100) < 80 {
        ufw_noise(o, r, c, t_us, false);
    } else {
        kernel_misc(o, r, t_us);
    }
}

fn kern_scanner(o: &mut Out, r: &mut Rng, c: &mut Ctx<'_>, t_us: i64) {
    header(o, c, t_us);
    ufw_noise(o, r, c, t_us, true);
}

fn eve_ts(o: &mut Out, c: &mut Ctx<'_>, t_us: i64) {
    c.clock.set(t_us.div_euclid(1_000_000));
    o.b(&c.clock.iso);
    o.s(".");
    o.z(t_us.rem_euclid(1_000_000) as u64, 6);
    o.s("+0000");
}

fn eve_head(o: &mut Out, r: &mut Rng, c: &mut Ctx<'_>, t_us: i64, ty: &str) {
    o.s("{\"timestamp\":\"");
    eve_ts(o, c, t_us);
    o.s("\",\"flow_id\":");
    o.n(1_189_221_870_000_000 + r.below(1_000_000_000_000));
    o.s(",\"in_iface\":\"ens4\",\"event_type\":\"");
    o.s(ty);
    o.s("\",");
}

fn addr(o: &mut Out, key: &str, ip: &str, pkey: &str, port: u64) {
    o.s("\"");
    o.s(key);
    o.s("\":\"");
    o.s(ip);
    o.s("\",\"");
    o.s(pkey);
    o.s("\":");
    o.n(port);
    o.s(",");
}

fn eve_noise(o: &mut Out, r: &mut Rng, c: &mut Ctx<'_>, t_us: i64) {
    let hosts = c.hosts;
    let h = r.pick(hosts);
    let mut ob = Vec::with_capacity(15);
    push_other_ip(&mut ob, r);
    let other = std::str::from_utf8(&ob).unwrap_or("198.51.100.2");
    match r.weighted(&[45, 20, 15, 8, 6, 1]) {
        0 => {
            eve_head(o, r, c, t_us, "flow");
            let (dp, app) = *r.pick(&[(443u64, "tls"), (80, "http"), (22, "ssh"), (25, "smtp")]);
            addr(o, "src_ip", other, "src_port", r.range(1024, 65535));
            addr(o, "dest_ip", &h.ip, "dest_port", dp);
            o.s("\"proto\":\"TCP\",\"app_proto\":\"");
            o.s(app);
            o.s("\",\"flow\":{\"pkts_toserver\":");
            let (a, b) = (r.range(3, 40), r.range(2, 60));
            o.n(a);
            o.s(",\"pkts_toclient\":");
            o.n(b);
            o.s(",\"bytes_toserver\":");
            o.n(a * r.range(60, 700));
            o.s(",\"bytes_toclient\":");
            o.n(b * r.range(60, 1400));
            let age = r.below(120) as i64;
            o.s(",\"start\":\"");
            let mut start = Clock::new();
            start.set((t_us / 1_000_000) - age);
            o.b(&start.iso);
            o.s(".");
            o.z(r.below(1_000_000), 6);
            o.s("+0000\",\"end\":\"");
            eve_ts(o, c, t_us);
            o.s("\",\"age\":");
            o.n(age as u64);
            o.s(",\"state\":\"closed\",\"reason\":\"timeout\",\"alerted\":false}}");
        }
        1 => {
            eve_head(o, r, c, t_us, "dns");
            addr(o, "src_ip", &h.ip, "src_port", r.range(1024, 65535));
            addr(o, "dest_ip", "192.0.2.2", "dest_port", 53);
            o.s("\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"id\":");
            o.n(r.below(65536));
            o.s(",\"rrname\":\"");
            o.s(r.pick::<&str>(DOMAINS));
            o.s("\",\"rrtype\":\"");
            o.s(r.pick::<&str>(&["A", "AAAA", "MX", "TXT"]));
            o.s("\",\"tx_id\":0,\"opcode\":0}}");
        }
        2 => {
            eve_head(o, r, c, t_us, "http");
            addr(o, "src_ip", other, "src_port", r.range(1024, 65535));
            addr(o, "dest_ip", &h.ip, "dest_port", 80);
            o.s("\"proto\":\"TCP\",\"tx_id\":0,\"http\":{\"hostname\":\"www.example.com\",\"url\":\"/api/v1/items/");
            o.n(r.below(100_000));
            o.s("\",\"http_user_agent\":\"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\",\"http_content_type\":\"application/json\",\"http_method\":\"GET\",\"protocol\":\"HTTP/1.1\",\"status\":");
            o.n(*r.pick(&[200, 200, 200, 301, 404]));
            o.s(",\"length\":");
            o.n(r.range(100, 50000));
            o.s("}}");
        }
        3 => {
            eve_head(o, r, c, t_us, "tls");
            addr(o, "src_ip", other, "src_port", r.range(1024, 65535));
            addr(o, "dest_ip", &h.ip, "dest_port", 443);
            o.s("\"proto\":\"TCP\",\"tls\":{\"subject\":\"CN=www.example.com\",\"issuerdn\":\"C=US, O=Let's Encrypt, CN=R11\",\"serial\":\"");
            o.hex(r.next(), 16);
            o.s("\",\"fingerprint\":\"");
            for i in 0..8 {
                if i > 0 {
                    o.s(":");
                }
                o.hex(r.below(256), 2);
            }
            o.s("\",\"sni\":\"www.example.com\",\"version\":\"TLS 1.3\",\"notbefore\":\"2026-10-01T00:00:00\",\"notafter\":\"2026-12-30T23:59:59\"}}");
        }
        4 => {
            eve_head(o, r, c, t_us, "alert");
            let (sid, sig, cat) = *r.pick(SIGS);
            addr(o, "src_ip", other, "src_port", r.range(1024, 65535));
            addr(
                o,
                "dest_ip",
                &h.ip,
                "dest_port",
                *r.pick(NOISE_PORTS) as u64,
            );
            o.s("\"proto\":\"TCP\",\"alert\":{\"action\":\"");
            o.s(if r.below(3) == 0 {
                "blocked"
            } else {
                "allowed"
            });
            o.s("\",\"gid\":1,\"signature_id\":");
            o.n(sid as u64);
            o.s(",\"rev\":");
            o.n(r.range(2, 20));
            o.s(",\"signature\":\"");
            o.s(sig);
            o.s("\",\"category\":\"");
            o.s(cat);
            o.s("\",\"severity\":2}}");
        }
        _ => {
            o.s("{\"timestamp\":\"");
            eve_ts(o, c, t_us);
            o.s("\",\"event_type\":\"stats\",\"stats\":{\"uptime\":");
            o.n((t_us / 1_000_000 - BOOT) as u64);
            o.s(",\"capture\":{\"kernel_packets\":");
            o.n(r.range(1_000_000, 99_000_000));
            o.s(",\"kernel_drops\":0}}}");
        }
    }
}

/// Scanner traffic the sensor saw (flows and alert-only records), to a host whose window covers
/// the time. Returns false when no window does.
fn eve_scanner(o: &mut Out, r: &mut Rng, c: &mut Ctx<'_>, t_us: i64) -> bool {
    let t = t_us / 1_000_000;
    let hosts = c.hosts;
    let h = &hosts[r.below(hosts.len() as u64) as usize];
    if t < h.start || t > h.end {
        return false;
    }
    let (port, _) = *r.pick(&h.open);
    if r.below(4) == 0 {
        eve_head(o, r, c, t_us, "alert");
        addr(o, "src_ip", SCANNER, "src_port", r.range(32768, 60999));
        addr(o, "dest_ip", &h.ip, "dest_port", port as u64);
        o.s("\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2002664,\"rev\":14,\"signature\":\"ET SCAN Nessus User Agent\",\"category\":\"Attempted Information Leak\",\"severity\":2}}");
    } else {
        eve_head(o, r, c, t_us, "flow");
        addr(o, "src_ip", SCANNER, "src_port", r.range(32768, 60999));
        let p = if r.below(2) == 0 {
            port
        } else {
            *r.pick(CLOSED_PORTS)
        };
        addr(o, "dest_ip", &h.ip, "dest_port", p as u64);
        o.s("\"proto\":\"TCP\",\"flow\":{\"pkts_toserver\":1,\"pkts_toclient\":1,\"bytes_toserver\":58,\"bytes_toclient\":54,\"start\":\"");
        eve_ts(o, c, t_us);
        o.s("\",\"end\":\"");
        eve_ts(o, c, t_us);
        o.s("\",\"age\":0,\"state\":\"closed\",\"reason\":\"timeout\",\"alerted\":false}}");
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Writing a file.

fn write_plant(o: &mut Out, c: &mut Ctx<'_>, kind: Kind, p: &Plant) -> io::Result<()> {
    match kind {
        Kind::Eve => {
            o.s("{\"timestamp\":\"");
            eve_ts(o, c, p.t_us);
            o.s("\",");
            o.s(&p.text);
            o.s("}");
        }
        Kind::Syslog | Kind::Kern => {
            header(o, c, p.t_us);
            o.s(&p.text);
        }
    }
    o.nl()
}

fn gen_file(dir: &Path, spec: &Spec, hosts: &[Host]) -> io::Result<(u64, u64)> {
    let path = dir.join(&spec.rel);
    if let Some(p) = path.parent() {
        fs::create_dir_all(p)?;
    }
    let file = File::create(&path)?;
    let sink: Box<dyn Write + Send> = if spec.gz {
        Box::new(GzEncoder::new(file, Compression::new(6)))
    } else {
        Box::new(file)
    };
    let mut o = Out::new(sink);
    let mut r = Rng::new(spec.seed);
    let mut c = Ctx {
        hosts,
        host: spec.host,
        clock: Clock::new(),
    };
    let (t0, t1) = (spec.t0 * 1_000_000, spec.t1 * 1_000_000);
    let span = (t1 - t0) as f64;
    let budget = spec.budget.max(1) as f64;
    let mut plants = spec.plants.iter().peekable();
    let window = spec.host.map(|i| (hosts[i].start, hosts[i].end));
    let scan_end = hosts.iter().map(|h| h.end).max().unwrap_or(SCAN_START);
    while o.written() < spec.budget {
        let t_us = t0 + (span * (o.written() as f64 / budget)) as i64;
        while let Some(p) = plants.next_if(|p| p.t_us <= t_us) {
            write_plant(&mut o, &mut c, spec.kind, p)?;
        }
        let t = t_us / 1_000_000;
        match spec.kind {
            Kind::Syslog | Kind::Kern => {
                let in_window = window.is_some_and(|(s, e)| s <= t && t <= e);
                let scanner = in_window && r.below(100) < 3;
                match (spec.kind, scanner) {
                    (Kind::Syslog, false) => syslog_noise(&mut o, &mut r, &mut c, t_us),
                    (Kind::Syslog, true) => syslog_scanner(&mut o, &mut r, &mut c, t_us),
                    (_, false) => kern_noise(&mut o, &mut r, &mut c, t_us),
                    (_, true) => kern_scanner(&mut o, &mut r, &mut c, t_us),
                }
            }
            Kind::Eve => {
                let in_scan = (SCAN_START..=scan_end).contains(&t);
                if !(in_scan && r.below(100) < 4 && eve_scanner(&mut o, &mut r, &mut c, t_us)) {
                    eve_noise(&mut o, &mut r, &mut c, t_us);
                }
            }
        }
        o.nl()?;
    }
    for p in plants {
        write_plant(&mut o, &mut c, spec.kind, p)?;
    }
    let logical = o.finish()?;
    let disk = fs::metadata(&path)?.len();
    Ok((logical, disk))
}

// ---------------------------------------------------------------------------------------------
// The scan report and EXPECTED.txt.

fn nessus(hosts: &[Host]) -> String {
    let targets: Vec<&str> = hosts.iter().map(|h| h.ip.as_str()).collect();
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" ?>\n<NessusClientData_v2>\n<Policy><policyName>Internal quarterly (portmortem benchmark)</policyName>\n<Preferences><ServerPreferences>\n");
    for (k, v) in [
        ("max_hosts", "30".to_string()),
        ("max_checks", "5".to_string()),
        ("checks_read_timeout", "5".to_string()),
        ("TARGET", targets.join(",")),
    ] {
        let _ = write!(
            x,
            "<preference><name>{k}</name>\n<value>{v}</value>\n</preference>\n"
        );
    }
    x.push_str("</ServerPreferences></Preferences></Policy>\n<Report name=\"portmortem benchmark - nov20\" xmlns:cm=\"http://www.nessus.org/cm\">\n");
    for h in hosts {
        let _ = write!(
            x,
            "<ReportHost name=\"{ip}\"><HostProperties>\n<tag name=\"HOST_END\">{}</tag>\n<tag name=\"HOST_END_TIMESTAMP\">{}</tag>\n<tag name=\"host-ip\">{ip}</tag>\n<tag name=\"host-fqdn\">{n}.example.com</tag>\n<tag name=\"hostname\">{n}</tag>\n<tag name=\"HOST_START\">{}</tag>\n<tag name=\"HOST_START_TIMESTAMP\">{}</tag>\n</HostProperties>\n",
            ctime(h.end),
            h.end,
            ctime(h.start),
            h.start,
            ip = h.ip,
            n = h.name
        );
        for (port, svc) in &h.open {
            let _ = write!(
                x,
                "<ReportItem port=\"{port}\" svc_name=\"{svc}\" protocol=\"tcp\" severity=\"0\" pluginID=\"11219\" pluginName=\"Nessus SYN scanner\" pluginFamily=\"Port scanners\">\n<fname>nessus_syn_scanner.nbin</fname>\n<plugin_name>Nessus SYN scanner</plugin_name>\n<plugin_type>remote</plugin_type>\n<risk_factor>None</risk_factor>\n<plugin_output>Port {port}/tcp was found to be open</plugin_output>\n</ReportItem>\n"
            );
        }
        let _ = write!(
            x,
            "<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" severity=\"0\" pluginID=\"19506\" pluginName=\"Nessus Scan Information\" pluginFamily=\"Settings\">\n<fname>scan_info.nasl</fname>\n<plugin_name>Nessus Scan Information</plugin_name>\n<plugin_type>summary</plugin_type>\n<risk_factor>None</risk_factor>\n<plugin_output>Information about this scan : \n\nNessus version : 10.8.3\nNessus build : 20010\nPlugin feed version : 202611190512\nScanner edition used : Nessus\nScanner OS : LINUX\nScanner distribution : es9-x86-64\nScan type : Normal\nScan name : portmortem benchmark - nov20\nScan policy used : Advanced Scan\nScanner IP : {SCANNER}\nPort scanner(s) : nessus_syn_scanner \nPort range : default\nPing RTT : 0.612 ms\nThorough tests : no\nExperimental tests : no\nParanoia level : 1\nReport verbosity : 1\nSafe checks : yes\nOptimize the test : yes\nCredentialed checks : no\nPatch management checks : None\nCGI scanning : disabled\nWeb application tests : disabled\nMax hosts : 30\nMax checks : 5\nRecv timeout : 5\nBackports : None\nAllow post-scan editing : Yes\nScan Start Date : 2026/11/20 2:00 UTC\nScan duration : {} sec\n</plugin_output>\n</ReportItem>\n",
            h.end - h.start
        );
        if let Some((port, state)) = h.affected {
            let _ = write!(
                x,
                "<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" severity=\"0\" pluginID=\"10919\" pluginName=\"Open Port Re-check\" pluginFamily=\"General\">\n<fname>check_ports.nasl</fname>\n<plugin_name>Open Port Re-check</plugin_name>\n<plugin_type>remote</plugin_type>\n<risk_factor>None</risk_factor>\n<solution>- Increase checks_read_timeout and/or reduce max_checks\n\n- Disable any IPS during the Nessus scan</solution>\n<synopsis>Previously open ports are now closed.</synopsis>\n<plugin_output>Port {port} was detected as being open but is now {state}\n</plugin_output>\n</ReportItem>\n"
            );
        }
        x.push_str("</ReportHost>\n");
    }
    x.push_str("</Report>\n</NessusClientData_v2>\n");
    x
}

fn expected_txt(hosts: &[Host], expect: &[Expect], args: &Args) -> String {
    let mut x = format!(
        "# portmortem benchmark corpus: hosts={} seed={} size={} gz-fraction={}\n# scanner {SCANNER}; planted evidence per affected port\n# host port/proto scan_state verdict cause planted_in hostname\n",
        args.hosts, args.seed, args.size, args.gz_fraction
    );
    for e in expect {
        let h = &hosts[e.host];
        let _ = writeln!(
            x,
            "{} {}/tcp {} {} {} {} {}",
            h.ip, e.port, e.state, e.verdict, e.cause, e.file, h.name
        );
    }
    x
}

fn run(args: &Args) -> io::Result<()> {
    let began = Instant::now();
    fs::create_dir_all(&args.out)?;
    let hosts = hosts(args.hosts, args.gz_fraction > 0.0);
    let mut specs = build_specs(&hosts, args);
    let expect = plant_all(&mut specs, &hosts, args.seed);
    fs::write(args.out.join("scan.nessus"), nessus(&hosts))?;
    fs::write(
        args.out.join("EXPECTED.txt"),
        expected_txt(&hosts, &expect, args),
    )?;
    // Largest files first so the threads finish together; content does not depend on the order.
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(specs[i].budget));
    let next = AtomicUsize::new(0);
    let totals = Mutex::new((0u64, 0u64));
    let first_err: Mutex<Option<io::Error>> = Mutex::new(None);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = order.get(k) else { break };
                    match gen_file(&args.out, &specs[i], &hosts) {
                        Ok((l, d)) => {
                            let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
                            t.0 += l;
                            t.1 += d;
                        }
                        Err(e) => {
                            let mut fe = first_err.lock().unwrap_or_else(|e| e.into_inner());
                            fe.get_or_insert(io::Error::new(
                                e.kind(),
                                format!("{}: {e}", specs[i].rel),
                            ));
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_err.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    let (logical, disk) = totals.into_inner().unwrap_or_else(|e| e.into_inner());
    let secs = began.elapsed().as_secs_f64();
    eprintln!(
        "gen-corpus: {} log files, {} hosts, {} affected ports; {:.1} MiB of log text ({:.1} MiB on disk) in {:.1}s ({:.0} MiB/s) -> {}",
        specs.len(),
        hosts.len(),
        expect.len(),
        logical as f64 / 1048576.0,
        disk as f64 / 1048576.0,
        secs,
        logical as f64 / 1048576.0 / secs,
        args.out.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if e.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("gen-corpus: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-corpus: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_and_ctime() {
        assert_eq!(civil(DAY0 / 86_400), (2026, 11, 20));
        assert_eq!(ctime(SCAN_START), "Fri Nov 20 02:00:05 2026");
        let mut c = Clock::new();
        c.set(SCAN_START);
        assert_eq!(&c.rfc, b"Nov 20 02:00:05");
        assert_eq!(&c.iso, b"2026-11-20T02:00:05");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("500M"), Some(500 << 20));
        assert_eq!(parse_size("1.5KiB"), Some(1536));
        assert_eq!(parse_size("123"), Some(123));
        assert_eq!(parse_size("x"), None);
    }

    #[test]
    fn deterministic_small_corpus() {
        let dir = std::env::temp_dir().join(format!("gen-corpus-test-{}", std::process::id()));
        let digest = |d: &Path| -> Vec<(String, Vec<u8>)> {
            let mut v = Vec::new();
            for h in [
                "host01/kern.log",
                "host02/syslog",
                "ids01/eve.json",
                "EXPECTED.txt",
            ] {
                v.push((h.to_string(), fs::read(d.join(h)).unwrap()));
            }
            v
        };
        let args = Args {
            out: dir.join("a"),
            size: 2 << 20,
            hosts: 5,
            seed: 7,
            gz_fraction: 0.2,
        };
        run(&args).unwrap();
        let a = digest(&args.out);
        let args_b = Args {
            out: dir.join("b"),
            ..args
        };
        run(&args_b).unwrap();
        assert_eq!(a, digest(&args_b.out));
        let exp = String::from_utf8(a[3].1.clone()).unwrap();
        assert!(exp.contains("192.0.2.10 443/tcp unresponsive blocked firewall_drop"));
        let _ = fs::remove_dir_all(&dir);
    }
}
