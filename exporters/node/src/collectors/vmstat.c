/* vmstat: fields of <procfs>/vmstat matching --collector.vmstat.fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "pattern.h"
#include "util.h"

static const char *opt_fields = "^(oom_kill|pgpg|pswp|pg.*fault).*";
static node_regex re_fields;

static int declare(omx_app *app) {
    return omx_app_flag_string(app, "collector.vmstat.fields", &opt_fields,
                               "Regexp of fields to return for vmstat collector.");
}

static int setup(void) {
    return node_regex_compile(&re_fields, "--collector.vmstat.fields", opt_fields);
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "vmstat")) < 0 ||
        (r = node_read_file(path, 1u << 20, &data, NULL)) < 0)
        return r;
    /* check every line before emitting anything */
    char *copy = strdup(data);
    if (!copy) {
        free(data);
        return OMX_ENOMEM;
    }
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[3];
        int64_t v;
        if (node_split_fields(line, f, 3) != 2 || node_parse_i64(f[1], &v) < 0) {
            r = node_bad_input("vmstat", path, lineno, "expected 'name value'");
            goto out;
        }
    }
    save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[3];
        int64_t v;
        node_split_fields(line, f, 3);
        node_parse_i64(f[1], &v);
        if (!node_regex_match(&re_fields, f[0]))
            continue;
        char name[160], help[200];
        snprintf(name, sizeof name, "node_vmstat_%s", f[0]);
        snprintf(help, sizeof help, "/proc/vmstat information field %s.", f[0]);
        if ((r = node_emit1(e, name, help, OMX_UNKNOWN, (double)v)) < 0)
            goto out;
    }
    r = 0;
out:
    free(copy);
    free(data);
    return r;
}

const node_collector node_collector_vmstat = {
    .name = "vmstat",
    .enabled_by_default = true,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
