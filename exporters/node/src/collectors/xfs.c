/* xfs collector: per-filesystem XFS statistics from /sys/fs/xfs/<device>/stats/stats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

/* line key, field index, metric name (after node_xfs_), HELP */
static const struct field {
    const char *key;
    unsigned idx;
    const char *name, *help;
} fields[] = {
    {"extent_alloc", 0, "extent_allocation_extents_allocated_total",
     "Number of extents allocated for a filesystem."},
    {"extent_alloc", 1, "extent_allocation_blocks_allocated_total",
     "Number of blocks allocated for a filesystem."},
    {"extent_alloc", 2, "extent_allocation_extents_freed_total",
     "Number of extents freed for a filesystem."},
    {"extent_alloc", 3, "extent_allocation_blocks_freed_total",
     "Number of blocks freed for a filesystem."},
    {"abt", 0, "allocation_btree_lookups_total",
     "Number of allocation B-tree lookups for a filesystem."},
    {"abt", 1, "allocation_btree_compares_total",
     "Number of allocation B-tree compares for a filesystem."},
    {"abt", 2, "allocation_btree_records_inserted_total",
     "Number of allocation B-tree records inserted for a filesystem."},
    {"abt", 3, "allocation_btree_records_deleted_total",
     "Number of allocation B-tree records deleted for a filesystem."},
    {"blk_map", 0, "block_mapping_reads_total",
     "Number of block map for read operations for a filesystem."},
    {"blk_map", 1, "block_mapping_writes_total",
     "Number of block map for write operations for a filesystem."},
    {"blk_map", 2, "block_mapping_unmaps_total",
     "Number of block unmaps (deletes) for a filesystem."},
    {"blk_map", 3, "block_mapping_extent_list_insertions_total",
     "Number of extent list insertions for a filesystem."},
    {"blk_map", 4, "block_mapping_extent_list_deletions_total",
     "Number of extent list deletions for a filesystem."},
    {"blk_map", 5, "block_mapping_extent_list_lookups_total",
     "Number of extent list lookups for a filesystem."},
    {"blk_map", 6, "block_mapping_extent_list_compares_total",
     "Number of extent list compares for a filesystem."},
    {"bmbt", 0, "block_map_btree_lookups_total",
     "Number of block map B-tree lookups for a filesystem."},
    {"bmbt", 1, "block_map_btree_compares_total",
     "Number of block map B-tree compares for a filesystem."},
    {"bmbt", 2, "block_map_btree_records_inserted_total",
     "Number of block map B-tree records inserted for a filesystem."},
    {"bmbt", 3, "block_map_btree_records_deleted_total",
     "Number of block map B-tree records deleted for a filesystem."},
    {"dir", 0, "directory_operation_lookup_total",
     "Number of file name directory lookups which miss the operating systems directory name lookup cache."},
    {"dir", 1, "directory_operation_create_total",
     "Number of times a new directory entry was created for a filesystem."},
    {"dir", 2, "directory_operation_remove_total",
     "Number of times an existing directory entry was created for a filesystem."},
    {"dir", 3, "directory_operation_getdents_total",
     "Number of times the directory getdents operation was performed for a filesystem."},
    {"ig", 0, "inode_operation_attempts_total",
     "Number of times the OS looked for an XFS inode in the inode cache."},
    {"ig", 1, "inode_operation_found_total",
     "Number of times the OS looked for and found an XFS inode in the inode cache."},
    {"ig", 2, "inode_operation_recycled_total",
     "Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled."},
    {"ig", 3, "inode_operation_missed_total",
     "Number of times the OS looked for an XFS inode in the cache, but did not find it."},
    {"ig", 4, "inode_operation_duplicates_total",
     "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process."},
    {"ig", 5, "inode_operation_reclaims_total",
     "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose."},
    {"ig", 6, "inode_operation_attribute_changes_total",
     "Number of times the OS explicitly changed the attributes of an XFS inode."},
    {"rw", 0, "write_calls_total",
     "Number of write(2) system calls made to files in a filesystem."},
    {"rw", 1, "read_calls_total", "Number of read(2) system calls made to files in a filesystem."},
    {"vnodes", 0, "vnode_active_total", "Number of vnodes not on free lists for a filesystem."},
    {"vnodes", 1, "vnode_allocate_total", "Number of times vn_alloc called for a filesystem."},
    {"vnodes", 2, "vnode_get_total", "Number of times vn_get called for a filesystem."},
    {"vnodes", 3, "vnode_hold_total", "Number of times vn_hold called for a filesystem."},
    {"vnodes", 4, "vnode_release_total", "Number of times vn_rele called for a filesystem."},
    {"vnodes", 5, "vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem."},
    {"vnodes", 6, "vnode_remove_total", "Number of times vn_remove called for a filesystem."},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])
static hw_column cols[N_FIELDS];
static char col_names[N_FIELDS][80];
static const char *const labels[] = {"device"};

static int setup(void) {
    for (size_t i = 0; i < N_FIELDS; i++) {
        snprintf(col_names[i], sizeof col_names[i], "node_xfs_%s", fields[i].name);
        cols[i] = (hw_column){col_names[i], fields[i].help, OMX_COUNTER};
    }
    return 0;
}

/* Fills row from one stats file; every listed line must have its fields. */
static int parse(char *data, const char *path, double *row) {
    size_t lineno = 0;
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        char *f[32];
        size_t n = omx_split_fields(line, f, 32);
        if (n == 0)
            continue;
        for (size_t i = 0; i < N_FIELDS; i++) {
            if (strcmp(fields[i].key, f[0]))
                continue;
            uint64_t v;
            if (fields[i].idx + 1 >= n || omx_parse_u64(f[fields[i].idx + 1], &v) < 0) {
                char ln[24];
                snprintf(ln, sizeof ln, "%zu", lineno);
                omx_log(OMX_LOG_ERROR, "malformed input", "collector", "xfs", "file", path, "line",
                        ln, "key", f[0], NULL);
                return -EINVAL;
            }
            row[i] = (double)v;
        }
    }
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], path[NODE_PATH_MAX];
    char **names = NULL;
    int r = node_sys_path(base, sizeof base, "fs/xfs");
    if (r < 0)
        return r;
    if ((r = omx_list_dir(base, &names)) == -ENOENT)
        return 0; /* no XFS module: nothing to report */
    if (r < 0)
        return hw_fail("xfs", base, r);
    hw_table t;
    hw_table_init(&t, cols, N_FIELDS, labels, 1);
    for (char **n = names; *n && r >= 0; n++) {
        char *data = NULL;
        if (!strcmp(*n, "stats") ||
            (r = node_sys_path(path, sizeof path, "fs/xfs/%s/stats/stats", *n)) < 0)
            continue; /* fs/xfs/stats is the global view */
        if ((r = omx_read_file(path, 1 << 20, &data, NULL)) < 0) {
            if (r == -ENOENT || r == -ENOTDIR) {
                r = 0;
                continue;
            }
            r = hw_fail("xfs", path, r);
            break;
        }
        double *row = hw_table_add(&t, (const char *const[]){*n});
        r = row ? parse(data, path, row) : -ENOMEM;
        free(data);
    }
    if (r >= 0)
        r = hw_table_emit(&t, e);
    hw_table_free(&t);
    omx_strv_free(names);
    return r < 0 ? r : 0;
}

const node_collector node_collector_xfs = {
    .name = "xfs",
    .enabled_by_default = true,
    .setup = setup,
    .collect = collect,
};
