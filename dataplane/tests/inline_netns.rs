//! Real kernel TCP through `portcullis run`: two network namespaces joined only through
//! Portcullis (`net_af_packet` on the root-side ends of two veth pairs; see
//! `netns_support/topology.rs` for the picture). One test, in sections, since they share one
//! Portcullis process and the sections' order matters (the drop section blocks client A):
//!
//! 1. a benign HTTP download of 10 MiB completes byte-exact;
//! 2. a request a reject rule matches gets a TCP reset (curl exit 56, "Connection reset by
//!    peer") quickly;
//! 3. a request a drop rule matches never reaches the server (curl times out) and, its sid being
//!    in `block.sids`, blocks client A for `block.duration` while client B still gets through;
//!    after the duration A gets through again;
//! 4. SIGINT stops Portcullis with exit code 0; EVE holds exactly the two alerts, both
//!    `blocked`, and a stats record; the server's log never saw the two condemned requests.
//!
//! Needs root, iproute2, ethtool, curl, python3 and DPDK's af_packet PMD: skipped with a
//! message without them, failed under CI (`CI=true`). Every command has a time limit and the
//! namespaces, veths and processes are removed even when an assertion fails.

mod netns_support;

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use netns_support::cmd::{must, run, Background, Finished};
use netns_support::inline::{InlineRun, Settings};
use netns_support::preflight;
use netns_support::topology::{Topology, CLIENT_A, CLIENT_B, SERVER};

const BIN: &str = env!("CARGO_BIN_EXE_portcullis");

/// Size of the benign download.
const BIG_FILE_BYTES: usize = 10 * 1024 * 1024;
/// `block.duration` for the run.
const BLOCK_SECONDS: u64 = 3;
/// The drop rule's sid (listed in `block.sids`).
const DROP_SID: u64 = 1_000_001;
/// The reject rule's sid (not listed: a reject alone blocks nobody).
const REJECT_SID: u64 = 1_000_002;

