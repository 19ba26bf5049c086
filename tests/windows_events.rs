//! Windows event logs explain ports on their own: an SCM 7036 "stopped" of W3SVC (wevtutil XML)
//! explains 80, a WFP 5157 drop of the scanner explains 3389, a restart that came back before the
//! recheck and a "running" line explain nothing; the real .evtx's User32 1074 explains a reboot.

mod common;

use chrono::{TimeZone, Utc};
use common::*;

const NS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

/// One wevtutil-style record on one line.
fn record(
    provider: &str,
    id: u32,
    time: &str,
    data: &[(&str, &str)],
    binary: Option<&str>,
) -> String {
    let data: String = data
        .iter()
        .map(|(n, v)| format!("<Data Name=\"{n}\">{v}</Data>"))
        .collect();
    let bin = binary
        .map(|b| format!("<Binary>{b}</Binary>"))
        .unwrap_or_default();
    format!(
        "<Event xmlns=\"{NS}\"><System><Provider Name=\"{provider}\"/><EventID>{id}</EventID><TimeCreated SystemTime=\"{time}\"/><Channel>System</Channel><Computer>win01.example.com</Computer></System><EventData>{data}{bin}</EventData></Event>"
    )
}

/// UTF-16LE hex of `s`, NUL-terminated, as SCM writes its binary data.
fn utf16_hex(s: &str) -> String {
    s.encode_utf16()
        .chain([0])
        .map(|u| format!("{:02X}{:02X}", u & 0xff, u >> 8))
        .collect()
}

fn scan(ip: &str, fqdn: &str, start: i64, end: i64, affected: &[(u16, &str, &str)]) -> String {
    nessus(&[Host {
        ip,
        fqdn,
        start,
        end,
        affected,
    }])
}

fn t(h: u32, m: u32) -> i64 {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
        .unwrap()
        .timestamp()
}

fn port(r: &serde_json::Value, n: u64) -> &serde_json::Value {
    r["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["port"] == n)
        .unwrap_or_else(|| panic!("port {n} in {r:#}"))
}

#[test]
fn scm_stop_and_wfp_drop_each_explain_their_port_and_decoys_do_not() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("scan.nessus"),
        scan(
            "192.0.2.40",
            "win01.example.com",
            t(2, 0),
            t(2, 30),
            &[
                (80, "www", "closed"),
                (3389, "msrdp", "unresponsive"),
                (5985, "www", "closed"),
                (1433, "mssql", "closed"),
            ],
        ),
    )
    .unwrap();
    let lines = [
        // 1: W3SVC stops and stays down (binary "W3SVC/1").
        record(
            "Service Control Manager",
            7036,
            "2026-11-20T02:10:00.000Z",
            &[
                ("param1", "World Wide Web Publishing Service"),
                ("param2", "stopped"),
            ],
            Some(&utf16_hex("W3SVC/1")),
        ),
        // 2: WinRM stops ...
        record(
            "Service Control Manager",
            7036,
            "2026-11-20T02:11:00.000Z",
            &[
                ("param1", "Windows Remote Management (WS-Management)"),
                ("param2", "stopped"),
            ],
            Some(&utf16_hex("WinRM/1")),
        ),
        // 3: ... and is back long before the recheck (decoy).
        record(
            "Service Control Manager",
            7036,
            "2026-11-20T02:11:30.000Z",
            &[
                ("param1", "Windows Remote Management (WS-Management)"),
                ("param2", "running"),
            ],
            Some(&utf16_hex("WinRM/4")),
        ),
        // 4: MSSQLSERVER only entered the running state (decoy).
        record(
            "Service Control Manager",
            7036,
            "2026-11-20T02:12:00.000Z",
            &[
                ("param1", "SQL Server (MSSQLSERVER)"),
                ("param2", "running"),
            ],
            None,
        ),
        // 5: the WFP drops the scanner's connection to 3389.
        record(
            "Microsoft-Windows-Security-Auditing",
            5157,
            "2026-11-20T02:13:00.000Z",
            &[
                ("ProcessID", "0"),
                ("Application", "-"),
                ("Direction", "%%14592"),
                ("SourceAddress", "192.0.2.40"),
                ("SourcePort", "3389"),
                ("DestAddress", "203.0.113.5"),
                ("DestPort", "40000"),
                ("Protocol", "6"),
                ("FilterRTID", "0"),
                ("LayerName", "%%14610"),
                ("LayerRTID", "44"),
            ],
            None,
        ),
    ];
    std::fs::write(d.path().join("win01-system.xml"), lines.join("\n") + "\n").unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "windows_xml")
        .unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(src["malformed"], 0, "{src:#}");
    let p80 = port(&r, 80);
    assert_eq!(p80["verdict"], "service_restart", "{p80:#}");
    assert_eq!(p80["cause"], "service_stop", "{p80:#}");
    assert_eq!(p80["evidence"][0]["line"], 1, "{p80:#}");
    assert!(
        p80["evidence"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("win01-system.xml")
    );
    let p3389 = port(&r, 3389);
    assert_eq!(p3389["verdict"], "blocked", "{p3389:#}");
    assert_eq!(p3389["cause"], "firewall_drop", "{p3389:#}");
    assert_eq!(p3389["evidence"][0]["line"], 5, "{p3389:#}");
    assert_ne!(
        port(&r, 5985)["cause"],
        "service_stop",
        "{:#}",
        port(&r, 5985)
    );
    assert_eq!(
        port(&r, 1433)["verdict"],
        "unexplained",
        "{:#}",
        port(&r, 1433)
    );
}

