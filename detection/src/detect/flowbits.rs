//! Flowbits: names interned to small ids at build time, a per-flow bit set, and the compiled
//! conditions (`isset`/`isnotset`) and actions (`set`/`unset`/`toggle`) of a rule.

use std::collections::HashMap;

use crate::rules::ast::FlowbitOp;

/// The flowbits set on one flow. Owned by the flow table, passed to [`super::DetectEngine::inspect`].
/// Empty by default (no allocation until a bit is set); cheap to clone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowBits {
    words: Vec<u64>,
}

impl FlowBits {
    /// Whether bit `id` (from [`super::DetectEngine::flowbit_id`]) is set.
    pub fn is_set(&self, id: u32) -> bool {
        let (w, b) = (id as usize / 64, id % 64);
        self.words.get(w).is_some_and(|x| x & (1 << b) != 0)
    }

    fn set(&mut self, id: u32) {
        let (w, b) = (id as usize / 64, id % 64);
        if self.words.len() <= w {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << b;
    }

    fn unset(&mut self, id: u32) {
        let (w, b) = (id as usize / 64, id % 64);
        if let Some(x) = self.words.get_mut(w) {
            *x &= !(1 << b);
        }
    }

    fn toggle(&mut self, id: u32) {
        if self.is_set(id) {
            self.unset(id);
        } else {
            self.set(id);
        }
    }
}

/// Name → id table built while compiling the rules.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> u32 {
        let next = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        *self.ids.entry(name.to_string()).or_insert(next)
    }

    /// The id of `name`, if any rule mentions it.
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CondKind {
    IsSet,
    IsNotSet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Cond {
    kind: CondKind,
    ids: Vec<u32>,
    all: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Set(u32),
    Unset(u32),
    Toggle(u32),
}

/// A rule's flowbit conditions and actions, with ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RuleFlowbits {
    conds: Vec<Cond>,
    acts: Vec<Act>,
}

impl RuleFlowbits {
    /// Interns the names of `ops`.
    pub(crate) fn compile(ops: &[FlowbitOp], names: &mut Interner) -> Self {
        let mut out = RuleFlowbits::default();
        for op in ops {
            let mut ids = |v: &[String]| v.iter().map(|n| names.intern(n)).collect::<Vec<_>>();
            match op {
                FlowbitOp::Set(v) => out.acts.extend(ids(v).into_iter().map(Act::Set)),
                FlowbitOp::Unset(v) => out.acts.extend(ids(v).into_iter().map(Act::Unset)),
                FlowbitOp::Toggle(v) => out.acts.extend(ids(v).into_iter().map(Act::Toggle)),
                FlowbitOp::IsSet(v, all) => out.conds.push(Cond {
                    kind: CondKind::IsSet,
                    ids: ids(v),
                    all: *all,
                }),
                FlowbitOp::IsNotSet(v, all) => out.conds.push(Cond {
                    kind: CondKind::IsNotSet,
                    ids: ids(v),
                    all: *all,
                }),
            }
        }
        out
    }

    /// Whether the rule reads flowbits (`isset`/`isnotset`).
    pub(crate) fn reads(&self) -> bool {
        !self.conds.is_empty()
    }

    /// Whether the rule changes flowbits (`set`/`unset`/`toggle`).
    pub(crate) fn writes(&self) -> bool {
        !self.acts.is_empty()
    }

    /// Evaluates the conditions. Without a flow (`None`) any condition fails, as in Suricata.
    pub(crate) fn conditions_hold(&self, bits: Option<&FlowBits>) -> bool {
        if self.conds.is_empty() {
            return true;
        }
        let Some(bits) = bits else { return false };
        self.conds.iter().all(|c| {
            let test = |id: &u32| bits.is_set(*id) == (c.kind == CondKind::IsSet);
            if c.all {
                c.ids.iter().all(test)
            } else {
                c.ids.iter().any(test)
            }
        })
    }

    /// Applies the actions of a rule that matched.
    pub(crate) fn apply(&self, bits: &mut FlowBits) {
        for a in &self.acts {
            match *a {
                Act::Set(id) => bits.set(id),
                Act::Unset(id) => bits.unset(id),
                Act::Toggle(id) => bits.toggle(id),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testutil::names;

    #[test]
    fn bits_set_unset_toggle() {
        let mut b = FlowBits::default();
        assert!(!b.is_set(70));
        b.set(70);
        assert!(b.is_set(70));
        assert!(!b.is_set(6));
        b.toggle(6);
        assert!(b.is_set(6));
        b.toggle(6);
        assert!(!b.is_set(6));
        b.unset(70);
        assert!(!b.is_set(70));
        b.unset(1000);
        assert!(!b.is_set(1000));
    }

    #[test]
    fn conditions_any_and_all() {
        let mut n = Interner::default();
        let any = RuleFlowbits::compile(&[FlowbitOp::IsSet(names(&["a", "b"]), false)], &mut n);
        let all = RuleFlowbits::compile(&[FlowbitOp::IsSet(names(&["a", "b"]), true)], &mut n);
        let notset =
            RuleFlowbits::compile(&[FlowbitOp::IsNotSet(names(&["a", "b"]), true)], &mut n);
        let setter = RuleFlowbits::compile(&[FlowbitOp::Set(names(&["a"]))], &mut n);
        assert_eq!(
            (n.get("a"), n.get("b"), n.get("c")),
            (Some(0), Some(1), None)
        );
        assert!(setter.writes() && !setter.reads());
        let mut bits = FlowBits::default();
        assert!(!any.conditions_hold(Some(&bits)));
        assert!(notset.conditions_hold(Some(&bits)));
        assert!(!notset.conditions_hold(None));
        setter.apply(&mut bits);
        assert!(any.conditions_hold(Some(&bits)));
        assert!(!all.conditions_hold(Some(&bits)));
        assert!(!notset.conditions_hold(Some(&bits)));
        bits.set(1);
        assert!(all.conditions_hold(Some(&bits)));
    }
}
