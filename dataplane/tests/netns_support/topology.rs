//! Two network namespaces joined only through Portcullis:
//!
//! ```text
//!  pcns-cli-S                 root namespace (Portcullis)                 pcns-srv-S
//!  pcv-c0-S 198.18.0.1/24 ── veth ── pcv-c1-S ═ net_af_packet ═ pcv-s1-S ── veth ── pcv-s0-S
//!           198.18.0.3/24                (no addresses, promiscuous)             198.18.0.2/24
//! ```
//!
//! Nothing in the root namespace bridges or routes between the two veth pairs, so every frame
//! from one namespace to the other is one Portcullis forwarded. Offloads are off on all four
//! interfaces (no TSO/GSO/GRO super-frames, checksums computed in software) and IPv6 is off so
//! the only traffic is the test's. The guard deletes everything it made when dropped, even on
//! panic.

use std::time::Duration;

use super::cmd::{must, run};

/// Limit for one `ip`/`ethtool`/`sysctl` command.
const SETUP_LIMIT: Duration = Duration::from_secs(10);

/// The client's address (client A).
pub const CLIENT_A: &str = "198.18.0.1";
/// The server's address.
pub const SERVER: &str = "198.18.0.2";
/// A second client address on the same interface (client B).
pub const CLIENT_B: &str = "198.18.0.3";

/// The namespaces and veth pairs of one test run; deleted on drop.
pub struct Topology {
    /// Client namespace.
    pub cli_ns: String,
    /// Server namespace.
    pub srv_ns: String,
    /// Root-side end of the client veth: Portcullis's first port.
    pub cli_port: String,
    /// Root-side end of the server veth: Portcullis's second port.
    pub srv_port: String,
    cli_if: String,
    srv_if: String,
}

/// `ethtool -K <if>` arguments turning every offload the test cares about off.
const OFFLOADS_OFF: [&str; 10] = [
    "tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off",
];

impl Topology {
    /// Builds the topology with names ending in `-<suffix>` (interface names must stay within
    /// 15 bytes, so keep `suffix` to 6 characters or fewer).
    pub fn create(suffix: &str) -> Topology {
        let topo = Topology {
            cli_ns: format!("pcns-cli-{suffix}"),
            srv_ns: format!("pcns-srv-{suffix}"),
            cli_port: format!("pcv-c1-{suffix}"),
            srv_port: format!("pcv-s1-{suffix}"),
            cli_if: format!("pcv-c0-{suffix}"),
            srv_if: format!("pcv-s0-{suffix}"),
        };
        // Leftovers of an earlier run that died with the same suffix (pid reuse).
        topo.remove();
        for ns in [&topo.cli_ns, &topo.srv_ns] {
            must(&["ip", "netns", "add", ns], SETUP_LIMIT);
        }
        for (inner, outer, ns) in [
            (&topo.cli_if, &topo.cli_port, &topo.cli_ns),
            (&topo.srv_if, &topo.srv_port, &topo.srv_ns),
        ] {
            must(
                &[
                    "ip", "link", "add", inner, "type", "veth", "peer", "name", outer,
                ],
                SETUP_LIMIT,
            );
            must(&["ip", "link", "set", inner, "netns", ns], SETUP_LIMIT);
            topo.prepare_root_side(outer);
            topo.prepare_ns_side(ns, inner);
        }
        topo.in_ns(
            &topo.cli_ns,
            &[
                "ip",
                "addr",
                "add",
                &format!("{CLIENT_A}/24"),
                "dev",
                &topo.cli_if,
            ],
        );
        topo.in_ns(
            &topo.cli_ns,
            &[
                "ip",
                "addr",
                "add",
                &format!("{CLIENT_B}/24"),
                "dev",
                &topo.cli_if,
            ],
        );
        topo.in_ns(
            &topo.srv_ns,
            &[
                "ip",
                "addr",
                "add",
                &format!("{SERVER}/24"),
                "dev",
                &topo.srv_if,
            ],
        );
        topo
    }

    /// The Portcullis side: no addresses, no IPv6, offloads off, MTU 1500, promiscuous, up.
    fn prepare_root_side(&self, port: &str) {
        must(&["ip", "link", "set", port, "mtu", "1500"], SETUP_LIMIT);
        let mut ethtool = vec!["ethtool", "-K", port];
        ethtool.extend(OFFLOADS_OFF);
        must(&ethtool, SETUP_LIMIT);
        let ipv6 = format!("net.ipv6.conf.{port}.disable_ipv6=1");
        must(&["sysctl", "-qw", &ipv6], SETUP_LIMIT);
        must(
            &["ip", "link", "set", port, "promisc", "on", "up"],
            SETUP_LIMIT,
        );
    }

    /// A namespace's end: loopback up, IPv6 off, offloads off, MTU 1500, up.
    fn prepare_ns_side(&self, ns: &str, inner: &str) {
        self.in_ns(ns, &["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
        self.in_ns(
            ns,
            &["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"],
        );
        self.in_ns(ns, &["ip", "link", "set", "lo", "up"]);
        self.in_ns(ns, &["ip", "link", "set", inner, "mtu", "1500"]);
        let mut ethtool = vec!["ethtool", "-K", inner];
        ethtool.extend(OFFLOADS_OFF);
        self.in_ns(ns, &ethtool);
        self.in_ns(ns, &["ip", "link", "set", inner, "up"]);
    }

    /// Runs a setup command inside `ns`, panicking on failure.
    fn in_ns(&self, ns: &str, argv: &[&str]) {
        let mut full = vec!["ip", "netns", "exec", ns];
        full.extend_from_slice(argv);
        must(&full, SETUP_LIMIT);
    }

    /// `argv` prefixed to run in the client namespace.
    pub fn cli<'a>(&'a self, argv: &[&'a str]) -> Vec<&'a str> {
        let mut full = vec!["ip", "netns", "exec", self.cli_ns.as_str()];
        full.extend_from_slice(argv);
        full
    }

    /// `argv` prefixed to run in the server namespace.
    pub fn srv<'a>(&'a self, argv: &[&'a str]) -> Vec<&'a str> {
        let mut full = vec!["ip", "netns", "exec", self.srv_ns.as_str()];
        full.extend_from_slice(argv);
        full
    }

    /// Deletes the namespaces (which destroys the veth ends inside, and so the pairs) and the
    /// root-side ends in case a pair was made but not moved yet. Errors mean "not there".
    fn remove(&self) {
        for argv in [
            ["ip", "netns", "del", &self.cli_ns],
            ["ip", "netns", "del", &self.srv_ns],
            ["ip", "link", "del", &self.cli_port],
            ["ip", "link", "del", &self.srv_port],
        ] {
            run(&argv, SETUP_LIMIT);
        }
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        self.remove();
    }
}
