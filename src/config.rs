//! Plain run configuration, built once from the command line and the optional `--config` TOML file.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Duration;
use chrono_tz::Tz;
use globset::{Glob, GlobMatcher};
use ipnet::IpNet;
use portmortem_parsers::LogFormat;
use serde::Deserialize;

use clap::ValueEnum;

use crate::cli::{
    AnalyzeArgs, ColorChoice, DigestChoice, FailOn, InputArgs, OutputArgs, OutputFormat, ProbeArgs,
};

/// A per-source setting chosen by a glob over the source's display path.
#[derive(Debug, Clone)]
pub struct GlobRule<T> {
    matcher: GlobMatcher,
    pub value: T,
    /// Where the rule was given, for warnings (`--source-tz gw01/*=Europe/Berlin`).
    pub origin: String,
}

impl<T> GlobRule<T> {
    pub fn new(glob: &str, value: T) -> Result<Self> {
        let matcher = Glob::new(glob)
            .with_context(|| format!("invalid glob {glob:?}"))?
            .compile_matcher();
        Ok(Self {
            matcher,
            value,
            origin: glob.to_string(),
        })
    }

    /// Say where the rule came from (for the warning when it matches nothing).
    pub fn given_as(mut self, origin: String) -> Self {
        self.origin = origin;
        self
    }

    /// Matches the path as given, its file name alone (so `fw.log=+6m` works for `logs/fw.log`),
    /// and the same file named relative to the working directory or absolutely: `logs/*.log`,
    /// `./logs/*.log` and `/var/tmp/case/logs/*.log` all reach `/var/tmp/case/logs/fw.log` when
    /// run from `/var/tmp/case`.
    pub fn matches(&self, path: &str) -> bool {
        path_forms(path).iter().any(|p| self.matcher.is_match(p))
            || Path::new(path)
                .file_name()
                .is_some_and(|n| self.matcher.is_match(n))
    }
}

/// A source's display path as written, without `./`, absolute, and relative to the working
/// directory. Archive members (`a.tar.gz!member`) keep their member part.
fn path_forms(path: &str) -> Vec<String> {
    let mut v = vec![path.to_string(), path.trim_start_matches("./").to_string()];
    if let Ok(abs) = std::path::absolute(path) {
        let abs_s = abs.to_string_lossy().into_owned();
        if let Ok(cwd) = std::env::current_dir()
            && let Ok(rel) = abs.strip_prefix(&cwd)
        {
            v.push(rel.to_string_lossy().into_owned());
        }
        v.push(abs_s);
    }
    v.dedup();
    v
}

/// The rules of `rules` that match none of `displays`.
pub fn unmatched<'a, T>(rules: &'a [GlobRule<T>], displays: &[&str]) -> Vec<&'a GlobRule<T>> {
    rules
        .iter()
        .filter(|r| !displays.iter().any(|d| r.matches(d)))
        .collect()
}

/// First rule matching `path`, in command-line order.
pub fn first_match<'a, T>(rules: &'a [GlobRule<T>], path: &str) -> Option<&'a GlobRule<T>> {
    rules.iter().find(|r| r.matches(path))
}

/// What the reader needs to know about inputs and time.
#[derive(Debug, Clone)]
pub struct InputConfig {
    pub paths: Vec<PathBuf>,
    pub tz: Tz,
    pub source_tz: Vec<GlobRule<Tz>>,
    pub offsets: Vec<GlobRule<Duration>>,
    pub format_of: Vec<GlobRule<ForcedFormat>>,
    pub source_hosts: Vec<GlobRule<String>>,
    pub threads: Option<usize>,
    pub progress: bool,
    pub quiet: bool,
    pub verbose: bool,
}

/// A format forced with `--format-of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForcedFormat {
    Log(LogFormat),
    Scan(portmortem_parsers::scan::ScanFormat),
}

