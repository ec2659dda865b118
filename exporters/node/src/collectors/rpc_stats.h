/* omx-node (nfs, nfsd collectors): parsing /proc/net/rpc/{nfs,nfsd}. */
#ifndef NODE_RPC_STATS_H
#define NODE_RPC_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <exporter/emit.h>

#define RPC_MAX_VALUES 128

/* One "<key> <n> <n> ..." line of the file. */
typedef struct rpc_line {
    char key[32];
    uint64_t v[RPC_MAX_VALUES];
    size_t n;
    int present;
    size_t lineno;
} rpc_line;

/* Splits data (modified in place) into lines, and stores the values of every line
 * whose key is listed in keys (NULL-terminated) into lines[i]. Number fields must
 * be unsigned integers; on the "th" line only the first two are read (a histogram
 * of floats follows). Returns 0 or -EINVAL after an error log naming path, line
 * and field. */
int rpc_parse(char *data, const char *path, const char *const *keys, rpc_line *lines);

/* Checks a "procN <count> v..." line: count must equal the number of values and
 * be at least min. Returns 0 (also for an absent line) or -EINVAL after an error
 * log. */
int rpc_check_counted(const rpc_line *l, const char *path, size_t min);

/* What both collectors do first: reads /proc/<rel> into path (size bytes),
 * parses the lines of keys (NULL-terminated, n_keys of them) into a new array
 * (*ret_lines, freed by the caller with free()). A missing file is the
 * collector's hw_fail (no NFS client or server); a parse error is logged.
 * Returns 0 or a negative errno, with *ret_lines NULL on error. */
int rpc_load(const char *collector, const char *rel, const char *const *keys, size_t n_keys,
             char *path, size_t size, rpc_line **ret_lines);

/* Value i of l; 0 when the line is absent or shorter. */
static inline uint64_t rpc_at(const rpc_line *l, size_t i) {
    return l->present && i < l->n ? l->v[i] : 0;
}

/* The procedures of one protocol version: names[i] is value i+1 of the
 * "procN <count> v..." line (NULL: not exported). */
typedef struct rpc_procs {
    const char *version;
    const char *const *names;
    size_t n;
    const rpc_line *line;
} rpc_procs;

/* Emits counter family name (labels proto, method) with a sample
 * {proto=version, method=name} for each named procedure of the n_v
 * versions. Strings borrowed. Returns 0 or an omx_err. */
int rpc_emit_requests(omx_emitter *e, const char *name, const char *help, const rpc_procs *v,
                      size_t n_v);

#endif
