//! Nessus v2 (`.nessus`) reader: streams the XML with quick-xml and keeps only the scan facts of
//! DESIGN.md step 3.
//!
//! What is read:
//! * policy `ServerPreferences`: `checks_read_timeout`, `max_checks`, `max_hosts`;
//! * per `ReportHost`: the `name` attribute and the `HostProperties` tags `host-ip`, `host-fqdn`,
//!   `hostname`, `netbios-name`, `HOST_START_TIMESTAMP`/`HOST_END_TIMESTAMP` (epoch seconds,
//!   preferred) or `HOST_START`/`HOST_END` (zone-less ctime strings, read in the scan zone);
//! * per `ReportItem`: `port`, `protocol`, `svc_name`, `pluginID`, `pluginFamily`, `pluginName`
//!   attributes (open ports and service names);
//! * the output of plugin 10919 "Open Port Re-check" (affected ports) and plugin 19506 "Nessus Scan
//!   Information" (scanner IP, port scanners, settings, scan start and duration). Old (Nessus 4)
//!   reports put that text in `<description>` instead of `<plugin_output>`; both are accepted.
//!
//! Memory stays bounded by the size of one XML event: no other plugin's text is kept, captured
//! texts are capped ([`MAX_OUTPUT`], [`MAX_SHORT_TEXT`]), the DOCTYPE is ignored and no entity
//! other than the five predefined XML ones and numeric character references is ever expanded (an
//! "entity bomb" costs nothing). Invalid UTF-8 bytes are replaced by U+FFFD (and counted in a note)
//! rather than failing the whole report. A document that ends inside an open element is an error.

use std::collections::HashSet;
use std::io::BufRead;
use std::net::IpAddr;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use quick_xml::XmlVersion;
use quick_xml::events::BytesStart;

use super::xml::{attr_value, clip, push_capped};
use super::{AffectedPort, ScanHost, ScanReport, ScanSettings, ScanState};
use crate::Proto;
use crate::error::ParseError;
use crate::time::{TimeContext, month_from_abbr};

/// Cap on the captured text of one `plugin_output` / `description` element (bytes).
pub const MAX_OUTPUT: usize = 1 << 20;
/// Cap on the captured text of one host tag or policy preference (bytes).
pub const MAX_SHORT_TEXT: usize = 64 << 10;

/// Plugin "Open Port Re-check" (`check_ports.nasl`).
const PLUGIN_RECHECK: u32 = 10919;
/// Plugin "Nessus Scan Information" (`scan_info.nasl`).
const PLUGIN_SCAN_INFO: u32 = 19506;

/// Does the start of a file look like a Nessus v2 report?
/// The Nessus v2 XML export (`.nessus`).
pub const FORMAT: super::ScanFormat = super::ScanFormat::new(&super::ScanSpec {
    name: "nessus",
    aliases: &["nessus_v2", ".nessus"],
    description: "Nessus v2 XML (.nessus): plugin 10919 (Open Port Re-check) per host, port states, host start/end, scanner IPs, policy timeouts",
    example: r#"<NessusClientData_v2> … <ReportItem port="0" pluginID="10919" pluginName="Open Port Re-check"> Port 443 was detected as being open but is now unresponsive"#,
    looks_like: looks_like_nessus,
    read: |r, tz| parse_nessus(r, tz),
    read_growing: Some(|r, tz| parse_nessus_with(r, tz, true)),
});

pub fn looks_like_nessus(head: &[u8]) -> bool {
    memchr::memmem::find(head, b"<NessusClientData_v2").is_some()
}

/// Read a Nessus v2 report.
///
/// `scan_tz` is the zone of the zone-less `HOST_START`/`HOST_END` ctime strings and of a
/// zone-less 19506 "Scan Start Date". Errors: [`ParseError::NotFormat`] when the root element is not
/// `NessusClientData_v2`, [`ParseError::Xml`] for malformed or truncated XML. Everything else that
/// does not parse (a bad scanner IP, an unreadable time) becomes a note in
/// [`ScanReport::notes`].
pub fn parse_nessus<R: BufRead>(reader: R, scan_tz: Tz) -> Result<ScanReport, ParseError> {
    parse_nessus_with(reader, scan_tz, false)
}

/// [`parse_nessus`]; `growing`: a report still being written (what it has so far).
pub fn parse_nessus_with<R: BufRead>(
    reader: R,
    scan_tz: Tz,
    growing: bool,
) -> Result<ScanReport, ParseError> {
    let mut st = State::new(scan_tz);
    let walked = match super::xml::walk_with(reader, &mut st, "Nessus", growing) {
        // A document that is not Nessus at all says so, even when it is also cut short.
        Err(ParseError::Xml(_)) if !st.seen_root => return Err(ParseError::NotFormat("Nessus v2")),
        r => r?,
    };
    st.finish(walked.replaced)
}

/// One finding row of a Nessus export that is not the XML (the CSV export): the same facts as a
/// `ReportItem`.
#[derive(Debug, Default, Clone)]
pub(super) struct Row {
    pub plugin_id: Option<u32>,
    pub port: Option<u16>,
    pub protocol: String,
    pub svc_name: String,
    pub family: String,
    pub plugin_name: String,
    pub output: Option<String>,
}

/// One host of such an export: its name (IP or name as written), names, and rows.
#[derive(Debug, Default)]
pub(super) struct RowHost {
    pub name: String,
    pub fqdn: Option<String>,
    pub netbios: Option<String>,
    pub rows: Vec<Row>,
}

/// Build a report from rows, through the same host and plugin logic as the XML reader (10919
/// wordings, 19506 scanner IP, settings and times).
pub(super) fn report_from_rows(hosts: Vec<RowHost>, scan_tz: Tz, format: &str) -> ScanReport {
    let mut st = State::new(scan_tz);
    st.seen_root = true;
    for h in hosts {
        st.host = Some(HostBuilder {
            host: ScanHost {
                name: h.name.clone(),
                ..ScanHost::default()
            },
            ..HostBuilder::default()
        });
        if let Some(b) = st.host.as_mut() {
            b.tags.fqdn = h.fqdn;
            b.tags.netbios = h.netbios;
        }
        for r in h.rows {
            let port_scanner = (r.family.eq_ignore_ascii_case("Port scanners")
                && !r.plugin_name.is_empty())
            .then(|| clip(&r.plugin_name, 200));
            st.add_item(Item {
                plugin_id: r.plugin_id,
                port: r.port,
                port_invalid: false,
                protocol: if r.protocol.trim().is_empty() {
                    Proto::Tcp
                } else {
                    Proto::from_text(r.protocol.trim())
                },
                svc_name: r.svc_name,
                port_scanner,
                output: r.output,
                description: None,
            });
        }
        if let Some(b) = st.host.take() {
            st.finish_host(b);
        }
    }
    let mut rep = st.finish(0).unwrap_or_default();
    rep.format = format.to_string();
    rep
}

impl super::xml::Handler for State {
    fn start(&mut self, e: &BytesStart<'_>, _line: u64) -> Result<(), ParseError> {
        State::start(self, e)
    }
    fn end(&mut self, local_name: &str) {
        State::end(self, local_name)
    }
    fn text(&mut self, s: &str) {
        State::text(self, s)
    }
}

// ---------------------------------------------------------------------------------------------
// Streaming state
// ---------------------------------------------------------------------------------------------

/// Which element's text is being captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    PrefName,
    PrefValue,
    Tag(TagKind),
    Output,
    Description,
}

impl Capture {
    fn element(self) -> &'static str {
        match self {
            Capture::PrefName => "name",
            Capture::PrefValue => "value",
            Capture::Tag(_) => "tag",
            Capture::Output => "plugin_output",
            Capture::Description => "description",
        }
    }
}

/// The `HostProperties` tags we keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    Ip,
    Fqdn,
    Hostname,
    Netbios,
    StartTs,
    EndTs,
    Start,
    End,
}

