/* processes: process/thread counts and states from <procfs>/<pid>/stat and
 * the kernel's pid_max / threads-max. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

/* States of /proc/<pid>/stat, field 3 (see proc(5)). */
static const char state_chars[] = "RSDZTtXxKWPI";

/* Reads state and thread count of one stat file; returns 0 or a negative errno. */
static int read_stat(const char *path, char *ret_state, uint64_t *ret_threads) {
    char buf[1024];
    int r = omx_read_line(path, buf, sizeof buf);
    if (r < 0)
        return r;
    /* comm may hold spaces and parentheses: the fields start after the last ')' */
    char *p = strrchr(buf, ')');
    char *f[24];
    if (!p || omx_split_fields(p + 1, f, 24) < 18 || strlen(f[0]) != 1)
        return -EINVAL;
    *ret_state = f[0][0];
    if (ret_threads)
        return omx_parse_u64(f[17], ret_threads);
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], **pids = NULL;
    uint64_t pid_max, threads_max;
    int r;
    if ((r = node_proc_path(path, sizeof path, "sys/kernel/pid_max")) < 0 ||
        (r = omx_read_u64(path, &pid_max)) < 0 ||
        (r = node_proc_path(path, sizeof path, "sys/kernel/threads-max")) < 0 ||
        (r = omx_read_u64(path, &threads_max)) < 0)
        return r;
    if ((r = node_proc_path(path, sizeof path, "%s", "")) < 0 ||
        (r = omx_list_dir(path, &pids)) < 0)
        return r;
    double pstate[sizeof state_chars] = {0}, tstate[sizeof state_chars] = {0};
    double npids = 0, nthreads = 0;
    for (char **d = pids; *d; d++) {
        uint64_t pid, threads;
        char st;
        if (omx_parse_u64(*d, &pid) < 0)
            continue;
        if (omx_emitter_expired(e)) {
            r = OMX_ETIMEOUT;
            goto out;
        }
        /* processes come and go: a vanished one is not an error */
        if (node_proc_path(path, sizeof path, "%s/stat", *d) < 0 ||
            read_stat(path, &st, &threads) < 0)
            continue;
        npids++;
        nthreads += (double)threads;
        const char *k = strchr(state_chars, st);
        if (k)
            pstate[k - state_chars]++;
        char **tasks = NULL;
        if (node_proc_path(path, sizeof path, "%s/task", *d) < 0 || omx_list_dir(path, &tasks) < 0)
            continue;
        for (char **t = tasks; *t; t++) {
            char ts;
            if (node_proc_path(path, sizeof path, "%s/task/%s/stat", *d, *t) < 0 ||
                read_stat(path, &ts, NULL) < 0)
                continue;
            if ((k = strchr(state_chars, ts)))
                tstate[k - state_chars]++;
        }
        omx_strv_free(tasks);
    }
    if ((r = omx_emit1(e, "node_processes_threads", "Allocated threads in system", OMX_GAUGE,
                       nthreads)) < 0 ||
        (r = omx_emit1(e, "node_processes_max_threads", "Limit of threads in the system", OMX_GAUGE,
                       (double)threads_max)) < 0 ||
        (r = omx_emit1(e, "node_processes_max_processes", "Number of max PIDs limit", OMX_GAUGE,
                       (double)pid_max)) < 0 ||
        (r = omx_emit1(e, "node_processes_pids", "Number of PIDs", OMX_GAUGE, npids)) < 0)
        goto out;
    static const char *const sl[] = {"state"}, *const tl[] = {"thread_state"};
    for (int pass = 0; pass < 2; pass++) {
        if ((r = omx_emit_family(e, &(omx_desc){.name = pass ? "node_processes_threads_state"
                                                             : "node_processes_state",
                                                .help = pass ? "Number of threads in each state."
                                                             : "Number of processes in each state.",
                                                .type = OMX_GAUGE,
                                                .label_names = pass ? tl : sl,
                                                .n_labels = 1})) < 0)
            goto out;
        const double *cnt = pass ? tstate : pstate;
        for (size_t k = 0; k < sizeof state_chars - 1; k++) {
            if (cnt[k] == 0)
                continue;
            char s[2] = {state_chars[k], 0};
            if ((r = omx_emit_sample(e, (const char *[]){s}, cnt[k])) < 0)
                goto out;
        }
    }
    r = 0;
out:
    omx_strv_free(pids);
    return r;
}

const node_collector node_collector_processes = {
    .name = "processes",
    .enabled_by_default = false,
    .collect = collect,
};
