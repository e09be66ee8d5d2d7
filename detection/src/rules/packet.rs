//! Keywords that test packet headers rather than payload: ttl, tos, id, ip_proto, fragbits,
//! flags, seq, ack, window, itype, icode, icmp_id, icmp_seq, dsize.

use super::ast::{FlagsMode, HeaderCheck, NumCmp};
use super::error::{bad, PResult};
use super::lexer::unquote;
use super::num::{parse_bounded, parse_numcmp};

/// Parses one packet-header keyword; `None` when `keyword` is not one of them.
pub fn parse_header_check(keyword: &str, value: Option<&str>) -> Option<PResult<HeaderCheck>> {
    let parser: fn(&str) -> PResult<HeaderCheck> = match keyword {
        "ttl" => |v| Ok(HeaderCheck::Ttl(parse_numcmp(v, 255, "ttl")?)),
        "tos" => parse_tos,
        "id" => |v| Ok(HeaderCheck::Id(plain(v, u16::MAX.into(), "id")? as u16)),
        "ip_proto" => parse_ip_proto,
        "fragbits" => parse_fragbits,
        "flags" => parse_flags,
        "seq" => |v| Ok(HeaderCheck::Seq(plain(v, u32::MAX.into(), "seq")? as u32)),
        "ack" => |v| Ok(HeaderCheck::Ack(plain(v, u32::MAX.into(), "ack")? as u32)),
        "window" => parse_window,
        "itype" => |v| Ok(HeaderCheck::Itype(parse_numcmp(v, 255, "itype")?)),
        "icode" => |v| Ok(HeaderCheck::Icode(parse_numcmp(v, 255, "icode")?)),
        "icmp_id" => |v| {
            Ok(HeaderCheck::IcmpId(
                plain(v, u16::MAX.into(), "icmp_id")? as u16
            ))
        },
        "icmp_seq" => |v| {
            Ok(HeaderCheck::IcmpSeq(
                plain(v, u16::MAX.into(), "icmp_seq")? as u16
            ))
        },
        "dsize" => |v| {
            Ok(HeaderCheck::Dsize(parse_numcmp(
                v,
                u16::MAX.into(),
                "dsize",
            )?))
        },
        _ => return None,
    };
    Some(match value {
        Some(v) => parser(v),
        None => bad(format!("{keyword} needs a value")),
    })
}

/// A single number, optionally quoted.
fn plain(v: &str, max: u64, what: &str) -> PResult<u64> {
    parse_bounded(unquote(v.trim())?, max, what)
}

/// Splits a leading `!`.
fn negation(v: &str) -> (bool, &str) {
    match v.trim().strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, v.trim()),
    }
}

/// `tos:[!]<n>`, where n is decimal, `0x1f` or Suricata's `x1f`.
fn parse_tos(v: &str) -> PResult<HeaderCheck> {
    let (negated, rest) = negation(v);
    let value = match rest.strip_prefix(['x', 'X']) {
        Some(hex) => u8::from_str_radix(hex, 16).ok(),
        None => parse_bounded(rest, 255, "tos").ok().map(|n| n as u8),
    };
    match value {
        Some(n) => Ok(HeaderCheck::Tos(n, negated)),
        None => bad(format!("invalid tos value '{}'", v.trim())),
    }
}

/// `window:[!]<n>`.
fn parse_window(v: &str) -> PResult<HeaderCheck> {
    let (negated, rest) = negation(v);
    Ok(HeaderCheck::Window(
        parse_bounded(rest, u16::MAX.into(), "window")? as u16,
        negated,
    ))
}

/// IP protocol names Suricata resolves through `getprotobyname`.
const PROTO_NAMES: &[(&str, u8)] = &[
    ("ip", 0),
    ("hopopt", 0),
    ("icmp", 1),
    ("igmp", 2),
    ("ipip", 4),
    ("ipencap", 4),
    ("tcp", 6),
    ("egp", 8),
    ("pup", 12),
    ("udp", 17),
    ("ipv6", 41),
    ("ipv6-route", 43),
    ("ipv6-frag", 44),
    ("rsvp", 46),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("ipv6-icmp", 58),
    ("icmpv6", 58),
    ("ipv6-nonxt", 59),
    ("ipv6-opts", 60),
    ("eigrp", 88),
    ("ospf", 89),
    ("ospfigp", 89),
    ("pim", 103),
    ("vrrp", 112),
    ("l2tp", 115),
    ("sctp", 132),
];

