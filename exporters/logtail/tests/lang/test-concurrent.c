/* Scrapes (Prometheus and JSON) run while lines are run and programs are
 * reloaded: every scrape sees a consistent count, never more than was run. */
#include <pthread.h>
#include <stdatomic.h>

#include "lt-test.h"

#define LINES 20000

static atomic_int done;

static void *scraper(void *arg) {
    lt_progset *set = arg;
    double last = 0;
    int scrapes = 0;
    while (!atomic_load(&done) || scrapes < 3) {
        char *o = render(set);
        const char *p = strstr(o, "c{prog=\"t.mtail\"} ");
        if (p) {
            double v = strtod(p + strlen("c{prog=\"t.mtail\"} "), NULL);
            ASSERT(v >= last && v <= LINES);
            last = v;
        }
        free(o);
        omx_buf b;
        omx_buf_init(&b, 1 << 22);
        ASSERT_OK(lt_progset_write_json(set, &b, 1 << 22));
        omx_buf_free(&b);
        scrapes++;
    }
    return NULL;
}

int main(void) {
    const char *p = "counter c\ncounter by_k by k\n/k=(?P<k>\\d+)/ {\n  c++\n  by_k[$k]++\n}\n";
    lt_progset *set = load_ok(NULL, p);
    pthread_t t;
    ASSERT_OK(pthread_create(&t, NULL, scraper, set));
    char line[64];
    for (int i = 0; i < LINES; i++) {
        int n = snprintf(line, sizeof(line), "k=%d", i % 97);
        lt_line l = {.text = line, .len = (size_t)n, .filename = "x", .time_ns = i};
        ASSERT_OK(lt_progset_run(set, &l));
        if (i % 5000 == 0) /* an unchanged reload keeps the metrics */
            ASSERT_OK(lt_progset_load(set, "t.mtail", p, strlen(p), NULL, NULL));
        if (i % 7000 == 0)
            lt_progset_tick(set, i);
    }
    atomic_store(&done, 1);
    ASSERT_OK(pthread_join(t, NULL));
    char *o = render(set);
    ASSERT_HAS(o, "c{prog=\"t.mtail\"} 20000\n");
    ASSERT_HAS(o, "by_k{k=\"96\",prog=\"t.mtail\"} 206\n");
    free(o);
    lt_progset_free(set);
    TEST_DONE();
}
