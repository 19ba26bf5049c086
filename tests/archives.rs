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

fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A Tenable CSV export zipped with the logs of the case: the scan is found inside the zip, its
/// 10919 row names the port, the fail2ban line in the same zip explains it.
#[test]
fn zip_with_a_nessus_csv_export_and_logs() {
    let csv = "\"Plugin ID\",\"CVE\",\"CVSS v2.0 Base Score\",\"Risk\",\"Host\",\"Protocol\",\"Port\",\"Name\",\"Synopsis\",\"Description\",\"Solution\",\"See Also\",\"Plugin Output\"\n\
\"19506\",\"\",\"\",\"None\",\"192.0.2.70\",\"tcp\",\"0\",\"Nessus Scan Information\",\"\",\"\",\"\",\"\",\"Information about this scan : \n\nScanner IP : 203.0.113.5\nPort scanner(s) : nessus_syn_scanner \nMax checks : 5\nRecv timeout : 5\nScan Start Date : 2026/11/20 2:00 UTC\nScan duration : 1800 sec\n\"\n\
\"10919\",\"\",\"\",\"None\",\"192.0.2.70\",\"tcp\",\"0\",\"Open Port Re-check\",\"\",\"\",\"\",\"\",\"Port 22 was detected as being open but is now unresponsive\n\"\n";
    let d = tempfile::tempdir().unwrap();
    let z = zip_of(&[
        ("export/scan.csv", csv.as_bytes().to_vec()),
        ("bastion01/fail2ban.log", sample("bastion01/fail2ban.log")),
    ]);
    std::fs::write(d.path().join("case.zip"), z).unwrap();
    std::fs::write(
        d.path().join("cfg.toml"),
        "[sources.\"*fail2ban.log\"]\nhost = \"192.0.2.70\"\n",
    )
    .unwrap();
    let (code, r) = analyze_json(d.path(), &["--config", "cfg.toml", "case.zip"]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["scans"][0]["file"], "case.zip!export/scan.csv");
    assert_eq!(r["scans"][0]["format"], "nessus_csv");
    let p = &r["ports"][0];
    assert_eq!(p["port"], 22);
    assert_eq!(p["verdict"], "blocked", "{p:#}");
    assert_eq!(p["cause"], "ban");
    assert_eq!(p["evidence"][0]["file"], "case.zip!bastion01/fail2ban.log");
    assert_eq!(p["evidence"][0]["line"], 10);
}
