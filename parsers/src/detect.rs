//! Log format detection by content: every registered format scores each sampled line (see
//! [`Score`]); the format that best explains most lines wins. Comment lines (`#…`) that no format
//! claims and blank lines do not count, so a file that opens with noise is still recognised.

pub use crate::registry::{LogFormat, Score};

/// Lines looked at, at most (the head a caller passes is usually 64 KiB).
pub const SAMPLE_LINES: usize = 1000;

/// What detection found, and why (for `-v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub format: Option<LogFormat>,
    /// Lines sampled (blank and unclaimed comment lines excluded).
    pub sampled: usize,
    /// Lines the winning format explained best.
    pub matched: usize,
    /// Of those, lines with content only that format writes.
    pub claimed: usize,
    /// One sentence: why this format, or why none.
    pub reason: String,
}

/// Detect the format of a file from its first bytes.
pub fn detect(head: &[u8]) -> Detection {
    let formats = LogFormat::ALL;
    // A binary container is told by its magic bytes alone.
    if let Some(f) = formats
        .iter()
        .find(|f| f.binary().is_some_and(|b| head.starts_with(b.magic)))
    {
        return Detection {
            format: Some(*f),
            sampled: 0,
            matched: 0,
            claimed: 0,
            reason: format!("the file starts with the {} header", f.name()),
        };
    }
    let mut wins = vec![0usize; formats.len()];
    let mut claims = vec![0usize; formats.len()];
    let mut sampled = 0usize;
    // The last line of a head sample may be cut short: drop it unless the head is the whole file.
    let lines: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    let whole = lines.len().saturating_sub(1).max(1);
    for line in lines.iter().take(whole) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii().is_empty() {
            continue;
        }
        let (best, score) = formats
            .iter()
            .enumerate()
            .map(|(i, f)| (i, (f.spec().detect)(line)))
            .fold(
                (0, Score::No),
                |acc, (i, s)| if s > acc.1 { (i, s) } else { acc },
            );
        if score == Score::Decides {
            return Detection {
                format: Some(formats[best]),
                sampled: sampled + 1,
                matched: 1,
                claimed: 1,
                reason: format!(
                    "a header line only {} writes: {}",
                    formats[best].name(),
                    String::from_utf8_lossy(&line[..line.len().min(60)])
                ),
            };
        }
        if score == Score::No && line.trim_ascii_start().starts_with(b"#") {
            continue;
        }
        sampled += 1;
        if score > Score::No {
            wins[best] += 1;
            if score >= Score::Claims {
                claims[best] += 1;
            }
        }
        if sampled >= SAMPLE_LINES {
            break;
        }
    }
    let Some(best) = (0..formats.len())
        .rev()
        .max_by_key(|&i| (wins[i], claims[i]))
    else {
        return undetected(0, "the file is empty".into());
    };
    let f = formats[best];
    let (n, c) = (wins[best], claims[best]);
    if sampled == 0 {
        return undetected(0, "no lines to look at (empty, or only comments)".into());
    }
    if n == 0 {
        return undetected(
            sampled,
            format!("none of {sampled} sampled lines frames as any known format"),
        );
    }
    // Noise at the top of a file (banners, other programs' lines) is common: a third will do when
    // lines carry content only the format writes; framing alone must be the majority.
    let (need, share) = if c > 0 { (3, "a third") } else { (2, "half") };
    if n * need < sampled {
        return undetected(
            sampled,
            format!(
                "only {n} of {sampled} sampled lines look like {} ({share} are needed)",
                f.name()
            ),
        );
    }
    if c == 0 && !f.spec().framing_suffices {
        return undetected(
            sampled,
            format!(
                "{n} of {sampled} lines share {}'s framing, but none has content only it writes",
                f.name()
            ),
        );
    }
    Detection {
        format: Some(f),
        sampled,
        matched: n,
        claimed: c,
        reason: if c > 0 {
            format!(
                "{n} of {sampled} sampled lines are {} ({c} with content only it writes)",
                f.name()
            )
        } else {
            format!("{n} of {sampled} sampled lines frame as {}", f.name())
        },
    }
}

fn undetected(sampled: usize, reason: String) -> Detection {
    Detection {
        format: None,
        sampled,
        matched: 0,
        claimed: 0,
        reason,
    }
}

/// Guess a log format from the first bytes of a file (a few KB are plenty).
pub fn detect_log_format(head: &[u8]) -> Option<LogFormat> {
    detect(head).format
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn w3c_firewall_log_is_windows_firewall_not_syslog() {
        let pfirewall = b"#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n\n2026-11-20 02:13:44 DROP TCP 203.0.113.5 192.0.2.10 40000 3389 0 - 0 0 0 - - - RECEIVE\n2026-11-20 02:13:45 DROP TCP 203.0.113.5 192.0.2.10 40001 3389 0 - 0 0 0 - - - RECEIVE\n";
        assert_eq!(
            detect_log_format(pfirewall),
            Some(crate::firewall::winfw::FORMAT)
        );
    }

    #[test]
    fn every_example_is_detected_and_yields_an_event() {
        let ctx = crate::TimeContext::utc(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap());
        for &f in LogFormat::ALL {
            let line = f.example();
            // A multi-line example is fed line by line, with the empty line that ends a record.
            let mut p = f.parser();
            let ev = line
                .split('\n')
                .chain(f.spec().multiline.then_some(""))
                .map(|l| p.parse(l.as_bytes(), &ctx))
                .find(|r| !matches!(r, Ok(None)))
                .unwrap_or(Ok(None));
            assert!(matches!(ev, Ok(Some(_))), "{f:?}: {ev:?}");
            let file = match f.binary() {
                // A container is told by its header; its example is one rendered record.
                Some(b) => [b.magic, b"\x00\x01"].concat(),
                None => format!("{line}\n{line}\n").into_bytes(),
            };
            assert_eq!(detect_log_format(&file), Some(f), "{f:?}");
            assert_eq!(LogFormat::from_name(f.name()), Some(f));
        }
    }

    #[test]
    fn noise_at_the_top_does_not_hide_the_format() {
        let mut file = String::new();
        for i in 0..30 {
            file.push_str(&format!("banner line {i} of some wrapper script\n"));
        }
        for _ in 0..40 {
            file.push_str(crate::ban::fail2ban::FORMAT.example());
            file.push('\n');
        }
        let d = detect(file.as_bytes());
        assert_eq!(d.format, Some(crate::ban::fail2ban::FORMAT), "{}", d.reason);
        assert_eq!((d.sampled, d.matched), (70, 40));
    }

    #[test]
    fn shared_framing_alone_is_not_enough() {
        // logrus lines of some other Go daemon: CrowdSec's framing, none of its content.
        let other = b"time=\"2022-10-10T20:23:14Z\" level=info msg=\"Stopping /docker : 0123\"\ntime=\"2022-10-10T20:23:15Z\" level=info msg=\"Stopping /ntp : 0123\"\n";
        let d = detect(other);
        assert_eq!(d.format, None, "{}", d.reason);
        assert!(d.reason.contains("crowdsec"), "{}", d.reason);
    }

    #[test]
    fn undetected_says_why() {
        assert!(detect(b"").reason.contains("no lines"));
        assert!(detect(b"hello\nworld\n").reason.contains("none of 2"));
    }
}
