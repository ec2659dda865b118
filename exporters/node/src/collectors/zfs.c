/* zfs collector: ZFS kstats from /proc/spl/kstat/zfs (global statistics files and,
 * per pool, io, state and objset-* datasets), named as node_exporter names them:
 * node_zfs_<subsystem>_<kstat> with HELP "kstat.zfs.misc.<file>.<kstat>". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs_attr.h"
#include <exporter/emit.h>
#include "util.h"

static const char *const files[][2] = {
    {"abdstats", "abd"},
    {"arcstats", "arc"},
    {"dmu_tx", "dmu_tx"},
    {"dnodestats", "dnode"},
    {"fm", "fm"},
    {"vdev_cache_stats", "vdev_cache"},
    {"vdev_mirror_stats", "vdev_mirror"},
    {"xuio_stats", "xuio"},
    {"zfetchstats", "zfetch"},
    {"zil", "zil"},
};
#define N_FILES (sizeof files / sizeof files[0])

static bool name_ok(const char *s) {
    if (!*s || strlen(s) > 100)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

static int bad(const char *path, size_t line, const char *what) {
    omx_bad_input("zfs", path, (unsigned)line, what);
    return -EINVAL;
}

/* Calls fn for every "name 4 value" line (uint64 kstats) after the two header lines;
 * other kstat types are skipped, as node_exporter does. *ret_dataset gets the
 * value of a "dataset_name 7 ..." line when not NULL. */
typedef int (*kstat_fn)(void *ctx, const char *name, uint64_t v);
static int read_kstats(const char *path, kstat_fn fn, void *ctx, char *ret_dataset, size_t dsz) {
    char *data = NULL;
    int r = omx_read_file(path, 4 << 20, &data, NULL);
    if (r < 0)
        return r;
    size_t lineno = 0;
    for (char *line = data, *next; line && *line && r >= 0; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (++lineno <= 2)
            continue;
        char *f[4];
        size_t n = omx_split_fields(line, f, 4);
        if (n == 0)
            continue;
        if (n < 3) {
            r = bad(path, lineno, "expected name, type and value");
            break;
        }
        if (ret_dataset && !strcmp(f[0], "dataset_name") && !strcmp(f[1], "7")) {
            snprintf(ret_dataset, dsz, "%s", f[2]);
            continue;
        }
        if (strcmp(f[1], "4"))
            continue;
        uint64_t v;
        if (!name_ok(f[0]) || omx_parse_u64(f[2], &v) < 0) {
            r = bad(path, lineno, "bad uint64 kstat");
            break;
        }
        r = fn(ctx, f[0], v);
    }
    free(data);
    return r;
}

/* Samples are gathered first: with several pools or datasets one family has
 * series from many files, and a family must be written in one piece. */
typedef struct rec {
    char metric[128];
    char help[160];
    char l0[64], l1[256];
    size_t n_labels, seq;
    omx_type type;
    double v;
} rec;

typedef struct recs {
    rec *v;
    size_t n, cap;
} recs;

static int recs_add(recs *rs, const char *metric, const char *help, omx_type type,
                    const char *const *lv, size_t n_labels, double v) {
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 256;
        rec *nv = cap > 1000000 ? NULL : realloc(rs->v, cap * sizeof *nv);
        if (!nv)
            return -ENOMEM;
        rs->v = nv;
        rs->cap = cap;
    }
    rec *x = &rs->v[rs->n];
    snprintf(x->metric, sizeof x->metric, "%s", metric);
    snprintf(x->help, sizeof x->help, "%s", help);
    snprintf(x->l0, sizeof x->l0, "%s", n_labels > 0 ? lv[0] : "");
    snprintf(x->l1, sizeof x->l1, "%s", n_labels > 1 ? lv[1] : "");
    x->n_labels = n_labels;
    x->type = type;
    x->v = v;
    x->seq = rs->n++;
    return 0;
}

