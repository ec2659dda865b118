/* The requests waiting to be sent, oldest first, held compressed. Bounded by
 * samples and bytes: when a new gather does not fit, the oldest go first
 * (the receiver wants the newest data most after an outage). */
#include <stdlib.h>

#include "push-internal.h"

static size_t drop_head(omx__push_queue *q) {
    omx__push_entry *e = q->head;
    if (!e)
        return 0;
    q->head = e->next;
    if (!q->head)
        q->tail = NULL;
    q->n--;
    q->samples -= e->samples;
    q->bytes -= e->len;
    size_t n = e->samples;
    free(e->data);
    free(e);
    return n;
}

int omx__push_queue_add(omx__push_queue *q, uint8_t *data, size_t len, size_t samples,
                        int64_t ts_ms, size_t *ret_dropped) {
    omx__push_entry *e = malloc(sizeof *e);
    if (!e) {
        free(data);
        *ret_dropped += samples;
        return OMX_ENOMEM;
    }
    *e = (omx__push_entry){.data = data, .len = len, .samples = samples, .ts_ms = ts_ms};
    while (q->head && ((q->max_samples && q->samples + samples > q->max_samples) ||
                       (q->max_bytes && q->bytes + len > q->max_bytes)))
        *ret_dropped += drop_head(q);
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
    q->n++;
    q->samples += samples;
    q->bytes += len;
    return 0;
}

size_t omx__push_queue_expire(omx__push_queue *q, int64_t min_ts_ms) {
    size_t n = 0;
    while (q->head && q->head->ts_ms < min_ts_ms)
        n += drop_head(q);
    return n;
}

size_t omx__push_queue_pop(omx__push_queue *q) { return drop_head(q); }

size_t omx__push_queue_clear(omx__push_queue *q) {
    size_t n = 0;
    while (q->head)
        n += drop_head(q);
    return n;
}
