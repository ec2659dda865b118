/* netdev: per-interface counters from <procfs>/net/dev, filtered by
 * --collector.netdev.device-include / -exclude. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <exporter/emit.h>
#include "netlink_dump.h"
#include "pattern.h"
#include "util.h"

static const char *opt_include = "";
static const char *opt_exclude = "^lo$"; /* Debian 12's default (upstream: none) */
static const omx_app *flags_app;          /* for omx_app_flag_given in setup */
static bool opt_netlink = true;
static const char *opt_old_include = "", *opt_old_exclude = ""; /* deprecated spellings */
static node_regex re_include, re_exclude;

static int declare(omx_app *app) {
    flags_app = app;
    int r = omx_app_flag_string(app, "collector.netdev.device-include", &opt_include,
                                "Regexp of net devices to include (mutually exclusive to device-exclude).");
    if (r == 0)
        r = omx_app_flag_string(app, "collector.netdev.device-exclude", &opt_exclude,
                                "Regexp of net devices to exclude (mutually exclusive to device-include).");
    if (r == 0)
        r = omx_app_flag_string(app, "collector.netdev.device-whitelist", &opt_old_include,
                                "DEPRECATED: use --collector.netdev.device-include.");
    if (r == 0)
        r = omx_app_flag_string(app, "collector.netdev.device-blacklist", &opt_old_exclude,
                                "DEPRECATED: use --collector.netdev.device-exclude.");
    if (r == 0)
        r = omx_app_flag_bool(app, "collector.netdev.netlink", &opt_netlink,
                              "Use netlink to gather stats instead of /proc/net/dev.");
    return r;
}

static int setup(void) {
    if (*opt_old_include)
        opt_include = opt_old_include;
    if (*opt_old_exclude)
        opt_exclude = opt_old_exclude;
    /* an include given alone replaces the default exclude (Debian's build
     * refuses to start instead) */
    if (*opt_include && !omx_app_flag_given(flags_app, "collector.netdev.device-exclude") &&
        !*opt_old_exclude)
        opt_exclude = "";
    if (opt_include && *opt_include && opt_exclude && *opt_exclude) {
        omx_log(OMX_LOG_ERROR, "device-include and device-exclude are mutually exclusive",
                "flag", "--collector.netdev.device-include", NULL);
        return OMX_ECONFIG;
    }
    int r = node_regex_compile(&re_include, "--collector.netdev.device-include", opt_include);
    if (r == 0)
        r = node_regex_compile(&re_exclude, "--collector.netdev.device-exclude", opt_exclude);
    return r;
}

/* The 16 columns of /proc/net/dev, then what only netlink has. */
#define NODE_IFNAMSIZ 16 /* IFNAMSIZ, without <net/if.h> (clashes with linux/if.h) */
#define NF 16
#define NF_ALL 17
static const char *const fields[NF_ALL] = {
    "receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo",
    "receive_frame", "receive_compressed", "receive_multicast", "transmit_bytes",
    "transmit_packets", "transmit_errs", "transmit_drop", "transmit_fifo", "transmit_colls",
    "transmit_carrier", "transmit_compressed", "receive_nohandler"};

typedef struct iface {
    const char *name;
    double v[NF_ALL];
} iface;

static bool wanted(const char *name) {
    if (re_include.set && !node_regex_match(&re_include, name))
        return false;
    return !node_regex_match(&re_exclude, name);
}

static int emit_all(omx_emitter *e, const iface *ifs, size_t n, int nfields) {
    static const char *const dev[] = {"device"};
    for (int k = 0; k < nfields; k++) {
        char name[64], help[80];
        snprintf(name, sizeof name, "node_network_%s_total", fields[k]);
        snprintf(help, sizeof help, "Network device statistic %s.", fields[k]);
        int r = omx_emit_family(e, &(omx_desc){.name = name, .help = help, .type = OMX_COUNTER,
                                               .label_names = dev, .n_labels = 1});
        for (size_t i = 0; r >= 0 && i < n; i++)
            r = omx_emit_sample(e, &ifs[i].name, ifs[i].v[k]);
        if (r < 0)
            return r;
    }
    return 0;
}

/* What the RTM_GETLINK dump has gathered so far. */
typedef struct link_ctx {
    iface *ifs;
    char (*names)[NODE_IFNAMSIZ + 1];
    size_t n, cap;
} link_ctx;

