//! Two workers (software distribution: net_pcap has no RSS) give the same alerts and verdicts
//! as one, and no flow is split between them.

mod inline_support;

#[test]
fn two_workers_agree_with_offline_and_split_no_flow() {
    if inline_support::dpdk_installed() {
        inline_support::assert_inline_matches_offline(2, "0@0,1@1,2@1");
    }
}
