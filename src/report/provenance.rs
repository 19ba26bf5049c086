//! Where a report came from, so a ticket can be reproduced: tool version, generation time, the
//! command line, and a digest of every input as stored (a compressed file's own bytes; stdin as it
//! was spooled): SHA-256 by default, BLAKE3 (all cores) or none with `--digest`.
//! `SOURCE_DATE_EPOCH` (reproducible-builds convention) fixes the time.

use std::io::Read;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::sanitize::clean_str;
use crate::cli::DigestChoice;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Provenance {
    pub tool: String,
    pub version: String,
    /// When the report was made (RFC 3339 UTC).
    pub generated: String,
    /// The command line, program name first (`portmortem analyze …`).
    pub command_line: Vec<String>,
    /// The digest of `inputs`: `sha256`, `blake3` or `none` (`--digest`).
    #[serde(default)]
    pub digest: String,
    /// Every input read, with its digest.
    #[serde(default)]
    pub inputs: Vec<InputDigest>,
    /// For a report made by `portmortem reprobe`: the saved report it started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_report: Option<Box<FromReport>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputDigest {
    pub file: String,
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the file's bytes as stored; null when it could not be read or
    /// another digest was chosen.
    pub sha256: Option<String>,
    /// Lowercase hex BLAKE3 (`--digest blake3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
}

/// The saved report a `reprobe` run started from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FromReport {
    pub file: String,
    pub sha256: Option<String>,
    pub provenance: Provenance,
}

/// An input to digest: its name as reports show it and where its bytes are.
pub struct Input {
    pub display: String,
    pub path: PathBuf,
}

/// The report's moment: `SOURCE_DATE_EPOCH` when set (golden tests, reproducible runs), else now.
pub fn now() -> DateTime<Utc> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .unwrap_or_else(Utc::now)
}

/// The command line as run, program name shortened to `portmortem`, control characters removed.
pub fn command_line() -> Vec<String> {
    let mut v: Vec<String> = std::env::args_os()
        .map(|a| clean_str(&a.to_string_lossy()))
        .collect();
    if let Some(first) = v.first_mut() {
        *first = "portmortem".into();
    }
    v
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 and size of one file (streamed: no file is held in memory).
pub fn digest_file(path: &std::path::Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((hex(&h.finalize()), n))
}

/// SHA-256 of bytes in memory.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// BLAKE3 and size of one file: read in 8 MiB blocks (bounded memory, no mapping that would count
/// as resident), each block hashed on all cores (BLAKE3's tree splits).
pub fn blake3_file(path: &std::path::Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; 8 << 20];
    let mut n = 0u64;
    loop {
        // Fill the block: update_rayon splits only what it is given.
        let mut got = 0;
        while got < buf.len() {
            let k = f.read(&mut buf[got..])?;
            if k == 0 {
                break;
            }
            got += k;
        }
        if got == 0 {
            break;
        }
        n += got as u64;
        h.update_rayon(&buf[..got]);
    }
    Ok((h.finalize().to_hex().to_string(), n))
}

/// The provenance of a run over `inputs` (digested in parallel with `digest`, listed in the
/// given order, each file once).
pub fn collect(inputs: &[Input], digest: DigestChoice) -> Provenance {
    let mut seen = std::collections::BTreeSet::new();
    let unique: Vec<&Input> = inputs
        .iter()
        .filter(|i| seen.insert(i.display.clone()))
        .collect();
    let digests = unique
        .par_iter()
        .map(|i| {
            let mut d = InputDigest {
                file: clean_str(&i.display),
                bytes: std::fs::metadata(&i.path).map(|m| m.len()).unwrap_or(0),
                sha256: None,
                blake3: None,
            };
            match digest {
                DigestChoice::Sha256 => {
                    if let Ok((h, n)) = digest_file(&i.path) {
                        d.sha256 = Some(h);
                        d.bytes = n;
                    }
                }
                DigestChoice::Blake3 => {
                    if let Ok((h, n)) = blake3_file(&i.path) {
                        d.blake3 = Some(h);
                        d.bytes = n;
                    }
                }
                DigestChoice::None => {}
            }
            d
        })
        .collect();
    Provenance {
        tool: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
        generated: now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        command_line: command_line(),
        digest: match digest {
            DigestChoice::Sha256 => "sha256",
            DigestChoice::Blake3 => "blake3",
            DigestChoice::None => "none",
        }
        .into(),
        inputs: digests,
        from_report: None,
    }
}

impl InputDigest {
    /// The digest the run chose, as text (`–` when none was made).
    pub fn value(&self) -> &str {
        self.sha256
            .as_deref()
            .or(self.blake3.as_deref())
            .unwrap_or("–")
    }
}

impl Provenance {
    /// `portmortem 0.1.0, 2026-11-20T03:00:00Z` — one line for a footer.
    pub fn line(&self) -> String {
        format!(
            "{} {}, generated {}",
            self.tool, self.version, self.generated
        )
    }

    /// The command line as one shell-quoted string (words with spaces or quotes in single quotes).
    pub fn command(&self) -> String {
        self.command_line
            .iter()
            .map(|w| {
                if !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+%".contains(c))
                {
                    w.clone()
                } else {
                    format!("'{}'", w.replace('\'', "'\\''"))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both digests of the bytes `abc`, as sha256sum and b3sum print them.
    #[test]
    fn digests_match_sha256sum_and_b3sum() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a");
        std::fs::write(&p, b"abc").unwrap();
        let sha = digest_file(&p).unwrap();
        let b3 = blake3_file(&p).unwrap();
        assert_eq!(
            sha,
            (
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string(),
                3
            )
        );
        assert_eq!(
            b3,
            (
                "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85".to_string(),
                3
            )
        );
    }

    #[test]
    fn blake3_over_several_blocks_is_the_whole_file_hash() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big");
        let bytes: Vec<u8> = (0..(20u32 << 20) + 12345)
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&p, &bytes).unwrap();
        let (h, n) = blake3_file(&p).unwrap();
        assert_eq!(n, bytes.len() as u64);
        assert_eq!(h, blake3::hash(&bytes).to_hex().to_string());
    }

    #[test]
    fn command_is_shell_quoted() {
        let p = Provenance {
            command_line: vec!["portmortem".into(), "a b".into(), "it's".into()],
            ..Default::default()
        };
        assert_eq!(p.command(), "portmortem 'a b' 'it'\\''s'");
    }
}
