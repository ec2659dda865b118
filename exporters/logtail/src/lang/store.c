/* The metric store: per metric a hash of label tuples to series, kept in
 * order of last update so `limit N` (and the set's default cap) evicts the
 * oldest, and `del ... after` finds idle series from the old end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void lt_metric_free(lt_metric *m) {
    if (!m)
        return;
    for (lt_series *s = m->oldest, *nx; s; s = nx) {
        nx = s->next;
        series_free(m, s);
    }
    free(m->table);
    free(m->name);
    free(m->exported);
    free(m->source);
    free(m->program);
    for (size_t i = 0; i < m->n_keys; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->bounds);
    free(m);
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
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        char buf[40];
        size_t len;
        const char *s = key_text(&keys[i], buf, &len);
        for (size_t j = 0; j < len; j++) {
            h ^= (unsigned char)s[j];
            h *= 1099511628211ull;
        }
        h ^= 0xff; /* separator: ("a","b") differs from ("ab","") */
        h *= 1099511628211ull;
    }
    return h;
}

static bool same_keys(const lt_series *s, const lt_val *keys, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char buf[40];
        size_t len;
        const char *k = key_text(&keys[i], buf, &len);
        if (strlen(s->labels[i]) != len || memcmp(s->labels[i], k, len) != 0)
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

lt_series *lt_metric_get(lt_metric *m, const lt_val *keys, size_t n, size_t default_limit,
                         int64_t now_ns, int *err) {
    *err = 0;
    if (n != m->n_keys) {
        *err = -EINVAL;
        return NULL;
    }
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

int lt_metric_del(lt_metric *m, const lt_val *keys, size_t n) {
    if (n != m->n_keys || !m->n_table)
        return -ENOENT;
    uint64_t h = hash_keys(keys, n);
    for (lt_series *s = m->table[h & (m->n_table - 1)]; s; s = s->hnext)
        if (s->hash == h && same_keys(s, keys, n)) {
            remove_series(m, s);
            return 0;
        }
    return -ENOENT;
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
