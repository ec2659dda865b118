/* Recording the first error of a parse as "LINE:COL: message". */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

int omp__fail(omp_parser *p, int err, const char *ls, const char *at, const char *fmt, ...) {
    va_list ap;
    int n;

    if (p->err)
        return p->err;
    p->err = err;
    p->err_line = p->line ? p->line : 1;
    p->err_col = (ls && at && at >= ls) ? (unsigned)(at - ls) + 1 : 1;
    n = snprintf(p->errbuf, sizeof(p->errbuf), "%u:%u: ", p->err_line, p->err_col);
    va_start(ap, fmt);
    vsnprintf(p->errbuf + n, sizeof(p->errbuf) - (size_t)n, fmt, ap);
    va_end(ap);
    /* One line, whatever the input put into the message. */
    for (char *c = p->errbuf; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    return err;
}
