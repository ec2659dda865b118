/* mountstats: NFS client statistics per mount from <procfs>/self/mountstats,
 * with the server address from the same mount's line of self/mountinfo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

#define N_BYTES 8
#define N_EVENTS 27
#define N_XPRT 13
#define N_OPVALS 8
#define MAX_OP_FIELDS 32
/* node_exporter keeps these counters below 2^53 (a double's exact range) */
#define MANTISSA 9007199254740992ull

typedef struct nfs_op {
    const char *name;
    uint64_t v[N_OPVALS];
} nfs_op;

typedef struct nfs_mount {
    const char *export, *protocol, *addr;
    bool nfs; /* has a statistics block */
    double age;
    uint64_t bytes[N_BYTES], events[N_EVENTS];
    uint64_t xprt[N_XPRT]; /* port bind connect connect_idle idle sends receives bad_xids
                            * active backlog max_slots sending pending */
    nfs_op *ops;
    size_t n_ops;
} nfs_mount;

typedef struct mounts {
    nfs_mount *m;
    size_t n, cap;
} mounts;

/* Next line of *p (NUL-terminated in place, "\n" dropped); NULL at the end. */
static char *next_line(char **p) {
    if (!**p)
        return NULL;
    char *line = *p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    return line;
}

static int parse_u64s(char **f, size_t n, uint64_t *out) {
    for (size_t i = 0; i < n; i++)
        if (omx_parse_u64(f[i], &out[i]) < 0)
            return -EINVAL;
    return 0;
}

/* "xprt: <proto> <fields>" for statvers 1.0 / 1.1; UDP has no connect fields. */
static int parse_xprt(char **f, size_t nf, const char *vers, nfs_mount *m) {
    const char *proto = f[0];
    size_t want;
    bool tcp = !strcmp(proto, "tcp"), udp = !strcmp(proto, "udp");
    if (!tcp && !udp)
        return -EINVAL;
    if (!strcmp(vers, "1.0"))
        want = tcp ? 10 : 7;
    else if (!strcmp(vers, "1.1"))
        want = tcp ? 13 : 10;
    else
        return -EINVAL;
    if (nf - 1 != want)
        return -EINVAL;
    uint64_t v[N_XPRT] = {0};
    if (parse_u64s(f + 1, want, v) < 0)
        return -EINVAL;
    memset(m->xprt, 0, sizeof m->xprt);
    if (udp) {
        m->xprt[0] = v[0];
        m->xprt[1] = v[1];
        memcpy(&m->xprt[5], &v[2], (want - 2) * sizeof v[0]);
    } else {
        memcpy(m->xprt, v, want * sizeof v[0]);
    }
    m->protocol = proto;
    return 0;
}

/* Statistics lines up to a blank line or "per-op", then per-op lines up to a
 * blank line, as node_exporter's procfs reads them. */
static int parse_nfs(char **p, const char *vers, nfs_mount *m, unsigned *lineno) {
    char *line, *f[64];
    while ((line = next_line(p))) {
        ++*lineno;
        size_t nf = omx_split_fields(line, f, 64);
        if (nf == 0)
            break;
        if (!strcmp(f[0], "age:")) {
            char buf[64];
            int64_t ns;
            if (nf < 2 || !omx_join(buf, sizeof buf, (const char *[]){f[1], "s"}, 2) ||
                omx_parse_duration(buf, &ns) < 0)
                return -EINVAL;
            m->age = (double)(ns / 1000000000) + (double)(ns % 1000000000) / 1e9;
        } else if (!strcmp(f[0], "bytes:")) {
            if (nf - 1 != N_BYTES || parse_u64s(f + 1, N_BYTES, m->bytes) < 0)
                return -EINVAL;
        } else if (!strcmp(f[0], "events:")) {
            if (nf - 1 != N_EVENTS || parse_u64s(f + 1, N_EVENTS, m->events) < 0)
                return -EINVAL;
        } else if (!strcmp(f[0], "xprt:")) {
            if (nf < 3 || parse_xprt(f + 1, nf - 1, vers, m) < 0)
                return -EINVAL;
        } else if (!strcmp(f[0], "opts:") && nf < 2) {
            return -EINVAL;
        } else if (!strcmp(f[0], "per-op")) {
            break;
        }
    }
    while ((line = next_line(p))) {
        ++*lineno;
        size_t nf = omx_split_fields(line, f, MAX_OP_FIELDS + 1);
        if (nf == 0)
            break;
        uint64_t v[MAX_OP_FIELDS];
        if (nf < N_OPVALS + 1 || nf > MAX_OP_FIELDS || parse_u64s(f + 1, nf - 1, v) < 0)
            return -EINVAL;
        if (m->n_ops % 16 == 0) {
            nfs_op *ops = realloc(m->ops, (m->n_ops + 16) * sizeof *ops);
            if (!ops)
                return OMX_ENOMEM;
            m->ops = ops;
        }
        nfs_op *op = &m->ops[m->n_ops++];
        size_t l = strlen(f[0]);
        if (l && f[0][l - 1] == ':')
            f[0][l - 1] = '\0';
        op->name = f[0];
        memcpy(op->v, v, sizeof op->v);
    }
    return 0;
}

