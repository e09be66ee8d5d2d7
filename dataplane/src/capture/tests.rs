use std::io::Write;

use super::*;

fn pcap_bytes(big_endian: bool, nanos: bool, records: &[(u32, u32, &[u8])]) -> Vec<u8> {
    let w32 = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w16 = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut out = Vec::new();
    out.extend_from_slice(&w32(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
    out.extend_from_slice(&w16(2));
    out.extend_from_slice(&w16(4));
    out.extend_from_slice(&w32(0));
    out.extend_from_slice(&w32(0));
    out.extend_from_slice(&w32(65535));
    out.extend_from_slice(&w32(1));
    for (secs, frac, data) in records {
        out.extend_from_slice(&w32(*secs));
        out.extend_from_slice(&w32(*frac));
        out.extend_from_slice(&w32(data.len() as u32));
        out.extend_from_slice(&w32(data.len() as u32 + 4));
        out.extend_from_slice(data);
    }
    out
}

fn block(block_type: u32, body: &[u8]) -> Vec<u8> {
    let padded = (body.len() + 3) & !3;
    let total = (12 + padded) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.resize(8 + padded, 0);
    out.extend_from_slice(&total.to_le_bytes());
    out
}

fn pcapng_bytes(tsresol: Option<u8>, packets: &[(u64, &[u8])]) -> Vec<u8> {
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&u64::MAX.to_le_bytes());
    let mut out = block(0x0a0d_0d0a, &shb);
    let mut idb = Vec::new();
    idb.extend_from_slice(&113u16.to_le_bytes());
    idb.extend_from_slice(&0u16.to_le_bytes());
    idb.extend_from_slice(&65535u32.to_le_bytes());
    if let Some(r) = tsresol {
        idb.extend_from_slice(&9u16.to_le_bytes());
        idb.extend_from_slice(&1u16.to_le_bytes());
        idb.extend_from_slice(&[r, 0, 0, 0]);
        idb.extend_from_slice(&[0, 0, 0, 0]);
    }
    out.extend(block(1, &idb));
    // A block we do not use, which must be skipped.
    out.extend(block(5, &[0u8; 8]));
    for (units, data) in packets {
        let mut epb = Vec::new();
        epb.extend_from_slice(&0u32.to_le_bytes());
        epb.extend_from_slice(&((units >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(*units as u32).to_le_bytes());
        epb.extend_from_slice(&(data.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(data.len() as u32).to_le_bytes());
        epb.extend_from_slice(data);
        out.extend(block(6, &epb));
    }
    out
}

fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f
}

fn read_all(path: &Path) -> (Vec<(LinkType, Timestamp, Vec<u8>)>, bool) {
    let mut reader = CaptureReader::open(path).unwrap();
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        out.push((r.link, r.ts, r.data.to_vec()));
    }
    (out, reader.was_truncated())
}

#[test]
fn classic_pcap_both_byte_orders_and_resolutions() {
    for (big, nanos, frac, micros) in [
        (false, false, 123_456, 123_456),
        (true, false, 7, 7),
        (false, true, 123_456_789, 123_456),
        (true, true, 999_999_999, 999_999),
    ] {
        let file = write_temp(&pcap_bytes(big, nanos, &[(10, frac, b"abc"), (11, 0, b"")]));
        let (records, truncated) = read_all(file.path());
        assert!(!truncated);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].0, LinkType::Ethernet);
        assert_eq!(records[0].1, Timestamp::from_secs_micros(10, micros));
        assert_eq!(records[0].2, b"abc");
        assert_eq!(records[1].2, b"");
    }
}

#[test]
fn truncated_record_ends_the_file_without_error() {
    let mut bytes = pcap_bytes(false, false, &[(1, 0, b"abcdef"), (2, 0, b"ghijkl")]);
    bytes.truncate(bytes.len() - 3);
    let file = write_temp(&bytes);
    let (records, truncated) = read_all(file.path());
    assert_eq!(records.len(), 1);
    assert!(truncated);
}

#[test]
fn pcapng_uses_interface_link_type_and_resolution() {
    let file = write_temp(&pcapng_bytes(None, &[(1_500_000_123_456, b"xyz")]));
    let (records, _) = read_all(file.path());
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].0, LinkType::LinuxSll);
    assert_eq!(
        records[0].1,
        Timestamp::from_secs_micros(1_500_000, 123_456)
    );
    assert_eq!(records[0].2, b"xyz");

    let file = write_temp(&pcapng_bytes(Some(9), &[(2_000_000_001_500, b"q")]));
    let (records, _) = read_all(file.path());
    assert_eq!(records[0].1, Timestamp::from_secs_micros(2000, 1));
}

#[test]
fn garbage_is_a_format_error_not_a_panic() {
    let file = write_temp(b"this is not a capture at all");
    match CaptureReader::open(file.path()) {
        Err(CaptureError::Format(_, why)) => assert!(why.contains("unknown magic")),
        other => panic!("unexpected: {:?}", other.err()),
    }
    let short = write_temp(b"ab");
    assert!(matches!(
        CaptureReader::open(short.path()),
        Err(CaptureError::Format(..))
    ));
}

#[test]
fn every_prefix_of_a_pcapng_file_reads_without_panic() {
    let bytes = pcapng_bytes(Some(6), &[(1, b"first"), (2, b"second")]);
    for cut in 0..bytes.len() {
        let file = write_temp(&bytes[..cut]);
        if let Ok(mut reader) = CaptureReader::open(file.path()) {
            while let Ok(Some(_)) = reader.next_record() {}
        }
    }
}

#[test]
fn directory_lists_files_recursively_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for name in ["b.pcap", "a.pcap", "sub/c.pcap"] {
        std::fs::write(dir.path().join(name), b"").unwrap();
    }
    let files = capture_files(dir.path()).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|p| {
            p.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["a.pcap", "b.pcap", "sub/c.pcap"]);
    assert!(capture_files(&dir.path().join("missing")).is_err());
}
