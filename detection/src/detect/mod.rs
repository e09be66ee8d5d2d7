//! Signature matching: rule groups, Hyperscan prefilter, per-rule verification.
