//! The per-worker flow table: finds or creates the flow of each packet, counts it, advances
//! TCP tracking, and retires flows on timeout, on memcap pressure, on TCP port reuse and at
//! shutdown.

use std::collections::HashMap;

use super::config::{FlowConfig, ProtoTimeouts};
use super::key::{Direction, Endpoint, FlowKey};
use super::lru::{LruLists, CLASSES};
use super::tcp::{TcpEvents, TcpState, TcpTracker};
use crate::decode::{tcp_flags, Packet, TcpHeader};
use crate::time::Timestamp;

const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;
const PROTO_ICMP: u8 = 1;
const PROTO_ICMPV6: u8 = 58;

/// Fixed seeds for flow ids, so offline runs give the same ids every time.
const ID_SEEDS: [u64; 4] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
    0x082e_fa98_ec4e_6c89,
];

/// The life phase that selects a flow's timeout (Suricata's flow states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowPhase {
    /// Not established yet.
    New,
    /// TCP: handshake done, possibly half-closed. Others: both directions seen.
    Established,
    /// TCP: reset, or both sides sent FIN (Suricata's LAST_ACK/TIME_WAIT/CLOSED).
    Closed,
}

/// Why a flow left the table, for flow logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowEnd {
    /// Idle longer than its timeout.
    Timeout,
    /// Evicted as least recently seen because the table was full.
    Evicted,
    /// A new SYN reused the tuple of a closed TCP flow; the old flow ended.
    Reused,
    /// Still active when the run ended.
    Shutdown,
}

impl FlowEnd {
    /// Suricata's EVE `flow.reason` for this ending.
    pub fn eve_reason(self) -> &'static str {
        match self {
            FlowEnd::Timeout => "timeout",
            FlowEnd::Evicted | FlowEnd::Reused => "forced",
            FlowEnd::Shutdown => "shutdown",
        }
    }
}

/// One bidirectional conversation and the engine's state `T` attached to it.
#[derive(Debug, Clone)]
pub struct Flow<T> {
    /// Unique non-zero id within a run (EVE `flow_id`); below 2^53 so JSON readers keep it exact.
    pub id: u64,
    /// The side that opened the flow.
    pub client: Endpoint,
    /// The other side.
    pub server: Endpoint,
    /// IP protocol number.
    pub proto: u8,
    /// Outer VLAN id, 0 when untagged.
    pub vlan: u16,
    /// Timestamp of the first packet.
    pub start: Timestamp,
    /// Latest packet timestamp seen.
    pub last_seen: Timestamp,
    /// Packets per [`Direction::index`].
    pub packets: [u64; 2],
    /// Frame bytes per [`Direction::index`].
    pub bytes: [u64; 2],
    /// TCP connection tracking (stays in its initial state for other protocols).
    pub tcp: TcpTracker,
    /// Why the flow left the table; `None` while it is active.
    pub end: Option<FlowEnd>,
    /// The engine's per-flow state.
    pub data: T,
}

impl<T> Flow<T> {
    /// The key both directions of this flow map to.
    pub fn key(&self) -> FlowKey {
        FlowKey::new(self.proto, self.vlan, self.client, self.server)
    }

    /// The phase deciding this flow's timeout.
    pub fn phase(&self) -> FlowPhase {
        if self.proto != PROTO_TCP {
            return if self.packets[0] > 0 && self.packets[1] > 0 {
                FlowPhase::Established
            } else {
                FlowPhase::New
            };
        }
        match self.tcp.state() {
            TcpState::None | TcpState::SynSent | TcpState::SynRecv => FlowPhase::New,
            TcpState::Established | TcpState::FinWait => FlowPhase::Established,
            TcpState::Closing | TcpState::Closed => FlowPhase::Closed,
        }
    }

