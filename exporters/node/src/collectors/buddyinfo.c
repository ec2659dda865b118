/* buddyinfo: free blocks per order of every zone from <procfs>/buddyinfo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

#define MAX_ORDERS 32

typedef struct zone_row {
    const char *node, *zone;
    uint64_t blocks[MAX_ORDERS];
} zone_row;

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "buddyinfo")) < 0 ||
        (r = omx_read_file(path, 1u << 20, &data, NULL)) < 0)
        return r;
    size_t nlines = 1;
    for (const char *p = data; *p; p++)
        nlines += *p == '\n';
    zone_row *rows = calloc(nlines, sizeof *rows);
    if (!rows) {
        free(data);
        return OMX_ENOMEM;
    }
    /* the whole file is parsed before the first sample: a bad file emits nothing */
    size_t n = 0, orders = 0;
    unsigned lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[MAX_ORDERS + 5];
        size_t nf = omx_split_fields(line, f, MAX_ORDERS + 5);
        size_t nodelen = nf > 1 ? strlen(f[1]) : 0;
        if (nf < 5 || nf > MAX_ORDERS + 4 || strcmp(f[0], "Node") || nodelen < 2 ||
            f[1][nodelen - 1] != ',' || strcmp(f[2], "zone")) {
            r = omx_bad_input("buddyinfo", path, lineno, "expected 'Node N, zone NAME counts...'");
            goto out;
        }
        if (orders && nf - 4 != orders) {
            r = omx_bad_input("buddyinfo", path, lineno, "number of orders differs between lines");
            goto out;
        }
        orders = nf - 4;
        f[1][nodelen - 1] = '\0';
        rows[n].node = f[1];
        rows[n].zone = f[3];
        for (size_t i = 0; i < orders; i++)
            if (omx_parse_u64(f[i + 4], &rows[n].blocks[i]) < 0) {
                r = omx_bad_input("buddyinfo", path, lineno, "bad block count");
                goto out;
            }
        n++;
    }
    static const char *const labels[] = {"node", "zone", "size"};
    const omx_desc d = {.name = "node_buddyinfo_blocks",
                        .help = "Count of free blocks according to size.",
                        .type = OMX_GAUGE,
                        .label_names = labels,
                        .n_labels = 3};
    if ((r = omx_emit_family(e, &d)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        for (size_t o = 0; o < orders; o++) {
            char size[8];
            snprintf(size, sizeof size, "%zu", o);
            const char *v[] = {rows[i].node, rows[i].zone, size};
            if ((r = omx_emit_sample(e, v, (double)rows[i].blocks[o])) < 0)
                goto out;
        }
    r = 0;
out:
    free(rows);
    free(data);
    return r;
}

const node_collector node_collector_buddyinfo = {
    .name = "buddyinfo",
    .enabled_by_default = false,
    .collect = collect,
};
