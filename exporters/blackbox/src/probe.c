/* GET /probe?target=&module=[&hostname=][&debug=true]: runs one probe with
 * the module's prober under its timeout and answers with that probe's
 * metrics (or the debug output), as upstream's prober.Handler. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plog.h"
#include "result.h"
#include "server.h"

int bb_probe_timeout(const char *header, int64_t module_timeout_ns, double offset,
                     double *ret_seconds) {
    double t = 0;
    if (header && *header) {
        if (omx_parse_double(header, &t) < 0 || isnan(t))
            return -EINVAL;
    }
    if (t == 0)
        t = 120; /* upstream's default without a header */
    double max = t - offset, mod = (double)module_timeout_ns / 1e9;
    if ((mod > 0 && mod < max) || max < 0)
        t = mod;
    else
        t = max;
    if (t > 1e7) /* "1e300" or "+Inf": far enough, and the deadline stays an int64 */
        t = 1e7;
    *ret_seconds = t;
    return 0;
}

static int respond_text(omx_request *req, int status, const char *text) {
    return omx_respond(req, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* What the debug output is made of: the probe's log and metrics and the
 * module's config (a copy: a reload may free the module). Kept by the history
 * and rendered only when its page is opened. */
typedef struct debug_parts {
    bb_plog *log;
    bb_result *res;
    size_t yaml_len;
    char yaml[]; /* NUL-terminated */
} debug_parts;

static int render_debug(bb_plog *log, bb_result *res, const char *yaml, size_t yaml_len,
                        omx_buf *out) {
    size_t len;
    const char *logs = bb_plog_text(log, &len);
    int rc = omx_buf_append(out, "Logs for the probe:\n", 20);
    if (!rc)
        rc = omx_buf_append(out, logs, len);
    if (!rc)
        rc = omx_buf_append(out, "\n\n\nMetrics that would have been returned:\n", 42);
    if (!rc)
        rc = bb_result_write_text(res, out);
    if (!rc)
        rc = omx_buf_append(out, "\n\n\nModule configuration:\n", 25);
    if (!rc)
        rc = omx_buf_append(out, yaml, yaml_len);
    return rc;
}

static int render_parts(void *parts, omx_buf *out) {
    debug_parts *d = parts;
    int rc = render_debug(d->log, d->res, d->yaml, d->yaml_len, out);
    bb_plog_drop_text(d->log); /* the history keeps raw lines only */
    return rc;
}

static void free_parts(void *parts) {
    debug_parts *d = parts;
    bb_plog_free(d->log);
    bb_result_free(d->res);
    free(d);
}

/* Keeps the probe in the history, taking p's log and result when they are
 * small (as a probe's are) or its rendered debug output otherwise. */
static void keep(bb_server *s, bb_probe *p, const char *module_name, bool ok) {
    size_t yaml_len;
    const char *yaml = bb_module_yaml(p->module, &yaml_len);
    if (bb_result_bytes(p->res) + yaml_len <= BB_HISTORY_MAX_OUTPUT) {
        debug_parts *d = malloc(sizeof *d + yaml_len + 1);
        if (!d)
            return;
        memcpy(d->yaml, yaml, yaml_len);
        d->yaml[yaml_len] = 0;
        d->yaml_len = yaml_len;
        d->log = p->log;
        d->res = p->res;
        p->log = NULL;
        p->res = NULL;
        bb_history_add_lazy(s->hist, module_name, p->target, d, render_parts, free_parts, ok);
        return;
    }
    omx_buf dbg;
    omx_buf_init(&dbg, 4u << 20);
    int rc = render_debug(p->log, p->res, yaml, yaml_len, &dbg);
    if (rc == 0 || rc == OMX_ELIMIT) /* a huge result: the debug output keeps what fit */
        bb_history_add(s->hist, module_name, p->target, dbg.data ? dbg.data : "", dbg.len, ok);
    omx_buf_free(&dbg);
}

static int run(bb_server *s, omx_request *req, const bb_module *m, const char *module_name,
               const char *target, double timeout_s) {
    bb_probe p = {.module = m,
                  .target = target,
                  .hostname = omx_request_query(req, "hostname"),
                  .rt = &s->rt};
    int rc = 0;
    p.start_ns = bb_now_ns();
    p.deadline_ns = p.start_ns + (timeout_s > 0 ? (int64_t)(timeout_s * 1e9) : 0);
    if (p.hostname && !*p.hostname)
        p.hostname = NULL;
    p.res = bb_result_new();
    p.log = bb_plog_new(module_name, target, s->rt.log_prober);
    if (!p.res || !p.log) {
        rc = OMX_ENOMEM;
        goto out;
    }
    bb_logf(&p, OMX_LOG_DEBUG, "Beginning probe probe=%s timeout_seconds=%g", m->prober->name,
            timeout_s);
    bool ok = m->prober->run(&p, m->cfg);
    int64_t end = bb_now_ns();
    double took = (double)(end - p.start_ns) / 1e9;
    if (end > p.deadline_ns + 100000000) /* a prober bug: say so, the answer still goes out */
        omx_log(OMX_LOG_WARN, "probe outlived its deadline", "module", module_name, "prober",
                m->prober->name, NULL);
    rc = bb_result_gauge(&p, "probe_success", "Displays whether or not the probe was a success",
                         ok ? 1 : 0);
    if (!rc)
        rc = bb_result_gauge(&p, "probe_duration_seconds",
                             "Returns how long the probe took to complete in seconds", took);
    if (rc < 0) {
        ok = false;
        bb_logf(&p, OMX_LOG_ERROR, "cannot record the probe's metrics: %s", omx_strerror(rc));
        bb_result_gauge(&p, "probe_success", "Displays whether or not the probe was a success", 0);
        rc = 0;
    }
    if (ok)
        bb_logf(&p, OMX_LOG_DEBUG, "Probe succeeded duration_seconds=%g", took);
    else
        bb_logf(&p, OMX_LOG_ERROR, "Probe failed duration_seconds=%g", took);

    const char *debug = omx_request_query(req, "debug");
    if (debug && !strcmp(debug, "true")) {
        size_t yaml_len;
        const char *yaml = bb_module_yaml(p.module, &yaml_len);
        omx_buf dbg;
        omx_buf_init(&dbg, 4u << 20);
        rc = render_debug(p.log, p.res, yaml, yaml_len, &dbg);
        if (rc == OMX_ELIMIT) /* a huge result: the debug output keeps what fit */
            rc = 0;
        if (rc == 0 && s->hist)
            bb_history_add(s->hist, module_name, target, dbg.data ? dbg.data : "", dbg.len, ok);
        if (rc == 0)
            rc = omx_respond(req, 200, "text/plain; charset=utf-8", dbg.data ? dbg.data : "",
                             dbg.len);
        omx_buf_free(&dbg);
        goto out;
    }
    /* The metrics in the format Accept asks for, written here rather than by
     * omx_respond_registry: its scrape deadline (the same header the probe's
     * timeout came from) has mostly passed by now, and a few KiB need neither
     * the collector thread nor gzip. */
    omx_format f = omx_format_from_accept(omx_request_header(req, "Accept"));
    omx_buf body;
    omx_buf_init(&body, 16u << 20);
    rc = bb_result_write(p.res, f, &body);
    if (s->hist) /* before the answer: a client that reads the landing page next sees it */
        keep(s, &p, module_name, ok);
    if (rc == 0)
        rc =
            omx_respond(req, 200, omx_format_content_type(f), body.data ? body.data : "", body.len);
    omx_buf_free(&body);
out:
    bb_result_free(p.res);
    bb_plog_free(p.log);
    return rc;
}

int bb_handle_probe(omx_request *req, void *userdata) {
    bb_server *s = userdata;
    char msg[512];
    const char *module_name = omx_request_query(req, "module");
    if (!module_name || !*module_name)
        module_name = "http_2xx";
    bb_config *cfg = bb_server_config(s);
    const bb_module *m = bb_config_module(cfg, module_name);
    int rc;
    if (!m) {
        snprintf(msg, sizeof msg, "Unknown module \"%.400s\"\n", module_name);
        omx_counter_inc(s->m_unknown);
        omx_log(OMX_LOG_DEBUG, "Unknown module", "module", module_name, NULL);
        rc = respond_text(req, 400, msg);
        goto out;
    }
    double timeout_s;
    const char *hdr = omx_request_header(req, "X-Prometheus-Scrape-Timeout-Seconds");
    if (bb_probe_timeout(hdr, m->timeout_ns, s->timeout_offset, &timeout_s) < 0) {
        snprintf(msg, sizeof msg,
                 "Failed to parse timeout from Prometheus header: strconv.ParseFloat: parsing "
                 "\"%.100s\": invalid syntax\n",
                 hdr);
        rc = respond_text(req, 500, msg);
        goto out;
    }
    const char *target = omx_request_query(req, "target");
    if (!target || !*target) {
        rc = respond_text(req, 400, "Target parameter is missing\n");
        goto out;
    }
    long n = atomic_fetch_add(&s->in_flight, 1) + 1;
    if (s->max_concurrent > 0 && n > s->max_concurrent) {
        atomic_fetch_sub(&s->in_flight, 1);
        omx_counter_inc(s->m_rejected);
        snprintf(msg, sizeof msg, "Limit of concurrent probes reached (%ld), try again later.\n",
                 s->max_concurrent);
        rc = respond_text(req, 503, msg);
        goto out;
    }
    omx_gauge_inc(s->m_in_flight);
    rc = run(s, req, m, module_name, target, timeout_s);
    omx_gauge_dec(s->m_in_flight);
    atomic_fetch_sub(&s->in_flight, 1);
out:
    bb_config_unref(cfg);
    return rc;
}
