/* libexporter hot-path and writer benchmarks. Prints "<case> <ns/op> <allocs/op>"
 * per case; bench/libexporter.sh puts client_golang's figures beside them.
 * Allocations are counted by interposing malloc for the whole process. */
#define _GNU_SOURCE 1 /* pthread_setaffinity_np */
#include <exporter/exporter.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static atomic_long allocs;

/* Interposed allocators (exported so the shared libexporter uses them too). */
__attribute__((visibility("default"))) void *malloc(size_t n);
__attribute__((visibility("default"))) void *calloc(size_t n, size_t m);
__attribute__((visibility("default"))) void *realloc(void *p, size_t n);
void *malloc(size_t n) {
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __libc_realloc(p, n);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef void (*loop_fn)(long n);

/* Runs fn with growing n until one run takes >= min_s; returns ns/op. */
static double measure(loop_fn fn, double min_s, long *ret_allocs) {
    long n = 1000;
    for (;;) {
        long a0 = atomic_load(&allocs);
        double t0 = now();
        fn(n);
        double dt = now() - t0;
        long a = atomic_load(&allocs) - a0;
        if (dt >= min_s || n > (1L << 40)) {
            if (ret_allocs)
                *ret_allocs = a;
            return dt * 1e9 / (double)n;
        }
        n = dt > 0.01 ? (long)((double)n * min_s * 1.2 / dt) : n * 10;
    }
}

static omx_series *counter, *sharded, *hist, *hist_sharded;
static omx_family *vec;

static void loop_inc(long n) {
    for (long i = 0; i < n; i++)
        omx_counter_inc(counter);
}

static void loop_lookup(long n) {
    const char *v[] = {"GET", "200"};
    for (long i = 0; i < n; i++) {
        omx_series *s;
        omx_family_get(vec, v, &s);
        omx_counter_inc(s);
    }
}

static void loop_hist(long n) {
    for (long i = 0; i < n; i++)
        omx_histogram_observe(hist, (double)(i & 127) * 0.01);
}

/* Two threads, n ops in total, wall time (like Go's RunParallel). */
static omx_series *par_target;
static int par_kind;
static long par_n;
static pthread_barrier_t bar;

static void *par_worker(void *arg) {
    /* Pin worker i to CPU i so both really run in parallel (the scheduler
     * could otherwise stack them on one CPU of a 2-core machine). */
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((int)(long)arg, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
        fprintf(stderr, "bench: cannot pin a worker to CPU %ld\n", (long)arg);
    long n = par_n / 2;
    pthread_barrier_wait(&bar);
    if (par_kind == 0)
        for (long i = 0; i < n; i++)
            omx_counter_inc(par_target);
    else
        for (long i = 0; i < n; i++)
            omx_histogram_observe(par_target, (double)(i & 127) * 0.01);
    pthread_barrier_wait(&bar);
    return NULL;
}

static void loop_par(long n) {
    pthread_t t[2];
    par_n = n;
    pthread_barrier_init(&bar, NULL, 3);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, par_worker, (void *)(long)i);
    pthread_barrier_wait(&bar);
    pthread_barrier_wait(&bar);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&bar);
}

static omx_registry *big;
static omx_format big_fmt;
static size_t bytes;

static int null_sink(void *ctx, const char *d, size_t n) {
    (void)ctx;
    (void)d;
    bytes += n;
    return 0;
}

static void loop_write(long n) {
    omx_write_opts o = {.format = big_fmt};
    for (long i = 0; i < n; i++)
        if (omx_registry_write(big, &o, null_sink, NULL) != 0)
            abort();
}

static void report(const char *name, loop_fn fn, double min_s, const char *only) {
    if (only && strcmp(only, name) != 0)
        return;
    printf("%s %.2f -\n", name, measure(fn, min_s, NULL));
    fflush(stdout);
}

