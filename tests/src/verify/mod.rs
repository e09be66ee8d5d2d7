//! Conformance against Suricata's regression suite (suricata-verify): read a test folder's
//! `test.yaml`, reproduce its Suricata run through `portcullis::cli::run`, and score the
//! `alert`/`drop` filter checks with `run.py`'s matching rules.
//!
//! Flow: [`index`] lists tests → [`spec`] parses one → [`gates`] decides whether it applies →
//! [`plan`] builds the command line → [`runner`] runs it and [`filter`] scores the EVE output →
//! [`report`] tabulates.

pub mod capabilities;
pub mod data;
pub mod filter;
pub mod gates;
pub mod index;
pub mod plan;
pub mod report;
pub mod runner;
pub mod spec;
pub mod value;
pub mod version;
