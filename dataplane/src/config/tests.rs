use super::*;

fn sets(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn defaults_follow_suricata() {
    let loaded = load(None, &[]).unwrap();
    assert!(loaded.warnings.is_empty());
    let c = loaded.config;
    assert!(!c.stream.midstream);
    assert!(c.stream.checksum_validation);
    assert_eq!(c.stream.reassembly.depth, ByteSize(1 << 20));
    assert_eq!(c.flow.memcap, ByteSize(128 << 20));
    assert_eq!(c.flow_timeouts.tcp.established, 600);
    assert_eq!(c.pcap_file.checksum_checks, ChecksumChecks::Auto);
    assert_eq!(c.outputs.eve_log.filename, "eve.json");
}

#[test]
fn set_uses_the_type_of_the_known_key() {
    let c = load(
        None,
        &sets(&[
            "stream.midstream=true",
            "stream.async-oneside=yes",
            "stream.reassembly.depth=2mb",
            "flow.memcap=1048576",
            "flow-timeouts.tcp.new=5",
            "pcap-file.checksum-checks=no",
            "vars.address-groups.HOME_NET=[198.18.0.0/15]",
        ]),
    )
    .unwrap();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let c = c.config;
    assert!(c.stream.midstream);
    assert!(c.stream.async_oneside);
    assert_eq!(c.stream.reassembly.depth, ByteSize(2 << 20));
    assert_eq!(c.flow.memcap, ByteSize(1 << 20));
    assert_eq!(c.flow_timeouts.tcp.new, 5);
    assert_eq!(c.pcap_file.checksum_checks, ChecksumChecks::No);
    assert_eq!(c.vars.address_groups["HOME_NET"], "[198.18.0.0/15]");
}

#[test]
fn unknown_keys_warn_by_name() {
    let loaded = load(
        None,
        &sets(&["detect.guess-applayer-tx=true", "stream.bogus=1"]),
    )
    .unwrap();
    assert_eq!(
        loaded.warnings,
        [
            "unknown config key `detect` ignored",
            "unknown config key `stream.bogus` ignored"
        ]
    );
}

#[test]
fn bad_values_and_files_are_errors_that_name_them() {
    let err = load(None, &sets(&["stream.reassembly.depth=lots"])).unwrap_err();
    assert!(err.contains("invalid size \"lots\""), "{err}");
    let err = load(None, &sets(&["novalue"])).unwrap_err();
    assert!(err.contains("expected <dotted.key>=<value>"), "{err}");
    let err = load(Some(Path::new("/nonexistent/p.toml")), &[]).unwrap_err();
    assert!(err.starts_with("config /nonexistent/p.toml:"), "{err}");
}

#[test]
fn file_then_set_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "[stream]\nmidstream = true\n[stream.reassembly]\ndepth = \"64kb\"\n",
    )
    .unwrap();
    let c = load(Some(&path), &sets(&["stream.midstream=no"]))
        .unwrap()
        .config;
    assert!(!c.stream.midstream);
    assert_eq!(c.stream.reassembly.depth, ByteSize(64 << 10));
}

#[test]
fn shipped_config_parses_without_warnings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/portcullis.toml");
    let loaded = load(Some(&path), &[]).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.config, Config::default());
}

#[test]
fn byte_sizes() {
    assert_eq!(ByteSize::parse("64kb"), Ok(ByteSize(65536)));
    assert_eq!(ByteSize::parse("1 MB"), Ok(ByteSize(1 << 20)));
    assert_eq!(ByteSize::parse("3g"), Ok(ByteSize(3 << 30)));
    assert_eq!(ByteSize::parse("17"), Ok(ByteSize(17)));
    assert!(ByteSize::parse("mb").is_err());
    assert!(ByteSize::parse("99999999999999999999gb").is_err());
}