/// Everything `analyze` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub input: InputConfig,
    pub scans: Vec<PathBuf>,
    /// `--baseline`: the earlier report of a comparison.
    pub baseline: Option<PathBuf>,
    /// `--target/--ports/--window`.
    pub manual: Option<ManualCase>,
    pub auto_skew: bool,
    pub scanner_nets: Vec<IpNet>,
    pub scan_tz: Tz,
    pub slack: Duration,
    pub format: OutputFormat,
    /// Warnings about options: a format other than the output's name suggests, probe flags
    /// without `--reprobe`.
    pub notes: Vec<String>,
    pub output: Option<PathBuf>,
    pub color: ColorChoice,
    pub digest: DigestChoice,
    pub reprobe: Option<ReprobeConfig>,
    pub fail_on: Option<FailOn>,
    pub strict: bool,
    /// `host:port` or `port` → service (unit) name, from `--config [services]`.
    pub services: BTreeMap<String, String>,
    /// alias → scanned host (IP or name), from `--config [hosts]`.
    pub host_aliases: BTreeMap<String, String>,
    /// Address as logged → real address, from `--config [nat]`.
    pub nat: BTreeMap<IpAddr, IpAddr>,
}

/// A case given by hand (no scan file).
#[derive(Debug, Clone)]
pub struct ManualCase {
    pub targets: Vec<String>,
    pub ports: Vec<(u16, portmortem_parsers::Proto)>,
    pub window: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    pub state: portmortem_parsers::scan::ScanState,
}

/// `START..END` (also `START/END`, ISO 8601's interval form): RFC 3339, or zone-less
/// `YYYY-MM-DD[T ]HH:MM[:SS]` in `tz`.
pub fn parse_window(
    s: &str,
    tz: Tz,
) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> {
    let (a, b) = s
        .split_once("..")
        .or_else(|| s.split_once('/'))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--window expects START..END (e.g. 2026-11-20T02:00Z..2026-11-20T03:30Z), got {s:?}"
            )
        })?;
    let one = |t: &str| -> Result<chrono::DateTime<chrono::Utc>> {
        let t = t.trim();
        let ctx = portmortem_parsers::time::TimeContext::new(tz, chrono::Utc::now());
        portmortem_parsers::time::parse_iso8601(t, &ctx)
            .or_else(|| {
                ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
                    .iter()
                    .find_map(|f| chrono::NaiveDateTime::parse_from_str(t, f).ok())
                    .and_then(|n| ctx.local_to_utc(n))
            })
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--window: {t:?} is not a time (RFC 3339, or YYYY-MM-DD HH:MM in --scan-tz)"
                )
            })
    };
    let (start, end) = (one(a)?, one(b)?);
    if end < start {
        bail!("--window ends before it starts ({a} .. {b})");
    }
    Ok((start, end))
}

/// Re-probe limits.
#[derive(Debug, Clone)]
pub struct ReprobeConfig {
    pub timeout: Option<Duration>,
    pub concurrency: usize,
    pub rate_per_s: f64,
    /// `--probe-max`: more pairs than this and the run refuses.
    pub max: usize,
}

impl ReprobeConfig {
    pub fn from_args(a: &ProbeArgs) -> Result<Self> {
        let timeout = a
            .probe_timeout
            .as_deref()
            .map(parse_duration)
            .transpose()
            .context("--probe-timeout")?;
        if let Some(t) = timeout
            && (t <= Duration::zero() || t > Duration::seconds(300))
        {
            bail!(
                "--probe-timeout must be more than 0 and at most 5m (e.g. 500ms, 10s), got {:?}",
                a.probe_timeout.as_deref().unwrap_or_default()
            );
        }
        let rate = a.probe_rate.trim_end_matches("/s");
        let rate_per_s: f64 = rate
            .parse()
            .ok()
            .filter(|r: &f64| r.is_finite() && *r > 0.0 && *r <= 1000.0)
            .ok_or_else(|| anyhow::anyhow!("--probe-rate expects N/s with 0 < N ≤ 1000"))?;
        if a.probe_concurrency == 0 || a.probe_concurrency > 256 {
            bail!("--probe-concurrency must be between 1 and 256");
        }
        if a.probe_max == 0 {
            bail!("--probe-max must be at least 1");
        }
        Ok(ReprobeConfig {
            timeout,
            concurrency: a.probe_concurrency,
            rate_per_s,
            max: a.probe_max,
        })
    }
}

