//! The TCP connection state machine of one flow: handshake, half-close, close and RST, plus the
//! per-direction initial sequence numbers the reassembler starts from.
//!
//! Deliberately looser than Suricata's stream engine: sequence and ACK numbers are checked only
//! where they decide a state change (the handshake ACKs and the FIN ACKs), RSTs are accepted
//! without a window check, and one-sided ("async") sessions are not tracked.

use super::key::Direction;
use crate::decode::{tcp_flags, TcpHeader};

/// Where a TCP connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TcpState {
    /// Nothing trackable seen yet (or a midstream flow while midstream pickup is off).
    #[default]
    None,
    /// The client's SYN was seen.
    SynSent,
    /// The server's SYN/ACK was seen (or both SYNs, for a simultaneous open).
    SynRecv,
    /// The handshake completed (or the flow was picked up midstream).
    Established,
    /// One side sent FIN: half-closed.
    FinWait,
    /// Both sides sent FIN, not both acknowledged yet.
    Closing,
    /// Reset, or both FINs acknowledged.
    Closed,
}

/// What one packet did to the connection, for the engine to react to and count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpEvents {
    /// This packet completed the three-way handshake.
    pub handshake_completed: bool,
    /// A SYN or SYN/ACK repeated a sequence number already seen (a retransmission).
    pub syn_retransmit: bool,
    /// A new SYN replaced the ISN of its direction: reassembly of it must restart.
    pub isn_changed: bool,
    /// A SYN carried payload (TCP Fast Open); the data starts at ISN+1.
    pub syn_data: bool,
    /// Tracking started on this packet without the client SYN (`stream.midstream`).
    pub midstream_pickup: bool,
    /// A SYN/ACK or handshake ACK acknowledged something other than the peer's ISN+1.
    pub invalid_ack: bool,
    /// This packet moved the connection to [`TcpState::Closed`].
    pub closed: bool,
}

/// Per-flow TCP tracking. Index arrays by [`Direction::index`].
#[derive(Debug, Clone, Default)]
pub struct TcpTracker {
    state: TcpState,
    isn: [Option<u32>; 2],
    stream_start: [Option<u32>; 2],
    wscale: [Option<u8>; 2],
    fin_seq: [Option<u32>; 2],
    fin_acked: [bool; 2],
    handshake_done: bool,
    midstream: bool,
    simultaneous_open: bool,
}

/// `a >= b` in TCP sequence space (RFC 1982 serial arithmetic).
fn seq_geq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) >= 0
}

/// Sequence number of the first payload byte of a segment: a SYN occupies one sequence
/// number, so the data of a SYN (TCP Fast Open) starts at ISN+1.
pub fn payload_seq(tcp: &TcpHeader) -> u32 {
    if tcp.flags & tcp_flags::SYN != 0 {
        tcp.seq.wrapping_add(1)
    } else {
        tcp.seq
    }
}

impl TcpTracker {
    /// Advances the state machine with one segment sent in direction `dir`. `midstream` is
    /// `stream.midstream`: whether a session whose handshake was missed may be tracked.
    pub fn update(
        &mut self,
        dir: Direction,
        tcp: &TcpHeader,
        payload_len: usize,
        midstream: bool,
    ) -> TcpEvents {
        let mut ev = TcpEvents::default();
        let d = dir.index();
        let o = dir.reverse().index();
        let syn = tcp.flags & tcp_flags::SYN != 0;
        let ack = tcp.flags & tcp_flags::ACK != 0;
        let rst = tcp.flags & tcp_flags::RST != 0;
        ev.syn_data = syn && payload_len > 0;
        match self.state {
            TcpState::None => self.on_first(d, o, tcp, payload_len, midstream, &mut ev),
            TcpState::SynSent if rst => self.close(&mut ev),
            TcpState::SynSent if syn => self.on_syn_sent(d, o, tcp, ack, &mut ev),
            TcpState::SynRecv if rst => self.close(&mut ev),
            TcpState::SynRecv => self.on_syn_recv(d, o, tcp, syn, ack, &mut ev),
            TcpState::Established | TcpState::FinWait | TcpState::Closing if rst => {
                self.close(&mut ev)
            }
            TcpState::Established | TcpState::FinWait | TcpState::Closing => {
                self.track_close(d, o, tcp, payload_len, &mut ev)
            }
            TcpState::SynSent | TcpState::Closed => {}
        }
        ev
    }

