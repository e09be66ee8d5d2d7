//! Rule groups and candidate selection: a packet never meets every rule.
//!
//! Rules are grouped by protocol class (tcp, udp, icmp, other) × inspection slot × flow
//! direction. Slots: `Pkt` (packet pass), `PktNoStream` (packet pass of a TCP packet whose
//! direction is not reassembled: `Pkt` plus the plain `tcp` payload rules) and `Stream`
//! (stream pass). Directions: to-server, to-client and no-flow; a rule without a direction
//! goes into all three, a rule that needs a flow stays out of no-flow. `ip` rules join every
//! protocol class. So one inspection visits exactly one group.
//!
//! In a group, a rule with a positive content contributes one fast pattern (the
//! `fast_pattern` content, chopped if asked, else the longest positive content, first on
//! ties) to one Hyperscan block database (`SINGLEMATCH`, `CASELESS` for `nocase`). A rule
//! without one but with a positive absolute pcre that Hyperscan accepts in `PREFILTER` mode
//! contributes that pcre instead (Hyperscan over-approximates, PCRE2 confirms during
//! verification). Every other rule sits in port lists: under each destination port a packet
//! can have for it (few ports; `<>` rules also under their source ports) or in the any-port
//! list. Candidates are then verified in full by the engine.

use hyperscan::prelude::*;
use hyperscan::{PatternFlags, Scratch as HsScratch};

use super::compile::CompiledRule;
use crate::decode::Transport;
use crate::rules::ast::{PayloadMatch, Rule, RuleProto};

/// Rules with at most this many index ports are filed under each of them.
const MAX_INDEX_PORTS: usize = 32;

/// Protocol class of a packet or rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Tcp = 0,
    Udp = 1,
    Icmp = 2,
    Other = 3,
}

impl Class {
    const ALL: [Class; 4] = [Class::Tcp, Class::Udp, Class::Icmp, Class::Other];

    /// The class of a packet's transport.
    pub(crate) fn of(t: &Transport) -> Class {
        match t {
            Transport::Tcp(_) => Class::Tcp,
            Transport::Udp(_) => Class::Udp,
            Transport::Icmp4(_) | Transport::Icmp6(_) => Class::Icmp,
            Transport::None | Transport::Other(_) => Class::Other,
        }
    }

    fn of_rule(p: RuleProto) -> Option<Class> {
        match p {
            RuleProto::Ip => None,
            RuleProto::Tcp | RuleProto::TcpPkt | RuleProto::TcpStream => Some(Class::Tcp),
            RuleProto::Udp => Some(Class::Udp),
            RuleProto::Icmp | RuleProto::Icmpv4 | RuleProto::Icmpv6 => Some(Class::Icmp),
        }
    }
}

/// Inspection slot (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Pkt = 0,
    PktNoStream = 1,
    Stream = 2,
}

/// Flow direction of the inspected packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    ToServer = 0,
    ToClient = 1,
    NoFlow = 2,
}

fn group_index(c: Class, s: Slot, d: Dir) -> usize {
    (c as usize * 3 + s as usize) * 3 + d as usize
}

const GROUPS: usize = 4 * 3 * 3;

/// What a rule contributes to a group's Hyperscan database.
#[derive(Debug, Clone)]
enum Fast {
    Literal(Vec<u8>, bool),
    Regex(String, PatternFlags),
}

impl Fast {
    fn pattern(&self, id: usize) -> Option<Pattern> {
        let (expr, flags) = match self {
            Fast::Literal(bytes, nocase) => {
                let expr: String = bytes.iter().map(|b| format!("\\x{b:02x}")).collect();
                let mut f = PatternFlags::SINGLEMATCH;
                if *nocase {
                    f |= PatternFlags::CASELESS;
                }
                (expr, f)
            }
            Fast::Regex(expr, flags) => (expr.clone(), *flags),
        };
        let mut p = Pattern::with_flags(expr, flags).ok()?;
        p.id = Some(id);
        Some(p)
    }
}

