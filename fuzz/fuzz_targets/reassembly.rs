//! Fuzzes `stream::Reassembler`: two directions sharing one small memory budget receive
//! segments at arbitrary offsets (before the stream start, overlapping, out of order, beyond the
//! depth, across the 2^32 sequence wrap and at the ±2^31 ambiguity edge), interleaved with
//! `window()`, `mark_inspected()` and `release()`.
//!
//! Checked after every step: the budget is exactly the sum of what the reassemblers hold and
//! never above the memcap; the window is consistent with `next_offset`; and every in-order byte
//! equals a reference model in which the first accepted byte at an offset wins, with the stream
//! never stopping in front of a byte that was accepted.
#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use portcullis_detection::stream::{
    InsertOutcome, MemBudget, OverlapPolicy, Reassembler, StreamConfig, StreamStats,
};

/// Where a segment starts.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Pos {
    /// Stream offset (negative: before the stream start).
    Abs(i16),
    /// Relative to the next expected byte.
    Rel(i16),
    /// A raw 32-bit sequence distance from the next expected byte (far jumps, the ±2^31 edge).
    Far(u32),
}

/// A segment's bytes.
#[derive(Arbitrary, Debug, Clone)]
enum Fill {
    /// Taken from the input.
    Bytes(Vec<u8>),
    /// `len` bytes of a counting pattern starting at `seed` (big segments from little input).
    Pattern { len: u16, seed: u8 },
}

/// One step of the scenario; `dir` picks the reassembler.
#[derive(Arbitrary, Debug, Clone)]
enum Op {
    Insert { dir: bool, at: Pos, fill: Fill },
    Inspect { dir: bool },
    Release { dir: bool },
}

/// The configuration and the steps.
#[derive(Arbitrary, Debug)]
struct Scenario {
    start_seq: [u32; 2],
    memcap: u16,
    depth: u16,
    window_keep: u8,
    ops: Vec<Op>,
}

/// What the model knows about one stream offset.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    /// First value offered.
    first: Option<u8>,
    /// The byte was surely accepted (offered in an insert that dropped nothing for memcap).
    accepted: bool,
    /// The accepted value is surely `first` (no memcap drop clouded it); when false, the
    /// candidates are in `Side::candidates`.
    exact: bool,
}

/// One direction: the reassembler, its model and the bytes it delivered so far.
struct Side {
    r: Reassembler,
    start_seq: u32,
    /// Indexed by stream offset, grown on demand up to `MODEL_LIMIT`.
    model: Vec<Cell>,
    /// Every value offered at offsets whose cell is not exact, as a bitmap.
    candidates: HashMap<u64, [u64; 4]>,
    /// In-order bytes seen through `window()` since the last release, from `delivered_base`.
    delivered: Vec<u8>,
    delivered_base: u64,
}

/// Longest pattern segment (an Ethernet MTU's worth).
const MAX_PATTERN: u16 = 1500;

/// Steps per input.
const MAX_OPS: usize = 128;

/// Offsets beyond this are not modelled: they can never become in-order within one input, which
/// offers fewer bytes than this (`MAX_OPS` segments of at most `MAX_PATTERN` or input bytes,
/// starting at most `i16::MAX` past the in-order end).
const MODEL_LIMIT: u64 = 1 << 18;

