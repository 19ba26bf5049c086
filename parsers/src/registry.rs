//! The format registry: one [`LogSpec`] per log format, exported by the format's own module and
//! listed once in [`LogFormat::ALL`]. Everything that depends on a format — detection, parsing,
//! cheap time/host sampling, the prefilter's words, `portmortem formats`, fuzz targets, the README
//! table — reads it from here; nothing outside a format's module matches on formats.
//!
//! Adding a format: write its module (parser, `detect`, `line_time`, `line_host`, words), export a
//! `pub const FORMAT: LogFormat = LogFormat::new(&LogSpec { … })`, add it to [`LogFormat::ALL`]
//! and test it. Syslog-framed vendor payloads are one level down: see [`crate::syslog::payload`].

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{Event, ParseError, TimeContext};

/// How strongly one line says "I am this format".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Score {
    /// Not this format.
    No,
    /// The format's framing fits, nothing more (a syslog header with a tag, a logrus line).
    Frames,
    /// Content only this format writes (a fail2ban `fail2ban.actions` line, a `%ASA-` message).
    Claims,
    /// This line alone decides the file (a Zeek `#fields … conn_state` header).
    Decides,
}

/// A parser for one source, fed its lines in order.
pub trait LineParser: Send {
    /// `Ok(None)`: a well-framed line that is not an event we care about; `Err`: the line fails
    /// the format's framing (counted as malformed).
    fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError>;

    /// Further results of the line just parsed, when it completed several records (a one-line
    /// JSON array of events, XML records written back to back); called until `None`.
    fn more(&mut self) -> Option<Result<Option<Event>, ParseError>> {
        None
    }

    /// For a record that spans lines: how many lines before the line just parsed it started
    /// (0: on that line) and its whole text, for evidence. `None`: the line is the record.
    fn record(&self) -> Option<(u64, &[u8])> {
        None
    }
}

/// A format whose lines are independent: a plain function.
pub type LineFn = fn(&[u8], &TimeContext) -> Result<Option<Event>, ParseError>;

struct Stateless(&'static LogSpec, LineFn);

impl LineParser for Stateless {
    fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        parse_independent(self.0, self.1, line, ctx)
    }
}

/// A line of a line-independent format: blank lines and `#` comments (test corpora, hand-edited
/// excerpts) are no events, not malformed lines; syslog relays mixed into the file are read as
/// syslog where the format says they occur.
fn parse_independent(
    spec: &LogSpec,
    f: LineFn,
    line: &[u8],
    ctx: &TimeContext,
) -> Result<Option<Event>, ParseError> {
    let t = line.trim_ascii_start();
    if t.is_empty() || t.starts_with(b"#") {
        return Ok(None);
    }
    match f(line, ctx) {
        Err(e) if spec.syslog_mixed_in => crate::syslog::parse_line(line, ctx).map_err(|_| e),
        r => r,
    }
}

/// How a source is parsed.
#[derive(Clone, Copy)]
pub enum Parse {
    /// Every line on its own: sources may be read in parallel chunks.
    Lines(LineFn),
    /// Header-driven (Zeek `#fields`): one parser per source, fed the whole source in order.
    Stateful(fn() -> Box<dyn LineParser>),
}

/// What the prefilter must let through for a format. A line with a scanner address always passes;
/// these are the lines that matter without one.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    /// Words (case-sensitive, as written) of event lines that name no scanner address: lifecycle,
    /// shutdown, boot, overload. Only needed near the scan's time span.
    pub near_scan: &'static [&'static str],
    /// Words of lines that matter whenever they were logged (a service announcing its port at
    /// start-up, days before the scan).
    pub always: &'static [&'static str],
}

impl Words {
    pub const NONE: Words = Words {
        near_scan: &[],
        always: &[],
    };
}