/// `ip_proto:[!<>=]<number or name>`.
fn parse_ip_proto(v: &str) -> PResult<HeaderCheck> {
    let t = v.trim();
    let split = t
        .find(|c: char| !matches!(c, '!' | '<' | '>' | '=' | ' '))
        .unwrap_or(t.len());
    let (op, operand) = t.split_at(split);
    let lower = operand.to_ascii_lowercase();
    let cmp = match PROTO_NAMES.iter().find(|(n, _)| *n == lower) {
        Some((_, num)) => parse_numcmp(&format!("{op}{num}"), 255, "ip_proto")?,
        None => parse_numcmp(t, 255, "ip_proto")?,
    };
    if matches!(cmp, NumCmp::Between(..)) {
        return bad(format!("invalid ip_proto value '{t}'"));
    }
    Ok(HeaderCheck::IpProto(cmp))
}

/// Reads a `+`/`*`/`!` modifier (at most one) and flag letters through `bit`.
fn flag_set(text: &str, what: &str, bit: fn(char) -> Option<u8>) -> PResult<(u8, FlagsMode)> {
    let mut bits = 0u8;
    let mut mode: Option<FlagsMode> = None;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let m = match c {
            '+' => Some(FlagsMode::All),
            '*' => Some(FlagsMode::Any),
            '!' => Some(FlagsMode::Not),
            _ => None,
        };
        if let Some(m) = m {
            if mode.replace(m).is_some() {
                return bad(format!("{what} has more than one modifier in '{text}'"));
            }
            continue;
        }
        match bit(c) {
            Some(b) => bits |= b,
            None => return bad(format!("invalid {what} character '{c}' in '{text}'")),
        }
    }
    Ok((bits, mode.unwrap_or(FlagsMode::Exact)))
}

/// `fragbits:[+*!]<MDR>`: M=0x1 (more fragments), D=0x2 (don't fragment), R=0x4 (reserved).
fn parse_fragbits(v: &str) -> PResult<HeaderCheck> {
    let (bits, mode) = flag_set(v, "fragbits", |c| match c.to_ascii_uppercase() {
        'M' => Some(0x1),
        'D' => Some(0x2),
        'R' => Some(0x4),
        _ => None,
    })?;
    if bits == 0 {
        return bad(format!("fragbits '{}' names no bit", v.trim()));
    }
    Ok(HeaderCheck::Fragbits(bits, mode))
}

/// TCP flag letters; `1`/`2` are the old names of CWR/ECE; `0` means "no flag".
fn tcp_flag(c: char) -> Option<u8> {
    match c.to_ascii_uppercase() {
        'F' => Some(0x01),
        'S' => Some(0x02),
        'R' => Some(0x04),
        'P' => Some(0x08),
        'A' => Some(0x10),
        'U' => Some(0x20),
        'E' | '2' => Some(0x40),
        'C' | '1' => Some(0x80),
        '0' => Some(0),
        _ => None,
    }
}

