//! Address fields of rule headers: IPv4/IPv6 hosts, CIDR and netmask networks, `a-b` ranges,
//! plus the shared list/negation/variable grammar of [`super::list`].
//!
//! Networks are stored with their host bits cleared (`1.2.3.4/24` becomes `1.2.3.0/24`), as
//! Suricata does. A range becomes the list of networks covering exactly it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ast::AddrExpr;
use super::error::{bad, PResult};
use super::list::{parse_expr, ListItem};
use super::vars::Vars;

/// Parses an address field (`any`, `$HOME_NET`, `![10.0.0.0/8,!10.1.2.3]`, ...).
pub fn parse_addr(text: &str, vars: &Vars) -> PResult<AddrExpr> {
    parse_expr(text, vars)
}

impl ListItem for AddrExpr {
    const WHAT: &'static str = "address";

    fn any() -> Self {
        AddrExpr::Any
    }

    fn not(inner: Self) -> Self {
        AddrExpr::Not(Box::new(inner))
    }

    fn list(items: Vec<Self>) -> Self {
        AddrExpr::List(items)
    }

    fn is_any(&self) -> bool {
        matches!(self, AddrExpr::Any)
    }

    fn atom(text: &str) -> PResult<Self> {
        if let Some((lo, hi)) = text.split_once('-') {
            return parse_range(lo.trim(), hi.trim(), text);
        }
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.trim(), Some(p.trim())),
            None => (text, None),
        };
        let Ok(ip) = addr.parse::<IpAddr>() else {
            return bad(format!("invalid address '{text}'"));
        };
        let max = max_prefix(ip);
        let len = match prefix {
            None => max,
            Some(p) if p.contains('.') => netmask_prefix(p, ip, text)?,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => return bad(format!("invalid prefix length in '{text}'")),
            },
        };
        Ok(AddrExpr::Net(mask(ip, len), len))
    }

    fn lookup<'v>(vars: &'v Vars, name: &str) -> Option<&'v str> {
        vars.address(name)
    }
}

/// 32 or 128.
fn max_prefix(ip: IpAddr) -> u8 {
    match ip {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// `255.255.0.0` as a prefix length (IPv4 only, contiguous masks only).
fn netmask_prefix(mask_text: &str, ip: IpAddr, text: &str) -> PResult<u8> {
    let (IpAddr::V4(_), Ok(m)) = (ip, mask_text.parse::<Ipv4Addr>()) else {
        return bad(format!("invalid netmask in '{text}'"));
    };
    let bits = u32::from(m);
    let len = bits.leading_ones();
    if bits.checked_shl(len).unwrap_or(0) != 0 {
        return bad(format!("non-contiguous netmask in '{text}'"));
    }
    Ok(len as u8)
}

/// Clears host bits.
fn mask(ip: IpAddr, len: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let m = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & m))
        }
        IpAddr::V6(a) => {
            let m = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & m))
        }
    }
}

/// `a-b`: the smallest list of networks covering exactly the range.
fn parse_range(lo: &str, hi: &str, text: &str) -> PResult<AddrExpr> {
    let (Ok(lo), Ok(hi)) = (lo.parse::<IpAddr>(), hi.parse::<IpAddr>()) else {
        return bad(format!("invalid address range '{text}'"));
    };
    let (lo, hi, bits) = match (lo, hi) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return bad(format!("address range mixes IPv4 and IPv6 '{text}'")),
    };
    if lo > hi {
        return bad(format!("address range start after end '{text}'"));
    }
    let to_ip = |v: u128| -> IpAddr {
        if bits == 32 {
            IpAddr::V4(Ipv4Addr::from(v as u32))
        } else {
            IpAddr::V6(Ipv6Addr::from(v))
        }
    };
    let mut nets = Vec::new();
    let mut cur = lo;
    loop {
        // Largest aligned block starting at `cur` that does not pass `hi`.
        let mut size_log = cur.trailing_zeros().min(bits);
        while size_log > 0 && block_end(cur, size_log).map_or(true, |end| end > hi) {
            size_log -= 1;
        }
        nets.push(AddrExpr::Net(to_ip(cur), (bits - size_log) as u8));
        match block_end(cur, size_log) {
            Some(end) if end < hi => cur = end + 1,
            _ => break,
        }
    }
    Ok(if nets.len() == 1 {
        nets.remove(0)
    } else {
        AddrExpr::List(nets)
    })
}

