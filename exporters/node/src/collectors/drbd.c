/* drbd: DRBD 8 device state and I/O counters from <procfs>/drbd, read as
 * node_exporter does: whitespace-separated key:value words, "N:" starting device N. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

enum { NUMERIC, PAIR, CONNECTED };

static const struct field {
    const char *key, *name, *help;
    int kind;
    omx_type type;
    double multiplier; /* NUMERIC: KiB fields to bytes */
    const char *ok;    /* PAIR: the value that gives 1 */
} fields[] = {
    {"ns", "node_drbd_network_sent_bytes_total", "Total number of bytes sent via the network.",
     NUMERIC, OMX_COUNTER, 1024, NULL},
    /* node_exporter 1.5 does not scale nr (KiB too); kept for parity */
    {"nr", "node_drbd_network_received_bytes_total",
     "Total number of bytes received via the network.", NUMERIC, OMX_COUNTER, 1, NULL},
    {"dw", "node_drbd_disk_written_bytes_total", "Net data written on local hard disk; in bytes.",
     NUMERIC, OMX_COUNTER, 1024, NULL},
    {"dr", "node_drbd_disk_read_bytes_total", "Net data read from local hard disk; in bytes.",
     NUMERIC, OMX_COUNTER, 1024, NULL},
    {"al", "node_drbd_activitylog_writes_total",
     "Number of updates of the activity log area of the meta data.", NUMERIC, OMX_COUNTER, 1, NULL},
    {"bm", "node_drbd_bitmap_writes_total",
     "Number of updates of the bitmap area of the meta data.", NUMERIC, OMX_COUNTER, 1, NULL},
    {"lo", "node_drbd_local_pending", "Number of open requests to the local I/O sub-system.",
     NUMERIC, OMX_GAUGE, 1, NULL},
    {"pe", "node_drbd_remote_pending",
     "Number of requests sent to the peer, but that have not yet been answered by the latter.",
     NUMERIC, OMX_GAUGE, 1, NULL},
    {"ua", "node_drbd_remote_unacknowledged",
     "Number of requests received by the peer via the network connection, but that have not yet been answered.",
     NUMERIC, OMX_GAUGE, 1, NULL},
    {"ap", "node_drbd_application_pending",
     "Number of block I/O requests forwarded to DRBD, but not yet answered by DRBD.", NUMERIC,
     OMX_GAUGE, 1, NULL},
    {"ep", "node_drbd_epochs", "Number of Epochs currently on the fly.", NUMERIC, OMX_GAUGE, 1,
     NULL},
    {"oos", "node_drbd_out_of_sync_bytes", "Amount of data known to be out of sync; in bytes.",
     NUMERIC, OMX_GAUGE, 1024, NULL},
    {"ro", "node_drbd_node_role_is_primary",
     "Whether the role of the node is in the primary state.", PAIR, OMX_GAUGE, 1, "Primary"},
    {"ds", "node_drbd_disk_state_is_up_to_date", "Whether the disk of the node is up to date.",
     PAIR, OMX_GAUGE, 1, "UpToDate"},
    {"cs", "node_drbd_connected", "Whether DRBD is connected to the peer.", CONNECTED, OMX_GAUGE, 1,
     "Connected"},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

typedef struct sample {
    size_t field;
    char device[32];
    const char *node; /* PAIR only: "local" or "remote" */
    double value;
} sample;

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "drbd")) < 0)
        return r;
    if ((r = omx_read_file(path, 1u << 20, &data, NULL)) < 0) {
        if (r == -ENOENT)
            omx_log(OMX_LOG_DEBUG, "stats file does not exist, skipping", "collector", "drbd",
                    "file", path, NULL);
        return r;
    }
    size_t cap = 16, n = 0;
    sample *s = malloc(cap * sizeof *s);
    char device[32] = "unknown";
    if (!s) {
        r = OMX_ENOMEM;
        goto out;
    }
    /* everything is parsed before the first sample: a bad word emits nothing */
    char *save = NULL;
    for (char *w = strtok_r(data, " \t\n\r\v\f", &save); w;
         w = strtok_r(NULL, " \t\n\r\v\f", &save)) {
        char *colon = strchr(w, ':');
        if (!colon || strchr(colon + 1, ':'))
            continue;
        *colon = '\0';
        const char *key = w, *val = colon + 1;
        uint64_t id;
        if (!*val && omx_parse_u64(key, &id) == 0) {
            snprintf(device, sizeof device, "drbd%llu", (unsigned long long)id);
            continue;
        }
        size_t f = 0;
        while (f < NFIELDS && strcmp(fields[f].key, key))
            f++;
        if (f == NFIELDS)
            continue;
        if (n + 2 > cap) {
            sample *ns = realloc(s, 2 * cap * sizeof *s);
            if (!ns) {
                r = OMX_ENOMEM;
                goto out;
            }
            s = ns;
            cap *= 2;
        }
        sample *a = &s[n];
        a->field = f;
        memcpy(a->device, device, sizeof device);
        a->node = NULL;
        if (fields[f].kind == NUMERIC) {
            double v;
            if (omx_parse_double(val, &v) < 0 || v != v) {
                r = omx_bad_input("drbd", path, 0, "bad number in a key:value word");
                goto out;
            }
            a->value = v * fields[f].multiplier;
            n++;
        } else if (fields[f].kind == PAIR) {
            const char *slash = strchr(val, '/');
            if (!slash) {
                r = omx_bad_input("drbd", path, 0, "expected local/remote in a ro: or ds: word");
                goto out;
            }
            a->node = "local";
            a->value = (size_t)(slash - val) == strlen(fields[f].ok) &&
                       !strncmp(val, fields[f].ok, (size_t)(slash - val));
            /* a third part, as in a/b/c, is ignored as node_exporter does */
            const char *end = strchr(slash + 1, '/');
            size_t rlen = end ? (size_t)(end - slash - 1) : strlen(slash + 1);
            s[n + 1] = *a;
            s[n + 1].node = "remote";
            s[n + 1].value =
                rlen == strlen(fields[f].ok) && !strncmp(slash + 1, fields[f].ok, rlen);
            n += 2;
        } else {
            a->value = !strcmp(val, fields[f].ok);
            n++;
        }
    }
    static const char *const labels[] = {"device", "node"};
    for (size_t f = 0; f < NFIELDS; f++) {
        const omx_desc d = {.name = fields[f].name,
                            .help = fields[f].help,
                            .type = fields[f].type,
                            .label_names = labels,
                            .n_labels = fields[f].kind == PAIR ? 2 : 1};
        if ((r = omx_emit_family(e, &d)) < 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            if (s[i].field != f)
                continue;
            const char *lv[] = {s[i].device, s[i].node};
            if ((r = omx_emit_sample(e, lv, s[i].value)) < 0)
                goto out;
        }
    }
    r = 0;
out:
    free(s);
    free(data);
    return r;
}

const node_collector node_collector_drbd = {
    .name = "drbd",
    .enabled_by_default = false,
    .collect = collect,
};
