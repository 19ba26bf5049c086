//! Real nmap, OpenVAS and masscan reports (the shared corpus, never copied into the repo): every
//! file is read, and the facts known from reading the files by hand come out; the one real
//! baseline/rescan pair (libnmap's `2_hosts` and `2_hosts_achange`) compares as it should.
//! Skipped when the corpus is absent.

mod common;

use std::io::BufReader;
use std::net::IpAddr;

use portmortem_parsers::Proto;
use portmortem_parsers::scan::{PortState, ScanFormat, ScanReport, ScanState, series};

fn load(rel: &str) -> Option<ScanReport> {
    let path = common::realworld(rel)?;
    let head = std::fs::read(&path).unwrap();
    let f = ScanFormat::detect(&head[..head.len().min(65536)])
        .unwrap_or_else(|| panic!("{rel}: not detected"));
    let file = std::fs::File::open(&path).unwrap();
    Some(
        f.read(&mut BufReader::new(file), chrono_tz::UTC)
            .unwrap_or_else(|e| panic!("{rel}: {e}")),
    )
}

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

#[test]
fn every_real_scan_report_reads() {
    let Some(root) = common::realworld("scans") else {
        return;
    };
    let mut checked = Vec::new();
    for dir in ["nmap", "openvas", "masscan"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let rel = format!("scans/{dir}/{}", e.file_name().to_string_lossy());
            let r = load(&rel).unwrap();
            assert!(r.comparable, "{rel}");
            checked.push(rel);
        }
    }
    eprintln!("read: {}", checked.join(", "));
    assert!(checked.len() >= 14, "{checked:?}");
}

#[test]
fn nmap_facts() {
    let Some(r) = load("scans/nmap/libnmap_2_hosts.xml") else {
        return;
    };
    assert_eq!(r.format, "nmap");
    assert_eq!(r.hosts.len(), 2);
    let lo = &r.hosts[0];
    assert_eq!(lo.ip, ip("127.0.0.1"));
    assert_eq!(lo.hostnames, vec!["localhost"]);
    let open: Vec<u16> = lo.open_ports.iter().map(|p| p.0).collect();
    assert_eq!(open, vec![22, 25, 111, 631, 3306]);
    assert_eq!(lo.extra[0].state, PortState::Closed);
    assert_eq!(lo.extra[0].count, 995);
    assert_eq!(r.scanned[0].1.len(), 1000);

    // scanme: 25 filtered by an ICMP admin-prohibited from a router, 10 hops closer (ttl 253).
    let Some(ch) = load("scans/nmap/libnmap_2_hosts_achange.xml") else {
        return;
    };
    let scanme = &ch.hosts[1];
    let p25 = scanme.observed.iter().find(|o| o.port == 25).unwrap();
    assert_eq!(p25.state, PortState::Filtered);
    let why = p25.reason.as_ref().unwrap();
    assert_eq!(why.reason, "admin-prohibited");
    assert_eq!(why.ttl, Some(253));
    assert_eq!(why.from, ip("109.133.192.1"));

    // Connect scans write reason_ttl="0": not a TTL.
    let Some(m) = load("scans/nmap/defectdojo_nmap_multiple_port.xml") else {
        return;
    };
    assert_eq!(m.hosts[0].open_ports.len(), 13);
    assert!(
        m.hosts[0]
            .observed
            .iter()
            .all(|o| o.reason.as_ref().unwrap().ttl.is_none())
    );

    // -v lists down hosts: they are hosts with `down`, not errors.
    let Some(full) = load("scans/nmap/libnmap_fullscan.xml") else {
        return;
    };
    assert_eq!(full.hosts.iter().filter(|h| h.down.is_some()).count(), 254);
    assert_eq!(full.hosts.iter().filter(|h| h.down.is_none()).count(), 2);
}

#[test]
fn the_real_baseline_rescan_pair() {
    let (Some(a), Some(b)) = (
        load("scans/nmap/libnmap_2_hosts.xml"),
        load("scans/nmap/libnmap_2_hosts_achange.xml"),
    ) else {
        return;
    };
    let mut v = vec![a, b];
    series::compare(
        &mut v,
        &["2_hosts.xml".into(), "2_hosts_achange.xml".into()],
    );
    let lo = &v[1].hosts[0];
    let got: Vec<(u16, ScanState, String)> = lo
        .affected
        .iter()
        .map(|a| (a.port, a.state, a.reason.clone().unwrap().reason))
        .collect();
    // 25 is listed closed (with nmap 5.51's odd "syn-ack" reason); 111 is gone into the 995
    // closed extraports.
    assert_eq!(
        got,
        vec![
            (25, ScanState::Closed, "syn-ack".to_string()),
            (
                111,
                ScanState::Closed,
                "resets (one of 995 closed)".to_string()
            ),
        ]
    );
    assert!(lo.affected.iter().all(|a| a.protocol == Proto::Tcp));
    assert!(v[1].hosts[1].affected.is_empty(), "scanme did not change");
}

#[test]
fn openvas_and_masscan_facts() {
    let Some(o) = load("scans/openvas/defectdojo_openvas_many_vuln.xml") else {
        return;
    };
    assert_eq!(o.format, "openvas");
    assert!(o.started.is_some() && o.ended.is_some());
    let h = &o.hosts[0];
    assert_eq!(
        h.name, "192.168.1.1001",
        "GVM writes what it was given, even not an IP"
    );
    assert!(h.open_ports.contains(&(512, Proto::Tcp)));
    assert!(h.open_ports.contains(&(8787, Proto::Tcp)));
    assert!(h.start.is_some() && h.end.is_some());
    let Some(none) = load("scans/openvas/defectdojo_openvas_no_vuln.xml") else {
        return;
    };
    assert!(none.hosts.iter().all(|h| h.open_ports.is_empty()));

    let Some(m) = load("scans/masscan/defectdojo_masscan_many_vuln.json") else {
        return;
    };
    assert_eq!(m.hosts.len(), 1);
    let mut open: Vec<u16> = m.hosts[0].open_ports.iter().map(|p| p.0).collect();
    open.sort();
    assert_eq!(open, vec![80, 3000, 8080, 8443]);
    assert!(m.notes.is_empty(), "{:?}", m.notes);
}
