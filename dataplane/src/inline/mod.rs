//! `portcullis run`: the inline IPS on DPDK. Port pairs forward through N worker lcores, each
//! with its own engine; flows reach workers by hardware RSS with a symmetric key, or by a
//! software distributor when the devices cannot hash. Events go to one EVE writer thread.

mod distribute;
mod events;
mod plan;
mod worker;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portcullis_detection::engine::{BlockList, Engine};
use portcullis_detection::eve;

pub use distribute::worker_of;
pub use plan::{Distribution, Plan};

use self::distribute::Distributor;
use self::events::start_writer;
use self::worker::{now, Input, Worker, WorkerCounters};
use crate::anomaly::{Anomaly, ModelReloader};
use crate::cli::CliError;
use crate::config::{self, Config};
use crate::dpdk::{ring, scope, worker_lcores, Eal, Mempool, Port, PortConf, RssConf, TxQueue};
use crate::output::EveFile;
use crate::rules::load_ruleset;
use crate::summary::RunSummary;

/// Room for a full Ethernet frame plus DPDK's headroom.
const MBUF_DATA_ROOM: u16 = 2048 + 128;
/// How often the model file is checked for changes.
const MODEL_POLL: Duration = Duration::from_millis(200);
/// Ring slots per (port, worker) in software distribution.
const RING_SIZE: u32 = 4096;

/// Options of `portcullis run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `-c`: configuration file.
    pub config: Option<PathBuf>,
    /// `--set` overrides.
    pub sets: Vec<String>,
    /// `-S`: rule files in addition to the config's `rule-files`.
    pub rule_files: Vec<PathBuf>,
    /// `-l`: log directory.
    pub log_dir: Option<PathBuf>,
}

