//! `tail -F` for many files: every followed path is re-opened when it names a new file
//! (logrotate's rename-and-create: the old file is drained first), read from the start when it
//! shrinks (copytruncate), and files created later in a followed directory are read from their
//! first line. Compressed rotations (`syslog.2.gz`) and rotated copies (`syslog.1`,
//! `syslog-20261120`) are never followed: their lines were read under the live name. Memory per
//! file is one partial line (capped) and the head kept until the format is known.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Longest line kept while waiting for its newline; longer ones are cut (and counted).
const MAX_LINE: usize = 64 * 1024;
/// Bytes of a new file kept to detect its format.
pub const SNIFF: usize = 64 * 1024;

/// One followed path.
pub struct Followed {
    /// As the user gave it (or found under a given directory).
    pub display: String,
    path: PathBuf,
    file: Option<File>,
    id: Option<(u64, u64)>,
    pos: u64,
    /// Lines read so far from the current file (the number of the next line minus one).
    pub line: u64,
    partial: Vec<u8>,
    /// The first bytes of the file, while its format is not known yet.
    pub head: Vec<u8>,
    /// Rotations and truncations seen.
    pub rotations: u32,
}

/// A complete line read from a followed file.
pub struct Line<'a> {
    pub file: usize,
    pub number: u64,
    pub bytes: &'a [u8],
}

pub struct Follower {
    roots: Vec<PathBuf>,
    pub files: Vec<Followed>,
    /// Every (device, inode) ever followed: a rotated copy is not a new file.
    seen: BTreeSet<(u64, u64)>,
    /// Lines cut at [`MAX_LINE`].
    pub cut_lines: u64,
}

fn id_of(m: &std::fs::Metadata) -> (u64, u64) {
    (m.dev(), m.ino())
}

/// Not followed when found in a directory: compressed files and rotated copies.
pub fn is_rotation(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if [".gz", ".bz2", ".xz", ".zst", ".zip", ".tgz", ".old", ".bak"]
        .iter()
        .any(|s| lower.ends_with(s))
    {
        return true;
    }
    // `syslog.1`, `syslog-20261120`, `auth.log.3`.
    let last = lower.rsplit(['.', '-']).next().unwrap_or_default();
    last != lower && !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())
}

impl Follower {
    /// Follow `paths` (files, or directories walked recursively). Existing files are read from their
    /// end (`tail -F -n 0`); their head is kept for format detection.
    pub fn new(paths: &[PathBuf]) -> (Follower, Vec<String>) {
        let mut f = Follower {
            roots: paths.to_vec(),
            files: Vec::new(),
            seen: BTreeSet::new(),
            cut_lines: 0,
        };
        let mut notes = Vec::new();
        for p in paths {
            if !p.exists() {
                // A file that does not exist yet is followed from its creation.
                if p.extension().is_some() || !p.to_string_lossy().ends_with('/') {
                    f.add(p.clone(), p.display().to_string(), false);
                    notes.push(format!(
                        "{}: does not exist yet; followed from its creation",
                        p.display()
                    ));
                }
                continue;
            }
            if p.is_dir() {
                for e in walkdir::WalkDir::new(p)
                    .follow_links(true)
                    .into_iter()
                    .flatten()
                {
                    if e.file_type().is_file() {
                        let name = e.file_name().to_string_lossy();
                        if is_rotation(&name) {
                            continue;
                        }
                        f.add(e.path().to_path_buf(), e.path().display().to_string(), true);
                    }
                }
            } else {
                f.add(p.clone(), p.display().to_string(), true);
            }
        }
        (f, notes)
    }

    fn add(&mut self, path: PathBuf, display: String, at_end: bool) {
        let mut fo = Followed {
            display,
            path,
            file: None,
            id: None,
            pos: 0,
            line: 0,
            partial: Vec::new(),
            head: Vec::new(),
            rotations: 0,
        };
        if let Ok(mut file) = File::open(&fo.path)
            && let Ok(m) = file.metadata()
        {
            let id = id_of(&m);
            self.seen.insert(id);
            fo.id = Some(id);
            if at_end {
                let mut head = Vec::new();
                let _ = (&mut file).take(SNIFF as u64).read_to_end(&mut head);
                fo.head = head;
                // Count the lines already there so that line numbers are the file's own.
                fo.line = count_lines(&fo.path);
                fo.pos = m.len();
                let _ = file.seek(SeekFrom::Start(fo.pos));
            }
            fo.file = Some(file);
        }
        self.files.push(fo);
    }

    /// Files created since the last call under a followed directory.
    fn discover(&mut self) {
        let roots: Vec<PathBuf> = self.roots.iter().filter(|r| r.is_dir()).cloned().collect();
        for r in roots {
            for e in walkdir::WalkDir::new(&r)
                .follow_links(true)
                .into_iter()
                .flatten()
            {
                if !e.file_type().is_file() || is_rotation(&e.file_name().to_string_lossy()) {
                    continue;
                }
                if self.files.iter().any(|f| f.path == e.path()) {
                    continue;
                }
                let Ok(m) = e.metadata() else { continue };
                if self.seen.contains(&id_of(&m)) {
                    continue;
                }
                self.add(
                    e.path().to_path_buf(),
                    e.path().display().to_string(),
                    false,
                );
            }
        }
    }

