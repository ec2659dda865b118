/* uname: node_uname_info from the uname(2) system call. */
#include <errno.h>
#include <sys/utsname.h>

#include <exporter/emit.h>

#include "node.h"

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    struct utsname u;
    if (uname(&u) < 0)
        return -errno;
    static const char *const labels[] = {"domainname", "machine", "nodename",
                                         "release",    "sysname", "version"};
    const char *v[] = {u.domainname, u.machine, u.nodename, u.release, u.sysname, u.version};
    int r = omx_emit_family(
        e, &(omx_desc){.name = "node_uname_info",
                       .help = "Labeled system information as provided by the uname system call.",
                       .type = OMX_GAUGE,
                       .label_names = labels,
                       .n_labels = 6});
    return r < 0 ? r : omx_emit_sample(e, v, 1);
}

const node_collector node_collector_uname = {
    .name = "uname",
    .enabled_by_default = true,
    .collect = collect,
};
