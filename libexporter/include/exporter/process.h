/* omx libexporter: the standard process collector and a build-info gauge. */
#ifndef EXPORTER_PROCESS_H
#define EXPORTER_PROCESS_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>

#include "exporter/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Registers a collector named "process" exposing process_cpu_seconds_total,
 * process_resident_memory_bytes, process_virtual_memory_bytes,
 * process_virtual_memory_max_bytes, process_open_fds, process_max_fds and
 * process_start_time_seconds for the calling process (read from procfs_path,
 * NULL = "/proc"), as client_golang does. The collector is not listed in
 * <prefix>_scrape_collector_* (node_exporter does not list it either).
 * Returns 0 or an omx_err. */
int omx_process_collector_register(omx_registry *r, const char *procfs_path);

/* Registers a gauge family `name` (e.g. "node_exporter_build_info") with one
 * series of value 1 carrying n label pairs (all strings copied). */
int omx_build_info_register(omx_registry *r, const char *name, const char *help,
                            const char *const *label_names, const char *const *label_values,
                            size_t n);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
