/* meminfo_numa: per-NUMA-node memory fields and allocation counters from
 * <sysfs>/devices/system/node/node<N>/{meminfo,numastat}. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

typedef struct numa_value {
    char name[96]; /* after node_memory_numa_ */
    const char *node;
    double value;
    bool counter;
} numa_value;

typedef struct numa_values {
    numa_value *v;
    size_t n, cap;
} numa_values;

static numa_value *values_add(numa_values *vs) {
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? vs->cap * 2 : 64;
        numa_value *v = realloc(vs->v, cap * sizeof *v);
        if (!v)
            return NULL;
        vs->v = v;
        vs->cap = cap;
    }
    return &vs->v[vs->n++];
}

/* "Active(anon):" -> "Active_anon", as node_exporter renames the field. */
static int field_name(const char *field, char *buf, size_t size) {
    size_t len = strlen(field);
    while (len && field[len - 1] == ':')
        len--;
    const char *open = memchr(field, '(', len), *close = NULL;
    for (size_t i = len; open && i > 0; i--)
        if (field[i - 1] == ')') {
            close = field + i - 1;
            break;
        }
    int n;
    if (open && close && close > open)
        n = snprintf(buf, size, "%.*s_%.*s%.*s", (int)(open - field), field,
                     (int)(close - open - 1), open + 1, (int)(field + len - close - 1), close + 1);
    else
        n = snprintf(buf, size, "%.*s", (int)len, field);
    return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* Lines "Node <N> <Field>: <value> [kB]". */
static int parse_meminfo(char *data, const char *path, numa_values *vs) {
    unsigned lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[6];
        size_t nf = omx_split_fields(line, f, 6);
        if (nf == 0)
            continue;
        double v;
        if (nf < 4 || nf > 5 || (nf == 5 && strcmp(f[4], "kB")) || strcmp(f[0], "Node") ||
            omx_parse_double(f[3], &v) < 0 || v != v)
            return omx_bad_input("meminfo_numa", path, lineno,
                                 "expected 'Node N Field: value [kB]'");
        numa_value *nv = values_add(vs);
        if (!nv)
            return OMX_ENOMEM;
        if (field_name(f[2], nv->name, sizeof nv->name) < 0 || !nv->name[0]) {
            vs->n--;
            return omx_bad_input("meminfo_numa", path, lineno, "bad field name");
        }
        nv->node = f[1];
        nv->value = nf == 5 ? v * 1024 : v;
        nv->counter = false;
    }
    return 0;
}

/* Lines "<counter> <value>". */
static int parse_numastat(char *data, const char *path, const char *node, numa_values *vs) {
    unsigned lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[3];
        size_t nf = omx_split_fields(line, f, 3);
        if (nf == 0)
            continue;
        double v;
        if (nf != 2 || omx_parse_double(f[1], &v) < 0 || v != v)
            return omx_bad_input("meminfo_numa", path, lineno, "expected 'name value'");
        numa_value *nv = values_add(vs);
        if (!nv)
            return OMX_ENOMEM;
        if (omx_join(nv->name, sizeof nv->name, (const char *[]){f[0], "_total"}, 2) == 0) {
            vs->n--;
            return omx_bad_input("meminfo_numa", path, lineno, "name too long");
        }
        nv->node = node;
        nv->value = v;
        nv->counter = true;
    }
    return 0;
}

static bool is_node_dir(const char *name) {
    return !strncmp(name, "node", 4) && isdigit((unsigned char)name[4]);
}

static int emit(omx_emitter *e, const numa_values *vs) {
    static const char *const labels[] = {"node"};
    for (size_t i = 0; i < vs->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(vs->v[j].name, vs->v[i].name);
        if (seen)
            continue;
        char name[128], help[160];
        omx_join(name, sizeof name, (const char *[]){"node_memory_numa_", vs->v[i].name}, 2);
        omx_join(help, sizeof help,
                 (const char *[]){"Memory information field ", vs->v[i].name, "."}, 3);
        const omx_desc d = {.name = name,
                            .help = help,
                            .type = vs->v[i].counter ? OMX_COUNTER : OMX_GAUGE,
                            .label_names = labels,
                            .n_labels = 1};
        int r = omx_emit_family(e, &d);
        if (r < 0)
            return r;
        for (size_t j = i; j < vs->n; j++)
            if (!strcmp(vs->v[j].name, vs->v[i].name) &&
                (r = omx_emit_sample(e, &vs->v[j].node, vs->v[j].value)) < 0)
                return r;
    }
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char dir[NODE_PATH_MAX], path[NODE_PATH_MAX], **names = NULL;
    int r;
    if ((r = node_sys_path(dir, sizeof dir, "devices/system/node")) < 0 ||
        (r = omx_list_dir(dir, &names)) < 0)
        return r;
    size_t nnames = 0;
    while (names[nnames])
        nnames++;
    /* two file buffers per node stay alive: the values point into them */
    char **bufs = calloc(2 * nnames + 1, sizeof *bufs);
    numa_values vs = {0};
    if (!bufs) {
        r = OMX_ENOMEM;
        goto out;
    }
    size_t nb = 0;
    for (size_t i = 0; i < nnames; i++) {
        if (!is_node_dir(names[i]))
            continue;
        const char *node = names[i] + 4;
        if ((r = node_sys_path(path, sizeof path, "devices/system/node/%s/meminfo", names[i])) <
                0 ||
            (r = omx_read_file(path, 1u << 20, &bufs[nb], NULL)) < 0 ||
            (r = parse_meminfo(bufs[nb++], path, &vs)) < 0)
            goto out;
        if ((r = node_sys_path(path, sizeof path, "devices/system/node/%s/numastat", names[i])) <
                0 ||
            (r = omx_read_file(path, 1u << 20, &bufs[nb], NULL)) < 0 ||
            (r = parse_numastat(bufs[nb++], path, node, &vs)) < 0)
            goto out;
    }
    r = emit(e, &vs);
out:
    for (size_t i = 0; bufs && i < 2 * nnames; i++)
        free(bufs[i]);
    free(bufs);
    free(vs.v);
    omx_strv_free(names);
    return r;
}

const node_collector node_collector_meminfo_numa = {
    .name = "meminfo_numa",
    .enabled_by_default = false,
    .collect = collect,
};
