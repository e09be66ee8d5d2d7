//! The one thin safe layer over DPDK (`dpdk-ffi`): EAL, mempools, mbufs and bursts, ports and
//! their queues, lcores, rings and the software RSS hash.
//!
//! Every `unsafe` block of the data plane lives in this folder, each with a `// SAFETY:` comment.
//! Lifetimes carry DPDK's ownership rules so that misuse fails to compile: a [`Mempool`] cannot
//! outlive the [`Eal`], an [`Mbuf`] cannot outlive its pool, and a [`Port`] (whose driver holds
//! rx-ring and in-flight tx mbufs) is dropped before every pool its queues use.

mod eal;
mod error;
mod lcore;
mod mbuf;
mod mempool;
mod port;
mod ring;
mod rss;

pub use eal::Eal;
pub use error::DpdkError;
pub use lcore::{lcore_id, main_lcore, scope, tsc_cycles, tsc_hz, worker_lcores, LcoreScope};
pub use mbuf::{Mbuf, MbufBurst};
pub use mempool::Mempool;
pub use port::{
    available_ports, port_id_by_name, DevInfo, Link, Port, PortConf, PortStats, RssConf, RxQueue,
    TxQueue,
};
pub use ring::{ring, RingConsumer, RingProducer};
pub use rss::{soft_rss, soft_rss_with_key, RssFields, RssTuple, RSS_KEY_LEN, SYMMETRIC_RSS_KEY};

/// Marks a type as invariant in `'a`: a port or ring may only hold mbufs whose pool outlives it
/// exactly, so the compiler must not shrink that lifetime to admit a shorter-lived pool.
type Invariant<'a> = std::marker::PhantomData<fn(&'a ()) -> &'a ()>;
