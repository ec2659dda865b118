/* The per-capture state: handshake and DNS tables, locality of addresses and
 * cached series handles. One tracker per capture thread (no locks). */
#ifndef BB_WIRE_TRACK_H
#define BB_WIRE_TRACK_H

#include "dissect.h"
#include "metrics.h"
#include "table.h"

typedef struct wire_tracker {
    const wire_config *cfg; /* borrowed */
    const wire_families *f; /* borrowed */
    wire_capture_stats *stats;
    wire_table hs, dns;
    wire_cidr *local; /* cfg->local_networks plus the host's addresses; owned */
    size_t n_local;
    bool port_rule; /* nothing known local: the side of a service port (else the higher
                       port) is local */
    uint64_t packets;
    /* series handles, filled on first use */
    omx_series **hs_hist;  /* [(ports+1) * 2] */
    omx_series **syn_retx; /* [ports+1] */
    omx_series **syn_unans;
    omx_series *resets[4];
    omx_series **dns_hist; /* [(resolvers+1) * 16] */
    omx_series **dns_unans;
    omx_series *dns_unmatched;
    omx_series *qtype[257];
    omx_series *unreach[2][256];
    omx_series *time_exc[2];
    omx_series *malformed[WIRE_VERDICTS];
    omx_series *frags[2];
    omx_series *evict[2];
    omx_series *vol[4][2][5][2]; /* direction, family, protocol, packets/bytes */
    omx_series **net;            /* [(nets+1) * 4 * 2] */
} wire_tracker;

/* Sets up t for one capture (stats borrowed; names the interface). local
 * holds n_local addresses of this host (live captures), copied. Returns 0 or
 * -ENOMEM. */
int wire_tracker_init(wire_tracker *t, const wire_config *cfg, const wire_families *f,
                      wire_capture_stats *stats, const wire_cidr *local, size_t n_local);
void wire_tracker_free(wire_tracker *t); /* accepts a zeroed tracker */

/* One captured frame at ts_ns (packet clock, ns since the epoch). */
void wire_tracker_packet(wire_tracker *t, int dlt, int64_t ts_ns, const uint8_t *p, size_t caplen,
                         size_t wirelen);
/* Times out entries older than their timeout at now_ns. */
void wire_tracker_expire(wire_tracker *t, int64_t now_ns);
/* End of a capture file: every pending entry times out. */
void wire_tracker_flush(wire_tracker *t);

/* Local addresses of this host from getifaddrs (malloc'ed array in *ret). */
int wire_host_addresses(wire_cidr **ret, size_t *ret_n);

#endif
