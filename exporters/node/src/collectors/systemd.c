/* systemd: unit states, timers, sockets and system state over sd-bus.
 * Every D-Bus call is bounded by the scrape's deadline; on a host without a
 * system bus (no systemd as PID 1) the collector fails at once (success 0,
 * one debug log line) and the rest of the scrape is served. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdbus.h"

#include <exporter/emit.h>
#include "pattern.h"
#include "util.h"

static const char *opt_include = ".+";
/* Debian 12's default: upstream's without "target" */
static const char *opt_exclude = ".+\\.(automount|device|mount|scope|slice|target)";
static bool opt_private = false;
static bool opt_restarts = false;
static bool opt_start_time = false;
static bool opt_tasks = false;
static const char *opt_old_include = "", *opt_old_exclude = ""; /* deprecated spellings */
static node_regex re_include, re_exclude;

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"

static int declare(omx_app *app) {
    int r;
    if ((r = omx_app_flag_string(
             app, "collector.systemd.unit-include", &opt_include,
             "Regexp of systemd units to include. Units must both match include and not match exclude to be included.")) <
            0 ||
        (r = omx_app_flag_string(
             app, "collector.systemd.unit-exclude", &opt_exclude,
             "Regexp of systemd units to exclude. Units must both match include and not match exclude to be included.")) <
            0 ||
        (r = omx_app_flag_string(app, "collector.systemd.unit-whitelist", &opt_old_include,
                                 "DEPRECATED: use --collector.systemd.unit-include")) < 0 ||
        (r = omx_app_flag_string(app, "collector.systemd.unit-blacklist", &opt_old_exclude,
                                 "DEPRECATED: use --collector.systemd.unit-exclude")) < 0 ||
        (r = omx_app_flag_bool(
             app, "collector.systemd.private", &opt_private,
             "Establish a private, direct connection to systemd without dbus (Strongly discouraged since it requires root. For testing purposes only).")) <
            0 ||
        (r = omx_app_flag_bool(app, "collector.systemd.enable-restarts-metrics", &opt_restarts,
                               "Enables service unit metric service_restart_total")) < 0 ||
        (r = omx_app_flag_bool(app, "collector.systemd.enable-start-time-metrics", &opt_start_time,
                               "Enables service unit metric unit_start_time_seconds")) < 0 ||
        (r = omx_app_flag_bool(
             app, "collector.systemd.enable-task-metrics", &opt_tasks,
             "Enables service unit tasks metrics unit_tasks_current and unit_tasks_max")) < 0)
        return r;
    return 0;
}

/* node_exporter anchors both patterns: ^(?:PATTERN)$ */
static int compile_anchored(node_regex *re, const char *flag, const char *pat) {
    size_t n = strlen(pat) + 8;
    char *a = malloc(n);
    if (!a)
        return OMX_ENOMEM;
    snprintf(a, n, "^(%s)$", pat);
    int r = node_regex_compile(re, flag, a);
    free(a);
    return r;
}

static int setup(void) {
    if (*opt_old_include)
        opt_include = opt_old_include;
    if (*opt_old_exclude)
        opt_exclude = opt_old_exclude;
    int r = compile_anchored(&re_include, "--collector.systemd.unit-include", opt_include);
    if (r == 0)
        r = compile_anchored(&re_exclude, "--collector.systemd.unit-exclude", opt_exclude);
    return r;
}

typedef struct unit {
    char *name, *load, *active, *path;
    char type[32];
    double restarts, start_time, tasks_cur, tasks_max, last_trigger;
    double accepted, connections, refused;
    bool has_restarts, has_tasks_cur, has_tasks_max, has_trigger, has_socket, has_refused;
} unit;

static const char *const states[] = {"active", "activating", "deactivating", "inactive", "failed"};

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static int get_u64(sd_bus *bus, const char *path, const char *iface, const char *prop, char type,
                   double *ret) {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r;
    if (type == 'u') {
        uint32_t v;
        r = node_sd.get_property_trivial(bus, DEST, path, iface, prop, &err, 'u', &v);
        if (r >= 0)
            *ret = (double)v;
    } else {
        uint64_t v;
        r = node_sd.get_property_trivial(bus, DEST, path, iface, prop, &err, 't', &v);
        if (r >= 0) {
            if (v == UINT64_MAX)
                r = -ERANGE; /* "infinity": not exported */
            else
                *ret = (double)v;
        }
    }
    node_sd.error_free(&err);
    return r;
}

