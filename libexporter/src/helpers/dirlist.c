/* Sorted directory listings. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporter/file.h"

char **omx_strv_free(char **v) {
    if (v) {
        for (char **p = v; *p; p++)
            free(*p);
        free(v);
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
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

int omx_list_dir(const char *path, char ***ret_names) {
    if (!path || !ret_names)
        return -EINVAL;
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
    omx_strv_free(v);
    return e;
}
