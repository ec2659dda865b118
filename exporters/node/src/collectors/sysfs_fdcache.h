/* omx-node (hardware collectors): open sysfs attribute fds kept between scrapes.
 *
 * A sysfs attribute regenerates its text on every read at offset 0, so a device's
 * attribute files can stay open and be read with one pread per scrape instead of
 * openat+read+close. Devices are keyed by name and checked by the inode of their
 * directory each scrape, so a device removed, or replaced by another of the same
 * name, gets fresh fds. Values are never cached, only fds. */
#ifndef NODE_SYSFS_FDCACHE_H
#define NODE_SYSFS_FDCACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct hw_fdcache_dev hw_fdcache_dev;

typedef struct hw_fdcache {
    pthread_mutex_t lock;     /* held by one collect at a time */
    const char *const *attrs; /* attribute file names (static) */
    size_t n_attrs;
    size_t max_devs; /* devices beyond this are read without the cache */
    hw_fdcache_dev **devs;
    size_t n_devs;
} hw_fdcache;

#define HW_FDCACHE_INIT(attrs_, n_, max_) \
    { .lock = PTHREAD_MUTEX_INITIALIZER, .attrs = (attrs_), .n_attrs = (n_), .max_devs = (max_) }

/* Returns the cache entry of device name whose directory has st_dev/st_ino dev/ino
 * (from a stat of it this scrape), creating or renewing it; NULL when the cache is
 * full or out of memory (read without it then). Caller holds c->lock. */
hw_fdcache_dev *hw_fdcache_get(hw_fdcache *c, const char *name, dev_t dev, ino_t ino);

/* Reads attribute i (index in c->attrs) of d like hw_attr_str: 0 with the first line
 * trimmed in buf, 1 when absent, or a negative errno after a debug log. dir is the
 * device's directory path: opened only on the first read of an entry; also names
 * the file in logs. Caller holds c->lock. */
int hw_fdcache_read(hw_fdcache *c, hw_fdcache_dev *d, const char *dir, size_t i, char *buf,
                    size_t size);

/* Closes the entries not returned by hw_fdcache_get since the last sweep (devices
 * gone); call at the end of each collect. Caller holds c->lock. */
void hw_fdcache_sweep(hw_fdcache *c);

#endif
