/* The worker pool (see http-pool.h): one mutex, one queue, and a stack of
 * idle workers each waiting on its own condition variable. A job wakes the
 * worker that went idle last, so a light load keeps running on the same few
 * threads (warm stacks and caches) instead of touching every thread's stack
 * in turn, which a shared condition variable's FIFO wake-ups did. Workers
 * start on demand, when there are more jobs than workers, up to the pool's
 * size: an idle process holds only the few a load needed. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "http-pool.h"

typedef struct omx__worker {
    struct omx__pool *pool;
    pthread_t thread;
    pthread_cond_t cv;
    bool woken; /* taken off the idle stack by a submit */
} omx__worker;

struct omx__pool {
    pthread_mutex_t mu;
    pthread_cond_t idle;
    omx__job *head, *tail;
    size_t busy; /* queued + running */
    bool stop;
    bool closed; /* no new jobs */
    size_t n;    /* workers started */
    size_t max;  /* the pool's size */
    omx__worker *workers;
    omx__worker **idle_stack;
    size_t n_idle;
};

static void *worker(void *arg) {
    omx__worker *w = arg;
    omx__pool *p = w->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (!p->head) {
            if (p->stop)
                break;
            w->woken = false;
            p->idle_stack[p->n_idle++] = w;
            while (!w->woken && !p->stop)
                pthread_cond_wait(&w->cv, &p->mu);
            if (!w->woken) { /* stopping: leave the stack */
                for (size_t i = 0; i < p->n_idle; i++)
                    if (p->idle_stack[i] == w) {
                        p->idle_stack[i] = p->idle_stack[--p->n_idle];
                        break;
                    }
            }
            continue;
        }
        omx__job *j = p->head;
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        j->fn(j);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Starts worker p->n; under p->mu (or before the pool is shared). */
static int start_worker(omx__pool *p) {
    omx__worker *w = &p->workers[p->n];
    w->pool = p;
    pthread_cond_init(&w->cv, NULL);
    int rc = pthread_create(&w->thread, NULL, worker, w);
    if (rc != 0) {
        pthread_cond_destroy(&w->cv);
        return rc;
    }
    p->n++;
    return 0;
}

/* Workers started with the pool; the others start on demand. */
#define POOL_FIRST_WORKERS 2

int omx__pool_new(size_t n, omx__pool **out) {
    pthread_condattr_t ca;
    omx__pool *p;
    int rc = 0;

    *out = NULL;
    if (n == 0)
        return -EINVAL;
    p = calloc(1, sizeof *p);
    if (!p || !(p->workers = calloc(n, sizeof *p->workers)) ||
        !(p->idle_stack = calloc(n, sizeof *p->idle_stack))) {
        if (p)
            free(p->workers);
        free(p);
        return -ENOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadlines are monotonic */
    pthread_cond_init(&p->idle, &ca);
    pthread_condattr_destroy(&ca);
    p->max = n;
    while (rc == 0 && p->n < n && p->n < POOL_FIRST_WORKERS)
        rc = start_worker(p);
    if (rc != 0) {
        omx__pool_free(p);
        return -rc;
    }
    *out = p;
    return 0;
}

bool omx__pool_submit(omx__pool *p, omx__job *job) {
    job->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->closed) {
        pthread_mutex_unlock(&p->mu);
        return false;
    }
    if (p->tail)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    p->busy++;
    if (p->n_idle) {
        omx__worker *w = p->idle_stack[--p->n_idle];
        w->woken = true;
        pthread_cond_signal(&w->cv);
    } else if (p->busy > p->n && p->n < p->max) {
        /* More jobs than workers: every worker runs one. (With busy <= n a
         * worker between jobs takes this one as soon as it looks.) On failure
         * the running workers take the job later. */
        start_worker(p);
    }
    pthread_mutex_unlock(&p->mu);
    return true;
}

void omx__pool_close(omx__pool *p) {
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    pthread_mutex_unlock(&p->mu);
}

bool omx__pool_wait_idle(omx__pool *p, int64_t deadline_ns) {
    struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000),
                          .tv_nsec = (long)(deadline_ns % 1000000000)};
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    while (p->busy && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&p->idle, &p->mu, &ts);
    bool idle = p->busy == 0;
    pthread_mutex_unlock(&p->mu);
    return idle;
}

size_t omx__pool_busy(omx__pool *p) {
    pthread_mutex_lock(&p->mu);
    size_t b = p->busy;
    pthread_mutex_unlock(&p->mu);
    return b;
}

omx__pool *omx__pool_free(omx__pool *p) {
    if (!p)
        return NULL;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    for (size_t i = 0; i < p->n; i++)
        pthread_cond_signal(&p->workers[i].cv);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->n; i++) {
        pthread_join(p->workers[i].thread, NULL);
        pthread_cond_destroy(&p->workers[i].cv);
    }
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->mu);
    free(p->idle_stack);
    free(p->workers);
    free(p);
    return NULL;
}
