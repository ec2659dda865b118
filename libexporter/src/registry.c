/* The registry, its families and their series tables.
 *
 * Each family keeps its series in an open-addressing hash table of atomic
 * pointers: lookups of existing label sets read it without a lock and allocate
 * nothing; inserts, removals and resizes take the family mutex.
 *
 * Lock-free readers (a lookup's probe, a scrape walking the live list) run in
 * read sections (reclaim.c). A removed series, and a table replaced by a larger
 * one, is unlinked under the lock, put in the family's limbo with an epoch tag
 * and freed once no read section can still see it; so memory follows the live
 * series, not the series ever created. Update functions take no section: a
 * handle dies with its series (the contract is in registry.h).
 *
 * A rebuild at the same size (too many tombstones) and omx_family_clear()
 * rewrite the current table in place under the lock. A reader racing with such
 * a rewrite sees only NULL, TOMB or series pointers that its section keeps
 * allocated, compares hash and values before trusting a hit, and treats a miss
 * as "maybe absent": it then takes the lock in insert_slow() and looks again,
 * so a false miss costs a lock, never a wrong or duplicate series.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const double default_buckets[] = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};

omx_registry *omx_registry_new(void) {
    omx_registry *r = omx__calloc(1, sizeof *r);
    if (!r)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

static void free_strv(char **v, size_t n) {
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        omx__free(v[i]);
    omx__free(v);
}

static void series_free(omx_series *s) {
    omx__free(atomic_load_explicit(&s->ex, memory_order_relaxed));
    omx__free(s); /* cells, values and labels live in the same block */
}

static void family_free(omx_family *f) {
    for (omx_series *s = atomic_load_explicit(&f->head, memory_order_relaxed), *n; s; s = n) {
        n = atomic_load_explicit(&s->next, memory_order_relaxed);
        series_free(s);
    }
    for (omx_series *s = f->limbo, *n; s; s = n) {
        n = s->limbo_next;
        series_free(s);
    }
    omx__free(atomic_load_explicit(&f->table, memory_order_relaxed));
    for (omx__table *t = f->retired, *n; t; t = n) {
        n = t->retired_next;
        omx__free(t);
    }
    pthread_mutex_destroy(&f->lock);
    omx__free(f->name);
    omx__free(f->help);
    omx__free(f->unit);
    free_strv(f->label_names, f->n_labels);
    free_strv(f->states, f->n_states);
    omx__free(f->bounds);
    omx__free(f->le_prom);
    omx__free(f->le_om);
    omx__free(f);
}

omx_registry *omx_registry_free(omx_registry *r) {
    if (!r)
        return NULL;
    /* a collector call abandoned at a scrape deadline still uses r: wait a
     * while, then keep r allocated rather than free it under that call */
    if (!omx__run_wait_stuck(r, OMX__STUCK_WAIT_NS))
        return NULL;
    for (omx_family *f = atomic_load(&r->fam_head), *n; f; f = n) {
        n = atomic_load(&f->next);
        family_free(f);
    }
    for (omx__collector *c = atomic_load(&r->col_head), *n; c; c = n) {
        n = atomic_load(&c->next);
        if (c->free_userdata)
            c->free_userdata(c->userdata);
        omx__free(c->name);
        omx__free(c);
    }
    omx__free(r->stats_prefix);
    pthread_mutex_destroy(&r->lock);
    omx__free(r);
    return NULL;
}

/* ---- label-set hashing (word at a time; values are short) ---- */

