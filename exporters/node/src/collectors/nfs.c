/* nfs collector: NFS client statistics from /proc/net/rpc/nfs. */
#include <errno.h>
#include <stdlib.h>

#include <exporter/emit.h>

#include "rpc_stats.h"
#include "sysfs_attr.h"
#include "util.h"

static const char *const v2_names[] = {
    "Null",   "GetAttr", "SetAttr", "Root", "Lookup",  "ReadLink", "Read",  "WrCache", "Write",
    "Create", "Remove",  "Rename",  "Link", "SymLink", "MkDir",    "RmDir", "ReadDir", "FsStat",
};
static const char *const v3_names[] = {
    "Null",    "GetAttr",     "SetAttr", "Lookup", "Access",   "ReadLink", "Read",   "Write",
    "Create",  "MkDir",       "SymLink", "MkNod",  "Remove",   "RmDir",    "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat",  "FsInfo", "PathConf", "Commit",
};
static const char *const v4_names[] = {
    "Null",
    "Read",
    "Write",
    "Commit",
    "Open",
    "OpenConfirm",
    "OpenNoattr",
    "OpenDowngrade",
    "Close",
    "Setattr",
    "FsInfo",
    "Renew",
    "SetClientID",
    "SetClientIDConfirm",
    "Lock",
    "Lockt",
    "Locku",
    "Access",
    "Getattr",
    "Lookup",
    "LookupRoot",
    "Remove",
    "Rename",
    "Link",
    "Symlink",
    "Create",
    "Pathconf",
    "StatFs",
    "ReadLink",
    "ReadDir",
    "ServerCaps",
    "DelegReturn",
    "GetACL",
    "SetACL",
    "FsLocations",
    "ReleaseLockowner",
    "Secinfo",
    "FsidPresent",
    "ExchangeID",
    "CreateSession",
    "DestroySession",
    "Sequence",
    "GetLeaseTime",
    "ReclaimComplete",
    "LayoutGet",
    "GetDeviceInfo",
    "LayoutCommit",
    "LayoutReturn",
    "SecinfoNoName",
    "TestStateID",
    "FreeStateID",
    "GetDeviceList",
    "BindConnToSession",
    "DestroyClientID",
    "Seek",
    "Allocate",
    "DeAllocate",
    "LayoutStats",
    "Clone",
};
#define LEN(a) (sizeof a / sizeof a[0])

enum { NET, RPC, P2, P3, P4, N_KEYS };
static const char *const keys[] = {"net", "rpc", "proc2", "proc3", "proc4", NULL};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX];
    rpc_line *l;
    int r = rpc_load("nfs", "net/rpc/nfs", keys, N_KEYS, path, sizeof path, &l);
    if (r < 0)
        return r; /* also no NFS client */
    r = rpc_check_counted(&l[P2], path, LEN(v2_names));
    if (r == 0)
        r = rpc_check_counted(&l[P3], path, LEN(v3_names));
    if (r == 0)
        r = rpc_check_counted(&l[P4], path, 0);
    if (r == 0 && ((l[NET].present && l[NET].n < 4) || (l[RPC].present && l[RPC].n < 3)))
        r = hw_fail("nfs", path, -EINVAL);
    if (r < 0)
        goto out;
    static const char *const proto_label[] = {"protocol"};
    r = omx_emit_family(
        e, &(omx_desc){.name = "node_nfs_packets_total",
                       .help = "Total NFSd network packets (sent+received) by protocol type.",
                       .type = OMX_COUNTER,
                       .label_names = proto_label,
                       .n_labels = 1});
    if (r >= 0)
        r = omx_emit_sample(e, (const char *const[]){"udp"}, (double)rpc_at(&l[NET], 1));
    if (r >= 0)
        r = omx_emit_sample(e, (const char *const[]){"tcp"}, (double)rpc_at(&l[NET], 2));
    if (r >= 0)
        r = omx_emit1(e, "node_nfs_connections_total", "Total number of NFSd TCP connections.",
                      OMX_COUNTER, (double)rpc_at(&l[NET], 3));
    if (r >= 0)
        r = omx_emit1(e, "node_nfs_rpcs_total", "Total number of RPCs performed.", OMX_COUNTER,
                      (double)rpc_at(&l[RPC], 0));
    if (r >= 0)
        r = omx_emit1(e, "node_nfs_rpc_retransmissions_total",
                      "Number of RPC transmissions performed.", OMX_COUNTER,
                      (double)rpc_at(&l[RPC], 1));
    if (r >= 0)
        r = omx_emit1(e, "node_nfs_rpc_authentication_refreshes_total",
                      "Number of RPC authentication refreshes performed.", OMX_COUNTER,
                      (double)rpc_at(&l[RPC], 2));
    const rpc_procs procs[] = {{"2", v2_names, LEN(v2_names), &l[P2]},
                               {"3", v3_names, LEN(v3_names), &l[P3]},
                               {"4", v4_names, LEN(v4_names), &l[P4]}};
    if (r >= 0)
        r = rpc_emit_requests(e, "node_nfs_requests_total", "Number of NFS procedures invoked.",
                              procs, LEN(procs));
out:
    free(l);
    return r < 0 ? r : 0;
}

const node_collector node_collector_nfs = {
    .name = "nfs",
    .enabled_by_default = true,
    .collect = collect,
};
