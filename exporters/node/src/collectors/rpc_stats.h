/* omx-node (nfs, nfsd collectors): parsing /proc/net/rpc/{nfs,nfsd}. */
#ifndef NODE_RPC_STATS_H
#define NODE_RPC_STATS_H

#include <stddef.h>
#include <stdint.h>

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

#endif
