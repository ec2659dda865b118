/* omx-node: ?collect[]=NAME and ?exclude[]=NAME on the telemetry path. */
#ifndef NODE_SCRAPE_FILTER_H
#define NODE_SCRAPE_FILTER_H

#include <exporter/app.h>

/* The omx_scrape_hook_fn of omx-node (userdata unused). No query: every
 * collector. collect[] keeps only the named collectors, exclude[] drops them
 * (both: 400). A collect[] name that is not a collector, or not enabled,
 * answers 400 with node_exporter's text naming it; exclude[] ignores names that
 * are not enabled, as node_exporter does. Non-node collectors (process_*) stay.
 * Collector state comes from node_runtime_register. */
int node_scrape_filter(omx_request *req, omx_collector_pick_fn *pick, void **pick_ctx,
                       void *userdata);

#endif
