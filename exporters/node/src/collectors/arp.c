/* arp: ARP table entries per device from <procfs>/net/arp. */
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "pattern.h"
#include "util.h"

static const char *opt_include = "";
static const char *opt_exclude = "";
static node_regex re_include, re_exclude;

static int declare(omx_app *app) {
    int r = omx_app_flag_string(
        app, "collector.arp.device-include", &opt_include,
        "Regexp of arp devices to include (mutually exclusive to device-exclude).");
    if (r == 0)
        r = omx_app_flag_string(
            app, "collector.arp.device-exclude", &opt_exclude,
            "Regexp of arp devices to exclude (mutually exclusive to device-include).");
    return r;
}

static int setup(void) {
    if (opt_include && *opt_include && opt_exclude && *opt_exclude) {
        omx_log(OMX_LOG_ERROR, "device-include and device-exclude are mutually exclusive", "flag",
                "--collector.arp.device-include", NULL);
        return OMX_ECONFIG;
    }
    int r = node_regex_compile(&re_include, "--collector.arp.device-include", opt_include);
    if (r == 0)
        r = node_regex_compile(&re_exclude, "--collector.arp.device-exclude", opt_exclude);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "net/arp")) < 0 ||
        (r = omx_read_file(path, 16u << 20, &data, NULL)) < 0)
        return r;
    size_t cap = 1;
    for (char *p = data; *p; p++)
        cap += *p == '\n';
    const char **dev = calloc(cap, sizeof *dev);
    double *cnt = calloc(cap, sizeof *cnt);
    size_t n = 0;
    if (!dev || !cnt) {
        r = OMX_ENOMEM;
        goto out;
    }
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (++lineno == 1)
            continue; /* header */
        char *f[8];
        if (omx_split_fields(line, f, 8) != 6) {
            r = omx_bad_input("arp", path, lineno, "expected 6 columns");
            goto out;
        }
        if ((re_include.set && !node_regex_match(&re_include, f[5])) ||
            node_regex_match(&re_exclude, f[5]))
            continue;
        size_t i = 0;
        while (i < n && strcmp(dev[i], f[5]))
            i++;
        if (i == n)
            dev[n++] = f[5];
        cnt[i]++;
    }
    static const char *const labels[] = {"device"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_arp_entries",
                                            .help = "ARP entries by device",
                                            .type = OMX_GAUGE,
                                            .label_names = labels,
                                            .n_labels = 1})) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((r = omx_emit_sample(e, &dev[i], cnt[i])) < 0)
            goto out;
    r = 0;
out:
    free(dev);
    free(cnt);
    free(data);
    return r;
}

const node_collector node_collector_arp = {
    .name = "arp",
    .enabled_by_default = true,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
