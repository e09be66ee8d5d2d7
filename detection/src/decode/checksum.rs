//! The Internet checksum (RFC 1071) over byte slices, with the IPv4/IPv6 pseudo-header sums.
//!
//! The decoder uses these to *verify* IPv4, TCP, UDP and ICMP checksums; the normalizer uses the
//! same functions to *recompute* them after rewriting a header, so both agree bit for bit.
//!
//! Sums are kept as an unfolded `u64` accumulator of big-endian 32-bit words, so partial sums
//! (a pseudo-header, a header, a payload) can simply be added before one final [`fold`].
//! Every partial sum must start at an even byte offset of the checksummed message.

/// Adds `data` to the running ones'-complement sum `initial` and returns the new, unfolded sum.
///
/// Exists so a checksum can be built from pieces (pseudo-header + segment) without copying.
/// Reads 8 bytes per step; an odd trailing byte is padded with a zero, as RFC 1071 requires,
/// so only the last piece of a message may have an odd length. Safe for any input length
/// below 2^34 bytes (the accumulator cannot overflow before that).
pub fn sum(data: &[u8], initial: u64) -> u64 {
    let mut acc = initial;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        acc += u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
        acc += u64::from(u32::from_be_bytes([c[4], c[5], c[6], c[7]]));
    }
    let mut pairs = chunks.remainder().chunks_exact(2);
    for p in &mut pairs {
        acc += u64::from(u16::from_be_bytes([p[0], p[1]]));
    }
    if let [last] = pairs.remainder() {
        acc += u64::from(*last) << 8;
    }
    acc
}

/// Folds an unfolded sum from [`sum`] into 16 bits with end-around carry (not complemented).
///
/// Exists for incremental updates (RFC 1624) where the folded, uncomplemented value is needed.
pub fn fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    // The loop leaves acc <= 0xffff.
    acc as u16
}

/// The Internet checksum of `data` on top of `initial` (e.g. a pseudo-header sum): the
/// complemented, folded sum.
///
/// To *compute* a checksum, zero the checksum field first and store the result. To *verify*
/// one, run it over the message including its checksum field: the result is 0 when valid.
pub fn internet_checksum(data: &[u8], initial: u64) -> u16 {
    !fold(sum(data, initial))
}

/// The IPv4 pseudo-header sum (source, destination, zero + protocol, length) that starts the
/// TCP and UDP checksums. `len` is the transport segment length (header + data).
pub fn pseudo_header_v4(src: [u8; 4], dst: [u8; 4], proto: u8, len: u16) -> u64 {
    sum(&src, sum(&dst, u64::from(proto) + u64::from(len)))
}

/// The IPv6 pseudo-header sum (RFC 8200 §8.1: source, destination, upper-layer length,
/// next header) that starts the TCP, UDP and ICMPv6 checksums. `len` is the upper-layer
/// packet length (header + data).
pub fn pseudo_header_v6(src: [u8; 16], dst: [u8; 16], proto: u8, len: u32) -> u64 {
    let len_sum = u64::from(len >> 16) + u64::from(len & 0xffff);
    sum(&src, sum(&dst, u64::from(proto) + len_sum))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straightforward 16-bit reference implementation to compare the fast path against.
    fn reference(data: &[u8], initial: u32) -> u16 {
        let mut acc = initial;
        for pair in data.chunks(2) {
            let hi = u32::from(pair[0]) << 8;
            let lo = pair.get(1).copied().map_or(0, u32::from);
            acc += hi | lo;
            acc = (acc & 0xffff) + (acc >> 16);
        }
        !(acc as u16)
    }

    #[test]
    fn rfc1071_example() {
        // RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2 (checksum 220d).
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(fold(sum(&data, 0)), 0xddf2);
        assert_eq!(internet_checksum(&data, 0), 0x220d);
    }

    #[test]
    fn known_ipv4_header() {
        // Classic example header (Wikipedia "IPv4 header checksum"): checksum b861.
        let mut hdr = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(internet_checksum(&hdr, 0), 0xb861);
        hdr[10] = 0xb8;
        hdr[11] = 0x61;
        assert_eq!(internet_checksum(&hdr, 0), 0);
    }

    #[test]
    fn matches_reference_for_every_length_and_alignment() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 131 + 7) as u8).collect();
        for start in 0..4 {
            for end in start..data.len() {
                let slice = &data[start..end];
                assert_eq!(
                    internet_checksum(slice, 0x1234),
                    reference(slice, 0x1234),
                    "{start}..{end}"
                );
            }
        }
    }

    #[test]
    fn pseudo_headers_equal_summing_their_bytes() {
        let v4 = pseudo_header_v4([10, 0, 0, 1], [192, 168, 1, 2], 6, 0x1234);
        let bytes = [10, 0, 0, 1, 192, 168, 1, 2, 0, 6, 0x12, 0x34];
        assert_eq!(fold(v4), fold(sum(&bytes, 0)));

        let src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let dst = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd];
        let v6 = pseudo_header_v6(src, dst, 58, 0x0001_0203);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&src);
        bytes.extend_from_slice(&dst);
        bytes.extend_from_slice(&0x0001_0203u32.to_be_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 58]);
        assert_eq!(fold(v6), fold(sum(&bytes, 0)));
    }

    #[test]
    fn pieces_add_up_to_the_whole() {
        let data: Vec<u8> = (0..64u8).collect();
        let whole = internet_checksum(&data, 0);
        let pieces = internet_checksum(&data[24..], sum(&data[..24], 0));
        assert_eq!(whole, pieces);
    }
}
