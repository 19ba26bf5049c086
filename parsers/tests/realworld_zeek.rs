//! Real-world Zeek conn logs (lnav and RITA samples, from the shared corpus; never copied here).
//! None holds an S0 or REJ connection (checked with awk on the conn_state column), so every data
//! line frames and none is an event; other Zeek logs are not taken for conn logs.

mod common;

use chrono::{TimeZone, Utc};
use portmortem_parsers::{LogFormat, TimeContext, detect_log_format};

fn read(rel: &str) -> Option<(Option<LogFormat>, usize, usize, usize)> {
    let path = common::realworld(rel)?;
    let data = std::fs::read(path).unwrap();
    let format = detect_log_format(&data);
    let ctx = TimeContext::utc(Utc.with_ymd_and_hms(2018, 1, 1, 0, 0, 0).unwrap());
    let mut p = portmortem_parsers::ids::zeek::FORMAT.parser();
    let (mut data_lines, mut events, mut errors) = (0, 0, 0);
    for line in data.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        if !line.starts_with(b"#") {
            data_lines += 1;
        }
        match p.parse(line, &ctx) {
            Ok(Some(_)) => events += 1,
            Ok(None) => {}
            Err(_) => errors += 1,
        }
    }
    Some((format, data_lines, events, errors))
}

#[test]
fn conn_logs_tsv_and_json() {
    // lnav: 39 S1 + 53 SF; RITA proxy: 56 OTH + 402 RSTO + 5 SF; RITA JSON: 1 RSTO + 5 S1 + 23 SF.
    for (rel, lines) in [
        ("logs/zeek/lnav_bro_conn.log", 92),
        ("logs/zeek/rita_proxy_conn.log", 463),
        ("logs/zeek/rita_conn_json_all_fields.log", 29),
    ] {
        let Some((format, data_lines, events, errors)) = read(rel) else {
            return;
        };
        assert_eq!(format, Some(portmortem_parsers::ids::zeek::FORMAT), "{rel}");
        assert_eq!((data_lines, events, errors), (lines, 0, 0), "{rel}");
    }
}

#[test]
fn other_zeek_logs_are_not_conn_logs() {
    let Some(path) = common::realworld("logs/zeek/zed-sample_known_services.log") else {
        return;
    };
    let data = std::fs::read(path).unwrap();
    assert_ne!(
        detect_log_format(&data),
        Some(portmortem_parsers::ids::zeek::FORMAT)
    );
}
