//! Transport layer: TCP (`etherparse::TcpSlice`) and UDP (`UdpSlice::from_slice_lax`), with
//! ICMP in `icmp.rs`, plus the fragment rules.
//!
//! Fragments: a non-first fragment carries no transport header (payload left empty, the
//! defragmenter reassembles it later); a first fragment has its transport header decoded when
//! it is wholly present, with no truncation events and no checksum or UDP-length checks
//! (those cover the whole datagram). Checksums are verified only when asked and the IP length
//! matched the captured bytes exactly.

use etherparse::err::tcp::HeaderSliceError;
use etherparse::{ip_number, IpNumber, TcpSlice, UdpSlice};

use super::ip::{Addrs, Fragment, IpPayload};
use super::{icmp, tcp_options, DecodeEvent, DecodeOptions, Packet, Transport};
use super::{TcpHeader, UdpHeader};

/// Decodes the transport header inside `ip` and sets the packet's payload.
pub(super) fn decode_transport<'a>(ip: &IpPayload<'a>, opts: &DecodeOptions, pkt: &mut Packet<'a>) {
    if ip.fragment == Fragment::Later {
        pkt.payload_offset = ip.offset;
        return;
    }
    let validate = opts.validate_checksums && ip.complete && ip.fragment == Fragment::Whole;
    match (IpNumber(ip.proto), ip.addrs) {
        (ip_number::TCP, _) => tcp(ip, validate, pkt),
        (ip_number::UDP, _) => udp(ip, validate, pkt),
        (ip_number::ICMP, Addrs::V4(..)) => icmp::icmpv4(ip, validate, pkt),
        (ip_number::IPV6_ICMP, Addrs::V6(..)) => icmp::icmpv6(ip, validate, pkt),
        // Anything else (including ICMP of the other IP version, which Suricata flags and does
        // not decode either) is carried as is.
        _ => {
            pkt.transport = Transport::Other(ip.proto);
            pkt.payload = ip.data;
            pkt.payload_offset = ip.offset;
        }
    }
}

/// A transport header cut short: counted unless this is a first fragment (the rest of the
/// header may follow in the next one). Transport stays `None`, the payload empty.
pub(super) fn truncated(ip: &IpPayload<'_>, event: DecodeEvent, pkt: &mut Packet<'_>) {
    if ip.fragment == Fragment::Whole {
        pkt.events.insert(event);
    }
    pkt.payload_offset = ip.offset;
}

/// TCP: header, options, checksum, payload.
fn tcp<'a>(ip: &IpPayload<'a>, validate: bool, pkt: &mut Packet<'a>) {
    let seg = match TcpSlice::from_slice(ip.data) {
        Ok(seg) => seg,
        Err(HeaderSliceError::Content(_)) => {
            // Data offset below 5: malformed whatever the fragmentation.
            pkt.events.insert(DecodeEvent::TcpHeaderLengthInvalid);
            pkt.payload_offset = ip.offset;
            return;
        }
        Err(HeaderSliceError::Len(_)) => {
            // Shorter than 20 bytes, or than the data offset: a cut capture or IP length is
            // "truncated"; a complete segment whose data offset overruns it is a bad offset.
            let event = if ip.complete && ip.data.len() >= 20 {
                DecodeEvent::TcpHeaderLengthInvalid
            } else {
                DecodeEvent::TcpTruncated
            };
            truncated(ip, event, pkt);
            return;
        }
    };
    let options = tcp_options::parse(seg.options());
    if options.invalid {
        pkt.events.insert(DecodeEvent::TcpOptionInvalid);
    }
    let checksum_ok = validate.then(|| ip.upper_layer_checksum_ok());
    if checksum_ok == Some(false) {
        pkt.events.insert(DecodeEvent::TcpChecksumInvalid);
    }
    let header_len = seg.header_len();
    pkt.transport = Transport::Tcp(TcpHeader {
        src_port: seg.source_port(),
        dst_port: seg.destination_port(),
        seq: seg.sequence_number(),
        ack: seg.acknowledgment_number(),
        // etherparse exposes the flags one by one; byte 13 holds all eight (below NS).
        flags: seg.header_slice().get(13).copied().unwrap_or(0),
        window: seg.window_size(),
        urgent: seg.urgent_pointer(),
        // The data offset is 4 bits, so the header is at most 60 bytes.
        header_len: u8::try_from(header_len).unwrap_or(u8::MAX),
        mss: options.mss,
        window_scale: options.window_scale,
        sack_permitted: options.sack_permitted,
        timestamp: options.timestamp,
        checksum_ok,
    });
    pkt.payload = seg.payload();
    pkt.payload_offset = ip.offset + header_len;
}

/// UDP: header, length cross-check, checksum, payload (trimmed to the UDP length when sane).
///
/// Like Suricata, a UDP length that differs from the IP payload length is `UdpLengthInvalid`
/// and then the checksum is not verified. With a cut capture only a length below 8 is known
/// to be wrong. An IPv4 checksum of zero means "none" and is not verified; in IPv6 it is
/// verified (and fails), as RFC 8200 forbids it.
fn udp<'a>(ip: &IpPayload<'a>, validate: bool, pkt: &mut Packet<'a>) {
    let Ok(dgram) = UdpSlice::from_slice_lax(ip.data) else {
        truncated(ip, DecodeEvent::UdpTruncated, pkt);
        return;
    };
    let length = dgram.length();
    let length_ok = if ip.complete {
        usize::from(length) == ip.data.len()
    } else {
        usize::from(length) >= UDP_HEADER_LEN
    };
    if !length_ok && ip.fragment == Fragment::Whole {
        pkt.events.insert(DecodeEvent::UdpLengthInvalid);
    }
    let unchecked_v4 = dgram.checksum() == 0 && matches!(ip.addrs, Addrs::V4(..));
    let checksum_ok =
        (validate && length_ok && !unchecked_v4).then(|| ip.upper_layer_checksum_ok());
    if checksum_ok == Some(false) {
        pkt.events.insert(DecodeEvent::UdpChecksumInvalid);
    }
    pkt.transport = Transport::Udp(UdpHeader {
        src_port: dgram.source_port(),
        dst_port: dgram.destination_port(),
        length,
        checksum_ok,
    });
    pkt.payload = dgram.payload();
    pkt.payload_offset = ip.offset + UDP_HEADER_LEN;
}

/// Length of the UDP header.
const UDP_HEADER_LEN: usize = 8;
