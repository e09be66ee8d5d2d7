//! One module per CLI command; each takes parsed options and returns a one-line error reason.

pub mod demo_capture;
pub mod read;
pub mod rules_check;
