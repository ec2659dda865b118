/* The small functions of prober.h every prober calls: clock, deadline, log, allow-list. */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include <exporter/error.h>

#include "plog.h"
#include "runtime.h"

int64_t bb_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int bb_remaining_ms(const bb_probe *p) {
    int64_t left = p->deadline_ns - bb_now_ns();
    if (left <= 0)
        return 0;
    int64_t ms = (left + 999999) / 1000000; /* round up: poll(0) would spin */
    return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

bool bb_expired(const bb_probe *p) { return bb_now_ns() >= p->deadline_ns; }

int bb_wait_fd(bb_probe *p, int fd, short events) {
    for (;;) {
        int ms = bb_remaining_ms(p);
        if (ms <= 0)
            return OMX_ETIMEOUT;
        struct pollfd pfd = {.fd = fd, .events = events};
        int r = poll(&pfd, 1, ms);
        if (r > 0)
            return 0;
        if (r == 0)
            return OMX_ETIMEOUT;
        if (errno != EINTR)
            return -errno;
    }
}

void bb_logf(bb_probe *p, int level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    bb_plog_vlogf(p ? p->log : NULL, level, fmt, ap);
    va_end(ap);
}

bool bb_target_allowed(const bb_runtime *rt, const char *host, const struct sockaddr *addr) {
    return !rt || bb_allow_check(rt->allow, host, addr);
}
