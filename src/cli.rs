//! Command-line definitions (clap). Parsed once, then turned into a plain [`crate::config::Config`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "portmortem",
    version,
    about = "Explain why ports a vulnerability scan saw open went closed or unresponsive",
    long_about = "portmortem reads a scan report (Nessus plugin 10919 \"Open Port Re-check\") and the \
firewall, IDS and syslog files of the scanned hosts, aligns their events with the scan's times and \
scanner IP, and explains every affected port as blocked, service_restart or unexplained, with the \
evidence lines, advice, and (opt-in) targeted re-probes."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain every port the scan saw open and then closed or unresponsive.
    Analyze(Box<AnalyzeArgs>),
    /// Print the normalized events of log files as JSON lines (file, line, time, format, event).
    Events(EventsArgs),
    /// Re-run the re-probes of a saved JSON report and print the updated report.
    Reprobe(ReprobeArgs),
    /// List the formats portmortem reads, with an example line each.
    Formats,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on standard output: portmortem(1), or portmortem-COMMAND(1).
    Man {
        /// A command (`analyze`, `events`, `reprobe`, …) for its own page.
        command: Option<String>,
    },
    /// Follow the logs while a scan runs and alert as soon as the scanner is blocked or a
    /// target's service or host goes down.
    Watch(Box<WatchArgs>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WatchFormat {
    /// One alert a line for a terminal, with advice.
    Text,
    /// One JSON object a line: time, host, port, kind, cause, file, line, text, advice.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The scan's report or policy export (any scan format; re-read as it grows or is replaced):
    /// its hosts are the targets, its ports the scanned ports, its scanner the scanner.
    #[arg(long, value_name = "FILE", conflicts_with = "target")]
    pub scan: Option<PathBuf>,
    /// The targets, without a scan file (IP or name, comma-separated).
    #[arg(long, value_name = "HOST[,HOST]", value_delimiter = ',')]
    pub target: Vec<String>,
    /// The scanned ports (`22,443,8000-8010`); default: those of the scan file, else any.
    #[arg(long, value_name = "LIST")]
    pub ports: Option<String>,
    /// Scanner address or network (repeatable); added to those the scan names.
    #[arg(long = "scanner-ip", value_name = "IP|CIDR")]
    pub scanner_ip: Vec<String>,
    /// Zone of zone-less scan times.
    #[arg(
        long = "scan-tz",
        default_value = "UTC",
        value_name = "ZONE",
        allow_hyphen_values = true
    )]
    pub scan_tz: String,
    /// Stop after this long (`90s`, `2h`); default: until SIGINT or SIGTERM.
    #[arg(long = "for", value_name = "DUR")]
    pub for_: Option<String>,
    /// Alert format.
    #[arg(long, value_enum, default_value_t = WatchFormat::Text)]
    pub format: WatchFormat,
    /// Run `sh -c CMD` for every alert, the alert's JSON on its standard input (pager, chat hook).
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Exit 1 at the end when an alert of this verdict was raised.
    #[arg(long = "fail-on", value_enum, value_name = "VERDICT")]
    pub fail_on: Option<FailOn>,
    /// How often files are checked when no change notification arrives.
    #[arg(long, default_value = "250ms", value_name = "DUR")]
    pub poll: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    /// One port a line, with ECS-style fields for SIEM ingestion.
    Jsonl,
    Csv,
    Markdown,
    /// A self-contained page with a timeline per host.
    Html,
    /// DefectDojo "Generic Findings Import" JSON: one finding per port.
    Defectdojo,
}

impl OutputFormat {
    /// The format an output file's extension names (`.json`, `.jsonl`, `.csv`, `.md`, `.html`,
    /// `.txt`); `None` for any other.
    pub fn from_extension(path: &std::path::Path) -> Option<OutputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "json" => OutputFormat::Json,
            "jsonl" | "ndjson" => OutputFormat::Jsonl,
            "csv" => OutputFormat::Csv,
            "md" | "markdown" => OutputFormat::Markdown,
            "html" | "htm" => OutputFormat::Html,
            "txt" | "text" => OutputFormat::Text,
            _ => return None,
        })
    }
}

/// When the text report is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal without `NO_COLOR`.
    Auto,
    Always,
    Never,
}

/// How inputs are fingerprinted in the report's provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DigestChoice {
    /// BLAKE3 (what `b3sum` checks): all cores on each file; the default, as it keeps a run over
    /// gigabytes of logs close to the time of reading them.
    Blake3,
    /// SHA-256 (what `sha256sum` checks): one core per file, about 1.4 GB/s with SHA-NI, so a
    /// 1 GB log adds about 0.8 s.
    Sha256,
    /// No digest (sizes only): the fastest run, a report that cannot prove its inputs.
    None,
}

/// How the report is written: shared by `analyze` and `reprobe`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report format (default: from the --output extension, else text).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write the report to FILE instead of standard output; `.json .jsonl .csv .md .html` choose
    /// the format when --format is not given.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour in the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// Re-probe limits: shared by `analyze --reprobe` and `reprobe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Re-probe connect timeout (default: 2 × the scan's checks_read_timeout, else 10s).
    #[arg(long = "probe-timeout", value_name = "DUR")]
    pub probe_timeout: Option<String>,
    /// Re-probes in flight at once.
    #[arg(long = "probe-concurrency", default_value_t = 8, value_name = "N")]
    pub probe_concurrency: usize,
    /// Re-probes started per second.
    #[arg(long = "probe-rate", default_value = "20", value_name = "N/s")]
    pub probe_rate: String,
    /// Most host:port pairs one run probes; a run with more refuses before the first connect.
    #[arg(long = "probe-max", default_value_t = 64, value_name = "N")]
    pub probe_max: usize,
}

