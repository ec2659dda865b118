/* Cross-file internals of the file reader (readfile.c, keepfd.c). */
#ifndef OMX_HELPERS_READFILE_INTERNAL_H
#define OMX_HELPERS_READFILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Reads fd to EOF into a malloc'ed NUL-terminated buffer of at most max bytes
 * (-EFBIG beyond): with pread from offset 0 when at0, else with read(2) from
 * the current offset. size_hint (0: unknown) sizes the first allocation. */
int omx__read_all(int fd, size_t max, bool at0, size_t size_hint, char **ret_data, size_t *ret_len);
/* One read of at most size-1 bytes (pread at 0 when at0) into buf, NUL-terminated
 * and cut to its first line without trailing blanks. */
int omx__read_first_line(int fd, bool at0, char *buf, size_t size);

#endif
