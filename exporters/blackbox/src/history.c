/* Two bounded FIFO rings: recent results and failures pushed out of them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/error.h"
#include "history.h"

typedef struct entry {
    int64_t id;
    char *module, *target, *output;
    size_t len;
    void *parts; /* instead of output: rendered on demand */
    bb_history_render_fn render;
    void (*free_parts)(void *parts);
    bool success;
} entry;

typedef struct ring {
    entry *e;
    size_t head, n; /* oldest at head */
} ring;

struct bb_history {
    pthread_mutex_t mu;
    size_t limit;
    int64_t next_id;
    ring results, failed;
};

static void entry_clear(entry *e) {
    free(e->module);
    free(e->target);
    free(e->output);
    if (e->parts && e->free_parts)
        e->free_parts(e->parts);
    *e = (entry){0};
}

bb_history *bb_history_new(size_t limit) {
    bb_history *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->limit = limit;
    if (limit && (!(h->results.e = calloc(limit, sizeof(entry))) ||
                  !(h->failed.e = calloc(limit, sizeof(entry))))) {
        free(h->results.e);
        free(h);
        return NULL;
    }
    pthread_mutex_init(&h->mu, NULL);
    return h;
}

bb_history *bb_history_free(bb_history *h) {
    if (!h)
        return NULL;
    for (size_t i = 0; i < h->limit; i++) {
        entry_clear(&h->results.e[i]);
        entry_clear(&h->failed.e[i]);
    }
    free(h->results.e);
    free(h->failed.e);
    pthread_mutex_destroy(&h->mu);
    free(h);
    return NULL;
}

static entry *ring_at(ring *r, size_t limit, size_t i) { return &r->e[(r->head + i) % limit]; }

/* Pushes e (moved in) at the tail; the oldest entry, when the ring is full, is
 * moved into *out (or cleared when out is NULL). */
static void ring_push(ring *r, size_t limit, entry *e, entry *out) {
    if (r->n == limit) {
        entry *old = &r->e[r->head];
        if (out)
            *out = *old;
        else
            entry_clear(old);
        *old = (entry){0};
        r->head = (r->head + 1) % limit;
        r->n--;
    }
    *ring_at(r, limit, r->n) = *e;
    r->n++;
}

static int64_t insert(bb_history *h, entry *ep);

int64_t bb_history_add(bb_history *h, const char *module, const char *target, const char *output,
                       size_t len, bool success) {
    static const char cut[] = "\n[output cut]\n";
    if (!h->limit)
        return 0;
    entry e = {.success = success};
    size_t keep = len > BB_HISTORY_MAX_OUTPUT ? BB_HISTORY_MAX_OUTPUT : len;
    e.module = strdup(module ? module : "");
    e.target = strdup(target ? target : "");
    e.output = malloc(keep + sizeof cut);
    if (!e.module || !e.target || !e.output) {
        entry_clear(&e);
        return -ENOMEM;
    }
    memcpy(e.output, output, keep);
    if (keep < len) {
        memcpy(e.output + keep, cut, sizeof cut);
        keep += sizeof cut - 1;
    }
    e.output[keep] = 0;
    e.len = keep;
    return insert(h, &e);
}

int64_t bb_history_add_lazy(bb_history *h, const char *module, const char *target, void *parts,
                            bb_history_render_fn render, void (*free_fn)(void *parts),
                            bool success) {
    entry e = {.success = success, .parts = parts, .render = render, .free_parts = free_fn};
    if (!h->limit || !render) {
        entry_clear(&e);
        return 0;
    }
    e.module = strdup(module ? module : "");
    e.target = strdup(target ? target : "");
    if (!e.module || !e.target) {
        entry_clear(&e);
        return -ENOMEM;
    }
    return insert(h, &e);
}

/* Gives e (moved in) its id and pushes it; returns the id. */
static int64_t insert(bb_history *h, entry *ep) {
    entry e = *ep;
    pthread_mutex_lock(&h->mu);
    e.id = h->next_id++;
    entry pushed = {0}, gone = {0};
    ring_push(&h->results, h->limit, &e, &pushed);
    if ((pushed.output || pushed.parts) && !pushed.success)
        ring_push(&h->failed, h->limit, &pushed, &gone);
    else
        gone = pushed;
    int64_t id = e.id;
    pthread_mutex_unlock(&h->mu);
    entry_clear(&gone); /* outside the lock: freeing a probe's parts takes a while */
    return id;
}

static int html(omx_buf *b, const char *s) {
    int rc = 0;
    for (; *s && !rc; s++) {
        switch (*s) {
        case '<': rc = omx_buf_append(b, "&lt;", 4); break;
        case '>': rc = omx_buf_append(b, "&gt;", 4); break;
        case '&': rc = omx_buf_append(b, "&amp;", 5); break;
        case '"': rc = omx_buf_append(b, "&#34;", 5); break;
        case '\'': rc = omx_buf_append(b, "&#39;", 5); break;
        default: rc = omx_buf_append(b, s, 1);
        }
    }
    return rc;
}

static int row(omx_buf *b, const entry *e) {
    char tail[160];
    int rc = omx_buf_append(b, "<tr><td>", 8);
    if (!rc)
        rc = html(b, e->module);
    if (!rc)
        rc = omx_buf_append(b, "</td><td>", 9);
    if (!rc)
        rc = html(b, e->target);
    int n = snprintf(tail, sizeof tail,
                     "</td><td>%s</td><td><a href='logs?id=%lld'>Logs</a></td></tr>\n",
                     e->success ? "Success" : "<strong>Failure</strong>", (long long)e->id);
    return rc ? rc : omx_buf_append(b, tail, (size_t)n);
}

int bb_history_rows(bb_history *h, omx_buf *out) {
    int rc = 0;
    pthread_mutex_lock(&h->mu);
    /* upstream lists failures then results and prints the list backwards */
    for (size_t i = h->results.n; i-- > 0 && !rc;)
        rc = row(out, ring_at(&h->results, h->limit, i));
    for (size_t i = h->failed.n; i-- > 0 && !rc;)
        rc = row(out, ring_at(&h->failed, h->limit, i));
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static const entry *find(bb_history *h, int64_t id, const char *target, const char *module) {
    ring *rs[2] = {&h->failed, &h->results};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < rs[k]->n; i++) {
            const entry *e = ring_at(rs[k], h->limit, i);
            if (target ? !strcmp(e->target, target) &&
                             (!module || !*module || !strcmp(e->module, module))
                       : e->id == id)
                return e;
        }
    return NULL;
}

int bb_history_output(bb_history *h, int64_t id, const char *target, const char *module,
                      omx_buf *out) {
    pthread_mutex_lock(&h->mu);
    static const char cut[] = "\n[output cut]\n";
    const entry *e = h->limit ? find(h, id, target, module) : NULL;
    int rc = OMX_ENOENT;
    if (e && e->output) {
        rc = omx_buf_append(out, e->output, e->len);
    } else if (e) { /* rendered under the lock: the entry may go once it is released */
        size_t mark = out->len;
        rc = e->render(e->parts, out);
        if (rc == OMX_ELIMIT || (rc == 0 && out->len - mark > BB_HISTORY_MAX_OUTPUT)) {
            if (out->len - mark > BB_HISTORY_MAX_OUTPUT)
                out->len = mark + BB_HISTORY_MAX_OUTPUT;
            if (out->data)
                out->data[out->len] = 0;
            rc = omx_buf_append(out, cut, sizeof cut - 1);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}
