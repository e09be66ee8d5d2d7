//! Rule address and port lists compiled to range sets.
//!
//! List semantics (Suricata): the union of the positive items (everything when there is none)
//! minus the union of the negated items; nested lists and negations are evaluated recursively.

use std::net::IpAddr;

use super::rangeset::RangeSet;
use crate::rules::ast::{AddrExpr, PortExpr};

/// A compiled address expression: IPv4 and IPv6 ranges kept apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AddrSet {
    v4: RangeSet<u32>,
    v6: RangeSet<u128>,
    any: bool,
}

impl AddrSet {
    fn from_parts(v4: RangeSet<u32>, v6: RangeSet<u128>) -> Self {
        let any = v4.is_full() && v6.is_full();
        AddrSet { v4, v6, any }
    }

    fn full() -> Self {
        Self::from_parts(RangeSet::full(), RangeSet::full())
    }

    fn empty() -> Self {
        Self::from_parts(RangeSet::empty(), RangeSet::empty())
    }

    fn union(&self, o: &Self) -> Self {
        Self::from_parts(self.v4.union(&o.v4), self.v6.union(&o.v6))
    }

    fn difference(&self, o: &Self) -> Self {
        Self::from_parts(self.v4.difference(&o.v4), self.v6.difference(&o.v6))
    }

    /// Compiles an address expression.
    pub(crate) fn compile(expr: &AddrExpr) -> Self {
        match expr {
            AddrExpr::Any => Self::full(),
            AddrExpr::Net(IpAddr::V4(a), len) => {
                let len = u32::from((*len).min(32));
                let host_bits = 32 - len;
                let mask = if host_bits == 32 {
                    0
                } else {
                    u32::MAX << host_bits
                };
                let lo = u32::from(*a) & mask;
                Self::from_parts(RangeSet::range(lo, lo | !mask), RangeSet::empty())
            }
            AddrExpr::Net(IpAddr::V6(a), len) => {
                let len = u32::from((*len).min(128));
                let host_bits = 128 - len;
                let mask = if host_bits == 128 {
                    0
                } else {
                    u128::MAX << host_bits
                };
                let lo = u128::from(*a) & mask;
                Self::from_parts(RangeSet::empty(), RangeSet::range(lo, lo | !mask))
            }
            AddrExpr::Not(inner) => Self::full().difference(&Self::compile(inner)),
            AddrExpr::List(items) => {
                let (mut pos, mut neg, mut any_pos) = (Self::empty(), Self::empty(), false);
                for item in items {
                    match item {
                        AddrExpr::Not(inner) => neg = neg.union(&Self::compile(inner)),
                        other => {
                            any_pos = true;
                            pos = pos.union(&Self::compile(other));
                        }
                    }
                }
                let base = if any_pos { pos } else { Self::full() };
                base.difference(&neg)
            }
        }
    }

    /// Whether `addr` is in the set.
    pub(crate) fn contains(&self, addr: IpAddr) -> bool {
        if self.any {
            return true;
        }
        match addr {
            IpAddr::V4(a) => self.v4.contains(u32::from(a)),
            IpAddr::V6(a) => self.v6.contains(u128::from(a)),
        }
    }
}

/// A compiled port expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PortSet {
    set: RangeSet<u16>,
    any: bool,
}

impl PortSet {
    fn wrap(set: RangeSet<u16>) -> Self {
        let any = set.is_full();
        PortSet { set, any }
    }

    fn raw(expr: &PortExpr) -> RangeSet<u16> {
        match expr {
            PortExpr::Any => RangeSet::full(),
            PortExpr::Range(a, b) => RangeSet::range(*a, *b),
            PortExpr::Not(inner) => RangeSet::full().difference(&Self::raw(inner)),
            PortExpr::List(items) => {
                let (mut pos, mut neg, mut any_pos) = (RangeSet::empty(), RangeSet::empty(), false);
                for item in items {
                    match item {
                        PortExpr::Not(inner) => neg = neg.union(&Self::raw(inner)),
                        other => {
                            any_pos = true;
                            pos = pos.union(&Self::raw(other));
                        }
                    }
                }
                let base = if any_pos { pos } else { RangeSet::full() };
                base.difference(&neg)
            }
        }
    }

    /// Compiles a port expression.
    pub(crate) fn compile(expr: &PortExpr) -> Self {
        Self::wrap(Self::raw(expr))
    }

    /// Whether `port` is in the set.
    pub(crate) fn contains(&self, port: u16) -> bool {
        self.any || self.set.contains(port)
    }

