/* OpenMetrics 1.0 semantic rules, checked line by line with bounded state:
 * family grouping and name clashes, metadata placement, suffixes per type,
 * label rules per type, value rules, histogram bucket rules, timestamps and
 * exemplar placement. Prometheus 0.0.4: families and their metadata rules. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum sfx { S_NONE, S_TOTAL, S_CREATED, S_COUNT, S_SUM, S_BUCKET, S_GCOUNT, S_GSUM, S_INFO, S__N };

static const char *const sfx_text[S__N] = {
    "", "_total", "_created", "_count", "_sum", "_bucket", "_gcount", "_gsum", "_info",
};

/* Sample-name suffixes allowed per family type. */
static unsigned allowed_mask(omp_type t) {
    switch (t) {
    case OMP_TYPE_COUNTER: return 1u << S_TOTAL | 1u << S_CREATED;
    case OMP_TYPE_SUMMARY: return 1u << S_NONE | 1u << S_COUNT | 1u << S_SUM | 1u << S_CREATED;
    case OMP_TYPE_HISTOGRAM: return 1u << S_COUNT | 1u << S_SUM | 1u << S_BUCKET | 1u << S_CREATED;
    case OMP_TYPE_GAUGEHISTOGRAM: return 1u << S_GCOUNT | 1u << S_GSUM | 1u << S_BUCKET;
    case OMP_TYPE_INFO: return 1u << S_INFO;
    default: return 1u << S_NONE;
    }
}

static const unsigned char sfx_len[S__N] = {0, 6, 8, 6, 4, 7, 7, 5, 5};

static int sfx_is(omp_str rest, int i) {
    return memcmp(rest.ptr, sfx_text[i], sfx_len[i]) == 0 ? i : -1;
}

/* By length first: one fixed-size compare instead of a walk over the list. */
static int sfx_of(omp_str rest) {
    if (rest.len == 0)
        return S_NONE;
    if (rest.ptr[0] != '_')
        return -1;
    switch (rest.len) {
    case 4: return sfx_is(rest, S_SUM);
    case 5: return rest.ptr[1] == 'g' ? sfx_is(rest, S_GSUM) : sfx_is(rest, S_INFO);
    case 6: return rest.ptr[1] == 't' ? sfx_is(rest, S_TOTAL) : sfx_is(rest, S_COUNT);
    case 7: return rest.ptr[1] == 'b' ? sfx_is(rest, S_BUCKET) : sfx_is(rest, S_GCOUNT);
    case 8: return sfx_is(rest, S_CREATED);
    default: return -1;
    }
}

int omp__family_set_name(omp__family *f, omp_str name, size_t limit) {
    /* Room for the longest suffix, appended when hashing sample names. */
    int r = omp__grow((void **)&f->name, &f->name_cap, name.len + 16, 1, limit + 16);
    if (r < 0)
        return r;
    memcpy(f->name, name.ptr, name.len);
    f->name[name.len] = '\0';
    f->name_len = name.len;
    return 0;
}

void omp__family_free(omp__family *f) {
    free(f->name);
    f->name = NULL;
    omp__set_free(&f->groups);
}

static bool is_fam(const omp__family *f, omp_str n) {
    return f->active && f->name_len == n.len && memcmp(f->name, n.ptr, n.len) == 0;
}

/* Checks a finished histogram point (one group at one timestamp). */
static int hist_done(omp_parser *p, const char *ls) {
    omp__family *f = &p->fam;
    omp__hist *h = &f->hist;
    const char *why = NULL;
    bool gauge = f->type == OMP_TYPE_GAUGEHISTOGRAM;

    if (!h->active)
        return 0;
    h->active = false;
    if (!h->has_bucket || h->last_le != INFINITY)
        why = "has no +Inf bucket (the last bucket must be le=\"+Inf\")";
    else if (h->has_count && h->last_bucket_value != h->count)
        why =
            gauge ? "_gcount differs from the +Inf bucket" : "_count differs from the +Inf bucket";
    else if (h->has_sum && !h->has_count)
        why = "has _sum without _count";
    else if (h->has_gsum && !h->has_count)
        why = "has _gsum without _gcount";
    else if (!h->has_sum && !h->has_gsum && h->has_count)
        why = gauge ? "has _gcount without _gsum" : "has _count without _sum";
    else if (h->neg_bucket && h->has_sum)
        why = "has _sum although it has negative buckets";
    else if (!h->neg_bucket && h->neg_gsum)
        why = "has a negative _gsum without negative buckets";
    if (why)
        return omp__fail(p, -EBADMSG, ls, ls, "%s %s (point starting on line %u) %s",
                         omp_type_name(f->type), f->name, h->line, why);
    return 0;
}

