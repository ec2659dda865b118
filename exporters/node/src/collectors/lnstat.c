/* lnstat: per-CPU network cache counters from every file of <procfs>/net/stat
 * (a header line of names, then one line of hex counters per CPU). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

#define MAX_COLUMNS 64

typedef struct stat_file {
    const char *name;
    char *data;
    char *header[MAX_COLUMNS];
    size_t n_cols, n_rows;
    uint64_t *v; /* n_rows x n_cols */
} stat_file;

static int hex_u64(const char *s, uint64_t *ret) {
    if (!*s || strlen(s) > 16)
        return -EINVAL;
    uint64_t v = 0;
    for (; *s; s++) {
        int d = *s >= '0' && *s <= '9'   ? *s - '0'
                : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
                                         : -1;
        if (d < 0)
            return -EINVAL;
        v = v << 4 | (uint64_t)d;
    }
    *ret = v;
    return 0;
}

static int parse_file(stat_file *sf, const char *path) {
    size_t nlines = 1;
    for (const char *p = sf->data; *p; p++)
        nlines += *p == '\n';
    char *save = NULL, *line = strtok_r(sf->data, "\n", &save);
    if (!line)
        return 0;
    sf->n_cols = omx_split_fields(line, sf->header, MAX_COLUMNS);
    if (sf->n_cols == MAX_COLUMNS)
        return omx_bad_input("lnstat", path, 1, "too many columns");
    if (!(sf->v = calloc(nlines * (sf->n_cols ? sf->n_cols : 1), sizeof *sf->v)))
        return OMX_ENOMEM;
    unsigned lineno = 1;
    while ((line = strtok_r(NULL, "\n", &save))) {
        lineno++;
        char *f[MAX_COLUMNS + 1];
        size_t nf = omx_split_fields(line, f, MAX_COLUMNS + 1);
        if (nf == 0)
            continue;
        if (nf != sf->n_cols)
            return omx_bad_input("lnstat", path, lineno,
                                 "number of counters differs from the header");
        for (size_t c = 0; c < nf; c++)
            if (hex_u64(f[c], &sf->v[sf->n_rows * sf->n_cols + c]) < 0)
                return omx_bad_input("lnstat", path, lineno, "counter is not hexadecimal");
        sf->n_rows++;
    }
    return 0;
}

static int emit(omx_emitter *e, const stat_file *files, size_t n) {
    static const char *const labels[] = {"subsystem", "cpu"};
    int r;
    /* one family per column name, across every file that has it */
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < files[i].n_cols; c++) {
            const char *h = files[i].header[c];
            bool seen = false;
            for (size_t j = 0; j <= i && !seen; j++)
                for (size_t k = 0; k < (j == i ? c : files[j].n_cols) && !seen; k++)
                    seen = !strcmp(files[j].header[k], h);
            if (seen)
                continue;
            char name[160];
            if (!omx_join(name, sizeof name, (const char *[]){"node_lnstat_", h, "_total"}, 3))
                return omx_bad_input("lnstat", files[i].name, 1, "column name too long");
            const omx_desc d = {.name = name,
                                .help = "linux network cache stats",
                                .type = OMX_COUNTER,
                                .label_names = labels,
                                .n_labels = 2};
            if ((r = omx_emit_family(e, &d)) < 0)
                return r;
            for (size_t j = i; j < n; j++)
                for (size_t k = 0; k < files[j].n_cols; k++) {
                    if (strcmp(files[j].header[k], h))
                        continue;
                    for (size_t row = 0; row < files[j].n_rows; row++) {
                        char cpu[24];
                        snprintf(cpu, sizeof cpu, "%zu", row);
                        const char *lv[] = {files[j].name, cpu};
                        if ((r = omx_emit_sample(
                                 e, lv, (double)files[j].v[row * files[j].n_cols + k])) < 0)
                            return r;
                    }
                }
        }
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char dir[NODE_PATH_MAX], path[NODE_PATH_MAX], **names = NULL;
    int r;
    if ((r = node_proc_path(dir, sizeof dir, "net/stat")) < 0 ||
        (r = omx_list_dir(dir, &names)) < 0)
        return r;
    size_t n = 0;
    while (names[n])
        n++;
    stat_file *files = calloc(n ? n : 1, sizeof *files);
    if (!files) {
        omx_strv_free(names);
        return OMX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        files[i].name = names[i];
        if ((r = node_proc_path(path, sizeof path, "net/stat/%s", names[i])) < 0 ||
            (r = omx_read_file(path, 1u << 20, &files[i].data, NULL)) < 0 ||
            (r = parse_file(&files[i], path)) < 0)
            goto out;
    }
    r = emit(e, files, n);
out:
    for (size_t i = 0; i < n; i++) {
        free(files[i].data);
        free(files[i].v);
    }
    free(files);
    omx_strv_free(names);
    return r;
}

const node_collector node_collector_lnstat = {
    .name = "lnstat",
    .enabled_by_default = false,
    .collect = collect,
};
