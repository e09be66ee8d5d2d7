//! DPDK end to end over `net_ring` loopback ports (a ring port delivers on rx what it was given
//! on tx): EAL init, mempool, two ports as a bump in the wire, bursts with a drop verdict,
//! statistics, an SP/SC mbuf ring and a job on a worker lcore.

mod dpdk_support;

use portcullis::dpdk::{
    available_ports, lcore_id, main_lcore, port_id_by_name, ring, scope, tsc_cycles, tsc_hz,
    worker_lcores, Eal, Mbuf, MbufBurst, Mempool, Port, PortConf, RssConf, RxQueue,
};

/// Receives until `want` mbufs are in `burst`, or fails after many empty polls.
fn rx_exactly<'m>(burst: &mut MbufBurst<'m, 64>, rxq: &mut RxQueue<'_, 'm>, want: usize) {
    for _ in 0..1000 {
        burst.rx_burst(rxq);
        if burst.len() >= want {
            break;
        }
    }
    assert_eq!(burst.len(), want);
}

fn bytes(burst: &MbufBurst<'_, 64>) -> Vec<Vec<u8>> {
    burst.iter().map(|m| m.data().to_vec()).collect()
}

#[test]
fn ring_ports_forward_bursts_with_exact_bytes_and_stats() {
    if !dpdk_support::dpdk_installed() {
        return;
    }
    let args = dpdk_support::eal_args(&["net_ring0".into(), "net_ring1".into()]);
    let eal = Eal::init(&args).expect("EAL init");
    let again = Eal::init(&args).unwrap_err();
    assert_eq!((again.call(), again.errno()), ("rte_eal_init", 114));

    assert_eq!(available_ports(&eal), 2);
    assert_eq!(port_id_by_name(&eal, "net_ring0"), Ok(0));
    assert_eq!(port_id_by_name(&eal, "net_ring1"), Ok(1));
    assert_eq!(port_id_by_name(&eal, "net_nope").unwrap_err().errno(), 19);
    assert_eq!(worker_lcores(&eal), vec![1]);
    assert_eq!(lcore_id(), Some(0));
    assert_eq!(main_lcore(&eal), 0);
    let t0 = tsc_cycles();
    assert!(tsc_hz(&eal) > 1_000_000);
    assert!(tsc_cycles() > t0);

    let pool = Mempool::new(&eal, "ring_test_pool", 1023, 32, 2176, None).expect("mempool");
    let free_at_start = pool.available();
    assert_eq!(free_at_start, 1023);

    let mut wire = Port::open_by_name(&eal, "net_ring0").expect("open net_ring0");
    let mut inside = Port::open(&eal, 1).expect("open port 1");
    assert_eq!(Port::open(&eal, 1).unwrap_err().errno(), 16);
    assert_eq!(Port::open(&eal, 7).unwrap_err().errno(), 19);

    let info = wire.dev_info().expect("dev_info");
    assert_eq!(info.driver, "net_ring");
    assert!(!info.hardware_rss());
    assert_eq!(wire.name().unwrap(), "net_ring0");

    let conf = PortConf {
        rss: Some(RssConf::default()),
        ..PortConf::default()
    };
    for port in [&mut wire, &mut inside] {
        port.configure(1, 1, &conf).expect("configure");
        // net_ring offers no RSS: the request is masked away, distribution is software's job.
        assert!(port.rss_fields().is_empty());
        port.rx_queue_setup(0, 128, &pool).expect("rx queue");
        port.tx_queue_setup(0, 128).expect("tx queue");
        port.start().expect("start");
        assert!(port.link().expect("link").up);
        assert_eq!(port.promiscuous(), Ok(true));
        assert_eq!(port.mac_addr(), Ok([0; 6])); // net_ring has no address of its own
    }

    let frames: Vec<Vec<u8>> = (0..32).map(dpdk_support::frame).collect();
    {
        let mut wire_rx = wire.rx_queue(0).unwrap();
        let mut wire_tx = wire.tx_queue(0).unwrap();
        assert_eq!(wire.rx_queue(0).unwrap_err().errno(), 16);
        let mut inside_rx = inside.rx_queue(0).unwrap();
        let mut inside_tx = inside.tx_queue(0).unwrap();

        // Traffic arrives on the wire port (injected through its loopback).
        let mut burst = MbufBurst::<64>::new();
        for f in &frames {
            let mbuf: Mbuf = pool.alloc(f).expect("alloc");
            assert!(burst.push(mbuf).is_ok());
        }
        assert_eq!(pool.in_use(), 32);
        assert_eq!(burst.tx_burst(&mut wire_tx), 32);
        assert!(burst.is_empty());

        // The worker receives it...
        rx_exactly(&mut burst, &mut wire_rx, 32);
        assert_eq!(bytes(&burst), frames);
        assert!(burst
            .iter()
            .all(|m| m.rss_hash().is_none() && m.segments() == 1));
        assert_eq!(burst.as_slice()[5].pkt_len(), frames[5].len());

        // ...drops the odd frames (verdict), rewrites a byte, and forwards the rest.
        burst.retain(|m| m.data()[11] % 2 == 0);
        assert_eq!(burst.len(), 16);
        assert_eq!(pool.in_use(), 16);
        for m in &mut burst {
            m.data_mut()[0] = 0x02;
        }
        assert_eq!(burst.tx_burst(&mut inside_tx), 16);

        rx_exactly(&mut burst, &mut inside_rx, 16);
        let expected: Vec<Vec<u8>> = frames
            .iter()
            .step_by(2)
            .map(|f| {
                let mut f = f.clone();
                f[0] = 0x02;
                f
            })
            .collect();
        assert_eq!(bytes(&burst), expected);
    }
    assert_eq!(pool.available(), free_at_start);

    // net_ring counts packets, not bytes (its stats callback fills only the packet counters).
    let s = wire.stats().unwrap();
    assert_eq!(
        (s.tx_packets, s.rx_packets, s.tx_bytes, s.rx_bytes),
        (32, 32, 0, 0)
    );
    let s = inside.stats().unwrap();
    assert_eq!(
        (s.tx_packets, s.rx_packets, s.rx_missed, s.rx_nombuf),
        (16, 16, 0, 0)
    );
    let xstats = inside.xstats().unwrap();
    let get = |name: &str| xstats.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
    assert_eq!(get("rx_good_packets"), Some(16));
    assert_eq!(get("tx_good_packets"), Some(16));
    assert_eq!(get("rx_q0_packets"), Some(16));

    // Software distribution: an SP/SC ring hands a burst to a job on the worker lcore.
    let (mut producer, mut consumer) = ring(&eal, "ring_test_dist", 64, None).expect("ring");
    let mut burst = MbufBurst::<64>::new();
    for i in 0..40 {
        assert!(burst
            .push(pool.alloc(&dpdk_support::frame(i)).unwrap())
            .is_ok());
    }
    assert_eq!(producer.enqueue(&mut burst), 40);
    assert_eq!(producer.len(), 40);
    let mut seen = Vec::new();
    let mut worker_lcore = None;
    scope(&eal, |s| {
        s.launch(1, || {
            worker_lcore = lcore_id();
            let mut got = MbufBurst::<64>::new();
            consumer.dequeue(&mut got);
            seen = bytes(&got);
        })
        .expect("launch on lcore 1");
        assert_eq!(s.launch(0, || ()).unwrap_err().errno(), 22);
    })
    .expect("scope");
    assert_eq!(worker_lcore, Some(1));
    assert_eq!(seen, (0..40).map(dpdk_support::frame).collect::<Vec<_>>());
    assert!(consumer.is_empty());

    // A ring of 64 slots holds 63; what does not fit stays in the burst.
    for i in 0..64 {
        assert!(burst
            .push(pool.alloc(&dpdk_support::frame(i)).unwrap())
            .is_ok());
    }
    assert_eq!(producer.enqueue(&mut burst), 63);
    assert_eq!(burst.len(), 1);
    assert_eq!(burst.as_slice()[0].data(), dpdk_support::frame(63));
    drop(burst);
    drop((producer, consumer)); // frees the 63 queued mbufs
    assert_eq!(pool.available(), free_at_start);

    // A panicking job is reported, not propagated into C (its message is silenced here).
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let err = scope(&eal, |s| s.launch(1, || panic!("job fails")).unwrap()).unwrap_err();
    std::panic::set_hook(hook);
    assert_eq!(err.message(), "the job on lcore 1 panicked");

    wire.close().expect("close");
    inside.close().expect("close");
    assert_eq!(available_ports(&eal), 0);
}
