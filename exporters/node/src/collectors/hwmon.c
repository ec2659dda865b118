/* hwmon collector: hardware sensors from /sys/class/hwmon/hwmon<N> (and each
 * chip's device/ directory), named as node_exporter names them: chip from the
 * device path ("platform_coretemp_0"), else the name file, else "hwmon<N>". */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs_attr.h"
#include "util.h"

typedef struct rec {
    char name[160];
    char help[192];
    char chip[160];
    char sensor[64];
    char label[160]; /* sensor_label: the label; chip_names: the chip name */
    int kind;        /* 0 chip/sensor, 1 sensor_label, 2 chip_names */
    bool counter;
    double value;
} rec;

typedef struct recs {
    rec *v;
    size_t n, cap;
} recs;

static rec *recs_add(recs *rs) {
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 64;
        if (cap > 100000)
            return NULL; /* bound on hostile trees */
        rec *v = realloc(rs->v, cap * sizeof *v);
        if (!v)
            return NULL;
        rs->v = v;
        rs->cap = cap;
    }
    rec *r = &rs->v[rs->n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* node_exporter's cleanMetricName: lower case, [^a-z0-9:_] to '_', '_' trimmed. */
static void clean_name(const char *in, char *out, size_t size) {
    size_t n = 0;
    for (; *in && n + 1 < size; in++) {
        char c = (char)tolower((unsigned char)*in);
        out[n++] =
            ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_') ? c : '_';
    }
    out[n] = '\0';
    size_t s = 0;
    while (out[s] == '_')
        s++;
    memmove(out, out + s, n - s + 1);
    n -= s;
    while (n > 0 && out[n - 1] == '_')
        out[--n] = '\0';
}

static void chip_name(const char *dir, const char *entry, char *out, size_t size) {
    char path[NODE_PATH_MAX + 16], real[PATH_MAX], a[64], b[64];
    snprintf(path, sizeof path, "%s/device", dir);
    if (realpath(path, real)) {
        char *name = strrchr(real, '/');
        if (name && name != real) {
            *name++ = '\0';
            char *slash = strrchr(real, '/');
            clean_name(name, b, sizeof b);
            clean_name(slash ? slash + 1 : real, a, sizeof a);
            if (a[0] && b[0]) {
                snprintf(out, size, "%s_%s", a, b);
                return;
            }
            if (b[0]) {
                snprintf(out, size, "%s", b);
                return;
            }
        }
    }
    char raw[128];
    if (hw_attr_str(dir, "name", raw, sizeof raw) == 0) {
        clean_name(raw, out, size);
        if (out[0])
            return;
    }
    clean_name(entry, out, size);
}

static const char *const sensor_types[] = {
    "vrm",  "beep_enable", "update_interval", "in",     "cpu",      "fan",       "pwm",
    "temp", "curr",        "power",           "energy", "humidity", "intrusion", NULL,
};

/* Splits "temp1_crit" into type "temp", sensor "temp1", element "crit". */
static bool explode(const char *file, char *type, char *sensor, char *elem) {
    size_t t = 0;
    while (file[t] && !isdigit((unsigned char)file[t]))
        t++;
    size_t d = t;
    while (isdigit((unsigned char)file[d]))
        d++;
    if (t == 0 || t >= 48 || d - t > 10)
        return false;
    if (file[d] && (file[d] != '_' || !file[d + 1] || strlen(file + d + 1) >= 48))
        return false;
    memcpy(type, file, t);
    type[t] = '\0';
    bool known = false;
    for (const char *const *k = sensor_types; *k && !known; k++)
        known = !strcmp(*k, type);
    if (!known)
        return false;
    if (d > t)
        snprintf(sensor, 64, "%s%.*s", type, (int)(d - t), file + t);
    else
        snprintf(sensor, 64, "%s0", type);
    snprintf(elem, 48, "%s", file[d] ? file + d + 1 : "");
    return true;
}

/* Sensor data of one chip: (sensor, element) -> raw string. */
typedef struct item {
    char type[48], sensor[64], elem[48], value[160];
} item;

typedef struct items {
    item *v;
    size_t n, cap;
} items;

static int read_sensors(const char *dir, items *it) {
    char **names = NULL;
    int r = omx_list_dir(dir, &names);
    if (r < 0)
        return r;
    for (char **f = names; *f; f++) {
        item x;
        if (!explode(*f, x.type, x.sensor, x.elem))
            continue;
        if (hw_attr_str(dir, *f, x.value, sizeof x.value) != 0)
            continue; /* unreadable attributes (directories, write-only) are skipped */
        size_t i;
        for (i = 0; i < it->n; i++)
            if (!strcmp(it->v[i].sensor, x.sensor) && !strcmp(it->v[i].elem, x.elem))
                break;
        if (i == it->n) {
            if (it->n == it->cap) {
                size_t cap = it->cap ? it->cap * 2 : 32;
                item *v = cap > 10000 ? NULL : realloc(it->v, cap * sizeof *v);
                if (!v) {
                    omx_strv_free(names);
                    return -ENOMEM;
                }
                it->v = v;
                it->cap = cap;
            }
            it->n++;
        }
        it->v[i] = x;
    }
    omx_strv_free(names);
    return 0;
}

static bool has_elem(const items *it, const char *sensor, const char *elem) {
    for (size_t i = 0; i < it->n; i++)
        if (!strcmp(it->v[i].sensor, sensor) && !strcmp(it->v[i].elem, elem))
            return true;
    return false;
}

static int add_value(recs *rs, const char *chip, const item *x, const items *it) {
    const char *type = x->type, *elem = x->elem;
    char name[160], help[192];
    double v, scale = 1;
    bool counter = false;
    if (!strcmp(elem, "label"))
        return 0;
    if (!strcmp(type, "beep_enable") || !strcmp(type, "vrm") || !strcmp(type, "update_interval")) {
        if (elem[0])
            return 0;
        if (!strcmp(type, "beep_enable")) {
            v = !strcmp(x->value, "1");
            snprintf(name, sizeof name, "node_hwmon_beep_enabled");
            snprintf(help, sizeof help, "Hardware beep enabled");
            goto add;
        }
        if (!strcmp(type, "vrm")) {
            snprintf(name, sizeof name, "node_hwmon_voltage_regulator_version");
            snprintf(help, sizeof help, "Hardware voltage regulator");
        } else {
            snprintf(name, sizeof name, "node_hwmon_update_interval_seconds");
            snprintf(help, sizeof help, "Hardware monitor update interval");
            scale = 0.001;
        }
        goto parse;
    }
    char base[128], ce[48];
    clean_name(elem, ce, sizeof ce);
    if (!strcmp(elem, "input"))
        snprintf(base, sizeof base, "node_hwmon_%s%s", type,
                 has_elem(it, x->sensor, "") ? "_input" : "");
    else if (elem[0])
        snprintf(base, sizeof base, "node_hwmon_%s_%s", type, ce);
    else
        snprintf(base, sizeof base, "node_hwmon_%s", type);
    const char *suffix = "";
    if (!strcmp(elem, "fault") || !strcmp(elem, "alarm")) {
        snprintf(help, sizeof help, "Hardware sensor %s status (%s)", elem, type);
    } else if (!strcmp(elem, "beep")) {
        suffix = "_enabled";
        snprintf(help, sizeof help, "Hardware monitor sensor has beeping enabled");
    } else if (!strcmp(type, "in") || !strcmp(type, "cpu")) {
        if (!elem[0])
            return 0; /* node_exporter's help "(…)" clashes with in*_input: Go drops it */
        suffix = "_volts", scale = 0.001;
        snprintf(help, sizeof help, "Hardware monitor for voltage (%s)", elem);
    } else if (!strcmp(type, "temp") && strcmp(elem, "type")) {
        suffix = "_celsius", scale = 0.001;
        snprintf(help, sizeof help, "Hardware monitor for temperature (%s)",
                 elem[0] ? elem : "input");
    } else if (!strcmp(type, "curr")) {
        suffix = "_amps", scale = 0.001;
        snprintf(help, sizeof help, "Hardware monitor for current (%s)", elem);
    } else if (!strcmp(type, "energy")) {
        suffix = "_joule_total", scale = 1e-6, counter = true;
        snprintf(help, sizeof help, "Hardware monitor for joules used so far (%s)", elem);
    } else if (!strcmp(type, "power") && !strcmp(elem, "accuracy")) {
        scale = 1e-6;
        snprintf(help, sizeof help, "Hardware monitor power meter accuracy, as a ratio");
    } else if (!strcmp(type, "power") &&
               (!strcmp(elem, "average_interval") || !strcmp(elem, "average_interval_min") ||
                !strcmp(elem, "average_interval_max"))) {
        suffix = "_seconds", scale = 0.001;
        snprintf(help, sizeof help, "Hardware monitor power usage update interval (%s)", elem);
    } else if (!strcmp(type, "power")) {
        suffix = "_watt", scale = 1e-6;
        snprintf(help, sizeof help, "Hardware monitor for power usage in watts (%s)", elem);
    } else if (!strcmp(type, "humidity")) {
        scale = 1e-6;
        snprintf(help, sizeof help,
                 "Hardware monitor for humidity, as a ratio (multiply with 100.0 "
                 "to get the humidity as a percentage) (%s)",
                 elem);
    } else if (!strcmp(type, "fan") && (!strcmp(elem, "input") || !strcmp(elem, "min") ||
                                        !strcmp(elem, "max") || !strcmp(elem, "target"))) {
        suffix = "_rpm";
        snprintf(help, sizeof help, "Hardware monitor for fan revolutions per minute (%s)", elem);
    } else {
        snprintf(help, sizeof help, "Hardware monitor %s element %s", type, elem);
    }
    snprintf(name, sizeof name, "%s%s", base, suffix);
parse:
    if (omx_parse_double(x->value, &v) < 0 || !isfinite(v)) {
        omx_log(OMX_LOG_DEBUG, "malformed input", "collector", "hwmon", "chip", chip, "sensor",
                x->sensor, "element", elem, "value", x->value, NULL);
        return 0; /* node_exporter skips values it cannot parse */
    }
    v *= scale;
add:;
    rec *r = recs_add(rs);
    if (!r)
        return -ENOMEM;
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->help, sizeof r->help, "%s", help);
    snprintf(r->chip, sizeof r->chip, "%s", chip);
    snprintf(r->sensor, sizeof r->sensor, "%s", x->sensor);
    r->counter = counter;
    r->value = v;
    return 0;
}

