//! Decoding of `content` strings: `|41 42|` hex sections and the `\"` `\;` `\\` `\:` escapes,
//! as Suricata's content parser accepts them.

use super::error::{bad, PResult};
use super::lexer::unquote;

/// Parses a `content` value, `[!]"..."`, into (negated, bytes).
pub fn parse_content_value(value: &str) -> PResult<(bool, Vec<u8>)> {
    let (negated, rest) = match value.strip_prefix('!') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, value),
    };
    let bytes = decode(unquote(rest)?)?;
    if bytes.is_empty() {
        return bad("empty content");
    }
    Ok((negated, bytes))
}

/// Decodes the text between the quotes.
pub fn decode(text: &str) -> PResult<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut in_hex = false;
    let mut escaped = false;
    let mut nibble: Option<u8> = None;
    for &b in text.as_bytes() {
        if in_hex {
            match b {
                b'|' => {
                    if nibble.is_some() {
                        return bad(format!("odd number of hex digits in content '{text}'"));
                    }
                    in_hex = false;
                }
                b' ' | b'\t' => {}
                _ => {
                    let Some(v) = hex_value(b) else {
                        return bad(format!(
                            "invalid hex character '{}' in content '{text}'",
                            b as char
                        ));
                    };
                    match nibble.take() {
                        Some(hi) => out.push(hi << 4 | v),
                        None => nibble = Some(v),
                    }
                }
            }
        } else if escaped {
            if !matches!(b, b'\\' | b'"' | b';' | b':') {
                return bad(format!(
                    "invalid escape '\\{}' in content '{text}'",
                    b as char
                ));
            }
            out.push(b);
            escaped = false;
        } else {
            match b {
                b'\\' => escaped = true,
                b'|' => in_hex = true,
                _ => out.push(b),
            }
        }
    }
    if in_hex {
        return bad(format!("unterminated hex section in content '{text}'"));
    }
    if escaped {
        return bad(format!("content ends with a lone backslash '{text}'"));
    }
    Ok(out)
}

/// Value of one hex digit.
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::error::ParseError;

    #[test]
    fn hex_and_escapes() {
        assert_eq!(
            decode("uid=0|28|root|29|").unwrap(),
            b"uid=0(root)".to_vec()
        );
        assert_eq!(decode("|41 42|C|0d 0A|").unwrap(), b"ABC\r\n".to_vec());
        assert_eq!(decode("|4142 43|").unwrap(), b"ABC".to_vec());
        assert_eq!(decode(r#"a\"b\;c\\d\:e"#).unwrap(), b"a\"b;c\\d:e".to_vec());
        assert_eq!(
            decode("WWW-Authenticate\\: ").unwrap(),
            b"WWW-Authenticate: ".to_vec()
        );
    }

    #[test]
    fn value_with_negation() {
        assert_eq!(
            parse_content_value("!\"|00|a\"").unwrap(),
            (true, vec![0, b'a'])
        );
        assert_eq!(
            parse_content_value("! \"x\"").unwrap(),
            (true, b"x".to_vec())
        );
        assert_eq!(
            parse_content_value("\"x\"").unwrap(),
            (false, b"x".to_vec())
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            decode("|4|").unwrap_err(),
            ParseError::malformed("odd number of hex digits in content '|4|'")
        );
        assert_eq!(
            decode("|4g|").unwrap_err(),
            ParseError::malformed("invalid hex character 'g' in content '|4g|'")
        );
        assert_eq!(
            decode("|41").unwrap_err(),
            ParseError::malformed("unterminated hex section in content '|41'")
        );
        assert_eq!(
            decode("a\\x").unwrap_err(),
            ParseError::malformed("invalid escape '\\x' in content 'a\\x'")
        );
        assert_eq!(
            decode("a\\").unwrap_err(),
            ParseError::malformed("content ends with a lone backslash 'a\\'")
        );
        assert_eq!(
            parse_content_value("\"\"").unwrap_err(),
            ParseError::malformed("empty content")
        );
    }
}