static inline uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static inline uint64_t load32(const char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
    __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#define OMX_BYTEWISE_STRLEN 1 /* see short_strlen */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define OMX_BYTEWISE_STRLEN 1
#endif
#endif

/* strlen without a call for the short values label sets mostly have: 8 bytes
 * at a time while the load stays in v's page (it cannot fault; bytes past the
 * NUL only feed bits above the first zero found, on little-endian CPUs).
 * Sanitizers would report those bytes, so their builds go byte by byte. */
static inline size_t short_strlen(const char *v) {
#ifndef OMX_BYTEWISE_STRLEN
    for (size_t k = 0; k < 16; k += 8) {
        if (((uintptr_t)(v + k) & 4095) > 4096 - 8)
            break;
        uint64_t w;
        memcpy(&w, v + k, 8);
        uint64_t z = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
        if (z)
            return k + ((size_t)__builtin_ctzll(z) >> 3);
        if (k == 8)
            return 16 + strlen(v + 16);
    }
#endif
    for (size_t k = 0; k < 16; k++)
        if (!v[k])
            return k;
    return 16 + strlen(v + 16);
}

/* Equality of len bytes, like the hash: whole words, overlapping at the ends. */
static inline bool bytes_eq(const char *a, const char *b, size_t len) {
    if (len >= 8) {
        uint64_t x, y;
        for (size_t k = 0; k + 8 < len; k += 8) {
            memcpy(&x, a + k, 8);
            memcpy(&y, b + k, 8);
            if (x != y)
                return false;
        }
        memcpy(&x, a + len - 8, 8);
        memcpy(&y, b + len - 8, 8);
        return x == y;
    }
    if (len >= 4)
        return load32(a) == load32(b) && load32(a + len - 4) == load32(b + len - 4);
    /* 1-3 bytes: first, middle and last cover them all */
    return len == 0 || (a[0] == b[0] && a[len / 2] == b[len / 2] && a[len - 1] == b[len - 1]);
}

/* Inlined with table_find into omx_family_get: the lookup is a handful of
 * loads, and the calls' register spills were a fifth of its time. */
#define OMX_HOT static inline __attribute__((always_inline))

/* Hashes the label values (8 bytes per multiply; short values with two
 * overlapping loads) and stores their lengths in lens. */
OMX_HOT int hash_values(const char *const *vals, size_t n, uint32_t *lens, uint64_t *ret) {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (size_t i = 0; i < n; i++) {
        const char *v = vals[i];
        if (!v)
            return OMX_EINVAL;
        size_t len = short_strlen(v);
        if (len > UINT32_MAX)
            return OMX_EINVAL;
        lens[i] = (uint32_t)len;
        uint64_t w;
        if (len >= 8) {
            size_t k = 0;
            for (; k + 8 < len; k += 8) {
                memcpy(&w, v + k, 8);
                h = (h ^ w) * 0x9fb21c651e98df25ULL;
                h ^= h >> 29;
            }
            memcpy(&w, v + len - 8, 8); /* overlapping tail */
        } else if (len >= 4) {
            w = load32(v) | load32(v + len - 4) << 32;
        } else if (len > 0) {
            w = (uint64_t)(unsigned char)v[0] << 16 | (uint64_t)(unsigned char)v[len / 2] << 8 |
                (unsigned char)v[len - 1];
        } else {
            w = 0;
        }
        h = (h ^ w ^ ((uint64_t)len << 56)) * 0x9fb21c651e98df25ULL;
        h ^= h >> 29;
    }
    *ret = mix(h);
    return 0;
}

static inline bool values_eq(const omx_series *s, const char *const *vals, const uint32_t *lens,
                             size_t n) {
    const uint32_t *vlen = omx__series_vlen(s);
    const char *v = (const char *)(vlen + n);
    for (size_t i = 0; i < n; v += lens[i] + 1, i++) {
        if (vlen[i] != lens[i])
            return false;
        if (!bytes_eq(v, vals[i], lens[i]))
            return false;
    }
    return true;
}

OMX_HOT omx_series *table_find(omx__table *t, uint64_t h, const char *const *vals,
                               const uint32_t *lens, size_t n) {
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        omx_series *s = atomic_load_explicit(&t->slots[i], memory_order_acquire);
        if (!s)
            return NULL;
        if (s != OMX__TOMB && s->hash == h && values_eq(s, vals, lens, n))
            return s;
    }
}

static omx__table *table_new(size_t cap) {
    omx__table *t = omx__calloc(1, sizeof *t + cap * sizeof(t->slots[0]));
    if (t)
        t->mask = cap - 1;
    return t;
}

/* Places s in t (caller holds the lock and knows s is absent). Returns true
 * when a never-used slot was taken. */
