//! The trainer end to end on the project's demo capture: its 30-probe SYN scan (from
//! 203.0.113.77) is the labelled attack, everything else is benign.

use std::path::{Path, PathBuf};

use portcullis::demo::write_demo_capture;
use portcullis_models::Model;
use portcullis_train::cli::run;

/// The demo capture starts 2026-01-01T00:00:00Z.
const LABELS: &str = "capture,src_ip,start_epoch,end_epoch,attack
demo.pcap,203.0.113.77,1767225600,1767229200,syn-port-scan
";

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("demo.pcap");
    write_demo_capture(&pcap).unwrap();
    let labels = dir.path().join("labels.csv");
    std::fs::write(&labels, LABELS).unwrap();
    (dir, pcap, labels)
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn fit(pcap: &Path, labels: &Path, out: &Path, algo: &str, seed: &str) {
    let args = [
        "fit",
        "-r",
        &s(pcap),
        "--labels",
        &s(labels),
        "-o",
        &s(out),
        "--algo",
        algo,
        "--seed",
        seed,
    ];
    run(&args.map(String::from)).unwrap();
}

#[test]
fn fit_is_deterministic_and_evaluates_the_scan_as_anomalous() {
    let (dir, pcap, labels) = setup();
    for algo in ["gmm", "kmeans", "ocsvm"] {
        let a = dir.path().join(format!("{algo}-a.json"));
        let b = dir.path().join(format!("{algo}-b.json"));
        fit(&pcap, &labels, &a, algo, "7");
        fit(&pcap, &labels, &b, algo, "7");
        let bytes = std::fs::read(&a).unwrap();
        assert_eq!(
            bytes,
            std::fs::read(&b).unwrap(),
            "{algo} not deterministic"
        );
        let model = Model::load(&a).unwrap();
        let t = &model.file().training;
        assert_eq!(
            (t.flows_total, t.flows_benign, t.flows_fitted),
            (86, 56, 56)
        );
        assert_eq!(t.packets, 908);
        assert_eq!(t.inputs, vec!["demo.pcap".to_string()]);
        assert_eq!(t.labels.as_deref(), Some("labels.csv"));
        assert!(model.version().starts_with(&format!("{algo}-")));

        let ex =
            portcullis_train::extract::extract(std::slice::from_ref(&pcap), Some(&model.into()))
                .unwrap();
        let e = portcullis_train::evaluate::Evaluation::new(
            &ex,
            &portcullis_train::labels::Labels::parse(LABELS).unwrap(),
            "v",
            algo,
            Model::load(&a).unwrap().threshold(),
        );
        assert_eq!(e.attacks(), 30, "{algo}");
        assert_eq!(e.benign(), 56, "{algo}");
        assert_eq!(e.auc, Some(1.0), "{algo}");
        assert_eq!(e.tpr_at(0.01), 1.0, "{algo}");
        assert_eq!(e.per_attack[0].detected, 30, "{algo}");
        // Calibrated on these same benign flows at 1%: none of the 56 is above.
        assert_eq!(e.at_threshold(), (1.0, 0.0), "{algo}");
    }
    // Another seed gives another (still valid) mixture.
    let c = dir.path().join("gmm-c.json");
    fit(&pcap, &labels, &c, "gmm", "8");
    assert!(Model::load(&c).is_ok());
}

#[test]
fn evaluate_writes_the_report() {
    let (dir, pcap, labels) = setup();
    let model = dir.path().join("m.json");
    fit(&pcap, &labels, &model, "kmeans", "1");
    let report = dir.path().join("report");
    let args = [
        "evaluate",
        "-m",
        &s(&model),
        "-r",
        &s(&pcap),
        "--labels",
        &s(&labels),
        "--report",
        &s(&report),
        "--json",
    ];
    run(&args.map(String::from)).unwrap();
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(md.contains("| ROC AUC | 1.0000 |"), "{md}");
    assert!(md.contains("| syn-port-scan | 30 | 30 | 100.00% |"), "{md}");
    assert!(md.contains("| demo.pcap | 86 | 30 | 30 |"), "{md}");
    for png in ["roc.png", "scores.png"] {
        let bytes = std::fs::read(report.join(png)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }
}

#[test]
fn bad_inputs_are_clear_errors() {
    let (dir, pcap, _) = setup();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "capture,src,start,end,attack\n").unwrap();
    let out = dir.path().join("m.json");
    let args = ["fit", "-r", &s(&pcap), "--labels", &s(&bad), "-o", &s(&out)];
    let err = run(&args.map(String::from)).unwrap_err();
    assert!(
        err.ends_with(
            "line 1: expected the header \"capture,src_ip,start_epoch,end_epoch,attack\""
        ),
        "{err}"
    );
    let args = ["fit", "-r", &s(&pcap), "-o", &s(&out), "--target-fpr", "2"];
    let err = run(&args.map(String::from)).unwrap_err();
    assert_eq!(err, "--target-fpr 2 must be between 0 and 1");
    std::fs::write(&out, "{\"format\": \"portcullis-model\"").unwrap();
    let args = [
        "evaluate",
        "-m",
        &s(&out),
        "-r",
        &s(&pcap),
        "--labels",
        &s(&bad),
    ];
    let err = run(&args.map(String::from)).unwrap_err();
    assert!(
        err.starts_with("model is not a valid model file: EOF"),
        "{err}"
    );
    let err = run(&["fit".to_string()]).unwrap_err();
    assert!(err.ends_with("(see --help)"), "{err}");
}

#[test]
fn portcullis_read_with_the_model_alerts_on_the_scan() {
    let (dir, pcap, labels) = setup();
    let model = dir.path().join("m.json");
    fit(&pcap, &labels, &model, "gmm", "3");
    let version = Model::load(&model).unwrap().version().to_string();
    let logs = dir.path().join("logs");
    let args = [
        "read",
        "-r",
        &s(&pcap),
        "--model",
        &s(&model),
        "-l",
        &s(&logs),
    ];
    portcullis::cli::run(&args.map(String::from)).unwrap();
    let eve = std::fs::read_to_string(logs.join("eve.json")).unwrap();
    let alerts: Vec<serde_json::Value> = eve
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["event_type"] == "alert")
        .collect();
    assert_eq!(alerts.len(), 30);
    for a in &alerts {
        assert_eq!(a["alert"]["gid"], 411);
        assert_eq!(a["alert"]["signature_id"], 1);
        assert_eq!(a["src_ip"], "203.0.113.77");
        assert_eq!(a["ml"]["model_version"], version.as_str());
        assert!(a["ml"]["score"].as_f64().unwrap() > a["ml"]["threshold"].as_f64().unwrap());
        assert_eq!(a["ml"]["top_features"].as_array().unwrap().len(), 5);
    }
    // A corrupt model is refused with the reason.
    std::fs::write(&model, "{").unwrap();
    let args = [
        "read",
        "-r",
        &s(&pcap),
        "--model",
        &s(&model),
        "-l",
        &s(&logs),
    ];
    let err = portcullis::cli::run(&args.map(String::from)).unwrap_err();
    assert!(
        err.0.starts_with(&format!(
            "{}: model is not a valid model file: EOF",
            s(&model)
        )),
        "{err}"
    );
}
