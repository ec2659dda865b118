/* mdadm collector: software RAID arrays from /proc/mdstat. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include <exporter/emit.h>
#include "util.h"

typedef struct md {
    char name[64];
    char state[32]; /* active, inactive, recovering, resync, check */
    int64_t active, failed, spare, total, blocks, synced;
} md;

static size_t count_str(const char *s, const char *needle) {
    size_t n = 0, l = strlen(needle);
    for (const char *p = s; (p = strstr(p, needle)); p += l)
        n++;
    return n;
}

static int bad(const char *path, size_t line, const char *what) {
    omx_bad_input("mdadm", path, (unsigned)(line + 1), what);
    return -EINVAL;
}

/* "<blocks> blocks ... [<total>/<active>] [UU_]" (raid0/linear: devices counted). */
static int status_line(const char *dev, const char *st, md *m) {
    char *end;
    while (*st == ' ')
        st++;
    errno = 0;
    long long size = strtoll(st, &end, 10);
    if (end == st || errno || size < 0 || (*end && *end != ' '))
        return -EINVAL;
    m->blocks = size;
    if (strstr(dev, "raid0") || strstr(dev, "linear")) {
        m->total = m->active = (int64_t)count_str(dev, "[");
        return 0;
    }
    if (strstr(dev, "inactive"))
        return 0;
    const char *b = strstr(end, "blocks");
    const char *p = b ? strchr(b, '[') : NULL;
    long long total, active;
    int used = 0;
    while (p && sscanf(p, "[%lld/%lld]%n", &total, &active, &used) != 2)
        p = strchr(p + 1, '[');
    if (!p || used == 0 || total < 0 || active < 0)
        return -EINVAL;
    m->total = total;
    m->active = active;
    return 0;
}

static int parse(char *data, const char *path, md **ret, size_t *ret_n) {
    /* Split into lines first: each array uses the lines after its own. */
    size_t nl = 1;
    for (char *p = data; *p; p++)
        nl += *p == '\n';
    char **lines = calloc(nl + 1, sizeof *lines);
    md *mds = calloc(nl, sizeof *mds);
    if (!lines || !mds) {
        free(lines);
        free(mds);
        return -ENOMEM;
    }
    size_t n = 0, nm = 0;
    /* Split by hand: empty lines count (line numbers, "the line after"). */
    for (char *p = data;;) {
        lines[n++] = p;
        char *q = strchr(p, '\n');
        if (!q)
            break;
        *q = '\0';
        p = q + 1;
    }
    int r = 0;
    for (size_t i = 0; i < n && r >= 0; i++) {
        const char *line = lines[i];
        if (!line[0] || line[0] == ' ' || line[0] == '\t' || !strncmp(line, "Personalities", 13) ||
            !strncmp(line, "unused", 6))
            continue;
        char copy[1024], *f[4];
        snprintf(copy, sizeof copy, "%s", line);
        if (omx_split_fields(copy, f, 4) < 3 || strcmp(f[1], ":")) {
            r = bad(path, i, "not enough fields in md line");
            break;
        }
        if (i + 3 >= n) {
            r = bad(path, i, "too few lines for md device");
            break;
        }
        md *m = &mds[nm];
        snprintf(m->name, sizeof m->name, "%s", f[0]);
        snprintf(m->state, sizeof m->state, "%s", f[2]);
        m->failed = (int64_t)count_str(line, "(F)");
        m->spare = (int64_t)count_str(line, "(S)");
        if (status_line(line, lines[i + 1], m) < 0) {
            r = bad(path, i + 1, "cannot parse status line");
            break;
        }
        size_t si = i + 2;
        if (strstr(lines[si], "bitmap"))
            si++;
        const char *sl = lines[si];
        m->synced = m->blocks;
        bool rec = strstr(sl, "recovery"), rsy = strstr(sl, "resync"), chk = strstr(sl, "check");
        if (rec || rsy || chk) {
            snprintf(m->state, sizeof m->state, "%s",
                     rec   ? "recovering"
                     : chk ? "check"
                           : "resync");
            if (strstr(sl, "PENDING") || strstr(sl, "DELAYED")) {
                m->synced = 0;
            } else {
                const char *p = strchr(sl, '(');
                long long done, all;
                char close;
                if (!p || sscanf(p, "(%lld/%lld%c", &done, &all, &close) != 3 || close != ')' ||
                    done < 0) {
                    r = bad(path, si, "cannot parse recovery line");
                    break;
                }
                m->synced = done;
            }
        }
        nm++;
    }
    free(lines);
    if (r < 0) {
        free(mds);
        return r;
    }
    *ret = mds;
    *ret_n = nm;
    return 0;
}

