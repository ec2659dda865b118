/* A fixed set of worker threads running queued jobs in FIFO order: request
 * handlers run here so a slow one never stalls the server's event loop. */
#ifndef OMX_HTTP_POOL_H
#define OMX_HTTP_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A job lives in the caller's memory (embedded in a larger struct), so queueing
 * never allocates and never fails. */
typedef struct omx__job {
    struct omx__job *next;
    void (*fn)(struct omx__job *job);
} omx__job;

typedef struct omx__pool omx__pool;

/* A pool of up to n (>= 1) worker threads, started as jobs need them (the
 * first two at once). Returns 0 or a negative errno; *out is owned
 * by the caller (omx__pool_free). */
int omx__pool_new(size_t n, omx__pool **out);
/* Queues job (borrowed until its fn returns; fn runs on a worker). Returns
 * false, queueing nothing, once the pool is closed. */
bool omx__pool_submit(omx__pool *p, omx__job *job);
/* Refuses new jobs from now on (those queued still run). */
void omx__pool_close(omx__pool *p);
/* Waits until no job is queued or running, or until the CLOCK_MONOTONIC time
 * deadline_ns. Returns true when the pool is idle. */
bool omx__pool_wait_idle(omx__pool *p, int64_t deadline_ns);
/* Jobs queued or running now. */
size_t omx__pool_busy(omx__pool *p);
/* Stops and joins the workers after the queue drains, frees the pool. Accepts
 * NULL; returns NULL. Only call it when omx__pool_wait_idle said idle, or the
 * join waits for whatever a job is stuck in. */
omx__pool *omx__pool_free(omx__pool *p);

#endif
