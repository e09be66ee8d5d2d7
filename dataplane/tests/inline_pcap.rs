//! `portcullis run` with one worker over DPDK net_pcap ports forwards exactly what
//! `portcullis read --simulate-ips` lets through, byte for byte, with the same alerts.

mod inline_support;

#[test]
fn one_worker_forwards_input_minus_drops_with_offline_alerts() {
    if inline_support::dpdk_installed() {
        inline_support::assert_inline_matches_offline(1, "0@0,1@1");
    }
}
