//! Builds the DPDK bindings: pkg-config finds the system DPDK (linked shared, so the PMDs load
//! from EAL's default plugin folder), `cc` compiles the shim over DPDK's static-inline functions,
//! and bindgen generates declarations for only the items Portcullis calls.

use std::env;
use std::path::PathBuf;

/// DPDK functions (real symbols) the safe layer calls.
const FUNCTIONS: &[&str] = &[
    "rte_eal_init",
    "rte_eal_cleanup",
    "rte_eal_get_runtime_dir",
    "rte_strerror",
    "rte_eal_remote_launch",
    "rte_eal_wait_lcore",
    "rte_eal_mp_wait_lcore",
    "rte_get_next_lcore",
    "rte_get_main_lcore",
    "rte_lcore_count",
    "rte_socket_id",
    "rte_get_tsc_hz",
    "rte_pktmbuf_pool_create",
    "rte_pktmbuf_free_bulk",
    "rte_mempool_free",
    "rte_mempool_avail_count",
    "rte_mempool_in_use_count",
    "rte_eth_dev_count_avail",
    "rte_eth_dev_get_port_by_name",
    "rte_eth_dev_get_name_by_port",
    "rte_eth_dev_is_valid_port",
    "rte_eth_dev_socket_id",
    "rte_eth_dev_configure",
    "rte_eth_dev_info_get",
    "rte_eth_rx_queue_setup",
    "rte_eth_tx_queue_setup",
    "rte_eth_dev_start",
    "rte_eth_dev_stop",
    "rte_eth_dev_close",
    "rte_eth_dev_set_mtu",
    "rte_eth_link_get_nowait",
    "rte_eth_promiscuous_enable",
    "rte_eth_promiscuous_disable",
    "rte_eth_promiscuous_get",
    "rte_eth_stats_get",
    "rte_eth_stats_reset",
    "rte_eth_xstats_get",
    "rte_eth_xstats_get_names",
    "rte_eth_macaddr_get",
    "rte_ring_create",
    "rte_ring_free",
    "shim_.*",
];

/// Constants bindgen can evaluate (plain `#define`s and the shim's enum).
const VARS: &[&str] = &[
    "RTE_ETH_LINK_UP",
    "RTE_ETH_LINK_DOWN",
    "RTE_MBUF_DEFAULT_BUF_SIZE",
    "RTE_MBUF_DEFAULT_DATAROOM",
    "RTE_PKTMBUF_HEADROOM",
    "RTE_ETH_XSTATS_NAME_SIZE",
    "RTE_MAX_LCORE",
    "RTE_MAX_ETHPORTS",
    "RTE_ETHDEV_QUEUE_STAT_CNTRS",
    "RING_F_SP_ENQ",
    "RING_F_SC_DEQ",
    "SOCKET_ID_ANY",
];

/// Types whose layout Rust never needs: they are only handled behind pointers, and their real
/// definitions (packed, cache-aligned unions) are where bindgen is most fragile.
const OPAQUE: &[&str] = &[
    "rte_mbuf",
    "rte_mempool",
    "rte_ring",
    // Debian 12's DPDK 22.11 headers: bindgen cannot lay these out (packed bitfield unions).
    "rte_l2tpv2_combined_msg_hdr",
    "rte_gtp_psc_generic_hdr",
];

fn main() {
    let dpdk = pkg_config::Config::new()
        .atleast_version("22.11")
        .probe("libdpdk")
        .expect("DPDK not found by pkg-config (install libdpdk-dev)");

    let mut cc = cc::Build::new();
    cc.file("shim/shim.c").flag("-include").flag("rte_config.h");
    cc.flag("-march=corei7");
    for path in &dpdk.include_paths {
        cc.include(path);
    }
    cc.warnings(true).compile("portcullis_dpdk_shim");

    let mut builder = bindgen::Builder::default()
        .header("shim/wrapper.h")
        .clang_arg("-include")
        .clang_arg("rte_config.h")
        .clang_arg("-march=corei7")
        .clang_args(
            dpdk.include_paths
                .iter()
                .map(|p| format!("-I{}", p.display())),
        )
        .prepend_enum_name(false)
        .derive_default(true)
        .layout_tests(false)
        .generate_comments(false)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()));
    for f in FUNCTIONS {
        builder = builder.allowlist_function(f);
    }
    for v in VARS {
        builder = builder.allowlist_var(v);
    }
    for t in OPAQUE {
        builder = builder.opaque_type(t);
    }
    let bindings = builder
        .allowlist_type("rte_eth_conf|rte_eth_dev_info|rte_eth_stats|rte_eth_link")
        .allowlist_type("rte_eth_xstat|rte_eth_xstat_name|rte_eth_rxconf|rte_eth_txconf")
        .allowlist_type("rte_ether_addr|lcore_function_t|shim_constants")
        .generate()
        .expect("bindgen failed over shim/wrapper.h");

    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR is set by cargo"));
    bindings
        .write_to_file(out.join("bindings.rs"))
        .expect("cannot write bindings.rs");
    println!("cargo:rerun-if-changed=shim");
}
