//! nmap XML (`-oX`, any scan type) and masscan's `-oX` (which writes the same `<nmaprun>` shape):
//! per host `starttime`/`endtime`, `<status>`, addresses, hostnames, every `<port>` with its
//! `<state state reason reason_ttl reason_ip>` and `<service name>`, the `<extraports>` counts
//! (their ports have a known state too: the `<scaninfo services>` list says which ports were
//! probed), and `runstats`. `<hosthint>` blocks (nmap ≥ 7.80 announces hosts before scanning them)
//! are not hosts. A lone report yields no affected ports: comparing two (a baseline and a rescan,
//! [`super::series`]) does.

use std::io::BufRead;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use quick_xml::events::BytesStart;

use super::xml::{Handler, attr_value};
use super::{
    ExtraPorts, PortObservation, PortSet, PortState, ScanFormat, ScanHost, ScanReason, ScanReport,
    ScanSpec,
};
use crate::Proto;
use crate::error::ParseError;

pub const FORMAT: ScanFormat = ScanFormat::new(&ScanSpec {
    name: "nmap",
    aliases: &["nmap_xml", "masscan_xml"],
    description: "nmap XML (-oX, any scan type) and masscan -oX: per-host start/end and status, every port's state and reason (syn-ack, reset, admin-prohibited, no-response …), extraports, hostnames; compared as baseline and rescan",
    example: r#"<host starttime="1764036000" endtime="1764036320"><address addr="192.0.2.10" addrtype="ipv4"/><ports><port protocol="tcp" portid="443"><state state="filtered" reason="admin-prohibited" reason_ttl="253" reason_ip="192.0.2.1"/>"#,
    looks_like,
    read: |r, _tz| parse(r),
    read_growing: Some(|r, _tz| parse_with(r, true)),
});

fn looks_like(head: &[u8]) -> bool {
    memchr::memmem::find(head, b"<nmaprun").is_some()
}

/// Read an nmap (or masscan) XML report. Times are epoch seconds: no zone is involved.
pub fn parse<R: BufRead>(r: R) -> Result<ScanReport, ParseError> {
    parse_with(r, false)
}

/// [`parse`]; `growing`: a report nmap is still writing (what it has so far).
pub fn parse_with<R: BufRead>(r: R, growing: bool) -> Result<ScanReport, ParseError> {
    let mut st = State::default();
    match super::xml::walk_with(r, &mut st, "nmap XML", growing) {
        Err(ParseError::Xml(_)) if !st.seen_root => return Err(ParseError::NotFormat("nmap XML")),
        Err(ParseError::Xml(m)) => {
            return Err(ParseError::Xml(format!(
                "{m}{}",
                if st.report.hosts.is_empty() && st.host.is_none() {
                    String::new()
                } else {
                    format!(
                        " after {} host(s) (an interrupted scan? nmap writes the closing </nmaprun> only when it finishes)",
                        st.report.hosts.len() + usize::from(st.host.is_some())
                    )
                }
            )));
        }
        r => {
            r?;
        }
    }
    if !st.seen_root {
        return Err(ParseError::NotFormat("nmap XML"));
    }
    Ok(st.finish())
}

#[derive(Default)]
struct State {
    seen_root: bool,
    report: ScanReport,
    host: Option<ScanHost>,
    /// Inside `<hosthint>`: nothing there is a host.
    in_hint: bool,
    port: Option<PortObservation>,
    extra: Option<ExtraPorts>,
    /// `runstats/finished time`.
    finished: Option<DateTime<Utc>>,
    /// `runstats/finished exit="error"` message.
    error: Option<String>,
    hosts_down: Option<u32>,
    /// Text of `<service name>` for the open port being read.
    service: Option<String>,
}

fn epoch(e: &BytesStart<'_>, key: &str) -> Option<DateTime<Utc>> {
    let v: i64 = attr_value(e, key)?.trim().parse().ok()?;
    DateTime::from_timestamp(v, 0).filter(|_| v > 0)
}

