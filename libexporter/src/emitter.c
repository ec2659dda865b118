/* The emitter: what collectors call at scrape time. Each call is validated in
 * full before anything is written, so a rejected call leaves no partial line.
 * A family's header is written with its first sample. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define NONE ((size_t)-1)

void omx__emitter_init(omx_emitter *e, omx__writer *w, int64_t deadline_ns) {
    memset(e, 0, sizeof *e);
    e->w = w;
    e->deadline_ns = deadline_ns;
    omx_buf_init(&e->desc, 1 << 20);
    omx_buf_init(&e->lbl, 1 << 24);
    omx_buf_init(&e->plbl, 1 << 24);
    omx_buf_init(&e->xv, 1 << 20);
}

void omx__emitter_end_family(omx_emitter *e) { e->active = false; }

void omx__emitter_free(omx_emitter *e) {
    omx_buf_free(&e->desc);
    omx_buf_free(&e->lbl);
    omx_buf_free(&e->plbl);
    omx_buf_free(&e->xv);
    omx__free(e->off_labels);
}

int64_t omx_emitter_deadline_ns(const omx_emitter *e) { return e ? e->deadline_ns : 0; }

int omx_emitter_expired(const omx_emitter *e) {
    return e && e->deadline_ns && omx__now_mono_ns() >= e->deadline_ns;
}

static int fail(omx_emitter *e, int rc) {
    if (rc == OMX_ENOMEM)
        e->oom = true;
    return rc;
}

/* OMX_DESC_AS_WRITTEN: the checks 0.0.4 text makes (valid names, the label
 * the type adds not given), the lengths, and what the name is recorded as. */
static int check_as_written(const omx_desc *d, size_t *base_len, size_t *name_len,
                            omx_type *claim) {
    if (d->type != OMX_COUNTER && d->type != OMX_GAUGE && d->type != OMX_UNKNOWN &&
        d->type != OMX_HISTOGRAM && d->type != OMX_SUMMARY)
        return OMX_ETYPE;
    if (d->unit && *d->unit)
        return OMX_EUNIT;
    /* a gauge has no reserved suffix and no added label: only the generic checks */
    int rc = omx__check_desc(OMX_GAUGE, d->name, NULL, d->label_names, d->n_labels, name_len);
    if (rc < 0)
        return rc;
    const char *added = d->type == OMX_HISTOGRAM ? "le"
                        : d->type == OMX_SUMMARY ? "quantile"
                                                 : NULL;
    for (size_t i = 0; added && i < d->n_labels; i++)
        if (!strcmp(d->label_names[i], added))
            return OMX_ELABEL;
    *base_len = *name_len;
    *claim = d->type;
    if (d->type == OMX_COUNTER) {
        if (*name_len > 6 && omx__ends_with(d->name, *name_len, "_total"))
            *base_len -= 6; /* OpenMetrics family x, samples x_total */
        else
            *claim = OMX_UNKNOWN; /* OpenMetrics: no counter without _total */
    }
    return 0;
}

