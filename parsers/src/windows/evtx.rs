//! Native `.evtx` files, read with the `evtx` crate (omerbenamram/evtx): every record rendered as
//! its event XML on one line, then read like `wevtutil` output ([`super::xml`]). A record the crate
//! cannot render is a malformed line (its reason kept); a file whose header is not an EVTX header
//! is an error of that source. Tested with the crate's own `samples/system.evtx`.

use std::ops::ControlFlow;

use crate::registry::BinaryReader;
use crate::{LogFormat, LogSpec};

/// The EVTX file header magic.
pub const MAGIC: &[u8] = b"ElfFile\0";

/// Native Windows event log files.
pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "windows_evtx",
    aliases: &["evtx"],
    description: "native Windows event log files (.evtx, by their ElfFile header): the same records as windows_xml, one per record number",
    example: super::xml::SPEC.example,
    detect: |_| crate::Score::No,
    binary: Some(&BinaryReader {
        magic: MAGIC,
        records: walk,
    }),
    // One record a line: the prefilter may skip lines.
    multiline: false,
    ..super::xml::SPEC
});

/// Render every record of a whole `.evtx` file as one line of event XML, in record order.
pub fn walk(
    file: Vec<u8>,
    each: &mut dyn FnMut(Result<Vec<u8>, String>) -> ControlFlow<()>,
) -> Result<(), String> {
    let settings = evtx::ParserSettings::new()
        .num_threads(1)
        .separate_json_attributes(false);
    let mut parser = evtx::EvtxParser::from_buffer(file)
        .map_err(|e| format!("not a readable .evtx file: {e}"))?
        .with_configuration(settings);
    for r in parser.records() {
        let line = match r {
            Ok(rec) => Ok(one_line(&rec.data)),
            Err(e) => Err(format!("evtx record: {e}")),
        };
        if each(line).is_break() {
            break;
        }
    }
    Ok(())
}

/// The rendered XML without its declaration, on one line: the indentation between elements goes,
/// a line break inside text becomes a space.
fn one_line(xml: &str) -> Vec<u8> {
    let body = match xml.find("?>") {
        Some(i) if xml.trim_start().starts_with("<?xml") => &xml[i + 2..],
        _ => xml,
    };
    let mut out = String::with_capacity(body.len());
    for l in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() && !l.starts_with('<') && !out.ends_with('>') {
            out.push(' ');
        }
        out.push_str(l);
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(file: Vec<u8>) -> (usize, usize, Result<(), String>) {
        let (mut ok, mut bad) = (0, 0);
        let r = walk(file, &mut |rec| {
            match rec {
                Ok(_) => ok += 1,
                Err(_) => bad += 1,
            }
            ControlFlow::Continue(())
        });
        (ok, bad, r)
    }

    #[test]
    fn not_an_evtx_header_is_an_error() {
        assert!(count(b"ElfFile\0short".to_vec()).2.is_err());
        assert!(count(Vec::new()).2.is_err());
    }

    /// The real sample cut short and with bytes overwritten at spread-out places: records are
    /// read or reported unreadable, the walk never panics.
    #[test]
    fn the_real_file_damaged_never_panics() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/realworld/logs/windows-evtx/system.evtx"
        );
        let Ok(real) = std::fs::read(path) else {
            eprintln!("skipped: {path} not present");
            return;
        };
        let (ok, bad, r) = count(real.clone());
        assert!(r.is_ok() && ok > 300 && bad == 0, "{ok} {bad} {r:?}");
        for cut in [4096 + 100, 4096 + 65536 + 7000, real.len() / 2] {
            let _ = count(real[..cut.min(real.len())].to_vec());
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..24 {
            let mut damaged = real.clone();
            for _ in 0..(1 + round * 8) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed as usize) % damaged.len();
                damaged[at] = (seed >> 32) as u8;
            }
            let _ = count(damaged);
        }
    }
}
