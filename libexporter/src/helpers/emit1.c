/* Families of one sample, the commonest thing collectors emit. */
#include <stddef.h>

#include "exporter/emit.h"

int omx_emit1(omx_emitter *e, const char *name, const char *help, omx_type type, double v) {
    int r = omx_emit_family(e, &(omx_desc){.name = name, .help = help, .type = type});
    return r < 0 ? r : omx_emit_sample(e, NULL, v);
}

int omx_emit1l(omx_emitter *e, const char *name, const char *help, omx_type type, const char *label,
               const char *value, double v) {
    const char *names[] = {label};
    const char *values[] = {value};
    int r = omx_emit_family(
        e,
        &(omx_desc){.name = name, .help = help, .type = type, .label_names = names, .n_labels = 1});
    return r < 0 ? r : omx_emit_sample(e, values, v);
}
