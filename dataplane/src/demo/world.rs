//! The demo network: who lives where, and the state every conversation script shares (the
//! capture being written, the random stream, the client port allocator).
//!
//! Addresses: workstations in 10.0.1.0/24 and a server in 10.0.2.0/24 (HOME_NET); internet
//! services in 198.18.0.0/15 and the attacker's hosts in 203.0.113.0/24, both ranges reserved for
//! benchmarks and documentation so the capture can never point at a real host.

use super::prng::Prng;
use super::trace::Trace;
use super::wire::Endpoint;

/// A named internet service: where it is and how far away.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site {
    /// DNS name (under the reserved example.* domains).
    pub(crate) name: &'static str,
    /// IPv4 address in 198.18.0.0/15.
    pub(crate) ip: [u8; 4],
    /// IPv6 address in 2001:db8::/32, returned for AAAA lookups.
    pub(crate) ip6: [u8; 16],
    /// Round-trip time from the capture point, in microseconds.
    pub(crate) rtt: u64,
}

impl Site {
    /// The site as it appears at the capture point (a Linux server 9 hops away).
    pub(crate) fn endpoint(&self) -> Endpoint {
        Endpoint::remote(self.ip, 64, 9)
    }
}

/// An IPv6 documentation address 2001:db8:<a>::<b>.
const fn doc6(a: u8, b: u8) -> [u8; 16] {
    [0x20, 0x01, 0x0d, 0xb8, 0, a, 0, 0, 0, 0, 0, 0, 0, 0, 0, b]
}

/// The internet services the workstations use.
pub(crate) static SITES: [Site; 10] = [
    Site {
        name: "www.example.com",
        ip: [198, 18, 10, 10],
        ip6: doc6(10, 10),
        rtt: 18_400,
    },
    Site {
        name: "shop.example.net",
        ip: [198, 18, 20, 25],
        ip6: doc6(20, 25),
        rtt: 23_100,
    },
    Site {
        name: "api.example.org",
        ip: [198, 18, 30, 40],
        ip6: doc6(30, 40),
        rtt: 31_700,
    },
    Site {
        name: "news.example.com",
        ip: [198, 18, 10, 11],
        ip6: doc6(10, 11),
        rtt: 18_900,
    },
    Site {
        name: "static.example.net",
        ip: [198, 18, 40, 5],
        ip6: doc6(40, 5),
        rtt: 9_800,
    },
    Site {
        name: "docs.example.org",
        ip: [198, 19, 1, 20],
        ip6: doc6(1, 20),
        rtt: 42_300,
    },
    Site {
        name: "mail.example.com",
        ip: [198, 18, 10, 25],
        ip6: doc6(10, 25),
        rtt: 19_200,
    },
    Site {
        name: "login.example.net",
        ip: [198, 18, 20, 30],
        ip6: doc6(20, 30),
        rtt: 24_600,
    },
    Site {
        name: "cdn.example.org",
        ip: [198, 18, 40, 6],
        ip6: doc6(40, 6),
        rtt: 8_700,
    },
    Site {
        name: "legacy.example.org",
        ip: [198, 19, 7, 7],
        ip6: doc6(7, 7),
        rtt: 57_500,
    },
];

/// The recursive resolver the workstations query.
pub(crate) static RESOLVER: Site = Site {
    name: "resolver.example.net",
    ip: [198, 18, 0, 53],
    ip6: doc6(0, 53),
    rtt: 11_200,
};

/// The NTP servers the workstations poll.
pub(crate) static NTP_SERVERS: [Site; 2] = [
    Site {
        name: "ntp1.example.net",
        ip: [198, 18, 0, 123],
        ip6: doc6(0, 123),
        rtt: 14_000,
    },
    Site {
        name: "ntp2.example.net",
        ip: [198, 18, 0, 124],
        ip6: doc6(0, 124),
        rtt: 27_500,
    },
];

/// The attacker's command-and-control host (what `malware-c2.example` resolves to).
pub(crate) const C2_IP: [u8; 4] = [203, 0, 113, 66];

/// The address of the i-th workstation, 10.0.1.10 upwards.
pub(crate) fn workstation(i: u8) -> Endpoint {
    Endpoint::local([10, 0, 1, 10 + i])
}

/// Shared state of the scripts that write the capture.
#[derive(Debug)]
pub(crate) struct World {
    /// The capture being written.
    pub(crate) trace: Trace,
    /// The one random stream; scripts draw from it in a fixed order.
    pub(crate) rng: Prng,
    next_port: u16,
}

impl World {
    /// An empty capture; everything after is a function of `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        World {
            trace: Trace::default(),
            rng: Prng::new(seed),
            next_port: 49_152,
        }
    }

    /// A fresh client port from the IANA dynamic range, never reused within the capture (the
    /// demo stays far below the range's 16,384 ports).
    pub(crate) fn client_port(&mut self) -> u16 {
        self.next_port += self.rng.range(1, 97) as u16;
        self.next_port
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ports_are_dynamic_and_increasing() {
        let mut w = World::new(1);
        let a = w.client_port();
        let b = w.client_port();
        assert!(a > 49_152 && b > a);
    }

    #[test]
    fn addresses_stay_in_reserved_ranges() {
        for site in SITES.iter().chain(NTP_SERVERS.iter()).chain([&RESOLVER]) {
            assert!(
                site.ip[0] == 198 && (site.ip[1] == 18 || site.ip[1] == 19),
                "{}",
                site.name
            );
            assert_eq!(&site.ip6[..4], &[0x20, 0x01, 0x0d, 0xb8]);
        }
        assert_eq!(workstation(3).ip, [10, 0, 1, 13]);
    }
}
