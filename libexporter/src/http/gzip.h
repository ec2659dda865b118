/* gzip for HTTP responses: a streaming compressor usable as an omx_write_fn
 * sink (omx_accepts_gzip in writer.h tells whether a client takes it). */
#ifndef OMX_GZIP_H
#define OMX_GZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <zlib.h>

#include "exporter/writer.h"

typedef struct omx__gzip {
    z_stream z;
    omx_write_fn fn; /* compressed output goes here */
    void *ctx;
    int err; /* first error, sticky */
    unsigned char out[16384];
} omx__gzip;

/* Starts a gzip stream (level 1: scrapes favour CPU over bytes, like
 * client_golang's gzip.BestSpeed). Returns 0 or OMX_ENOMEM. */
int omx__gzip_init(omx__gzip *g, omx_write_fn fn, void *ctx);
/* omx_write_fn: compresses data; ctx is the omx__gzip. Returns 0 or nonzero. */
int omx__gzip_write(void *g, const char *data, size_t len);
/* Flushes the trailer. Returns 0 or a negative omx_err. */
int omx__gzip_finish(omx__gzip *g);
/* Releases zlib state; safe after init whatever happened. */
void omx__gzip_end(omx__gzip *g);

#endif