    /// Suricata's `flow:established`: the TCP handshake completed (or a midstream pickup),
    /// or for other protocols, packets seen in both directions.
    pub fn is_established(&self) -> bool {
        if self.proto == PROTO_TCP {
            self.tcp.is_established()
        } else {
            self.phase() == FlowPhase::Established
        }
    }

    fn proto_group(&self) -> usize {
        match self.proto {
            PROTO_TCP => 0,
            PROTO_UDP => 1,
            PROTO_ICMP | PROTO_ICMPV6 => 2,
            _ => 3,
        }
    }

    /// The LRU list this flow belongs in: one per (protocol group, phase), so every list
    /// shares one timeout.
    fn class(&self) -> usize {
        let phase = match self.phase() {
            FlowPhase::New => 0,
            FlowPhase::Established => 1,
            FlowPhase::Closed => 2,
        };
        self.proto_group() * 3 + phase
    }

    /// Idle time after which this flow expires, in microseconds.
    fn timeout_micros(&self, cfg: &FlowConfig) -> u64 {
        let t = &cfg.timeouts;
        let proto: &ProtoTimeouts = match self.proto_group() {
            0 => &t.tcp,
            1 => &t.udp,
            2 => &t.icmp,
            _ => &t.other,
        };
        let secs = match self.phase() {
            FlowPhase::New => proto.new,
            FlowPhase::Established => proto.established,
            FlowPhase::Closed => proto.closed,
        };
        u64::from(secs) * 1_000_000
    }

    fn timed_out(&self, now: Timestamp, cfg: &FlowConfig) -> bool {
        now.micros_since(self.last_seen) >= self.timeout_micros(cfg)
    }
}

/// The result of [`FlowTable::lookup`]: the packet's flow and how the packet relates to it.
#[derive(Debug)]
pub struct FlowLookup<'a, T> {
    /// The flow, already updated with this packet (counters, `last_seen`, TCP state).
    pub flow: &'a mut Flow<T>,
    /// The packet's direction within the flow.
    pub dir: Direction,
    /// Whether this packet created the flow.
    pub created: bool,
    /// What the packet did to the TCP connection (all false for other protocols).
    pub tcp: TcpEvents,
}

/// Flow table counters (Suricata's `flow.*` stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowStats {
    /// Flows created.
    pub created: u64,
    /// Flows removed because their timeout elapsed.
    pub expired: u64,
    /// Flows evicted (least recently seen) to make room under the memcap.
    pub evicted: u64,
    /// Closed TCP flows ended early because a new SYN reused their tuple.
    pub reused: u64,
    /// Packets that got no flow because the table was full and nothing could be evicted.
    pub memcap_drops: u64,
    /// Flows currently in the table.
    pub active: u64,
    /// TCP flows created.
    pub tcp: u64,
    /// UDP flows created.
    pub udp: u64,
    /// ICMP and ICMPv6 flows created.
    pub icmp: u64,
    /// Flows of other protocols created.
    pub other: u64,
}

/// All flows of one worker. Not thread-safe by design: flows are pinned to workers.
#[derive(Debug)]
pub struct FlowTable<T> {
    cfg: FlowConfig,
    map: HashMap<FlowKey, u32, ahash::RandomState>,
    slots: Vec<Option<Flow<T>>>,
    free: Vec<u32>,
    lru: LruLists,
    retired: Vec<Flow<T>>,
    serial: u64,
    id_hasher: ahash::RandomState,
    stats: FlowStats,
}

