//! The symmetric Toeplitz RSS key and the software RSS hash (`rte_softrss`), which pins both
//! directions of a flow to one worker when the NIC cannot (virtual PMDs, software distribution).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::{BitAnd, BitOr};

use dpdk_ffi as ffi;

/// Length of the standard Toeplitz RSS key (40 bytes covers an IPv6 4-tuple: 36 bytes + 4).
pub const RSS_KEY_LEN: usize = 40;

/// `0x6d5a` repeated: with a key whose bit pattern repeats every 16 bits, swapping the source
/// and destination addresses (32-bit aligned) and ports (16-bit) leaves the Toeplitz hash
/// unchanged, so a flow's two directions land on the same queue (Woo and Park, 2012).
pub const SYMMETRIC_RSS_KEY: [u8; RSS_KEY_LEN] = {
    let mut key = [0u8; RSS_KEY_LEN];
    let mut i = 0;
    while i < RSS_KEY_LEN {
        key[i] = if i % 2 == 0 { 0x6d } else { 0x5a };
        i += 1;
    }
    key
};

/// Which header fields feed the RSS hash: DPDK's `RTE_ETH_RSS_*` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RssFields(u64);

impl RssFields {
    /// No field: RSS off.
    pub const NONE: RssFields = RssFields(0);
    /// IPv4 and IPv6 addresses (`RTE_ETH_RSS_IP`).
    pub const IP: RssFields = RssFields(ffi::SHIM_ETH_RSS_IP as u64);
    /// TCP ports over IPv4 and IPv6 (`RTE_ETH_RSS_TCP`).
    pub const TCP: RssFields = RssFields(ffi::SHIM_ETH_RSS_TCP as u64);
    /// UDP ports over IPv4 and IPv6 (`RTE_ETH_RSS_UDP`).
    pub const UDP: RssFields = RssFields(ffi::SHIM_ETH_RSS_UDP as u64);

    /// Wraps DPDK's bit mask (e.g. a device's `flow_type_rss_offloads`).
    pub const fn from_bits(bits: u64) -> Self {
        RssFields(bits)
    }

    /// DPDK's bit mask.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// True when no field is selected.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for RssFields {
    type Output = RssFields;

    fn bitor(self, rhs: RssFields) -> RssFields {
        RssFields(self.0 | rhs.0)
    }
}

impl BitAnd for RssFields {
    type Output = RssFields;

    fn bitand(self, rhs: RssFields) -> RssFields {
        RssFields(self.0 & rhs.0)
    }
}

