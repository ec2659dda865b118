/* netclass collector: network interface properties from /sys/class/net/<iface>;
 * with --collector.netclass.netlink and --collector.netclass_rtnl.with-stats
 * also each device's RTM_GETLINK statistics, as node_exporter's rtnl mode. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netlink_dump.h"
#include "pattern.h"
#include "sysfs_attr.h"
#include "sysfs_fdcache.h"
#include "util.h"

static const char *ignored_flag = "^$";
static bool ignore_invalid_speed;
static bool use_netlink, with_stats;
static node_regex ignored;

static int declare_flags(omx_app *app) {
    int r = omx_app_flag_string(app, "collector.netclass.ignored-devices", &ignored_flag,
                                "Regexp of net devices to ignore for netclass collector.");
    if (r == 0)
        r = omx_app_flag_bool(
            app, "collector.netclass.ignore-invalid-speed", &ignore_invalid_speed,
            "Ignore devices where the speed is invalid. This will be the default behavior in 2.x.");
    if (r == 0)
        r = omx_app_flag_bool(app, "collector.netclass.netlink", &use_netlink,
                              "Use netlink to gather stats instead of /proc/net/dev.");
    if (r == 0)
        r = omx_app_flag_bool(
            app, "collector.netclass_rtnl.with-stats", &with_stats,
            "Expose the statistics for each network device, replacing netdev collector.");
    return r;
}

static int setup(void) {
    return node_regex_compile(&ignored, "collector.netclass.ignored-devices", ignored_flag);
}

#define P(n) \
    { "node_network_" n, "Network device property: " n, OMX_GAUGE }
#define PC(n) \
    { "node_network_" n, "Network device property: " n, OMX_COUNTER }
static const hw_column cols[] = {
    P("address_assign_type"),
    P("carrier"),
    PC("carrier_changes_total"),
    PC("carrier_down_changes_total"),
    PC("carrier_up_changes_total"),
    P("device_id"),
    P("dormant"),
    P("flags"),
    P("iface_id"),
    P("iface_link"),
    P("iface_link_mode"),
    P("mtu_bytes"),
    P("name_assign_type"),
    P("net_dev_group"),
    P("protocol_type"),
    P("speed_bytes"),
    P("transmit_queue_length"),
    {"node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", OMX_GAUGE},
};
/* sysfs file for each column but the last (speed_bytes is index 15), then the
 * info labels' files (address, broadcast, duplex, ifalias, operstate). */
static const char *const files[] = {
    "addr_assign_type",
    "carrier",
    "carrier_changes",
    "carrier_down_count",
    "carrier_up_count",
    "dev_id",
    "dormant",
    "flags",
    "ifindex",
    "iflink",
    "link_mode",
    "mtu",
    "name_assign_type",
    "netdev_group",
    "type",
    "speed",
    "tx_queue_len",
    "address",
    "broadcast",
    "duplex",
    "ifalias",
    "operstate",
};
#define N_COLS (sizeof cols / sizeof cols[0])
#define N_FILES (sizeof files / sizeof files[0])
#define SPEED 15
/* info label i's file index (-1: the device name) */
static const int info_file[6] = {17, 18, -1, 19, 20, 21};

/* Open attribute fds of up to 32 devices, read again each scrape (22 fds each). */
static hw_fdcache fdcache = HW_FDCACHE_INIT(files, N_FILES, 32);

/* Where one device's attributes are read from this scrape. */
typedef struct dev_src {
    hw_fdcache_dev *cached; /* or, when not cached: */
    int dfd;                /* its directory, opened once (negative: not opened) */
    const char *dir;
} dev_src;

static int read_attr(dev_src *d, size_t i, char *buf, size_t size) {
    if (d->cached)
        return hw_fdcache_read(&fdcache, d->cached, d->dir, i, buf, size);
    if (d->dfd < 0 && (d->dfd = hw_dir_open(AT_FDCWD, d->dir)) < 0)
        return hw_attr_result(d->dfd, d->dir, files[i], buf);
    return hw_attr_str_at(d->dfd, d->dir, files[i], buf, size);
}
static const char *const dev_label[] = {"device"};
static const char *const info_labels[] = {"address", "broadcast", "device",
                                          "duplex",  "ifalias",   "operstate"};

