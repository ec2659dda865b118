/* interrupts: per-CPU interrupt counts from <procfs>/interrupts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

#define MAX_FIELDS 4096

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "interrupts")) < 0 ||
        (r = omx_read_file(path, 16u << 20, &data, NULL)) < 0)
        return r;
    char **f = calloc(MAX_FIELDS, sizeof *f);
    if (!f) {
        free(data);
        return OMX_ENOMEM;
    }
    static const char *const labels[] = {"cpu", "devices", "info", "type"};
    char *save = NULL;
    char *line = strtok_r(data, "\n", &save);
    size_t ncpu = line ? omx_split_fields(line, f, MAX_FIELDS) : 0;
    if (ncpu == 0 || strncmp(f[0], "CPU", 3)) {
        r = omx_bad_input("interrupts", path, 1, "no CPU header");
        goto out;
    }
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_interrupts_total",
                                            .help = "Interrupt details.",
                                            .type = OMX_COUNTER,
                                            .label_names = labels,
                                            .n_labels = 4})) < 0)
        goto out;
    unsigned lineno = 1;
    while ((line = strtok_r(NULL, "\n", &save))) {
        lineno++;
        /* info and devices keep their inner spaces: split the counts only */
        char *p = line;
        while (*p == ' ')
            p++;
        char *colon = strchr(p, ':');
        if (!colon) {
            r = omx_bad_input("interrupts", path, lineno, "no ':' after the interrupt name");
            goto out;
        }
        *colon = '\0';
        const char *type = p;
        p = colon + 1;
        if (!strcmp(type, "ERR") || !strcmp(type, "MIS"))
            continue; /* global error counts, not per CPU: node_exporter skips them */
        size_t nv = 0;
        double v[MAX_FIELDS / 4];
        while (nv < ncpu && nv < sizeof v / sizeof v[0]) {
            while (*p == ' ' || *p == '\t')
                p++;
            char *end = p;
            while (*end >= '0' && *end <= '9')
                end++;
            if (end == p)
                break;
            if (*end && *end != ' ' && *end != '\t') {
                r = omx_bad_input("interrupts", path, lineno, "bad count");
                goto out;
            }
            char save_c = *end;
            *end = '\0';
            uint64_t x;
            if (omx_parse_u64(p, &x) < 0) {
                r = omx_bad_input("interrupts", path, lineno, "bad count");
                goto out;
            }
            v[nv++] = (double)x;
            *end = save_c;
            p = end;
        }
        if (nv == 0) {
            r = omx_bad_input("interrupts", path, lineno, "no counts");
            goto out;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        /* node_exporter joins the remaining words with single spaces */
        char *o = p;
        for (char *q = p, prev = ' '; *q; prev = *q++)
            if (!((*q == ' ' || *q == '\t') && (prev == ' ' || prev == '\t')))
                *o++ = *q == '\t' ? ' ' : *q;
        while (o > p && o[-1] == ' ')
            o--;
        *o = '\0';
        /* numbered IRQs: "<chip> <hwirq-and-devices...>"; others: the whole text is info */
        const char *info = p, *devices = "";
        bool numeric = *type && strspn(type, "0123456789") == strlen(type);
        if (numeric && nv > 1) {
            char *sp = strpbrk(p, " \t");
            if (sp) {
                *sp++ = '\0';
                while (*sp == ' ' || *sp == '\t')
                    sp++;
                devices = sp;
            }
        }
        for (size_t i = 0; i < nv; i++) {
            char cpu[16];
            snprintf(cpu, sizeof cpu, "%zu", i);
            if ((r = omx_emit_sample(e, (const char *[]){cpu, devices, info, type}, v[i])) < 0)
                goto out;
        }
    }
    r = 0;
out:
    free(f);
    free(data);
    return r;
}

const node_collector node_collector_interrupts = {
    .name = "interrupts",
    .enabled_by_default = false,
    .collect = collect,
};
