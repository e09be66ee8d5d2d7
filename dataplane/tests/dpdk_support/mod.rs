//! Helpers shared by the DPDK integration tests (each test file is its own process, since the
//! EAL can be initialised only once per process).

use std::path::Path;

/// Where Debian installs DPDK's libraries and PMDs.
const DPDK_LIB_DIR: &str = "/usr/lib/x86_64-linux-gnu/dpdk";

/// True when DPDK is installed. Without it the test is skipped with a message, except under
/// CI (`CI=true`), where a missing DPDK is a broken machine and fails the test.
pub fn dpdk_installed() -> bool {
    if Path::new(DPDK_LIB_DIR).is_dir() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{DPDK_LIB_DIR} is missing: CI must install DPDK (dpdk, libdpdk-dev)"
    );
    eprintln!("SKIPPED: {DPDK_LIB_DIR} is missing, DPDK is not installed");
    false
}

/// EAL arguments common to the tests: two lcores, no hugepages, no PCI scan, quiet logs.
pub fn eal_args(vdevs: &[String]) -> Vec<String> {
    let mut args: Vec<String> = ["-l", "0-1", "--no-huge", "--no-pci", "-m", "256"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push("--log-level=lib.eal:warning".to_string());
    args.push("--no-telemetry".to_string());
    args.extend(vdevs.iter().map(|v| format!("--vdev={v}")));
    args
}

/// A distinct Ethernet/IPv4/UDP frame numbered `i` (broadcast destination, 60 + i bytes), so
/// every frame of a test can be told apart by its bytes.
pub fn frame(i: u8) -> Vec<u8> {
    let payload_len = 18 + usize::from(i);
    let ip_len = 20 + 8 + payload_len;
    let mut f = Vec::with_capacity(14 + ip_len);
    f.extend_from_slice(&[0xff; 6]);
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, i]);
    f.extend_from_slice(&[0x08, 0x00]);
    f.extend_from_slice(&[
        0x45,
        0,
        (ip_len >> 8) as u8,
        ip_len as u8,
        0,
        i,
        0,
        0,
        64,
        17,
        0,
        0,
    ]);
    f.extend_from_slice(&[10, 0, 0, i, 10, 0, 1, 1]);
    let udp_len = 8 + payload_len;
    f.extend_from_slice(&[0x9c, 0x40, 0, 53, (udp_len >> 8) as u8, udp_len as u8, 0, 0]);
    f.extend((0..payload_len).map(|k| (k as u8) ^ i));
    f
}
