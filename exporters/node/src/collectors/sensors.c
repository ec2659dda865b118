/* sensors: what lm-sensors' sensors(1) shows, through libsensors (dlopen()ed
 * at start-up): chips, features with their sensors.conf labels, values after
 * the `compute` lines, limits and alarms; `ignore`d features are left out. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sensors/error.h>
#include <sensors/sensors.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

#define MAX_SAMPLES 65536

static const char *opt_config = "";

static int declare(omx_app *app) {
    return omx_app_flag_string(
        app, "collector.sensors.config", &opt_config,
        "sensors.conf to read (default: libsensors' own, /etc/sensors3.conf and /etc/sensors.d)");
}

static struct {
    __typeof__(&sensors_init) init;
    __typeof__(&sensors_get_detected_chips) get_detected_chips;
    __typeof__(&sensors_snprintf_chip_name) snprintf_chip_name;
    __typeof__(&sensors_get_adapter_name) get_adapter_name;
    __typeof__(&sensors_get_features) get_features;
    __typeof__(&sensors_get_label) get_label;
    __typeof__(&sensors_get_all_subfeatures) get_all_subfeatures;
    __typeof__(&sensors_get_value) get_value;
    __typeof__(&sensors_strerror) strerror;
    __typeof__(&sensors_parse_error_wfn) parse_error_wfn;
} ls;

/* libsensors has global state and is not thread-safe: one scrape at a time. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int init_rc = -ENOSYS;
static const char *config_name;
static bool parse_failed;

static void parse_error(const char *err, const char *filename, int lineno) {
    parse_failed = true;
    omx_bad_input("sensors", filename ? filename : config_name, lineno > 0 ? (unsigned)lineno : 0,
                  err);
}

static int load(void) {
    void *h = dlopen("libsensors.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        omx_log(OMX_LOG_ERROR, "cannot load libsensors (Debian package libsensors5)", "collector",
                "sensors", "err", dlerror(), NULL);
        return -ENOSYS;
    }
    struct {
        void **slot;
        const char *name;
    } syms[] = {
        {(void **)&ls.init, "sensors_init"},
        {(void **)&ls.get_detected_chips, "sensors_get_detected_chips"},
        {(void **)&ls.snprintf_chip_name, "sensors_snprintf_chip_name"},
        {(void **)&ls.get_adapter_name, "sensors_get_adapter_name"},
        {(void **)&ls.get_features, "sensors_get_features"},
        {(void **)&ls.get_label, "sensors_get_label"},
        {(void **)&ls.get_all_subfeatures, "sensors_get_all_subfeatures"},
        {(void **)&ls.get_value, "sensors_get_value"},
        {(void **)&ls.strerror, "sensors_strerror"},
        {(void **)&ls.parse_error_wfn, "sensors_parse_error_wfn"},
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
        if (!(*syms[i].slot = dlsym(h, syms[i].name))) {
            omx_log(OMX_LOG_ERROR, "libsensors lacks a symbol", "collector", "sensors", "symbol",
                    syms[i].name, NULL);
            dlclose(h);
            return -ENOSYS;
        }
    return 0; /* kept loaded for the life of the process */
}

/* Loads libsensors and reads the configuration and the chips once; a bad
 * sensors.conf is logged (file and line) and fails every scrape, not start-up. */
static int setup(void) {
    if ((init_rc = load()) < 0)
        return 0;
    *ls.parse_error_wfn = parse_error;
    FILE *f = NULL;
    if (opt_config[0]) {
        config_name = opt_config;
        if (!(f = fopen(opt_config, "re"))) {
            init_rc = -errno;
            omx_log(OMX_LOG_ERROR, "cannot open the sensors configuration", "collector", "sensors",
                    "file", opt_config, "err", strerror(errno), NULL);
            return 0;
        }
    } else {
        config_name = "/etc/sensors3.conf";
    }
    int r = ls.init(f);
    if (f)
        fclose(f);
    if (r != 0) {
        omx_log(OMX_LOG_ERROR, "libsensors initialisation failed", "collector", "sensors", "err",
                ls.strerror(r), NULL);
        init_rc = r == SENSORS_ERR_PARSE ? OMX_EVALUE : -EIO;
        return 0;
    }
    /* libsensors goes on after some errors it reports; the collector does not */
    init_rc = parse_failed ? OMX_EVALUE : 0;
    return 0;
}

