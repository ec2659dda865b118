/* meminfo: every field of <procfs>/meminfo as node_memory_<Field>[_bytes]. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include <exporter/log.h>
#include "util.h"

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_read_proc("meminfo", "meminfo", 1u << 20, path, sizeof path, &data)) < 0)
        return r;
    /* validate the whole file first: a truncated or garbled file emits nothing */
    char *save = NULL;
    unsigned lineno = 0;
    size_t nlines = 0;
    for (char *p = data; *p; p++)
        nlines += *p == '\n';
    char **keys = calloc(nlines + 1, sizeof *keys);
    double *vals = calloc(nlines + 1, sizeof *vals);
    bool *bytes = calloc(nlines + 1, sizeof *bytes);
    size_t n = 0;
    if (!keys || !vals || !bytes) {
        r = OMX_ENOMEM;
        goto out;
    }
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[4];
        size_t nf = omx_split_fields(line, f, 4);
        size_t kl = nf ? strlen(f[0]) : 0;
        if (nf < 2 || nf > 3 || kl < 2 || f[0][kl - 1] != ':' || (nf == 3 && strcmp(f[2], "kB"))) {
            r = omx_bad_input("meminfo", path, lineno, "expected 'Key: value [kB]'");
            goto out;
        }
        if (kl > 80) { /* would not fit the name buffers: never a truncated name */
            r = omx_bad_input("meminfo", path, lineno, "field name too long");
            goto out;
        }
        f[0][kl - 1] = '\0';
        uint64_t v;
        if (omx_parse_u64(f[1], &v) < 0) {
            r = omx_bad_input("meminfo", path, lineno, "bad value");
            goto out;
        }
        if (n > nlines)
            break;
        keys[n] = f[0];
        vals[n] = nf == 3 ? (double)v * 1024.0 : (double)v;
        bytes[n] = nf == 3;
        n++;
    }
    if (n == 0) {
        r = omx_bad_input("meminfo", path, 0, "empty file");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        /* "Active(anon)" becomes "Active_anon" as in node_exporter */
        char key[96], name[160], help[200];
        size_t o = 0;
        for (const char *k = keys[i]; *k && o + 1 < sizeof key; k++) {
            if (*k == '(')
                key[o++] = '_';
            else if (*k != ')')
                key[o++] = *k;
        }
        key[o] = '\0';
        const char *suffix = bytes[i] ? "_bytes" : NULL;
        omx_join(name, sizeof name, (const char *[]){"node_memory_", key, suffix}, 3);
        omx_join(help, sizeof help, (const char *[]){"Memory information field ", key, suffix, "."},
                 4);
        if ((r = omx_emit1(e, name, help, OMX_GAUGE, vals[i])) < 0)
            goto out;
    }
    r = 0;
out:
    free(keys);
    free(vals);
    free(bytes);
    free(data);
    return r;
}

const node_collector node_collector_meminfo = {
    .name = "meminfo",
    .enabled_by_default = true,
    .collect = collect,
};
