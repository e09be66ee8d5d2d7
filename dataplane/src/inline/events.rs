//! Events leave the workers through a bounded channel to one EVE writer thread, so no worker
//! ever waits on a file. A full channel loses the event (counted), never the packet.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TrySendError};
use portcullis_detection::engine::{AlertEvent, DropEvent, EventSink};

use crate::output::{EveFile, EventTally};

/// Events in flight between workers and the writer.
const QUEUE_DEPTH: usize = 65_536;

/// One event for the writer.
pub enum Event {
    /// An alert.
    Alert(AlertEvent),
    /// A dropped packet.
    Drop(DropEvent),
    /// A final record (the stats event), written as is.
    Record(serde_json::Value),
}

/// A worker's end of the channel.
#[derive(Clone)]
pub struct ChannelSink {
    tx: Sender<Event>,
    lost: Arc<AtomicU64>,
}

impl ChannelSink {
    fn send(&self, event: Event) {
        if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = self.tx.try_send(event)
        {
            self.lost.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Sends a final record (blocking: used once at shutdown).
    pub fn record(&self, value: serde_json::Value) {
        if self.tx.send(Event::Record(value)).is_err() {
            self.lost.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Events lost because the channel was full.
    pub fn lost(&self) -> u64 {
        self.lost.load(Ordering::Relaxed)
    }
}

impl EventSink for ChannelSink {
    fn alert(&mut self, event: &AlertEvent) {
        self.send(Event::Alert(event.clone()));
    }

    fn drop_packet(&mut self, event: &DropEvent) {
        self.send(Event::Drop(event.clone()));
    }
}

/// Starts the writer thread; it ends when every sink is dropped and returns the tally.
pub fn start_writer(
    mut eve: EveFile,
) -> (
    ChannelSink,
    JoinHandle<std::io::Result<(EventTally, std::path::PathBuf)>>,
) {
    let (tx, rx): (Sender<Event>, Receiver<Event>) = crossbeam_channel::bounded(QUEUE_DEPTH);
    let handle = std::thread::spawn(move || {
        for event in rx {
            match event {
                Event::Alert(a) => eve.alert(&a),
                Event::Drop(d) => eve.drop_packet(&d),
                Event::Record(v) => eve.write(&v),
            }
        }
        eve.finish()?;
        Ok((eve.tally().clone(), eve.path().to_path_buf()))
    });
    (
        ChannelSink {
            tx,
            lost: Arc::new(AtomicU64::new(0)),
        },
        handle,
    )
}
