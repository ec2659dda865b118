/* filesystem: statfs() of every mount in <procfs>/1/mounts (or self/mounts),
 * filtered by mount point and fs type, with statfs paths under --path.rootfs.
 * Network and FUSE filesystems are statted in a helper thread so a hanging
 * server cannot hold the scrape past its deadline (or 5 s). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include <exporter/emit.h>
#include "pattern.h"
#include "util.h"

/* Debian 12's default; upstream's has run/credentials/.+ for run, and no mnt, media */
static const char *opt_mp_exclude =
    "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
static const char *opt_fs_exclude =
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|"
    "iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|"
    "sysfs|tracefs)$";
static const char *opt_old_mp = "", *opt_old_fs = ""; /* deprecated 1.x spellings */
static node_regex mp_exclude, fs_exclude;

static int declare(omx_app *app) {
    int r = omx_app_flag_string(app, "collector.filesystem.mount-points-exclude", &opt_mp_exclude,
                                "Regexp of mount points to exclude for filesystem collector.");
    if (r == 0)
        r = omx_app_flag_string(app, "collector.filesystem.fs-types-exclude", &opt_fs_exclude,
                                "Regexp of filesystem types to exclude for filesystem collector.");
    if (r == 0)
        r = omx_app_flag_string(app, "collector.filesystem.ignored-mount-points", &opt_old_mp,
                                "DEPRECATED: use --collector.filesystem.mount-points-exclude.");
    if (r == 0)
        r = omx_app_flag_string(app, "collector.filesystem.ignored-fs-types", &opt_old_fs,
                                "DEPRECATED: use --collector.filesystem.fs-types-exclude.");
    return r;
}

static int setup(void) {
    if (*opt_old_mp) {
        omx_log(
            OMX_LOG_WARN,
            "--collector.filesystem.ignored-mount-points is DEPRECATED, use --collector.filesystem.mount-points-exclude",
            NULL);
        opt_mp_exclude = opt_old_mp;
    }
    if (*opt_old_fs) {
        omx_log(
            OMX_LOG_WARN,
            "--collector.filesystem.ignored-fs-types is DEPRECATED, use --collector.filesystem.fs-types-exclude",
            NULL);
        opt_fs_exclude = opt_old_fs;
    }
    int r = node_regex_compile(&mp_exclude, "--collector.filesystem.mount-points-exclude",
                               opt_mp_exclude);
    if (r == 0)
        r = node_regex_compile(&fs_exclude, "--collector.filesystem.fs-types-exclude",
                               opt_fs_exclude);
    return r;
}

