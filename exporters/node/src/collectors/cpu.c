/* cpu: per-CPU time from <procfs>/stat (node_cpu_seconds_total, node_cpu_guest_seconds_total),
 * thermal throttle counts from sysfs and, with --collector.cpu.info, node_cpu_info. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exporter/emit.h>
#include "pattern.h"
#include "util.h"

#define STAT_MAX (8u << 20)

static bool opt_guest = true;
static bool opt_info = false;
static const char *opt_flags_include = "";
static const char *opt_bugs_include = "";
static node_regex re_flags, re_bugs;

static int declare(omx_app *app) {
    int r = omx_app_flag_bool(app, "collector.cpu.guest", &opt_guest,
                              "Enables metric node_cpu_guest_seconds_total");
    if (r == 0)
        r = omx_app_flag_bool(app, "collector.cpu.info", &opt_info, "Enables metric cpu_info");
    if (r == 0)
        r = omx_app_flag_string(
            app, "collector.cpu.info.flags-include", &opt_flags_include,
            "Filter the `flags` field in cpuInfo with a value that must be a regular expression");
    if (r == 0)
        r = omx_app_flag_string(
            app, "collector.cpu.info.bugs-include", &opt_bugs_include,
            "Filter the `bugs` field in cpuInfo with a value that must be a regular expression");
    return r;
}

static int setup(void) {
    int r = node_regex_compile(&re_flags, "--collector.cpu.info.flags-include", opt_flags_include);
    if (r == 0)
        r = node_regex_compile(&re_bugs, "--collector.cpu.info.bugs-include", opt_bugs_include);
    if (r == 0 && (re_flags.set || re_bugs.set) && !opt_info) {
        omx_log(OMX_LOG_ERROR, "needs --collector.cpu.info", "flag",
                re_flags.set ? "--collector.cpu.info.flags-include"
                             : "--collector.cpu.info.bugs-include",
                NULL);
        r = OMX_ECONFIG;
    }
    return r;
}

/* node_cpu_flag_info / node_cpu_bug_info: the first core's words matching re. */
static int emit_words(omx_emitter *e, const char *name, const char *help, const char *label,
                      char *words, const node_regex *re) {
    if (!re->set || !words)
        return 0;
    const char *labels[] = {label};
    int r = omx_emit_family(
        e,
        &(omx_desc){
            .name = name, .help = help, .type = OMX_GAUGE, .label_names = labels, .n_labels = 1});
    char *save = NULL;
    for (char *w = strtok_r(words, " \t", &save); r >= 0 && w; w = strtok_r(NULL, " \t", &save))
        if (node_regex_match(re, w))
            r = omx_emit_sample(e, (const char *[]){w}, 1);
    return r;
}

typedef struct cpu_times {
    char id[16];
    double v[10]; /* user nice system idle iowait irq softirq steal guest guest_nice */
    int n;
} cpu_times;

static const char *const modes[8] = {"user",   "nice", "system",  "idle",
                                     "iowait", "irq",  "softirq", "steal"};

