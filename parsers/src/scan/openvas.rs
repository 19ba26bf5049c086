//! OpenVAS / Greenbone (GVM) XML reports (`<report>` … `<report>` as GMP `get_reports` returns
//! them): per host `<host><ip>`, `<start>`, `<end>` and host details (hostname, ports), the open
//! ports of the `<ports>` summary and of every result (`443/tcp`; `general/tcp` is no port), the
//! scan's `scan_start`/`scan_end`, and hosts the scan calls dead. GVM lists only ports it found
//! open ([`ScanReport::lists_only_open`]): a port missing from a rescan of a live host was not
//! found open.

use std::io::BufRead;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use quick_xml::events::BytesStart;

use super::xml::{Handler, push_capped};
use super::{ScanFormat, ScanHost, ScanReport, ScanSpec};
use crate::Proto;
use crate::error::ParseError;

pub const FORMAT: ScanFormat = ScanFormat::new(&ScanSpec {
    name: "openvas",
    aliases: &["gvm", "greenbone"],
    description: "OpenVAS / Greenbone GVM XML report: hosts with start/end, open ports from results and host details, dead hosts; compared as baseline and rescan",
    example: "<result><host>192.0.2.10</host><port>443/tcp</port><nvt oid=\"1.3.6.1.4.1.25623.1.0.103692\"> … <report><host><ip>192.0.2.10</ip><start>2026-11-20T02:00:00Z</start>",
    looks_like,
    read: |r, _tz| parse(r),
    read_growing: Some(|r, _tz| parse_with(r, true)),
});

fn looks_like(head: &[u8]) -> bool {
    let has = |n: &[u8]| memchr::memmem::find(head, n).is_some();
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let rest = head.get(start..).unwrap_or_default();
    let root = rest.starts_with(b"<report")
        || rest.starts_with(b"<?xml") && has(b"<report")
        || rest.starts_with(b"<get_reports_response");
    root && (has(b"<gmp>") || has(b"<scan_run_status>") || has(b"<nvt oid=") || has(b"<omp>"))
}

/// Cap on one captured text (an `<ip>`, a port, a detail value).
const CAP: usize = 64 << 10;

#[derive(Default)]
struct State {
    seen_root: bool,
    stack: Vec<String>,
    text: String,
    truncated: bool,
    report: ScanReport,
    /// The host of the result being read and its port.
    result_host: Option<String>,
    result_port: Option<String>,
    result_dead: bool,
    /// `<host>` block of the report (per-host facts).
    host: Option<ScanHost>,
    detail_name: Option<String>,
    /// Ports per host address text, from results and the ports summary, in order of appearance.
    ports: Vec<(String, Vec<(u16, Proto)>)>,
    dead: Vec<String>,
    summary_port: Option<String>,
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `443/tcp`, `https (443/tcp)`, `general/tcp` (none).
fn port_of(s: &str) -> Option<(u16, Proto)> {
    let s = s.trim();
    let inner = match (s.rfind('('), s.rfind(')')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    };
    let (n, p) = inner.split_once('/')?;
    let port: u16 = n.trim().parse().ok()?;
    Some((port, Proto::from_text(p.trim())))
}

impl State {
    fn parent(&self, up: usize) -> Option<&str> {
        self.stack
            .len()
            .checked_sub(up + 1)
            .and_then(|i| self.stack.get(i))
            .map(String::as_str)
    }

    fn add_port(&mut self, host: &str, port: (u16, Proto)) {
        let host = host.trim();
        if host.is_empty() {
            return;
        }
        let i = match self.ports.iter().position(|(h, _)| h == host) {
            Some(i) => i,
            None => {
                self.ports.push((host.to_string(), Vec::new()));
                self.ports.len() - 1
            }
        };
        if !self.ports[i].1.contains(&port) {
            self.ports[i].1.push(port);
        }
    }

    fn in_result(&self) -> bool {
        // The outer result of `<results>`; a `<detection><result>` inside it is not another one.
        self.stack.iter().any(|n| n == "results")
    }
}

impl Handler for State {
    fn start(&mut self, e: &BytesStart<'_>, _line: u64) -> Result<(), ParseError> {
        let name = e.local_name().as_ref().to_string();
        if !self.seen_root {
            if name != "report" && name != "get_reports_response" {
                return Err(ParseError::NotFormat("OpenVAS/GVM XML report"));
            }
            self.seen_root = true;
        }
        if name == "host"
            && self.parent(0) == Some("report")
            && !self.in_result()
            && self.host.is_none()
        {
            self.host = Some(ScanHost::default());
        }
        if name == "result" && self.parent(0) == Some("results") {
            self.result_host = None;
            self.result_port = None;
            self.result_dead = false;
        }
        self.stack.push(name);
        self.text.clear();
        self.truncated = false;
        Ok(())
    }

