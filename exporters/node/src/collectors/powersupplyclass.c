/* powersupplyclass collector: batteries and adapters under /sys/class/power_supply.
 * Numeric attributes become node_power_supply_<name>, strings node_power_supply_info. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "sysfs_attr.h"
#include "util.h"

static const char *ignored_flag = "^$";
static node_regex ignored;

/* sysfs file, metric suffix, divisor (µ-units to base units; tenths of °C). */
static const struct {
    const char *file, *metric;
    double div;
} attrs[] = {
    {"authentic", "authentic", 1},
    {"calibrate", "calibrate", 1},
    {"capacity", "capacity", 1},
    {"capacity_alert_max", "capacity_alert_max", 1},
    {"capacity_alert_min", "capacity_alert_min", 1},
    {"cycle_count", "cyclecount", 1},
    {"online", "online", 1},
    {"present", "present", 1},
    {"time_to_empty_now", "time_to_empty_seconds", 1},
    {"time_to_full_now", "time_to_full_seconds", 1},
    {"current_boot", "current_boot", 1e6},
    {"current_max", "current_max", 1e6},
    {"current_now", "current_ampere", 1e6},
    {"energy_empty", "energy_empty", 1e6},
    {"energy_empty_design", "energy_empty_design", 1e6},
    {"energy_full", "energy_full", 1e6},
    {"energy_full_design", "energy_full_design", 1e6},
    {"energy_now", "energy_watthour", 1e6},
    {"voltage_boot", "voltage_boot", 1e6},
    {"voltage_max", "voltage_max", 1e6},
    {"voltage_max_design", "voltage_max_design", 1e6},
    {"voltage_min", "voltage_min", 1e6},
    {"voltage_min_design", "voltage_min_design", 1e6},
    {"voltage_now", "voltage_volt", 1e6},
    {"voltage_ocv", "voltage_ocv", 1e6},
    {"charge_control_limit", "charge_control_limit", 1e6},
    {"charge_control_limit_max", "charge_control_limit_max", 1e6},
    {"charge_counter", "charge_counter", 1e6},
    {"charge_empty", "charge_empty", 1e6},
    {"charge_empty_design", "charge_empty_design", 1e6},
    {"charge_full", "charge_full", 1e6},
    {"charge_full_design", "charge_full_design", 1e6},
    {"charge_now", "charge_ampere", 1e6},
    {"charge_term_current", "charge_term_current", 1e6},
    {"constant_charge_current", "constant_charge_current", 1e6},
    {"constant_charge_current_max", "constant_charge_current_max", 1e6},
    {"constant_charge_voltage", "constant_charge_voltage", 1e6},
    {"constant_charge_voltage_max", "constant_charge_voltage_max", 1e6},
    {"precharge_current", "precharge_current", 1e6},
    {"input_current_limit", "input_current_limit", 1e6},
    {"power_now", "power_watt", 1e6},
    {"temp", "temp_celsius", 10},
    {"temp_alert_max", "temp_alert_max_celsius", 10},
    {"temp_alert_min", "temp_alert_min_celsius", 10},
    {"temp_ambient", "temp_ambient_celsius", 10},
    {"temp_ambient_max", "temp_ambient_max_celsius", 10},
    {"temp_ambient_min", "temp_ambient_min_celsius", 10},
    {"temp_max", "temp_max_celsius", 10},
    {"temp_min", "temp_min_celsius", 10},
};
#define N_ATTRS (sizeof attrs / sizeof attrs[0])
/* String attributes, label names (sorted, as node_exporter shows them). */
static const char *const info_attrs[] = {
    "capacity_level", "charge_type", "health",     "manufacturer", "model_name", "scope",
    "serial_number",  "status",      "technology", "type",         "usb_type",
};
#define N_INFO (sizeof info_attrs / sizeof info_attrs[0])

static int declare_flags(omx_app *app) {
    return omx_app_flag_string(
        app, "collector.powersupply.ignored-supplies", &ignored_flag,
        "Regexp of power supplies to ignore for powersupplyclass collector.");
}

