/* bcache collector: cache sets under /sys/fs/bcache/<uuid>, their backing devices
 * (bdev<N>) and cache devices (cache<N>). Sizes are printed by the kernel in
 * human units ("10.5M"), decoded the way node_exporter decodes them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

static bool priority_stats;

static int declare_flags(omx_app *app) {
    return omx_app_flag_bool(app, "collector.bcache.priorityStats", &priority_stats,
                             "Expose expensive priority stats.");
}

/* "1.1M", "-11.1k/sec", "512": integer part times 1024^unit, plus tenths
 * (kernel's one decimal digit) as 100 * 1024^(unit-1) each. */
static int dehumanize(const char *s, double *ret) {
    bool neg = *s == '-';
    if (neg)
        s++;
    char *end;
    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    unsigned long long ip = strtoull(s, &end, 10);
    if (errno)
        return -ERANGE;
    unsigned long long frac = 0;
    int fdigits = 0;
    if (*end == '.') {
        end++;
        while (*end >= '0' && *end <= '9' && fdigits < 3) {
            frac = frac * 10 + (unsigned long long)(*end++ - '0');
            fdigits++;
        }
        if (fdigits == 0)
            return -EINVAL;
    }
    while (fdigits++ < 3)
        frac *= 10; /* thousandths */
    static const char units[] = "kMGTPEZY";
    double mul = 1;
    if (*end && strchr(units, *end)) {
        for (const char *u = units; *u; u++) {
            mul *= 1024;
            if (*u == *end)
                break;
        }
        end++;
    }
    if (*end && strcmp(end, "/sec"))
        return -EINVAL;
    double v = (double)ip * mul + (double)frac * (mul / 1024 >= 1 ? mul / 1024 : 0);
    *ret = neg ? -v : v;
    return 0;
}

static int attr_human(const char *dir, const char *attr, double *ret) {
    char buf[64];
    int r = hw_attr_str(dir, attr, buf, sizeof buf);
    if (r != 0)
        return r;
    if (dehumanize(buf, ret) < 0) {
        return hw_bad_value("bcache", dir, attr, buf);
    }
    return 0;
}

#define G(n, h) \
    { "node_bcache_" n, h, OMX_GAUGE }
#define CT(n, h) \
    { "node_bcache_" n, h, OMX_COUNTER }
static const hw_column set_cols[] = {
    G("active_journal_entries", "Number of journal entries that are newer than the index."),
    G("average_key_size_sectors", "Average data per key in the btree (sectors)."),
    G("btree_cache_size_bytes", "Amount of memory currently used by the btree cache."),
    G("btree_nodes", "Total nodes in the btree."),
    G("btree_read_average_duration_seconds", "Average btree read duration."),
    G("cache_available_percent",
      "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data)."),
    CT("cache_read_races_total",
       "Counts instances where while data was being read from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the read completed."),
    G("congested", "Congestion."),
    G("root_usage_percent",
      "Percentage of the root btree node in use (tree depth increases if too high)."),
    G("tree_depth", "Depth of the btree."),
};
/* file (relative to the set), scale */
static const struct {
    const char *file;
    double scale;
} set_files[] = {
    {"internal/active_journal_entries", 1},
    {"average_key_size", 1},
    {"btree_cache_size", 1},
    {"internal/btree_nodes", 1},
    {"internal/btree_read_average_duration_us", 1e-6},
    {"cache_available_percent", 1},
    {"internal/cache_read_races", 1},
    {"congested", 1},
    {"root_usage_percent", 1},
    {"tree_depth", 1},
};
static const hw_column bdev_cols[] = {
    CT("bypassed_bytes_total", "Amount of IO (both reads and writes) that has bypassed the cache."),
    CT("cache_bypass_hits_total", "Hits for IO intended to skip the cache."),
    CT("cache_bypass_misses_total", "Misses for IO intended to skip the cache."),
    CT("cache_hits_total", "Hits counted per individual IO as bcache sees them."),
    CT("cache_miss_collisions_total",
       "Instances where data insertion from cache miss raced with write (data already present)."),
    CT("cache_misses_total", "Misses counted per individual IO as bcache sees them."),
    CT("cache_readaheads_total", "Count of times readahead occurred."),
    G("dirty_data_bytes", "Amount of dirty data for this backing device in the cache."),
    G("dirty_target_bytes",
      "Current dirty data target threshold for this backing device in bytes."),
    G("writeback_change", "Last writeback rate change step for this backing device."),
    G("writeback_rate", "Current writeback rate for this backing device in bytes."),
    G("writeback_rate_integral_term",
      "Current result of integral controller, part of writeback rate"),
    G("writeback_rate_proportional_term",
      "Current result of proportional controller, part of writeback rate"),
};
static const char *const bdev_files[] = {
    "stats_total/bypassed",
    "stats_total/cache_bypass_hits",
    "stats_total/cache_bypass_misses",
    "stats_total/cache_hits",
    "stats_total/cache_miss_collisions",
    "stats_total/cache_misses",
    "stats_total/cache_readaheads",
    "dirty_data",
};
/* writeback_rate_debug keys for columns 8.. */
static const char *const wb_keys[] = {"target", "change", "rate", "integral", "proportional"};
static const hw_column cache_cols[] = {
    G("io_errors", "Number of errors that have occurred, decayed by io_error_halflife."),
    CT("metadata_written_bytes_total",
       "Sum of all non data writes (btree writes and all other metadata)."),
    G("priority_stats_metadata_percent", "Bcache's metadata overhead."),
    G("priority_stats_unused_percent",
      "The percentage of the cache that doesn't contain any data."),
    CT("written_bytes_total", "Sum of all data that has been written to the cache."),
};
#define LEN(a) (sizeof a / sizeof a[0])
static const char *const set_labels[] = {"uuid"};
static const char *const bdev_labels[] = {"backing_device", "uuid"};
static const char *const cache_labels[] = {"cache_device", "uuid"};