static int emit_throttles(omx_emitter *e, const cpu_times *cpus, size_t n) {
    /* per core and per package, as thermal_throttle reports them (x86 only) */
    char path[NODE_PATH_MAX];
    static const char *const core_labels[] = {"core", "package"};
    static const char *const pkg_labels[] = {"package"};
    int r;
    bool any = false;
    for (size_t i = 0; i < n && !any; i++) {
        node_sys_path(path, sizeof path, "devices/system/cpu/cpu%s/thermal_throttle", cpus[i].id);
        any = access(path, F_OK) == 0;
    }
    if (!any)
        return 0;
    /* core_throttles are per (package, core): report each pair once */
    char seen[1024][24];
    size_t nseen = 0;
    if ((r = omx_emit_family(
             e, &(omx_desc){.name = "node_cpu_core_throttles_total",
                            .help = "Number of times this CPU core has been throttled.",
                            .type = OMX_COUNTER,
                            .label_names = core_labels,
                            .n_labels = 2})) < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        int64_t core, pkg;
        uint64_t cnt;
        if (node_sys_path(path, sizeof path, "devices/system/cpu/cpu%s/topology/core_id",
                          cpus[i].id) < 0 ||
            omx_read_i64(path, &core) < 0)
            continue;
        if (node_sys_path(path, sizeof path,
                          "devices/system/cpu/cpu%s/topology/physical_package_id",
                          cpus[i].id) < 0 ||
            omx_read_i64(path, &pkg) < 0)
            continue;
        char key[24];
        snprintf(key, sizeof key, "%lld:%lld", (long long)pkg, (long long)core);
        bool dup = false;
        for (size_t k = 0; k < nseen && !dup; k++)
            dup = !strcmp(seen[k], key);
        if (dup || nseen == 1024)
            continue;
        strcpy(seen[nseen++], key);
        if (node_sys_path(path, sizeof path,
                          "devices/system/cpu/cpu%s/thermal_throttle/core_throttle_count",
                          cpus[i].id) < 0 ||
            omx_read_u64(path, &cnt) < 0)
            continue;
        char cs[24], ps[24];
        snprintf(cs, sizeof cs, "%lld", (long long)core);
        snprintf(ps, sizeof ps, "%lld", (long long)pkg);
        if ((r = omx_emit_sample(e, (const char *[]){cs, ps}, (double)cnt)) < 0)
            return r;
    }
    if ((r = omx_emit_family(
             e, &(omx_desc){.name = "node_cpu_package_throttles_total",
                            .help = "Number of times this CPU package has been throttled.",
                            .type = OMX_COUNTER,
                            .label_names = pkg_labels,
                            .n_labels = 1})) < 0)
        return r;
    nseen = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t pkg;
        uint64_t cnt;
        if (node_sys_path(path, sizeof path,
                          "devices/system/cpu/cpu%s/topology/physical_package_id",
                          cpus[i].id) < 0 ||
            omx_read_i64(path, &pkg) < 0)
            continue;
        char ps[24];
        snprintf(ps, sizeof ps, "%lld", (long long)pkg);
        bool dup = false;
        for (size_t k = 0; k < nseen && !dup; k++)
            dup = !strcmp(seen[k], ps);
        if (dup || nseen == 1024)
            continue;
        strcpy(seen[nseen++], ps);
        if (node_sys_path(path, sizeof path,
                          "devices/system/cpu/cpu%s/thermal_throttle/package_throttle_count",
                          cpus[i].id) < 0 ||
            omx_read_u64(path, &cnt) < 0)
            continue;
        if ((r = omx_emit_sample(e, (const char *[]){ps}, (double)cnt)) < 0)
            return r;
    }
    return 0;
}

/* node_cpu_info from <procfs>/cpuinfo (x86 layout: one block per processor). */
static int emit_info(omx_emitter *e) {
    static const char *const labels[] = {"package",  "core",     "cpu",        "vendor",
                                         "family",   "model",    "model_name", "microcode",
                                         "stepping", "cachesize"};
    enum { PKG, CORE, CPU, VENDOR, FAMILY, MODEL, MODEL_NAME, MICROCODE, STEPPING, CACHE, NL };
    static const char *const keys[NL] = {"physical id", "core id",   "processor",  "vendor_id",
                                         "cpu family",  "model",     "model name", "microcode",
                                         "stepping",    "cache size"};
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "cpuinfo")) < 0 ||
        (r = omx_read_file(path, STAT_MAX, &data, NULL)) < 0)
        return r;
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_cpu_info",
                                            .help = "CPU information from /proc/cpuinfo.",
                                            .type = OMX_GAUGE,
                                            .label_names = labels,
                                            .n_labels = NL})) < 0)
        goto out;
    const char *vals[NL] = {0};
    char *first_flags = NULL, *first_bugs = NULL;
    bool have = false;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
        if (!line || !strncmp(line, "processor", 9)) {
            if (have) {
                for (int k = 0; k < NL; k++)
                    if (!vals[k])
                        vals[k] = "";
                if ((r = omx_emit_sample(e, vals, 1)) < 0)
                    goto out;
            }
            memset(vals, 0, sizeof vals);
            have = line != NULL;
            if (!line)
                break;
        }
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *k_end = colon;
        while (k_end > line && (k_end[-1] == ' ' || k_end[-1] == '\t'))
            k_end--;
        *k_end = '\0';
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        if (!first_flags && !strcmp(line, "flags"))
            first_flags = v;
        if (!first_bugs && !strcmp(line, "bugs"))
            first_bugs = v;
        for (int k = 0; k < NL; k++)
            if (!strcmp(line, keys[k]))
                vals[k] = v;
    }
    if ((r = emit_words(
             e, "node_cpu_flag_info",
             "The `flags` field of CPU information from /proc/cpuinfo taken from the first core.",
             "flag", first_flags, &re_flags)) < 0 ||
        (r = emit_words(
             e, "node_cpu_bug_info",
             "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.",
             "bug", first_bugs, &re_bugs)) < 0)
        goto out;
    r = 0;
