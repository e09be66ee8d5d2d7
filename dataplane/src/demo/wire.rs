//! Frame construction: Ethernet II + IPv4 + TCP/UDP/ICMP with every length and checksum computed
//! by etherparse's `PacketBuilder`. The capture point is the LAN side of the HOME_NET gateway, so
//! an internet host's frames carry the gateway's MAC address and an already decremented TTL.

use etherparse::{
    IpHeaders, Ipv4Header, PacketBuilder, PacketBuilderStep, TcpHeader, TcpOptionElement,
};

/// The MAC address of the HOME_NET gateway (locally administered).
const GATEWAY_MAC: [u8; 6] = [0x02, 0x00, 0x5e, 0x00, 0x00, 0x01];

/// One host as it appears at the capture point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// Source MAC of frames this host sends (the gateway's for internet hosts).
    pub(crate) mac: [u8; 6],
    /// IPv4 address.
    pub(crate) ip: [u8; 4],
    /// TTL of its packets when they pass the capture point.
    pub(crate) ttl: u8,
}

impl Endpoint {
    /// A HOME_NET host on the capture segment: its own MAC (derived from the address), TTL 64.
    pub(crate) fn local(ip: [u8; 4]) -> Self {
        Endpoint {
            mac: [0x02, 0x42, ip[0], ip[1], ip[2], ip[3]],
            ip,
            ttl: 64,
        }
    }

    /// An internet host `hops` routers away: reached through the gateway, TTL already lowered.
    pub(crate) fn remote(ip: [u8; 4], initial_ttl: u8, hops: u8) -> Self {
        Endpoint {
            mac: GATEWAY_MAC,
            ip,
            ttl: initial_ttl.saturating_sub(hops),
        }
    }
}

/// TCP flag bits, as on the wire (byte 13 of the header).
pub(crate) mod flags {
    /// FIN.
    pub(crate) const FIN: u8 = 0x01;
    /// SYN.
    pub(crate) const SYN: u8 = 0x02;
    /// RST.
    pub(crate) const RST: u8 = 0x04;
    /// PSH.
    pub(crate) const PSH: u8 = 0x08;
    /// ACK.
    pub(crate) const ACK: u8 = 0x10;
}

/// Everything in a TCP header that differs between the segments of the demo.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TcpFields<'a> {
    /// Source port.
    pub(crate) src_port: u16,
    /// Destination port.
    pub(crate) dst_port: u16,
    /// Sequence number.
    pub(crate) seq: u32,
    /// Acknowledgment number (meaningful when `flags` has ACK).
    pub(crate) ack: u32,
    /// Flag bits from [`flags`].
    pub(crate) flags: u8,
    /// Receive window.
    pub(crate) window: u16,
    /// Options (SYN segments only in this demo).
    pub(crate) options: &'a [TcpOptionElement],
}

/// Ethernet + IPv4 layers from `src` to `dst` with identification `ip_id` and DF set.
fn ipv4(src: &Endpoint, dst: &Endpoint, ip_id: u16) -> PacketBuilderStep<IpHeaders> {
    let mut header = Ipv4Header {
        source: src.ip,
        destination: dst.ip,
        time_to_live: src.ttl,
        identification: ip_id,
        ..Default::default()
    };
    header.dont_fragment = true;
    PacketBuilder::ethernet2(src.mac, dst.mac).ip(IpHeaders::Ipv4(header, Default::default()))
}

/// Serializes a finished builder; the demo's own headers are always valid, so a failure here is
/// a bug in the generator, not an input problem.
fn finish(
    size: usize,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), etherparse::err::packet::BuildWriteError>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(size);
    write(&mut out).expect("demo frames are built from valid headers");
    out
}

/// A TCP segment from `src` to `dst`.
pub(crate) fn tcp_frame(
    src: &Endpoint,
    dst: &Endpoint,
    ip_id: u16,
    tcp: &TcpFields<'_>,
    payload: &[u8],
) -> Vec<u8> {
    let mut header = TcpHeader::new(tcp.src_port, tcp.dst_port, tcp.seq, tcp.window);
    header.fin = tcp.flags & flags::FIN != 0;
    header.syn = tcp.flags & flags::SYN != 0;
    header.rst = tcp.flags & flags::RST != 0;
    header.psh = tcp.flags & flags::PSH != 0;
    header.ack = tcp.flags & flags::ACK != 0;
    if header.ack {
        header.acknowledgment_number = tcp.ack;
    }
    header
        .set_options(tcp.options)
        .expect("demo TCP options fit in 40 bytes");
    let builder = ipv4(src, dst, ip_id).tcp_header(header);
    finish(builder.size(payload.len()), |out| {
        builder.write(out, payload)
    })
}

