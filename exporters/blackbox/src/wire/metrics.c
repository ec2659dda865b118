/* wire_ families and the capture-health collector. */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *wire_qtype_name(uint16_t t) {
    switch (t) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 35: return "NAPTR";
    case 43: return "DS";
    case 48: return "DNSKEY";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 257: return "CAA";
    default: return "other";
    }
}

const char *wire_rcode_name(uint8_t r) {
    static const char *const names[16] = {
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",  "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
        "NXRRSET", "NOTAUTH", "NOTZONE",  "DSOTYPENI", "12",     "13",      "14",       "15"};
    return names[r & 15];
}

static int fam(omx_registry *r, omx_type type, const char *name, const char *help,
               const char *const *labels, size_t n, const double *b, size_t nb, size_t max,
               omx_family **ret) {
    omx_family_opts o = {.type = type,
                         .name = name,
                         .help = help,
                         .label_names = labels,
                         .n_labels = n,
                         .buckets = b,
                         .n_buckets = nb,
                         .max_series = max,
                         .max_label_value_len = 64};
    if (type == OMX_HISTOGRAM && strstr(name, "_seconds"))
        o.unit = "seconds";
    return omx_family_new(r, &o, ret);
}

static int collect(omx_emitter *e, void *userdata) {
    wire_shared *s = userdata;
    static const char *const lif[] = {"interface"};
    static const char *const ltab[] = {"table"};
    const omx_desc up = {.name = "wire_capture_up",
                         .help = "Whether the capture on the interface is running (1) or not.",
                         .type = OMX_GAUGE,
                         .label_names = lif,
                         .n_labels = 1};
    const omx_desc recv = {.name = "wire_capture_packets_received_total",
                           .help = "Packets the capture received (pcap_stats ps_recv).",
                           .type = OMX_COUNTER,
                           .label_names = lif,
                           .n_labels = 1};
    const omx_desc drop = {.name = "wire_capture_packets_dropped_total",
                           .help = "Packets the kernel dropped for lack of buffer space "
                                   "(pcap_stats ps_drop): the other wire_ figures miss them.",
                           .type = OMX_COUNTER,
                           .label_names = lif,
                           .n_labels = 1};
    const omx_desc ifdrop = {.name = "wire_capture_packets_if_dropped_total",
                             .help = "Packets the interface dropped (pcap_stats ps_ifdrop).",
                             .type = OMX_COUNTER,
                             .label_names = lif,
                             .n_labels = 1};
    const omx_desc entries = {.name = "wire_table_entries",
                              .help = "Entries in the connection tables, summed over captures.",
                              .type = OMX_GAUGE,
                              .label_names = ltab,
                              .n_labels = 1};
    const omx_desc size = {.name = "wire_table_size",
                           .help = "Capacity of each capture's connection table.",
                           .type = OMX_GAUGE,
                           .label_names = ltab,
                           .n_labels = 1};
    const omx_desc *d[] = {&up, &recv, &drop, &ifdrop};
    int rc = 0;
    for (size_t k = 0; k < N(d) && rc == 0; k++) {
        rc = omx_emit_family(e, d[k]);
        for (size_t i = 0; i < s->n && rc == 0; i++) {
            wire_capture_stats *c = &s->cap[i];
            double v = k == 0   ? atomic_load(&c->up)
                       : k == 1 ? (double)atomic_load(&c->received)
                       : k == 2 ? (double)atomic_load(&c->dropped)
                                : (double)atomic_load(&c->if_dropped);
            rc = omx_emit_sample(e, (const char *const[]){c->name}, v);
        }
    }
    uint64_t hs = 0, dn = 0;
    for (size_t i = 0; i < s->n; i++) {
        hs += atomic_load(&s->cap[i].hs_entries);
        dn += atomic_load(&s->cap[i].dns_entries);
    }
    if (rc == 0)
        rc = omx_emit_family(e, &entries);
    if (rc == 0)
        rc = omx_emit_sample(e, (const char *const[]){"dns"}, (double)dn);
    if (rc == 0)
        rc = omx_emit_sample(e, (const char *const[]){"handshake"}, (double)hs);
    if (rc == 0)
        rc = omx_emit_family(e, &size);
    if (rc == 0)
        rc = omx_emit_sample(e, (const char *const[]){"dns"}, (double)s->dns_cap);
    if (rc == 0)
        rc = omx_emit_sample(e, (const char *const[]){"handshake"}, (double)s->hs_cap);
    /* Top peers: the heaviest remote addresses by bytes, the rest as "other". */
    static const char *const lpeer[] = {"interface", "peer"};
    const omx_desc peers = {.name = "wire_top_peer_bytes",
                            .help = "Bytes exchanged with the heaviest remote peers since start "
                                    "(Space-Saving estimate, an upper bound); peer=\"other\" "
                                    "holds the rest.",
                            .type = OMX_GAUGE,
                            .label_names = lpeer,
                            .n_labels = 2};
    bool any = false;
    for (size_t i = 0; i < s->n; i++)
        any |= s->cap[i].peers != NULL;
    if (rc == 0 && any)
        rc = omx_emit_family(e, &peers);
    for (size_t i = 0; i < s->n && rc == 0 && any; i++) {
        wire_capture_stats *c = &s->cap[i];
        if (!c->peers)
            continue;
        size_t show = c->max_peers / 4;
        struct wire_peer top[WIRE_MAX_TOP_PEERS];
        size_t nt = 0;
        pthread_mutex_lock(&c->lock);
        uint64_t total = c->peer_total;
        /* selection of the show heaviest, small n */
        bool used[4 * WIRE_MAX_TOP_PEERS] = {0};
        for (; nt < show && nt < c->n_peers; nt++) {
            size_t best = SIZE_MAX;
            for (size_t j = 0; j < c->n_peers; j++)
                if (!used[j] && (best == SIZE_MAX || c->peers[j].bytes > c->peers[best].bytes))
                    best = j;
            used[best] = true;
            top[nt] = c->peers[best];
        }
        pthread_mutex_unlock(&c->lock);
        uint64_t shown = 0;
        for (size_t j = 0; j < nt && rc == 0; j++) {
            char a[INET6_ADDRSTRLEN];
            inet_ntop(top[j].family == 4 ? AF_INET : AF_INET6, top[j].addr, a, sizeof a);
            shown += top[j].bytes;
            rc = omx_emit_sample(e, (const char *const[]){c->name, a}, (double)top[j].bytes);
        }
        if (rc == 0)
            rc = omx_emit_sample(e, (const char *const[]){c->name, "other"},
                                 total > shown ? (double)(total - shown) : 0);
    }
    return rc;
}

