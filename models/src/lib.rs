//! Portcullis anomaly detection, shared by the data plane and the offline trainer so that the
//! features a model was trained on are exactly the features it is scored on.
//!
//! - [`schema`]: the named, versioned feature list and its hash (a model names the schema it
//!   was trained on; a mismatch refuses the model).
//! - [`flow`]: the one incremental per-flow extractor (O(1) per packet, bounded memory).
//! - [`host`]: per-source state over several time scales, in a sharded table touched only when
//!   a flow starts or ends.
//! - [`model`]: the model file (JSON), its validation, and scoring with plain `f64` math.
//! - [`spike`]: training-free traffic spike detection against an EWMA baseline.
//!
//! This crate depends on no other Portcullis crate: its input is the plain [`PacketInfo`].

pub mod flow;
pub mod host;
pub mod model;
pub mod packet;
pub mod schema;
pub mod spike;
pub mod stats;

pub use flow::FlowExtractor;
pub use host::{HostConfig, HostSnapshot, HostTable};
pub use model::{Algorithm, Model, ModelError, ModelFile, Scaler, TopFeature, TrainingMeta};
pub use packet::{tcp_flags, PacketInfo};
pub use schema::{schema_hash, FeatureVector, FEATURES, NUM_FEATURES, SCHEMA_VERSION};