/// One log format.
pub struct LogSpec {
    /// The name in reports, `--format-of` and `formats` (`syslog`, `zeek_conn`).
    pub name: &'static str,
    /// Other names `--format-of` accepts.
    pub aliases: &'static [&'static str],
    /// What the format is and what is read from it, for `portmortem formats` and the README.
    pub description: &'static str,
    /// One real-looking line that yields an event (a test parses and detects it).
    pub example: &'static str,
    /// How one sampled line scores (detection by content).
    pub detect: fn(&[u8]) -> Score,
    /// Accept a file on framing alone (no line that [`Score::Claims`])? True for generic
    /// framings whose every line may be worth reading (syslog), false where the framing is shared
    /// with others (logrus `time=… level=…` is CrowdSec's and many other Go daemons').
    pub framing_suffices: bool,
    pub parse: Parse,
    /// The time of a line, cheaply (coverage spans, time-range skipping).
    pub line_time: fn(&[u8], &TimeContext) -> Option<DateTime<Utc>>,
    /// The host a line names, cheaply.
    pub line_host: fn(&[u8]) -> Option<String>,
    /// The prefilter's words for this format, by payload (empty: every useful line names the
    /// scanner's address).
    pub words: &'static [Words],
    /// Lines (by prefix) a stateful parser must see even when they name no scanner (`#fields`).
    pub header_prefixes: &'static [&'static str],
    /// Lines of this format's files that are not its own may be syslog relays of the same program
    /// (fail2ban's log holds both): read those as syslog.
    pub syslog_mixed_in: bool,
    /// A record may span several lines (pretty-printed XML or JSON, CSV with quoted line breaks):
    /// every line must reach the parser, so the prefilter is off and the source is read whole.
    pub multiline: bool,
    /// A binary container (`.evtx`) recognised by its magic bytes and turned into one text line a
    /// record before the lines are read.
    pub binary: Option<&'static BinaryReader>,
}

/// How a binary log container is read: its magic bytes, and a walk over its records that renders
/// each as one line of text (or says why a record could not be read: a malformed line).
pub struct BinaryReader {
    /// The file starts with these bytes.
    pub magic: &'static [u8],
    /// Walk every record of a whole file, in file order; `Err` of the whole walk: the file is not
    /// readable at all (bad header). The callback may stop the walk.
    pub records: RecordWalk,
}

/// See [`BinaryReader::records`].
pub type RecordWalk = fn(
    Vec<u8>,
    &mut dyn FnMut(Result<Vec<u8>, String>) -> std::ops::ControlFlow<()>,
) -> Result<(), String>;

impl Score {
    /// `Claims` when the line is the format's own, else `No`.
    pub fn claims_if(own: bool) -> Score {
        if own { Score::Claims } else { Score::No }
    }
}

impl LogSpec {
    /// The defaults of a format whose every useful line names the scanner (ban tools, IDS, flow
    /// logs): no aliases, not accepted on framing alone, no host in its lines, no prefilter words
    /// or headers, no syslog mixed in. A spec sets at least name, description, example, detect,
    /// parse and line_time over this base (`..LogSpec::NETWORK`); the registry test checks that
    /// every example is detected and parsed.
    pub const NETWORK: LogSpec = LogSpec {
        name: "",
        aliases: &[],
        description: "",
        example: "",
        detect: |_| Score::No,
        framing_suffices: false,
        parse: Parse::Lines(|_, _| Ok(None)),
        line_time: |_, _| None,
        line_host: no_host,
        words: &[],
        header_prefixes: &[],
        syslog_mixed_in: false,
        multiline: false,
        binary: None,
    };
}

/// No host in this format's lines.
pub fn no_host(_: &[u8]) -> Option<String> {
    None
}

