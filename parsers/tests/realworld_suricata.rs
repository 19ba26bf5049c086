//! Real-world Suricata eve.json (the shared corpus, never copied into the repo).
//!
//! Corpus: `$PORTMORTEM_REALWORLD_DIR` or `<crate>/../../shared/realworld`; skipped when absent.

mod common;

use std::net::IpAddr;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use portmortem_parsers::ids::suricata::parse_eve_line;
use portmortem_parsers::{EventKind, IpsAction, Proto, TimeContext};

fn corpus_file(rel: &str) -> Option<PathBuf> {
    common::realworld(rel)
}

#[test]
fn crowdsec_hub_eve_alerts() {
    let Some(path) = corpus_file("logs/suricata/crowdsec-hub_suricata-eve-detect.json") else {
        return;
    };
    let data = std::fs::read(&path).unwrap();
    let ctx = TimeContext::utc(
        DateTime::parse_from_rfc3339("2022-07-12T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    );
    let mut alerts = Vec::new();
    for line in data.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        if let Some(ev) = parse_eve_line(line, &ctx).unwrap() {
            alerts.push(ev);
        }
    }
    assert_eq!(alerts.len(), 4);
    let first = &alerts[0];
    assert_eq!(
        first.time,
        DateTime::parse_from_rfc3339("2022-07-12T06:22:33.415742Z").unwrap()
    );
    assert_eq!(first.host, None);
    let EventKind::IpsAlert(a) = &first.kind else {
        panic!("not an alert: {first:?}");
    };
    assert_eq!(a.action, IpsAction::Alerted);
    assert_eq!(a.src, "1.2.3.4".parse::<IpAddr>().unwrap());
    assert_eq!(a.dst, Some("1.2.3.5".parse().unwrap()));
    assert_eq!(a.proto, Some(Proto::Tcp));
    assert_eq!(a.dport, Some(80));
    assert_eq!(a.signature_id, Some(2034125));
    assert!(a.signature.contains("CVE-2021-41773"));
    let sip: Vec<Option<u16>> = alerts
        .iter()
        .map(|e| match &e.kind {
            EventKind::IpsAlert(a) => a.dport,
            _ => None,
        })
        .collect();
    assert_eq!(sip, [Some(80), Some(5060), Some(5060), Some(5060)]);
}