static const char *const dev_label[] = {"device"};
static const char *const dev_state[] = {"device", "state"};

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data = NULL;
    int r = node_proc_path(path, sizeof path, "mdstat");
    if (r < 0)
        return r;
    if ((r = omx_read_file(path, 1 << 20, &data, NULL)) < 0)
        return hw_fail("mdadm", path, r); /* no md driver: node_exporter's ErrNoData */
    md *m = NULL;
    size_t n = 0;
    r = parse(data, path, &m, &n);
    free(data);
    if (r < 0)
        return r;
    static const char *const disk_states[] = {"active", "failed", "spare"};
    static const char *const md_states[] = {"active", "inactive", "recovering", "resync", "check"};
    r = omx_emit_family(e, &(omx_desc){.name = "node_md_blocks",
                                       .help = "Total number of blocks on device.",
                                       .type = OMX_GAUGE,
                                       .label_names = dev_label,
                                       .n_labels = 1});
    for (size_t i = 0; i < n && r >= 0; i++)
        r = omx_emit_sample(e, (const char *const[]){m[i].name}, (double)m[i].blocks);
    if (r >= 0)
        r = omx_emit_family(e, &(omx_desc){.name = "node_md_blocks_synced",
                                           .help = "Number of blocks synced on device.",
                                           .type = OMX_GAUGE,
                                           .label_names = dev_label,
                                           .n_labels = 1});
    for (size_t i = 0; i < n && r >= 0; i++)
        r = omx_emit_sample(e, (const char *const[]){m[i].name}, (double)m[i].synced);
    if (r >= 0)
        r = omx_emit_family(e, &(omx_desc){.name = "node_md_disks",
                                           .help = "Number of active/failed/spare disks of device.",
                                           .type = OMX_GAUGE,
                                           .label_names = dev_state,
                                           .n_labels = 2});
    for (size_t i = 0; i < n && r >= 0; i++) {
        const int64_t v[3] = {m[i].active, m[i].failed, m[i].spare};
        for (size_t k = 0; k < 3 && r >= 0; k++)
            r = omx_emit_sample(e, (const char *const[]){m[i].name, disk_states[k]}, (double)v[k]);
    }
    if (r >= 0)
        r = omx_emit_family(e, &(omx_desc){.name = "node_md_disks_required",
                                           .help = "Total number of disks of device.",
                                           .type = OMX_GAUGE,
                                           .label_names = dev_label,
                                           .n_labels = 1});
    for (size_t i = 0; i < n && r >= 0; i++)
        r = omx_emit_sample(e, (const char *const[]){m[i].name}, (double)m[i].total);
    if (r >= 0)
        r = omx_emit_family(e, &(omx_desc){.name = "node_md_state",
                                           .help = "Indicates the state of md-device.",
                                           .type = OMX_GAUGE,
                                           .label_names = dev_state,
                                           .n_labels = 2});
    for (size_t i = 0; i < n && r >= 0; i++)
        for (size_t k = 0; k < 5 && r >= 0; k++)
            r = omx_emit_sample(e, (const char *const[]){m[i].name, md_states[k]},
                                !strcmp(m[i].state, md_states[k]));
    free(m);
    return r < 0 ? r : 0;
}

const node_collector node_collector_mdadm = {
    .name = "mdadm",
    .enabled_by_default = true,
    .collect = collect,
};
