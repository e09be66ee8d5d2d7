//! Decoder events: the named anomalies a frame can carry. Each is counted in the `stats` event
//! under `decoder.event.<name>` (Suricata's naming), and a packet may carry several.

/// One anomaly found while decoding a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum DecodeEvent {
    /// Frame shorter than an Ethernet header.
    EthernetTruncated,
    /// VLAN tag cut short.
    VlanTruncated,
    /// More than two stacked VLAN tags.
    VlanTooManyLayers,
    /// IPv4 header cut short, or shorter than its IHL says.
    Ipv4Truncated,
    /// IPv4 IHL below 5.
    Ipv4HeaderTooSmall,
    /// IPv4 total length beyond the captured bytes.
    Ipv4TotalLengthTooLarge,
    /// IPv4 option list malformed.
    Ipv4OptionInvalid,
    /// IPv4 header checksum wrong (only when validating).
    Ipv4ChecksumInvalid,
    /// Version nibble not 4 where IPv4 was expected, or not 6 for IPv6.
    IpWrongVersion,
    /// IPv6 header cut short.
    Ipv6Truncated,
    /// IPv6 payload length beyond the captured bytes.
    Ipv6PayloadLengthTooLarge,
    /// IPv6 extension header chain malformed or cut short.
    Ipv6ExtensionHeaderInvalid,
    /// TCP header cut short.
    TcpTruncated,
    /// TCP data offset below 5 or beyond the segment.
    TcpHeaderLengthInvalid,
    /// TCP option list malformed.
    TcpOptionInvalid,
    /// TCP checksum wrong (only when validating).
    TcpChecksumInvalid,
    /// UDP header cut short.
    UdpTruncated,
    /// UDP length field disagrees with the IP payload.
    UdpLengthInvalid,
    /// UDP checksum wrong (only when validating).
    UdpChecksumInvalid,
    /// ICMPv4 header cut short.
    Icmpv4Truncated,
    /// ICMPv4 checksum wrong (only when validating).
    Icmpv4ChecksumInvalid,
    /// ICMPv6 header cut short.
    Icmpv6Truncated,
    /// ICMPv6 checksum wrong (only when validating).
    Icmpv6ChecksumInvalid,
    /// Link type the decoder does not handle (also: a BSD NULL/LOOP address family that is
    /// neither IPv4 nor IPv6).
    UnsupportedLinkType,
    /// Linux SLL/SLL2 or BSD NULL/LOOP header cut short (Ethernet has `EthernetTruncated`).
    LinkTruncated,
}

impl DecodeEvent {
    /// Every event, in counter order.
    pub const ALL: [DecodeEvent; 25] = [
        DecodeEvent::EthernetTruncated,
        DecodeEvent::VlanTruncated,
        DecodeEvent::VlanTooManyLayers,
        DecodeEvent::Ipv4Truncated,
        DecodeEvent::Ipv4HeaderTooSmall,
        DecodeEvent::Ipv4TotalLengthTooLarge,
        DecodeEvent::Ipv4OptionInvalid,
        DecodeEvent::Ipv4ChecksumInvalid,
        DecodeEvent::IpWrongVersion,
        DecodeEvent::Ipv6Truncated,
        DecodeEvent::Ipv6PayloadLengthTooLarge,
        DecodeEvent::Ipv6ExtensionHeaderInvalid,
        DecodeEvent::TcpTruncated,
        DecodeEvent::TcpHeaderLengthInvalid,
        DecodeEvent::TcpOptionInvalid,
        DecodeEvent::TcpChecksumInvalid,
        DecodeEvent::UdpTruncated,
        DecodeEvent::UdpLengthInvalid,
        DecodeEvent::UdpChecksumInvalid,
        DecodeEvent::Icmpv4Truncated,
        DecodeEvent::Icmpv4ChecksumInvalid,
        DecodeEvent::Icmpv6Truncated,
        DecodeEvent::Icmpv6ChecksumInvalid,
        DecodeEvent::UnsupportedLinkType,
        DecodeEvent::LinkTruncated,
    ];

    /// Counter name below `decoder.event.` in the stats event, Suricata-style.
    pub fn name(self) -> &'static str {
        match self {
            DecodeEvent::EthernetTruncated => "ethernet.pkt_too_small",
            DecodeEvent::VlanTruncated => "vlan.header_too_small",
            DecodeEvent::VlanTooManyLayers => "vlan.too_many_layers",
            DecodeEvent::Ipv4Truncated => "ipv4.pkt_too_small",
            DecodeEvent::Ipv4HeaderTooSmall => "ipv4.hlen_too_small",
            DecodeEvent::Ipv4TotalLengthTooLarge => "ipv4.trunc_pkt",
            DecodeEvent::Ipv4OptionInvalid => "ipv4.opt_malformed",
            DecodeEvent::Ipv4ChecksumInvalid => "ipv4.checksum_invalid",
            DecodeEvent::IpWrongVersion => "ip.wrong_version",
            DecodeEvent::Ipv6Truncated => "ipv6.pkt_too_small",
            DecodeEvent::Ipv6PayloadLengthTooLarge => "ipv6.trunc_pkt",
            DecodeEvent::Ipv6ExtensionHeaderInvalid => "ipv6.exthdr_invalid",
            DecodeEvent::TcpTruncated => "tcp.pkt_too_small",
            DecodeEvent::TcpHeaderLengthInvalid => "tcp.hlen_invalid",
            DecodeEvent::TcpOptionInvalid => "tcp.opt_invalid_len",
            DecodeEvent::TcpChecksumInvalid => "tcp.checksum_invalid",
            DecodeEvent::UdpTruncated => "udp.pkt_too_small",
            DecodeEvent::UdpLengthInvalid => "udp.len_invalid",
            DecodeEvent::UdpChecksumInvalid => "udp.checksum_invalid",
            DecodeEvent::Icmpv4Truncated => "icmpv4.pkt_too_small",
            DecodeEvent::Icmpv4ChecksumInvalid => "icmpv4.checksum_invalid",
            DecodeEvent::Icmpv6Truncated => "icmpv6.pkt_too_small",
            DecodeEvent::Icmpv6ChecksumInvalid => "icmpv6.checksum_invalid",
            DecodeEvent::UnsupportedLinkType => "link.unsupported",
            DecodeEvent::LinkTruncated => "link.pkt_too_small",
        }
    }
}

/// The set of events one packet raised: a bitset, so carrying it costs nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeEvents(u32);

impl DecodeEvents {
    /// Records `event` on this packet.
    pub fn insert(&mut self, event: DecodeEvent) {
        self.0 |= 1 << (event as u8);
    }

    /// Whether `event` was raised.
    pub fn contains(self, event: DecodeEvent) -> bool {
        self.0 & (1 << (event as u8)) != 0
    }

    /// Whether no event was raised.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The events raised, in counter order.
    pub fn iter(self) -> impl Iterator<Item = DecodeEvent> {
        DecodeEvent::ALL
            .into_iter()
            .filter(move |e| self.contains(*e))
    }
}
