/* zoneinfo: per-zone page counters and watermarks from <procfs>/zoneinfo. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

typedef struct zone_field {
    const char *key;  /* as written in the file */
    const char *name; /* after node_zoneinfo_ */
    const char *help;
    omx_type type;
} zone_field;

/* The fields node_exporter 1.5 reads through procfs; any others are ignored. */
static const zone_field fields[] = {
    {"nr_free_pages", "nr_free_pages", "Total number of free pages in the zone", OMX_GAUGE},
    {"min", "min_pages", "Zone watermark pages_min", OMX_GAUGE},
    {"low", "low_pages", "Zone watermark pages_low", OMX_GAUGE},
    {"high", "high_pages", "Zone watermark pages_high", OMX_GAUGE},
    {"scanned", "scanned_pages", "Pages scanned since last reclaim", OMX_GAUGE},
    {"spanned", "spanned_pages", "Total pages spanned by the zone, including holes", OMX_GAUGE},
    {"present", "present_pages", "Physical pages existing within the zone", OMX_GAUGE},
    {"managed", "managed_pages", "Present pages managed by the buddy system", OMX_GAUGE},
    {"nr_active_anon", "nr_active_anon_pages", "Number of anonymous pages recently more used",
     OMX_GAUGE},
    {"nr_inactive_anon", "nr_inactive_anon_pages", "Number of anonymous pages recently less used",
     OMX_GAUGE},
    {"nr_isolated_anon", "nr_isolated_anon_pages", "Temporary isolated pages from anon lru",
     OMX_GAUGE},
    {"nr_anon_pages", "nr_anon_pages", "Number of anonymous pages currently used by the system",
     OMX_GAUGE},
    {"nr_anon_transparent_hugepages", "nr_anon_transparent_hugepages",
     "Number of anonymous transparent huge pages currently used by the system", OMX_GAUGE},
    {"nr_active_file", "nr_active_file_pages", "Number of active pages with file-backing",
     OMX_GAUGE},
    {"nr_inactive_file", "nr_inactive_file_pages", "Number of inactive pages with file-backing",
     OMX_GAUGE},
    {"nr_isolated_file", "nr_isolated_file_pages", "Temporary isolated pages from file lru",
     OMX_GAUGE},
    {"nr_file_pages", "nr_file_pages", "Number of file pages", OMX_GAUGE},
    {"nr_slab_reclaimable", "nr_slab_reclaimable_pages", "Number of reclaimable slab pages",
     OMX_GAUGE},
    {"nr_slab_unreclaimable", "nr_slab_unreclaimable_pages", "Number of unreclaimable slab pages",
     OMX_GAUGE},
    {"nr_mlock_stack", "nr_mlock_stack_pages", "mlock()ed pages found and moved off LRU",
     OMX_GAUGE},
    {"nr_kernel_stack", "nr_kernel_stacks", "Number of kernel stacks", OMX_GAUGE},
    {"nr_mapped", "nr_mapped_pages", "Number of mapped pages", OMX_GAUGE},
    {"nr_dirty", "nr_dirty_pages", "Number of dirty pages", OMX_GAUGE},
    {"nr_writeback", "nr_writeback_pages", "Number of writeback pages", OMX_GAUGE},
    {"nr_unevictable", "nr_unevictable_pages", "Number of unevictable pages", OMX_GAUGE},
    {"nr_shmem", "nr_shmem_pages", "Number of shmem pages (included tmpfs/GEM pages)", OMX_GAUGE},
    {"nr_dirtied", "nr_dirtied_total", "Page dirtyings since bootup", OMX_COUNTER},
    {"nr_written", "nr_written_total", "Page writings since bootup", OMX_COUNTER},
    {"numa_hit", "numa_hit_total", "Allocated in intended node", OMX_COUNTER},
    {"numa_miss", "numa_miss_total", "Allocated in non intended node", OMX_COUNTER},
    {"numa_foreign", "numa_foreign_total", "Was intended here, hit elsewhere", OMX_COUNTER},
    {"numa_interleave", "numa_interleave_total", "Interleaver preferred this zone", OMX_COUNTER},
    {"numa_local", "numa_local_total", "Allocation from local node", OMX_COUNTER},
    {"numa_other", "numa_other_total", "Allocation from other node", OMX_COUNTER},
};
#define NFIELDS (sizeof fields / sizeof fields[0])
#define MAX_PROTECTION 16

