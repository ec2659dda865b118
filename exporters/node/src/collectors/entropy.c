/* entropy: available entropy and pool size from <procfs>/sys/kernel/random. */
#include <errno.h>

#include <exporter/emit.h>
#include "util.h"

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX];
    uint64_t avail, pool;
    int r;
    if ((r = node_proc_path(path, sizeof path, "sys/kernel/random/entropy_avail")) < 0 ||
        (r = omx_read_u64(path, &avail)) < 0)
        return r == -EINVAL ? omx_bad_input("entropy", path, 1, "not a number") : r;
    if ((r = omx_emit1(e, "node_entropy_available_bits", "Bits of available entropy.", OMX_GAUGE,
                       (double)avail)) < 0)
        return r;
    if ((r = node_proc_path(path, sizeof path, "sys/kernel/random/poolsize")) < 0 ||
        (r = omx_read_u64(path, &pool)) < 0)
        return r == -EINVAL ? omx_bad_input("entropy", path, 1, "not a number") : r;
    return omx_emit1(e, "node_entropy_pool_size_bits", "Bits of entropy pool.", OMX_GAUGE,
                     (double)pool);
}

const node_collector node_collector_entropy = {
    .name = "entropy",
    .enabled_by_default = true,
    .collect = collect,
};