static int close_family(omp_parser *p, const char *ls) {
    omp__family *f = &p->fam;
    unsigned mask;

    if (!f->active)
        return 0;
    if (f->type == OMP_TYPE_HISTOGRAM || f->type == OMP_TYPE_GAUGEHISTOGRAM)
        if (hist_done(p, ls) < 0)
            return p->err;
    /* Record every sample name the family could produce. */
    mask = allowed_mask(f->type) | 1u << S_NONE;
    for (int i = 0; i < S__N; i++) {
        if (!(mask & 1u << i))
            continue;
        size_t sl = strlen(sfx_text[i]);
        memcpy(f->name + f->name_len, sfx_text[i], sl);
        uint64_t h = omp__hash(f->name, f->name_len + sl, 0);
        f->name[f->name_len] = '\0';
        int r = omp__set_add(&p->names, h);
        if (r == 0)
            return omp__fail(p, -EBADMSG, ls, ls,
                             "metric family %s clashes with an earlier family on the name %s%s",
                             f->name, f->name, sfx_text[i]);
        if (r == -E2BIG)
            return omp__fail(p, r, ls, ls, "more than %zu metric families", p->lim.max_families);
        if (r < 0)
            return omp__fail(p, r, ls, ls, "out of memory");
    }
    f->active = false;
    return 0;
}

static int start_family(omp_parser *p, omp_str name, const char *ls, const char *at) {
    omp__family *f = &p->fam;

    if (close_family(p, ls) < 0)
        return p->err;
    /* Any earlier family recorded this exact name: repeated or clashing. */
    if (omp__set_has(&p->names, omp__hash(name.ptr, name.len, 0)))
        return omp__fail(
            p, -EBADMSG, ls, at,
            "metric family %.*s appears again or clashes with an earlier family (families must not be split or share sample names)",
            (int)(name.len > 200 ? 200 : name.len), name.ptr);
    if (omp__family_set_name(f, name, p->lim.max_line_len) < 0)
        return omp__fail(p, -ENOMEM, ls, at, "out of memory");
    f->type = OMP_TYPE_UNKNOWN;
    f->has_type = f->has_help = f->has_unit = f->has_samples = false;
    f->unit_seen.len = 0;
    f->in_group = false;
    f->hist.active = false;
    omp__set_clear(&f->groups);
    f->active = true;
    f->n_families++;
    return 0;
}

int omp__om_meta(omp_parser *p, omp_entry *e, const char *ls) {
    omp__family *f = &p->fam;
    const char *at = e->family.ptr;

    if (is_fam(f, e->family)) {
        if (f->has_samples)
            return omp__fail(p, -EBADMSG, ls, ls, "metadata for %s after its samples", f->name);
    } else if (start_family(p, e->family, ls, at) < 0) {
        return p->err;
    }
    switch (e->kind) {
    case OMP_HELP:
        if (f->has_help)
            return omp__fail(p, -EBADMSG, ls, ls, "second HELP for %s", f->name);
        f->has_help = true;
        break;
    case OMP_TYPE:
        if (f->has_type)
            return omp__fail(p, -EBADMSG, ls, ls, "second TYPE for %s", f->name);
        f->has_type = true;
        f->type = e->type;
        break;
    case OMP_UNIT:
        if (f->has_unit)
            return omp__fail(p, -EBADMSG, ls, ls, "second UNIT for %s", f->name);
        f->has_unit = true;
        f->unit_seen.len = e->text.len;
        if (e->text.len &&
            !(f->name_len > e->text.len + 1 &&
              memcmp(f->name + f->name_len - e->text.len, e->text.ptr, e->text.len) == 0 &&
              f->name[f->name_len - e->text.len - 1] == '_'))
            return omp__fail(p, -EBADMSG, ls, e->text.ptr,
                             "unit '%.*s' is not the suffix of the metric name %s",
                             (int)(e->text.len > 100 ? 100 : e->text.len), e->text.ptr, f->name);
        break;
    default: break;
    }
    if (f->unit_seen.len && (f->type == OMP_TYPE_INFO || f->type == OMP_TYPE_STATESET))
        return omp__fail(p, -EBADMSG, ls, ls, "%s %s must not have a UNIT", omp_type_name(f->type),
                         f->name);
    e->family = (omp_str){f->name, f->name_len};
    e->type = f->type;
    return 0;
}

