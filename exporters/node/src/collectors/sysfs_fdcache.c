/* omx-node (hardware collectors): sysfs attribute fds kept open between scrapes. */
#include "sysfs_fdcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs_attr.h"
#include "util.h"

#define FD_UNOPENED (-1)
#define FD_ABSENT (-2) /* no such attribute for this device: not tried again */

struct hw_fdcache_dev {
    char name[256];
    dev_t dev;
    ino_t ino;
    bool seen;
    int fds[]; /* n_attrs */
};

static void dev_close(hw_fdcache *c, hw_fdcache_dev *d) {
    for (size_t i = 0; i < c->n_attrs; i++) {
        if (d->fds[i] >= 0)
            close(d->fds[i]);
        d->fds[i] = FD_UNOPENED;
    }
}

hw_fdcache_dev *hw_fdcache_get(hw_fdcache *c, const char *name, dev_t dev, ino_t ino) {
    if (strlen(name) >= sizeof((hw_fdcache_dev *)0)->name)
        return NULL;
    hw_fdcache_dev *d = NULL;
    for (size_t i = 0; i < c->n_devs && !d; i++)
        if (!strcmp(c->devs[i]->name, name))
            d = c->devs[i];
    if (!d) {
        if (c->n_devs >= c->max_devs)
            return NULL;
        if (!c->devs && !(c->devs = calloc(c->max_devs, sizeof *c->devs)))
            return NULL;
        d = malloc(sizeof *d + c->n_attrs * sizeof d->fds[0]);
        if (!d)
            return NULL;
        memcpy(d->name, name, strlen(name) + 1);
        for (size_t i = 0; i < c->n_attrs; i++)
            d->fds[i] = FD_UNOPENED;
        d->dev = dev;
        d->ino = ino;
        c->devs[c->n_devs++] = d;
    } else if (d->dev != dev || d->ino != ino) {
        dev_close(c, d); /* another device under the same name */
        d->dev = dev;
        d->ino = ino;
    }
    d->seen = true;
    return d;
}

int hw_fdcache_read(hw_fdcache *c, hw_fdcache_dev *d, const char *dir, size_t i, char *buf,
                    size_t size) {
    if (d->fds[i] == FD_ABSENT)
        return 1;
    if (d->fds[i] == FD_UNOPENED) {
        int dfd = hw_dir_open(AT_FDCWD, dir);
        if (dfd < 0)
            return hw_attr_result(dfd, dir, c->attrs[i], buf);
        /* open every attribute of the entry at once: one directory walk */
        for (size_t k = 0; k < c->n_attrs; k++) {
            if (d->fds[k] != FD_UNOPENED)
                continue;
            int fd = omx_open_file(dfd, c->attrs[k], 0);
            if (fd >= 0)
                d->fds[k] = fd;
            else if (fd == -ENOENT)
                d->fds[k] = FD_ABSENT;
        }
        close(dfd);
        if (d->fds[i] == FD_ABSENT)
            return 1;
        if (d->fds[i] == FD_UNOPENED) /* opening failed otherwise: report it, retry next time */
            return hw_attr_str(dir, c->attrs[i], buf, size);
    }
    return hw_attr_result(omx_pread_line(d->fds[i], buf, size), dir, c->attrs[i], buf);
}

void hw_fdcache_sweep(hw_fdcache *c) {
    size_t k = 0;
    for (size_t i = 0; i < c->n_devs; i++) {
        hw_fdcache_dev *d = c->devs[i];
        if (d->seen) {
            d->seen = false;
            c->devs[k++] = d;
        } else {
            dev_close(c, d);
            free(d);
        }
    }
    c->n_devs = k;
}