/// `flags:[+*!]<FSRPAUCE120>[,<ignore mask>]`.
fn parse_flags(v: &str) -> PResult<HeaderCheck> {
    let (wanted, ignore) = match v.split_once(',') {
        Some((w, i)) => (w, Some(i)),
        None => (v, None),
    };
    if wanted.trim().is_empty() {
        return bad("flags needs at least one flag");
    }
    let (bits, mode) = flag_set(wanted, "flags", tcp_flag)?;
    let mask = match ignore {
        Some(i) => {
            let (m, mode) = flag_set(i, "flags", tcp_flag)?;
            if mode != FlagsMode::Exact || i.trim().is_empty() {
                return bad(format!("invalid flags ignore mask '{}'", i.trim()));
            }
            m
        }
        None => 0,
    };
    Ok(HeaderCheck::Flags(bits, mode, mask))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::error::ParseError;

    fn p(k: &str, v: &str) -> PResult<HeaderCheck> {
        parse_header_check(k, Some(v)).unwrap()
    }

    #[test]
    fn numeric_keywords() {
        assert_eq!(p("ttl", "<5").unwrap(), HeaderCheck::Ttl(NumCmp::Lt(5)));
        assert_eq!(
            p("itype", "7<>20").unwrap(),
            HeaderCheck::Itype(NumCmp::Between(7, 20))
        );
        assert_eq!(
            p("icode", ">=3").unwrap(),
            HeaderCheck::Icode(NumCmp::Ge(3))
        );
        assert_eq!(
            p("dsize", "300<>400").unwrap(),
            HeaderCheck::Dsize(NumCmp::Between(300, 400))
        );
        assert_eq!(p("dsize", "!0").unwrap(), HeaderCheck::Dsize(NumCmp::Ne(0)));
        assert_eq!(p("id", "31337").unwrap(), HeaderCheck::Id(31337));
        assert_eq!(p("seq", "0").unwrap(), HeaderCheck::Seq(0));
        assert_eq!(p("ack", "4294967295").unwrap(), HeaderCheck::Ack(u32::MAX));
        assert_eq!(
            p("window", "!55808").unwrap(),
            HeaderCheck::Window(55808, true)
        );
        assert_eq!(p("icmp_id", "21781").unwrap(), HeaderCheck::IcmpId(21781));
        assert_eq!(
            p("icmp_seq", "\"2216\"").unwrap(),
            HeaderCheck::IcmpSeq(2216)
        );
        assert_eq!(p("tos", "!8").unwrap(), HeaderCheck::Tos(8, true));
        assert_eq!(p("tos", "x1F").unwrap(), HeaderCheck::Tos(0x1f, false));
        assert_eq!(p("tos", "0x10").unwrap(), HeaderCheck::Tos(0x10, false));
        assert_eq!(
            p("ip_proto", "tcp").unwrap(),
            HeaderCheck::IpProto(NumCmp::Eq(6))
        );
        assert_eq!(
            p("ip_proto", "!ipv6-icmp").unwrap(),
            HeaderCheck::IpProto(NumCmp::Ne(58))
        );
        assert_eq!(
            p("ip_proto", ">50").unwrap(),
            HeaderCheck::IpProto(NumCmp::Gt(50))
        );
    }

    #[test]
    fn flag_keywords() {
        assert_eq!(
            p("flags", "SA").unwrap(),
            HeaderCheck::Flags(0x12, FlagsMode::Exact, 0)
        );
        assert_eq!(
            p("flags", "S,12").unwrap(),
            HeaderCheck::Flags(0x02, FlagsMode::Exact, 0xc0)
        );
        assert_eq!(
            p("flags", "A+").unwrap(),
            HeaderCheck::Flags(0x10, FlagsMode::All, 0)
        );
        assert_eq!(
            p("flags", "*SF").unwrap(),
            HeaderCheck::Flags(0x03, FlagsMode::Any, 0)
        );
        assert_eq!(
            p("flags", "!R").unwrap(),
            HeaderCheck::Flags(0x04, FlagsMode::Not, 0)
        );
        assert_eq!(
            p("flags", "0").unwrap(),
            HeaderCheck::Flags(0, FlagsMode::Exact, 0)
        );
        assert_eq!(
            p("flags", "UPCE").unwrap(),
            HeaderCheck::Flags(0xe8, FlagsMode::Exact, 0)
        );
        assert_eq!(
            p("fragbits", "M").unwrap(),
            HeaderCheck::Fragbits(1, FlagsMode::Exact)
        );
        assert_eq!(
            p("fragbits", "+D").unwrap(),
            HeaderCheck::Fragbits(2, FlagsMode::All)
        );
        assert_eq!(
            p("fragbits", "!MR").unwrap(),
            HeaderCheck::Fragbits(5, FlagsMode::Not)
        );
        assert_eq!(
            p("fragbits", "*MD").unwrap(),
            HeaderCheck::Fragbits(3, FlagsMode::Any)
        );
    }

    #[test]
    fn errors() {
        assert!(parse_header_check("content", Some("x")).is_none());
        assert_eq!(
            parse_header_check("ttl", None).unwrap().unwrap_err(),
            ParseError::malformed("ttl needs a value")
        );
        assert_eq!(
            p("flags", "SX").unwrap_err(),
            ParseError::malformed("invalid flags character 'X' in 'SX'")
        );
        assert_eq!(
            p("flags", "+*S").unwrap_err(),
            ParseError::malformed("flags has more than one modifier in '+*S'")
        );
        assert_eq!(
            p("flags", "S,+A").unwrap_err(),
            ParseError::malformed("invalid flags ignore mask '+A'")
        );
        assert_eq!(
            p("fragbits", "+").unwrap_err(),
            ParseError::malformed("fragbits '+' names no bit")
        );
        assert_eq!(
            p("icmp_id", "70000").unwrap_err(),
            ParseError::malformed("invalid icmp_id value '70000'")
        );
        assert_eq!(
            p("tos", "x1FF").unwrap_err(),
            ParseError::malformed("invalid tos value 'x1FF'")
        );
        assert_eq!(
            p("ip_proto", "bogus").unwrap_err(),
            ParseError::malformed("invalid ip_proto value 'bogus'")
        );
        assert_eq!(
            p("ip_proto", "1-5").unwrap_err(),
            ParseError::malformed("invalid ip_proto value '1-5'")
        );
    }
}
