/* Exported wrappers over DPDK static-inline functions: see shim.h. */
#include "shim.h"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_thash.h>

uint16_t shim_rte_eth_rx_burst(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **rx_pkts,
			       uint16_t nb_pkts)
{
	return rte_eth_rx_burst(port_id, queue_id, rx_pkts, nb_pkts);
}

uint16_t shim_rte_eth_tx_burst(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **tx_pkts,
			       uint16_t nb_pkts)
{
	return rte_eth_tx_burst(port_id, queue_id, tx_pkts, nb_pkts);
}

struct rte_mbuf *shim_rte_pktmbuf_alloc(struct rte_mempool *mp)
{
	return rte_pktmbuf_alloc(mp);
}

void shim_rte_pktmbuf_free(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

void *shim_rte_pktmbuf_mtod(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, void *);
}

uint16_t shim_rte_pktmbuf_data_len(const struct rte_mbuf *m)
{
	return rte_pktmbuf_data_len(m);
}

uint32_t shim_rte_pktmbuf_pkt_len(const struct rte_mbuf *m)
{
	return rte_pktmbuf_pkt_len(m);
}

uint16_t shim_rte_pktmbuf_nb_segs(const struct rte_mbuf *m)
{
	return m->nb_segs;
}

char *shim_rte_pktmbuf_append(struct rte_mbuf *m, uint16_t len)
{
	return rte_pktmbuf_append(m, len);
}

char *shim_rte_pktmbuf_prepend(struct rte_mbuf *m, uint16_t len)
{
	return rte_pktmbuf_prepend(m, len);
}

int shim_rte_mbuf_rss_hash(const struct rte_mbuf *m, uint32_t *hash)
{
	if ((m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) == 0)
		return 0;
	*hash = m->hash.rss;
	return 1;
}

int shim_rte_errno(void)
{
	return rte_errno;
}

unsigned shim_rte_lcore_id(void)
{
	return rte_lcore_id();
}

uint64_t shim_rte_get_tsc_cycles(void)
{
	return rte_get_tsc_cycles();
}

uint32_t shim_rte_softrss(uint32_t *input_tuple, uint32_t input_len, const uint8_t *rss_key)
{
	return rte_softrss(input_tuple, input_len, rss_key);
}

unsigned shim_rte_ring_enqueue_burst(struct rte_ring *r, void *const *obj_table, unsigned n,
				     unsigned *free_space)
{
	return rte_ring_enqueue_burst(r, obj_table, n, free_space);
}

unsigned shim_rte_ring_dequeue_burst(struct rte_ring *r, void **obj_table, unsigned n,
				     unsigned *available)
{
	return rte_ring_dequeue_burst(r, obj_table, n, available);
}

unsigned shim_rte_ring_count(const struct rte_ring *r)
{
	return rte_ring_count(r);
}
