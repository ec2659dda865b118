/* Streaming decoders for the http prober's `compression`: the body is decoded
 * as it arrives, in fixed chunks, so a compression bomb costs time bounded by
 * the probe's deadline and no memory beyond one chunk. */
#include <brotli/decode.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "http.h"

#define CHUNK 16384

struct bb_http_decoder {
    bool br, done;
    z_stream z;
    BrotliDecoderState *bs;
    unsigned char out[CHUNK];
};

int bb_http_decoder_new(const char *algorithm, bb_http_decoder **ret) {
    bool gzip = !strcasecmp(algorithm, "gzip"), deflate = !strcasecmp(algorithm, "deflate"),
         br = !strcasecmp(algorithm, "br");
    if (!gzip && !deflate && !br)
        return OMX_EINVAL;
    bb_http_decoder *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->br = br;
    if (br) {
        d->bs = BrotliDecoderCreateInstance(NULL, NULL, NULL);
        if (!d->bs) {
            free(d);
            return -ENOMEM;
        }
    } else if (inflateInit2(&d->z, gzip ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK) {
        free(d);
        return -ENOMEM;
    }
    *ret = d;
    return 0;
}

bb_http_decoder *bb_http_decoder_free(bb_http_decoder *d) {
    if (!d)
        return NULL;
    if (d->br)
        BrotliDecoderDestroyInstance(d->bs);
    else
        inflateEnd(&d->z);
    free(d);
    return NULL;
}

bool bb_http_decoder_done(const bb_http_decoder *d) { return d->done; }

int bb_http_decoder_feed(bb_http_decoder *d, const void *data, size_t len,
                         int (*out)(void *ctx, const char *data, size_t n), void *ctx) {
    if (d->done)
        return len ? OMX_EVALUE : 0; /* bytes after the end of the stream */
    if (d->br) {
        const uint8_t *in = data;
        size_t avail_in = len;
        for (;;) {
            uint8_t *o = d->out;
            size_t avail_out = CHUNK;
            BrotliDecoderResult r =
                BrotliDecoderDecompressStream(d->bs, &avail_in, &in, &avail_out, &o, NULL);
            if (r == BROTLI_DECODER_RESULT_ERROR)
                return OMX_EVALUE;
            if (CHUNK - avail_out) {
                int rc = out(ctx, (const char *)d->out, CHUNK - avail_out);
                if (rc < 0)
                    return rc;
            }
            if (r == BROTLI_DECODER_RESULT_SUCCESS) {
                d->done = true;
                return avail_in ? OMX_EVALUE : 0;
            }
            if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
                return 0;
        }
    }
    d->z.next_in = (Bytef *)(uintptr_t)data;
    d->z.avail_in = (uInt)len;
    for (;;) {
        d->z.next_out = d->out;
        d->z.avail_out = CHUNK;
        int r = inflate(&d->z, Z_NO_FLUSH);
        if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
            return OMX_EVALUE;
        size_t n = CHUNK - d->z.avail_out;
        if (n) {
            int rc = out(ctx, (const char *)d->out, n);
            if (rc < 0)
                return rc;
        }
        if (r == Z_STREAM_END) {
            d->done = true;
            return 0; /* gzip trailers of a further member are ignored, as Go reads one */
        }
        if (d->z.avail_in == 0 && n < CHUNK)
            return 0;
        if (r == Z_BUF_ERROR && n == 0)
            return 0;
    }
}
