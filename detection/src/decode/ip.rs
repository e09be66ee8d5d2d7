//! Network layer: IPv4 (with options and AH) and IPv6 through `etherparse::LaxIpSlice`, which
//! tolerates length fields larger than the capture and tells us; IPv6 extension headers are
//! walked in `ipv6_exts` (etherparse 0.16's own walk has defects, listed there).
//!
//! The IP payload is trimmed to the IP length (dropping Ethernet padding); when the length
//! claims more than was captured the captured bytes are used and `Ipv4TotalLengthTooLarge` /
//! `Ipv6PayloadLengthTooLarge` raised.

use std::net::IpAddr;

use etherparse::err::ip::{HeaderError, LaxHeaderSliceError};
use etherparse::{LaxIpSlice, LaxIpv4Slice, LaxIpv6Slice, LenSource};

use super::{
    checksum, ipv4_options, ipv6_exts, transport, DecodeEvent, DecodeOptions, IpHeader, Packet,
};

/// Where a packet sits in a fragmented datagram, as far as transport decoding cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fragment {
    /// Not a fragment (or an IPv6 atomic fragment): decode and validate normally.
    Whole,
    /// Offset 0 with more to come: decode the transport header if present, never validate.
    First,
    /// Non-zero offset: carries no transport header.
    Later,
}

/// Source and destination addresses, kept as bytes for the checksum pseudo-header.
#[derive(Debug, Clone, Copy)]
pub(super) enum Addrs {
    /// IPv4 source, destination.
    V4([u8; 4], [u8; 4]),
    /// IPv6 source, destination.
    V6([u8; 16], [u8; 16]),
}

impl Addrs {
    /// The pseudo-header sum for an upper-layer message of `len` bytes and protocol `proto`.
    /// `None` when `len` does not fit the pseudo-header's length field.
    pub(super) fn pseudo_header(self, proto: u8, len: usize) -> Option<u64> {
        match self {
            Addrs::V4(s, d) => u16::try_from(len)
                .ok()
                .map(|l| checksum::pseudo_header_v4(s, d, proto, l)),
            Addrs::V6(s, d) => u32::try_from(len)
                .ok()
                .map(|l| checksum::pseudo_header_v6(s, d, proto, l)),
        }
    }
}

/// What the transport decoder needs from the IP layer.
#[derive(Debug, Clone, Copy)]
pub(super) struct IpPayload<'a> {
    /// The IP payload after options/extension headers, trimmed to the IP length.
    pub data: &'a [u8],
    /// Offset of `data` inside the frame.
    pub offset: usize,
    /// Final protocol number.
    pub proto: u8,
    /// Addresses for the pseudo-header.
    pub addrs: Addrs,
    /// Fragment position.
    pub fragment: Fragment,
    /// Whether `data` is exactly what the IP length field announced (nothing cut off, length
    /// fields sane): only then can lengths be cross-checked and checksums verified.
    pub complete: bool,
}

impl IpPayload<'_> {
    /// Verifies a TCP, UDP or ICMPv6 checksum: the Internet checksum of `data` on top of the
    /// pseudo-header for `proto` is zero when the message is intact.
    pub(super) fn upper_layer_checksum_ok(&self) -> bool {
        self.addrs
            .pseudo_header(self.proto, self.data.len())
            .is_some_and(|p| checksum::internet_checksum(self.data, p) == 0)
    }
}

/// Decodes `data` (at `offset` in the frame) as an IP packet. `expected` is the version the
/// link layer announced (`None` for raw IP, where the version nibble decides).
pub(super) fn decode_ip<'a>(
    expected: Option<u8>,
    data: &'a [u8],
    offset: usize,
    opts: &DecodeOptions,
    pkt: &mut Packet<'a>,
) {
    let Some(version) = data.first().map(|b| b >> 4) else {
        pkt.events.insert(truncated_event(expected));
        return;
    };
    let version_ok = match expected {
        Some(e) => e == version,
        None => version == 4 || version == 6,
    };
    if !version_ok {
        pkt.events.insert(DecodeEvent::IpWrongVersion);
        return;
    }
    match LaxIpSlice::from_slice(data) {
        // An IPv4 stop error can only be an unparsable AH header; see `ipv4`.
        Ok((LaxIpSlice::Ipv4(ip), _)) => ipv4(ip, offset, opts, pkt),
        // IPv6 extension headers are walked again in `ipv6_exts`; etherparse's walk is unused.
        Ok((LaxIpSlice::Ipv6(ip), _)) => ipv6(ip, data, offset, opts, pkt),
        Err(LaxHeaderSliceError::Len(_)) => pkt.events.insert(truncated_event(Some(version))),
        Err(LaxHeaderSliceError::Content(HeaderError::Ipv4HeaderLengthSmallerThanHeader {
            ..
        })) => pkt.events.insert(DecodeEvent::Ipv4HeaderTooSmall),
        Err(LaxHeaderSliceError::Content(HeaderError::UnsupportedIpVersion { .. })) => {
            pkt.events.insert(DecodeEvent::IpWrongVersion)
        }
    }
}

/// The "header cut short" event for `version` (IPv4's when unknown).
fn truncated_event(version: Option<u8>) -> DecodeEvent {
    match version {
        Some(6) => DecodeEvent::Ipv6Truncated,
        _ => DecodeEvent::Ipv4Truncated,
    }
}

