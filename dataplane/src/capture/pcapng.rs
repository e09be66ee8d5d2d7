//! pcapng: blocks of (type, length, body, length). We use Section Header, Interface Description,
//! Enhanced Packet and Simple Packet blocks and skip the rest.

use std::io::Read;

use portcullis_detection::decode::LinkType;
use portcullis_detection::time::Timestamp;

use super::{read_exact_or_eof, ReadError, RecordMeta, MAX_RECORD};

/// Block type of a Section Header Block, which is also the file's magic.
pub(super) const SHB_TYPE: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const IDB: u32 = 1;
const SPB: u32 = 3;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
/// Largest block we accept (a packet plus generous options).
const MAX_BLOCK: usize = MAX_RECORD + 64 * 1024;

/// One interface: its link type and how many timestamp units make a second.
#[derive(Clone, Copy)]
struct Interface {
    link: LinkType,
    units_per_sec: u64,
}

/// Byte order of the current section and its interfaces.
pub(super) struct PcapNgState {
    big_endian: bool,
    interfaces: Vec<Interface>,
}

impl PcapNgState {
    /// Reads the first Section Header Block (its type was the 4 magic bytes already consumed).
    pub(super) fn open(input: &mut impl Read) -> Result<Self, String> {
        let mut head = [0u8; 8];
        input
            .read_exact(&mut head)
            .map_err(|_| "pcapng section header cut short".to_string())?;
        let big_endian = byte_order(&head[4..8])?;
        let total = u32_at(&head, 0, big_endian) as usize;
        if !(28..=MAX_BLOCK).contains(&total) || total % 4 != 0 {
            return Err(format!("pcapng section header length {total} is invalid"));
        }
        let mut rest = vec![0u8; total - 12];
        input
            .read_exact(&mut rest)
            .map_err(|_| "pcapng section header cut short".to_string())?;
        Ok(PcapNgState {
            big_endian,
            interfaces: Vec::new(),
        })
    }

    /// Reads blocks until the next packet, which lands in `buf`.
    pub(super) fn next(
        &mut self,
        input: &mut impl Read,
        buf: &mut Vec<u8>,
    ) -> Result<Option<RecordMeta>, ReadError> {
        loop {
            if !read_exact_or_eof(input, buf, 8)? {
                return Ok(None);
            }
            let mut head = [0u8; 8];
            head.copy_from_slice(&buf[..8]);
            if head[..4] == SHB_TYPE {
                // A new section may switch byte order: peek at its byte-order magic.
                if !read_exact_or_eof(input, buf, 4)? {
                    return Err(ReadError::Truncated);
                }
                self.big_endian = byte_order(&buf[..4]).map_err(ReadError::Format)?;
                self.interfaces.clear();
                let total = u32_at(&head, 4, self.big_endian) as usize;
                check_len(total, 28)?;
                if !read_exact_or_eof(input, buf, total - 12)? {
                    return Err(ReadError::Truncated);
                }
                continue;
            }
            let block_type = u32_at(&head, 0, self.big_endian);
            let total = u32_at(&head, 4, self.big_endian) as usize;
            check_len(total, 12)?;
            if !read_exact_or_eof(input, buf, total - 8)? {
                return Err(ReadError::Truncated);
            }
            let body_len = total - 12;
            match block_type {
                IDB => self.add_interface(&buf[..body_len])?,
                EPB => return self.enhanced_packet(buf, body_len).map(Some),
                SPB => return self.simple_packet(buf, body_len).map(Some),
                _ => {}
            }
        }
    }

    fn add_interface(&mut self, body: &[u8]) -> Result<(), ReadError> {
        if body.len() < 8 {
            return Err(ReadError::Format("pcapng interface block too short".into()));
        }
        let linktype = u32::from(u16_at(body, 0, self.big_endian));
        let mut units_per_sec = 1_000_000;
        let mut opts = &body[8..];
        while opts.len() >= 4 {
            let code = u16_at(opts, 0, self.big_endian);
            let len = usize::from(u16_at(opts, 2, self.big_endian));
            let padded = (len + 3) & !3;
            if code == 0 || opts.len() < 4 + padded {
                break;
            }
            if code == 9 && len >= 1 {
                units_per_sec = tsresol_units(opts[4]);
            }
            opts = &opts[4 + padded..];
        }
        self.interfaces.push(Interface {
            link: LinkType::from_pcap(linktype),
            units_per_sec,
        });
        Ok(())
    }

