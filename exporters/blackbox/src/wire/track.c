/* Per-capture tracking: the handshake and DNS state machines over dissected
 * packets, and the counters they feed. See docs/blackbox-wire.md. */
#include "track.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HS_SYN = 1, HS_SYNACK = 2 };
#define DUP_WINDOW_NS 10000000 /* 10 ms */
enum { CLIENT_LOCAL = 1, SERVER_LOCAL = 2 };
enum { DIR_OUT, DIR_IN, DIR_LOCAL, DIR_TRANSIT };
static const char *const dir_names[4] = {"out", "in", "local", "transit"};
static const char *const fam_names[2] = {"ipv4", "ipv6"};
static const char *const proto_names[5] = {"tcp", "udp", "icmp", "icmpv6", "other"};

int wire_host_addresses(wire_cidr **ret, size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa) < 0)
        return -errno;
    size_t n = 0;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
        if (i->ifa_addr &&
            (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6))
            n++;
    wire_cidr *a = n ? calloc(n, sizeof *a) : NULL;
    if (n && !a) {
        freeifaddrs(ifa);
        return -ENOMEM;
    }
    size_t k = 0;
    for (struct ifaddrs *i = ifa; i && k < n; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        if (i->ifa_addr->sa_family == AF_INET) {
            a[k].family = 4;
            a[k].bits = 32;
            memcpy(a[k].addr, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
            k++;
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            a[k].family = 6;
            a[k].bits = 128;
            memcpy(a[k].addr, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
            k++;
        }
    }
    freeifaddrs(ifa);
    *ret = a;
    *ret_n = k;
    return 0;
}

int wire_tracker_init(wire_tracker *t, const wire_config *cfg, const wire_families *f,
                      wire_capture_stats *stats, const wire_cidr *local, size_t n_local) {
    memset(t, 0, sizeof *t);
    t->cfg = cfg;
    t->f = f;
    t->stats = stats;
    size_t np = cfg->n_ports + 1, nr = cfg->n_resolvers + 1, nn = cfg->n_nets + 1;
    t->n_local = cfg->n_local + n_local;
    t->port_rule = t->n_local == 0;
    if (t->n_local) {
        t->local = calloc(t->n_local, sizeof *t->local);
        if (!t->local)
            goto fail;
        if (cfg->n_local)
            memcpy(t->local, cfg->local, cfg->n_local * sizeof *t->local);
        if (n_local)
            memcpy(t->local + cfg->n_local, local, n_local * sizeof *t->local);
    }
    t->hs_hist = calloc(np * 2, sizeof *t->hs_hist);
    t->syn_retx = calloc(np, sizeof *t->syn_retx);
    t->syn_unans = calloc(np, sizeof *t->syn_unans);
    t->dns_hist = calloc(nr * 16, sizeof *t->dns_hist);
    t->dns_unans = calloc(nr, sizeof *t->dns_unans);
    t->net = calloc(nn * 4 * 2, sizeof *t->net);
    if (!t->hs_hist || !t->syn_retx || !t->syn_unans || !t->dns_hist || !t->dns_unans || !t->net)
        goto fail;
    if (wire_table_init(&t->hs, cfg->hs_table) < 0 || wire_table_init(&t->dns, cfg->dns_table) < 0)
        goto fail;
    return 0;
fail:
    wire_tracker_free(t);
    return -ENOMEM;
}

void wire_tracker_free(wire_tracker *t) {
    wire_table_free(&t->hs);
    wire_table_free(&t->dns);
    free(t->local);
    free(t->hs_hist);
    free(t->syn_retx);
    free(t->syn_unans);
    free(t->dns_hist);
    free(t->dns_unans);
    free(t->net);
    memset(t, 0, sizeof *t);
}

/* The series of family f for labels, looked up once then cached in *slot. */
static omx_series *series(omx_series **slot, omx_family *f, const char *const *labels) {
    if (!*slot && f)
        omx_family_get(f, labels, slot);
    return *slot;
}

static bool is_local(const wire_tracker *t, uint8_t family, const uint8_t *a) {
    for (size_t i = 0; i < t->n_local; i++)
        if (wire_cidr_match(&t->local[i], family, a))
            return true;
    return false;
}

static bool is_service(const wire_config *c, uint16_t port) {
    for (size_t i = 0; i < c->n_ports; i++)
        if (c->ports[i] == port)
            return true;
    return false;
}

static size_t port_index(const wire_config *c, uint16_t port) {
    for (size_t i = 0; i < c->n_ports; i++)
        if (c->ports[i] == port)
            return i;
    return c->n_ports;
}

/* Which ends of pkt are this host. */
static void sides(const wire_tracker *t, const wire_pkt *p, bool *src, bool *dst) {
    if (!t->port_rule) {
        *src = is_local(t, p->family, p->src);
        *dst = is_local(t, p->family, p->dst);
        return;
    }
    bool ss = p->l4 && is_service(t->cfg, p->sport), ds = p->l4 && is_service(t->cfg, p->dport);
    if (ss != ds) {
        *src = ss;
        *dst = ds;
    } else {
        *src = p->sport >= p->dport;
        *dst = !*src;
    }
}

static int direction(bool src, bool dst) {
    return src && dst ? DIR_LOCAL : src ? DIR_OUT : dst ? DIR_IN : DIR_TRANSIT;
}

static void make_key(wire_key *k, const uint8_t *a, const uint8_t *b, uint16_t x, uint16_t y,
                     uint8_t family) {
    memcpy(&k->w[0], a, 16);
    memcpy(&k->w[2], b, 16);
    k->w[4] = (uint64_t)x << 48 | (uint64_t)y << 32 | family;
}

static void port_label(const wire_config *c, size_t idx, char *buf) {
    if (idx < c->n_ports)
        snprintf(buf, 8, "%u", c->ports[idx]);
    else
        strcpy(buf, "other");
}

static void observe_hs(wire_tracker *t, size_t port, int role, int64_t dt) {
    char pl[8];
    omx_series **slot = &t->hs_hist[port * 2 + (size_t)role];
    if (!*slot) {
        port_label(t->cfg, port, pl);
        series(slot, t->f->hs_seconds, (const char *const[]){pl, role ? "server" : "client"});
    }
    omx_histogram_observe(*slot, dt > 0 ? (double)dt / 1e9 : 0);
}

static void count_port(wire_tracker *t, omx_series **slots, omx_family *f, size_t port) {
    if (!slots[port]) {
        char pl[8];
        port_label(t->cfg, port, pl);
        series(&slots[port], f, (const char *const[]){pl});
    }
    omx_counter_inc(slots[port]);
}

static void evicted(wire_tracker *t, int which) {
    series(&t->evict[which], t->f->evictions, (const char *const[]){which ? "dns" : "handshake"});
    omx_counter_inc(t->evict[which]);
}

static void tcp(wire_tracker *t, const wire_pkt *p, int64_t ts, bool sl, bool dl) {
    const wire_config *c = t->cfg;
    uint8_t fl = p->tcp_flags;
    wire_key k;
    if (fl & WIRE_RST) {
        int d = direction(sl, dl);
        series(&t->resets[d], t->f->resets, (const char *const[]){dir_names[d]});
        omx_counter_inc(t->resets[d]);
        if (t->hs.used == 0)
            return;
        /* A reset ends a pending handshake from either side (refused, aborted). */
        make_key(&k, p->dst, p->src, p->dport, p->sport, p->family);
        wire_entry *e = wire_table_find(&t->hs, &k, wire_key_hash(&k));
        if (!e) {
            make_key(&k, p->src, p->dst, p->sport, p->dport, p->family);
            e = wire_table_find(&t->hs, &k, wire_key_hash(&k));
        }
        if (e)
            wire_table_remove(&t->hs, e);
        return;
    }
    if ((fl & (WIRE_SYN | WIRE_ACK)) == WIRE_SYN) {
        make_key(&k, p->src, p->dst, p->sport, p->dport, p->family);
        uint32_t h = wire_key_hash(&k);
        wire_entry *e = wire_table_find(&t->hs, &k, h);
        if (e && e->seq == p->seq) {
            /* Copies of one SYN on two interfaces of "any" (a bridge and its
             * port, a VLAN and its parent) come microseconds apart; a
             * retransmission waits for a timer of 200 ms or more. */
            int64_t last = e->state == HS_SYN ? e->ts2 : e->ts;
            if (ts - last >= DUP_WINDOW_NS) {
                count_port(t, t->syn_retx, t->f->syn_retx, e->label);
                if (e->state == HS_SYN)
                    e->ts2 = ts;
            }
            return;
        }
        if (e) /* the port pair is reused for a new attempt */
            wire_table_remove(&t->hs, e);
        int ev;
        e = wire_table_insert(&t->hs, &k, h, ts, &ev);
        if (ev)
            evicted(t, 0);
        e->seq = p->seq;
        e->ts2 = ts; /* the last SYN, until the SYN/ACK */
        e->state = HS_SYN;
        e->label = (uint16_t)port_index(c, p->dport);
        e->flags = (uint8_t)((sl ? CLIENT_LOCAL : 0) | (dl ? SERVER_LOCAL : 0));
        return;
    }
    if (t->hs.used == 0)
        return;
    if (fl & WIRE_SYN) { /* SYN/ACK from the server */
        make_key(&k, p->dst, p->src, p->dport, p->sport, p->family);
        wire_entry *e = wire_table_find(&t->hs, &k, wire_key_hash(&k));
        if (!e || e->state != HS_SYN || p->ack != e->seq + 1)
            return;
        if (e->flags & CLIENT_LOCAL)
            observe_hs(t, e->label, 0, ts - e->ts);
        if (!(e->flags & SERVER_LOCAL) || !c->handshake_acks) {
            wire_table_remove(&t->hs, e);
            return;
        }
        e->state = HS_SYNACK;
        e->ts2 = ts;
        e->seq2 = p->seq;
        return;
    }
    if (fl & WIRE_ACK) { /* the client's ACK of the SYN/ACK */
        make_key(&k, p->src, p->dst, p->sport, p->dport, p->family);
        wire_entry *e = wire_table_find(&t->hs, &k, wire_key_hash(&k));
        if (!e || e->state != HS_SYNACK || p->ack != e->seq2 + 1)
            return;
        observe_hs(t, e->label, 1, ts - e->ts2);
        wire_table_remove(&t->hs, e);
    }
}

static size_t resolver_index(const wire_config *c, uint8_t family, const uint8_t *a) {
    for (size_t i = 0; i < c->n_resolvers; i++)
        if (wire_cidr_match(&c->resolvers[i], family, a))
            return i;
    return c->n_resolvers;
}

static const char *server_label(const wire_config *c, size_t i) {
    return i < c->n_resolvers ? c->resolver_names[i] : "other";
}

static void dns(wire_tracker *t, const wire_pkt *p, int64_t ts) {
    const wire_config *c = t->cfg;
    wire_key k;
    if (!p->dns_qr && p->dport == 53) {
        make_key(&k, p->src, p->dst, p->sport, p->dns_id, p->family);
        uint32_t h = wire_key_hash(&k);
        wire_entry *e = wire_table_find(&t->dns, &k, h);
        if (e && ts - e->ts < DUP_WINDOW_NS)
            return; /* the same query seen twice (two interfaces of "any") */
        /* slots by type; types past 256 but CAA share slot 0 ("other") */
        size_t qi = p->dns_qtype < 256 ? p->dns_qtype : p->dns_qtype == 257 ? 256 : 0;
        omx_series **q = &t->qtype[qi];
        series(q, t->f->dns_queries, (const char *const[]){wire_qtype_name(p->dns_qtype)});
        omx_counter_inc(*q);
        if (e)
            return; /* a retransmission: the first one's time counts */
        int ev;
        e = wire_table_insert(&t->dns, &k, h, ts, &ev);
        if (ev)
            evicted(t, 1);
        e->label = (uint16_t)resolver_index(c, p->family, p->dst);
        return;
    }
    if (p->dns_qr && p->sport == 53) {
        make_key(&k, p->dst, p->src, p->dport, p->dns_id, p->family);
        wire_entry *e = wire_table_find(&t->dns, &k, wire_key_hash(&k));
        if (!e) {
            series(&t->dns_unmatched, t->f->dns_unmatched, NULL);
            omx_counter_inc(t->dns_unmatched);
            return;
        }
        omx_series **slot = &t->dns_hist[(size_t)e->label * 16 + p->dns_rcode];
        series(slot, t->f->dns_seconds,
               (const char *const[]){server_label(c, e->label), wire_rcode_name(p->dns_rcode)});
        int64_t dt = ts - e->ts;
        omx_histogram_observe(*slot, dt > 0 ? (double)dt / 1e9 : 0);
        wire_table_remove(&t->dns, e);
    }
}

static void icmp(wire_tracker *t, const wire_pkt *p) {
    int v6 = p->proto == 58;
    if ((v6 ? 1 : 3) == p->icmp_type) {
        omx_series **s = &t->unreach[v6][p->icmp_code];
        if (!*s) {
            char code[4];
            snprintf(code, sizeof code, "%u", p->icmp_code);
            series(s, t->f->unreach, (const char *const[]){fam_names[v6], code});
        }
        omx_counter_inc(*s);
    } else if ((v6 ? 3 : 11) == p->icmp_type) {
        series(&t->time_exc[v6], t->f->time_exceeded, (const char *const[]){fam_names[v6]});
        omx_counter_inc(t->time_exc[v6]);
    }
}

static void peer(wire_tracker *t, uint8_t family, const uint8_t *a, uint32_t bytes) {
    wire_capture_stats *s = t->stats;
    pthread_mutex_lock(&s->lock);
    s->peer_total += bytes;
    size_t min = 0;
    for (size_t i = 0; i < s->n_peers; i++) {
        struct wire_peer *q = &s->peers[i];
        if (q->family == family && memcmp(q->addr, a, 16) == 0) {
            q->bytes += bytes;
            pthread_mutex_unlock(&s->lock);
            return;
        }
        if (q->bytes < s->peers[min].bytes)
            min = i;
    }
    struct wire_peer *q;
    if (s->n_peers < s->max_peers) {
        q = &s->peers[s->n_peers++];
        q->bytes = 0;
    } else {
        q = &s->peers[min]; /* Space-Saving: the newcomer inherits the minimum */
    }
    q->family = family;
    memcpy(q->addr, a, 16);
    q->bytes += bytes;
    pthread_mutex_unlock(&s->lock);
}

static void volume(wire_tracker *t, const wire_pkt *p, int d) {
    int fi = p->family == 6;
    int pi = p->proto == 6 ? 0 : p->proto == 17 ? 1 : p->proto == 1 ? 2 : p->proto == 58 ? 3 : 4;
    omx_series **s = t->vol[d][fi][pi];
    const char *const labels[] = {t->stats->name, dir_names[d], fam_names[fi], proto_names[pi]};
    series(&s[0], t->f->vol_packets, labels);
    series(&s[1], t->f->vol_bytes, labels);
    omx_counter_inc(s[0]);
    omx_counter_add(s[1], p->ip_len);
    const uint8_t *remote = d == DIR_IN ? p->src : p->dst;
    const wire_config *c = t->cfg;
    if (c->n_nets) {
        size_t ni = c->n_nets;
        for (size_t i = 0; i < c->n_nets && ni == c->n_nets; i++)
            for (size_t j = 0; j < c->nets[i].n; j++)
                if (wire_cidr_match(&c->nets[i].cidrs[j], p->family, remote)) {
                    ni = i;
                    break;
                }
        omx_series **n = &t->net[(ni * 4 + (size_t)d) * 2];
        const char *const nl[] = {ni < c->n_nets ? c->nets[ni].name : "other", dir_names[d]};
        series(&n[0], t->f->net_packets, nl);
        series(&n[1], t->f->net_bytes, nl);
        omx_counter_inc(n[0]);
        omx_counter_add(n[1], p->ip_len);
    }
    if (t->stats->peers && d != DIR_LOCAL)
        peer(t, p->family, remote, p->ip_len);
}

void wire_tracker_expire(wire_tracker *t, int64_t now) {
    wire_entry *e;
    while ((e = wire_table_oldest(&t->hs)) && now - e->ts >= t->cfg->hs_timeout_ns) {
        if (e->state == HS_SYN)
            count_port(t, t->syn_unans, t->f->syn_unanswered, e->label);
        wire_table_remove(&t->hs, e);
    }
    while ((e = wire_table_oldest(&t->dns)) && now - e->ts >= t->cfg->dns_timeout_ns) {
        omx_series **s = &t->dns_unans[e->label];
        series(s, t->f->dns_unanswered, (const char *const[]){server_label(t->cfg, e->label)});
        omx_counter_inc(*s);
        wire_table_remove(&t->dns, e);
    }
    atomic_store_explicit(&t->stats->hs_entries, t->hs.used, memory_order_relaxed);
    atomic_store_explicit(&t->stats->dns_entries, t->dns.used, memory_order_relaxed);
}

void wire_tracker_flush(wire_tracker *t) { wire_tracker_expire(t, INT64_MAX); }

void wire_tracker_packet(wire_tracker *t, int dlt, int64_t ts, const uint8_t *b, size_t caplen,
                         size_t wirelen) {
    wire_pkt p;
    t->packets++;
    wire_verdict v = wire_dissect(dlt, b, caplen, wirelen, &p);
    if (v != WIRE_OK) {
        if (v != WIRE_NOT_IP) {
            series(&t->malformed[v], t->f->malformed, (const char *const[]){wire_reason_name(v)});
            omx_counter_inc(t->malformed[v]);
        }
        return;
    }
    if (p.fragment) {
        int fi = p.family == 6;
        series(&t->frags[fi], t->f->fragments, (const char *const[]){fam_names[fi]});
        omx_counter_inc(t->frags[fi]);
    }
    bool sl, dl;
    sides(t, &p, &sl, &dl);
    if (t->f->vol_packets)
        volume(t, &p, direction(sl, dl));
    if (p.l4) {
        if (p.proto == 6)
            tcp(t, &p, ts, sl, dl);
        else if (p.dns)
            dns(t, &p, ts);
        else if (p.proto == 1 || p.proto == 58)
            icmp(t, &p);
    }
    wire_tracker_expire(t, ts);
}