#[test]
fn the_real_evtx_reboot_explains_a_port_of_that_host() {
    let evtx = root().join("../shared/realworld/logs/windows-evtx/system.evtx");
    if !evtx.exists() {
        eprintln!("skipped: {} not present", evtx.display());
        return;
    }
    // The sample's host rebooted (User32 1074, EventLog 6006) at 2017-07-12 17:17:44 UTC.
    let ts = |h, m| {
        Utc.with_ymd_and_hms(2017, 7, 12, h, m, 0)
            .unwrap()
            .timestamp()
    };
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("scan.nessus"),
        scan(
            "192.0.2.41",
            "WIN-P4SIAA0SQCO",
            ts(17, 10),
            ts(17, 20),
            &[(445, "cifs", "unresponsive")],
        ),
    )
    .unwrap();
    std::fs::copy(&evtx, d.path().join("System.evtx")).unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "windows_evtx")
        .unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(src["malformed"], 0, "{src:#}");
    let p = port(&r, 445);
    assert_eq!(p["verdict"], "service_restart", "{p:#}");
    assert_eq!(p["cause"], "host_reboot", "{p:#}");
    assert!(
        p["evidence"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("System.evtx"),
        "{p:#}"
    );
}

#[test]
fn a_truncated_or_corrupt_evtx_is_an_error_of_that_source_not_a_panic() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("scan.nessus"),
        scan(
            "192.0.2.40",
            "win01.example.com",
            t(2, 0),
            t(2, 30),
            &[(80, "www", "closed")],
        ),
    )
    .unwrap();
    let mut junk = b"ElfFile\0".to_vec();
    junk.extend(std::iter::repeat_n(0xA5u8, 5000));
    std::fs::write(d.path().join("broken.evtx"), &junk).unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 2, "{r:#}");
    let src = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"].as_str().unwrap().ends_with("broken.evtx"))
        .unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(src["format"], "windows_evtx", "{src:#}");
    assert!(src["error"].as_str().unwrap().contains(".evtx"), "{src:#}");
    // The real file cut in its second chunk: the first chunk's records are read, no panic.
    let evtx = root().join("../shared/realworld/logs/windows-evtx/system.evtx");
    if let Ok(bytes) = std::fs::read(&evtx) {
        std::fs::remove_file(d.path().join("broken.evtx")).unwrap();
        std::fs::write(d.path().join("cut.evtx"), &bytes[..4096 + 65536 + 3000]).unwrap();
        let (code, r) = analyze_json(d.path(), &["."]);
        assert!(code == 0 || code == 2, "{r:#}");
        let src = &r["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["format"] == "windows_evtx")
            .unwrap();
        assert!(src["lines"].as_u64().unwrap() > 10, "{src:#}");
    }
}

