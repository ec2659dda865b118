/* The program set: loading, running and exporting programs (lang.h). */
#include <stdlib.h>

#include "lang.h"

struct lt_progset {
    lt_options opt;
    size_t n;
};

lt_progset *lt_progset_new(const lt_options *opt) {
    lt_progset *s = calloc(1, sizeof(*s));
    if (s && opt)
        s->opt = *opt;
    return s;
}

lt_progset *lt_progset_free(lt_progset *set) {
    free(set);
    return NULL;
}

int lt_progset_load(lt_progset *set, const char *name, const char *text, size_t len,
                    lt_error_fn *err_fn, void *err_ctx) {
    (void)set, (void)name, (void)text, (void)len, (void)err_fn, (void)err_ctx;
    return 0;
}

int lt_progset_load_path(lt_progset *set, const char *path, lt_error_fn *err_fn, void *err_ctx) {
    (void)set, (void)path, (void)err_fn, (void)err_ctx;
    return 0;
}

size_t lt_progset_count(const lt_progset *set) { return set ? set->n : 0; }

int lt_progset_run(lt_progset *set, const lt_line *line) {
    (void)set, (void)line;
    return 0;
}

void lt_progset_tick(lt_progset *set, int64_t now_ns) { (void)set, (void)now_ns; }

int lt_progset_collect(omx_emitter *e, void *set) {
    (void)e, (void)set;
    return 0;
}

int lt_progset_write_json(lt_progset *set, omx_buf *buf, size_t max) {
    (void)set, (void)max;
    return omx_buf_append(buf, "[]\n", 3);
}