    /// Read what was appended everywhere; call `f` for every complete line.
    pub fn poll(&mut self, mut f: impl FnMut(&mut Followed, Line<'_>)) {
        self.discover();
        let mut cut = 0u64;
        for i in 0..self.files.len() {
            let fo = &mut self.files[i];
            let now = std::fs::metadata(&fo.path).ok();
            let same = now.as_ref().is_some_and(|m| Some(id_of(m)) == fo.id);
            if same && (now.as_ref().is_some_and(|m| m.len() < fo.pos) || rewritten(fo)) {
                // Truncated in place (copytruncate): start again at its first line.
                fo.rotations += 1;
                fo.pos = 0;
                fo.line = 0;
                fo.partial.clear();
                fo.head.clear();
                if let Some(file) = fo.file.as_mut() {
                    let _ = file.seek(SeekFrom::Start(0));
                }
            }
            // Drain the file we hold (after a rename it is the rotated one).
            drain(fo, i, &mut f, &mut cut);
            if let Some(m) = now.filter(|m| Some(id_of(m)) != fo.id) {
                // The path names another file now: the rotated one is drained, read the new one.
                if !fo.partial.is_empty() {
                    let rest = std::mem::take(&mut fo.partial);
                    fo.line += 1;
                    let n = fo.line;
                    f(
                        fo,
                        Line {
                            file: i,
                            number: n,
                            bytes: &rest,
                        },
                    );
                }
                if let Ok(file) = File::open(&fo.path) {
                    if fo.id.is_some() {
                        fo.rotations += 1;
                    }
                    fo.id = Some(id_of(&m));
                    self.seen.insert(id_of(&m));
                    fo.file = Some(file);
                    fo.pos = 0;
                    fo.line = 0;
                    fo.head.clear();
                    drain(fo, i, &mut f, &mut cut);
                }
            }
        }
        self.cut_lines += cut;
    }
}

fn drain(fo: &mut Followed, i: usize, f: &mut impl FnMut(&mut Followed, Line<'_>), cut: &mut u64) {
    let Some(mut file) = fo.file.take() else {
        return;
    };
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        fo.pos += n as u64;
        let chunk = &buf[..n];
        if fo.head.len() < SNIFF {
            let room = SNIFF - fo.head.len();
            fo.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        }
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', chunk) {
            let piece = &chunk[start..nl];
            start = nl + 1;
            fo.line += 1;
            let n = fo.line;
            if fo.partial.is_empty() {
                f(
                    fo,
                    Line {
                        file: i,
                        number: n,
                        bytes: piece,
                    },
                );
            } else {
                let mut whole = std::mem::take(&mut fo.partial);
                whole.extend_from_slice(piece);
                f(
                    fo,
                    Line {
                        file: i,
                        number: n,
                        bytes: &whole,
                    },
                );
            }
        }
        let rest = &chunk[start..];
        let room = MAX_LINE.saturating_sub(fo.partial.len());
        if rest.len() > room {
            *cut += 1;
        }
        fo.partial.extend_from_slice(&rest[..rest.len().min(room)]);
    }
    fo.file = Some(file);
}

/// Does the file start with other bytes than the ones read from it (truncated and written again
/// between two polls, so that its size alone does not show it)?
fn rewritten(fo: &Followed) -> bool {
    use std::os::unix::fs::FileExt;
    let want = fo.head.len().min(64);
    if want == 0 || fo.pos < want as u64 {
        return false;
    }
    let Some(file) = fo.file.as_ref() else {
        return false;
    };
    let mut now = vec![0u8; want];
    match file.read_at(&mut now, 0) {
        Ok(n) => n < want || now[..] != fo.head[..want],
        Err(_) => false,
    }
}

fn count_lines(p: &Path) -> u64 {
    let Ok(mut f) = File::open(p) else { return 0 };
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    while let Ok(k) = f.read(&mut buf) {
        if k == 0 {
            break;
        }
        n += bytecount::count(&buf[..k], b'\n') as u64;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines(f: &mut Follower) -> Vec<(String, u64, String)> {
        let mut out = Vec::new();
        f.poll(|fo, l| {
            out.push((
                fo.display.rsplit('/').next().unwrap().to_string(),
                l.number,
                String::from_utf8_lossy(l.bytes).into_owned(),
            ))
        });
        out
    }

    fn append(p: &Path, s: &str) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .unwrap();
        f.write_all(s.as_bytes()).unwrap();
    }

    #[test]
    fn appends_rotations_truncation_and_new_files() {
        let d = tempfile::tempdir().unwrap();
        let log = d.path().join("syslog");
        append(&log, "old 1\nold 2\n");
        let (mut f, _) = Follower::new(&[d.path().to_path_buf()]);
        assert!(lines(&mut f).is_empty(), "existing lines are not re-read");
        append(&log, "new 3\npart");
        assert_eq!(lines(&mut f), vec![("syslog".into(), 3, "new 3".into())]);
        append(&log, "ial 4\n");
        assert_eq!(
            lines(&mut f),
            vec![("syslog".into(), 4, "partial 4".into())]
        );
        // logrotate: rename, then create; a last line lands in the old file first.
        append(&log, "last old 5\n");
        std::fs::rename(&log, d.path().join("syslog.1")).unwrap();
        append(&log, "fresh 1\n");
        assert_eq!(
            lines(&mut f),
            vec![
                ("syslog".into(), 5, "last old 5".into()),
                ("syslog".into(), 1, "fresh 1".into())
            ]
        );
        // copytruncate.
        std::fs::write(&log, "").unwrap();
        append(&log, "after truncate\n");
        assert_eq!(
            lines(&mut f),
            vec![("syslog".into(), 1, "after truncate".into())]
        );
        // A file created later is read from its first line; a .gz rotation never.
        append(&d.path().join("fail2ban.log"), "ban 1\n");
        std::fs::write(d.path().join("syslog.2.gz"), b"\x1f\x8b junk\n").unwrap();
        assert_eq!(
            lines(&mut f),
            vec![("fail2ban.log".into(), 1, "ban 1".into())]
        );
        assert!(is_rotation("auth.log.3") && is_rotation("syslog-20261120"));
        assert!(!is_rotation("kern.log") && !is_rotation("eve.json"));
    }
}
