/* The metric store: per metric a hash of label tuples to series, kept in
 * order of last update so `limit N` (and the set's default cap) evicts the
 * oldest, and `del ... after` finds idle series from the old end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/hash.h>

#include "internal.h"

lt_metric *lt_metric_new(void) { return calloc(1, sizeof(lt_metric)); }

static void series_free(lt_metric *m, lt_series *s) {
    for (size_t i = 0; i < m->n_keys; i++)
        free(s->labels[i]);
    free(s->labels);
    free(s->buckets);
    free(s->sval);
    free(s);
}

lt_metric *lt_metric_free(lt_metric *m) {
    if (!m)
        return NULL;
    for (lt_series *s = m->oldest, *nx; s; s = nx) {
        nx = s->next;
        series_free(m, s);
    }
    free(m->table);
    free(m->name);
    free(m->exported);
    free(m->json_name);
    free(m->source);
    free(m->program);
    for (size_t i = 0; i < m->n_keys; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->bounds);
    free(m);
    return NULL;
}

/* Label text of a key value; buf must hold 40 bytes. */
static const char *key_text(const lt_val *v, char *buf, size_t *len) {
    switch (v->t) {
    case TY_STRING: *len = v->n; return v->s;
    case TY_FLOAT: *len = omx_format_double(buf, v->f); return buf;
    default: *len = (size_t)snprintf(buf, 40, "%lld", (long long)v->i); return buf;
    }
}

static uint64_t hash_keys(const lt_val *keys, size_t n) {
    uint64_t h = omx_fnv64_start();
    for (size_t i = 0; i < n; i++) {
        char buf[40];
        size_t len;
        const char *s = key_text(&keys[i], buf, &len);
        h = omx_fnv64_add(h, s, len);
        h = omx_fnv64_byte(h, 0xff); /* separator: ("a","b") differs from ("ab","") */
    }
    return h;
}

static bool same_keys(const lt_series *s, const lt_val *keys, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char buf[40];
        size_t len;
        const char *k = key_text(&keys[i], buf, &len);
        /* a label holds no NUL: equal bytes then its end decide */
        if (strncmp(s->labels[i], k, len) != 0 || s->labels[i][len] != 0)
            return false;
    }
    return true;
}

static void unlink_order(lt_metric *m, lt_series *s) {
    if (s->prev)
        s->prev->next = s->next;
    else
        m->oldest = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        m->newest = s->prev;
    s->prev = s->next = NULL;
}

static void link_newest(lt_metric *m, lt_series *s) {
    s->prev = m->newest;
    s->next = NULL;
    if (m->newest)
        m->newest->next = s;
    else
        m->oldest = s;
    m->newest = s;
}

static void remove_series(lt_metric *m, lt_series *s) {
    lt_series **pp = &m->table[s->hash & (m->n_table - 1)];
    while (*pp && *pp != s)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = s->hnext;
    unlink_order(m, s);
    m->n_series--;
    series_free(m, s);
}

static int grow(lt_metric *m) {
    size_t nt = m->n_table ? m->n_table * 2 : 8;
    lt_series **t = calloc(nt, sizeof(*t));
    if (!t)
        return -ENOMEM;
    for (size_t i = 0; i < m->n_table; i++)
        for (lt_series *s = m->table[i], *nx; s; s = nx) {
            nx = s->hnext;
            s->hnext = t[s->hash & (nt - 1)];
            t[s->hash & (nt - 1)] = s;
        }
    free(m->table);
    m->table = t;
    m->n_table = nt;
    return 0;
}

void lt_series_touch(lt_metric *m, lt_series *s, int64_t now_ns) {
    s->ts_ns = now_ns;
    if (m->newest != s) {
        unlink_order(m, s);
        link_newest(m, s);
    }
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (!len || len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (len == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)))
        return 0; /* overlong, surrogate */
    if (len == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)))
        return 0;
    return len;
}

/* Label values must be UTF-8 without NUL: other bytes become U+FFFD, so a
 * key from a binary line still names one series. Returns a malloc'ed copy in
 * *fixed when v needed one (the caller frees it), else leaves v alone. */
static int clean_key(lt_val *v, char **fixed) {
    *fixed = NULL;
    if (v->t != TY_STRING)
        return 0;
    const unsigned char *u = (const unsigned char *)v->s;
    size_t i = 0;
    while (i < v->n && u[i] && u[i] < 0x80)
        i++;
    if (i == v->n)
        return 0;
    size_t bad = 0;
    for (size_t j = i; j < v->n;) {
        size_t l = u[j] ? utf8_seq(u + j, v->n - j) : 0;
        bad += !l;
        j += l ? l : 1;
    }
    if (!bad)
        return 0;
    char *o = malloc(v->n + 2 * bad + 1), *p = o;
    if (!o)
        return -ENOMEM;
    for (size_t j = 0; j < v->n;) {
        size_t l = u[j] ? utf8_seq(u + j, v->n - j) : 0;
        if (l) {
            memcpy(p, u + j, l);
            p += l;
            j += l;
        } else {
            memcpy(p, "\xEF\xBF\xBD", 3);
            p += 3;
            j++;
        }
    }
    v->s = o;
    v->n = (size_t)(p - o);
    *fixed = o;
    return 0;
}

static lt_series *metric_get(lt_metric *m, const lt_val *keys, size_t n, size_t default_limit,
                             int64_t now_ns, int *err);

/* The common case, keys that are all ASCII text without NUL (log fields):
 * checked and hashed in one pass (the hash hash_keys gives), compared in
 * place. Returns the series, or NULL when it is new or a key needs the slow
 * path. */
