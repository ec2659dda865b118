/* omx-node: shorthands for collectors' simple families. */
#include "emit.h"

#include <stdio.h>

int node_emit1(omx_emitter *e, const char *name, const char *help, omx_type type, double v) {
    int r = omx_emit_family(e, &(omx_desc){.name = name, .help = help, .type = type});
    return r < 0 ? r : omx_emit_sample(e, NULL, v);
}

int node_emit1l(omx_emitter *e, const char *name, const char *help, omx_type type,
                const char *label, const char *value, double v) {
    const char *names[] = {label};
    const char *values[] = {value};
    int r = omx_emit_family(e, &(omx_desc){.name = name, .help = help, .type = type,
                                           .label_names = names, .n_labels = 1});
    return r < 0 ? r : omx_emit_sample(e, values, v);
}

int node_bad_input(const char *collector, const char *path, unsigned line, const char *what) {
    char ln[16];
    snprintf(ln, sizeof ln, "%u", line);
    /* an error, as node_exporter logs a failed collector: the admin must see why */
    omx_log(OMX_LOG_ERROR, "malformed input", "collector", collector, "file", path, "line", ln,
            "err", what, NULL);
    return OMX_EVALUE;
}