impl ProbeArgs {
    /// The probe flags given with other than their default values (`--probe-max, --probe-rate`).
    pub fn given(&self) -> Option<String> {
        let mut v = Vec::new();
        if self.probe_timeout.is_some() {
            v.push("--probe-timeout");
        }
        if self.probe_concurrency != 8 {
            v.push("--probe-concurrency");
        }
        if self.probe_rate != "20" {
            v.push("--probe-rate");
        }
        if self.probe_max != 64 {
            v.push("--probe-max");
        }
        (!v.is_empty()).then(|| v.join(", "))
    }
}

/// The report format: `--format`, else the `--output` file's extension, else text; and a warning
/// when the extension names another format than `--format`.
pub fn output_format(a: &OutputArgs) -> (OutputFormat, Option<String>) {
    let by_ext = a.output.as_deref().and_then(OutputFormat::from_extension);
    match (a.format, by_ext) {
        (Some(f), Some(e)) if f != e && f != OutputFormat::Defectdojo => (
            f,
            Some(format!(
                "--format {} writes {} although its extension suggests {}",
                f.to_possible_value()
                    .map_or_else(String::new, |v| v.get_name().to_string()),
                a.output
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                e.to_possible_value()
                    .map_or_else(String::new, |v| v.get_name().to_string()),
            )),
        ),
        (Some(f), _) => (f, None),
        (None, Some(e)) => (e, None),
        (None, None) => (OutputFormat::Text, None),
    }
}

/// `--config` TOML.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    services: BTreeMap<String, String>,
    #[serde(default)]
    hosts: BTreeMap<String, String>,
    #[serde(default)]
    sources: BTreeMap<String, SourceSettings>,
    /// Address as the logs show it (after NAT) = the real address (the scanner's, or a scanned
    /// host's).
    #[serde(default)]
    nat: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSettings {
    host: Option<String>,
    tz: Option<String>,
    offset: Option<String>,
    format: Option<String>,
}

/// Parse `90s`, `5m`, `1h30m`, `-6m`, `+360`, `1.5s`, `250ms`; a bare number is seconds (the one
/// duration reader, `portmortem_parsers::time::parse_duration`, which reads Go durations too).
pub fn parse_duration(s: &str) -> Result<Duration> {
    portmortem_parsers::time::parse_duration(s)
        .map_err(|e| anyhow::anyhow!("invalid duration {s:?}: {e}"))
}

pub fn parse_tz(s: &str) -> Result<Tz> {
    if let Some(tz) = fixed_offset(s)? {
        return Ok(tz);
    }
    s.parse::<Tz>().map_err(|e| {
        anyhow::anyhow!(
            "unknown time zone {s:?}: {e} (use an IANA name such as UTC or Europe/Berlin, or a fixed offset such as +01:00)"
        )
    })
}

