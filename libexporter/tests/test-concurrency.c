/* Updates from several threads while another thread scrapes in a loop, every
 * updater also looks up, updates and removes series of a shared family, a
 * churner creates, removes and clears series and a looker probes the churned
 * table: every scrape must be consistent (histogram _count == +Inf bucket,
 * buckets non-decreasing, counters never go down) and the final totals exact.
 * Removed series are freed while all this runs (ASan/TSan builds check it).
 * Bounded in time (OMX_CONC_SECONDS, default 1.5 s) and iterations. */
#include <pthread.h>
#include <time.h>

#include "internal.h"
#include "omx-test.h"

#define THREADS 4
#define SHARED 8 /* never-removed series of `mixed`, looked up by every updater */
static int iters = 200000;
static double seconds = 1.5;

static omx_series *c_plain, *c_sharded, *h_plain, *h_sharded, *s_sum;
static omx_family *churn, *mixed;
static atomic_bool stop;
static atomic_int scrapes;
static long done[THREADS]; /* iterations each updater ran */
static long shared_incs[THREADS];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Series of `mixed`: each updater gets, updates and removes its own label sets
 * (a handle dies with its series, so only its user removes it) and updates
 * the shared ones through lookups racing with the others' removes. */
static void mixed_step(long id, int i) {
    char v[32];
    omx_series *s;
    snprintf(v, sizeof v, "u%ld-%d", id, i % 8);
    ASSERT_OK(omx_family_get(mixed, (const char *[]){v}, &s));
    omx_counter_inc(s);
    ASSERT_STR_EQ((const char *)(omx__series_vlen(s) + 1), v);
    if (i % 3 == 0)
        ASSERT_OK(omx_family_remove(mixed, (const char *[]){v}));
    snprintf(v, sizeof v, "shared-%d", (int)((i / 16 + id) % SHARED));
    ASSERT_OK(omx_family_get(mixed, (const char *[]){v}, &s));
    omx_counter_inc(s);
    shared_incs[id]++;
}

static void *updater(void *arg) {
    long id = (long)arg;
    const char *en[] = {"trace_id"}, *ev[] = {"t"};
    double deadline = now() + seconds;
    int i = 0;
    for (; i < iters; i++) {
        if (i % 256 == 0 && now() > deadline)
            break;
        if (i % 256 == 0) { /* exemplar updates race with OpenMetrics scrapes */
            ASSERT_OK(omx_counter_add_exemplar(c_plain, 1, en, ev, 1, NAN));
            ASSERT_OK(omx_histogram_observe_exemplar(h_plain, (double)(i % 7), en, ev, 1, 1.5));
        } else {
            omx_counter_inc(c_plain);
            omx_histogram_observe(h_plain, (double)(i % 7));
        }
        omx_counter_inc(c_sharded);
        omx_histogram_observe(h_sharded, (double)(i % 7));
        omx_summary_observe(s_sum, 1);
        if (i % 16 == 0)
            mixed_step(id, i);
    }
    done[id] = i;
    return NULL;
}

static void *churner(void *arg) {
    (void)arg;
    unsigned n = 0;
    while (!atomic_load(&stop)) {
        char v[16];
        snprintf(v, sizeof v, "k%u", n % 200);
        omx_series *s;
        if (n % 3 == 2) {
            omx_family_remove(churn, (const char *[]){v});
        } else {
            ASSERT(omx_family_get(churn, (const char *[]){v}, &s) == 0);
            omx_gauge_inc(s); /* this thread is the only one that removes */
        }
        if (n % 1000 == 999)
            omx_family_clear(churn);
        n++;
    }
    return NULL;
}

/* Lock-free lookups racing with the churner's removes, clears and in-place
 * table rebuilds: every handle returned is the series of the values asked.
 * The handle is used inside a read section (an internal guarantee, not the
 * public contract), which keeps a series removed meanwhile allocated. */
static void *looker(void *arg) {
    (void)arg;
    unsigned n = 0;
    while (!atomic_load(&stop)) {
        char v[16];
        snprintf(v, sizeof v, "k%u", (n * 7) % 200);
        omx_series *s;
        bool outer = omx__read_lock();
        int rc = omx_family_get(churn, (const char *[]){v}, &s);
        ASSERT(rc == 0 || rc == OMX_ELIMIT);
        if (rc == 0) {
            ASSERT_STR_EQ((const char *)(omx__series_vlen(s) + 1), v);
            omx_gauge_set(s, n);
        }
        omx__read_unlock(outer);
        n++;
    }
    return NULL;
}