static void shared_free(void *p) {
    wire_shared *s = p;
    for (size_t i = 0; i < s->n; i++) {
        pthread_mutex_destroy(&s->cap[i].lock);
        free(s->cap[i].peers);
    }
    free(s);
}

int wire_metrics_register(omx_registry *r, const wire_config *c, const char *const *names, size_t n,
                          wire_families *f, wire_shared **ret_shared) {
    static const char *const l_port_role[] = {"port", "role"};
    static const char *const l_port[] = {"port"};
    static const char *const l_dir[] = {"direction"};
    static const char *const l_srv_rcode[] = {"server", "rcode"};
    static const char *const l_type[] = {"type"};
    static const char *const l_srv[] = {"server"};
    static const char *const l_fam_code[] = {"family", "code"};
    static const char *const l_fam[] = {"family"};
    static const char *const l_reason[] = {"reason"};
    static const char *const l_table[] = {"table"};
    static const char *const l_vol[] = {"interface", "direction", "family", "protocol"};
    static const char *const l_net[] = {"network", "direction"};
    memset(f, 0, sizeof *f);
    size_t np = c->n_ports + 1, nr = c->n_resolvers + 1;
    int rc = fam(r, OMX_HISTOGRAM, "wire_tcp_handshake_duration_seconds",
                 "TCP handshake time seen on the wire: SYN to SYN/ACK when the client is local "
                 "(role=client), SYN/ACK to ACK when the server is (role=server).",
                 l_port_role, 2, c->hs_buckets, c->n_hs_buckets, np * 2, &f->hs_seconds);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_tcp_syn_retransmits_total",
                 "SYNs sent again for a connection attempt (same initial sequence number).", l_port,
                 1, NULL, 0, np, &f->syn_retx);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_tcp_syn_unanswered_total",
                 "Connection attempts whose SYN got neither SYN/ACK nor RST within the "
                 "handshake timeout.",
                 l_port, 1, NULL, 0, np, &f->syn_unanswered);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_tcp_resets_total",
                 "TCP resets by direction: out (sent by a local address), in (received), local "
                 "(both ends local), transit (neither).",
                 l_dir, 1, NULL, 0, 4, &f->resets);
    if (rc == 0)
        rc = fam(r, OMX_HISTOGRAM, "wire_dns_response_duration_seconds",
                 "DNS query to response time over UDP, matched by query id and addresses.",
                 l_srv_rcode, 2, c->dns_buckets, c->n_dns_buckets, nr * 16, &f->dns_seconds);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_dns_queries_total", "DNS queries over UDP by type.", l_type,
                 1, NULL, 0, 32, &f->dns_queries);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_dns_queries_unanswered_total",
                 "DNS queries without a response within the DNS timeout.", l_srv, 1, NULL, 0, nr,
                 &f->dns_unanswered);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_dns_responses_unmatched_total",
                 "DNS responses that matched no pending query (late, duplicated or spoofed).", NULL,
                 0, NULL, 0, 1, &f->dns_unmatched);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_icmp_unreachable_total",
                 "ICMP destination-unreachable messages by code (ICMPv6 codes for ipv6).",
                 l_fam_code, 2, NULL, 0, 2 * 256, &f->unreach);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_icmp_time_exceeded_total", "ICMP time-exceeded messages.",
                 l_fam, 1, NULL, 0, 2, &f->time_exceeded);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_packets_malformed_total",
                 "Packets the dissector rejected, by the first check that failed.", l_reason, 1,
                 NULL, 0, 16, &f->malformed);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_ip_fragments_total", "IP fragments seen.", l_fam, 1, NULL, 0,
                 2, &f->fragments);
    if (rc == 0)
        rc = fam(r, OMX_COUNTER, "wire_table_evictions_total",
                 "Entries pushed out of a full connection table before their timeout.", l_table, 1,
                 NULL, 0, 2, &f->evictions);
    if (rc == 0 && c->volume) {
        size_t nv = WIRE_MAX_IFACES * 4 * 2 * 5;
        rc = fam(r, OMX_COUNTER, "wire_packets_total",
                 "IP packets by interface, direction, family and protocol.", l_vol, 4, NULL, 0, nv,
                 &f->vol_packets);
        if (rc == 0)
            rc = fam(r, OMX_COUNTER, "wire_bytes_total",
                     "IP bytes (IP header and payload) by interface, direction, family and "
                     "protocol.",
                     l_vol, 4, NULL, 0, nv, &f->vol_bytes);
        if (rc == 0 && c->n_nets) {
            size_t nn = (c->n_nets + 1) * 4;
            rc = fam(r, OMX_COUNTER, "wire_network_packets_total",
                     "IP packets by the named network of the remote end and direction.", l_net, 2,
                     NULL, 0, nn, &f->net_packets);
            if (rc == 0)
                rc = fam(r, OMX_COUNTER, "wire_network_bytes_total",
                         "IP bytes by the named network of the remote end and direction.", l_net, 2,
                         NULL, 0, nn, &f->net_bytes);
        }
    }
    if (rc < 0)
        return rc;
    wire_shared *s = calloc(1, sizeof *s + n * sizeof s->cap[0]);
    if (!s)
        return -ENOMEM;
    s->n = n;
    s->hs_cap = c->hs_table;
    s->dns_cap = c->dns_table;
    for (size_t i = 0; i < n; i++) {
        snprintf(s->cap[i].name, sizeof s->cap[i].name, "%s", names[i]);
        pthread_mutex_init(&s->cap[i].lock, NULL);
        if (c->top_peers) {
            s->cap[i].max_peers = c->top_peers * 4;
            s->cap[i].peers = calloc(s->cap[i].max_peers, sizeof *s->cap[i].peers);
            if (!s->cap[i].peers) {
                s->n = i + 1;
                shared_free(s);
                return -ENOMEM;
            }
        }
    }
    rc = omx_registry_add_collector(r, "wire", collect, s, shared_free);
    if (rc < 0) {
        shared_free(s);
        return rc;
    }
    *ret_shared = s;
    return 0;
}