static bool table_place(omx__table *t, omx_series *s) {
    for (size_t i = s->hash & t->mask;; i = (i + 1) & t->mask) {
        omx_series *o = atomic_load_explicit(&t->slots[i], memory_order_relaxed);
        if (!o || o == OMX__TOMB) {
            atomic_store_explicit(&t->slots[i], s, memory_order_release);
            return o == NULL;
        }
    }
}

/* Empties t in place (caller holds the lock; see the top comment for readers). */
static void table_wipe(omx__table *t) {
    for (size_t i = 0; i <= t->mask; i++)
        atomic_store_explicit(&t->slots[i], NULL, memory_order_release);
}

/* ---- reclamation (caller holds the family lock) ---- */

/* Retirements between two attempts to advance the epoch: an attempt costs a
 * membarrier(2), a removal costs a mutex, so this keeps the attempts a small
 * part of the removals while bounding the limbo to a few batches. */
#define RECLAIM_BATCH 32

/* Frees what no read section can see any more; every RECLAIM_BATCH
 * retirements first tries to advance the epoch (never waits for readers). */
static void family_reclaim(omx_family *f, size_t retired) {
    if ((f->retire_count += retired) < RECLAIM_BATCH)
        return;
    f->retire_count = 0;
    omx__epoch_advance();
    while (f->limbo && omx__epoch_safe(f->limbo->limbo_tag)) {
        omx_series *s = f->limbo;
        f->limbo = s->limbo_next;
        f->limbo_n--;
        series_free(s);
    }
    if (!f->limbo)
        f->limbo_tail = NULL;
    while (f->retired && omx__epoch_safe(f->retired->retired_tag)) {
        omx__table *t = f->retired;
        f->retired = t->retired_next;
        omx__free(t);
    }
    if (!f->retired)
        f->retired_tail = NULL;
}

/* Queues unlinked series (a chain through limbo_next, first..last) for freeing. */
static void retire_series(omx_family *f, omx_series *first, omx_series *last, size_t n) {
    uint64_t tag = omx__epoch_tag();
    for (omx_series *s = first;; s = s->limbo_next) {
        s->limbo_tag = tag;
        if (s == last)
            break;
    }
    last->limbo_next = NULL;
    if (f->limbo_tail)
        f->limbo_tail->limbo_next = first;
    else
        f->limbo = first;
    f->limbo_tail = last;
    f->limbo_n += n;
    family_reclaim(f, n);
}

static void retire_table(omx_family *f, omx__table *t) {
    t->retired_tag = omx__epoch_tag();
    t->retired_next = NULL;
    if (f->retired_tail)
        f->retired_tail->retired_next = t;
    else
        f->retired = t;
    f->retired_tail = t;
    f->grown++;
}

/* Keeps the load (tombstones included) at most 1/2 so probes stay short and
 * there is always a free slot. Caller holds the lock. */
static int table_reserve(omx_family *f) {
    omx__table *t = atomic_load_explicit(&f->table, memory_order_relaxed);
    if ((f->used + 1) * 2 <= t->mask + 1)
        return 0;
    size_t live = atomic_load_explicit(&f->live, memory_order_relaxed);
    size_t cap = 16;
    while (cap < (live + 1) * 4)
        cap *= 2;
    omx__table *nt = cap <= t->mask + 1 ? NULL : table_new(cap);
    if (!nt) {
        /* Mostly tombstones (or no memory to grow while still at most 1/2
         * live): rebuild the current table in place, nothing retired. */
        if ((live + 1) * 2 > t->mask + 1)
            return OMX_ENOMEM;
        table_wipe(t);
        size_t used = 0;
        for (omx_series *s = atomic_load_explicit(&f->head, memory_order_relaxed); s;
             s = atomic_load_explicit(&s->next, memory_order_relaxed))
            used += table_place(t, s);
        f->used = used;
        return 0;
    }
    size_t used = 0;
    for (omx_series *s = atomic_load_explicit(&f->head, memory_order_relaxed); s;
         s = atomic_load_explicit(&s->next, memory_order_relaxed))
        used += table_place(nt, s);
    atomic_store_explicit(&f->table, nt, memory_order_release);
    retire_table(f, t);
    f->used = used;
    return 0;
}

/* ---- series ---- */

