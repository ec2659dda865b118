/* omx_pusher: one thread gathers the registry every interval into the queue
 * and sends the queue oldest first, one request per gather; failures are
 * retried with back-off (5xx, 429, no answer) or dropped (other statuses). */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exporter/error.h"
#include "exporter/log.h"
#include "push-internal.h"

enum { R_SENT, R_RETRIED, R_FAILED, R_DROPPED, N_RESULTS };
enum { D_QUEUE_FULL, D_TOO_OLD, D_SHUTDOWN, N_DROPS };
enum { C_2XX, C_4XX, C_429, C_5XX, C_ERROR, N_CODES };

struct omx_pusher {
    omx_registry *reg;
    omx_push_protocol proto;
    double interval, max_age, flush_timeout, bmin, bmax, meta_interval;
    char **ext_names, **ext_values; /* owned, sorted by name */
    size_t n_ext;
    omx__push_http *http;

    pthread_mutex_t lock;
    pthread_cond_t cond;
    omx__push_queue q; /* the thread's (or push_now's without it) */
    bool started, stopping, gather_now, stopped;
    pthread_t thread;
    int stop_rc;

    double last_meta;  /* monotonic seconds of the last request with metadata */
    unsigned attempts; /* of the queue's head */
    double retry_at;   /* monotonic seconds */
    double last_retry_log, last_fail_log;
    unsigned seed;
    size_t size_hint; /* compressed size of the last request */

    omx_series *m_result[N_RESULTS], *m_drop[N_DROPS], *m_code[N_CODES];
    omx_series *m_queue_samples, *m_queue_bytes, *m_last_success, *m_bytes, *m_gather;
};

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t real_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fam(omx_registry *r, omx_type t, const char *name, const char *help, const char *label,
               const char *const *values, size_t n, omx_series **out) {
    omx_family *f;
    int rc = omx_family_new(r,
                            &(omx_family_opts){.type = t,
                                               .name = name,
                                               .help = help,
                                               .label_names = label ? &label : NULL,
                                               .n_labels = label ? 1 : 0},
                            &f);
    for (size_t i = 0; !rc && i < n; i++)
        rc = omx_family_get(f, label ? &values[i] : NULL, &out[i]);
    return rc;
}

static int register_metrics(omx_pusher *p, omx_registry *r) {
    static const char *const results[] = {"sent", "retried", "failed", "dropped"};
    static const char *const drops[] = {"queue_full", "too_old", "shutdown"};
    static const char *const codes[] = {"2xx", "4xx", "429", "5xx", "error"};
    int rc = fam(r, OMX_COUNTER, "omx_push_samples_total",
                 "Samples by outcome: sent (accepted), retried (in a request that will be "
                 "retried), failed (refused by the receiver, dropped), dropped (never sent).",
                 "result", results, N_RESULTS, p->m_result);
    if (!rc)
        rc = fam(r, OMX_COUNTER, "omx_push_dropped_samples_total",
                 "Samples dropped unsent, by reason.", "reason", drops, N_DROPS, p->m_drop);
    if (!rc)
        rc = fam(r, OMX_COUNTER, "omx_push_requests_total",
                 "Remote-write requests by answer (error: no answer).", "code", codes, N_CODES,
                 p->m_code);
    if (!rc)
        rc = fam(r, OMX_GAUGE, "omx_push_queue_samples", "Samples waiting to be sent.", NULL, NULL,
                 1, &p->m_queue_samples);
    if (!rc)
        rc = fam(r, OMX_GAUGE, "omx_push_queue_bytes",
                 "Compressed bytes of the requests waiting to be sent.", NULL, NULL, 1,
                 &p->m_queue_bytes);
    if (!rc)
        rc = fam(r, OMX_GAUGE, "omx_push_last_success_timestamp_seconds",
                 "When a request was last accepted, seconds since the epoch (0: never).", NULL,
                 NULL, 1, &p->m_last_success);
    if (!rc)
        rc = fam(r, OMX_COUNTER, "omx_push_sent_bytes_total",
                 "Request body bytes put on the wire (compressed), retries included.", NULL, NULL,
                 1, &p->m_bytes);
    if (!rc)
        rc = fam(r, OMX_GAUGE, "omx_push_gather_duration_seconds",
                 "Time the last gather and encoding took.", NULL, NULL, 1, &p->m_gather);
    return rc;
}

static void count(omx_series *s, size_t n) {
    if (s && n)
        omx_counter_add(s, (double)n);
}

static void drop(omx_pusher *p, int reason, size_t n) {
    count(p->m_result[R_DROPPED], n);
    count(p->m_drop[reason], n);
}