static void mounts_free(mounts *ms) {
    for (size_t i = 0; i < ms->n; i++)
        free(ms->m[i].ops);
    free(ms->m);
}

static int parse_mountstats(char *data, const char *path, mounts *ms) {
    char *p = data, *line;
    unsigned lineno = 0;
    while ((line = next_line(&p))) {
        lineno++;
        char *f[10];
        size_t nf = omx_split_fields(line, f, 10);
        if (nf == 0 || strcmp(f[0], "device"))
            continue;
        if (nf < 8 || strcmp(f[2], "mounted") || strcmp(f[3], "on") || strcmp(f[5], "with") ||
            strcmp(f[6], "fstype"))
            return omx_bad_input("mountstats", path, lineno, "bad device line");
        if (ms->n == ms->cap) {
            size_t cap = ms->cap ? 2 * ms->cap : 16;
            nfs_mount *m = realloc(ms->m, cap * sizeof *m);
            if (!m)
                return OMX_ENOMEM;
            ms->m = m;
            ms->cap = cap;
        }
        nfs_mount *m = &ms->m[ms->n++];
        *m = (nfs_mount){.export = f[1], .protocol = "", .addr = ""};
        if (nf == 8)
            continue;
        if (strcmp(f[7], "nfs") && strcmp(f[7], "nfs4"))
            return omx_bad_input("mountstats", path, lineno,
                                 "statistics for a filesystem that is not NFS");
        const char *vers = strncmp(f[8], "statvers=", 9) ? f[8] : f[8] + 9;
        int r = parse_nfs(&p, vers, m, &lineno);
        if (r == -EINVAL)
            return omx_bad_input("mountstats", path, lineno, "bad NFS statistics line");
        if (r < 0)
            return r;
        m->nfs = true;
    }
    return 0;
}

/* The value of the last addr= in a mountinfo super-options field ("" if none);
 * like node_exporter, the text from '=' up to the next '=' or ','. */
static const char *super_addr(char *opts) {
    const char *addr = "";
    char *save = NULL;
    for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(o, '=');
        if (!eq || (size_t)(eq - o) != 4 || strncmp(o, "addr", 4))
            continue;
        char *eq2 = strchr(eq + 1, '=');
        if (eq2)
            *eq2 = '\0';
        addr = eq + 1;
    }
    return addr;
}

/* Fills the addr of the i-th mount from the i-th mountinfo line. */
static int parse_mountinfo(char *data, const char *path, mounts *ms) {
    char *p = data, *line;
    unsigned lineno = 0;
    while ((line = next_line(&p))) {
        lineno++;
        /* fields split on single spaces, as node_exporter's procfs does */
        char *f[64];
        size_t nf = 0;
        for (char *s = line;;) {
            if (nf == 64)
                return omx_bad_input("mountstats", path, lineno, "too many fields");
            f[nf++] = s;
            char *sp = strchr(s, ' ');
            if (!sp)
                break;
            *sp = '\0';
            s = sp + 1;
        }
        int64_t id;
        if (nf < 10 || strcmp(f[nf - 4], "-") || omx_parse_i64(f[0], &id) < 0 ||
            omx_parse_i64(f[1], &id) < 0)
            return omx_bad_input("mountstats", path, lineno, "bad mountinfo line");
        if (lineno <= ms->n)
            ms->m[lineno - 1].addr = super_addr(f[nf - 1]);
    }
    return 0;
}

