/* The standard process collector (client_golang's process_* families, read
 * from procfs at scrape time). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "exporter/emit.h"
#include "exporter/file.h"
#include "internal.h"

typedef struct proc_ctx {
    char *procfs;
    bool live;             /* procfs is the running kernel's /proc */
    bool fd_count_in_size; /* procfs is a real procfs: stat() of <pid>/fd may give the count */
} proc_ctx;

static void proc_ctx_free(void *p) {
    proc_ctx *c = p;
    if (c)
        omx__free(c->procfs);
    omx__free(c);
}

/* /proc/<pid>/stat and limits are well under this; /proc/stat has per-CPU and
 * "intr" lines (tens of KiB on large hosts) before its "btime". */
#define SMALL_MAX 65536
#define STAT_MAX (4u << 20)

/* The "btime" of <procfs>/stat. Returns 0 with the boot time in seconds in
 * *ret, -errno, or OMX_EVALUE when the file has no valid btime line. */
static int read_btime(const char *path, double *ret) {
    char *buf;
    int err = omx_read_file(path, STAT_MAX, &buf, NULL);
    if (err < 0)
        return err;
    err = OMX_EVALUE;
    const char *num = buf + 6, *hit;
    if (strncmp(buf, "btime ", 6))
        num = (hit = strstr(buf, "\nbtime ")) ? hit + 7 : NULL;
    if (num) {
        char *end;
        double btime = strtod(num, &end);
        if (end != num && (*end == '\n' || *end == ' ' || !*end) && btime >= 0) {
            *ret = btime;
            err = 0;
        }
    }
    free(buf);
    return err;
}

/* Parses /proc/<pid>/stat: fields after the last ')' (comm may hold anything). */
static int parse_stat(const char *buf, double *utime, double *stime, double *start, double *vsize,
                      double *rss) {
    const char *p = strrchr(buf, ')');
    if (!p)
        return OMX_EINVAL;
    p++;
    /* fields 3.. : state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime(14) stime(15) cutime cstime priority nice threads itrealvalue starttime(22)
     * vsize(23) rss(24) */
    unsigned long long v[22];
    int field = 3, k = 0;
    char *end;
    while (*p && field <= 24) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (field == 3) {
            while (*p && *p != ' ')
                p++;
        } else {
            errno = 0;
            v[k] = strtoull(p, &end, 10);
            if (end == p || errno || (*end != ' ' && *end != '\n' && *end))
                return OMX_EINVAL;
            k++;
            p = end;
        }
        field++;
    }
    if (field <= 24)
        return OMX_EINVAL;
    /* v[0] is field 4 */
    *utime = (double)v[14 - 4];
    *stime = (double)v[15 - 4];
    *start = (double)v[22 - 4];
    *vsize = (double)v[23 - 4];
    *rss = (double)v[24 - 4];
    return 0;
}

/* Finds the soft limit of the line starting with name in a /proc/<pid>/limits
 * text. "unlimited" is 2^64-1, as client_golang (procfs) reports it. Returns 1
 * and *ret, 0 when the line is absent, OMX_EINVAL when the value is malformed. */
