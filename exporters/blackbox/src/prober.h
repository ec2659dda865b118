/* What a prober gets for one probe and how it reports: deadline, target,
 * log lines for &debug=true and the landing page, and the probe's metrics. */
#ifndef BB_PROBER_H
#define BB_PROBER_H

#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "module.h"

typedef struct bb_result bb_result; /* the probe's metrics (result.c) */
typedef struct bb_plog bb_plog;     /* the probe's log lines (plog.c) */
typedef struct bb_runtime bb_runtime;

struct bb_probe {
    const bb_module *module;
    const char *target;   /* ?target= as given */
    const char *hostname; /* ?hostname= or NULL: http's Host header and SNI; tcp's TLS
                             server name when the module sets none (as upstream) */
    int64_t start_ns;     /* CLOCK_MONOTONIC */
    int64_t deadline_ns;  /* CLOCK_MONOTONIC; never outlive it */
    bb_result *res;
    bb_plog *log;
    const bb_runtime *rt; /* allow-list and other process-wide settings */
};

/* Monotonic clock in ns, and milliseconds left until the deadline (>= 0). */
int64_t bb_now_ns(void);
int bb_remaining_ms(const bb_probe *p);
bool bb_expired(const bb_probe *p);
/* Waits for events (POLLIN/POLLOUT) on fd until the deadline: 0 ready,
 * OMX_ETIMEOUT at the deadline, or -errno. */
int bb_wait_fd(bb_probe *p, int fd, short events);

/* Log a line for this probe (level as exporter/log.h: OMX_LOG_DEBUG..ERROR):
 * kept for &debug=true and the history (at most 64 KiB a probe), and sent to
 * the process log from --log.prober's level up. Upstream's wording is the
 * habit: "Resolving target address", "Error dialing TCP", with details as
 * key=value in the text ("err=%s"). Never log a secret. */
void bb_logf(bb_probe *p, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Metrics of the probe. Every family is a gauge unless said; names, help and
 * label names are borrowed (literals), label values copied. Adding the same
 * name again with other label values adds a series; with the same label
 * values it overwrites. Returns 0 or -ENOMEM (the probe then fails). */
int bb_result_gauge(bb_probe *p, const char *name, const char *help, double v);
int bb_result_gauge_l(bb_probe *p, const char *name, const char *help, size_t n_labels,
                      const char *const *label_names, const char *const *label_values, double v);
/* Same for a counter family (name without _total as upstream writes it). */
int bb_result_counter_l(bb_probe *p, const char *name, const char *help, size_t n_labels,
                        const char *const *label_names, const char *const *label_values, double v);

/* Resolves host for the prober with the module's IP options, as upstream's
 * chooseProtocol: sets probe_dns_lookup_time_seconds, probe_ip_protocol,
 * probe_ip_addr_hash, checks --probe.allowed-targets, and logs. port is
 * stored in the result (network order conversion done here). Returns 0, or a
 * negative code after logging why (the probe then fails). */
int bb_resolve(bb_probe *p, const char *host, uint16_t port, const bb_ip_opts *ip,
               struct sockaddr_storage *ret, socklen_t *ret_len);
/* The tcp and udp probers' start: splits the target as "host:port" (port
 * required) into host (host_len bytes) and resolves it with bb_resolve,
 * logging upstream's messages for either failure. Returns 0 or a negative
 * code (the probe then fails). */
int bb_resolve_target(bb_probe *p, const bb_ip_opts *ip, char *host, size_t host_len,
                      struct sockaddr_storage *ret, socklen_t *ret_len);
/* Splits "host:port", "[v6]:port" or "host" (default_port then, 0 = required). */
int bb_split_host_port(const char *target, char *host, size_t host_len, uint16_t *port,
                       uint16_t default_port);
/* Whether addr is allowed by --probe.allowed-targets (always when unset). */
bool bb_target_allowed(const bb_runtime *rt, const char *host, const struct sockaddr *addr);

#endif
