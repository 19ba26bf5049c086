//! Every log format's per-source parser, fed the input's lines in order (so header-driven formats
//! see headers) and each line alone: no panic, whatever the bytes.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use portmortem_parsers::{LogFormat, TimeContext, detect, parse_line};

fuzz_target!(|data: &[u8]| {
    let ctx = TimeContext::new(
        chrono_tz::Europe::Berlin,
        Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
    );
    let _ = detect(data);
    for &format in LogFormat::ALL {
        let mut parser = format.parser();
        for line in data.split(|&b| b == b'\n') {
            let _ = parser.parse(line, &ctx);
            while parser.more().is_some() {}
            let _ = parse_line(format, line, &ctx);
            let _ = format.line_time(line, &ctx);
            let _ = format.line_host(line);
        }
    }
});