static int collect_chip(const char *dir, const char *entry, recs *rs) {
    char chip[160], dev[NODE_PATH_MAX + 16], raw[128];
    items it = {0};
    chip_name(dir, entry, chip, sizeof chip);
    int r = read_sensors(dir, &it);
    if (r < 0) {
        free(it.v);
        return hw_fail("hwmon", dir, r);
    }
    snprintf(dev, sizeof dev, "%s/device", dir);
    struct stat st;
    if (stat(dev, &st) == 0 && S_ISDIR(st.st_mode) && (r = read_sensors(dev, &it)) < 0) {
        free(it.v);
        return hw_fail("hwmon", dev, r);
    }
    if (hw_attr_str(dir, "name", raw, sizeof raw) == 0) {
        rec *c = recs_add(rs);
        if (!c) {
            free(it.v);
            return -ENOMEM;
        }
        clean_name(raw, c->label, sizeof c->label);
        if (c->label[0]) {
            snprintf(c->name, sizeof c->name, "node_hwmon_chip_names");
            snprintf(c->help, sizeof c->help, "Annotation metric for human-readable chip names");
            snprintf(c->chip, sizeof c->chip, "%s", chip);
            c->kind = 2;
            c->value = 1;
        } else {
            rs->n--;
        }
    }
    for (size_t i = 0; i < it.n && r >= 0; i++) {
        const item *x = &it.v[i];
        if (!strcmp(x->elem, "label")) {
            rec *c = recs_add(rs);
            if (!c) {
                r = -ENOMEM;
                break;
            }
            snprintf(c->name, sizeof c->name, "node_hwmon_sensor_label");
            snprintf(c->help, sizeof c->help, "Label for given chip and sensor");
            snprintf(c->chip, sizeof c->chip, "%s", chip);
            snprintf(c->sensor, sizeof c->sensor, "%s", x->sensor);
            snprintf(c->label, sizeof c->label, "%s", x->value);
            hw_utf8_clean(c->label);
            c->kind = 1;
            c->value = 1;
            continue;
        }
        r = add_value(rs, chip, x, &it);
    }
    free(it.v);
    return r;
}

