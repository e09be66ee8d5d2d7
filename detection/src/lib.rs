//! The Portcullis engine: everything between "a frame arrived at time t" and "forward, drop or
//! answer it, and these events happened". No I/O and no DPDK here, so every piece is testable on
//! any machine and behaves identically behind the pcap reader and the DPDK data plane.

pub mod decode;
pub mod detect;
pub mod engine;
pub mod eve;
pub mod flow;
pub mod respond;
pub mod rules;
pub mod stream;
pub mod threshold;
pub mod time;
