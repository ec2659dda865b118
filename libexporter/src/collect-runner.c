/* Collectors under a scrape deadline. They run on a small pool of persistent
 * threads (created on first use), each into its own bounded buffer, while the
 * scrape thread waits no later than the deadline; it then appends the buffers
 * in registration order. A collector still running at the deadline (blocked in
 * a read of a hung file, say) is abandoned: reported failed, its late output
 * dropped when it returns, and the collectors after it run on another thread.
 * One run (a sequence of collectors on one thread) costs the scrape a single
 * hand-off, not one per collector. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define RUN_THREADS 4 /* pool size, so also the most calls abandoned at once */
/* After the deadline, the collectors not called yet still run (they see it
 * expired and return at once if they check it) and get this long together;
 * at most RUN_THREADS such windows, as each one follows an abandoned call. */
#define RUN_GRACE_NS 50000000
#define RUN_OUT_MAX (64u << 20) /* one collector's output */

typedef struct run_result {
    omx_buf out;
    int64_t ns;
    uint64_t dup_families;
    bool ok, oom;
} run_result;

/* Shared by the scrape thread and the worker; everything below the pool link
 * is under lock. Once cut, the worker touches nothing of the scrape's. */
typedef struct omx__run {
    pthread_mutex_t lock;
    pthread_cond_t done_cond; /* CLOCK_MONOTONIC */
    struct omx__run *qnext;   /* pool queue, under the pool's lock */
    omx_registry *r;
    omx_format fmt;
    int64_t deadline_ns;
    omx__nameset *names;   /* the scrape's family names */
    omx__collector **cols; /* the scrape's snapshot of the collector list */
    run_result *res;       /* the scrape's, one per collector */
    size_t next, end;      /* the collector running or to run next */
    int64_t started_ns;    /* when cols[next] was called */
    int refs;              /* scrape thread and worker */
    bool picked, calling, cut, done;
} omx__run;

static _Atomic omx_collector_warn_fn warn_fn;

void omx_set_collector_warn(omx_collector_warn_fn fn) {
    atomic_store_explicit(&warn_fn, fn, memory_order_release);
}

static void warn(const char *msg, const char *collector) {
    omx_collector_warn_fn fn = atomic_load_explicit(&warn_fn, memory_order_acquire);
    if (fn)
        fn(msg, collector ? "collector" : NULL, collector);
}

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    omx__run *head, *tail;
    size_t queued, idle, threads;
    size_t stuck; /* threads in an abandoned call */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0, 0, 0};

static void pool_stuck(bool more) {
    pthread_mutex_lock(&pool.lock);
    if (more)
        pool.stuck++;
    else
        pool.stuck--;
    pthread_mutex_unlock(&pool.lock);
}

/* Drops a reference; called with run->lock held, returns with it released. */
static void run_release(omx__run *run) {
    bool last = --run->refs == 0;
    pthread_mutex_unlock(&run->lock);
    if (!last)
        return;
    pthread_cond_destroy(&run->done_cond);
    pthread_mutex_destroy(&run->lock);
    omx__free(run);
}

bool omx__run_taken(omx__run *run, const omx__name_keys *k) {
    pthread_mutex_lock(&run->lock);
    /* cut: the output is dropped, and the names are no longer this thread's */
    bool taken = run->cut || omx__names_taken(run->names, k);
    pthread_mutex_unlock(&run->lock);
    return taken;
}

int omx__run_claim(omx__run *run, const omx__name_keys *k) {
    pthread_mutex_lock(&run->lock);
    int rc = run->cut ? 0 : omx__names_claim(run->names, k);
    pthread_mutex_unlock(&run->lock);
    return rc;
}

