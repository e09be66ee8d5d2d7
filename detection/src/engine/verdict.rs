//! The engine's answer for one packet.

/// Who receives the answer of a reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectTarget {
    /// The sender of the packet (`reject`, `rejectsrc`).
    Source,
    /// The receiver (`rejectdst`).
    Destination,
    /// Both sides (`rejectboth`).
    Both,
}

/// What to do with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Forward it.
    Pass,
    /// Drop it silently.
    Drop,
    /// Drop it and answer (TCP RST, ICMP unreachable otherwise).
    Reject(RejectTarget),
}

impl Verdict {
    /// Whether the packet must not be forwarded.
    pub fn is_drop(self) -> bool {
        !matches!(self, Verdict::Pass)
    }
}
