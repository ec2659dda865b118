/* systemd socket activation and sd_notify (see sdnotify.h). */
#include <systemd/sd-daemon.h>

#include "exporter/error.h"
#include "sdnotify.h"

void omx__sd_notify(const char *msg)
{
    (void)sd_notify(0, msg);
}

uint64_t omx__sd_watchdog_interval_usec(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0)
        return 0;
    return usec / 2;
}

int omx__sd_listen_fds(int *fds, int max)
{
    int n = sd_listen_fds(1);
    if (n < 0)
        return OMX_EIO;
    if (n > max)
        n = max;
    for (int i = 0; i < n; i++) {
        int fd = SD_LISTEN_FDS_START + i;
        if (sd_is_socket(fd, 0, 0, 1) <= 0)
            return OMX_EINVAL;
        fds[i] = fd;
    }
    return n;
}
