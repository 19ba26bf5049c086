//! The parallel read: every log source (and every 64 MiB chunk of a large uncompressed one) is a rayon
//! task that streams its bytes through a fixed buffer, lets the prefilter pick candidate lines, parses
//! those, and keeps only the events the query can use. Counts are exact per source; events are sorted
//! by (time, source, line) so the result is the same for any thread count.

use std::collections::BTreeSet;
use std::net::IpAddr;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ipnet::IpNet;
use portmortem_parsers::{LogFormat, TimeContext};

use std::io::{self, Read};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use crate::config::{InputConfig, first_match};
use crate::model::{LocatedEvent, Query, SourceStats};
use crate::read::{
    Compression, SourceInput, archive,
    lines::{self, Range},
    sniff::{Kind, sniff},
};
use crate::sanitize::clean_text;

/// Uncompressed files larger than this are split into chunks read in parallel.
pub const CHUNK: u64 = 64 * 1024 * 1024;
/// Longest evidence text kept per event.
const TEXT_CAP: usize = 2048;
/// Host names remembered per source (for coverage explanations).
const HOSTS_CAP: usize = 64;

/// How far outside the busy period a block's first and last lines must be dated before only the
/// quiet automaton is run on it (syslog relays reorder lines by seconds, rarely more).
const QUIET_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// One format's prefilter automata, from the words its registry entry names.
#[derive(Debug, Clone)]
struct FormatFilter {
    format: LogFormat,
    /// Scanner addresses, the format's words and its header prefixes.
    main: AhoCorasick,
    /// Scanner addresses and the words that matter at any time: for blocks dated outside the
    /// busy span. `None` when the format has no time-bound words.
    quiet: Option<AhoCorasick>,
}

/// The prefilters, one per registered format, built from what each format says it needs.
#[derive(Debug, Clone)]
pub struct Prefilter {
    filters: Vec<FormatFilter>,
}

impl Prefilter {
    /// The automata for `f`: the main one and, for formats with time-bound words, the quiet one.
    pub fn for_format(&self, f: LogFormat) -> Option<(&AhoCorasick, Option<&AhoCorasick>)> {
        self.filters
            .iter()
            .find(|x| x.format == f)
            .map(|x| (&x.main, x.quiet.as_ref()))
    }
}

impl Query {
    /// Prefilter automata: scanner addresses as logs write them, plus the words each format's
    /// registry entry lists. `None` when an address range is too wide to spell out (then every line
    /// is parsed).
    pub fn prefilter(&self) -> Option<Prefilter> {
        let mut addrs: Vec<String> = Vec::new();
        for net in &self.scanner_nets {
            addrs.extend(address_patterns(net)?);
        }
        // Connections of any source to the affected hosts (see `Query::targets`).
        let mut hosts: Vec<IpAddr> = self.targets.iter().map(|(ip, _)| *ip).collect();
        hosts.dedup();
        for ip in hosts {
            addrs.extend(address_patterns(&IpNet::from(ip))?);
        }
        // With no scanner address known, network lines cannot be matched anyway.
        if addrs.is_empty() {
            addrs.push("\u{0}no scanner address\u{0}".into());
        }
        let build = |extra: &mut dyn Iterator<Item = &str>| {
            let pats: Vec<String> = addrs
                .iter()
                .cloned()
                .chain(extra.map(str::to_string))
                .collect();
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(pats)
                .ok()
        };
        let mut filters = Vec::new();
        for &format in LogFormat::ALL {
            let words = format.words();
            let main = build(
                &mut words
                    .iter()
                    .flat_map(|w| w.near_scan.iter().chain(w.always))
                    .chain(format.header_prefixes())
                    .copied(),
            )?;
            let quiet = if words.iter().any(|w| !w.near_scan.is_empty()) {
                Some(build(
                    &mut words
                        .iter()
                        .flat_map(|w| w.always)
                        .chain(format.header_prefixes())
                        .copied(),
                )?)
            } else {
                None
            };
            filters.push(FormatFilter {
                format,
                main,
                quiet,
            });
        }
        Some(Prefilter { filters })
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
            for a in n.hosts().chain([n.network()]) {
                for t in [a.to_string(), expanded_v6(&a)] {
                    // Matching is case-sensitive: some tools print hex digits in upper case.
                    v.push(t.to_ascii_uppercase());
                    v.push(t);
                }
            }
            v.sort();
            v.dedup();
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

/// A log source to read.
pub struct LogSource<'a> {
    pub input: &'a SourceInput,
    /// Why the format was chosen (detection's reason), for `-v`.
    pub detection: Option<String>,
    /// The log format, or `None` for a tar archive whose members are sniffed one by one.
    pub format: Option<LogFormat>,
}

struct Task {
    source: usize,
    chunk: usize,
    start: u64,
    len: Option<u64>,
}

/// What one stream (a file, a chunk of one, or an archive member) gave.
struct Part {
    stats: SourceStats,
    /// `source` is set when parts become sources.
    events: Vec<LocatedEvent>,
}

/// Everything a stream is read with.
struct Reading<'a> {
    cfg: &'a InputConfig,
    reference: DateTime<Utc>,
    query: Option<&'a Query>,
    prefilter: Option<&'a Prefilter>,
    /// Where this task's output goes, in order.
    out: Outbox,
    /// Set when the sink stopped: readers then see the end of their stream.
    stop: &'a AtomicBool,
    /// Hand events over in batches while a part is still being read (the events command).
    early: bool,
}

