/* omx-node: ?collect[]=NAME / ?exclude[]=NAME, as node_exporter's handler. */
#include "scrape_filter.h"

#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* More names than collectors can only repeat some: the rest is not looked at. */
#define MAX_NAMES 256

static const char COLLECT[] = "collect[]";
static const char EXCLUDE[] = "exclude[]";

static bool listed(const char *const *names, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

/* ctx is the request: the query is read again for each collector (a few
 * dozen string compares), which keeps no per-request state. */
static bool pick_collector(const char *collector, void *ctx) {
    const omx_request *req = ctx;
    if (node_collector_state(collector) < 0)
        return true; /* not a node collector: process_* and the like stay */
    const char *names[MAX_NAMES];
    size_t n = omx_request_query_values(req, COLLECT, names, MAX_NAMES);
    if (n)
        return listed(names, n < MAX_NAMES ? n : MAX_NAMES, collector);
    n = omx_request_query_values(req, EXCLUDE, names, MAX_NAMES);
    return !listed(names, n < MAX_NAMES ? n : MAX_NAMES, collector);
}

static int bad_request(omx_request *req, const char *text) {
    omx_log(OMX_LOG_WARN, "Couldn't create filtered metrics handler:", "err", text, NULL);
    char body[512];
    int len = snprintf(body, sizeof body, "Couldn't create filtered metrics handler: %s", text);
    if (len < 0)
        len = 0;
    if ((size_t)len >= sizeof body)
        len = sizeof body - 1;
    return omx_respond(req, 400, "text/plain; charset=utf-8", body, (size_t)len);
}

int node_scrape_filter(omx_request *req, omx_collector_pick_fn *pick, void **pick_ctx,
                       void *userdata) {
    (void)userdata;
    const char *names[MAX_NAMES];
    size_t n_collect = omx_request_query_values(req, COLLECT, names, MAX_NAMES);
    size_t n_exclude = omx_request_query_values(req, EXCLUDE, NULL, 0);
    if (!n_collect && !n_exclude)
        return 0; /* the normal scrape: no filter at all */
    if (n_collect && n_exclude) {
        const char text[] = "Combined collect and exclude queries are not allowed.\n";
        return omx_respond(req, 400, "text/plain; charset=utf-8", text, sizeof text - 1);
    }
    for (size_t i = 0; i < n_collect && i < MAX_NAMES; i++) {
        int state = node_collector_state(names[i]);
        if (state != 1) {
            char text[320];
            snprintf(text, sizeof text, "couldn't create collector: %s collector: %.256s",
                     state == 0 ? "disabled" : "missing", names[i]);
            return bad_request(req, text);
        }
    }
    *pick = pick_collector;
    *pick_ctx = req;
    return 0;
}
