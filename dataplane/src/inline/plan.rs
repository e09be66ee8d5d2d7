//! The data plane's layout, checked before the EAL starts so a bad configuration is refused
//! with a clear reason and no DPDK side effects.

use crate::cli::CliError;
use crate::config::{DpdkSection, RssMode};

/// Ports, pairs and how flows reach workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Port names, in configuration order.
    pub ports: Vec<String>,
    /// For each port, the index of its pair peer.
    pub peer: Vec<usize>,
    /// Worker count.
    pub workers: usize,
    /// EAL arguments: the configured ones plus one `--vdev` per virtual port.
    pub eal_args: Vec<String>,
}

/// How packets reach the workers, decided once the devices are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distribution {
    /// One worker polls queue 0 of every port.
    Single,
    /// The NICs hash flows onto one queue per worker (symmetric Toeplitz key).
    HardwareRss,
    /// The main lcore reads every port and hashes flows onto per-worker rings.
    Software,
}

impl Plan {
    /// Validates `cfg`.
    pub fn from_config(cfg: &DpdkSection) -> Result<Plan, CliError> {
        let bad = |why: String| Err(CliError(format!("config: {why}")));
        if cfg.ports.is_empty() {
            return bad("dpdk.ports is empty: name at least one port pair".into());
        }
        if cfg.workers == 0 {
            return bad("dpdk.workers must be at least 1".into());
        }
        if cfg.mbufs < 1024 {
            return bad(format!(
                "dpdk.mbufs = {} is too small (at least 1024)",
                cfg.mbufs
            ));
        }
        let mut ports: Vec<String> = Vec::new();
        for p in &cfg.ports {
            if p.name.is_empty() {
                return bad("a dpdk.ports entry has no name".into());
            }
            if ports.contains(&p.name) {
                return bad(format!("port {} is listed twice in dpdk.ports", p.name));
            }
            if let Some(vdev) = &p.vdev {
                if vdev.split(',').next() != Some(p.name.as_str()) {
                    return bad(format!(
                        "port {}: its vdev must start with its name (\"{},...\")",
                        p.name, p.name
                    ));
                }
            }
            ports.push(p.name.clone());
        }
        let mut peer = vec![usize::MAX; ports.len()];
        for [a, b] in &cfg.pairs {
            let find = |n: &str| ports.iter().position(|p| p == n);
            let (Some(ia), Some(ib)) = (find(a), find(b)) else {
                return bad(format!("pair [{a}, {b}] names a port not in dpdk.ports"));
            };
            if ia == ib {
                return bad(format!("pair [{a}, {b}] pairs a port with itself"));
            }
            if peer[ia] != usize::MAX || peer[ib] != usize::MAX {
                return bad(format!("pair [{a}, {b}]: a port can be in one pair only"));
            }
            peer[ia] = ib;
            peer[ib] = ia;
        }
        if let Some(i) = peer.iter().position(|&p| p == usize::MAX) {
            return bad(format!("port {} is in no dpdk.pairs entry", ports[i]));
        }
        let mut eal_args = cfg.eal_args.clone();
        for p in &cfg.ports {
            if let Some(vdev) = &p.vdev {
                eal_args.push(format!("--vdev={vdev}"));
            }
        }
        Ok(Plan {
            ports,
            peer,
            workers: cfg.workers,
            eal_args,
        })
    }

    /// Chooses the distribution given whether every port offers hardware RSS.
    pub fn distribution(&self, mode: RssMode, all_hw_rss: bool) -> Result<Distribution, CliError> {
        if self.workers == 1 {
            return Ok(Distribution::Single);
        }
        match (mode, all_hw_rss) {
            (RssMode::Hardware | RssMode::Auto, true) => Ok(Distribution::HardwareRss),
            (RssMode::Hardware, false) => Err(CliError(
                "config: dpdk.rss = \"hardware\" but a port does not offer RSS; use \"auto\" or \
                 \"software\""
                    .into(),
            )),
            (RssMode::Software | RssMode::Auto, _) => Ok(Distribution::Software),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PortSection;

    fn section(pairs: &[[&str; 2]]) -> DpdkSection {
        DpdkSection {
            eal_args: vec!["--no-huge".into()],
            ports: ["a", "b"]
                .iter()
                .map(|n| PortSection {
                    name: n.to_string(),
                    vdev: Some(format!("{n},iface=x")),
                })
                .collect(),
            pairs: pairs
                .iter()
                .map(|[x, y]| [x.to_string(), y.to_string()])
                .collect(),
            ..DpdkSection::default()
        }
    }

    #[test]
    fn valid_pair_gives_peers_and_vdev_args() {
        let plan = Plan::from_config(&section(&[["a", "b"]])).unwrap();
        assert_eq!(plan.peer, [1, 0]);
        assert_eq!(
            plan.eal_args,
            ["--no-huge", "--vdev=a,iface=x", "--vdev=b,iface=x"]
        );
        assert_eq!(
            plan.distribution(RssMode::Auto, false).unwrap(),
            Distribution::Single
        );
    }

    #[test]
    fn bad_layouts_are_refused_with_reasons() {
        let err = |s: DpdkSection| Plan::from_config(&s).unwrap_err().0;
        assert_eq!(
            err(section(&[])),
            "config: port a is in no dpdk.pairs entry"
        );
        assert_eq!(
            err(section(&[["a", "c"]])),
            "config: pair [a, c] names a port not in dpdk.ports"
        );
        assert_eq!(
            err(section(&[["a", "a"]])),
            "config: pair [a, a] pairs a port with itself"
        );
        assert_eq!(
            err(section(&[["a", "b"], ["b", "a"]])),
            "config: pair [b, a]: a port can be in one pair only"
        );
        let mut s = section(&[["a", "b"]]);
        s.workers = 0;
        assert_eq!(err(s), "config: dpdk.workers must be at least 1");
        assert_eq!(
            err(DpdkSection::default()),
            "config: dpdk.ports is empty: name at least one port pair"
        );
    }

    #[test]
    fn distribution_follows_mode_and_hardware() {
        let mut plan = Plan::from_config(&section(&[["a", "b"]])).unwrap();
        plan.workers = 2;
        assert_eq!(
            plan.distribution(RssMode::Auto, true).unwrap(),
            Distribution::HardwareRss
        );
        assert_eq!(
            plan.distribution(RssMode::Auto, false).unwrap(),
            Distribution::Software
        );
        assert_eq!(
            plan.distribution(RssMode::Software, true).unwrap(),
            Distribution::Software
        );
        assert!(plan.distribution(RssMode::Hardware, false).is_err());
    }
}
