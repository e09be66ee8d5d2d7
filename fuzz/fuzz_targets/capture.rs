//! Fuzzes the capture file reader (`portcullis::capture::CaptureReader`, classic pcap and
//! pcapng) on fuzzed file contents, and decodes every record it returns: it must end every file
//! with a record stream, a clean end, a truncation note or an error, never a panic.
//!
//! Built only with `--features capture`: the `portcullis` crate links the system DPDK.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use portcullis::capture::CaptureReader;
use portcullis_detection::decode::{decode, DecodeOptions};

/// The reader's largest record (`capture::MAX_RECORD`, private there).
const MAX_RECORD: usize = 256 * 1024;

/// A file of this process's own that each input is written to.
fn scratch_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("portcullis-fuzz-capture-{}", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch_path();
    std::fs::write(path, data).expect("write the scratch capture");
    let Ok(mut reader) = CaptureReader::open(path) else {
        return;
    };
    let mut records = 0usize;
    let mut bytes = 0usize;
    while let Ok(Some(rec)) = reader.next_record() {
        assert!(rec.data.len() <= MAX_RECORD);
        records += 1;
        bytes += rec.data.len();
        let pkt = decode(rec.link, rec.ts, rec.data, &DecodeOptions::default());
        assert!(pkt.payload_offset + pkt.payload.len() <= rec.data.len());
    }
    // Every record's bytes come from the file (headers take at least 8 bytes per record).
    assert!(bytes + records * 8 <= data.len());
});