/* sysfs numbers are decimal, some (dev_id, flags) hexadecimal with 0x. */
static int parse_num(const char *s, int64_t *ret) {
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s + 2, &end, 16);
        if (!s[2] || *end || errno || v > INT64_MAX)
            return -EINVAL;
        *ret = (int64_t)v;
        return 0;
    }
    return omx_parse_i64(s, ret);
}

typedef struct info {
    char v[6][256];
} info;

static int collect_sysfs(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], dir[NODE_PATH_MAX], buf[128];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "class/net");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &names)) < 0)
        return hw_fail("netclass", base, r);
    size_t n = 0;
    for (char **p = names; *p; p++)
        n++;
    info *infos = calloc(n ? n : 1, sizeof *infos);
    if (!infos) {
        omx_strv_free(names);
        return -ENOMEM;
    }
    hw_table t;
    hw_table_init(&t, cols, N_COLS, dev_label, 1);
    size_t ni = 0;
    pthread_mutex_lock(&fdcache.lock);
    for (char **p = names; *p && r >= 0; p++) {
        struct stat st;
        if (node_regex_match(&ignored, *p) ||
            node_sys_path(dir, sizeof dir, "class/net/%s", *p) < 0 || stat(dir, &st) < 0 ||
            !S_ISDIR(st.st_mode))
            continue; /* bonding_masters and other plain files */
        dev_src src = {
            .cached = hw_fdcache_get(&fdcache, *p, st.st_dev, st.st_ino), .dfd = -1, .dir = dir};
        double *row = hw_table_add(&t, (const char *const[]){*p});
        if (!row)
            r = -ENOMEM;
        for (size_t i = 0; i < N_COLS - 1 && r >= 0; i++) {
            int64_t v;
            r = read_attr(&src, i, buf, sizeof buf);
            if (r != 0)
                continue;
            if (parse_num(buf, &v) < 0) {
                r = hw_bad_value("netclass", dir, files[i], buf);
                break;
            }
            if (i == SPEED) {
                if (v < 0 && ignore_invalid_speed)
                    continue;
                row[i] = (double)v * 1000 * 1000 / 8;
            } else {
                row[i] = (double)v;
            }
        }
        info *in = &infos[ni];
        for (size_t i = 0; i < 6 && r >= 0; i++) {
            if (info_file[i] < 0) {
                snprintf(in->v[i], sizeof in->v[i], "%s", *p);
                continue;
            }
            r = read_attr(&src, (size_t)info_file[i], in->v[i], sizeof in->v[i]);
            if (r == 1) {
                in->v[i][0] = '\0';
                r = 0;
            }
            hw_utf8_clean(in->v[i]);
        }
        if (src.dfd >= 0)
            close(src.dfd);
        if (r < 0)
            break;
        ni++;
        row[N_COLS - 1] = !strcmp(in->v[5], "up");
    }
    hw_fdcache_sweep(&fdcache);
    pthread_mutex_unlock(&fdcache.lock);
    if (r >= 0)
        r = hw_table_emit(&t, e);
    if (r >= 0 && ni > 0)
        r = omx_emit_family(
            e,
            &(omx_desc){.name = "node_network_info",
                        .help = "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
                        .type = OMX_GAUGE,
                        .label_names = info_labels,
                        .n_labels = 6});
    for (size_t i = 0; i < ni && r >= 0; i++) {
        const info *in = &infos[i];
        r = omx_emit_sample(
            e, (const char *const[]){in->v[0], in->v[1], in->v[2], in->v[3], in->v[4], in->v[5]},
            1);
    }
    hw_table_free(&t);
    free(infos);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

/* ---- --collector.netclass_rtnl.with-stats ---- */

