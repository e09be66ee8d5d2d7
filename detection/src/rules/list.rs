//! The grammar Suricata shares between address and port fields: `any`, atoms, `$VAR`, `!expr`,
//! and `[a, b, ...]` lists nested to any depth, with variables expanded recursively. The two
//! field kinds plug in their atoms through [`ListItem`].

use super::error::{bad, PResult, ParseError, ParseErrorKind};
use super::vars::Vars;

/// Deepest bracket/negation/variable nesting accepted (keeps recursion bounded on any input).
const MAX_DEPTH: usize = 32;

/// What an address or port expression type provides to the shared grammar.
pub trait ListItem: Sized {
    /// Name used in error messages ("address", "port").
    const WHAT: &'static str;
    /// `any`.
    fn any() -> Self;
    /// `!expr`.
    fn not(inner: Self) -> Self;
    /// `[a, b, ...]`.
    fn list(items: Vec<Self>) -> Self;
    /// Whether this is `any` (negating it is an error).
    fn is_any(&self) -> bool;
    /// Parses one atom (an address, a network, a port, a range).
    fn atom(text: &str) -> PResult<Self>;
    /// The text of variable `name` in this item's namespace.
    fn lookup<'v>(vars: &'v Vars, name: &str) -> Option<&'v str>;
}

/// Parses a whole address or port field.
pub fn parse_expr<T: ListItem>(text: &str, vars: &Vars) -> PResult<T> {
    let mut expanding = Vec::new();
    parse_items(text, vars, &mut expanding, 0)
}

/// Parses comma-separated items at one level; a single item is returned as itself.
fn parse_items<T: ListItem>(
    text: &str,
    vars: &Vars,
    expanding: &mut Vec<String>,
    depth: usize,
) -> PResult<T> {
    let parts = split_top_level(text)?;
    if parts.len() == 1 {
        return parse_one(parts[0], vars, expanding, depth);
    }
    let items = parts
        .into_iter()
        .map(|p| parse_one(p, vars, expanding, depth))
        .collect::<PResult<Vec<T>>>()?;
    Ok(T::list(items))
}

/// Parses one item: negation, bracketed list, variable, `any` or atom.
fn parse_one<T: ListItem>(
    text: &str,
    vars: &Vars,
    expanding: &mut Vec<String>,
    depth: usize,
) -> PResult<T> {
    if depth > MAX_DEPTH {
        return bad(format!("{} expression nested too deeply", T::WHAT));
    }
    let text = text.trim();
    if text.is_empty() {
        return bad(format!("empty {} in list", T::WHAT));
    }
    if let Some(rest) = text.strip_prefix('!') {
        let inner: T = parse_one(rest, vars, expanding, depth + 1)?;
        if inner.is_any() {
            return bad(format!("negated 'any' {} matches nothing", T::WHAT));
        }
        return Ok(T::not(inner));
    }
    if let Some(rest) = text.strip_prefix('[') {
        let Some(inner) = rest.strip_suffix(']') else {
            return bad(format!("unbalanced brackets in {} '{text}'", T::WHAT));
        };
        if inner.trim().is_empty() {
            return bad(format!("empty {} list", T::WHAT));
        }
        let items = split_top_level(inner)?
            .into_iter()
            .map(|p| parse_one(p, vars, expanding, depth + 1))
            .collect::<PResult<Vec<T>>>()?;
        return Ok(T::list(items));
    }
    if let Some(name) = text.strip_prefix('$') {
        return expand(name, vars, expanding, depth);
    }
    if text.eq_ignore_ascii_case("any") {
        return Ok(T::any());
    }
    T::atom(text)
}

/// Expands `$name`, refusing cycles.
fn expand<T: ListItem>(
    name: &str,
    vars: &Vars,
    expanding: &mut Vec<String>,
    depth: usize,
) -> PResult<T> {
    let Some(value) = T::lookup(vars, name) else {
        return bad(format!("undefined variable ${name}"));
    };
    if expanding.iter().any(|n| n == name) {
        return bad(format!("variable cycle through ${name}"));
    }
    expanding.push(name.to_string());
    let result = parse_items(value, vars, expanding, depth + 1).map_err(|e| match e.kind {
        ParseErrorKind::Malformed(reason) => {
            ParseError::malformed(format!("variable ${name}: {reason}"))
        }
        ParseErrorKind::Unsupported(_) => e,
    });
    expanding.pop();
    result
}

/// Splits at commas outside brackets; refuses unbalanced brackets.
fn split_top_level(text: &str) -> PResult<Vec<&str>> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => {
                depth = match depth.checked_sub(1) {
                    Some(d) => d,
                    None => return bad(format!("unbalanced brackets in '{text}'")),
                }
            }
            b',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return bad(format!("unbalanced brackets in '{text}'"));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_respects_brackets() {
        assert_eq!(
            split_top_level("a,[b,[c,d]],e").unwrap(),
            vec!["a", "[b,[c,d]]", "e"]
        );
        assert!(split_top_level("[a").is_err());
        assert!(split_top_level("a]").is_err());
    }
}
