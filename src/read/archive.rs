//! tar archives (plain or compressed) and zip archives: every regular member is a source of its
//! own, named `archive.tar.gz!path/in/archive`, read straight from the stream (nothing is extracted
//! to disk; a zip is read by its local headers, so it need not be seekable). Members may themselves
//! be compressed (`web01/syslog.2.gz` inside a tarball).

use std::io::{self, BufRead, Read};

use indicatif::ProgressBar;

use super::{Compression, SourceInput, decode, sniff::SNIFF_BYTES};

/// Does this (decompressed) head start a POSIX/GNU tar archive?
pub fn is_tar(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// Does this head start a zip archive (a local file header)?
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
}

/// Is this head an archive portmortem walks?
pub fn is_archive(head: &[u8]) -> bool {
    is_tar(head) || is_zip(head)
}

/// Sniff one member and hand it to `f`, decompressing it first when it is compressed itself.
fn visit(
    name: &str,
    entry: &mut dyn Read,
    f: &mut impl FnMut(&str, &[u8], &mut dyn Read) -> std::ops::ControlFlow<()>,
) -> io::Result<std::ops::ControlFlow<()>> {
    let mut raw_head = Vec::new();
    (&mut *entry)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut raw_head)?;
    Ok(match Compression::from_magic(&raw_head) {
        Compression::None => f(name, &raw_head, entry),
        c => {
            let mut decoded = decode(c, raw_head.as_slice().chain(entry))?;
            let mut head = Vec::new();
            (&mut decoded)
                .take(SNIFF_BYTES as u64)
                .read_to_end(&mut head)?;
            f(name, &head, &mut decoded)
        }
    })
}

/// Call `f(name, head, rest)` for every regular member: `head` is up to [`SNIFF_BYTES`] of the
/// member's (decompressed) bytes, `rest` the remainder. An error reading the archive, or `f`
/// returning `Break`, ends the walk.
pub fn for_each_member(
    input: &SourceInput,
    pb: &ProgressBar,
    mut f: impl FnMut(&str, &[u8], &mut dyn Read) -> std::ops::ControlFlow<()>,
) -> io::Result<()> {
    let mut r = io::BufReader::with_capacity(256 * 1024, input.open_progress(pb)?);
    if is_zip(r.fill_buf()?) {
        loop {
            let entry = zip::read::read_zipfile_from_stream(&mut r)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zip: {e}")))?;
            let Some(mut entry) = entry else { break };
            if entry.is_dir() {
                continue;
            }
            let name = entry
                .name()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zip: {e}")))?
                .trim_start_matches("./")
                .to_string();
            if visit(&name, &mut entry, &mut f)?.is_break() {
                break;
            }
        }
        return Ok(());
    }
    let mut archive = tar::Archive::new(r);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path()?.to_string_lossy().into_owned();
        let name = path.trim_start_matches("./").to_string();
        if visit(&name, &mut entry, &mut f)?.is_break() {
            break;
        }
    }
    Ok(())
}