static int list_units(sd_bus *bus, unit **ret, size_t *ret_n) {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    unit *u = NULL;
    size_t n = 0, cap = 0;
    int r =
        node_sd.call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "ListUnits", &err, &reply, "");
    if (r < 0) {
        omx_log(OMX_LOG_DEBUG, "couldn't get units", "collector", "systemd", "err",
                err.message ? err.message : omx_strerror(r), NULL);
        goto out;
    }
    if ((r = node_sd.message_enter_container(reply, 'a', "(ssssssouso)")) < 0)
        goto out;
    for (;;) {
        const char *name, *desc, *load, *active, *sub, *following, *path, *jtype, *jpath;
        uint32_t jid;
        r = node_sd.message_read(reply, "(ssssssouso)", &name, &desc, &load, &active, &sub,
                                 &following, &path, &jid, &jtype, &jpath);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            if (nc > 1000000) {
                r = -E2BIG;
                goto out;
            }
            unit *nu = realloc(u, nc * sizeof *nu);
            if (!nu) {
                r = -ENOMEM;
                goto out;
            }
            u = nu;
            cap = nc;
        }
        memset(&u[n], 0, sizeof u[n]);
        u[n].name = strdup(name);
        u[n].load = strdup(load);
        u[n].active = strdup(active);
        u[n].path = strdup(path);
        n++;
        if (!u[n - 1].name || !u[n - 1].load || !u[n - 1].active || !u[n - 1].path) {
            r = -ENOMEM;
            goto out;
        }
    }
    r = 0;
out:
    node_sd.error_free(&err);
    node_sd.message_unref(reply);
    if (r < 0) {
        for (size_t i = 0; i < n; i++) {
            free(u[i].name);
            free(u[i].load);
            free(u[i].active);
            free(u[i].path);
        }
        free(u);
        return r;
    }
    *ret = u;
    *ret_n = n;
    return 0;
}

static void unit_details(omx_emitter *e, sd_bus *bus, unit *x) {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    char *type = NULL;
    const char *iface = ends_with(x->name, ".service") ? "org.freedesktop.systemd1.Service"
                        : ends_with(x->name, ".mount") ? "org.freedesktop.systemd1.Mount"
                                                       : NULL;
    if (omx_emitter_expired(e))
        return;
    if (iface && node_sd.get_property_string(bus, DEST, x->path, iface, "Type", &err, &type) >= 0) {
        snprintf(x->type, sizeof x->type, "%s", type);
        free(type);
    }
    node_sd.error_free(&err);
    if (ends_with(x->name, ".service")) {
        const char *si = "org.freedesktop.systemd1.Service";
        if (opt_restarts)
            x->has_restarts = get_u64(bus, x->path, si, "NRestarts", 'u', &x->restarts) >= 0;
        if (opt_tasks) {
            x->has_tasks_cur = get_u64(bus, x->path, si, "TasksCurrent", 't', &x->tasks_cur) >= 0;
            x->has_tasks_max = get_u64(bus, x->path, si, "TasksMax", 't', &x->tasks_max) >= 0;
        }
    }
    if (opt_start_time && !strcmp(x->active, "active")) {
        double us = 0;
        if (get_u64(bus, x->path, "org.freedesktop.systemd1.Unit", "ActiveEnterTimestamp", 't',
                    &us) >= 0)
            x->start_time = us / 1e6;
    }
    if (ends_with(x->name, ".timer")) {
        double us;
        x->has_trigger = get_u64(bus, x->path, "org.freedesktop.systemd1.Timer", "LastTriggerUSec",
                                 't', &us) >= 0;
        x->last_trigger = x->has_trigger ? us / 1e6 : 0;
    }
    if (ends_with(x->name, ".socket")) {
        const char *so = "org.freedesktop.systemd1.Socket";
        x->has_socket = get_u64(bus, x->path, so, "NAccepted", 'u', &x->accepted) >= 0 &&
                        get_u64(bus, x->path, so, "NConnections", 'u', &x->connections) >= 0;
        x->has_refused =
            x->has_socket && get_u64(bus, x->path, so, "NRefused", 'u', &x->refused) >= 0;
    }
}

