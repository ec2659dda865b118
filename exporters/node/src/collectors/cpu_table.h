/* omx-node (schedstat, softnet collectors): per-CPU counter tables. */
#ifndef NODE_CPU_TABLE_H
#define NODE_CPU_TABLE_H

#include <stddef.h>

#include <exporter/collector.h>

/* One column of the table: a counter family. */
typedef struct node_cpu_family {
    const char *name, *help;
} node_cpu_family;

/* Emits n_fam counter families labelled cpu from a table of n rows (one a
 * CPU) of n_fam values: family k holds {cpu=cpu[i]} = v[i * n_fam + k], or
 * {cpu="<i>"} when cpu is NULL. Strings borrowed. Returns 0 or an omx_err. */
int node_emit_cpu_counters(omx_emitter *e, const node_cpu_family *fam, size_t n_fam,
                           const char *const *cpu, const double *v, size_t n);

#endif
