//! The Portcullis data plane: packet sources, the CLI and its commands, configuration, outputs.

pub mod cli;
pub mod demo;