static hw_column cols[N_ATTRS];
static char col_names[N_ATTRS][64], col_helps[N_ATTRS][128];

static int setup(void) {
    for (size_t i = 0; i < N_ATTRS; i++) {
        snprintf(col_names[i], sizeof col_names[i], "node_power_supply_%s", attrs[i].metric);
        snprintf(col_helps[i], sizeof col_helps[i],
                 "%s value of /sys/class/power_supply/<power_supply>.", attrs[i].metric);
        cols[i] = (hw_column){col_names[i], col_helps[i], OMX_GAUGE};
    }
    return node_regex_compile(&ignored, "collector.powersupply.ignored-supplies", ignored_flag);
}

typedef struct {
    char name[128];
    char info[N_INFO][128];
} supply;

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    static const char *const label_names[] = {"power_supply"};
    char base[NODE_PATH_MAX], dir[NODE_PATH_MAX];
    char **list = NULL;
    int r = node_sys_path(base, sizeof base, "class/power_supply");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &list)) < 0)
        return hw_fail("powersupplyclass", base, r);
    size_t n = 0;
    for (char **p = list; *p; p++)
        n++;
    supply *sup = calloc(n ? n : 1, sizeof *sup);
    if (!sup) {
        omx_strv_free(list);
        return -ENOMEM;
    }
    hw_table t;
    hw_table_init(&t, cols, N_ATTRS, label_names, 1);
    size_t ns = 0;
    for (char **p = list; *p && r >= 0; p++) {
        if (node_regex_match(&ignored, *p))
            continue;
        if ((r = node_sys_path(dir, sizeof dir, "class/power_supply/%s", *p)) < 0)
            break;
        supply *s = &sup[ns];
        snprintf(s->name, sizeof s->name, "%s", *p);
        double *row = hw_table_add(&t, (const char *const[]){s->name});
        if (!row) {
            r = -ENOMEM;
            break;
        }
        for (size_t i = 0; i < N_ATTRS && r >= 0; i++) {
            int64_t v;
            r = hw_attr_i64(dir, attrs[i].file, &v);
            if (r == 0)
                row[i] = (double)v / attrs[i].div;
        }
        for (size_t i = 0; i < N_INFO && r >= 0; i++) {
            r = hw_attr_str(dir, info_attrs[i], s->info[i], sizeof s->info[i]);
            if (r == 1)
                s->info[i][0] = '\0';
            hw_utf8_clean(s->info[i]);
        }
        if (r > 0)
            r = 0;
        ns++;
    }
    if (r >= 0)
        r = hw_table_emit(&t, e);
    /* node_exporter gives each supply only its non-empty labels; one family has one
     * label set here, so absent strings are empty values (the same series to Prometheus). */
    static const char *const info_labels[] = {
        "capacity_level", "charge_type",   "health", "manufacturer", "model_name", "power_supply",
        "scope",          "serial_number", "status", "technology",   "type",       "usb_type",
    };
    if (r >= 0 && ns > 0)
        r = omx_emit_family(e,
                            &(omx_desc){.name = "node_power_supply_info",
                                        .help = "info of /sys/class/power_supply/<power_supply>.",
                                        .type = OMX_GAUGE,
                                        .label_names = info_labels,
                                        .n_labels = N_INFO + 1});
    for (size_t k = 0; k < ns && r >= 0; k++) {
        const char *v[N_INFO + 1];
        for (size_t i = 0, j = 0; i < N_INFO + 1; i++)
            v[i] = i == 5 ? sup[k].name : sup[k].info[j++];
        r = omx_emit_sample(e, v, 1);
    }
    hw_table_free(&t);
    free(sup);
    omx_strv_free(list);
    return r < 0 ? r : 0;
}

const node_collector node_collector_powersupplyclass = {
    .name = "powersupplyclass",
    .enabled_by_default = true,
    .declare_flags = declare_flags,
    .setup = setup,
    .collect = collect,
};
