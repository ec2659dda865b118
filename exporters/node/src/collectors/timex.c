/* timex: kernel clock discipline state from adjtimex(2). */
#include <errno.h>
#include <sys/timex.h>

#include <exporter/emit.h>

#include "node.h"

#define PPM16FRAC (1000000.0 * 65536.0)

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    struct timex t = {0};
    int state = adjtimex(&t);
    if (state < 0)
        return -errno;
    double div = (t.status & STA_NANO) ? 1e9 : 1e6;
    static const struct {
        const char *name, *help;
        omx_type type;
    } m[] = {
        {"node_timex_sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
         OMX_GAUGE},
        {"node_timex_offset_seconds", "Time offset in between local system and reference clock.",
         OMX_GAUGE},
        {"node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.", OMX_GAUGE},
        {"node_timex_maxerror_seconds", "Maximum error in seconds.", OMX_GAUGE},
        {"node_timex_estimated_error_seconds", "Estimated error in seconds.", OMX_GAUGE},
        {"node_timex_status", "Value of the status array bits.", OMX_GAUGE},
        {"node_timex_loop_time_constant", "Phase-locked loop time constant.", OMX_GAUGE},
        {"node_timex_tick_seconds", "Seconds between clock ticks.", OMX_GAUGE},
        {"node_timex_pps_frequency_hertz", "Pulse per second frequency.", OMX_GAUGE},
        {"node_timex_pps_jitter_seconds", "Pulse per second jitter.", OMX_GAUGE},
        {"node_timex_pps_shift_seconds", "Pulse per second interval duration.", OMX_GAUGE},
        {"node_timex_pps_stability_hertz",
         "Pulse per second stability, average of recent frequency changes.", OMX_GAUGE},
        {"node_timex_pps_jitter_total", "Pulse per second count of jitter limit exceeded events.",
         OMX_COUNTER},
        {"node_timex_pps_calibration_total", "Pulse per second count of calibration intervals.",
         OMX_COUNTER},
        {"node_timex_pps_error_total", "Pulse per second count of calibration errors.",
         OMX_COUNTER},
        {"node_timex_pps_stability_exceeded_total",
         "Pulse per second count of stability limit exceeded events.", OMX_COUNTER},
        {"node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", OMX_GAUGE},
    };
    double v[] = {
        state == TIME_ERROR ? 0 : 1,
        (double)t.offset / div,
        1 + (double)t.freq / PPM16FRAC,
        (double)t.maxerror / 1e6,
        (double)t.esterror / 1e6,
        (double)t.status,
        (double)t.constant,
        (double)t.tick / 1e6,
        (double)t.ppsfreq / PPM16FRAC,
        (double)t.jitter / div,
        (double)t.shift,
        (double)t.stabil / PPM16FRAC,
        (double)t.jitcnt,
        (double)t.calcnt,
        (double)t.errcnt,
        (double)t.stbcnt,
        (double)t.tai,
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int r = omx_emit1(e, m[i].name, m[i].help, m[i].type, v[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

const node_collector node_collector_timex = {
    .name = "timex",
    .enabled_by_default = true,
    .collect = collect,
};
