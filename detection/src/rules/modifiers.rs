//! Content modifiers (`nocase`, `offset`, `depth`, `distance`, `within`, `startswith`,
//! `endswith`, `fast_pattern`, `rawbytes`) and the conflicts Suricata refuses: a modifier given
//! twice, absolute (offset/depth) mixed with relative (distance/within) positioning,
//! startswith with any positioning, a depth or within shorter than the content, a negative
//! offset or depth, a fast_pattern chop outside the content.

use super::ast::{Content, FastPattern, Value};
use super::error::{bad, PResult};
use super::num::{parse_u64, parse_value};

/// Largest offset/depth Suricata accepts (they are 16-bit there).
const MAX_ABSOLUTE: i64 = u16::MAX as i64;
/// Largest distance/within magnitude (32-bit signed there).
const MAX_RELATIVE: i64 = i32::MAX as i64;

/// Whether `keyword` is a content modifier.
pub fn is_modifier(keyword: &str) -> bool {
    matches!(
        keyword,
        "nocase"
            | "rawbytes"
            | "startswith"
            | "endswith"
            | "fast_pattern"
            | "offset"
            | "depth"
            | "distance"
            | "within"
    )
}

/// Applies modifier `keyword` to `content`. `extracted` names the byte_extract variables seen so
/// far. Rule-wide checks (one fast_pattern per rule) are the caller's.
pub fn apply_modifier(
    content: &mut Content,
    keyword: &str,
    value: Option<&str>,
    extracted: &[String],
) -> PResult<()> {
    match (keyword, value) {
        ("nocase", None) => flag(&mut content.nocase, keyword),
        ("rawbytes", None) => {
            content.rawbytes = true;
            Ok(())
        }
        ("startswith", None) => {
            if has_position(content) {
                return bad("startswith cannot be mixed with offset/depth/distance/within");
            }
            flag(&mut content.startswith, keyword)
        }
        ("endswith", None) => flag(&mut content.endswith, keyword),
        ("fast_pattern", v) => fast_pattern(content, v),
        ("offset" | "depth" | "distance" | "within", Some(v)) => {
            position(content, keyword, parse_value(v, extracted, keyword)?)
        }
        ("offset" | "depth" | "distance" | "within", None) => {
            bad(format!("{keyword} needs a value"))
        }
        (_, Some(_)) => bad(format!("{keyword} takes no value")),
        (_, None) => bad(format!("unknown content modifier {keyword}")),
    }
}

/// Any of offset/depth/distance/within set.
fn has_position(c: &Content) -> bool {
    c.offset.is_some() || c.depth.is_some() || c.distance.is_some() || c.within.is_some()
}

/// Sets a boolean modifier that may appear once.
fn flag(slot: &mut bool, keyword: &str) -> PResult<()> {
    if *slot {
        return bad(format!("{keyword} given twice for one content"));
    }
    *slot = true;
    Ok(())
}

/// `offset`, `depth`, `distance`, `within`.
fn position(c: &mut Content, keyword: &str, v: Value) -> PResult<()> {
    let absolute = matches!(keyword, "offset" | "depth");
    if c.startswith {
        return bad(format!("{keyword} cannot be used with startswith"));
    }
    let clash = if absolute {
        c.is_relative()
    } else {
        c.offset.is_some() || c.depth.is_some()
    };
    if clash {
        return bad(format!(
            "{keyword} mixes absolute (offset/depth) and relative (distance/within) positioning"
        ));
    }
    if let Value::Lit(n) = v {
        let len = c.pattern.len() as i64;
        let (lo, hi) = match keyword {
            "offset" => (0, MAX_ABSOLUTE),
            "depth" => (1, MAX_ABSOLUTE),
            "distance" => (-MAX_RELATIVE, MAX_RELATIVE),
            _ => (1, MAX_RELATIVE),
        };
        if n < lo || n > hi {
            return bad(format!("{keyword} {n} out of range {lo}..={hi}"));
        }
        if matches!(keyword, "depth" | "within") && n < len {
            return bad(format!(
                "{keyword} {n} is smaller than the content length {len}"
            ));
        }
    }
    let slot = match keyword {
        "offset" => &mut c.offset,
        "depth" => &mut c.depth,
        "distance" => &mut c.distance,
        _ => &mut c.within,
    };
    if slot.replace(v).is_some() {
        return bad(format!("{keyword} given twice for one content"));
    }
    Ok(())
}

/// `fast_pattern`, `fast_pattern:only`, `fast_pattern:<offset>,<length>`.
fn fast_pattern(c: &mut Content, value: Option<&str>) -> PResult<()> {
    if c.fast_pattern.is_some() {
        return bad("fast_pattern given twice for one content");
    }
    let mut fp = FastPattern::default();
    match value.map(str::trim) {
        None => {}
        Some("only") => fp.only = true,
        Some(v) => {
            let chop = v.split_once(',').and_then(|(o, l)| {
                let o = u16::try_from(parse_u64(o)?).ok()?;
                let l = u16::try_from(parse_u64(l)?).ok()?;
                Some((o, l))
            });
            let Some((off, len)) = chop else {
                return bad(format!("invalid fast_pattern argument '{v}'"));
            };
            if len == 0 || usize::from(off) + usize::from(len) > c.pattern.len() {
                return bad(format!(
                    "fast_pattern {off},{len} is outside the content of length {}",
                    c.pattern.len()
                ));
            }
            fp.chop = Some((off, len));
        }
    }
    c.fast_pattern = Some(fp);
    Ok(())
}

