/* Bounded, non-blocking reading of whole files and first lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exporter/file.h"
#include "exporter/text.h"
#include "readfile-internal.h"

int omx_open_file(int dfd, const char *path, unsigned flags) {
    if (!path)
        return -EINVAL;
    /* O_NONBLOCK: a FIFO put where a file was expected must not hang a scrape */
    int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -errno;
    if (!(flags & OMX_READ_ANY_TYPE)) {
        struct stat st;
        int e = 0;
        if (fstat(fd, &st) < 0)
            e = -errno;
        else if (S_ISDIR(st.st_mode))
            e = -EISDIR;
        else if (!S_ISREG(st.st_mode))
            e = -EINVAL; /* /dev/zero would never end, a FIFO may never start */
        if (e) {
            close(fd);
            return e;
        }
    }
    return fd;
}

int omx__read_all(int fd, size_t max, bool at0, size_t size_hint, char **ret_data,
                  size_t *ret_len) {
    if (max >= SIZE_MAX - 2)
        max = SIZE_MAX - 3;
    /* room for max bytes, one byte more to see that the file is larger, and the NUL */
    size_t limit = max + 2;
    /* 16 KiB by default: /proc/vmstat and /proc/net/netstat pass 4 KiB, and each
     * growth costs a realloc and a read */
    size_t cap = size_hint ? size_hint + 2 : 16384;
    if (cap > limit)
        cap = limit;
    size_t len = 0;
    char *data = malloc(cap);
    if (!data)
        return -ENOMEM;
    for (;;) {
        if (len > max) {
            free(data);
            return -EFBIG;
        }
        if (cap - len < 2) {
            size_t ncap = cap > limit / 2 ? limit : cap * 2;
            char *nd = realloc(data, ncap);
            if (!nd) {
                free(data);
                return -ENOMEM;
            }
            data = nd;
            cap = ncap;
        }
        ssize_t r = at0 ? pread(fd, data + len, cap - len - 1, (off_t)len)
                        : read(fd, data + len, cap - len - 1);
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
    if (ret_len)
        *ret_len = len;
    return 0;
}

int omx_read_fd(int fd, size_t max, char **ret_data, size_t *ret_len) {
    if (fd < 0 || !ret_data)
        return -EINVAL;
    return omx__read_all(fd, max, true, 0, ret_data, ret_len);
}

int omx_read_file_at(int dfd, const char *path, size_t max, unsigned flags, char **ret_data,
                     size_t *ret_len) {
    if (!ret_data)
        return -EINVAL;
    int fd = omx_open_file(dfd, path, flags);
    if (fd < 0)
        return fd;
    size_t hint = 0;
    struct stat st;
    /* a regular file's size is known up front (procfs and sysfs say 0) */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((uint64_t)st.st_size > max) {
            close(fd);
            return -EFBIG;
        }
        hint = (size_t)st.st_size;
    }
    int r = omx__read_all(fd, max, false, hint, ret_data, ret_len);
    close(fd);
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

int omx__read_first_line(int fd, bool at0, char *buf, size_t size) {
    ssize_t r;
    do
        r = at0 ? pread(fd, buf, size - 1, 0) : read(fd, buf, size - 1);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;
    buf[r] = '\0';
    first_line(buf);
    return 0;
}

int omx_pread_line(int fd, char *buf, size_t size) {
    if (fd < 0 || !buf || size == 0)
        return -EINVAL;
    return omx__read_first_line(fd, true, buf, size);
}

int omx_read_line_at(int dfd, const char *path, char *buf, size_t size) {
    if (!buf || size == 0)
        return -EINVAL;
    int fd = omx_open_file(dfd, path, 0);
    if (fd < 0)
        return fd;
    int r = omx__read_first_line(fd, false, buf, size);
    close(fd);
    return r;
}

#define READ_NUM(fn, type, parse)                       \
    int fn(const char *path, type *ret) {               \
        char line[128];                                 \
        int r = omx_read_line(path, line, sizeof line); \
        if (r < 0)                                      \
            return r;                                   \
        return parse(line, ret);                        \
    }
READ_NUM(omx_read_u64, uint64_t, omx_parse_u64)
READ_NUM(omx_read_i64, int64_t, omx_parse_i64)
READ_NUM(omx_read_double, double, omx_parse_double)
