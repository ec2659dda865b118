/* cgroups: cgroup count and enabled state per controller from <procfs>/cgroups. */
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

typedef struct subsys {
    const char *name;
    int64_t cgroups, enabled;
} subsys;

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "cgroups")) < 0 ||
        (r = omx_read_file(path, 256 * 1024, &data, NULL)) < 0)
        return r;
    size_t nlines = 1;
    for (const char *p = data; *p; p++)
        nlines += *p == '\n';
    subsys *s = calloc(nlines, sizeof *s);
    size_t n = 0;
    if (!s) {
        free(data);
        return OMX_ENOMEM;
    }
    unsigned lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (line[0] == '#')
            continue;
        char *f[5];
        int64_t hier;
        if (omx_split_fields(line, f, 5) < 4 || omx_parse_i64(f[1], &hier) < 0 ||
            omx_parse_i64(f[2], &s[n].cgroups) < 0 || omx_parse_i64(f[3], &s[n].enabled) < 0) {
            r = omx_bad_input("cgroups", path, lineno,
                              "expected 'subsys hierarchy num_cgroups enabled'");
            goto out;
        }
        s[n++].name = f[0];
    }
    static const char *const labels[] = {"subsys_name"};
    /* node_exporter gives both families the same HELP */
    omx_desc d = {.name = "node_cgroups_cgroups",
                  .help = "Current cgroup number of the subsystem.",
                  .type = OMX_GAUGE,
                  .label_names = labels,
                  .n_labels = 1};
    if ((r = omx_emit_family(e, &d)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((r = omx_emit_sample(e, &s[i].name, (double)s[i].cgroups)) < 0)
            goto out;
    d.name = "node_cgroups_enabled";
    if ((r = omx_emit_family(e, &d)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((r = omx_emit_sample(e, &s[i].name, (double)s[i].enabled)) < 0)
            goto out;
    r = 0;
out:
    free(s);
    free(data);
    return r;
}

const node_collector node_collector_cgroups = {
    .name = "cgroups",
    .enabled_by_default = false,
    .collect = collect,
};
