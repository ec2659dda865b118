/* stat: boot time, context switches, forks, interrupts, runnable/blocked
 * processes from <procfs>/stat; softirq counts per vector with
 * --collector.stat.softirq. */
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

static bool opt_softirq;

static int declare(omx_app *app) {
    return omx_app_flag_bool(app, "collector.stat.softirq", &opt_softirq,
                             "Export softirq calculation metrics.");
}

/* The "softirq" line: the total, then the 10 vectors in the kernel's order. */
#define NSOFTIRQ 10
static const char *const softirq_vectors[NSOFTIRQ] = {
    "hi",           "timer",   "net_tx", "net_rx",  "block",
    "block_iopoll", "tasklet", "sched",  "hrtimer", "rcu"};
/* Emission order: by vector name, as node_exporter's output is sorted. */
static const int softirq_sorted[NSOFTIRQ] = {4, 5, 0, 8, 3, 2, 9, 7, 6, 1};

static int parse_softirq(char *line, double *v) {
    char *f[NSOFTIRQ + 3];
    if (omx_split_fields(line, f, NSOFTIRQ + 3) != NSOFTIRQ + 2)
        return -1;
    for (int k = 0; k < NSOFTIRQ; k++) {
        uint64_t x;
        if (omx_parse_u64(f[k + 2], &x) < 0)
            return -1;
        v[k] = (double)x;
    }
    return 0;
}

static int emit_softirq(omx_emitter *e, const double *v) {
    static const char *const labels[] = {"vector"};
    int r = omx_emit_family(e, &(omx_desc){.name = "node_softirqs_total",
                                           .help = "Number of softirq calls.",
                                           .type = OMX_COUNTER,
                                           .label_names = labels,
                                           .n_labels = 1});
    for (int i = 0; r >= 0 && i < NSOFTIRQ; i++) {
        int k = softirq_sorted[i];
        r = omx_emit_sample(e, &softirq_vectors[k], v[k]);
    }
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "stat")) < 0 ||
        (r = omx_read_file(path, 8u << 20, &data, NULL)) < 0)
        return r;
    enum { INTR, CTXT, BTIME, PROCS, RUNNING, BLOCKED, N };
    static const char *const keys[N] = {"intr",      "ctxt",          "btime",
                                        "processes", "procs_running", "procs_blocked"};
    double v[N], softirq[NSOFTIRQ];
    bool have[N] = {0}, have_softirq = false;
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (opt_softirq && !strncmp(line, "softirq ", 8)) {
            if (parse_softirq(line, softirq) < 0) {
                r = omx_bad_input("stat", path, lineno, "expected a total and 10 softirq counts");
                goto out;
            }
            have_softirq = true;
            continue;
        }
        char *f[3];
        /* intr has thousands of fields: only the first (the total) matters */
        if (omx_split_fields(line, f, 3) < 2)
            continue;
        for (int k = 0; k < N; k++) {
            if (strcmp(f[0], keys[k]))
                continue;
            uint64_t x;
            if (omx_parse_u64(f[1], &x) < 0) {
                r = omx_bad_input("stat", path, lineno, "bad number");
                goto out;
            }
            v[k] = (double)x;
            have[k] = true;
        }
    }
    for (int k = 0; k < N; k++)
        if (!have[k]) {
            r = omx_bad_input("stat", path, 0, "missing field");
            goto out;
        }
    if (opt_softirq && !have_softirq) {
        r = omx_bad_input("stat", path, 0, "no softirq line");
        goto out;
    }
    if ((r = omx_emit1(e, "node_intr_total", "Total number of interrupts serviced.", OMX_COUNTER,
                       v[INTR])) < 0 ||
        (r = omx_emit1(e, "node_context_switches_total", "Total number of context switches.",
                       OMX_COUNTER, v[CTXT])) < 0 ||
        (r = omx_emit1(e, "node_forks_total", "Total number of forks.", OMX_COUNTER, v[PROCS])) <
            0 ||
        (r = omx_emit1(e, "node_boot_time_seconds", "Node boot time, in unixtime.", OMX_GAUGE,
                       v[BTIME])) < 0 ||
        (r = omx_emit1(e, "node_procs_running", "Number of processes in runnable state.", OMX_GAUGE,
                       v[RUNNING])) < 0 ||
        (r = omx_emit1(e, "node_procs_blocked",
                       "Number of processes blocked waiting for I/O to complete.", OMX_GAUGE,
                       v[BLOCKED])) < 0)
        goto out;
    if (opt_softirq)
        r = emit_softirq(e, softirq);
out:
    free(data);
    return r;
}

const node_collector node_collector_stat = {
    .name = "stat",
    .enabled_by_default = true,
    .declare_flags = declare,
    .collect = collect,
};