fuzz_target!(|s: Scenario| {
    let cfg = StreamConfig {
        depth: u64::from(s.depth),
        window_keep: usize::from(s.window_keep),
        memcap: u64::from(s.memcap),
        policy: OverlapPolicy::First,
    };
    let mut mem = MemBudget::new(cfg.memcap);
    let mut stats = StreamStats::default();
    let mut sides = s.start_seq.map(|start_seq| Side {
        r: Reassembler::new(start_seq, &cfg),
        start_seq,
        model: Vec::new(),
        candidates: HashMap::new(),
        delivered: Vec::new(),
        delivered_base: 0,
    });
    for op in s.ops.iter().take(MAX_OPS) {
        match op {
            Op::Insert { dir, at, fill } => {
                let side = &mut sides[usize::from(*dir)];
                let data = match fill {
                    Fill::Bytes(b) => b.clone(),
                    Fill::Pattern { len, seed } => (0..*len % MAX_PATTERN)
                        .map(|i| seed.wrapping_add(i as u8))
                        .collect(),
                };
                let next = side.r.next_offset();
                let offset: i64 = match *at {
                    Pos::Abs(o) => i64::from(o),
                    Pos::Rel(d) => next as i64 + i64::from(d),
                    // The documented reading: the nearer of the two interpretations.
                    Pos::Far(d) => next as i64 + i64::from(d as i32),
                };
                let seq = side.start_seq.wrapping_add(offset as u32);
                let before = side.r.next_offset();
                let out = side.r.insert(seq, &data, &mut mem, &mut stats);
                assert_eq!(side.r.next_offset() - before, out.delivered as u64);
                model_insert(side, offset, &data, &out, cfg.depth);
            }
            Op::Inspect { dir } => {
                let side = &mut sides[usize::from(*dir)];
                let before = side.r.window().data.len();
                side.r.mark_inspected(&mut mem);
                let w = side.r.window();
                assert_eq!(w.new_from, w.data.len());
                assert!(!side.r.has_new_data());
                assert_eq!(w.data.len(), before.min(cfg.window_keep));
            }
            Op::Release { dir } => {
                let side = &mut sides[usize::from(*dir)];
                let next = side.r.next_offset();
                side.r.release(&mut mem);
                assert_eq!(side.r.held_bytes(), 0);
                assert_eq!(side.r.next_offset(), next);
                assert!(side.r.window().data.is_empty());
                // Held out-of-order bytes are gone: what comes next is accepted anew.
                side.model
                    .truncate(usize::try_from(next).unwrap_or(usize::MAX));
                side.candidates.retain(|&o, _| o < next);
                side.delivered.clear();
                side.delivered_base = next;
            }
        }
        for side in sides.iter_mut() {
            check_side(side, cfg.depth);
        }
        let held: u64 = sides.iter().map(|s| s.r.held_bytes()).sum();
        assert_eq!(mem.used(), held);
        assert!(mem.used() <= mem.limit());
    }
    for side in sides.iter_mut() {
        side.r.release(&mut mem);
    }
    assert_eq!(mem.used(), 0);
});

/// Records an insert in the model.
fn model_insert(side: &mut Side, offset: i64, data: &[u8], out: &InsertOutcome, depth: u64) {
    for (i, &v) in data.iter().enumerate() {
        let Ok(o) = u64::try_from(offset + i as i64) else {
            continue;
        };
        if o >= MODEL_LIMIT || (depth != 0 && o >= depth) {
            break;
        }
        let idx = o as usize;
        if side.model.len() <= idx {
            side.model.resize(idx + 1, Cell::default());
        }
        let cell = &mut side.model[idx];
        if cell.first.is_none() {
            cell.first = Some(v);
            cell.exact = !out.memcap_drop;
        }
        if !cell.exact {
            let set = side.candidates.entry(o).or_default();
            for b in [cell.first.unwrap_or(v), v] {
                set[usize::from(b / 64)] |= 1 << (b % 64);
            }
        }
        if !out.memcap_drop {
            cell.accepted = true;
        }
    }
}

/// Checks the window against the model and extends `delivered`.
fn check_side(side: &mut Side, depth: u64) {
    let w = side.r.window();
    let next = side.r.next_offset();
    assert_eq!(w.base_offset + w.data.len() as u64, next);
    assert!(w.new_from <= w.data.len());
    assert_eq!(side.r.has_new_data(), w.new_from < w.data.len());
    assert_eq!(side.r.next_seq(), side.start_seq.wrapping_add(next as u32));
    assert!(side.r.held_bytes() >= w.data.len() as u64);
    if depth != 0 {
        assert!(next <= depth);
    }
    assert!(w.base_offset >= side.delivered_base);
    // Bytes already delivered never change.
    let skip = (w.base_offset - side.delivered_base) as usize;
    let known = side.delivered.len().saturating_sub(skip).min(w.data.len());
    if let Some(i) = (0..known).find(|&i| w.data[i] != side.delivered[skip + i]) {
        panic!(
            "delivered byte at offset {} changed",
            w.base_offset + i as u64
        );
    }
    assert_eq!(skip + known, side.delivered.len());
    for (i, &b) in w.data[known..].iter().enumerate() {
        let o = w.base_offset + (known + i) as u64;
        let cell = side.model.get(o as usize).copied().unwrap_or_default();
        if cell.exact {
            assert_eq!(
                Some(b),
                cell.first,
                "offset {o}: the first accepted byte must win"
            );
        } else {
            let set = side.candidates.get(&o).copied().unwrap_or_default();
            assert!(
                set[usize::from(b / 64)] & (1 << (b % 64)) != 0,
                "offset {o}: {b:#04x} was never offered"
            );
        }
    }
    side.delivered.extend_from_slice(&w.data[known..]);
    // The stream never stops in front of a byte that was surely accepted.
    if let Some(cell) = side.model.get(next as usize) {
        assert!(
            !cell.accepted,
            "offset {next} was accepted but is not delivered"
        );
    }
}