/* The worker's side: cols[next..end) in order, until done or cut. */
static void run_exec(omx__run *run) {
    omx__writer w = {.fmt = run->fmt, .fn = omx_buf_write_fn, .run = run};
    w.buf = omx__malloc(OMX__WBUF);
    omx_emitter e;
    omx__emitter_init(&e, &w, run->deadline_ns);
    pthread_mutex_lock(&run->lock);
    run->picked = true;
    while (!run->cut && run->next < run->end) {
        omx__collector *c = run->cols[run->next];
        run_result *res = &run->res[run->next];
        if (!w.buf || atomic_load(&c->stuck)) {
            /* never two calls of one collector at once: failed without a call */
            res->oom = !w.buf;
            if (w.buf)
                warn("collector skipped: its abandoned call has not returned", c->name);
            run->next++;
            continue;
        }
        omx_registry *r = run->r;
        run->calling = true;
        int64_t t0 = run->started_ns = omx__now_mono_ns();
        pthread_mutex_unlock(&run->lock);

        omx_buf out;
        omx_buf_init(&out, RUN_OUT_MAX);
        w.ctx = &out;
        w.err = 0;
        w.len = 0;
        e.dup = e.oom = false;
        uint64_t dups = e.dup_families;
        int rc = c->fn(&e, c->userdata);
        omx__emitter_end_family(&e);
        omx__w_flush(&w);
        int64_t ns = omx__now_mono_ns() - t0;

        pthread_mutex_lock(&run->lock);
        run->calling = false;
        if (run->cut) {
            /* abandoned: the scrape has answered without this call */
            pthread_mutex_unlock(&run->lock);
            omx_buf_free(&out);
            pool_stuck(false);
            atomic_store(&c->stuck, false);
            atomic_fetch_sub(&r->stuck, 1); /* r may be freed from here on */
            pthread_mutex_lock(&run->lock);
            break;
        }
        res->ns = ns;
        res->ok = rc >= 0 && !e.dup && !w.err;
        res->oom = e.oom || w.err == OMX_ENOMEM;
        res->dup_families = e.dup_families - dups;
        if (w.err) /* over RUN_OUT_MAX: a cut in mid-line is no exposition */
            omx_buf_free(&out);
        res->out = out;
        run->next++;
    }
    run->done = true;
    pthread_cond_signal(&run->done_cond);
    run_release(run);
    omx__emitter_free(&e);
    omx__free(w.buf);
}

static void *pool_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (!pool.head) {
            pool.idle++;
            pthread_cond_wait(&pool.cond, &pool.lock);
            pool.idle--;
        }
        omx__run *run = pool.head;
        pool.head = run->qnext;
        if (!pool.head)
            pool.tail = NULL;
        pool.queued--;
        pthread_mutex_unlock(&pool.lock);
        run_exec(run);
        pthread_mutex_lock(&pool.lock);
    }
    return NULL;
}

/* Queues run for a pool thread, starting one when none is idle. Returns 0,
 * -EAGAIN when every thread holds an abandoned call, or OMX_ENOMEM (no
 * thread at all). A run queued behind busy threads is cut unstarted at the
 * deadline. */
static int pool_submit(omx__run *run) {
    pthread_mutex_lock(&pool.lock);
    if (pool.threads == RUN_THREADS && pool.stuck == pool.threads) {
        pthread_mutex_unlock(&pool.lock);
        return -EAGAIN;
    }
    if (pool.queued + 1 > pool.idle && pool.threads < RUN_THREADS) {
        /* the pool's threads take no signals: the application handles them */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pthread_attr_t a;
        pthread_t t;
        int rc = pthread_attr_init(&a);
        if (rc == 0) {
            pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
            rc = pthread_create(&t, &a, pool_main, NULL);
            pthread_attr_destroy(&a);
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc == 0)
            pool.threads++;
        else if (pool.threads == 0) {
            pthread_mutex_unlock(&pool.lock);
            return OMX_ENOMEM;
        }
    }
    if (pool.tail)
        pool.tail->qnext = run;
    else
        pool.head = run;
    pool.tail = run;
    pool.queued++;
    pthread_cond_signal(&pool.cond);
    pthread_mutex_unlock(&pool.lock);
    return 0;
}

static omx__run *run_new(omx_registry *r, omx__writer *w, int64_t deadline_ns,
                         omx__collector **cols, run_result *res, size_t from, size_t end) {
    omx__run *run = omx__calloc(1, sizeof *run);
    if (!run)
        return NULL;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) {
        omx__free(run);
        return NULL;
    }
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&run->done_cond, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        omx__free(run);
        return NULL;
    }
    pthread_mutex_init(&run->lock, NULL);
    run->r = r;
    run->fmt = w->fmt;
    run->deadline_ns = deadline_ns;
    run->names = &w->names;
    run->cols = cols;
    run->res = res;
    run->next = from;
    run->end = end;
    run->refs = 2;
    return run;
}

/* Runs cols[from..n) and waits for them until bound. Returns the index to go
 * on from: n when all returned (or none can run), else the one after the
 * abandoned collector. */
