/* Streaming gzip (see gzip.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/error.h"
#include "gzip.h"

int omx__gzip_init(omx__gzip *g, omx_write_fn fn, void *ctx) {
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

static int pump(omx__gzip *g, int flush) {
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

int omx__gzip_write(void *vg, const char *data, size_t len) {
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

int omx__gzip_finish(omx__gzip *g) {
    if (g->err)
        return g->err;
    g->z.next_in = NULL;
    g->z.avail_in = 0;
    return pump(g, Z_FINISH);
}

void omx__gzip_end(omx__gzip *g) { deflateEnd(&g->z); }
