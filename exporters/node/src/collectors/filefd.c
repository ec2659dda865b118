/* filefd: allocated and maximum file handles from <procfs>/sys/fs/file-nr. */
#include <exporter/emit.h>
#include "util.h"

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], line[256], *f[4];
    uint64_t alloc, max;
    int r;
    if ((r = node_proc_path(path, sizeof path, "sys/fs/file-nr")) < 0 ||
        (r = omx_read_line(path, line, sizeof line)) < 0)
        return r;
    if (omx_split_fields(line, f, 4) != 3 || omx_parse_u64(f[0], &alloc) < 0 ||
        omx_parse_u64(f[2], &max) < 0)
        return omx_bad_input("filefd", path, 1, "expected 3 numbers");
    if ((r = omx_emit1(e, "node_filefd_allocated", "File descriptor statistics: allocated.",
                       OMX_GAUGE, (double)alloc)) < 0)
        return r;
    return omx_emit1(e, "node_filefd_maximum", "File descriptor statistics: maximum.", OMX_GAUGE,
                     (double)max);
}

const node_collector node_collector_filefd = {
    .name = "filefd",
    .enabled_by_default = true,
    .collect = collect,
};
