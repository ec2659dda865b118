/* The pages beside /probe: the landing page with recent probes, /logs,
 * /config, /-/reload and /-/healthy, worded as upstream's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static int respond_buf(omx_request *req, int status, const char *type, omx_buf *b, int rc) {
    if (rc == 0)
        rc = omx_respond(req, status, type, b->data ? b->data : "", b->len);
    omx_buf_free(b);
    return rc;
}

static int respond_text(omx_request *req, int status, const char *text) {
    return omx_respond(req, status, "text/plain; charset=utf-8", text, strlen(text));
}

int bb_handle_config(omx_request *req, void *userdata) {
    bb_server *s = userdata;
    omx_buf b;
    omx_buf_init(&b, 16u << 20);
    bb_config *c = bb_server_config(s);
    int rc = bb_config_dump(c, &b);
    bb_config_unref(c);
    return respond_buf(req, 200, "text/plain; charset=utf-8", &b, rc);
}

int bb_handle_landing(omx_request *req, void *userdata) {
    bb_server *s = userdata;
    static const char head[] =
        "<html>\n"
        "    <head><title>Blackbox Exporter</title></head>\n"
        "    <body>\n"
        "    <h1>Blackbox Exporter</h1>\n"
        "    <p><a href=\"probe?target=prometheus.io&module=http_2xx\">Probe prometheus.io for "
        "http_2xx</a></p>\n"
        "    <p><a href=\"probe?target=prometheus.io&module=http_2xx&debug=true\">Debug probe "
        "prometheus.io for http_2xx</a></p>\n"
        "    <p><a href=\"metrics\">Metrics</a></p>\n"
        "    <p><a href=\"config\">Configuration</a></p>\n"
        "    <h2>Recent Probes</h2>\n"
        "    <table border='1'><tr><th>Module</th><th>Target</th><th>Result</th><th>Debug</th>";
    static const char tail[] = "</table></body>\n    </html>";
    const char *path = omx_request_path(req);
    if (path && path[strlen(path) - 1] != '/')
        return omx_respond(req, 404, "text/plain; charset=utf-8", "404 page not found\n", 19);
    omx_buf b;
    omx_buf_init(&b, 64u << 20);
    int rc = omx_buf_append(&b, head, sizeof head - 1);
    if (!rc && s->hist)
        rc = bb_history_rows(s->hist, &b);
    if (!rc)
        rc = omx_buf_append(&b, tail, sizeof tail - 1);
    return respond_buf(req, 200, "text/html", &b, rc);
}

int bb_handle_logs(omx_request *req, void *userdata) {
    bb_server *s = userdata;
    const char *ids = omx_request_query(req, "id"), *target = omx_request_query(req, "target"),
               *module = omx_request_query(req, "module");
    int64_t id = -1;
    bool id_ok = ids && omx_parse_i64(ids, &id) == 0;
    if (!id_ok)
        id = -1;
    if (target && !*target)
        target = NULL;
    if (id_ok && target)
        return respond_text(req, 400, "Probe id and target can't be defined at the same time\n");
    if (id == -1 && !target)
        return respond_text(req, 400,
                            "Probe id or target must be defined as http query parameters\n");
    if (!target && module && *module)
        return respond_text(req, 400,
                            "Probe module filter only works in conjunction with "
                            "target parameter\n");
    omx_buf b;
    omx_buf_init(&b, BB_HISTORY_MAX_OUTPUT + 256);
    int rc = s->hist ? bb_history_output(s->hist, id, target, module, &b) : OMX_ENOENT;
    if (rc == OMX_ENOENT) {
        omx_buf_free(&b);
        return respond_text(req, 404, target ? "Probe target not found\n" : "Probe id not found\n");
    }
    return respond_buf(req, 200, "text/plain; charset=utf-8", &b, rc);
}

int bb_handle_reload(omx_request *req, void *userdata) {
    bb_server *s = userdata;
    char err[1200], msg[1400];
    const char *method = omx_request_method(req);
    if (!method || strcmp(method, "POST"))
        return respond_text(req, 405, "This endpoint requires a POST request.\n");
    int rc = bb_server_reload(s, err, sizeof err);
    if (rc < 0) {
        omx_log(OMX_LOG_ERROR, "Error reloading config", "err", err, NULL);
        snprintf(msg, sizeof msg, "failed to reload config: %s\n", err);
        return respond_text(req, 500, msg);
    }
    omx_log(OMX_LOG_INFO, "Reloaded config file", NULL);
    return omx_respond(req, 200, "text/plain; charset=utf-8", "", 0);
}

int bb_handle_healthy(omx_request *req, void *userdata) {
    (void)userdata;
    return omx_respond(req, 200, "text/plain; charset=utf-8", "Healthy", 7);
}