static void queue_gauges(omx_pusher *p) {
    omx_gauge_set(p->m_queue_samples, (double)p->q.samples);
    omx_gauge_set(p->m_queue_bytes, (double)p->q.bytes);
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, const char *arg) {
    if (errlen)
        snprintf(err, errlen, fmt, arg);
    return rc;
}

/* Parses "name=value" external labels into sorted owned arrays. */
static int parse_ext(omx_pusher *p, const char *const *labels, char *err, size_t errlen) {
    size_t n = 0;
    while (labels && labels[n])
        n++;
    p->ext_names = calloc(n + 1, sizeof *p->ext_names);
    p->ext_values = calloc(n + 1, sizeof *p->ext_values);
    if (!p->ext_names || !p->ext_values)
        return OMX_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(labels[i], '=');
        if (!eq || eq == labels[i] || !eq[1])
            return fail(err, errlen, OMX_EINVAL, "external label %s: want name=value", labels[i]);
        char *name = strndup(labels[i], (size_t)(eq - labels[i]));
        char *value = strdup(eq + 1);
        p->ext_names[p->n_ext] = name;
        p->ext_values[p->n_ext++] = value;
        if (!name || !value)
            return OMX_ENOMEM;
        if (!omx_label_name_valid(name) || !strncmp(name, "__", 2))
            return fail(err, errlen, OMX_EINVAL, "external label %s: invalid label name",
                        labels[i]);
        for (size_t k = 0; k + 1 < p->n_ext; k++)
            if (!strcmp(p->ext_names[k], name))
                return fail(err, errlen, OMX_EINVAL, "external label %s: given twice", labels[i]);
    }
    for (size_t i = 1; i < p->n_ext; i++)
        for (size_t j = i; j > 0 && strcmp(p->ext_names[j - 1], p->ext_names[j]) > 0; j--) {
            char *t = p->ext_names[j];
            p->ext_names[j] = p->ext_names[j - 1];
            p->ext_names[j - 1] = t;
            t = p->ext_values[j];
            p->ext_values[j] = p->ext_values[j - 1];
            p->ext_values[j - 1] = t;
        }
    return 0;
}

int omx_pusher_new(omx_registry *r, const omx_push_opts *o, omx_pusher **ret, char *err,
                   size_t errlen) {
    if (errlen)
        err[0] = '\0';
    if (!r || !o || !ret)
        return OMX_EINVAL;
    if (o->protocol != OMX_PUSH_RW1 && o->protocol != OMX_PUSH_RW2)
        return fail(err, errlen, OMX_EINVAL, "%s", "unknown protocol");
    double durations[] = {o->interval_s,         o->timeout_s,     o->max_sample_age_s,
                          o->flush_timeout_s,    o->backoff_min_s, o->backoff_max_s,
                          o->metadata_interval_s};
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++)
        if (!(durations[i] >= 0) || isinf(durations[i]))
            return fail(err, errlen, OMX_EINVAL, "%s", "durations must be finite and >= 0");
    omx_pusher *p = calloc(1, sizeof *p);
    if (!p)
        return OMX_ENOMEM;
    p->reg = r;
    p->proto = o->protocol;
    p->interval = o->interval_s > 0 ? o->interval_s : 15;
    p->max_age = o->max_sample_age_s > 0 ? o->max_sample_age_s : 3600;
    p->flush_timeout = o->flush_timeout_s > 0 ? o->flush_timeout_s : 5;
    p->bmin = o->backoff_min_s > 0 ? o->backoff_min_s : 0.5;
    p->bmax = o->backoff_max_s > 0 ? o->backoff_max_s : 30;
    if (p->bmax < p->bmin)
        p->bmax = p->bmin;
    p->meta_interval = o->metadata_interval_s > 0 ? o->metadata_interval_s : 60;
    p->q.max_samples = o->queue_max_samples ? o->queue_max_samples : 500000;
    p->q.max_bytes = o->queue_max_bytes ? o->queue_max_bytes : 32u << 20;
    p->last_meta = -INFINITY;
    p->last_retry_log = p->last_fail_log = -INFINITY;
    p->seed = (unsigned)real_ms() ^ (unsigned)(uintptr_t)p;
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cond, &ca);
    pthread_condattr_destroy(&ca);
    int rc = parse_ext(p, o->external_labels, err, errlen);
    omx__push_http_opts ho = {
        .url = o->url,
        .timeout_s = o->timeout_s,
        .headers = o->headers,
        .basic_auth_username = o->basic_auth_username,
        .basic_auth_password_file = o->basic_auth_password_file,
        .bearer_token_file = o->bearer_token_file,
        .tls_ca_file = o->tls_ca_file,
        .tls_cert_file = o->tls_cert_file,
        .tls_key_file = o->tls_key_file,
        .tls_insecure_skip_verify = o->tls_insecure_skip_verify,
        .user_agent = o->user_agent,
        .content_type = o->protocol == OMX_PUSH_RW2
                            ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
                            : "application/x-protobuf",
        .rw_version = o->protocol == OMX_PUSH_RW2 ? "2.0.0" : "0.1.0"};
    if (!rc)
        rc = omx__push_http_new(&ho, &p->http, err, errlen);
    if (!rc && o->self_metrics) {
        rc = register_metrics(p, o->self_metrics);
        if (rc)
            fail(err, errlen, rc, "cannot register the omx_push_* metrics: %s", omx_strerror(rc));
    }
    if (rc) {
        if (errlen && !err[0])
            fail(err, errlen, rc, "%s", omx_strerror(rc));
        omx_pusher_free(p);
        return rc;
    }
    *ret = p;
    return 0;
}

