//! Answers of the reject actions: a TCP RST for TCP, an ICMP/ICMPv6 port unreachable
//! otherwise, with correct checksums. Built from the decoded packet that was rejected; the data
//! plane sends each frame out of the port it names.
//!
//! Like Suricata: toward the sender (`reject`, `rejectsrc`) the RST acknowledges the segment
//! and uses its ACK number as sequence number; toward the receiver (`rejectdst`) it continues
//! the sender's sequence space. The Ethernet header (with any VLAN tags) of the rejected frame
//! is reused, with MAC addresses swapped for frames going back to the sender.

use std::net::IpAddr;

use crate::decode::checksum::{internet_checksum, pseudo_header_v4, pseudo_header_v6};
use crate::decode::{tcp_flags, Packet, Transport};
use crate::engine::RejectTarget;

/// TTL / hop limit of answers.
const ANSWER_TTL: u8 = 64;
/// Bytes of the offending packet quoted in an ICMPv6 error (within the minimum MTU).
const ICMPV6_QUOTE: usize = 1232;

/// One frame to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFrame {
    /// The complete frame, starting with the rejected frame's link header.
    pub bytes: Vec<u8>,
    /// `true`: out of the port the rejected packet came in on (to its sender); `false`: out
    /// of the port it would have left by (to its receiver).
    pub to_sender: bool,
}

/// The answers a reject verdict sends for `pkt` (none when the packet has no IP header).
pub fn reject_answers(pkt: &Packet<'_>, target: RejectTarget) -> Vec<AnswerFrame> {
    let mut out = Vec::new();
    let sides: &[bool] = match target {
        RejectTarget::Source => &[true],
        RejectTarget::Destination => &[false],
        RejectTarget::Both => &[true, false],
    };
    for &to_sender in sides {
        if let Some(bytes) = answer(pkt, to_sender) {
            out.push(AnswerFrame { bytes, to_sender });
        }
    }
    out
}

fn answer(pkt: &Packet<'_>, to_sender: bool) -> Option<Vec<u8>> {
    let ip = pkt.ip.as_ref()?;
    let mut frame = pkt.frame.get(..ip.offset)?.to_vec();
    if to_sender && frame.len() >= 12 {
        let (dst, src) = frame.split_at_mut(6);
        dst.swap_with_slice(&mut src[..6]);
    }
    let (src, dst) = if to_sender {
        (ip.dst, ip.src)
    } else {
        (ip.src, ip.dst)
    };
    let (proto, l4) = match pkt.transport {
        Transport::Tcp(t) => (6, tcp_rst(pkt, &t, to_sender)),
        _ => icmp_unreachable(pkt, src)?,
    };
    push_ip(&mut frame, src, dst, proto, &l4)?;
    Some(frame)
}

fn tcp_rst(pkt: &Packet<'_>, t: &crate::decode::TcpHeader, to_sender: bool) -> Vec<u8> {
    let syn_fin =
        u32::from(t.flags & tcp_flags::SYN != 0) + u32::from(t.flags & tcp_flags::FIN != 0);
    let next_seq = t
        .seq
        .wrapping_add(pkt.payload.len() as u32)
        .wrapping_add(syn_fin);
    let (sport, dport, seq, ack) = if to_sender {
        let seq = if t.flags & tcp_flags::ACK != 0 {
            t.ack
        } else {
            0
        };
        (t.dst_port, t.src_port, seq, next_seq)
    } else {
        (t.src_port, t.dst_port, next_seq, t.ack)
    };
    let mut h = Vec::with_capacity(20);
    h.extend_from_slice(&sport.to_be_bytes());
    h.extend_from_slice(&dport.to_be_bytes());
    h.extend_from_slice(&seq.to_be_bytes());
    h.extend_from_slice(&ack.to_be_bytes());
    h.push(5 << 4);
    h.push(tcp_flags::RST | tcp_flags::ACK);
    h.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // window, checksum, urgent pointer
    h
}

