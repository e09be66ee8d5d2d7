//! Raw bindings to the system DPDK and a C shim for its static-inline functions.
//!
//! Empty until the inline data plane lands (issue 4): the offline engine needs no DPDK, and this
//! crate is where every DPDK `unsafe` will live so the rest of the workspace stays safe.