/* Decodes the octal escapes (\040 etc.) the kernel writes in mount fields. */
static void unescape(char *s) {
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

static bool may_hang(const char *fstype) {
    static const char *const slow[] = {"nfs",   "nfs4", "cifs",      "smb3",   "smbfs", "ncpfs",
                                       "9p",    "ceph", "glusterfs", "lustre", "afs",   "davfs",
                                       "sshfs", "gfs2", "ocfs2",     NULL};
    if (!strncmp(fstype, "fuse", 4))
        return true;
    for (int i = 0; slow[i]; i++)
        if (!strcmp(fstype, slow[i]))
            return true;
    return false;
}

/* A statvfs in a detached thread; the job is freed by whoever finishes last. */
typedef struct stat_job {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    bool done, abandoned;
    int err;
    struct statvfs st;
    char path[NODE_PATH_MAX];
} stat_job;

static void *stat_thread(void *arg) {
    stat_job *j = arg;
    struct statvfs st;
    int err = statvfs(j->path, &st) == 0 ? 0 : -errno;
    pthread_mutex_lock(&j->lock);
    j->st = st;
    j->err = err;
    j->done = true;
    bool abandoned = j->abandoned;
    pthread_cond_signal(&j->done_cond);
    pthread_mutex_unlock(&j->lock);
    if (abandoned)
        free(j);
    return NULL;
}

/* statvfs(path) that gives up at deadline_ns (5 s at most): 0, -ETIMEDOUT or -errno. */
static int stat_with_deadline(const char *path, int64_t deadline_ns, struct statvfs *ret) {
    stat_job *j = calloc(1, sizeof *j);
    if (!j)
        return -ENOMEM;
    snprintf(j->path, sizeof j->path, "%s", path);
    pthread_mutex_init(&j->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&j->done_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int rc = pthread_create(&t, &at, stat_thread, j);
    pthread_attr_destroy(&at);
    if (rc != 0) {
        free(j);
        return -rc; /* pthread_create returns a positive errno */
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t limit = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + 5000000000LL;
    if (deadline_ns > 0 && deadline_ns < limit)
        limit = deadline_ns;
    struct timespec until = {.tv_sec = limit / 1000000000, .tv_nsec = limit % 1000000000};
    pthread_mutex_lock(&j->lock);
    while (!j->done && rc == 0)
        rc = pthread_cond_timedwait(&j->done_cond, &j->lock, &until);
    int err;
    if (j->done) {
        err = j->err;
        *ret = j->st;
        pthread_mutex_unlock(&j->lock);
        free(j);
    } else {
        j->abandoned = true; /* the thread frees it when statvfs returns */
        pthread_mutex_unlock(&j->lock);
        err = -ETIMEDOUT;
    }
    return err;
}

typedef struct fs_entry {
    const char *device, *mountpoint, *fstype;
    bool ro, error;
    double size, free, avail, files, files_free;
} fs_entry;

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data = NULL;
    int r;
    if ((r = node_proc_path(path, sizeof path, "1/mounts")) < 0)
        return r;
    if (omx_read_file(path, 16u << 20, &data, NULL) < 0) {
        if ((r = node_proc_path(path, sizeof path, "self/mounts")) < 0 ||
            (r = omx_read_file(path, 16u << 20, &data, NULL)) < 0)
            return r;
    }
    size_t cap = 1;
    for (char *p = data; *p; p++)
        cap += *p == '\n';
    fs_entry *fs = calloc(cap, sizeof *fs);
    if (!fs) {
        free(data);
        return OMX_ENOMEM;
    }
    size_t n = 0;
    const char *root = node_path_roots.rootfs;
    size_t rootlen = strlen(root);
    bool strip = strcmp(root, "/") != 0;
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[7];
        if (omx_split_fields(line, f, 7) < 4) {
            r = omx_bad_input("filesystem", path, lineno, "fewer than 4 fields");
            goto out;
        }
        unescape(f[0]);
        unescape(f[1]);
        char *mp = f[1];
        /* mounts seen through a host root bind-mounted at --path.rootfs */
        if (strip && !strncmp(mp, root, rootlen) && (mp[rootlen] == '/' || !mp[rootlen])) {
            mp += rootlen;
            if (!*mp)
                mp = "/";
        }
        if (node_regex_match(&mp_exclude, mp) || node_regex_match(&fs_exclude, f[2]))
            continue;
        bool dup = false;
        for (size_t i = 0; i < n && !dup; i++)
            dup = !strcmp(fs[i].mountpoint, mp) && !strcmp(fs[i].device, f[0]) &&
                  !strcmp(fs[i].fstype, f[2]);
        if (dup)
            continue;
        fs_entry *x = &fs[n++];
        x->device = f[0];
        x->mountpoint = mp;
        x->fstype = f[2];
        char opts[1024];
        snprintf(opts, sizeof opts, ",%s,", f[3]);
        x->ro = strstr(opts, ",ro,") != NULL;
    }
    for (size_t i = 0; i < n; i++) {
        fs_entry *x = &fs[i];
        char sp[NODE_PATH_MAX];
        struct statvfs st;
        int err;
        if (node_root_path(sp, sizeof sp, "%s", x->mountpoint + 1) < 0) {
            x->error = true;
            continue;
        }
        if (omx_emitter_expired(e))
            err = -ETIMEDOUT;
        else if (may_hang(x->fstype))
            err = stat_with_deadline(sp, omx_emitter_deadline_ns(e), &st);
        else
            err = statvfs(sp, &st) == 0 ? 0 : -errno;
        if (err) {
            x->error = true;
            omx_log(OMX_LOG_DEBUG, "statfs failed", "collector", "filesystem", "mountpoint",
                    x->mountpoint, "err", omx_strerror(err), NULL);
            continue;
        }
        double bs = (double)st.f_frsize ? (double)st.f_frsize : (double)st.f_bsize;
        x->size = (double)st.f_blocks * bs;
        x->free = (double)st.f_bfree * bs;
        x->avail = (double)st.f_bavail * bs;
        x->files = (double)st.f_files;
        x->files_free = (double)st.f_ffree;
    }
    static const char *const labels[] = {"device", "fstype", "mountpoint"};
    static const struct {
        const char *name, *help;
        size_t off;
    } fam[] = {
        {"node_filesystem_size_bytes", "Filesystem size in bytes.", offsetof(fs_entry, size)},
        {"node_filesystem_free_bytes", "Filesystem free space in bytes.", offsetof(fs_entry, free)},
        {"node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
         offsetof(fs_entry, avail)},
        {"node_filesystem_files", "Filesystem total file nodes.", offsetof(fs_entry, files)},
        {"node_filesystem_files_free", "Filesystem total free file nodes.",
         offsetof(fs_entry, files_free)},
    };
    for (size_t k = 0; k < sizeof fam / sizeof fam[0]; k++) {
        if ((r = omx_emit_family(e, &(omx_desc){.name = fam[k].name,
                                                .help = fam[k].help,
                                                .type = OMX_GAUGE,
                                                .label_names = labels,
                                                .n_labels = 3})) < 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            if (fs[i].error)
                continue;
            double v = *(const double *)((const char *)&fs[i] + fam[k].off);
            if ((r = omx_emit_sample(
                     e, (const char *[]){fs[i].device, fs[i].fstype, fs[i].mountpoint}, v)) < 0)
                goto out;
        }
    }
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_filesystem_readonly",
                                            .help = "Filesystem read-only status.",
                                            .type = OMX_GAUGE,
                                            .label_names = labels,
                                            .n_labels = 3})) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (!fs[i].error &&
            (r = omx_emit_sample(e, (const char *[]){fs[i].device, fs[i].fstype, fs[i].mountpoint},
                                 fs[i].ro)) < 0)
            goto out;
    if ((r = omx_emit_family(
             e,
             &(omx_desc){
                 .name = "node_filesystem_device_error",
                 .help = "Whether an error occurred while getting statistics for the given device.",
                 .type = OMX_GAUGE,
                 .label_names = labels,
                 .n_labels = 3})) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((r = omx_emit_sample(e, (const char *[]){fs[i].device, fs[i].fstype, fs[i].mountpoint},
                                 fs[i].error)) < 0)
            goto out;
    r = 0;
out:
    free(fs);
    free(data);
    return r;
}

const node_collector node_collector_filesystem = {
    .name = "filesystem",
    .enabled_by_default = true,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
