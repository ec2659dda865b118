/* omx_write_opts.pick: a write runs only the collectors pick accepts, and
 * lists only those in <prefix>_scrape_collector_*; registry families and a
 * NULL pick are unaffected. */
#include <string.h>

#include "exporter/exporter.h"
#include "internal.h" /* omx__now_mono_ns */
#include "omx-test.h"

static int emit_named(omx_emitter *e, void *userdata) {
    const char *name = userdata;
    if (omx_emit_family(e, &(omx_desc){.name = name, .type = OMX_GAUGE}) < 0)
        return -1;
    return omx_emit_sample(e, NULL, 1);
}

static int called_b;

static int emit_b(omx_emitter *e, void *userdata) {
    called_b++;
    return emit_named(e, userdata);
}

static bool only(const char *collector, void *ctx) { return !strcmp(collector, ctx); }

static const char *render(omx_registry *r, omx_buf *b, const omx_write_opts *o) {
    omx_buf_reset(b);
    ASSERT_OK(omx_registry_write(r, o, omx_buf_write_fn, b));
    return b->data;
}

int main(void) {
    omx_registry *r = omx_registry_new();
    ASSERT(r);
    omx_family *f;
    ASSERT_OK(omx_family_new(r, &(omx_family_opts){.type = OMX_GAUGE, .name = "reg_up"}, &f));
    omx_series *s;
    ASSERT_OK(omx_family_get(f, NULL, &s));
    omx_gauge_set(s, 1);
    ASSERT_OK(omx_registry_add_collector(r, "a", emit_named, "a_up", NULL));
    ASSERT_OK(omx_registry_add_collector(r, "b", emit_b, "b_up", NULL));
    ASSERT_OK(omx_registry_set_collector_stats(r, "t"));
    omx_buf b;
    omx_buf_init(&b, 1 << 20);

    const char *out = render(r, &b, NULL);
    ASSERT(strstr(out, "\na_up 1\n") && strstr(out, "\nb_up 1\n") && strstr(out, "\nreg_up 1\n"));
    ASSERT(strstr(out, "t_scrape_collector_success{collector=\"a\"} 1\n"));
    ASSERT(called_b == 1);

    omx_write_opts o = {.format = OMX_FORMAT_PROMETHEUS, .pick = only, .pick_ctx = "a"};
    out = render(r, &b, &o);
    ASSERT(strstr(out, "\na_up 1\n") && strstr(out, "\nreg_up 1\n"));
    ASSERT(!strstr(out, "b_up") && !strstr(out, "collector=\"b\""));
    ASSERT(strstr(out, "t_scrape_collector_success{collector=\"a\"} 1\n"));
    ASSERT(called_b == 1); /* left out means not run */

    o.pick_ctx = "none";
    out = render(r, &b, &o);
    ASSERT(strstr(out, "\nreg_up 1\n") && !strstr(out, "a_up") && !strstr(out, "b_up"));
    ASSERT(!strstr(out, "t_scrape_collector_success"));

    /* under a scrape deadline collectors run on the collector threads: same picking */
    o.pick_ctx = "a";
    o.deadline_ns = omx__now_mono_ns() + 5000000000;
    out = render(r, &b, &o);
    ASSERT(strstr(out, "\na_up 1\n") && strstr(out, "\nreg_up 1\n"));
    ASSERT(!strstr(out, "b_up") && !strstr(out, "collector=\"b\""));
    ASSERT(strstr(out, "t_scrape_collector_success{collector=\"a\"} 1\n"));
    ASSERT(called_b == 1);

    omx_buf_free(&b);
    omx_registry_free(r);
    TEST_DONE();
}
