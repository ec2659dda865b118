/* Hot-path updates of series. A counting series (counter, summary, histogram)
 * has a shared cell, updated with relaxed locked atomics, and an owner cell
 * that the first thread to update the series claims and then updates with
 * plain relaxed loads and stores: the common single-writer case pays no
 * locked instruction. Sharded series spread threads over per-thread slots. */
#include <math.h>
#include <string.h>

#include "internal.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

static atomic_uint next_shard;
static _Atomic uint64_t next_token = 1;
/* initial-exec: one %fs-relative load, no __tls_get_addr call from the shared library */
static _Thread_local unsigned my_shard
    __attribute__((tls_model("initial-exec"))); /* shard index + 1; 0 = not chosen yet */
/* This thread's token << 8 (0 = not drawn yet): equals the owner word of the
 * counters it owns, and differs in the low byte only for its other series. */
static _Thread_local uint64_t my_key __attribute__((tls_model("initial-exec")));

unsigned omx__shard_index(void) {
    unsigned i = my_shard;
    if (__builtin_expect(i == 0, 0)) {
        i = atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % OMX__NSHARDS + 1;
        my_shard = i;
    }
    return i - 1;
}

/* Whether this thread owns s's owner cell (one compare: owner and type). */
static inline bool owns(const omx_series *s, uint64_t type) {
    return atomic_load_explicit(&s->owner, memory_order_relaxed) == (my_key | type);
}

/* The cell this thread updates when it does not own the series yet: claims
 * the owner cell if nobody has, else the shared or this thread's shard cell.
 * *ret_own tells whether it may skip locked atomics. */
static inline __attribute__((always_inline)) _Atomic uint64_t *cell_slow(omx_series *s,
                                                                         bool *ret_own) {
    if (s->nshards == OMX__NSHARDS) { /* first: it is the sharded families' every update */
        *ret_own = false;
        return s->cells + (size_t)omx__shard_index() * s->stride;
    }
    uint64_t w = atomic_load_explicit(&s->owner, memory_order_relaxed);
    if (w & OMX__OWNER_FREE) {
        if (my_key == 0)
            my_key = atomic_fetch_add_explicit(&next_token, 1, memory_order_relaxed) << 8;
        uint64_t want = my_key | s->type;
        if (atomic_compare_exchange_strong_explicit(&s->owner, &w, want, memory_order_relaxed,
                                                    memory_order_relaxed) ||
            w == want) {
            *ret_own = true;
            return s->own;
        }
    } else if (w == (my_key | s->type)) {
        *ret_own = true;
        return s->own;
    }
    *ret_own = false;
    return s->cells;
}

static inline _Atomic uint64_t *cell(omx_series *s, bool *ret_own) {
    if (__builtin_expect(owns(s, s->type), 1)) {
        *ret_own = true;
        return s->own;
    }
    return cell_slow(s, ret_own);
}

