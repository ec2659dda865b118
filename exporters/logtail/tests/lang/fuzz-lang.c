/* libFuzzer target for the compiler and VM: the input is a program, then
 * (after a line "%%") log lines to run it on. Whatever the input, compiling,
 * running, exporting and freeing must neither crash nor leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const char *d, size_t n) {
    (void)ctx, (void)d, (void)n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    size_t plen = size;
    const char *lines = NULL;
    size_t llen = 0;
    const char *sep = memmem(s, size, "\n%%\n", 4);
    if (sep) {
        plen = (size_t)(sep - s) + 1;
        lines = sep + 4;
        llen = size - plen - 3;
    }
    lt_options opt = {.emit_prog_label = true,
                      .override_tz = "UTC",
                      .regex_match_limit = 10000,
                      .default_series_limit = 100};
    lt_progset *set = lt_progset_new(&opt);
    if (!set)
        return 0;
    if (lt_progset_load(set, "fuzz.mtail", s, plen, NULL, NULL) == 0 && lines) {
        const char *p = lines, *end = lines + llen;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            lt_line l = {
                .text = p, .len = n, .filename = "fuzz.log", .time_ns = 1700000000000000000};
            lt_progset_run(set, &l);
            p += n + 1;
        }
        lt_progset_tick(set, 1800000000000000000);
        omx_registry *r = omx_registry_new();
        if (r && omx_registry_add_collector(r, "logtail", lt_progset_collect, set, NULL) == 0)
            omx_registry_write(r, NULL, sink, NULL);
        omx_registry_free(r);
        omx_buf b;
        omx_buf_init(&b, 1 << 20);
        lt_progset_write_json(set, &b, 1 << 20);
        omx_buf_free(&b);
    }
    lt_progset_free(set);
    return 0;
}
