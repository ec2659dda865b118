/* ethtool collector (off by default): driver information, NIC statistics and
 * link capabilities through the SIOCETHTOOL ioctl, for the interfaces listed in
 * /sys/class/net. Names follow node_exporter: node_ethtool_<stat> with rx/tx
 * spelled received/transmitted, node_ethtool_info, and the pause and autonegotiate node_network_ gauges. */
#include <ctype.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pattern.h"
#include "sysfs_attr.h"
#include "util.h"

static const char *dev_include, *dev_exclude, *metrics_include = ".*";
static node_regex re_inc, re_exc, re_metrics;

static int declare_flags(omx_app *app) {
    int r = omx_app_flag_string(
        app, "collector.ethtool.device-include", &dev_include,
        "Regexp of ethtool devices to include (mutually exclusive to device-exclude).");
    if (r == 0)
        r = omx_app_flag_string(
            app, "collector.ethtool.device-exclude", &dev_exclude,
            "Regexp of ethtool devices to exclude (mutually exclusive to device-include).");
    if (r == 0)
        r = omx_app_flag_string(app, "collector.ethtool.metrics-include", &metrics_include,
                                "Regexp of ethtool stats to include.");
    return r;
}

static int setup(void) {
    if (dev_include && *dev_include && dev_exclude && *dev_exclude) {
        omx_log(OMX_LOG_ERROR, "device-include and device-exclude are mutually exclusive", "flag",
                "--collector.ethtool.device-include", NULL);
        return OMX_ECONFIG;
    }
    int r = node_regex_compile(&re_inc, "collector.ethtool.device-include", dev_include);
    if (r == 0)
        r = node_regex_compile(&re_exc, "collector.ethtool.device-exclude", dev_exclude);
    if (r == 0)
        r = node_regex_compile(&re_metrics, "collector.ethtool.metrics-include", metrics_include);
    return r;
}

/* node_exporter's SanitizeMetricName: trim '_', lower case, runs of other
 * characters (with surrounding '_') to one '_', then rx/tx words spelled out. */
static void sanitize(const char *in, char *out, size_t size) {
    char tmp[ETH_GSTRING_LEN + 1];
    size_t n = 0;
    const char *s = in, *end = in + strnlen(in, ETH_GSTRING_LEN);
    while (s < end && *s == '_')
        s++;
    while (end > s && end[-1] == '_')
        end--;
    for (; s < end && n < sizeof tmp - 1; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '_') {
            tmp[n++] = (char)tolower(c);
        } else {
            while (n > 0 && tmp[n - 1] == '_')
                n--;
            tmp[n++] = '_';
            while (s + 1 < end && (!(isalnum((unsigned char)s[1])) || s[1] == '_'))
                s++;
        }
    }
    tmp[n] = '\0';
    /* (^|_)rx(_|$) -> received, (^|_)tx(_|$) -> transmitted */
    size_t o = 0, consumed = (size_t)-1; /* index of a '_' a replacement used up */
    for (size_t i = 0; i < n && o + 1 < size;) {
        /* Go's ReplaceAll does not overlap matches: "tx_tx_x" -> "transmitted_tx_x" */
        bool start = i == 0 || (tmp[i - 1] == '_' && consumed != i - 1);
        bool word = start && i + 2 <= n && (tmp[i + 2] == '_' || tmp[i + 2] == '\0');
        const char *rep = NULL;
        if (word && !strncmp(tmp + i, "rx", 2))
            rep = "received";
        else if (word && !strncmp(tmp + i, "tx", 2))
            rep = "transmitted";
        if (rep) {
            size_t l = strlen(rep);
            if (o + l >= size)
                break;
            memcpy(out + o, rep, l);
            o += l;
            i += 2;
            if (i < n && tmp[i] == '_')
                consumed = i;
        } else {
            out[o++] = tmp[i++];
        }
    }
    out[o] = '\0';
}

static int ethtool_ioctl(int fd, const char *dev, void *data) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", dev);
    ifr.ifr_data = data;
    return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

typedef struct stat_rec {
    char metric[96], help[64], dev[IFNAMSIZ];
    double v;
    size_t seq;
} stat_rec;

