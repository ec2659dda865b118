/* netdev: per-interface counters from <procfs>/net/dev, filtered by
 * --collector.netdev.device-include / -exclude. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "pattern.h"
#include "util.h"

static const char *opt_include = "";
static const char *opt_exclude = "";
static node_regex re_include, re_exclude;

static int declare(omx_app *app) {
    int r = omx_app_flag_string(app, "collector.netdev.device-include", &opt_include,
                                "Regexp of net devices to include (mutually exclusive to device-exclude).");
    if (r == 0)
        r = omx_app_flag_string(app, "collector.netdev.device-exclude", &opt_exclude,
                                "Regexp of net devices to exclude (mutually exclusive to device-include).");
    return r;
}

static int setup(void) {
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

#define NF 16
static const char *const fields[NF] = {
    "receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo",
    "receive_frame", "receive_compressed", "receive_multicast", "transmit_bytes",
    "transmit_packets", "transmit_errs", "transmit_drop", "transmit_fifo", "transmit_colls",
    "transmit_carrier", "transmit_compressed"};

typedef struct iface {
    const char *name;
    double v[NF];
} iface;

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "net/dev")) < 0 ||
        (r = node_read_file(path, 16u << 20, &data, NULL)) < 0)
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
            r = node_bad_input("netdev", path, lineno, "no ':' after the device name");
            goto out;
        }
        *colon = '\0';
        char *name = line;
        while (*name == ' ')
            name++;
        char *f[NF + 1];
        if (!*name || node_split_fields(colon + 1, f, NF + 1) != NF) {
            r = node_bad_input("netdev", path, lineno, "expected 16 counters");
            goto out;
        }
        iface *x = &ifs[n];
        x->name = name;
        for (int k = 0; k < NF; k++) {
            uint64_t v;
            if (node_parse_u64(f[k], &v) < 0) {
                r = node_bad_input("netdev", path, lineno, "bad counter");
                goto out;
            }
            x->v[k] = (double)v;
        }
        if (re_include.set && !node_regex_match(&re_include, name))
            continue;
        if (node_regex_match(&re_exclude, name))
            continue;
        n++;
    }
    static const char *const dev[] = {"device"};
    for (int k = 0; k < NF; k++) {
        char name[64], help[80];
        snprintf(name, sizeof name, "node_network_%s_total", fields[k]);
        snprintf(help, sizeof help, "Network device statistic %s.", fields[k]);
        if ((r = omx_emit_family(e, &(omx_desc){.name = name, .help = help, .type = OMX_COUNTER,
                                                .label_names = dev, .n_labels = 1})) < 0)
            goto out;
        for (size_t i = 0; i < n; i++)
            if ((r = omx_emit_sample(e, &ifs[i].name, ifs[i].v[k])) < 0)
                goto out;
    }
    r = 0;
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