typedef struct zone {
    const char *node, *name;
    int64_t value[NFIELDS];
    bool have[NFIELDS];
    int64_t protection[MAX_PROTECTION];
    size_t n_protection;
} zone;

/* "(0, 3018, 8650)" -> values; 0 or -EINVAL. */
static int parse_protection(char *s, zone *z) {
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len < 2 || s[0] != '(' || s[len - 1] != ')')
        return -EINVAL;
    s[len - 1] = '\0';
    z->n_protection = 0;
    char *save = NULL;
    for (char *t = strtok_r(s + 1, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        if (z->n_protection == MAX_PROTECTION ||
            omx_parse_i64(t, &z->protection[z->n_protection]) < 0)
            return -EINVAL;
        z->n_protection++;
    }
    return 0;
}

static int parse(char *data, const char *path, zone *zones, size_t *ret_n) {
    size_t n = 0;
    unsigned lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (!strncmp(line, "Node ", 5)) {
            char *f[5];
            size_t nf = omx_split_fields(line, f, 5), l = nf > 1 ? strlen(f[1]) : 0;
            if (nf != 4 || l < 2 || f[1][l - 1] != ',' || strcmp(f[2], "zone"))
                return omx_bad_input("zoneinfo", path, lineno, "expected 'Node N, zone NAME'");
            f[1][l - 1] = '\0';
            zones[n] = (zone){.node = f[1], .name = f[3]};
            n++;
            continue;
        }
        char *p = line + strspn(line, " \t");
        if (!strncmp(p, "protection:", 11)) {
            p += 11;
            p += strspn(p, " \t");
            p[strcspn(p, "\r")] = '\0';
            if (!n || parse_protection(p, &zones[n - 1]) < 0)
                return omx_bad_input("zoneinfo", path, lineno, "bad protection array");
            continue;
        }
        char *f[3];
        size_t nf = omx_split_fields(line, f, 3);
        if (nf < 2)
            continue;
        for (size_t i = 0; i < NFIELDS; i++)
            if (!strcmp(f[0], fields[i].key)) {
                if (!n || nf != 2 || omx_parse_i64(f[1], &zones[n - 1].value[i]) < 0)
                    return omx_bad_input("zoneinfo", path, lineno,
                                         "expected 'name value' in a zone");
                zones[n - 1].have[i] = true;
                break;
            }
    }
    *ret_n = n;
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "zoneinfo")) < 0 ||
        (r = omx_read_file(path, 4u << 20, &data, NULL)) < 0)
        return r;
    size_t nzones = 1;
    for (const char *p = strstr(data, "Node "); p; p = strstr(p + 1, "\nNode "))
        nzones++;
    zone *zones = calloc(nzones, sizeof *zones);
    size_t n = 0;
    if (!zones) {
        free(data);
        return OMX_ENOMEM;
    }
    if ((r = parse(data, path, zones, &n)) < 0)
        goto out;
    static const char *const labels[] = {"node", "zone"};
    for (size_t i = 0; i < NFIELDS; i++) {
        char name[96];
        omx_join(name, sizeof name, (const char *[]){"node_zoneinfo_", fields[i].name}, 2);
        const omx_desc d = {.name = name,
                            .help = fields[i].help,
                            .type = fields[i].type,
                            .label_names = labels,
                            .n_labels = 2};
        if ((r = omx_emit_family(e, &d)) < 0)
            goto out;
        for (size_t z = 0; z < n; z++)
            if (zones[z].have[i] &&
                (r = omx_emit_sample(e, (const char *[]){zones[z].node, zones[z].name},
                                     (double)zones[z].value[i])) < 0)
                goto out;
    }
    for (size_t i = 0; i < MAX_PROTECTION; i++) {
        char name[64], help[64];
        snprintf(name, sizeof name, "node_zoneinfo_protection_%zu", i);
        snprintf(help, sizeof help, "Protection array %zu. field", i);
        const omx_desc d = {
            .name = name, .help = help, .type = OMX_GAUGE, .label_names = labels, .n_labels = 2};
        if ((r = omx_emit_family(e, &d)) < 0)
            goto out;
        for (size_t z = 0; z < n; z++)
            if (i < zones[z].n_protection &&
                (r = omx_emit_sample(e, (const char *[]){zones[z].node, zones[z].name},
                                     (double)zones[z].protection[i])) < 0)
                goto out;
    }
    r = 0;
out:
    free(zones);
    free(data);
    return r;
}

const node_collector node_collector_zoneinfo = {
    .name = "zoneinfo",
    .enabled_by_default = false,
    .collect = collect,
};
