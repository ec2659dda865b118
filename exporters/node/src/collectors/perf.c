/* perf: per-CPU hardware and software event counts since start-up from
 * perf_event_open(2), and chosen tracepoints (--collector.perf.tracepoint). */
#include <errno.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exporter/emit.h>
#include "util.h"

#define MAX_CPUS 4096
#define MAX_TRACEPOINTS 64

static const char *opt_cpus = "";
static const char *const *opt_tracepoints;

static int declare(omx_app *app) {
    int r;
    if ((r = omx_app_flag_string(app, "collector.perf.cpus", &opt_cpus,
                                 "List of CPUs from which perf metrics should be collected")) < 0 ||
        (r = omx_app_flag_strings(app, "collector.perf.tracepoint", &opt_tracepoints,
                                  "perf tracepoint that should be collected")) < 0)
        return r;
    return 0;
}

typedef struct perf_event {
    uint32_t type;
    uint64_t config;
    char name[160], help[160];
} perf_event;

/* node_exporter 1.5's families. Its cache-event set is empty (the profiler
 * flags are and-ed together), so none of node_perf_cache_l1d_* and kin. */
static const struct {
    uint32_t type;
    uint64_t config;
    const char *name, *help;
} fixed_events[] = {
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "node_perf_cpucycles_total",
     "Number of CPU cycles (frequency scaled)"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, "node_perf_instructions_total",
     "Number of CPU instructions"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, "node_perf_branch_instructions_total",
     "Number of CPU branch instructions"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, "node_perf_branch_misses_total",
     "Number of CPU branch misses"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES, "node_perf_cache_refs_total",
     "Number of cache references (non frequency scaled)"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, "node_perf_cache_misses_total",
     "Number of cache misses"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES, "node_perf_ref_cpucycles_total",
     "Number of CPU cycles"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND,
     "node_perf_stalled_cycles_backend_total", "Number of stalled backend CPU cycles"},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND,
     "node_perf_stalled_cycles_frontend_total", "Number of stalled frontend CPU cycles"},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, "node_perf_page_faults_total",
     "Number of page faults"},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, "node_perf_context_switches_total",
     "Number of context switches"},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, "node_perf_cpu_migrations_total",
     "Number of CPU process migrations"},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN, "node_perf_minor_faults_total",
     "Number of minor page faults"},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ, "node_perf_major_faults_total",
     "Number of major page faults"},
};
#define N_FIXED (sizeof fixed_events / sizeof fixed_events[0])

/* Set up once before the first scrape, then only read. */
static perf_event events[N_FIXED + MAX_TRACEPOINTS];
static size_t n_events;
static int cpus[MAX_CPUS];
static size_t n_cpus;
static int *fds; /* n_events x n_cpus, -1 where the kernel refused */

/* "0-3,8,10-20:5" as node_exporter reads --collector.perf.cpus. */
static int parse_cpus(const char *s) {
    char buf[1024];
    if (strlen(s) >= sizeof buf)
        return -EINVAL;
    strcpy(buf, s);
    char *save = NULL;
    n_cpus = 0;
    for (char *part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        int64_t a, b, stride = 1;
        char *dash = strchr(part, '-');
        if (!dash) {
            if (omx_parse_i64(part, &a) < 0 || a < 0 || a >= MAX_CPUS || n_cpus == MAX_CPUS)
                return -EINVAL;
            cpus[n_cpus++] = (int)a;
            continue;
        }
        char *colon = strchr(part, ':');
        if (colon) {
            *colon = '\0';
            if (omx_parse_i64(colon + 1, &stride) < 0 || stride <= 0)
                return -EINVAL;
        }
        *dash = '\0';
        if (omx_parse_i64(part, &a) < 0 || omx_parse_i64(dash + 1, &b) < 0 || a < 0 ||
            b >= MAX_CPUS)
            return -EINVAL;
        for (int64_t c = a; c <= b; c += stride) {
            if (n_cpus == MAX_CPUS)
                return -EINVAL;
            cpus[n_cpus++] = (int)c;
        }
    }
    return n_cpus ? 0 : -EINVAL;
}

/* The id of tracepoint sub:ev from tracefs (either mount point). */
static int tracepoint_id(const char *sub, const char *ev, uint64_t *ret) {
    static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
    int r = -ENOENT;
    for (size_t i = 0; i < 2; i++) {
        char path[512];
        if (snprintf(path, sizeof path, "%s/events/%s/%s/id", roots[i], sub, ev) >=
            (int)sizeof path)
            return -ENAMETOOLONG;
        if ((r = omx_read_u64(path, ret)) == 0)
            return 0;
    }
    return r;
}

