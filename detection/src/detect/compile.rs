//! One rule compiled for matching, and the signature order rules are inspected in.

use super::address::{AddrSet, PortSet};
use super::flowbits::{Interner, RuleFlowbits};
use super::header::{check_matches, flow_matches, proto_matches};
use super::payload::Payload;
use super::FlowContext;
use crate::decode::{Packet, Transport};
use crate::rules::ast::{FlowOpts, HeaderCheck, Rule, RuleProto};

/// Priority of a rule without `priority` (Suricata's `DETECT_DEFAULT_PRIO`). A classtype's
/// priority is expected to be resolved into `Rule::priority` by the rule loader.
const DEFAULT_PRIORITY: u8 = 3;

/// A rule in matching form. Everything a packet check needs is precomputed.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    proto: RuleProto,
    src: AddrSet,
    dst: AddrSet,
    sport: PortSet,
    dport: PortSet,
    bidirectional: bool,
    pub(crate) flow: FlowOpts,
    checks: Vec<HeaderCheck>,
    pub(crate) payload: Payload,
    pub(crate) flowbits: RuleFlowbits,
}

impl CompiledRule {
    /// Compiles `rule`; flowbit names are interned into `names`.
    pub(crate) fn compile(rule: &Rule, names: &mut Interner) -> Result<Self, String> {
        Ok(CompiledRule {
            proto: rule.proto,
            src: AddrSet::compile(&rule.src_addr),
            dst: AddrSet::compile(&rule.dst_addr),
            sport: PortSet::compile(&rule.src_port),
            dport: PortSet::compile(&rule.dst_port),
            bidirectional: rule.bidirectional,
            flow: rule.flow,
            checks: rule.header_checks.clone(),
            payload: Payload::compile(&rule.payload)?,
            flowbits: RuleFlowbits::compile(&rule.flowbits, names),
        })
    }

    /// Whether ports take part in matching: only TCP and UDP rules look at them (Suricata
    /// ignores ports of `ip` and `icmp` rules).
    pub(crate) fn uses_ports(&self) -> bool {
        !matches!(
            self.proto,
            RuleProto::Ip | RuleProto::Icmp | RuleProto::Icmpv4 | RuleProto::Icmpv6
        )
    }

    /// Ports a packet's destination port can have for this rule to match, when few
    /// (`limit` at most): the destination set, plus the source set for `<>` rules.
    pub(crate) fn index_ports(&self, limit: usize) -> Option<Vec<u16>> {
        if !self.uses_ports() {
            return None;
        }
        let mut ports = self.dport.small_list(limit)?;
        if self.bidirectional {
            ports.extend(self.sport.small_list(limit)?);
        }
        Some(ports)
    }

    /// Whether the rule has a `dsize` check (it then only runs on packets).
    pub(crate) fn has_dsize(&self) -> bool {
        self.checks
            .iter()
            .any(|c| matches!(c, HeaderCheck::Dsize(_)))
    }

    fn endpoints_match(&self, p: &Packet<'_>) -> bool {
        let Some(ip) = p.ip.as_ref() else {
            return false;
        };
        let (sp, dp) = p.transport.ports();
        let ports =
            self.uses_ports() && matches!(p.transport, Transport::Tcp(_) | Transport::Udp(_));
        let forward = self.src.contains(ip.src)
            && self.dst.contains(ip.dst)
            && (!ports || (self.sport.contains(sp) && self.dport.contains(dp)));
        forward
            || (self.bidirectional
                && self.src.contains(ip.dst)
                && self.dst.contains(ip.src)
                && (!ports || (self.sport.contains(dp) && self.dport.contains(sp))))
    }

    /// Every check that does not look at the payload or flowbits, cheapest first.
    pub(crate) fn header_matches(&self, p: &Packet<'_>, flow: Option<FlowContext>) -> bool {
        proto_matches(self.proto, p)
            && flow_matches(&self.flow, flow)
            && self.endpoints_match(p)
            && self.checks.iter().all(|c| check_matches(c, p))
    }
}

