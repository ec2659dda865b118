/* A probe's log lines (bb_logf): kept for &debug=true and the history, and
 * sent to the process log from --log.prober's level up. Bounded. */
#ifndef BB_PLOG_H
#define BB_PLOG_H

#include <stdarg.h>
#include <stddef.h>

#include "prober.h"

#define BB_PLOG_MAX_BYTES (64u << 10)

/* module and target are copied. echo_level: lines at or above it also go to
 * omx_log (with module and target keys); above OMX_LOG_ERROR sends none.
 * Returns NULL on allocation failure. */
bb_plog *bb_plog_new(const char *module, const char *target, int echo_level);
bb_plog *bb_plog_free(bb_plog *l); /* accepts NULL; returns NULL */
void bb_plog_vlogf(bb_plog *l, int level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* The lines so far, NUL-terminated; borrowed until the next line or free. */
const char *bb_plog_text(bb_plog *l, size_t *ret_len);
/* Frees the text bb_plog_text rendered (the lines stay, and render again when
 * asked for): a log kept for long holds only its raw lines. Accepts NULL. */
void bb_plog_drop_text(bb_plog *l);

#endif
