/* arp: ARP table entries per device from <procfs>/net/arp. */
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "util.h"

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "net/arp")) < 0 ||
        (r = node_read_file(path, 16u << 20, &data, NULL)) < 0)
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
        if (node_split_fields(line, f, 8) != 6) {
            r = node_bad_input("arp", path, lineno, "expected 6 columns");
            goto out;
        }
        size_t i = 0;
        while (i < n && strcmp(dev[i], f[5]))
            i++;
        if (i == n)
            dev[n++] = f[5];
        cnt[i]++;
    }
    static const char *const labels[] = {"device"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_arp_entries", .help = "ARP entries by device",
                                            .type = OMX_GAUGE, .label_names = labels,
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
    .collect = collect,
};
