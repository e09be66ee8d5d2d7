//! The packet view and the `decode` entry point.
//!
//! CONTRACT (other modules build on these names; add fields freely, do not rename):
//! `decode(link, ts, frame, &opts) -> Packet` never panics, fills what it could decode and
//! records every anomaly in `events`.

use std::net::IpAddr;

use super::DecodeEvents;
use crate::time::Timestamp;

/// The link layer a capture or port delivers, from pcap's LINKTYPE numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// LINKTYPE_ETHERNET (1).
    Ethernet,
    /// LINKTYPE_RAW (101) and the BSD values 12 and 14: the frame starts at the IP header.
    RawIp,
    /// LINKTYPE_LINUX_SLL (113).
    LinuxSll,
    /// LINKTYPE_LINUX_SLL2 (276).
    LinuxSll2,
    /// LINKTYPE_NULL (0) and LINKTYPE_LOOP (108): a 4-byte address family, then IP.
    Null,
    /// Anything else: decoded as nothing, counted.
    Unsupported(u32),
}

impl LinkType {
    /// Maps a pcap/pcapng LINKTYPE number.
    pub fn from_pcap(linktype: u32) -> Self {
        match linktype {
            1 => LinkType::Ethernet,
            101 | 12 | 14 | 228 | 229 => LinkType::RawIp,
            113 => LinkType::LinuxSll,
            276 => LinkType::LinuxSll2,
            0 | 108 => LinkType::Null,
            other => LinkType::Unsupported(other),
        }
    }
}

/// Decoder switches that change what is computed, not what is parsed.
#[derive(Debug, Clone, Copy)]
pub struct DecodeOptions {
    /// Compute IPv4/TCP/UDP/ICMP checksums and record `*ChecksumInvalid` events (`-k all`).
    pub validate_checksums: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            validate_checksums: true,
        }
    }
}

/// The network layer of a packet (the innermost IP header after VLAN tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpHeader {
    /// 4 or 6.
    pub version: u8,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 TOS byte or IPv6 traffic class.
    pub tos: u8,
    /// IPv4 identification, or the IPv6 fragment header's identification (0 when absent).
    pub id: u32,
    /// Transport protocol number (for IPv6, the last next-header after extension headers).
    pub proto: u8,
    /// IPv4 DF bit.
    pub dont_fragment: bool,
    /// IPv4 MF bit / IPv6 fragment header M flag.
    pub more_fragments: bool,
    /// IPv4 reserved (evil) bit.
    pub reserved_bit: bool,
    /// Fragment offset in 8-byte units (0 when not a fragment).
    pub fragment_offset: u16,
    /// IP header length including IPv4 options or IPv6 extension headers.
    pub header_len: u16,
    /// Offset of the IP header inside the frame.
    pub offset: usize,
    /// IPv4 header checksum validity; `None` for IPv6 or when not validated.
    pub checksum_ok: Option<bool>,
}

impl IpHeader {
    /// Whether this packet is a fragment (MF set or a non-zero offset).
    pub fn is_fragment(&self) -> bool {
        self.more_fragments || self.fragment_offset != 0
    }
}

/// A TCP header's fields the engine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpHeader {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// Flag byte (see [`super::tcp_flags`]).
    pub flags: u8,
    /// Receive window (unscaled).
    pub window: u16,
    /// Urgent pointer.
    pub urgent: u16,
    /// Header length in bytes including options.
    pub header_len: u8,
    /// MSS option value, if present.
    pub mss: Option<u16>,
    /// Window-scale option shift, if present.
    pub window_scale: Option<u8>,
    /// SACK-permitted option present.
    pub sack_permitted: bool,
    /// Timestamp option (TSval, TSecr), if present.
    pub timestamp: Option<(u32, u32)>,
    /// Checksum validity; `None` when not validated.
    pub checksum_ok: Option<bool>,
}

/// A UDP header's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UdpHeader {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Length field.
    pub length: u16,
    /// Checksum validity; `None` when not validated or the checksum is zero (IPv4).
    pub checksum_ok: Option<bool>,
}