impl<T: Default> FlowTable<T> {
    /// An empty table; `cfg.max_flows` is capped at `u32::MAX - 1`.
    pub fn new(mut cfg: FlowConfig) -> Self {
        cfg.max_flows = cfg.max_flows.min((u32::MAX - 1) as usize);
        let [a, b, c, d] = ID_SEEDS;
        FlowTable {
            cfg,
            map: HashMap::with_hasher(ahash::RandomState::new()),
            slots: Vec::new(),
            free: Vec::new(),
            lru: LruLists::new(),
            retired: Vec::new(),
            serial: 0,
            id_hasher: ahash::RandomState::with_seeds(a, b, c, d),
            stats: FlowStats::default(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &FlowConfig {
        &self.cfg
    }

    /// Finds (or creates) the flow of `pkt` and updates it with the packet: `last_seen`,
    /// per-direction counters and, for TCP, the connection state.
    ///
    /// Returns `None` for packets without IP, and when the table is full and no flow can be
    /// freed (counted in `memcap_drops`). Flows pushed out to make room, or ended by TCP port
    /// reuse, are queued for [`FlowTable::take_retired`] (also returned by `expire` and `drain`).
    pub fn lookup(&mut self, pkt: &Packet) -> Option<FlowLookup<'_, T>> {
        let ip = pkt.ip.as_ref()?;
        let (sport, dport) = pkt.transport.ports();
        let src = (ip.src, sport);
        let dst = (ip.dst, dport);
        let vlan = if pkt.vlan_count > 0 { pkt.vlan[0] } else { 0 };
        let key = FlowKey::new(ip.proto, vlan, src, dst);
        let tcp = pkt.tcp().filter(|_| ip.proto == PROTO_TCP);

        let found = self.map.get(&key).copied();
        let (idx, created) = match found {
            Some(idx) if !self.is_reuse(idx, tcp) => (idx, false),
            _ => {
                if let Some(flow) = found.and_then(|old| self.remove(old, FlowEnd::Reused)) {
                    self.retired.push(flow);
                    self.stats.reused += 1;
                }
                (self.create(key, src, dst, tcp, pkt.ts)?, true)
            }
        };

        let midstream = self.cfg.midstream;
        let flow = self.slots.get_mut(idx as usize)?.as_mut()?;
        let dir = if src == flow.client {
            Direction::ToServer
        } else {
            Direction::ToClient
        };
        let d = dir.index();
        flow.last_seen = flow.last_seen.max(pkt.ts);
        flow.packets[d] += 1;
        flow.bytes[d] += pkt.frame.len() as u64;
        let events = match tcp {
            Some(h) => flow.tcp.update(dir, h, pkt.payload.len(), midstream),
            None => TcpEvents::default(),
        };
        self.lru.touch(idx, flow.class());
        Some(FlowLookup {
            flow,
            dir,
            created,
            tcp: events,
        })
    }

    /// Removes every flow whose timeout elapsed at `now` into `out`, after the flows already
    /// queued for [`FlowTable::take_retired`]. Cheap when nothing expires: it looks only at
    /// the least recently seen flow of each of the 12 timeout classes.
    pub fn expire(&mut self, now: Timestamp, out: &mut Vec<Flow<T>>) {
        out.append(&mut self.retired);
        self.expire_into(now, out);
    }

    /// Moves flows ended by eviction or TCP port reuse into `out` (call after `lookup` so their
    /// per-flow resources, such as reassembly memory, are released promptly).
    pub fn take_retired(&mut self, out: &mut Vec<Flow<T>>) {
        out.append(&mut self.retired);
    }

    /// Empties the table at the end of a run; active flows end with [`FlowEnd::Shutdown`].
    /// Retired flows not yet collected come first, then active ones in slot order.
    pub fn drain(&mut self) -> Vec<Flow<T>> {
        let mut out = std::mem::take(&mut self.retired);
        for mut flow in self.slots.drain(..).flatten() {
            flow.end = Some(FlowEnd::Shutdown);
            out.push(flow);
        }
        self.map.clear();
        self.free.clear();
        self.lru.clear();
        out
    }

    /// Current counters.
    pub fn stats(&self) -> FlowStats {
        FlowStats {
            active: self.map.len() as u64,
            ..self.stats
        }
    }

    /// Number of flows in the table.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table holds no flow.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// A SYN (without ACK) with a new ISN on a TCP flow that is closing or closed starts a
    /// new connection (Suricata's TCP session reuse).
    fn is_reuse(&self, idx: u32, tcp: Option<&TcpHeader>) -> bool {
        let Some(h) = tcp else {
            return false;
        };
        let is_syn = h.flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN;
        let old_isn = |f: &Flow<T>| {
            f.tcp.isn(Direction::ToServer) == Some(h.seq)
                || f.tcp.isn(Direction::ToClient) == Some(h.seq)
        };
        is_syn
            && self
                .slots
                .get(idx as usize)
                .and_then(Option::as_ref)
                .is_some_and(|f| f.phase() == FlowPhase::Closed && !old_isn(f))
    }

    fn create(
        &mut self,
        key: FlowKey,
        src: Endpoint,
        dst: Endpoint,
        tcp: Option<&TcpHeader>,
        ts: Timestamp,
    ) -> Option<u32> {
        if self.map.len() >= self.cfg.max_flows {
            self.make_room(ts);
        }
        if self.map.len() >= self.cfg.max_flows {
            self.stats.memcap_drops += 1;
            return None;
        }
        let syn_ack = tcp_flags::SYN | tcp_flags::ACK;
        let (client, server) = match tcp {
            Some(h) if h.flags & syn_ack == syn_ack => (dst, src),
            _ => (src, dst),
        };
        let flow = Flow {
            id: self.next_id(&key, ts),
            client,
            server,
            proto: key.proto(),
            vlan: key.vlan(),
            start: ts,
            last_seen: ts,
            packets: [0; 2],
            bytes: [0; 2],
            tcp: TcpTracker::default(),
            end: None,
            data: T::default(),
        };
        let class = flow.class();
        match flow.proto_group() {
            0 => self.stats.tcp += 1,
            1 => self.stats.udp += 1,
            2 => self.stats.icmp += 1,
            _ => self.stats.other += 1,
        }
        let idx = match self.free.pop() {
            Some(idx) => {
                self.slots[idx as usize] = Some(flow);
                idx
            }
            None => {
                self.slots.push(Some(flow));
                (self.slots.len() - 1) as u32
            }
        };
        self.map.insert(key, idx);
        self.lru.push_back(idx, class);
        self.stats.created += 1;
        Some(idx)
    }

    /// Frees at least one slot when possible: expire whatever timed out, otherwise evict the
    /// least recently seen flow.
    fn make_room(&mut self, now: Timestamp) {
        let mut retired = std::mem::take(&mut self.retired);
        self.expire_into(now, &mut retired);
        if self.map.len() >= self.cfg.max_flows {
            let oldest = (0..CLASSES)
                .filter_map(|c| self.lru.front(c))
                .filter_map(|idx| Some((self.slots.get(idx as usize)?.as_ref()?.last_seen, idx)))
                .min();
            if let Some(flow) = oldest.and_then(|(_, idx)| self.remove(idx, FlowEnd::Evicted)) {
                retired.push(flow);
                self.stats.evicted += 1;
            }
        }
        self.retired = retired;
    }

    fn expire_into(&mut self, now: Timestamp, out: &mut Vec<Flow<T>>) {
        for class in 0..CLASSES {
            while let Some(idx) = self.lru.front(class) {
                let timed_out = self
                    .slots
                    .get(idx as usize)
                    .and_then(Option::as_ref)
                    .is_some_and(|f| f.timed_out(now, &self.cfg));
                match timed_out
                    .then(|| self.remove(idx, FlowEnd::Timeout))
                    .flatten()
                {
                    Some(flow) => {
                        out.push(flow);
                        self.stats.expired += 1;
                    }
                    None => break,
                }
            }
        }
    }

    /// Takes the flow in slot `idx` out of the table (`None` if the slot is empty).
    fn remove(&mut self, idx: u32, why: FlowEnd) -> Option<Flow<T>> {
        let mut flow = self.slots.get_mut(idx as usize)?.take()?;
        self.lru.unlink(idx);
        self.free.push(idx);
        self.map.remove(&flow.key());
        flow.end = Some(why);
        Some(flow)
    }

    /// A unique non-zero id: 21 bits of a hash of key and start time (spreading ids like
    /// Suricata's) above a 32-bit creation counter (uniqueness for 2^32 flows per run).
    fn next_id(&mut self, key: &FlowKey, ts: Timestamp) -> u64 {
        self.serial += 1;
        let hash = self.id_hasher.hash_one((key, ts.0));
        (((hash & 0x1F_FFFF) << 32) | (self.serial & 0xFFFF_FFFF)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::tcp_flags::{ACK, FIN, RST, SYN};
    use crate::decode::{IcmpHeader, IpHeader, Transport, UdpHeader};
    use std::net::{IpAddr, Ipv4Addr};

    static FRAME: [u8; 100] = [0; 100];
    const CLIENT: [u8; 4] = [10, 0, 0, 1];
    const SERVER: [u8; 4] = [10, 0, 0, 2];

    fn addr(a: [u8; 4]) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(a))
    }

    fn packet(
        secs: u64,
        src: [u8; 4],
        dst: [u8; 4],
        proto: u8,
        transport: Transport,
    ) -> Packet<'static> {
        let mut p = Packet::empty(Timestamp::from_secs_micros(secs, 0), &FRAME[..60]);
        p.ip = Some(IpHeader {
            version: 4,
            src: addr(src),
            dst: addr(dst),
            ttl: 64,
            tos: 0,
            id: 0,
            proto,
            dont_fragment: false,
            more_fragments: false,
            reserved_bit: false,
            fragment_offset: 0,
            header_len: 20,
            offset: 14,
            checksum_ok: None,
        });
        p.transport = transport;
        p
    }

    fn tcp(
        secs: u64,
        (src, sp): ([u8; 4], u16),
        (dst, dp): ([u8; 4], u16),
        flags: u8,
        seq: u32,
        ack: u32,
    ) -> Packet<'static> {
        let h = TcpHeader {
            src_port: sp,
            dst_port: dp,
            seq,
            ack,
            flags,
            header_len: 20,
            ..TcpHeader::default()
        };
        packet(secs, src, dst, PROTO_TCP, Transport::Tcp(h))
    }

