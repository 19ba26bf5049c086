//! Bounded-memory line scanning over a byte stream: a fixed buffer, lines never collected, an
//! optional Aho-Corasick prefilter that finds candidate lines without looking at the others, and line
//! numbers kept exact by counting newlines. A line longer than [`MAX_LINE`] is counted as overlong and
//! skipped without being buffered.

use std::io::{self, Read};

use aho_corasick::{AhoCorasick, Input};
use memchr::{memchr, memrchr};

/// Longest line handed to a parser; longer ones are counted (malformed) and skipped.
pub const MAX_LINE: usize = 1 << 20;
const BUF: usize = MAX_LINE + (1 << 20);
/// Longest first/last line sample kept for time coverage.
const SAMPLE: usize = 4096;

/// Counts of one scan.
#[derive(Debug, Default, Clone)]
pub struct ScanCounts {
    /// Lines in the range (an unterminated last line counts).
    pub lines: u64,
    /// Lines longer than [`MAX_LINE`]: those the prefilter selected, and all that overflowed the
    /// read buffer (they are dropped unread, so whether they would match is unknown).
    pub overlong: u64,
    /// Lines handed to `on_line`.
    pub selected: u64,
    /// First and last lines (capped), to learn the time span a source covers.
    pub first_line: Vec<u8>,
    pub last_line: Vec<u8>,
}

/// Which part of a stream to scan.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    /// The stream starts one byte before the chunk (at `start - 1`): skip through the first newline,
    /// whose line belongs to the previous chunk.
    pub skip_first_partial: bool,
    /// Lines starting at or after this stream offset (skipped bytes included) belong to the next
    /// chunk.
    pub limit: Option<u64>,
}

impl Range {
    pub const WHOLE: Range = Range {
        skip_first_partial: false,
        limit: None,
    };
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn sample(line: &[u8]) -> Vec<u8> {
    trim_cr(&line[..line.len().min(SAMPLE)]).to_vec()
}

fn count_newlines(b: &[u8]) -> u64 {
    bytecount::count(b, b'\n') as u64
}

/// Where a line's time falls relative to the busy period (see [`Filter::quiet`]).
pub type Side = std::cmp::Ordering;

/// Tells on which side of the busy period a line is dated (`None`: no readable time).
pub type SideOf<'a> = &'a (dyn Fn(&[u8]) -> Option<Side> + Sync);

/// Which lines to hand over.
#[derive(Clone, Copy)]
pub struct Filter<'a> {
    /// Lines where this automaton matches.
    pub main: &'a AhoCorasick,
    /// For blocks whose first and last lines are both dated on the same side outside the busy
    /// period (`Some(Less)` before, `Some(Greater)` after; `None` = inside or unknown): a smaller
    /// automaton. Logs span days; a scan lasts hours: most blocks need only the scanner addresses.
    pub quiet: Option<(&'a AhoCorasick, SideOf<'a>)>,
}

impl<'a> Filter<'a> {
    #[cfg(test)]
    pub fn new(main: &'a AhoCorasick) -> Self {
        Filter { main, quiet: None }
    }

    /// The automaton for a block, from its first and last lines.
    fn for_block(&self, first: &[u8], last: &[u8]) -> &'a AhoCorasick {
        match self.quiet {
            Some((quiet, side)) => match (side(first), side(last)) {
                (Some(a), Some(b)) if a == b && a != Side::Equal => quiet,
                _ => self.main,
            },
            None => self.main,
        }
    }
}

struct State<'f, F> {
    filter: Option<Filter<'f>>,
    on_line: F,
    counts: ScanCounts,
}

impl<F: FnMut(u64, &[u8])> State<'_, F> {
    /// Hand a selected line to the parser, unless it is longer than [`MAX_LINE`].
    fn line(&mut self, n: u64, line: &[u8]) {
        if line.len() > MAX_LINE {
            self.counts.overlong += 1;
        } else {
            self.counts.selected += 1;
            (self.on_line)(n, trim_cr(line));
        }
    }

    /// `block` holds complete lines, each ending in `\n` (except possibly the stream's last one).
    fn block(&mut self, block: &[u8]) {
        if block.is_empty() {
            return;
        }
        let base = self.counts.lines;
        let body = block.strip_suffix(b"\n").unwrap_or(block);
        // Samples for the time span: the first and last data lines (header / comment lines such as
        // Zeek's `#fields` and `#close`, and blank lines, carry no event time).
        let data = |l: &&[u8]| !l.starts_with(b"#") && !l.trim_ascii().is_empty();
        if self.counts.first_line.is_empty()
            && let Some(l) = body.split(|&b| b == b'\n').find(data)
        {
            self.counts.first_line = sample(l);
        }
        if let Some(l) = body.rsplit(|&b| b == b'\n').find(data) {
            self.counts.last_line = sample(l);
        }
        let total = count_newlines(block) + u64::from(!block.ends_with(b"\n"));
        match self.filter {
            None => {
                let mut n = base;
                for line in body.split(|&b| b == b'\n') {
                    n += 1;
                    self.line(n, line);
                }
            }
            Some(filter) => {
                let first = &body[..memchr(b'\n', body).unwrap_or(body.len())];
                let last = &body[memrchr(b'\n', body).map_or(0, |p| p + 1)..];
                let ac = filter.for_block(trim_cr(first), trim_cr(last));
                let mut from = 0usize;
                let mut counted_to = 0usize;
                let mut n = base;
                while from < block.len() {
                    let Some(m) = ac.find(Input::new(block).span(from..block.len())) else {
                        break;
                    };
                    let ls = memrchr(b'\n', &block[..m.start()]).map_or(0, |p| p + 1);
                    let le =
                        memchr(b'\n', &block[m.start()..]).map_or(block.len(), |p| m.start() + p);
                    n += count_newlines(&block[counted_to..ls]);
                    counted_to = ls;
                    self.line(n + 1, &block[ls..le]);
                    from = le + 1;
                }
            }
        }
        self.counts.lines += total;
    }
}

