/* qdisc: statistics of every interface's root queueing discipline from an
 * RTM_GETQDISC dump. */
#include <errno.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <exporter/emit.h>
#include "netlink_dump.h"
#include "pattern.h"
#include "util.h"

#define MAX_QDISCS 65536

static const char *opt_include = "", *opt_exclude = "";
static node_regex re_include, re_exclude;

static int declare(omx_app *app) {
    int r;
    /* "qdisk" as node_exporter 1.5 spells these two flags */
    if ((r = omx_app_flag_string(
             app, "collector.qdisk.device-include", &opt_include,
             "Regexp of qdisk devices to include (mutually exclusive to device-exclude).")) < 0 ||
        (r = omx_app_flag_string(
             app, "collector.qdisk.device-exclude", &opt_exclude,
             "Regexp of qdisk devices to exclude (mutually exclusive to device-include).")) < 0)
        return r;
    return 0;
}

static int setup(void) {
    if (opt_include[0] && opt_exclude[0]) {
        omx_log(
            OMX_LOG_ERROR,
            "collector.qdisk.device-include and collector.qdisk.device-exclude are mutually exclusive",
            "collector", "qdisc", NULL);
        return OMX_ECONFIG;
    }
    int r;
    if ((r = node_regex_compile(&re_include, "--collector.qdisk.device-include", opt_include)) <
            0 ||
        (r = node_regex_compile(&re_exclude, "--collector.qdisk.device-exclude", opt_exclude)) < 0)
        return r;
    return 0;
}

static bool ignored(const char *dev) {
    if (re_exclude.set)
        return node_regex_match(&re_exclude, dev);
    if (re_include.set)
        return !node_regex_match(&re_include, dev);
    return false;
}

enum { BYTES, PACKETS, DROPS, REQUEUES, OVERLIMITS, QLEN, BACKLOG, NVALUES };

typedef struct qdisc {
    char dev[IF_NAMESIZE];
    char kind[32];
    uint64_t v[NVALUES];
} qdisc;

typedef struct qdisc_ctx {
    qdisc *q;
    size_t n, cap;
} qdisc_ctx;

static uint32_t u32_at(const void *p, size_t off) {
    uint32_t v;
    memcpy(&v, (const char *)p + off, 4);
    return v;
}

static uint64_t u64_at(const void *p, size_t off) {
    uint64_t v;
    memcpy(&v, (const char *)p + off, 8);
    return v;
}

static int bad(const char *what) { return omx_bad_input("qdisc", "rtnetlink", 0, what); }

/* TCA_STATS2's nested basic and queue counters. */
static int parse_stats2(const struct rtattr *nest, qdisc *q) {
    int len = (int)RTA_PAYLOAD(nest);
    for (const struct rtattr *a = RTA_DATA(nest); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        size_t pl = RTA_PAYLOAD(a);
        if (a->rta_type == TCA_STATS_BASIC) {
            if (pl < 12)
                return bad("short TCA_STATS_BASIC");
            q->v[BYTES] = u64_at(RTA_DATA(a), 0);
            q->v[PACKETS] = u32_at(RTA_DATA(a), 8);
        } else if (a->rta_type == TCA_STATS_QUEUE) {
            if (pl < 20)
                return bad("short TCA_STATS_QUEUE");
            q->v[QLEN] = u32_at(RTA_DATA(a), 0);
            q->v[BACKLOG] = u32_at(RTA_DATA(a), 4);
            q->v[DROPS] = u32_at(RTA_DATA(a), 8);
            q->v[REQUEUES] = u32_at(RTA_DATA(a), 12);
            q->v[OVERLIMITS] = u32_at(RTA_DATA(a), 16);
        }
    }
    return 0;
}

