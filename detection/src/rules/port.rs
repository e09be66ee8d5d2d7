//! Port fields of rule headers: `any`, `80`, `1024:`, `:1023`, `1:100`, plus the shared
//! list/negation/variable grammar of [`super::list`].

use super::ast::PortExpr;
use super::error::{bad, PResult};
use super::list::{parse_expr, ListItem};
use super::vars::Vars;

/// Parses a port field (`any`, `$HTTP_PORTS`, `[1:1023,!80]`, ...).
pub fn parse_port(text: &str, vars: &Vars) -> PResult<PortExpr> {
    parse_expr(text, vars)
}

impl ListItem for PortExpr {
    const WHAT: &'static str = "port";

    fn any() -> Self {
        PortExpr::Any
    }

    fn not(inner: Self) -> Self {
        PortExpr::Not(Box::new(inner))
    }

    fn list(items: Vec<Self>) -> Self {
        PortExpr::List(items)
    }

    fn is_any(&self) -> bool {
        matches!(self, PortExpr::Any)
    }

    fn atom(text: &str) -> PResult<Self> {
        let one = |s: &str, default: u16| -> PResult<u16> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(default);
            }
            match s.parse::<u16>() {
                Ok(p) if s.bytes().all(|b| b.is_ascii_digit()) => Ok(p),
                _ => bad(format!("invalid port '{text}'")),
            }
        };
        match text.split_once(':') {
            None if text.is_empty() => bad("empty port"),
            None => {
                let p = one(text, 0)?;
                Ok(PortExpr::Range(p, p))
            }
            Some((lo, hi)) => {
                if lo.trim().is_empty() && hi.trim().is_empty() {
                    return bad(format!("invalid port range '{text}'"));
                }
                let (lo, hi) = (one(lo, 0)?, one(hi, u16::MAX)?);
                if lo > hi {
                    return bad(format!("port range start after end '{text}'"));
                }
                Ok(PortExpr::Range(lo, hi))
            }
        }
    }

    fn lookup<'v>(vars: &'v Vars, name: &str) -> Option<&'v str> {
        vars.port(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::error::ParseError;

    fn p(s: &str) -> PortExpr {
        parse_port(s, &Vars::default()).unwrap()
    }

    fn e(s: &str) -> ParseError {
        parse_port(s, &Vars::default()).unwrap_err()
    }

    fn not(e: PortExpr) -> PortExpr {
        PortExpr::Not(Box::new(e))
    }

    #[test]
    fn forms() {
        assert_eq!(p("any"), PortExpr::Any);
        assert_eq!(p("80"), PortExpr::Range(80, 80));
        assert_eq!(p("1024:"), PortExpr::Range(1024, 65535));
        assert_eq!(p(":1023"), PortExpr::Range(0, 1023));
        assert_eq!(p("1:100"), PortExpr::Range(1, 100));
        assert_eq!(p("!80"), not(PortExpr::Range(80, 80)));
        assert_eq!(
            p("[1:1023, ![21,22], 8080]"),
            PortExpr::List(vec![
                PortExpr::Range(1, 1023),
                not(PortExpr::List(vec![
                    PortExpr::Range(21, 21),
                    PortExpr::Range(22, 22)
                ])),
                PortExpr::Range(8080, 8080),
            ])
        );
    }

    #[test]
    fn variables() {
        assert_eq!(p("$HTTP_PORTS"), PortExpr::Range(80, 80));
        assert_eq!(p("$SHELLCODE_PORTS"), not(PortExpr::Range(80, 80)));
        assert_eq!(
            p("$FILE_DATA_PORTS"),
            PortExpr::List(vec![
                PortExpr::Range(80, 80),
                PortExpr::Range(110, 110),
                PortExpr::Range(143, 143)
            ])
        );
        assert_eq!(
            e("$HOME_NET"),
            ParseError::malformed("undefined variable $HOME_NET")
        );
    }

    #[test]
    fn malformed() {
        assert_eq!(e("65536"), ParseError::malformed("invalid port '65536'"));
        assert_eq!(e("+80"), ParseError::malformed("invalid port '+80'"));
        assert_eq!(
            e("90:80"),
            ParseError::malformed("port range start after end '90:80'")
        );
        assert_eq!(e(":"), ParseError::malformed("invalid port range ':'"));
        assert_eq!(
            e("!any"),
            ParseError::malformed("negated 'any' port matches nothing")
        );
        assert_eq!(e("[80,]"), ParseError::malformed("empty port in list"));
    }
}