    /// The first trackable packet: a SYN starts a handshake; anything else is a midstream
    /// pickup, tracked only when `midstream` allows it (as in Suricata, that includes a
    /// SYN/ACK seen first).
    fn on_first(
        &mut self,
        d: usize,
        o: usize,
        tcp: &TcpHeader,
        payload_len: usize,
        midstream: bool,
        ev: &mut TcpEvents,
    ) {
        let syn = tcp.flags & tcp_flags::SYN != 0;
        let ack = tcp.flags & tcp_flags::ACK != 0;
        let rst = tcp.flags & tcp_flags::RST != 0;
        if syn && !ack {
            self.set_isn(d, tcp);
            self.state = TcpState::SynSent;
            return;
        }
        if rst {
            return;
        }
        self.midstream = true;
        if !midstream {
            return;
        }
        ev.midstream_pickup = true;
        if ack {
            self.stream_start[o] = Some(tcp.ack);
        }
        if syn {
            self.set_isn(d, tcp);
            self.state = TcpState::SynRecv;
        } else {
            self.stream_start[d] = Some(tcp.seq);
            self.state = TcpState::Established;
            self.handshake_done = true;
            self.track_close(d, o, tcp, payload_len, ev);
        }
    }

    /// A SYN or SYN/ACK after the client's SYN.
    fn on_syn_sent(&mut self, d: usize, o: usize, tcp: &TcpHeader, ack: bool, ev: &mut TcpEvents) {
        match (self.isn[d], ack) {
            (Some(isn), _) if isn == tcp.seq => ev.syn_retransmit = true,
            (Some(_), false) => {
                self.set_isn(d, tcp);
                ev.isn_changed = true;
            }
            (Some(_), true) => ev.invalid_ack = true,
            (None, true) => {
                if self.acks_isn(o, tcp.ack) {
                    self.set_isn(d, tcp);
                    self.state = TcpState::SynRecv;
                } else {
                    ev.invalid_ack = true;
                }
            }
            (None, false) => {
                self.set_isn(d, tcp);
                self.simultaneous_open = true;
                self.state = TcpState::SynRecv;
            }
        }
    }

    /// Waiting for the ACK that completes the handshake.
    fn on_syn_recv(
        &mut self,
        d: usize,
        o: usize,
        tcp: &TcpHeader,
        syn: bool,
        ack: bool,
        ev: &mut TcpEvents,
    ) {
        if syn && !(ack && self.simultaneous_open) {
            if self.isn[d] == Some(tcp.seq) {
                ev.syn_retransmit = true;
            }
            return;
        }
        if !ack {
            return;
        }
        if self.acks_isn(o, tcp.ack) {
            self.state = TcpState::Established;
            self.handshake_done = true;
            ev.handshake_completed = true;
        } else {
            ev.invalid_ack = true;
        }
    }

    /// FIN and FIN-ACK bookkeeping once established.
    fn track_close(
        &mut self,
        d: usize,
        o: usize,
        tcp: &TcpHeader,
        payload_len: usize,
        ev: &mut TcpEvents,
    ) {
        if tcp.flags & tcp_flags::ACK != 0 {
            if let Some(fin) = self.fin_seq[o] {
                if seq_geq(tcp.ack, fin.wrapping_add(1)) {
                    self.fin_acked[o] = true;
                }
            }
        }
        if tcp.flags & tcp_flags::FIN != 0 && self.fin_seq[d].is_none() {
            let len = u32::try_from(payload_len).unwrap_or(u32::MAX);
            self.fin_seq[d] = Some(tcp.seq.wrapping_add(len));
        }
        if self.fin_acked[0] && self.fin_acked[1] {
            self.close(ev);
        } else if self.fin_seq[0].is_some() && self.fin_seq[1].is_some() {
            self.state = TcpState::Closing;
        } else if self.fin_seq[0].is_some() || self.fin_seq[1].is_some() {
            self.state = TcpState::FinWait;
        }
    }

    fn close(&mut self, ev: &mut TcpEvents) {
        self.state = TcpState::Closed;
        ev.closed = true;
    }

    fn set_isn(&mut self, d: usize, tcp: &TcpHeader) {
        self.isn[d] = Some(tcp.seq);
        self.stream_start[d] = Some(tcp.seq.wrapping_add(1));
        self.wscale[d] = tcp.window_scale;
    }

    /// Whether `ack` acknowledges the SYN of direction `o` (equals its ISN+1).
    fn acks_isn(&self, o: usize, ack: u32) -> bool {
        self.isn[o].is_some_and(|isn| isn.wrapping_add(1) == ack)
    }

    /// The current state.
    pub fn state(&self) -> TcpState {
        self.state
    }

    /// Suricata's `flow:established` for TCP: the handshake completed (or the session was
    /// picked up midstream with `stream.midstream` on). Stays true through the close.
    pub fn is_established(&self) -> bool {
        self.handshake_done
    }

