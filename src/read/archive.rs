//! tar archives (plain or compressed): every regular member is a source of its own, named
//! `archive.tar.gz!path/in/archive`, read straight from the stream (nothing is extracted to disk).
//! Members may themselves be compressed (`web01/syslog.2.gz` inside a tarball).

use std::io::{self, Read};

use indicatif::ProgressBar;

use super::{Compression, SourceInput, decode, sniff::SNIFF_BYTES};

/// Does this (decompressed) head start a POSIX/GNU tar archive?
pub fn is_tar(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// Call `f(name, head, rest)` for every regular member: `head` is up to [`SNIFF_BYTES`] of the
/// member's (decompressed) bytes, `rest` the remainder. An error reading the archive, or `f`
/// returning `Break`, ends the walk.
pub fn for_each_member(
    input: &SourceInput,
    pb: &ProgressBar,
    mut f: impl FnMut(&str, &[u8], &mut dyn Read) -> std::ops::ControlFlow<()>,
) -> io::Result<()> {
    let mut archive = tar::Archive::new(input.open_progress(pb)?);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path()?.to_string_lossy().into_owned();
        let name = path.trim_start_matches("./").to_string();
        let mut raw_head = Vec::new();
        (&mut entry)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut raw_head)?;
        let flow = match Compression::from_magic(&raw_head) {
            Compression::None => f(&name, &raw_head, &mut entry),
            c => {
                let mut decoded = decode(c, raw_head.as_slice().chain(&mut entry))?;
                let mut head = Vec::new();
                (&mut decoded)
                    .take(SNIFF_BYTES as u64)
                    .read_to_end(&mut head)?;
                f(&name, &head, &mut decoded)
            }
        };
        if flow.is_break() {
            break;
        }
    }
    Ok(())
}
