//! Candidate rules by packet address, for rules with no content to prefilter on whose
//! addresses are narrow (reputation lists such as ET's `tor.rules` or `ciarmy.rules`: hundreds
//! of header-only rules, each naming a few hundred hosts). Suricata gives such rules an
//! "IP-only" engine for the same reason: checked one by one they would cost every packet
//! hundreds of address lookups.
//!
//! The address space is cut at every range boundary of the indexed sets into elementary
//! segments, each listing the rules whose set covers it; a lookup is one binary search.

use std::net::IpAddr;

use super::address::AddrSet;
use super::rangeset::Bound;

/// Rules under each elementary segment of one address family.
#[derive(Debug, Default)]
struct Segments<T> {
    /// Segment `i` is `starts[i] ..= starts[i + 1] - 1` (the last runs to the maximum).
    starts: Vec<T>,
    /// Span of segment `i` in `rules`.
    spans: Vec<(u32, u32)>,
    rules: Vec<u32>,
}

impl<T: Bound> Segments<T> {
    fn build(entries: &[(u32, &[(T, T)])]) -> Self {
        let mut starts: Vec<T> = vec![T::MIN];
        for (_, ranges) in entries {
            for &(lo, hi) in *ranges {
                starts.push(lo);
                if let Some(next) = hi.succ() {
                    starts.push(next);
                }
            }
        }
        starts.sort_unstable();
        starts.dedup();
        let mut per_segment: Vec<Vec<u32>> = vec![Vec::new(); starts.len()];
        for &(rule, ranges) in entries {
            for &(lo, hi) in ranges {
                let first = starts.partition_point(|&s| s < lo);
                let end = starts.partition_point(|&s| s <= hi);
                for seg in &mut per_segment[first..end] {
                    seg.push(rule);
                }
            }
        }
        let mut out = Segments {
            starts,
            spans: Vec::with_capacity(per_segment.len()),
            rules: Vec::new(),
        };
        for seg in per_segment {
            let at = out.rules.len() as u32;
            out.rules.extend(seg);
            out.spans.push((at, out.rules.len() as u32));
        }
        out
    }

    fn lookup(&self, v: T) -> &[u32] {
        let i = self.starts.partition_point(|&s| s <= v);
        match i.checked_sub(1).and_then(|i| self.spans.get(i)) {
            Some(&(a, b)) => &self.rules[a as usize..b as usize],
            None => &[],
        }
    }
}

/// Rules indexed by one narrow address set each.
#[derive(Debug, Default)]
pub(crate) struct AddrIndex {
    v4: Segments<u32>,
    v6: Segments<u128>,
    len: usize,
}

impl AddrIndex {
    /// Indexes each `(rule, set)`: a packet is a candidate for the rule when its source or
    /// destination is in the set.
    pub(crate) fn build(entries: &[(u32, AddrSet)]) -> Self {
        let v4: Vec<(u32, &[(u32, u32)])> = entries.iter().map(|(r, s)| (*r, s.v4())).collect();
        let v6: Vec<(u32, &[(u128, u128)])> = entries.iter().map(|(r, s)| (*r, s.v6())).collect();
        AddrIndex {
            v4: Segments::build(&v4),
            v6: Segments::build(&v6),
            len: entries.len(),
        }
    }

    /// Whether no rule is indexed.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Pushes the rules whose set holds `src` or `dst` (may repeat).
    pub(crate) fn collect(&self, src: IpAddr, dst: IpAddr, out: &mut Vec<u32>) {
        for ip in [src, dst] {
            match ip {
                IpAddr::V4(a) => out.extend_from_slice(self.v4.lookup(u32::from(a))),
                IpAddr::V6(a) => out.extend_from_slice(self.v6.lookup(u128::from(a))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ast::AddrExpr;

    fn set(nets: &[(&str, u8)]) -> AddrSet {
        AddrSet::compile(&AddrExpr::List(
            nets.iter()
                .map(|(a, l)| AddrExpr::Net(a.parse().unwrap(), *l))
                .collect(),
        ))
    }

    fn found(idx: &AddrIndex, src: &str, dst: &str) -> Vec<u32> {
        let mut out = Vec::new();
        idx.collect(src.parse().unwrap(), dst.parse().unwrap(), &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn finds_rules_by_either_address() {
        let idx = AddrIndex::build(&[
            (7, set(&[("203.0.113.5", 32), ("198.51.100.0", 24)])),
            (9, set(&[("198.51.100.128", 25), ("2001:db8::1", 128)])),
        ]);
        assert_eq!(found(&idx, "203.0.113.5", "10.0.0.1"), [7]);
        assert_eq!(found(&idx, "10.0.0.1", "198.51.100.7"), [7]);
        assert_eq!(found(&idx, "10.0.0.1", "198.51.100.200"), [7, 9]);
        assert_eq!(found(&idx, "203.0.113.6", "10.0.0.1"), Vec::<u32>::new());
        assert_eq!(found(&idx, "2001:db8::1", "2001:db8::2"), [9]);
        assert_eq!(found(&idx, "0.0.0.0", "255.255.255.255"), Vec::<u32>::new());
        assert!(!idx.is_empty());
    }
}