#[test]
fn get_winevent_json_alone_explains_rdp_and_cites_the_records_first_line() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("scan.nessus"),
        scan(
            "192.0.2.40",
            "win01.example.com",
            t(2, 0),
            t(2, 30),
            &[(3389, "msrdp", "closed"), (5985, "www", "closed")],
        ),
    )
    .unwrap();
    let stop = Utc
        .with_ymd_and_hms(2026, 11, 20, 2, 10, 0)
        .unwrap()
        .timestamp_millis();
    let json = format!(
        r#"[
    {{
        "Id":  7036,
        "ProviderName":  "Service Control Manager",
        "LogName":  "System",
        "MachineName":  "win01.example.com",
        "TimeCreated":  "\/Date({stop})\/",
        "Properties":  [
                           {{ "Value":  "Remote Desktop Services" }},
                           {{ "Value":  "stopped" }}
                       ],
        "Message":  "The Remote Desktop Services service entered the stopped state."
    }},
    {{
        "Id":  7036,
        "ProviderName":  "Service Control Manager",
        "MachineName":  "win02.example.com",
        "TimeCreated":  "\/Date({stop})\/",
        "Properties":  [
                           {{ "Value":  "Windows Remote Management (WS-Management)" }},
                           {{ "Value":  "stopped" }}
                       ]
    }}
]
"#
    );
    std::fs::write(d.path().join("events.json"), json).unwrap();
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    let p = port(&r, 3389);
    assert_eq!(p["verdict"], "service_restart", "{p:#}");
    assert_eq!(p["cause"], "service_stop", "{p:#}");
    assert_eq!(p["evidence"][0]["line"], 2, "{p:#}");
    assert_eq!(p["evidence"][0]["format"], "windows_json", "{p:#}");
    // WinRM stopped on another host: no explanation for win01's 5985.
    assert_eq!(
        port(&r, 5985)["verdict"],
        "unexplained",
        "{:#}",
        port(&r, 5985)
    );
}

#[test]
fn event_viewer_csv_alone_explains_iis_in_its_local_time() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("scan.nessus"),
        scan(
            "192.0.2.40",
            "win01.example.com",
            t(2, 0),
            t(2, 30),
            &[(443, "www", "closed")],
        ),
    )
    .unwrap();
    std::fs::create_dir(d.path().join("win01")).unwrap();
    // Exported on a machine in Berlin: 3:10 AM local is 02:10 UTC.
    std::fs::write(
        d.path().join("win01/System.csv"),
        "Level,Date and Time,Source,Event ID,Task Category\r\nInformation,11/20/2026 3:10:00 AM,Service Control Manager,7036,None,The World Wide Web Publishing Service service entered the stopped state.\r\nInformation,11/20/2026 1:00:00 AM,Service Control Manager,7036,None,The World Wide Web Publishing Service service entered the running state.\r\n",
    )
    .unwrap();
    let (code, r) = analyze_json(d.path(), &["--source-tz", "**/*.csv=Europe/Berlin", "."]);
    assert_eq!(code, 0, "{r:#}");
    let p = port(&r, 443);
    assert_eq!(p["verdict"], "service_restart", "{p:#}");
    assert_eq!(p["cause"], "service_stop", "{p:#}");
    assert_eq!(p["evidence"][0]["line"], 2, "{p:#}");
    assert_eq!(p["evidence"][0]["time"], "2026-11-20T02:10:00Z", "{p:#}");
}