#define N_STATS 24
static const char *const stat_names[N_STATS] = {"collisions_total",
                                                "multicast_total",
                                                "receive_bytes_total",
                                                "receive_compressed_total",
                                                "receive_crc_errors_total",
                                                "receive_dropped_total",
                                                "receive_errors_total",
                                                "receive_fifo_errors_total",
                                                "receive_frame_errors_total",
                                                "receive_length_errors_total",
                                                "receive_missed_errors_total",
                                                "receive_nohandler_total",
                                                "receive_over_errors_total",
                                                "receive_packets_total",
                                                "transmit_aborted_errors_total",
                                                "transmit_bytes_total",
                                                "transmit_carrier_errors_total",
                                                "transmit_compressed_total",
                                                "transmit_dropped_total",
                                                "transmit_errors_total",
                                                "transmit_fifo_errors_total",
                                                "transmit_heartbeat_errors_total",
                                                "transmit_packets_total",
                                                "transmit_window_errors_total"};

typedef struct link_stats {
    char name[NODE_IFNAMSIZ + 1];
    double v[N_STATS];
} link_stats;

typedef struct stats_ctx {
    link_stats *v;
    size_t n, cap;
} stats_ctx;

static int stats_msg(const struct nlmsghdr *nh, void *arg) {
    stats_ctx *c = arg;
    const char *name;
    struct rtnl_link_stats64 s;
    if (!node_link_stats(nh, &name, &s))
        return 0;
    if (node_regex_match(&ignored, name))
        return 0;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        link_stats *nv = nc <= 65536 ? realloc(c->v, nc * sizeof *nv) : NULL;
        if (!nv)
            return nc > 65536 ? OMX_ELIMIT : OMX_ENOMEM;
        c->v = nv;
        c->cap = nc;
    }
    link_stats *l = &c->v[c->n++];
    snprintf(l->name, sizeof l->name, "%s", name);
    const uint64_t v[N_STATS] = {
        s.collisions,        s.multicast,           s.rx_bytes,          s.rx_compressed,
        s.rx_crc_errors,     s.rx_dropped,          s.rx_errors,         s.rx_fifo_errors,
        s.rx_frame_errors,   s.rx_length_errors,    s.rx_missed_errors,  s.rx_nohandler,
        s.rx_over_errors,    s.rx_packets,          s.tx_aborted_errors, s.tx_bytes,
        s.tx_carrier_errors, s.tx_compressed,       s.tx_dropped,        s.tx_errors,
        s.tx_fifo_errors,    s.tx_heartbeat_errors, s.tx_packets,        s.tx_window_errors};
    for (int k = 0; k < N_STATS; k++)
        l->v[k] = (double)v[k];
    return 0;
}

static int cmp_link(const void *a, const void *b) {
    return strcmp(((const link_stats *)a)->name, ((const link_stats *)b)->name);
}

/* node_exporter exports these as gauges named like netdev's counters. */
static int collect_stats(omx_emitter *e) {
    stats_ctx c = {0};
    int r = node_netlink_dump_links(stats_msg, &c);
    if (r >= 0 && c.n)
        qsort(c.v, c.n, sizeof *c.v, cmp_link);
    for (int k = 0; r >= 0 && c.n && k < N_STATS; k++) {
        char name[64], help[96];
        snprintf(name, sizeof name, "node_network_%s", stat_names[k]);
        snprintf(help, sizeof help, "Network device property: %s", stat_names[k]);
        r = omx_emit_family(e, &(omx_desc){.name = name,
                                           .help = help,
                                           .type = OMX_GAUGE,
                                           .label_names = dev_label,
                                           .n_labels = 1});
        for (size_t i = 0; r >= 0 && i < c.n; i++)
            r = omx_emit_sample(e, (const char *const[]){c.v[i].name}, c.v[i].v[k]);
    }
    free(c.v);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    int r = collect_sysfs(e, userdata);
    if (r >= 0 && use_netlink && with_stats)
        r = collect_stats(e);
    return r;
}

const node_collector node_collector_netclass = {
    .name = "netclass",
    .enabled_by_default = true,
    .declare_flags = declare_flags,
    .setup = setup,
    .collect = collect,
};
