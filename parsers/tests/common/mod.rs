//! The shared real-world corpus (`../shared/realworld` from the project root, or
//! `$PORTMORTEM_REALWORLD_DIR`): files written by others, never copied into this repository.

use std::path::PathBuf;

/// `rel` inside the corpus, when it exists; otherwise a note and `None` (the test then passes).
pub fn realworld(rel: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("PORTMORTEM_REALWORLD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld")
        });
    let path = dir.join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("realworld corpus not present, skipping");
        None
    }
}