static int emit_named(omx_emitter *e, const char *name, const char *help, omx_type type, unit *u,
                      size_t n, size_t off, size_t has_off) {
    static const char *const labels[] = {"name"};
    int r = omx_emit_family(
        e, &(omx_desc){
               .name = name, .help = help, .type = type, .label_names = labels, .n_labels = 1});
    for (size_t i = 0; r >= 0 && i < n; i++) {
        if (has_off != (size_t)-1 && !*(const bool *)((const char *)&u[i] + has_off))
            continue;
        r = omx_emit_sample(e, (const char *[]){u[i].name},
                            *(const double *)((const char *)&u[i] + off));
    }
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    sd_bus *bus = NULL;
    unit *u = NULL;
    size_t n = 0;
    int r = node_sdbus_open(e, opt_private, &bus);
    if (r < 0) {
        omx_log(OMX_LOG_DEBUG, "couldn't get dbus connection", "collector", "systemd", "err",
                omx_strerror(r), NULL);
        return r;
    }
    if ((r = list_units(bus, &u, &n)) < 0)
        goto out;
    /* summary over all units, before filtering */
    double count[5] = {0};
    for (size_t i = 0; i < n; i++)
        for (int s = 0; s < 5; s++)
            if (!strcmp(u[i].active, states[s]))
                count[s]++;
    static const char *const sl[] = {"state"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_systemd_units",
                                            .help = "Summary of systemd unit states",
                                            .type = OMX_GAUGE,
                                            .label_names = sl,
                                            .n_labels = 1})) < 0)
        goto out;
    for (int s = 0; s < 5; s++)
        if ((r = omx_emit_sample(e, &states[s], count[s])) < 0)
            goto out;
    /* keep the loaded units that pass the filters */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (node_regex_match(&re_include, u[i].name) && !node_regex_match(&re_exclude, u[i].name) &&
            !strcmp(u[i].load, "loaded")) {
            unit t = u[m];
            u[m++] = u[i];
            u[i] = t;
        }
    }
    for (size_t i = 0; i < m; i++)
        unit_details(e, bus, &u[i]);
    if (omx_emitter_expired(e)) {
        r = OMX_ETIMEOUT;
        goto out;
    }
    static const char *const ul[] = {"name", "state", "type"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_systemd_unit_state",
                                            .help = "Systemd unit",
                                            .type = OMX_GAUGE,
                                            .label_names = ul,
                                            .n_labels = 3})) < 0)
        goto out;
    for (size_t i = 0; i < m; i++)
        for (int s = 0; s < 5; s++)
            if ((r = omx_emit_sample(e, (const char *[]){u[i].name, states[s], u[i].type},
                                     !strcmp(u[i].active, states[s]))) < 0)
                goto out;
    if (opt_start_time &&
        (r = emit_named(e, "node_systemd_unit_start_time_seconds",
                        "Start time of the unit since unix epoch in seconds.", OMX_GAUGE, u, m,
                        offsetof(unit, start_time), (size_t)-1)) < 0)
        goto out;
    if (opt_restarts &&
        (r = emit_named(e, "node_systemd_service_restart_total",
                        "Service unit count of Restart triggers", OMX_COUNTER, u, m,
                        offsetof(unit, restarts), offsetof(unit, has_restarts))) < 0)
        goto out;
    if (opt_tasks &&
        ((r = emit_named(e, "node_systemd_unit_tasks_current",
                         "Current number of tasks per Systemd unit", OMX_GAUGE, u, m,
                         offsetof(unit, tasks_cur), offsetof(unit, has_tasks_cur))) < 0 ||
         (r = emit_named(e, "node_systemd_unit_tasks_max",
                         "Maximum number of tasks per Systemd unit", OMX_GAUGE, u, m,
                         offsetof(unit, tasks_max), offsetof(unit, has_tasks_max))) < 0))
        goto out;
    if ((r = emit_named(e, "node_systemd_timer_last_trigger_seconds",
                        "Seconds since epoch of last trigger.", OMX_GAUGE, u, m,
                        offsetof(unit, last_trigger), offsetof(unit, has_trigger))) < 0 ||
        (r = emit_named(e, "node_systemd_socket_accepted_connections_total",
                        "Total number of accepted socket connections", OMX_COUNTER, u, m,
                        offsetof(unit, accepted), offsetof(unit, has_socket))) < 0 ||
        (r = emit_named(e, "node_systemd_socket_current_connections",
                        "Current number of socket connections", OMX_GAUGE, u, m,
                        offsetof(unit, connections), offsetof(unit, has_socket))) < 0 ||
        (r = emit_named(e, "node_systemd_socket_refused_connections_total",
                        "Total number of refused socket connections", OMX_GAUGE, u, m,
                        offsetof(unit, refused), offsetof(unit, has_refused))) < 0)
        goto out;
    sd_bus_error err = SD_BUS_ERROR_NULL;
    char *state = NULL, *version = NULL;
    int rs = node_sd.get_property_string(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "SystemState",
                                         &err, &state);
    node_sd.error_free(&err);
    if (rs >= 0)
        r = omx_emit1(e, "node_systemd_system_running",
                      "Whether the system is operational (see 'systemctl is-system-running')",
                      OMX_GAUGE, !strcmp(state, "running"));
    free(state);
    if (r >= 0 && node_sd.get_property_string(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "Version",
                                              &err, &version) >= 0) {
        /* the first three-digit run, e.g. "252.22-1~deb12u1" -> 252 */
        double v = 0;
        for (const char *p = version; *p; p++)
            if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
                p[2] <= '9') {
                v = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
                break;
            }
        r = omx_emit1(e, "node_systemd_version", "Detected systemd version", OMX_GAUGE, v);
    }
    node_sd.error_free(&err);
    free(version);
    if (rs < 0 && r >= 0)
        r = rs; /* node_exporter fails the collector without the system state */
out:
    for (size_t i = 0; i < n; i++) {
        free(u[i].name);
        free(u[i].load);
        free(u[i].active);
        free(u[i].path);
    }
    free(u);
    node_sd.flush_close_unref(bus);
    return r;
}

const node_collector node_collector_systemd = {
    .name = "systemd",
    .enabled_by_default = true, /* Debian 12 turns it on (upstream: off) */
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
