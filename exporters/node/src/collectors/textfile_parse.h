/* textfile collector: one *.prom file (Prometheus 0.0.4 text) into a set. */
#ifndef NODE_TEXTFILE_PARSE_H
#define NODE_TEXTFILE_PARSE_H

#include <time.h>

#include "textfile_set.h"

/* What one file may still use of the scrape's budget, and what it used. */
typedef struct tf_budget {
    size_t bytes, series; /* left before the file is read */
    size_t used_bytes, used_series;
    const char *hit; /* set with OMX_ELIMIT: "bytes" or "series" */
} tf_budget;

/* Reads path (a regular file of at most file_max bytes) into t: families by
 * name, label pairs appended to arena, samples marked with file. Each sample line counts as a series.
 * Returns 0 (mtime set), OMX_ELIMIT when the file does not fit the budget
 * (b->hit says which limit; nothing logged), or another negative code after
 * logging one line naming the file and the reason. On failure t holds partial
 * data and arena may have grown: the caller drops both. */
int tf_parse_file(tf_set *t, tf_arena *arena, const char *path, uint32_t file, size_t file_max,
                  tf_budget *b, struct timespec *mtime);

#endif
