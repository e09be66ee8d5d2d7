//! Signature matching: rule groups, Hyperscan prefilter, per-rule verification.
//!
//! [`DetectEngine::build`] compiles parsed [`Rule`](crate::rules::ast::Rule)s once; workers
//! call [`DetectEngine::inspect`] with their own [`Scratch`] for every packet (packet pass) and
//! every reassembled stream window (stream pass). Matches come back as [`RuleId`]s in
//! signature order.
//!
//! Module map: `address`/`rangeset` compile address and port lists; `header` checks protocol,
//! `flow` and header keywords; `payload` (with `search`, `bytes`, `pcre`) evaluates payload
//! keywords with backtracking; `flowbits` interns and evaluates flowbits; `compile` turns one
//! rule into its matching form and defines signature order; `prefilter` groups rules and
//! builds the Hyperscan databases; `engine` ties them together.

mod address;
mod bytes;
mod compile;
mod engine;
mod flowbits;
mod header;
mod payload;
mod pcre;
mod prefilter;
mod rangeset;
mod search;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;

pub use engine::{BuildReport, DetectEngine, RuleId, Scratch};
pub use flowbits::FlowBits;

pub(crate) use address::AddrSet;

use crate::decode::Packet;

/// What the flow layer knows about the packet being inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowContext {
    /// The packet goes from client to server.
    pub direction_to_server: bool,
    /// The TCP handshake completed (or, for other protocols, both sides have spoken).
    pub established: bool,
    /// Reassembly runs for this direction, so plain `tcp` payload rules are left to the
    /// stream pass.
    pub stream_active: bool,
}

/// One call's input: the packet, its flow context and which buffer to inspect.
#[derive(Debug, Clone)]
pub struct Inspection<'a> {
    /// The packet that triggered the inspection (headers are always checked against it).
    pub packet: &'a Packet<'a>,
    /// Flow context; `None` for packets without a flow.
    pub flow: Option<FlowContext>,
    /// Packet pass or stream pass.
    pub pass: Pass<'a>,
}

/// Which buffer payload keywords run over.
#[derive(Debug, Clone, Copy)]
pub enum Pass<'a> {
    /// Per-packet pass: header-only rules, and payload rules on the packet payload (`tcp-pkt`,
    /// `udp`, `icmp`, `ip` rules, and plain `tcp` rules when `stream_active` is false).
    Packet,
    /// Stream pass over reassembled data for `tcp`/`tcp-stream` payload rules when the stream
    /// is active. `data[i]` is stream offset `base_offset + i`; `data[new_from..]` has not been
    /// inspected yet. Absolute offsets in rules are stream offsets, and a match is reported only
    /// if its final position lies past `new_from` (see the `payload` module).
    Stream {
        /// The reassembled window.
        data: &'a [u8],
        /// Stream offset of `data[0]`.
        base_offset: u64,
        /// Index in `data` where new data starts.
        new_from: usize,
    },
}
