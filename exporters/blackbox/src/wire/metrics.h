/* The wire_ metric families: created once in a registry, shared by every
 * capture thread (updates are lock-free), plus the capture-health collector
 * fed by the threads through atomics. */
#ifndef BB_WIRE_METRICS_H
#define BB_WIRE_METRICS_H

#include <pthread.h>
#include <stdatomic.h>

#include "exporter/exporter.h"
#include "wire-int.h"

typedef struct wire_families {
    omx_family *hs_seconds, *syn_retx, *syn_unanswered, *resets;
    omx_family *dns_seconds, *dns_queries, *dns_unanswered, *dns_unmatched;
    omx_family *unreach, *time_exceeded, *malformed, *fragments, *evictions;
    omx_family *vol_packets, *vol_bytes, *net_packets, *net_bytes;
} wire_families;

/* What one capture reports at scrape time; written by its thread. */
typedef struct wire_capture_stats {
    char name[16];
    _Atomic int up;
    _Atomic uint64_t received, dropped, if_dropped;
    _Atomic uint32_t hs_entries, dns_entries;
    /* top peers (Space-Saving sketch), under lock; NULL when off */
    pthread_mutex_t lock;
    struct wire_peer *peers;
    size_t n_peers, max_peers;
    uint64_t peer_total;
} wire_capture_stats;

struct wire_peer {
    uint8_t family;
    uint8_t addr[16];
    uint64_t bytes;
};

/* The state the registry owns: the stats of every capture and the tables'
 * sizes, read by the collector. */
typedef struct wire_shared {
    size_t n;
    size_t hs_cap, dns_cap;
    wire_capture_stats cap[];
} wire_shared;

/* Creates the families in r from cfg (label sets bounded by it) and adds the
 * "wire" collector over n captures named names[i]. On success *ret_f is
 * filled and *ret_shared is owned by r (valid until r is freed). Returns 0
 * or an omx_err. */
int wire_metrics_register(omx_registry *r, const wire_config *cfg, const char *const *names,
                          size_t n, wire_families *ret_f, wire_shared **ret_shared);

/* Label values. */
const char *wire_qtype_name(uint16_t t); /* "A", ..., "other" */
const char *wire_rcode_name(uint8_t r);  /* "NOERROR", ..., 16 values */

#endif
