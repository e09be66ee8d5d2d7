//! Ethernet ports (`rte_ethdev`): configuration, queues, start/stop, link, statistics, and the
//! rx/tx bursts through exclusively-held queue handles.

use std::ffi::{c_char, CStr, CString};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use dpdk_ffi as ffi;

use super::eal::Eal;
use super::error::{check, errno, DpdkError};
use super::mbuf::MbufBurst;
use super::mempool::Mempool;
use super::rss::{RssFields, RSS_KEY_LEN, SYMMETRIC_RSS_KEY};
use super::Invariant;

/// Ports with a live [`Port`] value, one bit per port id (`RTE_MAX_ETHPORTS` is 32), so a
/// port cannot be opened (and later closed) twice.
static OPEN_PORTS: AtomicU64 = AtomicU64::new(0);

/// `ENOTSUP`: DPDK's answer when a driver lacks an optional operation.
const ENOTSUP: i32 = 95;

/// Size of the buffer `rte_eth_dev_get_name_by_port` writes (`RTE_ETH_NAME_MAX_LEN`).
const PORT_NAME_LEN: usize = 64;

/// Number of ports DPDK probed (real NICs and `--vdev` devices), ids `0..n` in the usual case.
pub fn available_ports(_eal: &Eal) -> u16 {
    // SAFETY: the EAL is initialised (`_eal`).
    unsafe { ffi::rte_eth_dev_count_avail() }
}

/// The id of the port DPDK named `name` (a vdev's name as given to `--vdev`, e.g. `net_ring0`,
/// or a PCI address), so configuration can name ports instead of numbering them.
pub fn port_id_by_name(_eal: &Eal, name: &str) -> Result<u16, DpdkError> {
    const CALL: &str = "rte_eth_dev_get_port_by_name";
    let c_name = CString::new(name)
        .map_err(|_| DpdkError::refused(CALL, errno::EINVAL, "port name contains a NUL byte"))?;
    let mut id = 0u16;
    // SAFETY: c_name is a valid C string and `id` a writable u16; the EAL is initialised.
    check(CALL, unsafe {
        ffi::rte_eth_dev_get_port_by_name(c_name.as_ptr(), &mut id)
    })?;
    Ok(id)
}

/// Receive-side scaling settings: hardware spreads flows over rx queues by a Toeplitz hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RssConf {
    /// The Toeplitz key; the default [`SYMMETRIC_RSS_KEY`] sends both directions of a flow to
    /// the same queue. Repeated to the device's key size when that is not 40 bytes.
    pub key: [u8; RSS_KEY_LEN],
    /// Which headers feed the hash; masked by what the device offers.
    pub fields: RssFields,
}

impl Default for RssConf {
    fn default() -> Self {
        RssConf {
            key: SYMMETRIC_RSS_KEY,
            fields: RssFields::IP | RssFields::TCP | RssFields::UDP,
        }
    }
}

/// How [`Port::configure`] sets a port up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortConf {
    /// Hardware RSS, when wanted and offered by the device (see [`Port::rss_fields`]).
    pub rss: Option<RssConf>,
    /// MTU; `None` keeps DPDK's default (1500).
    pub mtu: Option<u16>,
    /// Receive frames for every MAC address, as a bump-in-the-wire IPS must (the default).
    /// Drivers without the operation are left as they are.
    pub promiscuous: bool,
}

impl Default for PortConf {
    fn default() -> Self {
        PortConf {
            rss: None,
            mtu: None,
            promiscuous: true,
        }
    }
}

/// What a device can do, so the caller can choose hardware RSS or software distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevInfo {
    /// The PMD's name, e.g. `net_ring`, `net_pcap`, `net_ice`.
    pub driver: String,
    /// Most rx queues the device supports.
    pub max_rx_queues: u16,
    /// Most tx queues the device supports.
    pub max_tx_queues: u16,
    /// Hash fields the device's RSS offers; empty means no hardware RSS.
    pub rss_offloads: RssFields,
    /// RSS key size in bytes (0 when the device does not say).
    pub hash_key_size: u8,
    /// Smallest MTU the device accepts.
    pub min_mtu: u16,
    /// Largest MTU the device accepts.
    pub max_mtu: u16,
}

