//! The anomaly model on the data plane side: loading it, attaching it to engines, and swapping
//! it while traffic flows. A model is validated (format, schema hash, finite numbers) before it
//! goes into the shared slot; a bad file is refused with its reason and the old model keeps
//! scoring.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use portcullis_detection::engine::{Engine, ModelSlot};
use portcullis_models::{HostConfig, HostTable, Model};

use crate::cli::CliError;
use crate::config::Config;

/// Loads and validates a model file.
pub fn load_model(path: &Path) -> Result<Arc<Model>, String> {
    let model = Model::load(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Arc::new(model))
}

/// What every engine of a process shares for anomaly detection.
pub struct Anomaly {
    /// The model slot (empty when no model is configured).
    pub slot: ModelSlot,
    /// Per-host feature state, exact across workers.
    pub hosts: Arc<HostTable>,
    /// The model file, when one is configured.
    pub path: Option<PathBuf>,
}

impl Anomaly {
    /// Loads the configured model (`model` overrides `anomaly.model`); `None` when neither a
    /// model nor spike detection is configured. A model that fails validation is an error.
    pub fn from_config(cfg: &Config, model: Option<&Path>) -> Result<Option<Anomaly>, CliError> {
        let path = model.or(cfg.anomaly.model.as_deref());
        if path.is_none() && !cfg.anomaly.spikes {
            return Ok(None);
        }
        let slot = ModelSlot::default();
        if let Some(path) = path {
            let m = load_model(path).map_err(CliError)?;
            eprintln!(
                "portcullis: anomaly model {} loaded ({}, threshold {})",
                m.version(),
                m.file().algorithm.name(),
                m.threshold()
            );
            slot.store(Some(m));
        }
        Ok(Some(Anomaly {
            slot,
            hosts: Arc::new(HostTable::new(HostConfig::default())),
            path: path.map(Path::to_path_buf),
        }))
    }

    /// Turns on feature extraction and scoring in `engine` with the shared slot and hosts.
    pub fn attach(&self, engine: &mut Engine, cfg: &Config) {
        engine.enable_features(cfg.ml_config(), Arc::clone(&self.hosts));
        engine.share_model(Arc::clone(&self.slot));
    }
}

/// Reloads the model file into the slot when asked (SIGHUP) or when the file changes.
pub struct ModelReloader {
    path: PathBuf,
    slot: ModelSlot,
    seen: Option<SystemTime>,
    /// Models swapped in.
    pub swaps: u64,
    /// Files refused.
    pub refused: u64,
}

impl ModelReloader {
    /// Watches `path`, swapping into `slot`.
    pub fn new(path: PathBuf, slot: ModelSlot) -> Self {
        let seen = modified(&path);
        ModelReloader {
            path,
            slot,
            seen,
            swaps: 0,
            refused: 0,
        }
    }

    /// Reloads if `forced` or the file's modification time changed. Logs the outcome.
    pub fn poll(&mut self, forced: bool) {
        let now = modified(&self.path);
        if !forced && now == self.seen {
            return;
        }
        self.seen = now;
        match load_model(&self.path) {
            // The same weights again (a SIGHUP after a change already picked up): nothing to do.
            Ok(m)
                if self
                    .slot
                    .load()
                    .as_ref()
                    .is_some_and(|c| c.version() == m.version()) => {}
            Ok(m) => {
                eprintln!("portcullis: anomaly model {} swapped in", m.version());
                self.slot.store(Some(m));
                self.swaps += 1;
            }
            Err(why) => {
                let current = self
                    .slot
                    .load()
                    .as_ref()
                    .map_or_else(|| "none".to_string(), |m| m.version().to_string());
                eprintln!("portcullis: anomaly model refused: {why}; still scoring with {current}");
                self.refused += 1;
            }
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