static int read_into(const char *dir, const char *file, double scale, double *slot) {
    double v;
    int r = attr_human(dir, file, &v);
    if (r == 1)
        return hw_fail("bcache", dir, -ENOENT);
    if (r == 0)
        *slot = v * scale;
    return r;
}

/* "rate:\t\t1.1M/sec" lines */
static int writeback_debug(const char *dir, double *row) {
    char path[NODE_PATH_MAX + 32], *data = NULL;
    if (snprintf(path, sizeof path, "%s/writeback_rate_debug", dir) >= (int)sizeof path)
        return -ENAMETOOLONG;
    int r = omx_read_file(path, 1 << 16, &data, NULL);
    if (r < 0)
        return hw_fail("bcache", path, r);
    for (char *line = data, *next; line && *line && r >= 0; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        for (size_t k = 0; k < LEN(wb_keys); k++) {
            if (strcmp(line, wb_keys[k]))
                continue;
            if (dehumanize(v, &row[8 + k]) < 0)
                r = hw_fail("bcache", path, -EINVAL);
        }
    }
    free(data);
    return r;
}

/* "Unused:\t\t99%" and "Metadata:\t0%" from priority_stats */
static int prio(const char *dir, double *row) {
    char path[NODE_PATH_MAX + 32], *data = NULL;
    if (snprintf(path, sizeof path, "%s/priority_stats", dir) >= (int)sizeof path)
        return -ENAMETOOLONG;
    int r = omx_read_file(path, 1 << 16, &data, NULL);
    if (r < 0)
        return hw_fail("bcache", path, r);
    for (char *line = data, *next; line && *line && r >= 0; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        int slot = !strncmp(line, "Unused:", 7) ? 3 : !strncmp(line, "Metadata:", 9) ? 2 : -1;
        if (slot < 0)
            continue;
        char *v = strchr(line, ':') + 1, *pct;
        while (*v == ' ' || *v == '\t')
            v++;
        uint64_t x;
        if (!(pct = strchr(v, '%')) || (*pct = '\0', omx_parse_u64(v, &x) < 0))
            r = hw_fail("bcache", path, -EINVAL);
        else
            row[slot] = (double)x;
    }
    free(data);
    return r;
}

static int collect_set(const char *uuid, hw_table *sets, hw_table *bdevs, hw_table *caches) {
    char dir[NODE_PATH_MAX], sub[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(dir, sizeof dir, "fs/bcache/%s", uuid);
    if (r < 0)
        return r;
    double *row = hw_table_add(sets, (const char *const[]){uuid});
    if (!row)
        return -ENOMEM;
    for (size_t i = 0; i < LEN(set_files) && r >= 0; i++)
        r = read_into(dir, set_files[i].file, set_files[i].scale, &row[i]);
    if (r < 0 || (r = omx_list_dir(dir, &names)) < 0)
        return r;
    for (char **n = names; *n && r >= 0; n++) {
        bool bdev = hw_name_numbered(*n, "bdev", NULL);
        if (!bdev && !hw_name_numbered(*n, "cache", NULL))
            continue;
        if ((r = node_sys_path(sub, sizeof sub, "fs/bcache/%s/%s", uuid, *n)) < 0)
            break;
        row = hw_table_add(bdev ? bdevs : caches, (const char *const[]){*n, uuid});
        if (!row) {
            r = -ENOMEM;
            break;
        }
        if (bdev) {
            for (size_t i = 0; i < LEN(bdev_files) && r >= 0; i++)
                r = read_into(sub, bdev_files[i], 1, &row[i]);
            if (r >= 0)
                r = writeback_debug(sub, row);
        } else {
            r = read_into(sub, "io_errors", 1, &row[0]);
            if (r >= 0)
                r = read_into(sub, "metadata_written", 1, &row[1]);
            if (r >= 0)
                r = read_into(sub, "written", 1, &row[4]);
            if (r >= 0 && priority_stats)
                r = prio(sub, row);
        }
    }
    omx_strv_free(names);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "fs/bcache");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &names)) == -ENOENT)
        return 0; /* no bcache module: nothing to report */
    if (r < 0)
        return hw_fail("bcache", base, r);
    hw_table sets, bdevs, caches;
    hw_table_init(&sets, set_cols, LEN(set_cols), set_labels, 1);
    hw_table_init(&bdevs, bdev_cols, LEN(bdev_cols), bdev_labels, 2);
    hw_table_init(&caches, cache_cols, LEN(cache_cols), cache_labels, 2);
    for (char **n = names; *n && r >= 0; n++) {
        /* cache sets are named by UUID; "register" and friends are files */
        if (strlen(*n) == 36 && (*n)[8] == '-')
            r = collect_set(*n, &sets, &bdevs, &caches);
    }
    if (r >= 0)
        r = hw_table_emit(&sets, e);
    if (r >= 0)
        r = hw_table_emit(&bdevs, e);
    if (r >= 0)
        r = hw_table_emit(&caches, e);
    hw_table_free(&sets);
    hw_table_free(&bdevs);
    hw_table_free(&caches);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_bcache = {
    .name = "bcache",
    .enabled_by_default = true,
    .declare_flags = declare_flags,
    .collect = collect,
};