impl DevInfo {
    /// True when the device hashes flows to queues itself (`flow_type_rss_offloads != 0`).
    pub fn hardware_rss(&self) -> bool {
        !self.rss_offloads.is_empty()
    }
}

/// Link state, for startup checks and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Speed in Mb/s (0 when unknown).
    pub speed_mbps: u32,
    /// Link is up.
    pub up: bool,
    /// Full duplex.
    pub full_duplex: bool,
    /// Speed was auto-negotiated.
    pub autoneg: bool,
}

/// Basic port counters (`rte_eth_stats`), for metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PortStats {
    /// Packets received.
    pub rx_packets: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Packets the hardware dropped because rx queues were full.
    pub rx_missed: u64,
    /// Erroneous received packets.
    pub rx_errors: u64,
    /// Failed transmissions.
    pub tx_errors: u64,
    /// Rx failures for lack of mbufs.
    pub rx_nombuf: u64,
}

/// One Ethernet port, opened exclusively; stopped and closed when dropped. `'m` is the lifetime
/// of every mempool its queues use: the driver holds mbufs until close, so those pools must
/// outlive the port (the lifetime is invariant so it cannot be shortened to admit others).
#[derive(Debug)]
pub struct Port<'m> {
    id: u16,
    started: bool,
    closed: bool,
    rss_fields: RssFields,
    rx_taken: Box<[AtomicBool]>,
    tx_taken: Box<[AtomicBool]>,
    _pools: Invariant<'m>,
}

impl<'m> Port<'m> {
    /// Takes the port with id `id`; fails if it does not exist or is already open.
    pub fn open(_eal: &'m Eal, id: u16) -> Result<Self, DpdkError> {
        const CALL: &str = "Port::open";
        // SAFETY: the EAL is initialised (`_eal`); any id may be asked about.
        if unsafe { ffi::rte_eth_dev_is_valid_port(id) } == 0 {
            return Err(DpdkError::refused(
                CALL,
                errno::ENODEV,
                format!("no port {id}"),
            ));
        }
        let bit = 1u64 << (id % 64);
        if OPEN_PORTS.fetch_or(bit, Ordering::SeqCst) & bit != 0 {
            return Err(DpdkError::refused(
                CALL,
                errno::EBUSY,
                format!("port {id} is already open"),
            ));
        }
        Ok(Port {
            id,
            started: false,
            closed: false,
            rss_fields: RssFields::NONE,
            rx_taken: Box::new([]),
            tx_taken: Box::new([]),
            _pools: Invariant::default(),
        })
    }

    /// Takes the port DPDK named `name` (see [`port_id_by_name`]).
    pub fn open_by_name(eal: &'m Eal, name: &str) -> Result<Self, DpdkError> {
        Self::open(eal, port_id_by_name(eal, name)?)
    }

    /// DPDK's id of this port.
    pub fn id(&self) -> u16 {
        self.id
    }

    /// DPDK's name of this port (`net_pcap0`, a PCI address...).
    pub fn name(&self) -> Result<String, DpdkError> {
        let mut buf = [0 as c_char; PORT_NAME_LEN];
        // SAFETY: buf has RTE_ETH_NAME_MAX_LEN bytes, the size DPDK writes at most.
        check("rte_eth_dev_get_name_by_port", unsafe {
            ffi::rte_eth_dev_get_name_by_port(self.id, buf.as_mut_ptr())
        })?;
        // SAFETY: DPDK wrote a NUL-terminated name into buf.
        Ok(unsafe { CStr::from_ptr(buf.as_ptr()) }
            .to_string_lossy()
            .into_owned())
    }