static size_t cell_words(const omx_family *f) {
    switch (f->type) {
    case OMX_COUNTER: return 2; /* integer part, double part */
    case OMX_SUMMARY: return 2; /* count, sum */
    case OMX_HISTOGRAM:
    case OMX_GAUGEHISTOGRAM: return f->n_bounds + 2; /* buckets incl. +Inf, sum */
    default: return 1;
    }
}

/* One allocation per series: header, shard cells (own cache lines), label
 * values and the rendered labels, so a scrape walks contiguous memory. */
static omx_series *series_new(omx_family *f, uint64_t h, const char *const *vals) {
    size_t n = f->n_labels, words = cell_words(f);
    bool counting = f->type == OMX_COUNTER || f->type == OMX_SUMMARY || f->type == OMX_HISTOGRAM ||
                    f->type == OMX_GAUGEHISTOGRAM;
    bool sharded = counting && (f->flags & OMX_FAMILY_SHARDED);
    /* sharded: one cache line per shard; counting: a shared and an owner cell
     * packed together (the owner updates without a locked instruction) */
    size_t nshards = sharded ? OMX__NSHARDS : counting ? 2 : 1;
    size_t stride = sharded ? (words + 7) & ~(size_t)7 : words;

    omx_buf lbl;
    omx_buf_init(&lbl, SIZE_MAX / 2);
    int rc = omx_buf_append(&lbl, "", 0);
    size_t total = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        total += strlen(vals[i]) + 1;
        if ((i && (rc = omx_buf_append(&lbl, ",", 1)) < 0) ||
            (rc = omx_buf_append(&lbl, f->label_names[i], strlen(f->label_names[i]))) < 0 ||
            (rc = omx_buf_append(&lbl, "=\"", 2)) < 0 ||
            (rc = omx__escape_label(&lbl, vals[i])) < 0 || (rc = omx_buf_append(&lbl, "\"", 1)) < 0)
            break;
    }
    size_t head = sizeof(omx_series) + n * sizeof(uint32_t) + total;
    head = (head + OMX__CACHELINE - 1) & ~(size_t)(OMX__CACHELINE - 1);
    size_t cells = ((stride * nshards + 7) & ~(size_t)7) * sizeof(uint64_t);
    omx_series *s = rc ? NULL : omx__aligned(head + cells + lbl.len + 1);
    if (!s) {
        omx_buf_free(&lbl);
        return NULL;
    }
    char *base = (char *)s;
    s->type = (uint8_t)f->type;
    s->nshards = (uint8_t)nshards;
    s->nb = (uint16_t)(f->n_bounds + 1);
    s->stride = (uint32_t)stride;
    s->bounds = f->bounds;
    s->fam = f;
    s->hash = h;
    s->cells = (_Atomic uint64_t *)(void *)(base + head);
    if (nshards == 2) {
        s->own = s->cells + stride;
        atomic_init(&s->owner, (uint64_t)f->type | OMX__OWNER_FREE);
    } else {
        atomic_init(&s->owner, (uint64_t)f->type | OMX__OWNER_NONE);
    }
    uint32_t *vlen = (uint32_t *)(void *)(s + 1);
    char *p = (char *)(vlen + n);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(vals[i]) + 1;
        memcpy(p, vals[i], l);
        vlen[i] = (uint32_t)(l - 1);
        p += l;
    }
    p = base + head + cells;
    memcpy(p, lbl.data, lbl.len + 1);
    s->lbl = p;
    s->lbl_len = lbl.len;
    omx_buf_free(&lbl);
    if (f->flags & OMX_FAMILY_CREATED)
        s->created = omx__now_realtime();
    return s;
}