/* Gathers into the queue. Called without the lock by the only thread using the queue. */
static int gather(omx_pusher *p) {
    double t0 = mono_s();
    bool meta = t0 - p->last_meta >= p->meta_interval;
    uint8_t *data;
    size_t len, samples, dropped = 0;
    int64_t now = real_ms();
    int rc = omx__push_encode(p->reg, p->proto, now, (const char *const *)p->ext_names,
                              (const char *const *)p->ext_values, p->n_ext, meta, &p->size_hint,
                              &data, &len, &samples);
    if (rc < 0) {
        omx_log(OMX_LOG_ERROR, "push: cannot gather the metrics", "err", omx_strerror(rc), NULL);
        return rc;
    }
    if (meta)
        p->last_meta = t0;
    pthread_mutex_lock(&p->lock);
    bool was_empty = !p->q.head;
    rc = omx__push_queue_add(&p->q, data, len, samples, now, &dropped);
    if (was_empty || dropped)
        p->attempts = 0, p->retry_at = 0; /* a new head */
    queue_gauges(p);
    pthread_mutex_unlock(&p->lock);
    drop(p, D_QUEUE_FULL, dropped);
#ifdef __GLIBC__
    /* the request's buffers were freed on this thread's malloc arena, which
     * glibc keeps otherwise: give them back between pushes */
    malloc_trim(0);
#endif
    omx_gauge_set(p->m_gather, mono_s() - t0);
    return rc;
}

static int code_class(const omx__push_result *res) {
    if (!res->status)
        return C_ERROR;
    if (res->status == 429)
        return C_429;
    return res->status < 300 ? C_2XX : res->status < 500 ? C_4XX : C_5XX;
}

/* Sends the queue's head once. Returns 0 (sent, or refused and dropped),
 * 1 (to retry; p->retry_at set) or -ENOENT when the queue is empty. */
static int send_head(omx_pusher *p, double timeout_s, int *ret_err) {
    pthread_mutex_lock(&p->lock);
    size_t old = omx__push_queue_expire(&p->q, real_ms() - (int64_t)(p->max_age * 1000));
    if (old)
        p->attempts = 0;
    omx__push_entry *e = p->q.head;
    queue_gauges(p);
    pthread_mutex_unlock(&p->lock);
    drop(p, D_TOO_OLD, old);
    if (!e)
        return -ENOENT;
    omx__push_result res;
    omx__push_http_send(p->http, "POST", NULL, e->data, e->len, timeout_s, &res);
    count(p->m_bytes, e->len);
    count(p->m_code[code_class(&res)], 1);
    double now = mono_s();
    if (res.status >= 200 && res.status < 300) {
        count(p->m_result[R_SENT], e->samples);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        omx_gauge_set(p->m_last_success, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
        pthread_mutex_lock(&p->lock);
        omx__push_queue_pop(&p->q);
        p->attempts = 0;
        p->retry_at = 0;
        queue_gauges(p);
        pthread_mutex_unlock(&p->lock);
        *ret_err = 0;
        return 0;
    }
    char code[16];
    snprintf(code, sizeof code, "%ld", res.status);
    if (omx__push_retryable(&res)) {
        count(p->m_result[R_RETRIED], e->samples);
        p->attempts++;
        double j = (double)rand_r(&p->seed) / ((double)RAND_MAX + 1);
        p->retry_at = now + omx__push_backoff(p->attempts, p->bmin, p->bmax, j, res.retry_after);
        *ret_err = res.status ? OMX_EIO : res.err;
        if (now - p->last_retry_log >= p->interval) {
            p->last_retry_log = now;
            omx_log(OMX_LOG_WARN, "push: request failed, will retry", "status",
                    res.status ? code : "none", "err", res.status ? res.body : res.errtext, NULL);
        }
        return 1;
    }
    count(p->m_result[R_FAILED], e->samples);
    if (now - p->last_fail_log >= p->interval) {
        p->last_fail_log = now;
        omx_log(OMX_LOG_ERROR, "push: receiver refused the samples, dropped", "status", code, "err",
                res.body, NULL);
    }
    pthread_mutex_lock(&p->lock);
    omx__push_queue_pop(&p->q);
    p->attempts = 0;
    p->retry_at = 0;
    queue_gauges(p);
    pthread_mutex_unlock(&p->lock);
    *ret_err = OMX_EIO;
    return 0;
}

static void wait_until(omx_pusher *p, double t) {
    double now = mono_s();
    if (t <= now)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double d = t - now;
    ts.tv_sec += (time_t)d;
    ts.tv_nsec += (long)((d - floor(d)) * 1e9);
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&p->cond, &p->lock, &ts);
}

