//! Real-world Nessus reports (the shared corpus, never copied into the repo): every file parses and
//! the facts we know from reading the files come out.
//!
//! Corpus: `$PORTMORTEM_REALWORLD_DIR` or `<crate>/../../shared/realworld`; skipped when absent.

mod common;

use std::fs::File;
use std::io::BufReader;
use std::net::IpAddr;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use portmortem_parsers::scan::nessus::{looks_like_nessus, parse_nessus};
use portmortem_parsers::scan::{ScanReport, ScanState};

fn corpus() -> Option<PathBuf> {
    common::realworld("scans/nessus")
}

fn load(name: &str) -> Option<ScanReport> {
    let path = corpus()?.join(name);
    let f = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(
        parse_nessus(BufReader::new(f), Tz::UTC)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn every_file_parses() {
    let Some(dir) = corpus() else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let head = std::fs::read(&path).unwrap();
        assert!(
            looks_like_nessus(&head[..head.len().min(4096)]),
            "{}",
            path.display()
        );
        let r = parse_nessus(BufReader::new(File::open(&path).unwrap()), Tz::UTC)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(r.format, "nessus");
        assert!(!r.hosts.is_empty(), "{}", path.display());
        assert!(r.started.is_some(), "{}", path.display());
        n += 1;
    }
    assert!(n >= 6, "expected the six corpus files, found {n}");
}

#[test]
fn defectdojo_v_unknown_recheck() {
    let Some(r) = load("defectdojo_nessus_v_unknown.xml") else {
        return;
    };
    let names: Vec<&str> = r.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "qa3app09", "qa3app06", "qa3app05", "qa3app04", "qa3app03", "qa3app02", "qa3app01"
        ]
    );
    assert_eq!(r.scanner_ips, vec![ip("172.16.138.174")]);
    assert_eq!(r.settings.checks_read_timeout, Some(5));
    assert_eq!(r.settings.max_checks, Some(5));
    assert_eq!(r.settings.max_hosts, Some(80));
    for h in &r.hosts {
        let ports: Vec<u16> = h.affected.iter().map(|a| a.port).collect();
        if h.name == "qa3app02" {
            assert_eq!(ports, [135, 10002, 3389, 7001, 80]);
        } else {
            assert_eq!(ports, [135, 3389, 80], "{}", h.name);
        }
        assert!(
            h.affected.iter().all(|a| a.state == ScanState::Unresponsive
                && a.protocol == portmortem_parsers::Proto::Tcp)
        );
        assert!(!h.recheck_ports_unknown);
        assert_eq!(h.scanner_ip, Some(ip("172.16.138.174")));
        assert_eq!(h.port_scanners, ["nessus_syn_scanner"]);
        assert_eq!(h.settings.checks_read_timeout, Some(5));
        assert_eq!(h.settings.max_checks, Some(5));
        assert_eq!(h.start, Some(at("2013-07-01T11:33:11Z")));
    }
    let h = &r.hosts[0];
    assert_eq!(h.ip, Some(ip("10.31.112.29")));
    assert_eq!(h.hostnames, ["qa3app09"]);
    assert_eq!(h.end, Some(at("2013-07-01T11:40:48Z")));
    assert!(
        h.open_ports
            .contains(&(3389, portmortem_parsers::Proto::Tcp))
    );
    assert_eq!(
        h.services
            .get(&(3389, portmortem_parsers::Proto::Tcp))
            .map(String::as_str),
        Some("msrdp")
    );
    assert_eq!(r.started, Some(at("2013-07-01T11:33:11Z")));
    assert_eq!(r.ended, Some(at("2013-07-01T11:54:48Z")));
    assert!(
        r.notes
            .contains(&"plugin 10919 never rechecks ports 139 and 445".to_string())
    );
}

#[test]
fn ruby_nessus_scanner_ip_from_old_description() {
    let Some(r) = load("ruby-nessus_example_v2.nessus") else {
        return;
    };
    assert_eq!(r.hosts.len(), 2);
    assert_eq!(r.scanner_ips, vec![ip("10.0.1.6")]);
    assert_eq!(r.hosts[0].name, "snorby.org");
    assert_eq!(r.hosts[0].ip, Some(ip("173.45.230.150")));
    assert_eq!(r.hosts[0].start, Some(at("2009-12-11T02:57:52Z")));
    assert_eq!(r.settings.checks_read_timeout, Some(5));
    assert_eq!(r.settings.max_hosts, Some(40));
}

#[test]
fn libnessus_ctime_host_start() {
    let Some(r) = load("libnessus_nessus_report_local_3.nessus") else {
        return;
    };
    assert_eq!(r.hosts.len(), 3);
    let h = r.hosts.iter().find(|h| h.name == "192.168.2.104").unwrap();
    assert_eq!(h.ip, Some(ip("192.168.2.104")));
    assert!(h.hostnames.is_empty());
    assert_eq!(h.start, Some(at("2014-03-20T00:30:57Z")));
    assert_eq!(h.end, Some(at("2014-03-20T01:07:03Z")));
    let mac = r.hosts.iter().find(|h| h.name == "192.168.2.100").unwrap();
    assert_eq!(mac.hostnames, ["MIKE-MACBOOK"]);
    assert_eq!(r.scanner_ips, vec![ip("10.0.2.15")]);
    assert_eq!(r.settings.checks_read_timeout, Some(15));
    assert_eq!(r.settings.max_checks, Some(4));
    assert_eq!(r.settings.max_hosts, Some(20));
    assert!(r.hosts.iter().all(|h| h.affected.is_empty()));
    assert_eq!(r.ended, Some(at("2014-03-20T01:22:17Z")));
}

#[test]
fn cvssv3_bad_scanner_ip_and_epoch_times() {
    let Some(r) = load("defectdojo_nessus_with_cvssv3.nessus") else {
        return;
    };
    assert_eq!(r.hosts.len(), 1);
    let h = &r.hosts[0];
    assert_eq!(h.scanner_ip, None);
    assert!(r.scanner_ips.is_empty());
    assert!(
        r.notes.iter().any(|n| n.contains("'10.20.0.0.1'")),
        "{:?}",
        r.notes
    );
    // HOST_START_TIMESTAMP wins over the (CET) ctime string.
    assert_eq!(h.start, DateTime::from_timestamp(1648042311, 0));
    assert_eq!(h.end, DateTime::from_timestamp(1648044472, 0));
    assert_eq!(h.hostnames, ["testphp.vulnweb.com"]);
    assert_eq!(r.settings.max_checks, Some(4));
    assert_eq!(r.settings.max_hosts, Some(30));
}

#[test]
fn pytenable_agent_scan_netstat_only() {
    let Some(r) = load("pytenable_example.nessus") else {
        return;
    };
    assert_eq!(r.hosts.len(), 1);
    assert_eq!(r.scanner_ips, vec![ip("127.0.0.1")]);
    assert_eq!(r.hosts[0].hostnames, ["adam.ad.demo.io", "adam"]);
    assert!(
        r.notes.iter().any(|n| n.contains("only netstat/SNMP")),
        "{:?}",
        r.notes
    );
}

#[test]
fn many_vuln_scanner_ip() {
    let Some(r) = load("defectdojo_nessus_many_vuln.xml") else {
        return;
    };
    assert_eq!(r.hosts.len(), 1);
    assert_eq!(r.scanner_ips, vec![ip("172.16.138.167")]);
    assert_eq!(r.hosts[0].start, Some(at("2013-06-25T10:32:42Z")));
}