int omx_emit_family(omx_emitter *e, const omx_desc *d) {
    if (!e)
        return OMX_EINVAL;
    e->active = false;
    if (!d)
        return OMX_EINVAL;
    size_t base_len, name_len;
    omx_type claim = d->type;
    bool as_written = d->flags & OMX_DESC_AS_WRITTEN;
    int rc = as_written ? check_as_written(d, &base_len, &name_len, &claim)
                        : omx__check_desc(d->type, d->name, d->unit, d->label_names, d->n_labels,
                                          &base_len);
    if (rc < 0)
        return rc;
    if (!as_written) {
        name_len = base_len;
    } else if (e->w->fmt != OMX_FORMAT_OPENMETRICS) {
        /* 0.0.4 holds only the name as written: "x" and "x_total" both fit */
        base_len = name_len;
        claim = d->type == OMX_COUNTER ? OMX_UNKNOWN : d->type;
    }
    size_t help_len = d->help ? strlen(d->help) : 0;
    if (d->help && !omx__utf8_valid(d->help, help_len))
        return OMX_EINVAL;
    omx__names_keys(&e->keys, d->name, base_len, claim);
    if (omx__w_taken(e->w, &e->keys)) {
        /* already written in this scrape (registry, another collector, or this
         * one earlier): two families of one name are invalid exposition */
        e->dup = true;
        e->dup_families++;
        return OMX_EEXIST;
    }
    if (d->n_labels > e->cap_labels) {
        size_t *o = omx__realloc(e->off_labels, d->n_labels * sizeof(size_t));
        if (!o)
            return fail(e, OMX_ENOMEM);
        e->off_labels = o;
        e->cap_labels = d->n_labels;
    }
    omx_buf_reset(&e->desc);
    rc = omx_buf_append(&e->desc, d->name, name_len);
    rc = rc ? rc : omx_buf_append(&e->desc, "", 1);
    e->off_help = e->off_unit = NONE;
    e->help_plain = help_len;
    if (d->help && (memchr(d->help, '\\', help_len) || memchr(d->help, '\n', help_len) ||
                    (e->w->fmt == OMX_FORMAT_OPENMETRICS && memchr(d->help, '"', help_len))))
        e->help_plain = SIZE_MAX; /* escaped on the slow path */
    if (!rc && d->help) {
        e->off_help = e->desc.len;
        rc = omx_buf_append(&e->desc, d->help, help_len + 1);
    }
    if (!rc && d->unit && *d->unit) {
        e->off_unit = e->desc.len;
        rc = omx_buf_append(&e->desc, d->unit, strlen(d->unit) + 1);
    }
    for (size_t i = 0; !rc && i < d->n_labels; i++) {
        e->off_labels[i] = e->desc.len;
        rc = omx_buf_append(&e->desc, d->label_names[i], strlen(d->label_names[i]) + 1);
    }
    if (rc < 0)
        return fail(e, rc);
    e->base_len = base_len;
    e->name_len = name_len;
    e->as_written = as_written;
    e->claim_type = claim;
    e->type = d->type;
    e->n_labels = d->n_labels;
    e->active = true;
    e->header_done = false;
    e->has_prev = false;
    return 0;
}

/* Checks the state and type, then renders the label values into e->lbl.
 * A label set equal to the previous sample's of the family is refused
 * (OMX_EEXIST) unless both carry timestamps: one series twice is invalid
 * exposition. Only consecutive repeats are caught (one compare, no set);
 * collectors emit a series' samples together, so that is where they happen. */
static int begin(omx_emitter *e, const char *const *vals, bool type_ok, bool ts) {
    if (!e)
        return OMX_EINVAL;
    if (!e->active)
        return OMX_ESTATE;
    if (!type_ok)
        return OMX_ETYPE;
    if (e->n_labels && !vals)
        return OMX_EINVAL;
    omx_buf_reset(&e->lbl);
    int rc = omx__buf_room(&e->lbl, 0);
    for (size_t i = 0; !rc && i < e->n_labels; i++) {
        const char *v = vals[i], *name = e->desc.data + e->off_labels[i];
        if (!v)
            return OMX_EINVAL;
        /* one scan finds the length and whether the value is plain ASCII with
         * nothing to escape (nearly always): then it is copied as it is */
        size_t len = 0;
        unsigned special = 0;
        for (; v[len]; len++) {
            unsigned char c = (unsigned char)v[len];
            special |= c >= 0x80 || c == '\\' || c == '"' || c == '\n';
        }
        if (special && !omx__utf8_valid(v, len))
            return OMX_EINVAL;
        size_t name_len =
            (i + 1 < e->n_labels ? e->off_labels[i + 1] : e->desc.len) - e->off_labels[i] - 1;
        if (!special) {
            /* ,name="value" written in place after one capacity check */
            if ((rc = omx__buf_room(&e->lbl, name_len + len + 4)) < 0)
                break;
            char *o = e->lbl.data + e->lbl.len;
            if (i)
                *o++ = ',';
            memcpy(o, name, name_len);
            o += name_len;
            *o++ = '=';
            *o++ = '"';
            memcpy(o, v, len);
            o += len;
            *o++ = '"';
            *o = '\0';
            e->lbl.len = (size_t)(o - e->lbl.data);
            continue;
        }
        if ((i && (rc = omx_buf_append(&e->lbl, ",", 1)) < 0) ||
            (rc = omx_buf_append(&e->lbl, name, name_len)) < 0 ||
            (rc = omx_buf_append(&e->lbl, "=\"", 2)) < 0 ||
            (rc = omx__escape_label(&e->lbl, v)) < 0 || (rc = omx_buf_append(&e->lbl, "\"", 1)) < 0)
            break;
    }
    if (rc < 0)
        return fail(e, rc);
    if (e->has_prev && !(ts && e->prev_ts) && e->lbl.len == e->plbl.len &&
        memcmp(e->lbl.data, e->plbl.data, e->lbl.len) == 0) {
        e->dup = true;
        return OMX_EEXIST;
    }
    return 0;
}