static int cmp_rec(const void *a, const void *b) {
    const rec *x = a, *y = b;
    int c = strcmp(x->metric, y->metric);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

typedef struct emit_ctx {
    recs *rs;
    const char *file, *subsystem, *help_file;
    const char *const *lv;
    size_t n_labels;
    const char *const *label_names;
    const char *prefix;
} emit_ctx;

static int emit_kstat(void *p, const char *name, uint64_t v) {
    emit_ctx *c = p;
    char metric[160], help[200];
    snprintf(metric, sizeof metric, "%s%s", c->prefix, name);
    snprintf(help, sizeof help, "kstat.zfs.misc.%s.%s", c->help_file, name);
    return recs_add(c->rs, metric, help, OMX_UNKNOWN, c->lv, c->n_labels, (double)v);
}

/* The io kstat: a header line of names, then a line of values. */
static int pool_io(recs *e, const char *pool, const char *path) {
    char *data = NULL;
    int r = omx_read_file(path, 1 << 16, &data, NULL);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return hw_fail("zfs", path, r);
    char *l2 = strchr(data, '\n'), *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
    char *names[16], *vals[16];
    size_t nn = 0, nv = 0;
    if (l2 && l3) {
        *l3++ = '\0';
        char *end = strchr(l3, '\n');
        if (end)
            *end = '\0';
        nn = omx_split_fields(l2 + 1, names, 16);
        nv = omx_split_fields(l3, vals, 16);
    }
    if (nn == 0 || nn != nv) {
        free(data);
        return bad(path, 2, "names and values do not match");
    }
    static const char *const lab[] = {"zpool"};
    for (size_t i = 0; i < nn && r >= 0; i++) {
        uint64_t v;
        if (!name_ok(names[i]) || omx_parse_u64(vals[i], &v) < 0) {
            r = bad(path, 3, "bad value");
            break;
        }
        emit_ctx c = {.rs = e,
                      .help_file = "io",
                      .lv = (const char *const[]){pool},
                      .n_labels = 1,
                      .label_names = lab,
                      .prefix = "node_zfs_zpool_"};
        r = emit_kstat(&c, names[i], v);
    }
    free(data);
    return r;
}

static int pool_state(recs *e, const char *pool, const char *path) {
    char state[64];
    int r = omx_read_line(path, state, sizeof state);
    if (r == -ENOENT)
        return 0; /* older ZFS has no state file */
    if (r < 0)
        return hw_fail("zfs", path, r);
    static const char *const states[] = {"online",  "degraded", "faulted",
                                         "offline", "removed",  "unavail"};
    for (char *p = state; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    r = 0;
    for (size_t i = 0; i < 6 && r >= 0; i++)
        r = recs_add(e, "node_zfs_zpool_state", "kstat.zfs.misc.state", OMX_GAUGE,
                     (const char *const[]){pool, states[i]}, 2, !strcmp(state, states[i]));
    return r;
}

/* objset-* datasets: read twice, first for the dataset name, then to emit. */
static int noop(void *ctx, const char *name, uint64_t v) {
    (void)ctx, (void)name, (void)v;
    return 0;
}

static int pool_datasets(recs *e, const char *pool, const char *dir) {
    char **names = NULL, path[NODE_PATH_MAX + 256], dataset[256];
    int r = omx_list_dir(dir, &names);
    if (r < 0)
        return hw_fail("zfs", dir, r);
    static const char *const lab[] = {"zpool", "dataset"};
    for (char **n = names; *n && r >= 0; n++) {
        if (strncmp(*n, "objset-", 7))
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, *n) >= (int)sizeof path)
            continue;
        dataset[0] = '\0';
        if ((r = read_kstats(path, noop, NULL, dataset, sizeof dataset)) < 0) {
            r = r == -EINVAL ? r : hw_fail("zfs", path, r);
            break;
        }
        emit_ctx c = {.rs = e,
                      .help_file = "objset",
                      .lv = (const char *const[]){pool, dataset},
                      .n_labels = 2,
                      .label_names = lab,
                      .prefix = "node_zfs_zpool_dataset_"};
        r = read_kstats(path, emit_kstat, &c, dataset, sizeof dataset);
    }
    omx_strv_free(names);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char base[NODE_PATH_MAX], path[NODE_PATH_MAX + 256];
    int r = node_proc_path(base, sizeof base, "spl/kstat/zfs");
    if (r < 0)
        return r;
    struct stat st;
    if (stat(base, &st) < 0)
        return hw_fail("zfs", base, -errno); /* no ZFS module: node_exporter's ErrNoData */
    recs rs = {0};
    for (size_t i = 0; i < N_FILES && r >= 0; i++) {
        if (snprintf(path, sizeof path, "%s/%s", base, files[i][0]) >= (int)sizeof path)
            continue;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "node_zfs_%s_", files[i][1]);
        emit_ctx c = {.rs = &rs, .help_file = files[i][0], .prefix = prefix};
        r = read_kstats(path, emit_kstat, &c, NULL, 0);
        if (r == -ENOENT)
            r = 0; /* statistics files differ between ZFS versions */
        else if (r < 0 && r != -EINVAL)
            r = hw_fail("zfs", path, r);
    }
    char **pools = NULL;
    if (r >= 0 && (r = omx_list_dir(base, &pools)) < 0)
        r = hw_fail("zfs", base, r);
    for (char **p = pools; p && *p && r >= 0; p++) {
        if (snprintf(path, sizeof path, "%s/%s", base, *p) >= (int)sizeof path ||
            stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        char sub[NODE_PATH_MAX + 512];
        if (snprintf(sub, sizeof sub, "%s/io", path) >= (int)sizeof sub)
            continue;
        r = pool_io(&rs, *p, sub);
        if (r >= 0) {
            r = snprintf(sub, sizeof sub, "%s/state", path) >= (int)sizeof sub
                    ? -ENAMETOOLONG
                    : pool_state(&rs, *p, sub);
        }
        if (r >= 0)
            r = pool_datasets(&rs, *p, path);
    }
    omx_strv_free(pools);
    static const char *const pool_lab[] = {"zpool", "state"};
    static const char *const ds_lab[] = {"zpool", "dataset"};
    if (r >= 0) {
        qsort(rs.v, rs.n, sizeof *rs.v, cmp_rec);
        for (size_t i = 0; i < rs.n && r >= 0; i++) {
            const rec *x = &rs.v[i];
            bool ds = !strncmp(x->metric, "node_zfs_zpool_dataset_", 23);
            const char *const *ln = x->n_labels == 2 ? (ds ? ds_lab : pool_lab) : pool_lab;
            if (i == 0 || strcmp(rs.v[i - 1].metric, x->metric))
                r = omx_emit_family(e, &(omx_desc){.name = x->metric,
                                                   .help = x->help,
                                                   .type = x->type,
                                                   .label_names = ln,
                                                   .n_labels = x->n_labels});
            if (r >= 0)
                r = omx_emit_sample(e, (const char *const[]){x->l0, x->l1}, x->v);
        }
    }
    free(rs.v);
    return r < 0 ? r : 0;
}

const node_collector node_collector_zfs = {
    .name = "zfs",
    .enabled_by_default = true,
    .collect = collect,
};
