/* Cuts a byte stream into lines: '\n' ends a line, a '\r' before it is
 * dropped, a line longer than the cap is cut at the cap (the rest up to the
 * next '\n' is skipped and the line counted as cut). Bytes are handed on as
 * they are (binary, invalid UTF-8): what a line means is the programs' affair.
 */
#ifndef LT_LINESPLIT_H
#define LT_LINESPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called for every complete line (no line ending; not NUL-terminated). cut is
 * true for the first max bytes of a longer line. Returns 0 or a negative
 * code, which stops the feed and is returned by it. */
typedef int lt_split_fn(void *ctx, const char *line, size_t len, bool cut);

typedef struct lt_split {
    char *buf;       /* owned: the partial line kept between feeds */
    size_t len, cap; /* bytes kept, allocated */
    size_t max;      /* line cap in bytes (>= 1) */
    bool skipping;   /* past the cap: dropping bytes up to the next '\n' */
} lt_split;

/* Sets up an empty splitter with line cap max (0 = 1 MiB). Allocates nothing. */
void lt_split_init(lt_split *s, size_t max);
/* Frees the kept bytes; the splitter may be reused after lt_split_init. */
void lt_split_free(lt_split *s);
/* Drops a partial line (after a truncation: its start is gone). */
void lt_split_reset(lt_split *s);
/* Feeds len bytes: calls fn for every line they complete. The tail that ends
 * no line is kept (at most max bytes). Returns 0, -ENOMEM or fn's code. */
int lt_split_feed(lt_split *s, const char *data, size_t len, lt_split_fn *fn, void *ctx);
/* Ends the stream: a kept partial line goes to fn as a last line. */
int lt_split_flush(lt_split *s, lt_split_fn *fn, void *ctx);
/* Bytes kept (a partial line not yet handed on). */
static inline size_t lt_split_pending(const lt_split *s) { return s->len; }

#endif