out:
    free(data);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "stat")) < 0 ||
        (r = omx_read_file(path, STAT_MAX, &data, NULL)) < 0)
        return r;
    size_t cap = 0, n = 0;
    for (char *p = data; (p = strstr(p, "\ncpu")); p++)
        cap++;
    cpu_times *cpus = calloc(cap ? cap : 1, sizeof *cpus);
    if (!cpus) {
        free(data);
        return OMX_ENOMEM;
    }
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
            continue;
        char *f[16];
        size_t nf = omx_split_fields(line, f, 16);
        if (n >= cap || nf < 9 || strlen(f[0] + 3) >= sizeof cpus[n].id) {
            r = omx_bad_input("cpu", path, lineno, "short cpu line");
            goto out;
        }
        cpu_times *c = &cpus[n];
        uint64_t id;
        if (omx_parse_u64(f[0] + 3, &id) < 0) {
            r = omx_bad_input("cpu", path, lineno, "bad cpu number");
            goto out;
        }
        snprintf(c->id, sizeof c->id, "%llu", (unsigned long long)id);
        c->n = (int)(nf - 1 > 10 ? 10 : nf - 1);
        for (int k = 0; k < c->n; k++) {
            uint64_t ticks;
            if (omx_parse_u64(f[k + 1], &ticks) < 0) {
                r = omx_bad_input("cpu", path, lineno, "bad tick count");
                goto out;
            }
            /* USER_HZ is 100 on every Linux ABI */
            c->v[k] = (double)ticks / 100.0;
        }
        n++;
    }
    if (n == 0) {
        r = omx_bad_input("cpu", path, 0, "no cpu lines");
        goto out;
    }
    static const char *const labels[] = {"cpu", "mode"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_cpu_seconds_total",
                                            .help = "Seconds the CPUs spent in each mode.",
                                            .type = OMX_COUNTER,
                                            .label_names = labels,
                                            .n_labels = 2})) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 8 && k < cpus[i].n; k++)
            if ((r = omx_emit_sample(e, (const char *[]){cpus[i].id, modes[k]}, cpus[i].v[k])) < 0)
                goto out;
    if (opt_guest) {
        if ((r = omx_emit_family(
                 e, &(omx_desc){.name = "node_cpu_guest_seconds_total",
                                .help = "Seconds the CPUs spent in guests (VMs) for each mode.",
                                .type = OMX_COUNTER,
                                .label_names = labels,
                                .n_labels = 2})) < 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            if (cpus[i].n < 10)
                continue;
            if ((r = omx_emit_sample(e, (const char *[]){cpus[i].id, "user"}, cpus[i].v[8])) < 0 ||
                (r = omx_emit_sample(e, (const char *[]){cpus[i].id, "nice"}, cpus[i].v[9])) < 0)
                goto out;
        }
    }
    if ((r = emit_throttles(e, cpus, n)) < 0)
        goto out;
    if (opt_info)
        r = emit_info(e);
out:
    free(cpus);
    free(data);
    return r;
}

const node_collector node_collector_cpu = {
    .name = "cpu",
    .enabled_by_default = true,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
