/* fibrechannel collector: FC host statistics and attributes from /sys/class/fc_host/<host>. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

static const hw_column cols[] = {
    {"node_fibrechannel_dumped_frames_total", "Number of dumped frames", OMX_COUNTER},
    {"node_fibrechannel_error_frames_total", "Number of errors in frames", OMX_COUNTER},
    {"node_fibrechannel_fcp_packet_aborts_total", "Number of aborted packets", OMX_COUNTER},
    {"node_fibrechannel_invalid_crc_total", "Invalid Cyclic Redundancy Check count", OMX_COUNTER},
    {"node_fibrechannel_invalid_tx_words_total", "Number of invalid words transmitted by host port",
     OMX_COUNTER},
    {"node_fibrechannel_link_failure_total", "Number of times the host port link has failed",
     OMX_COUNTER},
    {"node_fibrechannel_loss_of_signal_total", "Number of times signal has been lost", OMX_COUNTER},
    {"node_fibrechannel_loss_of_sync_total",
     "Number of failures on either bit or transmission word boundaries", OMX_COUNTER},
    {"node_fibrechannel_nos_total",
     "Number Not_Operational Primitive Sequence received by host port", OMX_COUNTER},
    {"node_fibrechannel_rx_frames_total", "Number of frames received", OMX_COUNTER},
    {"node_fibrechannel_rx_words_total", "Number of words received by host port", OMX_COUNTER},
    {"node_fibrechannel_seconds_since_last_reset_total",
     "Number of seconds since last host port reset", OMX_COUNTER},
    {"node_fibrechannel_tx_frames_total", "Number of frames transmitted by host port", OMX_COUNTER},
    {"node_fibrechannel_tx_words_total", "Number of words transmitted by host port", OMX_COUNTER},
};
static const char *const files[] = {
    "dumped_frames",
    "error_frames",
    "fcp_packet_aborts",
    "invalid_crc_count",
    "invalid_tx_word_count",
    "link_failure_count",
    "loss_of_signal_count",
    "loss_of_sync_count",
    "nos_count",
    "rx_frames",
    "rx_words",
    "seconds_since_last_reset",
    "tx_frames",
    "tx_words",
};
#define N_COLS (sizeof cols / sizeof cols[0])
static const char *const labels[] = {"fc_host"};
/* Info labels (sorted) and their files; hex identifiers lose their 0x. */
static const char *const info_labels[] = {
    "dev_loss_tmo",      "fabric_name",      "fc_host",       "port_id",
    "port_name",         "port_state",       "port_type",     "speed",
    "supported_classes", "supported_speeds", "symbolic_name",
};
#define N_INFO (sizeof info_labels / sizeof info_labels[0])

typedef struct host {
    char v[N_INFO][256];
} host;

/* Statistics are hexadecimal ("0x1f"); all-ones means "not supported" (left out). */
static int parse_hex(const char *s, uint64_t *ret) {
    if (strncmp(s, "0x", 2) || !s[2] || strlen(s) > 18)
        return -EINVAL;
    char *end;
    unsigned long long v = strtoull(s + 2, &end, 16);
    if (*end)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], dir[NODE_PATH_MAX], sdir[NODE_PATH_MAX], buf[64];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "class/fc_host");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &names)) < 0)
        return hw_fail("fibrechannel", base, r); /* no FC HBA: node_exporter's ErrNoData */
    size_t n = 0;
    for (char **p = names; *p; p++)
        n++;
    host *hosts = calloc(n ? n : 1, sizeof *hosts);
    if (!hosts) {
        omx_strv_free(names);
        return -ENOMEM;
    }
    hw_table t;
    hw_table_init(&t, cols, N_COLS, labels, 1);
    size_t nh = 0;
    for (char **p = names; *p && r >= 0; p++) {
        if ((r = node_sys_path(dir, sizeof dir, "class/fc_host/%s", *p)) < 0 ||
            (r = node_sys_path(sdir, sizeof sdir, "class/fc_host/%s/statistics", *p)) < 0)
            break;
        double *row = hw_table_add(&t, (const char *const[]){*p});
        if (!row) {
            r = -ENOMEM;
            break;
        }
        for (size_t i = 0; i < N_COLS && r >= 0; i++) {
            uint64_t v;
            r = hw_attr_str(sdir, files[i], buf, sizeof buf);
            if (r != 0)
                continue;
            if (parse_hex(buf, &v) < 0) {
                r = hw_bad_value("fibrechannel", sdir, files[i], buf);
            } else if (v != UINT64_MAX) {
                row[i] = (double)v;
            }
        }
        host *h = &hosts[nh++];
        for (size_t i = 0; i < N_INFO && r >= 0; i++) {
            if (!strcmp(info_labels[i], "fc_host")) {
                snprintf(h->v[i], sizeof h->v[i], "%s", *p);
                continue;
            }
            r = hw_attr_str(dir, info_labels[i], h->v[i], sizeof h->v[i]);
            if (r == 1)
                h->v[i][0] = '\0';
            if (r >= 0)
                r = 0;
            hw_utf8_clean(h->v[i]);
            if (!strncmp(h->v[i], "0x", 2) && i <= 4)
                memmove(h->v[i], h->v[i] + 2, strlen(h->v[i] + 2) + 1);
        }
    }
    if (r >= 0)
        r = hw_table_emit(&t, e);
    if (r >= 0 && nh > 0)
        r = omx_emit_family(
            e, &(omx_desc){
                   .name = "node_fibrechannel_info",
                   .help = "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
                   .type = OMX_GAUGE,
                   .label_names = info_labels,
                   .n_labels = N_INFO});
    for (size_t k = 0; k < nh && r >= 0; k++) {
        const char *v[N_INFO];
        for (size_t i = 0; i < N_INFO; i++)
            v[i] = hosts[k].v[i];
        r = omx_emit_sample(e, v, 1);
    }
    hw_table_free(&t);
    free(hosts);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_fibrechannel = {
    .name = "fibrechannel",
    .enabled_by_default = true,
    .collect = collect,
};
