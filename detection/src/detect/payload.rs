//! The payload evaluator: content and its modifiers, pcre, byte_test/jump/extract, isdataat,
//! evaluated in rule order over one buffer with Suricata's backtracking.
//!
//! Semantics follow Suricata's `DetectEngineContentInspection`:
//! - a cursor (`prev_end`, Suricata's `buffer_offset`) holds the end of the last match; relative
//!   keywords (`distance`/`within`, `R`, `relative`) work from it;
//! - absolute `depth` counts from `offset`; `within` counts from `prev_end + distance`;
//! - when a later keyword fails, a content or pcre that a later relative keyword depends on
//!   is retried at its next occurrence (start + 1); an absolute content that is not found,
//!   or a content no later keyword depends on, ends the rule at once (no retry can help), as
//!   in Suricata;
//! - every step entry costs one unit of a budget of [`INSPECTION_BUDGET`] per rule and buffer
//!   (Suricata's `inspection_recursion_limit`), so hostile input cannot explode the search.
//!
//! Stream buffers: index `i` of the buffer is stream offset `base + i`. Absolute offsets
//! (`offset`/`depth`/`startswith`, absolute `isdataat` and byte keywords, `from_beginning`) are
//! stream offsets, so `content:"GET"; depth:3;` only matches a buffer with `base == 0`. With
//! `new_from` set (the stream pass), a match is only reported if its *final position* is past
//! `new_from`, so data already inspected cannot alert twice. The final position is the end of
//! the last positive content or pcre match of the successful evaluation (the buffer end when
//! the rule has no positive match). A match whose final position is in old data is not an
//! end: the search backtracks for a later one.
//!
//! Deliberate differences: a negated `endswith` content fails only if the pattern occurs at
//! the end of the buffer (Suricata looks at the first occurrence only); a buffer that is empty
//! never matches a rule with payload keywords.

use super::bytes::{apply_bitmask, read_number};
use super::pcre::CompiledPcre;
use super::search::Needle;
use crate::rules::ast::{ByteOp, Content, Endian, NumBase, PayloadMatch, Value};

/// Step budget per rule evaluation (Suricata's default `inspection_recursion_limit`).
pub(crate) const INSPECTION_BUDGET: u32 = 3000;

/// A number from the rule or a `byte_extract` variable slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Val {
    Lit(i64),
    Var(u8),
}

#[derive(Debug, Clone)]
struct ContentStep {
    needle: Needle,
    negated: bool,
    relative: bool,
    offset: Option<Val>,
    depth: Option<Val>,
    distance: Option<Val>,
    within: Option<Val>,
    endswith: bool,
    /// An absolute content without variables: not finding it ends the rule.
    independent: bool,
}

#[derive(Debug, Clone)]
struct NumRead {
    nbytes: u8,
    offset: Val,
    relative: bool,
    base: NumBase,
    endian: Endian,
    bitmask: Option<u64>,
}

#[derive(Debug, Clone)]
enum Step {
    Content(ContentStep),
    Pcre(CompiledPcre),
    ByteTest {
        read: NumRead,
        negated: bool,
        op: ByteOp,
        value: Val,
    },
    ByteJump {
        read: NumRead,
        multiplier: u64,
        align: bool,
        from_beginning: bool,
        from_end: bool,
        post_offset: i64,
    },
    ByteExtract {
        read: NumRead,
        slot: u8,
        multiplier: u64,
        align: u8,
    },
    IsDataAt {
        offset: Val,
        negated: bool,
        relative: bool,
    },
}

impl Step {
    fn is_relative(&self) -> bool {
        match self {
            Step::Content(c) => c.relative,
            Step::Pcre(p) => p.relative,
            Step::ByteTest { read, .. }
            | Step::ByteJump { read, .. }
            | Step::ByteExtract { read, .. } => read.relative,
            Step::IsDataAt { relative, .. } => *relative,
        }
    }

    /// Whether the step moves the cursor (a positive content or pcre match, a jump, an
    /// extraction); the others leave it where it was.
    fn moves_cursor(&self) -> bool {
        match self {
            Step::Content(c) => !c.negated,
            Step::Pcre(p) => !p.negated,
            Step::ByteJump { .. } | Step::ByteExtract { .. } => true,
            Step::ByteTest { .. } | Step::IsDataAt { .. } => false,
        }
    }
}

