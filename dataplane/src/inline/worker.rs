//! One worker lcore: poll its inputs, run every packet through its own engine, forward what
//! passes to the pair peer, send reject answers. Bursts of 32, no locks, no allocation per
//! packet (reject answers, which are rare, allocate).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use portcullis_detection::decode::{decode, DecodeOptions, LinkType};
use portcullis_detection::engine::{Engine, Verdict};
use portcullis_detection::respond::reject_answers;
use portcullis_detection::time::Timestamp;

use super::events::ChannelSink;
use crate::dpdk::{Mbuf, MbufBurst, Mempool, RingConsumer, RxQueue, TxQueue};

/// Where a worker's packets come from.
pub enum Input<'p, 'm> {
    /// An RX queue of a port (hardware RSS, or the only worker).
    Queue(RxQueue<'p, 'm>),
    /// A ring the software distributor fills.
    Ring(RingConsumer<'m>),
}

impl<'m> Input<'_, 'm> {
    fn fill(&mut self, burst: &mut MbufBurst<'m>) -> usize {
        match self {
            Input::Queue(q) => burst.rx_burst(q),
            Input::Ring(r) => r.dequeue(burst),
        }
    }
}

/// Counters the main lcore reads for periodic stats and the idle exit. Each worker's block has
/// a cache line of its own (they sit side by side in one `Vec`), so workers bumping their
/// counters every burst never contend for a line.
#[derive(Debug, Default)]
#[repr(align(64))]
pub struct WorkerCounters {
    /// Packets received.
    pub rx: AtomicU64,
    /// Packets forwarded.
    pub forwarded: AtomicU64,
    /// Packets dropped by a verdict.
    pub dropped: AtomicU64,
    /// Reject answers sent.
    pub answers: AtomicU64,
}

/// Everything a worker owns.
pub struct Worker<'p, 'm> {
    /// Inputs by port index (every port has one per worker).
    pub inputs: Vec<Input<'p, 'm>>,
    /// TX queues by port index.
    pub outputs: Vec<TxQueue<'p, 'm>>,
    /// Pair peer of each port.
    pub peer: Vec<usize>,
    /// The worker's engine.
    pub engine: Engine,
    /// Pool for reject answers.
    pub pool: &'m Mempool<'m>,
    /// Events to the EVE writer.
    pub sink: ChannelSink,
}

/// The current time as a packet timestamp (read once per burst).
pub fn now() -> Timestamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_secs_micros(d.as_secs(), d.subsec_micros())
}

impl<'m> Worker<'_, 'm> {
    /// Runs until `stop` is set; returns the engine so its counters can be reported.
    pub fn run(mut self, stop: &AtomicBool, counters: &WorkerCounters) -> Engine {
        let mut burst: MbufBurst<'m> = MbufBurst::new();
        let mut answers: Vec<(usize, Mbuf<'m>)> = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let mut idle = true;
            for port in 0..self.inputs.len() {
                let n = self.inputs[port].fill(&mut burst);
                if n == 0 {
                    continue;
                }
                idle = false;
                let ts = now();
                let engine = &mut self.engine;
                let sink = &mut self.sink;
                let peer = self.peer[port];
                let pool = self.pool;
                burst.retain(|m| {
                    let verdict = engine.process(LinkType::Ethernet, ts, m.data(), sink);
                    if let Verdict::Reject(target) = verdict {
                        let opts = DecodeOptions {
                            validate_checksums: false,
                        };
                        let pkt = decode(LinkType::Ethernet, ts, m.data(), &opts);
                        for a in reject_answers(&pkt, target) {
                            if let Some(mbuf) = pool.alloc(&a.bytes) {
                                answers.push((if a.to_sender { port } else { peer }, mbuf));
                            }
                        }
                    }
                    verdict == Verdict::Pass
                });
                let forwarded = burst.len() as u64;
                counters.rx.fetch_add(n as u64, Ordering::Relaxed);
                counters.forwarded.fetch_add(forwarded, Ordering::Relaxed);
                counters
                    .dropped
                    .fetch_add(n as u64 - forwarded, Ordering::Relaxed);
                burst.tx_burst(&mut self.outputs[peer]);
                for (out_port, mbuf) in answers.drain(..) {
                    let mut one: MbufBurst<'m> = MbufBurst::new();
                    if one.push(mbuf).is_ok() {
                        let sent = one.tx_burst(&mut self.outputs[out_port]);
                        counters.answers.fetch_add(sent as u64, Ordering::Relaxed);
                    }
                }
            }
            if idle {
                std::hint::spin_loop();
            }
        }
        self.engine
    }
}
