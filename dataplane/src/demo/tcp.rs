//! One TCP connection as seen at the capture point next to the client: three-way handshake,
//! MSS-sized data segments sent in bursts of the initial congestion window, the receiver's ACK
//! for every second segment, and a FIN/ACK teardown. Sequence and acknowledgment numbers are
//! tracked exactly, so a reassembler sees a gap-free stream in both directions.

use super::prng::Prng;
use super::trace::Trace;
use super::wire::{flags, tcp_frame, Endpoint, TcpFields};
use etherparse::TcpOptionElement;

/// Payload bytes per full segment (Ethernet MTU 1500 minus 20 bytes of IPv4 and 20 of TCP).
pub(crate) const MSS: usize = 1460;
/// Segments a sender puts in flight before it waits for ACKs (Linux's initial cwnd).
const BURST: usize = 10;
/// Delay of the client's stack between receiving something and answering it, in microseconds.
const NEAR_TURNAROUND: u64 = 40;
/// Spacing of the client's back-to-back segments at the capture point.
const NEAR_SPACING: u64 = 15;
/// Spacing of the server's back-to-back full segments (about 100 Mbit/s of bottleneck).
const FAR_SPACING: u64 = 120;
/// Window field of the client's segments after the handshake (scale 7: 64,256 bytes).
const CLIENT_WINDOW: u16 = 502;
/// Window field of the server's segments after the handshake (scale 9: 120,320 bytes).
const SERVER_WINDOW: u16 = 235;

/// Which end of the connection sends a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The host that sent the SYN (HOME_NET, next to the capture point).
    Client,
    /// The host that answered it (on the internet, one round trip away).
    Server,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::Client => 0,
            Side::Server => 1,
        }
    }

    fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

/// An established connection and the clock of its next event.
#[derive(Debug)]
pub(crate) struct TcpConn {
    hosts: [Endpoint; 2],
    ports: [u16; 2],
    next_seq: [u32; 2],
    ip_id: [u16; 2],
    rtt: u64,
    now: u64,
}

impl TcpConn {
    /// Writes the handshake of a new connection `at` (microseconds into the capture) from
    /// `client` port `ports.0` to `server` port `ports.1`, one `rtt` away, and counts the flow.
    pub(crate) fn open(
        trace: &mut Trace,
        rng: &mut Prng,
        (client, server): (Endpoint, Endpoint),
        ports: (u16, u16),
        at: u64,
        rtt: u64,
    ) -> TcpConn {
        trace.new_flow();
        let mut conn = TcpConn {
            hosts: [client, server],
            ports: [ports.0, ports.1],
            next_seq: [rng.next_u32(), rng.next_u32()],
            ip_id: [rng.next_u16(), rng.next_u16()],
            rtt,
            now: at,
        };
        let syn_opts = [
            TcpOptionElement::MaximumSegmentSize(MSS as u16),
            TcpOptionElement::Noop,
            TcpOptionElement::Noop,
            TcpOptionElement::SelectiveAcknowledgementPermitted,
            TcpOptionElement::Noop,
            TcpOptionElement::WindowScale(7),
        ];
        conn.segment(trace, Side::Client, at, flags::SYN, 64240, &syn_opts, &[]);
        let synack_opts = [
            TcpOptionElement::MaximumSegmentSize(MSS as u16),
            TcpOptionElement::Noop,
            TcpOptionElement::Noop,
            TcpOptionElement::SelectiveAcknowledgementPermitted,
            TcpOptionElement::Noop,
            TcpOptionElement::WindowScale(9),
        ];
        let t = at + rtt;
        conn.segment(
            trace,
            Side::Server,
            t,
            flags::SYN | flags::ACK,
            65160,
            &synack_opts,
            &[],
        );
        conn.now = t + NEAR_TURNAROUND;
        conn.segment(
            trace,
            Side::Client,
            conn.now,
            flags::ACK,
            CLIENT_WINDOW,
            &[],
            &[],
        );
        conn
    }

    /// Time of the connection's latest event, in microseconds into the capture.
    pub(crate) fn now(&self) -> u64 {
        self.now
    }

    /// Lets `micros` pass (application think time) before the next event.
    pub(crate) fn wait(&mut self, micros: u64) {
        self.now += micros;
    }

    /// Sends `data` from `from`, split into MSS-sized segments.
    pub(crate) fn send(&mut self, trace: &mut Trace, from: Side, data: &[u8]) {
        let chunks: Vec<&[u8]> = data.chunks(MSS).collect();
        self.send_chunks(trace, from, &chunks);
    }

