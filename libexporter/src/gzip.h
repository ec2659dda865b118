/* gzip for HTTP responses: Accept-Encoding negotiation and a streaming
 * compressor usable as an omx_write_fn sink. */
#ifndef OMX_GZIP_H
#define OMX_GZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <zlib.h>

#include "exporter/writer.h"

/* True when an Accept-Encoding header value accepts gzip (q>0 for gzip,
 * x-gzip or "*" without an explicit gzip;q=0). NULL gives false. */
bool omx__accepts_gzip(const char *accept_encoding);

typedef struct omx__gzip {
    z_stream z;
    omx_write_fn fn;   /* compressed output goes here */
    void *ctx;
    int err;           /* first error, sticky */
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