/// Events handed over before their part ends, at most this many at a time.
const EARLY_BATCH: usize = 1024;

/// A task's messages to the delivering thread, in the order it sends them.
enum Msg {
    /// A part (file, chunk or archive member) begins: its display name and format.
    Begin(String, String),
    /// Events of the current part, before it ends.
    Events(Vec<LocatedEvent>),
    /// The current part ended: its stats and its remaining events.
    End(Box<Part>),
    /// The task is done.
    Done,
}

/// One task's sending end.
#[derive(Clone)]
struct Outbox {
    task: usize,
    tx: mpsc::Sender<(usize, Msg)>,
}

impl Outbox {
    fn send(&self, m: Msg) {
        // The receiver only goes away when the run is over; nothing to do then.
        let _ = self.tx.send((self.task, m));
    }
}

/// A reader that reports the end of its stream once `stop` is set.
struct Stoppable<'a, R> {
    inner: R,
    stop: &'a AtomicBool,
}

impl<R: Read> Read for Stoppable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Ok(0);
        }
        self.inner.read(buf)
    }
}

impl Reading<'_> {
    /// Read one stream of `format` as source `display`: counts, kept events, coverage facts. A
    /// stream that could not be opened is an error for that source.
    fn stream<'r, R: Read + 'r>(
        &self,
        display: &str,
        format: LogFormat,
        reader: io::Result<R>,
        range: Range,
        detection: Option<String>,
    ) {
        // A binary container is read as one line a record.
        let reader: io::Result<Box<dyn Read + 'r>> = match format.binary() {
            Some(b) => reader
                .and_then(|r| crate::read::records::lines(b, r))
                .map(|l| Box::new(l) as Box<dyn Read + 'r>),
            None => reader.map(|r| Box::new(r) as Box<dyn Read + 'r>),
        };
        self.out
            .send(Msg::Begin(display.to_string(), format.name().to_string()));
        let tz = self.cfg.tz_for(display);
        let offset = self.cfg.offset_for(display);
        let ctx = TimeContext::new(tz, self.reference);
        let query = self.query;
        // Lifecycle, boot and overload events only matter inside the scan's span (a service's
        // return up to AFTERMATH after it): outside, a block needs only the quiet automaton.
        let busy = query.map(|q| (q.span.0 - QUIET_MARGIN, q.span.1 + q.after + QUIET_MARGIN));
        let side = move |line: &[u8]| -> Option<lines::Side> {
            let (from, to) = busy?;
            let t = format.line_time(line, &ctx)?;
            let t = offset.map_or(t, |o| t - o);
            Some(if t < from {
                lines::Side::Less
            } else if t > to {
                lines::Side::Greater
            } else {
                lines::Side::Equal
            })
        };
        let filter = self
            .prefilter
            .filter(|_| format.prefilterable())
            .and_then(|p| p.for_format(format))
            .map(|(main, quiet)| lines::Filter {
                main,
                quiet: quiet.map(|q| (q, &side as lines::SideOf<'_>)),
            });
        let mut stats = SourceStats {
            display: display.to_string(),
            format: format.name().to_string(),
            tz: Some(tz.name().to_string()),
            offset,
            detection,
            ..Default::default()
        };
        let mut events = Vec::new();
        let mut hosts = BTreeSet::new();
        let mut observers = std::collections::BTreeMap::new();
        let mut parsed = 0u64;
        let mut malformed = 0u64;
        let mut produced = 0u64;
        // The span is the earliest and latest time seen, not the first and last line's: collector
        // files and relays are not in time order.
        let mut span: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        let correct = |t: DateTime<Utc>| offset.map_or(t, |o| t - o);
        let mut parser = format.parser();
        let mut on_event =
            |n: u64,
             line: &[u8],
             record: Option<(u64, &[u8])>,
             r: Result<Option<portmortem_parsers::Event>, _>| match r {
                Ok(Some(mut ev)) => {
                    parsed += 1;
                    produced += 1;
                    *observers.entry(ev.observer).or_insert(0u64) += 1;
                    ev.time = correct(ev.time);
                    ev.canonicalize_addresses();
                    span = Some(span.map_or((ev.time, ev.time), |(a, b)| {
                        (a.min(ev.time), b.max(ev.time))
                    }));
                    if hosts.len() < HOSTS_CAP
                        && let Some(h) = &ev.host
                    {
                        hosts.insert(h.clone());
                    }
                    if query.is_none_or(|q| q.keep(&ev)) {
                        // A record that spans lines is cited by its first line and whole text.
                        let (line_no, text) = match record {
                            Some((back, text)) => (n.saturating_sub(back), text),
                            None => (n, line),
                        };
                        events.push(LocatedEvent {
                            source: 0,
                            line: line_no,
                            event: ev,
                            // Evidence text is for reports; the events command (no query) prints none.
                            text: if query.is_some() {
                                clean_text(&text[..text.len().min(TEXT_CAP)])
                            } else {
                                String::new()
                            },
                        });
                        if self.early && events.len() >= EARLY_BATCH {
                            self.out.send(Msg::Events(std::mem::take(&mut events)));
                        }
                    }
                }
                Ok(None) => parsed += 1,
                Err(_) => malformed += 1,
            };
        let on_line = |n: u64, line: &[u8]| {
            let r = parser.parse(line, &ctx);
            on_event(n, line, parser.record(), r);
            // A line that completed several records (a one-line JSON array, XML back to back).
            while let Some(r) = parser.more() {
                on_event(n, line, parser.record(), r);
            }
        };
        let (c, err) = match reader {
            Ok(r) => lines::scan(
                Stoppable {
                    inner: r,
                    stop: self.stop,
                },
                range,
                filter,
                on_line,
            ),
            Err(e) => (lines::ScanCounts::default(), Some(e)),
        };
        stats.lines = c.lines;
        stats.malformed = malformed + c.overlong;
        stats.parsed = parsed;
        stats.ignored = c.lines - c.selected - c.overlong;
        let ends = [&c.first_line, &c.last_line]
            .into_iter()
            .filter_map(|l| format.line_time(l, &ctx).map(correct))
            .chain(span.into_iter().flat_map(|(a, b)| [a, b]));
        for t in ends {
            stats.first_time = Some(stats.first_time.map_or(t, |f| f.min(t)));
            stats.last_time = Some(stats.last_time.map_or(t, |l| l.max(t)));
        }
        for l in [&c.first_line, &c.last_line] {
            if let Some(h) = format.line_host(l) {
                hosts.insert(h);
            }
        }
        stats.error = err.map(|e| e.to_string());
        stats.events = produced;
        stats.hostnames = hosts;
        stats.observers = observers;
        self.out.send(Msg::End(Box::new(Part { stats, events })));
    }

    /// A part with no events to read (a scan report or unreadable input listed as a source).
    fn listed(&self, stats: SourceStats) {
        self.out
            .send(Msg::Begin(stats.display.clone(), stats.format.clone()));
        self.out.send(Msg::End(Box::new(Part {
            stats,
            events: Vec::new(),
        })));
    }

    /// Every regular member of a tar archive as a source of its own (`archive.tar.gz!member`),
    /// sniffed (and decompressed) like a file. Stops between members once the sink stopped.
    fn archive(&self, input: &SourceInput, pb: &ProgressBar) {
        let result = archive::for_each_member(input, pb, |name, head, rest| {
            if self.stop.load(Ordering::Relaxed) {
                return ControlFlow::Break(());
            }
            let display = format!("{}!{}", input.display, name);
            let forced = first_match(&self.cfg.format_of, &display).map(|r| r.value);
            match sniff(head, forced) {
                Kind::Log(format, d) => self.stream(
                    &display,
                    format,
                    Ok(head.chain(rest)),
                    Range::WHOLE,
                    d.map(|d| d.reason),
                ),
                // The archive reader skips the rest of the member. Scan reports in archives are
                // read before the logs (when no scan is given outside); here they are only listed.
                kind => self.listed(SourceStats {
                    display,
                    format: match &kind {
                        Kind::Scan(f) => f.name().into(),
                        _ => "unrecognised".into(),
                    },
                    detection: match kind {
                        Kind::Unrecognised(why) => Some(why),
                        _ => None,
                    },
                    ..Default::default()
                }),
            }
            ControlFlow::Continue(())
        });
        if let Err(e) = result {
            // The archive itself broke (truncated, not a tar after all): say so as its own source.
            self.listed(SourceStats {
                display: input.display.clone(),
                format: "tar".into(),
                error: Some(e.to_string()),
                ..Default::default()
            });
        }
    }
}

fn run_task(task: &Task, src: &LogSource<'_>, r: &Reading<'_>, pb: &ProgressBar) {
    let input = src.input;
    let Some(format) = src.format else {
        return r.archive(input, pb);
    };
    let detection = if task.chunk == 0 {
        src.detection.clone()
    } else {
        None
    };
    match (task.len, task.start) {
        (None, _) => r.stream(
            &input.display,
            format,
            input.open_progress(pb),
            Range::WHOLE,
            detection,
        ),
        // Chunks read on to the end of the file: the line holding a chunk's last byte is theirs to
        // finish (lines belong to the chunk they start in).
        (Some(len), 0) => r.stream(
            &input.display,
            format,
            input.open_range(0, input.size, pb),
            Range {
                skip_first_partial: false,
                limit: Some(len),
            },
            detection,
        ),
        // Open one byte early to see whether the chunk starts on a line boundary.
        (Some(len), start) => r.stream(
            &input.display,
            format,
            input.open_range(start - 1, input.size.saturating_sub(start - 1), pb),
            Range {
                skip_first_partial: true,
                limit: Some(len + 1),
            },
            detection,
        ),
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
    let mut events = Vec::new();
    let stats = run_with(sources, cfg, reference, query, None, |_, mut e| {
        events.append(&mut e);
        ControlFlow::Continue(())
    });
    events.sort_by_key(|a| (a.event.time, a.source, a.line));
    (stats, events)
}

/// Streaming: plain files are cut into chunks this small and only `threads` tasks run at a time,
/// so that at most a few chunks' events are held (every line may be an event without a query).
pub const STREAM_CHUNK: u64 = 8 * 1024 * 1024;

/// Read all log sources, handing their events to `sink` in (source, line) order as soon as every
/// earlier source's are handed over (ripgrep's `Sink` is the model). The sink may stop the run
/// (`ControlFlow::Break`, e.g. a closed pipe): readers then stop at their next buffer and no
/// further task starts. With `stream`, at most that many tasks run ahead of the oldest one not
/// yet delivered, over [`STREAM_CHUNK`] chunks, and events are handed over in batches while a
/// part is read, so that only a few batches are ever held (the `events` command); without, all
/// tasks may run at once.
pub fn run_with(
    sources: &[LogSource<'_>],
    cfg: &InputConfig,
    reference: impl Fn(&SourceInput) -> DateTime<Utc> + Sync,
    query: Option<&Query>,
    stream: Option<usize>,
    mut sink: impl FnMut(&SourceStats, Vec<LocatedEvent>) -> ControlFlow<()>,
) -> Vec<SourceStats> {
    let filter = query.and_then(Query::prefilter);
    let chunk_bytes = if stream.is_some() {
        STREAM_CHUNK
    } else {
        CHUNK
    };
    let mut tasks = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        if s.format.is_some_and(|f| !f.is_stateful())
            && s.input.compression == Compression::None
            && s.input.size > chunk_bytes
        {
            let mut start = 0;
            let mut chunk = 0;
            while start < s.input.size {
                let len = chunk_bytes.min(s.input.size - start);
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
                "{spinner} reading logs {wide_bar} {binary_bytes}/{binary_total_bytes} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb
    } else {
        ProgressBar::hidden()
    };
    let stop = AtomicBool::new(false);
    // Tasks delivered so far, for the run-ahead window.
    let delivered = (Mutex::new(0usize), Condvar::new());
    let window = stream.map_or(usize::MAX, |n| n.max(1));
    let (tx, rx) = mpsc::channel::<(usize, Msg)>();
    let mut stats: Vec<SourceStats> = Vec::with_capacity(sources.len());
    std::thread::scope(|ts| {
        let (tasks, filter, pb, stop, delivered, reference) =
            (&tasks, &filter, &pb, &stop, &delivered, &reference);
        ts.spawn(move || {
            rayon::scope_fifo(|s| {
                for (k, t) in tasks.iter().enumerate() {
                    let out = Outbox {
                        task: k,
                        tx: tx.clone(),
                    };
                    s.spawn_fifo(move |_| {
                        // Wait until the task is within the window (the oldest undelivered task
                        // always is, so this cannot deadlock).
                        let (lock, cv) = delivered;
                        let mut done = lock.lock().unwrap_or_else(|e| e.into_inner());
                        while k >= done.saturating_add(window) && !stop.load(Ordering::Relaxed) {
                            done = cv.wait(done).unwrap_or_else(|e| e.into_inner());
                        }
                        drop(done);
                        if !stop.load(Ordering::Relaxed) {
                            let src = &sources[t.source];
                            let reading = Reading {
                                cfg,
                                reference: reference(src.input),
                                query,
                                prefilter: filter.as_ref(),
                                out: out.clone(),
                                stop,
                                early: stream.is_some(),
                            };
                            run_task(t, src, &reading, pb);
                        }
                        out.send(Msg::Done);
                    });
                }
            });
            drop(tx);
        });
        // Deliver in task order: messages of later tasks wait here until their turn.
        let mut pending: std::collections::BTreeMap<usize, std::collections::VecDeque<Msg>> =
            Default::default();
        let mut next = 0usize;
        let mut line_base = 0u64;
        let mut stopped = false;
        let mut deliver = |k: usize, m: Msg, stats: &mut Vec<SourceStats>| -> bool {
            let chunk = tasks[k].chunk;
            match m {
                Msg::Begin(display, format) => {
                    if chunk == 0 {
                        line_base = 0;
                        stats.push(SourceStats {
                            display,
                            format,
                            ..Default::default()
                        });
                    }
                }
                Msg::Events(mut events) => {
                    if !hand_over(stats, &mut events, line_base, &mut sink) {
                        return false;
                    }
                }
                Msg::End(mut part) => {
                    let source = stats.len() - 1;
                    if chunk == 0 {
                        stats[source] = part.stats.clone();
                    } else {
                        merge(&mut stats[source], &part.stats);
                    }
                    let ok = hand_over(stats, &mut part.events, line_base, &mut sink);
                    line_base += part.stats.lines;
                    if !ok {
                        return false;
                    }
                }
                Msg::Done => {}
            }
            true
        };
        for (k, m) in rx.iter() {
            if stopped {
                continue;
            }
            pending.entry(k).or_default().push_back(m);
            // Hand over everything that is now in order.
            while let Some(q) = pending.get_mut(&next) {
                let Some(m) = q.pop_front() else { break };
                let done = matches!(m, Msg::Done);
                if !deliver(next, m, &mut stats) {
                    stopped = true;
                    stop.store(true, Ordering::Relaxed);
                    delivered.1.notify_all();
                    break;
                }
                if done {
                    pending.remove(&next);
                    next += 1;
                    let (lock, cv) = &delivered;
                    *lock.lock().unwrap_or_else(|e| e.into_inner()) = next;
                    cv.notify_all();
                }
            }
        }
    });
    pb.finish_and_clear();
    stats
}

/// Give a batch of the current source's events to the sink, numbered within their source. `false`
/// when the sink stopped.
fn hand_over(
    stats: &[SourceStats],
    events: &mut Vec<LocatedEvent>,
    line_base: u64,
    sink: &mut impl FnMut(&SourceStats, Vec<LocatedEvent>) -> ControlFlow<()>,
) -> bool {
    let source = stats.len() - 1;
    for e in events.iter_mut() {
        e.line += line_base;
        e.source = source;
    }
    sink(&stats[source], std::mem::take(events)).is_continue()
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
    for (k, n) in &o.observers {
        *into.observers.entry(k).or_insert(0) += n;
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use chrono::TimeZone;
    use portmortem_parsers::EventKind;

    use super::*;

    /// The syslog family's prefilter words, as the registry lists them.
    fn keywords() -> AhoCorasick {
        let words = portmortem_parsers::syslog::FORMAT.words();
        AhoCorasick::new(
            words
                .iter()
                .flat_map(|w| w.near_scan.iter().chain(w.always)),
        )
        .unwrap()
    }

    /// Lines the syslog parser turns into a non-network event must pass the keyword prefilter.
    fn check_file(path: &Path, ac: &AhoCorasick, ctx: &TimeContext) -> usize {
        let Ok(data) = std::fs::read(path) else {
            return 0;
        };
        let mut checked = 0;
        for line in data.split(|&b| b == b'\n') {
            let Ok(Some(ev)) = portmortem_parsers::syslog::parse_line(line, ctx) else {
                continue;
            };
            if matches!(
                ev.kind,
                EventKind::Lifecycle(_)
                    | EventKind::Listening(_)
                    | EventKind::Shutdown(_)
                    | EventKind::Boot(_)
                    | EventKind::Overload(_)
            ) {
                checked += 1;
                assert!(
                    ac.is_match(line),
                    "{}: the prefilter would skip an event line: {}",
                    path.display(),
                    String::from_utf8_lossy(line)
                );
            }
        }
        checked
    }

    #[test]
    fn keywords_cover_every_non_network_event_line() {
        let ac = keywords();
        let ctx = TimeContext::utc(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap());
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for f in ["app01/syslog", "web01/kern.log", "mail01/maillog"] {
            checked += check_file(&root.join("samples/nov20-webfarm").join(f), &ac, &ctx);
        }
        assert!(checked >= 15, "sample lines checked: {checked}");
        // Wordings the sample does not show.
        let lines = [
            "Nov 20 02:00:00 h systemd[1]: nginx.service: Main process exited, code=dumped, status=11/SEGV",
            "Nov 20 02:00:00 h systemd[1]: nginx.service: Scheduled restart job, restart counter is at 1.",
            "Nov 20 02:00:00 h systemd[1]: nginx.service: Succeeded.",
            "Nov 20 02:00:00 h systemd[1]: Failed to start nginx.service - A high performance web server and a reverse proxy server.",
            "Nov 20 02:00:00 h systemd[1]: nginx.service: Start request repeated too quickly.",
            "Nov 20 02:00:00 h systemd-logind[1]: System is rebooting.",
            "Nov 20 02:00:00 h systemd-logind[1]: System is powering down.",
            "Nov 20 02:00:00 h systemd[1]: Reached target reboot.target - System Reboot.",
            "Nov 20 02:00:00 h systemd-shutdown[1]: Syncing filesystems and block devices.",
            "Nov 20 02:00:00 h systemd-shutdown[1]: Sending SIGTERM to remaining processes...",
            "Nov 20 02:00:00 h kernel: [ 1.0] reboot: Restarting system",
            "Nov 20 02:00:00 h kernel: [ 1.0] reboot: Power down",
            "Nov 20 02:00:00 h kernel: [ 0.0] Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org)",
            "Nov 20 02:00:00 h kernel: [ 1.0] Out of memory: Killed process 1234 (mysqld) total-vm:2000kB",
            "Nov 20 02:00:00 h kernel: [ 1.0] Memory cgroup out of memory: Killed process 99 (java)",
            "Nov 20 02:00:00 h kernel: [ 1.0] nginx[1234]: segfault at 0 ip 00007f sp 00007ffd error 4 in libc.so.6[7f+1000]",
            "Nov 20 02:00:00 h kernel: [ 1.0] TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.  Check SNMP counters.",
            "Nov 20 02:00:00 h kernel: [ 1.0] nf_conntrack: table full, dropping packet",
            "Nov 20 02:00:00 h sshd[812]: Server listening on 0.0.0.0 port 22.",
            "Nov 20 02:00:00 h sshd[812]: Received signal 15; terminating.",
            "Nov 20 02:00:00 h apache2[1]: [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.57 (Debian) configured -- resuming normal operations",
            "Nov 20 02:00:00 h apache2[1]: [mpm_event:notice] [pid 1:tid 1] AH00491: caught SIGTERM, shutting down",
            "Nov 20 02:00:00 h mysqld[1]: 2026-11-20T02:00:00.000000Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 8.0.40)  (Ubuntu).",
            "Nov 20 02:00:00 h postgres[1]: [3-1] LOG:  database system is ready to accept connections",
            "Nov 20 02:00:00 h postgres[1]: LOG:  listening on IPv4 address \"0.0.0.0\", port 5432",
            "Nov 20 02:00:00 h postgres[1]: LOG:  received fast shutdown request",
            "Nov 20 02:00:00 h postgres[1]: LOG:  database system is shut down",
        ];
        let mut events = 0;
        for l in lines {
            let ev = portmortem_parsers::syslog::parse_line(l.as_bytes(), &ctx);
            assert!(matches!(ev, Ok(Some(_))), "not an event: {l}: {ev:?}");
            events += 1;
            assert!(ac.is_match(l), "the prefilter would skip: {l}");
        }
        assert_eq!(events, lines.len());
        // The shared real-world corpus, when present.
        let rw = std::env::var_os("PORTMORTEM_REALWORLD_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("../shared/realworld"));
        if !rw.is_dir() {
            eprintln!("realworld corpus not present, skipping");
            return;
        }
        let mut rw_checked = 0;
        for entry in walkdir::WalkDir::new(rw.join("logs")).sort_by_file_name() {
            let Ok(e) = entry else { continue };
            if e.file_type().is_file() {
                rw_checked += check_file(e.path(), &ac, &ctx);
            }
        }
        assert!(
            rw_checked > 500,
            "real-world event lines checked: {rw_checked}"
        );
    }

    #[test]
    fn address_patterns_spell_ipv6_both_ways() {
        let n: IpNet = "2001:db8::5/128".parse().unwrap();
        let p = address_patterns(&n).unwrap();
        assert!(p.contains(&"2001:db8::5".to_string()));
        assert!(p.contains(&"2001:0db8:0000:0000:0000:0000:0000:0005".to_string()));
        assert!(p.contains(&"2001:0DB8:0000:0000:0000:0000:0000:0005".to_string()));
        let n: IpNet = "203.0.113.5/32".parse().unwrap();
        assert_eq!(
            address_patterns(&n).unwrap(),
            vec!["203.0.113.5".to_string()]
        );
        let n: IpNet = "10.1.0.0/16".parse().unwrap();
        assert_eq!(address_patterns(&n).unwrap(), vec!["10.1.".to_string()]);
        assert!(address_patterns(&"2001:db8::/32".parse().unwrap()).is_none());
    }
}
