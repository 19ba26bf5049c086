//! Reading inputs: discover paths (files, recursive directories, `-`), open them as byte streams
//! (gzip by magic number), and sniff what each holds from its first bytes.

pub mod archive;
pub mod discover;
pub mod lines;
pub mod records;
pub mod sniff;

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;

use flate2::read::MultiGzDecoder;
use indicatif::ProgressBar;

/// One input, named as the user gave it.
#[derive(Debug, Clone)]
pub struct SourceInput {
    /// Path as given on the command line (or found under a given directory); `<stdin>` for `-`.
    pub display: String,
    /// Where the bytes are (stdin is spooled to a temporary file first).
    pub path: PathBuf,
    pub compression: Compression,
    /// Size on disk in bytes.
    pub size: u64,
}

/// How a file is compressed, told by its magic number (not its name: rotated logs are often
/// `syslog.2.gz`, but also `messages-20261120` compressed by a cron job).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

impl Compression {
    pub fn from_magic(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if head.starts_with(b"BZh") {
            Compression::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Compression::Xz
        } else {
            Compression::None
        }
    }
}

impl SourceInput {
    /// The whole (decompressed) stream.
    pub fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        self.open_progress(&ProgressBar::hidden())
    }

    /// The whole (decompressed) stream; compressed bytes read advance `pb`.
    pub fn open_progress(&self, pb: &ProgressBar) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(decode(
            self.compression,
            pb.wrap_read(File::open(&self.path)?),
        )?))
    }

    /// A byte range of an uncompressed file (for chunked parallel reading).
    pub fn open_range(
        &self,
        start: u64,
        len: u64,
        pb: &ProgressBar,
    ) -> io::Result<impl Read + Send + use<>> {
        let mut f = File::open(&self.path)?;
        f.seek(SeekFrom::Start(start))?;
        Ok(pb.wrap_read(f.take(len)))
    }

    /// Up to `n` bytes from the start of the decompressed stream.
    pub fn head(&self, n: usize) -> io::Result<Vec<u8>> {
        let mut r = self.open()?.take(n as u64);
        let mut buf = Vec::with_capacity(n.min(1 << 16));
        r.read_to_end(&mut buf)?;
        Ok(buf)
    }
}

/// A stream as its compression says to read it. Multi-member / multi-stream decoders: `cat a.gz
/// b.gz > c.gz` (and logrotate's `delaycompress` + append) is a valid file, read to the end.
pub enum Decoded<R: Read> {
    Plain(R),
    Gzip(MultiGzDecoder<BufReader<R>>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<R>>),
    Bzip2(bzip2::read::MultiBzDecoder<BufReader<R>>),
    Xz(liblzma::read::XzDecoder<BufReader<R>>),
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoded::Plain(r) => r.read(buf),
            Decoded::Gzip(r) => r.read(buf),
            Decoded::Zstd(r) => r.read(buf),
            Decoded::Bzip2(r) => r.read(buf),
            Decoded::Xz(r) => r.read(buf),
        }
    }
}

/// Wrap `r` in the decoder `c` names.
pub fn decode<R: Read>(c: Compression, r: R) -> io::Result<Decoded<R>> {
    let buffered = |r| BufReader::with_capacity(256 * 1024, r);
    Ok(match c {
        Compression::None => Decoded::Plain(r),
        Compression::Gzip => Decoded::Gzip(MultiGzDecoder::new(buffered(r))),
        Compression::Zstd => Decoded::Zstd(zstd::stream::read::Decoder::with_buffer(buffered(r))?),
        Compression::Bzip2 => Decoded::Bzip2(bzip2::read::MultiBzDecoder::new(buffered(r))),
        Compression::Xz => Decoded::Xz(liblzma::read::XzDecoder::new_multi_decoder(buffered(r))),
    })
}
