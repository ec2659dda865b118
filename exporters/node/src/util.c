/* omx-node: bounded file reading and strict number parsing for collectors. */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

node_paths node_path_roots = {
    .procfs = "/proc",
    .sysfs = "/sys",
    .rootfs = "/",
    .udev_data = "/run/udev/data",
};

static int path_under(char *buf, size_t size, const char *root, const char *fmt, va_list ap) {
    int n = snprintf(buf, size, "%s/", root);
    if (n < 0 || (size_t)n >= size)
        return -ENAMETOOLONG;
    int m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
    if (m < 0 || (size_t)m >= size - (size_t)n)
        return -ENAMETOOLONG;
    return 0;
}

#define PATH_FN(fn, root)                                              \
    int fn(char *buf, size_t size, const char *fmt, ...) {             \
        va_list ap;                                                    \
        va_start(ap, fmt);                                             \
        int r = path_under(buf, size, node_path_roots.root, fmt, ap);  \
        va_end(ap);                                                    \
        return r;                                                      \
    }
PATH_FN(node_proc_path, procfs)
PATH_FN(node_sys_path, sysfs)
PATH_FN(node_root_path, rootfs)

/* Open procfs fds kept between scrapes, keyed by path. procfs files (seq_file ones
 * and /proc/sys) regenerate their text on a read at offset 0, so pread(fd, 0) of a
 * kept fd gives what a fresh open would, and saves an openat and a close per file
 * per scrape. Only files found on procfs (fstatfs at open) are kept: fixture trees
 * and other files are re-opened each time, so a replaced file is always seen. Per
 * process directories are not kept (a pid can go away and be reused), but for pid 1
 * (/proc/1/mounts: it lives as long as its namespace). A slot in
 * use by one reader is skipped by another (plain open then); any read error drops
 * the fd and the read is retried once on a fresh open. Bounded: PROC_FDS_MAX. */
#define PROC_FDS_MAX 64
#define PROC_FD_NONE (-1)   /* slot known, nothing open (last open failed or dropped) */
#define PROC_FD_NOKEEP (-2) /* not on procfs: never kept */

typedef struct {
    char *path;
    int fd;
    bool busy;
} proc_fd_slot;

static proc_fd_slot proc_fds[PROC_FDS_MAX];
static size_t n_proc_fds;
static pthread_mutex_t proc_fds_lock = PTHREAD_MUTEX_INITIALIZER;

/* True for paths under the procfs root outside per-process directories. */
static bool proc_keepable(const char *path) {
    size_t n = strlen(node_path_roots.procfs);
    if (strncmp(path, node_path_roots.procfs, n) || path[n] != '/')
        return false;
    const char *rel = path + n + 1;
    if (!strncmp(rel, "1/", 2))
        return true;
    if ((rel[0] >= '0' && rel[0] <= '9') || !strncmp(rel, "self/", 5) ||
        !strncmp(rel, "thread-self/", 12))
        return false;
    return true;
}

/* Claims the slot of path; returns its index (slot marked busy, *ret_fd its kept fd or
 * PROC_FD_NONE/PROC_FD_NOKEEP) or -1 when path is not kept (busy, table full, OOM). */
static int proc_fd_claim(const char *path, int *ret_fd) {
    if (!proc_keepable(path))
        return -1;
    int idx = -1;
    pthread_mutex_lock(&proc_fds_lock);
    for (size_t i = 0; i < n_proc_fds; i++)
        if (!strcmp(proc_fds[i].path, path)) {
            idx = proc_fds[i].busy ? -2 : (int)i;
            break;
        }
    if (idx == -1 && n_proc_fds < PROC_FDS_MAX &&
        (proc_fds[n_proc_fds].path = strdup(path))) {
        proc_fds[n_proc_fds].fd = PROC_FD_NONE;
        idx = (int)n_proc_fds++;
    }
    if (idx >= 0) {
        proc_fds[idx].busy = true;
        *ret_fd = proc_fds[idx].fd;
    }
    pthread_mutex_unlock(&proc_fds_lock);
    return idx < 0 ? -1 : idx;
}

static void proc_fd_release(int idx, int fd) {
    pthread_mutex_lock(&proc_fds_lock);
    proc_fds[idx].fd = fd;
    proc_fds[idx].busy = false;
    pthread_mutex_unlock(&proc_fds_lock);
}

/* Opens path for a reader holding slot idx (or none, idx < 0); *ret_keep tells
 * whether the fd may stay open afterwards. */
