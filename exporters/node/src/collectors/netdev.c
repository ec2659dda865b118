/* netdev: per-interface counters from netlink RTM_GETLINK (or <procfs>/net/dev),
 * filtered by --collector.netdev.device-include / -exclude; node_exporter's
 * legacy names unless --collector.netdev.enable-detailed-metrics; addresses
 * (RTM_GETADDR) with --collector.netdev.address-info. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
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
static const omx_app *flags_app;         /* for omx_app_flag_given in setup */
static bool opt_netlink = true;
static bool opt_address_info, opt_detailed;
static const char *opt_old_include = "", *opt_old_exclude = ""; /* deprecated spellings */
static node_regex re_include, re_exclude;

static int declare(omx_app *app) {
    flags_app = app;
    int r = omx_app_flag_string(
        app, "collector.netdev.device-include", &opt_include,
        "Regexp of net devices to include (mutually exclusive to device-exclude).");
    if (r == 0)
        r = omx_app_flag_string(
            app, "collector.netdev.device-exclude", &opt_exclude,
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
    if (r == 0)
        r = omx_app_flag_bool(app, "collector.netdev.address-info", &opt_address_info,
                              "Collect address-info for every device");
    if (r == 0)
        r = omx_app_flag_bool(
            app, "collector.netdev.enable-detailed-metrics", &opt_detailed,
            "Use (incompatible) metric names that provide more detailed stats on Linux");
    return r;
}

static int setup(void) {
    if (*opt_old_include) {
        omx_log(OMX_LOG_WARN,
                "--collector.netdev.device-whitelist is DEPRECATED, use "
                "--collector.netdev.device-include",
                NULL);
        opt_include = opt_old_include;
    }
    if (*opt_old_exclude) {
        omx_log(OMX_LOG_WARN,
                "--collector.netdev.device-blacklist is DEPRECATED, use "
                "--collector.netdev.device-exclude",
                NULL);
        opt_exclude = opt_old_exclude;
    }
    /* an include given alone replaces the default exclude (Debian's build
     * refuses to start instead) */
    if (*opt_include && !omx_app_flag_given(flags_app, "collector.netdev.device-exclude") &&
        !*opt_old_exclude)
        opt_exclude = "";
    if (opt_include && *opt_include && opt_exclude && *opt_exclude) {
        omx_log(OMX_LOG_ERROR, "device-include and device-exclude are mutually exclusive", "flag",
                "--collector.netdev.device-include", NULL);
        return OMX_ECONFIG;
    }
    int r = node_regex_compile(&re_include, "--collector.netdev.device-include", opt_include);
    if (r == 0)
        r = node_regex_compile(&re_exclude, "--collector.netdev.device-exclude", opt_exclude);
    return r;
}

/* The 16 columns of /proc/net/dev, then what only netlink has. Legacy names
 * (node_exporter's default) first; --collector.netdev.enable-detailed-metrics
 * renames four of the procfs columns and gives netlink's own 24 counters. */
#define NF 16
#define NF_LEGACY 17
#define NF_DETAILED 24
#define NF_MAX 24
static const char *const legacy_fields[NF_LEGACY] = {
    "receive_bytes",    "receive_packets",  "receive_errs",       "receive_drop",
    "receive_fifo",     "receive_frame",    "receive_compressed", "receive_multicast",
    "transmit_bytes",   "transmit_packets", "transmit_errs",      "transmit_drop",
    "transmit_fifo",    "transmit_colls",   "transmit_carrier",   "transmit_compressed",
    "receive_nohandler"};
static const char *const proc_detailed_fields[NF] = {
    "receive_bytes",  "receive_packets",  "receive_errors",     "receive_dropped",
    "receive_fifo",   "receive_frame",    "receive_compressed", "receive_multicast",
    "transmit_bytes", "transmit_packets", "transmit_errors",    "transmit_dropped",
    "transmit_fifo",  "transmit_colls",   "transmit_carrier",   "transmit_compressed"};
static const char *const netlink_fields[NF_DETAILED] = {"receive_packets",
                                                        "transmit_packets",
                                                        "receive_bytes",
                                                        "transmit_bytes",
                                                        "receive_errors",
                                                        "transmit_errors",
                                                        "receive_dropped",
                                                        "transmit_dropped",
                                                        "multicast",
                                                        "collisions",
                                                        "receive_length_errors",
                                                        "receive_over_errors",
                                                        "receive_crc_errors",
                                                        "receive_frame_errors",
                                                        "receive_fifo_errors",
                                                        "receive_missed_errors",
                                                        "transmit_aborted_errors",
                                                        "transmit_carrier_errors",
                                                        "transmit_fifo_errors",
                                                        "transmit_heartbeat_errors",
                                                        "transmit_window_errors",
                                                        "receive_compressed",
                                                        "transmit_compressed",
                                                        "receive_nohandler"};

typedef struct iface {
    const char *name;
    double v[NF_MAX];
} iface;

static bool wanted(const char *name) {
    if (re_include.set && !node_regex_match(&re_include, name))
        return false;
    return !node_regex_match(&re_exclude, name);
}

static int emit_all(omx_emitter *e, const iface *ifs, size_t n, const char *const *fields,
                    int nfields) {
    static const char *const dev[] = {"device"};
    for (int k = 0; k < nfields; k++) {
        char name[64], help[80];
        omx_join(name, sizeof name, (const char *[]){"node_network_", fields[k], "_total"}, 3);
        omx_join(help, sizeof help, (const char *[]){"Network device statistic ", fields[k], "."},
                 3);
        int r = omx_emit_family(e, &(omx_desc){.name = name,
                                               .help = help,
                                               .type = OMX_COUNTER,
                                               .label_names = dev,
                                               .n_labels = 1});
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
    const char *name;
    struct rtnl_link_stats64 s;
    if (!node_link_stats(nh, &name, &s))
        return 0;
    if (!wanted(name))
        return 0;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        if (nc > 65536)
            return OMX_ELIMIT;
        iface *ni = realloc(c->ifs, nc * sizeof *ni);
        if (!ni)
            return OMX_ENOMEM;
        c->ifs = ni;
        char(*nn)[NODE_IFNAMSIZ + 1] = realloc(c->names, nc * sizeof *nn);
        if (!nn)
            return OMX_ENOMEM;
        c->names = nn;
        c->cap = nc;
    }
    snprintf(c->names[c->n], sizeof c->names[c->n], "%s", name);
    double *v = c->ifs[c->n].v;
    if (opt_detailed) { /* in netlink_fields' order */
        const uint64_t d[NF_DETAILED] = {
            s.rx_packets,        s.tx_packets,        s.rx_bytes,         s.tx_bytes,
            s.rx_errors,         s.tx_errors,         s.rx_dropped,       s.tx_dropped,
            s.multicast,         s.collisions,        s.rx_length_errors, s.rx_over_errors,
            s.rx_crc_errors,     s.rx_frame_errors,   s.rx_fifo_errors,   s.rx_missed_errors,
            s.tx_aborted_errors, s.tx_carrier_errors, s.tx_fifo_errors,   s.tx_heartbeat_errors,
            s.tx_window_errors,  s.rx_compressed,     s.tx_compressed,    s.rx_nohandler};
        for (int k = 0; k < NF_DETAILED; k++)
            v[k] = (double)d[k];
    } else { /* node_exporter's legacy(): some legacy counters sum detailed ones */
        v[0] = (double)s.rx_bytes;
        v[1] = (double)s.rx_packets;
        v[2] = (double)s.rx_errors;
        v[3] = (double)(s.rx_dropped + s.rx_missed_errors);
        v[4] = (double)s.rx_fifo_errors;
        v[5] =
            (double)(s.rx_frame_errors + s.rx_length_errors + s.rx_over_errors + s.rx_crc_errors);
        v[6] = (double)s.rx_compressed;
        v[7] = (double)s.multicast;
        v[8] = (double)s.tx_bytes;
        v[9] = (double)s.tx_packets;
        v[10] = (double)s.tx_errors;
        v[11] = (double)s.tx_dropped;
        v[12] = (double)s.tx_fifo_errors;
        v[13] = (double)s.collisions;
        v[14] = (double)(s.tx_carrier_errors + s.tx_aborted_errors + s.tx_heartbeat_errors +
                         s.tx_window_errors);
        v[15] = (double)s.tx_compressed;
        v[16] = (double)s.rx_nohandler;
    }
    c->n++;
    return 0;
}

/* RTM_GETLINK dump with IFLA_STATS64, as node_exporter 1.5 does by default. */
static int collect_netlink(omx_emitter *e) {
    link_ctx c = {0};
    int r = node_netlink_dump_links(link_msg, &c);
    if (r >= 0) {
        for (size_t i = 0; i < c.n; i++)
            c.ifs[i].name = c.names[i];
        /* node_exporter sorts nothing here either; order follows the kernel's ifindex */
        r = opt_detailed ? emit_all(e, c.ifs, c.n, netlink_fields, NF_DETAILED)
                         : emit_all(e, c.ifs, c.n, legacy_fields, NF_LEGACY);
    }
    free(c.ifs);
    free(c.names);
    return r;
}

static int collect_stats(omx_emitter *e, void *userdata) {
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
    r = emit_all(e, ifs, n, opt_detailed ? proc_detailed_fields : legacy_fields, NF);
out:
    free(ifs);
    free(data);
    return r;
}

/* ---- --collector.netdev.address-info: node_network_address_info ---- */

typedef struct link_name {
    int index;
    char name[NODE_IFNAMSIZ + 1];
} link_name;

typedef struct addr_entry {
    int index;
    unsigned prefix;
    const char *scope;
    char addr[INET6_ADDRSTRLEN];
} addr_entry;

typedef struct addr_ctx {
    link_name *links;
    size_t n_links, cap_links;
    addr_entry *addrs;
    size_t n_addrs, cap_addrs;
} addr_ctx;

/* Room for one more element of size sz in *v (n used of *cap). */
static int grow(void **v, size_t n, size_t *cap, size_t sz) {
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    if (nc > 65536)
        return OMX_ELIMIT;
    void *p = realloc(*v, nc * sz);
    if (!p)
        return OMX_ENOMEM;
    *v = p;
    *cap = nc;
    return 0;
}

static int name_msg(const struct nlmsghdr *nh, void *arg) {
    addr_ctx *c = arg;
    if (nh->nlmsg_type != RTM_NEWLINK)
        return 0;
    const struct ifinfomsg *ifi = NLMSG_DATA(nh);
    int alen = (int)IFLA_PAYLOAD(nh);
    for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        if (a->rta_type != IFLA_IFNAME || !RTA_PAYLOAD(a) ||
            !memchr(RTA_DATA(a), 0, RTA_PAYLOAD(a)) || strlen(RTA_DATA(a)) > NODE_IFNAMSIZ)
            continue;
        int r = grow((void **)&c->links, c->n_links, &c->cap_links, sizeof *c->links);
        if (r < 0)
            return r;
        link_name *l = &c->links[c->n_links++];
        l->index = ifi->ifi_index;
        snprintf(l->name, sizeof l->name, "%s", (const char *)RTA_DATA(a));
        break;
    }
    return 0;
}

