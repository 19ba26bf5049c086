//! Binary log containers (`.evtx`) and the record-splitting readers (Windows event XML and JSON):
//! the input as a whole file for every format with a binary reader (a truncated or corrupt file
//! is an error or malformed records, never a panic), then each rendered record through its
//! format's parser; and the input as text through the multi-line record parsers, with `more()`
//! and `record()` drained as the pipeline does.
#![no_main]

use std::ops::ControlFlow;

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use portmortem_parsers::{LogFormat, TimeContext};

fuzz_target!(|data: &[u8]| {
    let ctx = TimeContext::utc(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap());
    for &format in LogFormat::ALL {
        if let Some(b) = format.binary() {
            let mut file = b.magic.to_vec();
            file.extend_from_slice(data);
            let mut parser = format.parser();
            let mut n = 0;
            let _ = (b.records)(file, &mut |rec| {
                if let Ok(line) = rec {
                    let _ = parser.parse(&line, &ctx);
                    while parser.more().is_some() {}
                }
                n += 1;
                if n > 10_000 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
            });
        }
        if !format.prefilterable() {
            let mut parser = format.parser();
            for line in data.split(|&b| b == b'\n') {
                let _ = parser.parse(line, &ctx);
                let _ = parser.record();
                while parser.more().is_some() {
                    let _ = parser.record();
                }
            }
        }
    }
});
