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
    *ret_seconds = t;
    return 0;
}

static int respond_text(omx_request *req, int status, const char *text) {
    return omx_respond(req, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* The probe's metrics in the format Accept asks for. Written here rather than
 * by omx_respond_registry: its scrape deadline (the same header the probe's
 * timeout came from) has mostly passed by now, and a few KiB need neither the
 * collector thread nor gzip. */
static int respond_metrics(omx_request *req, bb_result *res) {
    omx_registry *reg;
    omx_format f = omx_format_from_accept(omx_request_header(req, "Accept"));
    omx_write_opts o = {.format = f};
    omx_buf b;
    int rc = bb_result_registry(res, &reg);
    if (rc < 0)
        return rc;
    omx_buf_init(&b, 16u << 20);
    rc = omx_registry_write(reg, &o, omx_buf_write_fn, &b);
    omx_registry_free(reg);
    if (rc == 0)
        rc = omx_respond(req, 200, omx_format_content_type(f), b.data ? b.data : "", b.len);
    omx_buf_free(&b);
    return rc;
}

static int build_debug(bb_probe *p, omx_buf *out) {
    size_t len;
    const char *logs = bb_plog_text(p->log, &len);
    int rc = omx_buf_append(out, "Logs for the probe:\n", 20);
    if (!rc)
        rc = omx_buf_append(out, logs, len);
    if (!rc)
        rc = omx_buf_append(out, "\n\n\nMetrics that would have been returned:\n", 42);
    if (!rc)
        rc = bb_result_write_text(p->res, out);
    if (!rc)
        rc = omx_buf_append(out, "\n\n\nModule configuration:\n", 25);
    const char *yaml = bb_module_yaml(p->module, &len);
    if (!rc)
        rc = omx_buf_append(out, yaml, len);
    return rc;
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

    omx_buf dbg;
    omx_buf_init(&dbg, 4u << 20);
    rc = build_debug(&p, &dbg);
    if (rc == 0 && s->hist)
        bb_history_add(s->hist, module_name, target, dbg.data ? dbg.data : "", dbg.len, ok);
    const char *debug = omx_request_query(req, "debug");
    if (rc == 0 && debug && !strcmp(debug, "true")) {
        rc = omx_respond(req, 200, "text/plain; charset=utf-8", dbg.data ? dbg.data : "", dbg.len);
    } else if (rc == 0) {
        rc = respond_metrics(req, p.res);
    }
    omx_buf_free(&dbg);
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