    fn end(&mut self, name: &str) {
        let text = std::mem::take(&mut self.text);
        self.stack.pop();
        let parent = self.parent(0).map(str::to_string);
        let parent = parent.as_deref();
        match (name, parent) {
            ("scan_start", _) => self.report.started = parse_time(&text).or(self.report.started),
            ("scan_end", _) => self.report.ended = parse_time(&text).or(self.report.ended),
            // A result's host: its text is the address (a child `<hostname>` may follow).
            ("host", Some("result")) if self.in_result() => {
                self.result_host = Some(text.trim().to_string());
            }
            ("hostname", Some("host")) if self.in_result() => {}
            ("port", Some("result")) if self.in_result() => self.result_port = Some(text),
            ("description", Some("result")) if self.in_result() => {
                let l = text.to_ascii_lowercase();
                if l.contains("considered as dead") || l.contains("host is dead") {
                    self.result_dead = true;
                }
            }
            ("result", Some("results")) => {
                if let Some(h) = self.result_host.take() {
                    if let Some(p) = self.result_port.take().as_deref().and_then(port_of) {
                        self.add_port(&h, p);
                    }
                    if self.result_dead && !self.dead.contains(&h) {
                        self.dead.push(h);
                    }
                }
            }
            // The `<ports>` summary: `<port>443/tcp<host>IP</host>…</port>`.
            ("host", Some("port")) => {
                if let Some(p) = self.summary_port.take().as_deref().and_then(port_of) {
                    self.add_port(text.trim(), p);
                }
            }
            ("port", Some("ports")) => self.summary_port = None,
            ("ip", Some("host")) => {
                if let Some(h) = self.host.as_mut() {
                    h.name = text.trim().to_string();
                    h.ip = h.name.parse::<IpAddr>().ok().map(|i| i.to_canonical());
                }
            }
            ("start", Some("host")) => {
                if let Some(h) = self.host.as_mut() {
                    h.start = parse_time(&text);
                }
            }
            ("end", Some("host")) => {
                if let Some(h) = self.host.as_mut() {
                    h.end = parse_time(&text);
                }
            }
            ("name", Some("detail")) => self.detail_name = Some(text.trim().to_string()),
            ("value", Some("detail")) => {
                let dn = self.detail_name.take().unwrap_or_default();
                if let Some(h) = self.host.as_mut() {
                    let v = text.trim().to_string();
                    match dn.as_str() {
                        "hostname" if !v.is_empty() && !h.hostnames.contains(&v) => {
                            h.hostnames.push(v);
                        }
                        "ports" | "tcp_ports" | "udp_ports" => {
                            let proto = if dn == "udp_ports" {
                                Proto::Udp
                            } else {
                                Proto::Tcp
                            };
                            if let Some(set) = super::PortSet::parse(&v) {
                                for p in set.iter() {
                                    if !h.open_ports.contains(&(p, proto.clone())) {
                                        h.open_ports.push((p, proto.clone()));
                                    }
                                }
                            }
                        }
                        "Host dead" | "dead" => h.down = Some("the scan considered it dead".into()),
                        _ => {}
                    }
                }
            }
            ("host", Some("report")) => {
                if let Some(h) = self.host.take()
                    && !h.name.is_empty()
                {
                    self.report.hosts.push(h);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, s: &str) {
        if self.stack.last().map(String::as_str) == Some("port") && self.parent(1) == Some("ports")
        {
            // `<port>443/tcp<host>…`: the port's own text comes before its child.
            let t = s.trim();
            if !t.is_empty() {
                self.summary_port = Some(t.to_string());
            }
        }
        push_capped(&mut self.text, s, CAP, &mut self.truncated);
    }
}

/// Read a GVM/OpenVAS XML report.
pub fn parse<R: BufRead>(r: R) -> Result<ScanReport, ParseError> {
    parse_with(r, false)
}

/// [`parse`]; `growing`: a report still being written.
pub fn parse_with<R: BufRead>(r: R, growing: bool) -> Result<ScanReport, ParseError> {
    let mut st = State::default();
    match super::xml::walk_with(r, &mut st, "OpenVAS XML", growing) {
        Err(ParseError::Xml(_)) if !st.seen_root => {
            return Err(ParseError::NotFormat("OpenVAS/GVM XML report"));
        }
        r => {
            r?;
        }
    }
    let mut report = st.report;
    report.format = "openvas".into();
    report.lists_only_open = true;
    report.comparable = true;
    // Hosts seen only in results (no `<host>` block) still count.
    for (h, _) in &st.ports {
        if !report.hosts.iter().any(|x| &x.name == h) {
            report.hosts.push(ScanHost {
                name: h.clone(),
                ip: h.parse::<IpAddr>().ok().map(|i| i.to_canonical()),
                ..ScanHost::default()
            });
        }
    }
    for h in &mut report.hosts {
        if let Some((_, ports)) = st.ports.iter().find(|(n, _)| *n == h.name) {
            for p in ports {
                if !h.open_ports.contains(p) {
                    h.open_ports.push(p.clone());
                }
            }
        }
        if st.dead.contains(&h.name) {
            h.down = Some("the scan considered it dead".into());
        }
        for (port, protocol) in h.open_ports.clone() {
            h.observed.push(super::PortObservation {
                port,
                protocol,
                state: super::PortState::Open,
                reason: None,
            });
        }
    }
    for d in &st.dead {
        if !report.hosts.iter().any(|h| &h.name == d) {
            report.hosts.push(ScanHost {
                name: d.clone(),
                ip: d.parse::<IpAddr>().ok().map(|i| i.to_canonical()),
                down: Some("the scan considered it dead".into()),
                ..ScanHost::default()
            });
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<report id="r1" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5" extension="xml" content_type="text/xml"><name>x</name>
<report id="r1"><gmp><version>22.4</version></gmp><scan_run_status>Done</scan_run_status>
<scan_start>2026-11-20T02:00:00Z</scan_start>
<ports max="-1" start="1"><count>2</count>
<port>443/tcp<host>192.0.2.10</host><severity>5.0</severity><threat>Medium</threat></port>
<port>general/tcp<host>192.0.2.10</host><severity>0.0</severity></port>
</ports>
<results start="1" max="-1">
<result id="a"><name>SSH Server type and version</name><host>192.0.2.10<asset asset_id=""/><hostname>web01.example.org</hostname></host><port>22/tcp</port><nvt oid="1.3.6.1.4.1.25623.1.0.10267"><name>SSH</name></nvt><description>x</description>
<detection><result id="b"><details><detail><name>product</name><value>cpe:/a:openbsd:openssh</value></detail></details></result></detection></result>
<result id="c"><name>Ping Host</name><host>192.0.2.11</host><port>general/tcp</port><description>The remote host 192.0.2.11 was considered as dead.</description></result>
</results>
<host><ip>192.0.2.10</ip><asset asset_id=""/><start>2026-11-20T02:00:05Z</start><end>2026-11-20T02:40:00Z</end>
<detail><name>hostname</name><value>web01.example.org</value></detail>
<detail><name>ports</name><value>22,443,8443</value></detail>
</host>
<scan_end>2026-11-20T02:41:00Z</scan_end>
</report></report>"#;

    #[test]
    fn hosts_ports_times_and_dead_hosts() {
        assert!(looks_like(DOC.as_bytes()));
        let r = parse(DOC.as_bytes()).unwrap();
        assert_eq!(r.format, "openvas");
        assert_eq!(r.started.unwrap().to_rfc3339(), "2026-11-20T02:00:00+00:00");
        assert_eq!(r.ended.unwrap().to_rfc3339(), "2026-11-20T02:41:00+00:00");
        let h = r.hosts.iter().find(|h| h.name == "192.0.2.10").unwrap();
        assert_eq!(h.hostnames, vec!["web01.example.org"]);
        assert_eq!(h.start.unwrap().to_rfc3339(), "2026-11-20T02:00:05+00:00");
        let mut ports: Vec<u16> = h.open_ports.iter().map(|p| p.0).collect();
        ports.sort();
        assert_eq!(ports, vec![22, 443, 8443]);
        let dead = r.hosts.iter().find(|h| h.name == "192.0.2.11").unwrap();
        assert!(dead.down.is_some());
    }

    #[test]
    fn not_openvas_and_truncated() {
        assert!(!looks_like(b"<nmaprun scanner=\"nmap\">"));
        let cut = &DOC[..DOC.find("<host><ip>").unwrap()];
        assert!(
            parse(cut.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        assert_eq!(port_of("https (443/tcp)"), Some((443, Proto::Tcp)));
        assert_eq!(port_of("general/tcp"), None);
    }
}