/* Resident set size in KiB (/proc/self/statm), 0 if unknown. */
static long rss_kib(void) {
    long pages = 0, rss = 0;
    FILE *fp = fopen("/proc/self/statm", "r");
    if (!fp)
        return 0;
    if (fscanf(fp, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    fclose(fp);
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* 10^6 insert+remove cycles of fresh label sets on a max_series = 10 family:
 * memory must follow the live series, not the series ever created. Prints
 * "churn_1m <ns/cycle> - <rss before KiB> <rss after KiB>". */
static void churn(void) {
    omx_registry *r = omx_registry_new();
    omx_family *f;
    const char *ln[] = {"id"};
    omx_family_new(r,
                   &(omx_family_opts){.type = OMX_COUNTER,
                                      .name = "churn",
                                      .label_names = ln,
                                      .n_labels = 1,
                                      .max_series = 10},
                   &f);
    char v[32];
    omx_series *s;
    for (int i = 0; i < 9; i++) { /* 9 steady series and the fresh one */
        snprintf(v, sizeof v, "steady-%d", i);
        omx_family_get(f, (const char *[]){v}, &s);
    }
    long before = rss_kib();
    double t0 = now();
    for (long i = 0; i < 1000000; i++) {
        snprintf(v, sizeof v, "fresh-%ld", i);
        const char *vals[] = {v};
        if (omx_family_get(f, vals, &s) != 0)
            abort();
        omx_counter_inc(s);
        if (omx_family_remove(f, vals) != 0)
            abort();
    }
    double dt = now() - t0;
    long after = rss_kib();
    printf("churn_1m %.2f - %ld %ld\n", dt * 1e9 / 1e6, before, after);
    fflush(stdout);
    omx_registry_free(r);
}

static long allocs_per_op(loop_fn fn, long n) {
    long a0 = atomic_load(&allocs);
    fn(n);
    return (atomic_load(&allocs) - a0) / n;
}

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : NULL;
    omx_registry *r = omx_registry_new();
    omx_family *f;
    omx_family_new(r, &(omx_family_opts){.type = OMX_COUNTER, .name = "c"}, &f);
    omx_family_get(f, NULL, &counter);
    omx_family_new(
        r, &(omx_family_opts){.type = OMX_COUNTER, .name = "cs", .flags = OMX_FAMILY_SHARDED}, &f);
    omx_family_get(f, NULL, &sharded);
    const char *ln[] = {"method", "code"};
    omx_family_new(
        r, &(omx_family_opts){.type = OMX_COUNTER, .name = "req", .label_names = ln, .n_labels = 2},
        &vec);
    omx_family_new(r, &(omx_family_opts){.type = OMX_HISTOGRAM, .name = "h"}, &f);
    omx_family_get(f, NULL, &hist);
    omx_family_new(
        r, &(omx_family_opts){.type = OMX_HISTOGRAM, .name = "hs", .flags = OMX_FAMILY_SHARDED},
        &f);
    omx_family_get(f, NULL, &hist_sharded);
    omx_series *s;
    omx_family_get(vec, (const char *[]){"GET", "200"}, &s);

    report("counter_inc", loop_inc, 0.3, only);
    par_target = sharded;
    par_kind = 0;
    report("counter_inc_2threads", loop_par, 0.3, only);
    if (!only || strcmp(only, "lookup_inc_2labels") == 0) {
        double ns = measure(loop_lookup, 0.3, NULL);
        printf("lookup_inc_2labels %.2f %ld\n", ns, allocs_per_op(loop_lookup, 1000000));
    }
    report("histogram_observe", loop_hist, 0.3, only);
    par_target = hist_sharded;
    par_kind = 1;
    report("histogram_observe_2threads", loop_par, 0.3, only);

    if (!only || strcmp(only, "churn_1m") == 0)
        churn();

    big = omx_registry_new();
    const char *bl[] = {"instance", "path"};
    for (int i = 0; i < 1000; i++) {
        char name[64], inst[32];
        snprintf(name, sizeof name, "bench_family_%d_total", i);
        omx_family_new(big,
                       &(omx_family_opts){.type = OMX_COUNTER,
                                          .name = name,
                                          .help = "A benchmark family.",
                                          .label_names = bl,
                                          .n_labels = 2},
                       &f);
        for (int j = 0; j < 100; j++) {
            snprintf(inst, sizeof inst, "host-%d", j);
            omx_family_get(f, (const char *[]){inst, "/api/v1/items"}, &s);
            omx_counter_add(s, j * 7);
        }
    }
    big_fmt = OMX_FORMAT_PROMETHEUS;
    report("write_100k_prom", loop_write, 0.5, only);
    big_fmt = OMX_FORMAT_OPENMETRICS;
    report("write_100k_om", loop_write, 0.5, only);
    omx_registry_free(big);
    omx_registry_free(r);
    return 0;
}