static int cmp_stat(const void *a, const void *b) {
    const stat_rec *x = a, *y = b;
    int c = strcmp(x->metric, y->metric);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Appends the device's statistics to *recs. */
static int dev_stats(int fd, const char *dev, stat_rec **recs, size_t *n, size_t *cap) {
    /* ethtool_sset_info ends in a flexible array: one length for one set */
    struct ethtool_sset_info *ss = calloc(1, sizeof *ss + sizeof(uint32_t));
    if (!ss)
        return -ENOMEM;
    ss->cmd = ETHTOOL_GSSET_INFO;
    ss->sset_mask = 1ULL << ETH_SS_STATS;
    int r = ethtool_ioctl(fd, dev, ss);
    uint32_t count = r == 0 && (ss->sset_mask & (1ULL << ETH_SS_STATS)) ? ss->data[0] : 0;
    free(ss);
    if (count == 0)
        return 0; /* no statistics for this driver */
    if (count > 65536)
        return -E2BIG;
    struct ethtool_gstrings *str = calloc(1, sizeof *str + (size_t)count * ETH_GSTRING_LEN);
    struct ethtool_stats *st = calloc(1, sizeof *st + (size_t)count * sizeof(uint64_t));
    if (!str || !st) {
        free(str);
        free(st);
        return -ENOMEM;
    }
    str->cmd = ETHTOOL_GSTRINGS, str->string_set = ETH_SS_STATS, str->len = count;
    st->cmd = ETHTOOL_GSTATS, st->n_stats = count;
    if ((r = ethtool_ioctl(fd, dev, str)) == 0 && (r = ethtool_ioctl(fd, dev, st)) == 0) {
        uint32_t m = str->len < st->n_stats ? str->len : st->n_stats;
        for (uint32_t i = 0; i < m && r == 0; i++) {
            char raw[ETH_GSTRING_LEN + 1], name[80];
            memcpy(raw, str->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
            raw[ETH_GSTRING_LEN] = '\0';
            sanitize(raw, name, sizeof name);
            if (!name[0] || !node_regex_match(&re_metrics, name))
                continue;
            if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 128;
                stat_rec *nr = nc > 1000000 ? NULL : realloc(*recs, nc * sizeof *nr);
                if (!nr) {
                    r = -ENOMEM;
                    break;
                }
                *recs = nr;
                *cap = nc;
            }
            stat_rec *x = &(*recs)[*n];
            snprintf(x->metric, sizeof x->metric, "node_ethtool_%s", name);
            snprintf(x->help, sizeof x->help, "Network interface %s", raw);
            snprintf(x->dev, sizeof x->dev, "%s", dev);
            x->v = (double)st->data[i];
            x->seq = (*n)++;
        }
    }
    free(str);
    free(st);
    return r == -EOPNOTSUPP || r == -ENODEV ? 0 : r;
}

static const hw_column link_cols[] = {
    {"node_network_asymmetricpause_advertised",
     "If this port device offers asymmetric pause capability", OMX_GAUGE},
    {"node_network_asymmetricpause_supported",
     "If this port device supports asymmetric pause frames", OMX_GAUGE},
    {"node_network_autonegotiate", "If this port is using autonegotiate", OMX_GAUGE},
    {"node_network_autonegotiate_advertised", "If this port device offers autonegotiate",
     OMX_GAUGE},
    {"node_network_autonegotiate_supported", "If this port device supports autonegotiate",
     OMX_GAUGE},
    {"node_network_pause_advertised", "If this port device offers pause capability", OMX_GAUGE},
    {"node_network_pause_supported", "If this port device supports pause frames", OMX_GAUGE},
};
static const char *const dev_label[] = {"device"};
static const char *const info_labels[] = {
    "bus_info", "device", "driver", "expansion_rom_version", "firmware_version", "version"};

typedef struct info {
    char v[6][48];
} info;

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "class/net");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &names)) < 0)
        return hw_fail("ethtool", base, r);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        r = -errno;
        omx_strv_free(names);
        return hw_fail("ethtool", "socket", r);
    }
    size_t nn = 0, ni = 0, ns = 0, cap = 0;
    for (char **p = names; *p; p++)
        nn++;
    info *infos = calloc(nn ? nn : 1, sizeof *infos);
    stat_rec *stats = NULL;
    hw_table links;
    hw_table_init(&links, link_cols, 7, dev_label, 1);
    if (!infos)
        r = -ENOMEM;
    for (char **p = names; *p && r >= 0; p++) {
        if (strlen(*p) >= IFNAMSIZ || (re_inc.set && !node_regex_match(&re_inc, *p)) ||
            node_regex_match(&re_exc, *p))
            continue;
        struct ethtool_drvinfo di = {.cmd = ETHTOOL_GDRVINFO};
        if (ethtool_ioctl(fd, *p, &di) == 0) {
            info *in = &infos[ni++];
            snprintf(in->v[0], sizeof in->v[0], "%.*s", (int)sizeof di.bus_info, di.bus_info);
            snprintf(in->v[1], sizeof in->v[1], "%s", *p);
            snprintf(in->v[2], sizeof in->v[2], "%.*s", (int)sizeof di.driver, di.driver);
            snprintf(in->v[3], sizeof in->v[3], "%.*s", (int)sizeof di.erom_version,
                     di.erom_version);
            snprintf(in->v[4], sizeof in->v[4], "%.*s", (int)sizeof di.fw_version, di.fw_version);
            snprintf(in->v[5], sizeof in->v[5], "%.*s", (int)sizeof di.version, di.version);
            for (size_t k = 0; k < 6; k++)
                hw_utf8_clean(in->v[k]);
        }
        r = dev_stats(fd, *p, &stats, &ns, &cap);
        /* The legacy ETHTOOL_GSET is what node_exporter 1.5 reads link modes from. */
        struct ethtool_cmd cmd = {.cmd = ETHTOOL_GSET};
        if (r >= 0 && ethtool_ioctl(fd, *p, &cmd) == 0) {
            double *row = hw_table_add(&links, (const char *const[]){*p});
            if (!row) {
                r = -ENOMEM;
                break;
            }
            row[0] = !!(cmd.advertising & ADVERTISED_Asym_Pause);
            row[1] = !!(cmd.supported & SUPPORTED_Asym_Pause);
            row[2] = cmd.autoneg == AUTONEG_ENABLE;
            row[3] = !!(cmd.advertising & ADVERTISED_Autoneg);
            row[4] = !!(cmd.supported & SUPPORTED_Autoneg);
            row[5] = !!(cmd.advertising & ADVERTISED_Pause);
            row[6] = !!(cmd.supported & SUPPORTED_Pause);
        }
    }
    close(fd);
    if (r >= 0 && ni > 0)
        r = omx_emit_family(
            e,
            &(omx_desc){
                .name = "node_ethtool_info",
                .help = "A metric with a constant '1' value labeled by bus_info, device, driver, "
                        "expansion_rom_version, firmware_version, version.",
                .type = OMX_GAUGE,
                .label_names = info_labels,
                .n_labels = 6});
    for (size_t i = 0; i < ni && r >= 0; i++) {
        const info *in = &infos[i];
        r = omx_emit_sample(
            e, (const char *const[]){in->v[0], in->v[1], in->v[2], in->v[3], in->v[4], in->v[5]},
            1);
    }
    if (r >= 0) {
        qsort(stats, ns, sizeof *stats, cmp_stat);
        for (size_t i = 0; i < ns && r >= 0; i++) {
            if (i == 0 || strcmp(stats[i - 1].metric, stats[i].metric))
                r = omx_emit_family(e, &(omx_desc){.name = stats[i].metric,
                                                   .help = stats[i].help,
                                                   .type = OMX_UNKNOWN,
                                                   .label_names = dev_label,
                                                   .n_labels = 1});
            else if (!strcmp(stats[i - 1].dev, stats[i].dev))
                continue; /* two statistics of one device sanitized to one name */
            if (r >= 0)
                r = omx_emit_sample(e, (const char *const[]){stats[i].dev}, stats[i].v);
        }
    }
    if (r >= 0)
        r = hw_table_emit(&links, e);
    hw_table_free(&links);
    free(stats);
    free(infos);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_ethtool = {
    .name = "ethtool",
    .enabled_by_default = false,
    .declare_flags = declare_flags,
    .setup = setup,
    .collect = collect,
};
