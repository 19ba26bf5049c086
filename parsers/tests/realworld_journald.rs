//! Real-world `journalctl -o json` output (lnav's test file, from the shared corpus; never copied).

mod common;

use chrono::{TimeZone, Utc};
use portmortem_parsers::{TimeContext, detect_log_format, parse_line};

#[test]
fn lnav_journald_json_frames_and_holds_no_events() {
    let Some(path) = common::realworld("logs/journald/lnav_journald.json") else {
        return;
    };
    let data = std::fs::read(&path).unwrap();
    assert_eq!(
        detect_log_format(&data),
        Some(portmortem_parsers::journald::FORMAT)
    );
    let ctx = TimeContext::utc(Utc.with_ymd_and_hms(2018, 8, 21, 0, 0, 0).unwrap());
    let lines: Vec<&[u8]> = data
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    // Two records of a python service (GPS readings): well framed, not events portmortem uses.
    assert_eq!(lines.len(), 2);
    for l in lines {
        assert_eq!(
            parse_line(portmortem_parsers::journald::FORMAT, l, &ctx),
            Ok(None)
        );
        assert_eq!(
            portmortem_parsers::journald::line_time(l),
            Some(Utc.timestamp_micros(1_534_860_261_221_373).unwrap())
        );
    }
}
