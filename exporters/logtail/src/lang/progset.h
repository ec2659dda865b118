/* The program set's state, shared by loading/running (progset.c) and
 * exporting (export.c). */
#ifndef LT_PROGSET_H
#define LT_PROGSET_H

#include "internal.h"

struct lt_progset {
    lt_options opt;
    pthread_mutex_t lock; /* programs, their metrics and ctx */
    lt_prog **progs;      /* sorted by name */
    size_t n;
    lt_vmctx ctx;
    uint64_t lines;
    uint64_t failed_loads; /* programs that never compiled */
};

#endif