/// A UDP datagram from `src` to `dst`.
pub(crate) fn udp_frame(
    src: &Endpoint,
    dst: &Endpoint,
    ip_id: u16,
    ports: (u16, u16),
    payload: &[u8],
) -> Vec<u8> {
    let builder = ipv4(src, dst, ip_id).udp(ports.0, ports.1);
    finish(builder.size(payload.len()), |out| {
        builder.write(out, payload)
    })
}

/// An ICMP echo request (`reply == false`) or echo reply from `src` to `dst`.
pub(crate) fn icmp_echo_frame(
    src: &Endpoint,
    dst: &Endpoint,
    ip_id: u16,
    reply: bool,
    id_seq: (u16, u16),
    payload: &[u8],
) -> Vec<u8> {
    let ip = ipv4(src, dst, ip_id);
    let builder = if reply {
        ip.icmpv4_echo_reply(id_seq.0, id_seq.1)
    } else {
        ip.icmpv4_echo_request(id_seq.0, id_seq.1)
    };
    finish(builder.size(payload.len()), |out| {
        builder.write(out, payload)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};

    #[test]
    fn tcp_frame_carries_every_field_and_valid_checksums() {
        let client = Endpoint::local([10, 0, 1, 10]);
        let server = Endpoint::remote([198, 18, 0, 80], 64, 9);
        let opts = [TcpOptionElement::MaximumSegmentSize(1460)];
        let fields = TcpFields {
            src_port: 50000,
            dst_port: 80,
            seq: 1000,
            ack: 2000,
            flags: flags::SYN | flags::ACK,
            window: 64240,
            options: &opts,
        };
        let frame = tcp_frame(&client, &server, 77, &fields, b"xy");
        assert_eq!(frame.len(), 14 + 20 + 24 + 2);
        assert_eq!(&frame[0..6], &server.mac);
        assert_eq!(&frame[6..12], &client.mac);
        let sliced = SlicedPacket::from_ethernet(&frame).expect("parses");
        let Some(NetSlice::Ipv4(ip)) = &sliced.net else {
            panic!("not ipv4")
        };
        assert_eq!(ip.header().ttl(), 64);
        assert_eq!(ip.header().identification(), 77);
        assert!(ip.header().dont_fragment());
        let Some(TransportSlice::Tcp(tcp)) = &sliced.transport else {
            panic!("not tcp")
        };
        assert!(tcp.syn() && tcp.ack() && !tcp.fin() && !tcp.rst() && !tcp.psh());
        assert_eq!(
            (tcp.sequence_number(), tcp.acknowledgment_number()),
            (1000, 2000)
        );
        assert_eq!(tcp.window_size(), 64240);
        let expected = tcp
            .to_header()
            .calc_checksum_ipv4(&ip.header().to_header(), b"xy")
            .expect("sum");
        assert_eq!(tcp.checksum(), expected);
    }

    #[test]
    fn remote_hosts_sit_behind_the_gateway() {
        let host = Endpoint::remote([203, 0, 113, 7], 128, 11);
        assert_eq!(host.mac, GATEWAY_MAC);
        assert_eq!(host.ttl, 117);
    }

    #[test]
    fn udp_and_icmp_frames_have_exact_lengths() {
        let a = Endpoint::local([10, 0, 1, 10]);
        let b = Endpoint::remote([198, 18, 0, 53], 64, 8);
        assert_eq!(
            udp_frame(&a, &b, 1, (5353, 53), &[0; 30]).len(),
            14 + 20 + 8 + 30
        );
        let echo = icmp_echo_frame(&b, &a, 1, true, (9, 1), &[0; 56]);
        assert_eq!(echo.len(), 14 + 20 + 8 + 56);
        assert_eq!(echo[34], 0, "echo reply type");
    }
}
