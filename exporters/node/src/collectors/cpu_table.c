/* omx-node (schedstat, softnet collectors): per-CPU counter tables. */
#include "cpu_table.h"

#include <stdio.h>

int node_emit_cpu_counters(omx_emitter *e, const node_cpu_family *fam, size_t n_fam,
                           const char *const *cpu, const double *v, size_t n) {
    static const char *const labels[] = {"cpu"};
    for (size_t k = 0; k < n_fam; k++) {
        int r = omx_emit_family(e, &(omx_desc){.name = fam[k].name,
                                               .help = fam[k].help,
                                               .type = OMX_COUNTER,
                                               .label_names = labels,
                                               .n_labels = 1});
        for (size_t i = 0; i < n && r >= 0; i++) {
            char id[24];
            const char *lv = cpu ? cpu[i] : (snprintf(id, sizeof id, "%zu", i), id);
            r = omx_emit_sample(e, &lv, v[i * n_fam + k]);
        }
        if (r < 0)
            return r;
    }
    return 0;
}