/// The fast pattern of a rule: `fast_pattern` content or the longest positive content.
fn fast_literal(rule: &Rule) -> Option<Fast> {
    let mut best: Option<&crate::rules::ast::Content> = None;
    for item in &rule.payload {
        let PayloadMatch::Content(c) = item else {
            continue;
        };
        if c.negated || c.pattern.is_empty() {
            continue;
        }
        if let Some(fp) = c.fast_pattern {
            let chopped = fp.chop.and_then(|(off, len)| {
                let (off, len) = (usize::from(off), usize::from(len));
                c.pattern.get(off..off.checked_add(len)?)
            });
            let bytes = chopped.filter(|b| !b.is_empty()).unwrap_or(&c.pattern);
            return Some(Fast::Literal(bytes.to_vec(), c.nocase));
        }
        if best.map_or(true, |b| c.pattern.len() > b.pattern.len()) {
            best = Some(c);
        }
    }
    best.map(|c| Fast::Literal(c.pattern.clone(), c.nocase))
}

/// Whether Hyperscan compiles `expr` on its own (checked once per rule, so that one bad
/// pattern never forces a group database to be rebuilt).
fn hyperscan_accepts(expr: &str, flags: PatternFlags) -> bool {
    Pattern::with_flags(expr, flags)
        .ok()
        .is_some_and(|p| p.build::<hyperscan::BlockMode>().is_ok())
}

/// How one rule is prefiltered.
fn fast_for(rule: &Rule, c: &CompiledRule) -> Option<Fast> {
    fast_literal(rule).or_else(|| {
        let (expr, flags) = c.payload.pcre_prefilter()?;
        hyperscan_accepts(expr, flags).then(|| Fast::Regex(expr.to_string(), flags))
    })
}

/// Where a rule is inspected: the slots it belongs to.
fn slots(rule: &Rule, c: &CompiledRule) -> &'static [Slot] {
    let tcp = matches!(
        rule.proto,
        RuleProto::Tcp | RuleProto::TcpPkt | RuleProto::TcpStream
    );
    if !tcp || rule.proto == RuleProto::TcpPkt || c.flow.no_stream || c.has_dsize() {
        &[Slot::Pkt, Slot::PktNoStream]
    } else if rule.proto == RuleProto::TcpStream || c.flow.only_stream {
        &[Slot::Stream]
    } else if c.payload.is_empty() {
        &[Slot::Pkt, Slot::PktNoStream]
    } else {
        &[Slot::PktNoStream, Slot::Stream]
    }
}

fn dirs(c: &CompiledRule) -> &'static [Dir] {
    let f = &c.flow;
    match (f.to_server, f.to_client) {
        (true, false) => &[Dir::ToServer],
        (false, true) => &[Dir::ToClient],
        (true, true) => &[],
        (false, false) if f.established || f.not_established => &[Dir::ToServer, Dir::ToClient],
        (false, false) => &[Dir::ToServer, Dir::ToClient, Dir::NoFlow],
    }
}

/// A rule as a group member: index, prefilter contribution, index ports.
type Member = (u32, Option<Fast>, Option<Vec<u16>>);

/// One group's candidate sources.
#[derive(Default)]
pub(crate) struct Group {
    db: Option<BlockDatabase>,
    /// Hyperscan pattern id → rule index.
    pattern_rules: Vec<u32>,
    /// Sorted ports, each with its span in `port_rules`.
    ports: Vec<u16>,
    port_spans: Vec<(u32, u32)>,
    port_rules: Vec<u32>,
    any_port: Vec<u32>,
}