/// A fixed offset (`+01:00`, `-0500`, `+3`, `UTC+1`, `GMT-03:00`, `Z`) as the `Etc/GMT∓N` zone it
/// is (POSIX signs: `Etc/GMT-1` is UTC+1). Whole hours only: the tz database has no fixed zones for
/// `+05:30`, for which the region's IANA name (Asia/Kolkata) is the answer. `Ok(None)`: not an
/// offset at all.
fn fixed_offset(s: &str) -> Result<Option<Tz>> {
    let t = s.trim();
    if t == "Z" {
        return Ok(Some(Tz::UTC));
    }
    let body = t
        .strip_prefix("UTC")
        .or_else(|| t.strip_prefix("GMT"))
        .unwrap_or(t);
    let (sign, rest) = match body.as_bytes().first() {
        Some(b'+') => (1i32, &body[1..]),
        Some(b'-') => (-1i32, &body[1..]),
        _ => return Ok(None),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let (h, m): (i32, i32) = if digits.len() <= 2 {
        (digits.parse()?, 0)
    } else {
        let split = digits.len() - 2;
        (digits[..split].parse()?, digits[split..].parse()?)
    };
    if m != 0 {
        bail!(
            "time zone {s:?}: offsets that are not whole hours have no fixed zone; use the region's IANA name (e.g. Asia/Kolkata for +05:30)"
        );
    }
    if h > 14 {
        bail!("time zone {s:?}: an offset beyond ±14 hours");
    }
    if h == 0 {
        return Ok(Some(Tz::UTC));
    }
    // POSIX: Etc/GMT-1 is one hour east of Greenwich.
    let name = format!("Etc/GMT{}{h}", if sign > 0 { '-' } else { '+' });
    name.parse::<Tz>()
        .map(Some)
        .map_err(|e| anyhow::anyhow!("time zone {s:?}: {e}"))
}

fn split_glob_value(s: &str, flag: &str) -> Result<(String, String)> {
    match s.rsplit_once('=') {
        Some((g, v)) if !g.is_empty() && !v.is_empty() => Ok((g.to_string(), v.to_string())),
        _ => bail!("{flag} expects GLOB=VALUE, got {s:?}"),
    }
}

pub fn parse_forced_format(s: &str) -> Result<ForcedFormat> {
    use portmortem_parsers::scan::ScanFormat;
    if let Some(f) = ScanFormat::from_name(s) {
        return Ok(ForcedFormat::Scan(f));
    }
    LogFormat::from_name(s)
        .map(ForcedFormat::Log)
        .ok_or_else(|| {
            let known: Vec<&str> = ScanFormat::ALL
                .iter()
                .map(|f| f.name())
                .chain(LogFormat::ALL.iter().map(|f| f.name()))
                .collect();
            anyhow::anyhow!(
                "unknown format {s:?} (known: {}; see `portmortem formats`)",
                known.join(", ")
            )
        })
}

/// Scanner address or CIDR.
pub fn parse_scanner_net(s: &str) -> Result<IpNet> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(IpNet::from(ip));
    }
    s.parse::<IpNet>()
        .map(|n| n.trunc())
        .map_err(|_| anyhow::anyhow!("--scanner-ip expects an IP address or CIDR, got {s:?}"))
}

