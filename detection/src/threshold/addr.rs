//! Address expressions of `suppress ... ip <expr>` lines: a host, a CIDR, `any`, `!expr`,
//! `[a, b, ...]` lists (nested), and `$VAR` address groups when the caller supplies them. Parsed
//! into the shared [`AddrExpr`] and matched against one address.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::rules::ast::AddrExpr;

/// How deep lists, negations and variables may nest: bounds recursion on hostile input.
const MAX_DEPTH: usize = 16;

/// Parses an address expression. `vars` maps address-group names (without `$`) to their
/// expression text; a `$NAME` not in it is an error.
pub(crate) fn parse(text: &str, vars: &HashMap<String, String>) -> Result<AddrExpr, String> {
    parse_depth(text, vars, 0)
}

fn parse_depth(
    text: &str,
    vars: &HashMap<String, String>,
    depth: usize,
) -> Result<AddrExpr, String> {
    if depth > MAX_DEPTH {
        return Err(format!("address expression nested deeper than {MAX_DEPTH}"));
    }
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('!') {
        return Ok(AddrExpr::Not(Box::new(parse_depth(rest, vars, depth + 1)?)));
    }
    if let Some(inner) = text.strip_prefix('[') {
        let Some(inner) = inner.strip_suffix(']') else {
            return Err(format!("unbalanced '[' in address `{text}`"));
        };
        let items = split_top_level(inner)
            .ok_or_else(|| format!("unbalanced brackets in address `{text}`"))?;
        let mut list = Vec::with_capacity(items.len());
        for item in items {
            if item.trim().is_empty() {
                return Err(format!("empty item in address list `{text}`"));
            }
            list.push(parse_depth(item, vars, depth + 1)?);
        }
        return Ok(AddrExpr::List(list));
    }
    if let Some(name) = text.strip_prefix('$') {
        let value = vars
            .get(name)
            .ok_or_else(|| format!("address variable `${name}` is not defined"))?;
        return parse_depth(value, vars, depth + 1);
    }
    if text.eq_ignore_ascii_case("any") {
        return Ok(AddrExpr::Any);
    }
    parse_net(text)
}

/// Splits a list body at commas outside nested brackets; `None` when brackets do not balance.
fn split_top_level(s: &str) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.checked_sub(1)?,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    parts.push(&s[start..]);
    Some(parts)
}

/// Parses `addr` or `addr/prefix`.
fn parse_net(text: &str) -> Result<AddrExpr, String> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("invalid address `{text}`"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = match prefix {
        None => max,
        Some(p) => match p.parse::<u8>() {
            Ok(len) if len <= max => len,
            _ => return Err(format!("invalid prefix length in `{text}`")),
        },
    };
    Ok(AddrExpr::Net(ip, len))
}

/// Whether `ip` is in the set `expr` denotes: a list is the union of its positive items (all
/// addresses when it has none) minus the union of its negated items.
pub(crate) fn matches(expr: &AddrExpr, ip: IpAddr) -> bool {
    match expr {
        AddrExpr::Any => true,
        AddrExpr::Net(net, len) => in_net(*net, *len, ip),
        AddrExpr::Not(inner) => !matches(inner, ip),
        AddrExpr::List(items) => {
            let mut any_positive = false;
            let mut hit = false;
            for item in items {
                match item {
                    AddrExpr::Not(inner) => {
                        if matches(inner, ip) {
                            return false;
                        }
                    }
                    positive => {
                        any_positive = true;
                        hit = hit || matches(positive, ip);
                    }
                }
            }
            hit || !any_positive
        }
    }
}

/// Whether `ip` lies in `net/len` (never across address families).
fn in_net(net: IpAddr, len: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(
            u128::from(u32::from(n)) << 96,
            u128::from(u32::from(a)) << 96,
            len,
        ),
        (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(u128::from(n), u128::from(a), len),
        _ => false,
    }
}

/// Whether the top `len` bits of two left-aligned addresses agree.
fn prefix_eq(a: u128, b: u128, len: u8) -> bool {
    match u32::from(len) {
        0 => true,
        l if l >= 128 => a == b,
        l => (a ^ b) >> (128 - l) == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn p(s: &str) -> AddrExpr {
        parse(s, &HashMap::new()).unwrap()
    }

    #[test]
    fn host_and_cidr() {
        assert_eq!(p("10.1.2.3"), AddrExpr::Net(ip("10.1.2.3"), 32));
        let net = p("145.254.160.0/24");
        assert!(matches(&net, ip("145.254.160.237")));
        assert!(!matches(&net, ip("145.254.161.1")));
        assert!(!matches(&net, ip("::1")));
        let v6 = p("fe80::/10");
        assert!(matches(&v6, ip("fe80::1")));
        assert!(matches(&v6, ip("febf::1")));
        assert!(!matches(&v6, ip("fec0::1")));
        assert!(matches(&p("0.0.0.0/0"), ip("1.2.3.4")));
    }

    #[test]
    fn lists_negation_and_any() {
        let l = p("[192.168.0.0/16, 10.0.0.0/8,!10.1.0.0/16]");
        assert!(matches(&l, ip("192.168.9.9")));
        assert!(matches(&l, ip("10.2.0.1")));
        assert!(!matches(&l, ip("10.1.0.1")));
        assert!(!matches(&l, ip("172.16.0.1")));
        let only_neg = p("[!1.2.3.4]");
        assert!(matches(&only_neg, ip("1.2.3.5")));
        assert!(!matches(&only_neg, ip("1.2.3.4")));
        assert!(!matches(&p("!1.2.3.4"), ip("1.2.3.4")));
        assert!(matches(&p("any"), ip("::")));
        assert!(matches(&p("[[1.1.1.1,2.2.2.2],3.3.3.3]"), ip("2.2.2.2")));
    }

    #[test]
    fn variables_resolve_or_fail() {
        let mut vars = HashMap::new();
        vars.insert(
            "SUPPRESS".to_string(),
            "[10.0.0.0/8,20.0.0.0/16,145.0.0.0/8]".to_string(),
        );
        vars.insert("LOOP".to_string(), "$LOOP".to_string());
        let e = parse("$SUPPRESS", &vars).unwrap();
        assert!(matches(&e, ip("145.254.160.237")));
        assert!(!matches(&e, ip("65.208.228.223")));
        assert_eq!(
            parse("$HOME_NET", &vars).unwrap_err(),
            "address variable `$HOME_NET` is not defined"
        );
        assert_eq!(
            parse("$LOOP", &vars).unwrap_err(),
            "address expression nested deeper than 16"
        );
    }

    #[test]
    fn malformed_addresses_are_errors() {
        let none = HashMap::new();
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4/33",
            "::/129",
            "[1.2.3.4",
            "[1.2.3.4,]",
            "[]]",
            "10.0.0.0/x",
            "[a]][",
        ] {
            assert!(parse(bad, &none).is_err(), "{bad:?} should not parse");
        }
        let deep = format!("{}1.2.3.4{}", "[".repeat(40), "]".repeat(40));
        assert!(parse(&deep, &none).is_err());
    }
}
