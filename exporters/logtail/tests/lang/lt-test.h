/* Helpers of the language tests: compile a program, run lines, render the
 * metrics as Prometheus text. */
#ifndef LT_TEST_H
#define LT_TEST_H

#include "internal.h"
#include "omx-test.h"

typedef struct errbuf {
    char text[4096];
    int n;
} errbuf;

static void errbuf_add(void *ctx, const char *msg) {
    errbuf *b = ctx;
    size_t l = strlen(b->text);
    snprintf(b->text + l, sizeof(b->text) - l, "%s%s", l ? "\n" : "", msg);
    b->n++;
}

static int sink(void *ctx, const char *d, size_t n) { return omx_buf_append(ctx, d, n); }

/* The Prometheus text of set (caller frees). */
static __attribute__((unused)) char *render(lt_progset *set) {
    omx_buf b;
    omx_buf_init(&b, 1u << 24);
    omx_registry *r = omx_registry_new();
    ASSERT(r);
    ASSERT_OK(omx_registry_add_collector(r, "logtail", lt_progset_collect, set, NULL));
    ASSERT_OK(omx_registry_write(r, NULL, sink, &b));
    omx_registry_free(r);
    return b.data ? b.data : strdup("");
}

static __attribute__((unused)) void feed(lt_progset *set, const char *const *lines, int64_t t) {
    for (size_t i = 0; lines[i]; i++) {
        lt_line l = {
            .text = lines[i], .len = strlen(lines[i]), .filename = "/var/log/x.log", .time_ns = t};
        ASSERT_OK(lt_progset_run(set, &l));
    }
}

/* Loads text as "t.mtail" and asserts it compiled. */
static __attribute__((unused)) lt_progset *load_ok(const lt_options *o, const char *text) {
    lt_options def = {.emit_prog_label = true, .syslog_use_current_year = true};
    lt_progset *set = lt_progset_new(o ? o : &def);
    ASSERT(set);
    errbuf e = {{0}, 0};
    int r = lt_progset_load(set, "t.mtail", text, strlen(text), errbuf_add, &e);
    ASSERT_MSG(r == 0, "compile failed: %s\nprogram:\n%s", e.text, text);
    return set;
}

#define ASSERT_HAS(hay, needle) \
    ASSERT_MSG(strstr((hay), (needle)) != NULL, "missing \"%s\" in:\n%s", (needle), (hay))
#define ASSERT_LACKS(hay, needle) \
    ASSERT_MSG(strstr((hay), (needle)) == NULL, "unexpected \"%s\" in:\n%s", (needle), (hay))

#endif
