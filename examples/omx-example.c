/* omx-example: a small program embedding libexporter.
 *
 * It shows the whole surface an application needs: a labelled counter, a
 * gauge and a histogram updated from a worker thread, a collector that emits
 * values at scrape time, the standard process collector, an exporter-specific
 * flag and an extra HTTP handler, all served by omx_app (flags, /metrics with
 * content negotiation and gzip, TLS/basic auth, systemd integration).
 *
 *   omx-example --web.listen-address=127.0.0.1:9101
 *   curl -s localhost:9101/metrics
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <exporter/app.h>

typedef struct example {
    omx_family *requests; /* counter{method,code} */
    omx_series *queue;    /* gauge */
    omx_series *latency;  /* histogram */
    atomic_bool stop;
    double collect_delay; /* seconds a scrape waits in the collector (for tests) */
    struct timespec started;
} example;

/* Pretends to serve requests: what application code does on its hot path. */
static void *worker(void *arg) {
    example *ex = arg;
    static const char *const methods[] = {"GET", "POST"};
    static const char *const codes[] = {"200", "200", "200", "404", "500"};
    unsigned seed = 42;

    while (!atomic_load(&ex->stop)) {
        omx_series *s;
        const char *labels[2] = {methods[rand_r(&seed) % 2], codes[rand_r(&seed) % 5]};
        /* Resolve the label set (lock-free once it exists), then one atomic add. */
        if (omx_family_get(ex->requests, labels, &s) == 0)
            omx_counter_inc(s);
        omx_histogram_observe(ex->latency, (rand_r(&seed) % 1000) / 2000.0);
        omx_gauge_set(ex->queue, rand_r(&seed) % 16);
        nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
    }
    return NULL;
}

/* A collector: computes its values when Prometheus scrapes, nothing cached. */
static int collect(omx_emitter *e, void *userdata) {
    example *ex = userdata;
    struct timespec now;
    static const char *const state_labels[] = {"phase"};

    if (ex->collect_delay > 0) {
        double d = ex->collect_delay;
        nanosleep(&(struct timespec){.tv_sec = (time_t)d, .tv_nsec = (long)((d - floor(d)) * 1e9)},
                  NULL);
    }
    if (omx_emitter_expired(e))
        return OMX_ETIMEOUT;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double up = (double)(now.tv_sec - ex->started.tv_sec) +
                (double)(now.tv_nsec - ex->started.tv_nsec) / 1e9;
    omx_emit_family(e, &(omx_desc){.name = "example_uptime_seconds",
                                   .help = "Seconds since the example started.",
                                   .unit = "seconds",
                                   .type = OMX_GAUGE});
    omx_emit_sample(e, NULL, up);
    omx_emit_family(e, &(omx_desc){.name = "example_phase",
                                   .help = "Current phase.",
                                   .type = OMX_GAUGE,
                                   .label_names = state_labels,
                                   .n_labels = 1});
    omx_emit_sample(e, (const char *const[]){"warmup"}, up < 10 ? 1 : 0);
    omx_emit_sample(e, (const char *const[]){"steady"}, up < 10 ? 0 : 1);
    return 0;
}

/* An extra endpoint next to /metrics. */
static int hello(omx_request *req, void *userdata) {
    char body[256];
    const char *name = omx_request_query(req, "name");
    (void)userdata;
    int n = snprintf(body, sizeof body, "hello %.200s\n", name ? name : "world");
    return omx_respond(req, 200, "text/plain; charset=utf-8", body, (size_t)n);
}

/* /method takes every method (omx_app_handle_any_method) and names it. */
static int method(omx_request *req, void *userdata) {
    char body[64];
    (void)userdata;
    int n = snprintf(body, sizeof body, "%.40s\n", omx_request_method(req));
    return omx_respond(req, 200, "text/plain; charset=utf-8", body, (size_t)n);
}