    /// The individual ports when there are at most `limit` of them (for port-indexed lists).
    pub(crate) fn small_list(&self, limit: usize) -> Option<Vec<u16>> {
        let mut count = 0usize;
        for &(lo, hi) in self.set.ranges() {
            count += usize::from(hi - lo) + 1;
            if count > limit {
                return None;
            }
        }
        Some(
            self.set
                .ranges()
                .iter()
                .flat_map(|&(lo, hi)| lo..=hi)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn net(s: &str, len: u8) -> AddrExpr {
        AddrExpr::Net(s.parse().unwrap(), len)
    }
    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }
    fn not<T>(x: T) -> Box<T> {
        Box::new(x)
    }

    #[test]
    fn cidr_masks_host_bits() {
        let s = AddrSet::compile(&net("10.1.2.3", 8));
        assert!(s.contains(ip("10.0.0.0")));
        assert!(s.contains(ip("10.255.255.255")));
        assert!(!s.contains(ip("11.0.0.0")));
        assert!(!s.contains(ip("::a01:203")));
        let z = AddrSet::compile(&net("1.2.3.4", 0));
        assert!(z.contains(IpAddr::V4(Ipv4Addr::BROADCAST)));
        assert!(!z.contains(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    }

    #[test]
    fn list_is_union_of_positives_minus_negatives() {
        // [10.0.0.0/8, !10.1.0.0/16, 192.168.1.1]
        let e = AddrExpr::List(vec![
            net("10.0.0.0", 8),
            AddrExpr::Not(not(net("10.1.0.0", 16))),
            net("192.168.1.1", 32),
        ]);
        let s = AddrSet::compile(&e);
        assert!(s.contains(ip("10.2.0.1")));
        assert!(!s.contains(ip("10.1.5.5")));
        assert!(s.contains(ip("192.168.1.1")));
        assert!(!s.contains(ip("192.168.1.2")));
    }

    #[test]
    fn negation_only_list_means_everything_else() {
        // [!1.1.1.1, !2001:db8::/32] : any IPv4 but one host, any IPv6 outside the prefix.
        let e = AddrExpr::List(vec![
            AddrExpr::Not(not(net("1.1.1.1", 32))),
            AddrExpr::Not(not(net("2001:db8::", 32))),
        ]);
        let s = AddrSet::compile(&e);
        assert!(!s.contains(ip("1.1.1.1")));
        assert!(s.contains(ip("1.1.1.2")));
        assert!(!s.contains(ip("2001:db8::1")));
        assert!(s.contains(ip("2001:db9::1")));
    }

    #[test]
    fn negated_nested_list() {
        // ![10.0.0.0/8, ![10.1.0.0/16]] = everything except (10/8 minus 10.1/16)
        let e = AddrExpr::Not(not(AddrExpr::List(vec![
            net("10.0.0.0", 8),
            AddrExpr::Not(not(AddrExpr::List(vec![net("10.1.0.0", 16)]))),
        ])));
        let s = AddrSet::compile(&e);
        assert!(!s.contains(ip("10.2.0.1")));
        assert!(s.contains(ip("10.1.0.1")));
        assert!(s.contains(ip("8.8.8.8")));
        assert!(s.contains(ip("::1")));
    }

    #[test]
    fn port_lists_and_ranges() {
        // [80, 8000:8100, !8080]
        let e = PortExpr::List(vec![
            PortExpr::Range(80, 80),
            PortExpr::Range(8000, 8100),
            PortExpr::Not(not(PortExpr::Range(8080, 8080))),
        ]);
        let s = PortSet::compile(&e);
        assert!(s.contains(80));
        assert!(!s.contains(81));
        assert!(s.contains(8000));
        assert!(!s.contains(8080));
        assert!(s.contains(8100));
        assert!(!s.contains(8101));
        assert_eq!(s.small_list(10), None);
        let small = PortSet::compile(&PortExpr::List(vec![
            PortExpr::Range(443, 443),
            PortExpr::Range(80, 81),
        ]));
        assert_eq!(small.small_list(10), Some(vec![80, 81, 443]));
    }

    #[test]
    fn negated_port_and_any() {
        let s = PortSet::compile(&PortExpr::Not(not(PortExpr::Range(0, 1023))));
        assert!(!s.contains(22));
        assert!(s.contains(1024));
        assert_eq!(
            PortSet::compile(&PortExpr::Any)
                .small_list(70_000)
                .map(|v| v.len()),
            Some(65536)
        );
        let nested = PortSet::compile(&PortExpr::List(vec![PortExpr::Not(not(PortExpr::List(
            vec![
                PortExpr::Range(1, 10),
                PortExpr::Not(not(PortExpr::Range(5, 5))),
            ],
        )))]));
        assert!(nested.contains(5));
        assert!(!nested.contains(4));
        assert!(nested.contains(11));
    }
}