    /// The device's capabilities.
    pub fn dev_info(&self) -> Result<DevInfo, DpdkError> {
        let mut info = ffi::rte_eth_dev_info::default();
        // SAFETY: `info` is a writable rte_eth_dev_info; the port id is valid while open.
        check("rte_eth_dev_info_get", unsafe {
            ffi::rte_eth_dev_info_get(self.id, &mut info)
        })?;
        let driver = if info.driver_name.is_null() {
            String::new()
        } else {
            // SAFETY: a non-null driver_name is a static NUL-terminated string of the PMD.
            unsafe { CStr::from_ptr(info.driver_name) }
                .to_string_lossy()
                .into_owned()
        };
        Ok(DevInfo {
            driver,
            max_rx_queues: info.max_rx_queues,
            max_tx_queues: info.max_tx_queues,
            rss_offloads: RssFields::from_bits(info.flow_type_rss_offloads),
            hash_key_size: info.hash_key_size,
            min_mtu: info.min_mtu,
            max_mtu: info.max_mtu,
        })
    }

    /// Configures `n_rx` rx and `n_tx` tx queues (the port must be stopped). RSS is enabled
    /// with the fields the device offers among those asked; [`Port::rss_fields`] tells what
    /// remains (empty on virtual PMDs: distribute in software then).
    pub fn configure(&mut self, n_rx: u16, n_tx: u16, conf: &PortConf) -> Result<(), DpdkError> {
        let info = self.dev_info()?;
        let mut eth = ffi::rte_eth_conf::default();
        eth.rxmode.mtu = conf.mtu.map_or(0, u32::from);
        let mut key = Vec::new();
        let mut fields = RssFields::NONE;
        if let Some(rss) = &conf.rss {
            fields = rss.fields & info.rss_offloads;
            if !fields.is_empty() {
                let key_len = match info.hash_key_size {
                    0 => RSS_KEY_LEN,
                    n => usize::from(n),
                };
                key = rss.key.iter().copied().cycle().take(key_len).collect();
                eth.rxmode.mq_mode = ffi::RTE_ETH_MQ_RX_RSS;
                eth.rx_adv_conf.rss_conf.rss_key = key.as_mut_ptr();
                eth.rx_adv_conf.rss_conf.rss_key_len = u8::try_from(key_len).unwrap_or(u8::MAX);
                eth.rx_adv_conf.rss_conf.rss_hf = fields.bits();
            }
        }
        // SAFETY: `eth` is a valid configuration whose rss_key points at `key`, alive until
        // the call returns (DPDK copies it).
        check("rte_eth_dev_configure", unsafe {
            ffi::rte_eth_dev_configure(self.id, n_rx, n_tx, &eth)
        })?;
        drop(key);
        self.rss_fields = fields;
        self.rx_taken = (0..n_rx).map(|_| AtomicBool::new(false)).collect();
        self.tx_taken = (0..n_tx).map(|_| AtomicBool::new(false)).collect();
        match self.set_promiscuous(conf.promiscuous) {
            Err(e) if e.errno() == ENOTSUP => Ok(()),
            other => other,
        }
    }

    /// The RSS hash fields in effect since [`Port::configure`] (empty: no hardware RSS).
    pub fn rss_fields(&self) -> RssFields {
        self.rss_fields
    }

    /// Sets up rx queue `queue` with `n_desc` descriptors, filled from `pool`.
    pub fn rx_queue_setup(
        &mut self,
        queue: u16,
        n_desc: u16,
        pool: &'m Mempool<'_>,
    ) -> Result<(), DpdkError> {
        let socket = self.socket();
        // SAFETY: the pool is live for 'm, which outlives this port (and so the queue); a NULL
        // rx_conf selects the driver's defaults.
        check("rte_eth_rx_queue_setup", unsafe {
            ffi::rte_eth_rx_queue_setup(
                self.id,
                queue,
                n_desc,
                socket,
                std::ptr::null(),
                pool.as_ptr(),
            )
        })?;
        Ok(())
    }

