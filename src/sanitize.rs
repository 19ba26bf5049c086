//! Log text is hostile: strip control characters and escape sequences before it reaches a terminal
//! or a report.

/// Lossy UTF-8, with C0/C1 control characters (ESC included, so no ANSI sequence survives) and DEL
/// removed; tabs become spaces.
pub fn clean_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if c.is_control() => None,
            // Bidi overrides can make a line read differently than it is.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
            c => Some(c),
        })
        .collect()
}

/// Clean an already-decoded string (file names, values from scan reports).
pub fn clean_str(s: &str) -> String {
    clean_text(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_and_controls() {
        assert_eq!(clean_text(b"a\x1b[31mred\x1b[0m\x07b\tc"), "a[31mred[0mb c");
        assert_eq!(clean_text(b"x\xffy\x00z"), "x\u{fffd}yz");
        assert_eq!(clean_text("\u{9b}31m".as_bytes()), "31m");
    }
}
