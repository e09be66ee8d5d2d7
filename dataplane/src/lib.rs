//! The Portcullis data plane: packet sources, the CLI and its commands, configuration, outputs.

pub mod anomaly;
pub mod capture;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod dpdk;
pub mod inline;
pub mod output;
pub mod rules;
pub mod summary;
