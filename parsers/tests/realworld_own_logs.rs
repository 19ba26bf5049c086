//! Daemons' own logs and Windows event exports from the third-party corpus: each file is detected
//! as its format, under 1% of its lines are malformed, and the stop/start/listen lines it holds
//! become the events they say.

mod common;

use chrono::{TimeZone, Utc};
use portmortem_parsers::{EventKind, TimeContext, detect};

/// (file, format, events as `kind:detail` strings in file order)
const FILES: &[(&str, &str, &[&str])] = &[
    (
        "logs/syslog/lnav_postgres.0.log",
        "postgres_log",
        &[
            "listening:postgresql:5432",
            "listening:postgresql:5432",
            "lifecycle:postgresql:Started",
            "lifecycle:postgresql:Stopping",
            "lifecycle:postgresql:Stopped",
        ],
    ),
    (
        "logs/syslog/s4_debian11_apache2_error.log",
        "apache_error",
        &[
            "lifecycle:apache2:Started",
            "lifecycle:apache2:Stopped",
            "lifecycle:apache2:Started",
        ],
    ),
    ("logs/syslog/lnav_mysql_error.log", "mysql_error", &[]),
    (
        "logs/syslog/s4_rockylinux9_nginx_error.log",
        "nginx_error",
        &[],
    ),
    (
        "logs/windows-scm/nifi_windowseventlogreader_7036.extracted.xml",
        "windows_xml",
        &["lifecycle:ScDeviceEnum:Started"],
    ),
    (
        "logs/windows-scm/nifi_windowseventlogreader_7036.extracted.json",
        "windows_json",
        &["lifecycle:ScDeviceEnum:Started"],
    ),
];

fn describe(k: &EventKind) -> String {
    match k {
        EventKind::Lifecycle(l) => format!("lifecycle:{}:{:?}", l.unit, l.state),
        EventKind::Listening(l) => format!("listening:{}:{}", l.service, l.port),
        other => other.name().to_string(),
    }
}

#[test]
fn real_own_logs_parse_with_under_one_percent_malformed() {
    let ctx = TimeContext::utc(Utc.with_ymd_and_hms(2025, 8, 13, 0, 0, 0).unwrap());
    let mut checked = 0;
    for &(rel, format, want) in FILES {
        let Some(path) = common::realworld(rel) else {
            eprintln!("skipped: {rel} not present");
            continue;
        };
        checked += 1;
        let data = std::fs::read(&path).unwrap();
        let f = detect(&data)
            .format
            .unwrap_or_else(|| panic!("{rel}: not detected"));
        assert_eq!(f.name(), format, "{rel}");
        let mut parser = f.parser();
        let (mut lines, mut bad, mut got) = (0, 0, Vec::new());
        for line in data.split(|&b| b == b'\n') {
            if line.trim_ascii().is_empty() {
                continue;
            }
            lines += 1;
            let mut r = Some(parser.parse(line, &ctx));
            while let Some(x) = r {
                match x {
                    Ok(Some(e)) => got.push(describe(&e.kind)),
                    Ok(None) => {}
                    Err(_) => bad += 1,
                }
                r = parser.more();
            }
        }
        assert!(
            bad * 100 < lines.max(1),
            "{rel}: {bad} of {lines} malformed"
        );
        assert_eq!(got, want, "{rel}");
    }
    if checked == 0 {
        eprintln!("realworld corpus not present, skipping");
    }
}