static int link_msg(const struct nlmsghdr *nh, void *arg) {
    link_ctx *c = arg;
    if (nh->nlmsg_type != RTM_NEWLINK)
        return 0;
    const struct ifinfomsg *ifi = NLMSG_DATA(nh);
    int alen = (int)IFLA_PAYLOAD(nh);
    const char *name = NULL;
    const struct rtnl_link_stats64 *st = NULL;
    for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        if (a->rta_type == IFLA_IFNAME && RTA_PAYLOAD(a) > 0 &&
            memchr(RTA_DATA(a), 0, RTA_PAYLOAD(a)))
            name = RTA_DATA(a);
        else if (a->rta_type == IFLA_STATS64 && RTA_PAYLOAD(a) >= sizeof *st)
            st = RTA_DATA(a);
    }
    if (!name || !st || strlen(name) > NODE_IFNAMSIZ || !wanted(name))
        return 0;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        if (nc > 65536)
            return OMX_ELIMIT;
        iface *ni = realloc(c->ifs, nc * sizeof *ni);
        if (!ni)
            return OMX_ENOMEM;
        c->ifs = ni;
        char (*nn)[NODE_IFNAMSIZ + 1] = realloc(c->names, nc * sizeof *nn);
        if (!nn)
            return OMX_ENOMEM;
        c->names = nn;
        c->cap = nc;
    }
    snprintf(c->names[c->n], sizeof c->names[c->n], "%s", name);
    struct rtnl_link_stats64 s;
    memcpy(&s, st, sizeof s); /* attribute payloads may be unaligned */
    double *v = c->ifs[c->n].v;
    v[0] = (double)s.rx_bytes;
    v[1] = (double)s.rx_packets;
    v[2] = (double)s.rx_errors;
    v[3] = (double)s.rx_dropped;
    v[4] = (double)s.rx_fifo_errors;
    v[5] = (double)s.rx_frame_errors;
    v[6] = (double)s.rx_compressed;
    v[7] = (double)s.multicast;
    v[8] = (double)s.tx_bytes;
    v[9] = (double)s.tx_packets;
    v[10] = (double)s.tx_errors;
    v[11] = (double)s.tx_dropped;
    v[12] = (double)s.tx_fifo_errors;
    v[13] = (double)s.collisions;
    v[14] = (double)s.tx_carrier_errors;
    v[15] = (double)s.tx_compressed;
    v[16] = (double)s.rx_nohandler;
    c->n++;
    return 0;
}

/* RTM_GETLINK dump with IFLA_STATS64, as node_exporter 1.5 does by default. */
static int collect_netlink(omx_emitter *e) {
    struct {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
    } req = {.nh = {.nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK,
                    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
             .ifi = {.ifi_family = AF_UNSPEC}};
    link_ctx c = {0};
    int r = node_netlink_dump(NETLINK_ROUTE, &req, sizeof req, link_msg, &c);
    if (r >= 0) {
        for (size_t i = 0; i < c.n; i++)
            c.ifs[i].name = c.names[i];
        /* node_exporter sorts nothing here either; order follows the kernel's ifindex */
        r = emit_all(e, c.ifs, c.n, NF_ALL);
    }
    free(c.ifs);
    free(c.names);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if (opt_netlink)
        return collect_netlink(e);
    if ((r = node_proc_path(path, sizeof path, "net/dev")) < 0 ||
        (r = omx_read_file(path, 16u << 20, &data, NULL)) < 0)
        return r;
    size_t cap = 1;
    for (char *p = data; *p; p++)
        cap += *p == '\n';
    iface *ifs = calloc(cap, sizeof *ifs);
    if (!ifs) {
        free(data);
        return OMX_ENOMEM;
    }
    size_t n = 0;
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (lineno <= 2) /* the two header lines */
            continue;
        char *colon = strrchr(line, ':');
        if (!colon) {
            r = omx_bad_input("netdev", path, lineno, "no ':' after the device name");
            goto out;
        }
        *colon = '\0';
        char *name = line;
        while (*name == ' ')
            name++;
        char *f[NF + 1];
        if (!*name || omx_split_fields(colon + 1, f, NF + 1) != NF) {
            r = omx_bad_input("netdev", path, lineno, "expected 16 counters");
            goto out;
        }
        iface *x = &ifs[n];
        x->name = name;
        for (int k = 0; k < NF; k++) {
            uint64_t v;
            if (omx_parse_u64(f[k], &v) < 0) {
                r = omx_bad_input("netdev", path, lineno, "bad counter");
                goto out;
            }
            x->v[k] = (double)v;
        }
        if (wanted(name))
            n++;
    }
    r = emit_all(e, ifs, n, NF);
out:
    free(ifs);
    free(data);
    return r;
}

const node_collector node_collector_netdev = {
    .name = "netdev",
    .enabled_by_default = true,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
