/* --state-file: where each file (device, inode, offset) and the journal
 * (cursor) were when last saved, so a restart goes on from there.
 *
 * The file is text, one record a line, replaced atomically (written beside,
 * fsync'ed, renamed over):
 *   omx-logtail-state 1
 *   file <dev> <ino> <offset> <path, with %, CR and LF as %25 %0D %0A>
 *   journal <cursor>
 */
#ifndef LT_STATE_H
#define LT_STATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct lt_state_file {
    char *path; /* owned */
    uint64_t dev, ino;
    int64_t offset; /* bytes of complete lines consumed */
} lt_state_file;

typedef struct lt_state {
    lt_state_file *files; /* owned */
    size_t n, cap;
    char *cursor; /* owned journal cursor, NULL if none */
} lt_state;

/* Empties st (frees what it owns); st may be reused. */
void lt_state_clear(lt_state *st);
/* Adds a file record (path copied). Returns 0 or -ENOMEM. */
int lt_state_add(lt_state *st, const char *path, uint64_t dev, uint64_t ino, int64_t offset);
/* Sets the journal cursor (copied; NULL clears). Returns 0 or -ENOMEM. */
int lt_state_set_cursor(lt_state *st, const char *cursor);
/* The record of path, or NULL. Borrowed from st. */
const lt_state_file *lt_state_find(const lt_state *st, const char *path);

/* Reads path into st (cleared first). A missing file gives an empty state and
 * 0; a malformed line is skipped and reported through omx_bad_input. Returns
 * 0, -errno (unreadable, over 16 MiB) or -ENOMEM. */
int lt_state_load(const char *path, lt_state *st);
/* Writes st to path atomically (path.tmp, fsync, rename). Returns 0 or -errno. */
int lt_state_save(const char *path, const lt_state *st);

#endif
