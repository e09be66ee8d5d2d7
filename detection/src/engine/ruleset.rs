//! A compiled ruleset: the matcher plus what each rule's alerts report. Built once, shared by
//! every worker behind an `Arc` (and swapped whole on reload).

use std::sync::Arc;

use super::RuleInfo;
use crate::detect::{BuildReport, DetectEngine, RuleId};
use crate::rules::ast::Rule;
use crate::rules::Classifications;
use crate::threshold::{HostState, ThresholdConfig, DEFAULT_MAX_ENTRIES};

/// Rules ready to inspect traffic.
pub struct Ruleset {
    detect: DetectEngine,
    info: Vec<RuleInfo>,
    /// Per rule: whether a threshold, detection filter or threshold.config entry applies.
    thresholded: Vec<bool>,
    hosts: HostState,
}

impl Ruleset {
    /// Compiles `rules`; rules that cannot be compiled are left out and listed in the report.
    /// `thresholds` is the parsed `threshold.config` (empty when none).
    pub fn build(
        mut rules: Vec<Rule>,
        classes: &Classifications,
        thresholds: ThresholdConfig,
    ) -> (Ruleset, BuildReport) {
        // Signature order ranks by priority, so resolve classtype priorities first.
        for rule in &mut rules {
            let (_, priority) = classes.resolve(rule.classtype.as_deref(), rule.priority);
            rule.priority = Some(priority);
        }
        let (detect, report) = DetectEngine::build(rules);
        let hosts = HostState::new(thresholds, DEFAULT_MAX_ENTRIES);
        let (info, thresholded) = (0..detect.len() as u32)
            .map(|i| {
                let rule = detect.rule(RuleId(i));
                let limited = hosts.needs_check(
                    rule.gid,
                    rule.sid,
                    rule.threshold.is_some(),
                    rule.detection_filter.is_some(),
                );
                (rule_info(rule, classes), limited)
            })
            .unzip();
        let ruleset = Ruleset {
            detect,
            info,
            thresholded,
            hosts,
        };
        (ruleset, report)
    }

    /// An empty ruleset (inspects nothing, alerts on nothing).
    pub fn empty() -> Ruleset {
        Ruleset::build(
            Vec::new(),
            &Classifications::default(),
            ThresholdConfig::default(),
        )
        .0
    }

    /// The matcher.
    pub fn detect(&self) -> &DetectEngine {
        &self.detect
    }

    /// What alerts of rule `id` report.
    pub fn info(&self, id: RuleId) -> &RuleInfo {
        &self.info[id.0 as usize]
    }

    /// Whether rule `id` goes through thresholding when it matches.
    pub fn is_thresholded(&self, id: RuleId) -> bool {
        self.thresholded[id.0 as usize]
    }

    /// The host-keyed threshold state every worker shares.
    pub fn hosts(&self) -> &HostState {
        &self.hosts
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