/* A sample was written: its labels become the previous ones. */
static void written(omx_emitter *e, bool ts) {
    omx_buf t = e->plbl;
    e->plbl = e->lbl;
    e->lbl = t;
    e->has_prev = true;
    e->prev_ts = ts;
}

static void header(omx_emitter *e) {
    if (e->header_done)
        return;
    e->header_done = true;
    e->keys.base = e->desc.data; /* d->name may be gone: the copy has the same bytes */
    if (omx__w_claim(e->w, &e->keys) < 0)
        e->oom = true; /* the scrape fails with OMX_ENOMEM */
    const char *help = e->off_help == NONE ? NULL : e->desc.data + e->off_help;
    if (e->as_written) {
        bool om = e->w->fmt == OMX_FORMAT_OPENMETRICS;
        omx__w_header_named(e->w, e->desc.data, om ? e->base_len : e->name_len,
                            om ? e->claim_type : e->type, help, e->help_plain);
        return;
    }
    omx__w_header(e->w, e->desc.data, e->base_len, e->type, help, e->help_plain,
                  e->off_unit == NONE ? NULL : e->desc.data + e->off_unit);
}

static void sample(omx_emitter *e, const char *suffix, const char *xname, const char *xval,
                   const char *val, size_t val_len, const char *ts) {
    omx__w_sample(e->w, e->desc.data, e->name_len, suffix, e->lbl.data, e->lbl.len, xname, xval,
                  val, val_len, ts, NULL);
}

static int emit(omx_emitter *e, const char *const *vals, double value, const char *ts) {
    bool ok = e && (e->type == OMX_COUNTER || e->type == OMX_GAUGE || e->type == OMX_UNKNOWN ||
                    e->type == OMX_INFO);
    int rc = begin(e, vals, ok, ts != NULL);
    if (rc < 0)
        return rc;
    /* an as-written counter is checked only where it is written as a counter
     * that must not go down (OpenMetrics, named x_total) */
    bool checked =
        !e->as_written || (e->w->fmt == OMX_FORMAT_OPENMETRICS && e->claim_type == OMX_COUNTER);
    if (e->type == OMX_COUNTER && checked && !(value >= 0))
        return OMX_EVALUE;
    char num[40];
    size_t n = e->type == OMX_INFO ? (strcpy(num, "1"), 1) : omx_format_double(num, value);
    header(e);
    sample(e,
           e->as_written            ? ""
           : e->type == OMX_COUNTER ? "_total"
           : e->type == OMX_INFO    ? "_info"
                                    : "",
           NULL, NULL, num, n, ts);
    written(e, ts != NULL);
    return 0;
}

int omx_emit_sample(omx_emitter *e, const char *const *label_values, double value) {
    return emit(e, label_values, value, NULL);
}

int omx_emit_sample_ts(omx_emitter *e, const char *const *label_values, double value,
                       int64_t timestamp_ms) {
    char ts[32];
    if (e && e->w->fmt == OMX_FORMAT_OPENMETRICS) {
        /* OpenMetrics timestamps are seconds: print ms exactly, no float rounding. */
        /* sign and magnitude: -1500 ms is "-1.5" (INT64_MIN has a magnitude too) */
        bool neg = timestamp_ms < 0;
        uint64_t mag = neg ? -(uint64_t)timestamp_ms : (uint64_t)timestamp_ms;
        uint64_t sec = mag / 1000, ms = mag % 1000;
        int n = snprintf(ts, sizeof ts, "%s%llu", neg ? "-" : "", (unsigned long long)sec);
        if (ms) {
            snprintf(ts + n, sizeof ts - (size_t)n, ".%03llu", (unsigned long long)ms);
            size_t l = strlen(ts);
            while (ts[l - 1] == '0')
                ts[--l] = '\0';
        }
    } else {
        snprintf(ts, sizeof ts, "%lld", (long long)timestamp_ms);
    }
    return emit(e, label_values, value, ts);
}

