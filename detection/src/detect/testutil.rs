//! Test-only builders for rules and payload keywords (until the rule parser is merged, and
//! for terse tests afterwards).

use std::sync::Arc;

use crate::rules::ast::*;

/// A `content` with no modifiers.
pub(crate) fn content(p: &[u8]) -> Content {
    Content {
        pattern: p.to_vec(),
        ..Content::default()
    }
}

/// A literal value.
pub(crate) fn lit(n: i64) -> Option<Value> {
    Some(Value::Lit(n))
}

/// A variable reference.
pub(crate) fn var(name: &str) -> Option<Value> {
    Some(Value::Var(name.into()))
}

/// Chainable content modifiers.
pub(crate) trait ContentExt: Sized {
    fn modify(self, f: impl FnOnce(&mut Content)) -> Self;
    fn offset(self, v: Option<Value>) -> Self {
        self.modify(|c| c.offset = v)
    }
    fn depth(self, v: Option<Value>) -> Self {
        self.modify(|c| c.depth = v)
    }
    fn distance(self, v: Option<Value>) -> Self {
        self.modify(|c| c.distance = v)
    }
    fn within(self, v: Option<Value>) -> Self {
        self.modify(|c| c.within = v)
    }
    fn nocase(self) -> Self {
        self.modify(|c| c.nocase = true)
    }
    fn negated(self) -> Self {
        self.modify(|c| c.negated = true)
    }
    fn startswith(self) -> Self {
        self.modify(|c| c.startswith = true)
    }
    fn endswith(self) -> Self {
        self.modify(|c| c.endswith = true)
    }
    fn fast_pattern(self, fp: FastPattern) -> Self {
        self.modify(|c| c.fast_pattern = Some(fp))
    }
}

impl ContentExt for Content {
    fn modify(mut self, f: impl FnOnce(&mut Content)) -> Self {
        f(&mut self);
        self
    }
}

impl From<Content> for PayloadMatch {
    fn from(c: Content) -> Self {
        PayloadMatch::Content(c)
    }
}

impl From<Pcre> for PayloadMatch {
    fn from(p: Pcre) -> Self {
        PayloadMatch::Pcre(p)
    }
}

/// A `pcre` keyword: `/pattern/flags`, `R` in `flags` sets `relative`.
pub(crate) fn pcre(pattern: &str, flags: &str) -> Pcre {
    Pcre {
        pattern: pattern.into(),
        flags: flags.chars().filter(|c| *c != 'R').collect(),
        negated: false,
        relative: flags.contains('R'),
        suricata_flags: String::new(),
    }
}

/// `byte_test` with binary big-endian defaults.
pub(crate) fn byte_test(nbytes: u8, op: ByteOp, value: i64, offset: i64) -> ByteTest {
    ByteTest {
        nbytes,
        negated: false,
        op,
        value: Value::Lit(value),
        offset: Value::Lit(offset),
        relative: false,
        base: NumBase::Binary,
        endian: Endian::Big,
        bitmask: None,
    }
}

/// `byte_jump` with binary big-endian defaults.
pub(crate) fn byte_jump(nbytes: u8, offset: i64) -> ByteJump {
    ByteJump::new(nbytes, Value::Lit(offset))
}

/// `byte_extract` with binary big-endian defaults.
pub(crate) fn byte_extract(nbytes: u8, offset: i64, name: &str) -> ByteExtract {
    ByteExtract {
        nbytes,
        offset,
        name: name.into(),
        relative: false,
        base: NumBase::Binary,
        endian: Endian::Big,
        multiplier: 1,
        align: 0,
        bitmask: None,
    }
}

/// `isdataat`.
pub(crate) fn isdataat(offset: i64, negated: bool, relative: bool) -> PayloadMatch {
    PayloadMatch::IsDataAt(IsDataAt {
        offset: Value::Lit(offset),
        negated,
        relative,
    })
}

/// A rule under construction: `alert tcp any any -> any any (sid:N;)` by default.
pub(crate) struct RuleB(Rule);

impl RuleB {
    pub(crate) fn new(sid: u32) -> Self {
        let header = RuleHeader {
            action: Action::Alert,
            proto: RuleProto::Tcp,
            src_addr: AddrExpr::Any,
            src_port: PortExpr::Any,
            bidirectional: false,
            dst_addr: AddrExpr::Any,
            dst_port: PortExpr::Any,
        };
        let origin = Origin {
            file: Arc::from("test.rules"),
            line: sid,
        };
        let mut rule = Rule::new(header, origin);
        rule.sid = sid;
        rule.msg = format!("rule {sid}");
        RuleB(rule)
    }
    pub(crate) fn action(mut self, a: Action) -> Self {
        self.0.action = a;
        self
    }
    pub(crate) fn proto(mut self, p: RuleProto) -> Self {
        self.0.proto = p;
        self
    }
    pub(crate) fn src(mut self, a: AddrExpr, p: PortExpr) -> Self {
        self.0.src_addr = a;
        self.0.src_port = p;
        self
    }
    pub(crate) fn dst(mut self, a: AddrExpr, p: PortExpr) -> Self {
        self.0.dst_addr = a;
        self.0.dst_port = p;
        self
    }
    pub(crate) fn bidirectional(mut self) -> Self {
        self.0.bidirectional = true;
        self
    }
    pub(crate) fn priority(mut self, p: u8) -> Self {
        self.0.priority = Some(p);
        self
    }
    pub(crate) fn flow(mut self, f: FlowOpts) -> Self {
        self.0.flow = f;
        self
    }
    pub(crate) fn check(mut self, c: HeaderCheck) -> Self {
        self.0.header_checks.push(c);
        self
    }
    pub(crate) fn pay(mut self, p: impl Into<PayloadMatch>) -> Self {
        self.0.payload.push(p.into());
        self
    }
    pub(crate) fn flowbit(mut self, op: FlowbitOp) -> Self {
        self.0.flowbits.push(op);
        self
    }
    pub(crate) fn build(self) -> Rule {
        self.0
    }
}

/// A list of names for flowbit operations.
pub(crate) fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}
