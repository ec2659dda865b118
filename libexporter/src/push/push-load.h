/* The pusher's functions as the app layer reaches them (push-load.c). */
#ifndef OMX_PUSH_LOAD_H
#define OMX_PUSH_LOAD_H

#include <stddef.h>

#include "exporter/push.h"

typedef struct omx__push_fns {
    __typeof__(omx_pusher_new) *pusher_new;
    __typeof__(omx_pusher_start) *pusher_start;
    __typeof__(omx_pusher_stop) *pusher_stop;
    __typeof__(omx_pusher_free) *pusher_free;
} omx__push_fns;

/* Returns the pusher's functions, loading libexporter-push on the first call
 * (borrowed, valid for the process' life), or NULL with why in err. Called
 * from the main thread only. */
const omx__push_fns *omx__push_load(char *err, size_t errlen);

#endif
