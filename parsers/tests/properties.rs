//! Property tests: no parser panics on any input, and timestamps written out are read back.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use portmortem_parsers::{LogFormat, TimeContext, parse_line, scan::nessus::parse_nessus};
use proptest::prelude::*;

fn ctx() -> TimeContext {
    TimeContext::utc(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap())
}

/// Lines that look almost like the real thing: a real prefix, then arbitrary bytes.
fn near_lines() -> impl Strategy<Value = Vec<u8>> {
    let prefixes = prop::sample::select(vec![
        "Nov 20 02:13:44 web01 kernel: [1.0] [UFW BLOCK] IN=eth0 OUT= SRC=",
        "Nov 20 02:13:44 web01 systemd[1]: ",
        "Nov 20 02:13:44 web01 kernel: Out of memory: Killed process ",
        "<13>1 2026-11-20T02:13:44Z web01 sshd 1 - [x y=\"",
        "2026-11-20T02:13:44.1+00:00 db01 mysqld[1]: ready for connections. Version: '",
        "{\"timestamp\":\"2026-11-20T02:13:44Z\",\"event_type\":\"alert\",\"src_ip\":\"",
        "2026-11-20 02:13:44,123 fail2ban.actions [1]: NOTICE [",
        "",
    ]);
    (prefixes, prop::collection::vec(any::<u8>(), 0..200)).prop_map(|(p, tail)| {
        let mut v = p.as_bytes().to_vec();
        v.extend(tail);
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_line_parser_panics(line in near_lines()) {
        for &f in LogFormat::ALL {
            let _ = parse_line(f, &line, &ctx());
        }
    }

    #[test]
    fn no_line_parser_panics_on_noise(line in prop::collection::vec(any::<u8>(), 0..300)) {
        for &f in LogFormat::ALL {
            let _ = parse_line(f, &line, &ctx());
        }
    }

    /// Every registered format's own example, cut anywhere and followed by noise, through every
    /// format's parser (one parser instance per format, fed a run of such lines in order, so that
    /// header-driven and multi-line parsers see state built from broken lines): never a panic.
    #[test]
    fn garbled_examples_never_panic(
        picks in prop::collection::vec((0usize..64, 0usize..400, prop::collection::vec(any::<u8>(), 0..40)), 1..12)
    ) {
        let mut parsers: Vec<_> = LogFormat::ALL.iter().map(|f| f.parser()).collect();
        for (which, cut, tail) in picks {
            let ex = LogFormat::ALL[which % LogFormat::ALL.len()].example().as_bytes();
            let mut line = ex[..cut.min(ex.len())].to_vec();
            line.extend(tail);
            for p in parsers.iter_mut() {
                let _ = p.parse(&line, &ctx());
            }
        }
    }

    /// An RFC 3164 time written for any instant within half a year of the scan reads back exactly.
    #[test]
    fn rfc3164_time_round_trips(offset_s in -15_000_000i64..15_000_000) {
        let reference = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
        let t: DateTime<Utc> = reference + chrono::Duration::seconds(offset_s);
        let line = format!(
            "{} {:>2} {:02}:{:02}:{:02} web01 systemd[1]: Stopped nginx.service - nginx.",
            t.format("%b"), t.day(), t.hour(), t.minute(), t.second()
        );
        let ev = parse_line(portmortem_parsers::syslog::FORMAT, line.as_bytes(), &TimeContext::utc(reference))
            .unwrap()
            .unwrap();
        prop_assert_eq!(ev.time, t);
    }

    #[test]
    fn nessus_reader_never_panics(doc in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut v = b"<?xml version=\"1.0\" ?><NessusClientData_v2><Report name=\"x\"><ReportHost name=\"192.0.2.1\">".to_vec();
        v.extend(doc);
        let _ = parse_nessus(&v[..], chrono_tz::UTC);
    }

    #[test]
    fn every_scan_reader_never_panics(cut in 0usize..2000, noise in prop::collection::vec(any::<u8>(), 0..200)) {
        // Each format's own example, cut anywhere and followed by noise.
        for f in portmortem_parsers::scan::ScanFormat::ALL {
            let ex = f.example().as_bytes();
            let mut v = ex[..cut.min(ex.len())].to_vec();
            v.extend(&noise);
            let _ = f.read(&mut &v[..], chrono_tz::UTC);
        }
    }
}