static int qdisc_msg(const struct nlmsghdr *nh, void *arg) {
    qdisc_ctx *c = arg;
    if (nh->nlmsg_type != RTM_NEWQDISC)
        return 0;
    if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct tcmsg)))
        return bad("short RTM_NEWQDISC message");
    const struct tcmsg *tcm = NLMSG_DATA(nh);
    /* only root qdiscs (parent TC_H_ROOT), as node_exporter */
    if (tcm->tcm_parent != TC_H_ROOT && tcm->tcm_parent != 0)
        return 0;
    qdisc q = {0};
    if (!if_indextoname((unsigned)tcm->tcm_ifindex, q.dev))
        return -errno;
    if (ignored(q.dev))
        return 0;
    int len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof *tcm)), r;
    /* attributes in the kernel's order: the legacy TCA_STATS after TCA_STATS2
     * overwrites what both carry, as node_exporter's reader does */
    for (const struct rtattr *a =
             (const struct rtattr *)((const char *)tcm + NLMSG_ALIGN(sizeof *tcm));
         RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        size_t pl = RTA_PAYLOAD(a);
        if (a->rta_type == TCA_KIND) {
            size_t kl = strnlen(RTA_DATA(a), pl);
            if (kl >= sizeof q.kind)
                return bad("qdisc kind too long");
            memcpy(q.kind, RTA_DATA(a), kl);
            q.kind[kl] = '\0';
        } else if (a->rta_type == TCA_STATS2) {
            if ((r = parse_stats2(a, &q)) < 0)
                return r;
        } else if (a->rta_type == TCA_STATS) {
            if (pl < 36)
                return bad("short TCA_STATS");
            const void *d = RTA_DATA(a);
            q.v[BYTES] = u64_at(d, 0);
            q.v[PACKETS] = u32_at(d, 8);
            q.v[DROPS] = u32_at(d, 12);
            q.v[OVERLIMITS] = u32_at(d, 16);
            q.v[QLEN] = u32_at(d, 28);
            q.v[BACKLOG] = u32_at(d, 32);
        }
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        if (cap > MAX_QDISCS)
            return OMX_ELIMIT;
        qdisc *nq = realloc(c->q, cap * sizeof *nq);
        if (!nq)
            return OMX_ENOMEM;
        c->q = nq;
        c->cap = cap;
    }
    c->q[c->n++] = q;
    return 0;
}

static const struct {
    const char *name, *help;
    omx_type type;
} families[NVALUES] = {
    [BYTES] = {"node_qdisc_bytes_total", "Number of bytes sent.", OMX_COUNTER},
    [PACKETS] = {"node_qdisc_packets_total", "Number of packets sent.", OMX_COUNTER},
    [DROPS] = {"node_qdisc_drops_total", "Number of packets dropped.", OMX_COUNTER},
    [REQUEUES] = {"node_qdisc_requeues_total",
                  "Number of packets dequeued, not transmitted, and requeued.", OMX_COUNTER},
    [OVERLIMITS] = {"node_qdisc_overlimits_total", "Number of overlimit packets.", OMX_COUNTER},
    [QLEN] = {"node_qdisc_current_queue_length", "Number of packets currently in queue to be sent.",
              OMX_GAUGE},
    [BACKLOG] = {"node_qdisc_backlog", "Number of bytes currently in queue to be sent.", OMX_GAUGE},
};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    struct {
        struct nlmsghdr nh;
        struct tcmsg tcm;
    } req = {.nh = {.nlmsg_len = sizeof req,
                    .nlmsg_type = RTM_GETQDISC,
                    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                    .nlmsg_seq = 1},
             .tcm = {.tcm_family = AF_UNSPEC}};
    qdisc_ctx c = {0};
    int r = node_netlink_dump(NETLINK_ROUTE, &req, sizeof req, qdisc_msg, &c);
    if (r < 0)
        goto out;
    static const char *const labels[] = {"device", "kind"};
    for (int f = 0; f < NVALUES; f++) {
        const omx_desc d = {.name = families[f].name,
                            .help = families[f].help,
                            .type = families[f].type,
                            .label_names = labels,
                            .n_labels = 2};
        if ((r = omx_emit_family(e, &d)) < 0)
            goto out;
        for (size_t i = 0; i < c.n; i++) {
            const char *lv[] = {c.q[i].dev, c.q[i].kind};
            if ((r = omx_emit_sample(e, lv, (double)c.q[i].v[f])) < 0)
                goto out;
        }
    }
    r = 0;
out:
    free(c.q);
    return r;
}

const node_collector node_collector_qdisc = {
    .name = "qdisc",
    .enabled_by_default = false,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
