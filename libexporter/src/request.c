/* The request API of exporter/app.h on the app layer's side: a request exists
 * only while libexporter-http serves it, so each call goes to the server's own
 * function through its table (serve-load.c). Without a loaded server there is
 * no request: the calls answer as for a NULL one. */
#include "exporter/error.h"
#include "serve-load.h"

const char *omx_request_path(const omx_request *req) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->request_path(req) : NULL;
}

const char *omx_request_method(const omx_request *req) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->request_method(req) : NULL;
}

const char *omx_request_query(const omx_request *req, const char *key) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->request_query(req, key) : NULL;
}

const char *omx_request_header(const omx_request *req, const char *name) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->request_header(req, name) : NULL;
}

size_t omx_request_query_values(const omx_request *req, const char *key, const char **values,
                                size_t max) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->request_query_values(req, key, values, max) : 0;
}

double omx_request_timeout_seconds(const omx_request *req) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->request_timeout_seconds(req) : 0;
}

int64_t omx_request_deadline_ns(const omx_request *req) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->request_deadline_ns(req) : 0;
}

int omx_respond(omx_request *req, int status, const char *content_type, const char *body,
                size_t len) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->respond(req, status, content_type, body, len) : OMX_EINVAL;
}

int omx_respond_registry(omx_request *req, omx_registry *reg) {
    const omx__http_server *s = omx__serve_loaded();
    return s ? s->respond_registry(req, reg) : OMX_EINVAL;
}
