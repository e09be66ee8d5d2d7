//! The parsed form of a Suricata rule. The parser produces it, the detection engine compiles it.
//!
//! CONTRACT: the parser (rules::parser) fills these types, the engine (detect) reads them. Add
//! variants and fields as keywords arrive; do not rename.

use std::net::IpAddr;
use std::sync::Arc;

/// What a rule does when it matches (Suricata's actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Raise an alert.
    Alert,
    /// Stop inspecting this packet (and, for flow-matching rules, the flow) and let it through.
    Pass,
    /// Drop the packet (inline) and the rest of its flow; alert.
    Drop,
    /// Drop and answer the sender (TCP RST / ICMP unreachable).
    Reject,
    /// Same as `Reject`.
    RejectSrc,
    /// Drop and answer the receiver.
    RejectDst,
    /// Drop and answer both sides.
    RejectBoth,
}

impl Action {
    /// Precedence in Suricata's default action order (pass, drop, reject, alert): lower first.
    pub fn order(self) -> u8 {
        match self {
            Action::Pass => 0,
            Action::Drop => 1,
            Action::Reject | Action::RejectSrc | Action::RejectDst | Action::RejectBoth => 2,
            Action::Alert => 3,
        }
    }

    /// Whether the action stops the packet when inline.
    pub fn is_drop(self) -> bool {
        matches!(
            self,
            Action::Drop
                | Action::Reject
                | Action::RejectSrc
                | Action::RejectDst
                | Action::RejectBoth
        )
    }
}

/// The protocol field of a rule header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleProto {
    /// Any IP packet.
    Ip,
    /// TCP: matches packet payload and the reassembled stream.
    Tcp,
    /// TCP, packet payload only (`tcp-pkt`).
    TcpPkt,
    /// TCP, reassembled stream only (`tcp-stream`).
    TcpStream,
    /// UDP.
    Udp,
    /// ICMPv4 or ICMPv6 (`icmp`).
    Icmp,
    /// ICMPv4 only (`icmpv4`).
    Icmpv4,
    /// ICMPv6 only (`icmpv6`).
    Icmpv6,
}

/// An address expression: Suricata lists with negation, nesting and CIDR.
///
/// Semantics of a list: the union of its positive items (everything when it has none) minus the
/// union of its negated items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrExpr {
    /// `any`.
    Any,
    /// A network: address and prefix length (a host has the full length).
    Net(IpAddr, u8),
    /// `!expr`.
    Not(Box<AddrExpr>),
    /// `[a, b, ...]`.
    List(Vec<AddrExpr>),
}

/// A port expression: Suricata lists with negation, nesting and ranges.
/// Same list semantics as [`AddrExpr`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortExpr {
    /// `any`.
    Any,
    /// An inclusive range; a single port is `Range(p, p)`.
    Range(u16, u16),
    /// `!expr`.
    Not(Box<PortExpr>),
    /// `[a, b, ...]`.
    List(Vec<PortExpr>),
}

/// A number that is either written in the rule or taken from a `byte_extract` variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A literal.
    Lit(i64),
    /// A `byte_extract` variable, by name.
    Var(String),
}

/// `fast_pattern` settings on a content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FastPattern {
    /// `fast_pattern:only` (the prefilter hit alone proves the content).
    pub only: bool,
    /// `fast_pattern:<offset>,<length>`: use only this slice of the content as the prefilter.
    pub chop: Option<(u16, u16)>,
}

/// A `content` match with its modifiers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Content {
    /// The bytes to find (hex and escapes already decoded).
    pub pattern: Vec<u8>,
    /// `content:!"..."`.
    pub negated: bool,
    /// `nocase`.
    pub nocase: bool,
    /// `offset`.
    pub offset: Option<Value>,
    /// `depth`.
    pub depth: Option<Value>,
    /// `distance` (relative to the previous match).
    pub distance: Option<Value>,
    /// `within` (relative to the previous match).
    pub within: Option<Value>,
    /// `startswith`: offset 0, depth = pattern length.
    pub startswith: bool,
    /// `endswith`: the match must end at the end of the buffer.
    pub endswith: bool,
    /// `fast_pattern`, if given.
    pub fast_pattern: Option<FastPattern>,
    /// `rawbytes` (no effect without normalized buffers; kept for fidelity).
    pub rawbytes: bool,
}