enum { K_AGE, K_BYTES, K_XPRT, K_EVENT, K_OP };

static const struct family {
    const char *name, *help;
    int kind, index;
    omx_type type;
} families[] = {
    {"age_seconds_total", "The age of the NFS mount in seconds.", K_AGE, 0, OMX_COUNTER},
    {"read_bytes_total", "Number of bytes read using the read() syscall.", K_BYTES, 0, OMX_COUNTER},
    {"write_bytes_total", "Number of bytes written using the write() syscall.", K_BYTES, 1,
     OMX_COUNTER},
    {"direct_read_bytes_total", "Number of bytes read using the read() syscall in O_DIRECT mode.",
     K_BYTES, 2, OMX_COUNTER},
    {"direct_write_bytes_total",
     "Number of bytes written using the write() syscall in O_DIRECT mode.", K_BYTES, 3,
     OMX_COUNTER},
    {"total_read_bytes_total", "Number of bytes read from the NFS server, in total.", K_BYTES, 4,
     OMX_COUNTER},
    {"total_write_bytes_total", "Number of bytes written to the NFS server, in total.", K_BYTES, 5,
     OMX_COUNTER},
    {"read_pages_total", "Number of pages read directly via mmap()'d files.", K_BYTES, 6,
     OMX_COUNTER},
    {"write_pages_total", "Number of pages written directly via mmap()'d files.", K_BYTES, 7,
     OMX_COUNTER},
    {"transport_bind_total",
     "Number of times the client has had to establish a connection from scratch to the NFS server.",
     K_XPRT, 1, OMX_COUNTER},
    {"transport_connect_total",
     "Number of times the client has made a TCP connection to the NFS server.", K_XPRT, 2,
     OMX_COUNTER},
    {"transport_idle_time_seconds",
     "Duration since the NFS mount last saw any RPC traffic, in seconds.", K_XPRT, 4, OMX_GAUGE},
    {"transport_sends_total", "Number of RPC requests for this mount sent to the NFS server.",
     K_XPRT, 5, OMX_COUNTER},
    {"transport_receives_total",
     "Number of RPC responses for this mount received from the NFS server.", K_XPRT, 6,
     OMX_COUNTER},
    {"transport_bad_transaction_ids_total",
     "Number of times the NFS server sent a response with a transaction ID unknown to this client.",
     K_XPRT, 7, OMX_COUNTER},
    {"transport_backlog_queue_total", "Total number of items added to the RPC backlog queue.",
     K_XPRT, 9, OMX_COUNTER},
    {"transport_maximum_rpc_slots",
     "Maximum number of simultaneously active RPC requests ever used.", K_XPRT, 10, OMX_GAUGE},
    {"transport_sending_queue_total",
     "Total number of items added to the RPC transmission sending queue.", K_XPRT, 11, OMX_COUNTER},
    {"transport_pending_queue_total",
     "Total number of items added to the RPC transmission pending queue.", K_XPRT, 12, OMX_COUNTER},
    {"operations_requests_total", "Number of requests performed for a given operation.", K_OP, 0,
     OMX_COUNTER},
    {"operations_transmissions_total",
     "Number of times an actual RPC request has been transmitted for a given operation.", K_OP, 1,
     OMX_COUNTER},
    {"operations_major_timeouts_total",
     "Number of times a request has had a major timeout for a given operation.", K_OP, 2,
     OMX_COUNTER},
    {"operations_sent_bytes_total",
     "Number of bytes sent for a given operation, including RPC headers and payload.", K_OP, 3,
     OMX_COUNTER},
    {"operations_received_bytes_total",
     "Number of bytes received for a given operation, including RPC headers and payload.", K_OP, 4,
     OMX_COUNTER},
    {"operations_queue_time_seconds_total",
     "Duration all requests spent queued for transmission for a given operation before they were sent, in seconds.",
     K_OP, 5, OMX_COUNTER},
    {"operations_response_time_seconds_total",
     "Duration all requests took to get a reply back after a request for a given operation was transmitted, in seconds.",
     K_OP, 6, OMX_COUNTER},
    {"operations_request_time_seconds_total",
     "Duration all requests took from when a request was enqueued to when it was completely handled for a given operation, in seconds.",
     K_OP, 7, OMX_COUNTER},
    {"event_inode_revalidate_total",
     "Number of times cached inode attributes are re-validated from the server.", K_EVENT, 0,
     OMX_COUNTER},
    {"event_dnode_revalidate_total",
     "Number of times cached dentry nodes are re-validated from the server.", K_EVENT, 1,
     OMX_COUNTER},
    {"event_data_invalidate_total", "Number of times an inode cache is cleared.", K_EVENT, 2,
     OMX_COUNTER},
    {"event_attribute_invalidate_total", "Number of times cached inode attributes are invalidated.",
     K_EVENT, 3, OMX_COUNTER},
    /* node_exporter 1.5 words the next HELP (and setattr's) so; kept for parity */
    {"event_vfs_open_total", "Number of times cached inode attributes are invalidated.", K_EVENT, 4,
     OMX_COUNTER},
    {"event_vfs_lookup_total", "Number of times a directory lookup has occurred.", K_EVENT, 5,
     OMX_COUNTER},
    {"event_vfs_access_total", "Number of times permissions have been checked.", K_EVENT, 6,
     OMX_COUNTER},
    {"event_vfs_update_page_total", "Number of updates (and potential writes) to pages.", K_EVENT,
     7, OMX_COUNTER},
    {"event_vfs_read_page_total", "Number of pages read directly via mmap()'d files.", K_EVENT, 8,
     OMX_COUNTER},
    {"event_vfs_read_pages_total", "Number of times a group of pages have been read.", K_EVENT, 9,
     OMX_COUNTER},
    {"event_vfs_write_page_total", "Number of pages written directly via mmap()'d files.", K_EVENT,
     10, OMX_COUNTER},
    {"event_vfs_write_pages_total", "Number of times a group of pages have been written.", K_EVENT,
     11, OMX_COUNTER},
    {"event_vfs_getdents_total",
     "Number of times directory entries have been read with getdents().", K_EVENT, 12, OMX_COUNTER},
    {"event_vfs_setattr_total", "Number of times directory entries have been read with getdents().",
     K_EVENT, 13, OMX_COUNTER},
    {"event_vfs_flush_total",
     "Number of pending writes that have been forcefully flushed to the server.", K_EVENT, 14,
     OMX_COUNTER},
    {"event_vfs_fsync_total", "Number of times fsync() has been called on directories and files.",
     K_EVENT, 15, OMX_COUNTER},
    {"event_vfs_lock_total", "Number of times locking has been attempted on a file.", K_EVENT, 16,
     OMX_COUNTER},
    {"event_vfs_file_release_total", "Number of times files have been closed and released.",
     K_EVENT, 17, OMX_COUNTER},
    {"event_truncation_total", "Number of times files have been truncated.", K_EVENT, 19,
     OMX_COUNTER},
    {"event_write_extension_total",
     "Number of times a file has been grown due to writes beyond its existing end.", K_EVENT, 20,
     OMX_COUNTER},
    {"event_silly_rename_total",
     "Number of times a file was removed while still open by another process.", K_EVENT, 21,
     OMX_COUNTER},
    {"event_short_read_total",
     "Number of times the NFS server gave less data than expected while reading.", K_EVENT, 22,
     OMX_COUNTER},
    {"event_short_write_total",
     "Number of times the NFS server wrote less data than expected while writing.", K_EVENT, 23,
     OMX_COUNTER},
    {"event_jukebox_delay_total",
     "Number of times the NFS server indicated EJUKEBOX; retrieving data from offline storage.",
     K_EVENT, 24, OMX_COUNTER},
    {"event_pnfs_read_total", "Number of NFS v4.1+ pNFS reads.", K_EVENT, 25, OMX_COUNTER},
    {"event_pnfs_write_total", "Number of NFS v4.1+ pNFS writes.", K_EVENT, 26, OMX_COUNTER},
};