static int setup_metrics(omx_registry *r, example *ex, long extra_series) {
    static const char *const req_labels[] = {"method", "code"};
    static const char *const id_label[] = {"id"};
    omx_family *f;
    int rc;

    rc = omx_family_new(r,
                        &(omx_family_opts){.type = OMX_COUNTER,
                                           .name = "example_requests_total",
                                           .help = "Requests handled by the example.",
                                           .label_names = req_labels,
                                           .n_labels = 2},
                        &ex->requests);
    if (rc == 0)
        rc = omx_family_new(r,
                            &(omx_family_opts){.type = OMX_GAUGE,
                                               .name = "example_queue_length",
                                               .help = "Items waiting in the queue."},
                            &f);
    if (rc == 0)
        rc = omx_family_get(f, NULL, &ex->queue);
    if (rc == 0)
        rc = omx_family_new(
            r,
            &(omx_family_opts){.type = OMX_HISTOGRAM,
                               .name = "example_request_duration_seconds",
                               .unit = "seconds",
                               .help = "Time to handle a request.",
                               .buckets = (const double[]){0.01, 0.05, 0.1, 0.25, 0.5},
                               .n_buckets = 5},
            &f);
    if (rc == 0)
        rc = omx_family_get(f, NULL, &ex->latency);
    if (rc == 0 && extra_series > 0) {
        rc = omx_family_new(r,
                            &(omx_family_opts){.type = OMX_GAUGE,
                                               .name = "example_synthetic",
                                               .help = "Synthetic series (--example.series).",
                                               .label_names = id_label,
                                               .n_labels = 1,
                                               .max_series = (size_t)extra_series},
                            &f);
        for (long i = 0; rc == 0 && i < extra_series; i++) {
            char id[32];
            omx_series *s;
            snprintf(id, sizeof id, "%ld", i);
            rc = omx_family_get(f, (const char *const[]){id}, &s);
            omx_gauge_set(s, (double)i * 1.5);
        }
    }
    if (rc == 0)
        rc = omx_registry_add_collector(r, "example", collect, ex, NULL);
    /* example_scrape_collector_success/_duration_seconds for every collector. */
    if (rc == 0)
        rc = omx_registry_set_collector_stats(r, "example");
    if (rc == 0)
        rc = omx_process_collector_register(r, NULL);
    if (rc == 0)
        rc = omx_build_info_register(r, "example_build_info", "Build information.",
                                     (const char *const[]){"version"},
                                     (const char *const[]){OMX_VERSION}, 1);
    return rc;
}

int main(int argc, char **argv) {
    example ex = {0};
    long extra_series = 0;
    pthread_t thread;
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &ex.started);
    omx_app *app = omx_app_new(
        &(omx_app_info){.name = "omx-example",
                        .version = OMX_VERSION,
                        .default_listen = ":9101",
                        .description = "Example program embedding the omx exporter library."});
    if (!app)
        return 1;
    omx_app_flag_int(app, "example.series", &extra_series,
                     "Number of synthetic series to export (for benchmarks).");
    omx_app_flag_double(app, "example.collect-delay", &ex.collect_delay,
                        "Seconds each scrape waits in the example collector (for tests).");
    rc = omx_app_parse(app, argc, argv);
    if (rc != 0) {
        omx_app_free(app);
        return rc < 0 ? 1 : 0;
    }
    if (extra_series < 0 || extra_series > 1000000 || ex.collect_delay < 0) {
        fprintf(stderr,
                "omx-example: error: --example.series or --example.collect-delay out of range\n");
        omx_app_free(app);
        return 1;
    }
    rc = setup_metrics(omx_app_registry(app), &ex, extra_series);
    if (rc == 0)
        rc = omx_app_handle(app, "/hello", hello, NULL);
    if (rc == 0)
        rc = omx_app_handle_any_method(app, "/method", method, NULL);
    if (rc != 0) {
        omx_log(OMX_LOG_ERROR, "cannot set up metrics", "err", omx_strerror(rc), NULL);
        omx_app_free(app);
        return 1;
    }
    atomic_init(&ex.stop, false);
    if (pthread_create(&thread, NULL, worker, &ex) != 0) {
        omx_app_free(app);
        return 1;
    }
    rc = omx_app_run(app);
    atomic_store(&ex.stop, true);
    pthread_join(thread, NULL);
    omx_app_free(app);
    return rc;
}
