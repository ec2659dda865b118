/* Collectors under a scrape deadline: one blocked in read(2) on a FIFO nobody
 * writes is abandoned at the deadline, the others still run, its late output
 * is dropped, and once unblocked it runs again. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "omx-test.h"

static int fifo = -1;
static atomic_bool block;
static atomic_int blocked_calls, clash_rc, warnings;

static int gauge(omx_emitter *e, const char *name) {
    int rc = omx_emit_family(e, &(omx_desc){.name = name, .type = OMX_GAUGE});
    return rc < 0 ? rc : omx_emit_sample(e, NULL, 1);
}

static int before(omx_emitter *e, void *ud) {
    (void)ud;
    return gauge(e, "before");
}

static int blocked(omx_emitter *e, void *ud) {
    atomic_fetch_add(&blocked_calls, 1);
    int rc = gauge(e, ud ? ud : "blocked_early"); /* ud: the family's name */
    if (atomic_load(&block)) {
        char c;
        if (read(fifo, &c, 1) != 1) /* nobody writes: blocks until the test does */
            return -errno;
    }
    return rc < 0 || ud ? rc : gauge(e, "blocked_late");
}

static int clash(omx_emitter *e, void *ud) {
    (void)ud;
    atomic_store(&clash_rc, gauge(e, "before")); /* written by "before" already */
    return gauge(e, "clash");
}

static int after(omx_emitter *e, void *ud) {
    (void)ud;
    return gauge(e, "after");
}

static atomic_bool last_inline;
static pthread_t scraper;

static int last(omx_emitter *e, void *ud) {
    (void)ud;
    atomic_store(&last_inline, pthread_equal(pthread_self(), scraper));
    return gauge(e, "last");
}

static void on_warn(const char *msg, const char *key, const char *val) {
    ASSERT(msg && *msg);
    if (key)
        ASSERT(!strcmp(key, "collector") && val && val[0] == 'b');
    atomic_fetch_add(&warnings, 1);
}

/* A scrape with a deadline ms from now; returns the seconds it took. */
static double scrape(omx_registry *r, omx_buf *b, int64_t ms) {
    omx_buf_reset(b);
    int64_t t0 = omx__now_mono_ns();
    omx_write_opts o = {.format = OMX_FORMAT_OPENMETRICS, .deadline_ns = t0 + ms * 1000000};
    ASSERT_OK(omx_registry_write(r, &o, omx_buf_write_fn, b));
    return (double)(omx__now_mono_ns() - t0) / 1e9;
}

static double duration(const omx_buf *b, const char *collector) {
    char key[128];
    snprintf(key, sizeof key, "t_scrape_collector_duration_seconds{collector=\"%s\"} ", collector);
    const char *p = strstr(b->data, key);
    ASSERT(p);
    return strtod(p + strlen(key), NULL);
}