/// For each step, whether a later relative keyword depends on its position (Suricata's
/// `*_RELATIVE_NEXT` flags): a relative keyword depends on the nearest earlier step that
/// moved the cursor and, through relative jumps and extractions, on the step those started
/// from. Only content and pcre steps can be retried at another occurrence.
fn retry_flags(steps: &[Step]) -> Vec<bool> {
    let anchor = |j: usize| (0..j).rev().find(|&k| steps[k].moves_cursor());
    let mut retry = vec![false; steps.len()];
    for (j, step) in steps.iter().enumerate() {
        if !step.is_relative() {
            continue;
        }
        let mut a = anchor(j);
        while let Some(k) = a {
            match &steps[k] {
                Step::Content(_) | Step::Pcre(_) => {
                    retry[k] = true;
                    break;
                }
                s if s.is_relative() => a = anchor(k),
                _ => break,
            }
        }
    }
    retry
}

/// The compiled payload section of a rule.
#[derive(Debug, Clone, Default)]
pub(crate) struct Payload {
    steps: Vec<Step>,
    /// [`retry_flags`] of `steps`.
    retry: Vec<bool>,
    vars: usize,
}

/// The buffer one evaluation runs over.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Buffer<'a> {
    /// The bytes.
    pub(crate) data: &'a [u8],
    /// Stream offset of `data[0]` (0 for packet payloads).
    pub(crate) base: u64,
    /// Stream pass: index where not-yet-inspected data starts.
    pub(crate) new_from: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Match,
    NoMatch,
    /// No match, and retrying earlier keywords cannot help (or the budget is spent).
    Abort,
}

/// Names of `byte_extract` variables while compiling one rule.
struct VarTable<'r>(Vec<&'r str>);

impl<'r> VarTable<'r> {
    fn val(&self, v: &Value) -> Result<Val, String> {
        match v {
            Value::Lit(n) => Ok(Val::Lit(*n)),
            Value::Var(name) => self
                .0
                .iter()
                .position(|n| n == name)
                .and_then(|i| u8::try_from(i).ok())
                .map(Val::Var)
                .ok_or_else(|| format!("unknown byte_extract variable '{name}'")),
        }
    }

    fn opt(&self, v: &Option<Value>) -> Result<Option<Val>, String> {
        v.as_ref().map(|v| self.val(v)).transpose()
    }
}

fn check_nbytes(kw: &str, nbytes: u8, base: NumBase, zero_ok: bool) -> Result<(), String> {
    let max = if base == NumBase::Binary { 8 } else { 23 };
    if (nbytes == 0 && !(zero_ok && base == NumBase::Binary)) || nbytes > max {
        return Err(format!("{kw}: {nbytes} bytes is outside 1..={max}"));
    }
    Ok(())
}

fn compile_content(c: &Content, vars: &VarTable<'_>) -> Result<ContentStep, String> {
    if c.pattern.is_empty() {
        return Err("empty content".into());
    }
    let (offset, depth) = if c.startswith {
        let len = i64::try_from(c.pattern.len()).unwrap_or(i64::MAX);
        (Some(Val::Lit(0)), Some(Val::Lit(len)))
    } else {
        (vars.opt(&c.offset)?, vars.opt(&c.depth)?)
    };
    let relative = c.is_relative();
    let has_var = [offset, depth]
        .iter()
        .any(|v| matches!(v, Some(Val::Var(_))));
    Ok(ContentStep {
        needle: Needle::new(&c.pattern, c.nocase),
        negated: c.negated,
        relative,
        offset,
        depth,
        distance: vars.opt(&c.distance)?,
        within: vars.opt(&c.within)?,
        endswith: c.endswith,
        independent: !relative && !has_var,
    })
}

