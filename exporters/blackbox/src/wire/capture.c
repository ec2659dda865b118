/* Live captures: one libpcap handle and one thread per interface, each with
 * its own tracker; the families are shared through the registry. */
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exporter/log.h"
#include "track.h"

#define POLL_MS 100
#define BUFFER_BYTES (8 << 20)
#define RETRY_MS 5000 /* a capture that cannot open (yet) is tried again this often */

typedef struct wire_cap {
    struct wire *w;
    pcap_t *pc;
    int dlt;
    bool nano;
    bool running;
    int fd;            /* pcap_get_selectable_fd of pc */
    bool failing;      /* the last open failed: later failures log at debug only */
    uint32_t last[3];  /* pcap_stats of the open handle (32-bit, may wrap) */
    uint64_t total[3]; /* since start, over reopened handles */
    pthread_t th;
    wire_capture_stats *stats;
    wire_tracker t;
} wire_cap;

struct wire {
    wire_config *cfg;
    wire_families f;
    wire_shared *shared;
    _Atomic int stop;
    size_t n;
    wire_cap caps[];
};

static int64_t realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
    wire_cap *c = (wire_cap *)user;
    int64_t ts = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec * (c->nano ? 1 : 1000);
    wire_tracker_packet(&c->t, c->dlt, ts, bytes, h->caplen, h->len);
}

/* Folds the handle's pcap_stats into 64-bit totals: its counters are 32-bit
 * and start again at 0 when the capture is reopened. */
static void update_stats(wire_cap *c) {
    struct pcap_stat st;
    if (pcap_stats(c->pc, &st) != 0)
        return;
    uint32_t now[3] = {st.ps_recv, st.ps_drop, st.ps_ifdrop};
    for (int i = 0; i < 3; i++) {
        c->total[i] += (uint32_t)(now[i] - c->last[i]);
        c->last[i] = now[i];
    }
    atomic_store(&c->stats->received, c->total[0]);
    atomic_store(&c->stats->dropped, c->total[1]);
    atomic_store(&c->stats->if_dropped, c->total[2]);
}

static int open_capture(wire_cap *c, const wire_config *cfg);

/* Sleeps up to ms, waking early when the captures stop. */
static void pause_ms(wire_cap *c, int ms) {
    for (int i = 0; i < ms && !atomic_load(&c->w->stop); i += POLL_MS)
        nanosleep(&(struct timespec){.tv_nsec = POLL_MS * 1000000L}, NULL);
}

/* The capture thread: reads until stopped (it looks at least every POLL_MS),
 * reopening the capture when it cannot open or fails (an interface
 * that comes later or goes down and up). */
static void *run(void *arg) {
    wire_cap *c = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    while (!atomic_load(&c->w->stop)) {
        if (!c->pc) {
            if (open_capture(c, c->w->cfg) < 0) {
                pause_ms(c, RETRY_MS);
                continue;
            }
            memset(c->last, 0, sizeof c->last);
            atomic_store(&c->stats->up, 1);
        }
        /* Non-blocking reads after a bounded poll: a blocking pcap_dispatch may
         * sleep for good on an idle link, and the thread must see stop and
         * time entries out on the wall clock. */
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        poll(&pfd, 1, POLL_MS);
        int n = pcap_dispatch(c->pc, -1, on_packet, (u_char *)c);
        if (n < 0 && n != PCAP_ERROR_BREAK) {
            omx_log(OMX_LOG_ERROR, "passive capture failed", "interface", c->stats->name, "err",
                    pcap_geterr(c->pc), NULL);
            update_stats(c);
            atomic_store(&c->stats->up, 0);
            pcap_close(c->pc);
            c->pc = NULL;
            c->failing = true;
            pause_ms(c, RETRY_MS);
            continue;
        }
        update_stats(c);
        wire_tracker_expire(&c->t, realtime_ns());
    }
    if (c->pc)
        update_stats(c);
    atomic_store(&c->stats->up, 0);
    return NULL;
}

