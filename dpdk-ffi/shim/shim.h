/*
 * Portcullis shim over DPDK: DPDK's fast-path API is made of static-inline functions and
 * function-like macros, which have no symbol to link against. Each shim_* function below is a
 * real, exported wrapper around one of them, so Rust can call it through the bindings.
 */
#ifndef PORTCULLIS_DPDK_SHIM_H
#define PORTCULLIS_DPDK_SHIM_H

#include <stdint.h>
#include <rte_config.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

/* Flag values that DPDK defines with function-like macros (RTE_BIT64), which bindgen cannot
 * evaluate: an enum makes clang compute them at binding time. */
enum shim_constants {
	SHIM_ETH_RSS_IP = RTE_ETH_RSS_IP,
	SHIM_ETH_RSS_TCP = RTE_ETH_RSS_TCP,
	SHIM_ETH_RSS_UDP = RTE_ETH_RSS_UDP,
	SHIM_ETH_RSS_SCTP = RTE_ETH_RSS_SCTP,
};

uint16_t shim_rte_eth_rx_burst(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **rx_pkts,
			       uint16_t nb_pkts);
uint16_t shim_rte_eth_tx_burst(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **tx_pkts,
			       uint16_t nb_pkts);

struct rte_mbuf *shim_rte_pktmbuf_alloc(struct rte_mempool *mp);
void shim_rte_pktmbuf_free(struct rte_mbuf *m);
/* rte_pktmbuf_mtod(m, void *): the start of the data in the first segment. */
void *shim_rte_pktmbuf_mtod(struct rte_mbuf *m);
uint16_t shim_rte_pktmbuf_data_len(const struct rte_mbuf *m);
uint32_t shim_rte_pktmbuf_pkt_len(const struct rte_mbuf *m);
uint16_t shim_rte_pktmbuf_nb_segs(const struct rte_mbuf *m);
char *shim_rte_pktmbuf_append(struct rte_mbuf *m, uint16_t len);
char *shim_rte_pktmbuf_prepend(struct rte_mbuf *m, uint16_t len);
/* Writes mbuf->hash.rss to *hash and returns 1 when ol_flags has RTE_MBUF_F_RX_RSS_HASH, else 0. */
int shim_rte_mbuf_rss_hash(const struct rte_mbuf *m, uint32_t *hash);

/* The thread-local rte_errno. */
int shim_rte_errno(void);
unsigned shim_rte_lcore_id(void);
uint64_t shim_rte_get_tsc_cycles(void);

uint32_t shim_rte_softrss(uint32_t *input_tuple, uint32_t input_len, const uint8_t *rss_key);

unsigned shim_rte_ring_enqueue_burst(struct rte_ring *r, void *const *obj_table, unsigned n,
				     unsigned *free_space);
unsigned shim_rte_ring_dequeue_burst(struct rte_ring *r, void **obj_table, unsigned n,
				     unsigned *available);
unsigned shim_rte_ring_count(const struct rte_ring *r);

#endif