/* After the stop request: a last gather, then the queue for flush_timeout. */
static int flush(omx_pusher *p) {
    gather(p);
    double deadline = mono_s() + p->flush_timeout;
    int err = 0;
    for (;;) {
        double now = mono_s();
        if (now >= deadline)
            break;
        if (p->retry_at > now) {
            pthread_mutex_lock(&p->lock);
            wait_until(p, p->retry_at < deadline ? p->retry_at : deadline);
            pthread_mutex_unlock(&p->lock);
            continue;
        }
        if (send_head(p, deadline - now, &err) == -ENOENT)
            break;
    }
    pthread_mutex_lock(&p->lock);
    size_t left = omx__push_queue_clear(&p->q);
    queue_gauges(p);
    pthread_mutex_unlock(&p->lock);
    drop(p, D_SHUTDOWN, left);
    if (left)
        omx_log(OMX_LOG_WARN, "push: samples left unsent at shutdown", NULL);
    return left ? OMX_ETIMEOUT : 0;
}

static void *run(void *arg) {
    omx_pusher *p = arg;
    double next = mono_s();
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        double now = mono_s();
        if (now >= next || p->gather_now) {
            p->gather_now = false;
            pthread_mutex_unlock(&p->lock);
            gather(p);
            pthread_mutex_lock(&p->lock);
            if (now >= next) {
                next += p->interval;
                if (next <= now)
                    next = now + p->interval; /* missed ticks are not made up */
            }
            continue;
        }
        if (p->q.head && now >= p->retry_at) {
            pthread_mutex_unlock(&p->lock);
            int err;
            send_head(p, 0, &err);
            pthread_mutex_lock(&p->lock);
            continue;
        }
        wait_until(p, p->q.head && p->retry_at < next ? p->retry_at : next);
    }
    pthread_mutex_unlock(&p->lock);
    p->stop_rc = flush(p);
    return NULL;
}

int omx_pusher_start(omx_pusher *p) {
    if (!p)
        return OMX_EINVAL;
    pthread_mutex_lock(&p->lock);
    if (p->started) {
        pthread_mutex_unlock(&p->lock);
        return OMX_ESTATE;
    }
    /* the thread takes no signal meant for the program */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&p->thread, NULL, run, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!rc)
        p->started = true;
    pthread_mutex_unlock(&p->lock);
    return -rc;
}

int omx_pusher_push_now(omx_pusher *p) {
    if (!p)
        return OMX_EINVAL;
    pthread_mutex_lock(&p->lock);
    bool threaded = p->started;
    if (threaded) {
        p->gather_now = true;
        pthread_cond_signal(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    if (threaded)
        return 0;
    int rc = gather(p);
    if (rc < 0)
        return rc;
    int err = 0;
    /* one attempt per request; retryable ones stay queued */
    for (;;) {
        int r = send_head(p, 0, &err);
        if (r == -ENOENT)
            return err;
        if (r == 1) {
            p->retry_at = 0;
            return err;
        }
    }
}

int omx_pusher_stop(omx_pusher *p) {
    if (!p)
        return OMX_EINVAL;
    pthread_mutex_lock(&p->lock);
    bool join = p->started && !p->stopped;
    p->stopping = true;
    p->stopped = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (join)
        pthread_join(p->thread, NULL);
    return p->stop_rc;
}

omx_pusher *omx_pusher_free(omx_pusher *p) {
    if (!p)
        return NULL;
    omx_pusher_stop(p);
    omx__push_queue_clear(&p->q);
    omx__push_http_free(p->http);
    for (size_t i = 0; i < p->n_ext; i++) {
        free(p->ext_names[i]);
        free(p->ext_values[i]);
    }
    free(p->ext_names);
    free(p->ext_values);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return NULL;
}
