/* textfile collector: family storage with a hash index on the name, so a file
 * of a million one-sample families is read in linear time. */
#include <stdlib.h>
#include <string.h>

#include <exporter/error.h>
#include <exporter/hash.h>

#include "textfile_set.h"

static bool same(const tf_family *f, const char *name, size_t len) {
    return f->name_len == len && !memcmp(f->name, name, len);
}

/* Index slot of name: where it is, or the empty slot where it would go. */
static size_t *slot(const tf_set *t, const char *name, size_t len) {
    for (size_t i = (size_t)omx_fnv64(name, len) & t->mask;; i = (i + 1) & t->mask) {
        size_t *s = &t->index[i];
        if (!*s || same(&t->f[*s - 1], name, len))
            return s;
    }
}

/* Keeps the index at most half full. */
static int grow_index(tf_set *t) {
    if (t->index && (t->n + 1) * 2 <= t->mask + 1)
        return 0;
    size_t size = t->index ? (t->mask + 1) * 2 : 64;
    size_t *ni = calloc(size, sizeof *ni);
    if (!ni)
        return OMX_ENOMEM;
    free(t->index);
    t->index = ni;
    t->mask = size - 1;
    for (size_t k = 0; k < t->n; k++)
        *slot(t, t->f[k].name, t->f[k].name_len) = k + 1;
    return 0;
}

tf_family *tf_set_family(tf_set *t, const char *name, size_t len, bool create) {
    if (t->index) {
        size_t *s = slot(t, name, len);
        if (*s)
            return &t->f[*s - 1];
    }
    if (!create || grow_index(t) < 0)
        return NULL;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        tf_family *nf = realloc(t->f, nc * sizeof *nf);
        if (!nf)
            return NULL;
        t->f = nf;
        t->cap = nc;
    }
    tf_family *f = &t->f[t->n];
    memset(f, 0, sizeof *f);
    if (!(f->name = malloc(len + 1)))
        return NULL;
    memcpy(f->name, name, len);
    f->name[len] = '\0';
    f->name_len = len;
    f->type = OMP_TYPE_UNTYPED;
    *slot(t, name, len) = ++t->n;
    return f;
}

void tf_set_free(tf_set *t) {
    for (size_t i = 0; i < t->n; i++) {
        free(t->f[i].s);
        free(t->f[i].name);
        free(t->f[i].help);
        free(t->f[i].files);
    }
    free(t->f);
    free(t->index);
    memset(t, 0, sizeof *t);
}

static int reserve(tf_family *f, size_t more) {
    if (f->cap - f->n >= more)
        return 0;
    size_t nc = f->cap ? f->cap : 4;
    while (nc - f->n < more)
        nc *= 2;
    tf_sample *ns = realloc(f->s, nc * sizeof *ns);
    if (!ns)
        return OMX_ENOMEM;
    f->s = ns;
    f->cap = nc;
    return 0;
}

tf_sample *tf_family_add(tf_family *f) {
    if (reserve(f, 1) < 0)
        return NULL;
    tf_sample *s = &f->s[f->n++];
    memset(s, 0, sizeof *s);
    return s;
}

int tf_family_move(tf_family *dst, tf_family *src) {
    if (!dst->s && !dst->n) { /* take the array as it is */
        dst->s = src->s;
        dst->n = src->n;
        dst->cap = src->cap;
    } else {
        if (reserve(dst, src->n) < 0)
            return OMX_ENOMEM;
        memcpy(dst->s + dst->n, src->s, src->n * sizeof *src->s);
        dst->n += src->n;
        free(src->s);
    }
    src->s = NULL;
    src->n = src->cap = 0;
    return 0;
}

const char *tf_label(const tf_arena *a, const tf_sample *s, const char *name) {
    const char *p = a->data + s->off;
    for (uint16_t i = 0; i < s->n; i++) {
        const char *v = p + strlen(p) + 1;
        if (!strcmp(p, name))
            return v;
        p = v + strlen(v) + 1;
    }
    return NULL;
}

char *tf_arena_room(tf_arena *a, size_t n) {
    if (a->cap - a->len < n) {
        size_t cap = a->cap ? a->cap : 65536;
        while (cap - a->len < n) {
            if (cap > SIZE_MAX / 2)
                return NULL;
            cap *= 2;
        }
        char *d = realloc(a->data, cap);
        if (!d)
            return NULL;
        a->data = d;
        a->cap = cap;
    }
    return a->data + a->len;
}

void tf_arena_free(tf_arena *a) {
    free(a->data);
    memset(a, 0, sizeof *a);
}