/// Runs the inline IPS until SIGINT/SIGTERM (or `dpdk.idle-exit`), then drains and reports.
pub fn run(opts: &RunOptions) -> Result<RunSummary, CliError> {
    let started = Instant::now();
    let loaded = config::load(opts.config.as_deref(), &opts.sets).map_err(CliError)?;
    for w in &loaded.warnings {
        eprintln!("portcullis: warning: {w}");
    }
    let cfg = loaded.config;
    let plan = Plan::from_config(&cfg.dpdk)?;
    let (ruleset, report) = load_ruleset(&cfg, &opts.rule_files)?;
    eprint!("{}", report.summary());
    let log_dir = opts
        .log_dir
        .clone()
        .unwrap_or_else(|| cfg.default_log_dir.clone());
    let eve_file = EveFile::create(
        &log_dir,
        &cfg.outputs.eve_log.filename,
        cfg.outputs.eve_log.enabled,
    )
    .map_err(|e| CliError(format!("cannot create EVE log {e}")))?;

    let anomaly = Anomaly::from_config(&cfg, None)?;
    let stop = Arc::new(AtomicBool::new(false));
    let reload = Arc::new(AtomicBool::new(false));
    for (signal, flag) in [
        (signal_hook::consts::SIGINT, &stop),
        (signal_hook::consts::SIGTERM, &stop),
        (signal_hook::consts::SIGHUP, &reload),
    ] {
        signal_hook::flag::register(signal, Arc::clone(flag))
            .map_err(|e| CliError(format!("cannot install signal handler: {e}")))?;
    }
    let mut reloader = anomaly.as_ref().and_then(|a| {
        a.path
            .clone()
            .map(|p| ModelReloader::new(p, Arc::clone(&a.slot)))
    });

    let dpdk_err = |what: &str| {
        let what = what.to_string();
        move |e: crate::dpdk::DpdkError| CliError(format!("{what}: {e}"))
    };
    let eal = Eal::init(&plan.eal_args).map_err(dpdk_err("EAL init"))?;
    let lcores = worker_lcores(&eal);
    if lcores.len() < plan.workers {
        return Err(CliError(format!(
            "dpdk.workers = {} needs {} worker lcores besides the main one, but the EAL has {} \
             (give e.g. \"-l 0-{}\" or \"--lcores\" in dpdk.eal-args)",
            plan.workers,
            plan.workers,
            lcores.len(),
            plan.workers
        )));
    }
    let pool = Mempool::new(
        &eal,
        "portcullis_mbufs",
        cfg.dpdk.mbufs,
        cfg.dpdk.mbuf_cache,
        MBUF_DATA_ROOM,
        None,
    )
    .map_err(dpdk_err("mbuf pool"))?;
    let mut ports = Vec::with_capacity(plan.ports.len());
    for name in &plan.ports {
        let port = Port::open_by_name(&eal, name).map_err(|e| {
            CliError(format!(
                "port {name}: {e} (is its PCI address allowed, or its vdev given?)"
            ))
        })?;
        ports.push(port);
    }
    let all_hw_rss = ports
        .iter()
        .all(|p| p.dev_info().is_ok_and(|i| i.hardware_rss()));
    let dist = plan.distribution(cfg.dpdk.rss, all_hw_rss)?;
    let workers = plan.workers as u16;
    let (n_rx, n_tx) = match dist {
        Distribution::Single => (1, 1),
        Distribution::HardwareRss => (workers, workers),
        Distribution::Software => (1, workers),
    };
    for (port, name) in ports.iter_mut().zip(&plan.ports) {
        let conf = PortConf {
            rss: (dist == Distribution::HardwareRss).then(RssConf::default),
            ..PortConf::default()
        };
        setup_port(port, &pool, (n_rx, n_tx), &conf, &cfg).map_err(|e| {
            CliError(format!(
                "port {name}: {e} ({n_rx} RX and {n_tx} TX queues wanted: every worker needs \
                 its own TX queue on every port; a net_pcap port needs one tx_pcap per worker)"
            ))
        })?;
    }
    eprintln!(
        "portcullis: {} port(s), {} worker(s), distribution: {:?}",
        ports.len(),
        plan.workers,
        dist
    );

    let blocks = Arc::new(BlockList::new());
    let (sink, writer) = start_writer(eve_file);
    let counters: Vec<WorkerCounters> = (0..plan.workers).map(|_| Default::default()).collect();
    let stats = Mutex::new(Vec::new());
    let inspect_started = Instant::now();
    let ring_drops = scope(&eal, |s| -> Result<u64, CliError> {
        let mut consumers: Vec<Vec<Option<crate::dpdk::RingConsumer<'_>>>> = Vec::new();
        let mut distributor = None;
        if dist == Distribution::Software {
            let mut producers = Vec::new();
            for p in 0..ports.len() {
                let mut prod_row = Vec::new();
                let mut cons_row = Vec::new();
                for w in 0..plan.workers {
                    let (tx, rx) = ring(&eal, &format!("pc_p{p}_w{w}"), RING_SIZE, None)
                        .map_err(dpdk_err("ring"))?;
                    prod_row.push(tx);
                    cons_row.push(Some(rx));
                }
                producers.push(prod_row);
                consumers.push(cons_row);
            }
            let inputs = ports
                .iter()
                .map(|p| p.rx_queue(0))
                .collect::<Result<Vec<_>, _>>()
                .map_err(dpdk_err("rx queue"))?;
            distributor = Some(Distributor::new(inputs, producers));
        }
        for (w, &lcore) in lcores.iter().take(plan.workers).enumerate() {
            let inputs = match dist {
                Distribution::Software => consumers
                    .iter_mut()
                    .map(|row| row[w].take().map(Input::Ring))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| CliError("ring consumer taken twice".into()))?,
                _ => ports
                    .iter()
                    .map(|p| p.rx_queue(w as u16).map(Input::Queue))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(dpdk_err("rx queue"))?,
            };
            let outputs: Vec<TxQueue<'_, '_>> = ports
                .iter()
                .map(|p| p.tx_queue(w as u16))
                .collect::<Result<_, _>>()
                .map_err(dpdk_err("tx queue"))?;
            let mut engine =
                Engine::new(cfg.engine_config(true, true, &blocks), Arc::clone(&ruleset));
            if let Some(a) = &anomaly {
                a.attach(&mut engine, &cfg);
            }
            let worker = Worker {
                inputs,
                outputs,
                peer: plan.peer.clone(),
                engine,
                pool: &pool,
                sink: sink.clone(),
            };
            let (stop, counters, stats) = (&*stop, &counters[w], &stats);
            let mut final_sink = sink.clone();
            s.launch(lcore, move || {
                let mut engine = worker.run(stop, counters);
                engine.finish(&mut final_sink);
                if let Ok(mut all) = stats.lock() {
                    all.push(engine.stats().to_json());
                }
            })
            .map_err(dpdk_err("launching a worker"))?;
        }
        supervise(
            &cfg,
            &stop,
            &counters,
            distributor.as_mut(),
            reloader.as_mut().map(|r| (r, &*reload)),
        );
        Ok(distributor.map_or(0, |d| d.ring_full_drops))
    })
    .map_err(dpdk_err("worker lcore"))??;
    let elapsed_inspecting = inspect_started.elapsed();

    let mut merged = stats
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .reduce(|mut a, b| {
            add_counters(&mut a, &b);
            a
        })
        .unwrap_or_default();
    if let (Some(r), serde_json::Value::Object(m)) = (&reloader, &mut merged) {
        m.insert(
            "anomaly".into(),
            serde_json::json!({"model_swaps": r.swaps, "model_refused": r.refused}),
        );
    }
    sink.record(eve::stats_record(
        now(),
        started.elapsed().as_secs(),
        merged.clone(),
    ));
    let lost = sink.lost();
    drop(sink);
    let (tally, eve_path) = writer
        .join()
        .map_err(|_| CliError("EVE writer thread panicked".into()))?
        .map_err(|e| CliError(format!("writing EVE log {e}")))?;
    for (port, name) in ports.iter().zip(&plan.ports) {
        if let Ok(st) = port.stats() {
            eprintln!(
                "portcullis: port {name}: rx {} packets, tx {} packets, rx missed {}",
                st.rx_packets, st.tx_packets, st.rx_missed
            );
        }
    }
    drop(ports);
    if lost > 0 || ring_drops > 0 {
        eprintln!(
            "portcullis: warning: {lost} events lost (queue full), {ring_drops} packets dropped \
             at full worker rings"
        );
    }
    let count = |key: &str, sub: &str| merged[key][sub].as_u64().unwrap_or(0);
    Ok(RunSummary {
        source: format!("{} port(s), {} worker(s)", plan.ports.len(), plan.workers),
        packets: count("decoder", "pkts"),
        bytes: count("decoder", "bytes"),
        flows: count("flow", "total"),
        dropped_packets: count("ips", "blocked"),
        tally,
        eve_path: cfg.outputs.eve_log.enabled.then_some(eve_path),
        rules_loaded: report.loaded(),
        startup: inspect_started.duration_since(started),
        elapsed: elapsed_inspecting + inspect_started.duration_since(started),
    })
}