static int cmp_rec(const void *pa, const void *pb) {
    const rec *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (!c)
        c = strcmp(a->chip, b->chip);
    if (!c)
        c = strcmp(a->sensor, b->sensor);
    if (!c)
        c = strcmp(a->label, b->label);
    return c;
}

static const char *const labels_cs[] = {"chip", "sensor"};
static const char *const labels_csl[] = {"chip", "sensor", "label"};
static const char *const labels_cn[] = {"chip", "chip_name"};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], dir[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "class/hwmon");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &names)) < 0)
        return hw_fail("hwmon", base, r); /* no hwmon class: node_exporter's ErrNoData */
    recs rs = {0};
    int last = 0;
    for (char **n = names; *n; n++) {
        struct stat st;
        if (node_sys_path(dir, sizeof dir, "class/hwmon/%s", *n) < 0 || stat(dir, &st) < 0 ||
            !S_ISDIR(st.st_mode))
            continue;
        r = collect_chip(dir, *n, &rs);
        if (r == -ENOMEM)
            break;
        if (r < 0)
            last = r; /* one bad chip fails the collector, the others are still reported */
    }
    omx_strv_free(names);
    if (r != -ENOMEM) {
        qsort(rs.v, rs.n, sizeof *rs.v, cmp_rec);
        r = 0;
        const rec *fam = NULL;
        for (size_t i = 0; i < rs.n && r >= 0; i++) {
            const rec *x = &rs.v[i];
            if (!fam || strcmp(fam->name, x->name)) {
                fam = x;
                r = omx_emit_family(e, &(omx_desc){.name = x->name,
                                                   .help = x->help,
                                                   .type = x->counter ? OMX_COUNTER : OMX_GAUGE,
                                                   .label_names = x->kind == 1   ? labels_csl
                                                                  : x->kind == 2 ? labels_cn
                                                                                 : labels_cs,
                                                   .n_labels = x->kind == 1 ? 3 : 2});
                if (r < 0)
                    break;
            } else if (strcmp(fam->help, x->help) || fam->kind != x->kind) {
                continue; /* inconsistent HELP for one name: Go's registry drops it too */
            }
            if (i > 0 && !cmp_rec(&rs.v[i - 1], x))
                continue; /* duplicate series */
            const char *v[3] = {x->chip, x->kind == 2 ? x->label : x->sensor, x->label};
            r = omx_emit_sample(e, v, x->value);
        }
    }
    free(rs.v);
    if (r < 0)
        return r;
    return last;
}

const node_collector node_collector_hwmon = {
    .name = "hwmon",
    .enabled_by_default = true,
    .collect = collect,
};