impl TagKind {
    fn from_name(name: &str) -> Option<TagKind> {
        Some(match name {
            "host-ip" => TagKind::Ip,
            "host-fqdn" => TagKind::Fqdn,
            "hostname" => TagKind::Hostname,
            "netbios-name" => TagKind::Netbios,
            "HOST_START_TIMESTAMP" => TagKind::StartTs,
            "HOST_END_TIMESTAMP" => TagKind::EndTs,
            "HOST_START" => TagKind::Start,
            "HOST_END" => TagKind::End,
            _ => return None,
        })
    }
}

#[derive(Debug, Default)]
struct Pref {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Debug, Default)]
struct Tags {
    ip: Option<String>,
    fqdn: Option<String>,
    hostname: Option<String>,
    netbios: Option<String>,
    start_ts: Option<String>,
    end_ts: Option<String>,
    start: Option<String>,
    end: Option<String>,
}

impl Tags {
    fn set(&mut self, kind: TagKind, value: String) {
        let slot = match kind {
            TagKind::Ip => &mut self.ip,
            TagKind::Fqdn => &mut self.fqdn,
            TagKind::Hostname => &mut self.hostname,
            TagKind::Netbios => &mut self.netbios,
            TagKind::StartTs => &mut self.start_ts,
            TagKind::EndTs => &mut self.end_ts,
            TagKind::Start => &mut self.start,
            TagKind::End => &mut self.end,
        };
        let value = value.trim();
        if slot.is_none() && !value.is_empty() {
            *slot = Some(value.to_string());
        }
    }
}

/// One `ReportItem` being read.
#[derive(Debug, Default)]
struct Item {
    plugin_id: Option<u32>,
    port: Option<u16>,
    port_invalid: bool,
    protocol: Proto,
    svc_name: String,
    /// `pluginName` when `pluginFamily` is "Port scanners".
    port_scanner: Option<String>,
    output: Option<String>,
    description: Option<String>,
}

impl Item {
    fn from_start(e: &BytesStart<'_>) -> Item {
        let mut item = Item::default();
        let mut family = String::new();
        let mut plugin_name = String::new();
        for attr in e.attributes().flatten() {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .unwrap_or_else(|_| attr.value.clone());
            let value = value.trim();
            match attr.key.as_ref() {
                "port" => match value.parse::<u16>() {
                    Ok(p) => item.port = Some(p),
                    Err(_) => item.port_invalid = true,
                },
                "protocol" if !value.is_empty() => item.protocol = Proto::from_text(value),
                "svc_name" => item.svc_name = value.to_string(),
                "pluginID" => item.plugin_id = value.parse().ok(),
                "pluginFamily" => family = value.to_string(),
                "pluginName" => plugin_name = clip(value, 200),
                _ => {}
            }
        }
        if family.eq_ignore_ascii_case("Port scanners") && !plugin_name.is_empty() {
            item.port_scanner = Some(plugin_name);
        }
        item
    }

    /// Do we need this item's `plugin_output` / `description` text?
    fn wants_text(&self) -> bool {
        matches!(self.plugin_id, Some(PLUGIN_RECHECK | PLUGIN_SCAN_INFO))
    }
}

/// What plugin 19506 says about one host's scan.
#[derive(Debug, Default)]
struct ScanInfo {
    scanner_ip: Option<String>,
    port_scanners: Vec<String>,
    settings: ScanSettings,
    start: Option<String>,
    duration_secs: Option<i64>,
}

/// One `ReportHost` being read.
#[derive(Debug, Default)]
struct HostBuilder {
    host: ScanHost,
    tags: Tags,
    open_seen: HashSet<(u16, Proto)>,
    has_recheck: bool,
    recheck_without_output: bool,
    recheck_not_understood: bool,
    port_scanner_plugins: Vec<String>,
    info: Option<ScanInfo>,
}

/// Facts of a finished host that only the report-level summary needs.
#[derive(Debug)]
struct HostExtra {
    scan_start: Option<DateTime<Utc>>,
    scan_end: Option<DateTime<Utc>>,
}

struct State {
    tz: Tz,
    seen_root: bool,
    depth: usize,
    in_server_prefs: bool,
    pref: Option<Pref>,
    capture: Option<Capture>,
    text: String,
    text_cap: usize,
    text_truncated: bool,
    host: Option<HostBuilder>,
    item: Option<Item>,
    policy: ScanSettings,
    hosts: Vec<ScanHost>,
    extras: Vec<HostExtra>,
    notes: Vec<String>,
    invalid_ports: usize,
}

impl State {
    fn new(tz: Tz) -> State {
        State {
            tz,
            seen_root: false,
            depth: 0,
            in_server_prefs: false,
            pref: None,
            capture: None,
            text: String::new(),
            text_cap: MAX_SHORT_TEXT,
            text_truncated: false,
            host: None,
            item: None,
            policy: ScanSettings::default(),
            hosts: Vec::new(),
            extras: Vec::new(),
            notes: Vec::new(),
            invalid_ports: 0,
        }
    }

    fn note(&mut self, note: String) {
        push_note(&mut self.notes, note);
    }