/// An ICMPv4 or ICMPv6 header's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IcmpHeader {
    /// Type.
    pub icmp_type: u8,
    /// Code.
    pub code: u8,
    /// Identifier, for echo request/reply (and other id/seq types).
    pub id: Option<u16>,
    /// Sequence number, for echo request/reply (and other id/seq types).
    pub seq: Option<u16>,
    /// Checksum validity; `None` when not validated.
    pub checksum_ok: Option<bool>,
}

/// The transport layer of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// No transport decoded (non-IP, non-first fragment, or truncated).
    #[default]
    None,
    /// TCP.
    Tcp(TcpHeader),
    /// UDP.
    Udp(UdpHeader),
    /// ICMPv4.
    Icmp4(IcmpHeader),
    /// ICMPv6.
    Icmp6(IcmpHeader),
    /// Another IP protocol, carried but not decoded; payload is the IP payload.
    Other(u8),
}

impl Transport {
    /// Source and destination ports for TCP and UDP; `(0, 0)` otherwise.
    pub fn ports(&self) -> (u16, u16) {
        match self {
            Transport::Tcp(t) => (t.src_port, t.dst_port),
            Transport::Udp(u) => (u.src_port, u.dst_port),
            _ => (0, 0),
        }
    }
}

/// One decoded frame: a view over the captured bytes, valid as long as they are.
#[derive(Debug, Clone)]
pub struct Packet<'a> {
    /// Capture or arrival time.
    pub ts: Timestamp,
    /// The whole frame as captured.
    pub frame: &'a [u8],
    /// VLAN ids, outermost first (802.1Q / 802.1ad), `vlan_count` of them valid.
    pub vlan: [u16; 2],
    /// Number of VLAN tags recorded in `vlan` (0..=2). Further tags are skipped and raise
    /// `VlanTooManyLayers`.
    pub vlan_count: u8,
    /// EtherType after VLAN tags (0 when the link has none, e.g. raw IP).
    pub ether_type: u16,
    /// The IP header, if the frame carries IP.
    pub ip: Option<IpHeader>,
    /// The transport header.
    pub transport: Transport,
    /// Application payload: after the TCP/UDP/ICMP header (ICMP: after the 8-byte header),
    /// trimmed to the IP length (Ethernet padding removed). Empty when none.
    pub payload: &'a [u8],
    /// Offset of `payload` inside `frame` (when `payload` is empty: where the undecoded or
    /// absent payload would start, 0 if decoding stopped before IP).
    pub payload_offset: usize,
    /// Decoder anomalies.
    pub events: DecodeEvents,
}

impl<'a> Packet<'a> {
    /// An empty view of `frame` (nothing decoded yet).
    pub fn empty(ts: Timestamp, frame: &'a [u8]) -> Self {
        Packet {
            ts,
            frame,
            vlan: [0; 2],
            vlan_count: 0,
            ether_type: 0,
            ip: None,
            transport: Transport::None,
            payload: &[],
            payload_offset: 0,
            events: DecodeEvents::default(),
        }
    }

    /// Source address, if the frame carries IP: saves callers matching on `ip`.
    pub fn src_ip(&self) -> Option<IpAddr> {
        self.ip.map(|ip| ip.src)
    }

    /// Destination address, if the frame carries IP.
    pub fn dst_ip(&self) -> Option<IpAddr> {
        self.ip.map(|ip| ip.dst)
    }

    /// IP protocol number (the last IPv6 next-header); 0 when the frame carries no IP.
    pub fn proto(&self) -> u8 {
        self.ip.map_or(0, |ip| ip.proto)
    }

    /// The TCP header, if this is TCP.
    pub fn tcp(&self) -> Option<&TcpHeader> {
        match &self.transport {
            Transport::Tcp(t) => Some(t),
            _ => None,
        }
    }
}

/// Decodes one frame. Never panics; whatever cannot be decoded is left empty and noted in
/// `events`.
pub fn decode<'a>(
    link: LinkType,
    ts: Timestamp,
    frame: &'a [u8],
    opts: &DecodeOptions,
) -> Packet<'a> {
    let mut pkt = Packet::empty(ts, frame);
    super::link::decode_link(link, frame, opts, &mut pkt);
    pkt
}