    /// Whether the session was first seen without the client's SYN.
    pub fn is_midstream(&self) -> bool {
        self.midstream
    }

    /// The initial sequence number of `dir`, when its SYN (or SYN/ACK) was seen.
    pub fn isn(&self, dir: Direction) -> Option<u32> {
        self.isn[dir.index()]
    }

    /// Sequence number of the first stream byte of `dir`: ISN+1, or for a midstream pickup
    /// the first segment's sequence number (or the peer's ACK). `None` while unknown.
    pub fn stream_start(&self, dir: Direction) -> Option<u32> {
        self.stream_start[dir.index()]
    }

    /// Whether the payload of `dir` may be reassembled: its starting sequence is known.
    pub fn reassembly_allowed(&self, dir: Direction) -> bool {
        self.stream_start(dir).is_some()
    }

    /// The window-scale shift of `dir`, in effect only when both SYNs carried the option.
    pub fn window_scale(&self, dir: Direction) -> Option<u8> {
        match self.wscale {
            [Some(_), Some(_)] => self.wscale[dir.index()],
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::tcp_flags::{ACK, FIN, PSH, RST, SYN};

    const C: Direction = Direction::ToServer;
    const S: Direction = Direction::ToClient;

    fn seg(flags: u8, seq: u32, ack: u32) -> TcpHeader {
        TcpHeader {
            src_port: 40000,
            dst_port: 80,
            seq,
            ack,
            flags,
            window: 65535,
            header_len: 20,
            ..TcpHeader::default()
        }
    }

    /// Client ISN 1000, server ISN 5000.
    fn handshake(t: &mut TcpTracker) {
        assert_eq!(
            t.update(C, &seg(SYN, 1000, 0), 0, false),
            TcpEvents::default()
        );
        assert_eq!(t.state(), TcpState::SynSent);
        t.update(S, &seg(SYN | ACK, 5000, 1001), 0, false);
        assert_eq!(t.state(), TcpState::SynRecv);
        assert!(!t.is_established());
        let ev = t.update(C, &seg(ACK, 1001, 5001), 0, false);
        assert!(ev.handshake_completed);
        assert_eq!(t.state(), TcpState::Established);
    }

    #[test]
    fn handshake_then_fin_fin_closes() {
        let mut t = TcpTracker::default();
        handshake(&mut t);
        assert!(t.is_established());
        assert_eq!(t.isn(C), Some(1000));
        assert_eq!(t.isn(S), Some(5000));
        assert_eq!(t.stream_start(C), Some(1001));
        assert_eq!(t.stream_start(S), Some(5001));
        t.update(C, &seg(PSH | ACK, 1001, 5001), 10, false);
        t.update(S, &seg(PSH | ACK, 5001, 1011), 20, false);
        // Client FIN at seq 1011 (after 10 bytes).
        t.update(C, &seg(FIN | ACK, 1011, 5021), 0, false);
        assert_eq!(t.state(), TcpState::FinWait);
        // Server FIN/ACK acknowledges the client's FIN.
        t.update(S, &seg(FIN | ACK, 5021, 1012), 0, false);
        assert_eq!(t.state(), TcpState::Closing);
        let ev = t.update(C, &seg(ACK, 1012, 5022), 0, false);
        assert!(ev.closed);
        assert_eq!(t.state(), TcpState::Closed);
        assert!(t.is_established());
    }

    #[test]
    fn unacked_fin_stays_closing() {
        let mut t = TcpTracker::default();
        handshake(&mut t);
        t.update(C, &seg(FIN | ACK, 1001, 5001), 0, false);
        t.update(S, &seg(FIN | ACK, 5001, 1001), 0, false);
        assert_eq!(t.state(), TcpState::Closing);
        t.update(C, &seg(ACK, 1002, 5001), 0, false);
        assert_eq!(t.state(), TcpState::Closing);
        // The server acknowledges the client's FIN; the server's FIN is still unacknowledged.
        t.update(S, &seg(ACK, 5002, 1002), 0, false);
        assert_eq!(t.state(), TcpState::Closing);
        let ev = t.update(C, &seg(ACK, 1002, 5002), 0, false);
        assert!(ev.closed);
        assert_eq!(t.state(), TcpState::Closed);
    }

    #[test]
    fn rst_closes_established_and_syn_sent() {
        let mut t = TcpTracker::default();
        handshake(&mut t);
        let ev = t.update(S, &seg(RST, 5001, 0), 0, false);
        assert!(ev.closed);
        assert_eq!(t.state(), TcpState::Closed);

        let mut refused = TcpTracker::default();
        refused.update(C, &seg(SYN, 7, 0), 0, false);
        let ev = refused.update(S, &seg(RST | ACK, 0, 8), 0, false);
        assert!(ev.closed);
        assert_eq!(refused.state(), TcpState::Closed);
        assert!(!refused.is_established());
    }

    #[test]
    fn syn_retransmit_and_new_isn() {
        let mut t = TcpTracker::default();
        t.update(C, &seg(SYN, 1000, 0), 0, false);
        let ev = t.update(C, &seg(SYN, 1000, 0), 0, false);
        assert!(ev.syn_retransmit);
        let ev = t.update(C, &seg(SYN, 3000, 0), 0, false);
        assert!(ev.isn_changed);
        assert_eq!(t.isn(C), Some(3000));
        assert_eq!(t.stream_start(C), Some(3001));
        // SYN/ACK for the old ISN is rejected.
        let ev = t.update(S, &seg(SYN | ACK, 5000, 1001), 0, false);
        assert!(ev.invalid_ack);
        assert_eq!(t.state(), TcpState::SynSent);
        t.update(S, &seg(SYN | ACK, 5000, 3001), 0, false);
        let ev = t.update(S, &seg(SYN | ACK, 5000, 3001), 0, false);
        assert!(ev.syn_retransmit);
        assert_eq!(t.state(), TcpState::SynRecv);
        let ev = t.update(C, &seg(ACK, 3001, 4000), 0, false);
        assert!(ev.invalid_ack);
        assert_eq!(t.state(), TcpState::SynRecv);
    }

    #[test]
    fn fast_open_data_starts_after_isn() {
        let mut t = TcpTracker::default();
        let syn = seg(SYN, 0xFFFF_FFFF, 0);
        let ev = t.update(C, &syn, 5, false);
        assert!(ev.syn_data);
        assert_eq!(payload_seq(&syn), 0);
        assert_eq!(t.stream_start(C), Some(0));
        assert_eq!(payload_seq(&seg(ACK, 42, 0)), 42);
    }

    #[test]
    fn simultaneous_open() {
        let mut t = TcpTracker::default();
        t.update(C, &seg(SYN, 100, 0), 0, false);
        t.update(S, &seg(SYN, 900, 0), 0, false);
        assert_eq!(t.state(), TcpState::SynRecv);
        let ev = t.update(C, &seg(SYN | ACK, 100, 901), 0, false);
        assert!(ev.handshake_completed);
        assert_eq!(t.stream_start(S), Some(901));
    }

    #[test]
    fn midstream_off_is_untracked() {
        let mut t = TcpTracker::default();
        let ev = t.update(C, &seg(PSH | ACK, 777, 888), 100, false);
        assert_eq!(ev, TcpEvents::default());
        assert_eq!(t.state(), TcpState::None);
        assert!(t.is_midstream());
        assert!(!t.is_established());
        assert!(!t.reassembly_allowed(C));
        assert!(!t.reassembly_allowed(S));
        // A SYN/ACK first is a midstream pickup too.
        let mut t = TcpTracker::default();
        t.update(S, &seg(SYN | ACK, 5000, 1001), 0, false);
        assert_eq!(t.state(), TcpState::None);
        assert!(!t.reassembly_allowed(S));
    }

    #[test]
    fn midstream_on_picks_up() {
        let mut t = TcpTracker::default();
        let ev = t.update(C, &seg(PSH | ACK, 777, 888), 100, true);
        assert!(ev.midstream_pickup);
        assert_eq!(t.state(), TcpState::Established);
        assert!(t.is_established());
        assert_eq!(t.isn(C), None);
        assert_eq!(t.stream_start(C), Some(777));
        assert_eq!(t.stream_start(S), Some(888));

        let mut t = TcpTracker::default();
        t.update(S, &seg(SYN | ACK, 5000, 1001), 0, true);
        assert_eq!(t.state(), TcpState::SynRecv);
        assert_eq!(t.stream_start(C), Some(1001));
        let ev = t.update(C, &seg(ACK, 1001, 5001), 0, true);
        assert!(ev.handshake_completed);
        assert!(t.is_established());
    }

    #[test]
    fn window_scale_needs_both_sides() {
        let mut t = TcpTracker::default();
        let mut syn = seg(SYN, 1, 0);
        syn.window_scale = Some(7);
        t.update(C, &syn, 0, false);
        t.update(S, &seg(SYN | ACK, 50, 2), 0, false);
        assert_eq!(t.window_scale(C), None);

        let mut t = TcpTracker::default();
        t.update(C, &syn, 0, false);
        let mut synack = seg(SYN | ACK, 50, 2);
        synack.window_scale = Some(2);
        t.update(S, &synack, 0, false);
        assert_eq!(t.window_scale(C), Some(7));
        assert_eq!(t.window_scale(S), Some(2));
    }
}