/// Last value of the block of 2^size_log values starting at `start` (None on overflow).
fn block_end(start: u128, size_log: u32) -> Option<u128> {
    let span = if size_log >= 128 {
        u128::MAX
    } else {
        (1u128 << size_log) - 1
    };
    start.checked_add(span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::error::ParseError;

    fn net(s: &str, len: u8) -> AddrExpr {
        AddrExpr::Net(s.parse().unwrap(), len)
    }

    fn not(e: AddrExpr) -> AddrExpr {
        AddrExpr::Not(Box::new(e))
    }

    fn p(s: &str) -> AddrExpr {
        parse_addr(s, &Vars::default()).unwrap()
    }

    fn err(s: &str) -> ParseError {
        parse_addr(s, &Vars::default()).unwrap_err()
    }

    #[test]
    fn atoms() {
        assert_eq!(p("any"), AddrExpr::Any);
        assert_eq!(p("1.2.3.4"), net("1.2.3.4", 32));
        assert_eq!(p("1.2.3.4/24"), net("1.2.3.0", 24));
        assert_eq!(p("10.1.2.3/255.255.0.0"), net("10.1.0.0", 16));
        assert_eq!(p("0.0.0.0/0"), net("0.0.0.0", 0));
        assert_eq!(p("::1"), net("::1", 128));
        assert_eq!(p("2001:db8::1/32"), net("2001:db8::", 32));
    }

    #[test]
    fn ranges_become_networks() {
        assert_eq!(p("10.0.0.0-10.0.0.255"), net("10.0.0.0", 24));
        assert_eq!(
            p("10.0.0.1-10.0.0.4"),
            AddrExpr::List(vec![
                net("10.0.0.1", 32),
                net("10.0.0.2", 31),
                net("10.0.0.4", 32)
            ])
        );
        assert_eq!(p("0.0.0.0-255.255.255.255"), net("0.0.0.0", 0));
        assert_eq!(
            p("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            net("::", 0)
        );
    }

    #[test]
    fn lists_negation_nesting() {
        assert_eq!(
            p("[1.1.1.1, ![2.2.2.0/24, !2.2.2.2]]"),
            AddrExpr::List(vec![
                net("1.1.1.1", 32),
                not(AddrExpr::List(vec![
                    net("2.2.2.0", 24),
                    not(net("2.2.2.2", 32))
                ])),
            ])
        );
        assert_eq!(p("!1.2.3.4"), not(net("1.2.3.4", 32)));
    }

    #[test]
    fn variables_expand() {
        let home = AddrExpr::List(vec![
            net("192.168.0.0", 16),
            net("10.0.0.0", 8),
            net("172.16.0.0", 12),
        ]);
        assert_eq!(p("$HOME_NET"), home);
        assert_eq!(p("$EXTERNAL_NET"), not(home.clone()));
        assert_eq!(p("!$HOME_NET"), not(home.clone()));
        assert_eq!(
            p("[$HTTP_SERVERS,8.8.8.8]"),
            AddrExpr::List(vec![home, net("8.8.8.8", 32)])
        );
    }

    #[test]
    fn variable_errors() {
        assert_eq!(
            err("$NOPE"),
            ParseError::malformed("undefined variable $NOPE")
        );
        let mut v = Vars::empty();
        v.set_address("A", "[1.1.1.1,$B]");
        v.set_address("B", "$A");
        assert_eq!(
            parse_addr("$A", &v).unwrap_err(),
            ParseError::malformed("variable $A: variable $B: variable cycle through $A")
        );
        v.set_address("C", "1.2.3");
        assert_eq!(
            parse_addr("$C", &v).unwrap_err(),
            ParseError::malformed("variable $C: invalid address '1.2.3'")
        );
    }

    #[test]
    fn malformed() {
        assert_eq!(
            err("1.2.3.4/33"),
            ParseError::malformed("invalid prefix length in '1.2.3.4/33'")
        );
        assert_eq!(
            err("1.2.3.4/255.0.255.0"),
            ParseError::malformed("non-contiguous netmask in '1.2.3.4/255.0.255.0'")
        );
        assert_eq!(
            err("!any"),
            ParseError::malformed("negated 'any' address matches nothing")
        );
        assert_eq!(err("[]"), ParseError::malformed("empty address list"));
        assert_eq!(
            err("[1.1.1.1"),
            ParseError::malformed("unbalanced brackets in '[1.1.1.1'")
        );
        assert_eq!(
            err("1.1.1.9-1.1.1.1"),
            ParseError::malformed("address range start after end '1.1.1.9-1.1.1.1'")
        );
        assert_eq!(err("host"), ParseError::malformed("invalid address 'host'"));
        let deep = format!("{}1.1.1.1{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(
            err(&deep),
            ParseError::malformed("address expression nested too deeply")
        );
    }
}
