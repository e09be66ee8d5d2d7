//! IPv6 extension header chain, walked with etherparse's per-header slices
//! (`Ipv6RawExtHeaderSlice`, `Ipv6FragmentHeaderSlice`, `IpAuthHeaderSlice`).
//!
//! We do not use the chain etherparse 0.16 builds inside `LaxIpv6Slice` because of three
//! defects found while writing this decoder:
//! - `Ipv6FragmentHeaderSlice::fragment_offset()` / `more_fragments()` read the wrong bits
//!   (etherparse issue #150, fixed in 0.20.x), so those two fields are read here from bytes 2..4;
//! - iterating an `Ipv6ExtensionsSlice` that stopped on an error runs past its end (a debug
//!   assertion, undefined behaviour in release);
//! - it keeps parsing "extension headers" after the fragment header of a non-first fragment,
//!   where the bytes are fragment data.

use etherparse::{
    ip_number, IpAuthHeaderSlice, IpNumber, Ipv6FragmentHeaderSlice, Ipv6RawExtHeaderSlice,
};

/// The fragment header's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FragmentInfo {
    /// Identification.
    pub id: u32,
    /// Offset in 8-byte units.
    pub offset: u16,
    /// M flag.
    pub more: bool,
}

/// The result of walking the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ExtChain {
    /// The last next-header reached (the transport protocol when the chain is valid).
    pub proto: u8,
    /// Bytes of extension headers walked.
    pub len: usize,
    /// The fragment header, if one was seen.
    pub fragment: Option<FragmentInfo>,
    /// The chain was malformed or cut short (hop-by-hop not first, a header past the end).
    pub invalid: bool,
}

/// Walks the extension headers at the start of `data` (the IPv6 payload), starting from the
/// IPv6 header's next-header `first`. Stops at the first non-extension protocol, at an error,
/// or right after the fragment header of a non-first fragment.
pub(super) fn walk(first: u8, data: &[u8]) -> ExtChain {
    let mut chain = ExtChain {
        proto: first,
        len: 0,
        fragment: None,
        invalid: false,
    };
    loop {
        let rest = data.get(chain.len..).unwrap_or_default();
        let step = match IpNumber(chain.proto) {
            ip_number::IPV6_HOP_BY_HOP if chain.len != 0 => None,
            ip_number::IPV6_HOP_BY_HOP | ip_number::IPV6_DEST_OPTIONS | ip_number::IPV6_ROUTE => {
                Ipv6RawExtHeaderSlice::from_slice(rest).ok().map(raw_step)
            }
            ip_number::IPV6_FRAG => Ipv6FragmentHeaderSlice::from_slice(rest).ok().map(|f| {
                chain.fragment = Some(fragment_info(&f));
                (f.next_header(), f.slice().len())
            }),
            ip_number::AUTH => IpAuthHeaderSlice::from_slice(rest)
                .ok()
                .map(|a| (a.next_header(), a.slice().len())),
            _ => return chain,
        };
        let Some((next, len)) = step else {
            chain.invalid = true;
            return chain;
        };
        chain.proto = next.0;
        chain.len += len;
        if chain.fragment.is_some_and(|f| f.offset != 0) {
            return chain;
        }
    }
}

/// Next header and length of a generic (TLV-style) extension header.
fn raw_step(h: Ipv6RawExtHeaderSlice<'_>) -> (IpNumber, usize) {
    (h.next_header(), h.slice().len())
}

/// Reads the fragment header per RFC 8200 §4.5: bytes 2..4 are a big-endian word holding the
/// offset in the top 13 bits and M in the lowest bit.
fn fragment_info(f: &Ipv6FragmentHeaderSlice<'_>) -> FragmentInfo {
    let word = match f.slice() {
        [_, _, hi, lo, ..] => u16::from_be_bytes([*hi, *lo]),
        _ => 0,
    };
    FragmentInfo {
        id: f.identification(),
        offset: word >> 3,
        more: word & 1 != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HBH: u8 = 0;
    const UDP: u8 = 17;
    const FRAG: u8 = 44;
    const DST: u8 = 60;

    #[test]
    fn no_extension_headers() {
        let chain = walk(UDP, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            chain,
            ExtChain {
                proto: UDP,
                len: 0,
                fragment: None,
                invalid: false
            }
        );
    }

    #[test]
    fn hop_by_hop_then_fragment() {
        let data = [
            FRAG, 0, 1, 4, 0, 0, 0, 0, // hop-by-hop, PadN
            DST, 0, 0x00, 0x01, 0, 0, 0, 7, // fragment: offset 0, M, id 7
            UDP, 0, 1, 4, 0, 0, 0, 0, // destination options
            0xaa, 0xbb,
        ];
        assert_eq!(
            walk(HBH, &data),
            ExtChain {
                proto: UDP,
                len: 24,
                fragment: Some(FragmentInfo {
                    id: 7,
                    offset: 0,
                    more: true
                }),
                invalid: false
            }
        );
    }

    #[test]
    fn stops_after_the_fragment_header_of_a_later_fragment() {
        // Offset 0x141 >> 3 = 40 with M: what follows is fragment data even though
        // next-header says dest-opts.
        let data = [DST, 0, 0x01, 0x41, 0, 0, 0, 9, 0xff, 0xff, 0xff];
        assert_eq!(
            walk(FRAG, &data),
            ExtChain {
                proto: DST,
                len: 8,
                fragment: Some(FragmentInfo {
                    id: 9,
                    offset: 40,
                    more: true
                }),
                invalid: false
            }
        );
    }

    #[test]
    fn malformed_chains() {
        // Hop-by-hop not first.
        let data = [HBH, 0, 1, 4, 0, 0, 0, 0, UDP, 0, 1, 4, 0, 0, 0, 0];
        let chain = walk(DST, &data);
        assert_eq!((chain.invalid, chain.proto, chain.len), (true, HBH, 8));
        // Header length past the end.
        let chain = walk(DST, &[UDP, 1, 1, 4, 0, 0, 0, 0]);
        assert_eq!((chain.invalid, chain.proto, chain.len), (true, DST, 0));
        // Nothing where a fragment header should be.
        assert!(walk(FRAG, &[]).invalid);
    }
}