/* What a feature type reports: its value family, limit family (may be NULL). */
static const struct kind {
    sensors_feature_type type;
    const char *value, *value_help, *limit, *limit_help;
    omx_type value_type;
} kinds[] = {
    {SENSORS_FEATURE_IN, "node_sensors_voltage_volts",
     "Voltage input of a sensors feature, in volts.", "node_sensors_voltage_limit_volts",
     "Voltage limit of a sensors feature, in volts.", OMX_GAUGE},
    {SENSORS_FEATURE_FAN, "node_sensors_fan_rpm",
     "Fan speed of a sensors feature, in revolutions per minute.", "node_sensors_fan_limit_rpm",
     "Fan speed limit of a sensors feature, in revolutions per minute.", OMX_GAUGE},
    {SENSORS_FEATURE_TEMP, "node_sensors_temperature_celsius",
     "Temperature of a sensors feature, in degrees Celsius.",
     "node_sensors_temperature_limit_celsius",
     "Temperature limit of a sensors feature, in degrees Celsius.", OMX_GAUGE},
    {SENSORS_FEATURE_POWER, "node_sensors_power_watts",
     "Power of a sensors feature (input, else average), in watts.",
     "node_sensors_power_limit_watts", "Power limit of a sensors feature, in watts.", OMX_GAUGE},
    {SENSORS_FEATURE_ENERGY, "node_sensors_energy_joules",
     "Energy used, as a sensors feature counts it, in joules.", NULL, NULL, OMX_COUNTER},
    {SENSORS_FEATURE_CURR, "node_sensors_current_amperes",
     "Current of a sensors feature, in amperes.", "node_sensors_current_limit_amperes",
     "Current limit of a sensors feature, in amperes.", OMX_GAUGE},
    {SENSORS_FEATURE_HUMIDITY, "node_sensors_humidity_percent",
     "Relative humidity of a sensors feature, in percent.", NULL, NULL, OMX_GAUGE},
    {SENSORS_FEATURE_VID, "node_sensors_vid_volts",
     "CPU core voltage identification (VID), in volts.", NULL, NULL, OMX_GAUGE},
    {SENSORS_FEATURE_INTRUSION, NULL, NULL, NULL, NULL, OMX_GAUGE},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Subfeature suffixes reported as limits, as sensors(1) prints them. */
static bool is_limit(const char *s) {
    static const char *const limits[] = {
        "min",       "max",        "crit",           "lcrit", "emergency", "min_hyst", "max_hyst",
        "crit_hyst", "lcrit_hyst", "emergency_hyst", "cap",   "cap_hyst",  "cap_min",  "cap_max",
        "crit_min",  NULL};
    for (size_t i = 0; limits[i]; i++)
        if (!strcmp(s, limits[i]))
            return true;
    return false;
}

static bool is_alarm(const char *s) {
    size_t l = strlen(s);
    return !strcmp(s, "fault") || (l >= 5 && !strcmp(s + l - 5, "alarm"));
}

enum { F_VALUE, F_LIMIT, F_ALARM, F_CHIP };

typedef struct sample {
    int fam;     /* F_* */
    size_t kind; /* index in kinds (F_VALUE, F_LIMIT) */
    char chip[128], adapter[64], feature[32], label[128], sub[32];
    double v;
} sample;

typedef struct samples {
    sample *s;
    size_t n, cap;
} samples;

static sample *add(samples *ss, int fam, size_t kind) {
    if (ss->n == ss->cap) {
        size_t cap = ss->cap ? 2 * ss->cap : 64;
        if (cap > MAX_SAMPLES)
            return NULL;
        sample *ns = realloc(ss->s, cap * sizeof *ns);
        if (!ns)
            return NULL;
        ss->s = ns;
        ss->cap = cap;
    }
    sample *s = &ss->s[ss->n++];
    memset(s, 0, sizeof *s);
    s->fam = fam;
    s->kind = kind;
    return s;
}

/* A value libsensors cannot read: sensors(1) prints N/A. A file that reads
 * but does not hold a number is malformed input. */
static int unreadable(const sensors_chip_name *chip, const sensors_subfeature *sf, int err) {
    char path[NODE_PATH_MAX], line[64];
    double d;
    if (chip->path &&
        snprintf(path, sizeof path, "%s/%s", chip->path, sf->name) < (int)sizeof path &&
        omx_read_line(path, line, sizeof line) == 0 && omx_parse_double(line, &d) < 0)
        return omx_bad_input("sensors", path, 1, "not a number");
    omx_log(OMX_LOG_DEBUG, "sensors value not available", "collector", "sensors", "subfeature",
            sf->name, "err", ls.strerror(err), NULL);
    return 0;
}

static int read_chip(const sensors_chip_name *chip, samples *ss) {
    char name[128];
    if (ls.snprintf_chip_name(name, sizeof name, chip) < 0)
        return 0;
    const char *adapter = ls.get_adapter_name(&chip->bus);
    sample *c = add(ss, F_CHIP, 0);
    if (!c)
        return OMX_ENOMEM;
    snprintf(c->chip, sizeof c->chip, "%s", name);
    snprintf(c->adapter, sizeof c->adapter, "%s", adapter ? adapter : "");
    c->v = 1;
    int fnr = 0, r;
    for (const sensors_feature *f; (f = ls.get_features(chip, &fnr));) {
        size_t k = 0;
        while (k < NKINDS && kinds[k].type != f->type)
            k++;
        if (k == NKINDS)
            continue;
        char *label = ls.get_label(chip, f);
        size_t flen = strlen(f->name);
        const sensors_subfeature *average = NULL;
        bool have_input = false;
        int snr = 0;
        for (const sensors_subfeature *sf; (sf = ls.get_all_subfeatures(chip, f, &snr));) {
            if (!(sf->flags & SENSORS_MODE_R) || strncmp(sf->name, f->name, flen) ||
                sf->name[flen] != '_')
                continue;
            const char *suffix = sf->name + flen + 1;
            int fam = !strcmp(suffix, "input") && kinds[k].value ? F_VALUE
                      : is_alarm(suffix)                         ? F_ALARM
                      : is_limit(suffix) && kinds[k].limit       ? F_LIMIT
                                                                 : -1;
            if (fam < 0) {
                if (!strcmp(suffix, "average"))
                    average = sf;
                continue;
            }
            double v;
            int e = ls.get_value(chip, sf->number, &v);
            if (e < 0) {
                if ((r = unreadable(chip, sf, e)) < 0) {
                    free(label);
                    return r;
                }
                continue;
            }
            sample *s = add(ss, fam, k);
            if (!s) {
                free(label);
                return OMX_ENOMEM;
            }
            have_input |= fam == F_VALUE;
            snprintf(s->chip, sizeof s->chip, "%s", name);
            snprintf(s->feature, sizeof s->feature, "%s", f->name);
            snprintf(s->label, sizeof s->label, "%s", label ? label : f->name);
            snprintf(s->sub, sizeof s->sub, "%s", suffix);
            s->v = fam == F_ALARM ? (v != 0) : v;
        }
        /* power meters without an instantaneous input report their average */
        double v;
        if (!have_input && average && kinds[k].value &&
            ls.get_value(chip, average->number, &v) == 0) {
            sample *s = add(ss, F_VALUE, k);
            if (!s) {
                free(label);
                return OMX_ENOMEM;
            }
            snprintf(s->chip, sizeof s->chip, "%s", name);
            snprintf(s->feature, sizeof s->feature, "%s", f->name);
            snprintf(s->label, sizeof s->label, "%s", label ? label : f->name);
            s->v = v;
        }
        free(label);
    }
    return 0;
}

static int emit(omx_emitter *e, const samples *ss) {
    static const char *const chip_labels[] = {"chip", "adapter"};
    static const char *const value_labels[] = {"chip", "feature", "label"};
    static const char *const limit_labels[] = {"chip", "feature", "label", "limit"};
    static const char *const alarm_labels[] = {"chip", "feature", "label", "alarm"};
    int r;
    const omx_desc chip = {.name = "node_sensors_chip_info",
                           .help = "A chip libsensors detected, with its adapter.",
                           .type = OMX_GAUGE,
                           .label_names = chip_labels,
                           .n_labels = 2};
    if ((r = omx_emit_family(e, &chip)) < 0)
        return r;
    for (size_t i = 0; i < ss->n; i++) {
        const char *lv[] = {ss->s[i].chip, ss->s[i].adapter};
        if (ss->s[i].fam == F_CHIP && (r = omx_emit_sample(e, lv, 1)) < 0)
            return r;
    }
    for (size_t k = 0; k < NKINDS; k++)
        for (int fam = F_VALUE; fam <= F_LIMIT; fam++) {
            const char *name = fam == F_VALUE ? kinds[k].value : kinds[k].limit;
            if (!name)
                continue;
            const omx_desc d = {.name = name,
                                .help = fam == F_VALUE ? kinds[k].value_help : kinds[k].limit_help,
                                .type = fam == F_VALUE ? kinds[k].value_type : OMX_GAUGE,
                                .label_names = fam == F_VALUE ? value_labels : limit_labels,
                                .n_labels = fam == F_VALUE ? 3 : 4};
            if ((r = omx_emit_family(e, &d)) < 0)
                return r;
            for (size_t i = 0; i < ss->n; i++) {
                const sample *s = &ss->s[i];
                const char *lv[] = {s->chip, s->feature, s->label, s->sub};
                if (s->fam == fam && s->kind == k && (r = omx_emit_sample(e, lv, s->v)) < 0)
                    return r;
            }
        }
    const omx_desc alarm = {
        .name = "node_sensors_alarm",
        .help = "Whether an alarm or fault flag of a sensors feature is set (1) or not (0).",
        .type = OMX_GAUGE,
        .label_names = alarm_labels,
        .n_labels = 4};
    if ((r = omx_emit_family(e, &alarm)) < 0)
        return r;
    for (size_t i = 0; i < ss->n; i++) {
        const sample *s = &ss->s[i];
        const char *lv[] = {s->chip, s->feature, s->label, s->sub};
        if (s->fam == F_ALARM && (r = omx_emit_sample(e, lv, s->v)) < 0)
            return r;
    }
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    if (init_rc < 0)
        return init_rc;
    samples ss = {0};
    int r = 0, nr = 0;
    pthread_mutex_lock(&lock);
    for (const sensors_chip_name *chip; r == 0 && (chip = ls.get_detected_chips(NULL, &nr));)
        r = read_chip(chip, &ss);
    pthread_mutex_unlock(&lock);
    if (r == 0)
        r = emit(e, &ss);
    free(ss.s);
    return r;
}

const node_collector node_collector_sensors = {
    .name = "sensors",
    .enabled_by_default = false,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
