//! The capture under construction: conversations are written one after another, each with its own
//! clock, and may overlap in time; `finish` merges them into one time-ordered frame list the way
//! a real capture interleaves concurrent connections.

use portcullis_detection::time::Timestamp;

/// First instant of the capture: 2026-01-01T00:00:00Z, in seconds since the Unix epoch.
pub(crate) const EPOCH_SECS: u64 = 1_767_225_600;

/// Frames and flow count collected so far.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    frames: Vec<(Timestamp, Vec<u8>)>,
    flows: usize,
}

impl Trace {
    /// Records `frame` seen `at` microseconds after [`EPOCH_SECS`].
    pub(crate) fn push(&mut self, at: u64, frame: Vec<u8>) {
        self.frames
            .push((Timestamp(EPOCH_SECS * 1_000_000 + at), frame));
    }

    /// Counts one more flow (a new bidirectional 5-tuple, or ICMP echo identifier).
    pub(crate) fn new_flow(&mut self) {
        self.flows += 1;
    }

    /// The flows counted so far.
    pub(crate) fn flows(&self) -> usize {
        self.flows
    }

    /// All frames ordered by time; frames with equal timestamps keep their writing order.
    pub(crate) fn finish(mut self) -> Vec<(Timestamp, Vec<u8>)> {
        self.frames.sort_by_key(|(ts, _)| *ts);
        self.frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_orders_by_time_and_keeps_ties_stable() {
        let mut t = Trace::default();
        t.push(30, vec![3]);
        t.push(10, vec![1]);
        t.push(30, vec![4]);
        t.push(20, vec![2]);
        t.new_flow();
        assert_eq!(t.flows(), 1);
        let frames = t.finish();
        let order: Vec<u8> = frames.iter().map(|(_, f)| f[0]).collect();
        assert_eq!(order, vec![1, 2, 3, 4]);
        assert_eq!(frames[0].0, Timestamp(1_767_225_600_000_010));
    }
}
