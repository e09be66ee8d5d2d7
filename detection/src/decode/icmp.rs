//! ICMPv4 and ICMPv6 through `etherparse::Icmpv4Slice` / `Icmpv6Slice`.
//!
//! The engine keeps the 8-byte common header (type, code, checksum, id/seq word); the payload
//! is everything after it, whatever the type. etherparse rejects ICMPv4 timestamp messages that
//! are not exactly 20 bytes; those are still decoded from their common header here, raising
//! `Icmpv4Truncated` only when they are shorter than 20 bytes.

use etherparse::{Icmpv4Slice, Icmpv6Slice};

use super::ip::IpPayload;
use super::{checksum, transport, DecodeEvent, IcmpHeader, Packet, Transport};

/// Length of the common ICMP header; the engine's payload starts after it.
const HEADER_LEN: usize = 8;
/// Length of an ICMPv4 timestamp (reply) message.
const TIMESTAMP_LEN: usize = 20;

/// Decodes an ICMPv4 message. `validate` asks for the checksum (over the whole message).
pub(super) fn icmpv4<'a>(ip: &IpPayload<'a>, validate: bool, pkt: &mut Packet<'a>) {
    let fields = match Icmpv4Slice::from_slice(ip.data) {
        Ok(s) => Some((s.type_u8(), s.code_u8(), s.bytes5to8())),
        Err(_) => common_header(ip.data),
    };
    let Some((icmp_type, code, rest)) = fields else {
        transport::truncated(ip, DecodeEvent::Icmpv4Truncated, pkt);
        return;
    };
    if ip.data.len() < TIMESTAMP_LEN && matches!(icmp_type, 13 | 14) && code == 0 {
        pkt.events.insert(DecodeEvent::Icmpv4Truncated);
    }
    let checksum_ok = validate.then(|| checksum::internet_checksum(ip.data, 0) == 0);
    if checksum_ok == Some(false) {
        pkt.events.insert(DecodeEvent::Icmpv4ChecksumInvalid);
    }
    let header = header(icmp_type, code, rest, has_id_seq_v4(icmp_type), checksum_ok);
    finish(ip, Transport::Icmp4(header), pkt);
}

/// Decodes an ICMPv6 message. `validate` asks for the checksum (with the IPv6 pseudo-header).
pub(super) fn icmpv6<'a>(ip: &IpPayload<'a>, validate: bool, pkt: &mut Packet<'a>) {
    let Ok(s) = Icmpv6Slice::from_slice(ip.data) else {
        transport::truncated(ip, DecodeEvent::Icmpv6Truncated, pkt);
        return;
    };
    let checksum_ok = validate.then(|| ip.upper_layer_checksum_ok());
    if checksum_ok == Some(false) {
        pkt.events.insert(DecodeEvent::Icmpv6ChecksumInvalid);
    }
    let icmp_type = s.type_u8();
    let header = header(
        icmp_type,
        s.code_u8(),
        s.bytes5to8(),
        matches!(icmp_type, 128 | 129),
        checksum_ok,
    );
    finish(ip, Transport::Icmp6(header), pkt);
}

/// Type, code and bytes 5..8 of an ICMP message of at least 8 bytes.
fn common_header(data: &[u8]) -> Option<(u8, u8, [u8; 4])> {
    match data.get(..HEADER_LEN)? {
        &[t, c, _, _, a, b, d, e] => Some((t, c, [a, b, d, e])),
        _ => None,
    }
}

/// ICMPv4 types whose bytes 5..8 are an identifier and sequence number: echo reply/request,
/// timestamp, information and address-mask request/reply.
fn has_id_seq_v4(icmp_type: u8) -> bool {
    matches!(icmp_type, 0 | 8 | 13..=18)
}

/// Builds the engine's view of an ICMP header.
fn header(
    icmp_type: u8,
    code: u8,
    rest: [u8; 4],
    id_seq: bool,
    checksum_ok: Option<bool>,
) -> IcmpHeader {
    IcmpHeader {
        icmp_type,
        code,
        id: id_seq.then(|| u16::from_be_bytes([rest[0], rest[1]])),
        seq: id_seq.then(|| u16::from_be_bytes([rest[2], rest[3]])),
        checksum_ok,
    }
}

/// Records the decoded header and the payload after the 8-byte common header.
fn finish<'a>(ip: &IpPayload<'a>, transport: Transport, pkt: &mut Packet<'a>) {
    pkt.transport = transport;
    pkt.payload = ip.data.get(HEADER_LEN..).unwrap_or_default();
    pkt.payload_offset = ip.offset + HEADER_LEN;
}
