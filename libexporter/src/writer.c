/* The two text writers (Prometheus 0.0.4, OpenMetrics 1.0.0): one walk over the
 * registry's families and collectors, format differences confined to the
 * header and sample line helpers below. Output is buffered (OMX__WBUF) and
 * flushed to the caller's sink. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* A sink's negative code is kept as is (-EPIPE, OMX_ELIMIT); any other
 * nonzero return has no meaning to report and becomes OMX_EIO. */
static int sink_err(int rc) { return rc < 0 ? rc : OMX_EIO; }

int omx__w_flush(omx__writer *w) {
    int rc;
    if (w->len && !w->err && (rc = w->fn(w->ctx, w->buf, w->len)) != 0)
        w->err = sink_err(rc);
    w->len = 0;
    return w->err;
}

void omx__w_put(omx__writer *w, const char *s, size_t n) {
    if (n > OMX__WBUF - w->len) {
        omx__w_flush(w);
        if (n > OMX__WBUF) {
            int rc;
            if (!w->err && (rc = w->fn(w->ctx, s, n)) != 0)
                w->err = sink_err(rc);
            return;
        }
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static inline void put_str(omx__writer *w, const char *s) { omx__w_put(w, s, strlen(s)); }

static const char *prom_type(omx_type t) {
    switch (t) {
    case OMX_COUNTER: return "counter";
    case OMX_HISTOGRAM:
    case OMX_GAUGEHISTOGRAM: return "histogram"; /* as Python's generate_latest does */
    case OMX_SUMMARY: return "summary";
    case OMX_UNKNOWN: return "untyped";
    default: return "gauge"; /* gauge, info, stateset */
    }
}

static void put_help(omx__writer *w, const char *help) {
    bool om = w->fmt == OMX_FORMAT_OPENMETRICS;
    const char *run = help, *p = help;
    for (; *p; p++) {
        const char *esc = *p == '\\'          ? "\\\\"
                          : *p == '\n'        ? "\\n"
                          : (om && *p == '"') ? "\\\""
                                              : NULL;
        if (!esc)
            continue;
        omx__w_put(w, run, (size_t)(p - run));
        omx__w_put(w, esc, 2);
        run = p + 1;
    }
    omx__w_put(w, run, (size_t)(p - run));
}

static const char *prom_suffix(omx_type t) {
    return t == OMX_COUNTER ? "_total" : t == OMX_INFO ? "_info" : "";
}

void omx__names_keys(omx__name_keys *k, const char *base, size_t len, omx_type t) {
    k->base = base;
    k->len = len;
    k->suffix = prom_suffix(t);
    k->h = omx__nameset_hash(base, len, "");
    k->hs = *k->suffix ? omx__nameset_hash(base, len, k->suffix) : 0;
}

bool omx__names_taken(const omx__nameset *s, const omx__name_keys *k) {
    return omx__nameset_has_h(s, k->h, k->base, k->len, "") ||
           (*k->suffix && omx__nameset_has_h(s, k->hs, k->base, k->len, k->suffix));
}

int omx__names_claim(omx__nameset *s, const omx__name_keys *k) {
    int rc = omx__nameset_add_h(s, k->h, k->base, k->len, "");
    if (rc >= 0 && *k->suffix)
        rc = omx__nameset_add_h(s, k->hs, k->base, k->len, k->suffix);
    return rc < 0 ? rc : 0;
}

bool omx__w_taken(const omx__writer *w, const omx__name_keys *k) {
    if (__builtin_expect(w->run != NULL, 0))
        return omx__run_taken(w->run, k);
    return omx__names_taken(&w->names, k);
}

int omx__w_claim(omx__writer *w, const omx__name_keys *k) {
    if (__builtin_expect(w->run != NULL, 0))
        return omx__run_claim(w->run, k);
    return omx__names_claim(&w->names, k);
}

/* Length of help if it needs no escaping in this format, else SIZE_MAX. */
static size_t plain_help_len(const char *help, bool om) {
    size_t n = 0;
    for (; help[n]; n++)
        if (help[n] == '\\' || help[n] == '\n' || (om && help[n] == '"'))
            return SIZE_MAX;
    return n;
}

static inline char *put_mem(char *o, const char *s, size_t n) {
    memcpy(o, s, n);
    return o + n;
}

/* HELP/TYPE(/UNIT) lines of the family named base + suffix, typed type. */
static void header_lines(omx__writer *w, const char *base, size_t base_len, const char *suffix,
                         const char *type, const char *help, size_t help_plain, const char *unit) {
    bool om = w->fmt == OMX_FORMAT_OPENMETRICS;
    /* Fast path: plain HELP, no UNIT, the lines fit the buffer: built in place. */
    size_t hl = !help ? 0 : help_plain != SIZE_MAX ? help_plain : plain_help_len(help, om);
    if (hl != SIZE_MAX && !(om && unit)) {
        size_t sl = strlen(suffix), tl = strlen(type);
        size_t need = (help ? 9 + base_len + sl + hl : 0) + 9 + base_len + sl + tl;
        if (need <= OMX__WBUF - w->len) {
            char *o = w->buf + w->len;
            if (help) {
                o = put_mem(o, "# HELP ", 7);
                o = put_mem(o, base, base_len);
                o = put_mem(o, suffix, sl);
                *o++ = ' ';
                o = put_mem(o, help, hl);
                *o++ = '\n';
            }
            o = put_mem(o, "# TYPE ", 7);
            o = put_mem(o, base, base_len);
            o = put_mem(o, suffix, sl);
            *o++ = ' ';
            o = put_mem(o, type, tl);
            *o++ = '\n';
            w->len = (size_t)(o - w->buf);
            return;
        }
    }
    if (help) {
        omx__w_put(w, "# HELP ", 7);
        omx__w_put(w, base, base_len);
        put_str(w, suffix);
        omx__w_put(w, " ", 1);
        put_help(w, help);
        omx__w_put(w, "\n", 1);
    }
    omx__w_put(w, "# TYPE ", 7);
    omx__w_put(w, base, base_len);
    put_str(w, suffix);
    omx__w_put(w, " ", 1);
    put_str(w, type);
    omx__w_put(w, "\n", 1);
    if (om && unit) {
        omx__w_put(w, "# UNIT ", 7);
        omx__w_put(w, base, base_len);
        omx__w_put(w, " ", 1);
        put_str(w, unit);
        omx__w_put(w, "\n", 1);
    }
}

void omx__w_header(omx__writer *w, const char *base, size_t base_len, omx_type t, const char *help,
                   size_t help_plain, const char *unit) {
    bool om = w->fmt == OMX_FORMAT_OPENMETRICS;
    /* 0.0.4 has no counter/info families: name them by their sample, like client_golang. */
    const char *suffix = om ? "" : t == OMX_COUNTER ? "_total" : t == OMX_INFO ? "_info" : "";
    if (__builtin_expect(w->vis != NULL, 0)) {
        omx__visit_header(w, base, base_len, suffix, t, help, unit);
        return;
    }
    header_lines(w, base, base_len, suffix, om ? omx_type_name(t) : prom_type(t), help, help_plain,
                 unit);
}

void omx__w_header_named(omx__writer *w, const char *name, size_t len, omx_type t, const char *help,
                         size_t help_plain) {
    bool om = w->fmt == OMX_FORMAT_OPENMETRICS;
    if (__builtin_expect(w->vis != NULL, 0)) {
        omx__visit_header(w, name, len, "", t, help, NULL);
        return;
    }
    header_lines(w, name, len, "", om ? omx_type_name(t) : prom_type(t), help, help_plain, NULL);
}

void omx__w_sample(omx__writer *w, const char *base, size_t base_len, const char *suffix,
                   const char *lbl, size_t lbl_len, const char *xname, const char *xval,
                   const char *val, size_t val_len, const char *ts, const omx__exemplar *ex) {
    if (__builtin_expect(w->vis != NULL, 0)) {
        omx__visit_sample(w, base, base_len, suffix, lbl, lbl_len, xname, xval, val, val_len, ts);
        return;
    }
    /* Fast path: the whole line fits in the buffer; one bounds check. */
    size_t sl = strlen(suffix), xnl = xname ? strlen(xname) : 0, xvl = xname ? strlen(xval) : 0;
    size_t need = base_len + sl + lbl_len + xnl + xvl + val_len + 8;
    if (ts || ex || need > OMX__WBUF - w->len) {
        omx__w_put(w, base, base_len);
        omx__w_put(w, suffix, sl);
        if (lbl_len || xname) {
            omx__w_put(w, "{", 1);
            omx__w_put(w, lbl, lbl_len);
            if (xname) {
                if (lbl_len)
                    omx__w_put(w, ",", 1);
                omx__w_put(w, xname, xnl);
                omx__w_put(w, "=\"", 2);
                omx__w_put(w, xval, xvl);
                omx__w_put(w, "\"", 1);
            }
            omx__w_put(w, "}", 1);
        }
        omx__w_put(w, " ", 1);
        omx__w_put(w, val, val_len);
        if (ts) {
            omx__w_put(w, " ", 1);
            put_str(w, ts);
        }
        if (ex && ex->set) {
            char num[40];
            omx__w_put(w, " # {", 4);
            omx__w_put(w, ex->labels, ex->len);
            omx__w_put(w, "} ", 2);
            omx__w_put(w, num, omx_format_double(num, ex->value));
            if (!isnan(ex->ts)) {
                omx__w_put(w, " ", 1);
                omx__w_put(w, num, omx_format_double(num, ex->ts));
            }
        }
        omx__w_put(w, "\n", 1);
        return;
    }
    char *p = w->buf + w->len;
    memcpy(p, base, base_len);
    p += base_len;
    memcpy(p, suffix, sl);
    p += sl;
    if (lbl_len || xname) {
        *p++ = '{';
        memcpy(p, lbl, lbl_len);
        p += lbl_len;
        if (xname) {
            if (lbl_len)
                *p++ = ',';
            memcpy(p, xname, xnl);
            p += xnl;
            *p++ = '=';
            *p++ = '"';
            memcpy(p, xval, xvl);
            p += xvl;
            *p++ = '"';
        }
        *p++ = '}';
    }
    *p++ = ' ';
    memcpy(p, val, val_len);
    p += val_len;
    *p++ = '\n';
    w->len = (size_t)(p - w->buf);
}

/* ---- the registry's own families ---- */

static inline double u2d(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void write_created(omx__writer *w, const omx_family *f, const omx_series *s) {
    if (w->fmt != OMX_FORMAT_OPENMETRICS || !(f->flags & OMX_FAMILY_CREATED))
        return;
    char num[40];
    size_t n = omx_format_double(num, s->created);
    omx__w_sample(w, f->name, f->name_len, "_created", s->lbl, s->lbl_len, NULL, NULL, num, n, NULL,
                  NULL);
}

static void write_counter(omx__writer *w, const omx_family *f, omx_series *s) {
    uint64_t iv = 0;
    double dv = 0;
    for (size_t i = 0; i < s->nshards; i++) {
        iv += atomic_load_explicit(&s->cells[i * s->stride], memory_order_relaxed);
        dv += u2d(atomic_load_explicit(&s->cells[i * s->stride + 1], memory_order_relaxed));
    }
    char num[40];
    size_t n = dv == 0 ? omx__format_u64(num, iv) : omx_format_double(num, (double)iv + dv);
    omx__exemplar ex, *slot = atomic_load_explicit(&s->ex, memory_order_acquire);
    bool has_ex = w->fmt == OMX_FORMAT_OPENMETRICS && slot && omx__exemplar_read(slot, &ex);
    omx__w_sample(w, f->name, f->name_len, "_total", s->lbl, s->lbl_len, NULL, NULL, num, n, NULL,
                  has_ex ? &ex : NULL);
    write_created(w, f, s);
}

static void write_histogram(omx__writer *w, const omx_family *f, omx_series *s) {
    uint64_t b[OMX__MAX_BUCKETS + 1];
    size_t nb = s->nb;
    double sum = 0;
    memset(b, 0, nb * sizeof b[0]);
    for (size_t i = 0; i < s->nshards; i++) {
        _Atomic uint64_t *c = s->cells + i * s->stride;
        for (size_t k = 0; k < nb; k++)
            b[k] += atomic_load_explicit(&c[k], memory_order_relaxed);
        sum += u2d(atomic_load_explicit(&c[nb], memory_order_relaxed));
    }
    bool om = w->fmt == OMX_FORMAT_OPENMETRICS;
    omx__exemplar *slots = om ? atomic_load_explicit(&s->ex, memory_order_acquire) : NULL;
    char num[40];
    uint64_t cum = 0;
    /* count is derived from the same snapshot, so +Inf == count and buckets never decrease */
    for (size_t k = 0; k < nb; k++) {
        cum += b[k];
        omx__exemplar ex;
        bool has_ex = slots && omx__exemplar_read(&slots[k], &ex);
        omx__w_sample(w, f->name, f->name_len, "_bucket", s->lbl, s->lbl_len, "le",
                      om ? f->le_om[k] : f->le_prom[k], num, omx__format_u64(num, cum), NULL,
                      has_ex ? &ex : NULL);
    }
    bool gh = f->type == OMX_GAUGEHISTOGRAM;
    omx__w_sample(w, f->name, f->name_len, gh ? "_gcount" : "_count", s->lbl, s->lbl_len, NULL,
                  NULL, num, omx__format_u64(num, cum), NULL, NULL);
    omx__w_sample(w, f->name, f->name_len, gh ? "_gsum" : "_sum", s->lbl, s->lbl_len, NULL, NULL,
                  num, omx_format_double(num, sum), NULL, NULL);
    if (!gh)
        write_created(w, f, s);
}

static void write_summary(omx__writer *w, const omx_family *f, omx_series *s) {
    uint64_t count = 0;
    double sum = 0;
    for (size_t i = 0; i < s->nshards; i++) {
        count += atomic_load_explicit(&s->cells[i * s->stride], memory_order_relaxed);
        sum += u2d(atomic_load_explicit(&s->cells[i * s->stride + 1], memory_order_relaxed));
    }
    char num[40];
    omx__w_sample(w, f->name, f->name_len, "_count", s->lbl, s->lbl_len, NULL, NULL, num,
                  omx__format_u64(num, count), NULL, NULL);
    omx__w_sample(w, f->name, f->name_len, "_sum", s->lbl, s->lbl_len, NULL, NULL, num,
                  omx_format_double(num, sum), NULL, NULL);
    write_created(w, f, s);
}

static void write_series(omx__writer *w, const omx_family *f, omx_series *s) {
    char num[40];
    w->has_created = w->vis && (f->flags & OMX_FAMILY_CREATED);
    w->created = s->created;
    switch (f->type) {
    case OMX_COUNTER: write_counter(w, f, s); break;
    case OMX_GAUGE:
    case OMX_UNKNOWN: {
        size_t n =
            omx_format_double(num, u2d(atomic_load_explicit(&s->cells[0], memory_order_relaxed)));
        omx__w_sample(w, f->name, f->name_len, "", s->lbl, s->lbl_len, NULL, NULL, num, n, NULL,
                      NULL);
        break;
    }
    case OMX_INFO:
        omx__w_sample(w, f->name, f->name_len, "_info", s->lbl, s->lbl_len, NULL, NULL, "1", 1,
                      NULL, NULL);
        break;
    case OMX_STATESET: {
        uint64_t m = atomic_load_explicit(&s->cells[0], memory_order_relaxed);
        for (size_t i = 0; i < f->n_states; i++)
            omx__w_sample(w, f->name, f->name_len, "", s->lbl, s->lbl_len, f->name, f->states[i],
                          (m >> i) & 1 ? "1" : "0", 1, NULL, NULL);
        break;
    }
    case OMX_HISTOGRAM:
    case OMX_GAUGEHISTOGRAM: write_histogram(w, f, s); break;
    case OMX_SUMMARY: write_summary(w, f, s); break;
    }
    w->has_created = false;
}

void omx__registry_write_families(omx_registry *r, omx__writer *w) {
    for (omx_family *f = atomic_load_explicit(&r->fam_head, memory_order_acquire); f && !w->err;
         f = atomic_load_explicit(&f->next, memory_order_acquire)) {
        bool header = false;
        /* keeps series removed during the walk allocated; writers never wait for it */
        bool outer = omx__read_lock();
        for (omx_series *s = atomic_load_explicit(&f->head, memory_order_acquire); s && !w->err;
             s = atomic_load_explicit(&s->next, memory_order_acquire)) {
            if (atomic_load_explicit(&s->removed, memory_order_acquire))
                continue;
            if (!header) {
                /* registry names are unique (omx_family_new), so the first claims */
                omx__name_keys k;
                omx__names_keys(&k, f->name, f->name_len, f->type);
                int rc = omx__w_claim(w, &k);
                if (rc < 0) {
                    w->err = rc;
                    break;
                }
                omx__w_header(w, f->name, f->name_len, f->type, f->help, SIZE_MAX, f->unit);
                header = true;
            }
            write_series(w, f, s);
        }
        omx__read_unlock(outer);
    }
}

/* omx_series_rejected_total{family,reason} is emitted only for the families
 * and reasons that rejected a series (so a healthy registry exports nothing
 * extra); reason names the omx_family_opts limit. */
void omx__registry_write_rejected(omx_registry *r, omx_emitter *e) {
    static const char *const labels[] = {"family", "reason"};
    const omx_desc d = {.name = "omx_series_rejected_total",
                        .help = "New series refused because the family reached a limit.",
                        .type = OMX_COUNTER,
                        .label_names = labels,
                        .n_labels = 2};
    bool started = false;
    for (omx_family *f = atomic_load_explicit(&r->fam_head, memory_order_acquire); f;
         f = atomic_load_explicit(&f->next, memory_order_acquire)) {
        uint64_t n[2] = {atomic_load_explicit(&f->rejected, memory_order_relaxed),
                         atomic_load_explicit(&f->rejected_len, memory_order_relaxed)};
        static const char *const reason[2] = {"max_series", "max_label_value_len"};
        for (int i = 0; i < 2; i++) {
            if (!n[i])
                continue;
            if (!started && omx_emit_family(e, &d) < 0)
                return;
            started = true;
            const char *v[] = {f->name, reason[i]};
            omx_emit_sample(e, v, (double)n[i]);
        }
    }
    omx__emitter_end_family(e);
}

/* omx_scrape_duplicate_families_total: families a collector emitted under a
 * name already written in the same scrape (dropped), since the registry was
 * created; emitted only once nonzero. */
static void write_duplicates(omx_registry *r, omx_emitter *e) {
    uint64_t n =
        atomic_fetch_add_explicit(&r->dup_families, e->dup_families, memory_order_relaxed) +
        e->dup_families;
    if (!n)
        return;
    const omx_desc d = {.name = "omx_scrape_duplicate_families_total",
                        .help = "Families dropped from a scrape because a family of the same "
                                "name was already written.",
                        .type = OMX_COUNTER};
    if (omx_emit_family(e, &d) == 0)
        omx_emit_sample(e, NULL, (double)n);
    omx__emitter_end_family(e);
}

static void write_collector_stats(omx_emitter *e, const char *prefix, const omx__stat_entry *st,
                                  size_t n) {
    static const char *const labels[] = {"collector"};
    omx_buf name, help;
    omx_buf_init(&name, 4096);
    omx_buf_init(&help, 4096);
    for (int pass = 0; pass < 2 && n; pass++) {
        omx_buf_reset(&name);
        omx_buf_reset(&help);
        /* node_exporter's HELP texts start with "node_exporter: " */
        const char *h = pass ? "_exporter: Whether a collector succeeded."
                             : "_exporter: Duration of a collector scrape.";
        if (omx_buf_append(&name, prefix, strlen(prefix)) < 0 ||
            omx_buf_append(
                &name, pass ? "_scrape_collector_success" : "_scrape_collector_duration_seconds",
                pass ? 25 : 34) < 0 ||
            omx_buf_append(&help, prefix, strlen(prefix)) < 0 ||
            omx_buf_append(&help, h, strlen(h)) < 0) {
            e->oom = true;
            break;
        }
        omx_desc d = {.name = name.data,
                      .help = help.data,
                      .type = OMX_GAUGE,
                      .label_names = labels,
                      .n_labels = 1};
        if (omx_emit_family(e, &d) < 0)
            break;
        for (size_t i = 0; i < n; i++) {
            const char *v[] = {st[i].name};
            omx_emit_sample(e, v, pass ? (st[i].ok ? 1 : 0) : st[i].seconds);
        }
        omx__emitter_end_family(e);
    }
    omx_buf_free(&name);
    omx_buf_free(&help);
}

/* Collectors one after another on this thread, straight into its writer. */
static void run_inline(omx_registry *r, omx_emitter *e, omx_buf *stats, omx_collector_pick_fn pick,
                       void *pick_ctx) {
    for (omx__collector *c = atomic_load_explicit(&r->col_head, memory_order_acquire);
         c && !e->w->err; c = atomic_load_explicit(&c->next, memory_order_acquire)) {
        if (pick && !pick(c->name, pick_ctx))
            continue;
        int64_t t0 = omx__now_mono_ns();
        e->dup = false;
        int rc = c->fn(e, c->userdata);
        omx__emitter_end_family(e);
        /* a duplicate family or series is the collector's bug: report it failed */
        omx__stat_entry st = {c->name, (double)(omx__now_mono_ns() - t0) / 1e9, rc >= 0 && !e->dup};
        if (stats && !(c->flags & OMX__COLLECTOR_NO_STATS) &&
            omx_buf_append(stats, &st, sizeof st) < 0)
            e->oom = true;
    }
}

int omx_registry_write(omx_registry *r, const omx_write_opts *opts, omx_write_fn fn, void *ctx) {
    if (!r || !fn)
        return OMX_EINVAL;
    omx__writer w = {.fmt = opts ? opts->format : OMX_FORMAT_PROMETHEUS, .fn = fn, .ctx = ctx};
    if (w.fmt != OMX_FORMAT_PROMETHEUS && w.fmt != OMX_FORMAT_OPENMETRICS)
        return OMX_EINVAL;
    return omx__registry_walk(r, opts, &w);
}

int omx__registry_walk(omx_registry *r, const omx_write_opts *opts, omx__writer *wp) {
    omx__writer w = *wp;
    w.buf = omx__malloc(OMX__WBUF);
    if (!w.buf)
        return OMX_ENOMEM;
    omx__nameset_init(&w.names, atomic_load_explicit(&r->names_hint, memory_order_relaxed));
    omx__registry_write_families(r, &w);

    omx_emitter e;
    omx__emitter_init(&e, &w, opts ? opts->deadline_ns : 0);
    omx__registry_write_rejected(r, &e);

    pthread_mutex_lock(&r->lock);
    char *prefix = r->stats_prefix ? omx__strdup(r->stats_prefix) : NULL;
    pthread_mutex_unlock(&r->lock);
    omx_buf stats;
    omx_buf_init(&stats, SIZE_MAX / 2);
    /* a deadline: collectors run where one blocked in a system call cannot hold the scrape */
    omx_collector_pick_fn pick = opts ? opts->pick : NULL;
    void *pick_ctx = opts ? opts->pick_ctx : NULL;
    if (opts && opts->deadline_ns)
        omx__run_collectors(r, &w, &e, prefix ? &stats : NULL, opts->deadline_ns, pick, pick_ctx);
    else
        run_inline(r, &e, prefix ? &stats : NULL, pick, pick_ctx);
    if (prefix && !w.err)
        write_collector_stats(&e, prefix, (const omx__stat_entry *)(void *)stats.data,
                              stats.len / sizeof(omx__stat_entry));
    omx__emitter_end_family(&e);
    if (!w.err)
        write_duplicates(r, &e);
    if (w.fmt == OMX_FORMAT_OPENMETRICS)
        omx__w_put(&w, "# EOF\n", 6);
    omx__w_flush(&w);
    int rc = w.err ? w.err : e.oom ? OMX_ENOMEM : 0;
    omx_buf_free(&stats);
    omx__free(prefix);
    omx__emitter_free(&e);
    atomic_store_explicit(&r->names_hint, w.names.n, memory_order_relaxed);
    omx__nameset_free(&w.names);
    omx__free(w.buf);
    return rc;
}
