//! Support for the inline test in network namespaces (`tests/inline_netns.rs`): bounded
//! commands, the namespace topology, and the `portcullis run` process.

pub mod cmd;
pub mod inline;
pub mod preflight;
pub mod topology;
