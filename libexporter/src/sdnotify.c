/* systemd socket activation and sd_notify (see sdnotify.h), through a
 * libsystemd loaded with dlopen() only when systemd passed something: a
 * process not started by systemd (or not Type=notify, no sockets) never maps
 * libsystemd and the libraries it pulls in (about 0.9 MB). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include <systemd/sd-daemon.h> /* types and prototypes only */

#include "exporter/dlsyms.h"
#include "exporter/error.h"
#include "sdnotify.h"

static struct {
    __typeof__(sd_notify) *notify;
    __typeof__(sd_watchdog_enabled) *watchdog_enabled;
    __typeof__(sd_listen_fds) *listen_fds;
    __typeof__(sd_is_socket) *is_socket;
} sd;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;

static void load(void) {
    const omx_dlsym syms[] = {
        {(void **)&sd.notify, "sd_notify"},
        {(void **)&sd.watchdog_enabled, "sd_watchdog_enabled"},
        {(void **)&sd.listen_fds, "sd_listen_fds"},
        {(void **)&sd.is_socket, "sd_is_socket"},
    };
    loaded = omx_dlsyms("libsystemd.so.0", syms, sizeof syms / sizeof syms[0]) == 0;
}

static bool load_once(void) {
    pthread_once(&once, load);
    return loaded;
}

int omx__sd_notify(const char *msg) {
    if (!getenv("NOTIFY_SOCKET"))
        return 0;
    if (!load_once())
        return -ELIBACC;
    (void)sd.notify(0, msg);
    return 0;
}

uint64_t omx__sd_watchdog_interval_usec(void) {
    uint64_t usec = 0;
    if (!getenv("WATCHDOG_USEC") || !load_once() || sd.watchdog_enabled(0, &usec) <= 0)
        return 0;
    return usec / 2;
}

int omx__sd_listen_fds(int *fds, int max) {
    if (!getenv("LISTEN_FDS"))
        return 0;
    if (!load_once())
        return -ELIBACC; /* sockets were passed but libsystemd cannot be loaded */
    int n = sd.listen_fds(1);
    if (n < 0)
        return n; /* libsystemd returns -errno */
    if (n > max)
        n = max;
    for (int i = 0; i < n; i++) {
        int fd = SD_LISTEN_FDS_START + i;
        if (sd.is_socket(fd, 0, 0, 1) <= 0)
            return OMX_EINVAL;
        fds[i] = fd;
    }
    return n;
}