static const omp_label *find_label(const omp_entry *e, const char *name, size_t len) {
    /* From the end: le and quantile are usually written last. */
    for (size_t i = e->n_labels; i-- > 0;)
        if (e->labels[i].name.len == len && e->labels[i].name.ptr[0] == name[0] &&
            memcmp(e->labels[i].name.ptr, name, len) == 0)
            return &e->labels[i];
    return NULL;
}

static inline uint64_t ld8(const char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t ld4(const char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* 64x64->128 multiply folded to 64 bits: one instruction mixes 16 bytes. */
static inline uint64_t mum(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)(r >> 64) ^ (uint64_t)r;
#else
    uint64_t h = (a ^ (a >> 29)) * UINT64_C(0xbf58476d1ce4e5b9) ^ b;
    return (h ^ (h >> 32)) * UINT64_C(0x94d049bb133111eb);
#endif
}

/* Hash of one name="value" span, computed for every label of every sample:
 * short spans are most of them, so no loop below 17 bytes and fixed-size
 * (overlapping) loads. A collision can only make a valid document look like
 * it repeats a label set (odds about n^2 / 2^64). */
static inline uint64_t span_hash(const char *p, size_t len) {
    const uint64_t k1 = UINT64_C(0xa0761d6478bd642f), k2 = UINT64_C(0xe7037ed1a0b428db),
                   k3 = UINT64_C(0x8ebc6af09c88c6e3);
    uint64_t a, b, h = k3 ^ len;

    if (len <= 16) {
        if (len >= 8) {
            a = ld8(p);
            b = ld8(p + len - 8);
        } else if (len >= 4) {
            a = ld4(p);
            b = ld4(p + len - 4);
        } else {
            a = len ? (uint64_t)(unsigned char)p[0] << 16 |
                          (uint64_t)(unsigned char)p[len / 2] << 8 | (unsigned char)p[len - 1]
                    : 0;
            b = 0;
        }
    } else {
        size_t i = len;
        while (i > 16) {
            h = mum(ld8(p) ^ k1, ld8(p + 8) ^ h);
            p += 16;
            i -= 16;
        }
        a = ld8(p + i - 16);
        b = ld8(p + i - 8);
    }
    return mum(k2 ^ len, mum(a ^ k1, b ^ h));
}

/* Order-independent hash of the label set without `skip`. */
static uint64_t group_hash(const omp_entry *e, const omp_label *skip) {
    uint64_t g = 0x51ed2701;
    for (size_t i = 0; i < e->n_labels; i++) {
        const omp_label *l = &e->labels[i];
        if (l == skip)
            continue;
        /* name="value" is one contiguous span of the line: hash it once. */
        g += span_hash(l->name.ptr, (size_t)(l->value.ptr + l->value.len - l->name.ptr));
    }
    return g;
}

int omp__om_sample(omp_parser *p, omp_entry *e, const char *ls) {
    omp__family *f = &p->fam;
    int sfx = S_NONE;
    const omp_label *skip = NULL;
    double v = e->value, bucket_le = 0;

    if (f->active && e->name.len >= f->name_len && memcmp(e->name.ptr, f->name, f->name_len) == 0)
        sfx = sfx_of((omp_str){e->name.ptr + f->name_len, e->name.len - f->name_len});
    else
        sfx = -1;
    if (sfx < 0 || !(allowed_mask(f->type) & 1u << sfx)) {
        /* Not this family's: a new family of type unknown. */
        if (start_family(p, e->name, ls, ls) < 0)
            return p->err;
        sfx = S_NONE;
    }
    f->has_samples = true;
    e->family = (omp_str){f->name, f->name_len};
    e->type = f->type;
    e->suffix = (omp_str){e->name.ptr + f->name_len, e->name.len - f->name_len};

    /* Labels each type requires. */
    switch (f->type) {
    case OMP_TYPE_STATESET:
        skip = find_label(e, f->name, f->name_len);
        if (!skip)
            return omp__fail(p, -EBADMSG, ls, ls, "stateset %s sample lacks the label %s", f->name,
                             f->name);
        break;
    case OMP_TYPE_HISTOGRAM:
    case OMP_TYPE_GAUGEHISTOGRAM:
        /* "A Histogram's Metric's LabelSet MUST NOT have a "le" label". */
        if (sfx != S_BUCKET && find_label(e, "le", 2))
            return omp__fail(p, -EBADMSG, ls, ls, "%s: only _bucket samples have the le label",
                             f->name);
        if (sfx == S_BUCKET) {
            skip = find_label(e, "le", 2);
            if (!skip)
                return omp__fail(p, -EBADMSG, ls, ls, "%s_bucket sample lacks the le label",
                                 f->name);
            if (omp__label_float(skip->value, &bucket_le) < 0)
                return omp__fail(p, -EBADMSG, ls, skip->value.ptr,
                                 "invalid le value (a number, or +Inf)");
        }
        break;
    case OMP_TYPE_SUMMARY:
        if (sfx != S_NONE && find_label(e, "quantile", 8))
            return omp__fail(p, -EBADMSG, ls, ls,
                             "%s: only quantile samples have the quantile label", f->name);
        if (sfx == S_NONE) {
            double q;
            skip = find_label(e, "quantile", 8);
            if (!skip)
                return omp__fail(p, -EBADMSG, ls, ls, "summary %s sample lacks the quantile label",
                                 f->name);
            if (omp__label_float(skip->value, &q) < 0 || !(q >= 0 && q <= 1))
                return omp__fail(p, -EBADMSG, ls, skip->value.ptr,
                                 "invalid quantile (a number from 0 to 1)");
        }
        break;
    default: break;
    }

    /* Grouping: the samples of one label set (minus le/quantile/state) are
	 * contiguous, and timestamps within it do not go back. */
    uint64_t g = f->type == OMP_TYPE_INFO ? 0 : group_hash(e, skip);
    bool same = f->in_group && f->group == g;
    bool hist = f->type == OMP_TYPE_HISTOGRAM || f->type == OMP_TYPE_GAUGEHISTOGRAM;
    if (same) {
        if (e->has_timestamp != f->group_has_ts)
            return omp__fail(p, -EBADMSG, ls, ls,
                             "samples of one metric point mix timestamps and no timestamps");
        if (e->has_timestamp && e->timestamp < f->group_ts && f->type != OMP_TYPE_INFO)
            return omp__fail(p, -EBADMSG, ls, ls, "timestamp goes backwards within a series");
    } else {
        int r;
        if (f->in_group && omp__set_has(&f->groups, g))
            return omp__fail(
                p, -EBADMSG, ls, ls,
                "label set seen earlier in family %s: samples of one metric must be grouped together",
                f->name);
        r = omp__set_add(&f->groups, g);
        if (r == -E2BIG)
            return omp__fail(p, r, ls, ls, "more than %zu label sets in family %s",
                             p->lim.max_groups, f->name);
        if (r < 0)
            return omp__fail(p, r, ls, ls, "out of memory");
        f->in_group = true;
        f->group = g;
        f->suffix_seen = 0;
    }
    if (hist && (!same || e->has_timestamp != f->group_has_ts ||
                 (e->has_timestamp && e->timestamp != f->group_ts))) {
        if (hist_done(p, ls) < 0)
            return p->err;
        memset(&f->hist, 0, sizeof(f->hist));
        f->hist.active = true;
        f->hist.line = p->line;
        f->hist.last_le = -INFINITY;
        f->suffix_seen = 0;
    }
    if (same && e->has_timestamp && e->timestamp != f->group_ts)
        f->suffix_seen = 0;
    f->group_has_ts = e->has_timestamp;
    f->group_ts = e->timestamp;

    /* A sample name repeated within one point with the same labels. */
    if (!skip && f->type != OMP_TYPE_INFO && f->type != OMP_TYPE_STATESET) {
        if (f->suffix_seen & 1u << sfx && !e->has_timestamp)
            return omp__fail(p, -EBADMSG, ls, ls, "duplicate sample %.*s for one label set",
                             (int)(e->name.len > 200 ? 200 : e->name.len), e->name.ptr);
        f->suffix_seen |= 1u << sfx;
    }

    if (hist) {
        omp__hist *h = &f->hist;
        if (sfx == S_BUCKET) {
            double le = bucket_le;
            if (h->has_bucket && le <= h->last_le)
                return omp__fail(p, -EBADMSG, ls, skip->value.ptr,
                                 "buckets out of order (le must increase)");
            if (v < h->last_bucket_value)
                return omp__fail(p, -EBADMSG, ls, e->value_text.ptr,
                                 "bucket values decrease (buckets are cumulative)");
            if (le < 0)
                h->neg_bucket = true;
            h->has_bucket = true;
            h->last_le = le;
            h->last_bucket_value = v;
        } else if (sfx == S_COUNT || sfx == S_GCOUNT) {
            h->has_count = true;
            h->count = v;
        } else if (sfx == S_SUM) {
            h->has_sum = true;
        } else if (sfx == S_GSUM) {
            h->has_gsum = true;
            if (v < 0)
                h->neg_gsum = true;
        }
    }

    /* Values. */
    if (f->type == OMP_TYPE_INFO && v != 1)
        return omp__fail(p, -EBADMSG, ls, e->value_text.ptr, "info sample value must be 1");
    if (f->type == OMP_TYPE_STATESET && v != 0 && v != 1)
        return omp__fail(p, -EBADMSG, ls, e->value_text.ptr,
                         "stateset sample value must be 0 or 1");
    if (f->type == OMP_TYPE_SUMMARY && sfx == S_NONE && v < 0)
        return omp__fail(p, -EBADMSG, ls, e->value_text.ptr, "quantile value must not be negative");
    if (sfx == S_TOTAL || sfx == S_SUM || sfx == S_COUNT || sfx == S_BUCKET || sfx == S_GCOUNT ||
        sfx == S_GSUM) {
        if (isnan(v))
            return omp__fail(p, -EBADMSG, ls, e->value_text.ptr, "%s value must not be NaN",
                             sfx_text[sfx]);
        if (v < 0 && sfx != S_GSUM)
            return omp__fail(p, -EBADMSG, ls, e->value_text.ptr, "%s value must not be negative",
                             sfx_text[sfx]);
        /* "Count and bucket values MUST be integers" (by value: 1.0 is one;
		 * +Inf is none). */
        if ((sfx == S_BUCKET || sfx == S_COUNT || sfx == S_GCOUNT) &&
            !(isfinite(v) && v == floor(v)))
            return omp__fail(p, -EBADMSG, ls, e->value_text.ptr, "%s value must be an integer",
                             sfx_text[sfx]);
    }
    /* A bucket counts the values up to its le: its exemplar is one of them. */
    if (e->has_exemplar && sfx == S_BUCKET && hist && e->exemplar_value > bucket_le)
        return omp__fail(p, -EBADMSG, ls, ls, "exemplar value above the bucket's le");
    if (e->has_exemplar &&
        !((hist && sfx == S_BUCKET) || (f->type == OMP_TYPE_COUNTER && sfx == S_TOTAL)))
        return omp__fail(
            p, -EBADMSG, ls, ls,
            "exemplars are only allowed on counter _total and histogram _bucket samples");
    return 0;
}

int omp__om_end(omp_parser *p, const char *ls, bool at_eof_line) {
    if (close_family(p, ls) < 0)
        return p->err;
    if (!at_eof_line && !p->seen_eof)
        return omp__fail(p, -EBADMSG, ls, ls, "missing '# EOF' at the end");
    return 0;
}

/* Prometheus 0.0.4 keeps metadata per family name over the whole document,
 * as Prometheus' own text parser does: one HELP and one TYPE per family, and
 * TYPE only before the family's first sample. The flags live in p->names as
 * hashes of the name under two seeds. */
enum { PROM_HELP_SEEN = 1, PROM_TYPE_FIXED = 2 };

static int prom_mark(omp_parser *p, const char *ls, omp_str name, uint64_t seed) {
    int r = omp__set_add(&p->names, omp__hash(name.ptr, name.len, seed));
    if (r == -E2BIG)
        return omp__fail(p, r, ls, ls, "more than %zu metric families", p->lim.max_families);
    if (r < 0)
        return omp__fail(p, r, ls, ls, "out of memory");
    return r;
}

int omp__prom_meta(omp_parser *p, omp_entry *e, const char *ls) {
    omp__family *f = &p->fam;
    int r = 0;

    if (!is_fam(f, e->family)) {
        if (omp__family_set_name(f, e->family, p->lim.max_line_len) < 0) {
            f->active = false;
            return omp__fail(p, -ENOMEM, ls, ls, "out of memory");
        }
        f->type = OMP_TYPE_UNTYPED;
        f->active = true;
        f->prom_fixed = false;
    }
    if (e->kind == OMP_HELP) {
        r = prom_mark(p, ls, e->family, PROM_HELP_SEEN);
        if (r == 0)
            return omp__fail(p, -EBADMSG, ls, ls, "second HELP for %s", f->name);
    } else if (e->kind == OMP_TYPE) {
        r = prom_mark(p, ls, e->family, PROM_TYPE_FIXED);
        if (r == 0)
            return omp__fail(p, -EBADMSG, ls, ls, "second TYPE for %s, or TYPE after its samples",
                             f->name);
        f->type = e->type;
        /* The TYPE line fixed it: its samples need not mark it again. */
        f->prom_fixed = true;
    }
    if (r < 0)
        return r;
    e->type = f->type;
    return 0;
}

int omp__prom_sample(omp_parser *p, omp_entry *e, const char *ls) {
    omp__family *f = &p->fam;
    size_t n = f->name_len;
    omp_str rest;
    int s;
    bool ok;

    e->family = e->name;
    e->type = OMP_TYPE_UNTYPED;
    if (!f->active || e->name.len < n || memcmp(e->name.ptr, f->name, n) != 0)
        goto untyped;
    rest = (omp_str){e->name.ptr + n, e->name.len - n};
    s = sfx_of(rest);
    ok = s == S_NONE;
    if (f->type == OMP_TYPE_HISTOGRAM)
        ok = s == S_BUCKET || s == S_SUM || s == S_COUNT;
    else if (f->type == OMP_TYPE_SUMMARY)
        ok = s == S_NONE || s == S_SUM || s == S_COUNT;
    if (!ok)
        goto untyped;
    e->family = (omp_str){f->name, n};
    e->type = f->type;
    e->suffix = rest;
    /* A sample fixes its family's type (untyped when no TYPE came first). */
    if (!f->prom_fixed) {
        if (prom_mark(p, ls, e->family, PROM_TYPE_FIXED) < 0)
            return p->err;
        f->prom_fixed = true;
    }
    if (f->type == OMP_TYPE_SUMMARY || f->type == OMP_TYPE_HISTOGRAM) {
        bool sum = f->type == OMP_TYPE_SUMMARY;
        const omp_label *l = sum ? find_label(e, "quantile", 8) : find_label(e, "le", 2);
        double v;
        if (l && omp__label_float(l->value, &v) < 0)
            return omp__fail(p, -EBADMSG, ls, l->value.ptr, "invalid %s value (a number%s)",
                             sum ? "quantile" : "le", sum ? "" : ", or +Inf");
    }
    return 0;
untyped:
    return prom_mark(p, ls, e->family, PROM_TYPE_FIXED) < 0 ? p->err : 0;
}