impl Payload {
    /// Compiles the payload keywords of a rule; the error names the first unusable keyword.
    pub(crate) fn compile(items: &[PayloadMatch]) -> Result<Self, String> {
        let mut vars = VarTable(Vec::new());
        let mut steps = Vec::with_capacity(items.len());
        for item in items {
            let step = match item {
                PayloadMatch::Content(c) => Step::Content(compile_content(c, &vars)?),
                PayloadMatch::Pcre(p) => Step::Pcre(CompiledPcre::compile(p)?),
                PayloadMatch::ByteTest(t) => {
                    check_nbytes("byte_test", t.nbytes, t.base, false)?;
                    Step::ByteTest {
                        read: NumRead {
                            nbytes: t.nbytes,
                            offset: vars.val(&t.offset)?,
                            relative: t.relative,
                            base: t.base,
                            endian: t.endian,
                            bitmask: t.bitmask,
                        },
                        negated: t.negated,
                        op: t.op,
                        value: vars.val(&t.value)?,
                    }
                }
                PayloadMatch::ByteJump(j) => {
                    check_nbytes("byte_jump", j.nbytes, j.base, true)?;
                    Step::ByteJump {
                        read: NumRead {
                            nbytes: j.nbytes,
                            offset: vars.val(&j.offset)?,
                            relative: j.relative,
                            base: j.base,
                            endian: j.endian,
                            bitmask: j.bitmask,
                        },
                        multiplier: u64::from(j.multiplier.max(1)),
                        align: j.align,
                        from_beginning: j.from_beginning,
                        from_end: j.from_end,
                        post_offset: j.post_offset,
                    }
                }
                PayloadMatch::ByteExtract(e) => {
                    check_nbytes("byte_extract", e.nbytes, e.base, false)?;
                    if !matches!(e.align, 0 | 2 | 4) {
                        return Err(format!("byte_extract: align {} is not 2 or 4", e.align));
                    }
                    if vars.0.len() >= usize::from(u8::MAX) {
                        return Err("too many byte_extract variables".into());
                    }
                    let read = NumRead {
                        nbytes: e.nbytes,
                        offset: Val::Lit(e.offset),
                        relative: e.relative,
                        base: e.base,
                        endian: e.endian,
                        bitmask: e.bitmask,
                    };
                    let slot = match vars.0.iter().position(|n| *n == e.name) {
                        Some(i) => i,
                        None => {
                            vars.0.push(&e.name);
                            vars.0.len() - 1
                        }
                    };
                    Step::ByteExtract {
                        read,
                        slot: u8::try_from(slot).map_err(|_| "too many variables")?,
                        multiplier: u64::from(e.multiplier.max(1)),
                        align: e.align,
                    }
                }
                PayloadMatch::IsDataAt(d) => Step::IsDataAt {
                    offset: vars.val(&d.offset)?,
                    negated: d.negated,
                    relative: d.relative,
                },
            };
            steps.push(step);
        }
        Ok(Payload {
            retry: retry_flags(&steps),
            steps,
            vars: vars.0.len(),
        })
    }

    /// Whether the rule has payload keywords at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The first pcre that can stand in for a fast pattern in Hyperscan prefilter mode.
    pub(crate) fn pcre_prefilter(&self) -> Option<(&str, hyperscan::PatternFlags)> {
        self.steps.iter().find_map(|s| match s {
            Step::Pcre(p) => p.prefilter(),
            _ => None,
        })
    }

    /// Number of `byte_extract` variable slots the rule needs.
    pub(crate) fn var_count(&self) -> usize {
        self.vars
    }

    /// Evaluates the payload keywords over `buf`. `vars` must hold at least
    /// [`Payload::var_count`] slots (scratch space, overwritten).
    pub(crate) fn matches(&self, buf: Buffer<'_>, vars: &mut [u64]) -> bool {
        if !self.steps.is_empty() && buf.data.is_empty() {
            return false;
        }
        let mut ev = Evaluator {
            steps: &self.steps,
            retry: &self.retry,
            data: buf.data,
            len: len_i64(buf.data.len()),
            base: i64::try_from(buf.base).unwrap_or(i64::MAX),
            new_from: buf.new_from,
            vars,
            budget: INSPECTION_BUDGET,
        };
        ev.run(0, 0, None) == Outcome::Match
    }
}

fn len_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

struct Evaluator<'a, 'v> {
    steps: &'a [Step],
    retry: &'a [bool],
    data: &'a [u8],
    len: i64,
    base: i64,
    new_from: Option<usize>,
    vars: &'v mut [u64],
    budget: u32,
}