typedef struct hist_state {
    char name[64];
    unsigned long long last_bucket, inf;
    bool in;
} hist_state;

static bool has(const char *line, const char *nl, const char *needle) {
    return memmem(line, (size_t)(nl - line), needle, strlen(needle)) != NULL;
}

/* Checks one 0.0.4 exposition; prev_counters carries the counters across scrapes. */
static void check_scrape(const char *text, unsigned long long prev[2]) {
    hist_state h = {0};
    const char *line = text;
    int counters_seen = 0, hists_seen = 0;
    while (*line) {
        const char *nl = strchr(line, '\n');
        ASSERT(nl);
        if (line[0] != '#') {
            const char *sp = nl;
            while (sp > line && sp[-1] != ' ')
                sp--;
            unsigned long long v = strtoull(sp, NULL, 10);
            if (strncmp(line, "conc_counter_total ", 19) == 0) {
                ASSERT(v >= prev[0]);
                prev[0] = v;
                counters_seen++;
            } else if (strncmp(line, "conc_sharded_total ", 19) == 0) {
                ASSERT(v >= prev[1]);
                prev[1] = v;
                counters_seen++;
            } else if (has(line, nl, "_bucket{") && strncmp(line, "conc_h", 6) == 0) {
                if (!h.in) {
                    h.in = true;
                    h.last_bucket = 0;
                }
                ASSERT(v >= h.last_bucket);
                h.last_bucket = v;
                if (has(line, nl, "le=\"+Inf\""))
                    h.inf = v;
            } else if (strncmp(line, "conc_h", 6) == 0 && has(line, nl, "_count ")) {
                ASSERT(h.in);
                ASSERT_EQ(v, h.inf);
                h.in = false;
                hists_seen++;
            }
        }
        line = nl + 1;
    }
    ASSERT_EQ(counters_seen, 2);
    ASSERT_EQ(hists_seen, 2);
}

static void *scraper(void *arg) {
    (void)arg;
    omx_registry *r = arg;
    unsigned long long prev[2] = {0, 0};
    omx_buf b;
    omx_buf_init(&b, 1 << 24);
    while (!atomic_load(&stop)) {
        omx_buf_reset(&b);
        ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &b));
        check_scrape(b.data, prev);
        omx_buf_reset(&b);
        omx_write_opts o = {.format = OMX_FORMAT_OPENMETRICS};
        ASSERT_OK(omx_registry_write(r, &o, omx_buf_write_fn, &b));
        ASSERT(strstr(b.data, "# EOF\n"));
        ASSERT(b.len >= 6 && strcmp(b.data + b.len - 6, "# EOF\n") == 0);
        atomic_fetch_add(&scrapes, 1);
    }
    omx_buf_free(&b);
    return NULL;
}

static omx_series *one(omx_registry *r, omx_type t, const char *name, unsigned flags) {
    omx_family *f;
    double b[] = {1, 2, 3, 4, 5};
    omx_family_opts o = {.type = t, .name = name, .flags = flags};
    if (t == OMX_HISTOGRAM) {
        o.buckets = b;
        o.n_buckets = 5;
    }
    ASSERT_OK(omx_family_new(r, &o, &f));
    omx_series *s;
    ASSERT_OK(omx_family_get(f, NULL, &s));
    return s;
}

