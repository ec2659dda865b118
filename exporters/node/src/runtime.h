/* omx-node: the flags and registration shared by omx-node and node-dump. */
#ifndef NODE_RUNTIME_H
#define NODE_RUNTIME_H

#include <stdbool.h>

#include "node.h"

/* Declares --path.*, --collector.NAME / --no-collector.NAME for every collector,
 * --collector.disable-defaults and each collector's own flags on app.
 * Returns 0 or a negative omx_err. */
int node_runtime_declare(omx_app *app);

/* After omx_app_parse of app: runs the setup() of every enabled collector (with
 * --collector.disable-defaults, those given --collector.NAME) and adds them
 * (sorted by name) to reg, with node_scrape_collector_* stats when
 * with_stats. Returns 0 or a negative omx_err after logging which collector or
 * flag is wrong. */
int node_runtime_register(const omx_app *app, omx_registry *reg, bool with_stats);

/* After node_runtime_register: 1 when collector name is registered, 0 when it
 * exists but is disabled, OMX_ENOENT when there is no such collector. */
int node_collector_state(const char *name);

#endif
