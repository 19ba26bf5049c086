//! The parallel read: every log source (and every 64 MiB chunk of a large uncompressed one) is a rayon
//! task that streams its bytes through a fixed buffer, lets the prefilter pick candidate lines, parses
//! those, and keeps only the events the query can use. Counts are exact per source; events are sorted
//! by (time, source, line) so the result is the same for any thread count.

use std::collections::BTreeSet;
use std::net::IpAddr;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use chrono::{DateTime, Duration, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ipnet::IpNet;
use portmortem_parsers::{
    Event, EventKind, LogFormat, TimeContext, parse_line, syslog::header, time::parse_iso8601,
};
use rayon::prelude::*;

use crate::config::InputConfig;
use crate::correlate::rules::AFTERMATH;
use crate::read::{
    Compression, SourceInput,
    lines::{self, Range},
};
use crate::report::sanitize::clean_text;

/// Uncompressed files larger than this are split into chunks read in parallel.
pub const CHUNK: u64 = 64 * 1024 * 1024;
/// Longest evidence text kept per event.
const TEXT_CAP: usize = 2048;
/// Host names remembered per source (for coverage explanations).
const HOSTS_CAP: usize = 64;

/// Words of the lifecycle, shutdown, overload and listening lines the parsers recognise. A line
/// without any of these and without a scanner address cannot produce an event the analysis uses.
pub const KEYWORDS: &[&str] = &[
    "stopp",
    "start",
    "exited",
    "failed with result",
    "deactivated",
    "succeeded",
    "oom",
    "out of memory",
    "segfault",
    "reboot",
    "powering down",
    "power-off",
    "power down",
    "shutdown",
    "shutting down",
    "syncing filesystems",
    "sigterm",
    "linux version",
    "command line:",
    "booting linux",
    "listening",
    "ready for connections",
    "ready to accept",
    "resuming normal operations",
    "syn flooding",
    "table full",
    "terminating",
    "received signal",
    "killed process",
    "kill process",
];

/// What the analysis asks of the logs.
#[derive(Debug, Clone)]
pub struct Query {
    pub scanner_nets: Vec<IpNet>,
    /// Time span that matters (all port windows ± slack).
    pub span: (DateTime<Utc>, DateTime<Utc>),
}

impl Query {
    fn is_scanner(&self, ip: IpAddr) -> bool {
        self.scanner_nets.iter().any(|n| n.contains(&ip))
    }

    fn in_span(&self, t: DateTime<Utc>) -> bool {
        t >= self.span.0 && t <= self.span.1
    }

    /// Is this event of any use to the correlation?
    pub fn keep(&self, ev: &Event) -> bool {
        match &ev.kind {
            EventKind::FirewallDeny(d) => self.is_scanner(d.src) && self.in_span(ev.time),
            EventKind::IpsAlert(a) => self.is_scanner(a.src) && self.in_span(ev.time),
            EventKind::RateLimit(r) => {
                r.src.is_none_or(|s| self.is_scanner(s)) && self.in_span(ev.time)
            }
            EventKind::Ban(b) => self.is_scanner(b.ip) && ev.time <= self.span.1,
            EventKind::Listening(_) => true,
            // A service's or host's return is looked for up to an hour after the window.
            EventKind::Lifecycle(_) | EventKind::Boot(_) => {
                ev.time >= self.span.0 && ev.time <= self.span.1 + AFTERMATH
            }
            EventKind::Shutdown(_) | EventKind::Overload(_) => self.in_span(ev.time),
        }
    }

    /// Prefilter patterns: scanner addresses as logs write them, plus the lifecycle keywords.
    /// `None` when an address range is too wide to spell out (then every line is parsed).
    pub fn prefilter(&self) -> Option<AhoCorasick> {
        let mut pats: Vec<String> = KEYWORDS.iter().map(|s| s.to_string()).collect();
        for net in &self.scanner_nets {
            pats.extend(address_patterns(net)?);
        }
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(&pats)
            .ok()
    }
}

/// Text forms of the addresses of `net` as logs write them: dotted quad; IPv6 compressed and fully
/// expanded (netfilter prints `2001:0db8:0000:…`). Wide IPv4 ranges use their octet-aligned prefix.
fn address_patterns(net: &IpNet) -> Option<Vec<String>> {
    match net {
        IpNet::V4(n) if n.prefix_len() >= 24 => Some(
            n.hosts()
                .chain([n.network(), n.broadcast()])
                .map(|a| a.to_string())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        ),
        IpNet::V4(n) => {
            let octets = n.network().octets();
            let keep = (n.prefix_len() / 8) as usize;
            if keep == 0 {
                return None;
            }
            let prefix: Vec<String> = octets[..keep].iter().map(|o| o.to_string()).collect();
            Some(vec![format!("{}.", prefix.join("."))])
        }
        IpNet::V6(n) if n.prefix_len() >= 120 => {
            let mut v = Vec::new();
            for a in n.hosts() {
                v.push(a.to_string());
                v.push(expanded_v6(&a));
            }
            v.push(n.network().to_string());
            v.push(expanded_v6(&n.network()));
            Some(v)
        }
        IpNet::V6(_) => None,
    }
}

fn expanded_v6(a: &std::net::Ipv6Addr) -> String {
    a.segments()
        .iter()
        .map(|s| format!("{s:04x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Per-source accounting and what the source tells about coverage.
#[derive(Debug, Clone, Default)]
pub struct SourceStats {
    pub display: String,
    pub format: String,
    pub lines: u64,
    /// Lines the parser framed (with or without an event).
    pub parsed: u64,
    /// Lines the prefilter skipped.
    pub ignored: u64,
    pub malformed: u64,
    /// Events the parser produced (before the query's relevance filter).
    pub events: u64,
    pub tz: Option<String>,
    pub offset: Option<Duration>,
    pub first_time: Option<DateTime<Utc>>,
    pub last_time: Option<DateTime<Utc>>,
    /// Host names the source's lines carry (syslog HOSTNAME), capped.
    pub hostnames: BTreeSet<String>,
    /// A read error (the source is then partial).
    pub error: Option<String>,
}

/// An event with where it came from.
#[derive(Debug, Clone)]
pub struct LocatedEvent {
    /// Index into the sources list.
    pub source: usize,
    pub line: u64,
    pub event: Event,
    /// The original line, control characters removed, capped.
    pub text: String,
}

/// A log source to read.
pub struct LogSource<'a> {
    pub input: &'a SourceInput,
    pub format: LogFormat,
}

struct Task {
    source: usize,
    chunk: usize,
    start: u64,
    len: Option<u64>,
}

struct TaskOut {
    source: usize,
    chunk: usize,
    stats: SourceStats,
    events: Vec<LocatedEvent>,
}

/// Time of a line, cheaply (for source coverage).
fn line_time(format: LogFormat, line: &[u8], ctx: &TimeContext) -> Option<DateTime<Utc>> {
    match format {
        LogFormat::Syslog | LogFormat::Ulogd => {
            header::parse_header_ctx(line, ctx).ok().map(|(_, t)| t)
        }
        LogFormat::Fail2ban => portmortem_parsers::ban::fail2ban::line_time(line, ctx),
        LogFormat::SuricataEve => {
            let key = b"\"timestamp\":\"";
            let p = memchr::memmem::find(line, key)? + key.len();
            let end = memchr::memchr(b'"', &line[p..])? + p;
            parse_iso8601(std::str::from_utf8(&line[p..end]).ok()?, ctx)
        }
    }
}

fn line_host(format: LogFormat, line: &[u8]) -> Option<String> {
    match format {
        LogFormat::Syslog | LogFormat::Ulogd => {
            header::parse_header(line).and_then(|h| h.host.map(str::to_string))
        }
        LogFormat::SuricataEve | LogFormat::Fail2ban => None,
    }
}

fn run_task(
    task: &Task,
    src: &LogSource<'_>,
    cfg: &InputConfig,
    reference: DateTime<Utc>,
    query: Option<&Query>,
    filter: Option<&AhoCorasick>,
    pb: &ProgressBar,
) -> TaskOut {
    let display = &src.input.display;
    let tz = cfg.tz_for(display);
    let offset = cfg.offset_for(display);
    let ctx = TimeContext::new(tz, reference);
    let mut stats = SourceStats {
        display: display.clone(),
        format: src.format.name().to_string(),
        tz: Some(tz.name().to_string()),
        offset,
        ..Default::default()
    };
    let mut events = Vec::new();
    let mut hosts = BTreeSet::new();
    let mut parsed = 0u64;
    let mut malformed = 0u64;
    let mut produced = 0u64;
    let correct = |t: DateTime<Utc>| offset.map_or(t, |o| t - o);
    let on_line = |n: u64, line: &[u8]| match parse_line(src.format, line, &ctx) {
        Ok(Some(mut ev)) => {
            parsed += 1;
            produced += 1;
            ev.time = correct(ev.time);
            if hosts.len() < HOSTS_CAP
                && let Some(h) = &ev.host
            {
                hosts.insert(h.clone());
            }
            if query.is_none_or(|q| q.keep(&ev)) {
                events.push(LocatedEvent {
                    source: task.source,
                    line: n,
                    event: ev,
                    text: clean_text(&line[..line.len().min(TEXT_CAP)]),
                });
            }
        }
        Ok(None) => parsed += 1,
        Err(_) => malformed += 1,
    };
    let scanned = match (task.len, task.start) {
        (None, _) => src
            .input
            .open_progress(pb)
            .map(|r| lines::scan(r, Range::WHOLE, filter, on_line)),
        // Chunks read on to the end of the file: the line holding a chunk's last byte is theirs to
        // finish (lines belong to the chunk they start in).
        (Some(len), 0) => src.input.open_range(0, src.input.size, pb).map(|r| {
            lines::scan(
                r,
                Range {
                    skip_first_partial: false,
                    limit: Some(len),
                },
                filter,
                on_line,
            )
        }),
        (Some(len), start) => {
            // Open one byte early to see whether the chunk starts on a line boundary.
            let to_end = src.input.size.saturating_sub(start - 1);
            src.input.open_range(start - 1, to_end, pb).map(|r| {
                lines::scan(
                    r,
                    Range {
                        skip_first_partial: true,
                        limit: Some(len + 1),
                    },
                    filter,
                    on_line,
                )
            })
        }
    };
    let (c, err) = match scanned {
        Ok(r) => r,
        Err(e) => (lines::ScanCounts::default(), Some(e)),
    };
    stats.lines = c.lines;
    stats.malformed = malformed + c.overlong;
    stats.parsed = parsed;
    stats.ignored = c.lines - c.selected - c.overlong;
    stats.first_time = line_time(src.format, &c.first_line, &ctx).map(correct);
    stats.last_time = line_time(src.format, &c.last_line, &ctx).map(correct);
    for l in [&c.first_line, &c.last_line] {
        if let Some(h) = line_host(src.format, l) {
            hosts.insert(h);
        }
    }
    stats.error = err.map(|e| e.to_string());
    stats.events = produced;
    stats.hostnames = hosts;
    TaskOut {
        source: task.source,
        chunk: task.chunk,
        stats,
        events,
    }
}

/// Read all log sources. Returns per-source stats (same order as `sources`) and the kept events,
/// sorted by (time, source, line).
pub fn run(
    sources: &[LogSource<'_>],
    cfg: &InputConfig,
    reference: impl Fn(&SourceInput) -> DateTime<Utc> + Sync,
    query: Option<&Query>,
) -> (Vec<SourceStats>, Vec<LocatedEvent>) {
    let filter = query.and_then(Query::prefilter);
    let mut tasks = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        if s.input.compression == Compression::None && s.input.size > CHUNK {
            let mut start = 0;
            let mut chunk = 0;
            while start < s.input.size {
                let len = CHUNK.min(s.input.size - start);
                tasks.push(Task {
                    source: i,
                    chunk,
                    start,
                    len: Some(len),
                });
                start += len;
                chunk += 1;
            }
        } else {
            tasks.push(Task {
                source: i,
                chunk: 0,
                start: 0,
                len: None,
            });
        }
    }
    let total: u64 = sources.iter().map(|s| s.input.size).sum();
    let pb = if cfg.progress && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template(
                "{spinner} reading logs {bar:30} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb
    } else {
        ProgressBar::hidden()
    };
    let mut outs: Vec<TaskOut> = tasks
        .par_iter()
        .map(|t| {
            let src = &sources[t.source];
            run_task(
                t,
                src,
                cfg,
                reference(src.input),
                query,
                filter.as_ref(),
                &pb,
            )
        })
        .collect();
    pb.finish_and_clear();
    outs.sort_by_key(|o| (o.source, o.chunk));
    let mut stats: Vec<SourceStats> = Vec::with_capacity(sources.len());
    let mut events = Vec::new();
    let mut line_base = 0u64;
    for mut o in outs {
        if o.chunk == 0 {
            line_base = 0;
            stats.push(o.stats.clone());
        } else if let Some(s) = stats.last_mut() {
            merge(s, &o.stats);
        }
        for e in &mut o.events {
            e.line += line_base;
        }
        line_base += o.stats.lines;
        events.append(&mut o.events);
    }
    events.sort_by_key(|a| (a.event.time, a.source, a.line));
    (stats, events)
}

fn merge(into: &mut SourceStats, o: &SourceStats) {
    into.lines += o.lines;
    into.parsed += o.parsed;
    into.ignored += o.ignored;
    into.malformed += o.malformed;
    into.events += o.events;
    into.first_time = match (into.first_time, o.first_time) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    into.last_time = match (into.last_time, o.last_time) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    for h in &o.hostnames {
        if into.hostnames.len() < HOSTS_CAP {
            into.hostnames.insert(h.clone());
        }
    }
    if into.error.is_none() {
        into.error.clone_from(&o.error);
    }
}
