/* Clocks, with a hook so tests get deterministic _created values. */
#include <time.h>

#include "internal.h"

double omx__test_realtime;

double omx__now_realtime(void) {
    if (omx__test_realtime != 0)
        return omx__test_realtime;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t omx__now_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
