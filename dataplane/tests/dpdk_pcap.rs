//! DPDK over the `net_pcap` PMD: frames read from a capture file by rx bursts, sent back out by
//! tx bursts into another capture file, byte for byte.

mod dpdk_support;

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use pcap_file::pcap::{PcapPacket, PcapReader, PcapWriter};
use portcullis::dpdk::{Eal, MbufBurst, Mempool, Port, PortConf};

fn write_pcap(path: &Path, frames: &[Vec<u8>]) {
    let mut writer = PcapWriter::new(File::create(path).unwrap()).unwrap();
    for (i, f) in frames.iter().enumerate() {
        let ts = Duration::from_secs(1_700_000_000 + i as u64);
        writer
            .write_packet(&PcapPacket::new(ts, f.len() as u32, f))
            .unwrap();
    }
}

fn read_pcap(path: &Path) -> Vec<Vec<u8>> {
    let mut reader = PcapReader::new(File::open(path).unwrap()).unwrap();
    let mut out = Vec::new();
    while let Some(packet) = reader.next_packet() {
        out.push(packet.unwrap().data.into_owned());
    }
    out
}

#[test]
fn pcap_port_reads_and_writes_capture_files() {
    if !dpdk_support::dpdk_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pcap");
    let output = dir.path().join("out.pcap");
    let frames: Vec<Vec<u8>> = (0..5).map(|i| dpdk_support::frame(i * 7)).collect();
    write_pcap(&input, &frames);

    let vdev = format!(
        "net_pcap0,rx_pcap={},tx_pcap={}",
        input.display(),
        output.display()
    );
    let eal = Eal::init(&dpdk_support::eal_args(&[vdev])).expect("EAL init");
    let pool = Mempool::new(&eal, "pcap_test_pool", 511, 0, 2176, None).expect("mempool");

    let mut port = Port::open_by_name(&eal, "net_pcap0").expect("open net_pcap0");
    assert_eq!(port.dev_info().unwrap().driver, "net_pcap");
    port.configure(1, 1, &PortConf::default())
        .expect("configure");
    port.rx_queue_setup(0, 64, &pool).expect("rx queue");
    port.tx_queue_setup(0, 64).expect("tx queue");
    port.start().expect("start");
    assert_eq!(port.mac_addr(), Ok([0x02, b'p', b'c', b'a', b'p', 0]));
    // A capture file has no promiscuous mode: configure tolerated that, a direct call reports it.
    let err = port.set_promiscuous(false).unwrap_err();
    assert_eq!(
        (err.errno(), err.message()),
        (95, "Operation not supported")
    );

    {
        let mut rxq = port.rx_queue(0).unwrap();
        let mut txq = port.tx_queue(0).unwrap();
        let mut burst = MbufBurst::<8>::new();
        // Without `infinite_rx`, rx returns nothing once the file is read.
        for _ in 0..100 {
            burst.rx_burst(&mut rxq);
        }
        assert_eq!(burst.len(), frames.len());
        let got: Vec<Vec<u8>> = burst.iter().map(|m| m.data().to_vec()).collect();
        assert_eq!(got, frames);
        assert_eq!(burst.tx_burst(&mut txq), frames.len());
    }

    let bytes: u64 = frames.iter().map(|f| f.len() as u64).sum();
    let s = port.stats().unwrap();
    assert_eq!(
        (s.rx_packets, s.rx_bytes, s.tx_packets, s.tx_bytes),
        (5, bytes, 5, bytes)
    );
    port.stop().expect("stop"); // closes the tx dumper: the capture is complete on disk
    assert_eq!(read_pcap(&output), frames);
    port.close().expect("close");
}
