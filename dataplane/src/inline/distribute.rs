//! Software flow distribution, for devices without RSS: the main lcore reads every port and
//! hands each packet to the worker chosen by the symmetric Toeplitz hash of its 5-tuple, the
//! same hash a NIC computes with the symmetric key, so both directions of a flow meet on one
//! worker.

use portcullis_detection::decode::{decode, DecodeOptions, LinkType, Packet};
use portcullis_detection::time::Timestamp;

use crate::dpdk::{soft_rss, Mbuf, MbufBurst, RingProducer, RssTuple, RxQueue};

/// The worker (of `workers`) that owns the flow of `frame`; frames without IP go to worker 0.
pub fn worker_of(frame: &[u8], workers: usize) -> usize {
    let opts = DecodeOptions {
        validate_checksums: false,
    };
    let pkt = decode(LinkType::Ethernet, Timestamp::default(), frame, &opts);
    match tuple(&pkt) {
        Some(t) => soft_rss(&t) as usize % workers.max(1),
        None => 0,
    }
}

fn tuple(pkt: &Packet<'_>) -> Option<RssTuple> {
    let ip = pkt.ip.as_ref()?;
    let (src_port, dst_port) = pkt.transport.ports();
    Some(match (ip.src, ip.dst) {
        (std::net::IpAddr::V4(src), std::net::IpAddr::V4(dst)) => RssTuple::V4 {
            src,
            dst,
            src_port,
            dst_port,
        },
        (std::net::IpAddr::V6(src), std::net::IpAddr::V6(dst)) => RssTuple::V6 {
            src,
            dst,
            src_port,
            dst_port,
        },
        _ => return None,
    })
}

/// The distributor's state: one ring per (port, worker).
pub struct Distributor<'p, 'm> {
    /// RX queue 0 of each port.
    pub inputs: Vec<RxQueue<'p, 'm>>,
    /// `rings[port][worker]`.
    pub rings: Vec<Vec<RingProducer<'m>>>,
    staging: Vec<MbufBurst<'m>>,
    order: Vec<Mbuf<'m>>,
    /// Packets dropped because a worker's ring was full.
    pub ring_full_drops: u64,
}

impl<'p, 'm> Distributor<'p, 'm> {
    /// A distributor over `inputs` feeding `rings`.
    pub fn new(inputs: Vec<RxQueue<'p, 'm>>, rings: Vec<Vec<RingProducer<'m>>>) -> Self {
        let workers = rings.first().map_or(0, Vec::len);
        Distributor {
            inputs,
            rings,
            staging: (0..workers).map(|_| MbufBurst::new()).collect(),
            order: Vec::with_capacity(32),
            ring_full_drops: 0,
        }
    }

    /// One pass over every port; returns the packets moved.
    pub fn poll(&mut self) -> usize {
        let workers = self.staging.len();
        let mut moved = 0;
        let mut burst: MbufBurst<'m> = MbufBurst::new();
        for port in 0..self.inputs.len() {
            let n = burst.rx_burst(&mut self.inputs[port]);
            if n == 0 {
                continue;
            }
            moved += n;
            while let Some(m) = burst.pop() {
                self.order.push(m);
            }
            // `pop` takes from the end: restore arrival order before hashing.
            while let Some(m) = self.order.pop() {
                let w = worker_of(m.data(), workers);
                if let Err(m) = self.staging[w].push(m) {
                    drop(m);
                    self.ring_full_drops += 1;
                }
            }
            for (w, staged) in self.staging.iter_mut().enumerate() {
                self.rings[port][w].enqueue(staged);
                self.ring_full_drops += staged.len() as u64;
                staged.clear();
            }
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use etherparse::PacketBuilder;

    use super::*;

    fn frame(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16) -> Vec<u8> {
        let mut out = Vec::new();
        PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4(src, dst, 64)
            .tcp(sport, dport, 1, 1024)
            .write(&mut out, b"x")
            .unwrap();
        out
    }

    #[test]
    fn both_directions_of_every_flow_meet_on_one_worker() {
        let mut per_worker = [0usize; 4];
        for i in 0..200u16 {
            let a = [198, 18, (i >> 8) as u8, i as u8];
            let b = [198, 19, 0, (i % 7) as u8];
            let fwd = worker_of(&frame(a, 10_000 + i, b, 80), 4);
            let rev = worker_of(&frame(b, 80, a, 10_000 + i), 4);
            assert_eq!(fwd, rev, "flow {i} split across workers");
            per_worker[fwd] += 1;
        }
        assert!(per_worker.iter().all(|&n| n > 20), "{per_worker:?}");
        assert_eq!(worker_of(b"\x01\x02", 4), 0);
    }
}
