/* The table the app layer finds with dlsym (server.h). */
#include "server.h"

const omx__http_server omx__http_server_table = {
    .size = sizeof(omx__http_server),
    .version = OMX_VERSION,
    .start = omx__http_start,
    .stop = omx__http_stop,
    .webconfig_load = omx__webconfig_load,
    .webconfig_free = omx__webconfig_free,
    .request_path = omx_request_path,
    .request_method = omx_request_method,
    .request_query = omx_request_query,
    .request_header = omx_request_header,
    .request_query_values = omx_request_query_values,
    .request_timeout_seconds = omx_request_timeout_seconds,
    .request_deadline_ns = omx_request_deadline_ns,
    .respond = omx_respond,
    .respond_registry = omx_respond_registry,
};
