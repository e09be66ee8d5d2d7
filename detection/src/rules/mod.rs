//! The Suricata rule language: parsing rule files into [`ast::Rule`]s, with variables and the
//! classification table. Bad rules are reported with file, line and reason; unsupported keywords
//! are counted; neither stops the rest from loading.

pub mod ast;