impl Handler for State {
    fn start(&mut self, e: &BytesStart<'_>, line: u64) -> Result<(), ParseError> {
        let name = e.local_name();
        let name = name.as_ref();
        if !self.seen_root {
            if name != "nmaprun" {
                return Err(ParseError::NotFormat("nmap XML"));
            }
            self.seen_root = true;
            let scanner = attr_value(e, "scanner").unwrap_or_else(|| "nmap".into());
            self.report.format = if scanner.eq_ignore_ascii_case("masscan") {
                self.report.lists_only_open = true;
                "masscan".into()
            } else {
                "nmap".into()
            };
            self.report.comparable = true;
            self.report.started = epoch(e, "start");
            return Ok(());
        }
        match name {
            "hosthint" => self.in_hint = true,
            _ if self.in_hint => {}
            "scaninfo" => {
                let proto = Proto::from_text(&attr_value(e, "protocol").unwrap_or_default());
                if let Some(set) = attr_value(e, "services").and_then(|s| PortSet::parse(&s)) {
                    self.report.scanned.push((proto, set));
                }
            }
            "host" => {
                self.host = Some(ScanHost {
                    start: epoch(e, "starttime"),
                    end: epoch(e, "endtime"),
                    ..ScanHost::default()
                })
            }
            "status" => {
                if let Some(h) = self.host.as_mut()
                    && attr_value(e, "state").as_deref() == Some("down")
                {
                    h.down = Some(attr_value(e, "reason").unwrap_or_else(|| "down".into()));
                }
            }
            "address" => {
                if let Some(h) = self.host.as_mut()
                    && attr_value(e, "addrtype").as_deref() != Some("mac")
                    && let Some(a) = attr_value(e, "addr")
                    && h.ip.is_none()
                {
                    h.ip = a.trim().parse::<IpAddr>().ok().map(|i| i.to_canonical());
                    h.name = a.trim().to_string();
                }
            }
            "hostname" => {
                if let Some(h) = self.host.as_mut()
                    && let Some(n) = attr_value(e, "name")
                {
                    let n = n.trim().to_string();
                    if !n.is_empty() && !h.hostnames.contains(&n) {
                        h.hostnames.push(n);
                    }
                }
            }
            "extraports" if self.host.is_some() => {
                self.extra = attr_value(e, "state")
                    .and_then(|s| PortState::from_word(&s))
                    .map(|state| ExtraPorts {
                        state,
                        count: attr_value(e, "count")
                            .and_then(|c| c.trim().parse().ok())
                            .unwrap_or(0),
                        reasons: Vec::new(),
                    });
            }
            "extrareasons" => {
                if let Some(x) = self.extra.as_mut() {
                    let ports = attr_value(e, "ports").and_then(|p| PortSet::parse(&p));
                    x.reasons
                        .push((attr_value(e, "reason").unwrap_or_default(), ports));
                }
            }
            "port" if self.host.is_some() => {
                let port = attr_value(e, "portid").and_then(|p| p.trim().parse::<u16>().ok());
                self.port = port.map(|port| PortObservation {
                    port,
                    protocol: Proto::from_text(&attr_value(e, "protocol").unwrap_or_default()),
                    state: PortState::Unfiltered,
                    reason: None,
                });
                if port.is_none() {
                    self.note(format!(
                        "line {line}: a <port> without a readable portid was skipped"
                    ));
                }
                self.service = None;
            }
            "state" => {
                if let Some(p) = self.port.as_mut() {
                    match attr_value(e, "state").and_then(|s| PortState::from_word(&s)) {
                        Some(s) => p.state = s,
                        None => {
                            let port = p.port;
                            self.port = None;
                            self.note(format!(
                                "line {line}: port {port} has a state nmap does not write; skipped"
                            ));
                            return Ok(());
                        }
                    }
                    p.reason = attr_value(e, "reason").map(|reason| ScanReason {
                        reason: reason.trim().to_string(),
                        // TTL 0 = not known (connect scans write it).
                        ttl: attr_value(e, "reason_ttl")
                            .and_then(|t| t.trim().parse().ok())
                            .filter(|&t: &u8| t > 0),
                        from: attr_value(e, "reason_ip").and_then(|t| t.trim().parse().ok()),
                        line: Some(line),
                    });
                }
            }
            "service" if self.port.is_some() => {
                self.service = attr_value(e, "name").filter(|n| !n.trim().is_empty());
            }
            "finished" => {
                self.finished = epoch(e, "time");
                if attr_value(e, "exit").as_deref() == Some("error") {
                    self.error = Some(attr_value(e, "errormsg").unwrap_or_default());
                }
            }
            "hosts" if self.host.is_none() => {
                self.hosts_down = attr_value(e, "down").and_then(|d| d.trim().parse().ok());
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) {
        match name {
            "hosthint" => self.in_hint = false,
            _ if self.in_hint => {}
            "port" => {
                if let (Some(p), Some(h)) = (self.port.take(), self.host.as_mut()) {
                    if let Some(s) = self.service.take() {
                        h.services.insert((p.port, p.protocol.clone()), s);
                    }
                    if p.state == PortState::Open
                        && !h.open_ports.contains(&(p.port, p.protocol.clone()))
                    {
                        h.open_ports.push((p.port, p.protocol.clone()));
                    }
                    h.observed.push(p);
                }
            }
            "extraports" => {
                if let (Some(x), Some(h)) = (self.extra.take(), self.host.as_mut()) {
                    h.extra.push(x);
                }
            }
            "host" => {
                if let Some(h) = self.host.take() {
                    self.add_host(h);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, _s: &str) {}
}

impl State {
    fn note(&mut self, n: String) {
        if self.report.notes.len() < 50 && !self.report.notes.contains(&n) {
            self.report.notes.push(n);
        }
    }

    /// masscan writes one `<host>` per port found: fold them into one host per address.
    fn add_host(&mut self, h: ScanHost) {
        if h.ip.is_none() && h.name.is_empty() {
            self.note("a <host> without an address was skipped".into());
            return;
        }
        if let Some(prev) = self
            .report
            .hosts
            .iter_mut()
            .find(|x| x.ip == h.ip && x.name == h.name)
        {
            prev.start = prev.start.min(h.start).or(prev.start).or(h.start);
            prev.end = prev.end.max(h.end);
            for p in h.observed {
                if !prev
                    .observed
                    .iter()
                    .any(|o| o.port == p.port && o.protocol == p.protocol)
                {
                    if p.state == PortState::Open {
                        prev.open_ports.push((p.port, p.protocol.clone()));
                    }
                    prev.observed.push(p);
                }
            }
            prev.services.extend(h.services);
            prev.extra.extend(h.extra);
            for n in h.hostnames {
                if !prev.hostnames.contains(&n) {
                    prev.hostnames.push(n);
                }
            }
            return;
        }
        self.report.hosts.push(h);
    }

    fn finish(mut self) -> ScanReport {
        self.report.ended = self
            .finished
            .or_else(|| self.report.hosts.iter().filter_map(|h| h.end).max());
        if let Some(m) = self.error.take() {
            self.note(format!("the scan ended with an error: {m}"));
        }
        if let Some(d) = self.hosts_down.filter(|&d| d > 0) {
            let listed = self
                .report
                .hosts
                .iter()
                .filter(|h| h.down.is_some())
                .count();
            if listed == 0 {
                self.note(format!(
                    "{d} host(s) were down and are not listed in the report (nmap omits down hosts unless run with -v or -Pn)"
                ));
            }
        }
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sS -oX - 192.0.2.10" start="1764036000" startstr="Tue Nov 25 02:00:00 2025" version="7.94" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="5" services="22,80,443,8080,8443"/>
<hosthint><status state="up" reason="unknown-response" reason_ttl="0"/>
<address addr="192.0.2.99" addrtype="ipv4"/></hosthint>
<host starttime="1764036001" endtime="1764036300"><status state="up" reason="echo-reply" reason_ttl="63"/>
<address addr="192.0.2.10" addrtype="ipv4"/>
<address addr="00:00:5E:00:53:01" addrtype="mac"/>
<hostnames><hostname name="web01.example.org" type="PTR"/></hostnames>
<ports><extraports state="closed" count="2">
<extrareasons reason="reset" count="2" proto="tcp" ports="8080,8443"/>
</extraports>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="63"/><service name="ssh" method="table" conf="3"/></port>
<port protocol="tcp" portid="80"><state state="closed" reason="reset" reason_ttl="63"/><service name="http" method="table" conf="3"/></port>
<port protocol="tcp" portid="443"><state state="filtered" reason="admin-prohibited" reason_ttl="253" reason_ip="192.0.2.1"/><service name="https" method="table" conf="3"/></port>
</ports>
</host>
<runstats><finished time="1764036301" timestr="Tue Nov 25 02:05:01 2025" elapsed="301" summary="" exit="success"/><hosts up="1" down="0" total="1"/></runstats>
</nmaprun>
"#;

    #[test]
    fn reads_hosts_ports_reasons_and_extraports() {
        let r = parse(DOC.as_bytes()).unwrap();
        assert_eq!(r.format, "nmap");
        assert!(r.comparable && !r.lists_only_open);
        assert_eq!(r.hosts.len(), 1, "a hosthint is not a host");
        let h = &r.hosts[0];
        assert_eq!(h.ip, Some("192.0.2.10".parse().unwrap()));
        assert_eq!(h.hostnames, vec!["web01.example.org"]);
        assert_eq!(h.start.unwrap().timestamp(), 1764036001);
        assert_eq!(r.ended.unwrap().timestamp(), 1764036301);
        assert_eq!(h.open_ports, vec![(22, Proto::Tcp)]);
        assert_eq!(h.observed.len(), 3);
        let p443 = &h.observed[2];
        assert_eq!(p443.state, PortState::Filtered);
        let why = p443.reason.as_ref().unwrap();
        assert_eq!(why.reason, "admin-prohibited");
        assert_eq!(why.ttl, Some(253));
        assert_eq!(why.from, Some("192.0.2.1".parse().unwrap()));
        assert_eq!(why.line, Some(16));
        assert_eq!(h.extra[0].state, PortState::Closed);
        assert!(h.extra[0].reasons[0].1.as_ref().unwrap().contains(8443));
        assert!(r.scanned[0].1.contains(8080));
        assert_eq!(h.services.get(&(443, Proto::Tcp)).unwrap(), "https");
    }

    #[test]
    fn truncated_and_foreign_documents() {
        let cut = &DOC[..DOC.find("<runstats>").unwrap()];
        let e = parse(cut.as_bytes()).unwrap_err().to_string();
        assert!(
            e.contains("truncated") && e.contains("interrupted scan"),
            "{e}"
        );
        assert!(matches!(
            parse(&b"<NessusClientData_v2></NessusClientData_v2>"[..]),
            Err(ParseError::NotFormat(_))
        ));
        assert!(parse(&br#"<nmaprun><host><ports><port portid="#[..]).is_err());
    }

    #[test]
    fn masscan_xml_folds_one_host_per_port() {
        let doc = r#"<?xml version="1.0"?>
<nmaprun scanner="masscan" start="1764036000" version="1.0-BETA"  xmloutputversion="1.03">
<scaninfo type="syn" protocol="tcp" />
<host endtime="1764036010"><address addr="198.51.100.7" addrtype="ipv4"/><ports><port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="64"/></port></ports></host>
<host endtime="1764036012"><address addr="198.51.100.7" addrtype="ipv4"/><ports><port protocol="tcp" portid="443"><state state="open" reason="syn-ack" reason_ttl="64"/></port></ports></host>
<runstats>
<finished time="1764036020" timestr="2025-11-25 02:00:20" elapsed="20" />
<hosts up="1" down="0" total="1" />
</runstats>
</nmaprun>"#;
        let r = parse(doc.as_bytes()).unwrap();
        assert_eq!(r.format, "masscan");
        assert!(r.lists_only_open);
        assert_eq!(r.hosts.len(), 1);
        assert_eq!(
            r.hosts[0].open_ports,
            vec![(80, Proto::Tcp), (443, Proto::Tcp)]
        );
    }
}