/// Checks that depend on every modifier of a content, run once the rule is complete:
/// `fast_pattern:only` proves the content by itself, so it cannot be negated or positioned.
pub fn check_content(c: &Content) -> PResult<()> {
    if c.fast_pattern.is_some_and(|fp| fp.only) && (c.negated || has_position(c)) {
        return bad("fast_pattern:only cannot be used on a negated or positioned content");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::error::ParseError;

    fn content(p: &str) -> Content {
        Content {
            pattern: p.as_bytes().to_vec(),
            ..Content::default()
        }
    }

    fn apply(c: &mut Content, k: &str, v: Option<&str>) -> PResult<()> {
        apply_modifier(c, k, v, &["n".to_string()])
    }

    #[test]
    fn applies_each_modifier() {
        let mut c = content("abcd");
        apply(&mut c, "nocase", None).unwrap();
        apply(&mut c, "rawbytes", None).unwrap();
        apply(&mut c, "offset", Some("3")).unwrap();
        apply(&mut c, "depth", Some("n")).unwrap();
        apply(&mut c, "endswith", None).unwrap();
        apply(&mut c, "fast_pattern", Some("1,2")).unwrap();
        assert_eq!(
            c,
            Content {
                pattern: b"abcd".to_vec(),
                negated: false,
                nocase: true,
                offset: Some(Value::Lit(3)),
                depth: Some(Value::Var("n".into())),
                distance: None,
                within: None,
                startswith: false,
                endswith: true,
                fast_pattern: Some(FastPattern {
                    only: false,
                    chop: Some((1, 2))
                }),
                rawbytes: true,
            }
        );
        let mut c = content("ab");
        apply(&mut c, "distance", Some("-2")).unwrap();
        apply(&mut c, "within", Some("2")).unwrap();
        apply(&mut c, "fast_pattern", None).unwrap();
        assert_eq!(
            (c.distance, c.within),
            (Some(Value::Lit(-2)), Some(Value::Lit(2)))
        );
        assert_eq!(c.fast_pattern, Some(FastPattern::default()));
        let mut c = content("ab");
        apply(&mut c, "startswith", None).unwrap();
        apply(&mut c, "fast_pattern", Some("only")).unwrap();
        assert!(c.startswith && c.fast_pattern.unwrap().only);
        check_content(&c).unwrap();
    }

    #[test]
    fn conflicts() {
        let e = |steps: &[(&str, Option<&str>)]| {
            let mut c = content("abcd");
            steps
                .iter()
                .try_for_each(|(k, v)| apply(&mut c, k, *v))
                .and_then(|()| check_content(&c))
                .unwrap_err()
        };
        assert_eq!(
            e(&[("depth", Some("5")), ("startswith", None)]),
            ParseError::malformed("startswith cannot be mixed with offset/depth/distance/within")
        );
        assert_eq!(
            e(&[("startswith", None), ("depth", Some("5"))]),
            ParseError::malformed("depth cannot be used with startswith")
        );
        assert_eq!(
            e(&[("depth", Some("-1"))]),
            ParseError::malformed("depth -1 out of range 1..=65535")
        );
        assert_eq!(
            e(&[("depth", Some("3"))]),
            ParseError::malformed("depth 3 is smaller than the content length 4")
        );
        assert_eq!(
            e(&[("within", Some("2"))]),
            ParseError::malformed("within 2 is smaller than the content length 4")
        );
        assert_eq!(
            e(&[("offset", Some("-1"))]),
            ParseError::malformed("offset -1 out of range 0..=65535")
        );
        assert_eq!(
            e(&[("offset", Some("1")), ("distance", Some("1"))]),
            ParseError::malformed(
                "distance mixes absolute (offset/depth) and relative (distance/within) positioning"
            )
        );
        assert_eq!(
            e(&[("within", Some("10")), ("depth", Some("10"))]),
            ParseError::malformed(
                "depth mixes absolute (offset/depth) and relative (distance/within) positioning"
            )
        );
        assert_eq!(
            e(&[("nocase", None), ("nocase", None)]),
            ParseError::malformed("nocase given twice for one content")
        );
        assert_eq!(
            e(&[("offset", Some("1")), ("offset", Some("2"))]),
            ParseError::malformed("offset given twice for one content")
        );
        assert_eq!(
            e(&[("fast_pattern", Some("2,3"))]),
            ParseError::malformed("fast_pattern 2,3 is outside the content of length 4")
        );
        assert_eq!(
            e(&[("fast_pattern", Some("x"))]),
            ParseError::malformed("invalid fast_pattern argument 'x'")
        );
        assert_eq!(
            e(&[("fast_pattern", Some("only")), ("offset", Some("1"))]),
            ParseError::malformed(
                "fast_pattern:only cannot be used on a negated or positioned content"
            )
        );
        assert_eq!(
            e(&[("nocase", Some("1"))]),
            ParseError::malformed("nocase takes no value")
        );
        assert_eq!(
            e(&[("within", None)]),
            ParseError::malformed("within needs a value")
        );
        assert_eq!(
            e(&[("within", Some("m"))]),
            ParseError::malformed("within uses undefined byte_extract variable 'm'")
        );
    }
}