/* Go's net.IP classification (IsLoopback, IsLinkLocal*, IsGlobalUnicast). */
static const char *scope_v4(const unsigned char *b) {
    if (b[0] == 127 || (b[0] == 169 && b[1] == 254) || (b[0] == 224 && !b[1] && !b[2]))
        return "link-local";
    bool unspecified = !(b[0] | b[1] | b[2] | b[3]);
    bool broadcast = (b[0] & b[1] & b[2] & b[3]) == 255;
    bool multicast = b[0] >= 224 && b[0] < 240;
    return unspecified || broadcast || multicast ? "" : "global";
}

static const char *scope_v6(const unsigned char *b) {
    static const unsigned char loopback[16] = {[15] = 1}, zero[16];
    if (!memcmp(b, loopback, 16) || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
        (b[0] == 0xff && (b[1] & 0x0f) == 0x02))
        return "link-local";
    if (b[0] == 0xff && (b[1] & 0x0f) == 0x01)
        return "interface-local";
    return !memcmp(b, zero, 16) || b[0] == 0xff ? "" : "global";
}

static int addr_msg(const struct nlmsghdr *nh, void *arg) {
    addr_ctx *c = arg;
    if (nh->nlmsg_type != RTM_NEWADDR)
        return 0;
    const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
    size_t want = ifa->ifa_family == AF_INET ? 4 : ifa->ifa_family == AF_INET6 ? 16 : 0;
    if (!want)
        return 0;
    int alen = (int)IFA_PAYLOAD(nh);
    const unsigned char *address = NULL, *local = NULL;
    for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        if (RTA_PAYLOAD(a) < want)
            continue;
        if (a->rta_type == IFA_ADDRESS && !address)
            address = RTA_DATA(a);
        else if (a->rta_type == IFA_LOCAL && !local)
            local = RTA_DATA(a);
    }
    /* a point-to-point address has its own end in IFA_LOCAL, the peer in IFA_ADDRESS */
    const unsigned char *ip = local ? local : address;
    if (!ip)
        return 0;
    int r = grow((void **)&c->addrs, c->n_addrs, &c->cap_addrs, sizeof *c->addrs);
    if (r < 0)
        return r;
    addr_entry *x = &c->addrs[c->n_addrs];
    static const unsigned char v4mapped[12] = {[10] = 0xff, [11] = 0xff};
    int family = ifa->ifa_family;
    if (family == AF_INET6 && !memcmp(ip, v4mapped, 12)) {
        ip += 12; /* Go prints and classifies these as IPv4 */
        family = AF_INET;
    }
    if (!inet_ntop(family, ip, x->addr, sizeof x->addr))
        return 0;
    x->index = ifa->ifa_index;
    x->prefix = ifa->ifa_prefixlen;
    x->scope = family == AF_INET ? scope_v4(ip) : scope_v6(ip);
    c->n_addrs++;
    return 0;
}