int omx_emit_histogram(omx_emitter *e, const char *const *label_values, size_t n_buckets,
                       const double *upper_bounds, const uint64_t *cumulative_counts,
                       uint64_t count, double sum) {
    int rc = begin(e, label_values,
                   e && (e->type == OMX_HISTOGRAM || e->type == OMX_GAUGEHISTOGRAM), false);
    if (rc < 0)
        return rc;
    if (n_buckets && (!upper_bounds || !cumulative_counts))
        return OMX_EINVAL;
    for (size_t i = 0; i < n_buckets; i++) {
        double b = upper_bounds[i];
        if (isnan(b) || (i && b <= upper_bounds[i - 1]) ||
            (isinf(b) && b > 0 && i != n_buckets - 1))
            return OMX_EVALUE;
        if ((i && cumulative_counts[i] < cumulative_counts[i - 1]) || cumulative_counts[i] > count)
            return OMX_EVALUE;
    }
    bool has_inf = n_buckets && isinf(upper_bounds[n_buckets - 1]);
    if (has_inf && cumulative_counts[n_buckets - 1] != count)
        return OMX_EVALUE;
    bool om = e->w->fmt == OMX_FORMAT_OPENMETRICS;
    char le[40], num[40];
    header(e);
    for (size_t i = 0; i < n_buckets; i++) {
        if (om)
            omx_format_le(le, upper_bounds[i]);
        else
            omx__format_go(le, upper_bounds[i]);
        sample(e, "_bucket", "le", le, num, omx__format_u64(num, cumulative_counts[i]), NULL);
    }
    if (!has_inf)
        sample(e, "_bucket", "le", "+Inf", num, omx__format_u64(num, count), NULL);
    bool gh = e->type == OMX_GAUGEHISTOGRAM;
    sample(e, gh ? "_gcount" : "_count", NULL, NULL, num, omx__format_u64(num, count), NULL);
    sample(e, gh ? "_gsum" : "_sum", NULL, NULL, num, omx_format_double(num, sum), NULL);
    written(e, false);
    return 0;
}

int omx_emit_summary(omx_emitter *e, const char *const *label_values, uint64_t count, double sum,
                     size_t n_quantiles, const double *quantiles, const double *quantile_values) {
    int rc = begin(e, label_values, e && e->type == OMX_SUMMARY, false);
    if (rc < 0)
        return rc;
    if (n_quantiles && (!quantiles || !quantile_values))
        return OMX_EINVAL;
    for (size_t i = 0; i < n_quantiles; i++)
        if (!(quantiles[i] >= 0 && quantiles[i] <= 1))
            return OMX_EVALUE;
    bool om = e->w->fmt == OMX_FORMAT_OPENMETRICS;
    char q[40], num[40];
    header(e);
    for (size_t i = 0; i < n_quantiles; i++) {
        if (om)
            omx_format_le(q, quantiles[i]);
        else
            omx__format_go(q, quantiles[i]);
        sample(e, "", "quantile", q, num, omx_format_double(num, quantile_values[i]), NULL);
    }
    sample(e, "_count", NULL, NULL, num, omx__format_u64(num, count), NULL);
    sample(e, "_sum", NULL, NULL, num, omx_format_double(num, sum), NULL);
    written(e, false);
    return 0;
}

int omx_emit_stateset(omx_emitter *e, const char *const *label_values, size_t n_states,
                      const char *const *states, const bool *set) {
    int rc = begin(e, label_values, e && e->type == OMX_STATESET, false);
    if (rc < 0)
        return rc;
    if (n_states && (!states || !set))
        return OMX_EINVAL;
    for (size_t i = 0; i < n_states; i++)
        if (!states[i] || !omx__utf8_valid(states[i], strlen(states[i])))
            return OMX_EINVAL;
    header(e);
    char *name = e->desc.data; /* the state label is the family name itself */
    for (size_t i = 0; i < n_states; i++) {
        omx_buf_reset(&e->xv);
        if ((rc = omx_buf_append(&e->xv, "", 0)) < 0 ||
            (rc = omx__escape_label(&e->xv, states[i])) < 0)
            return fail(e, rc);
        sample(e, "", name, e->xv.data, set[i] ? "1" : "0", 1, NULL);
    }
    written(e, false);
    return 0;
}
