//! Comparing reports: a baseline and a rescan, or a series of scans of the same targets (any mix
//! of formats). A port that an earlier report saw open and a later one finds closed or filtered is
//! an affected port of the later report, with the window from the host's start in the last report
//! that saw it open to the host's end in the first report where it is gone (DESIGN.md step 3).
//!
//! What counts as "gone" is what the later report *states*: an explicit `closed`/`filtered` port,
//! a port folded into nmap's `<extraports>` (when the scan probed it: `<scaninfo services>`), a host
//! the scan found down, or, for formats that list only what answered (masscan, OpenVAS), a port or
//! host missing from a report that still shares hosts with the earlier one. A port a report says
//! nothing about (a Nessus report without it, a port outside the rescan's port list) is unknown and
//! never affected.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::{AffectedPort, PortState, ScanHost, ScanReason, ScanReport, ScanState};
use crate::Proto;

/// What one report says about one port of one host.
#[derive(Debug, Clone, PartialEq)]
enum Fact {
    Open { ttl: Option<u8> },
    Gone(ScanState, Option<ScanReason>),
    Unknown,
}

fn same_host(a: &ScanHost, b: &ScanHost) -> bool {
    match (a.ip, b.ip) {
        (Some(x), Some(y)) => x.to_canonical() == y.to_canonical(),
        _ => {
            let names = |h: &ScanHost| -> Vec<String> {
                h.keys().map(|k| k.to_ascii_lowercase()).collect()
            };
            let an = names(a);
            names(b).iter().any(|n| an.contains(n))
        }
    }
}

fn find<'a>(r: &'a ScanReport, h: &ScanHost) -> Option<&'a ScanHost> {
    r.hosts.iter().find(|x| same_host(x, h))
}

fn reason(what: &str) -> Option<ScanReason> {
    Some(ScanReason {
        reason: what.to_string(),
        ttl: None,
        from: None,
        line: None,
    })
}

/// The TTL of the host's own positive answers (any open port's `syn-ack`).
fn own_ttl(h: &ScanHost) -> Option<u8> {
    h.observed
        .iter()
        .filter(|o| o.state == PortState::Open)
        .find_map(|o| o.reason.as_ref().and_then(|r| r.ttl))
}

/// What report `r` says about `port` on the host (`h`: its entry there, if any). `shares` = the
/// report has hosts in common with the one it is compared with.
fn fact(r: &ScanReport, h: Option<&ScanHost>, port: u16, proto: &Proto, shares: bool) -> Fact {
    let Some(h) = h else {
        return if r.lists_only_open && shares {
            Fact::Gone(
                ScanState::Unresponsive,
                reason("no-response (the host is absent from the report: nothing on it answered)"),
            )
        } else {
            Fact::Unknown
        };
    };
    if let Some(why) = &h.down {
        return Fact::Gone(
            ScanState::Unresponsive,
            reason(&format!("host-down ({why})")),
        );
    }
    if let Some(o) = h
        .observed
        .iter()
        .find(|o| o.port == port && o.protocol == *proto)
    {
        return match o.state {
            PortState::Open => Fact::Open {
                ttl: o.reason.as_ref().and_then(|r| r.ttl).or_else(|| own_ttl(h)),
            },
            s => match s.gone_as() {
                Some(g) => Fact::Gone(g, o.reason.clone()),
                None => Fact::Unknown,
            },
        };
    }
    // Found gone by the report's own recheck (Nessus 10919): that is its last word on the port
    // (it was open earlier in the same scan, so it is also among the open ports).
    if let Some(a) = h
        .affected
        .iter()
        .find(|a| a.port == port && a.protocol == *proto)
    {
        return Fact::Gone(a.state, a.reason.clone());
    }
    if h.open_ports.contains(&(port, proto.clone())) {
        return Fact::Open { ttl: own_ttl(h) };
    }
    // nmap 7.9x lists the ports of each extraports reason.
    for x in &h.extra {
        for (why, ports) in &x.reasons {
            if ports.as_ref().is_some_and(|p| p.contains(port)) {
                return match x.state.gone_as() {
                    Some(g) => Fact::Gone(g, reason(why)),
                    None => Fact::Unknown,
                };
            }
        }
    }
    let probed = r
        .scanned
        .iter()
        .any(|(p, set)| p == proto && set.contains(port));
    if probed && !h.extra.is_empty() {
        let states: Vec<PortState> = h.extra.iter().map(|x| x.state).collect();
        let why = h
            .extra
            .iter()
            .flat_map(|x| x.reasons.iter().map(|(w, _)| w.clone()))
            .collect::<Vec<_>>()
            .join(", ");
        let why = if why.is_empty() {
            format!("extraports ({})", states_text(&h.extra))
        } else {
            format!("{why} (one of {})", states_text(&h.extra))
        };
        return if states.iter().all(|s| *s == states[0]) {
            match states[0].gone_as() {
                Some(g) => Fact::Gone(g, reason(&why)),
                None => Fact::Unknown,
            }
        } else {
            // "995 closed, 3 filtered": which one is not said; no answer is the weaker claim.
            Fact::Gone(ScanState::Unresponsive, reason(&why))
        };
    }
    if r.lists_only_open && shares {
        return Fact::Gone(
            ScanState::Unresponsive,
            reason("no-response (not among the ports that answered)"),
        );
    }
    Fact::Unknown
}

