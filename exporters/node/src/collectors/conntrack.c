/* conntrack: netfilter connection tracking table size and per-CPU statistics
 * (<procfs>/sys/net/netfilter/nf_conntrack_{count,max}, <procfs>/net/stat/nf_conntrack). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

#define NSTAT 8
static const struct {
    const char *col, *name, *help;
} stat_cols[NSTAT] = {
    {"found", "node_nf_conntrack_stat_found", "Number of searched entries which were successful."},
    {"invalid", "node_nf_conntrack_stat_invalid",
     "Number of packets seen which can not be tracked."},
    {"ignore", "node_nf_conntrack_stat_ignore",
     "Number of packets seen which are already connected to a conntrack entry."},
    {"insert", "node_nf_conntrack_stat_insert", "Number of entries inserted into the list."},
    {"insert_failed", "node_nf_conntrack_stat_insert_failed",
     "Number of entries for which list insertion was attempted but failed."},
    {"drop", "node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure."},
    {"early_drop", "node_nf_conntrack_stat_early_drop",
     "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached."},
    {"search_restart", "node_nf_conntrack_stat_search_restart",
     "Number of conntrack table lookups which had to be restarted due to hashtable resizes."},
};

static int read_stats(double sums[NSTAT], bool *ret_have) {
    char path[NODE_PATH_MAX], *data;
    int r;
    *ret_have = false;
    if ((r = node_proc_path(path, sizeof path, "net/stat/nf_conntrack")) < 0)
        return r;
    if (omx_read_file(path, 4u << 20, &data, NULL) < 0)
        return 0;
    char *save = NULL, *hf[64];
    char *line = strtok_r(data, "\n", &save);
    size_t nh = line ? omx_split_fields(line, hf, 64) : 0;
    int col[NSTAT];
    for (int k = 0; k < NSTAT; k++) {
        col[k] = -1;
        sums[k] = 0;
        for (size_t i = 0; i < nh; i++)
            if (!strcmp(hf[i], stat_cols[k].col))
                col[k] = (int)i;
    }
    unsigned lineno = 1;
    r = 0;
    while ((line = strtok_r(NULL, "\n", &save))) {
        lineno++;
        char *f[64];
        if (omx_split_fields(line, f, 64) != nh) {
            r = omx_bad_input("conntrack", path, lineno, "row and header differ in length");
            break;
        }
        for (int k = 0; k < NSTAT; k++) {
            if (col[k] < 0)
                continue;
            char *end;
            errno = 0;
            unsigned long long v = strtoull(f[col[k]], &end, 16);
            if (*end || end == f[col[k]] || errno) {
                r = omx_bad_input("conntrack", path, lineno, "bad hex counter");
                goto out;
            }
            sums[k] += (double)v;
        }
    }
    *ret_have = r == 0;
out:
    free(data);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX];
    uint64_t count, max;
    int r;
    if ((r = node_proc_path(path, sizeof path, "sys/net/netfilter/nf_conntrack_count")) < 0 ||
        (r = omx_read_u64(path, &count)) < 0) {
        omx_log(OMX_LOG_DEBUG, "conntrack probably not loaded", "collector", "conntrack", NULL);
        return r;
    }
    if ((r = node_proc_path(path, sizeof path, "sys/net/netfilter/nf_conntrack_max")) < 0 ||
        (r = omx_read_u64(path, &max)) < 0)
        return r;
    double sums[NSTAT];
    bool have;
    if ((r = read_stats(sums, &have)) < 0)
        return r;
    if ((r = omx_emit1(e, "node_nf_conntrack_entries",
                       "Number of currently allocated flow entries for connection tracking.",
                       OMX_GAUGE, (double)count)) < 0 ||
        (r = omx_emit1(e, "node_nf_conntrack_entries_limit",
                       "Maximum size of connection tracking table.", OMX_GAUGE, (double)max)) < 0)
        return r;
    for (int k = 0; have && k < NSTAT; k++)
        if ((r = omx_emit1(e, stat_cols[k].name, stat_cols[k].help, OMX_GAUGE, sums[k])) < 0)
            return r;
    return 0;
}

const node_collector node_collector_conntrack = {
    .name = "conntrack",
    .enabled_by_default = true,
    .collect = collect,
};
