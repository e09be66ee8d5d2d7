//! `portcullis-train`: the offline side of anomaly detection. Captures run through the real
//! engine to extract flow features ([`extract`]), a model is fitted on benign flows with linfa
//! and calibrated to a target false-positive rate ([`fit`]), and models are evaluated against
//! labelled captures ([`evaluate`], [`report`]).

pub mod cli;
pub mod evaluate;
pub mod extract;
pub mod fit;
pub mod labels;
pub mod metrics;
pub mod plot;
pub mod report;