int main(void) {
#ifdef RECLAIM_FENCES
    omx__reclaim_use_fences(); /* the path taken without membarrier(2) */
#endif
    if (getenv("OMX_CONC_ITERS"))
        iters = atoi(getenv("OMX_CONC_ITERS"));
    if (getenv("OMX_CONC_SECONDS"))
        seconds = atof(getenv("OMX_CONC_SECONDS"));
    omx_registry *r = omx_registry_new();
    c_plain = one(r, OMX_COUNTER, "conc_counter", 0);
    c_sharded = one(r, OMX_COUNTER, "conc_sharded", OMX_FAMILY_SHARDED);
    h_plain = one(r, OMX_HISTOGRAM, "conc_hist", 0);
    h_sharded = one(r, OMX_HISTOGRAM, "conc_hsharded", OMX_FAMILY_SHARDED);
    s_sum = one(r, OMX_SUMMARY, "conc_summary", OMX_FAMILY_SHARDED);
    const char *ln[] = {"k"};
    ASSERT_OK(omx_family_new(
        r,
        &(omx_family_opts){
            .type = OMX_GAUGE, .name = "conc_churn", .label_names = ln, .n_labels = 1},
        &churn));
    ASSERT_OK(omx_family_new(
        r,
        &(omx_family_opts){
            .type = OMX_COUNTER, .name = "conc_mixed", .label_names = ln, .n_labels = 1},
        &mixed));

    pthread_t up[THREADS], sc, ch, lk;
    ASSERT_OK(pthread_create(&sc, NULL, scraper, r));
    ASSERT_OK(pthread_create(&ch, NULL, churner, NULL));
    ASSERT_OK(pthread_create(&lk, NULL, looker, NULL));
    for (long i = 0; i < THREADS; i++)
        ASSERT_OK(pthread_create(&up[i], NULL, updater, (void *)i));
    for (int i = 0; i < THREADS; i++)
        pthread_join(up[i], NULL);
    while (atomic_load(&scrapes) < 3)
        ;
    atomic_store(&stop, true);
    pthread_join(sc, NULL);
    pthread_join(ch, NULL);
    pthread_join(lk, NULL);
    /* clears and churn at a bounded size replace only the growth tables */
    ASSERT(churn->grown <= 6);
    /* Readers preempted inside a section hold freeing back meanwhile; once
     * they are quiet, a few removals free what piled up. */
    for (int i = 0; i < 200; i++) {
        char v[32];
        omx_series *s;
        snprintf(v, sizeof v, "late-%d", i);
        ASSERT_OK(omx_family_get(churn, (const char *[]){v}, &s));
        ASSERT_OK(omx_family_remove(churn, (const char *[]){v}));
        ASSERT_OK(omx_family_get(mixed, (const char *[]){v}, &s));
        ASSERT_OK(omx_family_remove(mixed, (const char *[]){v}));
    }
    ASSERT(churn->limbo_n <= 128);
    ASSERT(mixed->limbo_n <= 128);

    double total = 0, sum = 0;
    long shared = 0;
    for (int t = 0; t < THREADS; t++) {
        total += (double)done[t];
        for (long i = 0; i < done[t]; i++)
            sum += (double)(i % 7);
        shared += shared_incs[t];
    }
    ASSERT(total > 0);
    ASSERT(omx_series_value(c_plain) == total);
    ASSERT(omx_series_value(c_sharded) == total);
    ASSERT(omx_series_value(h_plain) == total);
    ASSERT(omx_series_value(h_sharded) == total);
    ASSERT(omx_series_value(s_sum) == total);
    double shared_sum = 0;
    for (int k = 0; k < SHARED; k++) {
        char v[32];
        snprintf(v, sizeof v, "shared-%d", k);
        omx_series *s;
        ASSERT_OK(omx_family_get(mixed, (const char *[]){v}, &s));
        shared_sum += omx_series_value(s);
    }
    ASSERT(shared_sum == (double)shared);
    /* the final scrape shows the exact totals */
    omx_buf b;
    omx_buf_init(&b, 1 << 24);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &b));
    char want[128];
    snprintf(want, sizeof want, "conc_counter_total %.0f\n", total);
    ASSERT(strstr(b.data, want));
    snprintf(want, sizeof want, "conc_sharded_total %.0f\n", total);
    ASSERT(strstr(b.data, want));
    snprintf(want, sizeof want, "conc_hsharded_count %.0f\nconc_hsharded_sum %.0f\n", total, sum);
    ASSERT(strstr(b.data, want));
    snprintf(want, sizeof want, "conc_hist_count %.0f\nconc_hist_sum %.0f\n", total, sum);
    ASSERT(strstr(b.data, want));
    omx_buf_free(&b);
    printf("ok: %.0f updates per series, %d scrapes during them\n", total, atomic_load(&scrapes));
    omx_registry_free(r);
    return 0;
}
