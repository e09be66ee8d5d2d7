//! Classic libpcap format: a 24-byte file header, then 16-byte record headers.

use std::io::Read;

use portcullis_detection::decode::LinkType;
use portcullis_detection::time::Timestamp;

use super::{read_exact_or_eof, ReadError, RecordMeta, MAX_RECORD};

/// Byte order and timestamp unit of a classic pcap file.
pub(super) struct PcapState {
    big_endian: bool,
    nanos: bool,
    link: LinkType,
    header: [u8; 16],
}

impl PcapState {
    /// Reads the rest of the file header after its 4-byte `magic`.
    pub(super) fn open(magic: [u8; 4], input: &mut impl Read) -> Result<Self, String> {
        let (big_endian, nanos) = match magic {
            [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
            [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
            [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
            [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
            _ => return Err("not a pcap or pcapng capture (unknown magic number)".into()),
        };
        let mut rest = [0u8; 20];
        input
            .read_exact(&mut rest)
            .map_err(|_| "pcap file header cut short".to_string())?;
        let linktype = u32_at(&rest, 16, big_endian) & 0x0fff_ffff;
        Ok(PcapState {
            big_endian,
            nanos,
            link: LinkType::from_pcap(linktype),
            header: [0; 16],
        })
    }

    /// Reads the next record into `buf`.
    pub(super) fn next(
        &mut self,
        input: &mut impl Read,
        buf: &mut Vec<u8>,
    ) -> Result<Option<RecordMeta>, ReadError> {
        if !read_exact_or_eof(input, buf, 16)? {
            return Ok(None);
        }
        self.header.copy_from_slice(&buf[..16]);
        let secs = u32_at(&self.header, 0, self.big_endian);
        let frac = u32_at(&self.header, 4, self.big_endian);
        let incl_len = u32_at(&self.header, 8, self.big_endian) as usize;
        let orig_len = u32_at(&self.header, 12, self.big_endian);
        if incl_len > MAX_RECORD {
            return Err(ReadError::Format(format!(
                "record length {incl_len} exceeds {MAX_RECORD} bytes"
            )));
        }
        let micros = if self.nanos { frac / 1000 } else { frac };
        if !read_exact_or_eof(input, buf, incl_len)? && incl_len > 0 {
            return Err(ReadError::Truncated);
        }
        Ok(Some(RecordMeta {
            link: self.link,
            ts: Timestamp::from_secs_micros(u64::from(secs), micros.min(999_999)),
            data: (0, incl_len),
            orig_len,
        }))
    }
}

/// Reads a u32 at `at` in the file's byte order; callers pass buffers long enough.
fn u32_at(b: &[u8], at: usize, big_endian: bool) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[at..at + 4]);
    if big_endian {
        u32::from_be_bytes(w)
    } else {
        u32::from_le_bytes(w)
    }
}
