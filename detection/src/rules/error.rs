//! Why a rule was not loaded: either it uses something Portcullis does not implement yet, or it
//! is wrong. The loader counts the first kind by keyword and lists the second with file and line.

use std::fmt;

/// The two ways a rule can fail to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Valid Suricata, but uses a keyword, protocol or form Portcullis does not support (yet).
    /// Holds the keyword (or a short form such as `protocol http`, `pcre flag U`), which is
    /// what `rules check` groups by.
    Unsupported(String),
    /// Not a valid rule: holds a human-readable reason.
    Malformed(String),
}

/// A rule that could not be turned into an [`super::ast::Rule`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    /// A rule using something valid but not supported.
    pub fn unsupported(what: impl Into<String>) -> Self {
        ParseError {
            kind: ParseErrorKind::Unsupported(what.into()),
        }
    }

    /// An invalid rule.
    pub fn malformed(reason: impl Into<String>) -> Self {
        ParseError {
            kind: ParseErrorKind::Malformed(reason.into()),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ParseErrorKind::Unsupported(what) => write!(f, "unsupported: {what}"),
            ParseErrorKind::Malformed(reason) => write!(f, "malformed: {reason}"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Shorthand for parser results.
pub type PResult<T> = Result<T, ParseError>;

/// Shorthand for `Err(ParseError::malformed(..))`.
pub fn bad<T>(reason: impl Into<String>) -> PResult<T> {
    Err(ParseError::malformed(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_kind() {
        assert_eq!(
            ParseError::unsupported("http.uri").to_string(),
            "unsupported: http.uri"
        );
        assert_eq!(
            ParseError::malformed("missing sid").to_string(),
            "malformed: missing sid"
        );
    }
}