    /// Sets up tx queue `queue` with `n_desc` descriptors.
    pub fn tx_queue_setup(&mut self, queue: u16, n_desc: u16) -> Result<(), DpdkError> {
        let socket = self.socket();
        // SAFETY: a NULL tx_conf selects the driver's defaults.
        check("rte_eth_tx_queue_setup", unsafe {
            ffi::rte_eth_tx_queue_setup(self.id, queue, n_desc, socket, std::ptr::null())
        })?;
        Ok(())
    }

    /// Starts the port (after configure and queue setup).
    pub fn start(&mut self) -> Result<(), DpdkError> {
        // SAFETY: the port id is valid while open.
        check("rte_eth_dev_start", unsafe {
            ffi::rte_eth_dev_start(self.id)
        })?;
        self.started = true;
        Ok(())
    }

    /// Stops the port; for `net_pcap` this also flushes and closes the tx capture file.
    pub fn stop(&mut self) -> Result<(), DpdkError> {
        // SAFETY: the port id is valid while open; no queue handle is alive (`&mut self`).
        check("rte_eth_dev_stop", unsafe {
            ffi::rte_eth_dev_stop(self.id)
        })?;
        self.started = false;
        Ok(())
    }

    /// Stops (if started) and closes the port, reporting failures that dropping would hide.
    pub fn close(mut self) -> Result<(), DpdkError> {
        self.shutdown()
    }

    /// Link state, without waiting for negotiation.
    pub fn link(&self) -> Result<Link, DpdkError> {
        let mut link = ffi::rte_eth_link::default();
        // SAFETY: `link` is a writable rte_eth_link.
        check("rte_eth_link_get_nowait", unsafe {
            ffi::rte_eth_link_get_nowait(self.id, &mut link)
        })?;
        Ok(Link {
            speed_mbps: link.link_speed,
            up: u32::from(link.link_status()) == ffi::RTE_ETH_LINK_UP,
            full_duplex: link.link_duplex() != 0,
            autoneg: link.link_autoneg() != 0,
        })
    }

    /// Turns promiscuous mode on or off.
    pub fn set_promiscuous(&mut self, on: bool) -> Result<(), DpdkError> {
        // SAFETY: the port id is valid while open.
        let ret = unsafe {
            if on {
                ffi::rte_eth_promiscuous_enable(self.id)
            } else {
                ffi::rte_eth_promiscuous_disable(self.id)
            }
        };
        check("rte_eth_promiscuous_enable/disable", ret)?;
        Ok(())
    }

    /// Whether promiscuous mode is on.
    pub fn promiscuous(&self) -> Result<bool, DpdkError> {
        // SAFETY: the port id is valid while open.
        let ret = unsafe { ffi::rte_eth_promiscuous_get(self.id) };
        match ret {
            0 | 1 => Ok(ret == 1),
            _ => Err(DpdkError::refused(
                "rte_eth_promiscuous_get",
                errno::ENODEV,
                "invalid port",
            )),
        }
    }

    /// The port's MAC address (source of injected RSTs).
    pub fn mac_addr(&self) -> Result<[u8; 6], DpdkError> {
        let mut mac = ffi::rte_ether_addr::default();
        // SAFETY: `mac` is a writable rte_ether_addr.
        check("rte_eth_macaddr_get", unsafe {
            ffi::rte_eth_macaddr_get(self.id, &mut mac)
        })?;
        Ok(mac.addr_bytes)
    }

    /// The basic counters.
    pub fn stats(&self) -> Result<PortStats, DpdkError> {
        let mut s = ffi::rte_eth_stats::default();
        // SAFETY: `s` is a writable rte_eth_stats.
        check("rte_eth_stats_get", unsafe {
            ffi::rte_eth_stats_get(self.id, &mut s)
        })?;
        Ok(PortStats {
            rx_packets: s.ipackets,
            tx_packets: s.opackets,
            rx_bytes: s.ibytes,
            tx_bytes: s.obytes,
            rx_missed: s.imissed,
            rx_errors: s.ierrors,
            tx_errors: s.oerrors,
            rx_nombuf: s.rx_nombuf,
        })
    }

