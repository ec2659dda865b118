/* The icmp prober: not built yet; every probe fails saying so. */
#include "module.h"
#include "prober.h"

static int parse(omx_yaml *y, const omx_yaml_node *n, void **ret) {
    (void)y;
    (void)n;
    *ret = NULL;
    return 0;
}

static void cfg_free(void *cfg) { (void)cfg; }

static int dump(const void *cfg, omx_buf *out, int indent) {
    (void)cfg;
    (void)out;
    (void)indent;
    return 0;
}

static bool run(bb_probe *p, const void *cfg) {
    (void)cfg;
    bb_logf(p, OMX_LOG_ERROR, "the icmp prober is not built");
    return false;
}

const bb_prober bb_prober_icmp = {"icmp", parse, cfg_free, dump, run};