/// A handle on a registered format: cheap to copy, compared by name.
#[derive(Clone, Copy)]
pub struct LogFormat(&'static LogSpec);

impl LogFormat {
    pub const fn new(spec: &'static LogSpec) -> Self {
        LogFormat(spec)
    }

    /// Every log format, most specific first (ties in detection go to the earlier one).
    pub const ALL: &'static [LogFormat] = &[
        crate::ids::zeek::FORMAT,
        crate::ids::zeek_notice::FORMAT,
        crate::ids::suricata::FORMAT,
        crate::ids::snort_json::FORMAT,
        crate::siem::ecs::WAZUH,
        crate::siem::ecs::FORMAT,
        crate::ids::fastlog::FORMAT,
        crate::ids::alert_full::FORMAT,
        crate::cloud::aws_vpc::FORMAT,
        crate::firewall::winfw::FORMAT,
        crate::firewall::proxmox::FORMAT,
        crate::firewall::pf::FORMAT,
        crate::journald::FORMAT,
        crate::journald_export::FORMAT,
        crate::journald_monotonic::FORMAT,
        crate::windows::evtx::FORMAT,
        crate::windows::xml::FORMAT,
        crate::windows::json::FORMAT,
        crate::windows::csv::FORMAT,
        crate::daemonlog::nginx::FORMAT,
        crate::daemonlog::apache::FORMAT,
        crate::daemonlog::mysql::FORMAT,
        crate::daemonlog::postgres::FORMAT,
        crate::daemonlog::redis::FORMAT,
        crate::daemonlog::tomcat::FORMAT,
        crate::ban::fail2ban::FORMAT,
        crate::ban::wazuh::FORMAT,
        crate::ban::crowdsec::FORMAT,
        crate::ban::crowdsec_json::FORMAT,
        crate::ban::portsentry::FORMAT,
        crate::syslog::ULOGD,
        crate::syslog::FORMAT,
    ];

    pub fn spec(self) -> &'static LogSpec {
        self.0
    }
    pub fn name(self) -> &'static str {
        self.0.name
    }
    pub fn describe(self) -> &'static str {
        self.0.description
    }
    pub fn example(self) -> &'static str {
        self.0.example
    }
    pub fn words(self) -> &'static [Words] {
        self.0.words
    }
    pub fn header_prefixes(self) -> &'static [&'static str] {
        self.0.header_prefixes
    }

    /// The format called `s` (its name or an alias).
    pub fn from_name(s: &str) -> Option<LogFormat> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.0.name == s || f.0.aliases.contains(&s))
    }

    /// Must sources of this format be read whole and in order (no parallel chunks)?
    pub fn is_stateful(self) -> bool {
        matches!(self.0.parse, Parse::Stateful(_)) || self.0.multiline || self.0.binary.is_some()
    }

    /// May the prefilter skip lines of this format? Not when a record spans lines.
    pub fn prefilterable(self) -> bool {
        !self.0.multiline
    }

    /// The binary container reader of this format, if its files are not text.
    pub fn binary(self) -> Option<&'static BinaryReader> {
        self.0.binary
    }

    /// A parser for one source of this format.
    pub fn parser(self) -> Box<dyn LineParser> {
        match self.0.parse {
            Parse::Lines(f) => Box::new(Stateless(self.0, f)),
            Parse::Stateful(new) => new(),
        }
    }

    pub fn line_time(self, line: &[u8], ctx: &TimeContext) -> Option<DateTime<Utc>> {
        (self.0.line_time)(line, ctx).or_else(|| {
            self.0
                .syslog_mixed_in
                .then(|| crate::syslog::line_time(line, ctx))
                .flatten()
        })
    }

    pub fn line_host(self, line: &[u8]) -> Option<String> {
        (self.0.line_host)(line)
    }
}

impl PartialEq for LogFormat {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}
impl Eq for LogFormat {}

impl std::hash::Hash for LogFormat {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.name.hash(state)
    }
}

impl std::fmt::Debug for LogFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl std::fmt::Display for LogFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Serialize for LogFormat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

/// Parse one line of `format` on its own (a stateful format sees it as its first line).
pub fn parse_line(
    format: LogFormat,
    line: &[u8],
    ctx: &TimeContext,
) -> Result<Option<Event>, ParseError> {
    match format.0.parse {
        Parse::Lines(f) => parse_independent(format.0, f, line, ctx),
        Parse::Stateful(new) => new().parse(line, ctx),
    }
}