    /// The driver's extended counters, as (name, value) in the driver's order.
    pub fn xstats(&self) -> Result<Vec<(String, u64)>, DpdkError> {
        // SAFETY: a NULL array with size 0 asks only for the count.
        let n = check("rte_eth_xstats_get_names", unsafe {
            ffi::rte_eth_xstats_get_names(self.id, std::ptr::null_mut(), 0)
        })?;
        let count = n.unsigned_abs();
        let mut names = vec![ffi::rte_eth_xstat_name::default(); count as usize];
        // SAFETY: `names` has room for `count` entries.
        let got = check("rte_eth_xstats_get_names", unsafe {
            ffi::rte_eth_xstats_get_names(self.id, names.as_mut_ptr(), count)
        })?;
        let mut values = vec![ffi::rte_eth_xstat::default(); names.len()];
        // SAFETY: `values` has room for `count` entries.
        let got_values = check("rte_eth_xstats_get", unsafe {
            ffi::rte_eth_xstats_get(self.id, values.as_mut_ptr(), count)
        })?;
        if got.unsigned_abs() > count || got_values.unsigned_abs() > count {
            return Err(DpdkError::refused(
                "rte_eth_xstats_get",
                errno::ENOSPC,
                "the number of extended statistics changed while reading them",
            ));
        }
        values.truncate(got_values.unsigned_abs() as usize);
        let out = values
            .iter()
            .filter_map(|v| {
                let entry = names.get(usize::try_from(v.id).ok()?)?;
                // SAFETY: DPDK NUL-terminates every name within its 64-byte array.
                let name = unsafe { CStr::from_ptr(entry.name.as_ptr()) };
                Some((name.to_string_lossy().into_owned(), v.value))
            })
            .collect();
        Ok(out)
    }

    /// Takes rx queue `queue` for one thread's exclusive use (DPDK queues are single-threaded).
    /// Fails if it does not exist or its handle is already out.
    pub fn rx_queue(&self, queue: u16) -> Result<RxQueue<'_, 'm>, DpdkError> {
        take(&self.rx_taken, queue, "Port::rx_queue")?;
        Ok(RxQueue { port: self, queue })
    }

    /// Takes tx queue `queue` for one thread's exclusive use.
    pub fn tx_queue(&self, queue: u16) -> Result<TxQueue<'_, 'm>, DpdkError> {
        take(&self.tx_taken, queue, "Port::tx_queue")?;
        Ok(TxQueue { port: self, queue })
    }

    /// NUMA socket of the device, as DPDK's queue setup wants it.
    fn socket(&self) -> u32 {
        // SAFETY: the port id is valid while open.
        let socket = unsafe { ffi::rte_eth_dev_socket_id(self.id) };
        // SOCKET_ID_ANY (-1) is passed through bit for bit, as DPDK's own callers do.
        socket as u32
    }

    /// Stops if started, then closes; the port id is released either way.
    fn shutdown(&mut self) -> Result<(), DpdkError> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let stopped = if self.started { self.stop() } else { Ok(()) };
        // SAFETY: no queue handle is alive (`&mut self`); the port is not used after this.
        let closed = check("rte_eth_dev_close", unsafe {
            ffi::rte_eth_dev_close(self.id)
        });
        OPEN_PORTS.fetch_and(!(1u64 << (self.id % 64)), Ordering::SeqCst);
        self.started = false;
        stopped.and(closed).map(|_| ())
    }
}

impl Drop for Port<'_> {
    fn drop(&mut self) {
        // Errors cannot be reported from drop; `close` exists for callers that want them.
        let _ = self.shutdown();
    }
}

