/* Process-wide settings a probe reads (bb_probe.rt): the target allow-list
 * and the probe log level. Set up before serving; read-only afterwards. */
#ifndef BB_RUNTIME_H
#define BB_RUNTIME_H

#include "allow.h"
#include "prober.h"

struct bb_runtime {
    const bb_allow *allow; /* --probe.allowed-targets; NULL allows every target */
    int log_prober;        /* --log.prober: probe lines at or above go to the log */
};

#endif