    /// Sends `chunks` from `from`, one segment each (a chunk must not exceed [`MSS`]); the last
    /// segment carries PSH. The peer ACKs every second segment and the last one of each burst;
    /// the next burst leaves when the sender has seen those ACKs.
    pub(crate) fn send_chunks(&mut self, trace: &mut Trace, from: Side, chunks: &[&[u8]]) {
        let spacing = if from == Side::Client {
            NEAR_SPACING
        } else {
            FAR_SPACING
        };
        let ack_delay = self.reaction(from.peer());
        let refill = self.reaction(from);
        let window = self.window(from);
        let peer_window = self.window(from.peer());
        let mut t = self.now;
        for (burst_index, burst) in chunks.chunks(BURST).enumerate() {
            if burst_index > 0 {
                t += refill;
            }
            let mut last_ack = t;
            for (i, chunk) in burst.iter().enumerate() {
                let last_of_all = burst_index * BURST + i + 1 == chunks.len();
                let bits = if last_of_all {
                    flags::ACK | flags::PSH
                } else {
                    flags::ACK
                };
                self.segment(trace, from, t, bits, window, &[], chunk);
                if i % 2 == 1 || i + 1 == burst.len() {
                    last_ack = t + ack_delay;
                    self.segment(
                        trace,
                        from.peer(),
                        last_ack,
                        flags::ACK,
                        peer_window,
                        &[],
                        &[],
                    );
                }
                self.now = t;
                t += spacing;
            }
            t = last_ack;
        }
    }

    /// A request from the client answered by the server after its `think` time.
    pub(crate) fn exchange(
        &mut self,
        trace: &mut Trace,
        request: &[u8],
        response: &[u8],
        think: u64,
    ) {
        self.send(trace, Side::Client, request);
        self.wait(self.rtt + think);
        self.send(trace, Side::Server, response);
    }

    /// Closes the connection at the current time: `initiator` sends FIN/ACK, the peer answers
    /// FIN/ACK as soon as it sees it (its application closes too) and the initiator ACKs that.
    pub(crate) fn close(&mut self, trace: &mut Trace, initiator: Side) {
        let peer = initiator.peer();
        let t1 = self.now;
        let t2 = t1 + self.reaction(peer);
        let t3 = t2 + self.reaction(initiator);
        self.segment(
            trace,
            initiator,
            t1,
            flags::FIN | flags::ACK,
            self.window(initiator),
            &[],
            &[],
        );
        self.next_seq[initiator.index()] = self.next_seq[initiator.index()].wrapping_add(1);
        self.segment(
            trace,
            peer,
            t2,
            flags::FIN | flags::ACK,
            self.window(peer),
            &[],
            &[],
        );
        self.next_seq[peer.index()] = self.next_seq[peer.index()].wrapping_add(1);
        self.segment(
            trace,
            initiator,
            t3,
            flags::ACK,
            self.window(initiator),
            &[],
            &[],
        );
        self.now = t3;
    }

    /// How long after the capture point sees a segment it sees `side`'s answer to it.
    fn reaction(&self, side: Side) -> u64 {
        match side {
            Side::Client => NEAR_TURNAROUND,
            Side::Server => self.rtt,
        }
    }

    fn window(&self, side: Side) -> u16 {
        match side {
            Side::Client => CLIENT_WINDOW,
            Side::Server => SERVER_WINDOW,
        }
    }

    /// Writes one segment from `from` at `at`; SYN and payload advance `from`'s sequence number,
    /// and every segment but the client's SYN acknowledges everything the peer has sent.
    #[allow(clippy::too_many_arguments)]
    fn segment(
        &mut self,
        trace: &mut Trace,
        from: Side,
        at: u64,
        bits: u8,
        window: u16,
        options: &[TcpOptionElement],
        payload: &[u8],
    ) {
        let me = from.index();
        let peer = from.peer().index();
        let fields = TcpFields {
            src_port: self.ports[me],
            dst_port: self.ports[peer],
            seq: self.next_seq[me],
            ack: self.next_seq[peer],
            flags: bits,
            window,
            options,
        };
        let frame = tcp_frame(
            &self.hosts[me],
            &self.hosts[peer],
            self.ip_id[me],
            &fields,
            payload,
        );
        trace.push(at, frame);
        self.ip_id[me] = self.ip_id[me].wrapping_add(1);
        let consumed = payload.len() as u32 + u32::from(bits & flags::SYN != 0);
        self.next_seq[me] = self.next_seq[me].wrapping_add(consumed);
    }
}
