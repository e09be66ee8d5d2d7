//! What Portcullis supports of Suricata's test surface, in one place, so a new capability in the
//! engine is enabled for the conformance runner by flipping one value here.

/// The Suricata features and configuration Portcullis can honour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// `--set threshold-file=<path>` is understood (tests with a `threshold.config`).
    pub threshold_file: bool,
    /// Suricata build features (`requires: features:`) Portcullis provides, e.g. `LIBNET1.1`.
    pub features: &'static [&'static str],
}

/// Portcullis today.
pub const PORTCULLIS: Capabilities = Capabilities {
    threshold_file: true,
    features: &[],
};

impl Capabilities {
    /// True when the named Suricata build feature is provided.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.contains(&feature)
    }
}