impl Group {
    /// Pushes the candidate rule indices for a buffer and destination port (unsorted, may
    /// repeat).
    pub(crate) fn collect(
        &self,
        buf: &[u8],
        dport: u16,
        hs: Option<&HsScratch>,
        out: &mut Vec<u32>,
    ) {
        if let (Some(db), Some(hs), false) = (&self.db, hs, buf.is_empty()) {
            let map = &self.pattern_rules;
            // A scan error (impossible with a scratch made for this database) only loses
            // prefiltered candidates; port lists still run.
            let _ = db.scan(buf, hs, |id, _, _, _| {
                if let Some(&r) = map.get(id as usize) {
                    out.push(r);
                }
                Matching::Continue
            });
        }
        if let Ok(i) = self.ports.binary_search(&dport) {
            let (a, b) = self.port_spans[i];
            out.extend_from_slice(&self.port_rules[a as usize..b as usize]);
        }
        out.extend_from_slice(&self.any_port);
    }

    fn build(members: Vec<Member>) -> Group {
        let mut g = Group::default();
        let mut patterns = Vec::new();
        let mut unfiltered = Vec::new();
        for (idx, fast, ports) in members {
            match fast.and_then(|f| f.pattern(patterns.len())) {
                Some(p) => {
                    patterns.push(p);
                    g.pattern_rules.push(idx);
                }
                None => unfiltered.push((idx, ports)),
            }
        }
        if !patterns.is_empty() {
            match Patterns(patterns).build::<hyperscan::BlockMode>() {
                Ok(db) => g.db = Some(db),
                // Every pattern was accepted alone; should the set still fail, its rules
                // are inspected on every packet of the group rather than lost.
                Err(_) => g.any_port.append(&mut g.pattern_rules),
            }
        }
        let mut by_port: Vec<(u16, u32)> = Vec::new();
        for (idx, ports) in unfiltered {
            match ports {
                Some(ps) => by_port.extend(ps.into_iter().map(|p| (p, idx))),
                None => g.any_port.push(idx),
            }
        }
        g.any_port.sort_unstable();
        by_port.sort_unstable();
        by_port.dedup();
        for (port, idx) in by_port {
            if g.ports.last() != Some(&port) {
                let at = g.port_rules.len() as u32;
                g.ports.push(port);
                g.port_spans.push((at, at));
            }
            g.port_rules.push(idx);
            if let Some(span) = g.port_spans.last_mut() {
                span.1 += 1;
            }
        }
        g
    }
}

/// All groups of an engine.
pub(crate) struct Prefilter {
    groups: Vec<Group>,
}

impl Prefilter {
    /// Builds the groups; `rules[i]` is the rule with index `i` in signature order.
    pub(crate) fn build(rules: &[(&Rule, &CompiledRule)]) -> Self {
        let mut members: Vec<Vec<Member>> = (0..GROUPS).map(|_| Vec::new()).collect();
        for (idx, (rule, c)) in rules.iter().enumerate() {
            let idx = idx as u32;
            let fast = fast_for(rule, c);
            let classes: &[Class] = match Class::of_rule(rule.proto) {
                Some(Class::Tcp) => &[Class::Tcp],
                Some(Class::Udp) => &[Class::Udp],
                Some(Class::Icmp) => &[Class::Icmp],
                Some(Class::Other) | None => &Class::ALL,
            };
            for &class in classes {
                let ports = if matches!(class, Class::Tcp | Class::Udp) {
                    c.index_ports(MAX_INDEX_PORTS)
                } else {
                    None
                };
                for &slot in slots(rule, c) {
                    if class != Class::Tcp && slot != Slot::Pkt {
                        continue;
                    }
                    for &dir in dirs(c) {
                        members[group_index(class, slot, dir)].push((
                            idx,
                            fast.clone(),
                            ports.clone(),
                        ));
                    }
                }
            }
        }
        Prefilter {
            groups: members.into_iter().map(Group::build).collect(),
        }
    }

    /// The group for an inspection.
    pub(crate) fn group(&self, c: Class, s: Slot, d: Dir) -> &Group {
        &self.groups[group_index(c, s, d)]
    }