/// ICMP(v6) port unreachable quoting the offending packet; checksum filled in by `push_ip`
/// for ICMPv6 (pseudo-header) and here for ICMPv4.
fn icmp_unreachable(pkt: &Packet<'_>, _src: IpAddr) -> Option<(u8, Vec<u8>)> {
    let ip = pkt.ip.as_ref()?;
    let original = pkt.frame.get(ip.offset..)?;
    match ip.version {
        4 => {
            let quote = original.len().min(usize::from(ip.header_len) + 8);
            let mut m = vec![3, 3, 0, 0, 0, 0, 0, 0];
            m.extend_from_slice(&original[..quote]);
            let c = internet_checksum(&m, 0);
            m[2..4].copy_from_slice(&c.to_be_bytes());
            Some((1, m))
        }
        _ => {
            let quote = original.len().min(ICMPV6_QUOTE);
            let mut m = vec![1, 4, 0, 0, 0, 0, 0, 0];
            m.extend_from_slice(&original[..quote]);
            Some((58, m))
        }
    }
}

/// Appends an IP header for `l4` (filling the TCP/ICMPv6 checksum) and `l4` itself.
fn push_ip(frame: &mut Vec<u8>, src: IpAddr, dst: IpAddr, proto: u8, l4: &[u8]) -> Option<()> {
    let mut l4 = l4.to_vec();
    let csum_at = match proto {
        6 => Some(16),
        58 => Some(2),
        _ => None,
    };
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = u16::try_from(20 + l4.len()).ok()?;
            if let Some(at) = csum_at {
                let pseudo = pseudo_header_v4(s.octets(), d.octets(), proto, l4.len() as u16);
                let c = internet_checksum(&l4, pseudo);
                l4[at..at + 2].copy_from_slice(&c.to_be_bytes());
            }
            let mut h = [0u8; 20];
            h[0] = 0x45;
            h[2..4].copy_from_slice(&total.to_be_bytes());
            h[8] = ANSWER_TTL;
            h[9] = proto;
            h[12..16].copy_from_slice(&s.octets());
            h[16..20].copy_from_slice(&d.octets());
            let c = internet_checksum(&h, 0);
            h[10..12].copy_from_slice(&c.to_be_bytes());
            frame.extend_from_slice(&h);
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let len = u16::try_from(l4.len()).ok()?;
            if let Some(at) = csum_at {
                let pseudo = pseudo_header_v6(s.octets(), d.octets(), proto, u32::from(len));
                let c = internet_checksum(&l4, pseudo);
                l4[at..at + 2].copy_from_slice(&c.to_be_bytes());
            }
            let mut h = [0u8; 40];
            h[0] = 0x60;
            h[4..6].copy_from_slice(&len.to_be_bytes());
            h[6] = proto;
            h[7] = ANSWER_TTL;
            h[8..24].copy_from_slice(&s.octets());
            h[24..40].copy_from_slice(&d.octets());
            frame.extend_from_slice(&h);
        }
        _ => return None,
    }
    frame.extend_from_slice(&l4);
    Some(())
}

#[cfg(test)]
mod tests {
    use etherparse::{PacketBuilder, SlicedPacket, TransportSlice};

    use super::*;
    use crate::decode::{decode, DecodeOptions, LinkType};
    use crate::time::Timestamp;

    fn tcp_frame(payload: &[u8]) -> Vec<u8> {
        let b = PacketBuilder::ethernet2([1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2])
            .ipv4([198, 18, 0, 1], [198, 18, 0, 2], 64)
            .tcp(40000, 80, 1000, 4096)
            .ack(5000)
            .psh();
        let mut out = Vec::new();
        b.write(&mut out, payload).unwrap();
        out
    }