impl InputConfig {
    pub fn from_args(a: &InputArgs) -> Result<(Self, FileConfigParts)> {
        let file_cfg = match &a.config {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read config {}", p.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("invalid config {}", p.display()))?
            }
            None => FileConfig::default(),
        };
        let mut source_tz = Vec::new();
        let mut offsets = Vec::new();
        let mut format_of = Vec::new();
        let mut source_hosts = Vec::new();
        // Command-line rules first: they win over the config file.
        for s in &a.source_tz {
            let (g, v) = split_glob_value(s, "--source-tz")?;
            source_tz.push(GlobRule::new(&g, parse_tz(&v)?)?.given_as(format!("--source-tz {s}")));
        }
        for s in &a.offset {
            let (g, v) = split_glob_value(s, "--offset")?;
            offsets.push(GlobRule::new(&g, parse_duration(&v)?)?.given_as(format!("--offset {s}")));
        }
        for s in &a.format_of {
            let (g, v) = split_glob_value(s, "--format-of")?;
            format_of.push(
                GlobRule::new(&g, parse_forced_format(&v)?)?.given_as(format!("--format-of {s}")),
            );
        }
        for (glob, st) in &file_cfg.sources {
            let origin = |key: &str| format!("--config [sources.{glob:?}] {key}");
            if let Some(h) = &st.host {
                source_hosts.push(GlobRule::new(glob, h.clone())?.given_as(origin("host")));
            }
            if let Some(z) = &st.tz {
                source_tz.push(GlobRule::new(glob, parse_tz(z)?)?.given_as(origin("tz")));
            }
            if let Some(o) = &st.offset {
                offsets.push(GlobRule::new(glob, parse_duration(o)?)?.given_as(origin("offset")));
            }
            if let Some(f) = &st.format {
                format_of
                    .push(GlobRule::new(glob, parse_forced_format(f)?)?.given_as(origin("format")));
            }
        }
        if a.threads == Some(0) {
            bail!("--threads must be at least 1");
        }
        Ok((
            Self {
                paths: a.paths.clone(),
                tz: parse_tz(&a.tz)?,
                source_tz,
                offsets,
                format_of,
                source_hosts,
                threads: a.threads,
                progress: !a.no_progress && !a.quiet,
                quiet: a.quiet,
                verbose: a.verbose,
            },
            FileConfigParts {
                services: file_cfg.services,
                hosts: file_cfg.hosts,
                nat: parse_nat(&file_cfg.nat)?,
            },
        ))
    }

    /// Every per-source rule (`--source-tz`, `--offset`, `--format-of`, `[sources]`) that matched
    /// none of the inputs: said as a warning, since the user asked for something that had no effect.
    pub fn unmatched_rules(&self, displays: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        out.extend(
            unmatched(&self.source_tz, displays)
                .iter()
                .map(|r| r.origin.clone()),
        );
        out.extend(
            unmatched(&self.offsets, displays)
                .iter()
                .map(|r| r.origin.clone()),
        );
        out.extend(
            unmatched(&self.format_of, displays)
                .iter()
                .map(|r| r.origin.clone()),
        );
        out.extend(
            unmatched(&self.source_hosts, displays)
                .iter()
                .map(|r| r.origin.clone()),
        );
        out
    }

    pub fn tz_for(&self, path: &str) -> Tz {
        first_match(&self.source_tz, path)
            .map(|r| r.value)
            .unwrap_or(self.tz)
    }

    pub fn offset_for(&self, path: &str) -> Option<Duration> {
        first_match(&self.offsets, path).map(|r| r.value)
    }
}

/// The parts of the config file that only `analyze` uses.
pub struct FileConfigParts {
    pub services: BTreeMap<String, String>,
    pub hosts: BTreeMap<String, String>,
    pub nat: BTreeMap<IpAddr, IpAddr>,
}

/// `[nat]`: `"198.51.100.20" = "203.0.113.5"` (as logged = real).
fn parse_nat(m: &BTreeMap<String, String>) -> Result<BTreeMap<IpAddr, IpAddr>> {
    m.iter()
        .map(|(seen, real)| {
            let p = |s: &str| {
                s.trim().parse::<IpAddr>().with_context(|| {
                    format!("--config [nat]: {s:?} is not an IP address (write \"as logged\" = \"real\")")
                })
            };
            Ok((p(seen)?, p(real)?))
        })
        .collect()
}

