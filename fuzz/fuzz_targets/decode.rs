//! Fuzzes `decode::decode` over every supported link type, with and without checksum
//! validation, and checks the invariants of the packet view: the payload lies inside the frame at
//! `payload_offset`, headers lie inside the frame, and checksum validation changes only checksum
//! results and events, never what is parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_detection::decode::{decode, DecodeOptions, IpHeader, LinkType, Packet, Transport};
use portcullis_detection::time::Timestamp;

/// pcap LINKTYPE numbers covering every `LinkType` variant (147 is unsupported).
const LINKS: [u32; 6] = [1, 101, 113, 276, 0, 147];

fuzz_target!(|frame: &[u8]| {
    for link in LINKS {
        let link = LinkType::from_pcap(link);
        let ts = Timestamp(1_700_000_000_000_000);
        let checked = decode(
            link,
            ts,
            frame,
            &DecodeOptions {
                validate_checksums: true,
            },
        );
        let unchecked = decode(
            link,
            ts,
            frame,
            &DecodeOptions {
                validate_checksums: false,
            },
        );
        check_view(&checked, frame);
        check_view(&unchecked, frame);
        assert_eq!(structure(&checked), structure(&unchecked), "{link:?}");
    }
});

/// Invariants every decoded packet must satisfy.
fn check_view(pkt: &Packet<'_>, frame: &[u8]) {
    assert_eq!(pkt.frame, frame);
    assert!(pkt.vlan_count <= 2);
    let end = pkt.payload_offset + pkt.payload.len();
    assert!(
        end <= frame.len(),
        "payload {}..{end} beyond frame {}",
        pkt.payload_offset,
        frame.len()
    );
    assert_eq!(pkt.payload, &frame[pkt.payload_offset..end]);
    if !pkt.payload.is_empty() {
        // The payload is a view into the frame, not a copy.
        assert_eq!(
            pkt.payload.as_ptr() as usize - frame.as_ptr() as usize,
            pkt.payload_offset
        );
    }
    if let Some(ip) = pkt.ip {
        assert!(ip.version == 4 || ip.version == 6);
        assert!(ip.offset < frame.len());
        assert!(ip.offset + usize::from(ip.header_len) <= frame.len() || ip.header_len == u16::MAX);
        if pkt.transport != Transport::None {
            assert!(ip.offset + usize::from(ip.header_len) <= pkt.payload_offset);
        }
        if ip.version == 6 {
            assert_eq!(ip.checksum_ok, None);
        }
    } else {
        assert_eq!(pkt.transport, Transport::None);
        assert!(pkt.payload.is_empty());
    }
    if let Transport::Tcp(t) = pkt.transport {
        assert!((20..=60).contains(&t.header_len));
        assert_eq!(
            pkt.payload_offset,
            pkt.ip
                .map_or(0, |ip| ip.offset + usize::from(ip.header_len))
                + usize::from(t.header_len)
        );
    }
}

/// Everything decoding parses, with checksum results and events left out.
type Structure = ([u16; 2], u8, u16, Option<IpHeader>, Transport, usize, usize);

/// The parsed [`Structure`] of `pkt`.
fn structure(pkt: &Packet<'_>) -> Structure {
    let mut ip = pkt.ip;
    if let Some(ip) = ip.as_mut() {
        ip.checksum_ok = None;
    }
    let mut transport = pkt.transport;
    match &mut transport {
        Transport::Tcp(t) => t.checksum_ok = None,
        Transport::Udp(u) => u.checksum_ok = None,
        Transport::Icmp4(i) | Transport::Icmp6(i) => i.checksum_ok = None,
        Transport::None | Transport::Other(_) => {}
    }
    (
        pkt.vlan,
        pkt.vlan_count,
        pkt.ether_type,
        ip,
        transport,
        pkt.payload_offset,
        pkt.payload.len(),
    )
}
