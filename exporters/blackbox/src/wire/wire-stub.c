/* Passive capture: not built yet. */
#include <errno.h>
#include <stdio.h>

#include "wire.h"

int wire_config_parse(omx_yaml *y, const omx_yaml_node *n, wire_config **ret) {
    *ret = NULL;
    return omx_yaml_fail(y, n, "passive", "passive capture is not built");
}

wire_config *wire_config_free(wire_config *c) {
    (void)c;
    return NULL;
}

int wire_config_dump(const wire_config *c, omx_buf *out, int indent) {
    (void)c;
    (void)out;
    (void)indent;
    return 0;
}

int wire_start(const wire_config *cfg, omx_registry *reg, wire **ret) {
    (void)cfg;
    (void)reg;
    *ret = NULL;
    return -ENOTSUP;
}

wire *wire_stop(wire *w) {
    (void)w;
    return NULL;
}

int wire_read_file(const wire_config *cfg, const char *path, bool openmetrics, int fd, char *err,
                   size_t errlen) {
    (void)cfg;
    (void)openmetrics;
    (void)fd;
    snprintf(err, errlen, "%s: passive capture is not built", path);
    return -ENOTSUP;
}
