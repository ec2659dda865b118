/* What the app layer reaches of libexporter-http: one table of functions,
 * exported under OMX__HTTP_SERVER_TABLE. The app layer loads the library
 * when a process starts serving (serve-load.c); the static libexporter-app
 * carries the server and uses its table directly. */
#ifndef OMX_HTTP_SERVER_H
#define OMX_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-internal.h"
#include "exporter/app.h"
#include "webconfig.h"

#define OMX__HTTP_SERVER_SONAME "libexporter-http.so.0"
#define OMX__HTTP_SERVER_TABLE "omx__http_server_table"

typedef struct omx__http_server {
    size_t size;         /* sizeof (omx__http_server) the library was built with */
    const char *version; /* OMX_VERSION the library was built with */
    __typeof__(omx__http_start) *start;
    __typeof__(omx__http_stop) *stop;
    __typeof__(omx__webconfig_load) *webconfig_load;
    __typeof__(omx__webconfig_free) *webconfig_free;
    __typeof__(omx_request_path) *request_path;
    __typeof__(omx_request_method) *request_method;
    __typeof__(omx_request_query) *request_query;
    __typeof__(omx_request_header) *request_header;
    __typeof__(omx_request_query_values) *request_query_values;
    __typeof__(omx_request_timeout_seconds) *request_timeout_seconds;
    __typeof__(omx_request_deadline_ns) *request_deadline_ns;
    __typeof__(omx_respond) *respond;
    __typeof__(omx_respond_registry) *respond_registry;
} omx__http_server;

/* The server's table (server-table.c); exported from libexporter-http. */
__attribute__((visibility("default"))) extern const omx__http_server omx__http_server_table;

#endif
