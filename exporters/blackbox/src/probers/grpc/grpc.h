/* The grpc prober's section: parsed and dumped by the binary (grpc-config.c),
 * run by the http plugin (grpc.c) over libcurl. */
#ifndef BB_GRPC_H
#define BB_GRPC_H

#include <stdbool.h>
#include <stddef.h>

#include "module.h"
#include "prober.h"

#define BB_GRPC_SERVICE_MAX 4096

typedef struct grpc_cfg {
    char *service;
    bool tls;
    bb_tls_config tls_config;
    bb_ip_opts ip;
    char **md_names, **md_values; /* metadata, one pair per value */
    size_t n_md;
} grpc_cfg;

/* bb_prober's parse / free / dump of the grpc section (see module.h). */
int bb_grpc_cfg_parse(omx_yaml *y, const omx_yaml_node *n, void **ret);
void bb_grpc_cfg_free(void *cfg); /* accepts NULL */
int bb_grpc_cfg_dump(const void *cfg, omx_buf *out, int indent);
/* Runs one health check (bb_prober's run). */
bool bb_grpc_run(bb_probe *p, const void *cfg);

#endif