/// Sort key giving the signature order: rules that only set flowbits first; then action order
/// (pass, drop, reject, alert); within an action, rules that set and read flowbits, then
/// rules that only read them, then the rest (Suricata's flowbits ordering); then priority
/// (lower first); then file order.
pub(crate) fn order_key(rule: &Rule, fb: &RuleFlowbits, index: usize) -> (u8, u8, u8, u8, usize) {
    let setter_only = u8::from(fb.reads() || !fb.writes());
    let fb_rank = match (fb.writes(), fb.reads()) {
        (true, true) => 0,
        (false, true) => 1,
        _ => 2,
    };
    (
        setter_only,
        rule.action.order(),
        fb_rank,
        rule.priority.unwrap_or(DEFAULT_PRIORITY),
        index,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{TcpHeader, UdpHeader};
    use crate::detect::testutil::{names, RuleB};
    use crate::rules::ast::{Action, AddrExpr, FlowbitOp, PortExpr};
    use crate::time::Timestamp;

    fn compiled(r: &Rule) -> CompiledRule {
        CompiledRule::compile(r, &mut Interner::default()).unwrap()
    }

    fn packet(src: &str, sp: u16, dst: &str, dp: u16, udp: bool) -> Packet<'static> {
        let mut p = Packet::empty(Timestamp(0), &[]);
        p.ip = Some(crate::decode::IpHeader {
            version: 4,
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            ttl: 64,
            tos: 0,
            id: 0,
            proto: if udp { 17 } else { 6 },
            dont_fragment: false,
            more_fragments: false,
            reserved_bit: false,
            fragment_offset: 0,
            header_len: 20,
            offset: 0,
            checksum_ok: None,
        });
        p.transport = if udp {
            Transport::Udp(UdpHeader {
                src_port: sp,
                dst_port: dp,
                ..UdpHeader::default()
            })
        } else {
            Transport::Tcp(TcpHeader {
                src_port: sp,
                dst_port: dp,
                ..TcpHeader::default()
            })
        };
        p
    }

    fn net(s: &str) -> AddrExpr {
        AddrExpr::Net(s.parse().unwrap(), 32)
    }

    #[test]
    fn directional_and_bidirectional_endpoints() {
        let r = RuleB::new(1)
            .src(net("10.0.0.1"), PortExpr::Any)
            .dst(net("10.0.0.2"), PortExpr::Range(80, 80))
            .build();
        let fwd = packet("10.0.0.1", 5555, "10.0.0.2", 80, false);
        let rev = packet("10.0.0.2", 80, "10.0.0.1", 5555, false);
        let c = compiled(&r);
        assert!(c.header_matches(&fwd, None));
        assert!(!c.header_matches(&rev, None));
        let mut b = r.clone();
        b.bidirectional = true;
        let cb = compiled(&b);
        assert!(cb.header_matches(&fwd, None));
        assert!(cb.header_matches(&rev, None));
        // Reversed addresses but forward ports: neither orientation fits.
        assert!(!cb.header_matches(&packet("10.0.0.2", 5555, "10.0.0.1", 80, false), None));
        assert_eq!(cb.index_ports(8), None);
        let udp = compiled(&RuleB::new(2).proto(RuleProto::Udp).build());
        assert!(!udp.header_matches(&fwd, None));
        assert!(udp.header_matches(&packet("1.1.1.1", 1, "2.2.2.2", 2, true), None));
    }

    #[test]
    fn ports_of_ip_rules_are_ignored() {
        let r = RuleB::new(1)
            .proto(RuleProto::Ip)
            .dst(AddrExpr::Any, PortExpr::Range(80, 80))
            .build();
        let c = compiled(&r);
        assert!(c.header_matches(&packet("1.1.1.1", 1, "2.2.2.2", 443, false), None));
        assert!(!c.uses_ports());
        let t = compiled(
            &RuleB::new(2)
                .dst(AddrExpr::Any, PortExpr::List(vec![PortExpr::Range(80, 81)]))
                .bidirectional()
                .src(AddrExpr::Any, PortExpr::Range(7, 7))
                .build(),
        );
        assert_eq!(t.index_ports(8), Some(vec![80, 81, 7]));
    }

    #[test]
    fn signature_order() {
        let mut n = Interner::default();
        let rules = [
            RuleB::new(1).build(),
            RuleB::new(2).action(Action::Drop).build(),
            RuleB::new(3)
                .flowbit(FlowbitOp::IsSet(names(&["x"]), false))
                .build(),
            RuleB::new(4).flowbit(FlowbitOp::Set(names(&["x"]))).build(),
            RuleB::new(5).priority(1).build(),
            RuleB::new(6).action(Action::Pass).build(),
        ];
        let mut keyed: Vec<_> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    order_key(r, &RuleFlowbits::compile(&r.flowbits, &mut n), i),
                    r.sid,
                )
            })
            .collect();
        keyed.sort();
        let sids: Vec<u32> = keyed.into_iter().map(|(_, s)| s).collect();
        assert_eq!(sids, vec![4, 6, 2, 3, 5, 1]);
    }
}
