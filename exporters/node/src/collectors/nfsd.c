/* nfsd collector: NFS server statistics from /proc/net/rpc/nfsd. */
#include <errno.h>
#include <stdlib.h>

#include <exporter/emit.h>

#include "rpc_stats.h"
#include "sysfs_attr.h"
#include "util.h"

/* Procedure names by position after the count field; NULL = not exported. */
static const char *const v2_names[] = {
    NULL,     "GetAttr", "SetAttr", "Root", "Lookup",  "ReadLink", "Read",  "WrCache", "Write",
    "Create", "Remove",  "Rename",  "Link", "SymLink", "MkDir",    "RmDir", "ReadDir", "FsStat",
};
static const char *const v3_names[] = {
    NULL,      "GetAttr",     "SetAttr", "Lookup", "Access",   "ReadLink", "Read",   "Write",
    "Create",  "MkDir",       "SymLink", "MkNod",  "Remove",   "RmDir",    "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat",  "FsInfo", "PathConf", "Commit",
};
/* proc4ops: operation numbers 0-2 are unused, 23/24 (PutPubFH, PutRootFH) not exported. */
static const char *const v4_names[] = {
    NULL,         NULL,          NULL,           "Access",    "Close",  "Commit",   "Create",
    "DelegPurge", "DelegReturn", "GetAttr",      "GetFH",     "Link",   "Lock",     "Lockt",
    "Locku",      "Lookup",      "LookupRoot",   "Nverify",   "Open",   "OpenAttr", "OpenConfirm",
    "OpenDgrd",   "PutFH",       NULL,           NULL,        "Read",   "ReadDir",  "ReadLink",
    "Remove",     "Rename",      "Renew",        "RestoreFH", "SaveFH", "SecInfo",  "SetAttr",
    "Verify",     "Write",       "RelLockOwner",
};
#define LEN(a) (sizeof a / sizeof a[0])

enum { RC, FH, IO, TH, RA, NET, RPC, P2, P3, P4OPS, N_KEYS };
static const char *const keys[] = {"rc",  "fh",    "io",    "th",       "ra", "net",
                                   "rpc", "proc2", "proc3", "proc4ops", NULL};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX];
    rpc_line *l;
    int r = rpc_load("nfsd", "net/rpc/nfsd", keys, N_KEYS, path, sizeof path, &l);
    if (r < 0)
        return r; /* also no NFS server */
    r = rpc_check_counted(&l[P2], path, LEN(v2_names));
    if (r == 0)
        r = rpc_check_counted(&l[P3], path, LEN(v3_names));
    if (r == 0)
        r = rpc_check_counted(&l[P4OPS], path, 0);
    static const size_t min_fields[] = {
        [RC] = 3, [FH] = 1, [IO] = 2, [TH] = 1, [RA] = 12, [NET] = 4, [RPC] = 5};
    for (size_t k = RC; k <= RPC && r == 0; k++)
        if (l[k].present && l[k].n < min_fields[k])
            r = hw_fail("nfsd", path, -EINVAL);
    if (r < 0)
        goto out;
    r = omx_emit1(e, "node_nfsd_reply_cache_hits_total",
                  "Total number of NFSd Reply Cache hits (client lost server response).",
                  OMX_COUNTER, (double)rpc_at(&l[RC], 0));
    if (r >= 0)
        r = omx_emit1(
            e, "node_nfsd_reply_cache_misses_total",
            "Total number of NFSd Reply Cache an operation that requires caching (idempotent).",
            OMX_COUNTER, (double)rpc_at(&l[RC], 1));
    if (r >= 0)
        r = omx_emit1(
            e, "node_nfsd_reply_cache_nocache_total",
            "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\xe2\x80\xa6).",
            OMX_COUNTER, (double)rpc_at(&l[RC], 2));
    if (r >= 0)
        r = omx_emit1(e, "node_nfsd_file_handles_stale_total",
                      "Total number of NFSd stale file handles", OMX_COUNTER,
                      (double)rpc_at(&l[FH], 0));
    if (r >= 0)
        r = omx_emit1(e, "node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", OMX_COUNTER,
                      (double)rpc_at(&l[IO], 0));
    if (r >= 0)
        r = omx_emit1(e, "node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.",
                      OMX_COUNTER, (double)rpc_at(&l[IO], 1));
    if (r >= 0)
        r = omx_emit1(e, "node_nfsd_server_threads",
                      "Total number of NFSd kernel threads that are running.", OMX_GAUGE,
                      (double)rpc_at(&l[TH], 0));
    if (r >= 0)
        r = omx_emit1(e, "node_nfsd_read_ahead_cache_size_blocks",
                      "How large the read ahead cache is in blocks.", OMX_GAUGE,
                      (double)rpc_at(&l[RA], 0));
    if (r >= 0)
        r = omx_emit1(e, "node_nfsd_read_ahead_cache_not_found_total",
                      "Total number of NFSd read ahead cache not found.", OMX_COUNTER,
                      (double)rpc_at(&l[RA], 11));
    static const char *const proto_label[] = {"proto"};
    if (r >= 0)
        r = omx_emit_family(
            e, &(omx_desc){.name = "node_nfsd_packets_total",
                           .help = "Total NFSd network packets (sent+received) by protocol type.",
                           .type = OMX_COUNTER,
                           .label_names = proto_label,
                           .n_labels = 1});
    if (r >= 0)
        r = omx_emit_sample(e, (const char *const[]){"udp"}, (double)rpc_at(&l[NET], 1));
    if (r >= 0)
        r = omx_emit_sample(e, (const char *const[]){"tcp"}, (double)rpc_at(&l[NET], 2));
    if (r >= 0)
        r = omx_emit1(e, "node_nfsd_connections_total", "Total number of NFSd TCP connections.",
                      OMX_COUNTER, (double)rpc_at(&l[NET], 3));
    if (r >= 0)
        r = omx_emit1(e, "node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", OMX_COUNTER,
                      (double)rpc_at(&l[RPC], 0));
    static const char *const err_label[] = {"error"};
    if (r >= 0)
        r = omx_emit_family(e, &(omx_desc){.name = "node_nfsd_rpc_errors_total",
                                           .help = "Total number of NFSd RPC errors by error type.",
                                           .type = OMX_COUNTER,
                                           .label_names = err_label,
                                           .n_labels = 1});
    if (r >= 0)
        r = omx_emit_sample(e, (const char *const[]){"fmt"}, (double)rpc_at(&l[RPC], 2));
    if (r >= 0)
        r = omx_emit_sample(e, (const char *const[]){"auth"}, (double)rpc_at(&l[RPC], 3));
    if (r >= 0)
        r = omx_emit_sample(e, (const char *const[]){"cInt"}, (double)rpc_at(&l[RPC], 4));
    const rpc_procs procs[] = {{"2", v2_names, LEN(v2_names), &l[P2]},
                               {"3", v3_names, LEN(v3_names), &l[P3]},
                               {"4", v4_names, LEN(v4_names), &l[P4OPS]}};
    if (r >= 0)
        r = rpc_emit_requests(e, "node_nfsd_requests_total",
                              "Total number NFSd Requests by method and protocol.", procs,
                              LEN(procs));
out:
    free(l);
    return r < 0 ? r : 0;
}

const node_collector node_collector_nfsd = {
    .name = "nfsd",
    .enabled_by_default = true,
    .collect = collect,
};
