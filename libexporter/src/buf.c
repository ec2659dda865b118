/* omx_buf: a growable byte buffer with a hard cap. */
#include <string.h>

#include "internal.h"

void omx_buf_init(omx_buf *b, size_t max) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

int omx__buf_reserve(omx_buf *b, size_t len) {
    if (len > b->max || b->len + 1 > b->max - len)
        return OMX_ELIMIT;
    size_t need = b->len + len + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        if (cap > b->max)
            cap = b->max;
        char *d = omx__realloc(b->data, cap);
        if (!d)
            return OMX_ENOMEM;
        b->data = d;
        b->cap = cap;
    }
    return 0;
}

int omx_buf_append(omx_buf *b, const void *data, size_t len) {
    if (!b || (!data && len))
        return OMX_EINVAL;
    int rc = omx__buf_reserve(b, len);
    if (rc < 0)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int omx_buf_write_fn(void *ctx, const char *data, size_t len) {
    return omx_buf_append(ctx, data, len);
}

void omx_buf_reset(omx_buf *b) {
    if (!b)
        return;
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void omx_buf_free(omx_buf *b) {
    if (!b)
        return;
    omx__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