static lt_series *find_ascii(const lt_metric *m, const lt_val *keys, size_t n) {
    uint64_t h = omx_fnv64_start();
    for (size_t i = 0; i < n; i++) {
        if (keys[i].t != TY_STRING)
            return NULL;
        const unsigned char *u = (const unsigned char *)keys[i].s;
        for (size_t j = 0; j < keys[i].n; j++) {
            if ((unsigned)(u[j] - 1) >= 0x7f)
                return NULL; /* NUL or not ASCII */
            h = omx_fnv64_byte(h, u[j]);
        }
        h = omx_fnv64_byte(h, 0xff);
    }
    for (lt_series *s = m->table[h & (m->n_table - 1)]; s; s = s->hnext) {
        if (s->hash != h)
            continue;
        size_t i = 0;
        while (i < n && strncmp(s->labels[i], keys[i].s, keys[i].n) == 0 &&
               s->labels[i][keys[i].n] == 0)
            i++;
        if (i == n)
            return s;
    }
    return NULL;
}

lt_series *lt_metric_get(lt_metric *m, const lt_val *keys, size_t n, size_t default_limit,
                         int64_t now_ns, int *err) {
    *err = 0;
    if (n != m->n_keys) {
        *err = -EINVAL;
        return NULL;
    }
    if (m->n_table) {
        lt_series *s = find_ascii(m, keys, n);
        if (s)
            return s;
    }
    lt_val clean[16];
    char *fixed[16];
    size_t n_fixed = 0;
    const lt_val *use = keys;
    if (n <= 16) {
        for (size_t i = 0; i < n; i++) {
            clean[i] = keys[i];
            char *f;
            if (clean_key(&clean[i], &f) < 0) {
                for (size_t j = 0; j < n_fixed; j++)
                    free(fixed[j]);
                *err = -ENOMEM;
                return NULL;
            }
            if (f)
                fixed[n_fixed++] = f;
        }
        if (n_fixed)
            use = clean;
    }
    lt_series *s = metric_get(m, use, n, default_limit, now_ns, err);
    for (size_t j = 0; j < n_fixed; j++)
        free(fixed[j]);
    return s;
}

static lt_series *metric_get(lt_metric *m, const lt_val *keys, size_t n, size_t default_limit,
                             int64_t now_ns, int *err) {
    uint64_t h = hash_keys(keys, n);
    if (m->n_table) {
        for (lt_series *s = m->table[h & (m->n_table - 1)]; s; s = s->hnext)
            if (s->hash == h && same_keys(s, keys, n))
                return s;
    }
    size_t cap = m->limit ? m->limit : default_limit;
    while (cap && m->n_series >= cap && m->oldest) {
        remove_series(m, m->oldest);
        m->evicted++;
    }
    if (m->n_series + 1 > m->n_table * 2 && grow(m) < 0) {
        *err = -ENOMEM;
        return NULL;
    }
    lt_series *s = calloc(1, sizeof(*s));
    if (!s) {
        *err = -ENOMEM;
        return NULL;
    }
    s->labels = calloc(n ? n : 1, sizeof(char *));
    if (!s->labels)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        char buf[40];
        size_t len;
        const char *k = key_text(&keys[i], buf, &len);
        s->labels[i] = malloc(len + 1);
        if (!s->labels[i])
            goto oom;
        memcpy(s->labels[i], k, len);
        s->labels[i][len] = 0;
    }
    if (m->kind == K_HISTOGRAM) {
        s->buckets = calloc(m->n_bounds + 1, sizeof(uint64_t));
        if (!s->buckets)
            goto oom;
    }
    s->hash = h;
    s->ts_ns = now_ns;
    s->hnext = m->table[h & (m->n_table - 1)];
    m->table[h & (m->n_table - 1)] = s;
    link_newest(m, s);
    m->n_series++;
    return s;
oom:
    series_free(m, s);
    *err = -ENOMEM;
    return NULL;
}

int lt_metric_del(lt_metric *m, const lt_val *in, size_t n) {
    if (n != m->n_keys || !m->n_table || n > 16)
        return -ENOENT;
    lt_val keys[16] = {{0}};
    char *fixed[16];
    size_t n_fixed = 0;
    for (size_t i = 0; i < n; i++) {
        keys[i] = in[i];
        char *f;
        if (clean_key(&keys[i], &f) < 0) {
            for (size_t j = 0; j < n_fixed; j++)
                free(fixed[j]);
            return -ENOMEM;
        }
        if (f)
            fixed[n_fixed++] = f;
    }
    int rc = -ENOENT;
    uint64_t h = hash_keys(keys, n);
    for (lt_series *s = m->table[h & (m->n_table - 1)]; s; s = s->hnext)
        if (s->hash == h && same_keys(s, keys, n)) {
            remove_series(m, s);
            rc = 0;
            break;
        }
    for (size_t j = 0; j < n_fixed; j++)
        free(fixed[j]);
    return rc;
}

void lt_metric_expire(lt_metric *m, int64_t now_ns) {
    for (lt_series *s = m->oldest, *nx; s; s = nx) {
        nx = s->next;
        if (s->expire_after_ns > 0 && now_ns - s->ts_ns >= s->expire_after_ns)
            remove_series(m, s);
    }
}

void lt_histogram_observe(lt_metric *m, lt_series *s, double v) {
    if (v != v)
        return;
    /* Prometheus' rule: the first bucket whose upper bound is >= v */
    size_t i = 0;
    while (i < m->n_bounds && v > m->bounds[i])
        i++;
    s->buckets[i]++;
    s->count++;
    s->sum += v;
}