/// Marks queue `queue` as taken in `flags`.
fn take(flags: &[AtomicBool], queue: u16, call: &'static str) -> Result<(), DpdkError> {
    let flag = flags.get(usize::from(queue)).ok_or_else(|| {
        DpdkError::refused(
            call,
            errno::EINVAL,
            format!("queue {queue} is not configured"),
        )
    })?;
    if flag.swap(true, Ordering::SeqCst) {
        return Err(DpdkError::refused(
            call,
            errno::EBUSY,
            format!("queue {queue} is already taken"),
        ));
    }
    Ok(())
}

/// Exclusive handle on one rx queue of a port: what a worker polls.
#[derive(Debug)]
pub struct RxQueue<'p, 'm> {
    port: &'p Port<'m>,
    queue: u16,
}

impl RxQueue<'_, '_> {
    /// The queue's index on its port.
    pub fn queue(&self) -> u16 {
        self.queue
    }
}

impl Drop for RxQueue<'_, '_> {
    fn drop(&mut self) {
        self.port.rx_taken[usize::from(self.queue)].store(false, Ordering::SeqCst);
    }
}

/// Exclusive handle on one tx queue of a port.
#[derive(Debug)]
pub struct TxQueue<'p, 'm> {
    port: &'p Port<'m>,
    queue: u16,
}

impl TxQueue<'_, '_> {
    /// The queue's index on its port.
    pub fn queue(&self) -> u16 {
        self.queue
    }
}

impl Drop for TxQueue<'_, '_> {
    fn drop(&mut self) {
        self.port.tx_taken[usize::from(self.queue)].store(false, Ordering::SeqCst);
    }
}

impl<'m, const N: usize> MbufBurst<'m, N> {
    /// Receives into the burst's free slots; returns how many packets arrived.
    pub fn rx_burst(&mut self, rxq: &mut RxQueue<'_, 'm>) -> usize {
        let (slots, spare) = self.spare();
        let want = u16::try_from(spare).unwrap_or(u16::MAX);
        // SAFETY: `slots` has room for `want` pointers; the queue is held exclusively
        // (`&mut RxQueue`) and was set up with a pool that outlives 'm.
        let got = unsafe { ffi::shim_rte_eth_rx_burst(rxq.port.id, rxq.queue, slots, want) };
        // SAFETY: DPDK wrote `got` owned mbufs into the spare slots.
        unsafe { self.commit(usize::from(got)) };
        usize::from(got)
    }

    /// Sends every held mbuf; those the driver did not accept (queue full) are freed. Returns
    /// how many were sent. The burst is empty afterwards.
    pub fn tx_burst(&mut self, txq: &mut TxQueue<'_, 'm>) -> usize {
        let (slots, len) = self.raw();
        let len = u16::try_from(len).unwrap_or(u16::MAX);
        // SAFETY: `slots` holds `len` owned mbufs whose pools outlive the port ('m); the queue
        // is held exclusively (`&mut TxQueue`).
        let sent =
            usize::from(unsafe { ffi::shim_rte_eth_tx_burst(txq.port.id, txq.queue, slots, len) });
        self.free_from(sent);
        // SAFETY: the driver took ownership of exactly the first `sent` mbufs.
        unsafe { self.consumed(sent) };
        sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_handles_are_exclusive_and_bounded() {
        let flags: Box<[AtomicBool]> = (0..2).map(|_| AtomicBool::new(false)).collect();
        assert_eq!(take(&flags, 0, "t"), Ok(()));
        assert_eq!(take(&flags, 0, "t").unwrap_err().errno(), errno::EBUSY);
        assert_eq!(take(&flags, 1, "t"), Ok(()));
        assert_eq!(take(&flags, 2, "t").unwrap_err().errno(), errno::EINVAL);
    }

    #[test]
    fn default_rss_is_symmetric_over_ip_tcp_udp() {
        let rss = RssConf::default();
        assert_eq!(rss.key, SYMMETRIC_RSS_KEY);
        assert_eq!(rss.fields.bits(), 0xa38c | 0x10410 | 0x20820);
        assert!(PortConf::default().promiscuous);
    }
}
