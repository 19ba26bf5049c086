//! Every registered scan reader (nmap, OpenVAS, masscan, Nessus XML and CSV) on arbitrary
//! documents: an error or a report, never a panic or a blow-up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portmortem_parsers::scan::ScanFormat;

fuzz_target!(|data: &[u8]| {
    for f in ScanFormat::ALL {
        let _ = f.read(&mut &data[..], chrono_tz::UTC);
    }
});