    fn enhanced_packet(&self, buf: &[u8], body_len: usize) -> Result<RecordMeta, ReadError> {
        if body_len < 20 {
            return Err(ReadError::Format("pcapng packet block too short".into()));
        }
        let iface = u32_at(buf, 0, self.big_endian) as usize;
        let high = u64::from(u32_at(buf, 4, self.big_endian));
        let low = u64::from(u32_at(buf, 8, self.big_endian));
        let caplen = u32_at(buf, 12, self.big_endian) as usize;
        let orig_len = u32_at(buf, 16, self.big_endian);
        if caplen > body_len - 20 {
            return Err(ReadError::Format(format!(
                "pcapng packet length {caplen} exceeds its block"
            )));
        }
        let Some(interface) = self.interfaces.get(iface) else {
            return Err(ReadError::Format(format!(
                "pcapng packet names interface {iface}, which was never described"
            )));
        };
        let units = (high << 32) | low;
        let ts = units_to_timestamp(units, interface.units_per_sec);
        Ok(RecordMeta {
            link: interface.link,
            ts,
            data: (20, 20 + caplen),
            orig_len,
        })
    }

    fn simple_packet(&self, buf: &[u8], body_len: usize) -> Result<RecordMeta, ReadError> {
        if body_len < 4 {
            return Err(ReadError::Format(
                "pcapng simple packet block too short".into(),
            ));
        }
        let Some(interface) = self.interfaces.first() else {
            return Err(ReadError::Format(
                "pcapng simple packet before any interface".into(),
            ));
        };
        let orig_len = u32_at(buf, 0, self.big_endian);
        let caplen = (orig_len as usize).min(body_len - 4);
        Ok(RecordMeta {
            link: interface.link,
            ts: Timestamp::default(),
            data: (4, 4 + caplen),
            orig_len,
        })
    }
}

fn check_len(total: usize, min: usize) -> Result<(), ReadError> {
    if total < min || total > MAX_BLOCK || total % 4 != 0 {
        return Err(ReadError::Format(format!(
            "pcapng block length {total} is invalid"
        )));
    }
    Ok(())
}

fn byte_order(magic: &[u8]) -> Result<bool, String> {
    let le = u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]);
    if le == BYTE_ORDER_MAGIC {
        Ok(false)
    } else if le.swap_bytes() == BYTE_ORDER_MAGIC {
        Ok(true)
    } else {
        Err("pcapng byte-order magic is invalid".into())
    }
}

/// Units per second for an `if_tsresol` byte: 10^n, or 2^n with the top bit set.
fn tsresol_units(resol: u8) -> u64 {
    let exp = u32::from(resol & 0x7f);
    if resol & 0x80 != 0 {
        1u64.checked_shl(exp).unwrap_or(u64::MAX)
    } else {
        10u64.checked_pow(exp).unwrap_or(u64::MAX)
    }
}

fn units_to_timestamp(units: u64, units_per_sec: u64) -> Timestamp {
    let per = units_per_sec.max(1);
    let secs = units / per;
    let rem = units % per;
    let micros = (u128::from(rem) * 1_000_000 / u128::from(per)) as u32;
    Timestamp::from_secs_micros(secs, micros)
}

fn u32_at(b: &[u8], at: usize, big_endian: bool) -> u32 {
    let w = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if big_endian {
        u32::from_be_bytes(w)
    } else {
        u32::from_le_bytes(w)
    }
}

fn u16_at(b: &[u8], at: usize, big_endian: bool) -> u16 {
    let w = [b[at], b[at + 1]];
    if big_endian {
        u16::from_be_bytes(w)
    } else {
        u16::from_le_bytes(w)
    }
}