const RULES: &str = "\
drop tcp any any -> any 80 (msg:\"test drop\"; flow:to_server,established; content:\"/forbidden\"; sid:1000001;)
reject tcp any any -> any 80 (msg:\"test reject\"; flow:to_server,established; content:\"/rejectme\"; sid:1000002;)
";

/// Deterministic pseudo-random content (xorshift64*), so a corrupted, reordered or truncated
/// download cannot compare equal by accident.
fn big_file() -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(BIG_FILE_BYTES);
    while out.len() < BIG_FILE_BYTES {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(BIG_FILE_BYTES);
    out
}

fn url(path: &str) -> String {
    format!("http://{SERVER}{path}")
}

/// `curl -sS <args>` in the client namespace, bounded a little past curl's own limits.
fn curl(topo: &Topology, args: &[&str]) -> Finished {
    let mut argv = vec!["curl", "-sS"];
    argv.extend_from_slice(args);
    run(&topo.cli(&argv), Duration::from_secs(75))
}

/// Polls `probe` every 200 ms until it returns true, for at most `limit`; panics with `what`.
fn wait_for(what: &str, limit: Duration, mut probe: impl FnMut() -> bool) {
    let start = Instant::now();
    while !probe() {
        assert!(start.elapsed() < limit, "timed out after {limit:?}: {what}");
        thread::sleep(Duration::from_millis(200));
    }
}

/// Phase durations, printed at the end (`cargo test -- --nocapture` shows them).
#[derive(Default)]
struct Timings(Vec<(&'static str, Duration)>);

impl Timings {
    fn lap(&mut self, phase: &'static str, since: &mut Instant) {
        self.0.push((phase, since.elapsed()));
        *since = Instant::now();
    }
}

/// Section 1: 10 MiB over HTTP, byte-exact (content and SHA-256).
fn download_is_byte_exact(topo: &Topology, dir: &Path, expected: &[u8], served: &Path) {
    let out = dir.join("download.bin");
    let out_arg = out.display().to_string();
    let done = curl(
        topo,
        &["--max-time", "60", "-o", &out_arg, &url("/big.bin")],
    );
    assert!(done.ok(), "download failed: {done:?}");
    let got = std::fs::read(&out).expect("downloaded file");
    assert_eq!(got.len(), expected.len(), "download length");
    let first_diff = got.iter().zip(expected).position(|(a, b)| a != b);
    assert_eq!(first_diff, None, "download differs from the served file");
    let sums = must(
        &["sha256sum", &out_arg, &served.display().to_string()],
        Duration::from_secs(30),
    );
    let hashes: Vec<&str> = sums
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(hashes.len(), 2, "{}", sums.stdout);
    assert_eq!(hashes[0], hashes[1], "SHA-256 of download and served file");
    eprintln!(
        "download: {} bytes in {:?}, sha256 {}",
        got.len(),
        done.elapsed,
        hashes[0]
    );
}

/// Section 2: the reject rule answers with a reset the client sees at once.
fn reject_resets_the_client(topo: &Topology) {
    let done = curl(topo, &["--max-time", "10", &url("/rejectme")]);
    assert_eq!(
        done.code,
        Some(56),
        "curl exit code for /rejectme: {done:?}"
    );
    assert!(
        done.stderr.contains("Connection reset by peer"),
        "curl error for /rejectme: {}",
        done.stderr
    );
    assert!(
        done.elapsed < Duration::from_secs(3),
        "reset took {:?}",
        done.elapsed
    );
    eprintln!(
        "reject: curl exit 56 after {:?}: {}",
        done.elapsed,
        done.stderr.trim()
    );
}

/// One probe: a plain `GET /` from `source` that gives up quickly when its SYN goes unanswered.
struct Probe {
    /// curl's exit code.
    code: Option<i32>,
    /// Seconds since `t0` when curl started its transfer (and sent its SYN): the exit time less
    /// curl's own `time_total`, so the time spent spawning `ip netns exec` on a loaded machine
    /// does not count.
    at: f64,
}

fn probe(topo: &Topology, source: &str, t0: Instant) -> Probe {
    let done = curl(
        topo,
        &[
            "--interface",
            source,
            "--connect-timeout",
            "0.5",
            "--max-time",
            "1",
            "-o",
            "/dev/null",
            "-w",
            "%{time_total}",
            &url("/"),
        ],
    );
    let ended = t0.elapsed().as_secs_f64();
    let total: f64 = done
        .stdout
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("curl -w time_total: {done:?}"));
    Probe {
        code: done.code,
        at: ended - total,
    }
}

/// Section 3: the dropped request times out; client A is then blocked for about
/// `BLOCK_SECONDS` while client B gets through; then A gets through again.
///
/// A probes back to back from the moment the dropped request returns, so the probes cover the
/// block without gaps and the first success marks its end. The block starts when the request is
/// dropped: after `t0`, and at most curl's 1 s limit before curl returns at `returned`. So the
/// first success must come no earlier than `t0 + duration` (less 0.3 s of timer granularity) and
/// no later than `returned + duration` plus one probe round and slack for a loaded machine
/// (3 s).
fn drop_blocks_the_source_for_its_duration(topo: &Topology) {
    let t0 = Instant::now();
    let dropped = curl(
        topo,
        &[
            "--interface",
            CLIENT_A,
            "--max-time",
            "1",
            &url("/forbidden"),
        ],
    );
    let returned = t0.elapsed().as_secs_f64();
    assert_eq!(
        dropped.code,
        Some(28),
        "/forbidden must time out: {dropped:?}"
    );

    // Client B probes on its own thread while A is blocked, so a slow B cannot leave a gap in
    // A's probes.
    let (probes, b) = thread::scope(|scope| {
        let b = scope.spawn(|| probe(topo, CLIENT_B, t0));
        // (seconds since t0 when the probe's transfer started, its curl exit code)
        let mut probes: Vec<(f64, Option<i32>)> = Vec::new();
        loop {
            let a = probe(topo, CLIENT_A, t0);
            probes.push((a.at, a.code));
            if a.code == Some(0) {
                break;
            }
            assert_eq!(
                a.code,
                Some(28),
                "a blocked probe must time out: {probes:?}"
            );
            assert!(a.at < 12.0, "client A still blocked after 12 s: {probes:?}");
        }
        (probes, b.join().expect("client B's probe thread"))
    });
    eprintln!(
        "block: /forbidden returned at {returned:.2} s, client B through at {:.2} s; \
         probes of client A (s since the dropped request, curl code): {probes:?}",
        b.at
    );
    assert_eq!(b.code, Some(0), "client B blocked while A is");
    let block = BLOCK_SECONDS as f64;
    let first_ok = probes.last().map_or(0.0, |p| p.0);
    assert!(probes.len() >= 2, "client A was never blocked: {probes:?}");
    assert!(
        b.at < first_ok,
        "client B got through only at {:.2} s, after A's block: {probes:?}",
        b.at
    );
    assert!(
        (block - 0.3..=returned + block + 3.0).contains(&first_ok),
        "A unblocked at {first_ok:.2} s, configured {block} s: {probes:?}"
    );
}

/// Section 4: what Portcullis logged.
fn eve_has_the_two_blocked_alerts(eve: &[serde_json::Value]) {
    let alerts: Vec<&serde_json::Value> =
        eve.iter().filter(|r| r["event_type"] == "alert").collect();
    let summary: Vec<(u64, &str, &str, u64)> = alerts
        .iter()
        .map(|a| {
            (
                a["alert"]["signature_id"].as_u64().unwrap_or(0),
                a["alert"]["action"].as_str().unwrap_or(""),
                a["src_ip"].as_str().unwrap_or(""),
                a["dest_port"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (REJECT_SID, "blocked", CLIENT_A, 80),
            (DROP_SID, "blocked", CLIENT_A, 80),
        ],
        "EVE alerts"
    );
    assert!(
        eve.iter().any(|r| r["event_type"] == "stats"),
        "EVE has no stats record"
    );
}

#[test]
fn kernel_tcp_through_portcullis_between_namespaces() {
    if !preflight::can_run("inline_netns") {
        return;
    }
    let total = Instant::now();
    let mut lap = Instant::now();
    let mut timings = Timings::default();

    let dir = tempfile::tempdir().expect("temp dir");
    let www = dir.path().join("www");
    std::fs::create_dir(&www).expect("www dir");
    let expected = big_file();
    let served = www.join("big.bin");
    std::fs::write(&served, &expected).expect("big file");
    let rules = dir.path().join("test.rules");
    std::fs::write(&rules, RULES).expect("rules");

    // Declared in this order so they drop in reverse: Portcullis, server, then the namespaces.
    let topo = Topology::create(&(std::process::id() % 1_000_000).to_string());
    let www_arg = www.display().to_string();
    let mut server = Background::spawn(
        "http-server",
        &topo.srv(&[
            "python3",
            "-u",
            "-m",
            "http.server",
            "80",
            "--bind",
            SERVER,
            "--directory",
            &www_arg,
        ]),
        dir.path(),
    );
    wait_for("the HTTP server listens", Duration::from_secs(15), || {
        assert!(
            server.is_running(),
            "http.server exited:\n{}",
            server.tail(20)
        );
        let local = run(
            &topo.srv(&[
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "--max-time",
                "1",
                &url("/"),
            ]),
            Duration::from_secs(5),
        );
        local.ok()
    });
    timings.lap("namespaces, veths, http server", &mut lap);

    let mut ips = InlineRun::start(
        BIN,
        dir.path(),
        &topo,
        &Settings {
            rules: &rules,
            block_sids: &[DROP_SID as u32],
            block_seconds: BLOCK_SECONDS,
        },
    );
    wait_for(
        "client reaches server through Portcullis (ping)",
        Duration::from_secs(60),
        || {
            ips.assert_running();
            run(
                &topo.cli(&["ping", "-c", "1", "-W", "1", SERVER]),
                Duration::from_secs(5),
            )
            .ok()
        },
    );
    timings.lap("portcullis run up, first ping through", &mut lap);

    download_is_byte_exact(&topo, dir.path(), &expected, &served);
    timings.lap("10 MiB download", &mut lap);
    reject_resets_the_client(&topo);
    timings.lap("reject", &mut lap);
    drop_blocks_the_source_for_its_duration(&topo);
    timings.lap("drop, block, unblock", &mut lap);

    let (code, stderr) = ips.stop();
    assert_eq!(code, Some(0), "exit code after SIGINT:\n{}", ips.tail());
    timings.lap("SIGINT to exit", &mut lap);
    let last_lines: Vec<&str> = stderr.lines().rev().take(5).collect();
    eprintln!("portcullis stderr, last lines (newest first): {last_lines:#?}");
    for sid in [DROP_SID, REJECT_SID] {
        assert!(
            stderr.contains(&format!("sid {sid}")),
            "final stats on stderr do not name sid {sid}:\n{stderr}"
        );
    }
    eve_has_the_two_blocked_alerts(&ips.eve());

    let access = server.stderr();
    assert!(access.contains("\"GET /big.bin HTTP/1.1\" 200"), "{access}");
    assert!(access.contains(&format!("{CLIENT_B} - - ")), "{access}");
    for condemned in ["/forbidden", "/rejectme"] {
        assert!(
            !access.contains(condemned),
            "server saw {condemned}:\n{access}"
        );
    }

    for (phase, took) in &timings.0 {
        eprintln!("{took:>12.3?}  {phase}");
    }
    eprintln!("{:>12.3?}  total", total.elapsed());
}
