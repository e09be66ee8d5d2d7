//! Where events go: the EVE JSON log file, plus the counts the human summary needs.

mod eve_file;

pub use eve_file::{EveFile, EventTally};
