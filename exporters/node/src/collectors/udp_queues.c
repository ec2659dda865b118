/* udp_queues: bytes queued in UDP sockets, summed from <procfs>/net/udp and udp6. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "util.h"

static int sum_file(const char *rel, double *tx, double *rx, bool *present) {
    char path[NODE_PATH_MAX], *data;
    int r;
    *present = false;
    if ((r = node_proc_path(path, sizeof path, "%s", rel)) < 0)
        return r;
    if (node_read_file(path, 64u << 20, &data, NULL) < 0)
        return 0;
    *present = true;
    *tx = *rx = 0;
    char *save = NULL;
    unsigned lineno = 0;
    r = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (++lineno == 1)
            continue;
        char *f[6];
        char *colon;
        if (node_split_fields(line, f, 6) < 5 || !(colon = strchr(f[4], ':'))) {
            r = node_bad_input("udp_queues", path, lineno, "no tx_queue:rx_queue column");
            break;
        }
        *colon = '\0';
        char *e1, *e2;
        errno = 0;
        unsigned long long t = strtoull(f[4], &e1, 16), x = strtoull(colon + 1, &e2, 16);
        if (*e1 || *e2 || e1 == f[4] || e2 == colon + 1 || errno) {
            r = node_bad_input("udp_queues", path, lineno, "bad hex queue length");
            break;
        }
        *tx += (double)t;
        *rx += (double)x;
    }
    free(data);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    double tx4, rx4, tx6, rx6;
    bool have4, have6;
    int r;
    if ((r = sum_file("net/udp", &tx4, &rx4, &have4)) < 0 ||
        (r = sum_file("net/udp6", &tx6, &rx6, &have6)) < 0)
        return r;
    if (!have4 && !have6)
        return OMX_ENOENT;
    static const char *const labels[] = {"ip", "queue"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_udp_queues",
                                            .help = "Number of allocated memory in the kernel for UDP datagrams in bytes.",
                                            .type = OMX_GAUGE, .label_names = labels,
                                            .n_labels = 2})) < 0)
        return r;
    if (have4 && ((r = omx_emit_sample(e, (const char *[]){"v4", "tx"}, tx4)) < 0 ||
                  (r = omx_emit_sample(e, (const char *[]){"v4", "rx"}, rx4)) < 0))
        return r;
    if (have6 && ((r = omx_emit_sample(e, (const char *[]){"v6", "tx"}, tx6)) < 0 ||
                  (r = omx_emit_sample(e, (const char *[]){"v6", "rx"}, rx6)) < 0))
        return r;
    return 0;
}

const node_collector node_collector_udp_queues = {
    .name = "udp_queues",
    .enabled_by_default = true,
    .collect = collect,
};
