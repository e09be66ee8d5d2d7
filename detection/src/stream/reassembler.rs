//! Reassembly of one direction of a TCP flow into a contiguous stream.
//!
//! Sequence numbers are mapped to 64-bit stream offsets (0 = the first byte after the ISN)
//! relative to the next expected byte with wrapping 32-bit arithmetic, so streams cross the
//! 2^32 wrap transparently; a segment more than 2^31 bytes away from the next expected byte is
//! ambiguous and read as the nearer interpretation, as in every TCP stack.

use std::collections::BTreeMap;

use super::budget::MemBudget;
use super::config::{OverlapPolicy, StreamConfig};

/// When the in-order buffer's spare capacity exceeds this after trimming, it is shrunk, so one
/// burst does not pin memory the budget no longer counts.
const SHRINK_SLACK: usize = 64 * 1024;

/// Reassembly counters of a worker, accumulated by every [`Reassembler::insert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamStats {
    /// Segments with payload offered.
    pub segments: u64,
    /// Bytes that became part of the contiguous stream (directly or when a gap filled).
    pub in_order_bytes: u64,
    /// Segments (or parts of them) held out of order.
    pub ooo_segments: u64,
    /// Segments carrying only bytes already received.
    pub retransmissions: u64,
    /// Segments partly overlapping bytes already received.
    pub overlaps: u64,
    /// Segments whose overlapping bytes differed from those already received (an evasion
    /// sign; Suricata's `stream.reassembly_overlap_different_data`).
    pub overlap_diffs: u64,
    /// Segments (or parts) dropped because the memcap was exhausted.
    pub memcap_drops: u64,
    /// Streams that reached `stream.reassembly.depth` (counted once per stream).
    pub depth_reached: u64,
}

/// What one [`Reassembler::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InsertOutcome {
    /// Bytes that became contiguous (this segment's and buffered ones it unblocked).
    pub delivered: usize,
    /// Bytes of this segment held out of order.
    pub buffered: usize,
    /// The segment carried only bytes already received.
    pub retransmission: bool,
    /// The segment partly overlapped bytes already received.
    pub overlap: bool,
    /// Overlapping bytes differed from those already received.
    pub overlap_diff: bool,
    /// Some new bytes were dropped because the memcap was exhausted.
    pub memcap_drop: bool,
    /// Some bytes lay beyond the reassembly depth and were discarded.
    pub depth_cut: bool,
}

/// The bytes the detection engine should look at next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamWindow<'a> {
    /// Contiguous stream bytes: the kept tail of inspected data, then uninspected data.
    pub data: &'a [u8],
    /// Stream offset of `data[0]` (0 is the first byte after the ISN).
    pub base_offset: u64,
    /// Index in `data` where uninspected bytes begin.
    pub new_from: usize,
}

impl<'a> StreamWindow<'a> {
    /// Only the bytes not inspected yet.
    pub fn new_data(&self) -> &'a [u8] {
        self.data.get(self.new_from..).unwrap_or_default()
    }
}

/// One direction of a TCP flow being reassembled.
#[derive(Debug, Clone)]
pub struct Reassembler {
    start_seq: u32,
    depth: u64,
    window_keep: usize,
    policy: OverlapPolicy,
    /// In-order bytes: kept inspected tail, then uninspected bytes.
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base_offset: u64,
    /// Index in `buf` of the first uninspected byte.
    new_from: usize,
    /// Out-of-order segments by stream offset; disjoint, all beyond the end of `buf`.
    ooo: BTreeMap<u64, Vec<u8>>,
    /// Bytes charged to the budget (`buf` plus `ooo`).
    held: u64,
    depth_reached: bool,
}

impl Reassembler {
    /// A reassembler whose stream begins at sequence number `start_seq` (ISN+1, or the first
    /// seen segment for a midstream pickup).
    pub fn new(start_seq: u32, cfg: &StreamConfig) -> Self {
        Reassembler {
            start_seq,
            depth: cfg.depth,
            window_keep: cfg.window_keep,
            policy: cfg.policy,
            buf: Vec::new(),
            base_offset: 0,
            new_from: 0,
            ooo: BTreeMap::new(),
            held: 0,
            depth_reached: false,
        }
    }