/// Fills the IPv4 header and decodes what follows.
///
/// An AH header that cannot be parsed leaves (in etherparse) protocol 51 with the AH bytes as
/// an undecoded payload, which becomes `Transport::Other(51)`. A total length smaller than the
/// header raises `Ipv4Truncated` and the captured bytes are used.
fn ipv4<'a>(ip: LaxIpv4Slice<'a>, offset: usize, opts: &DecodeOptions, pkt: &mut Packet<'a>) {
    let h = ip.header();
    let fixed = h.slice();
    let fragment_offset = h.fragments_offset().value();
    let more_fragments = h.more_fragments();
    let payload = ip.payload();
    // In a non-first fragment the bytes after the header are fragment data, not an AH header
    // (etherparse parses them as one anyway).
    let (ext_len, proto) = match ip.extensions().auth {
        Some(auth) if fragment_offset == 0 => (auth.slice().len(), payload.ip_number.0),
        _ => (0, h.protocol().0),
    };
    let header_len = fixed.len() + ext_len;

    if usize::from(h.total_len()) < fixed.len() {
        pkt.events.insert(DecodeEvent::Ipv4Truncated);
    }
    if payload.incomplete {
        pkt.events.insert(DecodeEvent::Ipv4TotalLengthTooLarge);
    }
    if !ipv4_options::options_valid(h.options()) {
        pkt.events.insert(DecodeEvent::Ipv4OptionInvalid);
    }
    let checksum_ok = opts
        .validate_checksums
        .then(|| checksum::internet_checksum(fixed, 0) == 0);
    if checksum_ok == Some(false) {
        pkt.events.insert(DecodeEvent::Ipv4ChecksumInvalid);
    }

    pkt.ip = Some(IpHeader {
        version: 4,
        src: IpAddr::V4(h.source_addr()),
        dst: IpAddr::V4(h.destination_addr()),
        ttl: h.ttl(),
        tos: (h.dcp().value() << 2) | h.ecn().value(),
        id: u32::from(h.identification()),
        proto,
        dont_fragment: h.dont_fragment(),
        more_fragments,
        reserved_bit: fixed.get(6).is_some_and(|b| b & 0x80 != 0),
        fragment_offset,
        header_len: clamp_u16(header_len),
        offset,
        checksum_ok,
    });
    transport::decode_transport(
        &IpPayload {
            data: payload.payload,
            offset: offset + header_len,
            proto,
            addrs: Addrs::V4(h.source(), h.destination()),
            fragment: fragment_of(fragment_offset, more_fragments),
            complete: payload.len_source == LenSource::Ipv4HeaderTotalLen,
        },
        opts,
        pkt,
    );
}

/// Fills the IPv6 header (walking extension headers, see `ipv6_exts`) and decodes what
/// follows. etherparse's `LaxIpv6Slice` supplies the fixed header and the payload trimmed to
/// the payload length. A malformed or cut-short extension chain stops decoding there: no
/// transport, no payload.
fn ipv6<'a>(
    ip: LaxIpv6Slice<'a>,
    data: &'a [u8],
    offset: usize,
    opts: &DecodeOptions,
    pkt: &mut Packet<'a>,
) {
    let h = ip.header();
    let fixed_len = h.slice().len();
    let payload = ip.payload();
    // etherparse splits the trimmed IP payload into its own extension walk + the rest.
    let ip_payload_len = ip.extensions().slice().len() + payload.payload.len();
    let ip_payload = data
        .get(fixed_len..fixed_len + ip_payload_len)
        .unwrap_or_default();
    let chain = ipv6_exts::walk(h.next_header().0, ip_payload);
    let header_len = fixed_len + chain.len;

    if payload.incomplete {
        pkt.events.insert(DecodeEvent::Ipv6PayloadLengthTooLarge);
    }
    let frag = chain.fragment;
    let fragment_offset = frag.map_or(0, |f| f.offset);
    let more_fragments = frag.is_some_and(|f| f.more);
    pkt.ip = Some(IpHeader {
        version: 6,
        src: IpAddr::V6(h.source_addr()),
        dst: IpAddr::V6(h.destination_addr()),
        ttl: h.hop_limit(),
        tos: h.traffic_class(),
        id: frag.map_or(0, |f| f.id),
        proto: chain.proto,
        dont_fragment: false,
        more_fragments,
        reserved_bit: false,
        fragment_offset,
        header_len: clamp_u16(header_len),
        offset,
        checksum_ok: None,
    });
    if chain.invalid {
        pkt.events.insert(DecodeEvent::Ipv6ExtensionHeaderInvalid);
        pkt.payload_offset = offset + header_len;
        return;
    }
    transport::decode_transport(
        &IpPayload {
            data: ip_payload.get(chain.len..).unwrap_or_default(),
            offset: offset + header_len,
            proto: chain.proto,
            addrs: Addrs::V6(h.source(), h.destination()),
            fragment: fragment_of(fragment_offset, more_fragments),
            complete: payload.len_source == LenSource::Ipv6HeaderPayloadLen,
        },
        opts,
        pkt,
    );
}

/// Classifies a packet by its fragment offset and more-fragments flag.
fn fragment_of(fragment_offset: u16, more_fragments: bool) -> Fragment {
    match (fragment_offset, more_fragments) {
        (0, false) => Fragment::Whole,
        (0, true) => Fragment::First,
        _ => Fragment::Later,
    }
}

/// Saturates a header length into the `u16` field (IPv6 extension chains are bounded by the
/// 16-bit payload length except for jumbograms).
fn clamp_u16(len: usize) -> u16 {
    u16::try_from(len).unwrap_or(u16::MAX)
}