/* Opens the capture of c->stats->name; logs and returns a negative code on failure. */
static int open_capture(wire_cap *c, const wire_config *cfg) {
    char err[PCAP_ERRBUF_SIZE] = "";
    /* the first failure is an error; retries of a failing capture log at debug */
    omx_log_level lv = c->failing ? OMX_LOG_DEBUG : OMX_LOG_ERROR;
    c->failing = true;
    const char *ifname = c->stats->name;
    c->pc = pcap_create(ifname, err);
    if (!c->pc) {
        omx_log(lv, "cannot open passive capture", "interface", ifname, "err", err, NULL);
        return -ENODEV;
    }
    pcap_set_snaplen(c->pc, cfg->snaplen);
    pcap_set_promisc(c->pc, 0);
    pcap_set_timeout(c->pc, POLL_MS);
    pcap_set_buffer_size(c->pc, BUFFER_BYTES);
    pcap_set_tstamp_precision(c->pc, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(c->pc);
    if (rc < 0) {
        omx_log(lv, "cannot open passive capture", "interface", ifname, "err", pcap_geterr(c->pc),
                NULL);
        goto fail;
    }
    if (pcap_setnonblock(c->pc, 1, err) < 0 || (c->fd = pcap_get_selectable_fd(c->pc)) < 0) {
        omx_log(lv, "passive capture: cannot poll it", "interface", ifname, "err", err, NULL);
        goto fail;
    }
    c->nano = pcap_get_tstamp_precision(c->pc) == PCAP_TSTAMP_PRECISION_NANO;
    c->dlt = pcap_datalink(c->pc);
    if (!wire_dlt_supported(c->dlt)) {
        omx_log(lv, "passive capture: unsupported link type", "interface", ifname, "linktype",
                pcap_datalink_val_to_name(c->dlt), NULL);
        goto fail;
    }
    char text[WIRE_MAX_FILTER + 1024];
    struct bpf_program prog;
    if (wire_filter_build(cfg, text, sizeof text) < 0 ||
        pcap_compile(c->pc, &prog, text, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        omx_log(lv, "passive capture: bad filter", "interface", ifname, "err", pcap_geterr(c->pc),
                NULL);
        goto fail;
    }
    rc = pcap_setfilter(c->pc, &prog);
    pcap_freecode(&prog);
    if (rc < 0) {
        omx_log(lv, "passive capture: cannot set filter", "interface", ifname, "err",
                pcap_geterr(c->pc), NULL);
        goto fail;
    }
    if (lv == OMX_LOG_DEBUG) /* a retry that worked */
        omx_log(OMX_LOG_INFO, "passive capture opened", "interface", ifname, NULL);
    c->failing = false;
    return 0;
fail:
    pcap_close(c->pc);
    c->pc = NULL;
    return -EIO;
}

int wire_start(const wire_config *cfg, omx_registry *reg, wire **ret) {
    *ret = NULL;
    wire_config *def = NULL;
    if (!cfg)
        cfg = def = wire_config_new();
    if (!cfg || !reg) {
        wire_config_free(def);
        return cfg ? -EINVAL : -ENOMEM;
    }
    size_t n = cfg->n_ifaces;
    wire *w = calloc(1, sizeof *w + n * sizeof w->caps[0]);
    if (!w || !(w->cfg = wire_config_copy(cfg))) {
        free(w);
        wire_config_free(def);
        return -ENOMEM;
    }
    wire_config_free(def);
    w->n = n;
    const char *names[WIRE_MAX_IFACES];
    for (size_t i = 0; i < n; i++)
        names[i] = w->cfg->ifaces[i];
    int rc = wire_metrics_register(reg, w->cfg, names, n, &w->f, &w->shared);
    if (rc < 0) {
        wire_config_free(w->cfg);
        free(w);
        return rc;
    }
    wire_cidr *host = NULL;
    size_t n_host = 0;
    if (wire_host_addresses(&host, &n_host) < 0)
        omx_log(OMX_LOG_WARN, "passive capture: cannot list local addresses", NULL);
    for (size_t i = 0; i < n; i++) {
        wire_cap *c = &w->caps[i];
        c->w = w;
        c->stats = &w->shared->cap[i];
        if ((rc = wire_tracker_init(&c->t, w->cfg, &w->f, c->stats, host, n_host)) < 0)
            break;
        if (open_capture(c, w->cfg) == 0) /* else reported as wire_capture_up 0, retried */
            atomic_store(&c->stats->up, 1);
        if (pthread_create(&c->th, NULL, run, c) != 0) {
            omx_log(OMX_LOG_ERROR, "passive capture: cannot start its thread", "interface",
                    c->stats->name, NULL);
            atomic_store(&c->stats->up, 0);
            continue;
        }
        c->running = true;
    }
    free(host);
    if (rc < 0) {
        wire_stop(w);
        return rc;
    }
    *ret = w;
    return 0;
}

wire *wire_stop(wire *w) {
    if (!w)
        return NULL;
    atomic_store(&w->stop, 1); /* each thread sees it within POLL_MS */
    for (size_t i = 0; i < w->n; i++) {
        wire_cap *c = &w->caps[i];
        if (c->running)
            pthread_join(c->th, NULL);
        if (c->pc)
            pcap_close(c->pc);
        wire_tracker_free(&c->t);
    }
    wire_config_free(w->cfg);
    free(w);
    return NULL;
}