static inline uint64_t d2u(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static inline double u2d(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static inline void add_double(_Atomic uint64_t *p, double v) {
    uint64_t old = atomic_load_explicit(p, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(p, &old, d2u(u2d(old) + v), memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

/* Adds to a word of a cell: a plain read-modify-write in the owner cell. */
static inline void cell_add_u64(_Atomic uint64_t *p, uint64_t v, bool own) {
    if (own)
        atomic_store_explicit(p, atomic_load_explicit(p, memory_order_relaxed) + v,
                              memory_order_relaxed);
    else
        atomic_fetch_add_explicit(p, v, memory_order_relaxed);
}

static inline void cell_add_double(_Atomic uint64_t *p, double v, bool own) {
    if (own)
        atomic_store_explicit(p, d2u(u2d(atomic_load_explicit(p, memory_order_relaxed)) + v),
                              memory_order_relaxed);
    else
        add_double(p, v);
}

/* Out of line so the owner's path below is a few instructions with nothing
 * spilled: NULL and wrong-type handles, the claim, shared and shard cells. */
static __attribute__((noinline)) void counter_inc_slow(omx_series *s) {
    if (!s || s->type != OMX_COUNTER)
        return;
    bool own;
    _Atomic uint64_t *c = cell_slow(s, &own);
    cell_add_u64(c, 1, own);
}

void omx_counter_inc(omx_series *s) {
    if (__builtin_expect(s != NULL, 1) && __builtin_expect(owns(s, OMX_COUNTER), 1)) {
        _Atomic uint64_t *c = s->own;
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        return;
    }
    counter_inc_slow(s);
}

static void counter_add(omx_series *s, double v) {
    bool own;
    _Atomic uint64_t *c = cell(s, &own);
    if (v < 9007199254740992.0 && v == (double)(uint64_t)v)
        cell_add_u64(&c[0], (uint64_t)v, own);
    else
        cell_add_double(&c[1], v, own);
}

int omx_counter_add(omx_series *s, double v) {
    if (!s)
        return OMX_EINVAL;
    if (s->type != OMX_COUNTER)
        return OMX_ETYPE;
    if (!(v >= 0))
        return OMX_EVALUE;
    counter_add(s, v);
    return 0;
}

static inline bool gauge_like(const omx_series *s) {
    return s && (s->type == OMX_GAUGE || s->type == OMX_UNKNOWN);
}

void omx_gauge_set(omx_series *s, double v) {
    if (gauge_like(s))
        atomic_store_explicit(&s->cells[0], d2u(v), memory_order_relaxed);
}

void omx_gauge_add(omx_series *s, double v) {
    if (gauge_like(s))
        add_double(&s->cells[0], v);
}

void omx_gauge_inc(omx_series *s) { omx_gauge_add(s, 1); }

void omx_gauge_dec(omx_series *s) { omx_gauge_add(s, -1); }

static inline size_t bucket_index(const omx_series *s, double v) {
    size_t n = (size_t)s->nb - 1; /* finite bounds */
    const double *b = s->bounds;
    if (__builtin_expect(n <= 16, 1)) { /* branch-free count of bounds below v */
        size_t i = 0, k = 0;
#if defined(__SSE2__) && defined(__x86_64__)
        /* two bounds per SSE2 compare (x86-64 baseline): an all-ones lane is -1 */
        __m128d vv = _mm_set1_pd(v);
        __m128i acc = _mm_setzero_si128();
        for (; k + 2 <= n; k += 2)
            acc = _mm_sub_epi64(acc, _mm_castpd_si128(_mm_cmplt_pd(_mm_loadu_pd(b + k), vv)));
        i = (size_t)_mm_cvtsi128_si64(acc) +
            (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc));
#endif
        for (; k < n; k++)
            i += v > b[k];
        return i;
    }
    size_t lo = 0, hi = n; /* first i with v <= b[i], n if none */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v > b[mid])
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static inline bool hist_like(const omx_series *s) {
    return s->type == OMX_HISTOGRAM || s->type == OMX_GAUGEHISTOGRAM;
}

static inline __attribute__((always_inline)) void observe_cell(omx_series *s, _Atomic uint64_t *c,
                                                               double v, bool own) {
    size_t nb = s->nb; /* read before the stores, which may alias s for the compiler */
    cell_add_u64(&c[bucket_index(s, v)], 1, own);
    cell_add_double(&c[nb], v, own);
}

static __attribute__((noinline)) int histogram_observe_slow(omx_series *s, double v) {
    if (!s)
        return OMX_EINVAL;
    if (!hist_like(s))
        return OMX_ETYPE;
    if (isnan(v))
        return OMX_EVALUE;
    bool own;
    _Atomic uint64_t *c = cell_slow(s, &own);
    observe_cell(s, c, v, own);
    return 0;
}

_Static_assert(OMX_HISTOGRAM == 2 && OMX_GAUGEHISTOGRAM == 6, "types differing in bit 2 only");

int omx_histogram_observe(omx_series *s, double v) {
    if (__builtin_expect(s != NULL && !isnan(v), 1)) {
        /* owned by this thread and a histogram or gaugehistogram (types 2, 6) */
        uint64_t w = atomic_load_explicit(&s->owner, memory_order_relaxed) ^ my_key;
        if (__builtin_expect((w | 4) == (OMX_HISTOGRAM | 4), 1)) {
            observe_cell(s, s->own, v, true);
            return 0;
        }
    }
    return histogram_observe_slow(s, v);
}

int omx_summary_observe(omx_series *s, double v) {
    if (!s)
        return OMX_EINVAL;
    if (s->type != OMX_SUMMARY)
        return OMX_ETYPE;
    if (isnan(v))
        return OMX_EVALUE;
    bool own;
    _Atomic uint64_t *c = cell(s, &own);
    cell_add_u64(&c[0], 1, own);
    cell_add_double(&c[1], v, own);
    return 0;
}

int omx_stateset_set(omx_series *s, size_t state, bool on) {
    if (!s)
        return OMX_EINVAL;
    if (s->type != OMX_STATESET)
        return OMX_ETYPE;
    if (state >= s->fam->n_states)
        return OMX_EINVAL;
    uint64_t bit = (uint64_t)1 << state;
    if (on)
        atomic_fetch_or_explicit(&s->cells[0], bit, memory_order_relaxed);
    else
        atomic_fetch_and_explicit(&s->cells[0], ~bit, memory_order_relaxed);
    return 0;
}

double omx_series_value(const omx_series *s) {
    if (!s)
        return NAN;
    _Atomic uint64_t *c = s->cells;
    switch ((omx_type)s->type) {
    case OMX_COUNTER: {
        uint64_t iv = 0;
        double dv = 0;
        for (size_t i = 0; i < s->nshards; i++) {
            iv += atomic_load_explicit(&c[i * s->stride], memory_order_relaxed);
            dv += u2d(atomic_load_explicit(&c[i * s->stride + 1], memory_order_relaxed));
        }
        return (double)iv + dv;
    }
    case OMX_GAUGE:
    case OMX_UNKNOWN: return u2d(atomic_load_explicit(&c[0], memory_order_relaxed));
    case OMX_INFO: return 1;
    case OMX_STATESET: return (double)atomic_load_explicit(&c[0], memory_order_relaxed);
    case OMX_SUMMARY:
    case OMX_HISTOGRAM:
    case OMX_GAUGEHISTOGRAM: {
        uint64_t n = 0;
        for (size_t i = 0; i < s->nshards; i++) {
            if (s->type == OMX_SUMMARY)
                n += atomic_load_explicit(&c[i * s->stride], memory_order_relaxed);
            else
                for (size_t b = 0; b < s->nb; b++)
                    n += atomic_load_explicit(&c[i * s->stride + b], memory_order_relaxed);
        }
        return (double)n;
    }
    }
    return NAN;
}

/* ---- exemplars ---- */

static void ex_lock(omx__exemplar *ex) {
    while (atomic_flag_test_and_set_explicit(&ex->lock, memory_order_acquire))
        ;
}

static void ex_unlock(omx__exemplar *ex) {
    atomic_flag_clear_explicit(&ex->lock, memory_order_release);
}

bool omx__exemplar_read(omx__exemplar *ex, omx__exemplar *ret_copy) {
    ex_lock(ex);
    bool set = ex->set;
    if (set) {
        ret_copy->value = ex->value;
        ret_copy->ts = ex->ts;
        ret_copy->len = ex->len;
        memcpy(ret_copy->labels, ex->labels, ex->len + 1);
    }
    ex_unlock(ex);
    ret_copy->set = set;
    return set;
}

/* Validates and renders exemplar labels into tmp. */
static int exemplar_render(omx__exemplar *tmp, double v, const char *const *names,
                           const char *const *values, size_t n, double ts) {
    if (n && (!names || !values))
        return OMX_EINVAL;
    if (!isnan(ts) && !isfinite(ts))
        return OMX_EVALUE;
    size_t chars = 0;
    omx_buf b;
    omx_buf_init(&b, sizeof tmp->labels);
    int rc = omx_buf_append(&b, "", 0);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!names[i] || !values[i]) {
            rc = OMX_EINVAL;
            break;
        }
        if (!omx_label_name_valid(names[i])) {
            rc = OMX_ELABEL;
            break;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                rc = OMX_ELABEL;
        if (rc)
            break;
        if (!omx__utf8_valid(values[i], strlen(values[i]))) {
            rc = OMX_EINVAL;
            break;
        }
        chars += omx__utf8_chars(names[i]) + omx__utf8_chars(values[i]);
        if (chars > OMX__EXEMPLAR_CHARS) {
            rc = OMX_ELIMIT;
            break;
        }
        if ((i && (rc = omx_buf_append(&b, ",", 1)) < 0) ||
            (rc = omx_buf_append(&b, names[i], strlen(names[i]))) < 0 ||
            (rc = omx_buf_append(&b, "=\"", 2)) < 0 ||
            (rc = omx__escape_label(&b, values[i])) < 0 || (rc = omx_buf_append(&b, "\"", 1)) < 0)
            break;
    }
    if (rc == 0) {
        memcpy(tmp->labels, b.data, b.len + 1);
        tmp->len = (uint16_t)b.len;
        tmp->value = v;
        tmp->ts = ts;
    }
    omx_buf_free(&b);
    return rc < 0 ? (rc == OMX_ENOMEM ? OMX_ENOMEM : rc) : 0;
}

/* The exemplar slots of s (allocated on first use). */
static omx__exemplar *exemplar_slots(omx_series *s, size_t n) {
    omx__exemplar *ex = atomic_load_explicit(&s->ex, memory_order_acquire);
    if (ex)
        return ex;
    omx__exemplar *fresh = omx__calloc(n, sizeof *fresh);
    if (!fresh)
        return NULL;
    for (size_t i = 0; i < n; i++)
        atomic_flag_clear(&fresh[i].lock);
    if (!atomic_compare_exchange_strong_explicit(&s->ex, &ex, fresh, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        omx__free(fresh);
        return ex;
    }
    return fresh;
}

static void exemplar_store(omx__exemplar *slot, const omx__exemplar *tmp) {
    ex_lock(slot);
    slot->value = tmp->value;
    slot->ts = tmp->ts;
    slot->len = tmp->len;
    memcpy(slot->labels, tmp->labels, tmp->len + 1);
    slot->set = true;
    ex_unlock(slot);
}

int omx_counter_add_exemplar(omx_series *s, double v, const char *const *names,
                             const char *const *values, size_t n, double ts) {
    if (!s)
        return OMX_EINVAL;
    if (s->type != OMX_COUNTER)
        return OMX_ETYPE;
    if (!(v >= 0))
        return OMX_EVALUE;
    omx__exemplar tmp;
    int rc = exemplar_render(&tmp, v, names, values, n, ts);
    if (rc < 0)
        return rc;
    omx__exemplar *slot = exemplar_slots(s, 1);
    if (!slot)
        return OMX_ENOMEM;
    counter_add(s, v);
    exemplar_store(slot, &tmp);
    return 0;
}

int omx_histogram_observe_exemplar(omx_series *s, double v, const char *const *names,
                                   const char *const *values, size_t n, double ts) {
    if (!s)
        return OMX_EINVAL;
    if (!hist_like(s))
        return OMX_ETYPE;
    if (isnan(v))
        return OMX_EVALUE;
    omx__exemplar tmp;
    int rc = exemplar_render(&tmp, v, names, values, n, ts);
    if (rc < 0)
        return rc;
    omx__exemplar *slots = exemplar_slots(s, s->nb);
    if (!slots)
        return OMX_ENOMEM;
    size_t i = bucket_index(s, v);
    bool own;
    _Atomic uint64_t *c = cell(s, &own);
    cell_add_u64(&c[i], 1, own);
    cell_add_double(&c[s->nb], v, own);
    exemplar_store(&slots[i], &tmp);
    return 0;
}