    /// Adds the payload of one segment whose first byte has sequence number `seq`.
    ///
    /// In-order data is appended without allocating when the buffer has room; data ahead of
    /// a gap is held until the gap fills; bytes already received are kept (policy `First`) and
    /// compared; bytes before the stream start or beyond the depth are discarded; new bytes
    /// that do not fit in `mem` are dropped. Counters go to `stats`.
    pub fn insert(
        &mut self,
        seq: u32,
        data: &[u8],
        mem: &mut MemBudget,
        stats: &mut StreamStats,
    ) -> InsertOutcome {
        let mut out = InsertOutcome::default();
        if data.is_empty() {
            return out;
        }
        stats.segments += 1;
        if let Some((start, data)) = self.clip(seq, data, stats, &mut out) {
            let next = self.next_offset();
            if start == next && self.ooo.is_empty() {
                self.store(start, data, mem, stats, &mut out);
            } else {
                self.insert_general(start, data, mem, stats, &mut out);
            }
        }
        if out.retransmission {
            stats.retransmissions += 1;
        } else if out.overlap {
            stats.overlaps += 1;
        }
        if out.overlap_diff {
            stats.overlap_diffs += 1;
        }
        if out.buffered > 0 {
            stats.ooo_segments += 1;
        }
        out
    }

