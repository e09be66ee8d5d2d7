//! The short human summary a run prints on stderr.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::output::EventTally;

/// What one run did.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Where packets came from (`3 capture(s)`, `2 port(s), 1 worker(s)`).
    pub source: String,
    /// Packets processed.
    pub packets: u64,
    /// Bytes processed.
    pub bytes: u64,
    /// Flows created.
    pub flows: u64,
    /// Packets dropped (inline or simulated inline).
    pub dropped_packets: u64,
    /// Events written.
    pub tally: EventTally,
    /// Where the EVE log is, when written.
    pub eve_path: Option<PathBuf>,
    /// Rules in the detection engine.
    pub rules_loaded: usize,
    /// Time to load and compile the rules.
    pub startup: Duration,
    /// Whole run.
    pub elapsed: Duration,
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let inspect = (self.elapsed - self.startup.min(self.elapsed))
            .as_secs_f64()
            .max(1e-9);
        writeln!(
            f,
            "portcullis: {} packets ({} bytes) in {} flows from {} in {:.3} s \
             (rules ready in {:.3} s; {:.0} packets/s inspecting)",
            self.packets,
            self.bytes,
            self.flows,
            self.source,
            secs,
            self.startup.as_secs_f64(),
            self.packets as f64 / inspect,
        )?;
        writeln!(
            f,
            "portcullis: {} alerts ({} blocked), {} packets dropped, {} rules loaded",
            self.tally.alerts, self.tally.blocked_alerts, self.dropped_packets, self.rules_loaded
        )?;
        let mut top: Vec<_> = self.tally.by_rule.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for ((sid, msg), count) in top.iter().take(10) {
            writeln!(f, "portcullis:   {count:>6} × sid {sid}: {msg}")?;
        }
        if top.len() > 10 {
            writeln!(f, "portcullis:   … and {} more rules", top.len() - 10)?;
        }
        if let Some(path) = &self.eve_path {
            writeln!(f, "portcullis: events in {}", path.display())?;
        }
        Ok(())
    }
}
