/* procfs fds kept open between scrapes, keyed by path. procfs files (seq_file
 * ones and /proc/sys) regenerate their text on a read at offset 0, so pread(fd, 0)
 * of a kept fd gives what a fresh open would, and saves an openat and a close per
 * file per scrape. Only files found on procfs (fstatfs at open) are kept: fixture
 * trees and other files are re-opened each time, so a replaced file is always
 * seen. Per-process directories are not kept (a pid can go away and be reused),
 * but for pid 1 (/proc/1/mounts lives as long as its namespace). A slot in use by
 * one reader is skipped by another (plain open then); any read error drops the fd
 * and the read is retried once on a fresh open. Bounded: KEEP_MAX fds. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "exporter/file.h"
#include "readfile-internal.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

#define KEEP_MAX 64
#define FD_NONE (-1)   /* slot known, nothing open (last open failed or dropped) */
#define FD_NOKEEP (-2) /* not on procfs: never kept */

typedef struct {
    char *path;
    int fd;
    bool busy;
} keep_slot;

static keep_slot slots[KEEP_MAX];
static size_t n_slots;
static const char *keep_root = "/proc";
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

void omx_read_keep_procfs(const char *root) {
    pthread_mutex_lock(&slots_lock);
    keep_root = root;
    pthread_mutex_unlock(&slots_lock);
}

/* True for paths under the procfs root outside per-process directories (lock held). */
static bool keepable(const char *path) {
    if (!keep_root)
        return false;
    size_t n = strlen(keep_root);
    if (strncmp(path, keep_root, n) || path[n] != '/')
        return false;
    const char *rel = path + n + 1;
    if (!strncmp(rel, "1/", 2))
        return true;
    if ((rel[0] >= '0' && rel[0] <= '9') || !strncmp(rel, "self/", 5) ||
        !strncmp(rel, "thread-self/", 12))
        return false;
    return true;
}

/* Claims the slot of path; returns its index (slot marked busy, *ret_fd its kept
 * fd or FD_NONE/FD_NOKEEP) or -1 when path is not kept (busy, table full, OOM). */
static int slot_claim(const char *path, int *ret_fd) {
    int idx = -1;
    pthread_mutex_lock(&slots_lock);
    if (!keepable(path)) {
        pthread_mutex_unlock(&slots_lock);
        return -1;
    }
    for (size_t i = 0; i < n_slots; i++)
        if (!strcmp(slots[i].path, path)) {
            idx = slots[i].busy ? -2 : (int)i;
            break;
        }
    if (idx == -1 && n_slots < KEEP_MAX && (slots[n_slots].path = strdup(path))) {
        slots[n_slots].fd = FD_NONE;
        idx = (int)n_slots++;
    }
    if (idx >= 0) {
        slots[idx].busy = true;
        *ret_fd = slots[idx].fd;
    }
    pthread_mutex_unlock(&slots_lock);
    return idx < 0 ? -1 : idx;
}

static void slot_release(int idx, int fd) {
    pthread_mutex_lock(&slots_lock);
    slots[idx].fd = fd;
    slots[idx].busy = false;
    pthread_mutex_unlock(&slots_lock);
}

/* Opens path for the reader holding its slot; *ret_keep tells
 * whether the fd may stay open afterwards. */
static int slot_open(const char *path, int *slot_fd, bool *ret_keep) {
    int fd = omx_open_file(AT_FDCWD, path, 0);
    if (fd < 0)
        return fd;
    *ret_keep = false;
    if (*slot_fd == FD_NONE) {
        struct statfs sf;
        if (fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC)
            *ret_keep = true;
        else
            *slot_fd = FD_NOKEEP;
    }
    return fd;
}

/* One read through the cache: a whole file (line == NULL) or a first line. */
static int keep_read(const char *path, size_t max, char **ret_data, size_t *ret_len, char *line,
                     size_t line_size) {
    int slot_fd = FD_NONE, idx = slot_claim(path, &slot_fd), r;
    if (idx < 0)
        return line ? omx_read_line_at(AT_FDCWD, path, line, line_size)
                    : omx_read_file_at(AT_FDCWD, path, max, 0, ret_data, ret_len);
    if (slot_fd >= 0) {
        r = line ? omx__read_first_line(slot_fd, true, line, line_size)
                 : omx__read_all(slot_fd, max, true, 0, ret_data, ret_len);
        if (r == 0 || r == -EFBIG || r == -ENOMEM) {
            slot_release(idx, slot_fd);
            return r;
        }
        close(slot_fd); /* stale (device or namespace gone): retry on a fresh open */
        slot_fd = FD_NONE;
    }
    bool keep;
    int fd = slot_open(path, &slot_fd, &keep);
    if (fd < 0) {
        slot_release(idx, slot_fd);
        return fd;
    }
    r = line ? omx__read_first_line(fd, false, line, line_size)
             : omx__read_all(fd, max, false, 0, ret_data, ret_len);
    if (r < 0 || !keep)
        close(fd);
    else
        slot_fd = fd;
    slot_release(idx, slot_fd);
    return r;
}

int omx_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len) {
    if (!path || !ret_data)
        return -EINVAL;
    return keep_read(path, max, ret_data, ret_len, NULL, 0);
}

int omx_read_line(const char *path, char *buf, size_t size) {
    if (!path || !buf || size == 0)
        return -EINVAL;
    return keep_read(path, 0, NULL, NULL, buf, size);
}
