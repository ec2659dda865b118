/* vmstat: fields of <procfs>/vmstat matching --collector.vmstat.fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
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
        (r = omx_read_file(path, 1u << 20, &data, NULL)) < 0)
        return r;
    /* one pass checks every line and keeps the wanted ones; nothing is emitted
     * unless the whole file is good */
    size_t nlines = 1;
    for (const char *p = data; (p = strchr(p, '\n')); p++)
        nlines++;
    const char **keys = malloc(nlines * sizeof *keys);
    int64_t *vals = malloc(nlines * sizeof *vals);
    size_t n = 0;
    if (!keys || !vals) {
        r = OMX_ENOMEM;
        goto out;
    }
    unsigned lineno = 0;
    for (char *line = data, *next; *line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : line + strlen(line);
        if (nl == line)
            continue; /* an empty line is not counted */
        if (nl)
            *nl = '\0';
        lineno++;
        char *f[3];
        int64_t v;
        if (omx_split_fields(line, f, 3) != 2 || omx_parse_i64(f[1], &v) < 0) {
            r = omx_bad_input("vmstat", path, lineno, "expected 'name value'");
            goto out;
        }
        if (node_regex_match(&re_fields, f[0])) {
            keys[n] = f[0];
            vals[n++] = v;
        }
    }
    for (size_t i = 0; i < n; i++) {
        char name[160], help[200];
        omx_join(name, sizeof name, (const char *[]){"node_vmstat_", keys[i]}, 2);
        omx_join(help, sizeof help,
                 (const char *[]){"/proc/vmstat information field ", keys[i], "."}, 3);
        if ((r = omx_emit1(e, name, help, OMX_UNKNOWN, (double)vals[i])) < 0)
            goto out;
    }
    r = 0;
out:
    free(keys);
    free(vals);
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