    fn begin_capture(&mut self, c: Capture, cap: usize) {
        self.capture = Some(c);
        self.text.clear();
        self.text_cap = cap;
        self.text_truncated = false;
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), ParseError> {
        let local = e.local_name();
        let name: &str = local.as_ref();
        if !self.seen_root {
            if name != "NessusClientData_v2" {
                return Err(ParseError::NotFormat("Nessus v2"));
            }
            self.seen_root = true;
        }
        self.depth += 1;
        match name {
            "ServerPreferences" => self.in_server_prefs = true,
            "preference" if self.in_server_prefs => self.pref = Some(Pref::default()),
            "name" if self.pref.is_some() => self.begin_capture(Capture::PrefName, MAX_SHORT_TEXT),
            "value" if self.pref.is_some() => {
                self.begin_capture(Capture::PrefValue, MAX_SHORT_TEXT)
            }
            "ReportHost" => {
                if let Some(prev) = self.host.take() {
                    // Only reachable with nested ReportHost elements: keep what we have.
                    self.finish_host(prev);
                }
                let host_name = attr_value(e, "name").unwrap_or_default();
                self.host = Some(HostBuilder {
                    host: ScanHost {
                        name: host_name,
                        ..ScanHost::default()
                    },
                    ..HostBuilder::default()
                });
                self.item = None;
            }
            "tag" if self.host.is_some() && self.item.is_none() => {
                if let Some(kind) = attr_value(e, "name").and_then(|n| TagKind::from_name(&n)) {
                    self.begin_capture(Capture::Tag(kind), MAX_SHORT_TEXT);
                }
            }
            "ReportItem" if self.host.is_some() => self.item = Some(Item::from_start(e)),
            "plugin_output" if self.item.as_ref().is_some_and(Item::wants_text) => {
                self.begin_capture(Capture::Output, MAX_OUTPUT)
            }
            "description" if self.item.as_ref().is_some_and(Item::wants_text) => {
                self.begin_capture(Capture::Description, MAX_OUTPUT)
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        if let Some(c) = self.capture
            && c.element() == name
        {
            self.capture = None;
            self.finish_capture(c);
        }
        match name {
            "ServerPreferences" => self.in_server_prefs = false,
            "preference" => {
                if let Some(p) = self.pref.take() {
                    self.apply_pref(p);
                }
            }
            "ReportItem" => {
                if let Some(item) = self.item.take() {
                    self.add_item(item);
                }
            }
            "ReportHost" => {
                if let Some(h) = self.host.take() {
                    self.finish_host(h);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, s: &str) {
        if self.capture.is_some() {
            push_capped(&mut self.text, s, self.text_cap, &mut self.text_truncated);
        }
    }

    fn finish_capture(&mut self, c: Capture) {
        let text = std::mem::take(&mut self.text);
        match c {
            Capture::PrefName => {
                if let Some(p) = self.pref.as_mut() {
                    p.name = Some(text);
                }
            }
            Capture::PrefValue => {
                if let Some(p) = self.pref.as_mut() {
                    p.value = Some(text);
                }
            }
            Capture::Tag(kind) => {
                if let Some(h) = self.host.as_mut() {
                    h.tags.set(kind, text);
                }
            }
            Capture::Output | Capture::Description => {
                if self.text_truncated {
                    let host = self.host.as_ref().map(|h| h.host.name.clone());
                    let plugin = self.item.as_ref().and_then(|i| i.plugin_id);
                    self.note(format!(
                        "host {}: plugin {} text longer than {} bytes was truncated",
                        host.unwrap_or_default(),
                        plugin.unwrap_or(0),
                        MAX_OUTPUT
                    ));
                }
                if let Some(item) = self.item.as_mut() {
                    if c == Capture::Output {
                        item.output = Some(text);
                    } else {
                        item.description = Some(text);
                    }
                }
            }
        }
    }

    fn apply_pref(&mut self, p: Pref) {
        let (Some(name), Some(value)) = (p.name, p.value) else {
            return;
        };
        let name = name.trim();
        let slot = match name {
            "checks_read_timeout" => &mut self.policy.checks_read_timeout,
            "max_checks" => &mut self.policy.max_checks,
            "max_hosts" => &mut self.policy.max_hosts,
            _ => return,
        };
        match value.trim().parse::<u32>() {
            Ok(v) => *slot = Some(v),
            Err(_) => {
                let note = format!(
                    "policy preference {name} has a non-numeric value '{}'; ignored",
                    clip(value.trim(), 80)
                );
                self.note(note);
            }
        }
    }

    fn add_item(&mut self, item: Item) {
        if item.port_invalid {
            self.invalid_ports += 1;
        }
        let Some(h) = self.host.as_mut() else {
            return;
        };
        if let Some(port) = item.port.filter(|p| *p != 0) {
            let key = (port, item.protocol.clone());
            if h.open_seen.insert(key.clone()) {
                h.host.open_ports.push(key.clone());
            }
            let svc = item.svc_name.trim().trim_end_matches('?').trim();
            if !svc.is_empty() && svc != "general" {
                let weak = h.host.services.get(&key).is_none_or(|old| old == "unknown");
                if weak {
                    h.host.services.insert(key, svc.to_string());
                }
            }
        }
        if let Some(scanner) = item.port_scanner
            && !h.port_scanner_plugins.contains(&scanner)
        {
            h.port_scanner_plugins.push(scanner);
        }
        match item.plugin_id {
            Some(PLUGIN_RECHECK) => {
                h.has_recheck = true;
                let text = [item.output.as_deref(), item.description.as_deref()]
                    .into_iter()
                    .flatten()
                    .find(|t| contains_ci(t, "was detected as being open"));
                match text {
                    Some(text) => {
                        let (ports, understood) = parse_recheck(text);
                        for p in ports {
                            if !h
                                .host
                                .affected
                                .iter()
                                .any(|a| a.port == p.port && a.protocol == p.protocol)
                            {
                                h.host.affected.push(p);
                            }
                        }
                        if !understood {
                            h.recheck_not_understood = true;
                            h.host.recheck_ports_unknown = true;
                        }
                    }
                    None => {
                        if item.output.as_deref().is_some_and(|o| !o.trim().is_empty()) {
                            h.recheck_not_understood = true;
                        } else {
                            h.recheck_without_output = true;
                        }
                        h.host.recheck_ports_unknown = true;
                    }
                }
            }
            Some(PLUGIN_SCAN_INFO) => {
                let text = [item.output.as_deref(), item.description.as_deref()]
                    .into_iter()
                    .flatten()
                    .find(|t| contains_ci(t, "Scanner IP") || contains_ci(t, "Scan Start Date"));
                if let Some(text) = text {
                    let info = parse_scan_info(text);
                    if h.info.is_none() {
                        h.info = Some(info);
                    }
                }
            }
            _ => {}
        }
    }

    fn finish_host(&mut self, b: HostBuilder) {
        let HostBuilder {
            mut host,
            tags,
            has_recheck,
            recheck_without_output,
            recheck_not_understood,
            port_scanner_plugins,
            info,
            ..
        } = b;
        let label = if host.name.is_empty() {
            tags.ip.clone().unwrap_or_else(|| "(unnamed)".to_string())
        } else {
            host.name.clone()
        };
        let mut notes = Vec::new();

        // Addresses and names.
        let name_ip = host.name.trim().parse::<IpAddr>().ok();
        host.ip = match tags.ip.as_deref() {
            Some(raw) => match raw.parse::<IpAddr>() {
                Ok(ip) => Some(ip),
                Err(_) => {
                    notes.push(format!(
                        "host {label}: host-ip '{}' is not a valid IP address",
                        clip(raw, 80)
                    ));
                    name_ip
                }
            },
            None => name_ip,
        };
        let mut names: Vec<String> = Vec::new();
        let name_tag = (name_ip.is_none()).then(|| host.name.trim().to_string());
        for n in [tags.fqdn, tags.hostname, tags.netbios, name_tag]
            .into_iter()
            .flatten()
        {
            let n = n.trim();
            if !n.is_empty() && !names.iter().any(|m| m.eq_ignore_ascii_case(n)) {
                names.push(n.to_string());
            }
        }
        host.hostnames = names;

        // Times.
        let tctx = TimeContext::new(self.tz, DateTime::<Utc>::UNIX_EPOCH);
        host.start = host_time(
            tags.start_ts.as_deref(),
            tags.start.as_deref(),
            &tctx,
            &label,
            "START",
            &mut notes,
        );
        host.end = host_time(
            tags.end_ts.as_deref(),
            tags.end.as_deref(),
            &tctx,
            &label,
            "END",
            &mut notes,
        );

        // Plugin 19506.
        let mut extra = HostExtra {
            scan_start: None,
            scan_end: None,
        };
        if let Some(info) = info {
            if let Some(raw) = info.scanner_ip.as_deref() {
                match raw.parse::<IpAddr>() {
                    Ok(ip) => host.scanner_ip = Some(ip),
                    Err(_) => notes.push(format!(
                        "host {label}: plugin 19506 Scanner IP '{}' is not a valid IP address; ignored",
                        clip(raw, 80)
                    )),
                }
            }
            host.port_scanners = info.port_scanners;
            host.settings = info.settings;
            // Does the Scan Start Date name a zone portmortem knows? Then it says when the scan ran.
            let mut zoned = false;
            if let Some(raw) = info.start.as_deref() {
                match parse_scan_start(raw, self.tz) {
                    Some((t, zone_note)) => {
                        extra.scan_start = Some(t);
                        zoned = zone_note.is_none() && raw.split_whitespace().count() > 2;
                        if let Some(z) = zone_note {
                            notes.push(z);
                        }
                    }
                    None => notes.push(format!(
                        "host {label}: plugin 19506 Scan Start Date '{}' not understood",
                        clip(raw, 80)
                    )),
                }
            }
            if let (Some(s), Some(d)) = (extra.scan_start, info.duration_secs) {
                extra.scan_end = Duration::try_seconds(d).and_then(|d| s.checked_add_signed(d));
            }
            // The ctime strings are zone-less; a 19506 Scan Start Date that names its zone says
            // when the scan really ran. A host that would start outside the scan's run by whole
            // hours had its ctime strings read in the wrong zone: shift them, and say so.
            if zoned
                && epoch(tags.start_ts.as_deref()).is_none()
                && let (Some(hs), Some(s0)) = (host.start, extra.scan_start)
                && let Some(k) = zone_shift(hs, s0, extra.scan_end)
            {
                let shift = Duration::hours(k);
                host.start = Some(hs + shift);
                if epoch(tags.end_ts.as_deref()).is_none() {
                    host.end = host.end.map(|e| e + shift);
                }
                let zone = if self.tz == Tz::UTC {
                    format!(" (they are probably in UTC{:+})", -k)
                } else {
                    String::new()
                };
                notes.push(format!(
                    "host {label}: HOST_START read in {} falls {} h {} the run of the scan that plugin 19506's zoned Scan Start Date gives; the host's ctime times were shifted by {k:+} h{zone}; pass --scan-tz to set their zone",
                    self.tz.name(),
                    k.abs(),
                    if k > 0 { "before" } else { "after" },
                ));
            }
        }
        if host.start.is_none()
            && let Some(s) = extra.scan_start
        {
            host.start = Some(s);
            notes.push(format!(
                "host {label}: no HOST_START in the report; start taken from plugin 19506 Scan Start Date (minute precision)"
            ));
        }
        if host.end.is_none() {
            let from_duration = host
                .start
                .zip(extra.scan_end.zip(extra.scan_start))
                .and_then(|(start, (end, s0))| {
                    start.checked_add_signed(end.signed_duration_since(s0))
                });
            if let Some(e) = from_duration {
                host.end = Some(e);
                notes.push(format!(
                    "host {label}: no HOST_END in the report; end estimated from plugin 19506 Scan duration"
                ));
            }
        }
        if host.start.is_none() || host.end.is_none() {
            let missing = match (host.start.is_none(), host.end.is_none()) {
                (true, true) => "start and end times",
                (true, false) => "a start time",
                _ => "an end time",
            };
            notes.push(format!("host {label}: the report gives no {missing}"));
        }

        // Recheck coverage.
        if recheck_without_output {
            notes.push(format!(
                "host {label}: plugin 10919 reported without output; affected ports unknown"
            ));
        }
        if recheck_not_understood {
            notes.push(format!(
                "host {label}: plugin 10919 output not fully understood; affected ports may be incomplete"
            ));
        }
        let scanners: &[String] = if host.port_scanners.is_empty() {
            &port_scanner_plugins
        } else {
            &host.port_scanners
        };
        if !has_recheck && !scanners.is_empty() && scanners.iter().all(|s| is_local_scanner(s)) {
            notes.push(format!(
                "host {label}: only netstat/SNMP port scanners ran; plugin 10919 is silent in that case, so closed ports would not be reported"
            ));
        }

        for n in notes {
            self.note(n);
        }
        self.hosts.push(host);
        self.extras.push(extra);
    }

    fn finish(mut self, replaced: usize) -> Result<ScanReport, ParseError> {
        if !self.seen_root {
            return Err(ParseError::NotFormat("Nessus v2"));
        }
        if self.depth != 0 || self.host.is_some() {
            return Err(ParseError::Xml(
                "document truncated: ended inside an open element".to_string(),
            ));
        }

        let mut scanner_ips: Vec<IpAddr> = Vec::new();
        for ip in self.hosts.iter().filter_map(|h| h.scanner_ip) {
            if !scanner_ips.contains(&ip) {
                scanner_ips.push(ip);
            }
        }

        let mut settings = self.policy.clone();
        let mut notes = Vec::new();
        merge_setting(
            &mut settings.checks_read_timeout,
            &self.hosts,
            |s| s.checks_read_timeout,
            "checks_read_timeout",
            "Recv timeout",
            &mut notes,
        );
        merge_setting(
            &mut settings.max_checks,
            &self.hosts,
            |s| s.max_checks,
            "max_checks",
            "Max checks",
            &mut notes,
        );
        merge_setting(
            &mut settings.max_hosts,
            &self.hosts,
            |s| s.max_hosts,
            "max_hosts",
            "Max hosts",
            &mut notes,
        );

        let started = self
            .hosts
            .iter()
            .filter_map(|h| h.start)
            .min()
            .or_else(|| self.extras.iter().filter_map(|e| e.scan_start).min());
        let ended = self
            .hosts
            .iter()
            .filter_map(|h| h.end)
            .max()
            .or_else(|| self.extras.iter().filter_map(|e| e.scan_end).max());

        if self.hosts.iter().any(|h| !h.affected.is_empty()) {
            notes.push("plugin 10919 never rechecks ports 139 and 445".to_string());
        }
        if self.invalid_ports > 0 {
            notes.push(format!(
                "{} ReportItem(s) with a non-numeric port attribute ignored",
                self.invalid_ports
            ));
        }
        if replaced > 0 {
            notes.push(format!(
                "{replaced} invalid UTF-8 sequence(s) replaced by U+FFFD"
            ));
        }
        for n in notes {
            self.note(n);
        }

        Ok(ScanReport {
            format: "nessus".to_string(),
            scanner_ips,
            started,
            ended,
            settings,
            hosts: self.hosts,
            notes: self.notes,
            ..ScanReport::default()
        })
    }
}

/// Complete one policy setting from the hosts' 19506 values and note disagreements.
fn merge_setting(
    slot: &mut Option<u32>,
    hosts: &[ScanHost],
    get: impl Fn(&ScanSettings) -> Option<u32>,
    pref_name: &str,
    info_name: &str,
    notes: &mut Vec<String>,
) {
    let mut values: Vec<u32> = Vec::new();
    for v in hosts.iter().filter_map(|h| get(&h.settings)) {
        if !values.contains(&v) {
            values.push(v);
        }
    }
    match *slot {
        Some(policy) => {
            let other: Vec<String> = values
                .iter()
                .filter(|v| **v != policy)
                .map(u32::to_string)
                .collect();
            if !other.is_empty() {
                notes.push(format!(
                    "plugin 19506 reports {info_name} {} but the policy sets {pref_name} {policy}",
                    other.join(", ")
                ));
            }
        }
        None => {
            *slot = values.first().copied();
            if values.len() > 1 {
                let all: Vec<String> = values.iter().map(u32::to_string).collect();
                notes.push(format!(
                    "plugin 19506 reports different {info_name} values across hosts ({}); using {}",
                    all.join(", "),
                    values.first().copied().unwrap_or_default()
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

fn push_note(notes: &mut Vec<String>, note: String) {
    if !notes.contains(&note) {
        notes.push(note);
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    let n = needle.len();
    haystack
        .as_bytes()
        .windows(n)
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A port scanner that reads the port list from the host (netstat over SSH/WMI, SNMP) rather than
/// probing it: plugin 10919 does not run after those.
fn is_local_scanner(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.contains("netstat") || l.contains("snmp") || l.contains("wmi")
}

// ---------------------------------------------------------------------------------------------
// Plugin 10919
// ---------------------------------------------------------------------------------------------

/// Read the "Open Port Re-check" output. Wordings of `check_ports.nasl`:
///
/// * `Port N was detected as being open but is now closed|unresponsive`
/// * `Port N was detected as being open initialy but was found unresponsive later` (older: the port
///   timed out during the scan; reported as unresponsive)
/// * `Port N was detected as being open initialy but was found unresponsive later.\n It is now
///   closed|unresponsive|open.` (newer; `open` means it recovered and is not affected)
///
/// Matching is word-based, so line breaks and indentation do not matter. Returns the affected
/// ports and whether every "was detected as being open" sentence was understood.
fn parse_recheck(text: &str) -> (Vec<AffectedPort>, bool) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut understood = true;
    let w = |i: usize| -> &str {
        words
            .get(i)
            .map(|s| s.trim_end_matches(['.', ',', ';', ':']))
            .unwrap_or("")
    };
    let is = |i: usize, s: &str| w(i).eq_ignore_ascii_case(s);
    let mut i = 0;
    while i < words.len() {
        if !(is(i, "Port")
            && is(i + 2, "was")
            && is(i + 3, "detected")
            && is(i + 4, "as")
            && is(i + 5, "being")
            && is(i + 6, "open"))
        {
            i += 1;
            continue;
        }
        let (port_txt, proto) = match w(i + 1).split_once('/') {
            Some((p, pr)) => (p, Proto::from_text(pr)),
            None => (w(i + 1), Proto::Tcp),
        };
        let Ok(port) = port_txt.parse::<u16>() else {
            understood = false;
            i += 7;
            continue;
        };
        let mut j = i + 7;
        let state_word: Option<&str> = if is(j, "but") && is(j + 1, "is") && is(j + 2, "now") {
            j += 4;
            Some(w(j - 1))
        } else if (is(j, "initialy") || is(j, "initially"))
            && is(j + 1, "but")
            && is(j + 2, "was")
            && is(j + 3, "found")
            && is(j + 4, "unresponsive")
            && is(j + 5, "later")
        {
            j += 6;
            if is(j, "It") && is(j + 1, "is") && is(j + 2, "now") {
                j += 4;
                Some(w(j - 1))
            } else {
                Some("unresponsive")
            }
        } else {
            None
        };
        let state = match state_word.map(str::to_ascii_lowercase).as_deref() {
            Some("closed") => Some(ScanState::Closed),
            Some("unresponsive") => Some(ScanState::Unresponsive),
            Some("open") => None,
            _ => {
                understood = false;
                None
            }
        };
        if let Some(state) = state
            && !out
                .iter()
                .any(|a: &AffectedPort| a.port == port && a.protocol == proto)
        {
            out.push(AffectedPort::new(port, proto, state));
        }
        i = j.max(i + 1);
    }
    (out, understood)
}

// ---------------------------------------------------------------------------------------------
// Plugin 19506
// ---------------------------------------------------------------------------------------------

/// Read the `Key : value` lines of the "Nessus Scan Information" output that matter.
fn parse_scan_info(text: &str) -> ScanInfo {
    let mut info = ScanInfo::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        let num = || value.split_whitespace().next().and_then(|v| v.parse().ok());
        match key.as_str() {
            "scanner ip" if !value.is_empty() => info.scanner_ip = Some(clip(value, 200)),
            "port scanner(s)" => {
                info.port_scanners = value
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .filter(|s| !s.is_empty())
                    .take(32)
                    .map(|s| clip(s, 100))
                    .collect();
            }
            "recv timeout" => info.settings.checks_read_timeout = num(),
            "max checks" => info.settings.max_checks = num(),
            "max hosts" => info.settings.max_hosts = num(),
            "scan start date" if !value.is_empty() => info.start = Some(clip(value, 200)),
            "scan duration" => {
                info.duration_secs = value.split_whitespace().next().and_then(|v| v.parse().ok())
            }
            _ => {}
        }
    }
    info
}

/// Zone of a 19506 "Scan Start Date" suffix.
enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

/// Common zone abbreviations as `strftime("%Z")` prints them (fixed offsets, minutes east of UTC):
/// the one table, shared with the other formats that print `%Z`.
const ABBREVIATIONS: &[(&str, i32)] = crate::time::ZONE_ABBREVIATIONS;

/// Windows zone names (Nessus on Windows prints these), "Standard Time" form.
const WINDOWS_ZONES: &[(&str, Tz)] = &[
    ("Pacific Standard Time", Tz::America__Los_Angeles),
    ("Mountain Standard Time", Tz::America__Denver),
    ("Central Standard Time", Tz::America__Chicago),
    ("Eastern Standard Time", Tz::America__New_York),
    ("Alaskan Standard Time", Tz::America__Anchorage),
    ("Hawaiian Standard Time", Tz::Pacific__Honolulu),
    ("GMT Standard Time", Tz::Europe__London),
    ("Greenwich Standard Time", Tz::UTC),
    ("Coordinated Universal Time", Tz::UTC),
    ("W. Europe Standard Time", Tz::Europe__Berlin),
    ("Romance Standard Time", Tz::Europe__Paris),
    ("Central Europe Standard Time", Tz::Europe__Budapest),
    ("Central European Standard Time", Tz::Europe__Warsaw),
    ("FLE Standard Time", Tz::Europe__Kyiv),
    ("GTB Standard Time", Tz::Europe__Bucharest),
    ("Russian Standard Time", Tz::Europe__Moscow),
    ("India Standard Time", Tz::Asia__Kolkata),
    ("China Standard Time", Tz::Asia__Shanghai),
    ("Tokyo Standard Time", Tz::Asia__Tokyo),
    ("AUS Eastern Standard Time", Tz::Australia__Sydney),
    ("Central European Time", Tz::Europe__Berlin),
];

fn resolve_zone(zone: &str) -> Option<Zone> {
    if let Some((_, mins)) = ABBREVIATIONS
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(zone))
    {
        return FixedOffset::east_opt(mins * 60).map(Zone::Fixed);
    }
    let standard = zone
        .strip_suffix("Daylight Time")
        .map(|p| format!("{p}Standard Time"))
        .or_else(|| zone.strip_suffix("Summer Time").map(|p| format!("{p}Time")))
        .unwrap_or_else(|| zone.to_string());
    if let Some((_, tz)) = WINDOWS_ZONES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(&standard))
    {
        return Some(Zone::Named(*tz));
    }
    zone.parse::<Tz>().ok().map(Zone::Named)
}

/// The whole number of hours (±14 at most, smallest first) that moves a host's start `hs` into the
/// scan's run (`s0` − 1 min to `end` + 1 min), when it lies outside; `None` when it is inside or no
/// whole-hour shift fits.
fn zone_shift(hs: DateTime<Utc>, s0: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Option<i64> {
    let lo = s0 - Duration::minutes(1);
    let hi = end.map(|e| e + Duration::minutes(1));
    let inside = |t: DateTime<Utc>| t >= lo && hi.is_none_or(|h| t <= h);
    if inside(hs) {
        return None;
    }
    crate::time::whole_hour_shift(|d| inside(hs + d))
}

/// Parse a 19506 "Scan Start Date" (`2013/7/1 11:33`, optionally followed by a zone such as `CET`
/// or `Pacific Standard Time`). An unknown zone is read as `tz`, with a note.
fn parse_scan_start(raw: &str, tz: Tz) -> Option<(DateTime<Utc>, Option<String>)> {
    let mut toks = raw.split_whitespace();
    let date = toks.next()?;
    let time = toks.next()?;
    let zone = toks.collect::<Vec<_>>().join(" ");
    let mut d = date.split(['/', '-']);
    let (y, m, dd) = (d.next()?, d.next()?, d.next()?);
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, dd.parse().ok()?)?;
    let mut t = time.split(':');
    let (h, mi) = (t.next()?, t.next()?);
    let s = t.next().unwrap_or("0");
    let naive = date.and_hms_opt(h.parse().ok()?, mi.parse().ok()?, s.parse().ok()?)?;
    let tctx = TimeContext::new(tz, DateTime::<Utc>::UNIX_EPOCH);
    if zone.is_empty() {
        return Some((tctx.local_to_utc(naive)?, None));
    }
    match resolve_zone(&zone) {
        Some(Zone::Fixed(off)) => Some((
            off.from_local_datetime(&naive)
                .single()?
                .with_timezone(&Utc),
            None,
        )),
        Some(Zone::Named(z)) => Some((
            TimeContext::new(z, DateTime::<Utc>::UNIX_EPOCH).local_to_utc(naive)?,
            None,
        )),
        None => Some((
            tctx.local_to_utc(naive)?,
            Some(format!(
                "plugin 19506 Scan Start Date zone '{}' not recognised; read in the scan time zone {}",
                clip(&zone, 60),
                tz.name()
            )),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Host times
// ---------------------------------------------------------------------------------------------

/// `Fri Nov 20 02:00:05 2026` / `Mon Jul  1 11:33:11 2013` (zone-less, read in `ctx.tz`).
fn parse_ctime(s: &str, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let toks: Vec<&str> = s.split_whitespace().collect();
    let rest = match toks.len() {
        5 => toks.get(1..)?,
        4 => toks.get(..)?,
        _ => return None,
    };
    let [mon, day, hms, year] = rest else {
        return None;
    };
    let month = month_from_abbr(mon.as_bytes())?;
    let mut t = hms.split(':');
    let (h, m, sec) = (t.next()?, t.next()?, t.next()?);
    if t.next().is_some() {
        return None;
    }
    let naive = NaiveDate::from_ymd_opt(year.parse().ok()?, month, day.parse().ok()?)?
        .and_hms_opt(h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?)?;
    ctx.local_to_utc(naive)
}

/// The time of an epoch tag (`HOST_START_TIMESTAMP`), if it holds one.
fn epoch(raw: Option<&str>) -> Option<DateTime<Utc>> {
    raw?.parse::<i64>()
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
}

/// A host time from the epoch tag (preferred) or the ctime tag; bad values become notes.
fn host_time(
    epoch_tag: Option<&str>,
    ctime: Option<&str>,
    ctx: &TimeContext,
    label: &str,
    which: &str,
    notes: &mut Vec<String>,
) -> Option<DateTime<Utc>> {
    if let Some(raw) = epoch_tag {
        match epoch(Some(raw)) {
            Some(t) => return Some(t),
            None => notes.push(format!(
                "host {label}: HOST_{which}_TIMESTAMP '{}' is not an epoch time",
                clip(raw, 40)
            )),
        }
    }
    if let Some(raw) = ctime {
        match parse_ctime(raw, ctx) {
            Some(t) => return Some(t),
            None => notes.push(format!(
                "host {label}: HOST_{which} '{}' not understood",
                clip(raw, 60)
            )),
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Lossy UTF-8 reader
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(doc: &str) -> Result<ScanReport, ParseError> {
        parse_nessus(doc.as_bytes(), Tz::UTC)
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const POLICY: &str = r#"<Policy><policyName>p</policyName><Preferences><ServerPreferences>
<preference><name>max_checks</name><value>5</value></preference>
<preference><name>checks_read_timeout</name>
<value>5</value>
</preference>
<preference><name>max_hosts</name><value>30</value></preference>
<preference><name>plugin_set</name><value>1;2;3</value></preference>
</ServerPreferences><PluginsPreferences><item><preferenceName>max_checks</preferenceName><selectedValue>99</selectedValue></item></PluginsPreferences></Preferences></Policy>"#;

    fn scan_info(ip: &str, scanners: &str, recv: u32) -> String {
        format!(
            "<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" severity=\"0\" pluginID=\"19506\" pluginName=\"Nessus Scan Information\" pluginFamily=\"Settings\">\
<description>This script displays information about the scan</description>\
<plugin_output>Information about this scan : \n\nNessus version : 10.1.1\nScanner IP : {ip}\nPort scanner(s) : {scanners} \nMax hosts : 30\nMax checks : 5\nRecv timeout : {recv}\nAllow post-scan editing: Yes\nScan Start Date : 2026/11/20 2:00\nScan duration : 453 sec\n</plugin_output></ReportItem>"
        )
    }

    fn doc(hosts: &str) -> String {
        format!(
            "<?xml version=\"1.0\" ?>\n<NessusClientData_v2>\n{POLICY}\n<Report name=\"r\" xmlns:cm=\"http://www.nessus.org/cm\">{hosts}</Report>\n</NessusClientData_v2>\n"
        )
    }

    fn two_hosts() -> String {
        let a = format!(
            r#"<ReportHost name="192.0.2.10"><HostProperties>
<tag name="HOST_END_TIMESTAMP">1795143600</tag>
<tag name="HOST_END">Fri Nov 20 03:00:00 2026</tag>
<tag name="host-ip">192.0.2.10</tag>
<tag name="host-fqdn">web01.example.com</tag>
<tag name="netbios-name">WEB01</tag>
<tag name="hostname">web01.example.com</tag>
<tag name="HOST_START">Fri Nov 20 02:00:05 2026</tag>
<tag name="HOST_START_TIMESTAMP">1795140005</tag>
</HostProperties>
{info}
<ReportItem port="80" svc_name="www?" protocol="tcp" severity="0" pluginID="11219" pluginName="Nessus SYN scanner" pluginFamily="Port scanners"><plugin_output>Port 80/tcp was found to be open</plugin_output></ReportItem>
<ReportItem port="80" svc_name="www" protocol="tcp" severity="2" pluginID="10107" pluginName="HTTP Server Type" pluginFamily="Web Servers"><description>long &amp; boring</description><plugin_output>nginx</plugin_output></ReportItem>
<ReportItem port="22" svc_name="ssh" protocol="TCP" severity="0" pluginID="10267" pluginName="SSH" pluginFamily="Service detection"/>
<ReportItem port="161" svc_name="snmp" protocol="udp" severity="0" pluginID="10550" pluginName="SNMP" pluginFamily="SNMP"></ReportItem>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="0" pluginID="10919" pluginName="Open Port Re-check" pluginFamily="General">
<description>One of several ports that were previously open are now closed or unresponsive.</description>
<plugin_output>Port 22 was detected as being open but is now closed
Port 80 was detected as being open but is now unresponsive
Port 8080 was detected as being open initialy but was found unresponsive later
Port 8443 was detected as being open initialy but was found unresponsive later.
 It is now closed
Port 9000 was detected as being open initialy but was found unresponsive later.
 It is now open.
Port 9001 was detected as being open initialy but was found unresponsive later.
 It is now unresponsive
Port 22 was detected as being open but is now closed
</plugin_output></ReportItem>
</ReportHost>"#,
            info = scan_info("198.51.100.7", "nessus_syn_scanner", 5)
        );
        let b = format!(
            r#"<ReportHost name="db01"><HostProperties>
<tag name="HOST_END">Mon Jul  1 11:40:48 2013</tag>
<tag name="host-ip">192.0.2.11</tag>
<tag name="netbios-name">DB01</tag>
<tag name="HOST_START">Mon Jul  1 11:33:11 2013</tag>
</HostProperties>
{info}
<ReportItem port="5432" svc_name="postgresql" protocol="tcp" severity="0" pluginID="26024" pluginName="PostgreSQL" pluginFamily="Service detection"/>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="0" pluginID="10919" pluginName="Open Port Re-check" pluginFamily="General"><description>One of several ports that were previously open are now closed or unresponsive.</description></ReportItem>
</ReportHost>"#,
            info = scan_info("198.51.100.7", "nessus_syn_scanner", 5)
        );
        doc(&(a + &b))
    }

    #[test]
    fn ctime_host_times_in_the_wrong_zone_are_shifted_to_the_zoned_scan_start() {
        // The ctime strings were written in CET (UTC+1) and are read as UTC; 19506 says UTC.
        let host = r#"<ReportHost name="192.0.2.10"><HostProperties>
<tag name="host-ip">192.0.2.10</tag>
<tag name="HOST_START">Fri Nov 20 03:00:05 2026</tag>
<tag name="HOST_END">Fri Nov 20 03:20:00 2026</tag>
</HostProperties>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="0" pluginID="19506" pluginName="Nessus Scan Information" pluginFamily="Settings"><plugin_output>Scanner IP : 203.0.113.5
Scan Start Date : 2026/11/20 1:58 UTC
Scan duration : 3600 sec
</plugin_output></ReportItem>
</ReportHost>"#;
        let r = parse_nessus(doc(host).as_bytes(), Tz::UTC).unwrap();
        let h = &r.hosts[0];
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(h.start, Some(at("2026-11-20T02:00:05Z")));
        assert_eq!(h.end, Some(at("2026-11-20T02:20:00Z")));
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains("shifted by -1 h") && n.contains("UTC+1")),
            "{:?}",
            r.notes
        );
        // Inside the run: nothing moves.
        let fine = host
            .replace("03:00:05", "02:00:05")
            .replace("03:20:00", "02:20:00");
        let r = parse_nessus(doc(&fine).as_bytes(), Tz::UTC).unwrap();
        assert_eq!(r.hosts[0].start, Some(at("2026-11-20T02:00:05Z")));
        assert!(
            !r.notes.iter().any(|n| n.contains("shifted")),
            "{:?}",
            r.notes
        );
        // A zone-less Scan Start Date says nothing about the ctime zone: nothing moves either.
        let zoneless = host.replace("1:58 UTC", "1:58");
        let r = parse_nessus(doc(&zoneless).as_bytes(), Tz::UTC).unwrap();
        assert_eq!(r.hosts[0].start, Some(at("2026-11-20T03:00:05Z")));
    }

    #[test]
    fn detects_nessus() {
        assert!(looks_like_nessus(
            b"<?xml version=\"1.0\" ?>\n<NessusClientData_v2>\n<Policy>"
        ));
        assert!(!looks_like_nessus(b"<?xml version=\"1.0\"?><nmaprun>"));
        assert!(!looks_like_nessus(b""));
    }

    #[test]
    fn full_report() {
        let r = parse(&two_hosts()).unwrap();
        assert_eq!(r.format, "nessus");
        assert_eq!(r.hosts.len(), 2);
        assert_eq!(
            r.scanner_ips,
            vec!["198.51.100.7".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            r.settings,
            ScanSettings {
                checks_read_timeout: Some(5),
                max_checks: Some(5),
                max_hosts: Some(30)
            }
        );

        let a = &r.hosts[0];
        assert_eq!(a.name, "192.0.2.10");
        assert_eq!(a.ip, Some("192.0.2.10".parse().unwrap()));
        assert_eq!(a.hostnames, vec!["web01.example.com", "WEB01"]);
        // Epoch tags win over the ctime strings.
        assert_eq!(a.start, Some(at("2026-11-20T02:00:05Z")));
        assert_eq!(a.end, Some(at("2026-11-20T03:00:00Z")));
        assert_eq!(a.scanner_ip, Some("198.51.100.7".parse().unwrap()));
        assert_eq!(a.port_scanners, vec!["nessus_syn_scanner"]);
        assert_eq!(a.settings.checks_read_timeout, Some(5));
        assert!(!a.recheck_ports_unknown);
        let got: Vec<(u16, ScanState)> = a.affected.iter().map(|p| (p.port, p.state)).collect();
        assert_eq!(
            got,
            vec![
                (22, ScanState::Closed),
                (80, ScanState::Unresponsive),
                (8080, ScanState::Unresponsive),
                (8443, ScanState::Closed),
                (9001, ScanState::Unresponsive),
            ]
        );
        assert!(a.affected.iter().all(|p| p.protocol == Proto::Tcp));
        assert_eq!(
            a.open_ports,
            vec![(80, Proto::Tcp), (22, Proto::Tcp), (161, Proto::Udp)]
        );
        assert_eq!(a.services.get(&(80, Proto::Tcp)).unwrap(), "www");
        assert_eq!(a.services.get(&(22, Proto::Tcp)).unwrap(), "ssh");
        assert_eq!(a.services.get(&(161, Proto::Udp)).unwrap(), "snmp");

        let b = &r.hosts[1];
        assert_eq!(b.name, "db01");
        assert_eq!(b.ip, Some("192.0.2.11".parse().unwrap()));
        assert_eq!(b.hostnames, vec!["DB01"]); // case-insensitive dedup
        // ctime with a double space, zone-less → UTC here.
        assert_eq!(b.start, Some(at("2013-07-01T11:33:11Z")));
        assert_eq!(b.end, Some(at("2013-07-01T11:40:48Z")));
        assert!(b.recheck_ports_unknown);
        assert!(b.affected.is_empty());

        assert_eq!(r.started, Some(at("2013-07-01T11:33:11Z")));
        assert_eq!(r.ended, Some(at("2026-11-20T03:00:00Z")));
        assert!(
            r.notes
                .contains(&"plugin 10919 never rechecks ports 139 and 445".to_string()),
            "{:?}",
            r.notes
        );
        assert!(
            r.notes.contains(
                &"host db01: plugin 10919 reported without output; affected ports unknown"
                    .to_string()
            ),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn ctime_uses_scan_tz() {
        let r = parse_nessus(two_hosts().as_bytes(), chrono_tz::Europe::Berlin).unwrap();
        // Epoch tags are zone-free…
        assert_eq!(r.hosts[0].start, Some(at("2026-11-20T02:00:05Z")));
        // …ctime strings are read in the scan zone (CEST in July).
        assert_eq!(r.hosts[1].start, Some(at("2013-07-01T09:33:11Z")));
    }

    #[test]
    fn bad_scanner_ip_is_a_note() {
        let host = format!(
            r#"<ReportHost name="192.0.2.20"><HostProperties><tag name="HOST_START">Fri Nov 20 02:00:05 2026</tag></HostProperties>{}</ReportHost>"#,
            scan_info("10.20.0.0.1", "nessus_syn_scanner", 5)
        );
        let r = parse(&doc(&host)).unwrap();
        let h = &r.hosts[0];
        assert_eq!(h.scanner_ip, None);
        assert!(r.scanner_ips.is_empty());
        assert!(
            r.notes.iter().any(|n| n.contains("'10.20.0.0.1'")),
            "{:?}",
            r.notes
        );
        // No HOST_END: estimated from 19506 start + duration, with a note.
        assert_eq!(h.start, Some(at("2026-11-20T02:00:05Z")));
        assert_eq!(h.end, Some(at("2026-11-20T02:07:38Z")));
        assert!(
            r.notes.iter().any(|n| n.contains("Scan duration")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn settings_from_19506_and_disagreement() {
        let host = format!(
            r#"<ReportHost name="192.0.2.20"><HostProperties></HostProperties>{}</ReportHost>"#,
            scan_info("192.0.2.1", "nessus_syn_scanner", 7)
        );
        let r = parse(&doc(&host)).unwrap();
        assert_eq!(r.settings.checks_read_timeout, Some(5));
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains("Recv timeout 7") && n.contains("checks_read_timeout 5")),
            "{:?}",
            r.notes
        );
        // Times from 19506 only.
        assert_eq!(r.hosts[0].start, Some(at("2026-11-20T02:00:00Z")));
        assert_eq!(r.started, Some(at("2026-11-20T02:00:00Z")));
        assert_eq!(r.ended, Some(at("2026-11-20T02:07:33Z")));

        // Without a policy: completed from 19506.
        let d = format!(
            "<NessusClientData_v2><Report name=\"r\">{host}</Report></NessusClientData_v2>"
        );
        let r = parse(&d).unwrap();
        assert_eq!(
            r.settings,
            ScanSettings {
                checks_read_timeout: Some(7),
                max_checks: Some(5),
                max_hosts: Some(30)
            }
        );
    }

    #[test]
    fn netstat_only_note() {
        let host = format!(
            r#"<ReportHost name="192.0.2.30"><HostProperties><tag name="HOST_START_TIMESTAMP">1795140005</tag><tag name="HOST_END_TIMESTAMP">1795143600</tag></HostProperties>{}</ReportHost>"#,
            scan_info("192.0.2.1", "wmi_netstat, netstat_portscan_ssh", 5)
        );
        let r = parse(&doc(&host)).unwrap();
        assert_eq!(
            r.hosts[0].port_scanners,
            vec!["wmi_netstat", "netstat_portscan_ssh"]
        );
        assert!(r.notes.contains(&"host 192.0.2.30: only netstat/SNMP port scanners ran; plugin 10919 is silent in that case, so closed ports would not be reported".to_string()), "{:?}", r.notes);
        // A SYN scanner among them: no note.
        let host = host.replace("wmi_netstat,", "nessus_syn_scanner,");
        let r = parse(&doc(&host)).unwrap();
        assert!(!r.notes.iter().any(|n| n.contains("only netstat")));
    }

    #[test]
    fn old_style_19506_in_description() {
        let host = r#"<ReportHost name="scanme.example.org"><HostProperties><tag name="host-ip">192.0.2.40</tag></HostProperties>
<ReportItem port="0" svc_name="unknown" protocol="tcp" severity="1" pluginID="19506" pluginName="Nessus Scan Information" pluginFamily="Settings">
<description>Information about this scan : 

Nessus version : 4.2.0
Scanner IP : 192.0.2.99
Port scanner(s) : nessus_syn_scanner 
Max checks : 5
Recv timeout : 5
Scan Start Date : 2009/12/11 2:57
Scan duration : 1657 sec
</description></ReportItem></ReportHost>"#;
        let r = parse(&doc(host)).unwrap();
        assert_eq!(r.hosts[0].scanner_ip, Some("192.0.2.99".parse().unwrap()));
        assert_eq!(r.hosts[0].hostnames, vec!["scanme.example.org"]);
        assert!(r.notes.iter().any(|n| n.contains("no HOST_START")));
    }

    #[test]
    fn scan_start_zones() {
        let utc = Tz::UTC;
        assert_eq!(
            parse_scan_start("2022/3/23 14:32 CET", utc).unwrap().0,
            at("2022-03-23T13:32:00Z")
        );
        assert_eq!(
            parse_scan_start("2018/9/13 20:34 Pacific Standard Time", utc)
                .unwrap()
                .0,
            at("2018-09-14T03:34:00Z")
        );
        assert_eq!(
            parse_scan_start("2013/7/1 11:33", utc).unwrap(),
            (at("2013-07-01T11:33:00Z"), None)
        );
        assert_eq!(
            parse_scan_start("2013/7/1 11:33 UTC", chrono_tz::Asia::Tokyo)
                .unwrap()
                .0,
            at("2013-07-01T11:33:00Z")
        );
        assert_eq!(
            parse_scan_start("2013/7/1 11:33 Europe/Paris", utc)
                .unwrap()
                .0,
            at("2013-07-01T09:33:00Z")
        );
        let (t, note) = parse_scan_start("2013/7/1 11:33 XYZT", utc).unwrap();
        assert_eq!(t, at("2013-07-01T11:33:00Z"));
        assert!(note.unwrap().contains("XYZT"));
        assert!(parse_scan_start("yesterday", utc).is_none());
        assert!(parse_scan_start("2013/13/1 11:33", utc).is_none());
    }

    #[test]
    fn ctime_variants() {
        let ctx = TimeContext::new(Tz::UTC, DateTime::<Utc>::UNIX_EPOCH);
        assert_eq!(
            parse_ctime("Mon Jul  1 11:33:11 2013", &ctx),
            Some(at("2013-07-01T11:33:11Z"))
        );
        assert_eq!(
            parse_ctime("Fri Nov 20 02:00:05 2026", &ctx),
            Some(at("2026-11-20T02:00:05Z"))
        );
        assert_eq!(parse_ctime("Fri Foo 20 02:00:05 2026", &ctx), None);
        assert_eq!(parse_ctime("Fri Nov 31 02:00:05 2026", &ctx), None);
        assert_eq!(parse_ctime("", &ctx), None);
        assert_eq!(parse_ctime("Fri Nov 20 02:00 2026", &ctx), None);
    }

    #[test]
    fn entity_bomb_is_not_expanded() {
        let lol = "&lol8;".repeat(10);
        let d = format!(
            r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
]>
<NessusClientData_v2><Report name="r"><ReportHost name="192.0.2.50"><HostProperties><tag name="host-fqdn">a{lol}b&amp;c&#x41;&#66;</tag></HostProperties>
<ReportItem port="0" svc_name="general" protocol="tcp" pluginID="10919"><plugin_output>{lol}Port 443 was detected as being open but is now closed{lol}</plugin_output></ReportItem>
</ReportHost></Report></NessusClientData_v2>"#
        );
        let r = parse(&d).unwrap();
        assert_eq!(r.hosts[0].hostnames, vec!["ab&cAB"]);
        assert_eq!(r.hosts[0].affected.len(), 1);
        assert_eq!(r.hosts[0].affected[0].port, 443);
    }

    #[test]
    fn truncated_and_foreign_documents_are_errors() {
        let full = two_hosts();
        for cut in [
            full.len() / 3,
            full.len() / 2,
            full.len() - 30,
            full.len() - 2,
        ] {
            let part = &full[..cut];
            assert!(
                matches!(parse(part), Err(ParseError::Xml(_))),
                "cut at {cut}: {:?}",
                parse(part).map(|r| r.hosts.len())
            );
        }
        assert_eq!(
            parse("<?xml version=\"1.0\"?><nmaprun></nmaprun>"),
            Err(ParseError::NotFormat("Nessus v2"))
        );
        assert_eq!(parse(""), Err(ParseError::NotFormat("Nessus v2")));
        assert_eq!(
            parse("just some text"),
            Err(ParseError::NotFormat("Nessus v2"))
        );
        assert!(parse("<NessusClientData_v2><Report></Policy></NessusClientData_v2>").is_err());
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let mut bytes = two_hosts().into_bytes();
        // A Latin-1 byte inside an unrelated plugin_output, and a stray byte in a tag.
        let pos = bytes.windows(5).position(|w| w == b"nginx").unwrap();
        bytes[pos] = 0xE9;
        let pos = bytes.windows(4).position(|w| w == b"WEB0").unwrap();
        bytes.insert(pos, 0xFF);
        let r = parse_nessus(&bytes[..], Tz::UTC).unwrap();
        assert_eq!(r.hosts.len(), 2);
        assert_eq!(r.hosts[0].hostnames[1], "\u{FFFD}WEB01");
        assert!(r.notes.iter().any(|n| n.contains("invalid UTF-8")));

        // Garbage and a split multi-byte sequence across reads: no panic.
        let data: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let _ = parse_nessus(&data[..], Tz::UTC);
        let reader = std::io::BufReader::with_capacity(
            3,
            "<NessusClientData_v2>é€😀</NessusClientData_v2>".as_bytes(),
        );
        assert!(parse_nessus(reader, Tz::UTC).unwrap().notes.is_empty());
    }

    #[test]
    fn huge_output_is_capped() {
        let big = "Port 80 was detected as being open but is now closed\n".repeat(30_000);
        let d = doc(&format!(
            r#"<ReportHost name="192.0.2.60"><HostProperties/><ReportItem port="0" pluginID="10919"><plugin_output>{big}</plugin_output></ReportItem></ReportHost>"#
        ));
        let r = parse(&d).unwrap();
        assert_eq!(r.hosts[0].affected.len(), 1);
        assert!(
            r.notes.iter().any(|n| n.contains("truncated")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn recheck_wording_parser() {
        let (p, ok) = parse_recheck("Port 80/udp was detected as being open but is now closed.");
        assert!(ok);
        assert_eq!(p[0].protocol, Proto::Udp);
        let (p, ok) = parse_recheck("Port x was detected as being open but is now closed");
        assert!(p.is_empty());
        assert!(!ok);
        let (p, ok) = parse_recheck("Port 80 was detected as being open but is now sideways");
        assert!(p.is_empty());
        assert!(!ok);
        let (p, ok) = parse_recheck("");
        assert!(p.is_empty() && ok);
        let (p, _) = parse_recheck("Port 99999 was detected as being open but is now closed");
        assert!(p.is_empty());
    }
}
