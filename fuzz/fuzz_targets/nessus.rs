//! The Nessus reader on arbitrary documents: an error or a report, never a panic or a blow-up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portmortem_parsers::scan::nessus::parse_nessus;

fuzz_target!(|data: &[u8]| {
    let _ = parse_nessus(data, chrono_tz::UTC);
});
