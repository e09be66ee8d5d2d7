//! Capture files as a packet source: classic pcap (µs and ns, either byte order) and pcapng
//! (per-interface link type and timestamp resolution), one file or a directory of them.
//!
//! Hand-written rather than borrowed because a capture reader is a parser of untrusted input:
//! every length is checked, a record cut short ends the file with a warning instead of a panic,
//! and records are read into one reused buffer (no allocation per packet).

mod pcap;
mod pcapng;

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use portcullis_detection::decode::LinkType;
use portcullis_detection::time::Timestamp;

/// One captured frame, borrowed from the reader's buffer until the next call.
#[derive(Debug, Clone, Copy)]
pub struct CaptureRecord<'a> {
    /// Link type of the interface the frame was captured on.
    pub link: LinkType,
    /// Capture timestamp.
    pub ts: Timestamp,
    /// Captured bytes (possibly shorter than `orig_len`).
    pub data: &'a [u8],
    /// Length of the frame on the wire.
    pub orig_len: u32,
}

/// Why a capture could not be read.
#[derive(Debug)]
pub enum CaptureError {
    /// The file could not be opened or read.
    Io(PathBuf, io::Error),
    /// The file is not a pcap or pcapng capture, or its headers are malformed.
    Format(PathBuf, String),
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            CaptureError::Format(p, why) => write!(f, "{}: {why}", p.display()),
        }
    }
}

impl std::error::Error for CaptureError {}

/// Largest record we accept; anything bigger is treated as corruption.
const MAX_RECORD: usize = 256 * 1024;

enum Format {
    Pcap(pcap::PcapState),
    PcapNg(pcapng::PcapNgState),
}

/// Reads the frames of one capture file in order.
pub struct CaptureReader {
    path: PathBuf,
    input: BufReader<File>,
    format: Format,
    buf: Vec<u8>,
    truncated: bool,
}

impl CaptureReader {
    /// Opens `path` and reads its file header.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let io_err = |e| CaptureError::Io(path.to_path_buf(), e);
        let mut input = BufReader::with_capacity(1 << 20, File::open(path).map_err(io_err)?);
        let mut magic = [0u8; 4];
        input.read_exact(&mut magic).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                CaptureError::Format(path.to_path_buf(), "file too short for a capture".into())
            } else {
                io_err(e)
            }
        })?;
        let format = if magic == pcapng::SHB_TYPE {
            Format::PcapNg(
                pcapng::PcapNgState::open(&mut input)
                    .map_err(|why| CaptureError::Format(path.to_path_buf(), why))?,
            )
        } else {
            Format::Pcap(
                pcap::PcapState::open(magic, &mut input)
                    .map_err(|why| CaptureError::Format(path.to_path_buf(), why))?,
            )
        };
        Ok(CaptureReader {
            path: path.to_path_buf(),
            input,
            format,
            buf: Vec::with_capacity(65536),
            truncated: false,
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file ended in the middle of a record (reported, not an error).
    pub fn was_truncated(&self) -> bool {
        self.truncated
    }

    /// The next frame, or `None` at the end of the file. A record cut short by the end of the
    /// file ends the capture (see [`CaptureReader::was_truncated`]).
    pub fn next_record(&mut self) -> Result<Option<CaptureRecord<'_>>, CaptureError> {
        let step = match &mut self.format {
            Format::Pcap(state) => state.next(&mut self.input, &mut self.buf),
            Format::PcapNg(state) => state.next(&mut self.input, &mut self.buf),
        };
        match step {
            Ok(Some(meta)) => Ok(Some(CaptureRecord {
                link: meta.link,
                ts: meta.ts,
                data: &self.buf[meta.data.0..meta.data.1],
                orig_len: meta.orig_len,
            })),
            Ok(None) => Ok(None),
            Err(ReadError::Truncated) => {
                self.truncated = true;
                Ok(None)
            }
            Err(ReadError::Io(e)) => Err(CaptureError::Io(self.path.clone(), e)),
            Err(ReadError::Format(why)) => Err(CaptureError::Format(self.path.clone(), why)),
        }
    }
}

/// What a format reader found: where the frame sits in the buffer and its metadata.
struct RecordMeta {
    link: LinkType,
    ts: Timestamp,
    data: (usize, usize),
    orig_len: u32,
}

enum ReadError {
    Truncated,
    Io(io::Error),
    Format(String),
}

/// Fills `buf` with exactly `len` bytes from `input`; a clean end of file before the first
/// byte is `Ok(false)`, a partial read is `Truncated`.
fn read_exact_or_eof(
    input: &mut impl Read,
    buf: &mut Vec<u8>,
    len: usize,
) -> Result<bool, ReadError> {
    buf.clear();
    buf.resize(len, 0);
    let mut filled = 0;
    while filled < len {
        match input.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 => return Ok(false),
            Ok(0) => return Err(ReadError::Truncated),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    Ok(true)
}

/// The captures named by `path`: the file itself, or every regular file of a directory in name
/// order (as Suricata's pcap-file directory mode, one run over all of them).
pub fn capture_files(path: &Path) -> io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        // Surface "no such file" here, with the path, rather than at open time.
        std::fs::metadata(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    collect_files(path, &mut files)?;
    files.sort();
    Ok(files)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?
    {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_files(&entry.path(), out)?;
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
