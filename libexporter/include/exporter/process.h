/* omx libexporter: the standard process collector and build-info gauges. */
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

/* Registers "<program>_build_info" as Prometheus' Go exporters do (the help
 * text of prometheus/common's version collector, labels branch, goarch, goos,
 * goversion, revision, version), filled with omx's facts: goarch is the
 * machine in Go's GOARCH spelling (amd64, arm64, ...), goversion "none",
 * branch "omx", revision "". version is copied. Returns 0 or an omx_err. */
int omx_build_info_register_program(omx_registry *r, const char *program, const char *version);

/* What a build knows about itself, for --version and <program>_build_info as the
 * Go exporters show them. Strings are borrowed; "" or NULL when unknown. */
typedef struct omx_build_facts {
    const char *revision; /* the commit, e.g. git's full hash */
    const char *branch;
    const char *build_user; /* user@host */
    const char *build_date; /* Go's layout: 20060102-15:04:05 */
    const char *compiler;   /* in goversion's place, e.g. "gcc12.2.0" */
} omx_build_facts;

/* Like omx_build_info_register_program with the facts of b (NULL = the
 * defaults described there): revision, branch and goversion = b->compiler. */
int omx_build_info_register_facts(omx_registry *r, const char *program, const char *version,
                                  const omx_build_facts *b);

/* The running machine in Go's GOARCH spelling ("amd64" for x86_64, "arm64" for
 * aarch64, ...; uname's name otherwise), into buf of size bytes; returns buf. */
const char *omx_goarch(char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
