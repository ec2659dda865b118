/* Benchmark program of the passive capture.
 *   wire-bench gen FILE CONNECTIONS   a capture of the default filter's traffic
 *   wire-bench flood FILE SYNS        a SYN flood from distinct sources
 *   wire-bench run FILE SECONDS       packets/s of dissector + tracker on one
 *                                     core over the file held in memory
 * "run" prints: packets <n> seconds <s> pps <packets per second>. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pktgen.h"
#include "track.h"

#define T0 1700000000000000000ll
enum { FIN = 1, SYN = 2, RST = 4, ACK = 16 };

static pg_addr v4(uint32_t x) {
    pg_addr a = {.family = 4};
    a.a[0] = (uint8_t)(x >> 24), a.a[1] = (uint8_t)(x >> 16), a.a[2] = (uint8_t)(x >> 8);
    a.a[3] = (uint8_t)x;
    return a;
}

/* Each connection: SYN, SYN/ACK, ACK, FIN, FIN, and the last ACK; every
 * fourth also a DNS query and response, every 64th a reset, every 128th an
 * ICMP unreachable: what the default filter lets through. */
static void gen(const char *path, unsigned n) {
    pg_out *o = pg_open(path, DLT_EN10MB, 0);
    pg_addr srv = v4(0x0a000001), ns = v4(0x0a000035);
    pg_frame f;
    int64_t t = T0;
    for (unsigned i = 0; i < n; i++) {
        pg_addr c = v4(0xc6120000u + (i % 50000));
        uint16_t cp = (uint16_t)(1024 + i % 60000), sp = (uint16_t)(i % 2 ? 443 : 80);
        uint32_t isn = i * 2654435761u, sisn = ~isn;
        pg_tcp(&f, c, cp, srv, sp, SYN, isn, 0);
        pg_emit(o, t += 1000, &f);
        pg_tcp(&f, srv, sp, c, cp, SYN | ACK, sisn, isn + 1);
        pg_emit(o, t += 1000, &f);
        pg_tcp(&f, c, cp, srv, sp, ACK, isn + 1, sisn + 1);
        pg_emit(o, t += 1000, &f);
        pg_tcp(&f, c, cp, srv, sp, FIN | ACK, isn + 1, sisn + 1);
        pg_emit(o, t += 1000, &f);
        pg_tcp(&f, srv, sp, c, cp, FIN | ACK, sisn + 1, isn + 2);
        pg_emit(o, t += 1000, &f);
        pg_tcp(&f, c, cp, srv, sp, ACK, isn + 2, sisn + 2);
        pg_emit(o, t += 1000, &f);
        if (i % 4 == 0) {
            pg_dns(&f, c, cp, ns, 53, (uint16_t)i, 0, 0, "www.example.com", 1);
            pg_emit(o, t += 1000, &f);
            pg_dns(&f, ns, 53, c, cp, (uint16_t)i, 1, 0, "www.example.com", 1);
            pg_emit(o, t += 1000, &f);
        }
        if (i % 64 == 0) {
            pg_tcp(&f, c, cp, srv, sp, RST, isn + 2, 0);
            pg_emit(o, t += 1000, &f);
        }
        if (i % 128 == 0) {
            pg_icmp(&f, srv, c, 3, 3);
            pg_emit(o, t += 1000, &f);
        }
    }
    pg_close(o);
}

static void flood(const char *path, unsigned n) {
    pg_out *o = pg_open(path, DLT_EN10MB, 0);
    pg_addr srv = v4(0x0a000001);
    pg_frame f;
    for (unsigned i = 0; i < n; i++) {
        pg_tcp(&f, v4(0xc6120000u + i), (uint16_t)(1024 + i % 60000), srv, 80, SYN, i, 0);
        pg_emit(o, T0 + (int64_t)i * 1000, &f);
    }
    pg_close(o);
}

typedef struct pkt {
    int64_t ts;
    uint32_t len;
    const uint8_t *b;
} pkt;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run(const char *path, double secs) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
    if (!pc) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int dlt = pcap_datalink(pc);
    size_t n = 0, cap = 1 << 16;
    pkt *v = malloc(cap * sizeof *v);
    struct pcap_pkthdr *h;
    const u_char *bytes;
    while (pcap_next_ex(pc, &h, &bytes) == 1) {
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        uint8_t *copy = malloc(h->caplen);
        memcpy(copy, bytes, h->caplen);
        v[n++] = (pkt){(int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec, h->caplen, copy};
    }
    pcap_close(pc);
    wire_config *cfg = wire_config_new();
    cfg->n_ports = 2;
    cfg->ports[0] = 80;
    cfg->ports[1] = 443;
    cfg->local = calloc(1, sizeof *cfg->local);
    wire_cidr_parse("10.0.0.1", cfg->local);
    cfg->n_local = 1;
    omx_registry *reg = omx_registry_new();
    wire_families f;
    wire_shared *sh;
    const char *names[] = {"bench"};
    wire_tracker t;
    if (wire_metrics_register(reg, cfg, names, 1, &f, &sh) < 0 ||
        wire_tracker_init(&t, cfg, &f, &sh->cap[0], NULL, 0) < 0)
        return 1;
    uint64_t total = 0;
    double t0 = now_s(), el = 0;
    int64_t shift = 0, span = v[n - 1].ts - v[0].ts + 1000000000;
    do {
        for (size_t i = 0; i < n; i++)
            wire_tracker_packet(&t, dlt, v[i].ts + shift, v[i].b, v[i].len, v[i].len);
        total += n;
        shift += span; /* later rounds are later in time: entries never collide */
        el = now_s() - t0;
    } while (el < secs);
    printf("packets %llu seconds %.3f pps %.0f\n", (unsigned long long)total, el,
           (double)total / el);
    wire_tracker_free(&t);
    omx_registry_free(reg);
    wire_config_free(cfg);
    for (size_t i = 0; i < n; i++)
        free((void *)v[i].b);
    free(v);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        gen(argv[2], (unsigned)atoi(argv[3]));
    else if (argc == 4 && strcmp(argv[1], "flood") == 0)
        flood(argv[2], (unsigned)atoi(argv[3]));
    else if (argc == 4 && strcmp(argv[1], "run") == 0)
        return run(argv[2], atof(argv[3]));
    else {
        fprintf(stderr, "usage: wire-bench gen|flood FILE N | run FILE SECONDS\n");
        return 2;
    }
    return 0;
}
