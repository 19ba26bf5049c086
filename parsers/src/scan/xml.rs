//! Streaming XML for scan reports: invalid UTF-8 replaced (one stray byte must not lose a whole
//! report), only the five predefined entities and numeric references resolved (DTD entities are
//! never expanded: an "entity bomb" costs nothing), line numbers of elements for evidence, and a
//! document that ends inside an open element reported as truncated.

use std::io::{self, BufRead, Read};

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::reader::Reader;

use crate::error::ParseError;

/// What a reader does with the elements of a document.
pub(crate) trait Handler {
    /// An element opens (`<x>` or `<x/>`, then [`Handler::end`] follows at once); `line` is the
    /// 1-based line where its tag ends.
    fn start(&mut self, e: &BytesStart<'_>, line: u64) -> Result<(), ParseError>;
    /// An element closes (by local name).
    fn end(&mut self, local_name: &str);
    /// Text or CDATA, with references resolved.
    fn text(&mut self, s: &str);
}

/// What the walk saw beyond the handler's calls.
pub(crate) struct Walked {
    /// Invalid UTF-8 sequences replaced by U+FFFD.
    pub replaced: usize,
}

/// Walk a whole document. Errors: malformed XML, or a document that ends inside an open element
/// (`what` names the format in the message). With `growing`, a document still being written: at its end every open element is
/// closed (what was read so far counts) instead of being an error.
pub(crate) fn walk_with<R: BufRead>(
    reader: R,
    h: &mut impl Handler,
    what: &str,
    growing: bool,
) -> Result<Walked, ParseError> {
    let mut xml = Reader::from_reader(LossyUtf8::new(reader));
    let mut buf = Vec::new();
    let mut open: Vec<String> = Vec::new();
    loop {
        let ev = match xml.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(_) if growing => break,
            Err(e) => {
                return Err(ParseError::Xml(clip(
                    &format!("{e} (at byte {})", xml.error_position()),
                    200,
                )));
            }
        };
        let line = xml.get_ref().lines + 1;
        match ev {
            XmlEvent::Start(e) => {
                h.start(&e, line)?;
                if open.len() < 4096 {
                    open.push(e.local_name().as_ref().to_string());
                }
            }
            XmlEvent::Empty(e) => {
                h.start(&e, line)?;
                h.end(e.local_name().as_ref());
            }
            XmlEvent::End(e) => {
                open.pop();
                h.end(e.local_name().as_ref());
            }
            XmlEvent::Text(t) => h.text(&t),
            XmlEvent::CData(c) => h.text(&c),
            XmlEvent::GeneralRef(r) => {
                let mut tmp = [0u8; 4];
                let resolved: Option<&str> = match r.resolve_char_ref() {
                    Ok(Some(ch)) => Some(ch.encode_utf8(&mut tmp)),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&r),
                    Err(_) => None,
                };
                if let Some(s) = resolved {
                    h.text(s);
                }
            }
            // DOCTYPE (and any entity it declares) is ignored on purpose.
            XmlEvent::DocType(_) | XmlEvent::Comment(_) | XmlEvent::PI(_) | XmlEvent::Decl(_) => {}
            XmlEvent::Eof => break,
        }
        buf.clear();
    }
    if growing {
        while let Some(name) = open.pop() {
            h.end(&name);
        }
    }
    if let Some(inner) = open.last() {
        return Err(ParseError::Xml(format!(
            "{what} document truncated: it ends inside <{}> (line {})",
            inner,
            xml.get_ref().lines + 1
        )));
    }
    Ok(Walked {
        replaced: xml.get_ref().replaced,
    })
}

/// At most `max` bytes of `s` (on a char boundary), with `…` when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", s.get(..end).unwrap_or_default())
}

/// Append `s` to `buf` without letting `buf` grow past `cap` bytes.
pub(crate) fn push_capped(buf: &mut String, s: &str, cap: usize, truncated: &mut bool) {
    let room = cap.saturating_sub(buf.len());
    if s.len() <= room {
        buf.push_str(s);
        return;
    }
    *truncated = true;
    let mut end = room;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    buf.push_str(s.get(..end).unwrap_or_default());
}

/// The value of an attribute, with predefined entities resolved (raw text when that fails).
pub(crate) fn attr_value(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.as_ref() == key).then(|| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .unwrap_or_else(|_| a.value.clone())
                .into_owned()
        })
    })
}

const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// A `BufRead` adapter that replaces invalid UTF-8 sequences with U+FFFD (quick-xml rejects them),
/// so one stray Latin-1 byte in a banner does not make the whole report unreadable.
pub(crate) struct LossyUtf8<R> {
    inner: R,
    out: Vec<u8>,
    pos: usize,
    /// An incomplete sequence at the end of the previous chunk (at most 3 bytes).
    pending: Vec<u8>,
    /// How many invalid sequences were replaced.
    replaced: usize,
    /// Newlines consumed so far (the line of what the XML reader just returned, minus one).
    lines: u64,
}

impl<R: BufRead> LossyUtf8<R> {
    pub(crate) fn new(inner: R) -> Self {
        LossyUtf8 {
            inner,
            out: Vec::new(),
            pos: 0,
            pending: Vec::new(),
            replaced: 0,
            lines: 0,
        }
    }
}

/// Append `data` to `out`, replacing invalid sequences; an incomplete trailing sequence goes to
/// `pending`.
fn decode_lossy(data: &[u8], out: &mut Vec<u8>, pending: &mut Vec<u8>, replaced: &mut usize) {
    let mut rest = data;
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => {
                out.extend_from_slice(rest);
                return;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                out.extend_from_slice(good);
                match e.error_len() {
                    Some(len) => {
                        out.extend_from_slice(REPLACEMENT);
                        *replaced += 1;
                        rest = bad.get(len..).unwrap_or_default();
                    }
                    None => {
                        pending.extend_from_slice(bad);
                        return;
                    }
                }
            }
        }
    }
}

impl<R: BufRead> Read for LossyUtf8<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(dst.len());
        if let (Some(d), Some(a)) = (dst.get_mut(..n), avail.get(..n)) {
            d.copy_from_slice(a);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LossyUtf8<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.out.len() {
            self.out.clear();
            self.pos = 0;
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                if !self.pending.is_empty() {
                    self.pending.clear();
                    self.out.extend_from_slice(REPLACEMENT);
                    self.replaced += 1;
                }
                break;
            }
            let n = chunk.len();
            if self.pending.is_empty() {
                decode_lossy(chunk, &mut self.out, &mut self.pending, &mut self.replaced);
            } else {
                let mut joined = std::mem::take(&mut self.pending);
                joined.extend_from_slice(chunk);
                decode_lossy(
                    &joined,
                    &mut self.out,
                    &mut self.pending,
                    &mut self.replaced,
                );
            }
            self.inner.consume(n);
        }
        Ok(self.out.get(self.pos..).unwrap_or_default())
    }

    fn consume(&mut self, amt: usize) {
        let end = self.pos.saturating_add(amt).min(self.out.len());
        let taken = self.out.get(self.pos..end).unwrap_or_default();
        self.lines += memchr::memchr_iter(b'\n', taken).count() as u64;
        self.pos = end;
    }
}
