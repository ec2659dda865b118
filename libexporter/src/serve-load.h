/* The app layer's way to the HTTP server (libexporter-http): loaded when a
 * process starts serving or reads a web config, never by one-shot, check or
 * push-only runs. */
#ifndef OMX_SERVE_LOAD_H
#define OMX_SERVE_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "server.h"

/* Returns the server's table, loading libexporter-http on the first call
 * (borrowed, valid for the process' life), or NULL with why (naming the
 * library) in err. Called from the main thread only, before the server's
 * threads start. */
const omx__http_server *omx__serve_load(char *err, size_t errlen);
/* The table if already loaded (or built in), else NULL; never loads. */
const omx__http_server *omx__serve_loaded(void);

/* omx__http_start through the table, loading the library. Returns 0 or a
 * negative errno / omx_err with why in err (-ELIBACC: library unusable). */
int omx__serve_start(omx_app *app, char *err, size_t errlen);
/* omx__http_stop when the server was loaded; true (nothing running) if not. */
bool omx__serve_stop(omx_app *app, double grace_s);
/* omx__webconfig_load through the table, loading the library. Returns 0 or a
 * negative errno / omx_err with why in err; *ret as omx__webconfig_load. */
int omx__serve_webconfig_load(const char *path, omx__webconfig **ret, char *err, size_t errlen);
/* omx__webconfig_free; c non-NULL means the library is loaded. Returns NULL. */
omx__webconfig *omx__serve_webconfig_free(omx__webconfig *c);

#endif
