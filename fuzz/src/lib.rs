//! Helpers shared by the fuzz targets: well-formed Ethernet frames built from a few fuzzed
//! fields, so targets that need a decodable packet (the matcher, the engine's flow and stream
//! layers) spend their input on what they test rather than on getting past the decoder.

use portcullis_detection::decode::checksum::{
    internet_checksum, pseudo_header_v4, pseudo_header_v6,
};

/// The transport layer of a frame to build.
#[derive(Debug, Clone, Copy)]
pub enum L4 {
    /// TCP with these fields (header without options).
    Tcp {
        sport: u16,
        dport: u16,
        seq: u32,
        ack: u32,
        flags: u8,
        window: u16,
    },
    /// UDP.
    Udp { sport: u16, dport: u16 },
    /// ICMPv4 (over IPv4) or ICMPv6 (over IPv6): type, code and the 4 header bytes after the
    /// checksum (identifier and sequence for echo).
    Icmp {
        icmp_type: u8,
        code: u8,
        rest: [u8; 4],
    },
    /// Another IP protocol carried as is.
    Other(u8),
}

/// The IP layer of a frame to build.
#[derive(Debug, Clone, Copy)]
pub struct Ip {
    /// Source address: IPv4 uses the last 4 bytes when `v6` is false.
    pub src: [u8; 16],
    /// Destination address, same convention.
    pub dst: [u8; 16],
    /// IPv6 instead of IPv4.
    pub v6: bool,
    /// TTL / hop limit.
    pub ttl: u8,
    /// TOS / traffic class.
    pub tos: u8,
    /// IPv4 identification.
    pub id: u16,
}

/// Longest payload a built frame carries (a jumbo frame's); more is cut off.
pub const MAX_PAYLOAD: usize = 9000;

/// Builds an Ethernet frame with correct lengths and checksums carrying `payload` (at most
/// [`MAX_PAYLOAD`] bytes of it).
pub fn build_frame(ip: &Ip, l4: &L4, payload: &[u8]) -> Vec<u8> {
    let payload = &payload[..payload.len().min(MAX_PAYLOAD)];
    let (proto, mut segment) = transport_header(ip, l4);
    segment.extend_from_slice(payload);
    let seg_len = segment.len();
    if let L4::Udp { .. } = l4 {
        segment[4..6].copy_from_slice(&(seg_len as u16).to_be_bytes());
    }
    let checksum_at = match l4 {
        L4::Tcp { .. } => Some(16),
        L4::Udp { .. } => Some(6),
        L4::Icmp { .. } => Some(2),
        L4::Other(_) => None,
    };
    if let Some(at) = checksum_at {
        let initial = match (l4, ip.v6) {
            (L4::Icmp { .. }, false) => 0,
            (_, false) => pseudo_header_v4(v4(&ip.src), v4(&ip.dst), proto, seg_len as u16),
            (_, true) => pseudo_header_v6(ip.src, ip.dst, proto, seg_len as u32),
        };
        let c = internet_checksum(&segment, initial);
        segment[at..at + 2].copy_from_slice(&c.to_be_bytes());
    }
    let mut frame = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
    if ip.v6 {
        frame.extend_from_slice(&[0x86, 0xdd]);
        frame.push(0x60 | (ip.tos >> 4));
        frame.extend_from_slice(&[ip.tos << 4, 0, 0]);
        frame.extend_from_slice(&(seg_len as u16).to_be_bytes());
        frame.push(proto);
        frame.push(ip.ttl);
        frame.extend_from_slice(&ip.src);
        frame.extend_from_slice(&ip.dst);
    } else {
        frame.extend_from_slice(&[0x08, 0x00]);
        let total = (20 + seg_len) as u16;
        let mut h = [0u8; 20];
        h[0] = 0x45;
        h[1] = ip.tos;
        h[2..4].copy_from_slice(&total.to_be_bytes());
        h[4..6].copy_from_slice(&ip.id.to_be_bytes());
        h[8] = ip.ttl;
        h[9] = proto;
        h[12..16].copy_from_slice(&v4(&ip.src));
        h[16..20].copy_from_slice(&v4(&ip.dst));
        let c = internet_checksum(&h, 0);
        h[10..12].copy_from_slice(&c.to_be_bytes());
        frame.extend_from_slice(&h);
    }
    frame.extend_from_slice(&segment);
    frame
}

/// The protocol number and header bytes (checksum zero) of `l4`.
fn transport_header(ip: &Ip, l4: &L4) -> (u8, Vec<u8>) {
    match *l4 {
        L4::Tcp {
            sport,
            dport,
            seq,
            ack,
            flags,
            window,
        } => {
            let mut h = Vec::with_capacity(20);
            h.extend_from_slice(&sport.to_be_bytes());
            h.extend_from_slice(&dport.to_be_bytes());
            h.extend_from_slice(&seq.to_be_bytes());
            h.extend_from_slice(&ack.to_be_bytes());
            h.extend_from_slice(&[0x50, flags]);
            h.extend_from_slice(&window.to_be_bytes());
            h.extend_from_slice(&[0, 0, 0, 0]);
            (6, h)
        }
        L4::Udp { sport, dport } => {
            let mut h = Vec::with_capacity(8);
            h.extend_from_slice(&sport.to_be_bytes());
            h.extend_from_slice(&dport.to_be_bytes());
            // Length and checksum are filled in by `build_frame`.
            h.extend_from_slice(&[0, 0, 0, 0]);
            (17, h)
        }
        L4::Icmp {
            icmp_type,
            code,
            rest,
        } => {
            let mut h = vec![icmp_type, code, 0, 0];
            h.extend_from_slice(&rest);
            (if ip.v6 { 58 } else { 1 }, h)
        }
        L4::Other(proto) => (proto, Vec::new()),
    }
}

/// The IPv4 address held in the last 4 bytes.
fn v4(a: &[u8; 16]) -> [u8; 4] {
    [a[12], a[13], a[14], a[15]]
}
