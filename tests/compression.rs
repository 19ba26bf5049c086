//! Compressed logs, told by magic number: gzip (also concatenated members), zstd, bzip2, xz. Each
//! keeps its own path in the report; a truncated one is a read error for that source only.

mod common;

use std::io::Write;

use common::*;

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(root().join("samples/nov20-webfarm").join(rel)).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn every_compression_is_read_and_keeps_its_own_path() {
    let d = tempfile::tempdir().unwrap();
    let w = |name: &str, data: Vec<u8>| std::fs::write(d.path().join(name), data).unwrap();
    w("scan.nessus", sample("scan.nessus"));
    // Named without an extension on purpose: the magic number decides.
    w(
        "web01-kern",
        zstd::encode_all(&sample("web01/kern.log")[..], 3).unwrap(),
    );
    w("app01-syslog.bz2", bzip2(&sample("app01/syslog")));
    w("eve.json.xz", xz(&sample("ids01/eve.json")));
    // Two gzip members back to back (`cat a.gz b.gz`): both halves are read.
    let fail2ban = sample("bastion01/fail2ban.log");
    let cut = fail2ban.iter().position(|&b| b == b'\n').unwrap() * 5;
    let cut = cut.min(fail2ban.len());
    let mut two = gzip(&fail2ban[..cut]);
    two.extend(gzip(&fail2ban[cut..]));
    std::fs::create_dir(d.path().join("bastion01")).unwrap();
    w("bastion01/fail2ban.log.gz", two);

    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r}");
    let facts: Vec<(u64, String, String)> = port_facts(&r)
        .into_iter()
        .map(|(_, port, verdict, cause, _)| (port, verdict, cause))
        .collect();
    let want = |p: u64, v: &str, c: &str| (p, v.to_string(), c.to_string());
    assert!(
        facts.contains(&want(443, "blocked", "firewall_drop")),
        "{facts:?}"
    );
    assert!(
        facts.contains(&want(8080, "service_restart", "oom_kill")),
        "{facts:?}"
    );
    assert!(
        facts.contains(&want(22, "blocked", "ips_block")),
        "{facts:?}"
    );
    assert!(facts.contains(&want(22, "blocked", "ban")), "{facts:?}");
    let src = |f: &str| {
        r["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["file"] == f)
            .unwrap_or_else(|| panic!("{f}"))
            .clone()
    };
    assert_eq!(src("./web01-kern")["lines"], 12);
    assert_eq!(src("./app01-syslog.bz2")["lines"], 21);
    assert_eq!(src("./eve.json.xz")["format"], "suricata_eve");
    assert_eq!(src("./bastion01/fail2ban.log.gz")["lines"], 12);
    // Evidence points into the compressed file by its own name, line numbers decompressed.
    let ban = r["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["cause"] == "ban")
        .unwrap();
    assert_eq!(ban["evidence"][0]["file"], "./bastion01/fail2ban.log.gz");
    assert_eq!(ban["evidence"][0]["line"], 10);
}

#[test]
fn truncated_zstd_is_a_read_error_for_that_source_only() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("scan.nessus"), sample("scan.nessus")).unwrap();
    // Varied lines, so that half of the compressed file holds well over the sniffed first 64 KiB.
    let big: Vec<u8> = (0..60_000u32)
        .flat_map(|i| {
            format!(
                "Nov 20 02:{:02}:{:02} app01 CRON[{i}]: (root) CMD (job {})\n",
                (i / 60) % 60,
                i % 60,
                i.wrapping_mul(2_654_435_761)
            )
            .into_bytes()
        })
        .collect();
    let z = zstd::encode_all(&big[..], 3).unwrap();
    std::fs::write(d.path().join("app01.zst"), &z[..z.len() / 2]).unwrap();
    std::fs::write(d.path().join("eve.json"), sample("ids01/eve.json")).unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 2);
    let srcs = r["sources"].as_array().unwrap();
    let z = srcs.iter().find(|s| s["file"] == "./app01.zst").unwrap();
    assert!(z["error"].is_string(), "{z}");
    let lines = z["lines"].as_u64().unwrap();
    assert!(lines > 0, "lines read before the cut are counted");
    let sum = z["parsed"].as_u64().unwrap()
        + z["ignored"].as_u64().unwrap()
        + z["malformed"].as_u64().unwrap();
    assert_eq!(lines, sum);
    assert!(
        facts_have_ips_block(&r),
        "the other source is still analysed"
    );
}

fn facts_have_ips_block(r: &serde_json::Value) -> bool {
    port_facts(r).iter().any(|f| f.3 == "ips_block")
}
