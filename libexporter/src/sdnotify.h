/* systemd glue: socket activation and sd_notify (libsystemd). Everything is a
 * no-op when not started by systemd (no $LISTEN_FDS / $NOTIFY_SOCKET). */
#ifndef OMX_SDNOTIFY_H
#define OMX_SDNOTIFY_H

#include <stdint.h>

/* Sends one sd_notify message ("READY=1", "STATUS=...", ...); errors ignored.
 * Returns -ELIBACC when $NOTIFY_SOCKET is set but libsystemd cannot be loaded
 * (the caller says so: systemd would wait for READY=1 in vain), else 0. */
int omx__sd_notify(const char *msg);
/* Watchdog ping interval in microseconds (half of WATCHDOG_USEC), 0 if off. */
uint64_t omx__sd_watchdog_interval_usec(void);
/* Fills fds with up to max sockets passed by systemd; returns their count
 * (0 if none), -ELIBACC without libsystemd, or another negative errno /
 * OMX_E* code. Unsets $LISTEN_FDS. Exported for libexporter-http. */
__attribute__((visibility("default"))) int omx__sd_listen_fds(int *fds, int max);

#endif
