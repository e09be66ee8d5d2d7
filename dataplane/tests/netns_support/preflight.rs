//! Whether this machine can run the inline test: root, the tools it drives, DPDK's af_packet
//! PMD. A missing piece skips the test with a message on a developer's machine and fails it
//! under CI (`CI=true`), where it means the runner is misconfigured.

use std::path::Path;
use std::time::Duration;

use super::cmd::run;

/// Where Debian 12's DPDK 22.11 keeps its PMDs.
const AF_PACKET_PMD: &str = "/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/librte_net_af_packet.so";

/// Command-line tools the test runs, each with an argument that only prints a version.
const TOOLS: [(&str, &str); 5] = [
    ("ip", "-V"),
    ("ping", "-V"),
    ("ethtool", "--version"),
    ("curl", "--version"),
    ("python3", "--version"),
];

/// True when the effective user is root, read from /proc (no libc call needed).
fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0")
}

/// The first reason the test cannot run here, if any.
fn missing() -> Option<String> {
    if !is_root() {
        return Some("not root (network namespaces and af_packet need root)".into());
    }
    for (tool, arg) in TOOLS {
        if !run(&[tool, arg], Duration::from_secs(10)).ok() {
            return Some(format!("`{tool}` is not installed"));
        }
    }
    if !Path::new(AF_PACKET_PMD).exists() {
        return Some(format!("{AF_PACKET_PMD} is missing (apt install dpdk)"));
    }
    None
}

/// True when the test can run. Otherwise prints why and returns false, or panics under CI.
pub fn can_run(test: &str) -> bool {
    let Some(reason) = missing() else {
        return true;
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: {reason}; CI must run this test as root with iproute2, iputils-ping, ethtool, curl, python3 and DPDK \
         (scripts/setup.sh installs them)"
    );
    eprintln!("SKIPPED {test}: {reason}");
    false
}