static int parse_limit(const char *buf, const char *name, double *ret) {
    size_t n = strlen(name);
    const char *l = buf;
    while (l && strncmp(l, name, n) != 0) {
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    if (!l)
        return 0;
    l += n;
    if (*l != ' ')
        return OMX_EINVAL;
    while (*l == ' ')
        l++;
    if (strncmp(l, "unlimited", 9) == 0 && (l[9] == ' ' || l[9] == '\n' || !l[9])) {
        *ret = 18446744073709551615.0;
        return 1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(l, &end, 10);
    if (end == l || errno || *l == '-' || (*end != ' ' && *end != '\n' && *end))
        return OMX_EINVAL;
    *ret = (double)v;
    return 1;
}

static int collect_process(omx_emitter *e, void *userdata) {
    proc_ctx *c = userdata;
    char path[4096], *buf;
    double ticks = (double)sysconf(_SC_CLK_TCK), page = (double)sysconf(_SC_PAGESIZE);
    if (ticks <= 0)
        ticks = 100;
    int rc;

    snprintf(path, sizeof path, "%s/self/stat", c->procfs);
    if ((rc = omx_read_file(path, SMALL_MAX, &buf, NULL)) < 0)
        return rc;
    double ut, st, start, vsize, rss;
    rc = parse_stat(buf, &ut, &st, &start, &vsize, &rss);
    free(buf);
    if (rc < 0)
        return rc;

    snprintf(path, sizeof path, "%s/stat", c->procfs);
    double btime = 0;
    int btime_err = read_btime(path, &btime);

    if ((rc = omx_emit1(e, "process_cpu_seconds_total",
                        "Total user and system CPU time spent in seconds.", OMX_COUNTER,
                        (ut + st) / ticks)) < 0)
        return rc;
    if ((rc = omx_emit1(e, "process_resident_memory_bytes", "Resident memory size in bytes.",
                        OMX_GAUGE, rss * page)) < 0)
        return rc;
    if ((rc = omx_emit1(e, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
                        OMX_GAUGE, vsize)) < 0)
        return rc;

    snprintf(path, sizeof path, "%s/self/fd", c->procfs);
    double nfd = 0;
    struct stat fdst;
    if (c->fd_count_in_size && stat(path, &fdst) == 0 && fdst.st_size > 0) {
        nfd = (double)fdst.st_size; /* Linux >= 6.2 counts open fds here: no listing */
    } else {
        DIR *dir = opendir(path);
        if (!dir)
            return -errno;
        char self[24];
        /* In the live /proc the descriptor reading the directory shows up too. */
        snprintf(self, sizeof self, "%d", c->live ? dirfd(dir) : -1);
        struct dirent *de;
        while ((de = readdir(dir)))
            if (de->d_name[0] != '.' && strcmp(de->d_name, self) != 0)
                nfd++;
        closedir(dir);
    }
    if ((rc = omx_emit1(e, "process_open_fds", "Number of open file descriptors.", OMX_GAUGE,
                        nfd)) < 0)
        return rc;

    snprintf(path, sizeof path, "%s/self/limits", c->procfs);
    if ((rc = omx_read_file(path, SMALL_MAX, &buf, NULL)) < 0)
        return rc;
    double lim, lim_as;
    int has_fds = parse_limit(buf, "Max open files", &lim);
    int has_as = parse_limit(buf, "Max address space", &lim_as);
    free(buf);
    if ((rc = has_fds) < 0)
        return rc;
    if (rc > 0 && (rc = omx_emit1(e, "process_max_fds", "Maximum number of open file descriptors.",
                                  OMX_GAUGE, lim)) < 0)
        return rc;
    if ((rc = has_as) < 0)
        return rc;
    if (rc > 0 && (rc = omx_emit1(e, "process_virtual_memory_max_bytes",
                                  "Maximum amount of virtual memory available in bytes.", OMX_GAUGE,
                                  lim_as)) < 0)
        return rc;
    if (btime_err < 0)
        return btime_err; /* no btime in <procfs>/stat: the start time is unknown */
    return omx_emit1(e, "process_start_time_seconds",
                     "Start time of the process since unix epoch in seconds.", OMX_GAUGE,
                     btime + start / ticks);
}

int omx_process_collector_register(omx_registry *r, const char *procfs_path) {
    if (!r)
        return OMX_EINVAL;
    proc_ctx *c = omx__calloc(1, sizeof *c);
    if (!c || !(c->procfs = omx__strdup(procfs_path ? procfs_path : "/proc"))) {
        proc_ctx_free(c);
        return OMX_ENOMEM;
    }
    c->live = strcmp(c->procfs, "/proc") == 0;
    struct statfs sf;
    c->fd_count_in_size = statfs(c->procfs, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
    int rc = omx__registry_add_collector(r, "process", collect_process, c, proc_ctx_free,
                                         OMX__COLLECTOR_NO_STATS);
    if (rc < 0)
        proc_ctx_free(c);
    return rc;
}