    /// Maps `seq` to a stream offset and cuts away bytes before the stream start, beyond the
    /// depth, and already delivered in order (comparing those). Returns what is left, if any.
    fn clip<'d>(
        &mut self,
        seq: u32,
        data: &'d [u8],
        stats: &mut StreamStats,
        out: &mut InsertOutcome,
    ) -> Option<(u64, &'d [u8])> {
        let next = self.next_offset();
        let rel = i64::from(seq.wrapping_sub(self.seq_at(next)) as i32);
        let signed_start = i64::try_from(next).unwrap_or(i64::MAX).saturating_add(rel);
        let mut data = data;
        let mut start = match u64::try_from(signed_start) {
            Ok(start) => start,
            Err(_) => {
                let skip = usize::try_from(signed_start.unsigned_abs()).unwrap_or(usize::MAX);
                data = data.get(skip..).filter(|d| !d.is_empty()).or_else(|| {
                    out.retransmission = true;
                    None
                })?;
                0
            }
        };
        if self.depth != 0 && start + data.len() as u64 > self.depth {
            out.depth_cut = true;
            if !self.depth_reached {
                self.depth_reached = true;
                stats.depth_reached += 1;
            }
            let keep = usize::try_from(self.depth.saturating_sub(start)).unwrap_or(usize::MAX);
            data = data.get(..keep).filter(|d| !d.is_empty())?;
        }
        if start < next {
            let old = usize::try_from(next - start)
                .unwrap_or(usize::MAX)
                .min(data.len());
            let (seen, fresh) = data.split_at(old);
            out.overlap_diff |= self.overlap_in_order(start, seen);
            if fresh.is_empty() {
                out.retransmission = true;
                return None;
            }
            out.overlap = true;
            data = fresh;
            start = next;
        }
        Some((start, data))
    }

    /// Settles bytes at `start..` that were already delivered in order against what `buf`
    /// still holds (bytes trimmed away cannot be compared). Returns whether any differed.
    fn overlap_in_order(&mut self, start: u64, seen: &[u8]) -> bool {
        let from = start.max(self.base_offset);
        let Some(skip) = usize::try_from(from - start)
            .ok()
            .filter(|&s| s < seen.len())
        else {
            return false;
        };
        let Ok(at) = usize::try_from(from - self.base_offset) else {
            return false;
        };
        let seen = &seen[skip..];
        let Some(old) = self.buf.get_mut(at..at + seen.len()) else {
            return false;
        };
        let split = self.new_from.saturating_sub(at).min(seen.len());
        let (inspected, pending) = old.split_at_mut(split);
        // Inspected bytes stay as they were whatever the policy: they were already matched on.
        let differs_inspected = inspected != &seen[..split];
        let differs_pending = self.policy.resolve(pending, &seen[split..]);
        differs_inspected || differs_pending
    }

    /// Inserts bytes at `start` (at or beyond the in-order end) around buffered segments:
    /// overlaps with them are settled by the policy, gaps between them are stored.
    fn insert_general(
        &mut self,
        start: u64,
        data: &[u8],
        mem: &mut MemBudget,
        stats: &mut StreamStats,
        out: &mut InsertOutcome,
    ) {
        let end = start + data.len() as u64;
        let policy = self.policy;
        let first = self
            .ooo
            .range(..start)
            .next_back()
            .filter(|(k, seg)| **k + seg.len() as u64 > start)
            .map_or(start, |(k, _)| *k);
        let mut gaps: Vec<(u64, u64)> = Vec::new();
        let mut pos = start;
        let mut covered = false;
        for (&k, seg) in self.ooo.range_mut(first..end) {
            let seg_end = k + seg.len() as u64;
            if k > pos {
                gaps.push((pos, k));
            }
            let (lo, hi) = (pos.max(k), end.min(seg_end));
            if lo < hi {
                covered = true;
                let old = &mut seg[(lo - k) as usize..(hi - k) as usize];
                let new = &data[(lo - start) as usize..(hi - start) as usize];
                out.overlap_diff |= policy.resolve(old, new);
            }
            pos = pos.max(seg_end);
        }
        if pos < end {
            gaps.push((pos, end));
        }
        if covered {
            if gaps.is_empty() {
                out.retransmission = true;
            } else {
                out.overlap = true;
            }
        }
        for (a, b) in gaps {
            let piece = &data[(a - start) as usize..(b - start) as usize];
            if !self.store(a, piece, mem, stats, out) {
                break;
            }
        }
        self.pull_contiguous(stats, out);
    }

    /// Charges `piece` (new bytes at stream offset `at`) to the budget and appends it in order
    /// or holds it out of order. Returns false when the memcap refused it.
    fn store(
        &mut self,
        at: u64,
        piece: &[u8],
        mem: &mut MemBudget,
        stats: &mut StreamStats,
        out: &mut InsertOutcome,
    ) -> bool {
        let len = piece.len() as u64;
        if !mem.try_reserve(len) {
            out.memcap_drop = true;
            stats.memcap_drops += 1;
            return false;
        }
        self.held += len;
        if at == self.next_offset() {
            self.buf.extend_from_slice(piece);
            out.delivered += piece.len();
            stats.in_order_bytes += len;
        } else {
            self.ooo.insert(at, piece.to_vec());
            out.buffered += piece.len();
        }
        true
    }

    /// Moves buffered segments that now continue the in-order stream into it.
    fn pull_contiguous(&mut self, stats: &mut StreamStats, out: &mut InsertOutcome) {
        while let Some(entry) = self.ooo.first_entry() {
            if *entry.key() != self.base_offset + self.buf.len() as u64 {
                break;
            }
            let seg = entry.remove();
            self.buf.extend_from_slice(&seg);
            out.delivered += seg.len();
            stats.in_order_bytes += seg.len() as u64;
        }
    }

    /// The in-order bytes to inspect: kept tail plus new data.
    pub fn window(&self) -> StreamWindow<'_> {
        StreamWindow {
            data: &self.buf,
            base_offset: self.base_offset,
            new_from: self.new_from,
        }
    }

    /// Whether in-order bytes arrived since the last [`Reassembler::mark_inspected`].
    pub fn has_new_data(&self) -> bool {
        self.new_from < self.buf.len()
    }

    /// Records that the whole window was inspected, and trims the in-order buffer to its last
    /// `window_keep` bytes, returning the rest to `mem`.
    pub fn mark_inspected(&mut self, mem: &mut MemBudget) {
        if self.buf.len() > self.window_keep {
            let cut = self.buf.len() - self.window_keep;
            self.buf.drain(..cut);
            self.base_offset += cut as u64;
            self.held -= cut as u64;
            mem.release(cut as u64);
            if self.buf.capacity() > self.window_keep + SHRINK_SLACK {
                self.buf.shrink_to(self.window_keep + SHRINK_SLACK / 4);
            }
        }
        self.new_from = self.buf.len();
    }

    /// Returns every buffered byte to `mem` and empties the reassembler; call before dropping
    /// it (flow end, or a restart after an ISN change).
    pub fn release(&mut self, mem: &mut MemBudget) {
        mem.release(self.held);
        self.held = 0;
        self.base_offset = self.next_offset();
        self.buf = Vec::new();
        self.new_from = 0;
        self.ooo.clear();
    }

    /// Stream offset of the next expected in-order byte.
    pub fn next_offset(&self) -> u64 {
        self.base_offset + self.buf.len() as u64
    }

    /// Sequence number of the next expected in-order byte.
    pub fn next_seq(&self) -> u32 {
        self.seq_at(self.next_offset())
    }

    /// Bytes this reassembler holds against the budget.
    pub fn held_bytes(&self) -> u64 {
        self.held
    }

    /// Whether data beyond `stream.reassembly.depth` was seen and discarded.
    pub fn depth_reached(&self) -> bool {
        self.depth_reached
    }

    /// The sequence number of stream offset `offset` (wrapping, as on the wire).
    fn seq_at(&self, offset: u64) -> u32 {
        self.start_seq.wrapping_add(offset as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISN: u32 = 1000;

    fn cfg(depth: u64, window_keep: usize) -> StreamConfig {
        StreamConfig {
            depth,
            window_keep,
            ..StreamConfig::default()
        }
    }

    struct Rig {
        r: Reassembler,
        mem: MemBudget,
        stats: StreamStats,
    }

    impl Rig {
        fn new(start: u32, cfg: StreamConfig) -> Self {
            Rig {
                r: Reassembler::new(start, &cfg),
                mem: MemBudget::new(cfg.memcap),
                stats: StreamStats::default(),
            }
        }

        fn put(&mut self, seq: u32, data: &[u8]) -> InsertOutcome {
            self.r.insert(seq, data, &mut self.mem, &mut self.stats)
        }

        fn data(&self) -> &[u8] {
            self.r.window().data
        }
    }

    #[test]
    fn in_order_segments_append() {
        let mut rig = Rig::new(ISN + 1, StreamConfig::default());
        let out = rig.put(ISN + 1, b"GET / HTTP/1.1\r\n");
        assert_eq!(out.delivered, 16);
        rig.put(ISN + 17, b"Host: a\r\n");
        assert_eq!(rig.data(), b"GET / HTTP/1.1\r\nHost: a\r\n");
        assert_eq!(rig.r.window().base_offset, 0);
        assert_eq!(rig.r.window().new_from, 0);
        assert_eq!(rig.r.next_seq(), ISN + 26);
        assert_eq!(rig.mem.used(), 25);
        assert_eq!(rig.r.held_bytes(), 25);
        assert_eq!(rig.stats.segments, 2);
        assert_eq!(rig.stats.in_order_bytes, 25);
        assert!(rig.r.has_new_data());
        // Empty payloads are not segments.
        assert_eq!(rig.put(ISN + 26, b""), InsertOutcome::default());
        assert_eq!(rig.stats.segments, 2);
    }

    #[test]
    fn out_of_order_delivered_when_gap_fills() {
        let mut rig = Rig::new(1, StreamConfig::default());
        let out = rig.put(9, b"ccc");
        assert_eq!((out.delivered, out.buffered), (0, 3));
        let out = rig.put(1, b"aaaa");
        assert_eq!((out.delivered, out.buffered), (4, 0));
        assert_eq!(rig.data(), b"aaaa");
        let out = rig.put(5, b"bbbb");
        assert_eq!(out.delivered, 7);
        assert_eq!(rig.data(), b"aaaabbbbccc");
        assert_eq!(rig.stats.ooo_segments, 1);
        assert_eq!(rig.stats.in_order_bytes, 11);
        assert_eq!(rig.mem.used(), 11);
        assert_eq!(rig.r.next_seq(), 12);
    }

    #[test]
    fn retransmission_ignored() {
        let mut rig = Rig::new(1, StreamConfig::default());
        rig.put(1, b"hello");
        let out = rig.put(1, b"hello");
        assert!(out.retransmission);
        assert!(!out.overlap_diff);
        assert_eq!(out.delivered, 0);
        // Retransmission of buffered out-of-order data.
        rig.put(20, b"zz");
        let out = rig.put(20, b"zz");
        assert!(out.retransmission);
        assert_eq!(out.buffered, 0);
        assert_eq!(rig.data(), b"hello");
        assert_eq!(rig.stats.retransmissions, 2);
        assert_eq!(rig.stats.overlaps, 0);
        assert_eq!(rig.mem.used(), 7);
    }

    #[test]
    fn partial_overlap_keeps_first_data() {
        let mut rig = Rig::new(1, StreamConfig::default());
        rig.put(1, b"abcd");
        let out = rig.put(3, b"XYef");
        assert!(out.overlap);
        assert!(out.overlap_diff);
        assert_eq!(out.delivered, 2);
        assert_eq!(rig.data(), b"abcdef");
        // Overlap with a buffered segment, spanning a gap on each side.
        rig.put(10, b"jk");
        let out = rig.put(8, b"hiJKlm");
        assert!(out.overlap);
        assert!(out.overlap_diff);
        assert_eq!(out.buffered, 4);
        rig.put(7, b"g");
        assert_eq!(rig.data(), b"abcdefghijklm");
        assert_eq!(rig.stats.overlaps, 2);
        assert_eq!(rig.stats.overlap_diffs, 2);
        assert_eq!(rig.mem.used(), 13);
        // A retransmission with different content is flagged too.
        let out = rig.put(1, b"abXd");
        assert!(out.retransmission && out.overlap_diff);
        assert_eq!(rig.data(), b"abcdefghijklm");
    }

    #[test]
    fn sequence_wraparound() {
        let start = u32::MAX - 3;
        let mut rig = Rig::new(start, StreamConfig::default());
        // Bytes at sequence 2^32-4 .. 2^32+3 straddle the wrap.
        rig.put(start, b"0123");
        rig.put(4, b"89");
        rig.put(0, b"4567");
        assert_eq!(rig.data(), b"0123456789");
        assert_eq!(rig.r.next_offset(), 10);
        assert_eq!(rig.r.next_seq(), 6);
        // Bytes before the stream start (e.g. the ISN) are not stream data.
        let out = rig.put(start - 2, b"xx");
        assert!(out.retransmission);
        let out = rig.put(start - 2, b"xx0123456789AB");
        assert!(out.overlap);
        assert!(!out.overlap_diff);
        assert_eq!(rig.data(), b"0123456789AB");
    }

    #[test]
    fn depth_cutoff() {
        let mut rig = Rig::new(1, cfg(10, 4096));
        let out = rig.put(1, b"0123456");
        assert!(!out.depth_cut);
        assert!(!rig.r.depth_reached());
        let out = rig.put(8, b"789ABC");
        assert!(out.depth_cut);
        assert_eq!(out.delivered, 3);
        assert_eq!(rig.data(), b"0123456789");
        assert!(rig.r.depth_reached());
        let out = rig.put(11, b"DEF");
        assert!(out.depth_cut);
        assert_eq!(out.delivered, 0);
        assert_eq!(rig.stats.depth_reached, 1);
        assert_eq!(rig.mem.used(), 10);
        // Depth 0 is unlimited.
        let mut unlimited = Rig::new(1, cfg(0, 4096));
        unlimited.put(1, &[7; 5000]);
        assert_eq!(unlimited.data().len(), 5000);
        assert!(!unlimited.r.depth_reached());
    }

    #[test]
    fn memcap_drop_counted() {
        let mut rig = Rig::new(
            1,
            StreamConfig {
                memcap: 10,
                ..StreamConfig::default()
            },
        );
        rig.put(1, b"abcdef");
        let out = rig.put(20, b"XYZWV");
        assert!(out.memcap_drop);
        assert_eq!(out.buffered, 0);
        let out = rig.put(7, b"ghij");
        assert!(!out.memcap_drop);
        let out = rig.put(11, b"k");
        assert!(out.memcap_drop);
        assert_eq!(rig.stats.memcap_drops, 2);
        assert_eq!(rig.data(), b"abcdefghij");
        assert_eq!(rig.mem.used(), 10);
        // Releasing returns everything to the shared budget.
        rig.r.release(&mut rig.mem);
        assert_eq!(rig.mem.used(), 0);
        assert_eq!(rig.r.held_bytes(), 0);
        assert!(rig.data().is_empty());
    }

    #[test]
    fn mark_inspected_keeps_window_keep_bytes() {
        let mut rig = Rig::new(1, cfg(0, 4));
        rig.put(1, b"0123456789");
        rig.r.mark_inspected(&mut rig.mem);
        assert!(!rig.r.has_new_data());
        let w = rig.r.window();
        assert_eq!(w.data, b"6789");
        assert_eq!(w.base_offset, 6);
        assert_eq!(w.new_from, 4);
        assert!(w.new_data().is_empty());
        assert_eq!(rig.mem.used(), 4);
        rig.put(11, b"AB");
        let w = rig.r.window();
        assert_eq!(w.data, b"6789AB");
        assert_eq!(w.new_data(), b"AB");
        assert_eq!(w.new_from, 4);
        // Short streams keep everything.
        let mut short = Rig::new(1, cfg(0, 4));
        short.put(1, b"ab");
        short.r.mark_inspected(&mut short.mem);
        assert_eq!(short.r.window().data, b"ab");
        assert_eq!(short.r.window().new_from, 2);
        assert_eq!(short.mem.used(), 2);
    }

    #[test]
    fn pattern_split_across_segments_is_contiguous() {
        let mut rig = Rig::new(ISN + 1, cfg(0, 8));
        rig.put(ISN + 1, b"xxxxxxxxxxxx/etc/pa");
        rig.r.mark_inspected(&mut rig.mem);
        rig.put(ISN + 20, b"sswd yyyy");
        let w = rig.r.window();
        let hit = w.data.windows(11).position(|s| s == b"/etc/passwd");
        // Kept: the last 8 inspected bytes "x/etc/pa", from stream offset 11.
        assert_eq!(hit, Some(1));
        assert_eq!(w.base_offset, 11);
        assert_eq!(w.data, b"x/etc/passwd yyyy");
        assert_eq!(w.new_data(), b"sswd yyyy");
    }

    #[test]
    fn in_order_path_reuses_buffer() {
        let mut rig = Rig::new(1, cfg(0, 16));
        rig.put(1, &[1; 64]);
        rig.r.mark_inspected(&mut rig.mem);
        let before = rig.data().as_ptr();
        let mut seq = 65;
        for _ in 0..10 {
            rig.put(seq, &[2; 32]);
            rig.r.mark_inspected(&mut rig.mem);
            seq += 32;
        }
        assert_eq!(rig.data().as_ptr(), before);
        assert_eq!(rig.data(), &[2; 16]);
        assert_eq!(rig.r.window().base_offset, 64 + 320 - 16);
    }

    #[test]
    fn shuffled_overlapping_segments_rebuild_the_stream() {
        // Deterministic LCG: segments of a 3000-byte stream crossing the sequence wrap, sent in
        // a scrambled order with duplicates and overlaps, must rebuild it exactly.
        let stream: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
        let start = u32::MAX - 1000;
        let mut state: u64 = 42;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let mut segments: Vec<(usize, usize)> = (0..400)
            .map(|_| {
                let off = next() % 3000;
                (off, (off + 1 + next() % 120).min(3000))
            })
            .collect();
        segments.extend((0..3000).step_by(100).map(|o| (o, o + 100)));
        let mut rig = Rig::new(start, cfg(0, 4096));
        let mut inspected = Vec::new();
        for (a, b) in segments {
            rig.put(start.wrapping_add(a as u32), &stream[a..b]);
            if rig.r.has_new_data() {
                inspected.extend_from_slice(rig.r.window().new_data());
                rig.r.mark_inspected(&mut rig.mem);
            }
        }
        assert_eq!(inspected, stream);
        assert_eq!(rig.stats.overlap_diffs, 0);
        assert_eq!(rig.stats.in_order_bytes, 3000);
        assert_eq!(rig.mem.used(), 3000);
        assert_eq!(rig.r.next_seq(), start.wrapping_add(3000));
    }
}
