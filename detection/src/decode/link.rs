//! Link layer: finds where the network layer starts for each supported pcap link type.
//!
//! Ethernet goes through `etherparse`'s `Ethernet2Slice`. Linux SLL/SLL2 and BSD NULL/LOOP are
//! read by hand: etherparse 0.16 has no SLL2 or NULL support, and its `LinuxSllSlice` rejects
//! ARPHRD types such as loopback (772), PPP (512) and tun's NONE (0xfffe) that `tcpdump -i any`
//! captures routinely; like Suricata we take the SLL protocol field as an EtherType whatever
//! the hardware type.

use etherparse::{EtherType, Ethernet2Slice};

use super::{ether, ip, DecodeEvent, DecodeOptions, LinkType, Packet};

/// Linux cooked capture v1 header length; the protocol field sits at offset 14.
const SLL_LEN: usize = 16;
/// Linux cooked capture v2 header length; the protocol field sits at offset 0.
const SLL2_LEN: usize = 20;
/// BSD NULL/LOOP header: a 4-byte address family.
const NULL_LEN: usize = 4;

/// Decodes `frame` from its link layer down, filling `pkt`.
pub(super) fn decode_link<'a>(
    link: LinkType,
    frame: &'a [u8],
    opts: &DecodeOptions,
    pkt: &mut Packet<'a>,
) {
    match link {
        LinkType::Ethernet => match Ethernet2Slice::from_slice_without_fcs(frame) {
            Ok(eth) => ether::decode_ether_type(
                eth.ether_type(),
                eth.payload_slice(),
                eth.header_len(),
                opts,
                pkt,
            ),
            Err(_) => pkt.events.insert(DecodeEvent::EthernetTruncated),
        },
        LinkType::LinuxSll => cooked(frame, SLL_LEN, 14, opts, pkt),
        LinkType::LinuxSll2 => cooked(frame, SLL2_LEN, 0, opts, pkt),
        LinkType::Null => null(frame, opts, pkt),
        LinkType::RawIp => ip::decode_ip(None, frame, 0, opts, pkt),
        LinkType::Unsupported(_) => pkt.events.insert(DecodeEvent::UnsupportedLinkType),
    }
}

/// Linux SLL (v1) and SLL2: a fixed-size header carrying an EtherType at `proto_at`.
fn cooked<'a>(
    frame: &'a [u8],
    header_len: usize,
    proto_at: usize,
    opts: &DecodeOptions,
    pkt: &mut Packet<'a>,
) {
    match (frame.get(proto_at..proto_at + 2), frame.get(header_len..)) {
        (Some(&[hi, lo]), Some(rest)) => ether::decode_ether_type(
            EtherType(u16::from_be_bytes([hi, lo])),
            rest,
            header_len,
            opts,
            pkt,
        ),
        _ => pkt.events.insert(DecodeEvent::LinkTruncated),
    }
}

/// BSD NULL (host byte order) and LOOP (network byte order): the 4-byte address family is read
/// in both orders, which is unambiguous for the values that matter. An unknown family counts
/// as an unsupported link type, as Suricata's `ltnull.unsupported_type` does.
fn null<'a>(frame: &'a [u8], opts: &DecodeOptions, pkt: &mut Packet<'a>) {
    let (Some(&[a, b, c, d]), Some(rest)) = (frame.get(..NULL_LEN), frame.get(NULL_LEN..)) else {
        pkt.events.insert(DecodeEvent::LinkTruncated);
        return;
    };
    let version = [
        u32::from_le_bytes([a, b, c, d]),
        u32::from_be_bytes([a, b, c, d]),
    ]
    .into_iter()
    .find_map(ip_version_of_family);
    match version {
        Some(v) => ip::decode_ip(Some(v), rest, NULL_LEN, opts, pkt),
        None => pkt.events.insert(DecodeEvent::UnsupportedLinkType),
    }
}

/// The IP version for a BSD/Linux address family value: AF_INET is 2 everywhere, AF_INET6 is 10
/// (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD) or 30 (Darwin).
fn ip_version_of_family(family: u32) -> Option<u8> {
    match family {
        2 => Some(4),
        10 | 24 | 28 | 30 => Some(6),
        _ => None,
    }
}