static int insert_slow(omx_family *f, uint64_t h, const char *const *vals, const uint32_t *lens,
                       omx_series **ret) {
    int rc = 0;
    pthread_mutex_lock(&f->lock);
    omx_series *s = table_find(atomic_load_explicit(&f->table, memory_order_relaxed), h, vals, lens,
                               f->n_labels);
    if (s)
        goto out;
    for (size_t i = 0; i < f->n_labels; i++)
        if (lens[i] > f->max_value_len) {
            atomic_fetch_add_explicit(&f->rejected_len, 1, memory_order_relaxed);
            rc = OMX_ELIMIT;
            goto out;
        }
    if (atomic_load_explicit(&f->live, memory_order_relaxed) >= f->max_series) {
        atomic_fetch_add_explicit(&f->rejected, 1, memory_order_relaxed);
        rc = OMX_ELIMIT;
        goto out;
    }
    for (size_t i = 0; i < f->n_labels; i++)
        if (!omx__utf8_valid(vals[i], strlen(vals[i]))) {
            rc = OMX_EINVAL;
            goto out;
        }
    if ((rc = table_reserve(f)) < 0)
        goto out;
    s = series_new(f, h, vals);
    if (!s) {
        rc = OMX_ENOMEM;
        goto out;
    }
    /* Link first, then publish in the table: a writer may see it either way. */
    s->prev = f->tail;
    if (f->tail)
        atomic_store_explicit(&f->tail->next, s, memory_order_release);
    else
        atomic_store_explicit(&f->head, s, memory_order_release);
    f->tail = s;
    f->used += table_place(atomic_load_explicit(&f->table, memory_order_relaxed), s);
    atomic_fetch_add_explicit(&f->live, 1, memory_order_relaxed);
out:
    pthread_mutex_unlock(&f->lock);
    *ret = rc ? NULL : s;
    return rc;
}

int omx_family_get(omx_family *f, const char *const *label_values, omx_series **ret_series) {
    if (!ret_series)
        return OMX_EINVAL;
    *ret_series = NULL;
    if (!f || (f->n_labels && !label_values))
        return OMX_EINVAL;
    uint64_t h;
    uint32_t lens[OMX__MAX_LABELS];
    if (hash_values(label_values, f->n_labels, lens, &h) < 0)
        return OMX_EINVAL;
    bool outer = omx__read_lock();
    omx_series *s = table_find(atomic_load_explicit(&f->table, memory_order_acquire), h,
                               label_values, lens, f->n_labels);
    omx__read_unlock(outer);
    if (s) {
        *ret_series = s;
        return 0;
    }
    return insert_slow(f, h, label_values, lens, ret_series);
}

/* Unlinks s from the live list; walkers standing on s still follow s->next,
 * which only ever points to later series, so they finish. Caller holds the lock. */
static void unlink_series(omx_family *f, omx_series *s) {
    omx_series *next = atomic_load_explicit(&s->next, memory_order_relaxed);
    if (s->prev)
        atomic_store_explicit(&s->prev->next, next, memory_order_release);
    else
        atomic_store_explicit(&f->head, next, memory_order_release);
    if (next)
        next->prev = s->prev;
    else
        f->tail = s->prev;
    atomic_store_explicit(&s->removed, true, memory_order_release);
    atomic_fetch_sub_explicit(&f->live, 1, memory_order_relaxed);
}