    fn checked(bytes: &[u8]) -> Packet<'_> {
        let p = decode(
            LinkType::Ethernet,
            Timestamp(0),
            bytes,
            &DecodeOptions::default(),
        );
        assert!(
            p.events.is_empty(),
            "answer decodes cleanly: {:?}",
            p.events
        );
        p
    }

    #[test]
    fn rst_to_sender_acknowledges_the_segment() {
        let frame = tcp_frame(b"GET /x HTTP/1.1\r\n\r\n");
        let pkt = decode(
            LinkType::Ethernet,
            Timestamp(0),
            &frame,
            &DecodeOptions::default(),
        );
        let answers = reject_answers(&pkt, RejectTarget::Source);
        assert_eq!(answers.len(), 1);
        assert!(answers[0].to_sender);
        let rst = checked(&answers[0].bytes);
        assert_eq!(&answers[0].bytes[..6], &[1, 1, 1, 1, 1, 1]);
        let ip = rst.ip.unwrap();
        assert_eq!(ip.src.to_string(), "198.18.0.2");
        assert_eq!(ip.dst.to_string(), "198.18.0.1");
        assert_eq!(ip.checksum_ok, Some(true));
        let t = rst.tcp().unwrap();
        assert_eq!((t.src_port, t.dst_port), (80, 40000));
        assert_eq!(t.seq, 5000);
        assert_eq!(t.ack, 1000 + 19);
        assert_eq!(t.flags, tcp_flags::RST | tcp_flags::ACK);
        assert_eq!(t.checksum_ok, Some(true));
        // etherparse agrees the frame is well formed.
        let sliced = SlicedPacket::from_ethernet(&answers[0].bytes).unwrap();
        assert!(matches!(sliced.transport, Some(TransportSlice::Tcp(_))));
    }

    #[test]
    fn rejectboth_answers_each_side() {
        let frame = tcp_frame(b"abc");
        let pkt = decode(
            LinkType::Ethernet,
            Timestamp(0),
            &frame,
            &DecodeOptions::default(),
        );
        let answers = reject_answers(&pkt, RejectTarget::Both);
        assert_eq!(answers.len(), 2);
        let to_receiver = checked(&answers[1].bytes);
        assert!(!answers[1].to_sender);
        let t = to_receiver.tcp().unwrap();
        assert_eq!((t.src_port, t.dst_port), (40000, 80));
        assert_eq!((t.seq, t.ack), (1003, 5000));
        assert_eq!(&answers[1].bytes[..6], &[2, 2, 2, 2, 2, 2]);
    }

    #[test]
    fn udp_gets_port_unreachable_for_v4_and_v6() {
        let mut v4 = Vec::new();
        PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([198, 18, 0, 1], [198, 18, 0, 2], 64)
            .udp(5353, 53)
            .write(&mut v4, b"query")
            .unwrap();
        let pkt = decode(
            LinkType::Ethernet,
            Timestamp(0),
            &v4,
            &DecodeOptions::default(),
        );
        let a = reject_answers(&pkt, RejectTarget::Source);
        let icmp = checked(&a[0].bytes);
        match icmp.transport {
            Transport::Icmp4(h) => {
                assert_eq!((h.icmp_type, h.code), (3, 3));
                assert_eq!(h.checksum_ok, Some(true));
            }
            other => panic!("not ICMP: {other:?}"),
        }
        assert_eq!(icmp.payload.len(), 20 + 8, "quotes IP header + 8 bytes");

        let mut v6 = Vec::new();
        PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv6(
                [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
                64,
            )
            .udp(5353, 53)
            .write(&mut v6, b"query")
            .unwrap();
        let pkt = decode(
            LinkType::Ethernet,
            Timestamp(0),
            &v6,
            &DecodeOptions::default(),
        );
        let a = reject_answers(&pkt, RejectTarget::Source);
        let icmp = checked(&a[0].bytes);
        match icmp.transport {
            Transport::Icmp6(h) => {
                assert_eq!((h.icmp_type, h.code), (1, 4));
                assert_eq!(h.checksum_ok, Some(true));
            }
            other => panic!("not ICMPv6: {other:?}"),
        }
        assert_eq!(icmp.ip.unwrap().dst.to_string(), "2001:db8::1");
    }
}