    /// A Hyperscan scratch valid for every database, if there is any database.
    pub(crate) fn alloc_scratch(&self) -> Option<HsScratch> {
        let mut scratch: Option<HsScratch> = None;
        for db in self.groups.iter().filter_map(|g| g.db.as_ref()) {
            let ok = match scratch.as_mut() {
                Some(s) => db.realloc_scratch(s).is_ok(),
                None => {
                    scratch = db.alloc_scratch().ok();
                    scratch.is_some()
                }
            };
            assert!(ok, "Hyperscan scratch allocation failed (out of memory)");
        }
        scratch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testutil::*;
    use crate::rules::ast::{FastPattern, FlowOpts};

    fn fast_bytes(r: &Rule) -> Option<(Vec<u8>, bool)> {
        match fast_literal(r)? {
            Fast::Literal(b, n) => Some((b, n)),
            Fast::Regex(..) => None,
        }
    }

    #[test]
    fn fast_pattern_choice() {
        let r = RuleB::new(1)
            .pay(content(b"ab"))
            .pay(content(b"longest").negated())
            .pay(content(b"xyz"))
            .pay(content(b"uvw").nocase())
            .build();
        assert_eq!(fast_bytes(&r), Some((b"xyz".to_vec(), false)));
        let fp = RuleB::new(2)
            .pay(content(b"longer one"))
            .pay(content(b"GET /x").nocase().fast_pattern(FastPattern {
                only: false,
                chop: Some((4, 2)),
            }))
            .build();
        assert_eq!(fast_bytes(&fp), Some((b"/x".to_vec(), true)));
        let bad_chop = RuleB::new(3)
            .pay(content(b"abc").fast_pattern(FastPattern {
                only: true,
                chop: Some((2, 5)),
            }))
            .build();
        assert_eq!(fast_bytes(&bad_chop), Some((b"abc".to_vec(), false)));
        assert_eq!(
            fast_bytes(&RuleB::new(4).pay(content(b"a").negated()).build()),
            None
        );
    }

    #[test]
    fn literal_patterns_are_escaped() {
        let p = Fast::Literal(b"a.\x00".to_vec(), true).pattern(7).unwrap();
        assert_eq!(p.expression, "\\x61\\x2e\\x00");
        assert_eq!(p.id, Some(7));
        assert!(p
            .flags
            .contains(PatternFlags::CASELESS | PatternFlags::SINGLEMATCH));
    }

    #[test]
    fn slots_and_directions() {
        let c = |r: &Rule| CompiledRule::compile(r, &mut Default::default()).unwrap();
        let plain = RuleB::new(1).pay(content(b"x")).build();
        assert_eq!(
            slots(&plain, &c(&plain)),
            &[Slot::PktNoStream, Slot::Stream]
        );
        let header_only = RuleB::new(2).build();
        assert_eq!(
            slots(&header_only, &c(&header_only)),
            &[Slot::Pkt, Slot::PktNoStream]
        );
        let stream = RuleB::new(3)
            .proto(RuleProto::TcpStream)
            .pay(content(b"x"))
            .build();
        assert_eq!(slots(&stream, &c(&stream)), &[Slot::Stream]);
        let udp = RuleB::new(4)
            .proto(RuleProto::Udp)
            .pay(content(b"x"))
            .build();
        assert_eq!(slots(&udp, &c(&udp)), &[Slot::Pkt, Slot::PktNoStream]);
        let to_server = RuleB::new(5)
            .flow(FlowOpts {
                established: true,
                to_server: true,
                ..FlowOpts::default()
            })
            .build();
        assert_eq!(dirs(&c(&to_server)), &[Dir::ToServer]);
        let est = RuleB::new(6)
            .flow(FlowOpts {
                established: true,
                ..FlowOpts::default()
            })
            .build();
        assert_eq!(dirs(&c(&est)), &[Dir::ToServer, Dir::ToClient]);
        assert_eq!(dirs(&c(&plain)).len(), 3);
    }
}
