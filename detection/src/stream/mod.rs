//! TCP stream reassembly, per direction.
//!
//! A [`Reassembler`] turns the segments of one direction of a TCP flow into a contiguous byte
//! stream: out-of-order data is held until the gap fills, retransmissions and overlaps are
//! settled by an [`OverlapPolicy`], and [`Reassembler::window`] shows the detection engine the
//! new bytes together with a tail of already-inspected ones. Buffered bytes of all reassemblers
//! of a worker count against one [`MemBudget`].

mod budget;
mod config;
mod reassembler;

pub use budget::MemBudget;
pub use config::{
    OverlapPolicy, StreamConfig, DEFAULT_DEPTH, DEFAULT_REASSEMBLY_MEMCAP, DEFAULT_WINDOW_KEEP,
};
pub use reassembler::{InsertOutcome, Reassembler, StreamStats, StreamWindow};
