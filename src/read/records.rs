//! Binary log containers (`.evtx`) as text: the format's record walk runs on its own thread over
//! the whole file and hands each record over as one line through a small bounded channel, so the
//! rest of the read (prefilter, counting, parsing) sees lines like any text log. A record the walk
//! could not render becomes a line no parser accepts (a malformed line: counted, never dropped);
//! a file the walk cannot open at all is an I/O error of that source.

use std::io::{self, Read};
use std::ops::ControlFlow;
use std::sync::mpsc;

use portmortem_parsers::registry::BinaryReader;

/// Records in flight between the walking thread and the reader.
const IN_FLIGHT: usize = 256;

/// The lines of a container whose whole bytes `r` yields.
pub fn lines(binary: &'static BinaryReader, mut r: impl Read) -> io::Result<RecordLines> {
    let mut buf = Vec::new();
    r.read_to_end(&mut buf)?;
    let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(IN_FLIGHT);
    std::thread::Builder::new()
        .name("records".into())
        .spawn(move || {
            let tx2 = tx.clone();
            let walk = std::panic::AssertUnwindSafe(move || {
                (binary.records)(buf, &mut |rec| {
                    let line = match rec {
                        Ok(mut l) => {
                            // A line break inside a record would split it.
                            for b in &mut l {
                                if *b == b'\n' {
                                    *b = b' ';
                                }
                            }
                            l
                        }
                        Err(why) => format!("\u{0}unreadable record: {}", why.replace('\n', " "))
                            .into_bytes(),
                    };
                    match tx2.send(Ok(line)) {
                        Ok(()) => ControlFlow::Continue(()),
                        Err(_) => ControlFlow::Break(()),
                    }
                })
            });
            // A reader that panics on some damaged file is an error of that source, not of the run.
            let res = std::panic::catch_unwind(walk)
                .unwrap_or_else(|_| Err("the record reader failed on this file".to_string()));
            if let Err(why) = res {
                let _ = tx.send(Err(io::Error::new(io::ErrorKind::InvalidData, why)));
            }
        })?;
    Ok(RecordLines {
        rx,
        line: Vec::new(),
        at: 0,
    })
}

/// Records as newline-terminated lines.
pub struct RecordLines {
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    line: Vec<u8>,
    at: usize,
}

impl Read for RecordLines {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.line.len() {
            match self.rx.recv() {
                Ok(Ok(mut l)) => {
                    l.push(b'\n');
                    self.line = l;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The walk is over.
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.line.len() - self.at);
        out[..n].copy_from_slice(&self.line[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
