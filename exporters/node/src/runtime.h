/* omx-node: the flags and registration shared by omx-node and node-dump. */
#ifndef NODE_RUNTIME_H
#define NODE_RUNTIME_H

#include <stdbool.h>

#include "node.h"

/* Declares --path.*, --collector.NAME / --no-collector.NAME for every collector,
 * --collector.disable-defaults and each collector's own flags on app. argv is
 * scanned (not consumed) to tell an explicit --collector.NAME from a default.
 * Returns 0 or a negative omx_err. */
int node_runtime_declare(omx_app *app, int argc, char **argv);

/* After omx_app_parse: runs the setup() of every enabled collector and adds
 * them (sorted by name) to reg, with node_scrape_collector_* stats when
 * with_stats. Returns 0 or a negative omx_err after logging which collector or
 * flag is wrong. */
int node_runtime_register(omx_registry *reg, bool with_stats);

#endif