impl Content {
    /// Whether the content is anchored to the previous match (distance/within).
    pub fn is_relative(&self) -> bool {
        self.distance.is_some() || self.within.is_some()
    }
}

/// A `pcre` match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcre {
    /// The regular expression between the slashes, unescaped as written.
    pub pattern: String,
    /// PCRE flags among `i s m x A E G` (applied when compiling).
    pub flags: String,
    /// `!` before the expression.
    pub negated: bool,
    /// `R`: search from the end of the previous match.
    pub relative: bool,
    /// Suricata-specific modifiers other than `R` (e.g. `B`, `O`, or buffer selectors
    /// such as `U`, `H`, `P`), kept so the engine can decide whether it supports them.
    pub suricata_flags: String,
}

/// Number encoding for byte_test/byte_jump/byte_extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumBase {
    /// Raw binary bytes (big or little endian).
    Binary,
    /// ASCII decimal.
    Dec,
    /// ASCII hexadecimal.
    Hex,
    /// ASCII octal.
    Oct,
}

/// Byte order for binary extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    /// Network order (default).
    Big,
    /// Little endian.
    Little,
}

/// Comparison operator of byte_test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOp {
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `=`
    Eq,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `&` (bitwise AND non-zero)
    And,
    /// `^` (bitwise XOR non-zero)
    Xor,
}

/// `byte_test`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteTest {
    /// Bytes to convert (1..=10 for strings, 1..=8 binary).
    pub nbytes: u8,
    /// `!` before the operator.
    pub negated: bool,
    /// Operator.
    pub op: ByteOp,
    /// Value compared with.
    pub value: Value,
    /// Offset of the bytes.
    pub offset: Value,
    /// `relative`.
    pub relative: bool,
    /// Encoding.
    pub base: NumBase,
    /// Byte order.
    pub endian: Endian,
    /// `bitmask <mask>`, applied before comparing.
    pub bitmask: Option<u64>,
}

/// `byte_jump`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteJump {
    /// Bytes to convert.
    pub nbytes: u8,
    /// Offset of the bytes.
    pub offset: Value,
    /// `relative`.
    pub relative: bool,
    /// Encoding.
    pub base: NumBase,
    /// Byte order.
    pub endian: Endian,
    /// `multiplier <n>`.
    pub multiplier: u32,
    /// `align` (round up to 4).
    pub align: bool,
    /// `from_beginning`.
    pub from_beginning: bool,
    /// `from_end`.
    pub from_end: bool,
    /// `post_offset <n>`.
    pub post_offset: i64,
    /// `bitmask <mask>`.
    pub bitmask: Option<u64>,
}

/// `byte_extract`: read a number into a named variable for later keywords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteExtract {
    /// Bytes to convert.
    pub nbytes: u8,
    /// Offset of the bytes.
    pub offset: i64,
    /// Variable name.
    pub name: String,
    /// `relative`.
    pub relative: bool,
    /// Encoding.
    pub base: NumBase,
    /// Byte order.
    pub endian: Endian,
    /// `multiplier <n>`.
    pub multiplier: u32,
    /// `align <2|4>`.
    pub align: u8,
    /// `bitmask <mask>`.
    pub bitmask: Option<u64>,
}

/// `isdataat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsDataAt {
    /// Position to test.
    pub offset: Value,
    /// `!` (no data there).
    pub negated: bool,
    /// `relative`.
    pub relative: bool,
}

/// One step of payload inspection, evaluated in rule order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadMatch {
    /// `content` and its modifiers.
    Content(Content),
    /// `pcre`.
    Pcre(Pcre),
    /// `byte_test`.
    ByteTest(ByteTest),
    /// `byte_jump`.
    ByteJump(ByteJump),
    /// `byte_extract`.
    ByteExtract(ByteExtract),
    /// `isdataat`.
    IsDataAt(IsDataAt),
}