static int add_tracepoint(const char *arg) {
    const char *colon = strchr(arg, ':');
    if (!colon || strchr(colon + 1, ':') || n_events == N_FIXED + MAX_TRACEPOINTS) {
        omx_log(OMX_LOG_ERROR, "invalid tracepoint config", "collector", "perf", "tracepoint", arg,
                NULL);
        return OMX_ECONFIG;
    }
    char sub[64], ev[96];
    size_t sl = (size_t)(colon - arg);
    if (sl >= sizeof sub || strlen(colon + 1) >= sizeof ev) {
        omx_log(OMX_LOG_ERROR, "invalid tracepoint config", "collector", "perf", "tracepoint", arg,
                NULL);
        return OMX_ECONFIG;
    }
    memcpy(sub, arg, sl);
    sub[sl] = '\0';
    strcpy(ev, colon + 1);
    perf_event *pe = &events[n_events];
    int r = tracepoint_id(sub, ev, &pe->config);
    if (r < 0) {
        omx_log(OMX_LOG_ERROR, "cannot find the tracepoint in tracefs", "collector", "perf",
                "tracepoint", arg, "err", strerror(-r), NULL);
        return OMX_ECONFIG;
    }
    pe->type = PERF_TYPE_TRACEPOINT;
    snprintf(pe->name, sizeof pe->name, "node_perf_%s_%s", sub, ev);
    snprintf(pe->help, sizeof pe->help, "Perf tracepoint %s", arg);
    n_events++;
    return 0;
}

static int open_event(const perf_event *pe, int cpu) {
    struct perf_event_attr attr = {
        .type = pe->type,
        .size = sizeof attr,
        .config = pe->config,
        .read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING,
        .sample_type = PERF_SAMPLE_IDENTIFIER,
        .disabled = 1,
        .inherit = 1,
        .exclude_hv = 1,
    };
    int fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
        int r = -errno;
        close(fd);
        return r;
    }
    return fd;
}

static int setup(void) {
    int r;
    if (opt_cpus[0]) {
        if (parse_cpus(opt_cpus) < 0) {
            omx_log(OMX_LOG_ERROR, "invalid flag value", "flag", "--collector.perf.cpus", "value",
                    opt_cpus, NULL);
            return OMX_ECONFIG;
        }
    } else {
        /* every CPU this process may run on, as Go's runtime.NumCPU counts them */
        cpu_set_t set;
        int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
        for (n_cpus = 0; n_cpus < (size_t)n && n_cpus < MAX_CPUS; n_cpus++)
            cpus[n_cpus] = (int)n_cpus;
    }
    for (size_t i = 0; i < N_FIXED; i++) {
        events[i].type = fixed_events[i].type;
        events[i].config = fixed_events[i].config;
        snprintf(events[i].name, sizeof events[i].name, "%s", fixed_events[i].name);
        snprintf(events[i].help, sizeof events[i].help, "%s", fixed_events[i].help);
    }
    n_events = N_FIXED;
    for (size_t i = 0; opt_tracepoints && opt_tracepoints[i]; i++)
        if ((r = add_tracepoint(opt_tracepoints[i])) < 0)
            return r;
    if (!(fds = malloc(n_events * n_cpus * sizeof *fds)))
        return OMX_ENOMEM;
    size_t opened = 0;
    int first_err = 0;
    for (size_t e = 0; e < n_events; e++)
        for (size_t c = 0; c < n_cpus; c++) {
            int fd = open_event(&events[e], cpus[c]);
            fds[e * n_cpus + c] = fd < 0 ? -1 : fd;
            if (fd >= 0)
                opened++;
            else if (!first_err || (first_err == -ENOENT && fd != -ENOENT))
                first_err = fd;
            /* a chosen tracepoint that cannot be opened is a configuration error */
            if (fd < 0 && events[e].type == PERF_TYPE_TRACEPOINT) {
                omx_log(OMX_LOG_ERROR, "cannot open the perf tracepoint", "collector", "perf",
                        "tracepoint", events[e].help + 16, "err", strerror(-fd), NULL);
                return OMX_ECONFIG;
            }
        }
    if (opened == 0) {
        char paranoid[32] = "unknown";
        omx_read_line("/proc/sys/kernel/perf_event_paranoid", paranoid, sizeof paranoid);
        omx_log(
            OMX_LOG_WARN,
            first_err == -EACCES || first_err == -EPERM
                ? "the kernel refuses perf events (see kernel.perf_event_paranoid; CPU-wide events need CAP_PERFMON or a value <= 0): no node_perf_* metrics"
                : "no perf event could be opened: no node_perf_* metrics",
            "collector", "perf", "err", strerror(-first_err), "perf_event_paranoid", paranoid,
            NULL);
    } else if (first_err) {
        omx_log(OMX_LOG_DEBUG, "some perf events are not available and are left out", "collector",
                "perf", "err", strerror(-first_err), NULL);
    }
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    static const char *const labels[] = {"cpu"};
    int r;
    for (size_t ev = 0; fds && ev < n_events; ev++) {
        const omx_desc d = {.name = events[ev].name,
                            .help = events[ev].help,
                            .type = OMX_COUNTER,
                            .label_names = labels,
                            .n_labels = 1};
        if ((r = omx_emit_family(e, &d)) < 0)
            return r;
        for (size_t c = 0; c < n_cpus; c++) {
            int fd = fds[ev * n_cpus + c];
            uint64_t v[3];
            /* an event the kernel refused, or one that cannot be read now, is left out */
            if (fd < 0 || read(fd, v, sizeof v) != (ssize_t)sizeof v)
                continue;
            char cpu[16];
            snprintf(cpu, sizeof cpu, "%d", cpus[c]);
            const char *lv[] = {cpu};
            if ((r = omx_emit_sample(e, lv, (double)v[0])) < 0)
                return r;
        }
    }
    return 0;
}

const node_collector node_collector_perf = {
    .name = "perf",
    .enabled_by_default = false,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