/// The fields a NIC hashes for TCP/UDP over IP, in the order it hashes them (source first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RssTuple {
    /// An IPv4 4-tuple.
    V4 {
        /// Source address.
        src: Ipv4Addr,
        /// Destination address.
        dst: Ipv4Addr,
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// An IPv6 4-tuple.
    V6 {
        /// Source address.
        src: Ipv6Addr,
        /// Destination address.
        dst: Ipv6Addr,
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
}

/// The Toeplitz hash of `tuple` under [`SYMMETRIC_RSS_KEY`], as a NIC configured by
/// [`super::RssConf::default`] would compute it: equal for both directions of a flow.
pub fn soft_rss(tuple: &RssTuple) -> u32 {
    soft_rss_with_key(tuple, &SYMMETRIC_RSS_KEY)
}

/// The Toeplitz hash of `tuple` under `key` (`rte_softrss`).
pub fn soft_rss_with_key(tuple: &RssTuple, key: &[u8; RSS_KEY_LEN]) -> u32 {
    // rte_softrss reads the tuple as host-order 32-bit words: addresses big-endian-decoded,
    // then the ports as (src << 16 | dst), as DPDK's rte_ipv4_tuple/rte_ipv6_tuple lay them out.
    let mut words = [0u32; 9];
    let n = match tuple {
        RssTuple::V4 {
            src,
            dst,
            src_port,
            dst_port,
        } => {
            words[0] = u32::from(*src);
            words[1] = u32::from(*dst);
            words[2] = (u32::from(*src_port) << 16) | u32::from(*dst_port);
            3
        }
        RssTuple::V6 {
            src,
            dst,
            src_port,
            dst_port,
        } => {
            for (i, chunk) in src.octets().chunks_exact(4).enumerate() {
                words[i] = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
            for (i, chunk) in dst.octets().chunks_exact(4).enumerate() {
                words[4 + i] = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
            words[8] = (u32::from(*src_port) << 16) | u32::from(*dst_port);
            9
        }
    };
    // SAFETY: `words` holds n <= 9 words, and rte_softrss reads key words 0..=n, at most 10
    // words = 40 bytes, exactly the key's size. It is a pure function, needing no EAL.
    unsafe { ffi::shim_rte_softrss(words.as_mut_ptr(), n, key.as_ptr()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Microsoft's RSS verification key (the key of its published test vectors).
    const MS_KEY: [u8; RSS_KEY_LEN] = [
        0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f,
        0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
        0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
    ];

    fn v4(src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16) -> RssTuple {
        RssTuple::V4 {
            src: src.into(),
            dst: dst.into(),
            src_port: sp,
            dst_port: dp,
        }
    }

    fn v6(src: &str, dst: &str, sp: u16, dp: u16) -> RssTuple {
        RssTuple::V6 {
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            src_port: sp,
            dst_port: dp,
        }
    }

    fn reversed(t: &RssTuple) -> RssTuple {
        match *t {
            RssTuple::V4 {
                src,
                dst,
                src_port,
                dst_port,
            } => RssTuple::V4 {
                src: dst,
                dst: src,
                src_port: dst_port,
                dst_port: src_port,
            },
            RssTuple::V6 {
                src,
                dst,
                src_port,
                dst_port,
            } => RssTuple::V6 {
                src: dst,
                dst: src,
                src_port: dst_port,
                dst_port: src_port,
            },
        }
    }

    #[test]
    fn symmetric_key_is_6d5a_repeated() {
        assert_eq!(&SYMMETRIC_RSS_KEY[..4], &[0x6d, 0x5a, 0x6d, 0x5a]);
        assert!(SYMMETRIC_RSS_KEY.chunks(2).all(|c| c == [0x6d, 0x5a]));
    }

    #[test]
    fn matches_microsoft_verification_vectors() {
        // 66.9.149.187:2794 -> 161.142.100.80:1766 (IPv4 with TCP ports).
        let t = v4([66, 9, 149, 187], [161, 142, 100, 80], 2794, 1766);
        assert_eq!(soft_rss_with_key(&t, &MS_KEY), 0x51cc_c178);
        // 3ffe:2501:200:1fff::7 :2794 -> 3ffe:2501:200:3::1 :1766 (IPv6 with TCP ports).
        let t = v6("3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766);
        assert_eq!(soft_rss_with_key(&t, &MS_KEY), 0x4020_7d3d);
    }

    #[test]
    fn symmetric_key_hashes_both_directions_alike() {
        let tuples = [
            v4([10, 0, 0, 1], [192, 168, 1, 2], 40000, 80),
            v4([1, 2, 3, 4], [5, 6, 7, 8], 53, 5353),
            v6("2001:db8::1", "2001:db8:ffff::42", 51000, 443),
            v6("fe80::1", "ff02::fb", 5353, 5353),
        ];
        for t in &tuples {
            assert_eq!(soft_rss(t), soft_rss(&reversed(t)), "{t:?}");
        }
        // Different flows still spread: the hash is not a constant.
        assert_ne!(soft_rss(&tuples[0]), soft_rss(&tuples[1]));
        assert_ne!(soft_rss(&tuples[2]), soft_rss(&tuples[3]));
    }

    #[test]
    fn ordinary_key_is_not_symmetric() {
        let t = v4([66, 9, 149, 187], [161, 142, 100, 80], 2794, 1766);
        assert_ne!(
            soft_rss_with_key(&t, &MS_KEY),
            soft_rss_with_key(&reversed(&t), &MS_KEY)
        );
    }
}