    fn udp(secs: u64, src: [u8; 4], sp: u16, dst: [u8; 4], dp: u16) -> Packet<'static> {
        let h = UdpHeader {
            src_port: sp,
            dst_port: dp,
            length: 8,
            checksum_ok: None,
        };
        packet(secs, src, dst, PROTO_UDP, Transport::Udp(h))
    }

    fn table(max_flows: usize) -> FlowTable<u32> {
        FlowTable::new(FlowConfig {
            max_flows,
            ..FlowConfig::default()
        })
    }

    #[test]
    fn syn_first_sender_is_client() {
        let mut t = table(10);
        let l = t
            .lookup(&tcp(1, (CLIENT, 40000), (SERVER, 80), SYN, 100, 0))
            .unwrap();
        assert!(l.created);
        assert_eq!(l.dir, Direction::ToServer);
        assert_eq!(l.flow.client, (addr(CLIENT), 40000));
        assert_eq!(l.flow.server, (addr(SERVER), 80));
        let id = l.flow.id;
        assert_ne!(id, 0);
        assert!(id < 1 << 53);
        let l = t
            .lookup(&tcp(1, (SERVER, 80), (CLIENT, 40000), SYN | ACK, 900, 101))
            .unwrap();
        assert!(!l.created);
        assert_eq!(l.dir, Direction::ToClient);
        assert_eq!(l.flow.id, id);
        let l = t
            .lookup(&tcp(2, (CLIENT, 40000), (SERVER, 80), ACK, 101, 901))
            .unwrap();
        assert!(l.tcp.handshake_completed);
        assert_eq!(l.dir, Direction::ToServer);
        assert_eq!(l.flow.packets, [2, 1]);
        assert_eq!(l.flow.bytes, [120, 60]);
        assert_eq!(l.flow.last_seen, Timestamp::from_secs_micros(2, 0));
        assert_eq!(l.flow.start, Timestamp::from_secs_micros(1, 0));
        assert!(l.flow.is_established());
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn synack_first_sender_is_server() {
        let mut t = table(10);
        let l = t
            .lookup(&tcp(1, (SERVER, 80), (CLIENT, 40000), SYN | ACK, 900, 101))
            .unwrap();
        assert!(l.created);
        assert_eq!(l.dir, Direction::ToClient);
        assert_eq!(l.flow.client, (addr(CLIENT), 40000));
        assert_eq!(l.flow.server, (addr(SERVER), 80));
        let l = t
            .lookup(&tcp(1, (CLIENT, 40000), (SERVER, 80), ACK, 101, 901))
            .unwrap();
        assert_eq!(l.dir, Direction::ToServer);
        // midstream is off: a SYN/ACK-first session is not tracked.
        assert!(!l.flow.is_established());
    }

    #[test]
    fn udp_first_sender_is_client_and_establishes_on_reply() {
        let mut t = table(10);
        let l = t.lookup(&udp(1, CLIENT, 5353, SERVER, 53)).unwrap();
        assert_eq!(l.dir, Direction::ToServer);
        assert_eq!(l.flow.client, (addr(CLIENT), 5353));
        assert_eq!(l.flow.phase(), FlowPhase::New);
        assert!(!l.flow.is_established());
        let l = t.lookup(&udp(1, SERVER, 53, CLIENT, 5353)).unwrap();
        assert_eq!(l.dir, Direction::ToClient);
        assert!(l.flow.is_established());
        assert_eq!(l.tcp, TcpEvents::default());
    }

    #[test]
    fn vlan_and_icmp_keys() {
        let mut t = table(10);
        let mut a = udp(1, CLIENT, 1, SERVER, 2);
        a.vlan = [100, 0];
        a.vlan_count = 1;
        let mut b = udp(1, CLIENT, 1, SERVER, 2);
        b.vlan = [200, 0];
        b.vlan_count = 1;
        assert!(t.lookup(&a).unwrap().created);
        assert!(t.lookup(&b).unwrap().created);
        let icmp = |src, dst, ty| {
            let h = IcmpHeader {
                icmp_type: ty,
                ..IcmpHeader::default()
            };
            packet(1, src, dst, PROTO_ICMP, Transport::Icmp4(h))
        };
        assert!(t.lookup(&icmp(CLIENT, SERVER, 8)).unwrap().created);
        let reply = t.lookup(&icmp(SERVER, CLIENT, 0)).unwrap();
        assert!(!reply.created);
        assert_eq!(reply.dir, Direction::ToClient);
        assert_eq!(reply.flow.client, (addr(CLIENT), 0));
        assert!(t.lookup(&Packet::empty(Timestamp(0), &FRAME)).is_none());
        let s = t.stats();
        assert_eq!(
            (s.created, s.udp, s.icmp, s.tcp, s.other, s.active),
            (3, 2, 1, 0, 0, 3)
        );
    }

    #[test]
    fn timeouts_follow_state() {
        let mut t = table(10);
        // UDP new (30 s): one packet at t=100.
        t.lookup(&udp(100, CLIENT, 1000, SERVER, 53));
        // UDP established (300 s): both directions at t=100.
        t.lookup(&udp(100, CLIENT, 1001, SERVER, 53));
        t.lookup(&udp(100, SERVER, 53, CLIENT, 1001));
        // TCP new (60 s): a lone SYN.
        t.lookup(&tcp(100, (CLIENT, 2000), (SERVER, 80), SYN, 1, 0));
        // TCP established (600 s).
        t.lookup(&tcp(100, (CLIENT, 2001), (SERVER, 80), SYN, 1, 0));
        t.lookup(&tcp(100, (SERVER, 80), (CLIENT, 2001), SYN | ACK, 9, 2));
        t.lookup(&tcp(100, (CLIENT, 2001), (SERVER, 80), ACK, 2, 10));
        // TCP closed (60 s) by RST, at t=100.
        t.lookup(&tcp(100, (CLIENT, 2002), (SERVER, 80), SYN, 1, 0));
        t.lookup(&tcp(100, (SERVER, 80), (CLIENT, 2002), RST | ACK, 0, 2));
        assert_eq!(t.len(), 5);

        let mut out = Vec::new();
        t.expire(Timestamp::from_secs_micros(129, 999_999), &mut out);
        assert!(out.is_empty());
        t.expire(Timestamp::from_secs_micros(130, 0), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].client.1, 1000);
        assert_eq!(out[0].end, Some(FlowEnd::Timeout));
        out.clear();
        t.expire(Timestamp::from_secs_micros(160, 0), &mut out);
        let mut ports: Vec<u16> = out.iter().map(|f| f.client.1).collect();
        ports.sort_unstable();
        assert_eq!(ports, vec![2000, 2002]);
        out.clear();
        t.expire(Timestamp::from_secs_micros(399, 0), &mut out);
        assert!(out.is_empty());
        t.expire(Timestamp::from_secs_micros(400, 0), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].client.1, 1001);
        out.clear();
        t.expire(Timestamp::from_secs_micros(700, 0), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].client.1, 2001);
        assert_eq!(t.stats().expired, 5);
        assert_eq!(t.stats().active, 0);
    }

    #[test]
    fn activity_postpones_expiry() {
        let mut t = table(10);
        t.lookup(&udp(0, CLIENT, 1, SERVER, 2));
        t.lookup(&udp(0, CLIENT, 3, SERVER, 4));
        t.lookup(&udp(20, CLIENT, 1, SERVER, 2));
        let mut out = Vec::new();
        t.expire(Timestamp::from_secs_micros(30, 0), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].client.1, 3);
        out.clear();
        t.expire(Timestamp::from_secs_micros(49, 0), &mut out);
        assert!(out.is_empty());
        t.expire(Timestamp::from_secs_micros(50, 0), &mut out);
        assert_eq!(out[0].client.1, 1);
    }

    #[test]
    fn memcap_evicts_least_recently_seen() {
        let mut t = table(2);
        t.lookup(&udp(1, CLIENT, 1, SERVER, 9)).unwrap().flow.data = 1;
        t.lookup(&tcp(2, (CLIENT, 2), (SERVER, 9), SYN, 5, 0))
            .unwrap()
            .flow
            .data = 2;
        // Flow 1 seen again: flow 2 (TCP, another class) is now the least recently seen.
        t.lookup(&udp(3, CLIENT, 1, SERVER, 9));
        let l = t.lookup(&udp(4, CLIENT, 3, SERVER, 9)).unwrap();
        assert!(l.created);
        l.flow.data = 3;
        let s = t.stats();
        assert_eq!(
            (s.created, s.evicted, s.expired, s.memcap_drops, s.active),
            (3, 1, 0, 0, 2)
        );
        let mut gone = Vec::new();
        t.take_retired(&mut gone);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].data, 2);
        assert_eq!(gone[0].end, Some(FlowEnd::Evicted));
        assert_eq!(gone[0].end.map(FlowEnd::eve_reason), Some("forced"));
        // A timed-out flow is expired rather than evicted when room is needed.
        let l = t.lookup(&udp(40, CLIENT, 4, SERVER, 9)).unwrap();
        assert!(l.created);
        let s = t.stats();
        assert_eq!((s.evicted, s.expired, s.active), (1, 2, 1));
        let mut out = Vec::new();
        t.expire(Timestamp::from_secs_micros(40, 0), &mut out);
        let mut data: Vec<u32> = out.iter().map(|f| f.data).collect();
        data.sort_unstable();
        assert_eq!(data, vec![1, 3]);
        let rest = t.drain();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].end, Some(FlowEnd::Shutdown));
        assert!(t.is_empty());
    }

    #[test]
    fn zero_capacity_counts_memcap_drops() {
        let mut t = FlowTable::<()>::new(FlowConfig {
            max_flows: 0,
            ..FlowConfig::default()
        });
        assert!(t.lookup(&udp(1, CLIENT, 1, SERVER, 2)).is_none());
        assert!(t.lookup(&udp(1, CLIENT, 1, SERVER, 2)).is_none());
        assert_eq!(t.stats().memcap_drops, 2);
        assert_eq!(t.stats().created, 0);
    }

    #[test]
    fn fin_fin_closes_and_syn_reuses() {
        let mut t = table(10);
        t.lookup(&tcp(1, (CLIENT, 4000), (SERVER, 80), SYN, 10, 0));
        t.lookup(&tcp(1, (SERVER, 80), (CLIENT, 4000), SYN | ACK, 50, 11));
        t.lookup(&tcp(1, (CLIENT, 4000), (SERVER, 80), ACK, 11, 51));
        let first = t
            .lookup(&tcp(2, (CLIENT, 4000), (SERVER, 80), FIN | ACK, 11, 51))
            .unwrap();
        assert_eq!(first.flow.phase(), FlowPhase::Established);
        let id = first.flow.id;
        t.lookup(&tcp(2, (SERVER, 80), (CLIENT, 4000), FIN | ACK, 51, 12));
        let l = t
            .lookup(&tcp(2, (CLIENT, 4000), (SERVER, 80), ACK, 12, 52))
            .unwrap();
        assert!(l.tcp.closed);
        assert_eq!(l.flow.tcp.state(), TcpState::Closed);
        assert_eq!(l.flow.phase(), FlowPhase::Closed);
        // A retransmitted SYN of the old connection does not.
        let l = t
            .lookup(&tcp(3, (CLIENT, 4000), (SERVER, 80), SYN, 10, 0))
            .unwrap();
        assert!(!l.created);
        assert_eq!(l.flow.id, id);
        // A new SYN on the same tuple starts a new flow and retires the old one.
        let l = t
            .lookup(&tcp(3, (CLIENT, 4000), (SERVER, 80), SYN, 7000, 0))
            .unwrap();
        assert!(l.created);
        assert_ne!(l.flow.id, id);
        assert_eq!(l.flow.tcp.state(), TcpState::SynSent);
        let mut out = Vec::new();
        t.take_retired(&mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, id);
        assert_eq!(out[0].end, Some(FlowEnd::Reused));
        assert_eq!(out[0].packets, [5, 2]);
        assert_eq!(t.stats().reused, 1);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn midstream_setting_reaches_tracker() {
        let data = tcp(1, (CLIENT, 4000), (SERVER, 80), ACK, 500, 900);
        let mut off = table(10);
        let l = off.lookup(&data).unwrap();
        assert!(!l.flow.is_established());
        assert!(!l.flow.tcp.reassembly_allowed(Direction::ToServer));
        let mut on = FlowTable::<u32>::new(FlowConfig {
            midstream: true,
            ..FlowConfig::default()
        });
        let l = on.lookup(&data).unwrap();
        assert!(l.tcp.midstream_pickup);
        assert!(l.flow.is_established());
        assert_eq!(l.flow.tcp.stream_start(Direction::ToServer), Some(500));
        assert_eq!(l.flow.phase(), FlowPhase::Established);
    }

    #[test]
    fn ids_are_unique_and_deterministic() {
        let run = || {
            let mut t = table(100);
            (0..50u16)
                .map(|p| t.lookup(&udp(1, CLIENT, p, SERVER, 53)).unwrap().flow.id)
                .collect::<Vec<u64>>()
        };
        let a = run();
        let mut sorted = a.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 50);
        assert_eq!(a, run());
    }
}
