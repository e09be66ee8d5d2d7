//! `pcre:[!]"/<regex>/<flags>"`: splits the expression from its flags and sorts the flags into
//! PCRE compile flags, `R`, Suricata modifiers Portcullis keeps (`B`, `O`), and HTTP buffer
//! selectors, which make the rule unsupported until the HTTP inspection exists.
//! The expression itself is compiled by the matcher, not here.

use super::ast::Pcre;
use super::error::{bad, PResult, ParseError};
use super::lexer::unquote;

/// Buffer-selecting modifiers (U=http_uri, I=http_raw_uri, P=http_client_body,
/// Q=http_server_body, H=http_header, D=http_raw_header, M=http_method, C=http_cookie,
/// S=http_stat_code, Y=http_stat_msg, V=http_user_agent, W=http_host, Z=http_raw_host).
const BUFFER_FLAGS: &[u8] = b"UIPQHDMCSYVWZ";

/// Parses a `pcre` value.
pub fn parse_pcre(value: &str) -> PResult<Pcre> {
    let (negated, rest) = match value.strip_prefix('!') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, value),
    };
    let body = unquote(rest)?;
    let Some(after_open) = body.strip_prefix('/') else {
        return bad(format!("pcre '{body}' does not start with '/'"));
    };
    let Some(close) = after_open.rfind('/') else {
        return bad(format!("pcre '{body}' has no closing '/'"));
    };
    let pattern = &after_open[..close];
    if pattern.is_empty() {
        return bad("empty pcre");
    }
    let mut pcre = Pcre {
        pattern: pattern.to_string(),
        flags: String::new(),
        negated,
        relative: false,
        suricata_flags: String::new(),
    };
    for c in after_open[close + 1..].bytes() {
        match c {
            b'i' | b's' | b'm' | b'x' | b'A' | b'E' | b'G' => pcre.flags.push(c as char),
            b'R' => pcre.relative = true,
            b'B' | b'O' => pcre.suricata_flags.push(c as char),
            c if BUFFER_FLAGS.contains(&c) => {
                return Err(ParseError::unsupported(format!("pcre flag {}", c as char)))
            }
            c => return bad(format!("unknown pcre flag '{}'", c as char)),
        }
    }
    Ok(pcre)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pattern_and_flags() {
        assert_eq!(
            parse_pcre("\"/^\\x7c\\/a\\;b/smiRBO\"").unwrap(),
            Pcre {
                pattern: "^\\x7c\\/a\\;b".into(),
                flags: "smi".into(),
                negated: false,
                relative: true,
                suricata_flags: "BO".into(),
            }
        );
        let p = parse_pcre("!\"/a\"b/\"").unwrap();
        assert!(p.negated);
        assert_eq!(p.pattern, "a\"b");
        assert_eq!(p.flags, "");
        assert_eq!(parse_pcre("/x/AEG").unwrap().flags, "AEG");
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse_pcre("\"/a/Ui\"").unwrap_err(),
            ParseError::unsupported("pcre flag U")
        );
        assert_eq!(
            parse_pcre("\"/a/Z\"").unwrap_err(),
            ParseError::unsupported("pcre flag Z")
        );
        assert_eq!(
            parse_pcre("\"/a/q\"").unwrap_err(),
            ParseError::malformed("unknown pcre flag 'q'")
        );
        assert_eq!(
            parse_pcre("\"a/\"").unwrap_err(),
            ParseError::malformed("pcre 'a/' does not start with '/'")
        );
        assert_eq!(
            parse_pcre("\"/a\"").unwrap_err(),
            ParseError::malformed("pcre '/a' has no closing '/'")
        );
        assert_eq!(
            parse_pcre("\"//i\"").unwrap_err(),
            ParseError::malformed("empty pcre")
        );
    }
}
