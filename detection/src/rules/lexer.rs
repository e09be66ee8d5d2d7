//! Splits a rule's text into its header and its `keyword[:value];` options, honouring double
//! quotes and backslash escapes (so `\;` and `";"` do not end an option). No regex: one pass.

use super::error::{bad, PResult};

/// One option as written: `keyword` or `keyword:value`, both trimmed, the value still raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawOption<'a> {
    /// The keyword, as written (callers compare case-insensitively).
    pub keyword: &'a str,
    /// The text after the first `:`, if any.
    pub value: Option<&'a str>,
}

/// Splits `header (options)` into the header text and the options.
///
/// Like Suricata, every option must end with an unescaped `;`, and nothing may follow the
/// closing parenthesis.
pub fn split_rule(text: &str) -> PResult<(&str, Vec<RawOption<'_>>)> {
    let Some(open) = text.find('(') else {
        return bad("no '(' opening the options");
    };
    let header = text[..open].trim();
    let rest = text[open + 1..].trim_end();
    let Some(body) = rest.strip_suffix(')') else {
        return bad("options do not end with ')'");
    };
    Ok((header, split_options(body)?))
}

/// Splits the text between the parentheses into options.
///
/// Like Suricata, an option ends at a `;` not preceded by a backslash. In addition, a `;` inside
/// a quoted value that has not been closed yet does not end it (a value is closed once the text
/// before the `;` ends with an unescaped `"`), so `msg:"a;b"` works while `pcre:"/["']/"`,
/// with a bare quote inside, still splits where Suricata splits it.
fn split_options(body: &str) -> PResult<Vec<RawOption<'_>>> {
    let bytes = body.as_bytes();
    let mut options = Vec::with_capacity(16);
    let mut start = 0;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match b {
            b'\\' => escaped = true,
            b';' if !quote_open(&body[start..i]) => {
                options.push(split_option(&body[start..i])?);
                start = i + 1;
            }
            _ => {}
        }
    }
    let rest = body[start..].trim();
    if quote_open(rest) {
        return bad("unterminated quoted string");
    }
    if !rest.is_empty() {
        return bad(format!("option '{rest}' has no terminating ';'"));
    }
    Ok(options)
}

/// Whether `option` has a value starting with `"` (or `!"`) that is not closed yet.
fn quote_open(option: &str) -> bool {
    let Some((_, value)) = option.split_once(':') else {
        return false;
    };
    let value = value.trim_start();
    let value = value.strip_prefix('!').map_or(value, str::trim_start);
    let Some(inner) = value.strip_prefix('"') else {
        return false;
    };
    let inner = inner.trim_end();
    match inner.strip_suffix('"') {
        Some(before) => {
            let backslashes = before.bytes().rev().take_while(|&b| b == b'\\').count();
            backslashes % 2 == 1
        }
        None => true,
    }
}

/// Splits one option at its first `:`.
fn split_option(text: &str) -> PResult<RawOption<'_>> {
    let text = text.trim();
    if text.is_empty() {
        return bad("empty option");
    }
    Ok(match text.split_once(':') {
        Some((k, v)) => RawOption {
            keyword: k.trim(),
            value: Some(v.trim()),
        },
        None => RawOption {
            keyword: text,
            value: None,
        },
    })
}

/// Strips one pair of surrounding double quotes, if the value starts with one.
pub fn unquote(value: &str) -> PResult<&str> {
    match value.strip_prefix('"') {
        Some(inner) => match inner.strip_suffix('"') {
            Some(inner) => Ok(inner),
            None => bad(format!("unterminated quoted string {value}")),
        },
        None => Ok(value),
    }
}

/// Removes backslash escapes (`\x` becomes `x`), as `msg` is written.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::error::ParseError;

    fn opt<'a>(keyword: &'a str, value: Option<&'a str>) -> RawOption<'a> {
        RawOption { keyword, value }
    }

    #[test]
    fn splits_header_and_options() {
        let (h, o) =
            split_rule("alert tcp any any -> any any (msg:\"a;b\"; nocase; content: \"x\\;y\" ;)")
                .unwrap();
        assert_eq!(h, "alert tcp any any -> any any");
        assert_eq!(
            o,
            vec![
                opt("msg", Some("\"a;b\"")),
                opt("nocase", None),
                opt("content", Some("\"x\\;y\"")),
            ]
        );
    }

    #[test]
    fn escaped_quote_stays_inside_string() {
        let (_, o) = split_rule("a (msg:\"say \\\"hi;\\\"\"; sid:1;)").unwrap();
        assert_eq!(o[0], opt("msg", Some("\"say \\\"hi;\\\"\"")));
        assert_eq!(o[1], opt("sid", Some("1")));
    }

    #[test]
    fn escaped_semicolon_outside_quotes() {
        let (_, o) = split_rule("a (pcre:/a\\;b/; sid:1;)").unwrap();
        assert_eq!(o[0], opt("pcre", Some("/a\\;b/")));
    }

    #[test]
    fn bare_quote_inside_quoted_value() {
        let (_, o) = split_rule(r#"a (pcre:"/^["']?post/Ri"; content:"x|22|"; sid:1;)"#).unwrap();
        assert_eq!(o[0], opt("pcre", Some(r#""/^["']?post/Ri""#)));
        assert_eq!(o[1], opt("content", Some("\"x|22|\"")));
        let (_, o) = split_rule(r#"a (content:!"a\\"; nocase;)"#).unwrap();
        assert_eq!(o[0], opt("content", Some(r#"!"a\\""#)));
        assert_eq!(o[1], opt("nocase", None));
    }

    #[test]
    fn value_splits_at_first_colon() {
        let (_, o) = split_rule("a (content:\"a:b\";)").unwrap();
        assert_eq!(o[0], opt("content", Some("\"a:b\"")));
    }

    #[test]
    fn errors() {
        assert_eq!(
            split_rule("alert tcp any any -> any any").unwrap_err(),
            ParseError::malformed("no '(' opening the options")
        );
        assert_eq!(
            split_rule("a (sid:1;").unwrap_err(),
            ParseError::malformed("options do not end with ')'")
        );
        assert_eq!(
            split_rule("a (sid:1; rev:2)").unwrap_err(),
            ParseError::malformed("option 'rev:2' has no terminating ';'")
        );
        assert_eq!(
            split_rule("a (msg:\"x; sid:1;)").unwrap_err(),
            ParseError::malformed("unterminated quoted string")
        );
        assert_eq!(
            split_rule("a (sid:1;; rev:1;)").unwrap_err(),
            ParseError::malformed("empty option")
        );
    }

    #[test]
    fn unquote_and_unescape() {
        assert_eq!(unquote("\"abc\"").unwrap(), "abc");
        assert_eq!(unquote("abc").unwrap(), "abc");
        assert!(unquote("\"abc").is_err());
        assert!(unquote("\"").is_err());
        assert_eq!(unescape(r#"a\"b\;c\\d"#), r#"a"b;c\d"#);
    }
}
