//! The Suricata rule language: parsing rule files into [`ast::Rule`]s, with variables and the
//! classification table. Bad rules are reported with file, line and reason; unsupported keywords
//! are counted; neither stops the rest from loading.

mod addr;
pub mod ast;
mod bytes;
pub mod classification;
mod content;
pub mod error;
mod flow;
mod header;
mod lexer;
mod list;
pub mod loader;
mod modifiers;
mod num;
mod options;
mod packet;
pub mod parser;
mod pcre;
mod port;
#[cfg(test)]
mod testdata;
mod threshold;
pub mod vars;

pub use addr::parse_addr;
pub use classification::Classifications;
pub use error::{ParseError, ParseErrorKind};
pub use loader::{load_rules, LoadResult, RuleError, RuleLoader};
pub use parser::parse_rule;
pub use vars::Vars;