#[derive(Debug, Args)]
pub struct ReprobeArgs {
    /// A report written by `analyze --format json`.
    #[arg(value_name = "REPORT.json")]
    pub report: PathBuf,
    #[command(flatten)]
    pub probe: ProbeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Quiet: no plan or warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// How a manually given port looked when it was found gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManualState {
    /// Refused fast (RST, reject, nothing listening).
    Closed,
    /// No answer (timeout).
    Unresponsive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Unexplained,
    Blocked,
    #[value(name = "service_restart", alias = "service-restart")]
    ServiceRestart,
    Any,
}

/// Options shared by `analyze` and `events`: inputs and how to read their times.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files or directories (recursive) to read; `-` reads standard input. `.gz` is decompressed.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Zone of zone-less log timestamps: an IANA name (Europe/Berlin) or a fixed whole-hour offset
    /// (+01:00, -0500, UTC+1).
    #[arg(
        long,
        default_value = "UTC",
        value_name = "ZONE",
        allow_hyphen_values = true
    )]
    pub tz: String,
    /// Zone for the sources matching GLOB (repeatable): `--source-tz 'fw*/*.log=America/New_York'`.
    #[arg(long = "source-tz", value_name = "GLOB=ZONE")]
    pub source_tz: Vec<String>,
    /// Clock offset of the sources matching GLOB: their clock minus true time (`fw.log=+6m`).
    #[arg(long, value_name = "GLOB=DUR", allow_hyphen_values = true)]
    pub offset: Vec<String>,
    /// Force the format of the sources matching GLOB (a name from `portmortem formats`).
    #[arg(long = "format-of", value_name = "GLOB=FORMAT")]
    pub format_of: Vec<String>,
    /// TOML file: port↔service map, host aliases, per-source host/zone/offset.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Quiet: no warnings on stderr (not with -v).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Verbose: per-source details on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Scan report(s) (repeatable: a series of scans of the same targets, ordered by their start
    /// time; any mix of formats); default: auto-detected among PATHS.
    #[arg(long, value_name = "FILE")]
    pub scan: Vec<PathBuf>,
    /// The earlier scan (any scan format) to compare the rescan (--scan or PATHS) with: every port
    /// open in it and closed or filtered in the rescan is explained.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Manual case, no scan file: the host(s) whose ports went away (IP or name, comma-separated).
    #[arg(
        long,
        value_name = "HOST[,HOST]",
        value_delimiter = ',',
        requires_all = ["ports", "window"],
        conflicts_with_all = ["scan", "baseline"]
    )]
    pub target: Vec<String>,
    /// Manual case: the ports that went away (`22,443`, `8000-8010`, `53/udp`, `T:22,U:53`).
    #[arg(long, value_name = "LIST", requires = "target")]
    pub ports: Option<String>,
    /// Manual case: when they were last seen open and seen gone (`START..END`, RFC 3339 or
    /// `2026-11-20 02:00`; zone-less times in --scan-tz).
    #[arg(long, value_name = "START..END", requires = "target")]
    pub window: Option<String>,
    /// Manual case: how the ports looked when seen gone.
    #[arg(long, value_enum, default_value_t = ManualState::Unresponsive, requires = "target")]
    pub state: ManualState,
    /// Scanner address or network (repeatable); added to the scanner IPs the scan names.
    #[arg(long = "scanner-ip", value_name = "IP|CIDR")]
    pub scanner_ip: Vec<String>,
    /// Zone of zone-less scan times (the scan's ctime strings): IANA name or fixed offset.
    #[arg(
        long = "scan-tz",
        default_value = "UTC",
        value_name = "ZONE",
        allow_hyphen_values = true
    )]
    pub scan_tz: String,
    /// Estimate each source's clock offset from the scan's own host times (the scanner's traffic
    /// falls inside each host's scan) and apply it where enough connections support it.
    #[arg(long = "auto-skew")]
    pub auto_skew: bool,
    /// Slack around each port's window (`90s`, `5m`, `1h30m`; bare number = seconds).
    #[arg(
        long,
        default_value = "5m",
        value_name = "DUR",
        allow_hyphen_values = true
    )]
    pub slack: String,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Digest of every input in the report's provenance.
    #[arg(long, value_enum, default_value_t = DigestChoice::Blake3, value_name = "ALGO")]
    pub digest: DigestChoice,
    /// Re-probe the affected host:port pairs with a TCP connect (opt-in; touches the network).
    #[arg(long)]
    pub reprobe: bool,
    #[command(flatten)]
    pub probe: ProbeArgs,
    /// Exit 1 when a port has this verdict.
    #[arg(long = "fail-on", value_enum, value_name = "VERDICT")]
    pub fail_on: Option<FailOn>,
    /// Treat unreadable inputs as fatal (exit 2 before any report).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Reference instant for year-less timestamps (RFC 3339); default: each file's modification time.
    #[arg(long, value_name = "TIME")]
    pub reference: Option<String>,
}