static double mount_value(const nfs_mount *m, const struct family *fam) {
    switch (fam->kind) {
    case K_AGE: return m->age;
    case K_BYTES: return (double)m->bytes[fam->index];
    case K_EVENT: return (double)m->events[fam->index];
    default: return fam->index == 4 ? (double)(m->xprt[4] % MANTISSA) : (double)m->xprt[fam->index];
    }
}

static double op_value(const nfs_op *op, int index) {
    /* the three times are milliseconds */
    return index >= 5 ? (double)(op->v[index] % MANTISSA) / 1000.0 : (double)op->v[index];
}

/* NFS mounts to report: one per (export, protocol, server address). */
static size_t pick(const mounts *ms, const nfs_mount **out) {
    size_t n = 0;
    for (size_t i = 0; i < ms->n; i++) {
        const nfs_mount *m = &ms->m[i];
        if (!m->nfs)
            continue;
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = !strcmp(out[j]->export, m->export) && !strcmp(out[j]->protocol, m->protocol) &&
                  !strcmp(out[j]->addr, m->addr);
        if (!dup)
            out[n++] = m;
    }
    return n;
}

static int emit(omx_emitter *e, const nfs_mount **sel, size_t n) {
    static const char *const labels[] = {"export", "protocol", "mountaddr", "operation"};
    int r;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        const struct family *fam = &families[f];
        char name[96];
        omx_join(name, sizeof name, (const char *[]){"node_mountstats_nfs_", fam->name}, 2);
        const omx_desc d = {.name = name,
                            .help = fam->help,
                            .type = fam->type,
                            .label_names = labels,
                            .n_labels = fam->kind == K_OP ? 4 : 3};
        if ((r = omx_emit_family(e, &d)) < 0)
            return r;
        for (size_t i = 0; i < n; i++) {
            const nfs_mount *m = sel[i];
            if (fam->kind != K_OP) {
                const char *lv[] = {m->export, m->protocol, m->addr};
                if ((r = omx_emit_sample(e, lv, mount_value(m, fam))) < 0)
                    return r;
                continue;
            }
            for (size_t o = 0; o < m->n_ops; o++) {
                const char *lv[] = {m->export, m->protocol, m->addr, m->ops[o].name};
                if ((r = omx_emit_sample(e, lv, op_value(&m->ops[o], fam->index))) < 0)
                    return r;
            }
        }
    }
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], ipath[NODE_PATH_MAX], *stats = NULL, *info = NULL;
    mounts ms = {0};
    const nfs_mount **sel = NULL;
    int r;
    if ((r = node_proc_path(path, sizeof path, "self/mountstats")) < 0 ||
        (r = node_proc_path(ipath, sizeof ipath, "self/mountinfo")) < 0 ||
        (r = omx_read_file(path, 16u << 20, &stats, NULL)) < 0 ||
        (r = parse_mountstats(stats, path, &ms)) < 0 ||
        (r = omx_read_file(ipath, 16u << 20, &info, NULL)) < 0 ||
        (r = parse_mountinfo(info, ipath, &ms)) < 0)
        goto out;
    if (ms.n && !(sel = calloc(ms.n, sizeof *sel))) {
        r = OMX_ENOMEM;
        goto out;
    }
    r = emit(e, sel, pick(&ms, sel));
out:
    free(sel);
    mounts_free(&ms);
    free(info);
    free(stats);
    return r;
}

const node_collector node_collector_mountstats = {
    .name = "mountstats",
    .enabled_by_default = false,
    .collect = collect,
};
