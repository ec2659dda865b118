/* omx-node (nfs, nfsd collectors): the /proc/net/rpc/{nfs,nfsd} line format. */
#include "rpc_stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

static int bad(const char *path, size_t line, const char *key, size_t field, const char *what) {
    char l[24], f[24];
    snprintf(l, sizeof l, "%zu", line);
    snprintf(f, sizeof f, "%zu", field);
    omx_log(OMX_LOG_ERROR, "malformed input", "file", path, "line", l, "key", key, "field", f,
            "err", what, NULL);
    return -EINVAL;
}

int rpc_parse(char *data, const char *path, const char *const *keys, rpc_line *lines) {
    size_t lineno = 0;
    for (char *line = data, *next; line && *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *f[RPC_MAX_VALUES + 2];
        size_t n = omx_split_fields(line, f, RPC_MAX_VALUES + 2);
        if (n == 0)
            continue;
        if (n > RPC_MAX_VALUES + 1)
            return bad(path, lineno, f[0], n, "too many fields");
        size_t k;
        for (k = 0; keys[k]; k++)
            if (!strcmp(keys[k], f[0]))
                break;
        if (!keys[k])
            continue; /* lines newer kernels add */
        rpc_line *l = &lines[k];
        snprintf(l->key, sizeof l->key, "%s", f[0]);
        l->n = 0;
        l->present = 1;
        l->lineno = lineno;
        /* "th <threads> <fullcnt> <histogram of floats>": only the integers are used. */
        size_t last = !strcmp(f[0], "th") ? (n < 3 ? n : 3) : n;
        for (size_t i = 1; i < last; i++) {
            if (omx_parse_u64(f[i], &l->v[l->n]) < 0)
                return bad(path, lineno, f[0], i, "not an unsigned integer");
            l->n++;
        }
    }
    return 0;
}

int rpc_check_counted(const rpc_line *l, const char *path, size_t min) {
    if (!l->present)
        return 0;
    if (l->n < 1 || l->v[0] != l->n - 1)
        return bad(path, l->lineno, l->key, 1, "count does not match the number of values");
    if (l->n - 1 < min)
        return bad(path, l->lineno, l->key, 1, "too few values");
    return 0;
}

int rpc_load(const char *collector, const char *rel, const char *const *keys, size_t n_keys,
             char *path, size_t size, rpc_line **ret_lines) {
    char *data = NULL;
    *ret_lines = NULL;
    int r = node_proc_path(path, size, "%s", rel);
    if (r < 0)
        return r;
    if ((r = omx_read_file(path, 1 << 20, &data, NULL)) < 0)
        return hw_fail(collector, path, r); /* node_exporter's ErrNoData */
    rpc_line *l = calloc(n_keys, sizeof *l);
    if (!l) {
        free(data);
        return -ENOMEM;
    }
    r = rpc_parse(data, path, keys, l);
    free(data);
    if (r < 0) {
        free(l);
        return r;
    }
    *ret_lines = l;
    return 0;
}

int rpc_emit_requests(omx_emitter *e, const char *name, const char *help, const rpc_procs *v,
                      size_t n_v) {
    static const char *const labels[] = {"proto", "method"};
    int r = omx_emit_family(
        e,
        &(omx_desc){
            .name = name, .help = help, .type = OMX_COUNTER, .label_names = labels, .n_labels = 2});
    for (size_t k = 0; k < n_v && r >= 0; k++)
        for (size_t i = 0; i < v[k].n && r >= 0; i++)
            if (v[k].names[i])
                r = omx_emit_sample(e, (const char *const[]){v[k].version, v[k].names[i]},
                                    (double)rpc_at(v[k].line, i + 1));
    return r < 0 ? r : 0;
}
