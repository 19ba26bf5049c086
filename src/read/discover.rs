//! Expand the command line's paths into a sorted list of input files. Directories are walked
//! recursively (symlinks followed, loops reported), `-` spools stdin to a temporary file so it can be
//! sniffed and read like any other file. Problems are per-path errors, not aborts.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{Compression, SourceInput};

/// A path that could not be read, with the reason.
#[derive(Debug, Clone)]
pub struct InputError {
    pub display: String,
    pub message: String,
}

/// Inputs found, plus per-path errors. Holds the stdin spool file alive.
pub struct Discovered {
    pub inputs: Vec<SourceInput>,
    pub errors: Vec<InputError>,
    /// Things worth saying that lose no input (a symlink loop: every file under it is read once
    /// through the real path).
    pub notes: Vec<String>,
    _spools: Vec<tempfile::NamedTempFile>,
}

fn compression_of(path: &Path) -> io::Result<Compression> {
    let mut magic = [0u8; 6];
    let mut f = File::open(path)?;
    let mut n = 0;
    // A short read is not the end of the file: fill the magic buffer or hit EOF.
    while n < magic.len() {
        match f.read(&mut magic[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(Compression::from_magic(&magic[..n]))
}

fn input_for(display: String, path: PathBuf) -> Result<SourceInput, InputError> {
    let fail = |e: io::Error| InputError {
        display: display.clone(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(&path).map_err(fail)?;
    let compression = compression_of(&path).map_err(fail)?;
    Ok(SourceInput {
        display: display.clone(),
        path,
        compression,
        size: meta.len(),
    })
}

/// Expand `paths` in command-line order; files under a directory are sorted by path.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut spools = Vec::new();
    for p in paths {
        // Streams (stdin, a pipe like `<(zcat …)`) can be read once only: they are copied to a
        // temporary file first, so that they can be sniffed and then read like any file.
        let stream = if p.as_os_str() == "-" {
            Some(("<stdin>".to_string(), spool_from(&mut io::stdin().lock())))
        } else if std::fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            Some((
                p.display().to_string(),
                File::open(p).and_then(|mut f| spool_from(&mut f)),
            ))
        } else {
            None
        };
        if let Some((display, spooled)) = stream {
            match spooled {
                Ok(tmp) => {
                    match input_for(display, tmp.path().to_path_buf()) {
                        Ok(i) => inputs.push(i),
                        Err(e) => errors.push(e),
                    }
                    spools.push(tmp);
                }
                Err(e) => errors.push(InputError {
                    display,
                    message: format!("cannot read: {e}"),
                }),
            }
            continue;
        }
        let display = p.display().to_string();
        match std::fs::metadata(p) {
            Err(e) => errors.push(InputError {
                display,
                message: e.to_string(),
            }),
            Ok(m) if m.is_dir() => {
                let walker = walkdir::WalkDir::new(p)
                    .follow_links(true)
                    .sort_by_file_name();
                for entry in walker {
                    match entry {
                        Ok(e) if e.file_type().is_file() => {
                            let d = e.path().display().to_string();
                            match input_for(d, e.path().to_path_buf()) {
                                Ok(i) => inputs.push(i),
                                Err(err) => errors.push(err),
                            }
                        }
                        Ok(_) => {}
                        Err(e) if e.loop_ancestor().is_some() => notes.push(format!(
                            "{}: a symlink back to {}: not followed (its files are read through their own path)",
                            e.path().map_or_else(|| display.clone(), |p| p.display().to_string()),
                            e.loop_ancestor().map(|p| p.display().to_string()).unwrap_or_default()
                        )),
                        Err(e) => errors.push(InputError {
                            display: e
                                .path()
                                .map(|p| p.display().to_string())
                                .unwrap_or_else(|| display.clone()),
                            message: e.to_string(),
                        }),
                    }
                }
            }
            Ok(_) => match input_for(display, p.clone()) {
                Ok(i) => inputs.push(i),
                Err(e) => errors.push(e),
            },
        }
    }
    Discovered {
        inputs,
        errors,
        notes,
        _spools: spools,
    }
}

fn spool_from(from: &mut dyn Read) -> io::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::NamedTempFile::new()?;
    io::copy(from, tmp.as_file_mut())?;
    Ok(tmp)
}