/// A numeric comparison as header keywords write it: `5`, `<5`, `>5`, `<=5`, `>=5`, `!5`, `1-5`
/// (exclusive range, as Suricata), `1<>5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumCmp {
    /// `n`
    Eq(u64),
    /// `!n`
    Ne(u64),
    /// `<n`
    Lt(u64),
    /// `<=n`
    Le(u64),
    /// `>n`
    Gt(u64),
    /// `>=n`
    Ge(u64),
    /// `a-b` / `a<>b`: strictly between.
    Between(u64, u64),
}

impl NumCmp {
    /// Whether `v` satisfies the comparison.
    pub fn matches(self, v: u64) -> bool {
        match self {
            NumCmp::Eq(n) => v == n,
            NumCmp::Ne(n) => v != n,
            NumCmp::Lt(n) => v < n,
            NumCmp::Le(n) => v <= n,
            NumCmp::Gt(n) => v > n,
            NumCmp::Ge(n) => v >= n,
            NumCmp::Between(a, b) => v > a && v < b,
        }
    }
}

/// How `flags` compares the packet's flags with the rule's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagsMode {
    /// Exactly these flags (after the ignore mask).
    Exact,
    /// `+`: at least these.
    All,
    /// `*`: any of these.
    Any,
    /// `!`: none of these.
    Not,
}

/// `fragbits` mode, same meanings as [`FlagsMode`].
pub type FragbitsMode = FlagsMode;

/// A check on packet headers, evaluated before payload inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderCheck {
    /// `ttl`.
    Ttl(NumCmp),
    /// `tos` (value, negated).
    Tos(u8, bool),
    /// `id` (IPv4 identification).
    Id(u16),
    /// `ip_proto` (value, negated / comparison).
    IpProto(NumCmp),
    /// `fragbits`: bits M=0x1 D=0x2 R=0x4, mode.
    Fragbits(u8, FragbitsMode),
    /// `flags`: wanted bits, mode, ignore mask (bits to ignore).
    Flags(u8, FlagsMode, u8),
    /// `seq`.
    Seq(u32),
    /// `ack`.
    Ack(u32),
    /// `window` (value, negated).
    Window(u16, bool),
    /// `itype`.
    Itype(NumCmp),
    /// `icode`.
    Icode(NumCmp),
    /// `icmp_id`.
    IcmpId(u16),
    /// `icmp_seq`.
    IcmpSeq(u16),
    /// `dsize`.
    Dsize(NumCmp),
}

/// `flow:` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowOpts {
    /// `established`.
    pub established: bool,
    /// `not_established`.
    pub not_established: bool,
    /// `stateless`.
    pub stateless: bool,
    /// `to_server` / `from_client`.
    pub to_server: bool,
    /// `to_client` / `from_server`.
    pub to_client: bool,
    /// `only_stream`.
    pub only_stream: bool,
    /// `no_stream`.
    pub no_stream: bool,
}

/// A `flowbits` operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowbitOp {
    /// `set,a` (or `set,a&b`).
    Set(Vec<String>),
    /// `unset,a`.
    Unset(Vec<String>),
    /// `toggle,a`.
    Toggle(Vec<String>),
    /// `isset,a|b` (any) or `isset,a&b` (all): names, and whether all must hold.
    IsSet(Vec<String>, bool),
    /// `isnotset,a|b` / `isnotset,a&b`.
    IsNotSet(Vec<String>, bool),
}

/// Whom a threshold or detection filter counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackBy {
    /// `by_src`.
    Src,
    /// `by_dst`.
    Dst,
    /// `by_rule`.
    Rule,
    /// `by_both`.
    Both,
}

/// Threshold kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdKind {
    /// Alert on the first `count` per period.
    Limit,
    /// Alert every `count`-th.
    Threshold,
    /// Alert once per period after `count`.
    Both,
}

/// `threshold:` on a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    /// Type.
    pub kind: ThresholdKind,
    /// Tracking.
    pub track: TrackBy,
    /// Count.
    pub count: u32,
    /// Seconds.
    pub seconds: u32,
}

