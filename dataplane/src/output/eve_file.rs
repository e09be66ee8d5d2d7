//! `<log dir>/eve.json`: one EVE JSON object per line, written through a buffer, with a tally
//! of what was written for the summary printed at the end of a run.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use portcullis_detection::engine::{AlertEvent, DropEvent, EventSink};
use portcullis_detection::eve;

/// Counts of the events written, for the end-of-run summary.
#[derive(Debug, Default, Clone)]
pub struct EventTally {
    /// Alerts written.
    pub alerts: u64,
    /// Of which the packet was blocked.
    pub blocked_alerts: u64,
    /// Drop events written.
    pub drops: u64,
    /// Alerts per (sid, msg).
    pub by_rule: BTreeMap<(u32, String), u64>,
}

/// The EVE log of one run.
pub struct EveFile {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    error: Option<io::Error>,
    tally: EventTally,
}

impl EveFile {
    /// Creates (truncates) `dir/filename`, creating `dir` if needed. With `enabled` false no
    /// file is written but events are still tallied.
    pub fn create(dir: &Path, filename: &str, enabled: bool) -> io::Result<Self> {
        let path = dir.join(filename);
        let out = if enabled {
            std::fs::create_dir_all(dir)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
            let file = File::create(&path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            Some(BufWriter::with_capacity(1 << 16, file))
        } else {
            None
        };
        Ok(EveFile {
            path,
            out,
            error: None,
            tally: EventTally::default(),
        })
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What was written so far.
    pub fn tally(&self) -> &EventTally {
        &self.tally
    }

    /// Writes one record. A write error is remembered and reported by [`EveFile::finish`].
    pub fn write(&mut self, record: &serde_json::Value) {
        if let (Some(out), None) = (self.out.as_mut(), self.error.as_ref()) {
            let result = serde_json::to_writer(&mut *out, record)
                .map_err(io::Error::from)
                .and_then(|()| out.write_all(b"\n"));
            if let Err(e) = result {
                self.error = Some(e);
            }
        }
    }

    /// Flushes the file; reports the first write error of the run, naming the file.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some(out) = self.out.as_mut() {
            if let Err(e) = out.flush() {
                self.error.get_or_insert(e);
            }
        }
        match self.error.take() {
            Some(e) => Err(io::Error::new(
                e.kind(),
                format!("{}: {e}", self.path.display()),
            )),
            None => Ok(()),
        }
    }
}

impl EventSink for EveFile {
    fn alert(&mut self, event: &AlertEvent) {
        self.tally.alerts += 1;
        if event.blocked {
            self.tally.blocked_alerts += 1;
        }
        *self
            .tally
            .by_rule
            .entry((event.rule.sid, event.rule.msg.to_string()))
            .or_default() += 1;
        self.write(&eve::alert_record(event));
    }

    fn drop_packet(&mut self, event: &DropEvent) {
        self.tally.drops += 1;
        self.write(&eve::drop_record(event));
    }
}