impl Config {
    pub fn from_args(a: &AnalyzeArgs) -> Result<Self> {
        let (input, parts) = InputConfig::from_args(&a.input)?;
        let scanner_nets = a
            .scanner_ip
            .iter()
            .map(|s| parse_scanner_net(s))
            .collect::<Result<Vec<_>>>()?;
        let slack = parse_duration(&a.slack).context("--slack")?;
        if slack < Duration::zero() {
            bail!("--slack must not be negative");
        }
        let reprobe = if a.reprobe {
            Some(ReprobeConfig::from_args(&a.probe)?)
        } else {
            None
        };
        let scan_tz = parse_tz(&a.scan_tz)?;
        let manual = if a.target.is_empty() {
            None
        } else {
            let targets: Vec<String> = a
                .target
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
            if targets.is_empty() {
                bail!("--target expects HOST[,HOST] (an IP address or a name)");
            }
            let ports = portmortem_parsers::scan::ports::parse_port_list(
                a.ports.as_deref().unwrap_or_default(),
            )
            .map_err(|bad| {
                anyhow::anyhow!(
                    "--ports: {bad:?} is not a port or a range (e.g. 22,443,8000-8010,53/udp)"
                )
            })?;
            Some(ManualCase {
                targets,
                ports,
                window: parse_window(a.window.as_deref().unwrap_or_default(), scan_tz)?,
                state: match a.state {
                    crate::cli::ManualState::Closed => portmortem_parsers::scan::ScanState::Closed,
                    crate::cli::ManualState::Unresponsive => {
                        portmortem_parsers::scan::ScanState::Unresponsive
                    }
                },
            })
        };
        let probe_note = (!a.reprobe)
            .then(|| a.probe.given())
            .flatten()
            .map(|flags| format!("{flags} has no effect without --reprobe (nothing is probed)"));
        Ok(Self {
            input,
            scans: a.scan.clone(),
            baseline: a.baseline.clone(),
            manual,
            auto_skew: a.auto_skew,
            scanner_nets,
            scan_tz,
            slack,
            format: output_format(&a.out).0,
            notes: output_format(&a.out)
                .1
                .into_iter()
                .chain(probe_note)
                .collect(),
            output: a.out.output.clone(),
            color: a.out.color,
            digest: a.digest,
            reprobe,
            fail_on: a.fail_on,
            strict: a.strict,
            services: parts.services,
            host_aliases: parts.hosts,
            nat: parts.nat,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::seconds(90));
        assert_eq!(parse_duration("5m").unwrap(), Duration::minutes(5));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::minutes(90));
        assert_eq!(parse_duration("-6m").unwrap(), Duration::minutes(-6));
        assert_eq!(parse_duration("+360").unwrap(), Duration::seconds(360));
        assert_eq!(
            parse_duration("250ms").unwrap(),
            Duration::milliseconds(250)
        );
        assert_eq!(parse_duration("42").unwrap(), Duration::seconds(42));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1e300").is_err());
    }

    #[test]
    fn fixed_offsets_are_etc_zones() {
        for (s, want) in [
            ("+01:00", "Etc/GMT-1"),
            ("-0500", "Etc/GMT+5"),
            ("+3", "Etc/GMT-3"),
            ("UTC+1", "Etc/GMT-1"),
            ("GMT-03:00", "Etc/GMT+3"),
            ("Z", "UTC"),
            ("+00:00", "UTC"),
        ] {
            assert_eq!(parse_tz(s).unwrap().name(), want, "{s}");
        }
        assert!(
            parse_tz("+05:30")
                .unwrap_err()
                .to_string()
                .contains("Asia/Kolkata")
        );
        assert!(parse_tz("+15").is_err());
        assert_eq!(parse_tz("Europe/Berlin").unwrap().name(), "Europe/Berlin");
        assert!(parse_tz("Mars/Olympus").is_err());
    }

    #[test]
    fn glob_rule_matches_file_name_too() {
        let r = GlobRule::new("fw.log", 1).unwrap();
        assert!(r.matches("logs/fw.log"));
        assert!(!r.matches("logs/fw.log.1"));
        let r = GlobRule::new("web*/**", 1).unwrap();
        assert!(r.matches("web01/var/log/syslog"));
    }

    #[test]
    fn scanner_nets() {
        assert!(parse_scanner_net("203.0.113.5").is_ok());
        assert!(parse_scanner_net("203.0.113.0/24").is_ok());
        assert!(parse_scanner_net("2001:db8::/32").is_ok());
        assert!(parse_scanner_net("10.20.0.0.1").is_err());
    }
}
