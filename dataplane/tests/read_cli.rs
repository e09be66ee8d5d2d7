//! `portcullis read` and `portcullis rules check` through the CLI entry point, with exact
//! results on the project's demo capture and clear one-line errors on bad input.

use std::collections::BTreeMap;
use std::path::Path;

use portcullis::cli;
use portcullis::demo::{write_demo_capture, DEMO_ATTACKS};
use serde_json::Value;

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn demo_rules() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../configs/demo.rules")
        .display()
        .to_string()
}

fn eve(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn demo_capture_raises_exactly_the_expected_alerts_and_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("demo.pcap");
    write_demo_capture(&capture).unwrap();
    let log = dir.path().join("log");
    cli::run(&args(&[
        "read",
        "-r",
        capture.to_str().unwrap(),
        "-S",
        &demo_rules(),
        "-l",
        log.to_str().unwrap(),
        "--simulate-ips",
    ]))
    .unwrap();
    let events = eve(&log.join("eve.json"));
    let mut by_sid: BTreeMap<u64, (usize, &str)> = BTreeMap::new();
    for e in events.iter().filter(|e| e["event_type"] == "alert") {
        let entry = by_sid
            .entry(e["alert"]["signature_id"].as_u64().unwrap())
            .or_insert((0, ""));
        entry.0 += 1;
        entry.1 = e["alert"]["action"].as_str().unwrap();
    }
    for attack in DEMO_ATTACKS {
        let blocked = matches!(attack.action, "drop" | "reject");
        let expected = (attack.alerts, if blocked { "blocked" } else { "allowed" });
        assert_eq!(
            by_sid.get(&u64::from(attack.sid)).copied(),
            Some(expected),
            "{}",
            attack.name
        );
    }
    assert_eq!(
        by_sid.len(),
        DEMO_ATTACKS.len(),
        "no alert outside the attacks"
    );
    let stats = &events.last().unwrap()["stats"];
    assert_eq!(events.last().unwrap()["event_type"], "stats");
    assert_eq!(stats["decoder"]["pkts"], 908);
    assert_eq!(stats["flow"]["total"], 86);
    assert_eq!(stats["detect"]["alert"], 36);
    assert_eq!(stats["ips"]["blocked"], 28);
    assert_eq!(stats["ips"]["rejected"], 1);
    let drops = events.iter().filter(|e| e["event_type"] == "drop").count();
    assert_eq!(drops, 28);
}

#[test]
fn errors_are_one_line_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let err = cli::run(&args(&["read", "-r", "/nonexistent/x.pcap"])).unwrap_err();
    assert!(err.0.starts_with("/nonexistent/x.pcap: "), "{err}");
    assert!(!err.0.contains('\n'));

    let not_pcap = dir.path().join("notes.txt");
    std::fs::write(&not_pcap, "hello").unwrap();
    let err = cli::run(&args(&["read", "-r", not_pcap.to_str().unwrap()])).unwrap_err();
    assert!(err.0.contains("not a pcap or pcapng capture"), "{err}");

    let err = cli::run(&args(&["read", "-r", dir.path().to_str().unwrap()])).unwrap_err();
    assert!(err.0.contains("no pcap or pcapng capture found"), "{err}");

    let err = cli::run(&args(&["read", "-r", "x.pcap", "-k", "some"])).unwrap_err();
    assert!(err.0.contains("invalid value 'some'"), "{err}");

    let err = cli::run(&args(&["rules", "check", "-S", "/nonexistent/a.rules"])).unwrap_err();
    assert!(err.0.contains("/nonexistent/a.rules"), "{err}");
}

#[test]
fn bad_rules_are_reported_with_file_and_line_and_the_rest_loads() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("mixed.rules");
    std::fs::write(
        &rules,
        "alert tcp any any -> any 80 (msg:\"ok\"; content:\"a\"; sid:1;)\n\
         # a comment\n\
         alert tcp any any -> any 80 (msg:\"no sid\"; content:\"a\";)\n\
         alert http any any -> any any (msg:\"http\"; sid:3;)\n\
         alert udp any any -> any 53 (msg:\"ok2\"; content:\"b\"; sid:4;)\n",
    )
    .unwrap();
    let capture = dir.path().join("demo.pcap");
    write_demo_capture(&capture).unwrap();
    let log = dir.path().join("log");
    cli::run(&args(&[
        "read",
        "-r",
        capture.to_str().unwrap(),
        "-S",
        rules.to_str().unwrap(),
        "-l",
        log.to_str().unwrap(),
    ]))
    .expect("a bad rule does not stop the run");
    let stats = eve(&log.join("eve.json")).pop().unwrap();
    assert_eq!(stats["event_type"], "stats");

    let report = portcullis::commands::rules_check::run(
        &portcullis::commands::rules_check::RulesCheckOptions {
            rule_files: vec![rules.clone()],
            json: true,
            ..Default::default()
        },
    )
    .unwrap();
    let v: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(v["loaded"], 2);
    assert_eq!(v["unsupported"]["protocol http"], 1);
    assert_eq!(v["malformed"].as_array().unwrap().len(), 1);
    assert_eq!(v["malformed"][0]["line"], 3);
    assert!(v["malformed"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("mixed.rules"));
}
