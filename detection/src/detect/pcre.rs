//! `pcre` compiled with PCRE2 (JIT when available), plus the Hyperscan prefilter form of it.
//!
//! Flags: `i s m x` map to PCRE2 options, `G` to an inline `(?U)`, `A` (anchored) is checked by
//! requiring the leftmost match to start at the search start (equivalent, since a match
//! starting there is always the leftmost one). Deliberate difference: `E` (dollar-endonly) has
//! no PCRE2 builder option in the crate and is ignored. Suricata modifiers `B` and `O` are
//! ignored; any other (buffer selectors such as `U`, `H`, `P`) makes the rule fail to build,
//! because only the raw payload/stream buffers exist here.

use hyperscan::PatternFlags;
use pcre2::bytes::{Regex, RegexBuilder};

use crate::rules::ast::Pcre;

/// A compiled `pcre` keyword.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPcre {
    re: Regex,
    /// `!`.
    pub(crate) negated: bool,
    /// `R`.
    pub(crate) relative: bool,
    anchored: bool,
    prefilter_flags: Option<PatternFlags>,
    source: String,
}

impl CompiledPcre {
    /// Compiles the keyword; the error says why the rule cannot be used.
    pub(crate) fn compile(p: &Pcre) -> Result<Self, String> {
        let mut b = RegexBuilder::new();
        b.jit_if_available(true);
        let (mut anchored, mut ungreedy, mut extended) = (false, false, false);
        let mut hs = PatternFlags::SINGLEMATCH | PatternFlags::PREFILTER;
        for c in p.flags.chars() {
            match c {
                'i' => {
                    b.caseless(true);
                    hs |= PatternFlags::CASELESS;
                }
                's' => {
                    b.dotall(true);
                    hs |= PatternFlags::DOTALL;
                }
                'm' => {
                    b.multi_line(true);
                    hs |= PatternFlags::MULTILINE;
                }
                'x' => {
                    b.extended(true);
                    extended = true;
                }
                'A' => anchored = true,
                'G' => ungreedy = true,
                'E' => {}
                other => return Err(format!("pcre flag '{other}' is not supported")),
            }
        }
        if let Some(bad) = p
            .suricata_flags
            .chars()
            .find(|c| !matches!(c, 'B' | 'O' | 'R'))
        {
            return Err(format!(
                "pcre modifier '{bad}' selects a buffer this engine does not inspect"
            ));
        }
        let pattern = if ungreedy {
            format!("(?U){}", p.pattern)
        } else {
            p.pattern.clone()
        };
        let re = b
            .build(&pattern)
            .map_err(|e| format!("pcre /{}/ does not compile: {e}", p.pattern))?;
        Ok(CompiledPcre {
            re,
            negated: p.negated,
            relative: p.relative,
            anchored,
            prefilter_flags: (!extended && !p.negated && !p.relative).then_some(hs),
            source: p.pattern.clone(),
        })
    }

    /// The leftmost match in `subject` starting the search at `start`: `(start, end)`.
    /// Match errors (e.g. PCRE2's match limit on hostile input) count as no match.
    pub(crate) fn find(&self, subject: &[u8], start: usize) -> Option<(usize, usize)> {
        if start > subject.len() {
            return None;
        }
        let m = self.re.find_at(subject, start).ok().flatten()?;
        if self.anchored && m.start() != start {
            return None;
        }
        Some((m.start(), m.end()))
    }

    /// The Hyperscan prefilter form (expression and flags) when this keyword may stand in for
    /// a fast pattern: it must be positive and absolute (so its match, anywhere in the buffer,
    /// is required) and not use `x`. Prefilter mode over-approximates: PCRE2 confirms.
    pub(crate) fn prefilter(&self) -> Option<(&str, PatternFlags)> {
        self.prefilter_flags.map(|f| (self.source.as_str(), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcre(pattern: &str, flags: &str) -> Pcre {
        Pcre {
            pattern: pattern.into(),
            flags: flags.into(),
            negated: false,
            relative: false,
            suricata_flags: String::new(),
        }
    }

    #[test]
    fn flags_apply() {
        let c = CompiledPcre::compile(&pcre("get /", "i")).unwrap();
        assert_eq!(c.find(b"xx GET /", 0), Some((3, 8)));
        let a = CompiledPcre::compile(&pcre("b+", "A")).unwrap();
        assert_eq!(a.find(b"abb", 0), None);
        assert_eq!(a.find(b"abb", 1), Some((1, 3)));
        let g = CompiledPcre::compile(&pcre("a.+b", "G")).unwrap();
        assert_eq!(g.find(b"axbxb", 0), Some((0, 3)));
        let s = CompiledPcre::compile(&pcre("a.b", "s")).unwrap();
        assert_eq!(s.find(b"a\nb", 0), Some((0, 3)));
        let x = CompiledPcre::compile(&pcre("a b # comment", "x")).unwrap();
        assert_eq!(x.find(b"ab", 0), Some((0, 2)));
        assert!(x.prefilter().is_none());
        let (expr, f) = c.prefilter().unwrap();
        assert_eq!(expr, "get /");
        assert!(f.contains(PatternFlags::CASELESS | PatternFlags::PREFILTER));
    }

    #[test]
    fn errors_are_reported() {
        let e = CompiledPcre::compile(&pcre("a(b", "")).unwrap_err();
        assert!(e.starts_with("pcre /a(b/ does not compile"), "{e}");
        let mut u = pcre("a", "");
        u.suricata_flags = "U".into();
        assert!(CompiledPcre::compile(&u).is_err());
        u.suricata_flags = "BO".into();
        assert!(CompiledPcre::compile(&u).is_ok());
        assert!(CompiledPcre::compile(&pcre("a", "Q")).is_err());
    }
}
