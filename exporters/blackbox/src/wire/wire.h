/* Passive network health from libpcap: the `passive:` section of blackbox.yml,
 * live captures served on omx-blackbox's /metrics, and offline reading of a
 * capture file (--passive.read-file). Metric names under wire_. */
#ifndef BB_WIRE_H
#define BB_WIRE_H

#include <stdbool.h>

#include "exporter/app.h"

typedef struct wire_config wire_config;
typedef struct wire wire;

/* Parses the passive: section n (errors through omx_yaml_fail naming the key).
 * Returns 0 (the caller frees *ret with wire_config_free), or OMX_ECONFIG /
 * -ENOMEM. */
int wire_config_parse(omx_yaml *y, const omx_yaml_node *n, wire_config **ret);
wire_config *wire_config_free(wire_config *c); /* accepts NULL; returns NULL */
/* Appends the section as YAML for /config (every key, defaults resolved; c
 * NULL dumps the defaults). Returns 0 or an omx_err. */
int wire_config_dump(const wire_config *c, omx_buf *out, int indent);

/* Starts one capture thread per configured interface and registers the wire_
 * collector in reg (borrowed; must outlive the returned handle). cfg is
 * copied. Returns 0 (the caller stops *ret with wire_stop), or a negative code (a
 * capture that cannot open is reported in wire_capture_up 0, not an error). */
int wire_start(const wire_config *cfg, omx_registry *reg, wire **ret);
/* Stops the captures. Accepts NULL; returns NULL. Unregistering is the
 * registry's: free the registry after this. The wire_ families stay in reg
 * (a registry cannot drop a family), so a second wire_start in the same
 * registry fails with OMX_EEXIST: on a reload keep the running captures when
 * the passive: section is unchanged (compare wire_config_dump outputs) and
 * ask for a restart when it changed. */
wire *wire_stop(wire *w);

/* Reads a pcap/pcapng file through the same dissector and tables and writes
 * the resulting metrics to fd (Prometheus 0.0.4, or OpenMetrics 1.0 when
 * openmetrics). cfg may be NULL (defaults). Returns 0 or a negative code with
 * a message in err: -ENOENT/-EACCES (cannot open), -EINVAL (not a capture,
 * unsupported link type, bad filter), -EIO after writing the metrics of a
 * file cut short (as tcpdump -r, the packets before the cut count). */
int wire_read_file(const wire_config *cfg, const char *path, bool openmetrics, int fd, char *err,
                   size_t errlen);

#endif
