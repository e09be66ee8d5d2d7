//! Numbers as rule options write them: decimal or `0x` hex literals, byte_extract variable
//! references, and the comparison forms of header keywords (`5`, `<5`, `>=5`, `!5`, `1-5`,
//! `1<>5`). Deliberate difference: Suricata's `strtoul(.., 0)` would read `010` as octal in a
//! few keywords; here a leading zero is decimal.

use super::ast::{NumCmp, Value};
use super::error::{bad, PResult, ParseError};

/// An unsigned literal: decimal or `0x` hex.
pub fn parse_u64(text: &str) -> Option<u64> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u64::from_str_radix(hex, 16).ok()
        }
        Some(_) => None,
        None if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => t.parse().ok(),
        None => None,
    }
}

/// A signed literal: an optional `-` then [`parse_u64`].
pub fn parse_i64(text: &str) -> Option<i64> {
    let t = text.trim();
    match t.strip_prefix('-') {
        Some(rest) => parse_u64(rest)
            .and_then(|v| i64::try_from(v).ok())
            .map(|v| -v),
        None => parse_u64(t.strip_prefix('+').unwrap_or(t)).and_then(|v| i64::try_from(v).ok()),
    }
}

/// An unsigned literal that must fit `max`, with a keyword-specific error.
pub fn parse_bounded(text: &str, max: u64, what: &str) -> PResult<u64> {
    match parse_u64(text) {
        Some(v) if v <= max => Ok(v),
        _ => bad(format!("invalid {what} value '{}'", text.trim())),
    }
}

/// A literal or the name of a `byte_extract` variable already defined in the rule.
pub fn parse_value(text: &str, extracted: &[String], what: &str) -> PResult<Value> {
    let t = text.trim();
    if let Some(v) = parse_i64(t) {
        return Ok(Value::Lit(v));
    }
    let is_name = t
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !is_name {
        return bad(format!("invalid {what} value '{t}'"));
    }
    if extracted.iter().any(|n| n == t) {
        Ok(Value::Var(t.to_string()))
    } else {
        bad(format!("{what} uses undefined byte_extract variable '{t}'"))
    }
}

/// A comparison (`5`, `=5`, `!5`, `!=5`, `<5`, `<=5`, `>5`, `>=5`, `1-5`, `1<>5`) whose numbers
/// must fit `max`.
pub fn parse_numcmp(text: &str, max: u64, what: &str) -> PResult<NumCmp> {
    let t = text.trim();
    let num = |s: &str| parse_bounded(s, max, what);
    let between = |a: &str, b: &str| -> PResult<NumCmp> {
        let (a, b) = (num(a)?, num(b)?);
        if a >= b {
            return bad(format!(
                "invalid {what} range '{t}': start must be below end"
            ));
        }
        Ok(NumCmp::Between(a, b))
    };
    if let Some((a, b)) = t.split_once("<>") {
        return between(a, b);
    }
    if let Some(rest) = t.strip_prefix('!') {
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        if rest.contains('-') {
            return Err(ParseError::unsupported(format!("{what} negated range")));
        }
        return Ok(NumCmp::Ne(num(rest)?));
    }
    if let Some(rest) = t.strip_prefix("<=") {
        return Ok(NumCmp::Le(num(rest)?));
    }
    if let Some(rest) = t.strip_prefix(">=") {
        return Ok(NumCmp::Ge(num(rest)?));
    }
    if let Some(rest) = t.strip_prefix('<') {
        return Ok(NumCmp::Lt(num(rest)?));
    }
    if let Some(rest) = t.strip_prefix('>') {
        return Ok(NumCmp::Gt(num(rest)?));
    }
    if let Some(rest) = t.strip_prefix('=') {
        return Ok(NumCmp::Eq(num(rest)?));
    }
    if let Some((a, b)) = t.split_once('-') {
        return between(a, b);
    }
    Ok(NumCmp::Eq(num(t)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(parse_u64(" 42 "), Some(42));
        assert_eq!(parse_u64("0x1F"), Some(31));
        assert_eq!(parse_u64("0x"), None);
        assert_eq!(parse_u64("-1"), None);
        assert_eq!(parse_u64("1a"), None);
        assert_eq!(parse_u64("99999999999999999999"), None);
        assert_eq!(parse_i64("-7"), Some(-7));
        assert_eq!(parse_i64("+7"), Some(7));
        assert_eq!(parse_i64("--7"), None);
        assert_eq!(
            parse_bounded("256", 255, "ttl").unwrap_err(),
            ParseError::malformed("invalid ttl value '256'")
        );
    }

    #[test]
    fn values() {
        let vars = vec!["len".to_string()];
        assert_eq!(parse_value("-3", &vars, "offset").unwrap(), Value::Lit(-3));
        assert_eq!(
            parse_value("len", &vars, "offset").unwrap(),
            Value::Var("len".into())
        );
        assert_eq!(
            parse_value("size", &vars, "depth").unwrap_err(),
            ParseError::malformed("depth uses undefined byte_extract variable 'size'")
        );
        assert_eq!(
            parse_value("1x", &vars, "depth").unwrap_err(),
            ParseError::malformed("invalid depth value '1x'")
        );
    }

    #[test]
    fn comparisons() {
        let c = |s| parse_numcmp(s, 255, "ttl");
        assert_eq!(c("5").unwrap(), NumCmp::Eq(5));
        assert_eq!(c("=5").unwrap(), NumCmp::Eq(5));
        assert_eq!(c("!5").unwrap(), NumCmp::Ne(5));
        assert_eq!(c("!=5").unwrap(), NumCmp::Ne(5));
        assert_eq!(c("<5").unwrap(), NumCmp::Lt(5));
        assert_eq!(c("< 5").unwrap(), NumCmp::Lt(5));
        assert_eq!(c("<=5").unwrap(), NumCmp::Le(5));
        assert_eq!(c(">5").unwrap(), NumCmp::Gt(5));
        assert_eq!(c(">=5").unwrap(), NumCmp::Ge(5));
        assert_eq!(c("1-5").unwrap(), NumCmp::Between(1, 5));
        assert_eq!(c("7<>20").unwrap(), NumCmp::Between(7, 20));
        assert_eq!(c("0x10").unwrap(), NumCmp::Eq(16));
        assert_eq!(
            c("5-1").unwrap_err(),
            ParseError::malformed("invalid ttl range '5-1': start must be below end")
        );
        assert_eq!(
            c("300").unwrap_err(),
            ParseError::malformed("invalid ttl value '300'")
        );
        assert_eq!(
            c("!1-5").unwrap_err(),
            ParseError::unsupported("ttl negated range")
        );
        assert_eq!(
            c("").unwrap_err(),
            ParseError::malformed("invalid ttl value ''")
        );
    }
}