/// Configures, sets up the queues of, and starts one port.
fn setup_port<'m>(
    port: &mut Port<'m>,
    pool: &'m Mempool<'m>,
    (n_rx, n_tx): (u16, u16),
    conf: &PortConf,
    cfg: &Config,
) -> Result<(), crate::dpdk::DpdkError> {
    port.configure(n_rx, n_tx, conf)?;
    for q in 0..n_rx {
        port.rx_queue_setup(q, cfg.dpdk.rx_desc, pool)?;
    }
    for q in 0..n_tx {
        port.tx_queue_setup(q, cfg.dpdk.tx_desc)?;
    }
    port.start()
}

/// The main lcore's loop: software distribution when needed, periodic stats, the idle exit,
/// and noticing the stop signal.
fn supervise(
    cfg: &Config,
    stop: &AtomicBool,
    counters: &[WorkerCounters],
    mut distributor: Option<&mut Distributor<'_, '_>>,
    mut reloader: Option<(&mut ModelReloader, &AtomicBool)>,
) {
    let mut last_reload_check = Instant::now();
    let started = Instant::now();
    let mut last_rx = 0;
    let mut last_change = Instant::now();
    let mut last_stats = Instant::now();
    let idle_exit = Duration::from_secs(cfg.dpdk.idle_exit);
    let stats_every = Duration::from_secs(cfg.dpdk.stats_interval);
    while !stop.load(Ordering::Relaxed) {
        let moved = match distributor.as_deref_mut() {
            Some(d) => d.poll(),
            None => {
                std::thread::sleep(Duration::from_millis(1));
                0
            }
        };
        if moved > 0 {
            last_change = Instant::now();
        }
        if let Some((r, sighup)) = reloader.as_mut() {
            let forced = sighup.swap(false, Ordering::Relaxed);
            if forced || last_reload_check.elapsed() >= MODEL_POLL {
                last_reload_check = Instant::now();
                r.poll(forced);
            }
        }
        let rx: u64 = counters.iter().map(|c| c.rx.load(Ordering::Relaxed)).sum();
        if rx != last_rx {
            last_rx = rx;
            last_change = Instant::now();
        }
        if !idle_exit.is_zero() && last_change.elapsed() >= idle_exit {
            eprintln!(
                "portcullis: no traffic for {} s (dpdk.idle-exit): stopping",
                idle_exit.as_secs()
            );
            break;
        }
        if !stats_every.is_zero() && last_stats.elapsed() >= stats_every {
            last_stats = Instant::now();
            let sum = |f: fn(&WorkerCounters) -> u64| counters.iter().map(f).sum::<u64>();
            eprintln!(
                "portcullis: {:.0} s: rx {} forwarded {} dropped {} answers {}",
                started.elapsed().as_secs_f64(),
                rx,
                sum(|c| c.forwarded.load(Ordering::Relaxed)),
                sum(|c| c.dropped.load(Ordering::Relaxed)),
                sum(|c| c.answers.load(Ordering::Relaxed)),
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
}

/// Adds every number of `b` into `a` (worker stats objects share one shape).
fn add_counters(a: &mut serde_json::Value, b: &serde_json::Value) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, bv) in b {
                match a.get_mut(k) {
                    Some(av) => add_counters(av, bv),
                    None => {
                        a.insert(k.clone(), bv.clone());
                    }
                }
            }
        }
        (a @ Value::Number(_), Value::Number(b)) => {
            let sum = a.as_u64().unwrap_or(0) + b.as_u64().unwrap_or(0);
            *a = sum.into();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::add_counters;

    #[test]
    fn worker_stats_add_up() {
        let mut a = json!({"decoder": {"pkts": 3, "event": {}}, "flow": {"total": 1}});
        let b = json!({"decoder": {"pkts": 4, "event": {"ipv4": {"trunc_pkt": 2}}}, "flow": {"total": 5}});
        add_counters(&mut a, &b);
        assert_eq!(
            a,
            json!({"decoder": {"pkts": 7, "event": {"ipv4": {"trunc_pkt": 2}}}, "flow": {"total": 6}})
        );
    }
}
