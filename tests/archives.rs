//! tar archives (plain or compressed, members possibly compressed too): each member is a source
//! named `archive!member`; a scan inside an archive is used when none is given outside.

mod common;

use std::io::Write;

use common::*;

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(root().join("samples/nov20-webfarm").join(rel)).unwrap()
}

fn tar_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, &data[..]).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn tar_gz_with_scan_and_logs_inside() {
    let d = tempfile::tempdir().unwrap();
    let archive = gzip(&tar_of(&[
        ("./case-4471/scan.nessus", sample("scan.nessus")),
        ("./case-4471/web01/kern.log", sample("web01/kern.log")),
        // A rotated, compressed log inside the archive.
        ("./case-4471/db01/syslog.1.gz", sample("db01/syslog.1.gz")),
        ("./case-4471/ids01/eve.json", sample("ids01/eve.json")),
        ("./case-4471/NOTES.txt", sample("NOTES.txt")),
    ]));
    std::fs::write(d.path().join("case.tar.gz"), archive).unwrap();
    let (code, r) = analyze_json(d.path(), &["case.tar.gz"]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["scans"][0]["file"], "case.tar.gz!case-4471/scan.nessus");
    let facts = port_facts(&r);
    let find = |port: u64, host: &str| {
        facts
            .iter()
            .find(|f| f.1 == port && f.0 == host)
            .unwrap()
            .clone()
    };
    let web = find(443, "192.0.2.10");
    assert_eq!(
        (web.2.as_str(), web.3.as_str()),
        ("blocked", "firewall_drop")
    );
    assert_eq!(web.4[0], "case.tar.gz!case-4471/web01/kern.log:6");
    let db = find(3306, "192.0.2.30");
    assert_eq!(
        (db.2.as_str(), db.3.as_str()),
        ("service_restart", "service_stop")
    );
    assert_eq!(db.4[0], "case.tar.gz!case-4471/db01/syslog.1.gz:7");
    let ips = find(22, "192.0.2.50");
    assert_eq!(ips.3, "ips_block");
    let src: Vec<(String, String)> = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["file"].as_str().unwrap().to_string(),
                s["format"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        src.contains(&(
            "case.tar.gz!case-4471/NOTES.txt".into(),
            "unrecognised".into()
        )),
        "{src:?}"
    );
    assert!(
        src.contains(&("case.tar.gz!case-4471/scan.nessus".into(), "nessus".into())),
        "{src:?}"
    );
    assert_schema_valid(&r);
}

#[test]
fn plain_tar_of_logs_next_to_a_scan_and_events_names_members() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("scan.nessus"), sample("scan.nessus")).unwrap();
    std::fs::write(
        d.path().join("bastion01.tar"),
        tar_of(&[("var/log/fail2ban.log", sample("bastion01/fail2ban.log"))]),
    )
    .unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0);
    // The host comes from the archive's name (`bastion01.tar`).
    let ban = port_facts(&r)
        .into_iter()
        .find(|f| f.3 == "ban")
        .expect("ban verdict");
    assert_eq!(
        ban.4,
        vec!["./bastion01.tar!var/log/fail2ban.log:10".to_string()]
    );
    let o = run_in(d.path(), &["events", "bastion01.tar"]);
    assert_eq!(o.status.code(), Some(0));
    let first: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(first["file"], "bastion01.tar!var/log/fail2ban.log");
    assert_eq!(first["format"], "fail2ban");
}

#[test]
fn truncated_tar_gz_is_an_error_but_earlier_members_count() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("scan.nessus"), sample("scan.nessus")).unwrap();
    let noise: Vec<u8> = (0..40_000u32)
        .flat_map(|i| {
            format!(
                "Nov 20 01:{:02}:{:02} web01 CRON[{i}]: (root) CMD (job {})\n",
                (i / 60) % 60,
                i % 60,
                i.wrapping_mul(2_654_435_761)
            )
            .into_bytes()
        })
        .collect();
    let archive = gzip(&tar_of(&[
        ("web01/kern.log", sample("web01/kern.log")),
        ("web01/cron.log", noise),
    ]));
    std::fs::write(
        d.path().join("logs.tar.gz"),
        &archive[..archive.len() * 2 / 3],
    )
    .unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 2);
    let facts = port_facts(&r);
    assert!(
        facts.iter().any(|f| f.3 == "firewall_drop"),
        "the first member still counts: {facts:?}"
    );
    let errs: Vec<&serde_json::Value> = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["error"].is_string())
        .collect();
    assert!(!errs.is_empty(), "the truncation is reported");
}
