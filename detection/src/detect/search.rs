//! Literal search for `content` verification: a prebuilt `memmem` finder for exact patterns,
//! an ASCII case-folding scan for `nocase` ones.

use memchr::memmem::Finder;

/// A content pattern prepared for repeated searching.
#[derive(Debug, Clone)]
pub(crate) struct Needle {
    /// Exact finder (case-sensitive patterns and nocase ones without letters); boxed because
    /// it is large and most rule steps are not contents.
    finder: Option<Box<Finder<'static>>>,
    /// Lower-cased pattern for case-insensitive matching.
    folded: Vec<u8>,
}

impl Needle {
    /// Prepares `pattern`; `nocase` folds ASCII letters.
    pub(crate) fn new(pattern: &[u8], nocase: bool) -> Self {
        let folds = nocase && pattern.iter().any(u8::is_ascii_alphabetic);
        Needle {
            finder: (!folds).then(|| Box::new(Finder::new(pattern).into_owned())),
            folded: pattern.to_ascii_lowercase(),
        }
    }

    /// Pattern length.
    pub(crate) fn len(&self) -> usize {
        self.folded.len()
    }

    /// Whether the pattern occurs at `hay[pos..]`.
    pub(crate) fn is_at(&self, hay: &[u8], pos: usize) -> bool {
        let Some(window) = pos
            .checked_add(self.len())
            .and_then(|end| hay.get(pos..end))
        else {
            return false;
        };
        match &self.finder {
            Some(f) => window == f.needle(),
            None => window.eq_ignore_ascii_case(&self.folded),
        }
    }

    /// First occurrence in `hay`.
    pub(crate) fn find(&self, hay: &[u8]) -> Option<usize> {
        if let Some(f) = &self.finder {
            return f.find(hay);
        }
        let n = self.len();
        let (&first, _) = self.folded.split_first()?;
        let last_start = hay.len().checked_sub(n)?;
        let upper = first.to_ascii_uppercase();
        let mut from = 0;
        while from <= last_start {
            let rel = memchr::memchr2(first, upper, &hay[from..=last_start])?;
            let pos = from + rel;
            if hay[pos..pos + n].eq_ignore_ascii_case(&self.folded) {
                return Some(pos);
            }
            from = pos + 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_nocase() {
        let n = Needle::new(b"GeT", false);
        assert_eq!(n.find(b"xxGETGeT"), Some(5));
        assert!(n.is_at(b"xxGeT", 2));
        assert!(!n.is_at(b"xxGeT", 3));
        let c = Needle::new(b"GeT", true);
        assert_eq!(c.find(b"xxgetGeT"), Some(2));
        assert_eq!(c.find(b"xxge"), None);
        assert!(c.is_at(b"GET", 0));
        let digits = Needle::new(b"\x00\x01", true);
        assert_eq!(digits.find(b"a\x00\x01"), Some(1));
        assert_eq!(Needle::new(b"abc", true).find(b"ab"), None);
    }
}
