//! journald beyond `-o json`: an `-o export` file alone explains a port by its `_BOOT_ID` change
//! (a reboot with no shutdown line), the same change on another host explains nothing there, and
//! `-o short-precise` / `short-iso` output (syslog framing) with journalctl's `-- Boot … --`
//! markers reads with no malformed line.

mod common;

use chrono::{TimeZone, Utc};
use common::*;

fn t(h: u32, m: u32) -> i64 {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
        .unwrap()
        .timestamp()
}

fn record(cursor: u32, at: i64, boot: &str, host: &str, ident: &str, msg: &str) -> String {
    format!(
        "__CURSOR=s=0f3c;i={cursor:x}\n__REALTIME_TIMESTAMP={}\n__MONOTONIC_TIMESTAMP=1000\n_BOOT_ID={boot}\n_HOSTNAME={host}\nSYSLOG_IDENTIFIER={ident}\n_TRANSPORT=syslog\nMESSAGE={msg}\n\n",
        at * 1_000_000
    )
}

#[test]
fn a_new_boot_id_explains_the_port_of_its_host_only() {
    let d = tempfile::tempdir().unwrap();
    let scan = nessus(&[
        Host {
            ip: "192.0.2.60",
            fqdn: "db01.example.com",
            start: t(2, 0),
            end: t(2, 30),
            affected: &[(5432, "postgresql", "unresponsive")],
        },
        Host {
            ip: "192.0.2.61",
            fqdn: "app01.example.com",
            start: t(2, 0),
            end: t(2, 30),
            affected: &[(8080, "www", "unresponsive")],
        },
    ]);
    std::fs::write(d.path().join("scan.nessus"), scan).unwrap();
    let export = [
        record(
            1,
            t(1, 0),
            "aaaa",
            "db01",
            "cron",
            "(root) CMD (run-parts /etc/cron.hourly)",
        ),
        record(
            2,
            t(1, 0),
            "cccc",
            "app01",
            "cron",
            "(root) CMD (run-parts /etc/cron.hourly)",
        ),
        // db01 comes back with a new boot id at 02:14: nothing logged its going down.
        record(
            3,
            t(2, 14),
            "bbbb",
            "db01",
            "systemd",
            "Reached target multi-user.target - Multi-User System.",
        ),
        // app01's new boot is hours before the scan: no explanation there.
        record(4, t(0, 10), "dddd", "app01", "cron", "(root) CMD (true)"),
    ]
    .concat();
    std::fs::write(d.path().join("journal.export"), export).unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "journald_export")
        .unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(src["malformed"], 0, "{src:#}");
    let facts = port_facts(&r);
    let db = facts.iter().find(|f| f.1 == 5432).unwrap();
    assert_eq!(
        (db.2.as_str(), db.3.as_str()),
        ("service_restart", "host_reboot"),
        "{r:#}"
    );
    assert_eq!(db.4, vec!["./journal.export:19".to_string()], "{r:#}");
    let app = facts.iter().find(|f| f.1 == 8080).unwrap();
    assert_eq!(app.2, "unexplained", "{r:#}");
}

#[test]
fn short_precise_and_short_iso_with_boot_markers_read_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let scan = nessus(&[Host {
        ip: "192.0.2.60",
        fqdn: "db01.example.com",
        start: t(2, 0),
        end: t(2, 30),
        affected: &[(3306, "mysql", "closed")],
    }]);
    std::fs::write(d.path().join("scan.nessus"), scan).unwrap();
    std::fs::write(
        d.path().join("journal.txt"),
        concat!(
            "-- Boot 0f3c2a3a3e7b4c1f9d7e6a5b4c3d2e1f --\n",
            "Nov 20 02:10:00.123456 db01 systemd[1]: Stopping mysql.service - MySQL Community Server...\n",
            "2026-11-20T02:10:02+0000 db01 systemd[1]: Stopped mysql.service - MySQL Community Server.\n",
        ),
    )
    .unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r:#}");
    let facts = port_facts(&r);
    assert_eq!(
        (facts[0].2.as_str(), facts[0].3.as_str()),
        ("service_restart", "service_stop"),
        "{r:#}"
    );
    assert!(facts[0].4.iter().any(|e| e == "./journal.txt:3"), "{r:#}");
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "syslog")
        .unwrap();
    assert_eq!(src["malformed"], 0, "{src:#}");
}

#[test]
fn short_monotonic_is_dated_by_its_header_and_unanchored_entries_are_malformed() {
    let d = tempfile::tempdir().unwrap();
    let scan = nessus(&[Host {
        ip: "192.0.2.60",
        fqdn: "db01.example.com",
        start: t(2, 0),
        end: t(2, 30),
        affected: &[(3306, "mysql", "closed")],
    }]);
    std::fs::write(d.path().join("scan.nessus"), scan).unwrap();
    std::fs::write(
        d.path().join("journal-monotonic.txt"),
        concat!(
            "-- Logs begin at Fri 2026-11-20 01:00:00 UTC, end at Fri 2026-11-20 03:00:00 UTC. --\n",
            "[    5.000000] db01 systemd[1]: Started mysql.service - MySQL Community Server.\n",
            // 5 s + 4295 s after 01:00:00 = 02:11:35.
            "[ 4300.000000] db01 systemd[1]: Stopped mysql.service - MySQL Community Server.\n",
            "-- Boot 1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6 --\n",
            "[    3.000000] db01 systemd[1]: Started mysql.service - MySQL Community Server.\n",
        ),
    )
    .unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r:#}");
    let facts = port_facts(&r);
    assert_eq!(
        (facts[0].2.as_str(), facts[0].3.as_str()),
        ("service_restart", "service_stop"),
        "{r:#}"
    );
    assert_eq!(
        facts[0].4,
        vec!["./journal-monotonic.txt:3".to_string()],
        "{r:#}"
    );
    let ev = &r["ports"][0]["evidence"][0];
    assert_eq!(ev["time"], "2026-11-20T02:11:35Z", "{ev:#}");
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "journald_monotonic")
        .unwrap();
    assert_eq!(src["malformed"], 1, "{src:#}");
}
