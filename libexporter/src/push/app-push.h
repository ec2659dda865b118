/* The app layer's push wiring (app-push.c), called from app.c. */
#ifndef OMX_APP_PUSH_H
#define OMX_APP_PUSH_H

#include <stddef.h>

#include "exporter/app.h"

/* Declares --web.disable and the --push.* flags. Returns 0 or an omx_err. */
int omx__app_push_flags(omx_app *app);
/* After parsing: checks the flags and creates the pusher when --push.url is
 * set. Returns 0 or an omx_err with one line naming the flag in err. */
int omx__app_push_check(omx_app *app, char *err, size_t errlen);
/* Starts pushing (no-op without --push.url). Returns 0 or an omx_err (logged). */
int omx__app_push_start(omx_app *app);
/* Stops pushing after a last gather and a bounded flush. */
void omx__app_push_stop(omx_app *app);
/* Frees the push state; accepts an app without it. */
void omx__app_push_free(omx_app *app);

#endif