/// Scan `reader`, calling `on_line(line_number, line)` (1-based within the range, `\r\n` trimmed)
/// for every line when `filter` is `None`, else for lines where the filter matches. A read error
/// ends the scan: the counts of what was read before it come back with the error.
pub fn scan<R: Read>(
    reader: R,
    range: Range,
    filter: Option<Filter<'_>>,
    on_line: impl FnMut(u64, &[u8]),
) -> (ScanCounts, Option<io::Error>) {
    let mut st = State {
        filter,
        on_line,
        counts: ScanCounts::default(),
    };
    let err = scan_into(reader, range, &mut st).err();
    (st.counts, err)
}

fn scan_into<R: Read, F: FnMut(u64, &[u8])>(
    mut reader: R,
    range: Range,
    st: &mut State<'_, F>,
) -> io::Result<()> {
    let mut buf = vec![0u8; BUF];
    let mut filled = 0usize;
    let mut skipping = range.skip_first_partial; // inside a line that is not ours / overlong
    let mut overlong = false;
    let mut consumed: u64 = 0; // bytes of our range already handed to `block`
    let mut eof = false;
    loop {
        if !eof && filled < buf.len() {
            let n = match reader.read(&mut buf[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                eof = true;
            }
            filled += n;
        }
        let mut start = 0usize;
        if skipping {
            match memchr(b'\n', &buf[..filled]) {
                Some(p) => {
                    start = p + 1;
                    skipping = false;
                    consumed += (p + 1) as u64;
                    if overlong {
                        overlong = false;
                        st.counts.lines += 1;
                        st.counts.overlong += 1;
                    }
                }
                None => {
                    consumed += filled as u64;
                    filled = 0;
                    if eof {
                        if overlong {
                            st.counts.lines += 1;
                            st.counts.overlong += 1;
                        }
                        break;
                    }
                    continue;
                }
            }
        }
        let data = &buf[start..filled];
        let complete = if eof {
            data.len()
        } else {
            memrchr(b'\n', data).map_or(0, |p| p + 1)
        };
        let mut block = &data[..complete];
        let mut done = false;
        if let Some(limit) = range.limit
            && consumed + block.len() as u64 >= limit
        {
            // Keep only lines starting before `limit`: cut after the line holding byte limit-1.
            let cut_at = (limit.saturating_sub(consumed)) as usize;
            let cut = if cut_at == 0 {
                0
            } else {
                memchr(b'\n', &block[cut_at - 1..]).map_or(block.len(), |p| cut_at + p)
            };
            block = &block[..cut];
            done = true;
        }
        st.block(block);
        consumed += block.len() as u64;
        if done || eof {
            break;
        }
        // Move the incomplete tail to the front.
        let tail = start + complete..filled;
        let tail_len = tail.len();
        buf.copy_within(tail, 0);
        filled = tail_len;
        if filled == buf.len() {
            // No newline in a full buffer: an overlong line. Drop what we have, skip to its end.
            if range.limit.is_some_and(|l| consumed >= l) {
                break;
            }
            skipping = true;
            overlong = true;
            consumed += filled as u64;
            filled = 0;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(
        data: &[u8],
        range: Range,
        filter: Option<&AhoCorasick>,
    ) -> (ScanCounts, Vec<(u64, String)>) {
        let mut out = Vec::new();
        let (c, err) = scan(data, range, filter.map(Filter::new), |n, l| {
            out.push((n, String::from_utf8_lossy(l).into_owned()))
        });
        assert!(err.is_none());
        (c, out)
    }

    #[test]
    fn counts_and_numbers_all_lines() {
        let (c, out) = collect(b"a\nb\r\n\nc", Range::WHOLE, None);
        assert_eq!(c.lines, 4);
        assert_eq!(
            out,
            vec![
                (1, "a".into()),
                (2, "b".into()),
                (3, "".into()),
                (4, "c".into())
            ]
        );
    }

    #[test]
    fn filter_selects_lines_with_exact_numbers() {
        let ac = AhoCorasick::new(["203.0.113.5"]).unwrap();
        let data = b"x\n203.0.113.5 y 203.0.113.5\nz\nw\nq 203.0.113.5\n";
        let (c, out) = collect(data, Range::WHOLE, Some(&ac));
        assert_eq!(c.lines, 5);
        assert_eq!(c.selected, 2);
        assert_eq!(out[0].0, 2);
        assert_eq!(out[1], (5, "q 203.0.113.5".into()));
    }

    #[test]
    fn chunks_partition_lines_exactly() {
        let data: Vec<u8> = (0..1000)
            .flat_map(|i| format!("line {i} {}\n", "x".repeat(i % 37)).into_bytes())
            .collect();
        for chunk in [1usize, 7, 100, 4096] {
            let mut all = Vec::new();
            let mut start = 0usize;
            let mut base = 0u64;
            while start < data.len() {
                let len = chunk.min(data.len() - start);
                let (reader, range): (&[u8], Range) = if start == 0 {
                    (
                        &data[..],
                        Range {
                            skip_first_partial: false,
                            limit: Some(len as u64),
                        },
                    )
                } else {
                    // Open one byte early; the limit counts from there.
                    (
                        &data[start - 1..],
                        Range {
                            skip_first_partial: true,
                            limit: Some(len as u64 + 1),
                        },
                    )
                };
                let (c, out) = collect(reader, range, None);
                all.extend(out.into_iter().map(|(n, l)| (n + base, l)));
                base += c.lines;
                start += len;
            }
            let want: Vec<(u64, String)> = String::from_utf8_lossy(&data)
                .lines()
                .enumerate()
                .map(|(i, l)| (i as u64 + 1, l.to_string()))
                .collect();
            assert_eq!(all, want, "chunk size {chunk}");
        }
    }

    #[test]
    fn line_between_max_line_and_buffer_is_overlong() {
        let mut data = b"first\n".to_vec();
        data.extend(std::iter::repeat_n(b'A', MAX_LINE + 10));
        data.extend_from_slice(b"\nlast\n");
        let (c, out) = collect(&data, Range::WHOLE, None);
        assert_eq!((c.lines, c.overlong, c.selected), (3, 1, 2));
        assert_eq!(out, vec![(1, "first".into()), (3, "last".into())]);
        let ac = AhoCorasick::new(["A"]).unwrap();
        let (c, out) = collect(&data, Range::WHOLE, Some(&ac));
        assert_eq!((c.lines, c.overlong, c.selected), (3, 1, 0));
        assert!(out.is_empty());
    }

    #[test]
    fn read_error_keeps_the_counts_so_far() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("truncated"));
                }
                self.0 -= 1;
                let line = b"a line\n";
                buf[..line.len()].copy_from_slice(line);
                Ok(line.len())
            }
        }
        let (c, err) = scan(Failing(3), Range::WHOLE, None, |_, _| {});
        assert!(err.is_some());
        assert_eq!((c.lines, c.selected), (3, 3));
    }

    #[test]
    fn quiet_blocks_use_the_smaller_automaton() {
        // Lines are "<hour> <word>"; the busy period is hours 10..=12.
        let side = |l: &[u8]| -> Option<Side> {
            let h: u32 = std::str::from_utf8(l)
                .ok()?
                .split(' ')
                .next()?
                .parse()
                .ok()?;
            Some(if h < 10 {
                Side::Less
            } else if h > 12 {
                Side::Greater
            } else {
                Side::Equal
            })
        };
        let main = AhoCorasick::new(["Stopped", "203.0.113.5"]).unwrap();
        let quiet = AhoCorasick::new(["203.0.113.5"]).unwrap();
        let f = Filter {
            main: &main,
            quiet: Some((&quiet, &side)),
        };
        let run = |data: &[u8]| {
            let mut out = Vec::new();
            let (_, err) = scan(data, Range::WHOLE, Some(f), |n, l| {
                out.push((n, String::from_utf8_lossy(l).into_owned()))
            });
            assert!(err.is_none());
            out
        };
        // All before the busy period: only the address matters.
        assert_eq!(
            run(b"08 Stopped x\n09 203.0.113.5\n09 Stopped y\n"),
            vec![(2, "09 203.0.113.5".to_string())]
        );
        // Spanning it: everything that matches the main automaton.
        assert_eq!(run(b"08 Stopped x\n11 Stopped y\n13 Stopped z\n").len(), 3);
        // Undated first line: no shortcut.
        assert_eq!(run(b"xx Stopped x\n08 Stopped y\n").len(), 2);
    }

    #[test]
    fn overlong_line_is_counted_and_skipped() {
        let mut data = b"first\n".to_vec();
        data.extend(std::iter::repeat_n(b'A', BUF + 10));
        data.extend_from_slice(b"\nlast\n");
        let (c, out) = collect(&data, Range::WHOLE, None);
        assert_eq!(c.overlong, 1);
        assert_eq!(c.lines, 3);
        assert_eq!(out, vec![(1, "first".into()), (3, "last".into())]);
    }
}