static int proc_fd_open(const char *path, int idx, int *slot_fd, bool *ret_keep) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    *ret_keep = false;
    if (idx >= 0 && *slot_fd == PROC_FD_NONE) {
        struct statfs sf;
        if (fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC)
            *ret_keep = true;
        else
            *slot_fd = PROC_FD_NOKEEP;
    }
    return fd;
}

/* Reads fd from offset 0 to EOF into a malloc'ed buffer (see node_read_file). */
static int read_all_at0(int fd, size_t max, char **ret_data, size_t *ret_len) {
    /* 16 KiB: /proc/vmstat and /proc/net/netstat pass 4 KiB on current kernels, and
     * each growth costs a realloc and a read */
    size_t cap = max < 16384 ? (max < 2 ? 2 : max) : 16384, len = 0;
    char *data = malloc(cap);
    if (!data)
        return -ENOMEM;
    for (;;) {
        if (cap - len < 2) {
            if (cap >= max) {
                free(data);
                return -EFBIG;
            }
            size_t ncap = cap * 2 > max ? max : cap * 2;
            char *nd = realloc(data, ncap);
            if (!nd) {
                free(data);
                return -ENOMEM;
            }
            data = nd;
            cap = ncap;
        }
        ssize_t r = pread(fd, data + len, cap - len - 1, (off_t)len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = -errno;
            free(data);
            return e;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    data[len] = '\0';
    *ret_data = data;
    *ret_len = len;
    return 0;
}

/* Reads at most size-1 bytes from offset 0 into buf, NUL-terminated. */
static int read_some_at0(int fd, char *buf, size_t size) {
    ssize_t r;
    do
        r = pread(fd, buf, size - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;
    buf[r] = '\0';
    return 0;
}

int node_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len) {
    int slot_fd = PROC_FD_NONE, idx = proc_fd_claim(path, &slot_fd), r;
    size_t len = 0;
    if (idx >= 0 && slot_fd >= 0) {
        if ((r = read_all_at0(slot_fd, max, ret_data, &len)) == 0 || r == -EFBIG ||
            r == -ENOMEM) {
            proc_fd_release(idx, slot_fd);
            if (r == 0 && ret_len)
                *ret_len = len;
            return r;
        }
        close(slot_fd); /* stale (device or namespace gone): retry on a fresh open */
        slot_fd = PROC_FD_NONE;
    }
    bool keep;
    int fd = proc_fd_open(path, idx, &slot_fd, &keep);
    if (fd < 0) {
        if (idx >= 0)
            proc_fd_release(idx, slot_fd);
        return fd;
    }
    r = read_all_at0(fd, max, ret_data, &len);
    if (r < 0 || !keep)
        close(fd);
    else
        slot_fd = fd;
    if (idx >= 0)
        proc_fd_release(idx, slot_fd);
    if (r == 0 && ret_len)
        *ret_len = len;
    return r;
}

/* Keeps buf's first line, without trailing blanks. */
static void first_line(char *buf) {
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
}

int node_pread_line(int fd, char *buf, size_t size) {
    if (size == 0)
        return -EINVAL;
    ssize_t r;
    do
        r = pread(fd, buf, size - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;
    buf[r] = '\0';
    first_line(buf);
    return 0;
}

int node_read_line_at(int dfd, const char *path, char *buf, size_t size) {
    if (size == 0)
        return -EINVAL;
    int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t r;
    do
        r = read(fd, buf, size - 1);
    while (r < 0 && errno == EINTR);
    int e = r < 0 ? -errno : 0;
    close(fd);
    if (e)
        return e;
    buf[r] = '\0';
    first_line(buf);
    return 0;
}

int node_read_line(const char *path, char *buf, size_t size) {
    if (size == 0)
        return -EINVAL;
    int slot_fd = PROC_FD_NONE, idx = proc_fd_claim(path, &slot_fd), r;
    if (idx < 0)
        return node_read_line_at(AT_FDCWD, path, buf, size);
    if (slot_fd >= 0) {
        if ((r = read_some_at0(slot_fd, buf, size)) == 0) {
            proc_fd_release(idx, slot_fd);
            first_line(buf);
            return 0;
        }
        close(slot_fd);
        slot_fd = PROC_FD_NONE;
    }
    bool keep;
    int fd = proc_fd_open(path, idx, &slot_fd, &keep);
    if (fd < 0) {
        proc_fd_release(idx, slot_fd);
        return fd;
    }
    r = read_some_at0(fd, buf, size);
    if (r < 0 || !keep)
        close(fd);
    else
        slot_fd = fd;
    proc_fd_release(idx, slot_fd);
    if (r < 0)
        return r;
    first_line(buf);
    return 0;
}

/* Plain decimal digits, at most 15 of them (exact as a double, no overflow):
 * what most /proc and /sys numbers are. Returns false for anything else. */
static inline bool small_digits(const char *s, uint64_t *ret) {
    uint64_t v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (i == 15)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == 0 || s[i])
        return false;
    *ret = v;
    return true;
}

int node_parse_u64(const char *s, uint64_t *ret) {
    if (!s || !*s || *s == '-')
        return -EINVAL;
    if (small_digits(s, ret))
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE)
        return -ERANGE;
    if (end == s || *end)
        return -EINVAL;
    *ret = v;
    return 0;
}

int node_parse_i64(const char *s, int64_t *ret) {
    if (!s || !*s)
        return -EINVAL;
    uint64_t u;
    if (small_digits(s, &u)) {
        *ret = (int64_t)u;
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE)
        return -ERANGE;
    if (end == s || *end)
        return -EINVAL;
    *ret = v;
    return 0;
}

int node_parse_double(const char *s, double *ret) {
    if (!s || !*s)
        return -EINVAL;
    uint64_t u;
    if (small_digits(s, &u)) { /* strtod costs ~10x more for the common case */
        *ret = (double)u;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end)
        return -EINVAL;
    if (errno == ERANGE && isinf(v))
        return -ERANGE;
    *ret = v;
    return 0;
}

#define READ_NUM(fn, type, parse)                      \
    int fn(const char *path, type *ret) {              \
        char line[128];                                \
        int r = node_read_line(path, line, sizeof line); \
        if (r < 0)                                     \
            return r;                                  \
        return parse(line, ret);                       \
    }
READ_NUM(node_read_u64, uint64_t, node_parse_u64)
READ_NUM(node_read_i64, int64_t, node_parse_i64)
READ_NUM(node_read_double, double, node_parse_double)

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **node_strv_free(char **v) {
    if (v) {
        for (char **p = v; *p; p++)
            free(*p);
        free(v);
    }
    return NULL;
}

/* getdents64 on an O_DIRECTORY fd rather than opendir: opendir adds an fstat, and a
 * scrape lists about ten sysfs directories. */
struct linux_dirent64_hdr {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

int node_list_dir(const char *path, char ***ret_names) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0, cap = 16;
    char **v = calloc(cap, sizeof *v);
    if (!v) {
        close(fd);
        return -ENOMEM;
    }
    int e = 0;
    _Alignas(8) char buf[8192];
    for (;;) {
        ssize_t got = getdents64(fd, buf, sizeof buf);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            e = -errno;
            goto fail;
        }
        if (got == 0)
            break;
        for (ssize_t off = 0; off < got;) {
            struct linux_dirent64_hdr *de = (struct linux_dirent64_hdr *)(buf + off);
            if (de->d_reclen == 0 || (ssize_t)de->d_reclen > got - off) {
                e = -EIO;
                goto fail;
            }
            off += de->d_reclen;
            const char *name = de->d_name;
            if (!strcmp(name, ".") || !strcmp(name, ".."))
                continue;
            if (n + 1 >= cap) {
                char **nv = realloc(v, cap * 2 * sizeof *v);
                if (!nv)
                    goto oom;
                v = nv;
                cap *= 2;
            }
            if (!(v[n] = strdup(name)))
                goto oom;
            v[++n] = NULL;
        }
    }
    close(fd);
    v[n] = NULL;
    qsort(v, n, sizeof *v, cmp_str);
    *ret_names = v;
    return 0;
oom:
    e = -ENOMEM;
fail:
    close(fd);
    node_strv_free(v);
    return e;
}

size_t node_split_fields(char *s, char **fields, size_t max) {
    size_t n = 0;
    while (*s && n < max) {
        if ((s[0] == ' ' || s[0] == '\t') && (s[1] == ' ' || s[1] == '\t'))
            s += strspn(s, " \t"); /* column padding (snmp6, diskstats): SSE */
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '\n')
            break;
        fields[n++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n')
            s++;
        if (*s)
            *s++ = '\0';
    }
    return n;
}

size_t node_join(char *buf, size_t size, const char *const *parts, size_t n) {
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!parts[i])
            continue;
        size_t l = strlen(parts[i]);
        if (l >= size - len) {
            buf[0] = '\0';
            return 0;
        }
        memcpy(buf + len, parts[i], l);
        len += l;
    }
    buf[len] = '\0';
    return len;
}
