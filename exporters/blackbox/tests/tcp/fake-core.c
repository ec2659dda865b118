/* The probe harness of fake-core.h, on the core's result.c and plog.c. */
#include "fake-core.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/writer.h"
#include "exporter/yamlconf.h"
#include "plog.h"
#include "result.h"

static pthread_mutex_t docs_lock = PTHREAD_MUTEX_INITIALIZER;
static omx_yaml *docs[512];
static size_t n_docs;

static void docs_free(void) {
    for (size_t i = 0; i < n_docs; i++)
        omx_yaml_free(docs[i]);
    n_docs = 0;
}

void fake_probe_init(bb_probe *p, const bb_module *m, const char *target, int timeout_ms) {
    memset(p, 0, sizeof *p);
    p->module = m;
    p->target = target;
    p->start_ns = bb_now_ns();
    p->deadline_ns = p->start_ns + (int64_t)timeout_ms * 1000000;
    p->res = bb_result_new();
    p->log = bb_plog_new(m ? m->name : "test", target, OMX_LOG_ERROR + 1);
    if (!p->res || !p->log)
        abort();
}

void fake_probe_done(bb_probe *p) {
    p->res = bb_result_free(p->res);
    p->log = bb_plog_free(p->log);
}

bool fake_value(const bb_probe *p, const char *name, const char *labels, double *ret) {
    char buf[1024];
    const char *values[16];
    size_t n = 0;
    if (labels) {
        snprintf(buf, sizeof buf, "%s", labels);
        for (char *save = NULL, *pair = strtok_r(buf, ",", &save); pair && n < 16;
             pair = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(pair, '=');
            values[n++] = eq ? eq + 1 : "";
        }
    }
    double v;
    if (bb_result_get(p->res, name, n, values, &v) < 0)
        return false;
    if (ret)
        *ret = v;
    return true;
}

bool fake_log_has(const bb_probe *p, const char *s) {
    const char *text = bb_plog_text(p->log, NULL);
    return text && strstr(text, s);
}

void fake_print(const bb_probe *p) {
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    bb_result_write_text(p->res, &b);
    fprintf(stderr, "%s%s", bb_plog_text(p->log, NULL), b.data ? b.data : "");
    omx_buf_free(&b);
}

int fake_parse(const bb_prober *pr, const char *text, void **ret, char *err, size_t errlen) {
    omx_yaml *y = NULL;
    err[0] = 0;
    int rc = omx_yaml_load_string("test.yml", text, strlen(text), &y, err, errlen);
    if (rc == 0)
        rc = pr->parse(y, omx_yaml_root(y), ret);
    pthread_mutex_lock(&docs_lock);
    if (n_docs == 0)
        atexit(docs_free);
    if (n_docs < sizeof docs / sizeof docs[0])
        docs[n_docs++] = y;
    else
        abort();
    pthread_mutex_unlock(&docs_lock);
    return rc;
}

char *fake_dump(const bb_prober *pr, const void *cfg) {
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    if (pr->dump(cfg, &b, 2) < 0 || omx_buf_append(&b, "", 0) < 0) {
        omx_buf_free(&b);
        return NULL;
    }
    return b.data;
}
