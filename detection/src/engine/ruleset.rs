//! A compiled ruleset: the matcher plus what each rule's alerts report. Built once, shared by
//! every worker behind an `Arc` (and swapped whole on reload).

use std::sync::Arc;

use super::RuleInfo;
use crate::detect::{BuildReport, DetectEngine, RuleId};
use crate::rules::ast::Rule;
use crate::rules::Classifications;

/// Rules ready to inspect traffic.
pub struct Ruleset {
    detect: DetectEngine,
    info: Vec<RuleInfo>,
}

impl Ruleset {
    /// Compiles `rules`; rules that cannot be compiled are left out and listed in the report.
    pub fn build(mut rules: Vec<Rule>, classes: &Classifications) -> (Ruleset, BuildReport) {
        // Signature order ranks by priority, so resolve classtype priorities first.
        for rule in &mut rules {
            let (_, priority) = classes.resolve(rule.classtype.as_deref(), rule.priority);
            rule.priority = Some(priority);
        }
        let (detect, report) = DetectEngine::build(rules);
        let info = (0..detect.len() as u32)
            .map(|i| rule_info(detect.rule(RuleId(i)), classes))
            .collect();
        (Ruleset { detect, info }, report)
    }

    /// An empty ruleset (inspects nothing, alerts on nothing).
    pub fn empty() -> Ruleset {
        Ruleset::build(Vec::new(), &Classifications::default()).0
    }

    /// The matcher.
    pub fn detect(&self) -> &DetectEngine {
        &self.detect
    }

    /// What alerts of rule `id` report.
    pub fn info(&self, id: RuleId) -> &RuleInfo {
        &self.info[id.0 as usize]
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.info.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.info.is_empty()
    }
}

fn rule_info(rule: &Rule, classes: &Classifications) -> RuleInfo {
    let (category, severity) = classes.resolve(rule.classtype.as_deref(), rule.priority);
    RuleInfo {
        gid: rule.gid,
        sid: rule.sid,
        rev: rule.rev,
        msg: Arc::from(rule.msg.as_str()),
        category: Arc::from(category),
        severity,
    }
}