impl Evaluator<'_, '_> {
    fn val(&self, v: Val) -> i64 {
        match v {
            Val::Lit(n) => n,
            Val::Var(i) => self
                .vars
                .get(usize::from(i))
                .map_or(0, |&x| i64::try_from(x).unwrap_or(i64::MAX)),
        }
    }

    fn val_u64(&self, v: Val) -> u64 {
        match v {
            Val::Lit(n) => n as u64,
            Val::Var(i) => self.vars.get(usize::from(i)).copied().unwrap_or(0),
        }
    }

    /// Whether a failed later step may be retried at this step's next occurrence.
    fn may_retry(&self, i: usize) -> bool {
        self.new_from.is_some() || self.retry.get(i).copied().unwrap_or(false)
    }

    fn run(&mut self, i: usize, prev_end: usize, last_pos: Option<usize>) -> Outcome {
        if self.budget == 0 {
            return Outcome::Abort;
        }
        self.budget -= 1;
        let Some(step) = self.steps.get(i) else {
            return match self.new_from {
                Some(nf) if last_pos.unwrap_or(self.data.len()) <= nf => Outcome::NoMatch,
                _ => Outcome::Match,
            };
        };
        match step {
            Step::Content(c) => self.content(i, c, prev_end, last_pos),
            Step::Pcre(p) => self.pcre(i, p, prev_end, last_pos),
            Step::ByteTest {
                read,
                negated,
                op,
                value,
            } => {
                let Some((v, _, _)) = self.read(read, prev_end) else {
                    return Outcome::NoMatch;
                };
                let want = self.val_u64(*value);
                let hit = match op {
                    ByteOp::Lt => v < want,
                    ByteOp::Gt => v > want,
                    ByteOp::Eq => v == want,
                    ByteOp::Le => v <= want,
                    ByteOp::Ge => v >= want,
                    ByteOp::And => v & want != 0,
                    ByteOp::Xor => v ^ want != 0,
                };
                if hit != *negated {
                    self.run(i + 1, prev_end, last_pos)
                } else {
                    Outcome::NoMatch
                }
            }
            Step::ByteJump {
                read,
                multiplier,
                align,
                from_beginning,
                from_end,
                post_offset,
            } => {
                let Some((v, pos, used)) = self.read(read, prev_end) else {
                    return Outcome::NoMatch;
                };
                let mut v = v.wrapping_mul(*multiplier);
                if *align && v % 4 != 0 {
                    v = v.wrapping_add(4 - v % 4);
                }
                let jump = i64::try_from(v)
                    .unwrap_or(i64::MAX)
                    .saturating_add(*post_offset);
                let target = if *from_beginning {
                    jump.saturating_sub(self.base)
                } else if *from_end {
                    self.len.saturating_add(jump)
                } else {
                    pos.saturating_add(used).saturating_add(jump)
                };
                let target = target.max(0);
                if target >= self.len {
                    return Outcome::NoMatch;
                }
                self.run(i + 1, target as usize, last_pos)
            }
            Step::ByteExtract {
                read,
                slot,
                multiplier,
                align,
            } => {
                let Some((v, pos, used)) = self.read(read, prev_end) else {
                    return Outcome::NoMatch;
                };
                let mut v = v.wrapping_mul(*multiplier);
                let a = u64::from(*align);
                if a > 0 && v % a != 0 {
                    v = v.wrapping_add(a - v % a);
                }
                if let Some(s) = self.vars.get_mut(usize::from(*slot)) {
                    *s = v;
                }
                self.run(i + 1, (pos + used) as usize, last_pos)
            }
            Step::IsDataAt {
                offset,
                negated,
                relative,
            } => {
                let n = self.val(*offset);
                let has_data = if *relative {
                    len_i64(prev_end).saturating_add(n) <= self.len
                } else {
                    n < self.base.saturating_add(self.len)
                };
                if has_data != *negated {
                    self.run(i + 1, prev_end, last_pos)
                } else if matches!(offset, Val::Lit(_)) && !(*relative && *negated) {
                    // Suricata gives up on the whole rule here: no earlier retry can help.
                    Outcome::Abort
                } else {
                    Outcome::NoMatch
                }
            }
        }
    }

