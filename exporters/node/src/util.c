/* omx-node: bounded file reading and strict number parsing for collectors. */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int node_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    /* 16 KiB: /proc/vmstat and /proc/net/netstat pass 4 KiB on current kernels, and
     * each growth costs a realloc and a read */
    size_t cap = max < 16384 ? (max < 2 ? 2 : max) : 16384, len = 0;
    char *data = malloc(cap);
    if (!data) {
        close(fd);
        return -ENOMEM;
    }
    for (;;) {
        if (cap - len < 2) {
            if (cap >= max) {
                free(data);
                close(fd);
                return -EFBIG;
            }
            size_t ncap = cap * 2 > max ? max : cap * 2;
            char *nd = realloc(data, ncap);
            if (!nd) {
                free(data);
                close(fd);
                return -ENOMEM;
            }
            data = nd;
            cap = ncap;
        }
        ssize_t r = read(fd, data + len, cap - len - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = -errno;
            free(data);
            close(fd);
            return e;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    data[len] = '\0';
    *ret_data = data;
    if (ret_len)
        *ret_len = len;
    return 0;
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
    return node_read_line_at(AT_FDCWD, path, buf, size);
}

int node_parse_u64(const char *s, uint64_t *ret) {
    if (!s || !*s || *s == '-')
        return -EINVAL;
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

int node_list_dir(const char *path, char ***ret_names) {
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    size_t n = 0, cap = 16;
    char **v = calloc(cap, sizeof *v);
    if (!v) {
        closedir(d);
        return -ENOMEM;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n + 1 >= cap) {
            char **nv = realloc(v, cap * 2 * sizeof *v);
            if (!nv)
                goto oom;
            v = nv;
            cap *= 2;
        }
        if (!(v[n] = strdup(de->d_name)))
            goto oom;
        v[++n] = NULL;
    }
    closedir(d);
    v[n] = NULL;
    qsort(v, n, sizeof *v, cmp_str);
    *ret_names = v;
    return 0;
oom:
    closedir(d);
    node_strv_free(v);
    return -ENOMEM;
}

size_t node_split_fields(char *s, char **fields, size_t max) {
    size_t n = 0;
    while (*s && n < max) {
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
