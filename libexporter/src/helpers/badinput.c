/* One log shape for malformed input, whichever exporter read it. */
#include <stdio.h>

#include "exporter/emit.h"
#include "exporter/error.h"
#include "exporter/log.h"

int omx_bad_input(const char *source, const char *path, unsigned line, const char *what) {
    char ln[16];
    snprintf(ln, sizeof ln, "%u", line);
    /* an error, as node_exporter logs a failed collector: the admin must see why */
    omx_log(OMX_LOG_ERROR, "malformed input", "collector", source ? source : "", "file",
            path ? path : "", "line", ln, "err", what ? what : "", NULL);
    return OMX_EVALUE;
}