    /// Reads a number for a byte keyword: `(value after bitmask, position, bytes consumed)`.
    fn read(&self, r: &NumRead, prev_end: usize) -> Option<(u64, i64, i64)> {
        let off = self.val(r.offset);
        let pos = if r.relative {
            len_i64(prev_end).saturating_add(off)
        } else {
            off.saturating_sub(self.base)
        };
        let n = i64::from(r.nbytes);
        if pos < 0 || pos.saturating_add(n) > self.len {
            return None;
        }
        let field = self.data.get(pos as usize..(pos + n) as usize)?;
        let (v, used) = read_number(field, r.base, r.endian)?;
        Some((apply_bitmask(v, r.bitmask), pos, len_i64(used)))
    }

    /// The search window `[start, end)` of a content, or `None` when it cannot hold a match.
    fn window(&self, c: &ContentStep, prev_end: usize) -> Option<(usize, usize)> {
        let (start, end) = if c.relative {
            let prev = len_i64(prev_end);
            let dist = c.distance.map_or(0, |d| self.val(d));
            let mut start = prev.saturating_add(dist).max(0);
            let mut end = self.len;
            if let Some(w) = c.within {
                end = end.min(prev.saturating_add(dist).saturating_add(self.val(w)));
            }
            if let Some(d) = c.depth {
                end = end.min(prev.saturating_add(self.val(d)));
            }
            if let Some(o) = c.offset {
                start = start.max(self.val(o).saturating_sub(self.base));
            }
            (start, end)
        } else {
            let off = c.offset.map_or(0, |o| self.val(o));
            let start = off.saturating_sub(self.base).max(0);
            let end = c.depth.map_or(self.len, |d| {
                off.saturating_add(self.val(d))
                    .saturating_sub(self.base)
                    .min(self.len)
            });
            (start, end)
        };
        if start > end || end <= 0 {
            return None;
        }
        Some((start as usize, end as usize))
    }

    /// First occurrence at or after `from` that ends by `end` (and at the buffer end for
    /// `endswith`).
    fn find(&self, c: &ContentStep, from: usize, end: usize) -> Option<usize> {
        let n = c.needle.len();
        if c.endswith {
            let pos = self.data.len().checked_sub(n)?;
            return (end == self.data.len() && pos >= from && c.needle.is_at(self.data, pos))
                .then_some(pos);
        }
        let hay = self.data.get(from..end)?;
        c.needle.find(hay).map(|p| from + p)
    }

    fn content(
        &mut self,
        i: usize,
        c: &ContentStep,
        prev_end: usize,
        last_pos: Option<usize>,
    ) -> Outcome {
        let window = self.window(c, prev_end);
        if c.negated {
            let found = window.and_then(|(s, e)| self.find(c, s, e)).is_some();
            return if found {
                Outcome::NoMatch
            } else {
                self.run(i + 1, prev_end, last_pos)
            };
        }
        let Some((mut from, end)) = window else {
            return Outcome::NoMatch;
        };
        loop {
            let Some(pos) = self.find(c, from, end) else {
                return if c.independent {
                    Outcome::Abort
                } else {
                    Outcome::NoMatch
                };
            };
            let match_end = pos + c.needle.len();
            match self.run(i + 1, match_end, Some(match_end)) {
                Outcome::NoMatch if self.may_retry(i) => from = pos + 1,
                Outcome::NoMatch => return Outcome::Abort,
                other => return other,
            }
        }
    }

    fn pcre(
        &mut self,
        i: usize,
        p: &CompiledPcre,
        prev_end: usize,
        last_pos: Option<usize>,
    ) -> Outcome {
        let subject_start = if p.relative { prev_end } else { 0 };
        let Some(subject) = self.data.get(subject_start..) else {
            return Outcome::NoMatch;
        };
        if p.negated {
            return if p.find(subject, 0).is_some() {
                Outcome::NoMatch
            } else {
                self.run(i + 1, prev_end, last_pos)
            };
        }
        let mut from = 0;
        loop {
            let Some((s, e)) = p.find(subject, from) else {
                return Outcome::NoMatch;
            };
            let match_end = subject_start + e;
            match self.run(i + 1, match_end, Some(match_end)) {
                Outcome::NoMatch if self.may_retry(i) => from = s + 1,
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests;
