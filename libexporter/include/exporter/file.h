/* omx libexporter: bounded, non-blocking file reading (procfs, sysfs, config and
 * key files) and directory listing. All functions return 0 or a negative errno. */
#ifndef EXPORTER_FILE_H
#define EXPORTER_FILE_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of omx_read_file_at and omx_open_file. By default only regular files
 * are read: a FIFO or device swapped in for a file is refused (-EINVAL, or
 * -EISDIR for a directory). Files are always opened O_NONBLOCK, so even an
 * accepted FIFO returns -EAGAIN or EOF instead of hanging. */
#define OMX_READ_ANY_TYPE 0x1u /* also FIFOs, sockets and devices (still capped at max) */

/* Opens path (relative to dfd, AT_FDCWD for the working directory) read-only,
 * close-on-exec and non-blocking, and checks its type on the open descriptor.
 * Returns the new descriptor (the caller closes it) or a negative errno. */
int omx_open_file(int dfd, const char *path, unsigned flags);

/* Reads a whole file of at most max bytes into a malloc'ed, NUL-terminated
 * buffer the caller frees; a larger file is -EFBIG (never truncated).
 * *ret_len (may be NULL) gets the length without the NUL. Files on procfs
 * under the root given to omx_read_keep_procfs may be served from a kept fd. */
int omx_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len);
/* Same relative to dfd with flags (OMX_READ_ANY_TYPE); never uses kept fds. */
int omx_read_file_at(int dfd, const char *path, size_t max, unsigned flags, char **ret_data,
                     size_t *ret_len);
/* Reads an open fd from offset 0 to EOF (pread: procfs and sysfs regenerate a
 * file's text on a read at offset 0, so one fd can be read at every scrape).
 * Same buffer rules as omx_read_file; fd stays the caller's. */
int omx_read_fd(int fd, size_t max, char **ret_data, size_t *ret_len);

/* Reads a small file's first line (trailing newline and blanks stripped) into
 * buf of size bytes; a longer line is cut at size-1 bytes. */
int omx_read_line(const char *path, char *buf, size_t size);
/* Same, path relative to the directory fd dfd (AT_FDCWD: like omx_read_line). */
int omx_read_line_at(int dfd, const char *path, char *buf, size_t size);
/* Same, from offset 0 of an open fd (kept sysfs attribute fds). */
int omx_pread_line(int fd, char *buf, size_t size);
/* Reads a file holding one number (a sysfs attribute); -EINVAL if it is not one. */
int omx_read_u64(const char *path, uint64_t *ret);
int omx_read_i64(const char *path, int64_t *ret);
int omx_read_double(const char *path, double *ret);

/* Lets omx_read_file and omx_read_line keep fds open between calls for procfs
 * files under root outside per-process directories (but /proc/1, which lives
 * as long as its namespace). root is borrowed and must stay valid; NULL stops
 * keeping new fds. The default root is "/proc". Files not on procfs (fixture
 * trees) are never kept. Call before reading threads start. */
void omx_read_keep_procfs(const char *root);

/* Lists the entries of a directory (no "." or ".."), sorted by name, into a
 * malloc'ed NULL-terminated array of malloc'ed names the caller frees with
 * omx_strv_free. */
int omx_list_dir(const char *path, char ***ret_names);
/* Frees a NULL-terminated array of malloc'ed strings; accepts NULL; returns NULL. */
char **omx_strv_free(char **v);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