int omx_family_remove(omx_family *f, const char *const *label_values) {
    if (!f || (f->n_labels && !label_values))
        return OMX_EINVAL;
    uint64_t h;
    uint32_t lens[OMX__MAX_LABELS];
    if (hash_values(label_values, f->n_labels, lens, &h) < 0)
        return OMX_EINVAL;
    int rc = OMX_ENOENT;
    pthread_mutex_lock(&f->lock);
    omx__table *t = atomic_load_explicit(&f->table, memory_order_relaxed);
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        omx_series *s = atomic_load_explicit(&t->slots[i], memory_order_relaxed);
        if (!s)
            break;
        if (s != OMX__TOMB && s->hash == h && values_eq(s, label_values, lens, f->n_labels)) {
            atomic_store_explicit(&t->slots[i], OMX__TOMB, memory_order_release);
            unlink_series(f, s);
            retire_series(f, s, s, 1);
            rc = 0;
            break;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

void omx_family_clear(omx_family *f) {
    if (!f)
        return;
    pthread_mutex_lock(&f->lock);
    /* In place, keeping the table's size: no allocation, no table retired. */
    table_wipe(atomic_load_explicit(&f->table, memory_order_relaxed));
    f->used = 0;
    omx_series *last = f->tail, *first = NULL;
    size_t n = 0;
    while (f->tail) {
        omx_series *s = f->tail;
        unlink_series(f, s);
        s->limbo_next = first;
        first = s;
        n++;
    }
    if (first)
        retire_series(f, first, last, n);
    pthread_mutex_unlock(&f->lock);
}

size_t omx_family_size(const omx_family *f) {
    return f ? atomic_load_explicit(&f->live, memory_order_relaxed) : 0;
}

/* ---- family creation ---- */

static char **copy_strv(const char *const *v, size_t n) {
    char **c = omx__calloc(n ? n : 1, sizeof(char *));
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(c[i] = omx__strdup(v[i]))) {
            free_strv(c, i);
            return NULL;
        }
    return c;
}

static int family_buckets(omx_family *f, const omx_family_opts *o) {
    const double *b = o->buckets ? o->buckets : default_buckets;
    size_t n = o->buckets ? o->n_buckets : sizeof default_buckets / sizeof default_buckets[0];
    if (n && isinf(b[n - 1]) && b[n - 1] > 0)
        n--; /* tolerate a trailing +Inf */
    if (n > OMX__MAX_BUCKETS)
        return OMX_ELIMIT;
    for (size_t i = 0; i < n; i++)
        if (isnan(b[i]) || isinf(b[i]) || (i && b[i] <= b[i - 1]))
            return OMX_EVALUE;
    f->bounds = omx__malloc((n ? n : 1) * sizeof(double));
    f->le_prom = omx__malloc((n + 1) * sizeof *f->le_prom);
    f->le_om = omx__malloc((n + 1) * sizeof *f->le_om);
    if (!f->bounds || !f->le_prom || !f->le_om)
        return OMX_ENOMEM;
    if (n)
        memcpy(f->bounds, b, n * sizeof(double));
    f->n_bounds = n;
    for (size_t i = 0; i < n; i++) {
        omx__format_go(f->le_prom[i], b[i]);
        omx_format_le(f->le_om[i], b[i]);
    }
    strcpy(f->le_prom[n], "+Inf");
    strcpy(f->le_om[n], "+Inf");
    return 0;
}

static int family_states(omx_family *f, const omx_family_opts *o) {
    if (o->n_states == 0 || o->n_states > 64 || !o->states)
        return OMX_EINVAL;
    f->states = omx__calloc(o->n_states, sizeof(char *));
    if (!f->states)
        return OMX_ENOMEM;
    f->n_states = o->n_states;
    for (size_t i = 0; i < o->n_states; i++) {
        const char *st = o->states[i];
        if (!st || !omx__utf8_valid(st, strlen(st)))
            return OMX_EINVAL;
        for (size_t j = 0; j < i; j++)
            if (strcmp(st, o->states[j]) == 0)
                return OMX_EINVAL;
        omx_buf b;
        omx_buf_init(&b, 1 << 20);
        if (omx_buf_append(&b, "", 0) < 0 || omx__escape_label(&b, st) < 0) {
            omx_buf_free(&b);
            return OMX_ENOMEM;
        }
        f->states[i] = b.data;
    }
    return 0;
}

int omx_family_new(omx_registry *r, const omx_family_opts *o, omx_family **ret_family) {
    if (!ret_family)
        return OMX_EINVAL;
    *ret_family = NULL;
    if (!r || !o || (o->flags & ~(unsigned)(OMX_FAMILY_SHARDED | OMX_FAMILY_CREATED)))
        return OMX_EINVAL;
    size_t base_len;
    int rc = omx__check_desc(o->type, o->name, o->unit, o->label_names, o->n_labels, &base_len);
    if (rc < 0)
        return rc;
    if (o->help && !omx__utf8_valid(o->help, strlen(o->help)))
        return OMX_EINVAL;
    bool hist = o->type == OMX_HISTOGRAM || o->type == OMX_GAUGEHISTOGRAM;
    if ((!hist && o->buckets) || (o->type != OMX_STATESET && o->states) ||
        o->max_label_value_len > UINT32_MAX)
        return OMX_EINVAL;

    omx_family *f = omx__calloc(1, sizeof *f);
    if (!f)
        return OMX_ENOMEM;
    pthread_mutex_init(&f->lock, NULL);
    f->reg = r;
    f->type = o->type;
    f->flags = o->flags;
    f->max_series = o->max_series ? o->max_series : OMX__DEFAULT_MAX_SERIES;
    f->max_value_len = o->max_label_value_len ? o->max_label_value_len : OMX__DEFAULT_MAX_VALUE_LEN;
    f->name = omx__malloc(base_len + 1);
    if (f->name) {
        memcpy(f->name, o->name, base_len);
        f->name[base_len] = '\0';
    }
    f->name_len = base_len;
    f->help = o->help ? omx__strdup(o->help) : NULL;
    f->unit = o->unit && *o->unit ? omx__strdup(o->unit) : NULL;
    f->label_names = copy_strv(o->label_names, o->n_labels);
    f->n_labels = o->n_labels;
    omx__table *t = table_new(16);
    atomic_init(&f->table, t);
    rc = 0;
    if (!f->name || (o->help && !f->help) || (f->unit == NULL && o->unit && *o->unit) ||
        !f->label_names || !t)
        rc = OMX_ENOMEM;
    if (!rc && hist)
        rc = family_buckets(f, o);
    if (!rc && o->type == OMX_STATESET)
        rc = family_states(f, o);
    if (rc < 0) {
        family_free(f);
        return rc;
    }

    pthread_mutex_lock(&r->lock);
    for (omx_family *g = atomic_load_explicit(&r->fam_head, memory_order_relaxed); g;
         g = atomic_load_explicit(&g->next, memory_order_relaxed))
        if (strcmp(g->name, f->name) == 0) {
            rc = OMX_EEXIST;
            break;
        }
    if (!rc) {
        if (r->fam_tail)
            atomic_store_explicit(&r->fam_tail->next, f, memory_order_release);
        else
            atomic_store_explicit(&r->fam_head, f, memory_order_release);
        r->fam_tail = f;
    }
    pthread_mutex_unlock(&r->lock);
    if (rc < 0) {
        family_free(f);
        return rc;
    }
    /* A family without labels exports its one series (0) from the start. */
    if (f->n_labels == 0) {
        omx_series *s;
        (void)omx_family_get(f, NULL, &s);
    }
    *ret_family = f;
    return 0;
}

/* ---- collectors ---- */

int omx_registry_add_collector(omx_registry *r, const char *name, omx_collect_fn fn, void *userdata,
                               void (*free_userdata)(void *)) {
    return omx__registry_add_collector(r, name, fn, userdata, free_userdata, 0);
}

int omx__registry_add_collector(omx_registry *r, const char *name, omx_collect_fn fn,
                                void *userdata, void (*free_userdata)(void *), unsigned flags) {
    if (!r || !name || !*name || !fn)
        return OMX_EINVAL;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return OMX_EINVAL;
    omx__collector *c = omx__calloc(1, sizeof *c);
    if (!c || !(c->name = omx__strdup(name))) {
        omx__free(c);
        return OMX_ENOMEM;
    }
    c->fn = fn;
    c->userdata = userdata;
    c->free_userdata = free_userdata;
    c->flags = flags;
    int rc = 0;
    pthread_mutex_lock(&r->lock);
    for (omx__collector *o = atomic_load_explicit(&r->col_head, memory_order_relaxed); o;
         o = atomic_load_explicit(&o->next, memory_order_relaxed))
        if (strcmp(o->name, name) == 0)
            rc = OMX_EEXIST;
    if (!rc) {
        if (r->col_tail)
            atomic_store_explicit(&r->col_tail->next, c, memory_order_release);
        else
            atomic_store_explicit(&r->col_head, c, memory_order_release);
        r->col_tail = c;
    }
    pthread_mutex_unlock(&r->lock);
    if (rc < 0) {
        omx__free(c->name);
        omx__free(c);
    }
    return rc;
}

int omx_registry_set_collector_stats(omx_registry *r, const char *prefix) {
    if (!r || (prefix && !omx_metric_name_valid(prefix)))
        return OMX_EINVAL;
    char *p = NULL;
    if (prefix && !(p = omx__strdup(prefix)))
        return OMX_ENOMEM;
    pthread_mutex_lock(&r->lock);
    char *old = r->stats_prefix;
    r->stats_prefix = p;
    pthread_mutex_unlock(&r->lock);
    omx__free(old);
    return 0;
}