int main(void) {
    char dir[] = "/tmp/omx-runner-XXXXXX", path[64];
    ASSERT(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/fifo", dir);
    ASSERT_OK(mkfifo(path, 0600));
    fifo = open(path, O_RDWR); /* a writer of its own: read(2) blocks, never EOF */
    ASSERT(fifo >= 0);
    omx_set_collector_warn(on_warn);

    omx_registry *r = omx_registry_new();
    ASSERT_OK(omx_registry_add_collector(r, "before", before, NULL, NULL));
    ASSERT_OK(omx_registry_add_collector(r, "blocked", blocked, NULL, NULL));
    ASSERT_OK(omx_registry_add_collector(r, "clash", clash, NULL, NULL));
    ASSERT_OK(omx_registry_add_collector(r, "after", after, NULL, NULL));
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));
    omx_buf b;
    omx_buf_init(&b, 1 << 20);

    /* nothing blocks: the same exposition as without a deadline, but timings */
    ASSERT_OK(omx_registry_set_collector_stats(r, NULL));
    omx_buf plain;
    omx_buf_init(&plain, 1 << 20);
    omx_write_opts none = {.format = OMX_FORMAT_OPENMETRICS};
    ASSERT_OK(omx_registry_write(r, &none, omx_buf_write_fn, &plain));
    ASSERT(scrape(r, &b, 5000) < 1.0);
    /* up to the duplicate count, a total across scrapes (1, then 2) */
    const char *dup = "# HELP omx_scrape_duplicate_families ";
    ASSERT(strstr(plain.data, dup) && strstr(b.data, dup));
    size_t n = (size_t)(strstr(plain.data, dup) - plain.data);
    ASSERT_EQ((size_t)(strstr(b.data, dup) - b.data), n);
    ASSERT(!memcmp(b.data, plain.data, n));
    ASSERT(strstr(b.data, "omx_scrape_duplicate_families_total 2\n"));
    ASSERT(strstr(b.data, "blocked_late 1\n"));
    ASSERT_EQ(atomic_load(&clash_rc), OMX_EEXIST); /* name checks span collectors */
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));

    /* blocked in read(2): the scrape answers at its deadline */
    atomic_store(&block, true);
    double took = scrape(r, &b, 500);
    ASSERT(took >= 0.45 && took < 1.0);
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"blocked\"} 0\n"));
    double waited = duration(&b, "blocked");
    ASSERT(waited >= 0.4 && waited < 1.0);
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"before\"} 1\n"));
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"after\"} 1\n"));
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"clash\"} 0\n"));
    ASSERT(strstr(b.data, "\nbefore 1\n") && strstr(b.data, "\nafter 1\n"));
    ASSERT(!strstr(b.data, "blocked_early")); /* what it wrote before blocking is dropped */
    ASSERT(b.len >= 6 && !strcmp(b.data + b.len - 6, "# EOF\n"));
    ASSERT_EQ(atomic_load(&r->stuck), 1);
    ASSERT(atomic_load(&warnings) >= 1);

    /* still blocked: not called again, failed at once, the scrape is quick */
    int calls = atomic_load(&blocked_calls);
    took = scrape(r, &b, 500);
    ASSERT(took < 0.4);
    ASSERT_EQ(atomic_load(&blocked_calls), calls);
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"blocked\"} 0\n"));
    ASSERT(duration(&b, "blocked") == 0);
    ASSERT(strstr(b.data, "\nafter 1\n"));
    ASSERT(atomic_load(&warnings) >= 2);

    /* unblocked: the late call returns, its output is dropped, the next scrape succeeds */
    atomic_store(&block, false);
    ASSERT_EQ(write(fifo, "x", 1), 1);
    ASSERT(omx__run_wait_stuck(r, 5000000000));
    ASSERT_EQ(atomic_load(&r->stuck), 0);
    scrape(r, &b, 500);
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"blocked\"} 1\n"));
    ASSERT(strstr(b.data, "\nblocked_early 1\n") && strstr(b.data, "\nblocked_late 1\n"));
    ASSERT_EQ(atomic_load(&blocked_calls), calls + 1);

    /* an expired deadline: collectors are still called and see it expired */
    omx_write_opts past = {.format = OMX_FORMAT_PROMETHEUS, .deadline_ns = 1};
    omx_buf_reset(&b);
    ASSERT_OK(omx_registry_write(r, &past, omx_buf_write_fn, &b));
    ASSERT(strstr(b.data, "\nafter 1\n"));
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"blocked\"} 1\n"));

    r = omx_registry_free(r); /* no abandoned call left: freed in full (ASan checks) */
    ASSERT(r == NULL);

    /* every pool thread blocked: the collectors left run on the scrape thread */
    r = omx_registry_new();
    const char *names[] = {"b1", "b2", "b3", "b4"};
    for (int i = 0; i < 4; i++)
        ASSERT_OK(omx_registry_add_collector(r, names[i], blocked, (void *)names[i], NULL));
    ASSERT_OK(omx_registry_add_collector(r, "last", last, NULL, NULL));
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));
    scraper = pthread_self();
    atomic_store(&block, true);
    took = scrape(r, &b, 300);
    ASSERT(took >= 0.25 && took < 1.0); /* the deadline, then 50 ms per abandoned call */
    for (int i = 0; i < 4; i++) {
        char key[96];
        snprintf(key, sizeof key, "t_scrape_collector_success{collector=\"%s\"} 0\n", names[i]);
        ASSERT(strstr(b.data, key));
    }
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"last\"} 1\n"));
    ASSERT(atomic_load(&last_inline));
    ASSERT_EQ(atomic_load(&r->stuck), 4);
    atomic_store(&block, false);
    ASSERT_EQ(write(fifo, "xxxx", 4), 4);
    ASSERT(omx__run_wait_stuck(r, 5000000000));
    scrape(r, &b, 500); /* threads are free again: back on the pool */
    ASSERT(strstr(b.data, "t_scrape_collector_success{collector=\"b4\"} 1\n"));
    ASSERT(strstr(b.data, "\nb1 1\n") && strstr(b.data, "\nb4 1\n"));
    ASSERT(!atomic_load(&last_inline));
    r = omx_registry_free(r);
    omx_buf_free(&b);
    omx_buf_free(&plain);
    close(fifo);
    unlink(path);
    rmdir(dir);
    omx_set_collector_warn(NULL);
    return 0;
}