/* Every address of every device (not filtered by device-include/exclude, as in
 * node_exporter), devices in ifindex order, each one's addresses in the
 * kernel's order. */
static int collect_addresses(omx_emitter *e) {
    struct {
        struct nlmsghdr nh;
        struct ifaddrmsg ifa;
    } areq = {.nh = {.nlmsg_len = sizeof areq,
                     .nlmsg_type = RTM_GETADDR,
                     .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                     .nlmsg_seq = 1},
              .ifa = {.ifa_family = AF_UNSPEC}};
    addr_ctx c = {0};
    int r = node_netlink_dump_links(name_msg, &c);
    if (r >= 0)
        r = node_netlink_dump(NETLINK_ROUTE, &areq, sizeof areq, addr_msg, &c);
    /* in the order Go's registry prints them */
    static const char *const labels[] = {"address", "device", "netmask", "scope"};
    if (r >= 0)
        r = omx_emit_family(e, &(omx_desc){.name = "node_network_address_info",
                                           .help = "node network address by device",
                                           .type = OMX_GAUGE,
                                           .label_names = labels,
                                           .n_labels = 4});
    for (size_t i = 0; r >= 0 && i < c.n_links; i++)
        for (size_t k = 0; r >= 0 && k < c.n_addrs; k++) {
            if (c.addrs[k].index != c.links[i].index)
                continue;
            char mask[8];
            snprintf(mask, sizeof mask, "%u", c.addrs[k].prefix);
            const char *v[] = {c.addrs[k].addr, c.links[i].name, mask, c.addrs[k].scope};
            r = omx_emit_sample(e, v, 1);
        }
    free(c.links);
    free(c.addrs);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    int r = collect_stats(e, userdata);
    if (r >= 0 && opt_address_info)
        r = collect_addresses(e);
    return r;
}

const node_collector node_collector_netdev = {
    .name = "netdev",
    .enabled_by_default = true,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