static size_t run_wait(omx_registry *r, omx__writer *w, int64_t deadline_ns, omx__collector **cols,
                       run_result *res, size_t from, size_t n, int64_t bound) {
    omx__run *run = run_new(r, w, deadline_ns, cols, res, from, n);
    int rc = run ? pool_submit(run) : OMX_ENOMEM;
    if (rc == -EAGAIN) {
        /* no thread left to run them on: on this one, as without a deadline
         * (collectors whose abandoned call has not returned are still skipped) */
        warn("every collector thread holds an abandoned call: collectors run on the scrape thread",
             NULL);
        run_exec(run);
        pthread_mutex_lock(&run->lock);
        run_release(run);
        return n;
    }
    if (rc < 0) {
        for (size_t i = from; i < n; i++)
            res[i].oom = true;
        if (run) {
            pthread_cond_destroy(&run->done_cond);
            pthread_mutex_destroy(&run->lock);
            omx__free(run);
        }
        return n;
    }
    struct timespec ts = {.tv_sec = (time_t)(bound / 1000000000),
                          .tv_nsec = (long)(bound % 1000000000)};
    pthread_mutex_lock(&run->lock);
    while (!run->done && pthread_cond_timedwait(&run->done_cond, &run->lock, &ts) != ETIMEDOUT)
        ;
    size_t go_on = n;
    if (!run->done) {
        run->cut = true;
        size_t k = run->next;
        if (run->calling) {
            atomic_store(&cols[k]->stuck, true);
            atomic_fetch_add(&r->stuck, 1);
            pool_stuck(true);
            res[k].ns = omx__now_mono_ns() - run->started_ns;
            warn("collector abandoned at the scrape deadline", cols[k]->name);
        }
        if (run->picked) {
            go_on = k + 1;
        } else {
            /* every pool thread is busy (or stuck): the rest are failed */
            warn("no collector thread free before the scrape deadline", NULL);
        }
    }
    run_release(run);
    return go_on;
}

void omx__run_collectors(omx_registry *r, omx__writer *w, omx_emitter *e, omx_buf *stats,
                         int64_t deadline_ns, omx_collector_pick_fn pick, void *pick_ctx) {
    if (w->err)
        return; /* the sink failed: as without a deadline, no collector is called */
    size_t n = 0;
    for (omx__collector *c = atomic_load_explicit(&r->col_head, memory_order_acquire); c;
         c = atomic_load_explicit(&c->next, memory_order_acquire))
        n++;
    if (!n)
        return;
    omx__collector **cols = omx__calloc(n, sizeof *cols);
    run_result *res = omx__calloc(n, sizeof *res);
    if (!cols || !res) {
        e->oom = true;
        omx__free(cols);
        omx__free(res);
        return;
    }
    size_t got = 0; /* the list only grows: take the first n (those picked) */
    for (omx__collector *c = atomic_load_explicit(&r->col_head, memory_order_acquire); c && got < n;
         c = atomic_load_explicit(&c->next, memory_order_acquire))
        if (!pick || pick(c->name, pick_ctx))
            cols[got++] = c;
    n = got;
    int64_t now = omx__now_mono_ns();
    int64_t bound = deadline_ns > now ? deadline_ns : now + RUN_GRACE_NS;
    for (size_t i = 0; i < n;) {
        i = run_wait(r, w, deadline_ns, cols, res, i, n, bound);
        bound = omx__now_mono_ns() + RUN_GRACE_NS;
    }
    for (size_t i = 0; i < n; i++) {
        if (res[i].out.len && !w->err)
            omx__w_put(w, res[i].out.data, res[i].out.len);
        omx_buf_free(&res[i].out);
        e->dup_families += res[i].dup_families;
        e->oom |= res[i].oom;
        omx__stat_entry st = {cols[i]->name, (double)res[i].ns / 1e9, res[i].ok};
        if (stats && !(cols[i]->flags & OMX__COLLECTOR_NO_STATS) &&
            omx_buf_append(stats, &st, sizeof st) < 0)
            e->oom = true;
    }
    omx__free(cols);
    omx__free(res);
}

bool omx__run_wait_stuck(omx_registry *r, int64_t timeout_ns) {
    int64_t end = omx__now_mono_ns() + timeout_ns;
    while (atomic_load(&r->stuck)) {
        if (omx__now_mono_ns() >= end) {
            warn("registry not freed: an abandoned collector call has not returned", NULL);
            return false;
        }
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    return true;
}
