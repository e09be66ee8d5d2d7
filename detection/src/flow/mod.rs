//! Bidirectional flows keyed by 5-tuple, TCP connection state, timeouts and memcap.
//!
//! [`FlowTable::lookup`] maps every IP packet to its [`Flow`] and [`Direction`], creating the
//! flow on first sight and advancing its [`TcpTracker`]; [`FlowTable::expire`] retires idle
//! flows by packet time. One table per worker, no locks.

mod config;
mod key;
mod lru;
mod table;
mod tcp;

pub use config::{FlowConfig, FlowTimeouts, ProtoTimeouts, DEFAULT_FLOW_MEMCAP, FLOW_MEMORY_COST};
pub use key::{Direction, Endpoint, FlowKey};
pub use table::{Flow, FlowEnd, FlowLookup, FlowPhase, FlowStats, FlowTable};
pub use tcp::{payload_seq, TcpEvents, TcpState, TcpTracker};
