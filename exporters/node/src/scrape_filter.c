/* omx-node: ?collect[]=NAME / ?exclude[]=NAME, as node_exporter's handler. */
#include "scrape_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* Names read on the stack; a longer list (repeats, or a bad name late in it)
 * is read into a heap array, so every name is checked. */
#define MAX_NAMES 256

static const char COLLECT[] = "collect[]";
static const char EXCLUDE[] = "exclude[]";

static bool listed(const char *const *names, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

/* Every value of key, into stack (MAX_NAMES) or a heap array the caller
 * frees when it is not stack. *out is NULL when the heap array cannot be had. */
static size_t query_names(const omx_request *req, const char *key, const char **stack,
                          const char ***out) {
    size_t n = omx_request_query_values(req, key, stack, MAX_NAMES);
    *out = stack;
    if (n <= MAX_NAMES)
        return n;
    const char **all = malloc(n * sizeof *all);
    *out = all;
    return all ? omx_request_query_values(req, key, all, n) : 0;
}

/* ctx is the request: the query is read again for each collector (a few
 * dozen string compares), which keeps no per-request state. */
static bool pick_collector(const char *collector, void *ctx) {
    const omx_request *req = ctx;
    if (node_collector_state(collector) < 0)
        return true; /* not a node collector: process_* and the like stay */
    const char *stack[MAX_NAMES], **names;
    bool collect = omx_request_query_values(req, COLLECT, NULL, 0) > 0;
    size_t n = query_names(req, collect ? COLLECT : EXCLUDE, stack, &names);
    bool hit = names && listed(names, n, collector);
    if (names != stack)
        free(names);
    return collect ? hit : !hit;
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
    size_t n_collect = omx_request_query_values(req, COLLECT, NULL, 0);
    size_t n_exclude = omx_request_query_values(req, EXCLUDE, NULL, 0);
    if (!n_collect && !n_exclude)
        return 0; /* the normal scrape: no filter at all */
    if (n_collect && n_exclude) {
        const char text[] = "Combined collect and exclude queries are not allowed.\n";
        return omx_respond(req, 400, "text/plain; charset=utf-8", text, sizeof text - 1);
    }
    const char *stack[MAX_NAMES], **names;
    n_collect = query_names(req, COLLECT, stack, &names);
    if (!names)
        return omx_respond(req, 503, "text/plain; charset=utf-8", "out of memory\n", 14);
    for (size_t i = 0; i < n_collect; i++) {
        int state = node_collector_state(names[i]);
        if (state != 1) {
            char text[320];
            snprintf(text, sizeof text, "couldn't create collector: %s collector: %.256s",
                     state == 0 ? "disabled" : "missing", names[i]);
            if (names != stack)
                free(names);
            return bad_request(req, text);
        }
    }
    if (names != stack)
        free(names);
    *pick = pick_collector;
    *pick_ctx = req;
    return 0;
}
