/* Accept-Encoding parsing and streaming gzip (see gzip.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exporter/error.h"
#include "gzip.h"

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Parses ";q=0.5"-style parameters of one element; returns its q (1 if absent,
 * 0 if malformed so that garbage never enables an encoding). */
static double element_q(const char *p, const char *end)
{
    double q = 1.0;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        if (!semi)
            break;
        p = skip_ws(semi + 1);
        if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            char buf[16];
            const char *v = p + 2, *ve = v;
            while (ve < end && *ve != ';' && *ve != ' ' && *ve != '\t')
                ve++;
            size_t n = (size_t)(ve - v);
            if (n == 0 || n >= sizeof buf)
                return 0;
            memcpy(buf, v, n);
            buf[n] = '\0';
            char *e;
            q = strtod(buf, &e);
            if (*e || !(q >= 0 && q <= 1))
                return 0;
        }
    }
    return q;
}

bool omx__accepts_gzip(const char *ae)
{
    double q_gzip = -1, q_star = -1;
    if (!ae)
        return false;
    for (const char *p = ae; *p;) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *t = skip_ws(p), *te = t;
        while (te < end && *te != ';' && *te != ' ' && *te != '\t')
            te++;
        size_t n = (size_t)(te - t);
        double q = element_q(te, end);
        if ((n == 4 && !strncasecmp(t, "gzip", 4)) || (n == 6 && !strncasecmp(t, "x-gzip", 6)))
            q_gzip = q > q_gzip ? q : q_gzip;
        else if (n == 1 && *t == '*')
            q_star = q;
        p = *end ? end + 1 : end;
    }
    if (q_gzip >= 0)
        return q_gzip > 0;
    return q_star > 0;
}

int omx__gzip_init(omx__gzip *g, omx_write_fn fn, void *ctx)
{
    memset(&g->z, 0, sizeof g->z);
    g->fn = fn;
    g->ctx = ctx;
    g->err = 0;
    /* windowBits 15 + 16 = gzip wrapper; memLevel 8 is zlib's default. */
    if (deflateInit2(&g->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        g->err = OMX_ENOMEM;
        return OMX_ENOMEM;
    }
    return 0;
}

static int pump(omx__gzip *g, int flush)
{
    int zrc, rc;
    do {
        g->z.next_out = g->out;
        g->z.avail_out = sizeof g->out;
        zrc = deflate(&g->z, flush);
        if (zrc == Z_STREAM_ERROR)
            return g->err = OMX_EIO;
        size_t have = sizeof g->out - g->z.avail_out;
        if (have && (rc = g->fn(g->ctx, (const char *)g->out, have)) != 0)
            return g->err = rc < 0 ? rc : OMX_EIO; /* the sink's own code, if it has one */
    } while (g->z.avail_out == 0 || (flush == Z_FINISH && zrc != Z_STREAM_END));
    return 0;
}

int omx__gzip_write(void *vg, const char *data, size_t len)
{
    omx__gzip *g = vg;
    if (g->err)
        return g->err;
    while (len) {
        /* avail_in is a uInt: feed at most 1 GiB at a time. */
        size_t chunk = len > (1u << 30) ? (1u << 30) : len;
        g->z.next_in = (unsigned char *)(uintptr_t)data;
        g->z.avail_in = (uInt)chunk;
        if (pump(g, Z_NO_FLUSH))
            return g->err;
        data += chunk;
        len -= chunk;
    }
    return 0;
}

int omx__gzip_finish(omx__gzip *g)
{
    if (g->err)
        return g->err;
    g->z.next_in = NULL;
    g->z.avail_in = 0;
    return pump(g, Z_FINISH);
}

void omx__gzip_end(omx__gzip *g)
{
    deflateEnd(&g->z);
}
