//! Sorted sets of inclusive integer ranges: the compiled form of rule address and port lists.
//!
//! Rule lists are evaluated once at build time with set algebra (union, difference) so that a
//! packet check is a binary search over a few ranges, with no allocation.

/// An integer type usable as a range bound (ports, IPv4 and IPv6 addresses).
pub(crate) trait Bound: Copy + Ord {
    /// The smallest value.
    const MIN: Self;
    /// The largest value.
    const MAX: Self;
    /// `self + 1`, or `None` at `MAX`.
    fn succ(self) -> Option<Self>;
    /// `self - 1`, or `None` at `MIN`.
    fn pred(self) -> Option<Self>;
}

macro_rules! impl_bound {
    ($($t:ty),*) => {$(
        impl Bound for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Option<Self> {
                self.checked_add(1)
            }
            fn pred(self) -> Option<Self> {
                self.checked_sub(1)
            }
        }
    )*};
}
impl_bound!(u16, u32, u128);

/// A set of values stored as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RangeSet<T: Bound> {
    ranges: Vec<(T, T)>,
}

impl<T: Bound> RangeSet<T> {
    /// The empty set.
    pub(crate) fn empty() -> Self {
        RangeSet { ranges: Vec::new() }
    }

    /// Every value.
    pub(crate) fn full() -> Self {
        RangeSet {
            ranges: vec![(T::MIN, T::MAX)],
        }
    }

    /// The values `lo..=hi` (bounds swapped if given in the wrong order).
    pub(crate) fn range(lo: T, hi: T) -> Self {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        RangeSet {
            ranges: vec![(lo, hi)],
        }
    }

    /// Whether the set holds every value.
    pub(crate) fn is_full(&self) -> bool {
        self.ranges == [(T::MIN, T::MAX)]
    }

    /// The ranges, sorted and disjoint.
    pub(crate) fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    /// Whether `v` is in the set (binary search).
    pub(crate) fn contains(&self, v: T) -> bool {
        let i = self.ranges.partition_point(|&(_, hi)| hi < v);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= v)
    }

    /// `self ∪ other`.
    pub(crate) fn union(&self, other: &Self) -> Self {
        let mut all: Vec<(T, T)> = self.ranges.iter().chain(&other.ranges).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(T, T)> = Vec::with_capacity(all.len());
        for (lo, hi) in all {
            match out.last_mut() {
                Some(last) if last.1.succ().map_or(true, |next| lo <= next) => {
                    last.1 = last.1.max(hi);
                }
                _ => out.push((lo, hi)),
            }
        }
        RangeSet { ranges: out }
    }

    /// `self \ other`.
    pub(crate) fn difference(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        for &(lo, hi) in &self.ranges {
            let mut cur = Some(lo);
            for &(olo, ohi) in &other.ranges {
                let Some(c) = cur else { break };
                if ohi < c || olo > hi {
                    continue;
                }
                if olo > c {
                    // `olo > c >= MIN`, so `pred` exists.
                    if let Some(end) = olo.pred() {
                        out.push((c, end));
                    }
                }
                cur = if ohi >= hi { None } else { ohi.succ() };
            }
            if let Some(c) = cur {
                out.push((c, hi));
            }
        }
        RangeSet { ranges: out }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_merges_overlapping_and_adjacent() {
        let a = RangeSet::range(1u16, 5).union(&RangeSet::range(6, 8));
        assert_eq!(a.ranges(), &[(1, 8)]);
        let b = a
            .union(&RangeSet::range(20, 30))
            .union(&RangeSet::range(7, 9));
        assert_eq!(b.ranges(), &[(1, 9), (20, 30)]);
        let full = RangeSet::range(0u16, 100).union(&RangeSet::range(101, u16::MAX));
        assert!(full.is_full());
    }

    #[test]
    fn difference_splits_ranges() {
        let a = RangeSet::range(0u16, 100).difference(&RangeSet::range(10, 20));
        assert_eq!(a.ranges(), &[(0, 9), (21, 100)]);
        let b = RangeSet::<u16>::full().difference(&RangeSet::range(0, 0));
        assert_eq!(b.ranges(), &[(1, u16::MAX)]);
        let c = RangeSet::<u16>::full().difference(&RangeSet::range(u16::MAX, u16::MAX));
        assert_eq!(c.ranges(), &[(0, u16::MAX - 1)]);
        let d = RangeSet::range(5u16, 10).difference(&RangeSet::range(0, 50));
        assert!(d.ranges().is_empty());
        let e = RangeSet::range(0u16, 100)
            .difference(&RangeSet::range(10, 20).union(&RangeSet::range(30, 40)));
        assert_eq!(e.ranges(), &[(0, 9), (21, 29), (41, 100)]);
    }

    #[test]
    fn contains_uses_inclusive_bounds() {
        let s = RangeSet::range(10u32, 20).union(&RangeSet::range(40, 40));
        assert!(!s.contains(9));
        assert!(s.contains(10));
        assert!(s.contains(20));
        assert!(!s.contains(21));
        assert!(s.contains(40));
        assert!(!s.contains(41));
        assert!(!RangeSet::<u32>::empty().contains(0));
    }
}