/// `detection_filter:` on a rule: match only after `count` hits in `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetectionFilter {
    /// Tracking.
    pub track: TrackBy,
    /// Count.
    pub count: u32,
    /// Seconds.
    pub seconds: u32,
}

/// Where a rule came from, for error messages and `rules check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// File the rule was read from.
    pub file: Arc<str>,
    /// 1-based line where the rule starts.
    pub line: u32,
}

/// The header of a rule: `action proto src_addr src_port -> dst_addr dst_port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleHeader {
    /// Action.
    pub action: Action,
    /// Protocol.
    pub proto: RuleProto,
    /// Source addresses.
    pub src_addr: AddrExpr,
    /// Source ports.
    pub src_port: PortExpr,
    /// `<>`.
    pub bidirectional: bool,
    /// Destination addresses.
    pub dst_addr: AddrExpr,
    /// Destination ports.
    pub dst_port: PortExpr,
}

/// One parsed rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Action.
    pub action: Action,
    /// Header protocol.
    pub proto: RuleProto,
    /// Source addresses.
    pub src_addr: AddrExpr,
    /// Source ports.
    pub src_port: PortExpr,
    /// `<>` instead of `->`.
    pub bidirectional: bool,
    /// Destination addresses.
    pub dst_addr: AddrExpr,
    /// Destination ports.
    pub dst_port: PortExpr,
    /// `sid`.
    pub sid: u32,
    /// `gid` (default 1).
    pub gid: u32,
    /// `rev` (default 0).
    pub rev: u32,
    /// `msg` (escapes removed).
    pub msg: String,
    /// `classtype`, if any.
    pub classtype: Option<String>,
    /// `priority`, if given explicitly (overrides the classtype's).
    pub priority: Option<u8>,
    /// `metadata` as key/value pairs (a bare word has an empty value).
    pub metadata: Vec<(String, String)>,
    /// `reference` as (system, id).
    pub references: Vec<(String, String)>,
    /// `flow`.
    pub flow: FlowOpts,
    /// Header checks.
    pub header_checks: Vec<HeaderCheck>,
    /// Payload inspection steps, in rule order.
    pub payload: Vec<PayloadMatch>,
    /// Flowbit operations, in rule order.
    pub flowbits: Vec<FlowbitOp>,
    /// `noalert` or `flowbits:noalert`.
    pub noalert: bool,
    /// `threshold`.
    pub threshold: Option<Threshold>,
    /// `detection_filter`.
    pub detection_filter: Option<DetectionFilter>,
    /// Where the rule was read.
    pub origin: Origin,
}

impl Rule {
    /// A rule with `header` and no options yet: sid 0, gid 1, rev 0, empty msg, no matches.
    /// The parser fills the options in; tests build rules from it.
    pub fn new(header: RuleHeader, origin: Origin) -> Rule {
        Rule {
            action: header.action,
            proto: header.proto,
            src_addr: header.src_addr,
            src_port: header.src_port,
            bidirectional: header.bidirectional,
            dst_addr: header.dst_addr,
            dst_port: header.dst_port,
            sid: 0,
            gid: 1,
            rev: 0,
            msg: String::new(),
            classtype: None,
            priority: None,
            metadata: Vec::new(),
            references: Vec::new(),
            flow: FlowOpts::default(),
            header_checks: Vec::new(),
            payload: Vec::new(),
            flowbits: Vec::new(),
            noalert: false,
            threshold: None,
            detection_filter: None,
            origin,
        }
    }
}

impl ByteJump {
    /// `byte_jump:<nbytes>,<offset>` with Suricata's defaults for every option (binary,
    /// big endian, multiplier 1, no alignment, from the match position).
    pub fn new(nbytes: u8, offset: Value) -> ByteJump {
        ByteJump {
            nbytes,
            offset,
            relative: false,
            base: NumBase::Binary,
            endian: Endian::Big,
            multiplier: 1,
            align: false,
            from_beginning: false,
            from_end: false,
            post_offset: 0,
            bitmask: None,
        }
    }
}
