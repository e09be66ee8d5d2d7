//! The detection engine: build once from rules, then inspect packets and stream windows from
//! any number of workers, each with its own [`Scratch`].

use hyperscan::Scratch as HsScratch;

use super::compile::{order_key, CompiledRule};
use super::flowbits::{FlowBits, Interner};
use super::payload::Buffer;
use super::prefilter::{Class, Dir, Prefilter, Slot};
use super::{Inspection, Pass};
use crate::rules::ast::Rule;

/// A rule's position in signature order; matches are reported in increasing `RuleId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub u32);

/// What [`DetectEngine::build`] did with the rules it was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildReport {
    /// Rules compiled and active.
    pub compiled: usize,
    /// Rules skipped: sid and reason (e.g. a pcre that does not compile).
    pub failed: Vec<(u32, String)>,
}

/// Compiled, immutable signature set shared by all workers (`Send + Sync`).
pub struct DetectEngine {
    rules: Vec<Rule>,
    compiled: Vec<CompiledRule>,
    prefilter: Prefilter,
    flowbit_names: Interner,
    max_vars: usize,
}

/// Per-worker mutable state for [`DetectEngine::inspect`]: Hyperscan scratch, candidate
/// buffer and byte_extract slots. After warm-up, inspection allocates nothing.
pub struct Scratch {
    hs: Option<HsScratch>,
    pub(super) candidates: Vec<u32>,
    vars: Vec<u64>,
    verified: u64,
}

impl Scratch {
    /// Number of candidate rules verified so far (a debug counter: it shows how well the
    /// prefilter and grouping keep rules away from packets they cannot match).
    pub fn verified(&self) -> u64 {
        self.verified
    }
}

impl DetectEngine {
    /// Compiles `rules`. A rule that cannot be compiled is skipped and reported; the others
    /// are kept in signature order (see [`RuleId`]).
    pub fn build(rules: Vec<Rule>) -> (DetectEngine, BuildReport) {
        let mut names = Interner::default();
        let mut report = BuildReport::default();
        let mut ok: Vec<(Rule, CompiledRule, usize)> = Vec::with_capacity(rules.len());
        for (i, rule) in rules.into_iter().enumerate() {
            match CompiledRule::compile(&rule, &mut names) {
                Ok(c) => ok.push((rule, c, i)),
                Err(reason) => report.failed.push((rule.sid, reason)),
            }
        }
        ok.sort_by_cached_key(|(r, c, i)| order_key(r, &c.flowbits, *i));
        report.compiled = ok.len();
        let prefilter = {
            let pairs: Vec<(&Rule, &CompiledRule)> = ok.iter().map(|(r, c, _)| (r, c)).collect();
            Prefilter::build(&pairs)
        };
        let max_vars = ok
            .iter()
            .map(|(_, c, _)| c.payload.var_count())
            .max()
            .unwrap_or(0);
        let (rules, compiled) = ok.into_iter().map(|(r, c, _)| (r, c)).unzip();
        let engine = DetectEngine {
            rules,
            compiled,
            prefilter,
            flowbit_names: names,
            max_vars,
        };
        (engine, report)
    }

    /// The rule behind a match.
    ///
    /// # Panics
    /// If `id` did not come from this engine.
    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.rules[id.0 as usize]
    }

    /// Number of active rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether no rule is active.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The interned id of a flowbit name (for [`FlowBits::is_set`]), if any rule uses it.
    pub fn flowbit_id(&self, name: &str) -> Option<u32> {
        self.flowbit_names.get(name)
    }

    /// A scratch for one worker.
    ///
    /// # Panics
    /// If Hyperscan cannot allocate its scratch (out of memory).
    pub fn new_scratch(&self) -> Scratch {
        Scratch {
            hs: self.prefilter.alloc_scratch(),
            candidates: Vec::with_capacity(64),
            vars: vec![0; self.max_vars],
            verified: 0,
        }
    }

    /// Inspects one packet (packet pass) or one stream window (stream pass) and appends the
    /// matching rules to `out` in signature order, each once. Flowbit conditions see the
    /// changes made by rules earlier in the same call; a matching rule's flowbit actions are
    /// applied at once. `flowbits` is `None` when the packet has no flow (flowbit conditions
    /// then fail and actions are dropped).
    pub fn inspect(
        &self,
        scratch: &mut Scratch,
        input: &Inspection<'_>,
        mut flowbits: Option<&mut FlowBits>,
        out: &mut Vec<RuleId>,
    ) {
        let p = input.packet;
        if p.ip.is_none() {
            return;
        }
        let class = Class::of(&p.transport);
        let stream_active = input.flow.is_some_and(|f| f.stream_active);
        let (slot, buf) = match input.pass {
            Pass::Packet => {
                let slot = if class == Class::Tcp && !stream_active {
                    Slot::PktNoStream
                } else {
                    Slot::Pkt
                };
                let buf = Buffer {
                    data: p.payload,
                    base: 0,
                    new_from: None,
                };
                (slot, buf)
            }
            Pass::Stream {
                data,
                base_offset,
                new_from,
            } => {
                if class != Class::Tcp || new_from >= data.len() {
                    return;
                }
                let buf = Buffer {
                    data,
                    base: base_offset,
                    new_from: Some(new_from),
                };
                (Slot::Stream, buf)
            }
        };
        let dir = match input.flow {
            Some(f) if f.direction_to_server => Dir::ToServer,
            Some(_) => Dir::ToClient,
            None => Dir::NoFlow,
        };
        let Scratch {
            hs,
            candidates,
            vars,
            verified,
        } = scratch;
        candidates.clear();
        let group = self.prefilter.group(class, slot, dir);
        group.collect(buf.data, p.transport.ports().1, hs.as_ref(), candidates);
        candidates.sort_unstable();
        candidates.dedup();
        for &idx in candidates.iter() {
            *verified += 1;
            let rule = &self.compiled[idx as usize];
            if rule.header_matches(p, input.flow)
                && rule.flowbits.conditions_hold(flowbits.as_deref())
                && rule.payload.matches(buf, vars)
            {
                if let Some(bits) = flowbits.as_deref_mut() {
                    rule.flowbits.apply(bits);
                }
                out.push(RuleId(idx));
            }
        }
    }
}