fn states_text(x: &[super::ExtraPorts]) -> String {
    x.iter()
        .map(|e| format!("{} {}", e.count, e.state.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn host_start(r: &ScanReport, h: Option<&ScanHost>) -> Option<DateTime<Utc>> {
    h.and_then(|h| h.start).or(r.started)
}

fn host_end(r: &ScanReport, h: Option<&ScanHost>) -> Option<DateTime<Utc>> {
    h.and_then(|h| h.end).or(r.ended)
}

/// Compare the reports, in the order given (earliest first); `files` names them. Affected ports
/// and notes are added to the later reports.
pub fn compare(reports: &mut [ScanReport], files: &[String]) {
    let n = reports.len();
    if n == 1 && reports[0].comparable {
        let r = &mut reports[0];
        r.notes.push(format!(
            "a lone {} report says which ports are open, not which went away: give the earlier scan too (--baseline OLD, or both reports) to compare them",
            r.format
        ));
        return;
    }
    for j in 1..n {
        let (earlier, later) = reports.split_at_mut(j);
        let rj = &mut later[0];
        let prev = &earlier[j - 1];
        let shares = prev.hosts.iter().any(|h| find(rj, h).is_some());
        if !shares && !prev.hosts.is_empty() && !rj.hosts.is_empty() {
            rj.notes.push(format!(
                "{} and {} have no host in common: nothing was compared (were they scans of the same targets?)",
                files[j - 1], files[j]
            ));
            continue;
        }
        // Every host any earlier report saw, once.
        let mut seen: Vec<(usize, usize)> = Vec::new();
        for (i, r) in earlier.iter().enumerate() {
            for (hi, h) in r.hosts.iter().enumerate() {
                if let Some(pos) = seen
                    .iter()
                    .position(|&(a, b)| same_host(&earlier[a].hosts[b], h))
                {
                    seen[pos] = (i, hi);
                } else {
                    seen.push((i, hi));
                }
            }
        }
        let mut absent: Vec<String> = Vec::new();
        let mut additions: Vec<(ScanHost, AffectedPort)> = Vec::new();
        for &(i0, hi0) in &seen {
            let ident = &earlier[i0].hosts[hi0];
            let mut ports: Vec<(u16, Proto)> = Vec::new();
            for r in earlier.iter() {
                if let Some(h) = find(r, ident) {
                    for p in h.open_ports.iter().chain(
                        h.observed
                            .iter()
                            .filter(|o| o.state == PortState::Open)
                            .map(|o| (o.port, o.protocol.clone()))
                            .collect::<Vec<_>>()
                            .iter(),
                    ) {
                        if !ports.contains(p) {
                            ports.push(p.clone());
                        }
                    }
                }
            }
            let hj = find(rj, ident);
            if hj.is_none() && !rj.lists_only_open {
                absent.push(
                    ident
                        .ip
                        .map(|i| i.to_string())
                        .unwrap_or(ident.name.clone()),
                );
                continue;
            }
            for (port, proto) in ports {
                // The last earlier report that says anything about the port.
                let last = (0..j).rev().find_map(|i| {
                    let hi = find(&earlier[i], ident);
                    let shares_i = i == 0 || hi.is_some();
                    match fact(&earlier[i], hi, port, &proto, shares_i) {
                        Fact::Unknown => None,
                        f => Some((i, f)),
                    }
                });
                let Some((i, Fact::Open { ttl })) = last else {
                    continue;
                };
                let Fact::Gone(state, why) = fact(rj, hj, port, &proto, shares) else {
                    continue;
                };
                let hi = find(&earlier[i], ident);
                let window = match (host_start(&earlier[i], hi), host_end(rj, hj)) {
                    (Some(a), Some(b)) if a <= b => Some((a, b)),
                    _ => None,
                };
                let mut a = AffectedPort::new(port, proto.clone(), state);
                a.window = window;
                a.reason = why;
                a.seen_open_in = Some(files[i].clone());
                a.host_ttl = ttl;
                additions.push((hj.cloned().unwrap_or_else(|| host_shell(ident)), a));
            }
        }
        for (h, a) in additions {
            let host = match rj.hosts.iter_mut().position(|x| same_host(x, &h)) {
                Some(p) => &mut rj.hosts[p],
                None => {
                    rj.hosts.push(h);
                    let last = rj.hosts.len() - 1;
                    &mut rj.hosts[last]
                }
            };
            if let Some(s) = earlier.iter().rev().find_map(|r| {
                find(r, host).and_then(|e| e.services.get(&(a.port, a.protocol.clone())).cloned())
            }) {
                host.services
                    .entry((a.port, a.protocol.clone()))
                    .or_insert(s);
            }
            if !host
                .affected
                .iter()
                .any(|x| x.port == a.port && x.protocol == a.protocol)
            {
                host.affected.push(a);
            }
        }
        if !absent.is_empty() {
            rj.notes.push(format!(
                "{} of {} not in {}: {} not compared ({})",
                count(absent.len(), "host"),
                files[..j].join(", "),
                files[j],
                if absent.len() == 1 {
                    "its ports were"
                } else {
                    "their ports were"
                },
                absent.join(", ")
            ));
        }
        let down: Vec<String> = rj
            .hosts
            .iter()
            .filter(|h| h.down.is_some() && h.affected.iter().any(|_| true))
            .map(|h| h.ip.map(|i| i.to_string()).unwrap_or(h.name.clone()))
            .collect();
        for d in down {
            rj.notes.push(format!(
                "host {d} was down in {}: every port seen open before is unresponsive (a ban or block of the scanner, or the host itself)",
                files[j]
            ));
        }
    }
}

fn host_shell(h: &ScanHost) -> ScanHost {
    ScanHost {
        name: h.name.clone(),
        ip: h.ip,
        hostnames: h.hostnames.clone(),
        ..ScanHost::default()
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Order reports by scan start (reports without one keep their place at the end). Returns the
/// permutation applied (new position → old index).
pub fn order_by_start(starts: &[Option<DateTime<Utc>>]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..starts.len()).collect();
    idx.sort_by_key(|&i| (starts[i].is_none(), starts[i], i));
    idx
}

/// Is `ip` among the hosts of `r`?
pub fn has_host(r: &ScanReport, ip: IpAddr) -> bool {
    r.hosts.iter().any(|h| h.ip == Some(ip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{masscan, nmap};

    fn nmap_doc(start: i64, ports: &str, extra: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><nmaprun scanner="nmap" start="{start}" version="7.94">
<scaninfo type="syn" protocol="tcp" numservices="4" services="22,80,443,8080"/>
<host starttime="{start}" endtime="{}"><status state="up" reason="echo-reply"/>
<address addr="192.0.2.10" addrtype="ipv4"/><ports>{extra}
{ports}
</ports></host><runstats><finished time="{}"/></runstats></nmaprun>"#,
            start + 300,
            start + 301
        )
    }

    fn port(p: u16, state: &str, why: &str, ttl: u8) -> String {
        format!(
            r#"<port protocol="tcp" portid="{p}"><state state="{state}" reason="{why}" reason_ttl="{ttl}"/><service name="x"/></port>"#
        )
    }

    fn read(doc: &str) -> ScanReport {
        nmap::parse(doc.as_bytes()).unwrap()
    }

    #[test]
    fn baseline_open_rescan_closed_filtered_or_folded() {
        let base = read(&nmap_doc(
            1000,
            &[
                port(22, "open", "syn-ack", 63),
                port(80, "open", "syn-ack", 63),
                port(443, "open", "syn-ack", 63),
                port(8080, "open", "syn-ack", 63),
            ]
            .concat(),
            "",
        ));
        let re = read(&nmap_doc(
            5000,
            &[
                port(22, "open", "syn-ack", 63),
                port(80, "closed", "reset", 250),
                port(443, "filtered", "admin-prohibited", 253),
            ]
            .concat(),
            r#"<extraports state="filtered" count="1"><extrareasons reason="no-response" count="1"/></extraports>"#,
        ));
        let mut v = vec![base, re];
        compare(&mut v, &["old.xml".into(), "new.xml".into()]);
        let a = &v[1].hosts[0].affected;
        let got: Vec<(u16, ScanState, &str)> = a
            .iter()
            .map(|a| (a.port, a.state, a.reason.as_ref().unwrap().reason.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (80, ScanState::Closed, "reset"),
                (443, ScanState::Unresponsive, "admin-prohibited"),
                (
                    8080,
                    ScanState::Unresponsive,
                    "no-response (one of 1 filtered)"
                ),
            ]
        );
        assert_eq!(a[0].host_ttl, Some(63));
        assert_eq!(a[0].seen_open_in.as_deref(), Some("old.xml"));
        let w = a[0].window.unwrap();
        assert_eq!((w.0.timestamp(), w.1.timestamp()), (1000, 5300));
        assert!(v[0].hosts[0].affected.is_empty());
    }

    #[test]
    fn a_series_finds_the_window_between_last_open_and_first_gone() {
        let open = port(443, "open", "syn-ack", 63);
        let closed = port(443, "closed", "reset", 63);
        let mut v = vec![
            read(&nmap_doc(1000, &open, "")),
            read(&nmap_doc(2000, &open, "")),
            read(&nmap_doc(3000, &closed, "")),
            read(&nmap_doc(4000, &closed, "")),
        ];
        let files: Vec<String> = (0..4).map(|i| format!("s{i}.xml")).collect();
        compare(&mut v, &files);
        assert!(v[1].hosts[0].affected.is_empty());
        assert!(
            v[3].hosts[0].affected.is_empty(),
            "gone stays gone: affected once"
        );
        let a = &v[2].hosts[0].affected[0];
        assert_eq!(a.seen_open_in.as_deref(), Some("s1.xml"));
        let w = a.window.unwrap();
        assert_eq!((w.0.timestamp(), w.1.timestamp()), (2000, 3300));
    }

    #[test]
    fn lone_report_other_hosts_and_masscan_absence() {
        let mut lone = vec![read(&nmap_doc(1000, &port(22, "open", "syn-ack", 63), ""))];
        compare(&mut lone, &["a.xml".into()]);
        assert!(
            lone[0].notes[0].contains("--baseline"),
            "{:?}",
            lone[0].notes
        );

        let other = nmap_doc(2000, &port(22, "closed", "reset", 63), "")
            .replace("192.0.2.10", "198.51.100.9");
        let mut v = vec![
            read(&nmap_doc(1000, &port(22, "open", "syn-ack", 63), "")),
            read(&other),
        ];
        compare(&mut v, &["a.xml".into(), "b.xml".into()]);
        assert!(v[1].hosts.iter().all(|h| h.affected.is_empty()));
        assert!(
            v[1].notes[0].contains("no host in common"),
            "{:?}",
            v[1].notes
        );

        // masscan: the rescan still sees 22 on .10 but not 443; .11 is absent altogether.
        let j = |lines: &[(&str, u16)]| -> ScanReport {
            let body: Vec<String> = lines
                .iter()
                .map(|(ip, p)| format!(r#"{{   "ip": "{ip}",   "timestamp": "1764036005", "ports": [ {{"port": {p}, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 64}} ] }}"#))
                .collect();
            masscan::FORMAT_JSON
                .read(
                    &mut format!("[\n{}\n]\n", body.join("\n,\n")).as_bytes(),
                    chrono_tz::UTC,
                )
                .unwrap()
        };
        let mut v = vec![
            j(&[("192.0.2.10", 22), ("192.0.2.10", 443), ("192.0.2.11", 80)]),
            j(&[("192.0.2.10", 22)]),
        ];
        compare(&mut v, &["m1.json".into(), "m2.json".into()]);
        let mut got: Vec<(String, u16)> = v[1]
            .hosts
            .iter()
            .flat_map(|h| h.affected.iter().map(move |a| (h.name.clone(), a.port)))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![("192.0.2.10".into(), 443), ("192.0.2.11".into(), 80)]
        );
    }

    #[test]
    fn a_port_a_nessus_recheck_already_lost_is_not_open_before() {
        // Nessus saw 443 open, then its 10919 recheck found it gone: a rescan that finds it
        // filtered adds nothing (the Nessus report already explains it); 22 open in both: nothing.
        let mut nessus = ScanReport {
            format: "nessus".into(),
            hosts: vec![ScanHost {
                name: "192.0.2.10".into(),
                ip: "192.0.2.10".parse().ok(),
                open_ports: vec![(22, Proto::Tcp), (443, Proto::Tcp)],
                affected: vec![AffectedPort::new(443, Proto::Tcp, ScanState::Unresponsive)],
                ..ScanHost::default()
            }],
            ..ScanReport::default()
        };
        nessus.started = DateTime::from_timestamp(500, 0);
        let re = read(&nmap_doc(
            5000,
            &[
                port(22, "open", "syn-ack", 63),
                port(443, "filtered", "no-response", 0),
            ]
            .concat(),
            "",
        ));
        let mut v = vec![nessus, re];
        compare(&mut v, &["n.nessus".into(), "r.xml".into()]);
        assert!(
            v[1].hosts[0].affected.is_empty(),
            "{:?}",
            v[1].hosts[0].affected
        );
        assert_eq!(v[0].hosts[0].affected.len(), 1);
    }

    #[test]
    fn down_hosts_and_order() {
        let down = r#"<?xml version="1.0"?><nmaprun scanner="nmap" start="3000"><scaninfo type="syn" protocol="tcp" services="22"/>
<host starttime="3000" endtime="3010"><status state="down" reason="no-response"/><address addr="192.0.2.10" addrtype="ipv4"/></host>
<runstats><finished time="3011"/></runstats></nmaprun>"#;
        let mut v = vec![
            read(&nmap_doc(1000, &port(22, "open", "syn-ack", 63), "")),
            read(down),
        ];
        compare(&mut v, &["a.xml".into(), "b.xml".into()]);
        let a = &v[1].hosts[0].affected[0];
        assert_eq!(a.state, ScanState::Unresponsive);
        assert!(a.reason.as_ref().unwrap().reason.starts_with("host-down"));
        assert!(
            v[1].notes.iter().any(|n| n.contains("was down")),
            "{:?}",
            v[1].notes
        );
        assert_eq!(
            order_by_start(&[
                Some(DateTime::from_timestamp(5, 0).unwrap()),
                None,
                DateTime::from_timestamp(1, 0)
            ]),
            vec![2, 0, 1]
        );
    }
}
